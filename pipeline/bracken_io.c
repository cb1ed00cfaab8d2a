/* Bracken's input and output files (bracken_io.h), parsed the way est_abundance.py parses
 * them: whitespace stripped from both ends of a line, fields split on single tabs, numbers as
 * Python's int() and float() read them. */
#include "bracken_io.h"
#include "strbuf.h"
#include "fileio.h"
#include "gb_array.h"
#include "log.h"
#include "outfile.h"
#include <inttypes.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <string.h>

/* What Python's str.strip() removes, in ASCII. */
static int py_space(char c) { return c && strchr(" \t\n\r\v\f\x1c\x1d\x1e\x1f", c) != NULL; }

static fileio_span_t strip(fileio_span_t s)
{
    while (s.len && py_space(s.p[0])) {
        s.p++;
        s.len--;
    }
    while (s.len && py_space(s.p[s.len - 1])) s.len--;
    return s;
}

static int span_is(fileio_span_t s, const char *word) { return s.len == strlen(word) && !memcmp(s.p, word, s.len); }

/* Python's int() of a field: spaces around, a sign, digits with single '_' between them. */
static int parse_py_int(fileio_span_t s, int64_t *out)
{
    s = strip(s);
    size_t i = 0;
    int neg = 0;
    if (i < s.len && (s.p[i] == '+' || s.p[i] == '-')) neg = s.p[i++] == '-';
    if (i == s.len) return GB_E_FORMAT;
    uint64_t v = 0;
    for (int prev_digit = 0; i < s.len; i++) {
        char c = s.p[i];
        if (c == '_' && prev_digit && i + 1 < s.len && s.p[i + 1] >= '0' && s.p[i + 1] <= '9') {
            prev_digit = 0;
            continue;
        }
        if (c < '0' || c > '9' || v > (UINT64_C(1) << 62)) return GB_E_FORMAT;
        v = v * 10 + (uint64_t)(c - '0');
        prev_digit = 1;
    }
    if (v > (UINT64_C(1) << 62)) return GB_E_FORMAT;
    *out = neg ? -(int64_t)v : (int64_t)v;
    return GB_OK;
}

/* A taxid as Kraken writes it: decimal digits, no sign, no leading zero. Bracken compares
 * taxids as strings, so "0562" would not be 562 there; it is refused here. */
static int parse_taxid(fileio_span_t s, uint64_t *out)
{
    if (s.len == 0 || s.len > 19 || (s.p[0] == '0' && s.len > 1)) return GB_E_FORMAT;
    uint64_t v = 0;
    for (size_t i = 0; i < s.len; i++) {
        if (s.p[i] < '0' || s.p[i] > '9') return GB_E_FORMAT;
        v = v * 10 + (uint64_t)(s.p[i] - '0');
    }
    *out = v;
    return GB_OK;
}

/* A finite decimal number as Python's float() reads it (correctly rounded, as strtod). */
static int parse_count(fileio_span_t s, double *out)
{
    char buf[64], *end;
    if (s.len == 0 || s.len >= sizeof buf || strspn(s.p, "0123456789.eE+-") < s.len) return GB_E_FORMAT;
    memcpy(buf, s.p, s.len);
    buf[s.len] = '\0';
    *out = strtod(buf, &end);
    return *end == '\0' ? GB_OK : GB_E_FORMAT;
}

/* The fields of a tab-separated line Bracken looks at: the first three and the last three. */
typedef struct {
    size_t n;
    fileio_span_t head[3], tail[3]; /* tail[0] is the last field */
} fields_t;

static fields_t split_fields(fileio_span_t line)
{
    fields_t f = {.n = 1};
    for (size_t i = 0; i < line.len; i++) f.n += line.p[i] == '\t';
    fileio_span_t rest = line;
    for (size_t i = 0; i < 3 && i < f.n; i++) f.head[i] = fileio_next_field(&rest, '\t');
    size_t end = line.len;
    for (size_t i = 0; i < 3 && i < f.n; i++) {
        size_t start = end;
        while (start > 0 && line.p[start - 1] != '\t') start--;
        f.tail[i] = (fileio_span_t){line.p + start, end - start};
        end = start ? start - 1 : 0;
    }
    return f;
}

