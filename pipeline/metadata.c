/* Sample metadata TSV (metadata.h).
 *
 * The file is read whole and cut up in place: tabs and line ends become NULs, fields are
 * trimmed and unquoted where they lie, so every string of a metadata_t points into one buffer
 * (m->text) and freeing is a handful of calls. */
#include "metadata.h"
#include "fileio.h"
#include "log.h"
#include "strbuf.h"
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define Q2_DIRECTIVE      "#q2:" /* QIIME 2 metadata: "#q2:types" lines after the header */
#define COLUMN_LIST_BYTES 500    /* column names listed in an error message, about */

/* ---------------------------------------------------------------- reading and splitting */

/* A line of the file: its fields after splitting, and where it was. */
typedef struct {
    char *start;
    size_t line_no;
    size_t nfields;
    char **fields; /* points into cells */
} line_t;

/* Trim spaces around a field and remove enclosing double quotes (in place). */
static char *clean_field(char *s)
{
    while (*s == ' ') s++;
    size_t len = strlen(s);
    while (len > 0 && s[len - 1] == ' ') s[--len] = '\0';
    if (len >= 2 && s[0] == '"' && s[len - 1] == '"') {
        s[len - 1] = '\0';
        s++;
        char *w = s;
        for (char *q = s; *q; q++) { /* "" inside a quoted field is one " */
            *w++ = *q;
            if (q[0] == '"' && q[1] == '"') q++;
        }
        *w = '\0';
    }
    return s;
}

static size_t count_tabs(const char *s)
{
    size_t n = 0;
    for (; *s; s++) n += *s == '\t';
    return n;
}

/* Cut the text into NUL-terminated lines, skipping blank ones; returns the count. The BOM and
 * "\r" before "\n" are removed. lines may be NULL to count only. */
static size_t split_lines(char *text, size_t len, line_t *lines)
{
    size_t n = 0, line_no = 0;
    char *s = text;
    if (len >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) s += 3;
    char *end = text + len;
    while (s < end) {
        char *nl = memchr(s, '\n', (size_t)(end - s));
        char *stop = nl ? nl : end;
        line_no++;
        int blank = 1;
        for (char *q = s; q < stop && blank; q++) blank = *q == ' ' || *q == '\r' || *q == '\t';
        if (lines) {
            *stop = '\0';
            if (stop > s && stop[-1] == '\r') stop[-1] = '\0';
        }
        if (!blank) {
            if (lines) lines[n] = (line_t){.start = s, .line_no = line_no};
            n++;
        }
        s = stop + 1;
    }
    return n;
}

/* Split a line on tabs into cells (already sized), cleaning each field. */
static void split_fields(line_t *l, char **cells)
{
    l->fields = cells;
    char *s = l->start;
    size_t k = 0;
    for (;;) {
        char *tab = strchr(s, '\t');
        if (tab) *tab = '\0';
        cells[k++] = clean_field(s);
        if (!tab) break;
        s = tab + 1;
    }
    l->nfields = k;
}

/* ---------------------------------------------------------------- column types */

static int is_missing(const char *s) { return s[0] == '\0' || strcmp(s, "NA") == 0; }

/* A finite decimal number filling the whole field. strtod alone would also take "inf", "nan"
 * and hexadecimal, which R's reader does not all treat as numbers; requiring a digit (or a
 * point and a digit) after the sign keeps to plain decimals. */
static int parse_number(const char *s, double *v)
{
    const char *p = s + (*s == '+' || *s == '-');
    if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) return 0;
    if (!isdigit((unsigned char)p[0]) && !(p[0] == '.' && isdigit((unsigned char)p[1]))) return 0;
    char *end;
    double x = strtod(s, &end);
    if (*end != '\0' || !isfinite(x)) return 0;
    *v = x;
    return 1;
}

static int cmp_str_ptr(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Index of s in sorted levels[0..n) (present by construction). */
static int32_t level_code(char **levels, size_t n, const char *s)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(levels[mid], s);
        if (c == 0) return (int32_t)mid;
        if (c < 0) lo = mid + 1;
        else hi = mid;
    }
    return -1;
}

