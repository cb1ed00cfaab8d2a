/* The pruned internal taxonomy (taxo.h): pruning a taxdump to Kraken 2's internal ids, the
 * taxid index, names, ranks and rank codes. It sees the taxdump only through taxdump.h's
 * record accessors, so the dump's parsing and hashing stay private to taxdump.c. */
#include "taxo.h"
#include "log.h"
#include <stdlib.h>
#include <string.h>

/* ---------- pruning ---------- */

/* Marks taxid and its ancestors up to the root or to an already-marked node (whose path to
 * the root was checked by an earlier walk). stamp[r] = walk number, so meeting our own
 * walk number again means a cycle; every node is visited once over all walks. */
static int mark_lineage(const taxdump_t *d, uint32_t taxid, uint32_t walk, uint32_t *stamp, uint32_t *marked)
{
    uint32_t r = taxdump_find(d, taxid);
    if (r == TAXDUMP_NO_RECORD) {
        gb_error("taxid %u is not in the taxonomy %s", taxid, taxdump_dir(d));
        return GB_E_TAXONOMY;
    }
    for (;;) {
        if (stamp[r] == walk) {
            gb_error("cycle in %s/nodes.dmp at taxid %u (on the path from taxid %u to the root)", taxdump_dir(d),
                     taxdump_taxid(d, r), taxid);
            return GB_E_TAXONOMY;
        }
        if (stamp[r] != 0) return GB_OK;
        stamp[r] = walk;
        (*marked)++;
        if (taxdump_taxid(d, r) == 1) return GB_OK;
        uint32_t p = taxdump_find(d, taxdump_parent(d, r));
        if (p == TAXDUMP_NO_RECORD) {
            gb_error("parent %u of taxid %u is missing from %s/nodes.dmp (path from taxid %u)", taxdump_parent(d, r),
                     taxdump_taxid(d, r), taxdump_dir(d), taxid);
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
    for (uint32_t r = 0, n = taxdump_count(d); r < n; r++)
        if (stamp[r] && taxdump_taxid(d, r) != 1)
            keys[k++] = ((uint64_t)taxdump_parent(d, r) << 32) | taxdump_taxid(d, r);
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
    order[0] = taxdump_find(d, 1);
    parent_internal[0] = 0;
    for (uint32_t head = 0; head < filled; head++) {
        uint64_t tid = taxdump_taxid(d, order[head]);
        for (size_t k = lower_bound_u64(keys, n_keys, tid << 32); k < n_keys && (keys[k] >> 32) == tid; k++) {
            if (filled > n_keys) return GB_E_INTERNAL;
            order[filled] = taxdump_find(d, (uint32_t)keys[k]);
            parent_internal[filled++] = head + 1;
        }
    }
    return filled == n_keys + 1 ? GB_OK : GB_E_INTERNAL;
}

static int cmp_rank_names(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Every distinct rank of the whole dump, sorted by bytes (as Kraken's taxo.k2d stores them). */
static int build_rank_blob(const taxdump_t *d, taxo_t *t, uint32_t *rank_off_of_id)
{
    const char *sorted[TAXDUMP_MAX_RANKS];
    uint32_t n_ranks = taxdump_rank_count(d);
    size_t total = 0;
    for (uint32_t i = 0; i < n_ranks; i++) {
        sorted[i] = taxdump_rank_name(d, i);
        total += strlen(sorted[i]) + 1;
    }
    qsort(sorted, n_ranks, sizeof *sorted, cmp_rank_names);
    if (!(t->ranks = malloc(total ? total : 1))) return GB_E_NOMEM;
    t->ranks[0] = '\0';
    size_t off = 0;
    for (uint32_t i = 0; i < n_ranks; i++) {
        size_t len = strlen(sorted[i]) + 1;
        memcpy(t->ranks + off, sorted[i], len);
        for (uint32_t id = 0; id < n_ranks; id++)
            if (taxdump_rank_name(d, id) == sorted[i]) rank_off_of_id[id] = (uint32_t)off;
        off += len;
    }
    t->ranks_len = total;
    return GB_OK;
}

/* Names in internal-id order (root first, as in Kraken's taxo.k2d). */
static int build_name_blob(const taxdump_t *d, const uint32_t *order, taxo_t *t)
{
    size_t total = 0;
    for (uint32_t i = 1; i < t->n; i++) total += strlen(taxdump_name(d, order[i - 1])) + 1;
    if (total > UINT32_MAX) return GB_E_NOMEM;
    if (!(t->names = malloc(total))) return GB_E_NOMEM;
    size_t off = 0;
    for (uint32_t i = 1; i < t->n; i++) {
        const char *s = taxdump_name(d, order[i - 1]);
        size_t len = strlen(s) + 1;
        memcpy(t->names + off, s, len);
        t->name_off[i] = (uint32_t)off;
        off += len;
    }
    t->names_len = total;
    return GB_OK;
}

static int fill_taxo(const taxdump_t *d, const uint32_t *order, const uint32_t *parent_internal, taxo_t *t)
{
    uint32_t rank_off_of_id[TAXDUMP_MAX_RANKS];
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
        t->external[i] = taxdump_taxid(d, r);
        t->rank_off[i] = rank_off_of_id[taxdump_rank(d, r)];
    }
    return GB_OK;
}

int taxo_prune(const taxdump_t *d, const uint32_t *taxids, size_t n, taxo_t *out)
{
    memset(out, 0, sizeof *out);
    uint32_t records = taxdump_count(d);
    uint32_t *stamp = calloc(records ? records : 1, sizeof *stamp);
    uint32_t *order = NULL, *parent_internal = NULL;
    uint64_t *keys = NULL;
    uint32_t marked = 0, walk = 1;
    int rc = stamp ? mark_lineage(d, 1, walk, stamp, &marked) : GB_E_NOMEM;
    for (size_t i = 0; i < n && rc == GB_OK; i++) {
        if (taxids[i] == 0) continue;
        uint32_t r = taxdump_find(d, taxids[i]);
        if (r != TAXDUMP_NO_RECORD && stamp[r]) continue; /* walk numbers only for new lineages */
        rc = mark_lineage(d, taxids[i], ++walk, stamp, &marked);
    }
    if (rc != GB_OK) goto done;
    rc = GB_E_NOMEM;
    keys = sorted_child_keys(d, stamp, marked - 1);
    order = malloc((size_t)marked * sizeof *order);
    parent_internal = malloc((size_t)marked * sizeof *parent_internal);
    if (!keys || !order || !parent_internal) goto done;
    if ((rc = bfs_order(d, keys, marked - 1, order, parent_internal)) != GB_OK) goto done;
    out->n = marked + 1;
    if ((rc = fill_taxo(d, order, parent_internal, out)) != GB_OK) goto done;
    rc = taxo_index(out);
done:
    if (rc == GB_E_NOMEM) gb_error("out of memory pruning %s", taxdump_dir(d));
    if (rc == GB_E_INTERNAL) gb_error("BFS over %s reached too few nodes (bug)", taxdump_dir(d));
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
    if (!t->index) { /* not indexed yet: correct but slow */
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
    static const struct {
        const char *rank;
        char letter;
    } table[] = {
        {"superkingdom", 'D'}, {"domain", 'D'}, {"kingdom", 'K'}, {"phylum", 'P'},  {"class", 'C'},
        {"order", 'O'},        {"family", 'F'}, {"genus", 'G'},   {"species", 'S'},
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
        uint32_t counter = 0; /* a ranked node, or the root (-1 + 1) */
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
