/* OUT/report.html of 'gutbrain stats' (pipeline/stats_report.h). The page is built from the
 * TSV tables just written (so it shows exactly what the files hold, and the analyses need not
 * keep their tables) plus the analysed counts of the context. Plot ids and mark classes are
 * what tests/integration/report_html.sh counts: volcano (.volcano-point, one per row of the
 * variable in associations.tsv with a q), taxon-N (.taxon-point, one per sample), alpha-shannon
 * and alpha-observed (.alpha-point), pcoa-bray and pcoa-aitchison (.pcoa-point). */
#include "stats_report.h"
#include "html_report.h"
#include "log.h"
#include "svg_plot.h"
#include "version.h"
#include <libgen.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define TOP_TAXA    6    /* panels of the top associated taxa */
#define TOP_LABELS  8    /* volcano points labelled with their name */
#define SIGNIFICANT 0.25 /* MaAsLin2's default q threshold (docs/STATS.md S1) */

typedef struct {
    const stats_ctx_t *c;
    const biom_table_t *cohort;
    strbuf_t *sb;
    html_report_tsv_t assoc, alpha, pcoa, eig, perm, disp, dropped, failed;
    double *rel; /* n x m relative abundances (%) over every feature at the rank */
} page_t;

static double num(const html_report_tsv_t *t, size_t row, long col)
{
    if (col < 0 || row >= t->nrows) return NAN;
    char *end;
    const char *s = t->cell[row * t->ncols + (size_t)col];
    double v = strtod(s, &end);
    return *s && !*end ? v : NAN;
}

static const char *text(const html_report_tsv_t *t, size_t row, long col)
{
    return col < 0 || row >= t->nrows ? "" : t->cell[row * t->ncols + (size_t)col];
}

static int read_tables(page_t *pg)
{
    const char *const names[] = {"associations", "alpha",      "pcoa",           "pcoa_eigenvalues",
                                 "permanova",    "dispersion", "dropped_samples"};
    html_report_tsv_t *dest[] = {&pg->assoc, &pg->alpha, &pg->pcoa, &pg->eig, &pg->perm, &pg->disp, &pg->dropped};
    strbuf_t path = STRBUF_INIT;
    int rc = GB_OK;
    for (size_t i = 0; i < sizeof names / sizeof names[0] && !rc; i++) {
        strbuf_clear(&path);
        rc = strbuf_printf(&path, "%s/%s.tsv", pg->c->o->out, names[i]);
        /* dispersion.tsv exists only for a categorical variable */
        if (!rc) rc = html_report_tsv_read(path.s, i == 5, dest[i]);
        if (rc == GB_E_IO && i == 5) rc = GB_OK;
    }
    /* failed.tsv next to the cohort: the samples 'gutbrain run' could not classify */
    char *dir = strdup(pg->c->o->cohort);
    strbuf_clear(&path);
    if (!rc && (!dir || strbuf_printf(&path, "%s/failed.tsv", dirname(dir)))) rc = GB_E_NOMEM;
    if (!rc && html_report_tsv_read(path.s, 1, &pg->failed) == GB_E_FORMAT) rc = GB_E_FORMAT;
    free(dir);
    strbuf_free(&path);
    return rc;
}

/* Tooltip "sample: value". */
static const char *tip(char *buf, size_t size, const char *name, double v)
{
    snprintf(buf, size, "%s: %.4g", name, v);
    return buf;
}

/* y[i] of every analysed sample against the variable of interest: per level a box and the
 * samples (jittered deterministically) for a categorical variable, a scatter coloured by the
 * value for a numeric one. One mark of class cls per sample with a finite y. */
