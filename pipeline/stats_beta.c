/* Beta diversity of 'gutbrain stats' (pipeline/stats_beta.h): the distances, the permutation
 * tests with their permutations split across MPI ranks, PCoA, and the four tables they fill. */
#include "stats_beta.h"
#include "diversity.h"
#include "log.h"
#include "pcoa.h"
#include "permanova.h"
#include "perm.h"
#include "gower.h"
#include "betadisper.h"
#include "transform.h"
#include <math.h>
#include <omp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* This rank's share [from, to) of nperm permutations. */
static void rank_share_of_perms(const stats_ctx_t *c, uint64_t nperm, uint64_t *from, uint64_t *to)
{
    *from = nperm * (uint64_t)c->rank / (uint64_t)c->size;
    *to = nperm * (uint64_t)(c->rank + 1) / (uint64_t)c->size;
}

/* Sum exceedance counts over the ranks (integers: the split does not change the result). */
static void sum_counts(const stats_ctx_t *c, uint64_t *exceed, size_t n)
{
    if (c->size > 1) MPI_Allreduce(MPI_IN_PLACE, exceed, (int)n, MPI_UINT64_T, MPI_SUM, c->comm);
}

/* adonis2's permutations: random ones split across ranks and threads; the small-n complete
 * or distinct sets (a few hundred at most) on every rank alone. */
static int count_permanova(const stats_ctx_t *c, const permanova_t *pm, permanova_row_t *rows)
{
    uint64_t requested = (uint64_t)c->o->permutations;
    perm_plan_t plan;
    if (requested == 0 || perm_plan(c->n, requested, &plan) || plan.mode != PERM_RANDOM)
        return permanova_run(pm, requested, c->o->seed, c->threads, rows);
    uint64_t exceed[64] = {0}, from, to;
    rank_share_of_perms(c, plan.nperm, &from, &to);
    int rc = permanova_count_random(pm, c->o->seed, from, to, c->threads, exceed);
    sum_counts(c, exceed, permanova_ntests(pm));
    permanova_table(pm, exceed, plan.nperm, rows);
    return rc;
}

/* adonis2's table for the Gower matrix g of distance `dist`: rows *row... of t. */
static int permanova_rows(const stats_ctx_t *c, const double *g, const char *dist, table_t *t, size_t *row)
{
    const stats_design_t *d = &c->d;
    size_t ncol = d->p - 1;
    double *x = malloc(d->n * ncol * sizeof *x);
    int *assign = malloc(ncol * sizeof *assign);
    if (!x || !assign) return free(x), free(assign), GB_E_NOMEM;
    for (size_t i = 0; i < d->n; i++)
        for (size_t j = 0; j < ncol; j++) x[i * ncol + j] = d->x[i * d->p + j + 1];
    for (size_t j = 0; j < ncol; j++) assign[j] = d->term[j + 1];
    permanova_t *pm = NULL;
    permanova_by_t by = !strcmp(c->o->by, "terms") ? PERMANOVA_BY_TERMS : PERMANOVA_BY_MARGIN;
    int rc = permanova_create(g, d->n, x, ncol, assign, d->nterms, by, &pm);
    permanova_row_t rows[64];
    size_t nt = rc ? 0 : permanova_ntests(pm);
    if (!rc && nt + 2 > 64) rc = GB_E_USAGE;
    if (!rc) rc = count_permanova(c, pm, rows);
    for (size_t r = 0; !rc && r < nt + 2; r++, (*row)++) {
        t->cols[0].text[*row] = r < nt ? d->term_name[r] : r == nt ? "Residual" : "Total";
        t->cols[1].num[*row] = rows[r].df;
        t->cols[2].num[*row] = rows[r].ss;
        t->cols[3].num[*row] = rows[r].r2;
        t->cols[4].num[*row] = rows[r].f;
        t->cols[5].num[*row] = rows[r].p;
        t->cols[6].text[*row] = dist;
    }
    permanova_destroy(pm);
    free(x);
    free(assign);
    return rc;
}

