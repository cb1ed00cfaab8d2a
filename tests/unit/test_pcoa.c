/* Unit tests for kernels/pcoa.c: pcoa_top against R 4.2.2 stats::cmdscale (docs/STATS.md S6)
 * on vegan's dune data (D = vegdist(dune / rowSums(dune), "bray"), cmdscale(D, k, eig = TRUE))
 * and against LAPACK's dsyev on random symmetric matrices (indefinite, clustered, repeated
 * eigenvalues, tiny n), plus its documented accuracy, determinism and error returns.
 * Eigenvector signs are arbitrary in R, so coordinates are compared per axis up to one sign
 * flip, and gutbrain's own sign rule is checked separately. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "test_util.h"
#include <cmocka.h>
#include <lapacke.h>
#include <omp.h>
#include "pcoa.h"
#include "gower.h"
#include "gb_status.h"
#include "fixture_dune.h"

/* cmdscale(D, k = 5, eig = TRUE)$eig; the 14th is the ~0 of the centring (rounding noise) */
/* clang-format off */
static const double eig_r[20] = {
    1.6760377667616440e+00,  1.0596760672503864e+00,  4.5427266763967655e-01,
    3.4721277936190642e-01,  2.9877648447142202e-01,  2.4247877400451393e-01,
    1.6753574188953116e-01,  1.1141421028790624e-01,  8.7471250276602741e-02,
    6.9394523767996930e-02,  4.5060029809226465e-02,  3.9284699874672632e-02,
    9.6824928841399427e-03,  2.2204460492503131e-16, -9.4481708490099098e-03,
    -1.5142745921003266e-02, -2.4989302247227958e-02, -5.0149017360934051e-02,
    -6.3144499823867967e-02, -7.4012464416056606e-02 };
/* clang-format on */
/* cmdscale(D, k = 5)[1:3, ] */
/* clang-format off */
static const double points_r[3][5] = {
    { -0.321193988923282880, -0.25599696156594831, 0.288072755071610842, 0.018222776897275965, 0.268530785130233540 },
    { -0.281557530757268470, -0.15722534500665639, 0.077137631314563526, -0.078292493221870638, 0.030892994016773756 },
    { -0.084545386499311481, -0.30078362556140681, -0.015710846962568321, 0.063171264092856921, 0.047567452136382860 } };
/* clang-format on */

#define check_r(got, want, tol) test_expect_close(got, want, tol, "against R")

/* Gower matrix of the Bray-Curtis distances of dune's relative abundances. */
static double *dune_gower(void)
{
    enum { N = DUNE_SITES };
    double d[N * N], *g = malloc(gower_packed_size(N) * sizeof *g);
    assert_non_null(g);
    test_bray_curtis(DUNE, N, DUNE_SPECIES_N, 1, d);
    assert_int_equal(gower_full(d, N, g), 0);
    return g;
}

/* ---------- operators ---------- */

/* A full n x n row-major symmetric matrix as a pcoa_op_fn; counts calls, fails with
 * `fail_code` at call `fail_at` (0: never), and from call `shift_after` + 1 on (0: never)
 * multiplies by A + shift I instead: products stored before then are stale. */
typedef struct {
    const double *a;
    size_t n, calls, fail_at;
    int fail_code;
    size_t shift_after;
    double shift;
} dense_t;

static int dense_op(void *ctx, const double *x, size_t b, double *y)
{
    dense_t *d = ctx;
    if (++d->calls == d->fail_at) return d->fail_code;
    double shift = d->shift_after && d->calls > d->shift_after ? d->shift : 0;
    for (size_t i = 0; i < d->n; i++)
        for (size_t c = 0; c < b; c++) {
            double sum = 0;
            for (size_t j = 0; j < d->n; j++) sum += d->a[i * d->n + j] * x[j * b + c];
            y[i * b + c] = sum + shift * x[i * b + c];
        }
    return GB_OK;
}

/* ||A v_j - eig_j v_j|| / max|eig| over the k pairs, recomputed here, and the largest
 * |v_i'v_j - delta_ij|. */
