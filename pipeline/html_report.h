/* What the HTML reports share (OUT/report.html of stats, pipeline/stats_report.c, and
 * OUT/run_report.html of run, pipeline/run_report.c): the page with its inline CSS (no network,
 * no script), HTML tables, the provenance section, reading back the TSV tables a report shows,
 * and writing the page atomically. */
#ifndef GB_HTML_REPORT_H
#define GB_HTML_REPORT_H
#include <stddef.h>
#include "gb_status.h"
#include "strbuf.h"

/* A TSV file read whole: cell[r * ncols + c], row 0 is the header. */
typedef struct {
    char *text;
    size_t nrows, ncols; /* nrows counts the header */
    char **cell;
} html_report_tsv_t;

/* Read path (tab-separated, "\n" or "\r\n"). GB_E_IO unreadable (logged; quiet_missing: a missing
 * file is GB_E_IO without a log line), GB_E_FORMAT a row with another field count (logged),
 * GB_E_NOMEM. Free with html_report_tsv_free, also after a failure. */
int html_report_tsv_read(const char *path, int quiet_missing, html_report_tsv_t *t) GB_MUST_CHECK;
void html_report_tsv_free(html_report_tsv_t *t);
/* The column called name, or -1. */
long html_report_tsv_column(const html_report_tsv_t *t, const char *name);

/* Open the page: doctype, head with title and the CSS, body, and the title as <h1>. */
int html_report_begin(strbuf_t *sb, const char *title) GB_MUST_CHECK;
int html_report_end(strbuf_t *sb) GB_MUST_CHECK;
/* A <table> with id: rows [from, to) of t, every column; numbers shortened to 4 significant
 * digits. */
int html_report_table(strbuf_t *sb, const char *id, const html_report_tsv_t *t, size_t from, size_t to) GB_MUST_CHECK;
/* The provenance section: n key/value rows, then the date the page was written (UTC). */
int html_report_provenance(strbuf_t *sb, const char *const (*kv)[2], size_t n) GB_MUST_CHECK;
/* Write the page to path through a temporary name and a rename. GB_E_IO (logged). */
int html_report_write(const char *path, const strbuf_t *sb) GB_MUST_CHECK;

#endif
