/* Unit tests for kernels/kmer_table.c: sizing, round trip at load 0.9, LCA merge,
 * overflow and wrap-around, a full table, batch == scalar, false-positive rate.
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
#include "kmer_table.h"
#include "taxonomy.h"

static uint64_t seed; /* set in main */

/* Distinct keys: a bijection of the index (odd multiply + add, then splitmix64's mixer). */
static uint64_t key_of(uint64_t i) { return test_rng_mix(i * TEST_RNG_GAMMA + seed); }

static kmer_table_t new_table(uint64_t nbuckets, int value_bits)
{
    kmer_table_t t = {0};
    size_t bytes = (size_t)nbuckets * KMER_TABLE_BUCKET_CELLS * sizeof(uint32_t);
    t.cells = aligned_alloc(64, bytes);
    assert_non_null(t.cells);
    memset(t.cells, 0, bytes);
    t.nbuckets = nbuckets;
    t.value_bits = value_bits;
    return t;
}

/* A flat taxonomy: root 1, every other node 2..n-1 a child of the root. */
static uint32_t *flat_parents(size_t n)
{
    uint32_t *parent = calloc(n, sizeof *parent);
    assert_non_null(parent);
    for (size_t i = 2; i < n; i++) parent[i] = 1;
    return parent;
}

static void test_sizing(void **state)
{
    (void)state;
    assert_int_equal(kmer_table_value_bits(0), 1);
    assert_int_equal(kmer_table_value_bits(1), 1);
    assert_int_equal(kmer_table_value_bits(2), 1);
    assert_int_equal(kmer_table_value_bits(3), 2);
    assert_int_equal(kmer_table_value_bits(162), 8); /* the test DB */
    assert_int_equal(kmer_table_value_bits(256), 8);
    assert_int_equal(kmer_table_value_bits(257), 9);
    assert_int_equal(kmer_table_buckets_for(0, 0.7), 1);
    assert_int_equal(kmer_table_buckets_for(1, 0.7), 1);
    assert_int_equal(kmer_table_buckets_for(16, 0.95), 2);
    assert_int_equal(kmer_table_buckets_for(1500, 0.95), 99);
    assert_int_equal(kmer_table_buckets_for(1521, 0.95), 101);
    assert_int_equal(kmer_table_buckets_for(100000, 0.9), 6945);
}

static void test_round_trip(void **state)
{
    (void)state;
    enum { N = 100000, VB = 8 }; /* 24 key bits: fragment collisions are very rare */
    kmer_table_t t = new_table(kmer_table_buckets_for(N, 0.9), VB);
    uint32_t *parent = flat_parents(1u << VB);
    uint32_t *taxon = malloc(N * sizeof *taxon);
    assert_non_null(taxon);
    int merged = 0;
    for (uint64_t i = 0; i < N; i++) {
        taxon[i] = 2 + (uint32_t)(key_of(i + 7 * N) % ((1u << VB) - 2));
        int r = kmer_table_insert(&t, key_of(i), taxon[i], parent);
        assert_true(r == 0 || r == 1);
        merged += r == 0;
    }
    int wrong = 0;
    for (uint64_t i = 0; i < N; i++) {
        uint32_t got = kmer_table_lookup(&t, key_of(i));
        assert_true(got == taxon[i] || got == 1); /* 1 only after a fragment merge */
        wrong += got != taxon[i];
    }
    print_message("round trip: %d merges, %d changed values of %d\n", merged, wrong, N);
    assert_true(merged <= 5);
    assert_true(wrong <= 2 * merged);
    uint64_t used = 0;
    for (uint64_t c = 0; c < t.nbuckets * KMER_TABLE_BUCKET_CELLS; c++) used += t.cells[c] != 0;
    assert_int_equal(used, N - merged);
    free(taxon);
    free(parent);
    free(t.cells);
}

