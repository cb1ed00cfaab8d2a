/* Unit tests for kernels/rsum.c (reproducible sums), kernels/rowblk.c (row blocks and their
 * symmetric product), the row-block Gower steps of kernels/gower.c and the DIVERSITY_ROWS
 * layout of kernels/diversity.c: the pieces that make 'gutbrain stats' bitwise the same for
 * any number of MPI ranks. A split into parts is emulated in one process by adding the parts'
 * accumulators, which is what MPI_Allreduce(MPI_SUM) does across ranks. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "test_util.h"
#include <cmocka.h>
#include "diversity.h"
#include "gower.h"
#include "rowblk.h"
#include "rsum.h"

/* ---- rsum ------------------------------------------------------------------------------------ */

/* Terms of very different magnitudes and signs, so a plain sum depends on the order. */
static void hard_terms(double *x, size_t n, uint64_t seed)
{
    test_rng_t rng = {seed};
    for (size_t i = 0; i < n; i++) {
        double e = floor(test_rng_uniform(&rng) * 40.0) - 20.0;
        x[i] = (test_rng_uniform(&rng) - 0.5) * ldexp(1.0, (int)e);
    }
}

static void test_rsum_order_and_split(void **state)
{
    (void)state;
    enum { N = 5000 };
    double x[N], bound = 0.0;
    hard_terms(x, N, test_seed("rsum"));
    for (size_t i = 0; i < N; i++) bound = fmax(bound, fabs(x[i]));
    rsum_scale_t s;
    rsum_scale_init(&s, bound, N);
    double fwd[RSUM_LEVELS] = {0}, back[RSUM_LEVELS] = {0}, part[3][RSUM_LEVELS] = {{0}};
    double plain_fwd = 0.0, plain_back = 0.0;
    for (size_t i = 0; i < N; i++) rsum_add(&s, fwd, x[i]), plain_fwd += x[i];
    for (size_t i = N; i-- > 0;) rsum_add(&s, back, x[i]), plain_back += x[i];
    for (size_t i = 0; i < N; i++) rsum_add(&s, part[i % 3], x[i]); /* three "ranks" */
    for (int l = 0; l < RSUM_LEVELS; l++) part[2][l] += part[0][l] + part[1][l];
    double a = rsum_value(fwd), b = rsum_value(back), c = rsum_value(part[2]);
    assert_memory_equal(&a, &b, sizeof a);
    assert_memory_equal(&a, &c, sizeof a);
    /* the plain sums do differ with the order here, so the test has teeth */
    assert_true(plain_fwd != plain_back);
    long double exact = 0.0L;
    for (size_t i = 0; i < N; i++) exact += x[i];
    assert_true(fabs(a - (double)exact) <= 1e-15 * bound);
}

static void test_rsum_edges(void **state)
{
    (void)state;
    rsum_scale_t s;
    double acc[RSUM_LEVELS] = {0};
    rsum_scale_init(&s, 0.0, 1); /* all-zero sums are allowed */
    rsum_add(&s, acc, 0.0);
    assert_true(rsum_value(acc) == 0.0);
    rsum_scale_init(&s, 1e300, 10);
    memset(acc, 0, sizeof acc);
    rsum_add(&s, acc, 1e300);
    rsum_add(&s, acc, -1e300);
    rsum_add(&s, acc, 3.0e299);
    test_expect_close(rsum_value(acc), 3.0e299, 1e-15, "huge terms");
    rsum_scale_init(&s, 1e-200, 4);
    memset(acc, 0, sizeof acc);
    rsum_add(&s, acc, 1e-200);
    rsum_add(&s, acc, 2.5e-201);
    test_expect_close(rsum_value(acc), 1.25e-200, 1e-14, "tiny terms");
}

/* ---- rowblk ---------------------------------------------------------------------------------- */

static void test_split(void **state)
{
    (void)state;
    const size_t ns[] = {1, 47, 48, 200, 1000, 20011};
    for (size_t a = 0; a < sizeof ns / sizeof ns[0]; a++)
        for (size_t parts = 1; parts <= 7; parts++) {
            size_t n = ns[a], next = 0, biggest = 0;
            for (size_t p = 0; p < parts; p++) {
                rowblk_t rb;
                rowblk_split(n, p, parts, &rb);
                assert_int_equal(rb.n, n);
                assert_int_equal(rb.r0, next);
                assert_true(rb.r1 >= rb.r0);
                assert_true(rb.r0 % ROWBLK_TILE == 0 || rb.r0 == n);
                next = rb.r1;
                biggest = rowblk_size(&rb) > biggest ? rowblk_size(&rb) : biggest;
            }
            assert_int_equal(next, n);
            /* balance: no part above its share by more than one tile of full rows */
            assert_true(biggest <= n * (n + 1) / 2 / parts + ROWBLK_TILE * n);
        }
}

