/* Unit tests for kernels/transform.c against R 4.2.2 + vegan 2.6-4 (docs/STATS.md S1).
 * Reference vectors were printed by R with sprintf("%a") (exact doubles); the R expression is
 * in the comment above each one. Data: vegan's dune (tests/unit/fixture_dune.h).
 * No randomness. Prints the largest relative difference from R per test. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "test_util.h"
#include <cmocka.h>
#include "transform.h"
#include "fixture_dune.h"

/* ---- R reference values (transform_emit.R; keep = MaAsLin2 default filter on dune) ---- */
/* decostand(dune[, keep], "total")[5, ] */
/* clang-format off */
static const double R_TSS_ROW5[25] = {0x1.7d05f417d05f4p-5, 0x0p+0, 0x0p+0, 0x1.7d05f417d05f4p-4, 0x1.7d05f417d05f4p-5, 0x1.7d05f417d05f4p-5, 0x0p+0, 0x1.7d05f417d05f4p-4, 0x0p+0, 0x0p+0, 0x0p+0, 0x1.7d05f417d05f4p-5, 0x1.dc47711dc4771p-4, 0x1.7d05f417d05f4p-5, 0x1.1dc47711dc477p-3, 0x0p+0, 0x1.dc47711dc4771p-4, 0x0p+0, 0x0p+0, 0x1.1dc47711dc477p-4, 0x1.7d05f417d05f4p-5, 0x1.7d05f417d05f4p-5, 0x0p+0, 0x1.7d05f417d05f4p-5, 0x0p+0};
/* clang-format on */
/* apply(tss, 2, LOG)[1, ], LOG = MaAsLin2's LOG */
/* clang-format off */
static const double R_LOG_ROW1[25] = {-0x1.0ae00d1cfdeb4p+2, -0x1.33abb3faa0217p+2, -0x1.5b47ebf73882ap+2, -0x1.549a784bcd1b9p+2, -0x1.5b47ebf73882ap+2, -0x1.5b47ebf73882ap+2, -0x1.149a784bcd1b9p+2, -0x1.15c01a39fbd69p+1, -0x1.4p+2, -0x1.1d6753e032ea1p+2, -0x1.549a784bcd1b9p+2, -0x1.5cd1648977277p+0, -0x1.35d7e568b98dp+2, -0x1.15c01a39fbd69p+1, -0x1.95c01a39fbd69p+1, -0x1.549a784bcd1b9p+2, -0x1.591bba891f171p+2, -0x1.591bba891f171p+2, -0x1.0ae00d1cfdeb4p+2, -0x1.5b47ebf73882ap+2, -0x1.5b47ebf73882ap+2, -0x1.9b47ebf73882ap+2, -0x1.9b47ebf73882ap+2, -0x1.5b47ebf73882ap+2, -0x1.1d6753e032ea1p+2};
/* clang-format on */
/* colSums(apply(tss, 2, LOG)) */
/* clang-format off */
static const double R_LOG_COLSUMS[25] = {-0x1.902aa6e395caep+6, -0x1.31eaf1646afc4p+6, -0x1.6c6e03ccc1cd6p+6, -0x1.78544e69893c6p+6, -0x1.9485ceb5caacap+6, -0x1.93354c3a8666cp+6, -0x1.36b7902afcd53p+6, -0x1.420c0b3601269p+6, -0x1.7850d89ed5108p+6, -0x1.4b4e8b2397fcap+6, -0x1.8da33dd49ac33p+6, -0x1.41671b625368fp+6, -0x1.55b95955350fep+6, -0x1.41387ccb15fe5p+6, -0x1.2c9f47e2ac4d9p+6, -0x1.82b7902afcd53p+6, -0x1.8cfd9ba41183bp+6, -0x1.80a76464b691ep+6, -0x1.3f39bfbb2e26p+6, -0x1.2c541ce18fd06p+6, -0x1.a107e9df07825p+6, -0x1.58bf6965e6636p+6, -0x1.edb5eab0d761p+6, -0x1.424b959765b8fp+6, -0x1.5464cc07c0d3ep+6};
/* clang-format on */
/* (sign(tss) * asin(sqrt(abs(tss))))[2, ] */
/* clang-format off */
static const double R_AST_ROW2[25] = {0x1.150aff3fbbed4p-2, 0x0p+0, 0x1.c2890e8369da1p-3, 0x0p+0, 0x1.150aff3fbbed4p-2, 0x1.4141e210c8739p-2, 0x0p+0, 0x1.4141e210c8739p-2, 0x0p+0, 0x0p+0, 0x0p+0, 0x1.68ba707178eecp-2, 0x0p+0, 0x1.4141e210c8739p-2, 0x1.aea08d838f152p-2, 0x0p+0, 0x0p+0, 0x0p+0, 0x0p+0, 0x1.68ba707178eecp-2, 0x0p+0, 0x1.68ba707178eecp-2, 0x0p+0, 0x0p+0, 0x0p+0};
/* clang-format on */
/* colSums(sign(tss) * asin(sqrt(abs(tss)))) */
/* clang-format off */
static const double R_AST_COLSUMS[25] = {0x1.deb4540877f5bp+0, 0x1.f299503d7fc3cp+1, 0x1.6173c08ba191p+1, 0x1.0b686beabe4c7p+1, 0x1.6c7fdd62a611p+0, 0x1.5577ac7be38p+0, 0x1.13bdc4938092dp+1, 0x1.11214c2a143c4p+1, 0x1.1c1534ca9691ap+0, 0x1.b25fcea249301p+0, 0x1.31fe023380a8fp+0, 0x1.1bd137f2da89bp+2, 0x1.2dff93e2829aep+1, 0x1.1cacdb5d44d6p+2, 0x1.2b7f10e6e5c68p+2, 0x1.b6e05aa3902ebp+0, 0x1.72b80f23448b8p+0, 0x1.fd82b813773p+0, 0x1.198553eed3945p+0, 0x1.5ef2109233d07p+2, 0x1.8b0484b103a94p-1, 0x1.2460d9d2c8eccp+2, 0x1.32e913716a7b1p-1, 0x1.28370b7edfd31p+2, 0x1.1028d4c10023ep+0};
/* clang-format on */
/* decostand(dune[, keep], "clr", pseudocount = 0.5)[1, ] */
/* clang-format off */
static const double R_CLR_ROW1[25] = {0x1.6991c69d6bad4p-1, -0x1.91d7117069681p-2, -0x1.91d7117069681p-2, -0x1.91d7117069681p-2, -0x1.91d7117069681p-2, -0x1.91d7117069681p-2, -0x1.91d7117069681p-2, 0x1.ce078af986075p+0, -0x1.91d7117069681p-2, -0x1.91d7117069681p-2, -0x1.91d7117069681p-2, 0x1.28668166c754fp+1, -0x1.91d7117069681p-2, 0x1.ce078af986075p+0, 0x1.378e5b22be793p+0, -0x1.91d7117069681p-2, -0x1.91d7117069681p-2, -0x1.91d7117069681p-2, -0x1.91d7117069681p-2, -0x1.91d7117069681p-2, -0x1.91d7117069681p-2, -0x1.91d7117069681p-2, -0x1.91d7117069681p-2, -0x1.91d7117069681p-2, -0x1.91d7117069681p-2};
/* clang-format on */
/* decostand(dune[, keep], "clr", pseudocount = 0.5)[20, ] */
/* clang-format off */
static const double R_CLR_ROW20[25] = {-0x1.5f072820aa10cp-1, 0x1.b658e2df91e12p+0, -0x1.5f072820aa10cp-1, -0x1.5f072820aa10cp-1, -0x1.5f072820aa10cp-1, -0x1.5f072820aa10cp-1, 0x1.82f9bb454b59p+0, -0x1.5f072820aa10cp-1, -0x1.5f072820aa10cp-1, 0x1.82f9bb454b59p+0, -0x1.5f072820aa10cp-1, -0x1.5f072820aa10cp-1, -0x1.5f072820aa10cp-1, -0x1.5f072820aa10cp-1, -0x1.5f072820aa10cp-1, 0x1.82f9bb454b59p+0, -0x1.5f072820aa10cp-1, -0x1.5f072820aa10cp-1, 0x1.b658e2df91e12p+0, 0x1.d90116dd0795bp-1, -0x1.5f072820aa10cp-1, -0x1.5f072820aa10cp-1, -0x1.5f072820aa10cp-1, 0x1.82f9bb454b59p+0, 0x1.42a396d2d09d2p+0};
/* clang-format on */
/* colSums(decostand(dune[, keep], "clr", pseudocount = 0.5)) */
/* clang-format off */
static const double R_CLR_COLSUMS[25] = {-0x1.cca377871d4dap+1, 0x1.ff6a157ab68cap+2, 0x1.35ddabc90529ep+1, -0x1.778d039a5a10cp+1, -0x1.523fb1a3f4968p+2, -0x1.6e04219847044p+2, -0x1.ba4c58de8e117p+1, -0x1.ba277cdae0aecp+0, -0x1.352abb1ff371fp+3, -0x1.32dd12c981ec2p+2, -0x1.d5052977fd391p+2, 0x1.8701f6161b97dp+3, -0x1.465713ea6b3fp-1, 0x1.9d0433e3d05edp+3, 0x1.d6945c9daac8cp+3, -0x1.422a288755e78p+2, -0x1.49a38a2d9118p+2, -0x1.26548fe491f13p+1, -0x1.1fa1f846e03d6p+3, 0x1.2b1e44d2e0dcfp+4, -0x1.352abb1ff371fp+3, 0x1.be59e2c6bf7bfp+3, -0x1.6f172403175d6p+3, 0x1.c197a1fccc88fp+3, -0x1.260ddd3a290e7p+3};
/* clang-format on */
/* decostand(dune, "clr", pseudocount = 0.5)[3, ] (all 30 species) */
/* clang-format off */
static const double R_CLR_ALL_ROW3[30] = {-0x1.678fb16fc5cdfp-1, 0x1.7eb5769dbd7a6p+0, -0x1.678fb16fc5cdfp-1, 0x1.00bd7738e30e7p+1, -0x1.678fb16fc5cdfp-1, 0x1.d0788d8debd88p-1, -0x1.678fb16fc5cdfp-1, -0x1.678fb16fc5cdfp-1, -0x1.678fb16fc5cdfp-1, -0x1.678fb16fc5cdfp-1, -0x1.678fb16fc5cdfp-1, 0x1.7eb5769dbd7a6p+0, -0x1.678fb16fc5cdfp-1, -0x1.678fb16fc5cdfp-1, -0x1.678fb16fc5cdfp-1, -0x1.678fb16fc5cdfp-1, 0x1.dcd8acae4ea32p+0, -0x1.678fb16fc5cdfp-1, 0x1.b2149e3804028p+0, 0x1.dcd8acae4ea32p+0, -0x1.678fb16fc5cdfp-1, -0x1.678fb16fc5cdfp-1, -0x1.678fb16fc5cdfp-1, -0x1.678fb16fc5cdfp-1, 0x1.d0788d8debd88p-1, -0x1.678fb16fc5cdfp-1, 0x1.d0788d8debd88p-1, -0x1.678fb16fc5cdfp-1, 0x1.d0788d8debd88p-1, -0x1.678fb16fc5cdfp-1};
/* clang-format on */
/* scale(dune.env$A1) */
/* clang-format off */
static const double R_A1_Z[20] = {-0x1.e1a493ba0712cp-1, -0x1.3d2df0e4a6ffdp-1, -0x1.0271490629423p-2, -0x1.316e9c1e8dd9bp-2, 0x1.54ac9a70d94bcp-1, -0x1.0271490629423p-2, -0x1.e1a493ba0712cp-1, -0x1.316e9c1e8dd9bp-2, -0x1.0e309dcc42681p-1, -0x1.6c2b43fd0b978p-1, -0x1.3d2df0e4a6ffdp-1, 0x1.be669567bba12p-2, 0x1.0e309dcc42685p-1, 0x1.05611e37af8bdp+1, 0x1.8699c2bac42cfp+1, 0x1.8f69424f5709ap-2, -0x1.8f69424f57092p-2, -0x1.d5e53ef3edecep-4, -0x1.0e309dcc42681p-1, -0x1.3d2df0e4a6ffdp-1};
/* clang-format on */
/* attributes scaled:center, scaled:scale */
static const double R_A1_CENTER_SD[2] = {0x1.3666666666666p+2, 0x1.16f049652e0fep+1};
/* scale(as.numeric(as.character(dune.env$Moisture))) */
/* clang-format off */
static const double R_MOIST_Z[20] = {-0x1.0db26f2595abp+0, -0x1.0db26f2595abp+0, -0x1.ff013e62290ep-2, -0x1.ff013e62290ep-2, -0x1.0db26f2595abp+0, -0x1.0db26f2595abp+0, -0x1.0db26f2595abp+0, 0x1.2a160f0e97f2ep+0, 0x1.3847df031916ep-1, -0x1.ff013e62290ep-2, -0x1.0db26f2595abp+0, 0x1.3847df031916ep-1, 0x1.2a160f0e97f2ep+0, 0x1.2a160f0e97f2ep+0, 0x1.2a160f0e97f2ep+0, 0x1.2a160f0e97f2ep+0, -0x1.ff013e62290ep-2, -0x1.0db26f2595abp+0, 0x1.2a160f0e97f2ep+0, 0x1.2a160f0e97f2ep+0};
/* clang-format on */
/* scale(c(1.1, NAN, 3.3, 4.5, 10.25, NAN, -2.7)) */
/* clang-format off */
static const double R_NA_Z[7] = {-0x1.d7407c88a3162p-2, NAN, 0x1.136f55a531b4bp-9, 0x1.045f3ef62902ep-2, 0x1.766b586c8f9a6p+0, NAN, -0x1.423cc0b2c3ae7p+0};
/* clang-format on */
/* its scaled:scale */
static const double R_NA_SD[1] = {0x1.308f03551aeeep+2};

