/* simreads (kernels/simreads.h): error-free reads are exact substrings of the genome on one
 * strand, mate 2 is the reverse complement of the fragment's end at the drawn insert size,
 * no read crosses a record boundary; the N rate and N qualities follow the model and bad
 * parameters are refused. The error profile of docs/SIMULATE.md (`gutbrain simulate`'s
 * parameters) is checked on 200,000 reads of a homopolymer genome, where every base that is
 * neither the strand's base nor N is a substitution: the substitution rate at the first,
 * middle and last positions and the N rate within 4 binomial standard deviations, the
 * qualities exactly. */
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "test_util.h"
#include <cmocka.h>
#include "simreads.h"

#define RL 50

static char comp(char b) { return b == 'A' ? 'T' : b == 'C' ? 'G' : b == 'G' ? 'C' : b == 'T' ? 'A' : 'N'; }

static void revcomp(const char *s, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++) out[i] = comp(s[n - 1 - i]);
}

/* Two records of random bases: 3000 and 700. */
static char *genome(simreads_genome_t *g, uint64_t *starts)
{
    size_t n = 3700;
    char *seq = malloc(n + 1);
    simrng_t r;
    simrng_seed(&r, 99, 0);
    for (size_t i = 0; i < n; i++) seq[i] = "ACGT"[simrng_below(&r, 4)];
    seq[n] = 0;
    starts[0] = 0, starts[1] = 3000, starts[2] = 3700;
    *g = (simreads_genome_t){.seq = seq, .rec_start = starts, .nrec = 2, .longest = 3000};
    return seq;
}

/* Offset of read in one record of seq (either strand), or -1. */
static long find_in_record(const char *seq, const uint64_t *starts, const char *read, int *reverse)
{
    char rc[RL + 1] = {0}, fw[RL + 1] = {0};
    memcpy(fw, read, RL);
    revcomp(read, RL, rc);
    for (int rec = 0; rec < 2; rec++)
        for (uint64_t p = starts[rec]; p + RL <= starts[rec + 1]; p++) {
            if (!memcmp(seq + p, fw, RL)) return *reverse = 0, (long)p;
            if (!memcmp(seq + p, rc, RL)) return *reverse = 1, (long)p;
        }
    return -1;
}

static void test_error_free_pairs(void **state)
{
    (void)state;
    simreads_genome_t g;
    uint64_t starts[3];
    char *seq = genome(&g, starts);
    simreads_model_t m = {.read_len = RL, .insert_mean = 200, .insert_sd = 20};
    assert_int_equal(simreads_model_init(&m), GB_OK);
    simrng_t r;
    simrng_seed(&r, 5, 1);
    char r1[RL], q1[RL], r2[RL], q2[RL];
    int reverse_seen[2] = {0, 0};
    for (int i = 0; i < 300; i++) {
        simreads_fragment(&r, &m, &g, r1, q1, r2, q2);
        int rev1, rev2;
        long p1 = find_in_record(seq, starts, r1, &rev1), p2 = find_in_record(seq, starts, r2, &rev2);
        assert_true(p1 >= 0 && p2 >= 0);
        assert_true(rev1 != rev2); /* the mates face each other */
        reverse_seen[rev1] = 1;
        long left = rev1 ? p2 : p1, right = rev1 ? p1 : p2; /* forward mate first on the genome */
        long insert = right + RL - left;
        assert_true(insert >= RL && insert <= 400);         /* 200 +- 10 sd */
        assert_true((left < 3000) == (right + RL <= 3000)); /* one record */
        for (int k = 0; k < RL; k++) assert_true(q1[k] >= '!' + 2 && q2[k] >= '!' + 2);
    }
    assert_true(reverse_seen[0] && reverse_seen[1]);
    simreads_model_destroy(&m);
    free(seq);
}

