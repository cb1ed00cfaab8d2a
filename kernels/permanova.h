/* PERMANOVA with vegan::adonis2 semantics (docs/STATS.md S2): the test of a design against a
 * Gower matrix (gower.h), by terms, by margin or for the whole model, with permutations from
 * perm.h. The dispersion test that usually accompanies it is in betadisper.h.
 *
 * Conventions. Pure compute: no I/O, no globals; every output array is owned by the caller;
 * the prepared test (permanova_t) borrows the Gower matrix and is freed with
 * permanova_destroy; functions that can fail return GB_OK or a negative GB_E_* code
 * (kernels/gb_status.h).
 *
 * Typical use (one process):
 *   double *g = malloc(gower_packed_size(n) * sizeof *g);
 *   gower_lower(dist, n, g);                       // gower.h; or _full / _lower_f32
 *   permanova_t *t; permanova_create(g, n, x, ncol, assign, nterm, PERMANOVA_BY_MARGIN, &t);
 *   permanova_row_t rows[nterm + 2]; permanova_run(t, 999, seed, nthreads, rows);
 *   permanova_destroy(t); free(g);
 * Split over MPI ranks: every rank builds the same permanova_t, counts exceedances over its own
 * permutation range (permanova_count_random(from, to) or rows of perm_set), the counts are
 * summed (integers: the sum does not depend on how the range was split), and one rank calls
 * permanova_table(). Results are bitwise independent of thread count and of the split.
 *
 * Layouts. Samples are numbered 0..n-1 in the same order everywhere.
 *  - The Gower matrix G = -1/2 J D^2 J is packed lower (gower.h).
 *  - A design is n x ncol row-major doubles: R's model.matrix columns WITHOUT the intercept
 *    (treatment contrasts for factors, numeric columns as they are); the kernel centres them.
 *    assign[c] is the 0-based term of column c; the columns of one term are adjacent and terms
 *    appear in formula order (assign non-decreasing, every term 0..nterm-1 present).
 *  - Permutations are 0-based int32 rows of length n (perm.h): row p maps observation i to
 *    perm[i]. G^pi(i,j) = G(perm[i], perm[j]) with the design fixed.
 *
 * Only main effects are supported: no term is contained in another (R's drop.scope is then
 * all terms), so by = "margin" tests every term. */
#ifndef GB_PERMANOVA_H
#define GB_PERMANOVA_H
#include <stddef.h>
#include <stdint.h>
#include "gb_status.h"
#include "rowblk.h"

typedef enum {
    PERMANOVA_BY_TERMS,  /* sequential SS, in term order (adonis2 by = "terms") */
    PERMANOVA_BY_MARGIN, /* each term given all the others (by = "margin", the gutbrain default) */
    PERMANOVA_BY_MODEL   /* one "Model" row for all terms together (by = NULL) */
} permanova_by_t;

/* One row of adonis2's table. A term whose columns are all aliased (df 0) has ss 0, r2 0 and
 * f = p = NaN (R drops that row for by = "terms" and prints noise for "margin"). p is NaN when
 * no permutations were counted. The residual and total rows have f = p = NaN. */
typedef struct {
    double df, ss, r2, f, p;
} permanova_row_t;

typedef struct permanova permanova_t; /* a prepared test: design QR, projections, observed statistics */

/* Prepare the test of design x (n x ncol, see Layouts; ncol >= 1) with term map assign
 * (ncol entries) against the Gower matrix g (packed lower, n samples). Columns are centred and
 * QR-decomposed as R's qr() (LINPACK dqrdc2, limited pivoting, tol 1e-7): a column whose
 * remaining norm falls below 1e-7 x its own norm is aliased; a term's df is its number of
 * non-aliased columns. by = margin also decomposes the n x (ncol - term's columns) reduced
 * design of every term. The observed SS and F are computed here. g is BORROWED: it must stay
 * valid and unchanged until permanova_destroy. *out is freed with permanova_destroy.
 * Errors: GB_E_USAGE (n < 3, ncol or nterm 0, bad assign, residual df < 1), GB_E_NOMEM. */
int permanova_create(const double *g, size_t n, const double *x, size_t ncol, const int *assign, size_t nterm,
                     permanova_by_t by, permanova_t **out) GB_MUST_CHECK;
void permanova_destroy(permanova_t *t); /* NULL is a no-op */

/* The Gower matrix split over MPI ranks by rows (rowblk.h). Every part builds its permanova_t
 * from its own rows with permanova_create_parts, and then every call below is COLLECTIVE: all
 * parts make the same calls with the same arguments (permutation ranges included: each part
 * evaluates every permutation on its rows, and the partial sums are added through `sum`). The
 * results are bitwise those of one process holding the whole matrix. */