#define KEPT 25 /* dune: 30 species, Airaprae Chenalbu Cirsarve Comapalu Empenigr dropped */

/* The MaAsLin2 pipeline up to TSS on dune: filtered counts and TSS values (20 x 25). */
static void dune_tss(double *counts, double *tss)
{
    unsigned char keep[DUNE_SPECIES_N];
    size_t kept = transform_filter(DUNE, DUNE_SITES, DUNE_SPECIES_N, DUNE_SPECIES_N, TRANSFORM_MIN_ABUNDANCE,
                                   TRANSFORM_MIN_PREVALENCE, TRANSFORM_MIN_VARIANCE, keep, NULL);
    assert_int_equal(kept, KEPT);
    transform_select(DUNE, DUNE_SITES, DUNE_SPECIES_N, DUNE_SPECIES_N, keep, counts);
    transform_tss(counts, DUNE_SITES, KEPT, tss);
}

static void column_sums(const double *x, size_t n, size_t m, double *sums)
{
    for (size_t j = 0; j < m; j++) {
        long double s = 0.0L; /* colSums accumulates in long double */
        for (size_t i = 0; i < n; i++) s += x[i * m + j];
        sums[j] = (double)s;
    }
}

/* §1 steps 3-4: dune keeps 25 of 30; prevalence must be > 2 of 20 samples. */
static void test_filter_dune(void **state)
{
    (void)state;
    unsigned char keep[DUNE_SPECIES_N];
    size_t nonzero[DUNE_SPECIES_N];
    size_t kept = transform_filter(DUNE, DUNE_SITES, DUNE_SPECIES_N, DUNE_SPECIES_N, 0.0, 0.1, 0.0, keep, nonzero);
    assert_int_equal(kept, KEPT);
    const char *dropped[] = {"Airaprae", "Chenalbu", "Cirsarve", "Comapalu", "Empenigr"};
    size_t d = 0;
    for (size_t j = 0; j < DUNE_SPECIES_N; j++)
        if (!keep[j]) assert_string_equal(DUNE_SPECIES[j], dropped[d++]);
    assert_int_equal(d, 5);
    /* apply(dune, 2, function(v) sum(v > 0)) */
    const size_t want[DUNE_SPECIES_N] = {7, 10, 2, 8,  6,  6, 5, 1, 1, 2,  5, 6,  1, 3,  5,
                                         4, 12, 7, 14, 13, 6, 5, 7, 3, 18, 3, 16, 3, 15, 3};
    for (size_t j = 0; j < DUNE_SPECIES_N; j++) assert_int_equal(nonzero[j], want[j]);
}

