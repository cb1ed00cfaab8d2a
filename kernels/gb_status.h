/* Status codes shared by every layer: kernels and pipeline functions that can fail return
 * GB_OK (0) or one negative GB_E_* code, never -1/-2 of their own or 0/1 for "no room".
 * Kernels include only kernels/ headers, so this header is theirs; the pipeline adds process
 * exit codes and the stop flag in pipeline/gb_exit.h. */
#ifndef GB_STATUS_H
#define GB_STATUS_H

enum {
    GB_OK = 0,
    GB_E_NOMEM = -1,    /* out of memory */
    GB_E_IO = -2,       /* open/read/write/rename failed */
    GB_E_FORMAT = -3,   /* malformed input */
    GB_E_USAGE = -4,    /* bad option or argument (for kernels: bad arguments) */
    GB_E_DB = -5,       /* database missing, wrong version or corrupt */
    GB_E_TAXONOMY = -6, /* taxonomy inconsistent (missing parent, cycle) */
    GB_E_INTERNAL = -7,
    GB_E_INTERRUPTED = -8, /* SIGTERM/SIGINT received: stopped cleanly, resumable */
    GB_E_PARTIAL = -9,     /* some samples failed, the others' results are written */
    GB_E_FULL = -10        /* a fixed-capacity table has no free slot: grow it and retry */
};

/* A short English text for a GB_E_* code ("internal error" for unknown codes). */
const char *gb_strerror(int code);

/* On functions whose status must be looked at. */
#define GB_MUST_CHECK __attribute__((warn_unused_result))

#endif