static void check_pairs(const double *a, size_t n, size_t k, const double *eig, const double *vec, double scale,
                        double *resid, double *orth)
{
    *resid = *orth = 0;
    for (size_t j = 0; j < k; j++) {
        double r2 = 0;
        for (size_t i = 0; i < n; i++) {
            double av = 0;
            for (size_t l = 0; l < n; l++) av += a[i * n + l] * vec[l * k + j];
            r2 += (av - eig[j] * vec[i * k + j]) * (av - eig[j] * vec[i * k + j]);
        }
        *resid = fmax(*resid, sqrt(r2) / scale);
        for (size_t t = 0; t <= j; t++) {
            double dot = 0;
            for (size_t i = 0; i < n; i++) dot += vec[i * k + j] * vec[i * k + t];
            *orth = fmax(*orth, fabs(dot - (t == j)));
        }
    }
}

/* Every eigenvalue of a (n x n, symmetric) by LAPACK, decreasing, and the eigenvectors
 * (column j of vec, n x n row-major, for eigenvalue j). */
static void lapack_all(const double *a, size_t n, double *val, double *vec)
{
    double *w = malloc(n * n * sizeof *w), *asc = malloc(n * sizeof *asc);
    assert_true(w && asc);
    memcpy(w, a, n * n * sizeof *w);
    assert_int_equal(LAPACKE_dsyev(LAPACK_ROW_MAJOR, 'V', 'U', (lapack_int)n, w, (lapack_int)n, asc), 0);
    for (size_t j = 0; j < n; j++) {
        val[j] = asc[n - 1 - j];
        for (size_t i = 0; i < n; i++) vec[i * n + j] = w[i * n + n - 1 - j];
    }
    free(w);
    free(asc);
}

/* A = Q diag(d) Q' with Q the eigenvectors of a random symmetric matrix (orthogonal). */
static double *with_spectrum(const double *d, size_t n, test_rng_t *rng)
{
    double *r = malloc(n * n * sizeof *r), *q = malloc(n * n * sizeof *q), *val = malloc(n * sizeof *val);
    double *a = calloc(n * n, sizeof *a);
    assert_true(r && q && val && a);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j <= i; j++) r[i * n + j] = r[j * n + i] = test_rng_uniform(rng) - 0.5;
    lapack_all(r, n, val, q);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++)
            for (size_t l = 0; l < n; l++) a[i * n + j] += q[i * n + l] * d[l] * q[j * n + l];
    for (size_t i = 0; i < n; i++) /* exactly symmetric */
        for (size_t j = 0; j < i; j++) a[j * n + i] = a[i * n + j];
    free(r);
    free(q);
    free(val);
    return a;
}

/* pcoa_top on a against LAPACK: eigenvalues to tol relative to max|lambda|, the residual it
 * reports and the one recomputed here <= PCOA_TOL, orthonormal vectors, the sign rule, and
 * eigenvectors of eigenvalues isolated by more than gap (relative) equal to LAPACK's up to sign. */
static void against_lapack(const double *a, size_t n, size_t k, double tol, double gap)
{
    double *val = malloc(n * sizeof *val), *ref = malloc(n * n * sizeof *ref);
    double *eig = malloc(k * sizeof *eig), *vec = malloc(n * k * sizeof *vec);
    assert_true(val && ref && eig && vec);
    lapack_all(a, n, val, ref);
    double scale = fmax(fabs(val[0]), fabs(val[n - 1]));
    dense_t op = {a, n, 0, 0, 0, 0, 0};
    pcoa_top_info_t info;
    assert_int_equal(pcoa_top(n, k, dense_op, &op, 7, eig, vec, &info), GB_OK);
    assert_true(info.residual <= PCOA_TOL);
    assert_true(info.products >= k && info.scale > 0);
    for (size_t j = 0; j < k; j++)
        if (!(fabs(eig[j] - val[j]) <= tol * scale))
            fail_msg("n %zu k %zu: eigenvalue %zu = %.17g, LAPACK %.17g", n, k, j, eig[j], val[j]);
    double resid, orth;
    check_pairs(a, n, k, eig, vec, scale, &resid, &orth);
    if (!(resid <= PCOA_TOL && orth <= 1e-12))
        fail_msg("n %zu k %zu: residual %.3g, orthogonality %.3g", n, k, resid, orth);
    /* the reported residual is the one of the returned pairs (up to rounding and the scale) */
    double mine = resid * scale / info.scale;
    if (!(fabs(info.residual - mine) <= 0.1 * mine + 1e-15))
        fail_msg("n %zu k %zu: reported residual %.3g, recomputed %.3g", n, k, info.residual, mine);
    for (size_t j = 0; j < k; j++) {
        size_t best = 0;
        for (size_t i = 1; i < n; i++)
            if (fabs(vec[i * k + j]) > fabs(vec[best * k + j])) best = i;
        assert_true(vec[best * k + j] > 0);
        int isolated =
            (j == 0 || val[j - 1] - val[j] > gap * scale) && (j + 1 == n || val[j] - val[j + 1] > gap * scale);
        double dot = 0;
        for (size_t i = 0; isolated && i < n; i++) dot += vec[i * k + j] * ref[i * n + j];
        if (isolated && !(fabs(fabs(dot) - 1) < 1e-10))
            fail_msg("n %zu k %zu: eigenvector %zu: |v'u| = %.17g", n, k, j, dot);
    }
    free(val);
    free(ref);
    free(eig);
    free(vec);
}