/* Strict inequality, variance rule, NaN and n < 2. */
static void test_filter_edges(void **state)
{
    (void)state;
    enum { N = 20, M = 5 };
    double x[N * M] = {0};
    for (size_t i = 0; i < N; i++) {
        x[i * M + 2] = 5.0;                 /* constant, prevalent: variance 0 -> dropped */
        x[i * M + 4] = (double)(i % 2) + 1; /* varying, always present -> kept */
    }
    x[0 * M + 0] = 1;
    x[1 * M + 0] = 3; /* 2 of 20: not > 2 -> dropped */
    x[0 * M + 1] = 1;
    x[1 * M + 1] = 3;
    x[7 * M + 1] = 2; /* 3 of 20 -> kept */
    /* column 3 all zero */
    unsigned char keep[M];
    size_t nonzero[M];
    assert_int_equal(transform_filter(x, N, M, M, 0.0, 0.1, 0.0, keep, nonzero), 2);
    const unsigned char want[M] = {0, 1, 0, 0, 1};
    assert_memory_equal(keep, want, M);
    assert_int_equal(nonzero[0], 2);
    assert_int_equal(nonzero[3], 0);
    /* min_prevalence 0: the all-zero column passes prevalence (0 > 0 is false) -> dropped */
    assert_int_equal(transform_filter(x, N, M, M, 0.0, 0.0, 0.0, keep, NULL), 3);
    /* min_abundance 2: column 1 has one value > 2 */
    assert_int_equal(transform_filter(x, N, M, M, 2.0, 0.0, 0.0, keep, NULL), 2);
    assert_int_equal(keep[1], 1);
    assert_int_equal(keep[4], 0); /* values 1, 2: none > 2 */
    /* n = 1: var() is NA, nothing kept */
    assert_int_equal(transform_filter(x, 1, M, M, 0.0, 0.0, 0.0, keep, NULL), 0);
}

