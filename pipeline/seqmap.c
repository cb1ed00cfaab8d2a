/* seqid -> taxid maps (seqmap.h). The file is kept whole in memory; the keys point into it
 * and an open-addressing table of xxh3 hashes finds them. */
#include "seqmap.h"
#include "fileio.h"
#include "log.h"
#include "taxdump.h"
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

typedef struct {
    uint64_t hash;
    size_t off; /* key start in buf */
    uint32_t len;
    uint32_t taxid;
} seq_entry_t;

struct seqmap {
    char *buf; /* the file; keys point into it */
    seq_entry_t *entries;
    uint32_t n;
    uint32_t *slots; /* entry index + 1; 0 = empty */
    uint32_t slot_bits;
};

static const seq_entry_t *seqmap_find(const seqmap_t *m, const char *key, size_t len, uint64_t h)
{
    uint64_t mask = ((uint64_t)1 << m->slot_bits) - 1;
    for (uint64_t i = h & mask;; i = (i + 1) & mask) {
        uint32_t s = m->slots[i];
        if (s == 0) return NULL;
        const seq_entry_t *e = &m->entries[s - 1];
        if (e->hash == h && e->len == len && memcmp(m->buf + e->off, key, len) == 0) return e;
    }
}

static uint32_t seqmap_get(const seqmap_t *m, const char *key, size_t len)
{
    if (!m || len == 0 || len > UINT32_MAX) return 0;
    const seq_entry_t *e = seqmap_find(m, key, len, XXH3_64bits(key, len));
    return e ? e->taxid : 0;
}

static int is_blank(char c) { return c == ' ' || c == '\t'; }

/* Splits "seqid WS taxid [WS ...]" (WS = spaces/tabs); GB_E_FORMAT when the taxid is absent. */
static int split_map_line(fileio_span_t line, fileio_span_t *id, fileio_span_t *tax)
{
    const char *s = line.p, *end = line.p + line.len;
    while (s < end && is_blank(*s)) s++;
    const char *q = s;
    while (q < end && !is_blank(*q)) q++;
    *id = (fileio_span_t){s, (size_t)(q - s)};
    while (q < end && is_blank(*q)) q++;
    const char *t = q;
    while (q < end && !is_blank(*q)) q++;
    *tax = (fileio_span_t){t, (size_t)(q - t)};
    return tax->len ? GB_OK : GB_E_FORMAT;
}

static int seqmap_add(seqmap_t *m, fileio_span_t id, uint32_t taxid, const char *path, size_t line_no)
{
    uint64_t h = XXH3_64bits(id.p, id.len);
    const seq_entry_t *old = seqmap_find(m, id.p, id.len, h);
    if (old) {
        if (old->taxid == taxid) return GB_OK;
        gb_error("%s:%zu: seqid %.*s mapped to taxid %u and to %u", path, line_no, (int)id.len, id.p, old->taxid,
                 taxid);
        return GB_E_FORMAT;
    }
    seq_entry_t *e = &m->entries[m->n];
    *e = (seq_entry_t){h, (size_t)(id.p - m->buf), (uint32_t)id.len, taxid};
    uint64_t mask = ((uint64_t)1 << m->slot_bits) - 1;
    uint64_t i = h & mask;
    while (m->slots[i]) i = (i + 1) & mask;
    m->slots[i] = ++m->n;
    return GB_OK;
}

static int seqmap_parse(seqmap_t *m, size_t len, const char *path)
{
    const char *pos = m->buf, *end = m->buf + len;
    fileio_span_t line, id, tax;
    size_t line_no = 0;
    while (fileio_next_line(&pos, end, &line)) {
        line_no++;
        size_t skip = 0;
        while (skip < line.len && is_blank(line.p[skip])) skip++;
        if (skip == line.len || line.p[skip] == '#') continue;
        uint32_t taxid;
        if (split_map_line(line, &id, &tax) != GB_OK) {
            gb_error("%s:%zu: missing taxid column (want seqid<TAB>taxid)", path, line_no);
            return GB_E_FORMAT;
        }
        if (taxdump_parse_taxid(tax.p, tax.len, &taxid) != GB_OK || id.len > UINT32_MAX) {
            gb_error("%s:%zu: taxid '%.*s' is not a number", path, line_no, (int)tax.len, tax.p);
            return GB_E_FORMAT;
        }
        int rc = seqmap_add(m, id, taxid, path, line_no);
        if (rc != GB_OK) return rc;
    }
    return GB_OK;
}

