/* pcoa_top (kernels/pcoa.c) on real-size Gower matrices: how many callback passes and
 * columns the top-k eigensolver needs, how long it takes with a plain OpenMP dense product
 * (pcoa_packed_op), and how far its eigenvalues are from LAPACK's.
 *
 * Data per size: n samples x f features of zero-inflated log-normal counts driven by three
 * latent gradients of decreasing strength (so the leading eigenvalues stand out as in real
 * cohorts, then a bulk of close ones), relative abundances, Bray-Curtis (kernels/diversity.c),
 * the Gower matrix (kernels/gower.c, packed lower). For each k: pcoa_top with a callback that
 * counts its calls. For n <= lapack_max, LAPACK's dsyevr (range 'I', eigenvalues only, the top
 * max(k) of the full matrix) gives the reference: lapack_diff = max_i |lambda_i - ref_i| /
 * ref_1, and lapack_s its wall time (OpenBLAS threads as OPENBLAS_NUM_THREADS says).
 *
 * usage: pcoa_top [-n N[,N...]] [-k K[,K...]] [-f features] [-s seed] [-l lapack_max] */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <lapacke.h>
#include "diversity.h"
#include "gower.h"
#include "pcoa.h"
#include "simrng.h"
#include "transform.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* The Gower matrix (packed lower) of the Bray-Curtis distances of a simulated cohort. */
static double *cohort_gower(size_t n, size_t f, uint64_t seed)
{
    double *count = malloc(n * f * sizeof *count), *rel = malloc(n * f * sizeof *rel);
    double *d = malloc(n * (n - 1) / 2 * sizeof *d), *g = malloc(gower_packed_size(n) * sizeof *g);
    double *load = malloc(3 * f * sizeof *load);
    simrng_t r;
    simrng_seed(&r, seed, 0);
    int ok = count && rel && d && g && load;
    for (size_t i = 0; ok && i < 3 * f; i++) load[i] = simrng_normal(&r);
    for (size_t i = 0; ok && i < n; i++) {
        double z[3] = {1.5 * simrng_normal(&r), 0.8 * simrng_normal(&r), 0.4 * simrng_normal(&r)};
        for (size_t k = 0; k < f; k++) {
            double mu = 3 - 4.0 * (double)k / (double)f + z[0] * load[k] + z[1] * load[f + k] + z[2] * load[2 * f + k];
            count[i * f + k] = simrng_uniform(&r) < 0.4 ? 0 : floor(exp(mu + simrng_normal(&r)));
        }
        count[i * f] += 1; /* no empty sample */
    }
    diversity_dist_t out = {DIVERSITY_LOWER, d, NULL};
    if (ok) transform_tss(count, n, f, rel);
    ok = ok && !diversity_bray_curtis(rel, n, f, 0, &out) && !gower_lower(d, n, g);
    free(count);
    free(rel);
    free(d);
    free(load);
    if (!ok) free(g);
    return ok ? g : NULL;
}

/* The top k eigenvalues (decreasing) by LAPACK dsyevr on the full matrix; wall time in *secs. */
static int lapack_top(const double *g, size_t n, size_t k, double *ref, double *secs)
{
    double t0 = now(), *a = malloc(n * n * sizeof *a), *w = malloc(n * sizeof *w);
    lapack_int found = 0, *isuppz = malloc(2 * n * sizeof *isuppz);
    int rc = !a || !w || !isuppz;
    for (size_t i = 0; !rc && i < n; i++)
        for (size_t j = 0; j <= i; j++) a[j * n + i] = g[gower_row_offset(i) + j];
    if (!rc)
        rc = LAPACKE_dsyevr(LAPACK_COL_MAJOR, 'N', 'I', 'L', (lapack_int)n, a, (lapack_int)n, 0, 0,
                            (lapack_int)(n - k + 1), (lapack_int)n, 0, &found, w, NULL, 1, isuppz);
    for (size_t i = 0; !rc && i < k; i++) ref[i] = w[k - 1 - i];
    free(a);
    free(w);
    free(isuppz);
    *secs = now() - t0;
    return rc;
}

