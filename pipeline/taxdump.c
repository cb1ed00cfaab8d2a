/* NCBI taxdump reader (taxdump.h).
 *
 * Speed matters for the full dump (1.1 M nodes, 170 MB): each file is read whole with read(),
 * lines are found with memchr, and only the fields we need are split. Nodes live in parallel
 * arrays (record r = line r+1 of nodes.dmp). taxid -> record is a direct array when taxids are
 * dense (every real dump: sorted files then touch it sequentially), else an open-addressing
 * hash, so odd or huge taxids cost no memory. */
#include "taxdump.h"
#include "fileio.h"
#include "gb_array.h"
#include "log.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TAXID_MAX 0x7fffffffu /* NCBI ids are positive 31-bit numbers; larger means garbage */

struct taxdump {
    char *dir;  /* for error messages in taxo_prune */
    uint32_t n; /* records (nodes.dmp lines) */
    uint32_t *taxid, *parent, *name_off;
    uint16_t *rank; /* index into rank_names */
    uint32_t max_taxid;
    uint32_t *dense; /* dense[taxid] = record or TAXDUMP_NO_RECORD; NULL when sparse */
    uint64_t *slots; /* else (taxid << 32) | record; 0 = empty (taxid 0 never stored) */
    uint32_t slot_bits;
    char *names; /* scientific names; names[0] = "" for nodes without one */
    size_t names_len, names_cap;
    char *rank_names[TAXDUMP_MAX_RANKS];
    uint32_t n_ranks;
};

/* ---------- fields ---------- */

typedef fileio_span_t field_t; /* a line of the file, or a field of one */

/* Splits a .dmp line on "\t|\t" after dropping its final "\t|"; stops after max fields
 * (the last one ends at the next separator or the line end). Returns the field count. */
static size_t dmp_fields(field_t line, field_t *f, size_t max)
{
    const char *s = line.p, *end = line.p + line.len;
    if (line.len >= 2 && end[-2] == '\t' && end[-1] == '|') end -= 2;
    size_t n = 0;
    while (n < max) {
        const char *q = s, *sep = NULL;
        while ((q = memchr(q, '\t', (size_t)(end - q))) != NULL) {
            if (end - q >= 3 && q[1] == '|' && q[2] == '\t') {
                sep = q;
                break;
            }
            q++;
        }
        f[n].p = s;
        f[n].len = (size_t)((sep ? sep : end) - s);
        n++;
        if (!sep) break;
        s = sep + 3;
    }
    return n;
}

int taxdump_parse_taxid(const char *s, size_t len, uint32_t *out)
{
    if (len == 0 || len > 10) return GB_E_FORMAT;
    uint64_t v = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned c = (unsigned char)s[i] - '0';
        if (c > 9) return GB_E_FORMAT;
        v = v * 10 + c;
    }
    if (v > TAXID_MAX) return GB_E_FORMAT;
    *out = (uint32_t)v;
    return GB_OK;
}

/* taxdump_parse_taxid of a field. */
static int parse_taxid(field_t f, uint32_t *out) { return taxdump_parse_taxid(f.p, f.len, out); }

static int field_is(field_t f, const char *s)
{
    size_t n = strlen(s);
    return f.len == n && memcmp(f.p, s, n) == 0;
}

/* ---------- taxid hash ---------- */

static uint64_t slot_of(uint32_t taxid, uint32_t bits)
{
    return ((uint64_t)taxid * 0x9E3779B97F4A7C15ull) >> (64 - bits);
}

static uint32_t lookup_record(const taxdump_t *d, uint32_t taxid)
{
    if (d->dense) return taxid <= d->max_taxid ? d->dense[taxid] : TAXDUMP_NO_RECORD;
    if (taxid == 0 || !d->slots) return TAXDUMP_NO_RECORD;
    uint64_t mask = ((uint64_t)1 << d->slot_bits) - 1;
    for (uint64_t i = slot_of(taxid, d->slot_bits);; i = (i + 1) & mask) {
        uint64_t s = d->slots[i];
        if (s == 0) return TAXDUMP_NO_RECORD;
        if ((uint32_t)(s >> 32) == taxid) return (uint32_t)s;
    }
}

/* Inserts taxid -> record; returns the existing record when taxid is already present. */
static uint32_t insert_record(taxdump_t *d, uint32_t taxid, uint32_t record)
{
    uint64_t mask = ((uint64_t)1 << d->slot_bits) - 1;
    for (uint64_t i = slot_of(taxid, d->slot_bits);; i = (i + 1) & mask) {
        uint64_t s = d->slots[i];
        if (s == 0) {
            d->slots[i] = ((uint64_t)taxid << 32) | record;
            return TAXDUMP_NO_RECORD;
        }
        if ((uint32_t)(s >> 32) == taxid) return (uint32_t)s;
    }
}

/* ---------- nodes.dmp ---------- */