static int by_variable(page_t *pg, const char *id, const char *title, const char *ylabel, const double *y,
                       const char *cls)
{
    const stats_ctx_t *c = pg->c;
    const stats_design_t *d = &c->d;
    double lo = INFINITY, hi = -INFINITY, vlo = INFINITY, vhi = -INFINITY, q[3];
    char buf[512], colour[8];
    for (size_t i = 0; i < c->n; i++) {
        if (isfinite(y[i])) lo = fmin(lo, y[i]), hi = fmax(hi, y[i]);
        if (!d->var_categorical) vlo = fmin(vlo, d->var_value[i]), vhi = fmax(vhi, d->var_value[i]);
    }
    svg_plot_spec_t spec = {.id = id,
                            .title = title,
                            .xlabel = c->o->variable,
                            .ylabel = ylabel,
                            .w = 380,
                            .h = 320,
                            .x0 = vlo,
                            .x1 = vhi,
                            .y0 = fmin(lo, 0),
                            .y1 = hi};
    if (d->var_categorical) spec.cats = d->var_level_name, spec.ncats = d->var_levels;
    svg_plot_t p;
    double *v = malloc((c->n ? c->n : 1) * sizeof *v);
    int rc = v ? svg_plot_begin(&p, pg->sb, &spec) : GB_E_NOMEM;
    for (size_t g = 0; !rc && d->var_categorical && g < d->var_levels; g++) {
        size_t k = 0;
        for (size_t i = 0; i < c->n; i++)
            if (d->var_group[i] == (int)g && isfinite(y[i])) v[k++] = y[i];
        svg_plot_quartiles(v, k, q);
        if (k) rc = svg_plot_box(&p, g, q[0], q[1], q[2], svg_plot_colour(g));
    }
    for (size_t i = 0; !rc && i < c->n; i++) {
        if (!isfinite(y[i])) continue;
        if (d->var_categorical) {
            double jitter = ((double)((i * 2654435761u) % 1000) / 1000 - 0.5) * 0.4;
            rc = svg_plot_point(&p, d->var_group[i] + 0.5 + jitter, y[i], 3, svg_plot_colour((size_t)d->var_group[i]),
                                cls, tip(buf, sizeof buf, c->sample[i], y[i]));
        } else {
            svg_plot_ramp((d->var_value[i] - vlo) / (vhi - vlo), colour);
            rc = svg_plot_point(&p, d->var_value[i], y[i], 3, colour, cls, tip(buf, sizeof buf, c->sample[i], y[i]));
        }
    }
    if (!rc) rc = svg_plot_end(&p);
    free(v);
    return rc;
}

/* The rows of associations.tsv for the variable of interest (its levels, when categorical). */
static int is_variable_row(const page_t *pg, size_t r)
{
    return !strcmp(text(&pg->assoc, r, html_report_tsv_column(&pg->assoc, "metadata")), pg->c->o->variable);
}

static int volcano(page_t *pg)
{
    const html_report_tsv_t *a = &pg->assoc;
    long cf = html_report_tsv_column(a, "feature"), cc = html_report_tsv_column(a, "coef"),
         cq = html_report_tsv_column(a, "qval"), cv = html_report_tsv_column(a, "value");
    double xlo = INFINITY, xhi = -INFINITY, ymax = 1, ycap = 0;
    for (size_t r = 1; r < a->nrows; r++) /* associations.tsv is sorted by q: the cap for q = 0 */
        if (is_variable_row(pg, r) && num(a, r, cq) > 0) ycap = fmax(ycap, -log10(num(a, r, cq)));
    ycap = ycap > 0 ? ycap * 1.05 : 10;
    for (size_t r = 1; r < a->nrows; r++)
        if (is_variable_row(pg, r) && isfinite(num(a, r, cc)) && isfinite(num(a, r, cq))) {
            xlo = fmin(xlo, num(a, r, cc)), xhi = fmax(xhi, num(a, r, cc));
            ymax = fmax(ymax, num(a, r, cq) > 0 ? -log10(num(a, r, cq)) : ycap);
        }
    char xlabel[160], buf[512];
    snprintf(xlabel, sizeof xlabel, "coefficient (%s-transformed relative abundance)", pg->c->o->transform);
    svg_plot_spec_t spec = {.id = "volcano",
                            .title = "Associations",
                            .xlabel = xlabel,
                            .ylabel = "-log10 q (BH)",
                            .w = 760,
                            .h = 440,
                            .x0 = fmin(xlo, -xhi),
                            .x1 = fmax(xhi, -xlo),
                            .y0 = 0,
                            .y1 = ymax};
    svg_plot_t p;
    int rc = svg_plot_begin(&p, pg->sb, &spec), labelled = 0;
    if (!rc) rc = svg_plot_rule(&p, -log10(SIGNIFICANT), 0, "q = 0.25");
    for (size_t r = 1; !rc && r < a->nrows; r++) {
        double x = num(a, r, cc), q = num(a, r, cq), y = q > 0 ? -log10(q) : ycap;
        if (!is_variable_row(pg, r) || !isfinite(x) || !isfinite(q)) continue;
        const char *colour = q > SIGNIFICANT ? "#999999" : x > 0 ? svg_plot_colour(5) : svg_plot_colour(0);
        snprintf(buf, sizeof buf, "%s (%s): coef %.4g, q %.3g", text(a, r, cf), text(a, r, cv), x, q);
        rc = svg_plot_point(&p, x, y, 4, colour, "volcano-point", buf);
        if (!rc && q <= SIGNIFICANT && labelled++ < TOP_LABELS)
            rc = svg_plot_label(&p, x, y, x > 0 ? 6 : -6, "tag", text(a, r, cf));
    }
    const char *names[] = {"higher than the reference", "lower", "q > 0.25"};
    const char *colours[] = {svg_plot_colour(5), svg_plot_colour(0), "#999999"};
    if (!rc) rc = svg_plot_legend(&p, names, colours, 3);
    if (!rc) rc = svg_plot_end(&p);
    return rc;
}