/* §1 step 5: TSS over the kept features; one division per entry. */
static void test_tss(void **state)
{
    (void)state;
    double counts[DUNE_SITES * KEPT], tss[DUNE_SITES * KEPT];
    dune_tss(counts, tss);
    test_expect_close_n("TSS row 5", tss + 4 * KEPT, 1, R_TSS_ROW5, KEPT, 0.0);
    for (size_t i = 0; i < DUNE_SITES; i++) {
        double s = 0;
        for (size_t j = 0; j < KEPT; j++) s += tss[i * KEPT + j];
        assert_true(fabs(s - 1.0) < 1e-14);
    }
    /* Ties as in exact arithmetic: 1/3 and 2/6 are the same double; an empty row stays 0. */
    double x[3 * 2] = {1, 2, 2, 4, 0, 0}, rel[3 * 2];
    transform_tss(x, 3, 2, rel);
    assert_true(rel[0] == rel[2] && rel[1] == rel[3]);
    assert_true(rel[4] == 0.0 && rel[5] == 0.0);
    transform_tss(x, 3, 2, x); /* in place */
    assert_memory_equal(x, rel, sizeof rel);
}

/* §1 step 7: LOG, with the doc's Agrostol numbers. */
static void test_log(void **state)
{
    (void)state;
    double counts[DUNE_SITES * KEPT], y[DUNE_SITES * KEPT], sums[KEPT];
    dune_tss(counts, y);
    /* Agrostol is kept column 1: smallest positive TSS 0.0714285714285714 */
    double smallest = INFINITY;
    for (size_t i = 0; i < DUNE_SITES; i++)
        if (y[i * KEPT + 1] > 0 && y[i * KEPT + 1] < smallest) smallest = y[i * KEPT + 1];
    assert_true(test_rel_diff(smallest, 0.0714285714285714) < 1e-14);
    double tss_agrostol[DUNE_SITES];
    for (size_t i = 0; i < DUNE_SITES; i++) tss_agrostol[i] = y[i * KEPT + 1];
    transform_log2(y, DUNE_SITES, KEPT);
    for (size_t i = 0; i < DUNE_SITES; i++) {
        if (tss_agrostol[i] == 0.0) assert_true(test_rel_diff(y[i * KEPT + 1], -4.807354922058) < 1e-12);
        if (tss_agrostol[i] == 0.1) assert_true(test_rel_diff(y[i * KEPT + 1], -3.321928094887) < 1e-12);
    }
    test_expect_close_n("LOG row 1", y, 1, R_LOG_ROW1, KEPT, 1e-15);
    column_sums(y, DUNE_SITES, KEPT, sums);
    test_expect_close_n("LOG column sums", sums, 1, R_LOG_COLSUMS, KEPT, 1e-14);
    /* A column without positive values: R's min() is Inf, so zeros become +Inf. */
    double z[2] = {0.0, 0.0};
    transform_log2(z, 2, 1);
    assert_true(isinf(z[0]) && z[0] > 0);
}

