/* Distances -> packed-lower Gower matrix, for three input layouts (full double, packed lower
 * double, packed lower float) through one reader. Contracts in gower.h. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "gower.h"
#include <omp.h>

#define NEG_DIST_TOL -1e-7 /* adonis2 stops below this */

size_t gower_packed_size(size_t n) { return n * (n + 1) / 2; }

static int check_distance(double d) { return isfinite(d) && d >= NEG_DIST_TOL ? GB_OK : GB_E_FORMAT; }

/* A distance matrix in one of the accepted layouts: row i's entries j < i are contiguous. */
typedef struct {
    const double *f64;
    const float *f32; /* exactly one of f64 / f32 */
    size_t stride;    /* full n x n: n; 0: strict lower triangle packed */
} dist_src_t;

static size_t dist_row(const dist_src_t *s, size_t i) { return s->stride ? i * s->stride : (i ? i * (i - 1) / 2 : 0); }

static double dist_at(const dist_src_t *s, size_t at) { return s->f64 ? s->f64[at] : (double)s->f32[at]; }

/* Row means of A = -d^2/2 (zero diagonal) into mean, checking every distance. */
static int gower_row_means(const dist_src_t *s, size_t n, double *mean)
{
    memset(mean, 0, n * sizeof *mean);
    for (size_t i = 0; i < n; i++) {
        size_t row = dist_row(s, i);
        for (size_t j = 0; j < i; j++) {
            double v = dist_at(s, row + j);
            if (check_distance(v)) return GB_E_FORMAT;
            double a = -0.5 * v * v;
            mean[i] += a;
            mean[j] += a;
        }
    }
    for (size_t i = 0; i < n; i++) mean[i] /= (double)n;
    return GB_OK;
}

/* One entry of G = J A J from a = -d^2/2 (the same arithmetic on every path). */
static inline double centred(double a, double mean_i, double mean_j, double grand)
{
    return a - mean_i - mean_j + grand;
}

/* G = J A J = A - mean_i - mean_j + grand mean. Two passes over d (row sums, then G) so G is
 * written once; the second pass is row-parallel (default OpenMP team: every element is
 * computed by one thread with the same arithmetic, so G does not depend on the team size),
 * which also spreads the first touch of G's pages, the slowest part at cohort sizes. */
static int double_centre(const dist_src_t *s, size_t n, double *g)
{
    if (n < 2) return GB_E_USAGE;
    double *mean = malloc(n * sizeof *mean);
    if (!mean) return GB_E_NOMEM;
    int rc = gower_row_means(s, n, mean);
    if (rc) goto done;
    double grand = 0.0;
    for (size_t i = 0; i < n; i++) grand += mean[i];
    grand /= (double)n;
#pragma omp parallel for schedule(dynamic, 64) default(none) shared(s, n, g, mean, grand)
    for (size_t i = 0; i < n; i++) {
        double *grow = g + gower_row_offset(i);
        size_t row = dist_row(s, i);
        for (size_t j = 0; j < i; j++) {
            double v = dist_at(s, row + j);
            grow[j] = centred(-0.5 * v * v, mean[i], mean[j], grand);
        }
        grow[i] = centred(0.0, mean[i], mean[i], grand);
    }
done:
    free(mean);
    return rc;
}

int gower_full(const double *d, size_t n, double *g)
{
    dist_src_t s = {d, NULL, n};
    return double_centre(&s, n, g);
}

int gower_lower(const double *d, size_t n, double *g)
{
    dist_src_t s = {d, NULL, 0};
    return double_centre(&s, n, g);
}

int gower_lower_f32(const float *d, size_t n, double *g)
{
    dist_src_t s = {NULL, d, 0};
    return double_centre(&s, n, g);
}

int gower_square_rows(double *g, const rowblk_t *rb)
{
    int rc = GB_OK;
#pragma omp parallel for schedule(dynamic, 64) default(none) shared(g, rb) reduction(min : rc)
    for (size_t i = rb->r0; i < rb->r1; i++) {
        double *grow = g + rowblk_offset(rb, i);
        for (size_t j = 0; j < i; j++) {
            if (check_distance(grow[j])) rc = GB_E_FORMAT;
            grow[j] = -0.5 * grow[j] * grow[j];
        }
        grow[i] = 0.0;
    }
    return rc;
}

void gower_centre_rows(double *g, const rowblk_t *rb, const double *mean, double grand)
{
#pragma omp parallel for schedule(dynamic, 64) default(none) shared(g, rb, mean, grand)
    for (size_t i = rb->r0; i < rb->r1; i++) {
        double *grow = g + rowblk_offset(rb, i);
        for (size_t j = 0; j <= i; j++) grow[j] = centred(grow[j], mean[i], mean[j], grand);
    }
}

/* ---- Euclidean distances: products with the Gram matrix of the centred rows ------------- */

int gower_centre_data(const double *x, size_t n, size_t m, double *xc, double *xt)
{
    if (n < 2 || m < 1) return GB_E_USAGE;
    double *mean = calloc(m, sizeof *mean);
    if (!mean) return GB_E_NOMEM;
    for (size_t i = 0; i < n; i++) /* samples in order: the same on every rank */
        for (size_t k = 0; k < m; k++) mean[k] += x[i * m + k];
    for (size_t k = 0; k < m; k++) mean[k] /= (double)n;
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < m; k++) xt[k * n + i] = xc[i * m + k] = x[i * m + k] - mean[k];
    free(mean);
    return GB_OK;
}

void gower_gram_times(const double *xc, const double *xt, size_t n, size_t m, const double *x, size_t b, double *v,
                      int nthreads, double *y)
{
    int nt = nthreads > 0 ? nthreads : omp_get_max_threads();
#pragma omp parallel num_threads(nt) default(none) shared(xc, xt, n, m, x, b, v, y)
    {
#pragma omp for schedule(static)
        for (size_t k = 0; k < m; k++) { /* v = Xc' x: row k summed over the samples in order */
            double *vk = v + k * b;
            for (size_t c = 0; c < b; c++) vk[c] = 0.0;
            for (size_t i = 0; i < n; i++)
                for (size_t c = 0; c < b; c++) vk[c] += xt[k * n + i] * x[i * b + c];
        }
#pragma omp for schedule(static)
        for (size_t i = 0; i < n; i++) { /* y = Xc v: row i summed over the features in order */
            double *yi = y + i * b;
            for (size_t c = 0; c < b; c++) yi[c] = 0.0;
            for (size_t k = 0; k < m; k++)
                for (size_t c = 0; c < b; c++) yi[c] += xc[i * m + k] * v[k * b + c];
        }
    }
}
