/* Alpha and beta diversity with vegan 2.6-4 semantics (docs/STATS.md S4, S5).
 *
 * Pure compute: no I/O, no globals, no allocation; outputs are caller-owned. Functions return
 * 0 or a negative GB_E_* code (kernels/gb_status.h).
 * Layout: an abundance table is samples x features, row-major doubles: x[i*p + k] is sample
 * i, feature k (dense, row stride p, except diversity_alpha which takes a stride).
 *
 * Typical use (gutbrain stats, beta diversity over all features at the rank):
 *   transform_tss(counts, n, p, rel);                          // kernels/transform.h
 *   diversity_dist_t d = { DIVERSITY_LOWER, dist, NULL };      // n(n-1)/2 doubles
 *   diversity_bray_curtis(rel, n, p, nthreads, &d);
 *   gower_lower(dist, n, g);                               // kernels/gower.h
 * and for Aitchison: diversity_aitchison(counts, n, p, 0.5, clr_work, nthreads, &d).
 *
 * FOR THE PERMANOVA / PCoA / betadisper CALLER: consume DIVERSITY_LOWER (strict lower triangle,
 * row-major, d(i,j) for j < i at i(i-1)/2 + j) - exactly the layout of gower_lower() and
 * gower_lower_f32(). Memory at 20,000 samples: LOWER double 1.6 GB, LOWER float 0.8 GB,
 * FULL double 3.2 GB. Use float (the f32 member) only when memory forces it: it carries ~7
 * digits, so downstream results then agree with R to ~1e-7, not 1e-8.
 * To compare with R: as.matrix(vegdist(x))[i+1, j+1] = d(i,j); R's own dist vector is the
 * column-major lower triangle (a different order), see diversity_lower_index(). */
#ifndef GB_DIVERSITY_H
#define GB_DIVERSITY_H
#include <stddef.h>

/* ---- alpha ------------------------------------------------------------------------------- */

/* Per-sample indices from counts; the struct is layout-compatible with an n x 4 row-major
 * double matrix (columns observed, shannon, simpson, chao1) for modelling. */
typedef struct {
    double observed; /* richness: #{k : x_k > 0} (vegan specnumber, estimateR S.obs) */
    double shannon;  /* -sum p ln p, p = x / rowsum (vegan diversity(), base e) */
    double simpson;  /* 1 - sum p^2 (vegan "simpson") */
    double chao1;    /* S.obs + F1 (F1 - 1) / (2 (F2 + 1)), F1/F2 = taxa with count exactly
                      * 1/2 (vegan estimateR S.chao1: bias-corrected, used also when F2 = 0) */
} diversity_alpha_t;

/* Alpha diversity of each of the n samples of counts (n x p, row stride ld >= p) into out[n].
 * As vegan: the row sum is a long double sum, p = x / sum (one division), the Shannon and
 * Simpson terms are long double sums skipping NaN (0 ln 0 contributes 0). An all-zero sample
 * gives observed 0, shannon 0, simpson 1 (vegan's na.rm quirk) and chao1 0. chao1 is NaN for a
 * sample holding a non-integer count (estimateR stops on non-integer input).
 * Errors: GB_E_FORMAT if a count is negative, NaN or infinite (vegan stops); GB_E_USAGE for a
 * NULL pointer or ld < p. Single-threaded, O(n p). */
int diversity_alpha(const double *counts, size_t n, size_t p, size_t ld, diversity_alpha_t *out);

/* ---- beta -------------------------------------------------------------------------------- */

typedef enum {
    DIVERSITY_LOWER = 0, /* strict lower triangle, row-major: d(i,j), j < i, at i(i-1)/2 + j;
                          * n(n-1)/2 entries (gower_lower's input) */
    DIVERSITY_FULL = 1,  /* n x n row-major, symmetric, zero diagonal */
    DIVERSITY_ROWS = 2   /* rows [row0, row1) of the lower triangle WITH the diagonal (set to 0),
                          * rowblk.h's block layout: the share of one MPI rank (f64 only) */
} diversity_layout_t;

/* Where the distances go: exactly one of f64 / f32 is non-NULL and holds
 * diversity_dist_length(n, layout) entries. Values are computed in double; f32 stores them
 * rounded to float. */
typedef struct {
    diversity_layout_t layout;
    double *f64;
    float *f32;
    size_t row0, row1; /* DIVERSITY_ROWS only */
} diversity_dist_t;

/* Entries of a distance matrix of n samples in the layout: n(n-1)/2 or n^2 (not for
 * DIVERSITY_ROWS, whose size is rowblk_size in rowblk.h). */
size_t diversity_dist_length(size_t n, diversity_layout_t layout);

/* Index of d(i,j) (i != j, either order) in DIVERSITY_LOWER storage. R's dist vector instead
 * stores d(i,j), i > j, at n j - j(j+1)/2 + i - j - 1 (0-based). */
static inline size_t diversity_lower_index(size_t i, size_t j)
{
    return i > j ? i * (i - 1) / 2 + j : j * (j - 1) / 2 + i;
}

/* Bray-Curtis, vegdist(x, "bray"): d(i,j) = sum_k |x_ik - x_jk| / (S_i + S_j), S = row sums.
 * For gutbrain pass relative abundances (transform_tss), i.e. vegdist(decostand(x, "total")).
 * A zero row against a non-zero row gives 1, two zero rows NaN (0/0), as vegan.
 * Euclidean, vegdist(x, "euclidean"): d(i,j) = sqrt(sum_k (x_ik - x_jk)^2).
 * Both then set d < 1e-15 to 0 (vegdist's ZAP).
 * Accuracy: every sum runs in 4 interleaved lanes (lane l takes k = l mod 4, in order; lanes
 * combined as (l0 + l2) + (l1 + l3)), so results differ from vegan's single running sum only in
 * the last bits (~1e-16 relative) and are bitwise identical for any thread count and on SSE
 * or AVX2 machines (the same lane arithmetic either way).
 * Threads: OpenMP over bands of 32 rows, each entry computed by one thread; nthreads <= 0 uses
 * omp_get_max_threads(). x must be finite (GB_E_FORMAT otherwise); GB_E_USAGE for n < 1, p < 1
 * or a bad out. Cost: n(n-1)/2 x p; 2,000 x 500 takes ~0.05-0.1 s on 2 cores. */
int diversity_bray_curtis(const double *x, size_t n, size_t p, int nthreads, const diversity_dist_t *out);
int diversity_euclidean(const double *x, size_t n, size_t p, int nthreads, const diversity_dist_t *out);

/* Aitchison distance, vegdist(counts, "aitchison", pseudocount = c): Euclidean distance
 * between CLR rows, clr_ik = ln(x_ik + c) - mean_k ln(x_ik + c) (vegan .calc_clr; gutbrain uses
 * c = 0.5, TRANSFORM_CLR_PSEUDOCOUNT). clr_work (n x p doubles, caller-owned) receives the CLR
 * matrix (transform_clr in kernels/transform.h). GB_E_FORMAT if some x + c <= 0 or is NaN (vegan
 * stops), otherwise as diversity_euclidean. */
int diversity_aitchison(const double *counts, size_t n, size_t p, double pseudocount, double *clr_work, int nthreads,
                        const diversity_dist_t *out);

#endif