/* Levels and codes of a categorical column; cell(r) = the value of row r. */
static int make_categorical(metadata_column_t *c, char **cells, size_t stride, size_t nrows)
{
    size_t n = 0;
    c->levels = malloc((nrows ? nrows : 1) * sizeof *c->levels);
    c->codes = malloc((nrows ? nrows : 1) * sizeof *c->codes);
    if (!c->levels || !c->codes) return GB_E_NOMEM;
    for (size_t r = 0; r < nrows; r++)
        if (!is_missing(cells[r * stride])) c->levels[n++] = cells[r * stride];
    qsort(c->levels, n, sizeof *c->levels, cmp_str_ptr);
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (m == 0 || strcmp(c->levels[i], c->levels[m - 1]) != 0) c->levels[m++] = c->levels[i];
    c->nlevels = m;
    for (size_t r = 0; r < nrows; r++)
        c->codes[r] = is_missing(cells[r * stride]) ? -1 : level_code(c->levels, m, cells[r * stride]);
    return GB_OK;
}

/* Type and values of one column; cells[r * stride] is row r's field, lines[r] its line. */
static int build_column(metadata_column_t *c, char **cells, size_t stride, size_t nrows, const line_t *lines)
{
    size_t numeric = 0, present = 0;
    double v;
    for (size_t r = 0; r < nrows; r++) {
        const char *s = cells[r * stride];
        if (is_missing(s)) continue;
        present++;
        if (parse_number(s, &v)) numeric++;
        else if (c->first_text_line == 0) {
            c->first_text_line = lines[r].line_no;
            c->first_text_value = s;
        }
    }
    c->nmissing = nrows - present;
    c->nnumeric_like = numeric;
    if (present == 0 || numeric < present) {
        c->type = METADATA_CATEGORICAL;
        return make_categorical(c, cells, stride, nrows);
    }
    c->type = METADATA_NUMERIC;
    c->first_text_value = NULL;
    if (!(c->values = malloc((nrows ? nrows : 1) * sizeof *c->values))) return GB_E_NOMEM;
    for (size_t r = 0; r < nrows; r++) {
        const char *s = cells[r * stride];
        c->values[r] = (!is_missing(s) && parse_number(s, &v)) ? v : NAN;
    }
    return GB_OK;
}

/* ---------------------------------------------------------------- ids and names */

/* Order rows by their sample id (qsort_r context: the id array). */
static int cmp_rows_by_id(const void *a, const void *b, void *ids)
{
    char **id = ids;
    return strcmp(id[*(const size_t *)a], id[*(const size_t *)b]);
}

/* Sorted row index of the sample ids; an empty or duplicate id is an error naming its lines. */
static int index_samples(metadata_t *m)
{
    for (size_t r = 0; r < m->nsamples; r++) {
        if (m->sample_ids[r][0] == '\0') {
            gb_error("%s:%zu: empty sample id", m->path, m->line_of[r]);
            return GB_E_FORMAT;
        }
    }
    if (!(m->sorted_rows = malloc((m->nsamples ? m->nsamples : 1) * sizeof *m->sorted_rows))) return GB_E_NOMEM;
    for (size_t r = 0; r < m->nsamples; r++) m->sorted_rows[r] = r;
    qsort_r(m->sorted_rows, m->nsamples, sizeof *m->sorted_rows, cmp_rows_by_id, m->sample_ids);
    for (size_t i = 1; i < m->nsamples; i++) {
        size_t a = m->sorted_rows[i - 1], b = m->sorted_rows[i];
        if (strcmp(m->sample_ids[a], m->sample_ids[b]) == 0) {
            size_t first = a < b ? a : b, second = a < b ? b : a;
            gb_error("%s:%zu: sample id \"%s\" already on line %zu", m->path, m->line_of[second], m->sample_ids[second],
                     m->line_of[first]);
            return GB_E_FORMAT;
        }
    }
    return GB_OK;
}

/* ---------------------------------------------------------------- the whole file */

/* Parsed lines: header first, then the data rows, with their fields. */
typedef struct {
    line_t *lines;
    size_t nlines;
    char **cells;        /* [nrows][width] */
    size_t nrows, width; /* width counts the id column */
    int header_has_id;   /* 0: R's write.table style header without the id column's name */
} parsed_t;

static int split_rows(metadata_t *m, parsed_t *p)
{
    line_t *header = &p->lines[0];
    line_t *rows = p->lines + 1;
    size_t nrows = 0;
    for (size_t i = 1; i < p->nlines; i++) /* drop QIIME 2 directives, keep order */
        if (strncmp(p->lines[i].start, Q2_DIRECTIVE, strlen(Q2_DIRECTIVE)) != 0) rows[nrows++] = p->lines[i];
    size_t header_fields = count_tabs(header->start) + 1;
    size_t row_fields = nrows > 0 ? count_tabs(rows[0].start) + 1 : header_fields;
    p->header_has_id = row_fields != header_fields + 1;
    p->width = p->header_has_id ? header_fields : row_fields;
    p->nrows = nrows;
    size_t total = (nrows + 1) * p->width;
    if (!(p->cells = malloc(total * sizeof *p->cells))) return GB_E_NOMEM;
    split_fields(header, p->cells + (p->header_has_id ? 0 : 1));
    for (size_t r = 0; r < nrows; r++) {
        size_t got = count_tabs(rows[r].start) + 1;
        if (got != p->width) {
            gb_error("%s:%zu: %zu fields, but the header has %zu", m->path, rows[r].line_no, got, p->width);
            return GB_E_FORMAT;
        }
        split_fields(&rows[r], p->cells + (r + 1) * p->width);
    }
    return GB_OK;
}

