/* Bracken's re-estimation (kernels/bracken.h). Bracken builds a tree from the report's
 * indentation, keys every table by taxid and keeps them in insertion order; the floating-point
 * sums below run in that same order, which is what makes the outputs byte-identical. */
#include "bracken.h"
#include "gb_array.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Bracken's arithmetic rounds after every operation (Python floats): a fused multiply-add,
 * which -std=gnu11 lets GCC form on FMA hardware, would change the last bits of the sums. */
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif

#define NONE       SIZE_MAX
#define ROOT_TAXID 1
static const char main_levels[] = "RKDPCOFGS";

int bracken_distrib_add_line(bracken_distrib_t *d, uint64_t mapped)
{
    if (GB_GROW(d->mapped, d->cap_lines, d->n_lines + 1) || GB_GROW(d->first, d->cap_first, d->n_lines + 2))
        return GB_E_NOMEM;
    d->mapped[d->n_lines] = mapped;
    d->first[d->n_lines] = d->n_entries;
    d->n_lines++;
    d->first[d->n_lines] = d->n_entries;
    return GB_OK;
}

int bracken_distrib_add_entry(bracken_distrib_t *d, uint64_t genome, double fraction)
{
    if (!d->n_lines) return GB_E_USAGE;
    if (GB_GROW(d->entry, d->cap_entries, d->n_entries + 1)) return GB_E_NOMEM;
    d->entry[d->n_entries++] = (bracken_entry_t){genome, fraction};
    d->first[d->n_lines] = d->n_entries;
    return GB_OK;
}

static int cmp_line_ref(const void *a, const void *b)
{
    const bracken_line_ref_t *x = a, *y = b;
    if (x->mapped != y->mapped) return x->mapped < y->mapped ? -1 : 1;
    return (x->line > y->line) - (x->line < y->line);
}

int bracken_distrib_index(bracken_distrib_t *d)
{
    free(d->by_map);
    d->by_map = malloc((d->n_lines ? d->n_lines : 1) * sizeof *d->by_map);
    if (!d->by_map) return GB_E_NOMEM;
    for (size_t i = 0; i < d->n_lines; i++) d->by_map[i] = (bracken_line_ref_t){d->mapped[i], i};
    qsort(d->by_map, d->n_lines, sizeof *d->by_map, cmp_line_ref);
    return GB_OK;
}

void bracken_distrib_free(bracken_distrib_t *d)
{
    free(d->mapped);
    free(d->first);
    free(d->entry);
    free(d->by_map);
    memset(d, 0, sizeof *d);
}

const char *bracken_level_word(const char *level)
{
    static const char *const words[][2] = {{"D", "domains"},  {"P", "phylums"}, {"O", "orders"}, {"C", "classes"},
                                           {"F", "families"}, {"G", "genuses"}, {"S", "species"}};
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (!strcmp(level, words[i][0])) return words[i][1];
    return level;
}

int bracken_level_valid(const char *level)
{
    if (!level[0] || !strchr(main_levels, level[0])) return 0;
    for (const char *p = level + 1; *p; p++)
        if (*p < '0' || *p > '9') return 0;
    return strlen(level) <= BRACKEN_RANK_MAX;
}

void bracken_result_free(bracken_result_t *res)
{
    free(res->est);
    free(res->lines);
    res->est = NULL;
    res->lines = NULL;
    res->n_est = res->n_lines = 0;
}

/* ------------------------------------------------------------------ one sample's state */

/* Bracken's dictionaries keyed by taxid become arrays indexed by the rank of the taxid among
 * the report's distinct taxids (a "key"); *_order lists the keys in insertion order, the order
 * in which Bracken iterates (and sums over) its dictionaries. */
