/* Unit tests for kernels/classify.c with hand-made taxonomies, plus a randomised
 * comparison of classify_resolve against a brute-force statement of docs/KRAKEN2-COMPAT.md K4.
 * Seed: GB_TEST_SEED environment variable, default 12345 (printed). */
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
#include "classify.h"
#include "minimizer.h"
#include "taxonomy.h"

/*  1 root
 *  +- 2 genus G
 *  |  +- 3 species A
 *  |  |  +- 5 strain A1
 *  |  +- 4 species B
 *  +- 6 genus H
 *     +- 7 species C */
static const uint32_t parent[] = {0, 0, 1, 2, 2, 3, 1, 6};

static test_rng_t rng; /* seeded in main */

static classify_scratch_t new_scratch(size_t cap)
{
    classify_scratch_t s = {0};
    assert_int_equal(classify_scratch_init(&s, cap), GB_OK);
    return s;
}

static void free_scratch(classify_scratch_t *s) { classify_scratch_free(s); }

static uint32_t resolve(const uint32_t *rec, size_t n, uint32_t groups, double conf, uint32_t min_groups)
{
    classify_scratch_t s = new_scratch(n + 1);
    classify_params_t p = {conf, min_groups};
    uint32_t r = classify_resolve(parent, rec, n, groups, &p, &s);
    free_scratch(&s);
    return r;
}

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))
#define A       CLASSIFY_AMBIG
#define B       CLASSIFY_BORDER

static void test_single_taxon(void **state)
{
    (void)state;
    const uint32_t rec[] = {3, 3, 3, 0, 0};
    assert_int_equal(resolve(rec, N_OF(rec), 1, 0, 0), 3);
    const uint32_t none[] = {0, 0, A, A, 0};
    assert_int_equal(resolve(none, N_OF(none), 0, 0, 0), 0);
    assert_int_equal(resolve(none, 0, 0, 0, 0), 0);
}

static void test_path_score(void **state)
{
    (void)state;
    /* Genus hits support the species: 3 scores 2+1, the genus only 2. */
    const uint32_t rec[] = {2, 2, 3};
    assert_int_equal(resolve(rec, N_OF(rec), 2, 0, 0), 3);
    /* Strain under species under genus: scores 1, 1+2, 1+2+3. */
    const uint32_t chain[] = {2, 3, 3, 5, 5, 5};
    assert_int_equal(resolve(chain, N_OF(chain), 3, 0, 0), 5);
    /* B and A1 have 3 direct hits each, but A1's path adds species A: 5 scores 3+1+1,
     * 4 scores 3+1. */
    const uint32_t path[] = {4, 4, 4, 3, 5, 5, 5, 2};
    assert_int_equal(resolve(path, N_OF(path), 4, 0, 0), 5);
    /* One A1 hit fewer: 4 and 5 tie at 4 -> their LCA, the genus. */
    const uint32_t tie[] = {4, 4, 4, 3, 5, 5, 2};
    assert_int_equal(resolve(tie, N_OF(tie), 4, 0, 0), 2);
}

static void test_ties_resolve_to_lca(void **state)
{
    (void)state;
    const uint32_t sib[] = {3, 3, 4, 4};
    assert_int_equal(resolve(sib, N_OF(sib), 2, 0, 0), 2);
    const uint32_t far[] = {7, 5};
    assert_int_equal(resolve(far, N_OF(far), 2, 0, 0), 1);
    const uint32_t three[] = {4, 4, 3, 3, 7, 7, 0, A};
    assert_int_equal(resolve(three, N_OF(three), 3, 0, 0), 1);
}

/* 0.28 * 25 = 7.000000000000001 in double, so 7 hits of 25 items are not enough. */
static void test_confidence_rounding(void **state)
{
    (void)state;
    uint32_t rec[25];
    for (int i = 0; i < 25; i++) rec[i] = i < 7 ? 3 : i < 15 ? A : 0;
    assert_int_equal(resolve(rec, 25, 1, 0.27, 0), 3);
    assert_int_equal(resolve(rec, 25, 1, 0.28, 0), 0);
}

