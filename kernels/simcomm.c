/* Log-normal compositions with prevalence (simcomm.h). */
#include "simcomm.h"
#include <math.h>
#include <stdlib.h>

/* Maximum-likelihood fit to 1,431 species x 97 stool metagenomes (Vasileva 2024), rounded to two
 * significant digits: benchmarks/sim_calibration.sh, docs/SIMULATE.md "Calibration". */
const simcomm_params_t simcomm_defaults = {
    .mu_sd = 1.2, .prev_logit = -5.0, .prev_slope = 0.83, .prev_sd = 2.1, .sample_sd = 1.0};

void simcomm_cohort(simrng_t *r, const simcomm_params_t *p, size_t n, double *mu, double *prev)
{
    for (size_t g = 0; g < n; g++) {
        mu[g] = p->mu_sd * simrng_normal(r);
        double x =
            p->prev_logit + p->prev_slope * (p->mu_sd > 0 ? mu[g] / p->mu_sd : 0) + p->prev_sd * simrng_normal(r);
        prev[g] = 1.0 / (1.0 + exp(-x));
    }
}

static int by_prev_desc(const void *a, const void *b)
{
    const simcomm_species_t *x = a, *y = b;
    if (x->prev != y->prev) return x->prev > y->prev ? -1 : 1;
    return (x->draw > y->draw) - (x->draw < y->draw);
}

void simcomm_cohort_pool(simrng_t *r, const simcomm_params_t *p, size_t n, size_t pool, double *mu, double *prev,
                         simcomm_species_t *work)
{
    if (pool <= n) {
        simcomm_cohort(r, p, n, mu, prev);
        return;
    }
    for (size_t i = 0; i < pool; i++) { /* the same draws, in the same order, as simcomm_cohort */
        simcomm_cohort(r, p, 1, &work[i].mu, &work[i].prev);
        work[i].draw = i;
    }
    qsort(work, pool, sizeof *work, by_prev_desc);
    for (size_t g = 0; g < n; g++) { /* partial Fisher-Yates over the n kept species */
        size_t j = g + (size_t)simrng_below(r, n - g);
        simcomm_species_t t = work[g];
        work[g] = work[j];
        work[j] = t;
        mu[g] = work[g].mu;
        prev[g] = work[g].prev;
    }
}

void simcomm_sample(simrng_t *r, const simcomm_params_t *p, size_t n, const double *mu, const double *prev,
                    const double *shift, const uint64_t *length, double *cells, double *cum)
{
    double total = 0;
    size_t best = 0;
    for (size_t g = 0; g < n; g++) {
        /* both draws always made, so a genome's draws do not depend on another's presence */
        double u = simrng_uniform(r), z = simrng_normal(r);
        cells[g] = u < prev[g] ? exp(mu[g] + p->sample_sd * z + (shift ? shift[g] : 0)) : 0.0;
        total += cells[g] * (double)length[g];
        if (prev[g] > prev[best]) best = g;
    }
    if (total == 0 && n) {
        cells[best] = exp(mu[best] + (shift ? shift[best] : 0));
        total = cells[best] * (double)length[best];
    }
    double acc = 0;
    for (size_t g = 0; g < n; g++) {
        acc += cells[g] * (double)length[g];
        cum[g] = acc / total;
    }
    if (n) cum[n - 1] = 1.0;
}

size_t simcomm_pick(const double *cum, size_t n, double u)
{
    size_t a = 0, b = n - 1; /* answer in [a, b] */
    while (a < b) {
        size_t mid = a + (b - a) / 2;
        if (cum[mid] > u) b = mid;
        else a = mid + 1;
    }
    return a;
}