/* betadisper(type = "centroid") of the categorical variable + permutest. */
static int dispersion_row(const stats_ctx_t *c, const double *g, const char *dist, table_t *t, size_t row)
{
    const stats_design_t *d = &c->d;
    double *z = malloc(d->n * sizeof *z), f = NAN, df1 = NAN, df2 = NAN, p = NAN;
    uint64_t exceed = 0;
    if (!z) return GB_E_NOMEM;
    int rc = betadisper_centroid(g, d->n, d->var_group, d->var_levels, z, NULL, NULL);
    if (!rc) rc = betadisper_anova(z, d->n, d->var_group, d->var_levels, &f, &df1, &df2, &p);
    uint64_t nperm = (uint64_t)c->o->permutations;
    perm_plan_t plan = {PERM_RANDOM, nperm};
    if (!rc && nperm > 0 && !perm_plan(d->n, nperm, &plan) && plan.mode != PERM_RANDOM) {
        /* small n: every permutation (or distinct ones), as permute::check() does for R */
        int32_t *set = malloc(plan.nperm * d->n * sizeof *set);
        rc = set ? perm_set(d->n, &plan, c->o->seed, set) : GB_E_NOMEM;
        if (!rc)
            rc = betadisper_count_explicit(z, d->n, d->var_group, d->var_levels, f, set, plan.nperm, c->threads,
                                           &exceed);
        free(set);
    } else if (!rc && nperm > 0) {
        uint64_t from, to;
        rank_share_of_perms(c, plan.nperm, &from, &to);
        rc =
            betadisper_count_random(z, d->n, d->var_group, d->var_levels, f, c->o->seed, from, to, c->threads, &exceed);
        sum_counts(c, &exceed, 1);
    }
    t->cols[0].text[row] = dist;
    t->cols[1].text[row] = d->term_name[0];
    t->cols[2].num[row] = df1;
    t->cols[3].num[row] = df2;
    t->cols[4].num[row] = f;
    t->cols[5].num[row] = p;
    t->cols[6].num[row] = nperm > 0 ? (exceed + 1.0) / (plan.nperm + 1.0) : NAN;
    free(z);
    return rc;
}

/* cmdscale of g: the first --axes coordinates (rows which x n...) and every eigenvalue. */
static int pcoa_rows(const stats_ctx_t *c, const double *g, const char *dist, table_t *coords, table_t *eigs,
                     size_t which)
{
    size_t n = c->n, k = (size_t)c->o->axes < n ? (size_t)c->o->axes : n;
    double *eig = malloc(n * sizeof *eig), *xy = malloc(n * k * sizeof *xy), pos = 0;
    if (!eig || !xy) return free(eig), free(xy), GB_E_NOMEM;
    size_t kpos = 0;
    int rc = pcoa(g, n, k, eig, xy);
    while (kpos < k && eig[kpos] > 0) kpos++;
    if (!rc && kpos < k && c->rank == 0)
        gb_warn("%s: only %zu of the first %zu PCoA axes have a positive eigenvalue; the others are NA", dist, kpos, k);
    for (size_t e = 0; e < n; e++) pos += eig[e] > 0 ? eig[e] : 0;
    for (size_t i = 0; !rc && i < n; i++) {
        size_t row = which * n + i;
        coords->cols[0].text[row] = c->sample[i];
        coords->cols[1].text[row] = dist;
        for (size_t a = 0; a < (size_t)c->o->axes; a++) coords->cols[2 + a].num[row] = a < kpos ? xy[i * k + a] : NAN;
        eigs->cols[0].text[row] = dist;
        eigs->cols[1].num[row] = (double)(i + 1);
        eigs->cols[2].num[row] = eig[i];
        eigs->cols[3].num[row] = pos > 0 && eig[i] > 0 ? eig[i] / pos : NAN;
    }
    free(eig);
    free(xy);
    return rc;
}

/* The four tables, with rows for both distances, and the storage their columns borrow. */
typedef struct {
    table_t perm, disp, coords, eigs;
    const char **text[7];     /* the text columns, 2 (n + nterms + 2) rows each */
    char axis_name[1000][16]; /* "PC1", ...: --axes is at most 1000 */
} beta_tables_t;

