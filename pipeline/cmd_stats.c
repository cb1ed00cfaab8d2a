/* gutbrain stats: cohort (BIOM 2.1) + metadata -> per-feature linear models (MaAsLin2's
 * defaults), rank tests, alpha diversity and its models, beta diversity with PERMANOVA
 * (vegan::adonis2 semantics), a dispersion test and PCoA. Semantics: docs/STATS.md. */
#include "cmd.h"
#include "gb_h5.h"
#include "gb_mpi.h"
#include "biom_read.h"
#include "cli.h"
#include "collapse.h"
#include "diversity.h"
#include "log.h"
#include "metadata.h"
#include "lm.h"
#include "pcoa.h"
#include "permanova.h"
#include "perm.h"
#include "gower.h"
#include "betadisper.h"
#include "ranktests.h"
#include "table.h"
#include "transform.h"
#include <cblas.h>
#include <errno.h>
#include <mpi.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <time.h>

typedef struct {
    const char *cohort, *metadata, *variable, *covariates, *references, *rank, *transform, *taxonomy, *out, *by;
    double min_prevalence;
    long permutations, threads, axes;
    unsigned long long seed;
} stats_opts_t;

static const cli_option_t stats_cli[] = {
    { "cohort", 0, "FILE", "BIOM 2.1 HDF5 table (a gutbrain cohort or any biom-format file) (required)" },
    { "metadata", 0, "TSV", "sample metadata: header, first column sample id; NA or empty = missing (required)" },
    { "variable", 0, "NAME", "the variable of interest, e.g. depression (required)" },
    { "covariates", 0, "A,B,C", "covariates of every model, e.g. age,sex,bmi" },
    { "reference", 0, "NAME=LEVEL,...", "reference level of categorical variables (default: first sorted)" },
    { "rank", 0, "RANK", "collapse to genus (default), species, family, ..., or none" },
    { "transform", 0, "T", "log (default, MaAsLin2's LOG), clr, ast or none" },
    { "min-prevalence", 0, "F", "keep features non-zero in more than F x n samples (default 0.1)" },
    { "permutations", 0, "N", "PERMANOVA and dispersion permutations (default 999)" },
    { "by", 0, "MODE", "PERMANOVA sums of squares: margin (default) or terms" },
    { "seed", 0, "N", "permutation seed (default 42)" },
    { "axes", 0, "K", "PCoA axes written (default 10)" },
    { "taxonomy", 0, "DIR", "NCBI taxdump for --rank when the file's features are taxids" },
    { "threads", 't', "N", "threads (default: OpenMP's)" },
    { "out", 0, "DIR", "output folder (required)" },
    { "quiet", 'q', NULL, "only errors and warnings" },
    { "verbose", 'v', NULL, "more log lines" },
    { "version", 'V', NULL, "print the version" },
    { "help", 'h', NULL, "this help" },
};
#define NSTATS_CLI (int)(sizeof stats_cli / sizeof stats_cli[0])
static const char stats_usage[] =
    "Usage: gutbrain stats --cohort FILE.biom --metadata META.tsv --variable NAME [--covariates a,b,c]\n"
    "                      [--reference NAME=LEVEL] [--rank genus] [--transform log] [--min-prevalence 0.1]\n"
    "                      [--permutations 999] [--seed N] [--threads T] --out OUTDIR\n"
    "Samples: the cohort's samples found in the metadata with no missing model variable, chosen\n"
    "before any filtering (unlike MaAsLin2, which standardises before dropping incomplete rows).\n"
    "Per feature (MaAsLin2 order): prevalence filter, zero-variance drop, TSS over the kept features,\n"
    "transform, then y ~ variable + covariates with numeric terms z-scored and categorical ones as\n"
    "treatment contrasts; BH q over all rows. Rank tests (Wilcoxon, Kruskal-Wallis or Spearman) on\n"
    "relative abundances; alpha diversity (observed, Shannon, Simpson, Chao1) and its models; beta\n"
    "diversity over all features (Bray-Curtis on relative abundances, Aitchison = Euclidean on\n"
    "CLR(count + 0.5)) with PERMANOVA (adonis2, by margin), betadisper and PCoA. Details: docs/STATS.md.";