static int top_taxa(page_t *pg)
{
    const stats_ctx_t *c = pg->c;
    const html_report_tsv_t *a = &pg->assoc;
    long cf = html_report_tsv_column(a, "feature"), cq = html_report_tsv_column(a, "qval");
    double *y = malloc((c->n ? c->n : 1) * sizeof *y);
    const char *shown[TOP_TAXA];
    size_t nshown = 0;
    char id[32], title[256];
    int rc = y ? strbuf_puts(pg->sb, "<div class=\"plots\">\n") : GB_E_NOMEM;
    for (size_t r = 1; !rc && r < a->nrows && nshown < TOP_TAXA; r++) {
        const char *name = text(a, r, cf);
        size_t f = 0, k = 0;
        while (k < nshown && strcmp(shown[k], name)) k++;
        while (f < c->m && strcmp(c->feature[f], name)) f++;
        if (!is_variable_row(pg, r) || !isfinite(num(a, r, cq)) || k < nshown || f == c->m) continue;
        for (size_t i = 0; i < c->n; i++) y[i] = pg->rel[i * c->m + f];
        snprintf(id, sizeof id, "taxon-%zu", nshown + 1);
        snprintf(title, sizeof title, "%.200s (q = %.2g)", name, num(a, r, cq));
        shown[nshown++] = name;
        rc = by_variable(pg, id, title, "relative abundance (%)", y, "taxon-point");
    }
    if (!rc) rc = strbuf_puts(pg->sb, "</div>\n");
    free(y);
    return rc;
}

static int alpha(page_t *pg)
{
    const stats_ctx_t *c = pg->c;
    const char *const cols[2] = {"shannon", "observed"};
    const char *const ylabels[2] = {"Shannon index (nats)", "observed taxa (count)"};
    const char *const ids[2] = {"alpha-shannon", "alpha-observed"};
    double *y = malloc((c->n ? c->n : 1) * sizeof *y);
    int rc = y ? strbuf_puts(pg->sb, "<div class=\"plots\">\n") : GB_E_NOMEM;
    for (int k = 0; !rc && k < 2; k++) {
        long col = html_report_tsv_column(&pg->alpha, cols[k]), cs = html_report_tsv_column(&pg->alpha, "sample");
        for (size_t i = 0; !rc && i < c->n; i++) {
            y[i] = num(&pg->alpha, i + 1, col);
            if (strcmp(text(&pg->alpha, i + 1, cs), c->sample[i])) rc = GB_E_INTERNAL; /* alpha.tsv: analysis order */
        }
        if (!rc) rc = by_variable(pg, ids[k], cols[k], ylabels[k], y, "alpha-point");
    }
    if (!rc) rc = strbuf_puts(pg->sb, "</div>\n");
    free(y);
    return rc;
}

