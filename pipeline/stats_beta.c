/* Beta diversity of 'gutbrain stats' (pipeline/stats_beta.h): the Gower matrices in row blocks
 * over the ranks (stats_gower.h), the permutation tests, PCoA of the requested axes, and the
 * four tables they fill. */
#include "stats_beta.h"
#include "log.h"
#include "pcoa.h"
#include "permanova.h"
#include "perm.h"
#include "betadisper.h"
#include "gb_mpi.h"
#include "stats_gower.h"
#include <math.h>
#include <omp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* This rank's share [from, to) of the permutations [a, b) (tests whose data every rank holds). */
static void rank_share(const stats_ctx_t *c, uint64_t a, uint64_t b, uint64_t *from, uint64_t *to)
{
    *from = a + (b - a) * (uint64_t)c->rank / (uint64_t)c->size;
    *to = a + (b - a) * (uint64_t)(c->rank + 1) / (uint64_t)c->size;
}

/* Random permutations are counted in rounds, with a collective stop check (stats_stopped)
 * between rounds: a round is about 2^27 multiply-adds per thread on n samples (well under a
 * second), at least 64 permutations per thread. Counts are integers summed over disjoint ranges
 * of one stream, so the rounds change no result. */
static uint64_t round_size(const stats_ctx_t *c, size_t n)
{
    uint64_t per_thread = ((uint64_t)1 << 27) / ((uint64_t)n * n + 1);
    if (per_thread < 64) per_thread = 64;
    if (per_thread > 65536) per_thread = 65536;
    return per_thread * (uint64_t)(c->threads > 0 ? c->threads : 1);
}

/* What counts one range of random permutations (a kernel's _count_random over its data). */
typedef int (*count_range_fn)(const void *ctx, uint64_t from, uint64_t to, uint64_t *exceed);

/* Count the permutations [0, nperm) in rounds into exceed[0, nexceed), polling the stop flag
 * between them. split: every rank holds all the data and counts its share of each round, and the
 * counts are summed over the ranks at the end; otherwise every rank takes part in every
 * permutation (collective kernels) and already has the whole counts. */
static int count_rounds(const stats_ctx_t *c, size_t n, uint64_t nperm, int split, count_range_fn count,
                        const void *ctx, uint64_t *exceed, int nexceed)
{
    uint64_t step = round_size(c, n);
    int rc = GB_OK;
    gb_debug("%" PRIu64 " random permutations in rounds of %" PRIu64, nperm, step);
    for (uint64_t a = 0; !rc && a < nperm; a += step) {
        uint64_t b = nperm - a < step ? nperm : a + step, from = a, to = b;
        if (split) rank_share(c, a, b, &from, &to);
        rc = gb_mpi_agree(c->comm, count(ctx, from, to, exceed));
        if (!rc) rc = stats_stopped(c);
    }
    if (!rc && split && c->size > 1) MPI_Allreduce(MPI_IN_PLACE, exceed, nexceed, MPI_UINT64_T, MPI_SUM, c->comm);
    return rc;
}

typedef struct {
    const stats_ctx_t *c;
    const permanova_t *pm;
} permanova_count_t;

static int permanova_range(const void *ctx, uint64_t from, uint64_t to, uint64_t *exceed)
{
    const permanova_count_t *p = ctx;
    return permanova_count_random(p->pm, p->c->o->seed, from, to, p->c->threads, exceed);
}

/* adonis2's rows for the prepared test pm: the small-n complete or distinct sets (a few hundred
 * at most) at once through permanova_run, random permutations in rounds. split as count_rounds. */
static int permanova_count(const stats_ctx_t *c, const permanova_t *pm, size_t n, int split, permanova_row_t *rows)
{
    uint64_t requested = (uint64_t)c->o->permutations;
    perm_plan_t plan;
    if (requested == 0 || perm_plan(n, requested, &plan) || plan.mode != PERM_RANDOM)
        return permanova_run(pm, requested, c->o->seed, c->threads, rows);
    uint64_t exceed[64] = {0};
    permanova_count_t ctx = {c, pm};
    int rc = count_rounds(c, n, plan.nperm, split, permanova_range, &ctx, exceed, (int)permanova_ntests(pm));
    permanova_table(pm, exceed, plan.nperm, rows);
    return rc;
}

