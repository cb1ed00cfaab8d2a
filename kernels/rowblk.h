/* Row blocks of a packed-lower symmetric matrix (the Gower matrix of kernels/gower.h) and the
 * symmetric product on them, for 'gutbrain stats' across MPI ranks: each rank holds only
 * rows [r0, r1) of the packed lower triangle, about n(n+1)/2 / ranks doubles.
 *
 * Layout. Row i (r0 <= i < r1) holds A(i, 0..i) at g + rowblk_offset(rb, i); r0 = 0, r1 = n
 * is the whole matrix in gower.h's layout. Blocks produced by rowblk_split start and end on
 * multiples of ROWBLK_TILE rows, so the tiles of the product (and the 6-row register tiles of
 * the PERMANOVA kernel) are the same whatever the split, which keeps every result bitwise
 * independent of the number of ranks.
 *
 * Pure compute; every array is caller-owned; functions that can fail return GB_OK or a
 * negative GB_E_* code (gb_status.h). */
#ifndef GB_ROWBLK_H
#define GB_ROWBLK_H
#include <stddef.h>
#include "gb_status.h"
#include "rsum.h"

enum { ROWBLK_TILE = 48 };

typedef struct {
    size_t n;      /* rows (samples) of the whole matrix */
    size_t r0, r1; /* the rows held here */
} rowblk_t;

/* Index of A(i, 0) in the block's storage (r0 <= i < r1). */
static inline size_t rowblk_offset(const rowblk_t *rb, size_t i) { return i * (i + 1) / 2 - rb->r0 * (rb->r0 + 1) / 2; }

/* Doubles the block holds. */
size_t rowblk_size(const rowblk_t *rb);

/* Part `part` of `nparts` (0 <= part < nparts) of an n-row matrix: boundaries on multiples of
 * ROWBLK_TILE chosen so that the parts hold about equal numbers of entries (later rows are
 * longer, so later parts have fewer rows). A part may be empty (r0 = r1) when n is small. */
void rowblk_split(size_t n, size_t part, size_t nparts, rowblk_t *rb);

/* Terms each output element of rowblk_symv receives over all blocks (the nterms of its
 * rsum_scale_init): one row part plus one partial sum per tile. */
size_t rowblk_symv_terms(size_t n);

/* This block's share of Y = A X for the symmetric A (X, Y: n x b row-major), ADDED into the
 * reproducible accumulators acc (n x b x RSUM_LEVELS, element (i, c) at (i b + c) RSUM_LEVELS).
 * Row i of the block gives sum_{j <= i} A(i,j) X(j,:) to Y(i,:) (summed in j order) and, per tile
 * of ROWBLK_TILE rows, the tile's sum of A(i,j) X(i,:) over its rows i > j to Y(j,:). Adding
 * every block's acc (in any order, e.g. MPI_Allreduce with MPI_SUM) and taking rsum_value gives
 * Y, bitwise the same for any split and thread count. scale must come from
 * rsum_scale_init(n x max|A| x max|X|, rowblk_symv_terms(n)). nthreads <= 0: OpenMP default;
 * scratch of n x b x RSUM_LEVELS doubles per thread beyond the first (GB_E_NOMEM). */
int rowblk_symv(const double *g, const rowblk_t *rb, const double *x, size_t b, const rsum_scale_t *scale, int nthreads,
                double *acc) GB_MUST_CHECK;

/* Largest |A(i,j)| in the block (0 for an empty block), and the diagonal A(i,i) of its rows into
 * diag[i] for r0 <= i < r1 (diag has n entries; the others are left alone; may be NULL). */
double rowblk_maxabs(const double *g, const rowblk_t *rb, double *diag);

#endif