/* Rank string -> small id; the last hit is checked first since ranks come in runs. */
static int intern_rank(taxdump_t *d, field_t f, uint16_t *id, uint32_t *last)
{
    if (*last < d->n_ranks && field_is(f, d->rank_names[*last])) {
        *id = (uint16_t)*last;
        return GB_OK;
    }
    for (uint32_t i = 0; i < d->n_ranks; i++) {
        if (field_is(f, d->rank_names[i])) {
            *id = (uint16_t)(*last = i);
            return GB_OK;
        }
    }
    if (d->n_ranks == TAXDUMP_MAX_RANKS) return GB_E_FORMAT;
    if (!(d->rank_names[d->n_ranks] = strndup(f.p, f.len))) return GB_E_NOMEM;
    *id = (uint16_t)(*last = d->n_ranks++);
    return GB_OK;
}

static int alloc_nodes(taxdump_t *d, size_t lines, const char *path)
{
    if (lines >= TAXDUMP_NO_RECORD) {
        gb_error("%s: too many lines (%zu)", path, lines);
        return GB_E_FORMAT;
    }
    d->taxid = malloc(lines * sizeof *d->taxid);
    d->parent = malloc(lines * sizeof *d->parent);
    d->name_off = calloc(lines, sizeof *d->name_off);
    d->rank = malloc(lines * sizeof *d->rank);
    if (!d->taxid || !d->parent || !d->name_off || !d->rank) return GB_E_NOMEM;
    return GB_OK;
}

/* Direct array when it costs at most ~16 bytes per node plus 16 MB, else the hash. */
static int alloc_taxid_index(taxdump_t *d)
{
    uint64_t slots = (uint64_t)d->max_taxid + 1;
    if (slots <= 4 * (uint64_t)d->n + (1u << 22)) {
        if (!(d->dense = malloc(slots * sizeof *d->dense))) return GB_E_NOMEM;
        memset(d->dense, 0xff, slots * sizeof *d->dense); /* all TAXDUMP_NO_RECORD */
        return GB_OK;
    }
    d->slot_bits = 4;
    while (((uint64_t)1 << d->slot_bits) < 2 * (uint64_t)d->n) d->slot_bits++;
    d->slots = calloc((size_t)1 << d->slot_bits, sizeof *d->slots);
    return d->slots ? GB_OK : GB_E_NOMEM;
}

/* Index every record by taxid; a taxid seen twice is an error at its second line. */
static int index_taxids(taxdump_t *d, const char *path)
{
    int rc = alloc_taxid_index(d);
    for (uint32_t r = 0; r < d->n && rc == GB_OK; r++) {
        uint32_t taxid = d->taxid[r], old;
        if (d->dense) {
            old = d->dense[taxid];
            if (old == TAXDUMP_NO_RECORD) d->dense[taxid] = r;
        } else {
            old = insert_record(d, taxid, r);
        }
        if (old != TAXDUMP_NO_RECORD) {
            gb_error("%s:%u: duplicate taxid %u (first on line %u)", path, r + 1, taxid, old + 1);
            rc = GB_E_FORMAT;
        }
    }
    return rc;
}

/* One nodes.dmp line: taxid, parent, rank. */
static int parse_node_line(taxdump_t *d, field_t line, const char *path, size_t line_no, uint32_t *last_rank)
{
    field_t f[3];
    uint32_t taxid, parent;
    if (dmp_fields(line, f, 3) < 3 || parse_taxid(f[0], &taxid) || taxid == 0 || parse_taxid(f[1], &parent)) {
        gb_error("%s:%zu: malformed line (want taxid\\t|\\tparent\\t|\\trank...)", path, line_no);
        return GB_E_FORMAT;
    }
    uint32_t r = d->n;
    if (taxid > d->max_taxid) d->max_taxid = taxid;
    int rc = intern_rank(d, f[2], &d->rank[r], last_rank);
    if (rc == GB_E_FORMAT) gb_error("%s:%zu: more than %d distinct ranks", path, line_no, TAXDUMP_MAX_RANKS);
    if (rc != GB_OK) return rc;
    d->taxid[r] = taxid;
    d->parent[r] = taxid == 1 ? 0 : parent; /* NCBI's root is its own parent */
    d->n++;
    return GB_OK;
}

static int load_nodes(taxdump_t *d, const char *path)
{
    char *buf;
    size_t len;
    int rc = fileio_read_all(path, "taxonomy file", 0, &buf, &len);
    if (rc != GB_OK) return rc;
    rc = alloc_nodes(d, fileio_count_lines(buf, len), path);
    const char *pos = buf, *end = buf + len;
    field_t line;
    size_t line_no = 0;
    uint32_t last_rank = 0;
    /* no blank lines allowed, so record r is line r + 1 for later messages */
    while (rc == GB_OK && fileio_next_line(&pos, end, &line))
        rc = parse_node_line(d, line, path, ++line_no, &last_rank);
    if (rc == GB_OK) rc = index_taxids(d, path);
    if (rc == GB_E_NOMEM) gb_error("out of memory loading %s", path);
    free(buf);
    return rc;
}

