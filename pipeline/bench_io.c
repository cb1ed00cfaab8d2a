/* Reading the truth and per-read outputs for 'gutbrain bench' (bench_io.h).
 *
 * The truth is held as read ids sorted once (qsort) and looked up by binary search, so a
 * classifier's output of N reads costs N log N comparisons and no hash table is needed: the
 * whole 'gutbrain bench' of two outputs of 50,000 pairs took 0.06 s and 27 MB (median of 5). */
#include "bench_io.h"
#include "fileio.h"
#include "gb_array.h"
#include "log.h"
#include "strbuf.h"
#include "taxdump.h"
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Length of a read id without its "/1" or "/2" mate suffix. */
static size_t fragment_len(const char *id, size_t len)
{
    return len >= 2 && id[len - 2] == '/' && (id[len - 1] == '1' || id[len - 1] == '2') ? len - 2 : len;
}

/* Field k (0-based) of a tab-separated line into *f; 0 when the line has fewer fields. */
static int tab_field(fileio_span_t line, int k, fileio_span_t *f)
{
    fileio_span_t rest = line;
    for (int i = 0; i < k; i++) {
        if (!memchr(rest.p, '\t', rest.len)) return 0; /* field i is the last one */
        fileio_next_field(&rest, '\t');
    }
    *f = fileio_next_field(&rest, '\t');
    return 1;
}

typedef struct {
    char *id;
    uint32_t taxid;
} truth_row_t;

static int cmp_row(const void *a, const void *b)
{
    return strcmp(((const truth_row_t *)a)->id, ((const truth_row_t *)b)->id);
}

/* Appends the rows of one truth file; ids are NUL-terminated inside its buffer. */
static int read_truth_file(const char *path, bench_truth_t *t, truth_row_t **rows, size_t *cap)
{
    char *buf;
    size_t len;
    int rc = fileio_read_all(path, "truth", 0, &buf, &len);
    if (rc) return rc;
    if (GB_GROW(t->blobs, t->blobs_cap, t->nblobs + 1)) {
        free(buf);
        return GB_E_NOMEM;
    }
    t->blobs[t->nblobs++] = buf;
    const char *pos = buf, *end = buf + len;
    fileio_span_t line, id, tax;
    for (size_t no = 1; fileio_next_line(&pos, end, &line); no++) {
        if (line.len == 0 || line.p[0] == '#') continue;
        if (no == 1 && line.len >= 7 && !memcmp(line.p, "read_id", 7)) continue;
        uint32_t taxid = 0;
        if (!tab_field(line, 0, &id) || !tab_field(line, 1, &tax) || id.len == 0 ||
            taxdump_parse_taxid(tax.p, tax.len, &taxid) || taxid == 0) {
            gb_error("%s:%zu: expected read_id<TAB>taxid (a taxid > 0)", path, no);
            return GB_E_FORMAT;
        }
        if (GB_GROW(*rows, *cap, t->n + 1)) return GB_E_NOMEM;
        char *s = (char *)id.p;
        s[fragment_len(id.p, id.len)] = '\0'; /* the tab or mate suffix; the line is read already */
        (*rows)[t->n].id = s;
        (*rows)[t->n].taxid = taxid;
        t->n++;
    }
    return GB_OK;
}

static int is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* The *.tsv files of a folder, in name order so that messages are reproducible. */
static int read_truth_dir(const char *dir, bench_truth_t *t, truth_row_t **rows, size_t *cap)
{
    DIR *d = opendir(dir);
    if (!d) {
        gb_error("%s: cannot open the truth folder", dir);
        return GB_E_IO;
    }
    char **names = NULL;
    size_t n = 0, ncap = 0;
    int rc = GB_OK;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t l = strlen(e->d_name);
        if (l < 5 || strcmp(e->d_name + l - 4, ".tsv")) continue;
        strbuf_t sb = STRBUF_INIT;
        if (GB_GROW(names, ncap, n + 1) || strbuf_printf(&sb, "%s/%s", dir, e->d_name)) {
            strbuf_free(&sb);
            rc = GB_E_NOMEM;
            goto done;
        }
        names[n++] = strbuf_detach(&sb);
    }
    if (n == 0) {
        gb_error("%s: no *.tsv truth file in the folder", dir);
        rc = GB_E_FORMAT;
        goto done;
    }
    qsort(names, n, sizeof *names, cmp_str);
    for (size_t i = 0; i < n && !rc; i++) rc = read_truth_file(names[i], t, rows, cap);
