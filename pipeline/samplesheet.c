/* Sample sheet reader (samplesheet.h).
 *
 * Sheets hold at most thousands of rows, so the file is read whole and split line by line in
 * place: quoted fields are unquoted into the same buffer and NUL-terminated, then copied into
 * the samples. A quoted field may hold the delimiter or a doubled quote but not a line break
 * (ids and paths never contain one, so a stray quote is reported on its own line instead of
 * silently swallowing the rest of the sheet). The first error ends loading: the whole run must
 * not start on a sheet that is partly wrong. */
#include "samplesheet.h"
#include "fileio.h"
#include "gb_array.h"
#include "log.h"
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Ids become file names (OUT/samples/<id>.profile.tsv.tmp.<pid>, ...) and NAME_MAX is 255;
 * this leaves room for every suffix. */
#define SAMPLE_ID_MAX 200

typedef struct {
    const char *sheet; /* sheet path, for messages */
    char *base;        /* absolute folder of the sheet, relative paths resolve against it */
    char delim;
    size_t ncol;                  /* header fields */
    int col_id, col_fq1, col_fq2; /* -1 when absent (only fastq_2 may be) */
    char **field;                 /* split fields of the current line (pointers into the buffer) */
    size_t field_cap;
} sheet_ctx_t;

/* ---------- reading and splitting ---------- */

/* Next line in [*pos, end) without "\n" or "\r\n", NUL-terminated in place (the buffer is
 * ours). Returns NULL at the end. */
static char *next_line(char **pos, char *end, size_t *len)
{
    char *s = *pos;
    if (s >= end) return NULL;
    char *nl = memchr(s, '\n', (size_t)(end - s));
    char *stop = nl ? nl : end;
    *pos = nl ? nl + 1 : end;
    if (stop > s && stop[-1] == '\r') stop--;
    *stop = '\0';
    *len = (size_t)(stop - s);
    return s;
}

static int push_field(sheet_ctx_t *c, size_t n, char *f)
{
    if (GB_GROW(c->field, c->field_cap, n + 1)) return GB_E_NOMEM;
    c->field[n] = f;
    return GB_OK;
}

/* Unquotes the field starting at s (just after the opening quote) into s itself. Returns the
 * position of the character after the closing quote, or NULL when the quote never closes. */
static char *unquote(char *s)
{
    char *w = s;
    for (char *r = s; *r; r++) {
        if (*r != '"') {
            *w++ = *r;
        } else if (r[1] == '"') {
            *w++ = '"';
            r++;
        } else {
            *w = '\0';
            return r + 1;
        }
    }
    return NULL;
}

/* Splits line (NUL-terminated, modified in place) into c->field. Spaces around a field are
 * dropped ("sample, fastq_1" is a common hand-written header; no id may hold a space and a
 * path with a leading or trailing one is a typo); quote a field to keep them. Returns the
 * field count, or a negative code after logging. */
static long split_line(sheet_ctx_t *c, char *line, int lineno)
{
    size_t n = 0;
    char *s = line;
    for (;;) {
        s += strspn(s, " ");
        char *f = s, *after, *cut;
        if (*s == '"') {
            f = s + 1;
            if (!(cut = unquote(f))) {
                gb_error("%s:%d: quoted field does not end on this line", c->sheet, lineno);
                return GB_E_USAGE;
            }
            after = cut + strspn(cut, " ");
            if (*after && *after != c->delim) {
                gb_error("%s:%d: text after the closing quote of field %zu", c->sheet, lineno, n + 1);
                return GB_E_USAGE;
            }
        } else {
            after = strchr(s, c->delim);
            if (!after) after = s + strlen(s);
            for (cut = after; cut > s && cut[-1] == ' '; cut--) {}
        }
        if (push_field(c, n++, f) != GB_OK) {
            gb_error("%s: out of memory", c->sheet);
            return GB_E_NOMEM;
        }
        int last = *after == '\0';
        *cut = '\0';
        if (last) return (long)n;
        s = after + 1;
    }
}

/* Empty lines, and rows whose fields are all empty or blank (spreadsheets export ",,,"
 * rows), are skipped. */
static int is_blank(char **field, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (field[i][strspn(field[i], " \t")]) return 0;
    return 1;
}

/* ---------- header ---------- */

