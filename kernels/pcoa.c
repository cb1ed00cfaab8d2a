/* cmdscale: eigen-decomposition of the doubly centred matrix G = -1/2 J D^2 J. */
#include "pcoa.h"
#include "error.h"
#include <lapacke.h>
#include <math.h>
#include <stdlib.h>

int pcoa(const double *g, size_t n, size_t k, double *eig, double *coord)
{
    if (n < 2 || k > n) return GB_E_USAGE;
    double *a = malloc(n * n * sizeof *a), *w = malloc(n * sizeof *w);
    if (!a || !w) {
        free(a);
        free(w);
        return GB_E_NOMEM;
    }
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j <= i; j++) a[i * n + j] = a[j * n + i] = g[i * (i + 1) / 2 + j];
    /* ascending eigenvalues; eigenvectors in the columns of a */
    lapack_int info = LAPACKE_dsyevd(LAPACK_ROW_MAJOR, 'V', 'L', (lapack_int)n, a, (lapack_int)n, w);
    int rc = info ? GB_E_INTERNAL : 0;
    for (size_t e = 0; !rc && e < n; e++) eig[e] = w[n - 1 - e];
    for (size_t e = 0; !rc && e < k; e++) {
        size_t col = n - 1 - e;
        double lambda = w[col], biggest = 0;
        for (size_t i = 0; i < n; i++)
            if (fabs(a[i * n + col]) > fabs(biggest)) biggest = a[i * n + col];
        double sign = biggest < 0 ? -1.0 : 1.0, scale = lambda > 0 ? sqrt(lambda) : NAN;
        for (size_t i = 0; i < n; i++) coord[i * k + e] = sign * a[i * n + col] * scale;
    }
    free(a);
    free(w);
    return rc;
}