done:
    for (size_t i = 0; i < n; i++) free(names[i]);
    free(names);
    closedir(d);
    return rc;
}

/* The folder of truth files TRUTH stands for, or NULL when it is a file (malloc'd). */
static char *truth_reads_dir(const char *path)
{
    static const char *const sub[] = {"/truth/reads", "/reads", ""};
    if (!is_dir(path)) return NULL;
    for (int i = 0; i < 3; i++) {
        strbuf_t sb = STRBUF_INIT;
        if (strbuf_printf(&sb, "%s%s", path, sub[i])) return NULL;
        if (is_dir(sb.s)) return strbuf_detach(&sb);
        strbuf_free(&sb);
    }
    return NULL;
}

int bench_truth_read(const char *path, bench_truth_t *t)
{
    memset(t, 0, sizeof *t);
    truth_row_t *rows = NULL;
    size_t cap = 0;
    char *dir = truth_reads_dir(path);
    int rc = dir ? read_truth_dir(dir, t, &rows, &cap) : read_truth_file(path, t, &rows, &cap);
    if (rc) goto fail;
    if (t->n == 0) {
        gb_error("%s: the truth lists no read", path);
        rc = GB_E_FORMAT;
        goto fail;
    }
    qsort(rows, t->n, sizeof *rows, cmp_row);
    t->id = malloc(t->n * sizeof *t->id);
    t->taxid = malloc(t->n * sizeof *t->taxid);
    if (!t->id || !t->taxid) {
        rc = GB_E_NOMEM;
        goto fail;
    }
    for (size_t i = 0; i < t->n; i++) {
        if (i && !strcmp(rows[i].id, rows[i - 1].id)) {
            gb_error("%s: read id '%s' is listed twice in the truth", path, rows[i].id);
            rc = GB_E_FORMAT;
            goto fail;
        }
        t->id[i] = rows[i].id;
        t->taxid[i] = rows[i].taxid;
    }
    free(rows);
    free(dir);
    return GB_OK;
fail:
    if (rc == GB_E_NOMEM) gb_error("%s: out of memory", path);
    free(rows);
    free(dir);
    bench_truth_free(t);
    return rc;
}

void bench_truth_free(bench_truth_t *t)
{
    for (size_t i = 0; i < t->nblobs; i++) free(t->blobs[i]);
    free(t->blobs);
    free(t->id);
    free(t->taxid);
    memset(t, 0, sizeof *t);
}

size_t bench_truth_find(const bench_truth_t *t, const char *id, size_t len)
{
    len = fragment_len(id, len);
    size_t lo = 0, hi = t->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strncmp(t->id[mid], id, len);
        if (c == 0 && t->id[mid][len] != '\0') c = 1;
        if (c == 0) return mid;
        if (c < 0) lo = mid + 1;
        else hi = mid;
    }
    return SIZE_MAX;
}

int bench_calls_init(bench_calls_t *c, const bench_truth_t *t)
{
    c->call = calloc(t->n, sizeof *c->call);
    c->seen = calloc(t->n, 1);
    c->missing = 0;
    if (c->call && c->seen) return GB_OK;
    bench_calls_free(c);
    gb_error("out of memory");
    return GB_E_NOMEM;
}

void bench_calls_free(bench_calls_t *c)
{
    free(c->call);
    free(c->seen);
    c->call = NULL;
    c->seen = NULL;
}

void bench_calls_finish(bench_calls_t *c, const bench_truth_t *t)
{
    c->missing = 0;
    for (size_t f = 0; f < t->n; f++) c->missing += !c->seen[f];
}

/* Kraken's taxid column: "562", or "Escherichia coli (taxid 562)" with --use-names. */
static int kraken_taxid(fileio_span_t f, uint32_t *out)
{
    if (f.len && f.p[f.len - 1] == ')') {
        const char *key = "(taxid ";
        for (size_t i = f.len - 1; i-- > 0;) {
            if (i + 7 <= f.len && !memcmp(f.p + i, key, 7))
                return taxdump_parse_taxid(f.p + i + 7, f.len - 1 - (i + 7), out);
        }
        return GB_E_FORMAT;
    }
    return taxdump_parse_taxid(f.p, f.len, out);
}

