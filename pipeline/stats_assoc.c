/* Per-feature statistics of 'gutbrain stats' (pipeline/stats_assoc.h): the feature filter and
 * transform, the linear models shared by features and alpha diversity indices, the rank tests,
 * and the tables they fill. */
#include "stats_assoc.h"
#include "diversity.h"
#include "lm.h"
#include "log.h"
#include "ranktests.h"
#include "transform.h"
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

/* The features kept by the prevalence and variance filter, for the rank tests. */
typedef struct {
    size_t k;
    const char **id; /* [k] feature ids */
    double *rel;     /* n x k, TSS over the kept features */
} kept_t;

/* order[] of rows sorted by q ascending, stable (MaAsLin2's order), NaN last. */
static int cmp_q_index(const void *a, const void *b, void *ctx)
{
    const double *q = ctx;
    size_t i = *(const size_t *)a, j = *(const size_t *)b;
    double x = q[i], y = q[j];
    int xn = isnan(x), yn = isnan(y);
    if (xn != yn) return xn - yn;
    if (!xn && x != y) return x < y ? -1 : 1;
    return i < j ? -1 : i > j;
}

static size_t *order_by_q(const double *q, size_t n)
{
    size_t *order = malloc((n ? n : 1) * sizeof *order);
    if (!order) return NULL;
    for (size_t i = 0; i < n; i++) order[i] = i;
    qsort_r(order, n, sizeof *order, cmp_q_index, (void *)q);
    return order;
}

/* Fit y (n x k) on the design and write MaAsLin2's columns: one row per feature and
 * non-intercept coefficient (aliased ones as NA), BH over every row. */
static int model_table(const stats_ctx_t *c, const char *name, const double *y, size_t k, const char *const *feat,
                       const size_t *nonzero)
{
    const stats_design_t *d = &c->d;
    lm_design_t *ld = NULL;
    size_t p = d->p, rows = k * (p - 1);
    double *coef = malloc(k * p * sizeof *coef), *se = malloc(k * p * sizeof *se);
    double *pv = malloc(k * p * sizeof *pv), *work = NULL;
    int rc = lm_design_create(d->x, d->n, p, p, LM_TOL_LM, &ld);
    if (rc && rc != GB_E_NOMEM) rc = GB_E_INTERNAL;
    if (!rc && !(work = malloc(lm_fit_work_size(ld) * sizeof *work))) rc = GB_E_NOMEM;
    if (!coef || !se || !pv) rc = GB_E_NOMEM;
    lm_fit_out_t out = {.coef = coef, .se = se, .pval = pv, .ld = p};
    if (!rc && lm_fit(ld, y, k, k, work, &out)) rc = GB_E_INTERNAL;
    table_t t;
    table_init(&t, name, rows);
    size_t cap = rows ? rows : 1;
    const char **fcol = malloc(cap * sizeof *fcol), **mcol = malloc(cap * sizeof *mcol);
    const char **vcol = malloc(cap * sizeof *vcol);
    size_t *scratch = malloc(cap * sizeof *scratch), *order = NULL;
    double *tc = NULL, *ts = NULL, *tn = NULL, *tnz = NULL, *tp = NULL, *tq = NULL;
    if (!rc && (!fcol || !mcol || !vcol || !scratch || table_add_text(&t, "feature", fcol) ||
                table_add_text(&t, "metadata", mcol) || table_add_text(&t, "value", vcol) ||
                !(tc = table_add_num(&t, "coef", 0)) || !(ts = table_add_num(&t, "stderr", 0)) ||
                !(tn = table_add_num(&t, "N", 1)) || !(tnz = table_add_num(&t, "N_not_zero", 1)) ||
                !(tp = table_add_num(&t, "pval", 0)) || !(tq = table_add_num(&t, "qval", 0))))
        rc = GB_E_NOMEM;
    for (size_t f = 0, r = 0; !rc && f < k; f++)
        for (size_t j = 1; j < p; j++, r++) {
            fcol[r] = feat[f];
            mcol[r] = d->meta_name[j];
            vcol[r] = d->value_name[j];
            tc[r] = coef[f * p + j];
            ts[r] = se[f * p + j];
            tn[r] = (double)d->n;
            tnz[r] = nonzero ? (double)nonzero[f] : NAN;
            tp[r] = pv[f * p + j];
        }
    if (!rc) {
        lm_p_adjust(tp, rows, LM_ADJUST_BH, tq, scratch);
        if (!(order = order_by_q(tq, rows))) rc = GB_E_NOMEM;
    }
    if (!rc) rc = stats_write_table(c, &t, order);
    table_free(&t);
    free(order);
    free(fcol);
    free(mcol);
    free(vcol);
    free(scratch);
    free(coef);
    free(se);
    free(pv);
    free(work);
    lm_design_destroy(ld);
    return rc;
}

