/* NCBI taxdump reader, pruned internal taxonomy and seqid -> taxid maps (taxdump.h).
 *
 * Speed matters for the full dump (1.1 M nodes, 170 MB): each file is read whole with read(),
 * lines are found with memchr, and only the fields we need are split. Nodes live in parallel
 * arrays (record r = line r+1 of nodes.dmp). taxid -> record is a direct array when taxids are
 * dense (every real dump: sorted files then touch it sequentially), else an open-addressing
 * hash, so odd or huge taxids cost no memory. */
#include "taxdump.h"
#include "fileio.h"
#include "log.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#define TAXID_MAX 0x7fffffffu   /* NCBI ids are positive 31-bit numbers; larger means garbage */
#define NO_RECORD UINT32_MAX
#define MAX_RANKS 4096          /* NCBI has ~45 distinct rank strings */

struct taxdump {
    char *dir;                  /* for error messages in taxo_prune */
    uint32_t n;                 /* records (nodes.dmp lines) */
    uint32_t *taxid, *parent, *name_off;
    uint16_t *rank;             /* index into rank_names */
    uint32_t max_taxid;
    uint32_t *dense;            /* dense[taxid] = record or NO_RECORD; NULL when sparse */
    uint64_t *slots;            /* else (taxid << 32) | record; 0 = empty (taxid 0 never stored) */
    uint32_t slot_bits;
    char *names;                /* scientific names; names[0] = "" for nodes without one */
    size_t names_len, names_cap;
    char *rank_names[MAX_RANKS];
    uint32_t n_ranks;
};

/* ---------- small helpers ---------- */

typedef struct {
    const char *p;
    size_t len;
} field_t;

static size_t count_lines(const char *s, size_t len)
{
    size_t n = 1;
    const char *end = s + len;
    while ((s = memchr(s, '\n', (size_t)(end - s))) != NULL) {
        n++;
        s++;
    }
    return n;
}

/* Next line of [*pos, end) without its "\n" or "\r\n"; returns 0 at the end. */
static int next_line(const char **pos, const char *end, field_t *line)
{
    const char *s = *pos;
    if (s >= end) return 0;
    const char *nl = memchr(s, '\n', (size_t)(end - s));
    const char *stop = nl ? nl : end;
    *pos = nl ? nl + 1 : end;
    if (stop > s && stop[-1] == '\r') stop--;
    line->p = s;
    line->len = (size_t)(stop - s);
    return 1;
}

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
            if (end - q >= 3 && q[1] == '|' && q[2] == '\t') { sep = q; break; }
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

/* Strict decimal in [0, TAXID_MAX]; -1 for anything else (empty, sign, spaces, overflow). */
static int parse_taxid(field_t f, uint32_t *out)
{
    if (f.len == 0 || f.len > 10) return -1;
    uint64_t v = 0;
    for (size_t i = 0; i < f.len; i++) {
        unsigned c = (unsigned char)f.p[i] - '0';
        if (c > 9) return -1;
        v = v * 10 + c;
    }
    if (v > TAXID_MAX) return -1;
    *out = (uint32_t)v;
    return 0;
}

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
    if (d->dense) return taxid <= d->max_taxid ? d->dense[taxid] : NO_RECORD;
    if (taxid == 0 || !d->slots) return NO_RECORD;
    uint64_t mask = ((uint64_t)1 << d->slot_bits) - 1;
    for (uint64_t i = slot_of(taxid, d->slot_bits);; i = (i + 1) & mask) {
        uint64_t s = d->slots[i];
        if (s == 0) return NO_RECORD;
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
            return NO_RECORD;
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
    if (d->n_ranks == MAX_RANKS) return GB_E_FORMAT;
    if (!(d->rank_names[d->n_ranks] = strndup(f.p, f.len))) return GB_E_NOMEM;
    *id = (uint16_t)(*last = d->n_ranks++);
    return GB_OK;
}

static int alloc_nodes(taxdump_t *d, size_t lines, const char *path)
{
    if (lines >= NO_RECORD) {
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
        memset(d->dense, 0xff, slots * sizeof *d->dense);   /* all NO_RECORD */
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
            if (old == NO_RECORD) d->dense[taxid] = r;
        } else {
            old = insert_record(d, taxid, r);
        }
        if (old != NO_RECORD) {
            gb_error("%s:%u: duplicate taxid %u (first on line %u)", path, r + 1, taxid, old + 1);
            rc = GB_E_FORMAT;
        }
    }
    return rc;
}

