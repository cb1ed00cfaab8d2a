/* One fragment (read or pair) -> taxon, Kraken 2 (2.1.2) semantics
 * (docs/KRAKEN2-COMPAT.md K4).
 *
 * Lookups: classify_distinct collects the distinct-consecutive minimizers of a mate
 * (ambiguous items are skipped and do not reset the "previous minimizer"), which is
 * exactly the set of lookups Kraken 2 makes; classify_table_lookup resolves them with
 * prefetching; classify_expand turns them back into one record per item and counts hit
 * groups (a new minimizer whose lookup hit). classify_lookup_mate chains the three for one
 * mate; a caller classifying many fragments collects the keys of several first, so that one
 * long lookup batch keeps more cache misses in flight (pipeline/classify_sample.c).
 * (A branch-free classify_distinct/expand was tried: 53 % fewer simulated mispredictions,
 * but 12 % more instructions and no faster on this machine.)
 *
 * classify_resolve: the hit records are run-length compressed into (taxon, count) pairs, packed
 * in one uint64 each and sorted (insertion sort while short, heapsort beyond), then merged
 * into the distinct hit taxa in ascending internal id (if the runs outgrow the scratch,
 * they are merged early, so the scratch only needs room for the distinct hit taxa). Because
 * parent id < child id, a single ascending pass gives every path score as count + score of
 * the nearest hit ancestor (found by walking up with binary search among the hit taxa). Cost
 * is O(r log r + d * depth * log d) for r hit runs and d distinct taxa, with no allocation
 * per fragment: all arrays are the caller's classify_scratch_t (classify_scratch_init). */
#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include "classify.h"
#include "taxonomy.h"

#define NO_MINIMIZER UINT64_MAX /* never a real minimizer: it is MINIMIZER_AMBIGUOUS */

/* New arrays are allocated before the old ones are freed, so a failure leaves s as it was. */
int classify_scratch_init(classify_scratch_t *s, size_t cap)
{
    if (cap <= s->cap) return GB_OK;
    if (cap > (SIZE_MAX / sizeof(uint64_t) - 1) / 2) return GB_E_NOMEM;
    classify_scratch_t fresh = {
        .distinct = malloc(cap * sizeof(uint64_t)),
        .found = malloc(cap * sizeof(uint32_t)),
        .hit_taxa = malloc((2 * cap + 1) * sizeof(uint32_t)),
        .hit_counts = malloc((2 * cap + 1) * sizeof(uint32_t)),
        .cap = cap,
    };
    if (!fresh.distinct || !fresh.found || !fresh.hit_taxa || !fresh.hit_counts) {
        classify_scratch_free(&fresh);
        return GB_E_NOMEM;
    }
    classify_scratch_free(s);
    *s = fresh;
    return GB_OK;
}

void classify_scratch_free(classify_scratch_t *s)
{
    free(s->distinct);
    free(s->found);
    free(s->hit_taxa);
    free(s->hit_counts);
    *s = (classify_scratch_t){0};
}

size_t classify_distinct(const uint64_t *items, size_t n, uint64_t *distinct)
{
    uint64_t last = NO_MINIMIZER;
    size_t d = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t m = items[i];
        if (m != NO_MINIMIZER && m != last) {
            distinct[d++] = m;
            last = m;
        }
    }
    return d;
}

void classify_table_lookup(const classify_table_t *t, const uint64_t *keys, size_t n, uint32_t *out)
{
    if (t->kind == CLASSIFY_TABLE_KRAKEN2) k2_table_lookup_batch(t->kraken2, keys, n, out);
    else kmer_table_lookup_batch(t->gutbrain, keys, n, out);
}

size_t classify_expand(const uint64_t *items, size_t n, const uint32_t *found, uint32_t *rec, uint32_t *hit_groups)
{
    uint32_t taxon = 0, groups = 0;
    uint64_t last = NO_MINIMIZER;
    size_t j = 0; /* index of the next distinct minimizer */
    for (size_t i = 0; i < n; i++) {
        uint64_t m = items[i];
        if (m == NO_MINIMIZER) {
            rec[i] = CLASSIFY_AMBIG;
            continue;
        }
        if (m != last) {
            last = m;
            taxon = found[j++];
            groups += taxon != 0;
        }
        rec[i] = taxon;
    }
    *hit_groups += groups;
    return j;
}

void classify_lookup_mate(const classify_table_t *t, const uint64_t *items, size_t n, classify_scratch_t *s,
                          uint32_t *rec, size_t *nrec, uint32_t *hit_groups)
{
    assert(n <= s->cap);
    s->lookups = classify_distinct(items, n, s->distinct);
    classify_table_lookup(t, s->distinct, s->lookups, s->found);
    classify_expand(items, n, s->found, rec + *nrec, hit_groups);
    *nrec += n;
}

/* ---- classify_resolve helpers: (taxon << 32 | count) pairs, sorted by taxon ---- */

static void sift_down(uint64_t *a, size_t root, size_t n)
{
    for (size_t child; (child = 2 * root + 1) < n; root = child) {
        if (child + 1 < n && a[child + 1] > a[child]) child++;
        if (a[root] >= a[child]) return;
        uint64_t tmp = a[root];
        a[root] = a[child];
        a[child] = tmp;
    }
}