static int find_columns(sheet_ctx_t *c, size_t n, int lineno)
{
    static const char *const want[3] = {"sample", "fastq_1", "fastq_2"};
    int *col[3] = {&c->col_id, &c->col_fq1, &c->col_fq2};
    for (int k = 0; k < 3; k++) *col[k] = -1;
    for (size_t i = 0; i < n; i++) {
        for (int k = 0; k < 3; k++) {
            if (strcmp(c->field[i], want[k]) != 0) continue;
            if (*col[k] >= 0) {
                gb_error("%s:%d: column '%s' appears twice in the header", c->sheet, lineno, want[k]);
                return GB_E_USAGE;
            }
            *col[k] = (int)i;
        }
    }
    /* fastq_2 may be absent: a sheet of single-end samples needs no empty column */
    for (int k = 0; k < 2; k++) {
        if (*col[k] < 0) {
            gb_error("%s:%d: header has no '%s' column (need sample, fastq_1 and optionally "
                     "fastq_2)",
                     c->sheet, lineno, want[k]);
            return GB_E_USAGE;
        }
    }
    c->ncol = n;
    return GB_OK;
}

/* ---------- one row ---------- */

/* Ids become file names, so they must be safe as one path component. Returns a reason or
 * NULL when valid. */
static const char *id_problem(const char *id)
{
    if (!id[0]) return "empty sample id";
    if (strcmp(id, ".") == 0 || strcmp(id, "..") == 0) return "sample id cannot be '.' or '..'";
    if (strlen(id) > SAMPLE_ID_MAX) return "sample id longer than 200 bytes";
    for (const unsigned char *p = (const unsigned char *)id; *p; p++) {
        if (*p == '/') return "sample id contains '/'";
        if (*p == ' ' || *p == '\t' || *p == '\v' || *p == '\f') return "sample id contains whitespace";
        if (*p < 0x20 || *p == 0x7f) return "sample id contains a control character";
        /* the Python biom-format reader decodes ids as ASCII: it could not load the cohort */
        if (*p >= 0x80) return "sample id contains a non-ASCII byte (biom-format cannot load such ids)";
    }
    return NULL;
}

/* Absolute paths stay as written; relative ones are joined to the sheet's folder (leading
 * "./" dropped so "a.fq" and "./a.fq" name the same input). NULL when out of memory. */
static char *resolve(const char *base, const char *path)
{
    if (path[0] == '/') return strdup(path);
    while (path[0] == '.' && path[1] == '/') {
        path += 2;
        while (*path == '/') path++;
    }
    size_t len = strlen(base) + 1 + strlen(path) + 1;
    char *out = malloc(len);
    if (out) snprintf(out, len, "%s/%s", base, path);
    return out;
}

/* A file that cannot be stat'ed adds 0: it fails later, on its own, when read. */
static uint64_t file_bytes(const char *path)
{
    struct stat st;
    return (path && stat(path, &st) == 0 && st.st_size > 0) ? (uint64_t)st.st_size : 0;
}

static int parse_row(sheet_ctx_t *c, size_t n, int lineno, sample_t *s)
{
    memset(s, 0, sizeof *s); /* freed with the sheet even when this row fails */
    if (n != c->ncol) {
        gb_error("%s:%d: %zu fields, but the header has %zu", c->sheet, lineno, n, c->ncol);
        return GB_E_USAGE;
    }
    const char *id = c->field[c->col_id];
    const char *why = id_problem(id);
    if (why) {
        /* echo printable ids only: a control character could garble the terminal */
        if (strstr(why, "control")) gb_error("%s:%d: %s", c->sheet, lineno, why);
        else gb_error("%s:%d: %s: '%s'", c->sheet, lineno, why, id);
        return GB_E_USAGE;
    }
    const char *fq1 = c->field[c->col_fq1];
    const char *fq2 = c->col_fq2 >= 0 ? c->field[c->col_fq2] : "";
    if (!fq1[0]) {
        gb_error("%s:%d: sample '%s' has an empty fastq_1", c->sheet, lineno, id);
        return GB_E_USAGE;
    }
    s->line = lineno;
    s->id = strdup(id);
    s->fastq[0] = resolve(c->base, fq1);
    s->fastq[1] = fq2[0] ? resolve(c->base, fq2) : NULL;
    if (!s->id || !s->fastq[0] || (fq2[0] && !s->fastq[1])) {
        gb_error("%s: out of memory", c->sheet);
        return GB_E_NOMEM;
    }
    s->bytes = file_bytes(s->fastq[0]) + file_bytes(s->fastq[1]);
    return GB_OK;
}

/* ---------- duplicate ids ---------- */

static int by_id_then_line(const void *a, const void *b)
{
    const sample_t *x = *(const sample_t *const *)a, *y = *(const sample_t *const *)b;
    int d = strcmp(x->id, y->id);
    return d ? d : (x->line > y->line) - (x->line < y->line);
}

/* Sorting pointers by id makes duplicates neighbours; of all duplicates, the one met first
 * in the sheet is reported, with the line of the id's first occurrence. */