/* A random symmetric matrix, packed lower (whole), and x (n x b). */
static double *random_packed(size_t n, uint64_t seed)
{
    double *g = malloc(n * (n + 1) / 2 * sizeof *g);
    assert_non_null(g);
    test_rng_t rng = {seed};
    for (size_t k = 0; k < n * (n + 1) / 2; k++) g[k] = test_rng_uniform(&rng) * 2.0 - 1.0;
    return g;
}

/* Y = A X through `parts` row blocks and `threads` threads, the parts' accumulators added. */
static void split_product(const double *whole, size_t n, const double *x, size_t b, size_t parts, int threads,
                          double *y)
{
    double maxg = 0.0, maxx = 0.0;
    for (size_t k = 0; k < n * (n + 1) / 2; k++) maxg = fmax(maxg, fabs(whole[k]));
    for (size_t k = 0; k < n * b; k++) maxx = fmax(maxx, fabs(x[k]));
    rsum_scale_t s;
    rsum_scale_init(&s, (double)n * maxg * maxx, rowblk_symv_terms(n));
    double *acc = calloc(n * b * RSUM_LEVELS, sizeof *acc), *mine = calloc(n * b * RSUM_LEVELS, sizeof *mine);
    assert_non_null(acc);
    assert_non_null(mine);
    for (size_t p = 0; p < parts; p++) {
        rowblk_t rb;
        rowblk_split(n, p, parts, &rb);
        memset(mine, 0, n * b * RSUM_LEVELS * sizeof *mine);
        /* the block's own copy of its rows, as a rank holds them */
        assert_int_equal(rowblk_symv(whole + rb.r0 * (rb.r0 + 1) / 2, &rb, x, b, &s, threads, mine), GB_OK);
        for (size_t k = 0; k < n * b * RSUM_LEVELS; k++) acc[k] += mine[k];
    }
    for (size_t k = 0; k < n * b; k++) y[k] = rsum_value(acc + k * RSUM_LEVELS);
    free(acc);
    free(mine);
}

static void test_symv(void **state)
{
    (void)state;
    const size_t ns[] = {1, 5, 97, 301}, bs[] = {3, 8, 16}; /* 8, 16: the register-tiled path */
    for (size_t a = 0; a < sizeof ns / sizeof ns[0] * 3; a++) {
        size_t n = ns[a / 3], b = bs[a % 3];
        double *g = random_packed(n, test_seed("symv") + n), *x = malloc(n * b * sizeof *x);
        double *y1 = malloc(n * b * sizeof *y1), *y = malloc(n * b * sizeof *y);
        assert_non_null(x);
        assert_non_null(y1);
        assert_non_null(y);
        test_rng_t rng = {n};
        for (size_t k = 0; k < n * b; k++) x[k] = test_rng_uniform(&rng) - 0.5;
        split_product(g, n, x, b, 1, 1, y1);
        for (size_t i = 0; i < n; i++) /* against the plain dense product */
            for (size_t c = 0; c < b; c++) {
                long double want = 0.0L;
                for (size_t j = 0; j < n; j++) {
                    double aij = i >= j ? g[i * (i + 1) / 2 + j] : g[j * (j + 1) / 2 + i];
                    want += (long double)aij * x[j * b + c];
                }
                assert_true(fabs(y1[i * b + c] - (double)want) <= 1e-13 * (double)n);
            }
        for (size_t parts = 2; parts <= 4; parts++)
            for (int threads = 1; threads <= 3; threads++) {
                split_product(g, n, x, b, parts, threads, y);
                assert_memory_equal(y, y1, n * b * sizeof *y);
            }
        free(g);
        free(x);
        free(y1);
        free(y);
    }
}

/* ---- the row-block Gower steps and DIVERSITY_ROWS ------------------------------------------- */