static void test_lca_merge(void **state)
{
    (void)state;
    /* 1 root; 2, 3 under 1; 4, 5 under 2 */
    const uint32_t parent[] = {0, 0, 1, 1, 2, 2};
    kmer_table_t t = new_table(4, 3);
    uint64_t m = key_of(1);
    assert_int_equal(kmer_table_lookup(&t, m), 0);
    assert_int_equal(kmer_table_insert(&t, m, 4, parent), 1);
    assert_int_equal(kmer_table_lookup(&t, m), 4);
    assert_int_equal(kmer_table_insert(&t, m, 4, parent), 0);
    assert_int_equal(kmer_table_lookup(&t, m), 4);
    assert_int_equal(kmer_table_insert(&t, m, 5, parent), 0);
    assert_int_equal(kmer_table_lookup(&t, m), 2);
    assert_int_equal(kmer_table_insert(&t, m, 3, parent), 0);
    assert_int_equal(kmer_table_lookup(&t, m), 1);
    assert_int_equal(kmer_table_insert(&t, m, 2, parent), 0);
    assert_int_equal(kmer_table_lookup(&t, m), 1);
    /* The pre-hashed entry point is the same operation. */
    assert_int_equal(kmer_table_insert_hashed(&t, kmer_table_hash(m), 4, parent), 0);
    assert_int_equal(kmer_table_lookup(&t, m), 1);
    assert_int_equal(kmer_table_insert_hashed(&t, kmer_table_hash(key_of(3)), 4, parent), 1);
    assert_int_equal(kmer_table_lookup(&t, key_of(3)), 4);
    /* A second key is independent. */
    assert_int_equal(kmer_table_insert(&t, key_of(2), 5, parent), 1);
    assert_int_equal(kmer_table_lookup(&t, key_of(2)), 5);
    assert_int_equal(kmer_table_lookup(&t, m), 1);
    free(t.cells);
}

/* Keys whose home is the last bucket fill it, then spill into bucket 0. */
static void test_overflow_wraps(void **state)
{
    (void)state;
    enum { NB = 4, NK = 20 };
    kmer_table_t t = new_table(NB, 8);
    uint32_t *parent = flat_parents(256);
    uint64_t keys[NK];
    int nk = 0;
    for (uint64_t i = 0; nk < NK; i++)
        if (kmer_table_home_bucket(&t, kmer_table_hash(key_of(i))) == NB - 1) keys[nk++] = key_of(i);
    for (int i = 0; i < NK; i++) assert_int_equal(kmer_table_insert(&t, keys[i], 2 + (uint32_t)i, parent), 1);
    const uint32_t *last = t.cells + (NB - 1) * KMER_TABLE_BUCKET_CELLS;
    for (int c = 0; c < KMER_TABLE_BUCKET_CELLS; c++) assert_int_equal(last[c] & 255, 2 + c);
    for (int c = 0; c < NK - KMER_TABLE_BUCKET_CELLS; c++)
        assert_int_equal(t.cells[c] & 255, 2 + KMER_TABLE_BUCKET_CELLS + c);
    assert_int_equal(t.cells[NK - KMER_TABLE_BUCKET_CELLS], 0);
    for (int i = 0; i < NK; i++) assert_int_equal(kmer_table_lookup(&t, keys[i]), 2 + (uint32_t)i);
    /* Fragment stored as the low key bits of the hash. */
    assert_int_equal(last[0] >> 8, (uint32_t)(kmer_table_hash(keys[0]) & 0xFFFFFF));
    /* Merging a spilled key finds its cell in bucket 0. */
    assert_int_equal(kmer_table_insert(&t, keys[NK - 1], 2, parent), 0);
    assert_int_equal(kmer_table_lookup(&t, keys[NK - 1]), 1);
    free(parent);
    free(t.cells);
}

static void test_full_table(void **state)
{
    (void)state;
    kmer_table_t t = new_table(1, 8);
    uint32_t *parent = flat_parents(256);
    uint32_t frags[KMER_TABLE_BUCKET_CELLS];
    for (int i = 0; i < KMER_TABLE_BUCKET_CELLS; i++) {
        assert_int_equal(kmer_table_insert(&t, key_of((uint64_t)i), 2 + (uint32_t)i, parent), 1);
        frags[i] = (uint32_t)(kmer_table_hash(key_of((uint64_t)i)) & 0xFFFFFF);
    }
    /* Find a new key whose fragment differs from all stored ones. */
    uint64_t extra = KMER_TABLE_BUCKET_CELLS;
    for (;; extra++) {
        uint32_t f = (uint32_t)(kmer_table_hash(key_of(extra)) & 0xFFFFFF);
        int clash = 0;
        for (int i = 0; i < KMER_TABLE_BUCKET_CELLS; i++) clash |= f == frags[i];
        if (!clash) break;
    }
    assert_int_equal(kmer_table_insert(&t, key_of(extra), 3, parent), GB_E_FULL);
    assert_int_equal(kmer_table_lookup(&t, key_of(extra)), 0);
    assert_int_equal(kmer_table_insert(&t, key_of(5), 3, parent), 0); /* merge still works */
    assert_int_equal(kmer_table_lookup(&t, key_of(5)), 1);
    for (int i = 0; i < KMER_TABLE_BUCKET_CELLS; i++)
        if (i != 5) assert_int_equal(kmer_table_lookup(&t, key_of((uint64_t)i)), 2 + (uint32_t)i);
    free(parent);
    free(t.cells);
}