static void test_confidence_walks_up(void **state)
{
    (void)state;
    /* 3:4, 4:3, 3 misses: best 3 (score 4); R = ceil(0.6 * 10) = 6; clade 3 holds 4, clade 2
     * holds 7 -> genus. */
    const uint32_t rec[] = {3, 3, 3, 3, 4, 4, 4, 0, 0, 0};
    assert_int_equal(resolve(rec, N_OF(rec), 2, 0.4, 0), 3);
    assert_int_equal(resolve(rec, N_OF(rec), 2, 0.6, 0), 2);
    assert_int_equal(resolve(rec, N_OF(rec), 2, 0.71, 0), 0);
    /* Best 5 (score 3+2 beats B's 4). R = 3 is met by 5 itself; R = 5 walks up to species A,
     * whose clade holds 2 + 3 hits; R = 7 needs the genus (9 hits). */
    const uint32_t sub[] = {3, 3, 5, 5, 5, 4, 4, 4, 4, 0};
    assert_int_equal(resolve(sub, N_OF(sub), 3, 0.25, 0), 5);
    assert_int_equal(resolve(sub, N_OF(sub), 3, 0.5, 0), 3);
    assert_int_equal(resolve(sub, N_OF(sub), 3, 0.7, 0), 2);
    /* Hits in another genus never count for A's clade: R = 6 climbs to the root (7 hits). */
    const uint32_t walk[] = {3, 3, 5, 5, 5, 7, 7, 0, 0, 0};
    assert_int_equal(resolve(walk, N_OF(walk), 3, 0.5, 0), 3);
    assert_int_equal(resolve(walk, N_OF(walk), 3, 0.6, 0), 1);
    /* A tie's LCA that holds no hits itself still walks by clade. */
    const uint32_t tie[] = {3, 3, 4, 4, 0};
    assert_int_equal(resolve(tie, N_OF(tie), 2, 0.8, 0), 2);
    assert_int_equal(resolve(tie, N_OF(tie), 2, 0.81, 0), 0);
}

static void test_min_hit_groups(void **state)
{
    (void)state;
    const uint32_t rec[] = {3, 3, 3, 0};
    assert_int_equal(resolve(rec, N_OF(rec), 1, 0, 2), 0);
    assert_int_equal(resolve(rec, N_OF(rec), 2, 0, 2), 3);
    /* Applied after the confidence walk: */
    assert_int_equal(resolve(rec, N_OF(rec), 1, 0, 1), 3);
}

/* 60 alternating runs with room for 4 pairs: merged early, same call. */
static void test_runs_beyond_scratch(void **state)
{
    (void)state;
    uint32_t rec[120];
    for (int i = 0; i < 120; i++) rec[i] = (i / 2) % 3 == 0 ? 3 : (i / 2) % 3 == 1 ? 5 : 0;
    classify_scratch_t s = new_scratch(4);
    classify_params_t p = {0.5, 0};
    assert_int_equal(classify_resolve(parent, rec, 120, 40, &p, &s), 3); /* 5 has 40, clade 3 has 80 */
    p.confidence = 0.3;
    assert_int_equal(classify_resolve(parent, rec, 120, 40, &p, &s), 5);
    free_scratch(&s);
}

static void test_border_not_counted(void **state)
{
    (void)state;
    /* N = 4, not 5: confidence 1.0 is reached exactly. */
    const uint32_t rec[] = {3, 3, B, 3, 3};
    assert_int_equal(resolve(rec, N_OF(rec), 2, 1.0, 0), 3);
    const uint32_t miss[] = {3, 3, B, 3, 0};
    assert_int_equal(resolve(miss, N_OF(miss), 2, 1.0, 0), 0);
    const uint32_t only[] = {B};
    assert_int_equal(resolve(only, 1, 0, 0, 0), 0);
}