/* One nodes.dmp line: taxid, parent, rank. */
static int parse_node_line(taxdump_t *d, field_t line, const char *path, size_t line_no,
                           uint32_t *last_rank)
{
    field_t f[3];
    uint32_t taxid, parent;
    if (dmp_fields(line, f, 3) < 3 || parse_taxid(f[0], &taxid) || taxid == 0 ||
        parse_taxid(f[1], &parent)) {
        gb_error("%s:%zu: malformed line (want taxid\\t|\\tparent\\t|\\trank...)", path,
                 line_no);
        return GB_E_FORMAT;
    }
    uint32_t r = d->n;
    if (taxid > d->max_taxid) d->max_taxid = taxid;
    int rc = intern_rank(d, f[2], &d->rank[r], last_rank);
    if (rc == GB_E_FORMAT) gb_error("%s:%zu: more than %d distinct ranks", path, line_no, MAX_RANKS);
    if (rc != GB_OK) return rc;
    d->taxid[r] = taxid;
    d->parent[r] = taxid == 1 ? 0 : parent;   /* NCBI's root is its own parent */
    d->n++;
    return GB_OK;
}

static int load_nodes(taxdump_t *d, const char *path)
{
    char *buf;
    size_t len;
    int rc = fileio_read_all(path, "taxonomy file", 0, &buf, &len);
    if (rc != GB_OK) return rc;
    rc = alloc_nodes(d, count_lines(buf, len), path);
    const char *pos = buf, *end = buf + len;
    field_t line;
    size_t line_no = 0;
    uint32_t last_rank = 0;
    /* no blank lines allowed, so record r is line r + 1 for later messages */
    while (rc == GB_OK && next_line(&pos, end, &line))
        rc = parse_node_line(d, line, path, ++line_no, &last_rank);
    if (rc == GB_OK) rc = index_taxids(d, path);
    if (rc == GB_E_NOMEM) gb_error("out of memory loading %s", path);
    free(buf);
    return rc;
}

/* ---------- names.dmp ---------- */

static int append_name(taxdump_t *d, field_t name, uint32_t *off)
{
    if (d->names_len > UINT32_MAX - name.len - 1) return GB_E_NOMEM;   /* offsets are 32-bit */
    if (d->names_len + name.len + 1 > d->names_cap) {
        size_t cap = d->names_cap ? d->names_cap : 1 << 16;
        while (cap < d->names_len + name.len + 1) cap *= 2;
        char *grown = realloc(d->names, cap);
        if (!grown) return GB_E_NOMEM;
        d->names = grown;
        d->names_cap = cap;
    }
    *off = (uint32_t)d->names_len;
    memcpy(d->names + d->names_len, name.p, name.len);
    d->names[d->names_len + name.len] = '\0';
    d->names_len += name.len + 1;
    return GB_OK;
}

