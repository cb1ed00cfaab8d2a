/* simcomm (kernels/simcomm.h): the cohort draws have the configured spread of mean log-abundance
 * and the configured logistic prevalence (intercept, slope, noise); the sample draws reproduce
 * the prevalence and the sd of log-abundance when present, multiply cells by exp(shift), fall
 * back to the most prevalent genome when none is present, and give valid cumulative read
 * probabilities. Tolerances are about 4 standard errors of the estimate. */
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
#include "simcomm.h"

/* least-squares fit of y on x: slope, intercept and residual sd */
static void fit_line(const double *x, const double *y, size_t n, double *slope, double *icept, double *sd)
{
    double mx = 0, my = 0, sxx = 0, sxy = 0, ss = 0;
    for (size_t i = 0; i < n; i++) mx += x[i] / (double)n, my += y[i] / (double)n;
    for (size_t i = 0; i < n; i++) sxx += (x[i] - mx) * (x[i] - mx), sxy += (x[i] - mx) * (y[i] - my);
    *slope = sxy / sxx;
    *icept = my - *slope * mx;
    for (size_t i = 0; i < n; i++) {
        double e = y[i] - *icept - *slope * x[i];
        ss += e * e;
    }
    *sd = sqrt(ss / (double)(n - 2));
}

static void test_cohort(void **state)
{
    (void)state;
    enum { N = 20000 };
    simcomm_params_t p = {.mu_sd = 1.5, .prev_logit = -2.0, .prev_slope = 0.8, .prev_sd = 1.2, .sample_sd = 1};
    double *mu = malloc(N * sizeof *mu), *prev = malloc(N * sizeof *prev), *z = malloc(N * sizeof *z);
    double *logit = malloc(N * sizeof *logit);
    simrng_t r;
    simrng_seed(&r, 3, 0);
    simcomm_cohort(&r, &p, N, mu, prev);
    double m = 0, v = 0;
    for (size_t g = 0; g < N; g++) m += mu[g] / N;
    for (size_t g = 0; g < N; g++) v += (mu[g] - m) * (mu[g] - m) / (N - 1);
    assert_true(fabs(m) < 0.05);                 /* se 1.5 / sqrt(N) = 0.011 */
    assert_true(fabs(sqrt(v) - p.mu_sd) < 0.04); /* se 1.5 / sqrt(2N) = 0.0075 */
    for (size_t g = 0; g < N; g++) {
        z[g] = mu[g] / p.mu_sd;
        logit[g] = log(prev[g] / (1 - prev[g]));
    }
    double slope, icept, sd;
    fit_line(z, logit, N, &slope, &icept, &sd);
    assert_true(fabs(slope - p.prev_slope) < 0.04); /* se 1.2 / sqrt(N) = 0.0085 */
    assert_true(fabs(icept - p.prev_logit) < 0.04);
    assert_true(fabs(sd - p.prev_sd) < 0.03);
    free(mu);
    free(prev);
    free(z);
    free(logit);
}

