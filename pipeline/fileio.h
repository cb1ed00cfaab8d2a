/* Small file helpers shared by the parsers of pipeline/. */
#ifndef GB_FILEIO_H
#define GB_FILEIO_H
#include <stddef.h>
#include "gb_status.h"

/* Read a whole file (a pipe works too) into a NUL-terminated buffer the caller frees.
 * what names the file in messages ("sample sheet", "profile", ...). Logs one line and returns
 * GB_E_IO when it cannot be opened or read (with quiet_missing, a missing file returns GB_E_IO
 * without logging: for files whose absence is normal), GB_E_NOMEM when it does not fit. */
int fileio_read_all(const char *path, const char *what, int quiet_missing, char **out, size_t *len) GB_MUST_CHECK;

#endif
