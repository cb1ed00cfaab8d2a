/* Free permutations of n observations for the permutation tests (PERMANOVA in permanova.h,
 * the dispersion test in betadisper.h): our seeded permutation stream, permute::shuffleSet's
 * plan for small n, and the threaded counting loop both tests share (docs/STATS.md S2, S7).
 *
 * Conventions. A permutation is n 0-based int32 values: row p of a set maps observation i to
 * perm[i] (R's shuffleSet rows minus 1). Every array is owned by the caller; nothing here
 * keeps a pointer after returning. Functions that can fail return GB_OK or a negative GB_E_*
 * code (kernels/gb_status.h). Pure compute: no I/O, no globals. */
#ifndef GB_PERM_H
#define GB_PERM_H
#include <float.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include "gb_status.h"

/* ---- the stream and the plan ------------------------------------------------------------- */

/* Permutation number `index` of the stream `seed` (0-based, length n, into perm). Generator:
 * xoshiro256** whose four state words are splitmix64 outputs started from a hash of (seed,
 * index) (h = mix(mix(seed + 0x9E3779B97F4A7C15) ^ mix(index ^ 0x5851F42D4C957F2D)), mix =
 * splitmix64's finaliser); Fisher-Yates from the last position down, each bound drawn without
 * bias (Lemire's multiply-and-reject on 64-bit draws). A permutation depends only on (seed,
 * index), not on threads, ranks or batch boundaries. As in R, the identity and repeats can
 * occur. The stream is ours: it cannot reproduce R's set.seed()/shuffleSet (count R's own
 * matrix through the tests' _count_explicit functions for that). */
void perm_draw(uint64_t seed, uint64_t index, size_t n, int32_t *perm);

typedef enum {
    PERM_RANDOM,  /* nperm independent draws: perm_draw(seed, 0 .. nperm-1) */
    PERM_ALL,     /* every non-identity permutation, lexicographic order */
    PERM_DISTINCT /* nperm distinct non-identity permutations drawn at random */
} perm_mode_t;

typedef struct {
    perm_mode_t mode;
    uint64_t nperm; /* permutations that will be counted (the p denominator minus 1) */
} perm_plan_t;

/* permute::check() rules for free permutations of n observations, requested > 0:
 *  - requested >= n! - 1: ALL, nperm = n! - 1 (n <= 6 with 999 requested: 119 at n=5, 719 at
 *    n=6, so p is deterministic, e.g. 148/720);
 *  - n! - 1 <= 5040 (n <= 7): DISTINCT, nperm = requested (R draws requested distinct rows of
 *    its 5039 at n = 7; ours are a different random subset, so p differs within Monte Carlo
 *    error);
 *  - otherwise RANDOM, nperm = requested.
 * GB_E_USAGE if n < 2 or requested == 0. */
int perm_plan(size_t n, uint64_t requested, perm_plan_t *plan) GB_MUST_CHECK;

/* The explicit rows for an ALL or DISTINCT plan: plan->nperm x n int32 into perm (caller-
 * owned). DISTINCT draws lexicographic ranks 1 .. n!-1 without replacement by a partial
 * Fisher-Yates driven by perm_draw's generator seeded with seed. GB_E_USAGE for a
 * RANDOM plan or n > 12, GB_E_NOMEM. */
int perm_set(size_t n, const perm_plan_t *plan, uint64_t seed, int32_t *perm) GB_MUST_CHECK;

/* ---- counting exceedances (shared by permanova.c and betadisper.c) ----------------------- */

/* GB_OK if every row of perm (nperm x n) is a permutation of 0..n-1, else GB_E_USAGE;
 * GB_E_NOMEM. */
int perm_check(const int32_t *perm, size_t nperm, size_t n) GB_MUST_CHECK;

/* adonis2's and permutest's rule: a permuted statistic counts when F* >= F - sqrt(DBL_EPSILON),
 * so that ties broken by rounding still count. */
static inline int perm_exceeds(double f_permuted, double f_observed)
{
    return f_permuted >= f_observed - sqrt(DBL_EPSILON);
}

/* Where the permutations of one count come from: `total` rows of an explicit matrix, or the
 * stream indices [from, from + total) of perm_draw(seed, .). Borrows rows. */
typedef struct {
    const int32_t *rows; /* total x n, 0-based; NULL: the stream */
    uint64_t seed, from, total;
} perm_source_t;

/* Source of the stream indices [from, to); GB_E_USAGE if to < from. */
int perm_source_random(uint64_t seed, uint64_t from, uint64_t to, perm_source_t *src) GB_MUST_CHECK;
/* Source of the nperm rows of perm (nperm x n), checked as perm_check does (src untouched on
 * failure). */
int perm_source_explicit(const int32_t *perm, size_t nperm, size_t n, perm_source_t *src) GB_MUST_CHECK;
/* Permutation `index` (0 .. total-1) of src into out (n entries). */
void perm_source_fill(const perm_source_t *src, uint64_t index, size_t n, int32_t *out);

/* One test's side of a count: how to evaluate a batch of permutations. */
typedef struct {
    size_t n;       /* observations per permutation */
    size_t batch;   /* permutations handed over at once (>= 1) */
    size_t ncount;  /* exceedance counters (>= 1) */
    size_t scratch; /* doubles of scratch per thread (>= 1) */
    /* Adds to counts[0..ncount) the exceedances of the nb (1 .. batch) permutations in perm
     * (nb x n), using scratch as it likes. Called concurrently from several threads, each
     * with its own perm, scratch and counts: it may only read ctx. */
    void (*count)(const void *ctx, const int32_t *perm, size_t nb, double *scratch, uint64_t *counts);
    const void *ctx;
} perm_counter_t;

/* exceed[k] += the counts of all src->total permutations, k < c->ncount. Threads
 * (nthreads <= 0: omp_get_max_threads(), never more than there are batches) take batches in
 * turn; each keeps integer counts that are summed at the end, so the result does not depend
 * on the thread count or on how a range is split. Scratch for every thread is allocated on
 * entry (GB_E_NOMEM, exceed untouched). */
int perm_count(const perm_counter_t *c, const perm_source_t *src, int nthreads, uint64_t *exceed) GB_MUST_CHECK;

/* A test's side of a pass that keeps a result per permutation instead of counts (PERMANOVA
 * with the Gower matrix split over MPI ranks: the partial sums of every permutation are added
 * across ranks before any F* is known). */
typedef struct {
    size_t n, batch, scratch; /* as in perm_counter_t */
    /* Evaluates the nb permutations in perm (nb x n), which are the source's indices first ..
     * first + nb - 1, writing only to the results of those indices. Called concurrently. */
    void (*eval)(const void *ctx, const int32_t *perm, size_t nb, uint64_t first, double *scratch);
    const void *ctx;
} perm_eval_t;

/* Calls e->eval once for every batch of src's permutations, threads as perm_count. */
int perm_each(const perm_eval_t *e, const perm_source_t *src, int nthreads) GB_MUST_CHECK;

#endif
