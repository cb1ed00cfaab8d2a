/* Community compositions of `gutbrain simulate` (docs/SIMULATE.md): a log-normal model with
 * presence/absence, so most taxa are rare and many are absent from many samples.
 *
 * Cohort level, per genome g: a mean log-abundance mu_g ~ Normal(0, mu_sd) and a prevalence
 * p_g = logistic(prev_logit + prev_slope * mu_g / mu_sd + Normal(0, prev_sd)) (abundant taxa
 * are the more prevalent ones, as in real gut cohorts).
 * Sample level: g is present with probability p_g; then its cell abundance is
 * exp(mu_g + Normal(0, sample_sd) + shift_g), shift_g being the caller's log fold changes
 * (planted effects, covariates). Reads come from a genome in proportion to cells x length.
 * The defaults are fitted to a real cohort (docs/SIMULATE.md "Calibration"). */
#ifndef GB_SIMCOMM_H
#define GB_SIMCOMM_H
#include <stddef.h>
#include <stdint.h>
#include "gb_status.h"
#include "simrng.h"

typedef struct {
    double mu_sd, prev_logit, prev_slope, prev_sd, sample_sd;
} simcomm_params_t;

/* The defaults documented in docs/SIMULATE.md. */
extern const simcomm_params_t simcomm_defaults;

/* Cohort level: mu[0, n) and prev[0, n), drawn in that order genome by genome. */
void simcomm_cohort(simrng_t *r, const simcomm_params_t *p, size_t n, double *mu, double *prev);

/* Cohort level when the n genomes are the n most prevalent species of a pool of `pool` (> n):
 * draws the pool as simcomm_cohort does, keeps its n highest prevalences (ties: the earlier
 * draw), and hands them to the genomes in an order shuffled with r, so a genome's place in the
 * reference list says nothing about its prevalence. work holds pool entries. pool <= n is
 * simcomm_cohort. */
typedef struct {
    double mu, prev;
    size_t draw; /* position in the pool's draw order */
} simcomm_species_t;
void simcomm_cohort_pool(simrng_t *r, const simcomm_params_t *p, size_t n, size_t pool, double *mu, double *prev,
                         simcomm_species_t *work);

/* One sample: cells[g] (0 when absent) and cum[g] = cumulative read probabilities (cum[n-1] = 1).
 * shift may be NULL. When no genome comes out present, the one with the highest prevalence is
 * made present (a sample always has reads). */
void simcomm_sample(simrng_t *r, const simcomm_params_t *p, size_t n, const double *mu, const double *prev,
                    const double *shift, const uint64_t *length, double *cells, double *cum);

/* Index g of the first cum[g] > u (u in [0, 1)): the genome a read comes from. */
size_t simcomm_pick(const double *cum, size_t n, double u);

#endif