/* Variable names from the header: present and distinct. */
static int name_columns(metadata_t *m, const parsed_t *p)
{
    char **names = p->cells; /* header cells; names[0] = the id column */
    m->id_header = p->header_has_id ? names[0] : "";
    m->ncolumns = p->width - 1;
    if (!(m->columns = calloc(m->ncolumns ? m->ncolumns : 1, sizeof *m->columns))) return GB_E_NOMEM;
    for (size_t c = 0; c < m->ncolumns; c++) {
        m->columns[c].name = names[c + 1];
        if (names[c + 1][0] == '\0') {
            gb_error("%s:%zu: column %zu has no name", m->path, p->lines[0].line_no, c + 2);
            return GB_E_FORMAT;
        }
        for (size_t d = 0; d < c; d++) {
            if (strcmp(names[d + 1], names[c + 1]) == 0) {
                gb_error("%s:%zu: column name \"%s\" appears twice", m->path, p->lines[0].line_no, names[c + 1]);
                return GB_E_FORMAT;
            }
        }
    }
    return GB_OK;
}

/* Ids, line numbers and typed columns of the data rows. */
static int build_table(metadata_t *m, const parsed_t *p)
{
    size_t n = p->nrows;
    m->nsamples = n;
    m->sample_ids = malloc((n ? n : 1) * sizeof *m->sample_ids);
    m->line_of = malloc((n ? n : 1) * sizeof *m->line_of);
    if (!m->sample_ids || !m->line_of) return GB_E_NOMEM;
    const line_t *rows = p->lines + 1;
    char **data = p->cells + p->width;
    for (size_t r = 0; r < n; r++) {
        m->sample_ids[r] = data[r * p->width];
        m->line_of[r] = rows[r].line_no;
    }
    int rc = GB_OK;
    for (size_t c = 0; c < m->ncolumns && rc == GB_OK; c++)
        rc = build_column(&m->columns[c], data + c + 1, p->width, n, rows);
    return rc;
}

int metadata_read(const char *path, metadata_t **out)
{
    *out = NULL;
    metadata_t *m = calloc(1, sizeof *m);
    parsed_t p = {0};
    size_t len = 0;
    int rc = m ? GB_OK : GB_E_NOMEM;
    if (rc == GB_OK) rc = (m->path = strdup(path)) ? GB_OK : GB_E_NOMEM;
    if (rc == GB_OK) rc = fileio_read_all(path, "metadata", 0, &m->text, &len);
    if (rc == GB_OK) {
        p.nlines = split_lines(m->text, len, NULL);
        if (p.nlines == 0) {
            gb_error("%s: empty file (a header line is needed)", path);
            rc = GB_E_FORMAT;
        } else if (!(p.lines = malloc(p.nlines * sizeof *p.lines))) {
            rc = GB_E_NOMEM;
        }
    }
    if (rc == GB_OK) split_lines(m->text, len, p.lines);
    if (rc == GB_OK) rc = split_rows(m, &p);
    if (rc == GB_OK) rc = name_columns(m, &p);
    if (rc == GB_OK) rc = build_table(m, &p);
    if (rc == GB_OK) rc = index_samples(m);
    if (rc == GB_E_NOMEM) gb_error("out of memory reading %s", path);
    free(p.lines);
    free(p.cells);
    if (rc != GB_OK) {
        metadata_destroy(m);
        return rc;
    }
    gb_debug("%s: %zu samples, %zu variables", path, m->nsamples, m->ncolumns);
    *out = m;
    return GB_OK;
}

void metadata_destroy(metadata_t *m)
{
    if (!m) return;
    for (size_t c = 0; m->columns && c < m->ncolumns; c++) {
        free(m->columns[c].values);
        free(m->columns[c].codes);
        free(m->columns[c].levels);
    }
    free(m->columns);
    free(m->sample_ids);
    free(m->line_of);
    free(m->sorted_rows);
    free(m->text);
    free(m->path);
    free(m);
}

/* ---------------------------------------------------------------- look-ups */