static int beta_tables_init(beta_tables_t *b, const stats_ctx_t *c)
{
    size_t n = c->n, nt = c->d.nterms, axes = (size_t)c->o->axes;
    int rc = GB_OK;
    table_init(&b->perm, "permanova", 2 * (nt + 2));
    table_init(&b->disp, "dispersion", c->d.var_categorical ? 2 : 0);
    table_init(&b->coords, "pcoa", 2 * n);
    table_init(&b->eigs, "pcoa_eigenvalues", 2 * n);
    for (int i = 0; i < 7; i++)
        if (!(b->text[i] = calloc(2 * (n + nt + 2), sizeof *b->text[i]))) rc = GB_E_NOMEM;
    if (!rc &&
        (table_add_text(&b->perm, "term", b->text[0]) || !table_add_num(&b->perm, "df", 1) ||
         !table_add_num(&b->perm, "SumOfSqs", 0) || !table_add_num(&b->perm, "R2", 0) ||
         !table_add_num(&b->perm, "F", 0) || !table_add_num(&b->perm, "pval", 0) ||
         table_add_text(&b->perm, "distance", b->text[1]) || table_add_text(&b->disp, "distance", b->text[2]) ||
         table_add_text(&b->disp, "variable", b->text[3]) || !table_add_num(&b->disp, "df1", 1) ||
         !table_add_num(&b->disp, "df2", 1) || !table_add_num(&b->disp, "F", 0) ||
         !table_add_num(&b->disp, "pval_anova", 0) || !table_add_num(&b->disp, "pval", 0) ||
         table_add_text(&b->coords, "sample", b->text[4]) || table_add_text(&b->coords, "distance", b->text[5]) ||
         table_add_text(&b->eigs, "distance", b->text[6]) || !table_add_num(&b->eigs, "axis", 1) ||
         !table_add_num(&b->eigs, "eigenvalue", 0) || !table_add_num(&b->eigs, "proportion", 0)))
        rc = GB_E_NOMEM;
    for (size_t a = 0; !rc && a < axes && a < 1000; a++) {
        snprintf(b->axis_name[a], sizeof b->axis_name[a], "PC%u", (unsigned)(a + 1) % 10000u);
        if (!table_add_num(&b->coords, b->axis_name[a], 0)) rc = GB_E_NOMEM;
    }
    return rc;
}

static void beta_tables_free(beta_tables_t *b)
{
    table_free(&b->perm);
    table_free(&b->disp);
    table_free(&b->coords);
    table_free(&b->eigs);
    for (int i = 0; i < 7; i++) free(b->text[i]);
}

static int beta_tables_write(const stats_ctx_t *c, const beta_tables_t *b)
{
    int rc = stats_write_table(c, &b->perm, NULL);
    if (!rc && c->d.var_categorical) rc = stats_write_table(c, &b->disp, NULL);
    if (!rc) rc = stats_write_table(c, &b->coords, NULL);
    if (!rc) rc = stats_write_table(c, &b->eigs, NULL);
    return rc;
}

int stats_beta_run(const stats_ctx_t *c)
{
    static const char *const dists[2] = {"bray", "aitchison"};
    size_t n = c->n, m = c->m, npair = n * (n - 1) / 2, prow = 0;
    double *rel = malloc(n * m * sizeof *rel), *clr = malloc(n * m * sizeof *clr);
    double *dist = malloc((npair ? npair : 1) * sizeof *dist), *g = malloc(gower_packed_size(n) * sizeof *g);
    double t0 = omp_get_wtime();
    beta_tables_t b;
    int rc = beta_tables_init(&b, c);
    if (!rel || !clr || !dist || !g) rc = GB_E_NOMEM;
    for (int w = 0; !rc && w < 2; w++) {
        diversity_dist_t out = {DIVERSITY_LOWER, dist, NULL, 0, 0};
        if (w == 0) {
            transform_tss(c->counts, n, m, rel);
            rc = diversity_bray_curtis(rel, n, m, c->threads, &out);
        } else {
            rc = diversity_aitchison(c->counts, n, m, TRANSFORM_CLR_PSEUDOCOUNT, clr, c->threads, &out);
        }
        if (!rc) rc = gower_lower(dist, n, g);
        if (!rc) rc = permanova_rows(c, g, dists[w], &b.perm, &prow);
        if (!rc && c->d.var_categorical) rc = dispersion_row(c, g, dists[w], &b.disp, (size_t)w);
        if (!rc) rc = pcoa_rows(c, g, dists[w], &b.coords, &b.eigs, (size_t)w);
        if (rc) gb_error("beta diversity (%s) failed: %s", dists[w], gb_strerror(rc));
    }
    b.perm.nrows = prow;
    if (!rc) rc = beta_tables_write(c, &b);
    if (!rc) gb_debug("beta diversity: %.3f s", omp_get_wtime() - t0);
    beta_tables_free(&b);
    free(rel);
    free(clr);
    free(dist);
    free(g);
    return rc;
}