/* ---------- R's cmdscale on dune ---------- */

static void test_dune_eigenvalues(void **state)
{
    (void)state;
    double *g = dune_gower(), eig[20], vec[20 * 20];
    pcoa_packed_t op = {g, 20};
    const size_t ks[] = {1, 2, 5, 13, 14, 16, 20};
    for (size_t t = 0; t < sizeof ks / sizeof *ks; t++) {
        size_t k = ks[t];
        pcoa_top_info_t info;
        assert_int_equal(pcoa_top(20, k, pcoa_packed_op, &op, 1, eig, vec, &info), GB_OK);
        assert_true(info.residual <= PCOA_TOL);
        for (size_t e = 0; e < k; e++) {
            if (e == 13) { /* the exact 0 of the centring, eigenvector 1/sqrt(20) (not centred away) */
                assert_true(fabs(eig[e]) < 1e-14);
                for (size_t i = 0; i < 20; i++) check_r(vec[i * k + e], 1 / sqrt(20), 1e-10);
            } else check_r(eig[e], eig_r[e], 1e-10);
        }
    }
    /* k = n: every eigenvalue; their sum is tr(G) = adonis2's total SS */
    double sum = 0;
    for (int e = 0; e < 20; e++) sum += eig[e];
    check_r(sum, 4.37141128766152676, 1e-12);
    free(g);
}

static void test_coordinates(void **state)
{
    (void)state;
    double *g = dune_gower(), eig[20], coord[20 * 5];
    assert_int_equal(pcoa(g, 20, 5, eig, coord), 0);
    for (int e = 5; e < 20; e++) assert_true(isnan(eig[e])); /* the wrapper: only k eigenvalues */
    for (int a = 0; a < 5; a++) {
        check_r(eig[a], eig_r[a], 1e-10);
        double flip = coord[a] * points_r[0][a] < 0 ? -1 : 1; /* one sign per axis */
        for (int i = 0; i < 3; i++) check_r(flip * coord[i * 5 + a], points_r[i][a], 1e-9);
        /* gutbrain's rule: the largest-magnitude coordinate of an axis is positive */
        int best = 0;
        for (int i = 1; i < 20; i++)
            if (fabs(coord[i * 5 + a]) > fabs(coord[best * 5 + a])) best = i;
        assert_true(coord[best * 5 + a] > 0);
        /* an axis is an eigenvector scaled to length sqrt(lambda) */
        double len = 0;
        for (int i = 0; i < 20; i++) len += coord[i * 5 + a] * coord[i * 5 + a];
        check_r(len, eig_r[a], 1e-10);
    }
    /* the first two axes do not depend on how many are asked for (to the solver's accuracy) */
    double two[20 * 2], eig2[20];
    assert_int_equal(pcoa(g, 20, 2, eig2, two), 0);
    for (int i = 0; i < 20; i++)
        for (int a = 0; a < 2; a++) assert_true(fabs(two[i * 2 + a] - coord[i * 5 + a]) < 1e-10);
    /* k = 0: nothing computed */
    assert_int_equal(pcoa(g, 20, 0, eig2, NULL), 0);
    for (int e = 0; e < 20; e++) assert_true(isnan(eig2[e]));
    free(g);
}

