/* Kraken 2 kreport and mpa-style report writer (report.h).
 * The tree walk is an explicit-stack DFS over precomputed, pre-sorted child lists, so a
 * million-node taxonomy costs O(n log n) and no recursion depth. */
#include "report.h"
#include "gb_array.h"
#include "log.h"
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    uint64_t clade;
    uint32_t external;
    uint32_t internal;
} child_t;

/* Everything the walk needs, computed once. */
typedef struct {
    const taxo_t *t;
    const uint64_t *calls;
    uint64_t *clade;                             /* fragments in each subtree */
    uint64_t *clade_minimizers, *clade_distinct; /* with --report-minimizer-data, else NULL */
    uint64_t total;                              /* classified + unclassified */
    char (*codes)[8];
    uint16_t *depth;
    uint32_t *child_start; /* CSR: children of i are children[child_start[i] .. [i+1]) */
    child_t *children;     /* only the children that will be printed, in print order */
    uint32_t *stack;
    int zero_counts;
} tree_t;

int report_clades(const taxo_t *t, const uint64_t *own, uint64_t *clade)
{
    /* the flat-array contract every walk relies on: one root (1), parent[i] < i */
    for (uint32_t i = 1; i < t->n; i++) {
        if ((i == 1) != (t->parent[i] == 0) || t->parent[i] >= i) {
            gb_error("taxonomy node %u has parent %u (want 0 for the root, else < %u)", i, t->parent[i], i);
            return GB_E_INTERNAL;
        }
    }
    if (t->n < 2) return GB_OK;
    /* children have larger ids than their parents */
    for (uint32_t i = 1; i < t->n; i++) clade[i] = own[i];
    for (uint32_t i = t->n - 1; i > 1; i--) clade[t->parent[i]] += clade[i];
    return GB_OK;
}

/* Larger clade first; ties by ascending taxid so the order never depends on the sort. */
static int cmp_child(const void *a, const void *b)
{
    const child_t *x = a, *y = b;
    if (x->clade != y->clade) return x->clade > y->clade ? -1 : 1;
    return (x->external > y->external) - (x->external < y->external);
}

/* Child lists holding only nodes that will be printed (clade > 0, or all with zero_counts). */
static void build_children(tree_t *tr, int zero_counts)
{
    const taxo_t *t = tr->t;
    memset(tr->child_start, 0, ((size_t)t->n + 1) * sizeof *tr->child_start);
    for (uint32_t i = 2; i < t->n; i++)
        if (zero_counts || tr->clade[i]) tr->child_start[t->parent[i] + 1]++;
    for (uint32_t i = 0; i < t->n; i++) tr->child_start[i + 1] += tr->child_start[i];
    /* stack doubles as the per-parent fill cursor here; the walk reuses it afterwards */
    memcpy(tr->stack, tr->child_start, (size_t)t->n * sizeof *tr->stack);
    for (uint32_t i = 2; i < t->n; i++)
        if (zero_counts || tr->clade[i])
            tr->children[tr->stack[t->parent[i]]++] = (child_t){tr->clade[i], t->external[i], i};
    for (uint32_t i = 1; i < t->n; i++) {
        uint32_t count = tr->child_start[i + 1] - tr->child_start[i];
        if (count > 1) qsort(tr->children + tr->child_start[i], count, sizeof *tr->children, cmp_child);
    }
}

static int tree_init(tree_t *tr, const taxo_t *t, const uint64_t *calls, uint64_t unclassified, int zero_counts,
                     const report_minimizer_data_t *mdata)
{
    memset(tr, 0, sizeof *tr);
    tr->t = t;
    tr->calls = calls;
    tr->zero_counts = zero_counts;
    size_t n = (size_t)t->n + 1; /* + 1: no malloc(0) for an empty taxonomy */
    tr->clade = malloc(n * sizeof *tr->clade);
    tr->codes = malloc(n * sizeof *tr->codes);
    tr->depth = malloc(n * sizeof *tr->depth);
    tr->child_start = malloc(n * sizeof *tr->child_start);
    tr->children = malloc(n * sizeof *tr->children);
    tr->stack = malloc(n * sizeof *tr->stack);
    if (mdata) {
        tr->clade_minimizers = malloc(n * sizeof *tr->clade_minimizers);
        tr->clade_distinct = malloc(n * sizeof *tr->clade_distinct);
    }
    if (!tr->clade || !tr->codes || !tr->depth || !tr->child_start || !tr->children || !tr->stack ||
        (mdata && (!tr->clade_minimizers || !tr->clade_distinct))) {
        gb_error("out of memory for a report over %u taxa", t->n);
        return GB_E_NOMEM;
    }
    int rc = report_clades(t, calls, tr->clade);
    /* a minimizer hits one taxon only, so the clade's distinct minimizers are a disjoint sum */
    if (rc == GB_OK && mdata) rc = report_clades(t, mdata->minimizers, tr->clade_minimizers);
    if (rc == GB_OK && mdata) rc = report_clades(t, mdata->distinct, tr->clade_distinct);
    if (rc != GB_OK) return rc;
    tr->total = unclassified + (t->n > 1 ? tr->clade[1] : 0);
    taxo_rank_codes(t, tr->codes, tr->depth);
    build_children(tr, zero_counts);
    return GB_OK;
}

static void tree_free(tree_t *tr)
{
    free(tr->clade);
    free(tr->clade_minimizers);
    free(tr->clade_distinct);
    free(tr->codes);
    free(tr->depth);
    free(tr->child_start);
    free(tr->children);
    free(tr->stack);
}

/* Kraken divides by the total even when it is 0 (printing nan); we print 0.00 instead. */
static double percent(uint64_t count, uint64_t total) { return total ? 100.0 * (double)count / (double)total : 0.0; }