static void test_batch_equals_scalar(void **state)
{
    (void)state;
    enum { N = 5000, Q = 3000 };
    kmer_table_t t = new_table(kmer_table_buckets_for(N, 0.8), 12);
    uint32_t *parent = flat_parents(1u << 12);
    for (uint64_t i = 0; i < N; i++)
        assert_true(kmer_table_insert(&t, key_of(i), 2 + (uint32_t)(i % 4000), parent) >= 0);
    uint64_t *q = malloc(Q * sizeof *q);
    uint32_t *out = malloc(Q * sizeof *out);
    assert_non_null(q);
    assert_non_null(out);
    for (size_t i = 0; i < Q; i++) {
        uint64_t r = key_of(10 * N + i);
        q[i] = r % 3 == 0 ? key_of(r % N) : r % 3 == 1 ? r : UINT64_MAX;
    }
    static const size_t sizes[] = {0, 1, 5, 16, 17, 33, Q};
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        memset(out, 0xAB, Q * sizeof *out);
        kmer_table_lookup_batch(&t, q, sizes[s], out);
        for (size_t i = 0; i < sizes[s]; i++)
            assert_int_equal(out[i], q[i] == UINT64_MAX ? 0 : kmer_table_lookup(&t, q[i]));
        if (sizes[s] < Q) assert_int_equal(out[sizes[s]], 0xABABABABu); /* no overrun */
    }
    free(q);
    free(out);
    free(parent);
    free(t.cells);
}

/* Number of occupied cells an absent key with hash h is compared with. */
static uint64_t cells_probed(const kmer_table_t *t, uint64_t h)
{
    uint64_t b = kmer_table_home_bucket(t, h), n = 0;
    for (uint64_t step = 0; step < t->nbuckets; step++, b = (b + 1) % t->nbuckets)
        for (int c = 0; c < KMER_TABLE_BUCKET_CELLS; c++) {
            if (t->cells[b * KMER_TABLE_BUCKET_CELLS + c] == 0) return n;
            n++;
        }
    return n;
}

static void test_false_positives(void **state)
{
    (void)state;
    enum { N = 100000, Q = 400000, VB = 20 }; /* 12 key bits, so false positives show */
    kmer_table_t t = new_table(kmer_table_buckets_for(N, 0.9), VB);
    uint32_t *parent = flat_parents(1u << VB);
    for (uint64_t i = 0; i < N; i++)
        assert_true(kmer_table_insert(&t, key_of(i), 2 + (uint32_t)(i % 1000), parent) >= 0);
    uint64_t fp = 0;
    double expect = 0;
    for (uint64_t i = 0; i < Q; i++) {
        uint64_t m = key_of(N + i);
        fp += kmer_table_lookup(&t, m) != 0;
        expect += (double)cells_probed(&t, kmer_table_hash(m)) / 4096.0;
    }
    print_message("false positives: %llu of %d absent keys, expected about %.0f\n", (unsigned long long)fp, Q, expect);
    /* Each compared cell matches with chance 2^-12: Poisson-like, allow 5 sigma. */
    assert_true(fabs((double)fp - expect) < 5 * sqrt(expect) + 5);
    free(parent);
    free(t.cells);
}

int main(void)
{
    seed = test_seed("test_kmer_table");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sizing),          cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_lca_merge),       cmocka_unit_test(test_overflow_wraps),
        cmocka_unit_test(test_full_table),      cmocka_unit_test(test_batch_equals_scalar),
        cmocka_unit_test(test_false_positives),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
