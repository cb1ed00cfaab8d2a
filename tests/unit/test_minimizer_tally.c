/* Unit tests for kernels/minimizer_tally.c: the --report-minimizer-data counts from hand-made
 * events and from classify_lookup_mate's scratch, exact distinct counts, and the same result
 * however the events are split over per-thread tallies (1 vs 2 vs 5 "threads").
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
#include "minimizer_tally.h"

#define NTAXA 8

static test_rng_t rng; /* seeded in main */

static void tally_init(minimizer_tally_t *t) { assert_int_equal(minimizer_tally_init(t, NTAXA), GB_OK); }

static void test_hand_made_events(void **state)
{
    (void)state;
    minimizer_tally_t t;
    tally_init(&t);
    /* taxon 3: m 10, 11, 10, 10 -> 4 events, 2 distinct; taxon 5: m 10 (same value, other
     * taxon: a pair of its own), 0 and UINT64_MAX (any 64-bit value is a minimizer here) */
    const struct {
        uint32_t taxon;
        uint64_t m;
    } ev[] = {{3, 10}, {3, 11}, {3, 10}, {5, 10}, {3, 10}, {5, 0}, {5, UINT64_MAX}, {5, 0}};
    for (size_t i = 0; i < sizeof ev / sizeof ev[0]; i++)
        assert_int_equal(minimizer_tally_add(&t, ev[i].taxon, ev[i].m), GB_OK);
    uint64_t distinct[NTAXA];
    minimizer_tally_distinct(&t, distinct);
    const uint64_t want_events[NTAXA] = {0, 0, 0, 4, 0, 4, 0, 0}, want_distinct[NTAXA] = {0, 0, 0, 2, 0, 3, 0, 0};
    assert_memory_equal(t.events, want_events, sizeof want_events);
    assert_memory_equal(distinct, want_distinct, sizeof want_distinct);
    assert_int_equal(t.count, 5);
    /* taxon 0 (a miss) and ids past the taxonomy are not events */
    assert_int_equal(minimizer_tally_add(&t, 0, 1), GB_E_USAGE);
    assert_int_equal(minimizer_tally_add(&t, NTAXA, 1), GB_E_USAGE);
    assert_int_equal(t.count, 5);
    minimizer_tally_free(&t);
    minimizer_tally_free(&t); /* a zeroed tally frees as a no-op */
}

/* The lookups classify_lookup_mate leaves in the scratch: only hits are events. */
static void test_add_mate(void **state)
{
    (void)state;
    classify_scratch_t s = {0};
    assert_int_equal(classify_scratch_init(&s, 8), GB_OK);
    const uint64_t looked[] = {1001, 1002, 1001, 1003, 1002};
    const uint32_t found[] = {3, 4, 3, 0, 4};
    memcpy(s.distinct, looked, sizeof looked);
    memcpy(s.found, found, sizeof found);
    s.lookups = 5;
    minimizer_tally_t t;
    tally_init(&t);
    assert_int_equal(minimizer_tally_add_mate(&t, &s), GB_OK);
    uint64_t distinct[NTAXA];
    minimizer_tally_distinct(&t, distinct);
    assert_int_equal(t.events[3], 2);
    assert_int_equal(t.events[4], 2);
    assert_int_equal(t.events[0], 0);
    assert_int_equal(distinct[3], 1);
    assert_int_equal(distinct[4], 1);
    s.lookups = 0; /* as after classify_resolve: nothing more to add */
    assert_int_equal(minimizer_tally_add_mate(&t, &s), GB_OK);
    assert_int_equal(t.count, 2);
    minimizer_tally_free(&t);
    classify_scratch_free(&s);
}

/* Many events (the set grows well past its first size) split round-robin over nthreads
 * tallies, merged into the first: events and distinct counts equal a plain count. */
static void split_and_merge(const uint32_t *taxa, const uint64_t *ms, size_t n, int nthreads, uint64_t *events,
                            uint64_t *distinct)
{
    minimizer_tally_t t[5];
    for (int k = 0; k < nthreads; k++) tally_init(&t[k]);
    for (size_t i = 0; i < n; i++) assert_int_equal(minimizer_tally_add(&t[i % nthreads], taxa[i], ms[i]), GB_OK);
    for (int k = 1; k < nthreads; k++) assert_int_equal(minimizer_tally_merge(&t[0], &t[k]), GB_OK);
    memcpy(events, t[0].events, NTAXA * sizeof *events);
    minimizer_tally_distinct(&t[0], distinct);
    for (int k = 0; k < nthreads; k++) minimizer_tally_free(&t[k]);
}

static void test_threads_agree(void **state)
{
    (void)state;
    enum { N = 60000, RANGE = 20000 };
    uint32_t *taxa = malloc(N * sizeof *taxa);
    uint64_t *ms = malloc(N * sizeof *ms);
    uint8_t *seen = calloc((size_t)NTAXA * RANGE, 1);
    assert_true(taxa && ms && seen);
    uint64_t want_events[NTAXA] = {0}, want_distinct[NTAXA] = {0};
    for (size_t i = 0; i < N; i++) {
        taxa[i] = 1 + (uint32_t)(test_rng_next(&rng) % (NTAXA - 1));
        uint64_t v = test_rng_next(&rng) % RANGE;
        ms[i] = v * 0x100000001ull; /* spread over 64 bits, still colliding often */
        want_events[taxa[i]]++;
        if (!seen[(size_t)taxa[i] * RANGE + v]++) want_distinct[taxa[i]]++;
    }
    for (int nthreads = 1; nthreads <= 5; nthreads += 1) {
        uint64_t events[NTAXA], distinct[NTAXA];
        split_and_merge(taxa, ms, N, nthreads, events, distinct);
        assert_memory_equal(events, want_events, sizeof events);
        assert_memory_equal(distinct, want_distinct, sizeof distinct);
    }
    minimizer_tally_t a, b;
    assert_int_equal(minimizer_tally_init(&a, NTAXA), GB_OK);
    assert_int_equal(minimizer_tally_init(&b, NTAXA + 1), GB_OK);
    assert_int_equal(minimizer_tally_merge(&a, &b), GB_E_USAGE);
    minimizer_tally_free(&a);
    minimizer_tally_free(&b);
    free(taxa);
    free(ms);
    free(seen);
}

int main(void)
{
    rng.state = test_seed("test_minimizer_tally");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hand_made_events),
        cmocka_unit_test(test_add_mate),
        cmocka_unit_test(test_threads_agree),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