static void test_error_rates(void **state)
{
    (void)state;
    simreads_genome_t g;
    uint64_t starts[3];
    char *seq = genome(&g, starts);
    simreads_model_t m = {.read_len = RL, .err_first = 0.02, .err_last = 0.2, .n_rate = 0.01};
    assert_int_equal(simreads_model_init(&m), GB_OK);
    simrng_t r;
    simrng_seed(&r, 6, 1);
    char r1[RL], q1[RL];
    long n_bases = 0, n_n = 0, low_q = 0, reads = 20000;
    for (long i = 0; i < reads; i++) {
        simreads_fragment(&r, &m, &g, r1, q1, NULL, NULL);
        for (int k = 0; k < RL; k++) {
            n_bases++;
            n_n += r1[k] == 'N';
            if (r1[k] == 'N') assert_true(q1[k] == '!' + 2);
            low_q += q1[k] < '!' + 12;
        }
    }
    double n_frac = (double)n_n / (double)n_bases;
    assert_true(fabs(n_frac - 0.01) < 0.002);
    assert_true(low_q > 0);
    assert_int_equal(simreads_model_init(&(simreads_model_t){.read_len = 0}), GB_E_USAGE);
    assert_int_equal(simreads_model_init(&(simreads_model_t){.read_len = 10, .err_last = 0.7}), GB_E_USAGE);
    simreads_model_destroy(&m);
    free(seq);
}

/* |observed - expected| within 4 binomial standard deviations of n trials at rate p. */
static void assert_binomial(long hits, long n, double p)
{
    double sd = sqrt((double)n * p * (1 - p));
    if (fabs((double)hits - (double)n * p) > 4 * sd)
        fail_msg("%ld of %ld, expected %.1f +- %.1f (4 sd)", hits, n, (double)n * p, 4 * sd);
}

/* docs/SIMULATE.md "Reads": substitutions rising quadratically from 0.001 at the first base to
 * 0.02 at the last, N with probability 0.0005, quality -10 log10 of the position's error rate,
 * a substituted base 2-11, an N 2. A genome of one base (A) makes every read all A (forward) or
 * all T (reverse), so a substitution is any other base. */
#define PL 150
static void test_error_profile(void **state)
{
    (void)state;
    enum { READS = 200000 };
    char *seq = malloc(5000);
    memset(seq, 'A', 5000);
    uint64_t starts[2] = {0, 5000};
    simreads_genome_t g = {.seq = seq, .rec_start = starts, .nrec = 1, .longest = 5000};
    simreads_model_t m = {.read_len = PL, .err_first = 0.001, .err_last = 0.02, .n_rate = 0.0005};
    assert_int_equal(simreads_model_init(&m), GB_OK);
    simrng_t r;
    simrng_seed(&r, 7, 1);
    static long subst[PL], sub_q[16];
    long n_total = 0;
    char rd[PL], q[PL];
    for (long i = 0; i < READS; i++) {
        simreads_fragment(&r, &m, &g, rd, q, NULL, NULL);
        int a = 0;
        for (int k = 0; k < PL; k++) a += rd[k] == 'A';
        char base = a > PL / 2 ? 'A' : 'T'; /* at most a few errors per read */
        for (int k = 0; k < PL; k++) {
            int qual = q[k] - 33;
            if (rd[k] == 'N') {
                n_total++;
                assert_int_equal(qual, 2);
            } else if (rd[k] != base) {
                subst[k]++;
                assert_true(qual >= 2 && qual <= 11);
                sub_q[qual]++;
            } else {
                double x = (double)k / (PL - 1), e = 0.001 + (0.02 - 0.001) * x * x;
                assert_int_equal(qual, (int)lround(-10 * log10(e)));
            }
        }
    }
    /* The model's ends: Q30 and Q17 (-10 log10 0.02 = 16.99). */
    assert_int_equal(m.qual[0] - 33, 30);
    assert_int_equal(m.qual[PL - 1] - 33, 17);
    /* One draw per base: [0, n) is an N, [n, n + e) a substitution, so P(substitution) = e. */
    const int pos[] = {0, PL / 2, PL - 1};
    for (int j = 0; j < 3; j++) {
        int k = pos[j];
        double x = (double)k / (PL - 1), e = 0.001 + (0.02 - 0.001) * x * x;
        assert_binomial(subst[k], READS, e);
    }
    assert_binomial(n_total, (long)READS * PL, 0.0005);
    for (int v = 2; v <= 11; v++) assert_true(sub_q[v] > 0); /* every low quality occurs */
    simreads_model_destroy(&m);
    free(seq);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_error_free_pairs),
        cmocka_unit_test(test_error_rates),
        cmocka_unit_test(test_error_profile),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