static void test_ast(void **state)
{
    (void)state;
    double counts[DUNE_SITES * KEPT], y[DUNE_SITES * KEPT], sums[KEPT];
    dune_tss(counts, y);
    transform_ast(y, DUNE_SITES, KEPT);
    test_expect_close_n("AST row 2", y + KEPT, 1, R_AST_ROW2, KEPT, 1e-15);
    column_sums(y, DUNE_SITES, KEPT, sums);
    test_expect_close_n("AST column sums", sums, 1, R_AST_COLSUMS, KEPT, 1e-14);
    double v[3] = {-0.25, 0.0, NAN};
    transform_ast(v, 1, 3);
    assert_true(test_rel_diff(v[0], -asin(0.5)) == 0.0 && v[1] == 0.0 && isnan(v[2]));
}

/* CLR = ln(count + 0.5) centred per sample over the kept features (vegan's .calc_clr). */
static void test_clr(void **state)
{
    (void)state;
    double counts[DUNE_SITES * KEPT], tss[DUNE_SITES * KEPT], clr[DUNE_SITES * KEPT], sums[KEPT];
    dune_tss(counts, tss);
    assert_int_equal(transform_clr(counts, DUNE_SITES, KEPT, TRANSFORM_CLR_PSEUDOCOUNT, clr), GB_OK);
    test_expect_close_n("CLR row 1", clr, 1, R_CLR_ROW1, KEPT, 1e-14);
    test_expect_close_n("CLR row 20", clr + 19 * KEPT, 1, R_CLR_ROW20, KEPT, 1e-14);
    column_sums(clr, DUNE_SITES, KEPT, sums);
    test_expect_close_n("CLR column sums", sums, 1, R_CLR_COLSUMS, KEPT, 1e-13);
    double all[DUNE_SITES * DUNE_SPECIES_N];
    assert_int_equal(transform_clr(DUNE, DUNE_SITES, DUNE_SPECIES_N, 0.5, all), 0);
    test_expect_close_n("CLR all species row 3", all + 2 * DUNE_SPECIES_N, 1, R_CLR_ALL_ROW3, DUNE_SPECIES_N, 1e-14);
    /* vegan stops on non-positive data: pseudocount 0 with zeros */
    clr[0] = 42.0;
    assert_int_equal(transform_clr(counts, DUNE_SITES, KEPT, 0.0, clr), GB_E_USAGE);
    assert_true(clr[0] == 42.0);
}