static int stats_on_opt(void *ctx, int i, const char *v)
{
    stats_opts_t *o = ctx;
    const char *name = stats_cli[i].name;
    long tmp;
    if (!strcmp(name, "cohort")) o->cohort = v;
    else if (!strcmp(name, "metadata")) o->metadata = v;
    else if (!strcmp(name, "variable")) o->variable = v;
    else if (!strcmp(name, "covariates")) o->covariates = v;
    else if (!strcmp(name, "reference")) o->references = v;
    else if (!strcmp(name, "rank")) o->rank = v;
    else if (!strcmp(name, "transform")) o->transform = v;
    else if (!strcmp(name, "min-prevalence")) return cli_double(name, v, 0, 1, &o->min_prevalence);
    else if (!strcmp(name, "permutations")) return cli_int(name, v, 0, 100000000, &o->permutations);
    else if (!strcmp(name, "by")) o->by = v;
    else if (!strcmp(name, "seed")) {
        int rc = cli_int(name, v, 0, 0x7fffffffL, &tmp);
        o->seed = (unsigned long long)tmp;
        return rc;
    } else if (!strcmp(name, "axes")) return cli_int(name, v, 1, 1000, &o->axes);
    else if (!strcmp(name, "taxonomy")) o->taxonomy = v;
    else if (!strcmp(name, "threads")) return cli_int(name, v, 1, 1024, &o->threads);
    else if (!strcmp(name, "out")) o->out = v;
    else if (!strcmp(name, "quiet")) gb_verbosity = 0;
    else if (!strcmp(name, "verbose")) gb_verbosity = 2;
    return 0;
}

static int stats_validate(const stats_opts_t *o)
{
    if (!o->cohort || !o->metadata || !o->variable || !o->out) {
        gb_error("--cohort, --metadata, --variable and --out are required (see gutbrain stats --help)");
        return GB_E_USAGE;
    }
    if (strcmp(o->transform, "log") && strcmp(o->transform, "clr") && strcmp(o->transform, "ast") &&
        strcmp(o->transform, "none")) {
        gb_error("--transform: '%s' is not log, clr, ast or none", o->transform);
        return GB_E_USAGE;
    }
    if (strcmp(o->by, "margin") && strcmp(o->by, "terms")) {
        gb_error("--by: '%s' is neither margin nor terms", o->by);
        return GB_E_USAGE;
    }
    return 0;
}

/* ---- the design ---- */

typedef struct {
    size_t n, p;                /* samples, columns including the intercept (column 0) */
    double *x;                  /* n x p row-major */
    int *term;                  /* [p] term of each column, -1 for the intercept */
    const char **meta_name;     /* [p] MaAsLin2's "metadata" column */
    const char **value_name;    /* [p] MaAsLin2's "value" column (level or variable name) */
    size_t nterms;
    const char **term_name;     /* [nterms] */
    /* the variable of interest, for the rank tests and the dispersion test */
    int var_categorical;
    size_t var_levels;
    int *var_group;             /* [n] level of each sample (0 = reference) when categorical */
    double *var_value;          /* [n] raw values when numeric */
    const char **var_level_name;
} design_t;

static void design_free(design_t *d)
{
    free(d->x);
    free(d->term);
    free(d->meta_name);
    free(d->value_name);
    free(d->term_name);
    free(d->var_group);
    free(d->var_value);
    free(d->var_level_name);
}

/* The reference level asked for NAME in "a=x,b=y", or NULL. Points into refs; copies to buf. */
static const char *reference_for(const char *refs, const char *name, char *buf, size_t cap)
{
    size_t len = strlen(name);
    for (const char *p = refs; p && *p;) {
        const char *end = strchr(p, ',');
        size_t item = end ? (size_t)(end - p) : strlen(p);
        if (item > len && !strncmp(p, name, len) && p[len] == '=') {
            snprintf(buf, cap, "%.*s", (int)(item - len - 1), p + len + 1);
            return buf;
        }
        p = end ? end + 1 : NULL;
    }
    return NULL;
}

