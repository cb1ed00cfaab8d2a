/* Principal coordinates (stats::cmdscale(d, k, eig = TRUE)) from a Gower matrix.
 * Pure compute over caller-owned arrays; LAPACK does the eigen-decomposition: one reduction
 * to tridiagonal form (dsytrd) serves both outputs, all eigenvalues by dsterf and only the k
 * eigenvectors asked for by dstemr + dormtr (the steps of dsyevr, which R's eigen() uses).
 * Threads: OpenBLAS's own (OPENBLAS_NUM_THREADS); no parallel region of ours. The ~0
 * eigenvalue of the centring comes out as rounding noise of either sign, as in R. */
#ifndef GB_PCOA_H
#define GB_PCOA_H
#include <stddef.h>

/* g: packed lower Gower matrix of n samples (kernels/gower.h layout). Writes the n
 * eigenvalues in decreasing order into eig (cmdscale's $eig: negative ones included) and the
 * first k coordinates of every sample into coord (n x k row-major): eigenvector * sqrt(eigenvalue)
 * for the k largest eigenvalues; an axis whose eigenvalue is <= 0 gets NaN coordinates (cmdscale
 * drops it with a warning). Each axis' sign is fixed so that its largest-magnitude coordinate is
 * positive (R's sign is arbitrary: compare absolute values). Returns 0, GB_E_USAGE (n < 2,
 * k > n), GB_E_NOMEM, or GB_E_INTERNAL when LAPACK fails. k = 0 gives the eigenvalues only
 * (coord unused). Memory: n^2 doubles (20,000 samples: 3.2 GB); time O(n^3), measured with
 * 10 axes on the project machine: 2,000 samples 0.55 s and 4,000 5.6 s with one OpenBLAS
 * thread, 8,000 52 s with two, so ~12-14 min at 20,000. Bitwise reproducible for a fixed
 * OpenBLAS thread count only: 1 and 2 OpenBLAS threads differ in the last bits (~1e-14 relative). */
int pcoa(const double *g, size_t n, size_t k, double *eig, double *coord);

/* cmdscale's $GOF for the first kpos axes (kpos = the number of leading eigenvalues > 0 among
 * the k asked for): gof[0] = sum_{a<kpos} eig[a] / sum |eig|, gof[1] = sum_{a<kpos} eig[a] /
 * sum max(eig, 0). eig: the n eigenvalues from pcoa(). */
void pcoa_gof(const double *eig, size_t n, size_t kpos, double gof[2]);

#endif