/* §1 step 6: scale(); the doc gives mean 4.85 and sd 2.17920796814371 for A1. */
static void test_zscore(void **state)
{
    (void)state;
    double z[DUNE_SITES], mean, sd;
    assert_int_equal(transform_zscore(DUNE_A1, DUNE_SITES, z, &mean, &sd), DUNE_SITES);
    assert_true(test_rel_diff(mean, 4.85) < 1e-15);
    assert_true(test_rel_diff(sd, 2.17920796814371) < 1e-14);
    test_expect_close_n("scale(A1) center, sd", (double[]){mean, sd}, 1, R_A1_CENTER_SD, 2, 0.0);
    test_expect_close_n("scale(A1)", z, 1, R_A1_Z, DUNE_SITES, 1e-15);
    double moist[DUNE_SITES];
    memcpy(moist, DUNE_MOIST, sizeof moist);
    transform_zscore(moist, DUNE_SITES, moist, NULL, NULL); /* in place */
    test_expect_close_n("scale(Moist)", moist, 1, R_MOIST_Z, DUNE_SITES, 1e-15);
    double v[7] = {1.1, NAN, 3.3, 4.5, 10.25, NAN, -2.7}, out[7];
    assert_int_equal(transform_zscore(v, 7, out, NULL, &sd), 5);
    test_expect_close_n("scale() with NA", out, 1, R_NA_Z, 7, 1e-15);
    test_expect_close_n("scale() with NA, sd", &sd, 1, R_NA_SD, 1, 1e-15);
    double constant[3] = {2, 2, 2};
    transform_zscore(constant, 3, out, NULL, &sd);
    assert_true(sd == 0.0 && isnan(out[0]));
}