/* Append the columns of one term: a z-scored numeric column, or treatment contrasts. */
static int add_term(design_t *d, const metadata_t *m, const metadata_selection_t *sel, const char *name,
                    const char *refs, size_t *col, int is_variable)
{
    const metadata_column_t *c = metadata_column(m, name);
    size_t n = sel->n, t = d->nterms++;
    d->term_name[t] = c->name;
    if (c->type == METADATA_NUMERIC) {
        double *v = malloc(n * sizeof *v), sd = 0;
        if (!v) return GB_E_NOMEM;
        for (size_t i = 0; i < n; i++) v[i] = c->values[sel->meta_row[i]];
        if (is_variable) {
            d->var_value = malloc(n * sizeof *d->var_value);
            if (!d->var_value) return free(v), GB_E_NOMEM;
            memcpy(d->var_value, v, n * sizeof *v);
        }
        transform_zscore(v, n, v, NULL, &sd);
        if (!(sd > 0)) {
            free(v);
            gb_error("%s: variable '%s' is constant over the %zu samples analysed", m->path, name, n);
            return GB_E_USAGE;
        }
        for (size_t i = 0; i < n; i++) d->x[i * d->p + *col] = v[i];
        free(v);
        d->term[*col] = (int)t;
        d->meta_name[*col] = d->value_name[*col] = c->name;
        (*col)++;
        return 0;
    }
    int32_t *codes = malloc(n * sizeof *codes);
    const char **levels = malloc((c->nlevels + 1) * sizeof *levels);
    if (!codes || !levels) return free(codes), free(levels), GB_E_NOMEM;
    size_t nl = metadata_levels_present(c, sel->meta_row, n, codes, levels);
    char refbuf[256];
    const char *ref = reference_for(refs, name, refbuf, sizeof refbuf);
    long r = 0;
    if (ref) {
        for (r = 0; r < (long)nl && strcmp(levels[r], ref); r++) {}
        if (r == (long)nl) {
            gb_error("--reference %s=%s: no analysed sample has that level", name, ref);
            return free(codes), free(levels), GB_E_USAGE;
        }
    }
    if (nl < 2) {
        gb_error("%s: variable '%s' has %zu level%s among the %zu samples analysed; a model needs 2", m->path,
                 name, nl, nl == 1 ? "" : "s", n);
        return free(codes), free(levels), GB_E_USAGE;
    }
    /* reference first, the others in sorted order (R's relevel) */
    const char *moved = levels[r];
    memmove(levels + 1, levels, (size_t)r * sizeof *levels);
    levels[0] = moved;
    for (size_t i = 0; i < n; i++) codes[i] = codes[i] == r ? 0 : codes[i] < r ? codes[i] + 1 : codes[i];
    for (size_t l = 1; l < nl; l++, (*col)++) {
        for (size_t i = 0; i < n; i++) d->x[i * d->p + *col] = codes[i] == (int32_t)l ? 1.0 : 0.0;
        d->term[*col] = (int)t;
        d->meta_name[*col] = c->name;
        d->value_name[*col] = levels[l];
    }
    if (is_variable) {
        d->var_categorical = 1;
        d->var_levels = nl;
        d->var_group = malloc(n * sizeof *d->var_group);
        if (!d->var_group) return free(codes), free(levels), GB_E_NOMEM;
        for (size_t i = 0; i < n; i++) d->var_group[i] = codes[i];
        d->var_level_name = levels;
        levels = NULL;
    }
    free(codes);
    free(levels);
    return 0;
}

/* Columns a term will need: 1 numeric, levels present - 1 categorical (at most nlevels - 1). */
static size_t term_width(const metadata_t *m, const char *name)
{
    const metadata_column_t *c = metadata_column(m, name);
    return c->type == METADATA_NUMERIC ? 1 : (c->nlevels > 1 ? c->nlevels - 1 : 1);
}

static int build_design(const metadata_t *m, const metadata_selection_t *sel, const char *const *vars, size_t nvars,
                        const char *refs, design_t *d)
{
    memset(d, 0, sizeof *d);
    size_t p = 1;
    for (size_t v = 0; v < nvars; v++) p += term_width(m, vars[v]);
    d->n = sel->n;
    d->p = p;
    d->x = calloc(d->n * p, sizeof *d->x);
    d->term = calloc(p, sizeof *d->term);
    d->meta_name = calloc(p, sizeof *d->meta_name);
    d->value_name = calloc(p, sizeof *d->value_name);
    d->term_name = calloc(nvars, sizeof *d->term_name);
    if (!d->x || !d->term || !d->meta_name || !d->value_name || !d->term_name) return GB_E_NOMEM;
    for (size_t i = 0; i < d->n; i++) d->x[i * p] = 1.0;
    d->term[0] = -1;
    d->meta_name[0] = d->value_name[0] = "(Intercept)";
    size_t col = 1;
    for (size_t v = 0; v < nvars; v++) {
        int rc = add_term(d, m, sel, vars[v], refs, &col, v == 0);
        if (rc) return rc;
    }
    /* categorical terms with levels absent from the selection use fewer columns: repack */
    if (col < p) {
        for (size_t i = 0; i < d->n; i++) memmove(d->x + i * col, d->x + i * p, col * sizeof *d->x);
        d->p = col;
    }
    return 0;
}

/* ---- the analyses ---- */

typedef struct {
    const stats_opts_t *o;
    size_t n, m;                /* samples analysed, features at the rank */
    double *counts;             /* n x m, the analysed samples' clade counts */
    const char **feature;       /* [m] feature ids */
    const char **sample;        /* [n] sample ids */
    design_t d;
    int threads;
    hid_t h5;
    MPI_Comm comm;              /* permutations are split across its ranks; rank 0 writes */
    int rank, size;
} stats_ctx_t;

/* This rank's share [from, to) of nperm permutations. */
static void perm_range(const stats_ctx_t *c, uint64_t nperm, uint64_t *from, uint64_t *to)
{
    *from = nperm * (uint64_t)c->rank / (uint64_t)c->size;
    *to = nperm * (uint64_t)(c->rank + 1) / (uint64_t)c->size;
}

/* Sum exceedance counts over the ranks (integers: the split does not change the result). */
static void sum_counts(const stats_ctx_t *c, uint64_t *exceed, size_t n)
{
    if (c->size > 1) MPI_Allreduce(MPI_IN_PLACE, exceed, (int)n, MPI_UINT64_T, MPI_SUM, c->comm);
}

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