const metadata_column_t *metadata_column(const metadata_t *m, const char *name)
{
    for (size_t c = 0; c < m->ncolumns; c++)
        if (strcmp(m->columns[c].name, name) == 0) return &m->columns[c];
    return NULL;
}

long metadata_find_sample(const metadata_t *m, const char *id)
{
    size_t lo = 0, hi = m->nsamples;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(m->sample_ids[m->sorted_rows[mid]], id);
        if (c == 0) return (long)m->sorted_rows[mid];
        if (c < 0) lo = mid + 1;
        else hi = mid;
    }
    return -1;
}

long metadata_level_index(const metadata_column_t *c, const char *level)
{
    if (c->type != METADATA_CATEGORICAL) return -1;
    return level_code(c->levels, c->nlevels, level);
}

size_t metadata_levels_present(const metadata_column_t *c, const size_t *rows, size_t n, int32_t *codes_out,
                               const char **present_levels)
{
    if (c->type != METADATA_CATEGORICAL) return 0;
    /* present_levels doubles as the "seen" mark of each old level, then is compacted, which
     * keeps the sorted order; new codes are found by binary search among the kept levels */
    for (size_t l = 0; l < c->nlevels; l++) present_levels[l] = NULL;
    for (size_t i = 0; i < n; i++)
        if (c->codes[rows[i]] >= 0) present_levels[c->codes[rows[i]]] = c->levels[c->codes[rows[i]]];
    size_t npresent = 0;
    for (size_t l = 0; l < c->nlevels; l++)
        if (present_levels[l]) present_levels[npresent++] = present_levels[l];
    for (size_t i = 0; i < n; i++) {
        int32_t old = c->codes[rows[i]];
        codes_out[i] = old < 0 ? -1 : level_code((char **)present_levels, npresent, c->levels[old]);
    }
    return npresent;
}

/* ---------------------------------------------------------------- choosing the samples */

/* Column names for an error message: "a, b, c", or "none". A wide table's list ends with
 * "..." after about COLUMN_LIST_BYTES, so the message stays one readable line. Caller frees;
 * NULL when out of memory. */
static char *list_columns(const metadata_t *m)
{
    strbuf_t sb = STRBUF_INIT;
    int rc = m->ncolumns ? GB_OK : strbuf_puts(&sb, "none");
    for (size_t c = 0; c < m->ncolumns && rc == GB_OK; c++) {
        if (sb.len > COLUMN_LIST_BYTES) {
            rc = strbuf_puts(&sb, ", ...");
            break;
        }
        rc = strbuf_printf(&sb, "%s%s", c ? ", " : "", m->columns[c].name);
    }
    if (rc != GB_OK) strbuf_free(&sb);
    return rc == GB_OK ? strbuf_detach(&sb) : NULL;
}

/* The model's columns, each checked: present, and not a numeric column with a stray word. */
static int model_columns(const metadata_t *m, char *const *variables, size_t nvariables, const metadata_column_t **cols)
{
    for (size_t v = 0; v < nvariables; v++) {
        cols[v] = metadata_column(m, variables[v]);
        if (!cols[v]) {
            char *names = list_columns(m);
            gb_error("metadata %s has no column \"%s\" (columns: %s)", m->path, variables[v], names ? names : "?");
            free(names);
            return GB_E_USAGE;
        }
        const metadata_column_t *c = cols[v];
        size_t present = m->nsamples - c->nmissing;
        if (c->type == METADATA_CATEGORICAL && c->nnumeric_like > 0 && 2 * c->nnumeric_like > present) {
            gb_error("%s:%zu: column %s: \"%s\" is not a number, but %zu of the column's %zu values are; "
                     "correct it or write NA",
                     m->path, c->first_text_line, c->name, c->first_text_value, c->nnumeric_like, present);
            return GB_E_FORMAT;
        }
    }
    return GB_OK;
}

static int is_missing_in(const metadata_column_t *c, size_t row)
{
    return c->type == METADATA_NUMERIC ? isnan(c->values[row]) : c->codes[row] < 0;
}

static void add_drop(metadata_selection_t *s, const char *id, metadata_drop_reason_t reason, const char *column)
{
    s->dropped[s->ndropped++] = (metadata_drop_t){id, reason, column};
    if (reason == METADATA_DROP_NOT_IN_METADATA) s->n_not_in_metadata++;
    else if (reason == METADATA_DROP_NOT_IN_COHORT) s->n_not_in_cohort++;
    else s->n_missing++;
}

/* Walk the cohort in order: keep complete cases, note the others; matched[row] marks the
 * metadata rows met. */
