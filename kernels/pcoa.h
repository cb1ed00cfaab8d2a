/* Principal coordinates (stats::cmdscale(d, k, eig = TRUE)) of the top k axes only, from a
 * Gower matrix seen solely through a product callback y = G x (docs/STATS.md S6), so that the
 * caller may keep G distributed over MPI ranks. pcoa_top() is a block Krylov eigensolver (block
 * Lanczos in Davidson form with thick restart, pcoa.c says why and what was measured); it needs
 * no LAPACK/BLAS and gives bitwise the same result for any OpenMP thread count as long as the
 * callback does. pcoa() is the old dense entry point, kept as a thin wrapper until
 * pipeline/stats_beta.c calls pcoa_top() itself. */
#ifndef GB_PCOA_H
#define GB_PCOA_H
#include <stddef.h>
#include <stdint.h>
#include "gb_status.h"

/* y = A x for the symmetric n x n operator A; x and y are n x b ROW-MAJOR (row i = b values).
 * Must be deterministic: the same x gives bitwise the same y. Returns GB_OK or a negative GB_E_*
 * code, which pcoa_top passes back unchanged. */
typedef int (*pcoa_op_fn)(void *ctx, const double *x, size_t b, double *y);

typedef struct {
    size_t products; /* columns multiplied: sum of b over all callback calls */
    size_t restarts; /* thick restarts, plus refreshes after a failed final check */
    double residual; /* max_i ||A v_i - lambda_i v_i|| / scale, from one final explicit product */
    double scale;    /* the norm estimate used for the relative residual (largest |Ritz value|,
                      * or 1 when they are all 0, as for a cohort of identical samples) */
} pcoa_top_info_t;

/* Relative residual every returned pair meets: ||A v - lambda v|| <= PCOA_TOL * scale. What
 * limits it is the rounding of the product itself, ~ sqrt(n) * 1.1e-16 * ||A|| (2e-14 at
 * 20,000 samples), so 1e-12 leaves a margin of ~50 at cohort sizes. An eigenvalue is then
 * within PCOA_TOL * scale of the true one, and within ~(PCOA_TOL * scale)^2 / gap (down to
 * rounding) when a gap separates it from the others; an eigenvector within ~PCOA_TOL * scale
 * / gap in angle. */
#define PCOA_TOL 1e-12

/* Callback calls after which pcoa_top gives up (GB_E_INTERNAL); typical runs take 13-50. */
#define PCOA_MAX_CALLS 1000

/* The k largest (algebraic) eigenvalues of A in decreasing order into eig[0..k), and their unit
 * eigenvectors into vec (n x k row-major), each with the sign that makes its largest-magnitude
 * entry positive (first one on ties). 1 <= k <= n, n >= 2. info may be NULL.
 * Start vectors are pseudo-random (xoshiro256** stream 0 of seed, kernels/simrng.h) and are
 * not centred: a k larger than the number of positive eigenvalues returns the exact 0 of a
 * Gower matrix (eigenvector 1/sqrt(n)) as R's cmdscale does.
 * Returns GB_OK; GB_E_USAGE (n < 2, k = 0, k > n, NULL pointers); GB_E_NOMEM; the callback's
 * own code unchanged; GB_E_INTERNAL when the pairs have not converged to PCOA_TOL after
 * PCOA_MAX_CALLS callback calls (eig/vec are then unspecified).
 * Cost: callback calls of b columns, b = 8 (16 for k > 12): ~13 calls for k = 2, ~23 for
 * k = 10, ~45 for k = 50 on Gower matrices of 2,000-8,000 samples (pcoa.c), the last one the
 * final check with k columns; memory ~4 n (k + 5 b) doubles (32 MB at 20,000 samples, k = 10). */
int pcoa_top(size_t n, size_t k, pcoa_op_fn op, void *ctx, uint64_t seed, double *eig, double *vec,
             pcoa_top_info_t *info) GB_MUST_CHECK;

/* cmdscale's points from pcoa_top's output: coord[i*k + a] = vec[i*k + a] * sqrt(eig[a]), and
 * NaN for an axis whose eigenvalue is <= 0 (cmdscale drops it with a warning). coord may be
 * vec (in place). */
void pcoa_coords(size_t n, size_t k, const double *eig, const double *vec, double *coord);

/* A dense packed-lower Gower matrix (kernels/gower.h layout) as a pcoa_op_fn: ctx is a
 * pcoa_packed_t. OpenMP over blocks of 64 output rows, each output row summed by one thread in
 * a fixed order, so y does not depend on the thread count. Reads G twice per call (each
 * off-diagonal tile once as rows, once as columns). */
typedef struct {
    const double *g;
    size_t n;
} pcoa_packed_t;
int pcoa_packed_op(void *ctx, const double *x, size_t b, double *y);

/* DEPRECATED (pipeline/stats_beta.c moves to pcoa_top): g is a packed lower Gower matrix of n
 * samples. Now computes only the k largest eigenvalues (pcoa_top over pcoa_packed_op, seed 1)
 * into eig[0..k) and fills eig[k..n) with NaN; coord (n x k row-major) as pcoa_coords. k = 0
 * gives n NaN and leaves coord unused. Returns GB_OK, GB_E_USAGE (n < 2, k > n), GB_E_NOMEM or
 * GB_E_INTERNAL (no convergence). */
int pcoa(const double *g, size_t n, size_t k, double *eig, double *coord);

#endif