/* R2 and p of the variable of interest in permanova.tsv for distance dist. */
static void permanova_of_variable(const page_t *pg, const char *dist, double *r2, double *p)
{
    const html_report_tsv_t *t = &pg->perm;
    long ct = html_report_tsv_column(t, "term"), cd = html_report_tsv_column(t, "distance");
    *r2 = *p = NAN;
    for (size_t r = 1; r < t->nrows; r++)
        if (!strcmp(text(t, r, ct), pg->c->o->variable) && !strcmp(text(t, r, cd), dist)) {
            *r2 = num(t, r, html_report_tsv_column(t, "R2"));
            *p = num(t, r, html_report_tsv_column(t, "pval"));
        }
}

static double axis_share(const page_t *pg, const char *dist, int axis)
{
    const html_report_tsv_t *t = &pg->eig;
    long cd = html_report_tsv_column(t, "distance"), ca = html_report_tsv_column(t, "axis");
    for (size_t r = 1; r < t->nrows; r++)
        if (!strcmp(text(t, r, cd), dist) && num(t, r, ca) == axis)
            return 100 * num(t, r, html_report_tsv_column(t, "proportion"));
    return NAN;
}

static int pcoa_plot(page_t *pg, const char *dist, size_t first_row)
{
    const stats_ctx_t *c = pg->c;
    const stats_design_t *d = &c->d;
    const html_report_tsv_t *t = &pg->pcoa;
    long c1 = html_report_tsv_column(t, "PC1"), c2 = html_report_tsv_column(t, "PC2");
    double xlo = INFINITY, xhi = -INFINITY, ylo = INFINITY, yhi = -INFINITY, vlo = INFINITY, vhi = -INFINITY, r2, pv;
    for (size_t i = 0; i < c->n; i++) {
        double x = num(t, first_row + i, c1), y = num(t, first_row + i, c2);
        if (isfinite(x) && isfinite(y)) xlo = fmin(xlo, x), xhi = fmax(xhi, x), ylo = fmin(ylo, y), yhi = fmax(yhi, y);
        if (!d->var_categorical) vlo = fmin(vlo, d->var_value[i]), vhi = fmax(vhi, d->var_value[i]);
    }
    char id[32], title[64], xl[64], yl[64], buf[512], colour[8];
    snprintf(id, sizeof id, "pcoa-%s", dist);
    snprintf(title, sizeof title, "PCoA, %s", !strcmp(dist, "bray") ? "Bray-Curtis" : "Aitchison");
    snprintf(xl, sizeof xl, "PC1 (%.1f %% of variance)", axis_share(pg, dist, 1));
    snprintf(yl, sizeof yl, "PC2 (%.1f %% of variance)", axis_share(pg, dist, 2));
    svg_plot_spec_t spec = {
        .id = id, .title = title, .xlabel = xl, .ylabel = yl, .x0 = xlo, .x1 = xhi, .y0 = ylo, .y1 = yhi};
    svg_plot_t p;
    int rc = strbuf_puts(pg->sb, "<figure>\n");
    if (!rc) rc = svg_plot_begin(&p, pg->sb, &spec);
    for (size_t i = 0; !rc && i < c->n; i++) {
        double x = num(t, first_row + i, c1), y = num(t, first_row + i, c2);
        if (!isfinite(x) || !isfinite(y)) continue;
        if (d->var_categorical) snprintf(colour, sizeof colour, "%s", svg_plot_colour((size_t)d->var_group[i]));
        else svg_plot_ramp((d->var_value[i] - vlo) / (vhi - vlo), colour);
        snprintf(buf, sizeof buf, "%s (%s)", c->sample[i],
                 d->var_categorical ? d->var_level_name[d->var_group[i]] : "numeric");
        rc = svg_plot_point(&p, x, y, 4, colour, "pcoa-point", buf);
    }
    if (!rc) {
        rc = d->var_categorical ? svg_plot_legend(&p, d->var_level_name, NULL, d->var_levels)
                                : svg_plot_ramp_legend(&p, vlo, vhi, c->o->variable);
    }
    if (!rc) rc = svg_plot_end(&p);
    permanova_of_variable(pg, dist, &r2, &pv);
    if (!rc)
        rc = strbuf_printf(pg->sb,
                           "<figcaption>PERMANOVA of %s: R&sup2; = %.3f, p = %.3g (%ld permutations, by %s)."
                           "</figcaption>\n</figure>\n",
                           c->o->variable, r2, pv, c->o->permutations, c->o->by);
    return rc;
}