/* KrakenUniq's rank names, as Bracken maps them; anything else is unranked. */
static const char *kuniq_rank(fileio_span_t s)
{
    static const char *const names[][2] = {{"species", "S"}, {"genus", "G"},  {"family", "F"},       {"order", "O"},
                                           {"class", "C"},   {"phylum", "P"}, {"superkingdom", "D"}, {"kingdom", "K"}};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (span_is(s, names[i][0])) return names[i][1];
    return "-";
}

/* The first line tells a report from what Bracken refuses: Kraken's per-read output, MPA. */
static int check_first_line(const char *path, const char *text, size_t len)
{
    const char *nl = memchr(text, '\n', len);
    size_t first = nl ? (size_t)(nl - text) : len, tabs = 0;
    for (size_t i = 0; i < first; i++) tabs += text[i] == '\t';
    const char *why = len == 0                           ? "empty file"
                      : text[0] == 'C' || text[0] == 'U' ? "Kraken's per-read output, not a report (kraken2 --report)"
                      : tabs == 1                        ? "an MPA-style report; Bracken needs Kraken's report format"
                                                         : NULL;
    if (!why) return GB_OK;
    gb_error("%s: %s", path, why);
    return GB_E_FORMAT;
}

/* One report line into row (*keep 0 for a line Bracken skips). */
static int parse_report_line(char *text, fileio_span_t line, bracken_row_t *row, const char **name, int *keep)
{
    *keep = 0;
    if (line.len == 0 || line.p[0] == '#' || line.p[0] == '%') return GB_OK;
    fields_t f = split_fields(strip(line));
    int64_t clade, taxon, unused;
    if (f.n < 5 || parse_py_int(f.head[1], &clade)) return GB_OK;
    if (parse_py_int(f.head[2], &taxon)) return GB_E_FORMAT;
    fileio_span_t taxid_field, rank_field = f.tail[2];
    const char *rank = NULL;
    if (!parse_py_int(f.tail[2], &unused)) { /* KrakenUniq: taxid, rank name, name */
        taxid_field = f.tail[2];
        rank = kuniq_rank(f.tail[1]);
    } else {
        taxid_field = f.tail[1];
    }
    if (parse_taxid(taxid_field, &row->taxid)) return GB_E_FORMAT;
    if (!rank && rank_field.len > BRACKEN_RANK_MAX) return GB_E_FORMAT;
    if (rank) {
        strcpy(row->rank, rank);
    } else {
        memcpy(row->rank, rank_field.p, rank_field.len);
        row->rank[rank_field.len] = '\0';
    }
    fileio_span_t nm = f.tail[0];
    size_t spaces = 0;
    while (spaces < nm.len && nm.p[spaces] == ' ') spaces++;
    char *writable = text + (nm.p - text);
    writable[nm.len] = '\0'; /* overwrites stripped whitespace, a newline or the final NUL */
    *name = writable + spaces;
    row->clade_reads = clade;
    row->taxon_reads = taxon;
    row->depth = (uint32_t)(spaces / 2);
    row->unclassified = !strcmp(row->rank, "U") || !strcmp(*name, "unclassified");
    *keep = 1;
    return GB_OK;
}

int bracken_io_parse_report(const char *source, char *text, size_t len, bracken_report_t *rep)
{
    memset(rep, 0, sizeof *rep);
    rep->text = text;
    size_t cap_rows = 0, cap_names = 0, cap_lines = 0, line_no = 0;
    int rc = check_first_line(source, rep->text, len);
    if (rc) goto fail;
    const char *pos = rep->text, *end = rep->text + len;
    fileio_span_t line;
    while (fileio_next_line(&pos, end, &line)) {
        line_no++;
        bracken_row_t row = {0};
        const char *name = NULL;
        int keep;
        if ((rc = parse_report_line(rep->text, line, &row, &name, &keep))) {
            gb_error("%s:%zu: not a Kraken report line (bad read count, taxid or rank code)", source, line_no);
            goto fail;
        }
        if (!keep) continue;
        if (GB_GROW(rep->rows, cap_rows, rep->n + 1) || GB_GROW(rep->names, cap_names, rep->n + 1) ||
            GB_GROW(rep->line_no, cap_lines, rep->n + 1)) {
            gb_error("out of memory reading %s", source);
            rc = GB_E_NOMEM;
            goto fail;
        }
        rep->rows[rep->n] = row;
        rep->names[rep->n] = name;
        rep->line_no[rep->n++] = line_no;
    }
    return GB_OK;
fail:
    bracken_io_report_free(rep);
    return rc;
}