/* adonis2's table for the Gower matrix of distance `dist`: rows *row... of t. Every rank
 * evaluates every permutation on its own rows of G (permanova.h, parts), so the calls are
 * collective and the counts need no further sum. */
static int permanova_rows(const stats_ctx_t *c, stats_gower_t *G, const char *dist, table_t *t, size_t *row)
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
    permanova_parts_t parts = {G->rb, G->maxabs, stats_gower_sum, G};
    int rc = G->data ? permanova_create_data(G->xt, c->m, d->n, x, ncol, assign, d->nterms, by, &pm)
                     : permanova_create_parts(G->g, &parts, x, ncol, assign, d->nterms, by, &pm);
    permanova_row_t rows[64];
    size_t nt = rc ? 0 : permanova_ntests(pm);
    if (!rc && nt + 2 > 64) rc = GB_E_USAGE;
    /* data held whole on every rank (Aitchison): the ranks share the random permutations */
    if (!rc) rc = permanova_count(c, pm, d->n, G->data, rows);
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

/* z of betadisper(type = "centroid"): the group sums of every row of G are one product with the
 * group indicators. */
static int dispersion_z(const stats_ctx_t *c, stats_gower_t *G, double *z)
{
    const stats_design_t *d = &c->d;
    size_t n = d->n, ng = d->var_levels;
    double *ind = calloc(n * ng, sizeof *ind), *rowsum = malloc(n * ng * sizeof *rowsum);
    int rc = ind && rowsum ? GB_OK : GB_E_NOMEM;
    for (size_t i = 0; !rc && i < n; i++) ind[i * ng + (size_t)d->var_group[i]] = 1.0;
    rc = gb_mpi_agree(c->comm, rc);
    if (!rc) rc = stats_gower_symv(G, ind, ng, rowsum);
    if (!rc) rc = betadisper_centroid_sums(G->diag, rowsum, n, d->var_group, ng, z, NULL, NULL);
    free(ind);
    free(rowsum);
    return rc;
}

typedef struct {
    const stats_ctx_t *c;
    const double *z;
    double f;
} dispersion_count_t;

static int dispersion_range(const void *ctx, uint64_t from, uint64_t to, uint64_t *exceed)
{
    const dispersion_count_t *p = ctx;
    const stats_design_t *d = &p->c->d;
    return betadisper_count_random(p->z, d->n, d->var_group, d->var_levels, p->f, p->c->o->seed, from, to,
                                   p->c->threads, exceed);
}

/* betadisper(type = "centroid") of the categorical variable + permutest. z is on every rank,
 * so the random permutations are split across the ranks and their counts summed. */
