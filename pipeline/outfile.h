/* Output files that never leave a half-written file under their final name.
 * "-" is stdout; an existing non-regular file (pipe, /dev/null, a tty) is written in place;
 * anything else is written to "<name>.tmp.<pid>" in the same folder and renamed on commit.
 * A name ending in ".zst" is zstd-compressed on the fly. */
#ifndef GB_OUTFILE_H
#define GB_OUTFILE_H
#include <stdio.h>
#include "gb_status.h"

typedef struct outfile outfile_t;

/* Open for writing. Returns NULL after logging the reason. Write with the FILE* from
 * outfile_fp(); finish with exactly one of outfile_commit() or outfile_abort(). */
outfile_t *outfile_open(const char *path);
FILE *outfile_fp(outfile_t *o);
const char *outfile_path(const outfile_t *o);
/* Flush, finish compression, close and rename into place. Frees o. 0 or GB_E_IO (logged). */
int outfile_commit(outfile_t *o) GB_MUST_CHECK;
/* Close and remove the temporary file; the final name keeps what it held before. Frees o.
 * NULL is a no-op. */
void outfile_abort(outfile_t *o);

#endif