static void test_samples(void **state)
{
    (void)state;
    enum { G = 40, S = 5000 };
    simcomm_params_t p = {.mu_sd = 2, .prev_logit = 0, .prev_slope = 0, .prev_sd = 0, .sample_sd = 0.7};
    double mu[G], prev[G], shift[G], cells[G], cum[G], base[G];
    uint64_t length[G];
    for (size_t g = 0; g < G; g++) {
        mu[g] = -3.0 + 0.15 * (double)g;
        prev[g] = 0.05 + 0.9 * (double)g / (G - 1);
        shift[g] = g == 7 ? log(8.0) : 0.0;
        length[g] = 1000000 + 50000 * g;
    }
    long present[G] = {0}, n_present = 0;
    double sum = 0, sum2 = 0;
    simrng_t r, r0;
    simrng_seed(&r, 4, 0);
    for (long s = 0; s < S; s++) {
        r0 = r;
        simcomm_sample(&r0, &p, G, mu, prev, NULL, length, base, cum);
        simcomm_sample(&r, &p, G, mu, prev, shift, length, cells, cum);
        for (size_t g = 0; g < G; g++) {
            /* the same draws with a shift: cells scaled by exp(shift) exactly */
            assert_true(fabs(cells[g] - base[g] * exp(shift[g])) <= 1e-12 * cells[g]);
            if (cells[g] == 0) continue;
            present[g]++;
            double e = log(cells[g]) - mu[g] - shift[g];
            sum += e, sum2 += e * e, n_present++;
        }
        for (size_t g = 1; g < G; g++) assert_true(cum[g] >= cum[g - 1]);
        assert_true(cum[G - 1] == 1.0);
        assert_true(simcomm_pick(cum, G, 0.0) <= simcomm_pick(cum, G, 0.999999));
    }
    for (size_t g = 0; g < G; g++) { /* se of a prevalence <= sqrt(0.25 / S) = 0.0071 */
        double got = (double)present[g] / S;
        assert_true(fabs(got - prev[g]) < 0.03);
    }
    double mean = sum / (double)n_present, sd = sqrt(sum2 / (double)n_present - mean * mean);
    assert_true(fabs(mean) < 0.02);             /* se 0.7 / sqrt(100000) = 0.0022 */
    assert_true(fabs(sd - p.sample_sd) < 0.01); /* se about 0.0016 */
}

static int desc(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x < y) - (x > y);
}

/* The pool keeps exactly the n highest prevalences of the pool's draws (with their own mu), and
 * hands them out in a shuffled order; pool <= n draws like simcomm_cohort. */
static void test_pool(void **state)
{
    (void)state;
    enum { POOL = 2900, N = 58 };
    simcomm_params_t p = simcomm_defaults;
    double mu[POOL], prev[POOL], kmu[N], kprev[N], sorted[N];
    simcomm_species_t work[POOL];
    simrng_t r, q;
    simrng_seed(&r, 9, 0);
    simrng_seed(&q, 9, 0);
    simcomm_cohort(&q, &p, POOL, mu, prev); /* the same stream: the pool's draws */
    simcomm_cohort_pool(&r, &p, N, POOL, kmu, kprev, work);
    memcpy(sorted, kprev, sizeof sorted);
    qsort(sorted, N, sizeof *sorted, desc);
    double all[POOL];
    memcpy(all, prev, sizeof all);
    qsort(all, POOL, sizeof *all, desc);
    int moved = 0;
    for (size_t g = 0; g < N; g++) {
        assert_true(sorted[g] == all[g]); /* the top N of the pool, nothing else */
        size_t i = 0;
        while (i < POOL && prev[i] != kprev[g]) i++;
        assert_true(i < POOL && mu[i] == kmu[g]); /* each keeps its own mean abundance */
        moved += g > 0 && kprev[g] > kprev[g - 1];
    }
    assert_true(moved > 10);          /* shuffled, not handed out in descending order */
    assert_true(sorted[N - 1] > 0.3); /* the pool's top 2 % are common species */
    simrng_seed(&r, 9, 0);
    simrng_seed(&q, 9, 0);
    simcomm_cohort_pool(&r, &p, N, N, kmu, kprev, work);
    simcomm_cohort(&q, &p, N, mu, prev);
    assert_memory_equal(kmu, mu, sizeof kmu);
    assert_memory_equal(kprev, prev, sizeof kprev);
}

static void test_none_present(void **state)
{
    (void)state;
    simcomm_params_t p = simcomm_defaults;
    double mu[3] = {0, 1, 2}, prev[3] = {0, 0, 0}, cells[3], cum[3];
    uint64_t length[3] = {10, 10, 10};
    prev[1] = 1e-300; /* the most prevalent, in practice never drawn */
    simrng_t r;
    simrng_seed(&r, 5, 0);
    simcomm_sample(&r, &p, 3, mu, prev, NULL, length, cells, cum);
    assert_true(cells[0] == 0 && cells[1] == exp(1.0) && cells[2] == 0);
    assert_int_equal(simcomm_pick(cum, 3, 0.5), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cohort),
        cmocka_unit_test(test_samples),
        cmocka_unit_test(test_pool),
        cmocka_unit_test(test_none_present),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