int bracken_io_read_report(const char *path, bracken_report_t *rep)
{
    char *text;
    size_t len;
    memset(rep, 0, sizeof *rep);
    int rc = fileio_read_all(path, "Kraken report", 0, &text, &len);
    return rc ? rc : bracken_io_parse_report(path, text, len, rep);
}

void bracken_io_report_free(bracken_report_t *rep)
{
    free(rep->rows);
    free(rep->names);
    free(rep->line_no);
    free(rep->text);
    memset(rep, 0, sizeof *rep);
}

/* One distribution line: "mapped TAB genome:mapped_kmers:total_kmers genome:... ". */
static int parse_distrib_line(fileio_span_t line, bracken_distrib_t *d, const char **why)
{
    fileio_span_t rest = strip(line), mapped_field = fileio_next_field(&rest, '\t');
    uint64_t mapped, genome;
    *why = "expected a taxid, a tab and genome:kmers_mapped:total_kmers entries";
    if (rest.p == mapped_field.p + mapped_field.len || parse_taxid(mapped_field, &mapped)) return GB_E_FORMAT;
    if (bracken_distrib_add_line(d, mapped)) return GB_E_NOMEM;
    fileio_span_t list = fileio_next_field(&rest, '\t');
    for (int more = 1; more;) {
        more = memchr(list.p, ' ', list.len) != NULL;
        fileio_span_t entry = fileio_next_field(&list, ' '), genome_field = fileio_next_field(&entry, ':');
        fileio_span_t kmers_field = fileio_next_field(&entry, ':');
        double kmers, total;
        if (memchr(entry.p, ':', entry.len) || parse_taxid(genome_field, &genome) || parse_count(kmers_field, &kmers) ||
            parse_count(entry, &total))
            return GB_E_FORMAT;
        if (total == 0) {
            *why = "a genome with 0 k-mers in total";
            return GB_E_FORMAT;
        }
        if (bracken_distrib_add_entry(d, genome, kmers / total)) return GB_E_NOMEM;
    }
    return GB_OK;
}

int bracken_io_read_distrib(const char *path, bracken_distrib_t *d)
{
    memset(d, 0, sizeof *d);
    char *text = NULL;
    size_t len, line_no = 1;
    int rc = fileio_read_all(path, "k-mer distribution", 0, &text, &len);
    if (rc) return rc;
    const char *pos = text, *end = text + len, *why = NULL;
    fileio_span_t line;
    fileio_next_line(&pos, end, &line); /* the header */
    while (fileio_next_line(&pos, end, &line)) {
        line_no++;
        if ((rc = parse_distrib_line(line, d, &why))) {
            if (rc == GB_E_NOMEM) gb_error("out of memory reading %s", path);
            else gb_error("%s:%zu: malformed k-mer distribution line: %s", path, line_no, why);
            goto fail;
        }
    }
    if ((rc = bracken_distrib_index(d))) {
        gb_error("out of memory reading %s", path);
        goto fail;
    }
    free(text);
    return GB_OK;
fail:
    free(text);
    bracken_distrib_free(d);
    return rc;
}

char *bracken_io_default_report_name(const char *report_path, const char *level)
{
    /* Python's os.path.splitext: the extension starts at the last dot of the file name,
     * unless only dots precede it */
    const char *base = strrchr(report_path, '/'), *dot;
    base = base ? base + 1 : report_path;
    dot = strrchr(base, '.');
    if (dot && strspn(base, ".") >= (size_t)(dot - base)) dot = NULL;
    size_t stem = dot ? (size_t)(dot - report_path) : strlen(report_path);
    const char *ext = dot ? dot : "", *word = bracken_level_word(level);
    size_t n = stem + strlen("_bracken_") + strlen(word) + strlen(ext) + 1;
    char *out = malloc(n);
    if (out) snprintf(out, n, "%.*s_bracken_%s%s", (int)stem, report_path, word, ext);
    return out;
}