typedef struct {
    const bracken_row_t *rows;
    size_t n;
    const bracken_distrib_t *d;
    const char *level;
    size_t level_index; /* position of level[0] in main_levels */
    long branch;        /* the digits after the level letter ("S1" -> 1), 0 when none */
    bracken_result_t *res;
    uint64_t *keys; /* distinct taxids, sorted */
    size_t nk;
    size_t *kid; /* [n] key of each row */
    /* the tree */
    size_t root, *parent, *child_first, *child, *leaves, n_leaves;
    char (*id)[BRACKEN_RANK_MAX + 1]; /* Bracken's level code of each node */
    double *tree_reads;               /* a node's clade reads, rewritten for the new report */
    /* taxa at the level (lvl_*) and taxa whose reads go to one of them (map_*), by key */
    size_t *lvl_row, *lvl_order, n_lvl;
    int64_t *lvl_clade;
    double *lvl_added;
    size_t *map_target, *map_order, n_map;
    int64_t *map_taxon;
    double *map_added;
    /* the distribution line each key resolves to (NONE: none; NONE - 1: not looked up yet) and
     * the genome's own fraction there */
    size_t *eff_line;
    double *self_fraction;
    size_t *stamp;
    /* new clade reads of the re-estimated report */
    unsigned char *has_new;
    double *new_reads;
    /* scratch of a distribution step and of the report walk */
    size_t *work, *gen;
    double *frac, *est;
} est_t;

static void est_free(est_t *e)
{
    void *all[] = {e->keys,      e->kid,       e->parent,        e->child_first, e->child,
                   e->leaves,    e->id,        e->tree_reads,    e->lvl_row,     e->lvl_order,
                   e->lvl_clade, e->lvl_added, e->map_target,    e->map_order,   e->map_taxon,
                   e->map_added, e->eff_line,  e->self_fraction, e->stamp,       e->has_new,
                   e->new_reads, e->work,      e->gen,           e->frac,        e->est};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) free(all[i]);
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

static size_t find_key(const est_t *e, uint64_t taxid)
{
    size_t lo = 0, hi = e->nk;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (e->keys[mid] < taxid) lo = mid + 1;
        else hi = mid;
    }
    return lo < e->nk && e->keys[lo] == taxid ? lo : NONE;
}

static int est_alloc(est_t *e)
{
    size_t n = e->n ? e->n : 1;
    e->keys = malloc(n * sizeof *e->keys);
    e->kid = malloc(n * sizeof *e->kid);
    e->parent = malloc(n * sizeof *e->parent);
    e->child_first = calloc(n + 1, sizeof *e->child_first);
    e->child = malloc(n * sizeof *e->child);
    e->leaves = malloc(n * sizeof *e->leaves);
    e->id = calloc(n, sizeof *e->id);
    e->tree_reads = malloc(n * sizeof *e->tree_reads);
    e->lvl_row = malloc(n * sizeof *e->lvl_row);
    e->lvl_order = malloc(n * sizeof *e->lvl_order);
    e->lvl_clade = malloc(n * sizeof *e->lvl_clade);
    e->lvl_added = calloc(n, sizeof *e->lvl_added);
    e->map_target = malloc(n * sizeof *e->map_target);
    e->map_order = malloc(n * sizeof *e->map_order);
    e->map_taxon = malloc(n * sizeof *e->map_taxon);
    e->map_added = calloc(n, sizeof *e->map_added);
    e->eff_line = malloc(n * sizeof *e->eff_line);
    e->self_fraction = malloc(n * sizeof *e->self_fraction);
    e->stamp = malloc(n * sizeof *e->stamp);
    e->has_new = calloc(n, 1);
    e->new_reads = calloc(n, sizeof *e->new_reads);
    e->work = malloc(n * sizeof *e->work);
    /* one distribution line's genomes: at most one slot per distinct taxid */
    e->gen = malloc(n * sizeof *e->gen);
    e->frac = malloc(n * sizeof *e->frac);
    e->est = malloc(n * sizeof *e->est);
    if (!e->keys || !e->kid || !e->parent || !e->child_first || !e->child || !e->leaves || !e->id || !e->tree_reads ||
        !e->lvl_row || !e->lvl_order || !e->lvl_clade || !e->lvl_added || !e->map_target || !e->map_order ||
        !e->map_taxon || !e->map_added || !e->eff_line || !e->self_fraction || !e->stamp || !e->has_new ||
        !e->new_reads || !e->work || !e->gen || !e->frac || !e->est)
        return GB_E_NOMEM;
    for (size_t i = 0; i < e->n; i++) e->keys[i] = e->rows[i].taxid;
    qsort(e->keys, e->n, sizeof *e->keys, cmp_u64);
    for (size_t i = 0; i < e->n; i++)
        if (!e->nk || e->keys[e->nk - 1] != e->keys[i]) e->keys[e->nk++] = e->keys[i];
    for (size_t i = 0; i < e->n; i++) e->kid[i] = find_key(e, e->rows[i].taxid);
    for (size_t k = 0; k < n; k++) {
        e->lvl_row[k] = e->map_target[k] = e->stamp[k] = NONE;
        e->eff_line[k] = NONE - 1;
    }
    return GB_OK;
}

