/* betadisper(type = "centroid"), its one-way ANOVA and permutest.betadisper. The permutation
 * count goes through perm_count (perm.h), the loop PERMANOVA uses too. Contracts in
 * betadisper.h. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "betadisper.h"
#include "gower.h"
#include "perm.h"
#define MATHLIB_STANDALONE
#include <Rmath.h>

/* A batch of permutations carries about this many permuted values: enough work per batch that
 * taking the next batch costs nothing in comparison. Counts do not depend on it. */
enum { BATCH_VALUES = 4096 };

/* Group sizes; GB_E_USAGE on an index outside 0..ngroup-1. */
static int group_sizes(const int *group, size_t n, size_t ngroup, size_t *size)
{
    memset(size, 0, ngroup * sizeof *size);
    for (size_t i = 0; i < n; i++) {
        if (group[i] < 0 || (size_t)group[i] >= ngroup) return GB_E_USAGE;
        size[group[i]]++;
    }
    return GB_OK;
}

/* group_sizes, plus k = the non-empty groups; GB_E_USAGE when the one-way ANOVA on them has no
 * degrees of freedom (k < 2 or n <= k). */
static int anova_groups(const int *group, size_t n, size_t ngroup, size_t *size, size_t *k)
{
    int rc = group_sizes(group, n, ngroup, size);
    if (rc) return rc;
    *k = 0;
    for (size_t h = 0; h < ngroup; h++) *k += size[h] > 0;
    return *k < 2 || n <= *k ? GB_E_USAGE : GB_OK;
}

int betadisper_centroid(const double *g, size_t n, const int *group, size_t ngroup, double *z, double *group_mean,
                        size_t *nneg)
{
    if (n < 2 || ngroup == 0) return GB_E_USAGE;
    double *rowsum = calloc(n * ngroup, sizeof *rowsum); /* rowsum[i][h] = sum_{j in h} G_ij */
    double *diag = malloc(n * sizeof *diag);
    int rc = !rowsum || !diag ? GB_E_NOMEM : GB_OK;
    for (size_t i = 0; !rc && i < n; i++) {
        if (group[i] < 0 || (size_t)group[i] >= ngroup) rc = GB_E_USAGE;
    }
    if (!rc) {
        for (size_t i = 0; i < n; i++) {
            const double *row = g + gower_row_offset(i);
            for (size_t j = 0; j < i; j++) {
                rowsum[i * ngroup + group[j]] += row[j];
                rowsum[j * ngroup + group[i]] += row[j];
            }
            rowsum[i * ngroup + group[i]] += row[i];
            diag[i] = row[i];
        }
        rc = betadisper_centroid_sums(diag, rowsum, n, group, ngroup, z, group_mean, nneg);
    }
    free(rowsum);
    free(diag);
    return rc;
}

int betadisper_centroid_sums(const double *diag, const double *rowsum, size_t n, const int *group, size_t ngroup,
                             double *z, double *group_mean, size_t *nneg)
{
    if (n < 2 || ngroup == 0) return GB_E_USAGE;
    size_t *size = malloc(ngroup * sizeof *size);
    double *within = calloc(ngroup, sizeof *within);
    int rc = (!size || !within) ? GB_E_NOMEM : group_sizes(group, n, ngroup, size);
    if (rc) goto done;
    for (size_t i = 0; i < n; i++) within[group[i]] += rowsum[i * ngroup + group[i]];
    size_t negative = 0;
    for (size_t i = 0; i < n; i++) {
        double ng = (double)size[group[i]];
        double z2 = diag[i] - 2.0 * rowsum[i * ngroup + group[i]] / ng + within[group[i]] / (ng * ng);
        if (z2 < 0.0) negative++;
        z[i] = z2 > 0.0 ? sqrt(z2) : 0.0;
    }
    if (nneg) *nneg = negative;
    if (group_mean) {
        for (size_t h = 0; h < ngroup; h++) group_mean[h] = 0.0;
        for (size_t i = 0; i < n; i++) group_mean[group[i]] += z[i];
        for (size_t h = 0; h < ngroup; h++) group_mean[h] = size[h] ? group_mean[h] / (double)size[h] : NAN;
    }
done:
    free(size);
    free(within);
    return rc;
}

/* One-way ANOVA F of y on the groups; mean (ngroup) is scratch. Returns the number of
 * non-empty groups k; F = (SS_between/(k-1)) / (SS_within/(n-k)). */
