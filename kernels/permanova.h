/* PERMANOVA with vegan::adonis2 semantics, and the betadisper(type = "centroid") dispersion
 * test with permutest semantics (STATS-SEMANTICS.md sections 2 and 7). Pure compute: no I/O,
 * no globals; every output array is owned by the caller; functions return 0 or a negative
 * GB_E_* code (kernels/gb_status.h).
 *
 * Typical use (one process):
 *   double *g = malloc(gower_packed_size(n) * sizeof *g);
 *   gower_lower(dist, n, g);                       // or _full / _lower_f32
 *   permanova_t *t; permanova_create(g, n, x, ncol, assign, nterm, PERMANOVA_BY_MARGIN, &t);
 *   permanova_row_t rows[nterm + 2]; permanova_run(t, 999, seed, nthreads, rows);
 *   permanova_destroy(t); free(g);
 * Split over MPI ranks: every rank builds the same permanova_t, counts exceedances over its own
 * permutation range (permanova_count_random(from, to) or rows of perm_set), the counts are
 * summed (integers: the sum does not depend on how the range was split), and one rank calls
 * permanova_table(). Results are bitwise independent of thread count and of the split.
 *
 * Layouts. Samples are numbered 0..n-1 in the same order everywhere.
 *  - Gower matrix G = -1/2 J D^2 J (J = I - 11'/n) is stored "packed lower": row-major lower
 *    triangle including the diagonal, G(i,j) for j <= i at index i(i+1)/2 + j; gower_packed_size(n)
 *    = n(n+1)/2 doubles (20,000 samples: 1.6 GB).
 *  - A design is n x ncol row-major doubles: R's model.matrix columns WITHOUT the intercept
 *    (treatment contrasts for factors, numeric columns as they are); the kernel centres them.
 *    assign[c] is the 0-based term of column c; the columns of one term are adjacent and terms
 *    appear in formula order (assign non-decreasing, every term 0..nterm-1 present).
 *  - Permutations are 0-based int32 rows of length n: row p maps observation i to perm[i]
 *    (R's shuffleSet rows minus 1). G^pi(i,j) = G(perm[i], perm[j]) with the design fixed.
 *
 * Only main effects are supported: no term is contained in another (R's drop.scope is then
 * all terms), so by = "margin" tests every term. */
#ifndef GB_PERMANOVA_H
#define GB_PERMANOVA_H
#include <stddef.h>
#include <stdint.h>

/* ---- distances -> Gower matrix ---------------------------------------------------------- */

/* n(n+1)/2: doubles in a packed-lower matrix of n samples. */
size_t gower_packed_size(size_t n);

/* G = -1/2 J D^2 J into g (gower_packed_size(n) doubles, caller-owned), from
 *   _full:      d is n x n row-major doubles; only the strict lower triangle d[i*n + j], j < i,
 *               is read (as R's as.dist: diagonal and upper triangle ignored);
 *   _lower:     d is the strict lower triangle packed row-major, d(i,j) (j < i) at
 *               i(i-1)/2 + j, n(n-1)/2 doubles;
 *   _lower_f32: the same layout in float (20,000 samples: 0.8 GB instead of 1.6 GB). Floats
 *               carry ~7 digits, so results then agree with R to ~1e-7, not 1e-8.
 * Errors: GB_E_USAGE if n < 2; GB_E_FORMAT if a distance is NaN, infinite or < -1e-7 (adonis2
 * stops on negative distances; g is then untouched). O(n^2): one pass to check and sum,
 * one row-parallel pass (default OpenMP team; G does not depend on its size) to write g. */
int gower_full(const double *d, size_t n, double *g);
int gower_lower(const double *d, size_t n, double *g);
int gower_lower_f32(const float *d, size_t n, double *g);

/* ---- the test ---------------------------------------------------------------------------- */

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
int permanova_create(const double *g, size_t n, const double *x, size_t ncol, const int *assign,
               size_t nterm, permanova_by_t by, permanova_t **out);
void permanova_destroy(permanova_t *t); /* NULL is a no-op */

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
 *              perm_draw(seed, index) (see below).
 *   _explicit: nperm rows of perm (nperm x n, 0-based); each row is checked to be a
 *              permutation (GB_E_USAGE otherwise, counts untouched).
 * nthreads <= 0 uses omp_get_max_threads(). Threads take batches of permutations; counts are
 * integers, so results do not depend on nthreads. Scratch: ~2 n x 128 doubles per thread,
 * allocated on entry (GB_E_NOMEM). Cost: n^2/2 x (basis columns) multiply-adds per
 * permutation (the basis has rank(full design) columns, more only when a reduced design is
 * not nested numerically): 2,000 samples x 4 terms x 999 permutations by margin take ~0.3 s
 * on 2 cores, 20,000 samples ~35 s. No stop flag is polled; a caller wanting to stop early
 * can count in ranges. */
int permanova_count_random(const permanova_t *t, uint64_t seed, uint64_t from, uint64_t to, int nthreads,
                     uint64_t *exceed);