static void walk_cohort(const metadata_t *m, char *const *cohort_ids, size_t ncohort, const metadata_column_t **cols,
                        size_t nvariables, char *matched, metadata_selection_t *s)
{
    for (size_t i = 0; i < ncohort; i++) {
        long row = metadata_find_sample(m, cohort_ids[i]);
        if (row < 0) {
            add_drop(s, cohort_ids[i], METADATA_DROP_NOT_IN_METADATA, NULL);
            continue;
        }
        matched[row] = 1;
        const char *missing = NULL;
        for (size_t v = 0; v < nvariables && !missing; v++)
            if (is_missing_in(cols[v], (size_t)row)) missing = cols[v]->name;
        if (missing) {
            add_drop(s, cohort_ids[i], METADATA_DROP_MISSING, missing);
            continue;
        }
        s->cohort_row[s->n] = i;
        s->meta_row[s->n++] = (size_t)row;
    }
}

static int selection_alloc(metadata_selection_t *s, size_t ncohort, size_t nmeta)
{
    s->cohort_row = malloc((ncohort ? ncohort : 1) * sizeof *s->cohort_row);
    s->meta_row = malloc((ncohort ? ncohort : 1) * sizeof *s->meta_row);
    s->dropped = malloc((ncohort + nmeta ? ncohort + nmeta : 1) * sizeof *s->dropped);
    return (s->cohort_row && s->meta_row && s->dropped) ? GB_OK : GB_E_NOMEM;
}

int metadata_select(const metadata_t *m, char *const *cohort_ids, size_t ncohort, char *const *variables,
                    size_t nvariables, metadata_selection_t *out)
{
    memset(out, 0, sizeof *out);
    const metadata_column_t **cols = malloc((nvariables ? nvariables : 1) * sizeof *cols);
    char *matched = calloc(m->nsamples ? m->nsamples : 1, 1);
    int rc = (cols && matched) ? GB_OK : GB_E_NOMEM;
    if (rc == GB_OK) rc = model_columns(m, variables, nvariables, cols);
    if (rc == GB_OK) rc = selection_alloc(out, ncohort, m->nsamples);
    if (rc == GB_E_NOMEM) gb_error("out of memory choosing samples of %s", m->path);
    if (rc != GB_OK) goto done;
    walk_cohort(m, cohort_ids, ncohort, cols, nvariables, matched, out);
    for (size_t r = 0; r < m->nsamples; r++)
        if (!matched[r]) add_drop(out, m->sample_ids[r], METADATA_DROP_NOT_IN_COHORT, NULL);
    if (out->n_not_in_metadata == ncohort) {
        gb_error("none of the %zu cohort sample ids (e.g. \"%s\") is in metadata %s (e.g. \"%s\")", ncohort,
                 ncohort ? cohort_ids[0] : "", m->path, m->nsamples ? m->sample_ids[0] : "");
        rc = GB_E_USAGE;
    } else if (out->n == 0) {
        const metadata_drop_t *d = out->dropped;
        while (d->reason != METADATA_DROP_MISSING) d++; /* there is one: some sample matched */
        gb_error("no sample of both the cohort and %s has a value for every model variable (%zu lack one, "
                 "e.g. sample %s has no %s)",
                 m->path, out->n_missing, d->sample_id, d->column);
        rc = GB_E_USAGE;
    }
done:
    free(cols);
    free(matched);
    if (rc != GB_OK) metadata_selection_free(out);
    return rc;
}

void metadata_selection_free(metadata_selection_t *s)
{
    if (!s) return;
    free(s->cohort_row);
    free(s->meta_row);
    free(s->dropped);
    memset(s, 0, sizeof *s);
}

const char *metadata_drop_reason_name(metadata_drop_reason_t reason)
{
    switch (reason) {
    case METADATA_DROP_NOT_IN_METADATA: return "not_in_metadata";
    case METADATA_DROP_NOT_IN_COHORT: return "not_in_cohort";
    case METADATA_DROP_MISSING: return "missing_value";
    }
    return "?";
}

int metadata_selection_write_dropped(FILE *f, const metadata_selection_t *s)
{
    int bad = fprintf(f, "sample\treason\tcolumn\n") < 0;
    for (size_t i = 0; i < s->ndropped && !bad; i++) {
        const metadata_drop_t *d = &s->dropped[i];
        bad = fprintf(f, "%s\t%s\t%s\n", d->sample_id, metadata_drop_reason_name(d->reason),
                      d->column ? d->column : "") < 0;
    }
    if (bad) {
        gb_error("cannot write the list of dropped samples: %s", strerror(errno));
        return GB_E_IO;
    }
    return GB_OK;
}