static void test_gower_rows(void **state)
{
    (void)state;
    enum { N = 150, P = 12 };
    double *x = malloc(N * P * sizeof *x), *d = malloc(N * (N - 1) / 2 * sizeof *d);
    double *want = malloc(N * (N + 1) / 2 * sizeof *want), *whole = malloc(N * (N + 1) / 2 * sizeof *whole);
    assert_non_null(x);
    assert_non_null(d);
    assert_non_null(want);
    assert_non_null(whole);
    test_rng_t rng = {test_seed("gower_rows")};
    for (size_t k = 0; k < N * P; k++) x[k] = test_rng_uniform(&rng) < 0.3 ? 0.0 : test_rng_uniform(&rng);
    diversity_dist_t low = {DIVERSITY_LOWER, d, NULL, 0, 0};
    assert_int_equal(diversity_bray_curtis(x, N, P, 2, &low), GB_OK);
    assert_int_equal(gower_lower(d, N, want), GB_OK);
    const size_t parts = 3;
    rowblk_t rb[3];
    for (size_t p = 0; p < parts; p++) { /* each part computes its own rows of the distances */
        rowblk_split(N, p, parts, &rb[p]);
        double *mine = whole + rb[p].r0 * (rb[p].r0 + 1) / 2;
        diversity_dist_t rows = {DIVERSITY_ROWS, mine, NULL, rb[p].r0, rb[p].r1};
        assert_int_equal(diversity_bray_curtis(x, N, P, 1, &rows), GB_OK);
        for (size_t i = rb[p].r0; i < rb[p].r1; i++) {
            assert_memory_equal(mine + rowblk_offset(&rb[p], i), d + i * (i - 1) / 2, i * sizeof *d);
            assert_true(mine[rowblk_offset(&rb[p], i) + i] == 0.0);
        }
        assert_int_equal(gower_square_rows(mine, &rb[p]), GB_OK);
    }
    /* row means over the parts: a product with X = 1 */
    double ones[N], mean[N], grand = 0.0;
    for (size_t i = 0; i < N; i++) ones[i] = 1.0;
    split_product(whole, N, ones, 1, parts, 2, mean);
    for (size_t i = 0; i < N; i++) grand += (mean[i] /= N);
    grand /= N;
    for (size_t p = 0; p < parts; p++) gower_centre_rows(whole + rb[p].r0 * (rb[p].r0 + 1) / 2, &rb[p], mean, grand);
    double maxg = 0.0;
    for (size_t k = 0; k < N * (N + 1) / 2; k++) maxg = fmax(maxg, fabs(want[k]));
    for (size_t k = 0; k < N * (N + 1) / 2; k++) assert_true(fabs(whole[k] - want[k]) <= 1e-14 * maxg);
    /* a NaN distance (two empty samples) is refused */
    rowblk_t one = {N, 0, N};
    whole[5] = NAN;
    assert_int_equal(gower_square_rows(whole, &one), GB_E_FORMAT);
    free(x);
    free(d);
    free(want);
    free(whole);
}

/* Euclidean distances: products with the Gram matrix of the centred rows equal products with
 * the double centring of the distances (to rounding), bitwise the same for 1 and 3 threads. */
static void test_gram_times(void **state)
{
    (void)state;
    enum { N = 203, P = 17, B = 3 };
    double *x = malloc(N * P * sizeof *x), *d = malloc(N * (N - 1) / 2 * sizeof *d);
    double *g = malloc(N * (N + 1) / 2 * sizeof *g), *xc = malloc(N * P * sizeof *xc), *xt = malloc(N * P * sizeof *xt);
    double v[P * B], in[N * B], y1[N * B], y3[N * B];
    assert_non_null(x);
    assert_non_null(d);
    assert_non_null(g);
    assert_non_null(xc);
    assert_non_null(xt);
    test_rng_t rng = {test_seed("gram_times")};
    for (size_t k = 0; k < N * P; k++) x[k] = 10.0 + test_rng_uniform(&rng); /* far from 0: centring matters */
    for (size_t k = 0; k < N * B; k++) in[k] = test_rng_uniform(&rng) - 0.5;
    diversity_dist_t low = {DIVERSITY_LOWER, d, NULL, 0, 0};
    assert_int_equal(diversity_euclidean(x, N, P, 1, &low), GB_OK);
    assert_int_equal(gower_lower(d, N, g), GB_OK);
    assert_int_equal(gower_centre_data(x, N, P, xc, xt), GB_OK);
    gower_gram_times(xc, xt, N, P, in, B, v, 1, y1);
    gower_gram_times(xc, xt, N, P, in, B, v, 3, y3);
    assert_memory_equal(y1, y3, sizeof y1);
    double maxy = 0.0;
    for (size_t k = 0; k < N * B; k++) maxy = fmax(maxy, fabs(y1[k]));
    for (size_t i = 0; i < N; i++)
        for (size_t c = 0; c < B; c++) {
            double want = 0.0;
            for (size_t j = 0; j < N; j++)
                want += (i >= j ? g[i * (i + 1) / 2 + j] : g[j * (j + 1) / 2 + i]) * in[j * B + c];
            assert_true(fabs(y1[i * B + c] - want) <= 1e-12 * maxy);
        }
    assert_int_equal(gower_centre_data(x, 1, P, xc, xt), GB_E_USAGE);
    free(x);
    free(d);
    free(g);
    free(xc);
    free(xt);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rsum_order_and_split),
        cmocka_unit_test(test_rsum_edges),
        cmocka_unit_test(test_split),
        cmocka_unit_test(test_symv),
        cmocka_unit_test(test_gower_rows),
        cmocka_unit_test(test_gram_times),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
