/* Unit tests for kernels/minimizer.c: fixed vectors and a brute-force reference
 * written straight from docs/KRAKEN2-COMPAT.md K1 (and K2's revcom_version 0 form), compared on
 * random sequences.
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
#include "minimizer.h"

static test_rng_t rng; /* seeded in main */

static int ref_code(char b)
{
    switch (b) {
    case 'A':
    case 'a': return 0;
    case 'C':
    case 'c': return 1;
    case 'G':
    case 'g': return 2;
    case 'T':
    case 't': return 3;
    default: return -1;
    }
}

/* Canonical masked value of the l-mer at seq[st..st+l): both strands spelled out. */
static uint64_t ref_lmer(const minimizer_params_t *p, const char *seq, size_t st)
{
    uint64_t f = 0, r = 0;
    for (int j = 0; j < p->l; j++) {
        f = f * 4 + (uint64_t)ref_code(seq[st + (size_t)j]);
        r = r * 4 + (uint64_t)(3 - ref_code(seq[st + (size_t)(p->l - 1 - j)]));
    }
    if (p->legacy_revcom) { /* pre-2.0.8: reverse all 32 digits of the word, complement, cut to l digits */
        r = 0;
        for (int j = 0; j < p->l; j++) {
            uint64_t d = 31 - j < p->l ? (f >> (2 * (31 - j))) & 3 : 0;
            r |= (3 - d) << (2 * j);
        }
    }
    return (f < r ? f : r) & p->mask;
}

/* The facts-sheet rule, position by position. */
static uint64_t ref_item(const minimizer_params_t *p, const char *seq, size_t e)
{
    long k = p->k, l = p->l, pe = (long)e, last = -1;
    for (long i = 0; i <= pe; i++)
        if (ref_code(seq[i]) < 0) last = i;
    int ambiguous = k > l ? last > pe - k + 1 : last >= pe - k + 1;
    if (ambiguous) return MINIMIZER_AMBIGUOUS;
    long from = pe - k + 1 > last + 1 ? pe - k + 1 : last + 1;
    uint64_t best_key = UINT64_MAX, best = 0;
    for (long st = from; st <= pe - l + 1; st++) {
        uint64_t c = ref_lmer(p, seq, (size_t)st);
        if ((c ^ p->toggle) < best_key) {
            best_key = c ^ p->toggle;
            best = c;
        }
    }
    return best;
}

static void random_seq(char *s, size_t n, int flavour)
{
    static const char acgt[] = "ACGTacgt";
    static const char odd[] = "NRYKMSWBDHVnx.-U";
    for (size_t i = 0; i < n; i++) {
        uint64_t r = test_rng_next(&rng);
        s[i] = acgt[r & (flavour ? 7 : 3)];
        if (flavour && (r >> 8) % 97 == 0) s[i] = odd[(r >> 20) % 16];
        if (flavour == 2 && (r >> 32) % 211 == 0) { /* a run of N */
            size_t len = (size_t)((r >> 40) % 60) + 1;
            for (size_t j = 0; j < len && i < n; j++) s[i++] = 'N';
            i--;
        }
    }
}

static void compare_with_reference(const minimizer_params_t *p, const char *seq, size_t n)
{
    uint64_t *out = malloc((n + 1) * sizeof *out);
    assert_non_null(out);
    size_t m = minimizer_scan(p, seq, n, out);
    assert_int_equal(m, n >= (size_t)p->k ? n - (size_t)p->k + 1 : 0);
    for (size_t i = 0; i < m; i++) {
        uint64_t want = ref_item(p, seq, i + (size_t)p->k - 1);
        if (out[i] != want)
            fail_msg("k=%d l=%d s=%d n=%zu item %zu: got %llx want %llx", p->k, p->l, p->spaced, n, i,
                     (unsigned long long)out[i], (unsigned long long)want);
    }
    free(out);
}

static void test_mask_constant(void **state)
{
    (void)state;
    assert_true(minimizer_spaced_mask(31, 7) == 0x3FFFFFFFF3333333ULL);
    assert_true(minimizer_spaced_mask(31, 0) == 0x3FFFFFFFFFFFFFFFULL);
    assert_true(minimizer_spaced_mask(4, 1) == 0xF3);
    minimizer_params_t p;
    minimizer_params_init(&p, 35, 31, 7);
    assert_true(p.mask == 0x3FFFFFFFF3333333ULL);
    assert_true(p.toggle == 0x237e28c4271b5a2dULL);
    minimizer_params_init(&p, 20, 15, 0);
    assert_true(p.mask == (1ULL << 30) - 1);
    assert_true(p.toggle == (0xe37e28c4271b5a2dULL & ((1ULL << 30) - 1)));
}

static void test_dna_code(void **state)
{
    (void)state;
    assert_int_equal(minimizer_dna_code['A'], 0);
    assert_int_equal(minimizer_dna_code['c'], 1);
    assert_int_equal(minimizer_dna_code['G'], 2);
    assert_int_equal(minimizer_dna_code['t'], 3);
    int acgt = 0;
    for (int b = 0; b < 256; b++) acgt += minimizer_dna_code[b] < 4;
    assert_int_equal(acgt, 8);
    assert_int_equal(minimizer_dna_code['N'], 4);
    assert_int_equal(minimizer_dna_code['U'], 4);
}