/* One QC row: sample, reads, % classified, counts in the table, status. */
static int qc_row(page_t *pg, const char *sample, long cohort_row, const char *status)
{
    const biom_table_t *t = pg->cohort;
    int rc = strbuf_puts(pg->sb, "<tr class=\"qc-row\"><td>");
    if (!rc) rc = svg_plot_escape(pg->sb, sample);
    if (!rc && cohort_row >= 0 && t->has_qc) {
        uint64_t reads = t->reads[cohort_row], cls = t->classified[cohort_row];
        rc = strbuf_printf(pg->sb, "</td><td>%llu</td><td>%.1f", (unsigned long long)reads,
                           reads ? 100.0 * (double)cls / (double)reads : 0.0);
    } else if (!rc) rc = strbuf_puts(pg->sb, "</td><td>NA</td><td>NA");
    double sum = 0;
    for (size_t f = 0; cohort_row >= 0 && f < t->nfeatures; f++) sum += t->counts[cohort_row * t->nfeatures + f];
    if (!rc)
        rc =
            strbuf_printf(pg->sb, "</td><td>%.0f</td><td%s>", sum, strcmp(status, "analysed") ? " class=\"fail\"" : "");
    if (!rc) rc = svg_plot_escape(pg->sb, status);
    if (!rc) rc = strbuf_puts(pg->sb, "</td></tr>\n");
    return rc;
}

static int qc_table(page_t *pg)
{
    const biom_table_t *t = pg->cohort;
    const html_report_tsv_t *dr = &pg->dropped, *fl = &pg->failed;
    char status[256];
    int rc = strbuf_puts(pg->sb, "<div class=\"scroll\"><table id=\"qc-table\">\n<tr><th>sample</th><th>reads</th>"
                                 "<th>classified (%)</th><th>counts in the table</th><th>status</th></tr>\n");
    for (size_t s = 0; !rc && s < t->nsamples; s++) {
        snprintf(status, sizeof status, "analysed");
        for (size_t r = 1; r < dr->nrows; r++)
            if (!strcmp(text(dr, r, 0), t->sample_ids[s]))
                snprintf(status, sizeof status, "dropped: %s %s", text(dr, r, 1), text(dr, r, 2));
        rc = qc_row(pg, t->sample_ids[s], (long)s, status);
    }
    for (size_t r = 1; !rc && r < fl->nrows; r++) {
        snprintf(status, sizeof status, "failed in run: %.200s", text(fl, r, html_report_tsv_column(fl, "reason")));
        rc = qc_row(pg, text(fl, r, 0), -1, status);
    }
    if (!rc) rc = strbuf_puts(pg->sb, "</table></div>\n");
    return rc;
}

static const char *run_field(const char *v) { return v && *v ? v : "(not recorded in the cohort file)"; }

static int provenance(page_t *pg, int argc, char **argv)
{
    const stats_opts_t *o = pg->c->o;
    strbuf_t cmd = STRBUF_INIT;
    char params[512], size[96];
    int rc = strbuf_puts(&cmd, "gutbrain");
    for (int i = 0; i < argc && !rc; i++) rc = strbuf_printf(&cmd, " %s", argv[i]);
    snprintf(params, sizeof params,
             "rank %s, transform %s, min-prevalence %g, permutations %ld (by %s), seed %llu, PCoA axes %ld", o->rank,
             o->transform, o->min_prevalence, o->permutations, o->by, o->seed, o->axes);
    snprintf(size, sizeof size, "%zu samples x %zu features", pg->c->n, pg->c->m);
    const char *const kv[][2] = {{"gutbrain", GB_VERSION},
                                 {"cohort", o->cohort},
                                 {"cohort written by", pg->cohort->generated_by},
                                 {"database (of the run)", run_field(pg->cohort->run_db_path)},
                                 {"run command line", run_field(pg->cohort->run_command_line)},
                                 {"metadata", o->metadata},
                                 {"covariates", o->covariates ? o->covariates : "(none)"},
                                 {"variable of interest", o->variable},
                                 {"analysed", size},
                                 {"parameters", params},
                                 {"command line", cmd.s ? cmd.s : ""}};
    if (!rc) rc = html_report_provenance(pg->sb, kv, sizeof kv / sizeof kv[0]);
    strbuf_free(&cmd);
    return rc;
}