/* A tiny table: 1001 -> 3, 1002 -> 4; 1003 is absent. */
static kmer_table_t small_table(void)
{
    kmer_table_t t = {0};
    t.cells = aligned_alloc(64, 4 * KMER_TABLE_BUCKET_CELLS * sizeof(uint32_t));
    assert_non_null(t.cells);
    memset(t.cells, 0, 4 * KMER_TABLE_BUCKET_CELLS * sizeof(uint32_t));
    t.nbuckets = 4;
    t.value_bits = 8;
    assert_int_equal(kmer_table_insert(&t, 1001, 3, parent), 1);
    assert_int_equal(kmer_table_insert(&t, 1002, 4, parent), 1);
    assert_int_equal(kmer_table_lookup(&t, 1003), 0);
    return t;
}

static void test_hit_groups(void **state)
{
    (void)state;
    kmer_table_t kt = small_table();
    const classify_table_t t = {.kind = CLASSIFY_TABLE_GUTBRAIN, .gutbrain = &kt};
    classify_scratch_t s = new_scratch(64);
    const uint64_t X = MINIMIZER_AMBIGUOUS;
    /* m1 m1 A m1 | m2 | m1 | m3 m3 A | m2: groups m1, m2, m1, m2 (m3 misses). */
    const uint64_t items[] = {1001, 1001, X, 1001, 1002, 1001, 1003, 1003, X, 1002};
    const uint32_t want[] = {3, 3, A, 3, 4, 3, 0, 0, A, 4};
    uint32_t rec[64];
    size_t nrec = 0;
    uint32_t groups = 0;
    classify_lookup_mate(&t, items, N_OF(items), &s, rec, &nrec, &groups);
    assert_int_equal(nrec, N_OF(items));
    assert_memory_equal(rec, want, sizeof want);
    assert_int_equal(groups, 4);
    /* One lookup per new minimizer, in order. */
    const uint64_t looked[] = {1001, 1002, 1001, 1003, 1002};
    assert_memory_equal(s.distinct, looked, sizeof looked);
    assert_int_equal(s.lookups, N_OF(looked));             /* what --report-minimizer-data reads */
    assert_int_equal(resolve(rec, nrec, groups, 0, 2), 3); /* 3:4 vs 4:2 */

    /* Mate 2 starts afresh: its first m2 is a new group even though mate 1 ended on m2. */
    rec[nrec++] = CLASSIFY_BORDER;
    const uint64_t mate2[] = {1002, 1002, X, X};
    classify_lookup_mate(&t, mate2, N_OF(mate2), &s, rec, &nrec, &groups);
    assert_int_equal(nrec, N_OF(items) + 1 + N_OF(mate2));
    assert_int_equal(groups, 5);
    assert_int_equal(rec[N_OF(items)], CLASSIFY_BORDER);
    assert_int_equal(rec[N_OF(items) + 1], 4);
    assert_int_equal(rec[nrec - 1], A);
    /* 3:4, 4:4 -> tie -> genus. */
    assert_int_equal(resolve(rec, nrec, groups, 0, 2), 2);

    /* Empty and all-ambiguous mates. */
    size_t before = nrec;
    classify_lookup_mate(&t, items, 0, &s, rec, &nrec, &groups);
    assert_int_equal(nrec, before);
    const uint64_t amb[] = {X, X};
    classify_lookup_mate(&t, amb, 2, &s, rec, &nrec, &groups);
    assert_int_equal(groups, 5);
    assert_int_equal(rec[nrec - 1], A);
    free_scratch(&s);
    free(kt.cells);
}

