/* OUT/run_report.html of 'gutbrain run' (pipeline/run_report.h). Built from the files run has
 * just written (cohort.biom, failed.tsv), like the stats report from its tables. Taxa are
 * ranked by their mean relative abundance over the samples, so one deep sample does not
 * decide what everyone sees; the marks are .bar-segment rects in the svg #top-taxa. */
#include "run_report.h"
#include "biom_read.h"
#include "html_report.h"
#include "log.h"
#include "svg_plot.h"
#include "version.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TOP 8 /* taxa drawn, one Okabe-Ito colour each; the rest is one "other" segment */

/* The taxon's name for people: the deepest named lineage cell, else the id. */
static const char *taxon_name(const biom_table_t *t, size_t f)
{
    for (size_t l = t->lineage ? t->lineage_width : 0; l > 0; l--) {
        const char *cell = t->lineage[f * t->lineage_width + l - 1], *u = strstr(cell, "__");
        if (u && u[2]) return cell;
    }
    return t->feature_ids[f];
}

static int cmp_mean_desc(const void *a, const void *b, void *ctx)
{
    const double *mean = ctx;
    size_t i = *(const size_t *)a, j = *(const size_t *)b;
    return mean[i] > mean[j] ? -1 : mean[i] < mean[j] ? 1 : (i > j) - (i < j);
}

/* rel: n x nfeatures relative abundances (%); top[0..k) the features with the largest mean. */
static int rank_taxa(const biom_table_t *t, double *rel, size_t *top, size_t *k)
{
    size_t n = t->nsamples, m = t->nfeatures;
    double *mean = calloc(m + 1, sizeof *mean);
    size_t *order = malloc((m + 1) * sizeof *order);
    if (!mean || !order) return free(mean), free(order), GB_E_NOMEM;
    for (size_t s = 0; s < n; s++) {
        double total = 0;
        for (size_t f = 0; f < m; f++) total += t->counts[s * m + f];
        for (size_t f = 0; f < m; f++) {
            rel[s * m + f] = total > 0 ? 100 * t->counts[s * m + f] / total : 0;
            mean[f] += rel[s * m + f] / (double)n;
        }
    }
    for (size_t f = 0; f < m; f++) order[f] = f;
    qsort_r(order, m, sizeof *order, cmp_mean_desc, mean);
    *k = m < TOP ? m : TOP;
    memcpy(top, order, *k * sizeof *top);
    free(mean);
    free(order);
    return GB_OK;
}

static int stacked_bars(strbuf_t *sb, const biom_table_t *t)
{
    size_t n = t->nsamples, m = t->nfeatures, top[TOP], k = 0;
    double *rel = malloc((n * m + 1) * sizeof *rel);
    const char *names[TOP + 1], *colours[TOP + 1];
    char tip[512];
    int rc = rel ? rank_taxa(t, rel, top, &k) : GB_E_NOMEM;
    for (size_t j = 0; j < k; j++) names[j] = taxon_name(t, top[j]), colours[j] = svg_plot_colour(j);
    names[k] = "other", colours[k] = "#BBBBBB";
    svg_plot_spec_t spec = {.id = "top-taxa",
                            .title = "Most abundant taxa (mean relative abundance)",
                            .xlabel = "sample",
                            .ylabel = "relative abundance (%)",
                            .w = 1160,
                            .h = 420,
                            .y0 = 0,
                            .y1 = 100,
                            .cats = (const char *const *)t->sample_ids,
                            .ncats = n,
                            .right = 230};
    svg_plot_t p;
    if (!rc) rc = svg_plot_begin(&p, sb, &spec);
    for (size_t s = 0; !rc && s < n; s++) {
        double y = 0, v;
        for (size_t j = 0; !rc && j <= k; j++, y += v) {
            v = 0;
            if (j < k) v = rel[s * m + top[j]];
            else
                for (size_t f = 0; f < m; f++) v += rel[s * m + f];
            if (j == k) v = fmax(0, v - y); /* everything not drawn yet */
            snprintf(tip, sizeof tip, "%s: %.200s %.2f %%", t->sample_ids[s], names[j], v);
            rc = svg_plot_bar(&p, s, y, y + v, colours[j], "bar-segment", tip);
        }
    }
    if (!rc) rc = svg_plot_legend(&p, names, colours, k + 1);
    if (!rc) rc = svg_plot_end(&p);
    free(rel);
    return rc;
}

