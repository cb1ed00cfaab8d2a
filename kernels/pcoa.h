/* Principal coordinates (stats::cmdscale(d, k, eig = TRUE)) from a Gower matrix.
 * Pure compute over caller-owned arrays; LAPACK does the eigen-decomposition. */
#ifndef GB_PCOA_H
#define GB_PCOA_H
#include <stddef.h>

/* g: packed lower Gower matrix of n samples (kernels/permanova.h layout). Writes the n
 * eigenvalues in decreasing order into eig (cmdscale's $eig: negative ones included) and the
 * first k coordinates of every sample into coord (n x k row-major): eigenvector * sqrt(eigenvalue)
 * for the k largest eigenvalues; an axis whose eigenvalue is <= 0 gets NaN coordinates (cmdscale
 * drops it with a warning). Each axis' sign is fixed so that its largest-magnitude coordinate is
 * positive (R's sign is arbitrary: compare absolute values). Returns 0, GB_E_USAGE (n < 2,
 * k > n), GB_E_NOMEM, or GB_E_INTERNAL when LAPACK fails. Memory: n^2 doubles; time O(n^3)
 * (2,000 samples: ~2 s on 2 cores). */
int pcoa(const double *g, size_t n, size_t k, double *eig, double *coord);

#endif