typedef struct {
    pcoa_packed_t dense;
    size_t calls;
} counted_t;

static int counted_op(void *ctx, const double *x, size_t b, double *y)
{
    counted_t *c = ctx;
    c->calls++;
    return pcoa_packed_op(&c->dense, x, b, y);
}

static size_t parse_list(char *s, size_t *out, size_t cap)
{
    size_t m = 0;
    for (char *tok = strtok(s, ","); tok && m < cap; tok = strtok(NULL, ",")) out[m++] = strtoull(tok, NULL, 10);
    return m;
}

int main(int argc, char **argv)
{
    char nlist[256] = "2000,4000", klist[256] = "2,10,50";
    size_t f = 500, lapack_max = 4000, ns[16], ks[16];
    uint64_t seed = 42;
    for (int a = 1; a + 1 < argc; a += 2) {
        const char *v = argv[a + 1];
        if (!strcmp(argv[a], "-n")) snprintf(nlist, sizeof nlist, "%s", v);
        else if (!strcmp(argv[a], "-k")) snprintf(klist, sizeof klist, "%s", v);
        else if (!strcmp(argv[a], "-f")) f = strtoull(v, NULL, 10);
        else if (!strcmp(argv[a], "-s")) seed = strtoull(v, NULL, 10);
        else if (!strcmp(argv[a], "-l")) lapack_max = strtoull(v, NULL, 10);
        else {
            fprintf(stderr, "unknown option %s\n", argv[a]);
            return 1;
        }
    }
    size_t nn = parse_list(nlist, ns, 16), nk = parse_list(klist, ks, 16), kmax = 0;
    for (size_t t = 0; t < nk; t++) kmax = ks[t] > kmax ? ks[t] : kmax;
    printf("# pcoa_top: %zu features, seed %llu, tol %g; calls = callback passes, products = columns\n", f,
           (unsigned long long)seed, PCOA_TOL);
    printf("%6s %4s %6s %9s %8s %10s %9s %12s %9s\n", "n", "k", "calls", "products", "restarts", "residual", "seconds",
           "lapack_diff", "lapack_s");
    for (size_t t = 0; t < nn; t++) {
        size_t n = ns[t];
        double *g = cohort_gower(n, f, seed), *ref = malloc(kmax * sizeof *ref), lapack_s = NAN;
        double *eig = malloc(kmax * sizeof *eig), *vec = malloc(n * kmax * sizeof *vec);
        if (!g || !ref || !eig || !vec || kmax > n) {
            fprintf(stderr, "pcoa_top: out of memory or k > n at n = %zu\n", n);
            return 1;
        }
        int have_ref = n <= lapack_max && !lapack_top(g, n, kmax, ref, &lapack_s);
        for (size_t u = 0; u < nk; u++) {
            size_t k = ks[u];
            counted_t op = {{g, n}, 0};
            pcoa_top_info_t info;
            double t0 = now();
            int rc = pcoa_top(n, k, counted_op, &op, 1, eig, vec, &info);
            double secs = now() - t0, diff = NAN;
            if (rc) {
                fprintf(stderr, "pcoa_top failed at n = %zu, k = %zu: %d\n", n, k, rc);
                return 1;
            }
            if (have_ref) {
                diff = 0;
                for (size_t i = 0; i < k; i++) diff = fmax(diff, fabs(eig[i] - ref[i]) / ref[0]);
            }
            printf("%6zu %4zu %6zu %9zu %8zu %10.3g %9.3f %12.3g %9.2f\n", n, k, op.calls, info.products, info.restarts,
                   info.residual, secs, diff, u == 0 ? lapack_s : NAN);
            fflush(stdout);
        }
        free(g);
        free(ref);
        free(eig);
        free(vec);
    }
    return 0;
}