static int write_table(stats_ctx_t *c, const table_t *t, const size_t *order)
{
    if (c->rank != 0) return 0;
    int rc = table_write_tsv(t, c->o->out, order);
    return rc ? rc : table_write_h5(t, c->h5, order);
}

/* Fit y (n x k) on the design and write MaAsLin2's columns: one row per feature and
 * non-intercept coefficient (aliased ones as NA), BH over every row. */
static int model_table(stats_ctx_t *c, const char *name, const double *y, size_t k, const char *const *feat,
                       const size_t *nonzero)
{
    const design_t *d = &c->d;
    lm_design_t *ld = NULL;
    size_t p = d->p, rows = k * (p - 1);
    double *coef = malloc(k * p * sizeof *coef), *se = malloc(k * p * sizeof *se);
    double *pv = malloc(k * p * sizeof *pv), *work = NULL;
    int rc = lm_design_create(d->x, d->n, p, p, LM_TOL_LM, &ld);
    if (rc && rc != GB_E_NOMEM) rc = GB_E_INTERNAL;
    if (!rc && !(work = malloc(lm_fit_work_size(ld) * sizeof *work))) rc = GB_E_NOMEM;
    if (!coef || !se || !pv) rc = GB_E_NOMEM;
    lm_fit_out_t out = { .coef = coef, .se = se, .pval = pv, .ld = p };
    if (!rc && lm_fit(ld, y, k, k, work, &out)) rc = GB_E_INTERNAL;
    table_t t;
    table_init(&t, name, rows);
    const char **fcol = malloc((rows ? rows : 1) * sizeof *fcol), **mcol = malloc((rows ? rows : 1) * sizeof *mcol);
    const char **vcol = malloc((rows ? rows : 1) * sizeof *vcol);
    size_t *scratch = malloc((rows ? rows : 1) * sizeof *scratch), *order = NULL;
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
    if (!rc) rc = write_table(c, &t, order);
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

/* MaAsLin2's features: filter, TSS over the kept ones, transform; then the models. rel gets
 * the TSS values of the kept features (n x kept) for the rank tests. */
static int associations(stats_ctx_t *c, double **rel_out, const char ***kept_out, size_t *nkept)
{
    size_t n = c->n, m = c->m;
    unsigned char *keep = malloc(m ? m : 1);
    size_t *nonzero_all = malloc((m ? m : 1) * sizeof *nonzero_all);
    if (!keep || !nonzero_all) return free(keep), free(nonzero_all), GB_E_NOMEM;
    size_t k = transform_filter(c->counts, n, m, m, 0.0, c->o->min_prevalence, 0.0, keep, nonzero_all);
    gb_info("features: %zu at the rank, %zu kept by the prevalence and variance filter", m, k);
    size_t cells = n * k > 0 ? n * k : 1;
    double *sel = malloc(cells * sizeof *sel), *rel = malloc(cells * sizeof *rel);
    double *y = malloc(cells * sizeof *y);
    const char **kept = malloc((k ? k : 1) * sizeof *kept);
    size_t *nonzero = malloc((k ? k : 1) * sizeof *nonzero);
    int rc = sel && rel && y && kept && nonzero ? 0 : GB_E_NOMEM;
    if (!rc) {
        for (size_t j = 0, q = 0; j < m; j++)
            if (keep[j]) {
                kept[q] = c->feature[j];
                nonzero[q++] = nonzero_all[j];
            }
        transform_select(c->counts, n, m, m, keep, sel);
        transform_tss(sel, n, k, rel);
        const char *t = c->o->transform;
        if (!strcmp(t, "clr")) {
            if (transform_clr(sel, n, k, TRANSFORM_CLR_PSEUDOCOUNT, y)) rc = GB_E_FORMAT;
        } else {
            memcpy(y, rel, n * k * sizeof *y);
            if (!strcmp(t, "log")) transform_log2(y, n, k);
            else if (!strcmp(t, "ast")) transform_ast(y, n, k);
        }
        if (rc) gb_error("CLR needs counts >= 0");
    }
    if (!rc && k == 0) gb_warn("no feature passes the prevalence filter: associations.tsv has no rows");
    if (!rc) rc = model_table(c, "associations", y, k, kept, nonzero);
    free(keep);
    free(nonzero_all);
    free(sel);
    free(y);
    free(nonzero);
    *rel_out = rel;
    *kept_out = kept;
    *nkept = k;
    return rc;
}

/* Wilcoxon (2 groups), Kruskal-Wallis (more) or Spearman (numeric variable) per feature on
 * relative abundances; BH over the features. */
static int rank_tests(stats_ctx_t *c, const double *rel, const char *const *feat, size_t k)
{
    const design_t *d = &c->d;
    size_t n = c->n;
    void *scratch = malloc(ranktest_scratch_bytes(n, d->var_levels + 1));
    table_t t;
    table_init(&t, "ranktests", k);
    const char **fcol = malloc((k ? k : 1) * sizeof *fcol), **testcol = malloc((k ? k : 1) * sizeof *testcol);
    size_t *qs = malloc((k ? k : 1) * sizeof *qs), *order = NULL;
    double *stat = NULL, *est = NULL, *nn = NULL, *pv = NULL, *qv = NULL;
    int rc = scratch && fcol && testcol && qs ? 0 : GB_E_NOMEM;
    if (!rc && (table_add_text(&t, "feature", fcol) || table_add_text(&t, "metadata", testcol) ||
                table_add_text(&t, "test", testcol + 0) || !(stat = table_add_num(&t, "statistic", 0)) ||
                !(est = table_add_num(&t, "estimate", 0)) || !(nn = table_add_num(&t, "N", 1)) ||
                !(pv = table_add_num(&t, "pval", 0)) || !(qv = table_add_num(&t, "qval", 0))))
        rc = GB_E_NOMEM;
    const char *test = !d->var_categorical ? "spearman" : d->var_levels == 2 ? "wilcoxon" : "kruskal";
    /* column 2 ("metadata") repeats the variable name; column 3 the test */
    if (!rc) t.cols[1].text = NULL;
    const char **varcol = malloc((k ? k : 1) * sizeof *varcol);
    if (!varcol) rc = GB_E_NOMEM;
    for (size_t f = 0; !rc && f < k; f++) {
        fcol[f] = feat[f];
        varcol[f] = d->term_name[0];
        testcol[f] = test;
        if (!d->var_categorical) {
            ranktest_spearman_t r;
            rc = ranktest_spearman(NULL, NULL, 0, RANKTEST_TWO_SIDED, scratch, &r) ? 0 : 0;
            double *col = malloc(n * sizeof *col);
            if (!col) { rc = GB_E_NOMEM; break; }
            for (size_t i = 0; i < n; i++) col[i] = rel[i * k + f];
            if (ranktest_spearman(col, d->var_value, n, RANKTEST_TWO_SIDED, scratch, &r)) rc = GB_E_INTERNAL;
            free(col);
            stat[f] = r.statistic;
            est[f] = r.rho;
            nn[f] = (double)r.n;
            pv[f] = r.p;
        } else {
            double *col = malloc(n * sizeof *col);
            if (!col) { rc = GB_E_NOMEM; break; }
            for (size_t i = 0; i < n; i++) col[i] = rel[i * k + f];
            if (d->var_levels == 2) {
                ranktest_wilcoxon_t r;
                if (ranktest_wilcoxon(col, d->var_group, n, RANKTEST_TWO_SIDED, scratch, &r)) rc = GB_E_INTERNAL;
                stat[f] = r.statistic;
                nn[f] = (double)(r.n_x + r.n_y);
                pv[f] = r.p;
            } else {
                ranktest_kruskal_t r;
                if (ranktest_kruskal(col, d->var_group, n, d->var_levels, scratch, &r)) rc = GB_E_INTERNAL;
                stat[f] = r.statistic;
                est[f] = r.df;
                nn[f] = (double)r.n;
                pv[f] = r.p;
            }
            free(col);
        }
    }
    if (!rc) {
        t.cols[1].text = varcol;
        lm_p_adjust(pv, k, LM_ADJUST_BH, qv, qs);
        if (!(order = order_by_q(qv, k))) rc = GB_E_NOMEM;
    }
    if (!rc) rc = write_table(c, &t, order);
    table_free(&t);
    free(order);
    free(fcol);
    free(testcol);
    free(varcol);
    free(qs);
    free(scratch);
    return rc;
}

/* Alpha diversity per sample, then each index modelled like a feature. */
static int alpha(stats_ctx_t *c)
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
    if (!rc) rc = write_table(c, &t, NULL);
    table_free(&t);
    static const char *const names[4] = { "observed", "shannon", "simpson", "chao1" };
    if (!rc) rc = model_table(c, "alpha_models", (const double *)a, 4, names, NULL);
    free(a);
    return rc;
}

