/* Unit tests for kernels/pcoa.c against R 4.2.2 stats::cmdscale (docs/STATS.md S6) on
 * vegan's dune data: D = vegdist(dune / rowSums(dune), "bray"), cmdscale(D, k, eig = TRUE).
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
#include "pcoa.h"
#include "gower.h"
#include "gb_status.h"
#include "fixture_dune.h"

/* cmdscale(D, k = 5, eig = TRUE)$eig */
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

static void test_eigenvalues(void **state)
{
    (void)state;
    double *g = dune_gower(), eig[20], coord[20 * 2];
    assert_int_equal(pcoa(g, 20, 2, eig, coord), 0);
    for (int e = 0; e < 20; e++) {
        if (e == 13) /* the ~0 eigenvalue of the centring: rounding noise in both */
            assert_true(fabs(eig[e]) < 1e-14);
        else check_r(eig[e], eig_r[e], 1e-10);
    }
    double sum = 0;
    for (int e = 0; e < 20; e++) sum += eig[e];
    check_r(sum, 4.37141128766152676, 1e-12); /* = tr(G) = adonis2's total SS */
    /* cmdscale(D, k = 2, eig = TRUE)$GOF */
    double gof[2];
    pcoa_gof(eig, 20, 2, gof);
    check_r(gof[0], 0.56462541147421452, 1e-10);
    check_r(gof[1], 0.59364957253081552, 1e-10);
    /* k = 0: eigenvalues only */
    double eig0[20];
    assert_int_equal(pcoa(g, 20, 0, eig0, NULL), 0);
    assert_memory_equal(eig, eig0, sizeof eig);
    free(g);
}

static void test_coordinates(void **state)
{
    (void)state;
    double *g = dune_gower(), eig[20], coord[20 * 5];
    assert_int_equal(pcoa(g, 20, 5, eig, coord), 0);
    for (int a = 0; a < 5; a++) {
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
    /* the first two axes do not depend on how many are asked for */
    double two[20 * 2], eig2[20];
    assert_int_equal(pcoa(g, 20, 2, eig2, two), 0);
    for (int i = 0; i < 20; i++)
        for (int a = 0; a < 2; a++) assert_true(fabs(two[i * 2 + a] - coord[i * 5 + a]) < 1e-13);
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_eigenvalues),
        cmocka_unit_test(test_coordinates),
        cmocka_unit_test(test_nonpositive_axes),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    fprintf(stderr, "largest relative error against R: %.3g\n", test_max_rel_err);
    (void)DUNE_SPECIES;
    (void)DUNE_A1;
    (void)DUNE_MOIST;
    (void)DUNE_MANAGEMENT;
    return failed;
}
