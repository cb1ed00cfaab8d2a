/* Bracken's k-mer distribution: window calls along a sequence and the table Bracken writes.
 * The rules (and why they equal Bracken's incremental classifier) are in docs/BRACKEN-BUILD.md. */
#include "kmer_distrib.h"
#include "gb_array.h"
#include "taxonomy.h"
#include <stdlib.h>
#include <string.h>

/* Fold one taxon and its score into the best so far: a higher score wins, a tie goes to the LCA. */
static inline void keep_best(const uint32_t *parent, uint32_t taxon, uint64_t score, uint32_t *best,
                             uint64_t *best_score)
{
    if (score > *best_score) {
        *best_score = score;
        *best = taxon;
    } else if (score == *best_score) {
        *best = taxonomy_lca(parent, *best, taxon);
    }
}

uint32_t kmer_distrib_call(const uint32_t *parent, const uint32_t *taxa, const uint32_t *counts, size_t n)
{
    uint32_t best = 0;
    uint64_t best_score = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t score = 0;
        for (size_t j = 0; j < n; j++)
            if (taxonomy_is_ancestor(parent, taxa[j], taxa[i])) score += counts[j];
        keep_best(parent, taxa[i], score, &best, &best_score);
    }
    return best;
}

int kmer_distrib_scan_init(kmer_distrib_scan_t *s, uint32_t n_taxa)
{
    memset(s, 0, sizeof *s);
    s->n_taxa = n_taxa;
    s->slot = calloc(n_taxa ? n_taxa : 1, sizeof *s->slot);
    s->win_count = calloc(n_taxa ? n_taxa : 1, sizeof *s->win_count);
    return s->slot && s->win_count ? GB_OK : GB_E_NOMEM;
}

void kmer_distrib_scan_free(kmer_distrib_scan_t *s)
{
    free(s->slot);
    free(s->calls);
    free(s->win_taxa);
    free(s->win_count);
    memset(s, 0, sizeof *s);
}

/* n more k-mers of taxon (non-zero) enter the window. */
static int window_add(kmer_distrib_scan_t *s, uint32_t taxon, uint32_t n)
{
    if (s->win_count[taxon] == 0) {
        if (GB_GROW(s->win_taxa, s->cap_win, s->nwin + 1)) return GB_E_NOMEM;
        s->win_taxa[s->nwin++] = taxon;
    }
    s->win_count[taxon] += n;
    return GB_OK;
}

/* One k-mer of taxon (non-zero, in the window) leaves it. */
static void window_remove(kmer_distrib_scan_t *s, uint32_t taxon)
{
    if (--s->win_count[taxon]) return;
    for (size_t i = 0; i < s->nwin; i++)
        if (s->win_taxa[i] == taxon) {
            s->win_taxa[i] = s->win_taxa[--s->nwin];
            return;
        }
}

static int count_call(kmer_distrib_scan_t *s, uint32_t taxon, uint64_t windows)
{
    if (s->slot[taxon]) {
        s->calls[s->slot[taxon] - 1].windows += windows;
        return GB_OK;
    }
    if (GB_GROW(s->calls, s->cap_calls, s->ncalls + 1)) return GB_E_NOMEM;
    s->calls[s->ncalls++] = (kmer_distrib_call_t){.taxon = taxon, .windows = windows};
    s->slot[taxon] = (uint32_t)s->ncalls;
    return GB_OK;
}

/* A position along the runs: run index and k-mers of that run already passed. */
typedef struct {
    size_t run;
    uint32_t off;
} cursor_t;

/* Move past exhausted (or empty) runs; the caller knows a k-mer remains. */
static void cursor_settle(cursor_t *c, const kmer_distrib_run_t *runs)
{
    while (c->off == runs[c->run].count) {
        c->run++;
        c->off = 0;
    }
}

/* kmer_distrib_call over the window, with scores summed along each taxon's path to the root
 * (O(taxa x depth) rather than O(taxa^2 x depth)). */
static uint32_t window_call(const kmer_distrib_scan_t *s, const uint32_t *parent)
{
    uint32_t best = 0;
    uint64_t best_score = 0;
    for (size_t i = 0; i < s->nwin; i++) {
        uint64_t score = 0;
        for (uint32_t a = s->win_taxa[i]; a; a = parent[a]) score += s->win_count[a];
        keep_best(parent, s->win_taxa[i], score, &best, &best_score);
    }
    return best;
}