/* One row per sample of the cohort, then one per failed sample. */
static int qc_table(strbuf_t *sb, const biom_table_t *t, const html_report_tsv_t *failed)
{
    int rc = strbuf_puts(sb, "<div class=\"scroll\"><table id=\"qc-table\">\n<tr><th>sample</th><th>reads</th>"
                             "<th>classified (%)</th><th>status</th></tr>\n");
    for (size_t s = 0; !rc && s < t->nsamples; s++) {
        uint64_t reads = t->has_qc ? t->reads[s] : 0, cls = t->has_qc ? t->classified[s] : 0;
        rc = strbuf_puts(sb, "<tr class=\"qc-row\"><td>");
        if (!rc) rc = svg_plot_escape(sb, t->sample_ids[s]);
        if (!rc)
            rc = strbuf_printf(sb, "</td><td>%llu</td><td>%.1f</td><td>done</td></tr>\n", (unsigned long long)reads,
                               reads ? 100.0 * (double)cls / (double)reads : 0.0);
    }
    long reason = html_report_tsv_column(failed, "reason");
    for (size_t r = 1; !rc && r < failed->nrows; r++) {
        rc = strbuf_puts(sb, "<tr class=\"qc-row\"><td>");
        if (!rc) rc = svg_plot_escape(sb, failed->cell[r * failed->ncols]);
        if (!rc) rc = strbuf_puts(sb, "</td><td>NA</td><td>NA</td><td class=\"fail\">failed: ");
        if (!rc && reason >= 0) rc = svg_plot_escape(sb, failed->cell[r * failed->ncols + (size_t)reason]);
        if (!rc) rc = strbuf_puts(sb, "</td></tr>\n");
    }
    if (!rc) rc = strbuf_puts(sb, "</table></div>\n");
    return rc;
}

int run_report_write(const char *out, const char *cmdline, const char *db)
{
    strbuf_t sb = STRBUF_INIT, path = STRBUF_INIT;
    biom_table_t t = {0};
    html_report_tsv_t failed = {0};
    char size[96];
    int rc = strbuf_printf(&path, "%s/cohort.biom", out);
    if (!rc) rc = biom_read(path.s, &t);
    strbuf_clear(&path);
    if (!rc) rc = strbuf_printf(&path, "%s/failed.tsv", out);
    if (!rc && (rc = html_report_tsv_read(path.s, 1, &failed)) == GB_E_IO) rc = GB_OK; /* none failed */
    snprintf(size, sizeof size, "%zu samples in the cohort, %zu failed, %zu taxa", t.nsamples,
             failed.nrows ? failed.nrows - 1 : 0, t.nfeatures);
    const char *const kv[][2] = {
        {"gutbrain", GB_VERSION}, {"database", db}, {"cohort", size}, {"command line", cmdline ? cmdline : ""}};
    if (!rc) rc = html_report_begin(&sb, "gutbrain run report");
    if (!rc) rc = strbuf_puts(&sb, "<h2 id=\"taxa\">Taxa</h2>\n");
    if (!rc) rc = stacked_bars(&sb, &t);
    if (!rc) rc = strbuf_puts(&sb, "<h2 id=\"qc\">Samples</h2>\n");
    if (!rc) rc = qc_table(&sb, &t, &failed);
    if (!rc) rc = html_report_provenance(&sb, kv, sizeof kv / sizeof kv[0]);
    if (!rc) rc = html_report_end(&sb);
    strbuf_clear(&path);
    if (!rc) rc = strbuf_printf(&path, "%s/run_report.html", out);
    if (!rc) rc = html_report_write(path.s, &sb);
    html_report_tsv_free(&failed);
    biom_table_free(&t);
    strbuf_free(&sb);
    strbuf_free(&path);
    return rc;
}