/* One isolated N: k-1 = 34 ambiguous items, the first k-mer starting at the N is kept. */
static void test_isolated_n(void **state)
{
    (void)state;
    minimizer_params_t p;
    minimizer_params_init(&p, 35, 31, 7);
    char seq[200];
    random_seq(seq, sizeof seq, 0);
    seq[100] = 'N';
    uint64_t out[200];
    size_t m = minimizer_scan(&p, seq, sizeof seq, out);
    assert_int_equal(m, 166);
    size_t amb = 0;
    for (size_t i = 0; i < m; i++) amb += out[i] == MINIMIZER_AMBIGUOUS;
    assert_int_equal(amb, 34);
    assert_true(out[65] != MINIMIZER_AMBIGUOUS);  /* bases 65..99: just before the N */
    assert_true(out[66] == MINIMIZER_AMBIGUOUS);  /* first k-mer containing the N (as last base) */
    assert_true(out[99] == MINIMIZER_AMBIGUOUS);  /* N is its second base */
    assert_true(out[100] != MINIMIZER_AMBIGUOUS); /* N is its first base: the quirk */
    /* A leading N: the first k-mer already counts. */
    seq[100] = 'A';
    seq[0] = 'n';
    m = minimizer_scan(&p, seq, sizeof seq, out);
    for (size_t i = 0; i < m; i++) assert_true(out[i] != MINIMIZER_AMBIGUOUS);
    /* A run of 50 Ns gives 34 + 49 ambiguous items. */
    memset(seq + 60, 'N', 50);
    m = minimizer_scan(&p, seq, sizeof seq, out);
    amb = 0;
    for (size_t i = 0; i < m; i++) amb += out[i] == MINIMIZER_AMBIGUOUS;
    assert_int_equal(amb, 83);
}

static void test_short_sequences(void **state)
{
    (void)state;
    minimizer_params_t p;
    minimizer_params_init(&p, 35, 31, 7);
    char seq[40];
    uint64_t out[40];
    random_seq(seq, sizeof seq, 0);
    assert_int_equal(minimizer_scan(&p, seq, 0, out), 0);
    assert_int_equal(minimizer_scan(&p, seq, 34, out), 0);
    assert_int_equal(minimizer_scan(&p, seq, 35, out), 1);
    compare_with_reference(&p, seq, 35);
    compare_with_reference(&p, seq, 36);
}

/* Reverse complement of a sequence gives the same minimizers in reverse order when no
 * ties in key can differ (they cannot: equal keys are equal values). */
static void test_strand_symmetry(void **state)
{
    (void)state;
    minimizer_params_t p;
    minimizer_params_init(&p, 35, 31, 7);
    enum { N = 1000 };
    char seq[N], rc[N];
    random_seq(seq, N, 0);
    for (size_t i = 0; i < N; i++) {
        static const char comp[4] = {'T', 'G', 'C', 'A'};
        rc[N - 1 - i] = comp[minimizer_dna_code[(unsigned char)seq[i]]];
    }
    uint64_t a[N], b[N];
    size_t m = minimizer_scan(&p, seq, N, a);
    assert_int_equal(minimizer_scan(&p, rc, N, b), m);
    for (size_t i = 0; i < m; i++) assert_true(a[i] == b[m - 1 - i]);
}

static void test_random_against_reference(void **state)
{
    (void)state;
    static const int
        params[][3] =
            {
                {35, 31, 7}, {35, 31, 0}, {31, 31, 7},  {31, 31, 0},  {12, 5, 1},
                {8, 8, 2},   {25, 15, 3}, {40, 10, 0},  {5, 1, 0},    {2, 1, 0},
                {1, 1, 0},   {70, 31, 7}, {34, 31, 15}, {600, 31, 7}, /* k longer than one internal chunk */
            };
    char seq[1400]; /* several internal chunks */
    for (size_t pi = 0; pi < sizeof params / sizeof params[0]; pi++) {
        minimizer_params_t p;
        minimizer_params_init(&p, params[pi][0], params[pi][1], params[pi][2]);
        for (int round = 0; round < 60; round++) {
            size_t n = (size_t)(test_rng_next(&rng) % sizeof seq);
            if (round < 4) n = (size_t)p.k - 1 + (size_t)round; /* around n == k */
            random_seq(seq, n, round % 3);
            p.legacy_revcom = round % 2; /* Kraken 2 databases with revcom_version 0 */
            compare_with_reference(&p, seq, n);
        }
    }
}

int main(void)
{
    rng.state = test_seed("test_minimizer");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mask_constant),   cmocka_unit_test(test_dna_code),
        cmocka_unit_test(test_isolated_n),      cmocka_unit_test(test_short_sequences),
        cmocka_unit_test(test_strand_symmetry), cmocka_unit_test(test_random_against_reference),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