/* One names.dmp line: taxid, name, unique name, class; only scientific names are kept. */
static int parse_name_line(taxdump_t *d, field_t line, const char *path, size_t line_no,
                           size_t *orphans)
{
    field_t f[4];
    uint32_t taxid;
    if (dmp_fields(line, f, 4) < 4 || parse_taxid(f[0], &taxid) || taxid == 0) {
        gb_error("%s:%zu: malformed line (want taxid\\t|\\tname\\t|\\tunique\\t|\\tclass)",
                 path, line_no);
        return GB_E_FORMAT;
    }
    if (!field_is(f[3], "scientific name")) return GB_OK;
    uint32_t r = lookup_record(d, taxid);
    if (r == NO_RECORD) {
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
    rc = append_name(d, empty, &off0);   /* offset 0 = "" for nodes without a name */
    const char *pos = buf, *end = buf + len;
    field_t line;
    size_t line_no = 0, orphans = 0;
    while (rc == GB_OK && next_line(&pos, end, &line))
        rc = parse_name_line(d, line, path, ++line_no, &orphans);
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
        nodes = names = NULL;   /* asprintf leaves them undefined on failure */
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

int taxdump_has(const taxdump_t *d, uint32_t taxid)
{
    return lookup_record(d, taxid) != NO_RECORD;
}

/* ---------- pruning ---------- */

/* Marks taxid and its ancestors up to the root or to an already-marked node (whose path to
 * the root was checked by an earlier walk). stamp[r] = walk number, so meeting our own
 * walk number again means a cycle; every node is visited once over all walks. */
static int mark_lineage(const taxdump_t *d, uint32_t taxid, uint32_t walk, uint32_t *stamp,
                        uint32_t *marked)
{
    uint32_t r = lookup_record(d, taxid);
    if (r == NO_RECORD) {
        gb_error("taxid %u is not in the taxonomy %s", taxid, d->dir);
        return GB_E_TAXONOMY;
    }
    for (;;) {
        if (stamp[r] == walk) {
            gb_error("cycle in %s/nodes.dmp at taxid %u (on the path from taxid %u to the root)",
                     d->dir, d->taxid[r], taxid);
            return GB_E_TAXONOMY;
        }
        if (stamp[r] != 0) return GB_OK;
        stamp[r] = walk;
        (*marked)++;
        if (d->taxid[r] == 1) return GB_OK;
        uint32_t p = lookup_record(d, d->parent[r]);
        if (p == NO_RECORD) {
            gb_error("parent %u of taxid %u is missing from %s/nodes.dmp (path from taxid %u)",
                     d->parent[r], d->taxid[r], d->dir, taxid);
            return GB_E_TAXONOMY;
        }
        r = p;
    }
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* Marked non-root records as (parent taxid << 32 | taxid), sorted: each node's children form
 * a run in ascending taxid, found by binary search. */
static uint64_t *sorted_child_keys(const taxdump_t *d, const uint32_t *stamp, uint32_t n_keys)
{
    uint64_t *keys = malloc(((size_t)n_keys + 1) * sizeof *keys);
    if (!keys) return NULL;
    uint32_t k = 0;
    for (uint32_t r = 0; r < d->n; r++)
        if (stamp[r] && d->taxid[r] != 1)
            keys[k++] = ((uint64_t)d->parent[r] << 32) | d->taxid[r];
    qsort(keys, k, sizeof *keys, cmp_u64);
    return keys;
}

static size_t lower_bound_u64(const uint64_t *a, size_t n, uint64_t key)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (a[mid] < key) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

/* BFS from the root, children in ascending taxid: order[i-1] = record of internal id i. */
static int bfs_order(const taxdump_t *d, const uint64_t *keys, uint32_t n_keys, uint32_t *order,
                     uint32_t *parent_internal)
{
    uint32_t filled = 1;
    order[0] = lookup_record(d, 1);
    parent_internal[0] = 0;
    for (uint32_t head = 0; head < filled; head++) {
        uint64_t tid = d->taxid[order[head]];
        for (size_t k = lower_bound_u64(keys, n_keys, tid << 32);
             k < n_keys && (keys[k] >> 32) == tid; k++) {
            if (filled > n_keys) return GB_E_INTERNAL;
            order[filled] = lookup_record(d, (uint32_t)keys[k]);
            parent_internal[filled++] = head + 1;
        }
    }
    return filled == n_keys + 1 ? GB_OK : GB_E_INTERNAL;
}

static int cmp_rank_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every distinct rank of the whole dump, sorted by bytes (as Kraken's taxo.k2d stores them). */
static int build_rank_blob(const taxdump_t *d, taxo_t *t, uint32_t *rank_off_of_id)
{
    char *sorted[MAX_RANKS];
    size_t total = 0;
    for (uint32_t i = 0; i < d->n_ranks; i++) {
        sorted[i] = d->rank_names[i];
        total += strlen(sorted[i]) + 1;
    }
    qsort(sorted, d->n_ranks, sizeof *sorted, cmp_rank_names);
    if (!(t->ranks = malloc(total ? total : 1))) return GB_E_NOMEM;
    t->ranks[0] = '\0';
    size_t off = 0;
    for (uint32_t i = 0; i < d->n_ranks; i++) {
        size_t len = strlen(sorted[i]) + 1;
        memcpy(t->ranks + off, sorted[i], len);
        for (uint32_t id = 0; id < d->n_ranks; id++)
            if (d->rank_names[id] == sorted[i]) rank_off_of_id[id] = (uint32_t)off;
        off += len;
    }
    t->ranks_len = total;
    return GB_OK;
}

/* Names in internal-id order (root first, as in Kraken's taxo.k2d). */
static int build_name_blob(const taxdump_t *d, const uint32_t *order, taxo_t *t)
{
    size_t total = 0;
    for (uint32_t i = 1; i < t->n; i++) total += strlen(d->names + d->name_off[order[i - 1]]) + 1;
    if (total > UINT32_MAX) return GB_E_NOMEM;
    if (!(t->names = malloc(total))) return GB_E_NOMEM;
    size_t off = 0;
    for (uint32_t i = 1; i < t->n; i++) {
        const char *s = d->names + d->name_off[order[i - 1]];
        size_t len = strlen(s) + 1;
        memcpy(t->names + off, s, len);
        t->name_off[i] = (uint32_t)off;
        off += len;
    }
    t->names_len = total;
    return GB_OK;
}

static int fill_taxo(const taxdump_t *d, const uint32_t *order, const uint32_t *parent_internal,
                     taxo_t *t)
{
    uint32_t rank_off_of_id[MAX_RANKS];
    size_t n = t->n;
    t->owned = 1;
    t->parent = calloc(n, sizeof *t->parent);
    t->external = calloc(n, sizeof *t->external);
    t->name_off = calloc(n, sizeof *t->name_off);
    t->rank_off = calloc(n, sizeof *t->rank_off);
    if (!t->parent || !t->external || !t->name_off || !t->rank_off) return GB_E_NOMEM;
    int rc = build_rank_blob(d, t, rank_off_of_id);
    if (rc == GB_OK) rc = build_name_blob(d, order, t);
    if (rc != GB_OK) return rc;
    for (uint32_t i = 1; i < n; i++) {
        uint32_t r = order[i - 1];
        t->parent[i] = parent_internal[i - 1];
        t->external[i] = d->taxid[r];
        t->rank_off[i] = rank_off_of_id[d->rank[r]];
    }
    return GB_OK;
}

int taxo_prune(const taxdump_t *d, const uint32_t *taxids, size_t n, taxo_t *out)
{
    memset(out, 0, sizeof *out);
    uint32_t *stamp = calloc(d->n ? d->n : 1, sizeof *stamp);
    uint32_t *order = NULL, *parent_internal = NULL;
    uint64_t *keys = NULL;
    uint32_t marked = 0, walk = 1;
    int rc = stamp ? mark_lineage(d, 1, walk, stamp, &marked) : GB_E_NOMEM;
    for (size_t i = 0; i < n && rc == GB_OK; i++) {
        if (taxids[i] == 0) continue;
        uint32_t r = lookup_record(d, taxids[i]);
        if (r != NO_RECORD && stamp[r]) continue;   /* walk numbers only for new lineages */
        rc = mark_lineage(d, taxids[i], ++walk, stamp, &marked);
    }
    if (rc != GB_OK) goto fail;
    rc = GB_E_NOMEM;
    keys = sorted_child_keys(d, stamp, marked - 1);
    order = malloc((size_t)marked * sizeof *order);
    parent_internal = malloc((size_t)marked * sizeof *parent_internal);
    if (!keys || !order || !parent_internal) goto fail;
    if ((rc = bfs_order(d, keys, marked - 1, order, parent_internal)) != GB_OK) goto fail;
    out->n = marked + 1;
    if ((rc = fill_taxo(d, order, parent_internal, out)) != GB_OK) goto fail;
    rc = taxo_index(out);
fail:
    if (rc == GB_E_NOMEM) gb_error("out of memory pruning %s", d->dir);
    if (rc == GB_E_INTERNAL) gb_error("BFS over %s reached too few nodes (bug)", d->dir);
    if (rc != GB_OK) taxo_destroy(out);
    free(stamp);
    free(keys);
    free(order);
    free(parent_internal);
    return rc;
}

void taxo_destroy(taxo_t *t)
{
    if (!t) return;
    free(t->index);
    if (t->owned) {
        free(t->parent);
        free(t->external);
        free(t->name_off);
        free(t->rank_off);
        free(t->names);
        free(t->ranks);
    }
    memset(t, 0, sizeof *t);
}

/* ---------- lookups on the pruned taxonomy ---------- */

int taxo_index(taxo_t *t)
{
    if (t->index || t->n < 2) return GB_OK;
    size_t m = t->n - 1;
    uint64_t *index = malloc(m * sizeof *index);
    if (!index) {
        gb_error("out of memory indexing %u taxa", t->n);
        return GB_E_NOMEM;
    }
    for (uint32_t i = 1; i < t->n; i++) index[i - 1] = ((uint64_t)t->external[i] << 32) | i;
    qsort(index, m, sizeof *index, cmp_u64);
    for (size_t k = 1; k < m; k++) {
        if ((index[k] >> 32) == (index[k - 1] >> 32)) {
            gb_error("taxid %u appears twice in the taxonomy", (uint32_t)(index[k] >> 32));
            free(index);
            return GB_E_TAXONOMY;
        }
    }
    t->index = index;
    return GB_OK;
}

uint32_t taxo_internal(const taxo_t *t, uint32_t external)
{
    if (external == 0 || t->n < 2) return 0;
    if (!t->index) {   /* not indexed yet: correct but slow */
        for (uint32_t i = 1; i < t->n; i++)
            if (t->external[i] == external) return i;
        return 0;
    }
    size_t m = t->n - 1;
    size_t k = lower_bound_u64(t->index, m, (uint64_t)external << 32);
    return (k < m && (t->index[k] >> 32) == external) ? (uint32_t)t->index[k] : 0;
}

/* "" for the dummy 0 and for ids out of range. */
const char *taxo_name(const taxo_t *t, uint32_t internal)
{
    return (internal == 0 || internal >= t->n) ? "" : t->names + t->name_off[internal];
}

const char *taxo_rank(const taxo_t *t, uint32_t internal)
{
    return (internal == 0 || internal >= t->n) ? "" : t->ranks + t->rank_off[internal];
}

/* Letter of the eight report ranks, 0 for any other. "domain" is NCBI's 2025 name for
 * superkingdom; Kraken 2.1.2 predates it, mapping it keeps new dumps' reports sensible. */
static char rank_letter(const char *rank)
{
    static const struct { const char *rank; char letter; } table[] = {
        {"superkingdom", 'D'}, {"domain", 'D'}, {"kingdom", 'K'}, {"phylum", 'P'},
        {"class", 'C'}, {"order", 'O'}, {"family", 'F'}, {"genus", 'G'}, {"species", 'S'},
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        if (strcmp(rank, table[i].rank) == 0) return table[i].letter;
    return 0;
}

/* Letter plus the counter when it is not 0 ("S", "S1"); counter <= 999999 fits 8 bytes. */
static void format_code(char *out, char letter, uint32_t counter)
{
    char digits[8];
    int n = 0;
    for (; counter > 0 && n < 6; counter /= 10) digits[n++] = (char)('0' + counter % 10);
    *out++ = letter;
    while (n > 0) *out++ = digits[--n];
    *out = '\0';
}

/* Codes as the Kraken manual defines them (no Debian missing-letter bug). The parent's code
 * carries the (letter, counter) state, so one pass in id order suffices (parent[i] < i).
 * The root starts at R with counter -1, so an unranked root is "R" and its unranked child
 * "R1". codes[0] = "U" (unclassified); depth saturates at UINT16_MAX. */
void taxo_rank_codes(const taxo_t *t, char (*codes)[8], uint16_t *depth)
{
    if (t->n == 0) return;
    strcpy(codes[0], "U");
    depth[0] = 0;
    for (uint32_t i = 1; i < t->n; i++) {
        uint32_t p = t->parent[i];
        char letter = rank_letter(taxo_rank(t, i));
        uint32_t counter = 0;   /* a ranked node, or the root (-1 + 1) */
        if (!letter && p == 0) {
            letter = 'R';
        } else if (!letter) {
            letter = codes[p][0];
            counter = (uint32_t)strtoul(codes[p] + 1, NULL, 10);
            if (counter < 999999) counter++;
        }
        format_code(codes[i], letter, counter);
        depth[i] = p == 0 ? 0 : (depth[p] == UINT16_MAX ? UINT16_MAX : depth[p] + 1);
    }
}

/* ---------- seqid -> taxid map ---------- */

typedef struct {
    uint64_t hash;
    size_t off;       /* key start in buf */
    uint32_t len;
    uint32_t taxid;
} seq_entry_t;

struct seqmap {
    char *buf;        /* the file; keys point into it */
    seq_entry_t *entries;
    uint32_t n;
    uint32_t *slots;  /* entry index + 1; 0 = empty */
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

static int is_blank(char c)
{
    return c == ' ' || c == '\t';
}

/* Splits "seqid WS taxid [WS ...]" (WS = spaces/tabs); returns -1 when the taxid is absent. */
static int split_map_line(field_t line, field_t *id, field_t *tax)
{
    const char *s = line.p, *end = line.p + line.len;
    while (s < end && is_blank(*s)) s++;
    const char *q = s;
    while (q < end && !is_blank(*q)) q++;
    *id = (field_t){s, (size_t)(q - s)};
    while (q < end && is_blank(*q)) q++;
    const char *t = q;
    while (q < end && !is_blank(*q)) q++;
    *tax = (field_t){t, (size_t)(q - t)};
    return tax->len ? 0 : -1;
}

static int seqmap_add(seqmap_t *m, field_t id, uint32_t taxid, const char *path, size_t line_no)
{
    uint64_t h = XXH3_64bits(id.p, id.len);
    const seq_entry_t *old = seqmap_find(m, id.p, id.len, h);
    if (old) {
        if (old->taxid == taxid) return GB_OK;
        gb_error("%s:%zu: seqid %.*s mapped to taxid %u and to %u", path, line_no,
                 (int)id.len, id.p, old->taxid, taxid);
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
    field_t line, id, tax;
    size_t line_no = 0;
    while (next_line(&pos, end, &line)) {
        line_no++;
        size_t skip = 0;
        while (skip < line.len && is_blank(line.p[skip])) skip++;
        if (skip == line.len || line.p[skip] == '#') continue;
        uint32_t taxid;
        if (split_map_line(line, &id, &tax) != 0) {
            gb_error("%s:%zu: missing taxid column (want seqid<TAB>taxid)", path, line_no);
            return GB_E_FORMAT;
        }
        if (parse_taxid(tax, &taxid) != 0 || id.len > UINT32_MAX) {
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
    size_t lines = count_lines(m->buf, len);
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
        if (parse_taxid((field_t){id + j, k - j}, &taxid) == 0 && taxid) return taxid;
    }
    return 0;
}

/* Old NCBI "gi|NUM|DB|ACC|..." ids: the accession, or len 0 when id has another form. */
static field_t gi_accession(const char *id, size_t len)
{
    field_t none = {id, 0};
    if (len < 3 || memcmp(id, "gi|", 3) != 0) return none;
    const char *end = id + len, *num = id + 3;
    const char *bar1 = memchr(num, '|', (size_t)(end - num));
    if (!bar1 || bar1 == num) return none;
    const char *bar2 = memchr(bar1 + 1, '|', (size_t)(end - bar1 - 1));
    if (!bar2) return none;
    const char *acc = bar2 + 1;
    const char *bar3 = memchr(acc, '|', (size_t)(end - acc));
    const char *stop = bar3 ? bar3 : end;
    return (field_t){acc, (size_t)(stop - acc)};
}

uint32_t seqmap_taxid_of_header(const seqmap_t *m, const char *header, size_t len)
{
    if (len > 0 && header[0] == '>') {   /* tolerate the FASTA marker */
        header++;
        len--;
    }
    size_t id_len = 0;
    while (id_len < len && header[id_len] != ' ' && header[id_len] != '\t' &&
           header[id_len] != '\r' && header[id_len] != '\n')
        id_len++;
    uint32_t taxid = kraken_taxid_tag(header, id_len);
    if (taxid) return taxid;
    if ((taxid = seqmap_get(m, header, id_len))) return taxid;
    field_t acc = gi_accession(header, id_len);
    return acc.len ? seqmap_get(m, acc.p, acc.len) : 0;
}