/* Pre-order walk from the root, calling visit(node) in print order; stops on visit error.
 * An empty root is skipped like any empty subtree (all-unclassified -> only the U line). */
static int walk(tree_t *tr, int (*visit)(tree_t *, uint32_t, void *), void *ctx)
{
    uint32_t top = 0;
    if (tr->t->n < 2 || (!tr->zero_counts && tr->clade[1] == 0)) return GB_OK;
    tr->stack[top++] = 1;
    while (top > 0) {
        uint32_t v = tr->stack[--top];
        int rc = visit(tr, v, ctx);
        if (rc != GB_OK) return rc;
        for (uint32_t k = tr->child_start[v + 1]; k > tr->child_start[v]; k--)
            tr->stack[top++] = tr->children[k - 1].internal;
    }
    return GB_OK;
}

/* The columns up to the taxon's own count, and the minimizer columns when they are reported. */
static int counts_columns(FILE *f, const tree_t *tr, uint64_t clade, uint64_t own, uint64_t minimizers,
                          uint64_t distinct)
{
    int w = fprintf(f, "%6.2f\t%" PRIu64 "\t%" PRIu64 "\t", percent(clade, tr->total), clade, own);
    if (w >= 0 && tr->clade_minimizers) w = fprintf(f, "%" PRIu64 "\t%" PRIu64 "\t", minimizers, distinct);
    return w < 0 ? GB_E_IO : GB_OK;
}

static int kreport_line(tree_t *tr, uint32_t v, void *ctx)
{
    FILE *f = ctx;
    int mdata = tr->clade_minimizers != NULL;
    int rc = counts_columns(f, tr, tr->clade[v], tr->calls[v], mdata ? tr->clade_minimizers[v] : 0,
                            mdata ? tr->clade_distinct[v] : 0);
    if (rc != GB_OK) return rc;
    int w = fprintf(f, "%s\t%" PRIu32 "\t%*s%s\n", tr->codes[v], tr->t->external[v], 2 * (int)tr->depth[v], "",
                    taxo_name(tr->t, v));
    return w < 0 ? GB_E_IO : GB_OK;
}

/* The mpa line of a node is its ranked ancestors' "x__Name" joined by '|'. prefix holds
 * the line of the current DFS path; len_at[d] is its length after the node at depth d. */
typedef struct {
    FILE *f;
    char *prefix;
    size_t cap;
    size_t *len_at;
} mpa_t;

/* Lowercase letter of the eight mpa ranks: their codes are a bare letter other than R/U. */
static char mpa_letter(const char *code)
{
    if (code[1] != '\0' || code[0] == 'R' || code[0] == 'U') return 0;
    return (char)(code[0] - 'A' + 'a');
}

static int mpa_append(mpa_t *m, size_t at, char letter, const char *name)
{
    if (GB_GROW(m->prefix, m->cap, at + strlen(name) + 5)) return GB_E_NOMEM;
    size_t len = at;
    if (at > 0) m->prefix[len++] = '|';
    len += (size_t)sprintf(m->prefix + len, "%c__%s", letter, name);
    return (int)len;
}

static int mpa_line(tree_t *tr, uint32_t v, void *ctx)
{
    mpa_t *m = ctx;
    uint16_t d = tr->depth[v];
    size_t base = d == 0 ? 0 : m->len_at[d - 1];
    m->len_at[d] = base;
    char letter = mpa_letter(tr->codes[v]);
    if (!letter) return GB_OK;
    int len = mpa_append(m, base, letter, taxo_name(tr->t, v));
    if (len < 0) return len;
    m->len_at[d] = (size_t)len;
    int w = fprintf(m->f, "%.*s\t%" PRIu64 "\n", len, m->prefix, tr->clade[v]);
    return w < 0 ? GB_E_IO : GB_OK;
}

static int write_mpa(FILE *f, tree_t *tr)
{
    uint16_t max_depth = 0;
    for (uint32_t i = 1; i < tr->t->n; i++)
        if (tr->depth[i] > max_depth) max_depth = tr->depth[i];
    mpa_t m = {f, NULL, 0, calloc((size_t)max_depth + 1, sizeof(size_t))};
    int rc = m.len_at ? walk(tr, mpa_line, &m) : GB_E_NOMEM;
    free(m.prefix);
    free(m.len_at);
    return rc;
}

static int write_kreport(FILE *f, tree_t *tr, uint64_t unclassified, int zero_counts)
{
    if (unclassified || zero_counts) { /* Kraken prints 0 minimizers for the unclassified */
        int rc = counts_columns(f, tr, unclassified, unclassified, 0, 0);
        if (rc != GB_OK || fputs("U\t0\tunclassified\n", f) < 0) return GB_E_IO;
    }
    return walk(tr, kreport_line, f);
}

int report_kreport(FILE *f, const taxo_t *t, const uint64_t *calls, uint64_t unclassified, int zero_counts, int use_mpa,
                   const report_minimizer_data_t *mdata)
{
    tree_t tr;
    int rc = tree_init(&tr, t, calls, unclassified, zero_counts, use_mpa ? NULL : mdata);
    if (rc == GB_OK) rc = use_mpa ? write_mpa(f, &tr) : write_kreport(f, &tr, unclassified, zero_counts);
    tree_free(&tr);
    /* stdio may buffer the failing write until the flush */
    int write_failed = fflush(f) != 0 || ferror(f);
    if (rc == GB_OK && write_failed) rc = GB_E_IO;
    if (rc == GB_E_IO) gb_error("cannot write the report: %s", strerror(errno));
    if (rc == GB_E_NOMEM) gb_error("out of memory writing a report");
    return rc;
}