/* The model response y (n x k) under --transform t: CLR of the selected counts sel, or log2,
 * AST or nothing applied to the relative abundances rel (MaAsLin2's LOG, AST, NONE). */
static int transform_response(const char *t, const double *sel, const double *rel, size_t n, size_t k, double *y)
{
    if (!strcmp(t, "clr")) {
        if (transform_clr(sel, n, k, TRANSFORM_CLR_PSEUDOCOUNT, y)) {
            gb_error("CLR needs counts >= 0");
            return GB_E_FORMAT;
        }
        return GB_OK;
    }
    memcpy(y, rel, n * k * sizeof *y);
    if (!strcmp(t, "log")) transform_log2(y, n, k);
    else if (!strcmp(t, "ast")) transform_ast(y, n, k);
    return GB_OK;
}

/* MaAsLin2's features: filter, TSS over the kept ones, transform; then the models. kept gets
 * the kept features and their TSS values (also after a failure: the caller frees them). */
static int associations(const stats_ctx_t *c, kept_t *kept)
{
    size_t n = c->n, m = c->m;
    unsigned char *keep = malloc(m ? m : 1);
    size_t *nonzero_all = malloc((m ? m : 1) * sizeof *nonzero_all);
    if (!keep || !nonzero_all) return free(keep), free(nonzero_all), GB_E_NOMEM;
    size_t k = transform_filter(c->counts, n, m, m, 0.0, c->o->min_prevalence, 0.0, keep, nonzero_all);
    gb_info("features: %zu at the rank, %zu kept by the prevalence and variance filter", m, k);
    size_t cells = n * k > 0 ? n * k : 1;
    double *sel = malloc(cells * sizeof *sel), *y = malloc(cells * sizeof *y);
    size_t *nonzero = malloc((k ? k : 1) * sizeof *nonzero);
    kept->k = k;
    kept->rel = malloc(cells * sizeof *kept->rel);
    kept->id = malloc((k ? k : 1) * sizeof *kept->id);
    int rc = sel && y && nonzero && kept->rel && kept->id ? GB_OK : GB_E_NOMEM;
    if (!rc) {
        for (size_t j = 0, q = 0; j < m; j++)
            if (keep[j]) {
                kept->id[q] = c->feature[j];
                nonzero[q++] = nonzero_all[j];
            }
        transform_select(c->counts, n, m, m, keep, sel);
        transform_tss(sel, n, k, kept->rel);
        rc = transform_response(c->o->transform, sel, kept->rel, n, k, y);
    }
    if (!rc && k == 0) gb_warn("no feature passes the prevalence filter: associations.tsv has no rows");
    if (!rc) rc = model_table(c, "associations", y, k, kept->id, nonzero);
    free(keep);
    free(nonzero_all);
    free(sel);
    free(y);
    free(nonzero);
    return rc;
}

/* One row of the rank-test table. */
typedef struct {
    double statistic, estimate, n, p;
} rank_row_t;

/* The test of one feature's values x against the variable of interest: Spearman (numeric
 * variable; estimate rho), Wilcoxon (two levels; no estimate) or Kruskal-Wallis (estimate df). */
static int rank_test(const stats_ctx_t *c, const double *x, void *scratch, rank_row_t *row)
{
    const stats_design_t *d = &c->d;
    if (!d->var_categorical) {
        ranktest_spearman_t r;
        if (ranktest_spearman(x, d->var_value, c->n, RANKTEST_TWO_SIDED, scratch, &r)) return GB_E_INTERNAL;
        *row = (rank_row_t){r.statistic, r.rho, (double)r.n, r.p};
    } else if (d->var_levels == 2) {
        ranktest_wilcoxon_t r;
        if (ranktest_wilcoxon(x, d->var_group, c->n, RANKTEST_TWO_SIDED, scratch, &r)) return GB_E_INTERNAL;
        *row = (rank_row_t){r.statistic, NAN, (double)(r.n_x + r.n_y), r.p};
    } else {
        ranktest_kruskal_t r;
        if (ranktest_kruskal(x, d->var_group, c->n, d->var_levels, scratch, &r)) return GB_E_INTERNAL;
        *row = (rank_row_t){r.statistic, r.df, (double)r.n, r.p};
    }
    return GB_OK;
}