int permanova_count_explicit(const permanova_t *t, const int32_t *perm, size_t nperm, int nthreads,
                       uint64_t *exceed);

/* F*_k of the tested rows for one permutation perm (n entries, 0-based) into f (permanova_ntests
 * entries): what the count functions compare (vegan's permustats). The identity gives the
 * observed F exactly. GB_E_USAGE if perm is not a permutation, GB_E_NOMEM. */
int permanova_permuted_f(const permanova_t *t, const int32_t *perm, double *f);

/* Whole test in one call: plans the permutations as permute::shuffleSet does (perm_plan),
 * counts them and fills rows as permanova_table. requested 0 = no permutations (p = NaN). Errors
 * as above. */
int permanova_run(const permanova_t *t, uint64_t requested, uint64_t seed, int nthreads, permanova_row_t *rows);

/* ---- permutations ------------------------------------------------------------------------ */

/* Permutation number `index` of the stream `seed` (0-based, length n, into perm). Generator:
 * xoshiro256** whose four state words are splitmix64 outputs started from a hash of (seed,
 * index) (h = mix(mix(seed + 0x9E3779B97F4A7C15) ^ mix(index ^ 0x5851F42D4C957F2D)), mix =
 * splitmix64's finaliser); Fisher-Yates from the last position down, each bound drawn without
 * bias (Lemire's multiply-and-reject on 64-bit draws). A permutation depends only on (seed,
 * index), not on threads, ranks or batch boundaries. As in R, the identity and repeats can
 * occur. The stream is ours: it cannot reproduce R's set.seed()/shuffleSet (use
 * permanova_count_explicit with R's matrix for that). */
void perm_draw(uint64_t seed, uint64_t index, size_t n, int32_t *perm);

typedef enum {
    PERM_RANDOM,   /* nperm independent draws: perm_draw(seed, 0 .. nperm-1) */
    PERM_ALL,      /* every non-identity permutation, lexicographic order */
    PERM_DISTINCT  /* nperm distinct non-identity permutations drawn at random */
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
int perm_plan(size_t n, uint64_t requested, perm_plan_t *plan);

/* The explicit rows for an ALL or DISTINCT plan: plan->nperm x n int32 into perm (caller-
 * owned). DISTINCT draws lexicographic ranks 1 .. n!-1 without replacement by a partial
 * Fisher-Yates driven by perm_draw's generator seeded with seed. GB_E_USAGE for a
 * RANDOM plan, GB_E_NOMEM. */
int perm_set(size_t n, const perm_plan_t *plan, uint64_t seed, int32_t *perm);

/* ---- betadisper(type = "centroid") and permutest ------------------------------------------ */

/* Distance of each sample to its group centroid in PCoA space, imaginary (negative-eigenvalue)
 * axes included as vegan does: z_i^2 = ||pos. axes diff||^2 - ||neg. axes diff||^2, computed
 * without an eigen-decomposition as z_i^2 = G_ii - 2 mean_{j in g} G_ij + mean_{j,k in g} G_jk
 * (identical up to the ~0 axes vegan drops). group[i] in 0..ngroup-1. A negative z_i^2 gives
 * z_i = 0 (R warns) and is counted in *nneg (may be NULL). z: n doubles. group_mean: ngroup
 * doubles (NaN for an empty group), may be NULL. GB_E_USAGE on a bad group index, GB_E_NOMEM.
 * O(n^2), single-threaded. */
int betadisper_centroid(const double *g, size_t n, const int *group, size_t ngroup, double *z,
                   double *group_mean, size_t *nneg);

/* anova(betadisper): one-way ANOVA of z on the groups (empty groups ignored, k = non-empty
 * groups). Outputs F, df1 = k-1, df2 = n-k and p = P(F_{df1,df2} > F) (R's pf upper tail).
 * GB_E_USAGE if k < 2 or n <= k. */
int betadisper_anova(const double *z, size_t n, const int *group, size_t ngroup, double *f,
                double *df1, double *df2, double *p);

/* permutest.betadisper exceedance counts: residuals e = z - group mean are permuted
 * (y_i = e_perm[i]), refitted on the groups, F* = (sum (fit - mean fit)^2 / (k-1)) /
 * (sum (y - fit)^2 / (n-k)), exceed += (F* >= f_obs - sqrt(DBL_EPSILON)); added to *exceed.
 * Same permutation sources, thread rules and errors as permanova_count_*. p = (exceed+1)/(nperm+1).
 * permutest draws its permutations as adonis2 does, so for n <= 7 follow perm_plan too
 * (complete or distinct sets through betadisper_count_explicit); O(n) per permutation. */
int betadisper_count_random(const double *z, size_t n, const int *group, size_t ngroup, double f_obs,
                       uint64_t seed, uint64_t from, uint64_t to, int nthreads, uint64_t *exceed);
int betadisper_count_explicit(const double *z, size_t n, const int *group, size_t ngroup,
                         double f_obs, const int32_t *perm, size_t nperm, int nthreads,
                         uint64_t *exceed);

#endif