static int sections(page_t *pg, int argc, char **argv)
{
    const stats_ctx_t *c = pg->c;
    strbuf_t *sb = pg->sb;
    int rc = strbuf_printf(sb,
                           "<p>%zu samples, %zu features at rank %s; variable of interest <b>%s</b>. "
                           "How to read each plot: docs/STATS.md, section &ldquo;The report&rdquo;.</p>\n"
                           "<h2 id=\"associations\">Associations</h2>\n<figure>\n",
                           c->n, c->m, c->o->rank, c->o->variable);
    if (!rc) rc = volcano(pg);
    if (!rc)
        rc = strbuf_printf(sb,
                           "<figcaption>One point per feature%s: the model coefficient of %s against &minus;log10 "
                           "of its BH q. The dashed line is q = 0.25 (MaAsLin2's default); the most significant "
                           "features are named.</figcaption>\n</figure>\n"
                           "<h2 id=\"top-taxa\">Top associated taxa</h2>\n",
                           c->d.var_categorical && c->d.var_levels > 2 ? " and level" : "", c->o->variable);
    if (!rc) rc = top_taxa(pg);
    if (!rc) rc = strbuf_puts(sb, "<h2 id=\"alpha\">Alpha diversity</h2>\n");
    if (!rc) rc = alpha(pg);
    if (!rc) rc = strbuf_puts(sb, "<h2 id=\"beta\">Beta diversity</h2>\n<div class=\"plots\">\n");
    if (!rc) rc = pcoa_plot(pg, "bray", 1);
    if (!rc) rc = pcoa_plot(pg, "aitchison", 1 + c->n);
    if (!rc) rc = strbuf_puts(sb, "</div>\n<h3>PERMANOVA</h3>\n");
    if (!rc) rc = html_report_table(sb, "permanova-table", &pg->perm, 1, pg->perm.nrows);
    if (!rc && pg->disp.nrows) rc = strbuf_puts(sb, "<h3>Dispersion (betadisper)</h3>\n");
    if (!rc && pg->disp.nrows) rc = html_report_table(sb, "dispersion-table", &pg->disp, 1, pg->disp.nrows);
    if (!rc) rc = strbuf_puts(sb, "<h2 id=\"qc\">Samples</h2>\n");
    if (!rc) rc = qc_table(pg);
    if (!rc) rc = provenance(pg, argc, argv);
    return rc;
}

int stats_report_write(const stats_ctx_t *c, const biom_table_t *cohort, int argc, char **argv)
{
    strbuf_t sb = STRBUF_INIT, path = STRBUF_INIT;
    page_t pg = {.c = c, .cohort = cohort, .sb = &sb};
    int rc = read_tables(&pg);
    if (!rc && !(pg.rel = malloc((c->n * c->m + 1) * sizeof *pg.rel))) rc = GB_E_NOMEM;
    for (size_t i = 0; !rc && i < c->n; i++) {
        double total = 0;
        for (size_t f = 0; f < c->m; f++) total += c->counts[i * c->m + f];
        for (size_t f = 0; f < c->m; f++) pg.rel[i * c->m + f] = total > 0 ? 100 * c->counts[i * c->m + f] / total : 0;
    }
    if (!rc) rc = html_report_begin(&sb, "gutbrain stats report");
    if (!rc) rc = sections(&pg, argc, argv);
    if (!rc) rc = html_report_end(&sb);
    if (!rc) rc = strbuf_printf(&path, "%s/report.html", c->o->out);
    if (!rc) rc = html_report_write(path.s, &sb);
    if (rc == GB_E_NOMEM || rc == GB_E_INTERNAL) gb_error("cannot write the report: %s", gb_strerror(rc));
    html_report_tsv_t *tabs[] = {&pg.assoc, &pg.alpha, &pg.pcoa, &pg.eig, &pg.perm, &pg.disp, &pg.dropped, &pg.failed};
    for (size_t i = 0; i < sizeof tabs / sizeof tabs[0]; i++) html_report_tsv_free(tabs[i]);
    free(pg.rel);
    strbuf_free(&sb);
    strbuf_free(&path);
    return rc;
}
