/* One error convention: functions return 0 on success or a negative GB_E_* code. */
#ifndef GB_ERROR_H
#define GB_ERROR_H

enum {
    GB_OK = 0,
    GB_E_NOMEM = -1,    /* out of memory */
    GB_E_IO = -2,       /* open/read/write/rename failed */
    GB_E_FORMAT = -3,   /* malformed input */
    GB_E_USAGE = -4,    /* bad option or argument */
    GB_E_DB = -5,       /* database missing, wrong version or corrupt */
    GB_E_TAXONOMY = -6, /* taxonomy inconsistent (missing parent, cycle) */
    GB_E_INTERNAL = -7,
    GB_E_INTERRUPTED = -8, /* SIGTERM/SIGINT received: stopped cleanly, resumable */
    GB_E_PARTIAL = -9      /* some samples failed, the others' results are written */
};

/* Set by the SIGTERM/SIGINT handler (gb_install_stop_handler); long loops poll it. */
#include <signal.h>
extern volatile sig_atomic_t gb_stop_requested;
void gb_install_stop_handler(void);

/* Process exit codes (DESIGN.md, Failure semantics). */
enum {
    GB_EXIT_OK = 0,
    GB_EXIT_USAGE = 1,
    GB_EXIT_INPUT = 2,
    GB_EXIT_PARTIAL = 3,
    GB_EXIT_INTERNAL = 4,
    GB_EXIT_SIGTERM = 143
};

const char *gb_strerror(int code);
/* Exit code for an error code. */
int gb_exit_code(int code);

#define GB_MUST_CHECK __attribute__((warn_unused_result))

#endif