static size_t oneway_f(const double *y, size_t n, const int *group, const size_t *size, size_t ngroup, double *mean,
                       double *f)
{
    size_t k = 0;
    double grand = 0.0;
    for (size_t h = 0; h < ngroup; h++) mean[h] = 0.0;
    for (size_t i = 0; i < n; i++) {
        mean[group[i]] += y[i];
        grand += y[i];
    }
    grand /= (double)n;
    for (size_t h = 0; h < ngroup; h++)
        if (size[h]) {
            mean[h] /= (double)size[h];
            k++;
        }
    double between = 0.0, within = 0.0;
    for (size_t h = 0; h < ngroup; h++)
        if (size[h]) between += (double)size[h] * (mean[h] - grand) * (mean[h] - grand);
    for (size_t i = 0; i < n; i++) within += (y[i] - mean[group[i]]) * (y[i] - mean[group[i]]);
    *f = (between / (double)(k - 1)) / (within / (double)(n - k));
    return k;
}

int betadisper_anova(const double *z, size_t n, const int *group, size_t ngroup, double *f, double *df1, double *df2,
                     double *p)
{
    if (ngroup == 0) return GB_E_USAGE;
    size_t *size = malloc(ngroup * sizeof *size), k = 0;
    double *mean = malloc(ngroup * sizeof *mean);
    int rc = (!size || !mean) ? GB_E_NOMEM : anova_groups(group, n, ngroup, size, &k);
    if (!rc) {
        oneway_f(z, n, group, size, ngroup, mean, f);
        *df1 = (double)(k - 1);
        *df2 = (double)(n - k);
        *p = pf(*f, *df1, *df2, 0, 0);
    }
    free(size);
    free(mean);
    return rc;
}

/* The permutation test's fixed data: residuals of z from its group means, and the groups. */
typedef struct {
    const double *resid;
    const int *group;
    const size_t *size;
    size_t n, ngroup;
    double f_obs;
} residual_test_t;

/* perm_counter_t.count: F* of nb permuted residual vectors. scratch: n + ngroup doubles. */
static void count_batch(const void *ctx, const int32_t *perm, size_t nb, double *scratch, uint64_t *counts)
{
    const residual_test_t *r = ctx;
    double *y = scratch, *mean = scratch + r->n, f;
    for (size_t b = 0; b < nb; b++) {
        const int32_t *p = perm + b * r->n;
        for (size_t i = 0; i < r->n; i++) y[i] = r->resid[p[i]];
        oneway_f(y, r->n, r->group, r->size, r->ngroup, mean, &f);
        counts[0] += perm_exceeds(f, r->f_obs);
    }
}

/* permutest.betadisper counts over the permutations of src. */
static int count_permutations(const double *z, size_t n, const int *group, size_t ngroup, double f_obs,
                              const perm_source_t *src, int nthreads, uint64_t *exceed)
{
    if (ngroup == 0 || n < 2) return GB_E_USAGE;
    size_t *size = malloc(ngroup * sizeof *size), k = 0;
    double *resid = malloc(n * sizeof *resid), *mean = malloc(ngroup * sizeof *mean), f_unused;
    int rc = (!size || !resid || !mean) ? GB_E_NOMEM : anova_groups(group, n, ngroup, size, &k);
    if (rc) goto done;
    oneway_f(z, n, group, size, ngroup, mean, &f_unused);
    for (size_t i = 0; i < n; i++) resid[i] = z[i] - mean[group[i]];
    residual_test_t test = {resid, group, size, n, ngroup, f_obs};
    perm_counter_t counter = {.n = n,
                              .batch = n < BATCH_VALUES ? BATCH_VALUES / n : 1,
                              .ncount = 1,
                              .scratch = n + ngroup,
                              .count = count_batch,
                              .ctx = &test};
    rc = perm_count(&counter, src, nthreads, exceed);
done:
    free(size);
    free(resid);
    free(mean);
    return rc;
}

int betadisper_count_random(const double *z, size_t n, const int *group, size_t ngroup, double f_obs, uint64_t seed,
                            uint64_t from, uint64_t to, int nthreads, uint64_t *exceed)
{
    perm_source_t src;
    int rc = perm_source_random(seed, from, to, &src);
    return rc ? rc : count_permutations(z, n, group, ngroup, f_obs, &src, nthreads, exceed);
}

int betadisper_count_explicit(const double *z, size_t n, const int *group, size_t ngroup, double f_obs,
                              const int32_t *perm, size_t nperm, int nthreads, uint64_t *exceed)
{
    perm_source_t src;
    int rc = perm_source_explicit(perm, nperm, n, &src);
    return rc ? rc : count_permutations(z, n, group, ngroup, f_obs, &src, nthreads, exceed);
}