/* R 4.2.2 here sorts with ICU root collation (sort() of these names in R). */
static void test_collation(void **state)
{
    (void)state;
    const char *names[] = {"ab", "Aa", "aB", "AB",  "Ab", "a b", "a-b",     "a_b",     "ab1", "Ab0", "a",  "A",
                           "10", "9",  "-1", "a10", "a9", "MDD", "control", "Control", "HC",  "hc",  "_x", "Z"};
    /* sort(names) in R 4.2.2, LC_COLLATE=C.UTF-8, ICU root */
    const char *r_sorted[] = {"_x", "-1", "10", "9",  "a",   "A",   "a b",     "a_b",     "a-b", "a10", "a9",  "Aa",
                              "ab", "aB", "Ab", "AB", "Ab0", "ab1", "control", "Control", "hc",  "HC",  "MDD", "Z"};
    size_t n = sizeof names / sizeof *names;
    int level_of[24];
    size_t level_sample[24], nlevels, scratch[24];
    assert_int_equal(
        transform_factor_levels(names, n, NULL, TRANSFORM_COLLATE_R, level_of, level_sample, &nlevels, scratch), 0);
    assert_int_equal(nlevels, n);
    for (size_t l = 0; l < n; l++) assert_string_equal(names[level_sample[l]], r_sorted[l]);
    for (size_t i = 0; i < n; i++) assert_string_equal(r_sorted[level_of[i]], names[i]);
    /* LC_ALL=C Rscript -e 'sort(c("MDD","control","_x","a","A"))' */
    assert_true(transform_collate("A", "MDD", TRANSFORM_COLLATE_C) < 0);
    assert_true(transform_collate("MDD", "_x", TRANSFORM_COLLATE_C) < 0);
    assert_true(transform_collate("_x", "a", TRANSFORM_COLLATE_C) < 0);
    assert_true(transform_collate("a", "control", TRANSFORM_COLLATE_C) < 0);
    assert_true(transform_collate("control", "MDD", TRANSFORM_COLLATE_R) < 0);
}