/* Brute force, as the facts sheet states it, over a taxonomy with ids < ntax. */
static uint32_t reference_resolve(const uint32_t *par, size_t ntax, const uint32_t *rec, size_t n, uint32_t groups,
                                  double conf, uint32_t min_groups)
{
    uint64_t *count = calloc(ntax, sizeof *count);
    assert_non_null(count);
    size_t total = 0;
    for (size_t i = 0; i < n; i++) {
        if (rec[i] != CLASSIFY_BORDER) total++;
        if (rec[i] != CLASSIFY_BORDER && rec[i] != CLASSIFY_AMBIG && rec[i] != 0) count[rec[i]]++;
    }
    uint64_t max = 0;
    uint32_t best = 0;
    for (uint32_t t = 1; t < ntax; t++) {
        if (!count[t]) continue;
        uint64_t score = 0;
        for (uint32_t u = 1; u < ntax; u++)
            if (count[u] && taxonomy_is_ancestor(par, u, t)) score += count[u];
        if (score > max) {
            max = score;
            best = t;
        } else if (score == max) {
            best = taxonomy_lca(par, best, t);
        }
    }
    double required = ceil(conf * (double)total);
    uint64_t support = best ? count[best] : 0;
    while (best && (double)support < required) {
        support = 0;
        for (uint32_t u = 1; u < ntax; u++)
            if (taxonomy_is_ancestor(par, best, u)) support += count[u];
        if ((double)support >= required) break;
        best = par[best];
    }
    free(count);
    if (best && groups < min_groups) best = 0;
    return best;
}

static void test_random_against_reference(void **state)
{
    (void)state;
    enum { NTAX = 400, MAXN = 3000 };
    uint32_t par[NTAX];
    uint32_t *rec = malloc(MAXN * sizeof *rec);
    assert_non_null(rec);
    /* The small scratch only has room for the distinct taxa, not for all hit runs. */
    classify_scratch_t big = new_scratch(MAXN), small = new_scratch(NTAX);
    static const double confs[] = {0, 0.05, 0.1, 0.2, 0.28, 0.5, 0.9, 1.0};
    for (int round = 0; round < 300; round++) {
        /* Random tree with parent < child; deeper or bushier by round. */
        par[0] = 0;
        par[1] = 0;
        for (uint32_t i = 2; i < NTAX; i++) {
            uint32_t back = 1 + (uint32_t)(test_rng_next(&rng) % (round % 2 ? 3 : i - 1));
            par[i] = i > back ? i - back : 1;
            if (par[i] == 0) par[i] = 1;
        }
        size_t n = (size_t)(test_rng_next(&rng) % (round % 5 == 0 ? MAXN : 300));
        uint32_t ntaxa = 1 + (uint32_t)(test_rng_next(&rng) % (round % 3 == 0 ? NTAX - 1 : 6));
        uint32_t base = 1 + (uint32_t)(test_rng_next(&rng) % (NTAX - ntaxa));
        for (size_t i = 0; i < n;) {
            uint64_t r = test_rng_next(&rng);
            uint32_t v = r % 5 == 0 ? 0 : r % 7 == 0 ? CLASSIFY_AMBIG : base + (uint32_t)((r >> 8) % ntaxa);
            for (size_t len = 1 + (r >> 40) % 8; len-- && i < n;) rec[i++] = v;
        }
        if (n > 2 && round % 2) rec[n / 2] = CLASSIFY_BORDER;
        uint32_t groups = (uint32_t)(test_rng_next(&rng) % 5);
        uint32_t min_groups = (uint32_t)(test_rng_next(&rng) % 4);
        double conf = confs[test_rng_next(&rng) % N_OF(confs)];
        classify_params_t p = {conf, min_groups};
        uint32_t got = classify_resolve(par, rec, n, groups, &p, round % 4 < 2 ? &small : &big);
        uint32_t want = reference_resolve(par, NTAX, rec, n, groups, conf, min_groups);
        if (got != want) fail_msg("round %d n=%zu conf=%g: got %u want %u", round, n, conf, got, want);
    }
    free_scratch(&big);
    free_scratch(&small);
    free(rec);
}

int main(void)
{
    rng.state = test_seed("test_classify");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_single_taxon),        cmocka_unit_test(test_path_score),
        cmocka_unit_test(test_ties_resolve_to_lca), cmocka_unit_test(test_confidence_rounding),
        cmocka_unit_test(test_confidence_walks_up), cmocka_unit_test(test_min_hit_groups),
        cmocka_unit_test(test_border_not_counted),  cmocka_unit_test(test_runs_beyond_scratch),
        cmocka_unit_test(test_hit_groups),          cmocka_unit_test(test_random_against_reference),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
