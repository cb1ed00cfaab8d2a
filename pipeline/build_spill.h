/* The database build's (hash, taxon) pairs on their way to the compact table, in bounded
 * memory: a pair buffer that scanning threads fill, spilled as sorted, LCA-merged runs to one
 * private temporary file, then merged partition by partition (the partitions are the top
 * BUILD_SPILL_BITS bits of the hash) into one final run that is read back in ascending hash
 * order. Split from cmd_build.c so that the command keeps the CLI, the scan and the table.
 *
 * The temporary file is created with mkstemp (0600) in the folder given and unlinked at once,
 * so no exit path (errors, signals, a crash) leaves it behind; its space is freed on
 * build_spill_destroy or process exit. Errors are logged (one line naming the folder). */
#ifndef GB_BUILD_SPILL_H
#define GB_BUILD_SPILL_H
#include <stddef.h>
#include <stdint.h>
#include "gb_status.h"

#define BUILD_SPILL_BITS  12
#define BUILD_SPILL_PARTS (1u << BUILD_SPILL_BITS)
#define BUILD_SPILL_PAIR  24 /* buffer bytes per pair: hash + taxon, and sort scratch as large */

typedef struct {
    uint64_t base;   /* byte offset of the run in the file */
    uint64_t *start; /* BUILD_SPILL_PARTS + 1 pair offsets; partition p is 12 * (start[p+1] - start[p]) bytes
                        at base + 12 * start[p]: its hashes, then its taxa */
} build_spill_run_t;

typedef struct {
    /* the pair buffer, filled by the caller: h[i], t[i] for i < n <= cap */
    uint64_t *h;
    uint32_t *t;
    size_t n, cap;
    uint64_t *h2; /* sort scratch (cap entries, with t2) */
    uint32_t *t2;
    const uint32_t *parent; /* taxonomy, for LCA merges */
    int threads;
    int fd, fd_open;
    char dir[4096];
    uint64_t file_bytes;
    build_spill_run_t *runs;
    size_t nruns, cap_runs;
    build_spill_run_t final; /* after build_spill_finish: the merged run that build_spill_read reads */
    uint64_t pairs;          /* pairs spilled (before merging runs) */
    uint64_t distinct;       /* after build_spill_finish: distinct hashes */
    /* the merge's buffer of a group of partitions, and build_spill_read's */
    uint64_t *mh;
    uint32_t *mt;
    size_t mcap;
    size_t **bounds; /* per thread: where each run's piece starts in its partition */
} build_spill_t;

/* Open the temporary file in dir and allocate a buffer of buffer_bytes / BUILD_SPILL_PAIR pairs.
 * GB_OK, GB_E_IO or GB_E_NOMEM (logged); s is then ready for build_spill_destroy either way. */
int build_spill_init(build_spill_t *s, const char *dir, size_t buffer_bytes, const uint32_t *parent,
                     int threads) GB_MUST_CHECK;

/* Sort the buffer, merge equal hashes, append it to the file as one run and empty it.
 * GB_OK, GB_E_IO (write error, ENOSPC included) or GB_E_NOMEM. */
int build_spill_flush(build_spill_t *s) GB_MUST_CHECK;

/* After the last flush: free the pair buffer. With several runs, the merge is then made by
 * build_spill_merge over every partition in ascending order; with one run, that run is final. */
int build_spill_finish(build_spill_t *s) GB_MUST_CHECK;

/* Merge partitions [from, to) of every run into the final run (in parallel; call in ascending
 * order, covering all partitions, when s->nruns > 1). Adds their distinct pairs to s->distinct.
 * GB_OK, GB_E_IO or GB_E_NOMEM. */
int build_spill_merge(build_spill_t *s, unsigned from, unsigned to) GB_MUST_CHECK;

/* Read partition p of the final run: *h, *t point to *n pairs (ascending hashes) valid until
 * the next call. GB_OK, GB_E_IO or GB_E_NOMEM. */
int build_spill_read(build_spill_t *s, unsigned p, const uint64_t **h, const uint32_t **t, size_t *n) GB_MUST_CHECK;

/* Free everything and close (and so delete) the temporary file. A zeroed s is a no-op. */
void build_spill_destroy(build_spill_t *s);

#endif