/* relevel() and contr.treatment: R's model.matrix(~ relevel(factor(lv), ref = "a")) with
 * lv = c("b", "B", NA, "a", "A", "b", "_x", "Z", "a"): levels a _x A b B Z. */
static void test_treatment(void **state)
{
    (void)state;
    const char *lv[9] = {"b", "B", NULL, "a", "A", "b", "_x", "Z", "a"};
    int level_of[9];
    size_t level_sample[9], nlevels, scratch[9];
    assert_int_equal(
        transform_factor_levels(lv, 9, NULL, TRANSFORM_COLLATE_R, level_of, level_sample, &nlevels, scratch), 0);
    const char *sorted[6] = {"_x", "a", "A", "b", "B", "Z"}; /* levels(factor(lv)) */
    assert_int_equal(nlevels, 6);
    for (size_t l = 0; l < 6; l++) assert_string_equal(lv[level_sample[l]], sorted[l]);
    assert_int_equal(
        transform_factor_levels(lv, 9, "a", TRANSFORM_COLLATE_R, level_of, level_sample, &nlevels, scratch), 0);
    const char *relevelled[6] = {"a", "_x", "A", "b", "B", "Z"};
    for (size_t l = 0; l < 6; l++) assert_string_equal(lv[level_sample[l]], relevelled[l]);
    assert_int_equal(level_sample[0], 3); /* first sample with "a" */
    double X[9 * 7];
    for (size_t i = 0; i < 9 * 7; i++) X[i] = -1.0;
    transform_treatment_columns(level_of, 9, nlevels, X, 7, 1);
    /* model.matrix rows, columns ff_x ffA ffb ffB ffZ (row 3 is NA) */
    const double want[9][5] = {{0, 0, 1, 0, 0}, {0, 0, 0, 1, 0}, {NAN, NAN, NAN, NAN, NAN},
                               {0, 0, 0, 0, 0}, {0, 1, 0, 0, 0}, {0, 0, 1, 0, 0},
                               {1, 0, 0, 0, 0}, {0, 0, 0, 0, 1}, {0, 0, 0, 0, 0}};
    for (size_t i = 0; i < 9; i++) {
        assert_true(X[i * 7] == -1.0 && X[i * 7 + 6] == -1.0); /* untouched */
        for (size_t c = 0; c < 5; c++) assert_true(test_rel_diff(X[i * 7 + 1 + c], want[i][c]) == 0.0);
    }
    assert_int_equal(
        transform_factor_levels(lv, 9, "zz", TRANSFORM_COLLATE_R, level_of, level_sample, &nlevels, scratch),
        GB_E_USAGE);
    /* dune Management, reference BF: levels BF HF NM SF */
    int mgmt[DUNE_SITES];
    size_t ms[DUNE_SITES], msc[DUNE_SITES];
    assert_int_equal(
        transform_factor_levels(DUNE_MANAGEMENT, DUNE_SITES, "BF", TRANSFORM_COLLATE_R, mgmt, ms, &nlevels, msc), 0);
    assert_int_equal(nlevels, 4);
    assert_string_equal(DUNE_MANAGEMENT[ms[3]], "SF");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_filter_dune), cmocka_unit_test(test_filter_edges), cmocka_unit_test(test_tss),
        cmocka_unit_test(test_log),         cmocka_unit_test(test_ast),          cmocka_unit_test(test_clr),
        cmocka_unit_test(test_zscore),      cmocka_unit_test(test_collation),    cmocka_unit_test(test_treatment),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