static int fail_row(est_t *e, size_t row, const char *what)
{
    e->res->err_row = row;
    e->res->err_what = what;
    return GB_E_FORMAT;
}

/* ------------------------------------------------------------------ the tree */

static int is_blank(const char *s)
{
    for (; *s; s++)
        if (!strchr(" \t\n\r\v\f\x1c\x1d\x1e\x1f", *s)) return 0;
    return 1;
}

static int is_main_level(const char *id) { return id[0] && !id[1] && strchr(main_levels, id[0]); }

/* Bracken's code for an unranked node ("-", or a code of more than one letter), from its
 * parent's: "G" -> "G1", "G1" -> "G2", and "S9" -> "S10" -> "S11" (the last digit is what
 * counts). *branch is the number appended. */
static int unranked_id(const char *parent_id, char *id, long *branch)
{
    size_t len = strlen(parent_id);
    if (is_main_level(parent_id)) {
        id[0] = parent_id[0];
        strcpy(id + 1, "1");
        *branch = 1;
        return GB_OK;
    }
    char last = parent_id[len - 1];
    if (last < '0' || last > '9' || len + 1 > BRACKEN_RANK_MAX) return GB_E_FORMAT;
    *branch = last - '0' + 1;
    memcpy(id, parent_id, len - 1);
    if (*branch == 10) {
        strcpy(id + len - 1, "10");
    } else {
        id[len - 1] = (char)('0' + *branch);
        id[len] = '\0';
    }
    return GB_OK;
}

static void map_set(est_t *e, size_t k, size_t target, int64_t taxon_reads)
{
    if (e->map_target[k] == NONE) e->map_order[e->n_map++] = k;
    e->map_target[k] = target;
    e->map_taxon[k] = taxon_reads;
    e->map_added[k] = 0;
}

/* Decides, for a node with Bracken's code id, whether it is a taxon at the level (kept when it
 * has threshold reads) or a node whose own reads belong to the last taxon kept. */
static int assign_to_level(est_t *e, size_t r, const char *id, long branch, int64_t threshold, size_t *last)
{
    const bracken_row_t *row = &e->rows[r];
    bracken_result_t *res = e->res;
    size_t k = e->kid[r];
    if (!strcmp(id, e->level)) {
        res->n_level_taxa++;
        if (row->clade_reads < threshold) {
            res->n_below_threshold++;
            res->discarded_reads += row->clade_reads;
            *last = NONE;
            return GB_OK;
        }
        res->n_above_threshold++;
        res->kept_reads += row->clade_reads;
        if (e->lvl_row[k] == NONE) e->lvl_order[e->n_lvl++] = k;
        e->lvl_row[k] = r;
        e->lvl_clade[k] = row->clade_reads;
        e->lvl_added[k] = 0;
        *last = k;
        map_set(e, k, k, row->taxon_reads);
        return GB_OK;
    }
    if (!(e->branch > 0 && branch > e->branch)) {
        const char *at = id[0] ? strchr(main_levels, id[0]) : NULL;
        if (!at) return fail_row(e, r, "unknown rank code");
        if ((size_t)(at - main_levels) < e->level_index) return GB_OK;
    }
    if (*last != NONE) map_set(e, k, *last, row->taxon_reads);
    return GB_OK;
}

