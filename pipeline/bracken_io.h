/* Bracken's files around the re-estimation of kernels/bracken.h: reading a Kraken report and a
 * .kmer_distrib as est_abundance.py reads them, and writing its 7-column table and its
 * re-estimated report (docs/BRACKEN.md). Output files appear under their final names only
 * when complete (outfile.h). */
#ifndef GB_BRACKEN_IO_H
#define GB_BRACKEN_IO_H
#include <stddef.h>
#include "bracken.h"
#include "gb_status.h"
#include "taxo.h"

/* A report as rows for bracken_estimate, with each row's name (no indentation). Filled by
 * bracken_io_read_report, or by a caller holding the counts in memory (names then belong to
 * it, text stays NULL). */
typedef struct {
    bracken_row_t *rows;
    const char **names;
    size_t *line_no; /* 1-based line of each row in the file, for messages; NULL in memory */
    size_t n;
    char *text; /* the file's contents, which names point into */
} bracken_report_t;

/* Reads a kreport: 6 columns, 8 with Kraken 2's minimizer columns, or KrakenUniq's layout;
 * lines starting with '#' or '%', and lines whose second column is not a number, are skipped
 * as Bracken skips them. A Kraken per-read output, an MPA-style report, an empty file, a bad
 * read count or taxid: one error line naming path[:line], GB_E_FORMAT (GB_E_IO when unreadable). */
int bracken_io_read_report(const char *path, bracken_report_t *rep) GB_MUST_CHECK;
/* The same from a report already in memory (source names it in messages): text[0, len), with a
 * NUL at text[len], is malloc'd and becomes rep->text (freed with rep, also on failure). */
int bracken_io_parse_report(const char *source, char *text, size_t len, bracken_report_t *rep) GB_MUST_CHECK;
void bracken_io_report_free(bracken_report_t *rep);

/* Reads a .kmer_distrib (a header line, then "mapped_taxid TAB genome:kmers_mapped:total_kmers
 * ..." lines) into d and indexes it. Taxids absent from a sample's report are ignored then, as
 * Bracken ignores them. A malformed line: one error naming path:line, GB_E_FORMAT. */
int bracken_io_read_distrib(const char *path, bracken_distrib_t *d) GB_MUST_CHECK;

/* Bracken's default name of the re-estimated report: IN_bracken_<species|genuses|...>.EXT.
 * Returns a string to free, NULL when out of memory. */
char *bracken_io_default_report_name(const char *report_path, const char *level);

/* Re-estimates one sample (source names it in messages) at level and writes the table to
 * out_table and, unless NULL, the re-estimated report to out_report. res receives the
 * numbers (free with bracken_result_free). Nothing is left under a final name on failure.
 * Returns GB_OK, GB_E_FORMAT (logged, naming source[:line]), GB_E_IO or GB_E_NOMEM.
 * The three steps below, for callers that need them apart. */
int bracken_io_run(const char *source, const bracken_report_t *rep, const bracken_distrib_t *d, const char *level,
                   int64_t threshold, const char *out_table, const char *out_report,
                   bracken_result_t *res) GB_MUST_CHECK;

/* bracken_estimate with its errors logged as bracken_io_run logs them, then est_abundance.py's
 * summary (two lines) logged at summary_log_level ('I' or 'D', as gb_log takes it). No reads at
 * the level: GB_E_FORMAT with res->err_row == SIZE_MAX (logged too). */
int bracken_io_estimate(const char *source, const bracken_report_t *rep, const bracken_distrib_t *d, const char *level,
                        int64_t threshold, char summary_log_level, bracken_result_t *res) GB_MUST_CHECK;

/* Bracken's two outputs of one sample printed in memory: the 7-column table and the
 * re-estimated report, each malloc'd and NUL-terminated. */
typedef struct {
    char *table, *report;
    size_t table_len, report_len;
} bracken_text_t;
int bracken_io_render(const bracken_report_t *rep, const bracken_result_t *res, const char *level,
                      bracken_text_t *out) GB_MUST_CHECK;
void bracken_io_text_free(bracken_text_t *t);

/* Writes t's table to out_table and, unless NULL, its report to out_report, both complete
 * before either gets its final name. With keep_same, a file that already holds exactly its
 * text is left alone (no new inode, no rename over it). GB_OK or GB_E_IO (logged). */
int bracken_io_write(const bracken_text_t *t, const char *out_table, const char *out_report,
                     int keep_same) GB_MUST_CHECK;

/* The distribution of a database for one read length: DB/database{L}mers.kmer_distrib next to
 * the database (db_path is its folder, or the database file itself), read into d and checked
 * against the database's taxonomy (every taxid but 0, Bracken's "unclassified", must be a node),
 * so that commands can check it before classifying anything. A missing file: GB_E_IO; a
 * malformed line or unknown taxid: GB_E_FORMAT; each one error line naming the file. */
int bracken_io_load_for_db(const char *db_path, const taxo_t *taxo, long read_length,
                           bracken_distrib_t *d) GB_MUST_CHECK;
/* GB_OK if level is one Bracken accepts (bracken_level_valid), else one error line naming
 * --option and GB_E_USAGE. */
int bracken_io_check_level(const char *option, const char *level) GB_MUST_CHECK;
#endif