/* The fragment of read id field id in the truth, or an error naming path:no. */
static int find_fragment(bench_calls_t *c, const bench_truth_t *t, fileio_span_t id, const char *path, size_t no,
                         size_t *f)
{
    *f = bench_truth_find(t, id.p, id.len);
    if (*f == SIZE_MAX) {
        gb_error("%s:%zu: read '%.*s' is not in the truth", path, no, (int)id.len, id.p);
        return GB_E_FORMAT;
    }
    if (c->seen[*f]) {
        gb_error("%s:%zu: read '%.*s' was scored already (listed twice?)", path, no, (int)id.len, id.p);
        return GB_E_FORMAT;
    }
    c->seen[*f] = 1;
    return GB_OK;
}

static int read_kraken(bench_calls_t *c, const bench_truth_t *t, const char *path, const char *pos, const char *end)
{
    fileio_span_t line, cu, id, tax;
    for (size_t no = 1; fileio_next_line(&pos, end, &line); no++) {
        if (line.len == 0) continue;
        uint32_t taxid = 0;
        size_t f;
        if (!tab_field(line, 0, &cu) || cu.len != 1 || (cu.p[0] != 'C' && cu.p[0] != 'U') || !tab_field(line, 1, &id) ||
            !tab_field(line, 2, &tax) || kraken_taxid(tax, &taxid)) {
            gb_error("%s:%zu: not a Kraken per-read output line", path, no);
            return GB_E_FORMAT;
        }
        int rc = find_fragment(c, t, id, path, no, &f);
        if (rc) return rc;
        c->call[f] = cu.p[0] == 'C' ? taxid : 0;
    }
    return GB_OK;
}

static int read_centrifuge(bench_calls_t *c, const bench_truth_t *t, const char *path, const char *pos, const char *end,
                           uint32_t (*lca)(uint32_t, uint32_t, void *), void *user)
{
    fileio_span_t line, id, tax, last, prev = {NULL, 0};
    size_t f = SIZE_MAX;
    for (size_t no = 1; fileio_next_line(&pos, end, &line); no++) {
        if (no == 1 || line.len == 0) continue; /* the header */
        uint32_t taxid = 0;
        if (!tab_field(line, 0, &id) || !tab_field(line, 2, &tax) || !tab_field(line, 7, &last) ||
            taxdump_parse_taxid(tax.p, tax.len, &taxid)) {
            gb_error("%s:%zu: not a Centrifuge output line (8 columns, taxID third)", path, no);
            return GB_E_FORMAT;
        }
        if (f != SIZE_MAX && id.len == prev.len && !memcmp(id.p, prev.p, id.len)) {
            /* another hit of the same read: its call moves to the LCA of the hits. A hit with
             * taxID 0 (a sequence the index's conversion table does not map) is ignored, as a
             * taxid the taxonomy lacks is, so one unmapped contig does not unclassify a read. */
            if (!c->call[f]) c->call[f] = taxid;
            else if (taxid) c->call[f] = lca(c->call[f], taxid, user);
            continue;
        }
        int rc = find_fragment(c, t, id, path, no, &f);
        if (rc) return rc;
        c->call[f] = taxid;
        prev = id;
    }
    return GB_OK;
}

int bench_calls_read(bench_calls_t *c, const bench_truth_t *t, const char *path,
                     uint32_t (*lca)(uint32_t a, uint32_t b, void *user), void *user)
{
    char *buf;
    size_t len;
    int rc = fileio_read_all(path, "per-read output", 0, &buf, &len);
    if (rc) return rc;
    if (len >= 7 && !memcmp(buf, "readID\t", 7)) rc = read_centrifuge(c, t, path, buf, buf + len, lca, user);
    else if (len == 0 || buf[0] == 'C' || buf[0] == 'U') rc = read_kraken(c, t, path, buf, buf + len);
    else {
        gb_error("%s: neither a Kraken per-read output (C/U lines) nor Centrifuge's (readID header)", path);
        rc = GB_E_FORMAT;
    }
    free(buf);
    return rc;
}