/* The tree as Bracken reads it: a line indented one step more than the previous one is its
 * child, anything else closes the previous line as a leaf and climbs to the right parent. */
static int build_tree(est_t *e, int64_t threshold)
{
    bracken_result_t *res = e->res;
    size_t prev = NONE, last = NONE;
    e->root = NONE;
    for (size_t r = 0; r < e->n; r++) {
        const bracken_row_t *row = &e->rows[r];
        e->parent[r] = NONE;
        e->tree_reads[r] = (double)row->clade_reads;
        res->total_reads += row->taxon_reads;
        if (row->unclassified) {
            res->unclassified_reads = row->taxon_reads;
            continue;
        }
        if (row->taxid == ROOT_TAXID) {
            e->root = prev = r;
            strcpy(e->id[r], "R");
            continue;
        }
        if (prev == NONE) return fail_row(e, r, "a line before the root (taxid 1)");
        if (row->depth != e->rows[prev].depth + 1) e->leaves[e->n_leaves++] = prev;
        while (row->depth != e->rows[prev].depth + 1)
            if ((prev = e->parent[prev]) == NONE) return fail_row(e, r, "indentation with no parent line");
        long branch = 0;
        char *id = e->id[r];
        strcpy(id, is_blank(row->rank) ? "-" : row->rank);
        if ((!strcmp(id, "-") || strlen(id) > 1) && unranked_id(e->id[prev], id, &branch))
            return fail_row(e, r, "unranked line under a line with an unknown rank code");
        int rc = assign_to_level(e, r, id, branch, threshold, &last);
        if (rc) return rc;
        e->parent[r] = prev;
        e->child_first[prev + 1]++;
        prev = r;
    }
    if (prev != NONE) e->leaves[e->n_leaves++] = prev;
    /* children in report order, as Bracken appends them */
    for (size_t r = 0; r < e->n; r++) e->child_first[r + 1] += e->child_first[r];
    size_t *fill = e->work;
    memcpy(fill, e->child_first, e->n * sizeof *fill);
    for (size_t r = 0; r < e->n; r++)
        if (e->parent[r] != NONE) e->child[fill[e->parent[r]]++] = r;
    return GB_OK;
}

/* ------------------------------------------------------------------ redistribution */

/* The distribution line Bracken keeps for key k: the last line mapped to it that names at
 * least one genome Bracken tracks in this sample; NONE when there is none. */
static size_t effective_line(est_t *e, size_t k)
{
    if (e->eff_line[k] != NONE - 1) return e->eff_line[k];
    const bracken_distrib_t *d = e->d;
    size_t lo = 0, hi = d->n_lines;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (d->by_map[mid].mapped <= e->keys[k]) lo = mid + 1;
        else hi = mid;
    }
    size_t found = NONE;
    double self = 1.0;
    for (size_t i = lo; found == NONE && i-- > 0 && d->by_map[i].mapped == e->keys[k];) {
        size_t line = d->by_map[i].line, self_seen = 0;
        for (size_t j = d->first[line]; j < d->first[line + 1]; j++) {
            size_t g = find_key(e, d->entry[j].genome);
            if (g == NONE || e->map_target[g] == NONE) continue;
            found = line;
            if (g == k && !self_seen) {
                self = d->entry[j].fraction;
                self_seen = 1;
            }
        }
    }
    e->self_fraction[k] = self;
    return e->eff_line[k] = found;
}

/* Shares the reads Kraken left at node u among the genomes of its distribution line.
 * Returns GB_OK, or GB_E_FORMAT where Bracken divides by zero. */
