/* The inputs of 'gutbrain bench' (docs/BENCH.md): the read-level truth (read_id<TAB>taxid
 * files) and the per-read outputs of classifiers, in Kraken's format or Centrifuge's, turned
 * into one call per truth fragment, in external NCBI taxids.
 *
 * Read ids are compared without a trailing "/1" or "/2", so the two mates of a pair are one
 * fragment and scored once. Every read id of the truth must be unique (a cohort's samples must
 * not share ids). */
#ifndef GB_BENCH_IO_H
#define GB_BENCH_IO_H
#include <stddef.h>
#include <stdint.h>
#include "gb_status.h"

typedef struct {
    size_t n;        /* fragments */
    char **id;       /* [n] read ids (mate suffix removed), sorted by strcmp; point into blobs */
    uint32_t *taxid; /* [n] true external taxid, aligned with id */
    char **blobs;    /* private: file contents the ids point into */
    size_t nblobs, blobs_cap;
} bench_truth_t;

/* Reads TRUTH: a file of read_id<TAB>taxid lines (an optional "read_id" header line, '#'
 * comments), or a folder as 'gutbrain simulate' writes it (DIR/truth/reads/ *.tsv, or that
 * reads folder's parent DIR/truth, or the reads folder itself). Errors, one line naming the
 * file[:line]: unreadable (GB_E_IO), a malformed line, taxid 0 or a duplicate read id
 * (GB_E_FORMAT), no read at all (GB_E_FORMAT). Free with bench_truth_free. */
int bench_truth_read(const char *path, bench_truth_t *t) GB_MUST_CHECK;
void bench_truth_free(bench_truth_t *t);

/* Index of read id id[0, len) (mate suffix removed first) in t, or SIZE_MAX. */
size_t bench_truth_find(const bench_truth_t *t, const char *id, size_t len);

/* One classifier's calls, aligned with a truth: call[f] = external taxid called for fragment
 * f, 0 when unclassified or absent from the output. */
typedef struct {
    uint32_t *call;
    uint8_t *seen;  /* [n] 1 when the fragment was in an output */
    size_t missing; /* truth fragments absent from every file read (set by bench_calls_finish) */
} bench_calls_t;

int bench_calls_init(bench_calls_t *c, const bench_truth_t *t) GB_MUST_CHECK;
/* Adds the calls of one per-read output file. The format is told by the first line:
 *   Kraken (gutbrain classify, kraken2): "C|U<TAB>read id<TAB>taxid or 'name (taxid N)'<TAB>...";
 *   Centrifuge: the header "readID<TAB>seqID<TAB>taxID...", then one line per hit; the hits of
 *     a read (consecutive lines with one id) are reduced by lca(a, b, user), the LCA on the
 *     caller's taxonomy of two external taxids (0 when either is unknown to it); taxID 0 is
 *     unclassified.
 * Errors, one line naming file:line (GB_E_FORMAT, or GB_E_IO when unreadable): a malformed
 * line, an unknown format, a read id that is not in the truth, a fragment listed twice. */
int bench_calls_read(bench_calls_t *c, const bench_truth_t *t, const char *path,
                     uint32_t (*lca)(uint32_t a, uint32_t b, void *user), void *user) GB_MUST_CHECK;
/* Counts the truth fragments no file listed (they keep call 0: unclassified). */
void bench_calls_finish(bench_calls_t *c, const bench_truth_t *t);
void bench_calls_free(bench_calls_t *c);

#endif
