/* Unit tests for kernels/kmer_distrib.c: Kraken's call on hand-made multisets, windows along
 * hand-made hit runs (computed by hand), the sliding scan against a window-by-window recount
 * on random runs, and the order of Bracken's table.
 * Seed: GB_TEST_SEED environment variable, default 12345 (printed). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "test_util.h"
#include <cmocka.h>
#include "kmer_distrib.h"

static uint64_t seed; /* set in main */

/* 1 root; 2, 3 genera under it; 4, 5 species of 2; 6 a species of 3. */
static const uint32_t parent[] = {0, 0, 1, 1, 2, 2, 3};
#define NTAXA 7

static uint32_t call_of(const uint32_t *taxa, const uint32_t *counts, size_t n)
{
    return kmer_distrib_call(parent, taxa, counts, n);
}

static void test_call(void **state)
{
    (void)state;
    assert_int_equal(call_of(NULL, NULL, 0), 0);
    assert_int_equal(call_of((uint32_t[]){1}, (uint32_t[]){3}, 1), 1);
    /* a tie between siblings goes to their parent */
    assert_int_equal(call_of((uint32_t[]){4, 5}, (uint32_t[]){2, 2}, 2), 2);
    /* the genus k-mer counts for both species: 3 against 3, still the genus */
    assert_int_equal(call_of((uint32_t[]){4, 2, 5}, (uint32_t[]){2, 1, 2}, 3), 2);
    /* 4 scores its own 1 plus its genus' 3 and beats 6 with 3 */
    assert_int_equal(call_of((uint32_t[]){4, 2, 6}, (uint32_t[]){1, 3, 3}, 3), 4);
    /* root k-mers add to every score: 7 against 7, the LCA of different genera is the root */
    assert_int_equal(call_of((uint32_t[]){4, 6, 1}, (uint32_t[]){2, 2, 5}, 3), 1);
    assert_int_equal(call_of((uint32_t[]){4, 6}, (uint32_t[]){1, 2}, 2), 6);
}

/* The scan's calls as "taxon:windows ..." in first-called order. */
static void expect_scan(kmer_distrib_scan_t *s, const kmer_distrib_run_t *runs, size_t nruns, uint32_t window,
                        const char *want)
{
    char got[256] = "";
    assert_int_equal(kmer_distrib_scan(s, parent, runs, nruns, window), GB_OK);
    for (size_t i = 0; i < s->ncalls; i++)
        snprintf(got + strlen(got), sizeof got - strlen(got), "%s%u:%llu", i ? " " : "", s->calls[i].taxon,
                 (unsigned long long)s->calls[i].windows);
    assert_string_equal(got, want);
}

static void test_scan_by_hand(void **state)
{
    (void)state;
    kmer_distrib_scan_t s;
    assert_int_equal(kmer_distrib_scan_init(&s, NTAXA), GB_OK);
    /* k-mers 4 4 4 0 0 6 6 4 */
    const kmer_distrib_run_t runs[] = {{4, 3}, {0, 2}, {6, 2}, {4, 1}};
    /* 444 440 400 -> 4; 006 066 664 -> 6 */
    expect_scan(&s, runs, 4, 3, "4:3 6:3");
    /* 4440 4400 -> 4; 4006 a tie -> root; 0066 0664 -> 6 */
    expect_scan(&s, runs, 4, 4, "4:2 1:1 6:2");
    expect_scan(&s, runs, 4, 8, "4:1");
    expect_scan(&s, runs, 4, 9, "");
    /* only unclassified k-mers; empty runs are skipped */
    expect_scan(&s, (kmer_distrib_run_t[]){{0, 2}, {5, 0}, {0, 3}}, 3, 2, "0:4");
    /* the root alone is a call; a sibling tie over a long stretch stays the genus */
    expect_scan(&s, (kmer_distrib_run_t[]){{1, 2}, {4, 1}, {5, 1}, {4, 1}, {5, 1}}, 5, 2, "1:1 4:1 2:3");
    assert_int_equal(kmer_distrib_scan(&s, parent, runs, 4, 0), GB_E_USAGE);
    assert_int_equal(kmer_distrib_scan(&s, parent, (kmer_distrib_run_t[]){{7, 1}}, 1, 1), GB_E_USAGE);
    kmer_distrib_scan_free(&s);
}

