/* Unit tests for kernels/kmer_sort.c: partitions are contiguous and ascending, sorting merges
 * equal hashes by LCA, and the result is the same for any order of the pairs and any cut into
 * sorted runs. Seed: GB_TEST_SEED (default 12345, printed). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "test_util.h"
#include <cmocka.h>
#include "kmer_sort.h"
#include "taxonomy.h"

static uint64_t seed; /* set in main */

/* root 1; 2 and 3 children of 1; 4 and 5 children of 2 */
static const uint32_t parent[] = {0, 0, 1, 1, 2, 2};

static uint64_t rnd(uint64_t *s)
{
    *s += 0x9E3779B97F4A7C15ULL;
    uint64_t z = *s;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

#define N 20000

static void test_sort_merge_any_order(void **state)
{
    (void)state;
    uint64_t s = seed, *h = malloc(N * 8), *h2 = malloc(N * 8), *hs = malloc(N * 8);
    uint32_t *t = malloc(N * 4), *t2 = malloc(N * 4), *ts = malloc(N * 4);
    uint64_t start[(1u << 12) + 1];
    for (size_t i = 0; i < N; i++) {
        h[i] = rnd(&s);
        if (i % 5 == 4) h[i] = h[i - 3]; /* repeats, merged by LCA */
        t[i] = 2 + (uint32_t)(rnd(&s) % 4);
    }
    /* partition, sort each partition, and check ascending, distinct, LCA-merged */
    kmer_sort_partition(h, t, N, 12, h2, t2, start);
    assert_int_equal(start[0], 0);
    assert_int_equal(start[1u << 12], N);
    size_t total = 0;
    for (unsigned p = 0; p < (1u << 12); p++) {
        size_t a = start[p], n = start[p + 1] - a;
        for (size_t i = a; i < a + n; i++) assert_int_equal(h2[i] >> 52, p);
        size_t d = kmer_sort_merge(h2 + a, t2 + a, n, 12, hs, ts, parent);
        for (size_t i = 1; i < d; i++) assert_true(h2[a + i - 1] < h2[a + i]);
        for (size_t i = 0; i < d; i++) { /* the LCA of every taxon of that hash */
            uint32_t want = 0;
            for (size_t j = 0; j < N; j++)
                if (h[j] == h2[a + i]) want = taxonomy_lca(parent, want, t[j]);
            if (i % 97 == 0) assert_int_equal(t2[a + i], want); /* a sample: the scan is quadratic */
        }
        total += d;
    }
    /* sorted runs merged pairwise give the same pairs as one radix sort of everything */
    size_t bounds[6] = {0, 3000, 7000, 7001, 15000, N};
    uint64_t *hr = malloc(N * 16);
    uint32_t *tr = malloc(N * 8);
    size_t nb = 0;
    for (int r = 0; r < 5; r++) {
        size_t n = bounds[r + 1] - bounds[r];
        memcpy(hr + nb, h + bounds[r], n * 8);
        memcpy(tr + nb, t + bounds[r], n * 4);
        size_t d = kmer_sort_merge(hr + nb, tr + nb, n, 0, hs, ts, parent);
        bounds[r] = nb;
        nb += d;
    }
    bounds[5] = nb;
    size_t d = kmer_sort_merge_runs(hr, tr, bounds, 5, hr + N, tr + N, parent);
    memcpy(hs, h, N * 8);
    memcpy(ts, t, N * 4);
    size_t d_all = kmer_sort_merge(hs, ts, N, 0, h2, t2, parent);
    assert_int_equal(d, d_all);
    assert_int_equal(d, total);
    assert_memory_equal(hr, hs, d * 8);
    assert_memory_equal(tr, ts, d * 4);
    free(h), free(h2), free(hs), free(t), free(t2), free(ts), free(hr), free(tr);
}

int main(void)
{
    seed = test_seed("test_kmer_sort");
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_sort_merge_any_order)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