int seqmap_load(const char *path, seqmap_t **out)
{
    *out = NULL;
    seqmap_t *m = calloc(1, sizeof *m);
    size_t len = 0;
    int rc = m ? fileio_read_all(path, "seqid map", 0, &m->buf, &len) : GB_E_NOMEM;
    if (rc != GB_OK) goto fail;
    size_t lines = fileio_count_lines(m->buf, len);
    rc = GB_E_NOMEM;
    if (lines >= UINT32_MAX / 2) goto fail;
    m->slot_bits = 4;
    while (((size_t)1 << m->slot_bits) < 2 * lines) m->slot_bits++;
    m->slots = calloc((size_t)1 << m->slot_bits, sizeof *m->slots);
    m->entries = malloc(lines * sizeof *m->entries);
    if (!m->slots || !m->entries) goto fail;
    if ((rc = seqmap_parse(m, len, path)) != GB_OK) goto fail;
    *out = m;
    return GB_OK;
fail:
    if (rc == GB_E_NOMEM) gb_error("out of memory loading %s", path);
    seqmap_destroy(m);
    return rc;
}

void seqmap_destroy(seqmap_t *m)
{
    if (!m) return;
    free(m->buf);
    free(m->entries);
    free(m->slots);
    free(m);
}

/* "kraken:taxid|N" at the start of id or right after a '|'; 0 when absent. */
static uint32_t kraken_taxid_tag(const char *id, size_t len)
{
    static const char tag[] = "kraken:taxid|";
    const size_t tag_len = sizeof tag - 1;
    for (size_t i = 0; i + tag_len <= len; i++) {
        if ((i > 0 && id[i - 1] != '|') || memcmp(id + i, tag, tag_len) != 0) continue;
        size_t j = i + tag_len, k = j;
        while (k < len && k - j < 10 && id[k] >= '0' && id[k] <= '9') k++;
        uint32_t taxid;
        if (taxdump_parse_taxid(id + j, k - j, &taxid) == GB_OK && taxid) return taxid;
    }
    return 0;
}

/* Old NCBI "gi|NUM|DB|ACC|..." ids: the accession, or len 0 when id has another form. */
static fileio_span_t gi_accession(const char *id, size_t len)
{
    fileio_span_t none = {id, 0};
    if (len < 3 || memcmp(id, "gi|", 3) != 0) return none;
    const char *end = id + len, *num = id + 3;
    const char *bar1 = memchr(num, '|', (size_t)(end - num));
    if (!bar1 || bar1 == num) return none;
    const char *bar2 = memchr(bar1 + 1, '|', (size_t)(end - bar1 - 1));
    if (!bar2) return none;
    const char *acc = bar2 + 1;
    const char *bar3 = memchr(acc, '|', (size_t)(end - acc));
    const char *stop = bar3 ? bar3 : end;
    return (fileio_span_t){acc, (size_t)(stop - acc)};
}

uint32_t seqmap_taxid_of_header(const seqmap_t *m, const char *header, size_t len)
{
    if (len > 0 && header[0] == '>') { /* tolerate the FASTA marker */
        header++;
        len--;
    }
    size_t id_len = 0;
    while (id_len < len && header[id_len] != ' ' && header[id_len] != '\t' && header[id_len] != '\r' &&
           header[id_len] != '\n')
        id_len++;
    uint32_t taxid = kraken_taxid_tag(header, id_len);
    if (taxid) return taxid;
    if ((taxid = seqmap_get(m, header, id_len))) return taxid;
    fileio_span_t acc = gi_accession(header, id_len);
    return acc.len ? seqmap_get(m, acc.p, acc.len) : 0;
}