static int distribute(est_t *e, size_t u, size_t line)
{
    const bracken_distrib_t *d = e->d;
    size_t ng = 0;
    for (size_t j = d->first[line]; j < d->first[line + 1]; j++) {
        size_t g = find_key(e, d->entry[j].genome);
        if (g == NONE || e->map_target[g] == NONE || e->stamp[g] == u) continue;
        e->stamp[g] = u; /* a genome listed twice counts with its first fraction */
        e->gen[ng] = g;
        e->frac[ng++] = d->entry[j].fraction;
    }
    double all_genome_reads = 0;
    for (size_t i = 0; i < ng; i++) {
        size_t g = e->gen[i];
        effective_line(e, g);
        if (e->self_fraction[g] == 0) return fail_row(e, u, "a genome with no k-mers of its own in the distribution");
        e->est[i] = (double)e->map_taxon[g] / e->self_fraction[g];
        all_genome_reads += e->est[i];
    }
    if (all_genome_reads == 0) return GB_OK;
    double total = 0;
    for (size_t i = 0; i < ng; i++) {
        e->est[i] = e->frac[i] * (e->est[i] / all_genome_reads);
        total += e->est[i];
    }
    if (total == 0) return fail_row(e, u, "k-mer distribution gives every genome probability 0");
    double reads = (double)e->rows[u].taxon_reads;
    for (size_t i = 0; i < ng; i++) e->map_added[e->gen[i]] += e->est[i] / total * reads;
    return GB_OK;
}

/* Breadth first from the root, stopping at the level, as Bracken visits the nodes. */
static int redistribute(est_t *e)
{
    size_t head = 0, tail = 0, *queue = e->work;
    if (e->root != NONE) queue[tail++] = e->root;
    while (head < tail) {
        size_t u = queue[head++];
        if (!strcmp(e->id[u], e->level)) continue;
        for (size_t c = e->child_first[u]; c < e->child_first[u + 1]; c++) queue[tail++] = e->child[c];
        int64_t reads = e->rows[u].taxon_reads;
        if (reads == 0) continue;
        size_t line = effective_line(e, e->kid[u]);
        if (line == NONE) {
            e->res->undistributed_reads += reads;
            continue;
        }
        e->res->distributed_reads += reads;
        int rc = distribute(e, u, line);
        if (rc) return rc;
    }
    for (size_t i = 0; i < e->n_map; i++) {
        size_t k = e->map_order[i];
        e->lvl_added[e->map_target[k]] += e->map_added[k];
    }
    return GB_OK;
}

/* ------------------------------------------------------------------ results */

static int write_estimates(est_t *e, double *sum_all)
{
    bracken_result_t *res = e->res;
    double sum = 0;
    for (size_t i = 0; i < e->n_lvl; i++) {
        size_t k = e->lvl_order[i];
        sum += (double)e->lvl_clade[k] + e->lvl_added[k];
    }
    *sum_all = sum;
    /* Bracken stops here ("no reads found"), or divides by zero below */
    if (!isfinite(sum) || (int64_t)sum == 0) {
        res->err_what = "no reads left at the level";
        return GB_E_FORMAT;
    }
    res->est = malloc((e->n_lvl ? e->n_lvl : 1) * sizeof *res->est);
    if (!res->est) return GB_E_NOMEM;
    double sum_truncated = (double)(int64_t)sum;
    for (size_t i = 0; i < e->n_lvl; i++) {
        size_t k = e->lvl_order[i];
        int64_t new_reads = (int64_t)((double)e->lvl_clade[k] + e->lvl_added[k]);
        res->est[i] = (bracken_estimate_t){.row = e->lvl_row[k],
                                           .taxid = e->keys[k],
                                           .kraken_reads = e->lvl_clade[k],
                                           .added_reads = new_reads - e->lvl_clade[k],
                                           .new_reads = new_reads,
                                           .fraction = (double)new_reads / sum_truncated};
    }
    res->n_est = e->n_lvl;
    return GB_OK;
}

/* New clade reads: each taxon kept at the level adds its estimate to itself and to every
 * ancestor, leaf by leaf in report order. */