/* 13 eigenvalues are clearly > 0, the 14th is rounding noise (R: +2.2e-16) and the 15th and
 * 16th are negative: those axes are not coordinates (cmdscale drops them). */
static void test_nonpositive_axes(void **state)
{
    (void)state;
    double *g = dune_gower(), eig[20], coord[20 * 16];
    assert_int_equal(pcoa(g, 20, 16, eig, coord), 0);
    for (int i = 0; i < 20; i++) {
        for (int a = 0; a < 13; a++) assert_true(isfinite(coord[i * 16 + a]));
        assert_true(isnan(coord[i * 16 + 14]) && isnan(coord[i * 16 + 15]));
    }
    assert_int_equal(pcoa(g, 20, 21, eig, coord), GB_E_USAGE);
    assert_int_equal(pcoa(g, 1, 1, eig, coord), GB_E_USAGE);
    free(g);
}

/* ---------- against LAPACK ---------- */

/* Random symmetric (indefinite, Wigner-like) matrices, several k including k = n. */
static void test_random_indefinite(void **state)
{
    (void)state;
    test_rng_t rng = {test_seed("random_indefinite")};
    const size_t ns[] = {20, 60, 150}, ks[] = {1, 3, 10, 40};
    for (size_t t = 0; t < 3; t++) {
        size_t n = ns[t];
        double *a = malloc(n * n * sizeof *a);
        assert_non_null(a);
        for (size_t i = 0; i < n; i++)
            for (size_t j = 0; j <= i; j++) a[i * n + j] = a[j * n + i] = test_rng_uniform(&rng) - 0.5;
        for (size_t u = 0; u < 4 && ks[u] <= n; u++) against_lapack(a, n, ks[u], 1e-12, 1e-3);
        against_lapack(a, n, n, 1e-12, 1e-3);
        free(a);
    }
}

/* Top eigenvalues 1e-6 apart, then a triple eigenvalue straddling k, then a Gower-like
 * spectrum: one dominant, an exact 0 and many small negative ones. */
static void test_clustered_repeated(void **state)
{
    (void)state;
    test_rng_t rng = {test_seed("clustered_repeated")};
    enum { N = 120 };
    double d[N];
    for (size_t i = 0; i < N; i++) d[i] = 2 * test_rng_uniform(&rng) - 1;
    for (size_t i = 0; i < 6; i++) d[i] = 10 + 1e-6 * (double)i; /* clustered top */
    double *a = with_spectrum(d, N, &rng);
    against_lapack(a, N, 4, 1e-12, 1e-3);
    against_lapack(a, N, 6, 1e-12, 1e-3);
    free(a);
    for (size_t i = 0; i < N; i++) d[i] = 2 * test_rng_uniform(&rng) - 1;
    d[0] = 8, d[1] = d[2] = d[3] = 5; /* a triple eigenvalue, k = 3 cuts through it */
    a = with_spectrum(d, N, &rng);
    against_lapack(a, N, 3, 1e-12, 1e-3);
    against_lapack(a, N, 5, 1e-12, 1e-3);
    /* exactly repeated: diagonal, so rounding does not split the triple eigenvalue */
    memset(a, 0, N * N * sizeof *a);
    for (size_t i = 0; i < N; i++) a[i * N + i] = d[(i * 7) % N];
    against_lapack(a, N, 4, 1e-12, 1e-3);
    free(a);
    for (size_t i = 0; i < N; i++) d[i] = -0.05 * test_rng_uniform(&rng);
    d[0] = 3, d[1] = 1.2, d[2] = 1.1, d[3] = 0; /* the rest negative: k = 5 reaches past 0 */
    a = with_spectrum(d, N, &rng);
    against_lapack(a, N, 5, 1e-12, 1e-3);
    free(a);
}