static void write_table(FILE *f, const bracken_report_t *rep, const bracken_result_t *res, const char *level)
{
    fputs("name\ttaxonomy_id\ttaxonomy_lvl\tkraken_assigned_reads\tadded_reads\tnew_est_reads\tfraction_total_reads\n",
          f);
    for (size_t i = 0; i < res->n_est; i++) {
        const bracken_estimate_t *e = &res->est[i];
        fprintf(f, "%s\t%" PRIu64 "\t%s\t%" PRId64 "\t%" PRId64 "\t%" PRId64 "\t%0.5f\n", rep->names[e->row], e->taxid,
                level, e->kraken_reads, e->added_reads, e->new_reads, e->fraction);
    }
}

static void write_report(FILE *f, const bracken_report_t *rep, const bracken_result_t *res, const char *level)
{
    for (size_t i = 0; i < res->n_lines; i++) {
        const bracken_line_t *l = &res->lines[i];
        fprintf(f, "%0.2f\t%" PRId64 "\t%" PRId64 "\t%s\t%" PRIu64 "\t%*s%s\n", l->percent, l->clade_reads,
                l->taxon_reads, l->rank, l->taxid, (int)(2 * rep->rows[l->row].depth), "", rep->names[l->row]);
    }
}

static void log_summary(const char *source, const bracken_result_t *r, const char *level, int64_t threshold,
                        char log_level)
{
    const char *w = bracken_level_word(level);
    gb_log(log_level, __func__, "%s: threshold %" PRId64 "; %zu %s, %zu with reads >= threshold, %zu below", source,
           threshold, r->n_level_taxa, w, r->n_above_threshold, r->n_below_threshold);
    gb_log(log_level, __func__,
           "%s: %" PRId64 " reads; kept at %s level %" PRId64 ", discarded %" PRId64 ", distributed %" PRId64
           ", not distributed %" PRId64 ", unclassified %" PRId64,
           source, r->total_reads, w, r->kept_reads, r->discarded_reads, r->distributed_reads, r->undistributed_reads,
           r->unclassified_reads);
}

int bracken_io_estimate(const char *source, const bracken_report_t *rep, const bracken_distrib_t *d, const char *level,
                        int64_t threshold, char summary_log_level, bracken_result_t *res)
{
    int rc = bracken_estimate(rep->rows, rep->n, d, level, threshold, res);
    if (rc == GB_E_FORMAT && res->err_row != SIZE_MAX && rep->line_no)
        gb_error("%s:%zu: %s", source, rep->line_no[res->err_row], res->err_what);
    else if (rc == GB_E_FORMAT && res->err_row != SIZE_MAX)
        gb_error("%s: %s (taxid %" PRIu64 ")", source, res->err_what, rep->rows[res->err_row].taxid);
    else if (rc == GB_E_FORMAT) gb_error("%s: %s %s (Bracken: no reads found)", source, res->err_what, level);
    else if (rc == GB_E_NOMEM) gb_error("%s: out of memory re-estimating abundances", source);
    else if (rc) gb_error("%s: cannot re-estimate at level '%s'", source, level);
    if (!rc) log_summary(source, res, level, threshold, summary_log_level);
    return rc;
}

/* One output into memory through stdio, so that it is printed by the same fprintf calls as
 * always; NULL *text when out of memory. */
static int render(void (*print)(FILE *, const bracken_report_t *, const bracken_result_t *, const char *),
                  const bracken_report_t *rep, const bracken_result_t *res, const char *level, char **text, size_t *len)
{
    *text = NULL;
    FILE *mem = open_memstream(text, len);
    if (!mem) return GB_E_NOMEM;
    print(mem, rep, res, level);
    int bad = ferror(mem);
    if (fclose(mem) || bad) {
        free(*text);
        *text = NULL;
        return GB_E_NOMEM;
    }
    return GB_OK;
}

int bracken_io_render(const bracken_report_t *rep, const bracken_result_t *res, const char *level, bracken_text_t *out)
{
    memset(out, 0, sizeof *out);
    int rc = render(write_table, rep, res, level, &out->table, &out->table_len);
    if (!rc) rc = render(write_report, rep, res, level, &out->report, &out->report_len);
    if (rc) {
        gb_error("out of memory printing Bracken's outputs");
        bracken_io_text_free(out);
    }
    return rc;
}