/* ---- beta diversity ---- */

/* adonis2's permutations: random ones split across ranks and threads; the small-n complete
 * or distinct sets (a few hundred at most) on every rank alone. */
static int count_permanova(const stats_ctx_t *c, const permanova_t *pm, permanova_row_t *rows)
{
    uint64_t requested = (uint64_t)c->o->permutations;
    perm_plan_t plan;
    if (requested == 0 || perm_plan(c->n, requested, &plan) || plan.mode != PERM_RANDOM)
        return permanova_run(pm, requested, c->o->seed, c->threads, rows);
    uint64_t exceed[64] = { 0 }, from, to;
    perm_range(c, plan.nperm, &from, &to);
    int rc = permanova_count_random(pm, c->o->seed, from, to, c->threads, exceed);
    sum_counts(c, exceed, permanova_ntests(pm));
    permanova_table(pm, exceed, plan.nperm, rows);
    return rc;
}

static int permanova_rows(stats_ctx_t *c, const double *g, const char *dist, table_t *t, size_t *row)
{
    const design_t *d = &c->d;
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
static int dispersion_row(stats_ctx_t *c, const double *g, const char *dist, table_t *t, size_t row)
{
    const design_t *d = &c->d;
    double *z = malloc(d->n * sizeof *z), f = NAN, df1 = NAN, df2 = NAN, p = NAN;
    uint64_t exceed = 0;
    if (!z) return GB_E_NOMEM;
    int rc = betadisper_centroid(g, d->n, d->var_group, d->var_levels, z, NULL, NULL);
    if (!rc) rc = betadisper_anova(z, d->n, d->var_group, d->var_levels, &f, &df1, &df2, &p);
    uint64_t nperm = (uint64_t)c->o->permutations;
    perm_plan_t plan = { PERM_RANDOM, nperm };
    if (!rc && nperm > 0 && !perm_plan(d->n, nperm, &plan) && plan.mode != PERM_RANDOM) {
        /* small n: every permutation (or distinct ones), as permute::check() does for R */
        int32_t *set = malloc(plan.nperm * d->n * sizeof *set);
        rc = set ? perm_set(d->n, &plan, c->o->seed, set) : GB_E_NOMEM;
        if (!rc) rc = betadisper_count_explicit(z, d->n, d->var_group, d->var_levels, f, set, plan.nperm, c->threads, &exceed);
        free(set);
    } else if (!rc && nperm > 0) {
        uint64_t from, to;
        perm_range(c, plan.nperm, &from, &to);
        rc = betadisper_count_random(z, d->n, d->var_group, d->var_levels, f, c->o->seed, from, to, c->threads, &exceed);
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

static int pcoa_rows(stats_ctx_t *c, const double *g, const char *dist, table_t *coords, table_t *eigs,
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

static int beta(stats_ctx_t *c)
{
    size_t n = c->n, m = c->m, npair = n * (n - 1) / 2;
    static const char *const dists[2] = { "bray", "aitchison" };
    double *rel = malloc(n * m * sizeof *rel), *clr = malloc(n * m * sizeof *clr);
    double *dist = malloc((npair ? npair : 1) * sizeof *dist), *g = malloc(gower_packed_size(n) * sizeof *g);
    int rc = rel && clr && dist && g ? 0 : GB_E_NOMEM;
    size_t nt = c->d.nterms, axes = (size_t)c->o->axes;
    table_t perm, disp, coords, eigs;
    table_init(&perm, "permanova", 2 * (nt + 2));
    table_init(&disp, "dispersion", c->d.var_categorical ? 2 : 0);
    table_init(&coords, "pcoa", 2 * n);
    table_init(&eigs, "pcoa_eigenvalues", 2 * n);
    const char **txt[7] = { 0 };
    for (int i = 0; i < 7; i++)
        if (!(txt[i] = calloc(2 * (n + nt + 2), sizeof *txt[i]))) rc = GB_E_NOMEM;
    if (!rc && (table_add_text(&perm, "term", txt[0]) || !table_add_num(&perm, "df", 1) ||
                !table_add_num(&perm, "SumOfSqs", 0) || !table_add_num(&perm, "R2", 0) || !table_add_num(&perm, "F", 0) ||
                !table_add_num(&perm, "pval", 0) || table_add_text(&perm, "distance", txt[1]) ||
                table_add_text(&disp, "distance", txt[2]) || table_add_text(&disp, "variable", txt[3]) ||
                !table_add_num(&disp, "df1", 1) || !table_add_num(&disp, "df2", 1) || !table_add_num(&disp, "F", 0) ||
                !table_add_num(&disp, "pval_anova", 0) || !table_add_num(&disp, "pval", 0) ||
                table_add_text(&coords, "sample", txt[4]) || table_add_text(&coords, "distance", txt[5]) ||
                table_add_text(&eigs, "distance", txt[6]) || !table_add_num(&eigs, "axis", 1) ||
                !table_add_num(&eigs, "eigenvalue", 0) || !table_add_num(&eigs, "proportion", 0)))
        rc = GB_E_NOMEM;
    static char axis_names[1000][16];
    for (size_t a = 0; !rc && a < axes && a < 1000; a++) {
        snprintf(axis_names[a], sizeof axis_names[a], "PC%u", (unsigned)(a + 1) % 10000u);
        if (!table_add_num(&coords, axis_names[a], 0)) rc = GB_E_NOMEM;
    }
    size_t prow = 0;
    for (int w = 0; !rc && w < 2; w++) {
        diversity_dist_t out = { DIVERSITY_LOWER, dist, NULL };
        if (w == 0) {
            transform_tss(c->counts, n, m, rel);
            rc = diversity_bray_curtis(rel, n, m, c->threads, &out);
        } else {
            rc = diversity_aitchison(c->counts, n, m, TRANSFORM_CLR_PSEUDOCOUNT, clr, c->threads, &out);
        }
        if (!rc) rc = gower_lower(dist, n, g);
        if (!rc) rc = permanova_rows(c, g, dists[w], &perm, &prow);
        if (!rc && c->d.var_categorical) rc = dispersion_row(c, g, dists[w], &disp, (size_t)w);
        if (!rc) rc = pcoa_rows(c, g, dists[w], &coords, &eigs, (size_t)w);
        if (rc) gb_error("beta diversity (%s) failed: %s", dists[w], gb_strerror(rc));
    }
    perm.nrows = prow;
    if (!rc) rc = write_table(c, &perm, NULL);
    if (!rc && c->d.var_categorical) rc = write_table(c, &disp, NULL);
    if (!rc) rc = write_table(c, &coords, NULL);
    if (!rc) rc = write_table(c, &eigs, NULL);
    table_free(&perm);
    table_free(&disp);
    table_free(&coords);
    table_free(&eigs);
    for (int i = 0; i < 7; i++) free(txt[i]);
    free(rel);
    free(clr);
    free(dist);
    free(g);
    return rc;
}

/* ---- inputs ---- */

/* Split "a,b,c" into names (copied into one buffer). */
static int split_names(const char *variable, const char *list, const char ***names, size_t *n, char **buf)
{
    size_t cap = 2 + (list ? strlen(list) : 0);
    *buf = malloc(cap + (list ? strlen(list) : 0) + 1);
    *names = malloc(cap * sizeof **names);
    if (!*buf || !*names) return GB_E_NOMEM;
    strcpy(*buf, list ? list : "");
    (*names)[0] = variable;
    *n = 1;
    for (char *tok = strtok(*buf, ","); tok; tok = strtok(NULL, ","))
        if (*tok) (*names)[(*n)++] = tok;
    for (size_t i = 0; i < *n; i++)
        for (size_t j = 0; j < i; j++)
            if (!strcmp((*names)[i], (*names)[j])) {
                gb_error("'%s' is named twice among --variable and --covariates", (*names)[i]);
                return GB_E_USAGE;
            }
    return 0;
}

static int write_dropped(const stats_opts_t *o, const metadata_selection_t *sel)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/dropped_samples.tsv", o->out);
    FILE *f = fopen(path, "w");
    if (!f) {
        gb_error("cannot write %s: %s", path, strerror(errno));
        return GB_E_IO;
    }
    int rc = metadata_selection_write_dropped(f, sel);
    if (fclose(f) || rc) return GB_E_IO;
    gb_info("samples analysed: %zu; dropped: %zu not in the metadata, %zu with a missing value (%zu metadata rows "
            "not in the cohort); see %s", sel->n, sel->n_not_in_metadata, sel->n_missing, sel->n_not_in_cohort, path);
    return 0;
}

static hid_t open_h5(const stats_opts_t *o, char *tmp, size_t cap)
{
    snprintf(tmp, cap, "%s/stats.h5.tmp.%ld", o->out, (long)getpid());
    hid_t f = H5Fcreate(tmp, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    char why[256];
    if (f < 0) gb_error("cannot create %s: %s", tmp, gb_h5_reason(why, sizeof why));
    return f;
}

static int provenance(hid_t f, const stats_opts_t *o, int argc, char **argv)
{
    char cmd[8192] = "gutbrain", seed[32], perms[32];
    for (int i = 0; i < argc; i++) {
        size_t len = strlen(cmd);
        snprintf(cmd + len, sizeof cmd - len, " %s", argv[i]);
    }
    snprintf(seed, sizeof seed, "%llu", o->seed);
    snprintf(perms, sizeof perms, "%ld", o->permutations);
    const char *attrs[][2] = {{"generated-by", "gutbrain " GB_VERSION}, {"command-line", cmd},
                              {"cohort", o->cohort}, {"metadata", o->metadata}, {"rank", o->rank},
                              {"transform", o->transform}, {"seed", seed}, {"permutations", perms}};
    int rc = GB_OK;
    for (size_t i = 0; i < sizeof attrs / sizeof attrs[0] && rc == GB_OK; i++)
        rc = gb_h5_attr_string(f, attrs[i][0], attrs[i][1]);
    return rc;
}

static int stats_job(int argc, char **argv, MPI_Comm comm)
{
    stats_opts_t o = { .rank = "genus", .transform = "log", .by = "margin", .min_prevalence = 0.1,
                       .permutations = 999, .seed = 42, .threads = omp_get_max_threads(), .axes = 10 };
    biom_table_t tab = { 0 };
    metadata_t *meta = NULL;
    metadata_selection_t sel = { 0 };
    collapse_t col = { 0 };
    taxo_t taxo = { 0 };
    stats_ctx_t c = { .o = &o, .h5 = -1, .comm = comm };
    MPI_Comm_rank(comm, &c.rank);
    MPI_Comm_size(comm, &c.size);
    gb_log_set_rank(c.rank, c.size);
    const char **vars = NULL;
    char *varbuf = NULL, h5tmp[4200];
    size_t nvars = 0;
    double *rel = NULL;
    const char **kept = NULL;
    size_t nkept = 0;
    char **pos;
    int npos;
    int rc = cli_parse(argc, argv, stats_cli, NSTATS_CLI, stats_on_opt, &o, &pos, &npos, stats_usage);
    if (rc) return rc > 0 ? 0 : rc;
    if ((rc = stats_validate(&o))) return rc;
    c.threads = (int)o.threads;
    /* multithreaded BLAS sums in an order that depends on its thread count; one BLAS thread
     * keeps every table bitwise identical for any --threads (our kernels use OpenMP instead) */
    openblas_set_num_threads(1);
    collapse_rank_t rank;
    if ((rc = collapse_rank_parse(o.rank, &rank)) || (rc = split_names(o.variable, o.covariates, &vars, &nvars, &varbuf)))
        goto done;
    if ((rc = biom_read(o.cohort, &tab)) || (rc = metadata_read(o.metadata, &meta))) goto done;
    if ((rc = metadata_select(meta, tab.sample_ids, tab.nsamples, (char *const *)vars, nvars, &sel))) goto done;
    if (c.rank == 0 && mkdir(o.out, 0777) && errno != EEXIST) {
        gb_error("cannot create %s: %s", o.out, strerror(errno));
        rc = GB_E_IO;
        goto done;
    }
    if (c.rank == 0 && (rc = write_dropped(&o, &sel))) goto done;
    if (o.taxonomy && (rc = collapse_load_taxonomy(o.taxonomy, &tab, &taxo))) goto done;
    if ((rc = collapse_table(&tab, rank, o.taxonomy ? &taxo : NULL, &col))) goto done;
    if ((rc = build_design(meta, &sel, vars, nvars, o.references, &c.d))) goto done;
    c.n = sel.n;
    c.m = col.nfeatures;
    if (c.n < 3) {
        gb_error("only %zu samples to analyse; at least 3 are needed", c.n);
        rc = GB_E_USAGE;
        goto done;
    }
    c.counts = malloc(c.n * c.m * sizeof *c.counts);
    c.sample = malloc(c.n * sizeof *c.sample);
    c.feature = (const char **)col.feature_ids;
    if (!c.counts || !c.sample) {
        rc = GB_E_NOMEM;
        goto done;
    }
    for (size_t i = 0; i < c.n; i++) {
        memcpy(c.counts + i * c.m, col.counts + sel.cohort_row[i] * c.m, c.m * sizeof *c.counts);
        c.sample[i] = tab.sample_ids[sel.cohort_row[i]];
    }
    if (c.rank == 0) { /* every rank learns of a failure here: they meet again in the permutations */
        gb_h5_quiet();
        c.h5 = open_h5(&o, h5tmp, sizeof h5tmp);
        rc = c.h5 < 0 ? GB_E_IO : provenance(c.h5, &o, argc, argv);
    }
    if ((rc = gb_mpi_agree(comm, rc))) goto done;
    double t0 = omp_get_wtime();
    if ((rc = associations(&c, &rel, &kept, &nkept))) goto done;
    gb_debug("associations: %.3f s", omp_get_wtime() - t0);
    if ((rc = rank_tests(&c, rel, kept, nkept))) goto done;
    if ((rc = alpha(&c))) goto done;
    gb_debug("rank tests, alpha: %.3f s", omp_get_wtime() - t0);
    if ((rc = beta(&c))) goto done;
    gb_debug("beta diversity: %.3f s", omp_get_wtime() - t0);
    char final[4200];
    snprintf(final, sizeof final, "%s/stats.h5", o.out);
    if (c.rank == 0 && (H5Fclose(c.h5), c.h5 = -1, rename(h5tmp, final))) {
        gb_error("cannot rename %s to %s: %s", h5tmp, final, strerror(errno));
        rc = GB_E_IO;
    }
    gb_info("wrote %s: %zu samples x %zu features (%s, %s)", o.out, c.n, c.m, o.rank, o.transform);
done:
    if (c.h5 >= 0) {
        H5Fclose(c.h5);
        unlink(h5tmp);
    }
    free(rel);
    free(kept);
    free(c.counts);
    free(c.sample);
    design_free(&c.d);
    collapse_free(&col);
    taxo_destroy(&taxo);
    metadata_selection_free(&sel);
    metadata_destroy(meta);
    biom_table_free(&tab);
    free(vars);
    free(varbuf);
    return rc;
}

/* MPI is optional: without mpirun this is one rank. With several ranks every rank computes the
 * same tables (cheap) and they share the permutations; rank 0 writes. */
int cmd_stats(int argc, char **argv)
{
    int rc = gb_mpi_init();
    if (rc) return rc;
    rc = gb_mpi_agree(MPI_COMM_WORLD, stats_job(argc, argv, MPI_COMM_WORLD));
    gb_mpi_finalize();
    return rc;
}
