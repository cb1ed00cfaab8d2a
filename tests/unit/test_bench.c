/* Unit tests for kernels/bench.c on hand-made cases whose counts are worked out in the
 * comments: calls at the true rank, below it, above it on the true lineage (vertical), above
 * it on another lineage, unclassified, at an unknown taxid, and true taxa without the rank;
 * then the rates and the profile metrics. No randomness. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include "test_util.h"
#include <cmocka.h>
#include "bench.h"

/* 1 root; 2 phylum; 3, 4 genera under 2; 5, 6 species of 3; 7 a strain of 5; 8 species of 4;
 * 9 a node under the root without genus, 10 its species. */
static const uint32_t PARENT[11] = {0, 0, 1, 2, 2, 3, 3, 5, 4, 1, 9};
static const uint8_t IS_SPECIES[11] = {0, 0, 0, 0, 0, 1, 1, 0, 1, 0, 1};
static const uint8_t IS_GENUS[11] = {0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0};
#define U BENCH_UNKNOWN_CALL
static const uint32_t TRUTH[11] = {7, 5, 5, 5, 5, 5, 5, 5, 3, 10, 5};
static const uint32_t CALL[11] = {7, 7, 3, 1, 6, 4, 0, U, 3, 9, 9};

static void score_at(const uint8_t *is_rank, bench_counts_t *c)
{
    uint32_t anc[11];
    bench_rank_ancestors(PARENT, is_rank, 11, anc);
    memset(c, 0, sizeof *c);
    bench_score_reads(PARENT, anc, TRUTH, CALL, 11, c);
}

static void test_rank_ancestors(void **state)
{
    (void)state;
    uint32_t anc[11];
    bench_rank_ancestors(PARENT, IS_SPECIES, 11, anc);
    static const uint32_t want[11] = {0, 0, 0, 0, 0, 5, 6, 5, 8, 0, 10};
    assert_memory_equal(anc, want, sizeof want);
}

/* Species: 7/7 and 5/7 TP; 5/3, 5/1 and 10/9 vertical; 5/6 (sister), 5/4 (other genus, above
 * the rank), 5/unknown and 5/9 (other lineage without the rank) FP; 5/0 FN; truth 3 (a genus)
 * has no species: excluded. */
static void test_species(void **state)
{
    (void)state;
    bench_counts_t c;
    score_at(IS_SPECIES, &c);
    assert_int_equal(c.tp, 2);
    assert_int_equal(c.vertical, 3);
    assert_int_equal(c.fp, 4);
    assert_int_equal(c.fn, 1);
    assert_int_equal(c.excluded, 1);
    bench_read_rates_t r = bench_read_rates(&c);
    assert_true(fabs(r.sensitivity - 0.2) < 1e-15);
    assert_true(fabs(r.precision - 1.0 / 3) < 1e-15);
    assert_true(fabs(r.f1 - 0.25) < 1e-15);
    assert_true(fabs(r.unclassified - 0.1) < 1e-15);
}

/* Genus: 7/7, 5/7, 5/3, 5/6 and 3/3 TP; 5/1 vertical; 5/4, 5/unknown, 5/9 FP; 5/0 FN;
 * truth 10 has no genus: excluded. */
static void test_genus(void **state)
{
    (void)state;
    bench_counts_t c;
    score_at(IS_GENUS, &c);
    assert_int_equal(c.tp, 5);
    assert_int_equal(c.vertical, 1);
    assert_int_equal(c.fp, 3);
    assert_int_equal(c.fn, 1);
    assert_int_equal(c.excluded, 1);
}

static void test_rates_empty(void **state)
{
    (void)state;
    bench_counts_t c = {0};
    bench_read_rates_t r = bench_read_rates(&c);
    assert_true(isnan(r.sensitivity) && isnan(r.precision) && isnan(r.f1));
    c.fn = 3; /* nothing called: precision undefined, sensitivity 0 */
    r = bench_read_rates(&c);
    assert_true(r.sensitivity == 0 && isnan(r.precision) && isnan(r.f1) && r.unclassified == 1);
}

/* truth (0.5, 0.5, 0, 0), prediction (2, 0, 1, 1) -> (0.5, 0, 0.25, 0.25): L1 = 1, BC = 1/2,
 * one taxon in both, one missed, two false: completeness 1/2, purity 1/3, F1 0.4. */
static void test_profile(void **state)
{
    (void)state;
    const double t[4] = {0.5, 0.5, 0, 0}, p[4] = {2, 0, 1, 1};
    bench_profile_scores_t s;
    bench_profile_scores(t, p, 4, &s);
    assert_true(fabs(s.l1 - 1) < 1e-15);
    assert_true(fabs(s.bray_curtis - 0.5) < 1e-15);
    assert_true(fabs(s.completeness - 0.5) < 1e-15);
    assert_true(fabs(s.purity - 1.0 / 3) < 1e-15);
    assert_true(fabs(s.f1 - 0.4) < 1e-15);
    assert_int_equal(s.tp, 1);
    assert_int_equal(s.fn, 1);
    assert_int_equal(s.fp, 2);
    bench_profile_scores(t, t, 4, &s);
    assert_true(s.l1 == 0 && s.bray_curtis == 0 && s.f1 == 1);
}

/* On PARENT with every node kept: a = all on 7 (strain of 5), b = all on 6 (sister species):
 * the mass crosses 7-5, 5-3 and 3-6: 3 edges, then |a - b| = 1 on each -> 3. Half of a on 8
 * (other genus) instead: 0.5 x (7-5, 5-3, 3-6) + 0.5 x (8-4, 4-2, 2-3, 3-6) -> 0.5 x 3 + 0.5 x 4
 * = 3.5. With node 3 (genus) contracted, 5 and 6 hang from 2: the path 7-5-2-6 keeps 3 edges
 * and 8-4-2-6 has 3 instead of 4: 0.5 x 3 + 0.5 x 3 = 3. Edge 5-2 of length 2 instead (the
 * level of the contracted genus left blank, as OPAL counts it): 0.5 x 4 + 0.5 x 3 = 3.5. */
static void test_tree_emd(void **state)
{
    (void)state;
    uint8_t len[11] = {0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
    double a[11] = {0}, b[11] = {0}, work[11];
    a[7] = 1;
    b[6] = 2; /* any scale */
    assert_true(fabs(bench_tree_emd(PARENT, len, 11, a, b, work) - 3) < 1e-15);
    a[7] = 0.5;
    a[8] = 0.5;
    assert_true(fabs(bench_tree_emd(PARENT, len, 11, a, b, work) - 3.5) < 1e-15);
    len[3] = 0;
    assert_true(fabs(bench_tree_emd(PARENT, len, 11, a, b, work) - 3) < 1e-15);
    len[5] = 2;
    assert_true(fabs(bench_tree_emd(PARENT, len, 11, a, b, work) - 3.5) < 1e-15);
    assert_true(bench_tree_emd(PARENT, len, 11, a, a, work) == 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rank_ancestors), cmocka_unit_test(test_species), cmocka_unit_test(test_genus),
        cmocka_unit_test(test_rates_empty),    cmocka_unit_test(test_profile), cmocka_unit_test(test_tree_emd),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
