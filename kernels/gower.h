/* Distances -> Gower matrix G = -1/2 J D^2 J (J = I - 11'/n), the input of PERMANOVA
 * (permanova.h), the dispersion test (betadisper.h) and PCoA (pcoa.h); docs/STATS.md S2.
 *
 * Layout. Samples are numbered 0..n-1. G is stored "packed lower": row-major lower triangle
 * including the diagonal, G(i,j) for j <= i at index gower_row_offset(i) + j = i(i+1)/2 + j;
 * gower_packed_size(n) = n(n+1)/2 doubles (20,000 samples: 1.6 GB). The caller owns every
 * array. Functions return GB_OK or a negative GB_E_* code (kernels/gb_status.h); pure
 * compute, no I/O, no globals. */
#ifndef GB_GOWER_H
#define GB_GOWER_H
#include <stddef.h>
#include "gb_status.h"
#include "rowblk.h"

/* n(n+1)/2: doubles in a packed-lower matrix of n samples. */
size_t gower_packed_size(size_t n);

/* Index of G(i,0) in a packed-lower matrix: row i holds G(i,0..i). */
static inline size_t gower_row_offset(size_t i) { return i * (i + 1) / 2; }

/* G = -1/2 J D^2 J into g (gower_packed_size(n) doubles, caller-owned), from
 *   _full:      d is n x n row-major doubles; only the strict lower triangle d[i*n + j], j < i,
 *               is read (as R's as.dist: diagonal and upper triangle ignored);
 *   _lower:     d is the strict lower triangle packed row-major, d(i,j) (j < i) at
 *               i(i-1)/2 + j, n(n-1)/2 doubles;
 *   _lower_f32: the same layout in float (20,000 samples: 0.8 GB instead of 1.6 GB). Floats
 *               carry ~7 digits, so results then agree with R to ~1e-7, not 1e-8.
 * Errors: GB_E_USAGE if n < 2; GB_E_FORMAT if a distance is NaN, infinite or < -1e-7 (adonis2
 * stops on negative distances; g is then untouched); GB_E_NOMEM. O(n^2): one pass to check
 * and sum, one row-parallel pass (default OpenMP team; G does not depend on its size) to
 * write g. */
int gower_full(const double *d, size_t n, double *g) GB_MUST_CHECK;
int gower_lower(const double *d, size_t n, double *g) GB_MUST_CHECK;
int gower_lower_f32(const float *d, size_t n, double *g) GB_MUST_CHECK;

/* The same centring done in place on one row block (rowblk.h) of a matrix distributed over MPI
 * ranks, in three steps around a reduction the caller does:
 *   gower_square_rows: the block holds distances (diagonal ignored); each is checked as above
 *     (GB_E_FORMAT on the first bad one, the block then partly converted) and replaced by
 *     a = -d^2/2, the diagonal by 0;
 *   the caller forms the row means of a over ALL rows: rowblk_symv with X = 1 on every block,
 *     summed and divided by n, and grand = their mean;
 *   gower_centre_rows: a -> a - mean_i - mean_j + grand.
 * Row-parallel (default OpenMP team); every entry is computed by one thread the same way. */
int gower_square_rows(double *g, const rowblk_t *rb) GB_MUST_CHECK;
void gower_centre_rows(double *g, const rowblk_t *rb, const double *mean, double grand);

/* Euclidean distances need no distance matrix at all: their Gower matrix is the Gram matrix of
 * the column-centred rows, G = Xc Xc' (G_ij = (x_i - xbar) . (x_j - xbar)), so for n >> m (the
 * Aitchison distance of a cohort: CLR rows) products with G cost 2 n m per column instead of n^2.
 *   gower_centre_data: xc (n x m row-major) and xt = xc' (m x n) from x (n x m); the column
 *     means are summed in sample order. GB_E_USAGE (n < 2, m < 1), GB_E_NOMEM.
 *   gower_gram_times: y = Xc (Xc' x) for x, y n x b row-major; v: m x b scratch. Every element
 *     is summed in one fixed order whatever the thread count (nthreads <= 0: OpenMP default). */
int gower_centre_data(const double *x, size_t n, size_t m, double *xc, double *xt) GB_MUST_CHECK;
void gower_gram_times(const double *xc, const double *xt, size_t n, size_t m, const double *x, size_t b, double *v,
                      int nthreads, double *y);

#endif