void bracken_io_text_free(bracken_text_t *t)
{
    free(t->table);
    free(t->report);
    memset(t, 0, sizeof *t);
}

/* Opens path for text unless keep_same and the file already holds it; *o stays NULL then. */
static int open_unless_same(const char *path, const char *text, size_t len, int keep_same, outfile_t **o)
{
    *o = NULL;
    if (!path || (keep_same && fileio_holds(path, text, len))) return GB_OK;
    if (!(*o = outfile_open(path))) return GB_E_IO;
    if (fwrite(text, 1, len, outfile_fp(*o)) != len) {
        gb_error("cannot write %s", path);
        return GB_E_IO;
    }
    return GB_OK;
}

int bracken_io_write(const bracken_text_t *t, const char *out_table, const char *out_report, int keep_same)
{
    /* both written before either is committed: a failure leaves neither */
    outfile_t *table = NULL, *report = NULL;
    int rc = open_unless_same(out_table, t->table, t->table_len, keep_same, &table);
    if (!rc) rc = open_unless_same(out_report, t->report, t->report_len, keep_same, &report);
    if (rc) {
        outfile_abort(table);
        outfile_abort(report);
        return rc;
    }
    rc = table ? outfile_commit(table) : GB_OK;
    if (rc) outfile_abort(report);
    else if (report) rc = outfile_commit(report);
    return rc;
}

int bracken_io_run(const char *source, const bracken_report_t *rep, const bracken_distrib_t *d, const char *level,
                   int64_t threshold, const char *out_table, const char *out_report, bracken_result_t *res)
{
    bracken_text_t text;
    int rc = bracken_io_estimate(source, rep, d, level, threshold, 'I', res);
    if (!rc) rc = bracken_io_render(rep, res, level, &text);
    if (rc) return rc;
    rc = bracken_io_write(&text, out_table, out_report, 0);
    bracken_io_text_free(&text);
    return rc;
}

/* Taxid 0 stands for reads left unclassified; any other must be a node of the database. */
static int in_database(const taxo_t *t, uint64_t taxid)
{
    return taxid == 0 || (taxid <= UINT32_MAX && taxo_internal(t, (uint32_t)taxid) != 0);
}

int bracken_io_load_for_db(const char *db_path, const taxo_t *taxo, long read_length, bracken_distrib_t *d)
{
    strbuf_t path = STRBUF_INIT;
    struct stat st;
    int is_dir = stat(db_path, &st) == 0 && S_ISDIR(st.st_mode);
    const char *slash = strrchr(db_path, '/');
    int rc = is_dir ? strbuf_printf(&path, "%s/", db_path)
                    : strbuf_printf(&path, "%.*s", slash ? (int)(slash - db_path + 1) : 0, db_path);
    if (!rc) rc = strbuf_printf(&path, "database%ldmers.kmer_distrib", read_length);
    if (rc) {
        strbuf_free(&path);
        return GB_E_NOMEM;
    }
    if (stat(path.s, &st) != 0) {
        gb_error("%s: no k-mer distribution for --bracken-length %ld (make it with gutbrain bracken-build)", path.s,
                 read_length);
        rc = GB_E_IO;
    }
    if (!rc) rc = bracken_io_read_distrib(path.s, d);
    for (size_t i = 0; !rc && i < d->n_lines; i++) {
        uint64_t bad = in_database(taxo, d->mapped[i]) ? 0 : d->mapped[i];
        for (size_t j = d->first[i]; !bad && j < d->first[i + 1]; j++)
            if (!in_database(taxo, d->entry[j].genome)) bad = d->entry[j].genome;
        if (bad) {
            gb_error("%s: taxid %llu is not in the database %s", path.s, (unsigned long long)bad, db_path);
            rc = GB_E_FORMAT;
        }
    }
    strbuf_free(&path);
    return rc;
}

int bracken_io_check_level(const char *option, const char *level)
{
    if (bracken_level_valid(level)) return GB_OK;
    gb_error("--%s '%s': expected D, P, C, O, F, G, S (or K, R), optionally followed by digits", option, level);
    return GB_E_USAGE;
}