/* Wilcoxon (2 groups), Kruskal-Wallis (more) or Spearman (numeric variable) per feature on
 * relative abundances; BH over the features. */
static int rank_tests(const stats_ctx_t *c, const kept_t *kept)
{
    const stats_design_t *d = &c->d;
    size_t n = c->n, k = kept->k, cap = k ? k : 1;
    void *scratch = malloc(ranktest_scratch_bytes(n, d->var_levels + 1));
    double *x = malloc(n * sizeof *x);
    const char **varcol = malloc(cap * sizeof *varcol), **testcol = malloc(cap * sizeof *testcol);
    size_t *qs = malloc(cap * sizeof *qs), *order = NULL;
    double *stat = NULL, *est = NULL, *nn = NULL, *pv = NULL, *qv = NULL;
    table_t t;
    table_init(&t, "ranktests", k);
    int rc = scratch && x && varcol && testcol && qs ? GB_OK : GB_E_NOMEM;
    if (!rc && (table_add_text(&t, "feature", kept->id) || table_add_text(&t, "metadata", varcol) ||
                table_add_text(&t, "test", testcol) || !(stat = table_add_num(&t, "statistic", 0)) ||
                !(est = table_add_num(&t, "estimate", 0)) || !(nn = table_add_num(&t, "N", 1)) ||
                !(pv = table_add_num(&t, "pval", 0)) || !(qv = table_add_num(&t, "qval", 0))))
        rc = GB_E_NOMEM;
    const char *test = !d->var_categorical ? "spearman" : d->var_levels == 2 ? "wilcoxon" : "kruskal";
    for (size_t f = 0; !rc && f < k; f++) {
        rank_row_t r;
        for (size_t i = 0; i < n; i++) x[i] = kept->rel[i * k + f];
        if ((rc = rank_test(c, x, scratch, &r))) break;
        varcol[f] = d->term_name[0];
        testcol[f] = test;
        stat[f] = r.statistic;
        est[f] = r.estimate;
        nn[f] = r.n;
        pv[f] = r.p;
    }
    if (!rc) {
        lm_p_adjust(pv, k, LM_ADJUST_BH, qv, qs);
        if (!(order = order_by_q(qv, k))) rc = GB_E_NOMEM;
    }
    if (!rc) rc = stats_write_table(c, &t, order);
    table_free(&t);
    free(order);
    free(varcol);
    free(testcol);
    free(qs);
    free(x);
    free(scratch);
    return rc;
}

/* Alpha diversity per sample, then each index modelled like a feature. */
static int alpha(const stats_ctx_t *c)
{
    size_t n = c->n;
    diversity_alpha_t *a = malloc((n ? n : 1) * sizeof *a);
    if (!a) return GB_E_NOMEM;
    int rc = diversity_alpha(c->counts, n, c->m, c->m, a);
    table_t t;
    table_init(&t, "alpha", n);
    double *obs = NULL, *sh = NULL, *si = NULL, *ch = NULL;
    if (!rc && (table_add_text(&t, "sample", c->sample) || !(obs = table_add_num(&t, "observed", 1)) ||
                !(sh = table_add_num(&t, "shannon", 0)) || !(si = table_add_num(&t, "simpson", 0)) ||
                !(ch = table_add_num(&t, "chao1", 0))))
        rc = GB_E_NOMEM;
    for (size_t i = 0; !rc && i < n; i++) {
        obs[i] = a[i].observed;
        sh[i] = a[i].shannon;
        si[i] = a[i].simpson;
        ch[i] = a[i].chao1;
    }
    if (!rc) rc = stats_write_table(c, &t, NULL);
    table_free(&t);
    /* diversity_alpha_t is laid out as a row of 4 doubles: a is the n x 4 response matrix */
    static const char *const names[4] = {"observed", "shannon", "simpson", "chao1"};
    if (!rc) rc = model_table(c, "alpha_models", (const double *)a, 4, names, NULL);
    free(a);
    return rc;
}

int stats_assoc_run(const stats_ctx_t *c)
{
    kept_t kept = {0};
    double t0 = omp_get_wtime();
    int rc = associations(c, &kept);
    if (!rc) gb_debug("associations: %.3f s", omp_get_wtime() - t0);
    if (!rc) rc = stats_stopped(c);
    if (!rc) rc = rank_tests(c, &kept);
    if (!rc) rc = stats_stopped(c);
    if (!rc) rc = alpha(c);
    if (!rc) gb_debug("rank tests, alpha: %.3f s", omp_get_wtime() - t0);
    free(kept.rel);
    free(kept.id);
    return rc;
}