static int dispersion_row(const stats_ctx_t *c, stats_gower_t *G, const char *dist, table_t *t, size_t row)
{
    const stats_design_t *d = &c->d;
    double *z = malloc(d->n * sizeof *z), f = NAN, df1 = NAN, df2 = NAN, p = NAN;
    uint64_t exceed = 0;
    if (!z) return GB_E_NOMEM;
    int rc = dispersion_z(c, G, z);
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
        dispersion_count_t ctx = {c, z, f};
        rc = count_rounds(c, d->n, plan.nperm, 1, dispersion_range, &ctx, &exceed, 1);
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

/* cmdscale of G for the first --pcoa-axes axes: coordinates (rows which x n...), the axes'
 * eigenvalues and their share of the total inertia tr(G) (rows which x axes...). */
static int pcoa_rows(const stats_ctx_t *c, stats_gower_t *G, const char *dist, table_t *coords, table_t *eigs,
                     size_t which)
{
    size_t n = c->n, k = (size_t)c->o->axes < n ? (size_t)c->o->axes : n, axes = (size_t)c->o->axes;
    double *eig = malloc(k * sizeof *eig), *vec = malloc(n * k * sizeof *vec);
    if (!eig || !vec) return free(eig), free(vec), GB_E_NOMEM;
    pcoa_top_info_t info;
    size_t before = G->products, calls = G->calls, kpos = 0;
    double secs = G->seconds;
    int rc = pcoa_top(n, k, stats_gower_symv, G, c->o->seed, eig, vec, &info);
    while (!rc && kpos < k && eig[kpos] > 0) kpos++;
    if (!rc && kpos < k && c->rank == 0)
        gb_warn("%s: only %zu of the first %zu PCoA axes have a positive eigenvalue; the others are NA", dist, kpos, k);
    if (!rc)
        gb_debug("PCoA %s: %zu axes from %zu columns of products in %zu passes (%.3f s), residual %.2g of %.3g", dist,
                 k, G->products - before, G->calls - calls, G->seconds - secs, info.residual, info.scale);
    if (!rc) pcoa_coords(n, k, eig, vec, vec); /* NaN for the axes with eigenvalue <= 0 */
    for (size_t i = 0; !rc && i < n; i++) {
        size_t row = which * n + i;
        coords->cols[0].text[row] = c->sample[i];
        coords->cols[1].text[row] = dist;
        for (size_t a = 0; a < axes; a++) coords->cols[2 + a].num[row] = a < k ? vec[i * k + a] : NAN;
    }
    for (size_t a = 0; !rc && a < k; a++) {
        size_t row = which * k + a;
        eigs->cols[0].text[row] = dist;
        eigs->cols[1].num[row] = (double)(a + 1);
        eigs->cols[2].num[row] = eig[a];
        eigs->cols[3].num[row] = eig[a] / G->trace;
    }
    if (rc) gb_error("PCoA (%s): the eigensolver failed: %s", dist, gb_strerror(rc));
    free(eig);
    free(vec);
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
    table_init(&b->eigs, "pcoa_eigenvalues", 2 * (axes < n ? axes : n));
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
    size_t n = c->n, m = c->m;
    double *work = malloc(n * m * sizeof *work);
    double t0 = omp_get_wtime();
    beta_tables_t b;
    stats_gower_t G;
    int rc = beta_tables_init(&b, c);
    if (!work) rc = GB_E_NOMEM;
    rc = gb_mpi_agree(c->comm, rc);
    if (!rc) rc = stats_gower_init(&G, c);
    else memset(&G, 0, sizeof G);
    /* Aitchison first: its n x m data are freed before the Bray-Curtis rows are allocated, so
     * the two never share the peak; the tables keep Bray-Curtis first */
    for (int k = 0; !rc && k < 2; k++) {
        int w = 1 - k;
        size_t prow = (size_t)w * (c->d.nterms + 2);
        double t[5];
        t[0] = omp_get_wtime();
        rc = stats_gower_fill(&G, w == 0 ? STATS_GOWER_BRAY : STATS_GOWER_AITCHISON, work);
        t[1] = omp_get_wtime();
        if (!rc) rc = stats_stopped(c);
        if (!rc) rc = permanova_rows(c, &G, dists[w], &b.perm, &prow);
        t[2] = omp_get_wtime();
        if (!rc && c->d.var_categorical) rc = dispersion_row(c, &G, dists[w], &b.disp, (size_t)w);
        t[3] = omp_get_wtime();
        if (!rc) rc = stats_stopped(c);
        if (!rc) rc = pcoa_rows(c, &G, dists[w], &b.coords, &b.eigs, (size_t)w);
        t[4] = omp_get_wtime();
        if (rc && rc != GB_E_INTERRUPTED) gb_error("beta diversity (%s) failed: %s", dists[w], gb_strerror(rc));
        else if (!rc)
            gb_debug("%s: distances + Gower %.3f s, PERMANOVA %.3f s, dispersion %.3f s, PCoA %.3f s", dists[w],
                     t[1] - t[0], t[2] - t[1], t[3] - t[2], t[4] - t[3]);
    }
    b.perm.nrows = 2 * (c->d.nterms + 2);
    if (!rc) rc = beta_tables_write(c, &b);
    if (!rc) gb_debug("beta diversity: %.3f s", omp_get_wtime() - t0);
    beta_tables_free(&b);
    stats_gower_free(&G);
    free(work);
    return rc;
}