static void sort_u64(uint64_t *a, size_t n)
{
    if (n <= 32) { /* the usual case: a few hit runs per read */
        for (size_t i = 1; i < n; i++) {
            uint64_t v = a[i];
            size_t j = i;
            for (; j > 0 && a[j - 1] > v; j--) a[j] = a[j - 1];
            a[j] = v;
        }
        return;
    }
    for (size_t i = n / 2; i-- > 0;) sift_down(a, i, n);
    for (size_t end = n; end-- > 1;) {
        uint64_t tmp = a[0];
        a[0] = a[end];
        a[end] = tmp;
        sift_down(a, 0, end);
    }
}

/* Sort pairs[0..r) and merge equal taxa in place, summing counts; returns the new r. */
static size_t compact_pairs(uint64_t *pairs, size_t r)
{
    sort_u64(pairs, r);
    size_t d = 0;
    for (size_t i = 0; i < r; i++) {
        if (d > 0 && pairs[d - 1] >> 32 == pairs[i] >> 32)
            pairs[d - 1] += (uint32_t)pairs[i]; /* counts stay below 2^32: n < 2^32 */
        else pairs[d++] = pairs[i];
    }
    return d;
}

/* Hit runs of rec[0..n) as (taxon << 32 | run length) into pairs[0..cap); returns their
 * number and sets *total to N, the items that count for the confidence (border excluded).
 * When the runs outgrow cap (long pairs), they are compacted to distinct taxa, so cap
 * only has to exceed the number of distinct hit taxa. */
static size_t hit_runs(const uint32_t *rec, size_t n, uint64_t *pairs, size_t cap, uint64_t *total)
{
    size_t r = 0, border = 0;
    for (size_t i = 0; i < n;) {
        uint32_t t = rec[i];
        if (t == CLASSIFY_BORDER) border++;
        if (t == 0 || t == CLASSIFY_AMBIG || t == CLASSIFY_BORDER) {
            i++;
            continue;
        }
        size_t j = i + 1;
        while (j < n && rec[j] == t) j++;
        if (r == cap) {
            r = compact_pairs(pairs, r);
            assert(r < cap); /* more distinct hit taxa than scratch capacity */
        }
        pairs[r++] = (uint64_t)t << 32 | (uint64_t)(j - i);
        i = j;
    }
    *total = n - border;
    return r;
}

/* Split compacted pairs into the distinct taxa (ascending) and their counts. */
static void split_pairs(const uint64_t *pairs, size_t d, uint32_t *taxa, uint32_t *counts)
{
    for (size_t i = 0; i < d; i++) {
        taxa[i] = (uint32_t)(pairs[i] >> 32);
        counts[i] = (uint32_t)pairs[i];
    }
}

/* Index of taxon x among taxa[0..d) (ascending), or -1. */
static long find_taxon(const uint32_t *taxa, size_t d, uint32_t x)
{
    size_t lo = 0, hi = d;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (taxa[mid] < x) lo = mid + 1;
        else hi = mid;
    }
    return lo < d && taxa[lo] == x ? (long)lo : -1;
}

/* Path scores into score[0..d) (ascending ids: an ancestor's score is ready first), then
 * the taxon with the largest score, ties resolved to the LCA of all tied taxa. */
static uint32_t best_by_path_score(const uint32_t *parent, const uint32_t *taxa, const uint32_t *counts, size_t d,
                                   uint64_t *score)
{
    uint64_t max = 0;
    uint32_t best = 0;
    for (size_t i = 0; i < d; i++) {
        score[i] = counts[i];
        for (uint32_t a = parent[taxa[i]]; a != 0; a = parent[a]) {
            long j = find_taxon(taxa, i, a); /* ancestors have smaller ids */
            if (j >= 0) {
                score[i] += score[j];
                break;
            }
        }
        if (score[i] > max) {
            max = score[i];
            best = taxa[i];
        } else if (score[i] == max) {
            best = taxonomy_lca(parent, best, taxa[i]);
        }
    }
    return best;
}

/* Sum of the counts of the hit taxa in the clade of x. */
static uint64_t clade_count(const uint32_t *parent, const uint32_t *taxa, const uint32_t *counts, size_t d, uint32_t x)
{
    uint64_t sum = 0;
    for (size_t i = 0; i < d; i++)
        if (taxonomy_is_ancestor(parent, x, taxa[i])) sum += counts[i];
    return sum;
}

uint32_t classify_resolve(const uint32_t *parent, const uint32_t *rec, size_t n, uint32_t hit_groups,
                          const classify_params_t *p, classify_scratch_t *s)
{
    uint64_t total;
    s->lookups = 0; /* distinct and found are reused below */
    size_t r = hit_runs(rec, n, s->distinct, s->cap, &total);
    if (r == 0) return 0;
    size_t d = compact_pairs(s->distinct, r);
    split_pairs(s->distinct, d, s->hit_taxa, s->hit_counts);
    uint32_t best = best_by_path_score(parent, s->hit_taxa, s->hit_counts, d, s->distinct);

    /* Confidence: climb until the clade holds ceil(conf * N) hits (double, as 2.1.2). */
    double required = ceil(p->confidence * (double)total);
    long bi = find_taxon(s->hit_taxa, d, best);
    uint64_t support = bi >= 0 ? s->hit_counts[bi] : 0;
    while (best != 0 && (double)support < required) {
        support = clade_count(parent, s->hit_taxa, s->hit_counts, d, best);
        if ((double)support >= required) break;
        best = parent[best];
    }
    if (best != 0 && hit_groups < p->min_hit_groups) return 0;
    return best;
}
