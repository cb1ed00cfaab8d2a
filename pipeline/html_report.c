/* The HTML reports' shared parts (pipeline/html_report.h). The CSS keeps the page to one column
 * of at most 1200 px, so two 560 px plots sit side by side on a 1280 px laptop screen and wrap
 * below each other on a narrower one. */
#include "html_report.h"
#include "gb_array.h"
#include "fileio.h"
#include "log.h"
#include "outfile.h"
#include "svg_plot.h"
#include <stdlib.h>
#include <string.h>
#include <time.h>

int html_report_tsv_read(const char *path, int quiet_missing, html_report_tsv_t *t)
{
    size_t len, cap = 0, ncell = 0;
    *t = (html_report_tsv_t){0};
    int rc = fileio_read_all(path, "table", quiet_missing, &t->text, &len);
    if (rc) return rc;
    const char *pos = t->text, *end = t->text + len;
    fileio_span_t line;
    while (fileio_next_line(&pos, end, &line)) {
        char *s = (char *)line.p, *e = s + line.len; /* e: the "\r", "\n" or the buffer's NUL */
        *e = '\0';
        if (s == e) continue;
        size_t fields = 0;
        for (char *f = s;; fields++) {
            if (GB_GROW(t->cell, cap, ncell + 1)) return GB_E_NOMEM;
            t->cell[ncell++] = f;
            char *tab = strchr(f, '\t');
            if (!tab) break;
            *tab = '\0';
            f = tab + 1;
        }
        fields++;
        if (t->nrows == 0) t->ncols = fields;
        else if (fields != t->ncols) {
            gb_error("%s: line %zu has %zu fields, the header %zu", path, t->nrows + 1, fields, t->ncols);
            return GB_E_FORMAT;
        }
        t->nrows++;
    }
    return GB_OK;
}

void html_report_tsv_free(html_report_tsv_t *t)
{
    free(t->text);
    free(t->cell);
    *t = (html_report_tsv_t){0};
}

long html_report_tsv_column(const html_report_tsv_t *t, const char *name)
{
    for (size_t c = 0; t->nrows && c < t->ncols; c++)
        if (!strcmp(t->cell[c], name)) return (long)c;
    return -1;
}

static const char css[] =
    "body{font:15px/1.45 system-ui,sans-serif;color:#222;max-width:1200px;margin:0 auto;padding:0 16px 40px}"
    "h1{font-size:26px}h2{font-size:20px;margin-top:32px;border-bottom:1px solid #ccc}"
    ".plots{display:flex;flex-wrap:wrap;gap:12px}figure{margin:0}figcaption{max-width:560px;font-size:13px}"
    "svg{font-size:12px;background:#fff}svg .grid{stroke:#e6e6e6}svg .frame{fill:none;stroke:#555}"
    "svg .ptitle{font-weight:600;font-size:14px}svg .axis{font-size:13px}svg .rule{stroke:#555;stroke-dasharray:4 3}"
    "svg .note{fill:#555}svg .box{fill:none;stroke-width:1.5}svg .median{stroke-width:2.5}"
    "svg .mark{stroke:#fff;stroke-width:.5;fill-opacity:.85}svg .tag{font-size:11px}"
    "table{border-collapse:collapse;font-size:13px;margin:8px 0}th,td{border:1px solid #ccc;padding:2px 8px;"
    "text-align:right}th{background:#f2f2f2}td:first-child,th:first-child{text-align:left}"
    ".fail{color:#D55E00;font-weight:600}.scroll{max-height:480px;overflow:auto;display:inline-block}";

int html_report_begin(strbuf_t *sb, const char *title)
{
    int rc = strbuf_puts(sb, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                             "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>");
    if (!rc) rc = svg_plot_escape(sb, title);
    if (!rc) rc = strbuf_printf(sb, "</title>\n<style>%s</style>\n</head>\n<body>\n<h1>", css);
    if (!rc) rc = svg_plot_escape(sb, title);
    if (!rc) rc = strbuf_puts(sb, "</h1>\n");
    return rc;
}

int html_report_end(strbuf_t *sb) { return strbuf_puts(sb, "</body>\n</html>\n"); }

/* A cell: numbers with 4 significant digits, text as it is. */
static int cell(strbuf_t *sb, const char *tag, const char *s)
{
    char *end;
    double v = strtod(s, &end);
    int rc = strbuf_printf(sb, "<%s>", tag);
    if (!rc && *s && !*end && strchr(s, '.')) rc = strbuf_printf(sb, "%.4g", v);
    else if (!rc) rc = svg_plot_escape(sb, s);
    if (!rc) rc = strbuf_printf(sb, "</%s>", tag);
    return rc;
}

int html_report_table(strbuf_t *sb, const char *id, const html_report_tsv_t *t, size_t from, size_t to)
{
    int rc = strbuf_printf(sb, "<table id=\"%s\">\n<tr>", id);
    for (size_t c = 0; !rc && c < t->ncols && t->nrows; c++) rc = cell(sb, "th", t->cell[c]);
    for (size_t r = from; !rc && r < to && r < t->nrows; r++) {
        rc = strbuf_puts(sb, "</tr>\n<tr>");
        for (size_t c = 0; !rc && c < t->ncols; c++) rc = cell(sb, "td", t->cell[r * t->ncols + c]);
    }
    if (!rc) rc = strbuf_puts(sb, "</tr>\n</table>\n");
    return rc;
}

int html_report_provenance(strbuf_t *sb, const char *const (*kv)[2], size_t n)
{
    char date[32];
    time_t now = time(NULL);
    struct tm tm;
    strftime(date, sizeof date, "%Y-%m-%d %H:%M:%S UTC", gmtime_r(&now, &tm));
    int rc = strbuf_puts(sb, "<h2 id=\"provenance\">Provenance</h2>\n<table id=\"provenance-table\">\n");
    for (size_t i = 0; !rc && i <= n; i++) {
        rc = strbuf_puts(sb, "<tr><th>");
        if (!rc) rc = svg_plot_escape(sb, i < n ? kv[i][0] : "written");
        if (!rc) rc = strbuf_puts(sb, "</th><td style=\"text-align:left\">");
        if (!rc) rc = svg_plot_escape(sb, i < n ? kv[i][1] : date);
        if (!rc) rc = strbuf_puts(sb, "</td></tr>\n");
    }
    if (!rc) rc = strbuf_puts(sb, "</table>\n");
    return rc;
}

int html_report_write(const char *path, const strbuf_t *sb)
{
    outfile_t *f = outfile_open(path);
    if (!f) return GB_E_IO;
    if (fwrite(sb->s, 1, sb->len, outfile_fp(f)) != sb->len) {
        gb_error("cannot write %s", path);
        outfile_abort(f);
        return GB_E_IO;
    }
    return outfile_commit(f);
}