int kmer_distrib_scan(kmer_distrib_scan_t *s, const uint32_t *parent, const kmer_distrib_run_t *runs, size_t nruns,
                      uint32_t window)
{
    for (size_t i = 0; i < s->ncalls; i++) s->slot[s->calls[i].taxon] = 0;
    s->ncalls = 0;
    for (size_t i = 0; i < s->nwin; i++) s->win_count[s->win_taxa[i]] = 0;
    s->nwin = 0;
    if (window == 0) return GB_E_USAGE;
    uint64_t total = 0;
    for (size_t i = 0; i < nruns; i++) {
        if (runs[i].taxon >= s->n_taxa) return GB_E_USAGE;
        total += runs[i].count;
    }
    if (total < window) return GB_OK;

    cursor_t head = {0, 0}, tail = {0, 0}; /* next k-mer to enter, next to leave */
    for (uint32_t need = window; need;) {
        cursor_settle(&head, runs);
        uint32_t take = runs[head.run].count - head.off;
        if (take > need) take = need;
        if (runs[head.run].taxon && window_add(s, runs[head.run].taxon, take)) return GB_E_NOMEM;
        head.off += take;
        need -= take;
    }
    uint32_t call = window_call(s, parent);
    if (count_call(s, call, 1)) return GB_E_NOMEM;
    for (uint64_t left = total - window; left;) {
        cursor_settle(&head, runs);
        cursor_settle(&tail, runs);
        uint32_t in = runs[head.run].taxon, out = runs[tail.run].taxon;
        uint64_t step = 1;
        if (in == out) { /* the window's multiset stays the same until either run ends */
            uint32_t a = runs[head.run].count - head.off, b = runs[tail.run].count - tail.off;
            step = a < b ? a : b;
            if (step > left) step = left;
        } else {
            if (out) window_remove(s, out);
            if (in && window_add(s, in, 1)) return GB_E_NOMEM;
            call = window_call(s, parent);
        }
        if (count_call(s, call, step)) return GB_E_NOMEM;
        head.off += (uint32_t)step;
        tail.off += (uint32_t)step;
        left -= step;
    }
    return GB_OK;
}

/* ---- the table ---- */

int kmer_distrib_add(kmer_distrib_t *d, uint32_t genome, const kmer_distrib_call_t *calls, size_t n)
{
    if (GB_GROW(d->entries, d->cap_entries, d->nentries + n)) return GB_E_NOMEM;
    kmer_distrib_entry_t *e = d->entries + d->nentries;
    for (size_t i = 0; i < n; i++) {
        /* insertion sort by taxid: a sequence has few calls, and Bracken lists them ascending */
        size_t j = i;
        for (; j > 0 && e[j - 1].mapped > calls[i].taxon; j--) e[j] = e[j - 1];
        e[j] = (kmer_distrib_entry_t){.genome = genome, .mapped = calls[i].taxon, .windows = calls[i].windows};
    }
    for (size_t i = 0; i < n; i++) e[i].order = d->nentries + i;
    d->nentries += n;
    return GB_OK;
}

/* An entry while the table is ordered: ranks are positions in Bracken's iteration order. */
typedef struct {
    uint32_t genome, mapped;
    uint64_t windows, order, total;
    size_t genome_rank, mapped_rank;
    size_t start; /* where its group starts, while ranking groups */
} work_t;

static int cmp_u64(uint64_t a, uint64_t b) { return (a > b) - (a < b); }

static int by_genome_order(const void *pa, const void *pb)
{
    const work_t *a = pa, *b = pb;
    int c = cmp_u64(a->genome, b->genome);
    return c ? c : cmp_u64(a->order, b->order);
}

static int by_genome_rank_mapped(const void *pa, const void *pb)
{
    const work_t *a = pa, *b = pb;
    int c = cmp_u64(a->genome_rank, b->genome_rank);
    if (!c) c = cmp_u64(a->mapped, b->mapped);
    return c ? c : cmp_u64(a->order, b->order);
}

static int by_mapped_first_seen(const void *pa, const void *pb)
{
    const work_t *a = pa, *b = pb;
    int c = cmp_u64(a->mapped, b->mapped);
    if (!c) c = cmp_u64(a->genome_rank, b->genome_rank);
    return c ? c : cmp_u64(a->order, b->order);
}

static int by_first_seen(const void *pa, const void *pb) /* (genome rank, order) */
{
    const work_t *a = pa, *b = pb;
    int c = cmp_u64(a->genome_rank, b->genome_rank);
    return c ? c : cmp_u64(a->order, b->order);
}

static int by_row(const void *pa, const void *pb)
{
    const work_t *a = pa, *b = pb;
    int c = cmp_u64(a->mapped_rank, b->mapped_rank);
    return c ? c : cmp_u64(a->genome_rank, b->genome_rank);
}