/* Random runs over the small taxonomy: the sliding scan equals classifying each window anew. */
static void test_scan_equals_recount(void **state)
{
    (void)state;
    test_rng_t rng = {seed};
    kmer_distrib_scan_t s;
    assert_int_equal(kmer_distrib_scan_init(&s, NTAXA), GB_OK);
    for (int round = 0; round < 300; round++) {
        kmer_distrib_run_t runs[40];
        uint32_t kmers[40 * 12];
        size_t nruns = 1 + test_rng_next(&rng) % 40, nk = 0;
        for (size_t i = 0; i < nruns; i++) {
            runs[i].taxon = (uint32_t)(test_rng_next(&rng) % NTAXA);
            runs[i].count = (uint32_t)(test_rng_next(&rng) % 12);
            for (uint32_t j = 0; j < runs[i].count; j++) kmers[nk++] = runs[i].taxon;
        }
        uint32_t window = 1 + (uint32_t)(test_rng_next(&rng) % 30);
        uint64_t want[NTAXA] = {0};
        for (size_t start = 0; start + window <= nk; start++) {
            uint32_t counts[NTAXA] = {0}, taxa[NTAXA], c[NTAXA];
            size_t n = 0;
            for (size_t j = start; j < start + window; j++) counts[kmers[j]]++;
            for (uint32_t t = 1; t < NTAXA; t++)
                if (counts[t]) taxa[n] = t, c[n++] = counts[t];
            want[call_of(taxa, c, n)]++;
        }
        assert_int_equal(kmer_distrib_scan(&s, parent, runs, nruns, window), GB_OK);
        uint64_t got[NTAXA] = {0};
        for (size_t i = 0; i < s.ncalls; i++) got[s.calls[i].taxon] += s.calls[i].windows;
        assert_memory_equal(got, want, sizeof want);
    }
    kmer_distrib_scan_free(&s);
}

/* Bracken's order: genomes by first sequence, each genome's taxa as first met (a sequence's
 * ascending), cells by genome; totals over all sequences of a genome. */
static void test_table_order(void **state)
{
    (void)state;
    kmer_distrib_t d = {0};
    assert_int_equal(kmer_distrib_add(&d, 100, (kmer_distrib_call_t[]){{200, 3}, {100, 5}}, 2), GB_OK);
    assert_int_equal(kmer_distrib_add(&d, 300, (kmer_distrib_call_t[]){{300, 4}, {0, 1}}, 2), GB_OK);
    assert_int_equal(kmer_distrib_add(&d, 100, (kmer_distrib_call_t[]){{0, 2}, {200, 1}}, 2), GB_OK);
    assert_int_equal(kmer_distrib_add(&d, 400, NULL, 0), GB_OK); /* no window: not listed */
    assert_int_equal(kmer_distrib_finish(&d), GB_OK);
    char got[512] = "";
    for (size_t r = 0; r < d.nrows; r++) {
        snprintf(got + strlen(got), sizeof got - strlen(got), "%u\t", d.rows[r].mapped);
        for (size_t i = d.rows[r].first; i < d.rows[r].first + d.rows[r].n; i++)
            snprintf(got + strlen(got), sizeof got - strlen(got), "%u:%llu:%llu ", d.cells[i].genome,
                     (unsigned long long)d.cells[i].windows, (unsigned long long)d.cells[i].total);
        snprintf(got + strlen(got), sizeof got - strlen(got), "\n");
    }
    assert_string_equal(got, "100\t100:5:11 \n"
                             "200\t100:4:11 \n"
                             "0\t100:2:11 300:1:5 \n"
                             "300\t300:4:5 \n");
    kmer_distrib_free(&d);
}

int main(void)
{
    seed = test_seed("test_kmer_distrib");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_call),
        cmocka_unit_test(test_scan_by_hand),
        cmocka_unit_test(test_scan_equals_recount),
        cmocka_unit_test(test_table_order),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