static int check_duplicates(const samplesheet_t *sh)
{
    const sample_t **order = malloc(sh->n * sizeof *order);
    if (!order) {
        gb_error("%s: out of memory", sh->path);
        return GB_E_NOMEM;
    }
    for (size_t i = 0; i < sh->n; i++) order[i] = &sh->samples[i];
    qsort(order, sh->n, sizeof *order, by_id_then_line);
    const sample_t *first = NULL, *again = NULL;
    size_t group = 0; /* first entry of the current run of equal ids */
    for (size_t i = 1; i < sh->n; i++) {
        if (strcmp(order[i - 1]->id, order[i]->id) != 0) {
            group = i;
        } else if (i == group + 1 && (!again || order[i]->line < again->line)) {
            first = order[group];
            again = order[i];
        }
    }
    free(order);
    if (!again) return GB_OK;
    gb_error("%s:%d: duplicate sample id '%s' (first on line %d)", sh->path, again->line, again->id, first->line);
    return GB_E_USAGE;
}

/* ---------- driver ---------- */

/* The sheet's folder as an absolute path, so fingerprints do not depend on the directory the
 * run was started from. */
static char *sheet_folder(const char *path)
{
    const char *slash = strrchr(path, '/');
    char *dir = slash ? strndup(path, slash == path ? 1 : (size_t)(slash - path)) : strdup(".");
    if (!dir) return NULL;
    char *abs = realpath(dir, NULL);
    if (abs) {
        free(dir);
        return abs;
    }
    return dir; /* readable sheet but unresolvable folder: keep it as written */
}

static int append_sample(samplesheet_t *sh, size_t *cap)
{
    if (GB_GROW(sh->samples, *cap, sh->n + 1)) {
        gb_error("%s: out of memory", sh->path);
        return GB_E_NOMEM;
    }
    return GB_OK;
}

static int parse_sheet(sheet_ctx_t *c, samplesheet_t *sh, char *buf, size_t len)
{
    char *pos = buf, *end = buf + len, *line;
    size_t line_len, cap = 0;
    int lineno = 0, have_header = 0, header_line = 0;
    if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0) pos += 3;
    while ((line = next_line(&pos, end, &line_len)) != NULL) {
        lineno++;
        if (memchr(line, '\0', line_len)) {
            gb_error("%s:%d: NUL byte (not a text file?)", c->sheet, lineno);
            return GB_E_USAGE;
        }
        if (!have_header) c->delim = strchr(line, '\t') ? '\t' : ',';
        long n = split_line(c, line, lineno);
        if (n < 0) return (int)n;
        if (is_blank(c->field, (size_t)n)) continue;
        int rc;
        if (!have_header) {
            if ((rc = find_columns(c, (size_t)n, lineno)) != GB_OK) return rc;
            have_header = 1;
            header_line = lineno;
            continue;
        }
        if ((rc = append_sample(sh, &cap)) != GB_OK) return rc;
        if ((rc = parse_row(c, (size_t)n, lineno, &sh->samples[sh->n])) != GB_OK) {
            sh->n++; /* the partly filled sample is freed with the sheet */
            return rc;
        }
        sh->n++;
    }
    if (!have_header) {
        gb_error("%s: empty sample sheet (no header line)", c->sheet);
        return GB_E_USAGE;
    }
    if (sh->n == 0) {
        gb_error("%s:%d: no samples after the header", c->sheet, header_line);
        return GB_E_USAGE;
    }
    return check_duplicates(sh);
}

int samplesheet_load(const char *path, samplesheet_t *out)
{
    memset(out, 0, sizeof *out);
    sheet_ctx_t c = {.sheet = path};
    char *buf = NULL;
    size_t len = 0;
    int rc = fileio_read_all(path, "sample sheet", 0, &buf, &len);
    if (rc != GB_OK) return rc == GB_E_IO ? GB_E_USAGE : rc; /* an unreadable sheet is a usage error */
    if (!(out->path = strdup(path)) || !(c.base = sheet_folder(path))) {
        gb_error("%s: out of memory", path);
        rc = GB_E_NOMEM;
        goto done;
    }
    rc = parse_sheet(&c, out, buf, len);
done:
    free(buf);
    free(c.base);
    free(c.field);
    if (rc != GB_OK) samplesheet_free(out);
    return rc;
}

void samplesheet_free(samplesheet_t *s)
{
    if (!s) return;
    for (size_t i = 0; i < s->n; i++) {
        free(s->samples[i].id);
        free(s->samples[i].fastq[0]);
        free(s->samples[i].fastq[1]);
    }
    free(s->samples);
    free(s->path);
    memset(s, 0, sizeof *s);
}