static void propagate_new_reads(est_t *e)
{
    for (size_t i = 0; i < e->n_leaves; i++) {
        size_t u = e->leaves[i];
        while (u != NONE && strcmp(e->id[u], e->level)) u = e->parent[u];
        if (u == NONE) continue;
        size_t k = e->kid[u];
        if (e->lvl_row[k] == NONE || e->has_new[k]) continue;
        double total = e->lvl_added[k] + (double)e->lvl_clade[k];
        e->has_new[k] = 1;
        e->new_reads[k] = total;
        while ((u = e->parent[u]) != NONE) {
            size_t a = e->kid[u];
            if (!e->has_new[a]) {
                e->has_new[a] = 1;
                e->new_reads[a] = 0;
                e->tree_reads[u] = 0;
            }
            e->new_reads[a] += total;
            e->tree_reads[u] += total;
        }
    }
}

typedef struct {
    double reads;
    size_t pos, row;
} child_ref_t;

static int cmp_child(const void *a, const void *b)
{
    const child_ref_t *x = a, *y = b;
    if (x->reads != y->reads) return x->reads < y->reads ? -1 : 1;
    return (x->pos > y->pos) - (x->pos < y->pos);
}

/* The re-estimated report: depth first from the root, children by new clade reads, largest
 * first (ties: the later line first); nodes below the level are walked but not printed. */
static int write_report_lines(est_t *e, double sum_all)
{
    bracken_result_t *res = e->res;
    size_t top = 0, *stack = e->work, cap = 0;
    child_ref_t *kids = malloc((e->n ? e->n : 1) * sizeof *kids);
    if (!kids) return GB_E_NOMEM;
    int rc = GB_OK, one_letter = strlen(e->level) == 1;
    if (e->root != NONE) stack[top++] = e->root;
    while (top > 0) {
        size_t u = stack[--top], nkids = 0;
        for (size_t c = e->child_first[u]; c < e->child_first[u + 1]; c++) {
            size_t v = e->child[c];
            if (!one_letter || e->id[v][0] != e->level[0] || !strcmp(e->id[v], e->level)) {
                kids[nkids] = (child_ref_t){e->tree_reads[v], nkids, v};
                nkids++;
            }
        }
        qsort(kids, nkids, sizeof *kids, cmp_child);
        for (size_t i = 0; i < nkids; i++) stack[top++] = kids[i].row;
        size_t k = e->kid[u];
        if (!e->has_new[k]) continue;
        if (GB_GROW(res->lines, cap, res->n_lines + 1)) {
            rc = GB_E_NOMEM;
            break;
        }
        bracken_line_t *l = &res->lines[res->n_lines++];
        l->row = u;
        l->taxid = e->keys[k];
        l->clade_reads = (int64_t)e->new_reads[k];
        l->taxon_reads = nkids ? 0 : l->clade_reads;
        l->percent = e->new_reads[k] / sum_all * 100;
        strcpy(l->rank, e->id[u]);
    }
    free(kids);
    return rc;
}

int bracken_estimate(const bracken_row_t *rows, size_t n, const bracken_distrib_t *d, const char *level,
                     int64_t threshold, bracken_result_t *res)
{
    memset(res, 0, sizeof *res);
    res->err_row = NONE;
    if (!bracken_level_valid(level) || (d->n_lines && !d->by_map)) return GB_E_USAGE;
    est_t e = {.rows = rows, .n = n, .d = d, .level = level, .res = res};
    e.level_index = (size_t)(strchr(main_levels, level[0]) - main_levels);
    e.branch = level[1] ? strtol(level + 1, NULL, 10) : 0;
    double sum_all = 0;
    int rc = est_alloc(&e);
    if (!rc) rc = build_tree(&e, threshold);
    if (!rc) rc = redistribute(&e);
    if (!rc) rc = write_estimates(&e, &sum_all);
    if (!rc) {
        propagate_new_reads(&e);
        rc = write_report_lines(&e, sum_all);
    }
    est_free(&e);
    return rc;
}
