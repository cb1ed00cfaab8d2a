/* Unit tests for kernels/kmer_map.c: the layout is canonical (the same set of keys gives the
 * same arrays whatever the insertion order), keys come out ascending, repeats merge by LCA,
 * and rehashing keeps every entry. Seed: GB_TEST_SEED (default 12345, printed). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "test_util.h"
#include <cmocka.h>
#include "kmer_map.h"
#include "taxonomy.h"

static uint64_t seed; /* set in main */

/* root 1; 2 and 3 children of 1; 4 and 5 children of 2 */
static const uint32_t parent[] = {0, 0, 1, 1, 2, 2};

static kmer_map_t map_new(uint64_t cap)
{
    kmer_map_t m = {0};
    m.cap = cap;
    m.shift = 0;
    m.keys = calloc(cap + KMER_MAP_SLACK, sizeof *m.keys);
    m.vals = calloc(cap + KMER_MAP_SLACK, sizeof *m.vals);
    assert_non_null(m.keys);
    assert_non_null(m.vals);
    return m;
}

static void map_free(kmer_map_t *m)
{
    free(m->keys);
    free(m->vals);
}

static void insert_all(kmer_map_t *m, const uint64_t *keys, const uint32_t *taxa, size_t n)
{
    for (size_t i = 0; i < n; i++) assert_int_equal(kmer_map_insert(m, keys[i], taxa[i], parent), GB_OK);
}

static void test_canonical_layout(void **state)
{
    (void)state;
    enum { N = 6000, CAP = 10000 };
    test_rng_t s = {seed};
    uint64_t *keys = malloc(N * sizeof *keys);
    uint32_t *taxa = malloc(N * sizeof *taxa);
    for (size_t i = 0; i < N; i++) {
        keys[i] = test_rng_next(&s);
        taxa[i] = 4 + (uint32_t)(i & 1);
    }
    kmer_map_t a = map_new(CAP), b = map_new(CAP);
    insert_all(&a, keys, taxa, N);
    for (size_t i = N - 1; i > 0; i--) { /* shuffle, then insert again */
        size_t j = test_rng_next(&s) % (i + 1);
        uint64_t k = keys[i];
        keys[i] = keys[j];
        keys[j] = k;
        uint32_t t = taxa[i];
        taxa[i] = taxa[j];
        taxa[j] = t;
    }
    insert_all(&b, keys, taxa, N);
    assert_int_equal(a.count, N);
    assert_int_equal(b.count, N);
    assert_memory_equal(a.keys, b.keys, (CAP + KMER_MAP_SLACK) * sizeof *a.keys);
    uint64_t last = 0;
    int first = 1;
    for (size_t i = 0; i < CAP + KMER_MAP_SLACK; i++) {
        if (!a.keys[i]) continue;
        assert_int_equal(a.vals[i], b.vals[i]);
        if (!first) assert_true(a.keys[i] > last);
        last = a.keys[i];
        first = 0;
    }
    map_free(&a);
    map_free(&b);
    free(keys);
    free(taxa);
}

static void test_lca_merge(void **state)
{
    (void)state;
    kmer_map_t m = map_new(64);
    assert_int_equal(kmer_map_insert(&m, 42, 4, parent), GB_OK);
    assert_int_equal(kmer_map_insert(&m, 42, 5, parent), GB_OK); /* siblings -> 2 */
    assert_int_equal(kmer_map_insert(&m, 7, 3, parent), GB_OK);
    assert_int_equal(kmer_map_insert(&m, 42, 4, parent), GB_OK); /* LCA(2, 4) = 2 */
    assert_int_equal(m.count, 2);
    int seen = 0;
    for (size_t i = 0; i < m.cap + KMER_MAP_SLACK; i++) {
        if (!m.keys[i]) continue;
        if (m.keys[i] == 42) assert_int_equal(m.vals[i], 2);
        else assert_int_equal(m.vals[i], 3);
        seen++;
    }
    assert_int_equal(seen, 2);
    map_free(&m);
}

static void test_zero_key(void **state)
{
    (void)state;
    kmer_map_t m = map_new(64), big = map_new(256);
    assert_int_equal(kmer_map_insert(&m, 0, 4, parent), GB_OK);
    assert_int_equal(kmer_map_insert(&m, 0, 5, parent), GB_OK);
    assert_int_equal(kmer_map_insert(&m, 99, 3, parent), GB_OK);
    assert_int_equal(m.count, 2);
    assert_int_equal(m.zero_val, 2);
    assert_int_equal(kmer_map_rehash(&m, &big), GB_OK);
    assert_int_equal(big.zero_val, 2);
    assert_int_equal(big.count, 2);
    map_free(&m);
    map_free(&big);
}

static void test_full_and_rehash(void **state)
{
    (void)state;
    kmer_map_t small = map_new(16);
    test_rng_t s = {seed + 1};
    size_t inserted = 0;
    uint64_t keys[2000];
    for (size_t i = 0; i < 2000; i++) {
        keys[i] = test_rng_next(&s);
        if (kmer_map_insert(&small, keys[i], 3, parent) == GB_E_FULL) break;
        inserted++;
    }
    assert_true(inserted >= 16 && inserted < 2000); /* the slack filled, then refused */
    kmer_map_t big = map_new(4096);
    assert_int_equal(kmer_map_rehash(&small, &big), GB_OK);
    assert_int_equal(big.count, inserted);
    kmer_map_t direct = map_new(4096);
    for (size_t i = 0; i < inserted; i++) assert_int_equal(kmer_map_insert(&direct, keys[i], 3, parent), GB_OK);
    assert_memory_equal(big.keys, direct.keys, (4096 + KMER_MAP_SLACK) * sizeof *big.keys);
    for (size_t i = 0; i < 4096 + KMER_MAP_SLACK; i++)
        if (big.keys[i]) assert_int_equal(big.vals[i], direct.vals[i]);
    map_free(&small);
    map_free(&big);
    map_free(&direct);
}

int main(void)
{
    seed = test_seed("test_kmer_map");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_canonical_layout),
        cmocka_unit_test(test_lca_merge),
        cmocka_unit_test(test_zero_key),
        cmocka_unit_test(test_full_and_rehash),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