typedef int (*same_fn)(const work_t *, const work_t *);

static int same_genome(const work_t *a, const work_t *b) { return a->genome == b->genome; }
static int same_mapped(const work_t *a, const work_t *b) { return a->mapped == b->mapped; }

/* w is sorted so that each group of `same` members is contiguous with its first-seen member
 * first. Sets the genome (or mapped) rank of every member to its group's rank when groups are
 * ordered by their first members under first_cmp. Returns GB_OK or GB_E_NOMEM. */
static int rank_groups(work_t *w, size_t n, same_fn same, int (*first_cmp)(const void *, const void *), int genome)
{
    work_t *heads = NULL;
    size_t nheads = 0, cap = 0;
    for (size_t i = 0; i < n; i++)
        if (i == 0 || !same(&w[i - 1], &w[i])) {
            if (GB_GROW(heads, cap, nheads + 1)) {
                free(heads);
                return GB_E_NOMEM;
            }
            heads[nheads] = w[i];
            heads[nheads++].start = i;
        }
    qsort(heads, nheads, sizeof *heads, first_cmp);
    for (size_t r = 0; r < nheads; r++)
        for (size_t i = heads[r].start; i < n && same(&w[heads[r].start], &w[i]); i++) {
            if (genome) w[i].genome_rank = r;
            else w[i].mapped_rank = r;
        }
    free(heads);
    return GB_OK;
}

static int by_order(const void *pa, const void *pb)
{
    const work_t *a = pa, *b = pb;
    return cmp_u64(a->order, b->order);
}

int kmer_distrib_finish(kmer_distrib_t *d)
{
    size_t n = d->nentries, m = 0;
    free(d->rows);
    free(d->cells);
    d->rows = NULL;
    d->cells = NULL;
    d->nrows = d->ncells = 0;
    work_t *w = malloc((n ? n : 1) * sizeof *w);
    if (!w) return GB_E_NOMEM;
    for (size_t i = 0; i < n; i++)
        w[i] = (work_t){.genome = d->entries[i].genome,
                        .mapped = d->entries[i].mapped,
                        .windows = d->entries[i].windows,
                        .order = d->entries[i].order};
    /* genomes ranked by their first entry; each genome's total over all its sequences */
    qsort(w, n, sizeof *w, by_genome_order);
    if (rank_groups(w, n, same_genome, by_order, 1)) goto nomem;
    for (size_t i = 0, j; i < n; i = j) {
        uint64_t total = 0;
        for (j = i; j < n && w[j].genome == w[i].genome; j++) total += w[j].windows;
        for (size_t k = i; k < j; k++) w[k].total = total;
    }
    /* one entry per (genome, taxon), seen where the genome first had that taxon */
    qsort(w, n, sizeof *w, by_genome_rank_mapped);
    for (size_t i = 0; i < n; i++) {
        if (m && w[m - 1].genome_rank == w[i].genome_rank && w[m - 1].mapped == w[i].mapped)
            w[m - 1].windows += w[i].windows;
        else w[m++] = w[i];
    }
    /* taxa ranked by where the genome-by-genome walk first meets them */
    qsort(w, m, sizeof *w, by_mapped_first_seen);
    if (rank_groups(w, m, same_mapped, by_first_seen, 0)) goto nomem;
    qsort(w, m, sizeof *w, by_row);

    d->cells = malloc((m ? m : 1) * sizeof *d->cells);
    d->rows = malloc((m ? m : 1) * sizeof *d->rows);
    if (!d->cells || !d->rows) goto nomem;
    for (size_t i = 0; i < m; i++) {
        if (i == 0 || w[i].mapped_rank != w[i - 1].mapped_rank)
            d->rows[d->nrows++] = (kmer_distrib_row_t){.mapped = w[i].mapped, .first = i};
        d->rows[d->nrows - 1].n++;
        d->cells[i] = (kmer_distrib_cell_t){.genome = w[i].genome, .windows = w[i].windows, .total = w[i].total};
    }
    d->ncells = m;
    free(w);
    return GB_OK;
nomem:
    free(w);
    free(d->rows);
    free(d->cells);
    d->rows = NULL;
    d->cells = NULL;
    d->nrows = d->ncells = 0;
    return GB_E_NOMEM;
}

void kmer_distrib_free(kmer_distrib_t *d)
{
    free(d->entries);
    free(d->rows);
    free(d->cells);
    memset(d, 0, sizeof *d);
}