/* n = 2 and 3, every k: the Krylov space is all of R^n at once. */
static void test_tiny(void **state)
{
    (void)state;
    test_rng_t rng = {test_seed("tiny")};
    for (size_t n = 2; n <= 3; n++)
        for (int rep = 0; rep < 5; rep++) {
            double a[9];
            for (size_t i = 0; i < n; i++)
                for (size_t j = 0; j <= i; j++) a[i * n + j] = a[j * n + i] = test_rng_uniform(&rng) - 0.5;
            for (size_t k = 1; k <= n; k++) against_lapack(a, n, k, 1e-14, 1e-6);
        }
    /* a Gower matrix of 2 samples: eigenvalues d^2/2 and the exact 0 */
    double g[3], eig[2], vec[4];
    assert_int_equal(gower_full((double[]){0, 0, 0.8, 0}, 2, g), 0);
    pcoa_packed_t op = {g, 2};
    assert_int_equal(pcoa_top(2, 2, pcoa_packed_op, &op, 1, eig, vec, NULL), GB_OK);
    check_r(eig[0], 0.32, 1e-14);
    assert_true(fabs(eig[1]) < 1e-16);
    /* identical samples: G = 0, every eigenvalue 0 (a scale of 0 must not stop convergence) */
    double z[5 * 5] = {0}, g5[15], eig5[3], vec5[5 * 3];
    assert_int_equal(gower_full(z, 5, g5), 0);
    pcoa_packed_t op5 = {g5, 5};
    pcoa_top_info_t info;
    assert_int_equal(pcoa_top(5, 3, pcoa_packed_op, &op5, 1, eig5, vec5, &info), GB_OK);
    assert_true(eig5[0] == 0 && eig5[2] == 0 && info.scale == 1 && info.residual == 0);
}

/* ---------- determinism, errors ---------- */

/* Bitwise the same result on 1 and 2 threads, on a matrix large enough for several row chunks
 * and product tiles. */
static void test_threads(void **state)
{
    (void)state;
    enum { N = 1500, P = 40, K = 6 };
    test_rng_t rng = {test_seed("threads")};
    double *x = malloc(N * P * sizeof *x), *d = malloc(N * (N - 1) / 2 * sizeof *d);
    double *g = malloc(gower_packed_size(N) * sizeof *g);
    double eig[2][K], *vec[2] = {malloc(N * K * sizeof(double)), malloc(N * K * sizeof(double))};
    assert_true(x && d && g && vec[0] && vec[1]);
    for (size_t i = 0; i < N * P; i++) x[i] = test_rng_uniform(&rng) < 0.4 ? 0 : exp(3 * test_rng_uniform(&rng));
    for (size_t i = 0; i < N; i++) x[i * P] += 1; /* no empty sample */
    for (size_t i = 1; i < N; i++)
        for (size_t j = 0; j < i; j++) {
            double num = 0, den = 0;
            for (size_t f = 0; f < P; f++) num += fabs(x[i * P + f] - x[j * P + f]), den += x[i * P + f] + x[j * P + f];
            d[i * (i - 1) / 2 + j] = num / den;
        }
    assert_int_equal(gower_lower(d, N, g), 0);
    pcoa_packed_t op = {g, N};
    int saved = omp_get_max_threads();
    pcoa_top_info_t info[2];
    for (int t = 0; t < 2; t++) {
        omp_set_num_threads(t + 1);
        assert_int_equal(pcoa_top(N, K, pcoa_packed_op, &op, 3, eig[t], vec[t], &info[t]), GB_OK);
    }
    omp_set_num_threads(saved);
    assert_memory_equal(eig[0], eig[1], sizeof eig[0]);
    assert_memory_equal(vec[0], vec[1], N * K * sizeof(double));
    assert_true(info[0].residual <= PCOA_TOL && info[0].products == info[1].products);
    printf("threads: n %d k %d: %zu columns, %zu restarts, residual %.3g\n", N, K, info[0].products, info[0].restarts,
           info[0].residual);
    free(x);
    free(d);
    free(g);
    free(vec[0]);
    free(vec[1]);
}