typedef int (*permanova_sum_fn)(void *ctx, double *acc, size_t count); /* acc[k] = sum over parts, in place */
typedef struct {
    rowblk_t rows;        /* the rows of g held here; r0 a multiple of ROWBLK_TILE */
    double maxabs;        /* max |G| over the WHOLE matrix (the same value on every part) */
    permanova_sum_fn sum; /* element-wise sum of reproducible accumulators over the parts
                            * (e.g. MPI_Allreduce, MPI_SUM: exact, rsum.h); NULL for one part */
    void *ctx;
} permanova_parts_t;

/* permanova_create for one part of a split matrix: g holds rows parts->rows (rowblk.h layout),
 * n = parts->rows.n. Collective (SS_total is summed over the parts). GB_E_USAGE also for a
 * bad row range. */
int permanova_create_parts(const double *g, const permanova_parts_t *parts, const double *x, size_t ncol,
                           const int *assign, size_t nterm, permanova_by_t by, permanova_t **out) GB_MUST_CHECK;

/* permanova_create for Euclidean distances given as data: xt (m x n, feature-major) holds the
 * COLUMN-CENTRED coordinates of the n samples (e.g. CLR values for Aitchison), whose Gram
 * matrix is the Gower matrix, so no n x n matrix is needed and a permutation costs n x m x u
 * instead of n^2 x u / 2. xt is borrowed. One process holds everything (permutation ranges
 * can still be split over ranks and their counts summed). Errors as permanova_create. */
int permanova_create_data(const double *xt, size_t m, size_t n, const double *x, size_t ncol, const int *assign,
                          size_t nterm, permanova_by_t by, permanova_t **out) GB_MUST_CHECK;

/* Rows tested: nterm for PERMANOVA_BY_TERMS / PERMANOVA_BY_MARGIN, 1 for PERMANOVA_BY_MODEL. */
size_t permanova_ntests(const permanova_t *t);

/* Fill rows[0 .. permanova_ntests(t) + 1]: the tested rows in term order, then Residual, then Total
 * (adonis2's row order). exceed (permanova_ntests entries, or NULL) are the summed exceedance counts
 * of nperm permutations: p = (exceed + 1) / (nperm + 1). */
void permanova_table(const permanova_t *t, const uint64_t *exceed, uint64_t nperm, permanova_row_t *rows);

/* Exceedance counts: for every permutation, exceed[k] += (F*_k >= F_k - sqrt(DBL_EPSILON)),
 * k over the tested rows (adonis2's rule; by terms F*_k = (SS*_k/df_k) / ((SS_T - SS*_M)/df_R),
 * by margin F*_k = ((SS*_M - SS*_-k)/df_k) / ((SS_T - SS*_M)/df_R)). exceed (permanova_ntests
 * entries) is ADDED to, so ranges can be accumulated; zero it first.
 *   _random:   permutations with indices [from, to) of the free-permutation stream
 *              perm_draw(seed, index) (perm.h).
 *   _explicit: nperm rows of perm (nperm x n, 0-based); each row is checked to be a
 *              permutation (GB_E_USAGE otherwise, counts untouched).
 * Both run through perm_count (perm.h): nthreads <= 0 uses omp_get_max_threads(). Threads
 * take batches of permutations; counts are integers, so results do not depend on nthreads.
 * Scratch: ~2 n x 128 doubles per thread, allocated on entry (GB_E_NOMEM, exceed untouched;
 * GB_E_USAGE if to < from). Cost: n^2/2 x (basis columns) multiply-adds per
 * permutation (the basis has rank(full design) columns, more only when a reduced design is
 * not nested numerically): 2,000 samples x 4 terms x 999 permutations by margin take ~0.3 s
 * on 2 cores, 20,000 samples ~35 s. No stop flag is polled; a caller wanting to stop early
 * can count in ranges. */
int permanova_count_random(const permanova_t *t, uint64_t seed, uint64_t from, uint64_t to, int nthreads,
                           uint64_t *exceed) GB_MUST_CHECK;
int permanova_count_explicit(const permanova_t *t, const int32_t *perm, size_t nperm, int nthreads,
                             uint64_t *exceed) GB_MUST_CHECK;

/* F*_k of the tested rows for one permutation perm (n entries, 0-based) into f (permanova_ntests
 * entries): what the count functions compare (vegan's permustats). The identity gives the
 * observed F exactly. GB_E_USAGE if perm is not a permutation, GB_E_NOMEM. */
int permanova_permuted_f(const permanova_t *t, const int32_t *perm, double *f) GB_MUST_CHECK;

/* Whole test in one call: plans the permutations as permute::shuffleSet does (perm_plan),
 * counts them and fills rows as permanova_table. requested 0 = no permutations (p = NaN). Errors
 * as above. */
int permanova_run(const permanova_t *t, uint64_t requested, uint64_t seed, int nthreads,
                  permanova_row_t *rows) GB_MUST_CHECK;

#endif