/* ---------- names.dmp ---------- */

static int append_name(taxdump_t *d, field_t name, uint32_t *off)
{
    if (d->names_len > UINT32_MAX - name.len - 1) return GB_E_NOMEM; /* offsets are 32-bit */
    if (GB_GROW(d->names, d->names_cap, d->names_len + name.len + 1)) return GB_E_NOMEM;
    *off = (uint32_t)d->names_len;
    memcpy(d->names + d->names_len, name.p, name.len);
    d->names[d->names_len + name.len] = '\0';
    d->names_len += name.len + 1;
    return GB_OK;
}

/* One names.dmp line: taxid, name, unique name, class; only scientific names are kept. */
static int parse_name_line(taxdump_t *d, field_t line, const char *path, size_t line_no, size_t *orphans)
{
    field_t f[4];
    uint32_t taxid;
    if (dmp_fields(line, f, 4) < 4 || parse_taxid(f[0], &taxid) || taxid == 0) {
        gb_error("%s:%zu: malformed line (want taxid\\t|\\tname\\t|\\tunique\\t|\\tclass)", path, line_no);
        return GB_E_FORMAT;
    }
    if (!field_is(f[3], "scientific name")) return GB_OK;
    uint32_t r = lookup_record(d, taxid);
    if (r == TAXDUMP_NO_RECORD) {
        (*orphans)++;
        return GB_OK;
    }
    if (d->name_off[r] != 0) {
        gb_error("%s:%zu: second scientific name for taxid %u", path, line_no, taxid);
        return GB_E_FORMAT;
    }
    return append_name(d, f[1], &d->name_off[r]);
}

static int load_names(taxdump_t *d, const char *path)
{
    char *buf;
    size_t len;
    int rc = fileio_read_all(path, "taxonomy file", 0, &buf, &len);
    if (rc != GB_OK) return rc;
    field_t empty = {"", 0};
    uint32_t off0;
    rc = append_name(d, empty, &off0); /* offset 0 = "" for nodes without a name */
    const char *pos = buf, *end = buf + len;
    field_t line;
    size_t line_no = 0, orphans = 0;
    while (rc == GB_OK && fileio_next_line(&pos, end, &line)) rc = parse_name_line(d, line, path, ++line_no, &orphans);
    if (rc == GB_E_NOMEM) gb_error("out of memory loading %s", path);
    if (rc == GB_OK && orphans)
        gb_warn("%s: %zu scientific names of taxids absent from nodes.dmp ignored", path, orphans);
    free(buf);
    return rc;
}

/* ---------- taxdump_t ---------- */

int taxdump_load(const char *dir, taxdump_t **out)
{
    *out = NULL;
    taxdump_t *d = calloc(1, sizeof *d);
    char *nodes = NULL, *names = NULL;
    int rc = GB_E_NOMEM;
    if (!d || !(d->dir = strdup(dir)) || asprintf(&nodes, "%s/nodes.dmp", dir) < 0 ||
        asprintf(&names, "%s/names.dmp", dir) < 0) {
        nodes = names = NULL; /* asprintf leaves them undefined on failure */
        gb_error("out of memory");
        goto fail;
    }
    if ((rc = load_nodes(d, nodes)) != GB_OK) goto fail;
    if ((rc = load_names(d, names)) != GB_OK) goto fail;
    free(nodes);
    free(names);
    *out = d;
    return GB_OK;
fail:
    free(nodes);
    free(names);
    taxdump_destroy(d);
    return rc;
}

void taxdump_destroy(taxdump_t *d)
{
    if (!d) return;
    for (uint32_t i = 0; i < d->n_ranks; i++) free(d->rank_names[i]);
    free(d->dir);
    free(d->taxid);
    free(d->parent);
    free(d->name_off);
    free(d->rank);
    free(d->dense);
    free(d->slots);
    free(d->names);
    free(d);
}

int taxdump_has(const taxdump_t *d, uint32_t taxid) { return lookup_record(d, taxid) != TAXDUMP_NO_RECORD; }

uint32_t taxdump_count(const taxdump_t *d) { return d->n; }

uint32_t taxdump_find(const taxdump_t *d, uint32_t taxid) { return lookup_record(d, taxid); }

uint32_t taxdump_taxid(const taxdump_t *d, uint32_t record) { return d->taxid[record]; }

uint32_t taxdump_parent(const taxdump_t *d, uint32_t record) { return d->parent[record]; }

const char *taxdump_name(const taxdump_t *d, uint32_t record) { return d->names + d->name_off[record]; }

uint32_t taxdump_rank(const taxdump_t *d, uint32_t record) { return d->rank[record]; }

uint32_t taxdump_rank_count(const taxdump_t *d) { return d->n_ranks; }

const char *taxdump_rank_name(const taxdump_t *d, uint32_t rank) { return d->rank_names[rank]; }

const char *taxdump_dir(const taxdump_t *d) { return d->dir; }