static void test_errors(void **state)
{
    (void)state;
    enum { N = 50 };
    test_rng_t rng = {test_seed("errors")};
    double a[N * N], eig[N], vec[N * N];
    for (size_t i = 0; i < N; i++)
        for (size_t j = 0; j <= i; j++) a[i * N + j] = a[j * N + i] = test_rng_uniform(&rng) - 0.5;
    /* the operator's own code comes back unchanged, at the first call or a later one */
    for (size_t at = 1; at <= 3; at++) {
        dense_t op = {a, N, 0, at, GB_E_IO, 0, 0};
        assert_int_equal(pcoa_top(N, 4, dense_op, &op, 1, eig, vec, NULL), GB_E_IO);
        assert_int_equal(op.calls, at);
    }
    dense_t op = {a, N, 0, 0, 0, 0, 0};
    assert_int_equal(pcoa_top(N, 0, dense_op, &op, 1, eig, vec, NULL), GB_E_USAGE);
    assert_int_equal(pcoa_top(N, N + 1, dense_op, &op, 1, eig, vec, NULL), GB_E_USAGE);
    assert_int_equal(pcoa_top(1, 1, dense_op, &op, 1, eig, vec, NULL), GB_E_USAGE);
    assert_int_equal(op.calls, 0);
    /* an operator giving NaN, with n small enough for the basis to fill R^n at once */
    double nan3[9] = {1, 0, 0, 0, NAN, 0, 0, 0, 1}, eig3[2], vec3[6];
    dense_t op3 = {nan3, 3, 0, 0, 0, 0, 0};
    assert_int_equal(pcoa_top(3, 2, dense_op, &op3, 1, eig3, vec3, NULL), GB_E_INTERNAL);
    /* a non-symmetric "operator" has no orthonormal eigenbasis: never reported as converged */
    a[0 * N + 1] += 0.3;
    op.calls = 0;
    assert_int_equal(pcoa_top(N, 2, dense_op, &op, 1, eig, vec, NULL), GB_E_INTERNAL);
    assert_int_equal(op.calls, PCOA_MAX_CALLS);
}

/* The final explicit check must catch products that no longer match the stored ones: a first
 * run finds which call is the final check, a second one multiplies by A + 1e-6 I from that call
 * on. The in-basis iteration converges as before, the check must fail, and the iteration,
 * refreshed from that product, must converge to the pairs of A + 1e-6 I. */
static void test_final_check(void **state)
{
    (void)state;
    enum { N = 60, K = 3 };
    test_rng_t rng = {test_seed("final_check")};
    double a[N * N], a2[N * N], val[N], ref[N * N], eig[K], vec[N * K], resid, orth;
    for (size_t i = 0; i < N; i++)
        for (size_t j = 0; j <= i; j++) a[i * N + j] = a[j * N + i] = test_rng_uniform(&rng) - 0.5;
    dense_t op = {a, N, 0, 0, 0, 0, 0};
    pcoa_top_info_t info;
    assert_int_equal(pcoa_top(N, K, dense_op, &op, 1, eig, vec, &info), GB_OK);
    size_t clean_calls = op.calls;
    memcpy(a2, a, sizeof a);
    for (size_t i = 0; i < N; i++) a2[i * N + i] += 1e-6;
    lapack_all(a2, N, val, ref);
    op = (dense_t){a, N, 0, 0, 0, clean_calls - 1, 1e-6};
    assert_int_equal(pcoa_top(N, K, dense_op, &op, 1, eig, vec, &info), GB_OK);
    assert_true(op.calls > clean_calls);
    double scale = fmax(fabs(val[0]), fabs(val[N - 1]));
    check_pairs(a2, N, K, eig, vec, scale, &resid, &orth);
    assert_true(resid <= PCOA_TOL && info.residual <= PCOA_TOL && orth <= 1e-12);
    for (size_t j = 0; j < K; j++) assert_true(fabs(eig[j] - val[j]) <= 1e-12 * scale);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dune_eigenvalues),
        cmocka_unit_test(test_coordinates),
        cmocka_unit_test(test_nonpositive_axes),
        cmocka_unit_test(test_random_indefinite),
        cmocka_unit_test(test_clustered_repeated),
        cmocka_unit_test(test_tiny),
        cmocka_unit_test(test_threads),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_final_check),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    fprintf(stderr, "largest relative error against R: %.3g\n", test_max_rel_err);
    (void)DUNE_SPECIES;
    (void)DUNE_A1;
    (void)DUNE_MOIST;
    (void)DUNE_MANAGEMENT;
    return failed;
}
