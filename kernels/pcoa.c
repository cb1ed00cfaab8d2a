/* PCoA (cmdscale) by LAPACK; contracts in pcoa.h. The reduction to tridiagonal form is done
 * once and serves both outputs: every eigenvalue (dsterf, cheap on the tridiagonal matrix)
 * and only the k eigenvectors wanted (dstemr on the index range, then dormtr), instead of all
 * n eigenvectors (dsyevd/dsyevr 'A'), which cost several times more at cohort sizes. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <lapacke.h>
#include "pcoa.h"
#include "gb_status.h"
#include "gower.h"

typedef struct {
    double *a; /* n x n column-major: G, then dsytrd's reflectors */
    double *diag, *off, *tau;
    double *diag2, *off2; /* copies for dsterf, which overwrites its input */
    double *vec;          /* n x k column-major eigenvectors, ascending eigenvalue order */
    double *val;          /* k eigenvalues from dstemr */
    lapack_int *support;
} pcoa_work_t;

static void work_free(pcoa_work_t *w)
{
    free(w->a);
    free(w->diag);
    free(w->off);
    free(w->tau);
    free(w->diag2);
    free(w->off2);
    free(w->vec);
    free(w->val);
    free(w->support);
}

static int work_alloc(pcoa_work_t *w, size_t n, size_t k)
{
    memset(w, 0, sizeof *w);
    w->a = malloc(n * n * sizeof *w->a);
    w->diag = malloc(n * sizeof *w->diag);
    w->off = calloc(n, sizeof *w->off); /* n: dstemr uses the last entry as workspace */
    w->tau = malloc(n * sizeof *w->tau);
    w->diag2 = malloc(n * sizeof *w->diag2);
    w->off2 = calloc(n, sizeof *w->off2);
    w->vec = malloc(n * (k ? k : 1) * sizeof *w->vec);
    w->val = malloc(n * sizeof *w->val);
    w->support = malloc(2 * (k ? k : 1) * sizeof *w->support);
    if (w->a && w->diag && w->off && w->tau && w->diag2 && w->off2 && w->vec && w->val && w->support) return 0;
    work_free(w);
    return GB_E_NOMEM;
}

/* Lower triangle of the column-major n x n a from packed-lower g (the upper is never read). */
static void unpack_lower(const double *g, size_t n, double *a)
{
    for (size_t i = 0; i < n; i++) {
        const double *row = g + gower_row_offset(i);
        for (size_t j = 0; j <= i; j++) a[j * n + i] = row[j];
    }
}

/* All eigenvalues (decreasing, into eig) and the top k eigenvectors (w->vec, ascending). */
static int eigen_top(pcoa_work_t *w, size_t n, size_t k, double *eig)
{
    lapack_int ln = (lapack_int)n, found = 0;
    lapack_logical tryrac = 1;
    if (LAPACKE_dsytrd(LAPACK_COL_MAJOR, 'L', ln, w->a, ln, w->diag, w->off, w->tau)) return GB_E_INTERNAL;
    memcpy(w->diag2, w->diag, n * sizeof *w->diag);
    memcpy(w->off2, w->off, n * sizeof *w->off);
    if (LAPACKE_dsterf(ln, w->diag2, w->off2)) return GB_E_INTERNAL; /* ascending */
    for (size_t i = 0; i < n; i++) eig[i] = w->diag2[n - 1 - i];
    if (k == 0) return 0;
    if (LAPACKE_dstemr(LAPACK_COL_MAJOR, 'V', 'I', ln, w->diag, w->off, 0.0, 0.0, (lapack_int)(n - k + 1), ln, &found,
                       w->val, w->vec, ln, (lapack_int)k, w->support, &tryrac) ||
        (size_t)found != k)
        return GB_E_INTERNAL;
    if (LAPACKE_dormtr(LAPACK_COL_MAJOR, 'L', 'L', 'N', ln, (lapack_int)k, w->a, ln, w->tau, w->vec, ln))
        return GB_E_INTERNAL;
    return 0;
}

/* -1 or +1: the sign that makes v's largest-magnitude entry positive (first one on ties). */
static double orientation(const double *v, size_t n)
{
    size_t best = 0;
    for (size_t i = 1; i < n; i++)
        if (fabs(v[i]) > fabs(v[best])) best = i;
    return v[best] < 0 ? -1.0 : 1.0;
}

int pcoa(const double *g, size_t n, size_t k, double *eig, double *coord)
{
    if (n < 2 || k > n) return GB_E_USAGE;
    pcoa_work_t w;
    if (work_alloc(&w, n, k)) return GB_E_NOMEM;
    unpack_lower(g, n, w.a);
    int rc = eigen_top(&w, n, k, eig);
    for (size_t a = 0; !rc && a < k; a++) {
        const double *v = w.vec + (k - 1 - a) * n; /* dstemr: ascending order */
        double scale = eig[a] > 0 ? sqrt(eig[a]) * orientation(v, n) : NAN;
        for (size_t i = 0; i < n; i++) coord[i * k + a] = v[i] * scale;
    }
    work_free(&w);
    return rc;
}

void pcoa_gof(const double *eig, size_t n, size_t kpos, double gof[2])
{
    double kept = 0.0, absolute = 0.0, positive = 0.0;
    for (size_t a = 0; a < kpos; a++) kept += eig[a];
    for (size_t i = 0; i < n; i++) {
        absolute += fabs(eig[i]);
        positive += eig[i] > 0 ? eig[i] : 0.0;
    }
    gof[0] = kept / absolute;
    gof[1] = kept / positive;
}
