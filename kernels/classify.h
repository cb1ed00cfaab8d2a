/* One fragment (read or pair) -> taxon, Kraken 2 (2.1.2) semantics. Pure compute.
 *
 * Records: one uint32 per k-mer item, in order: an internal taxon id (0 = miss),
 * CLASSIFY_AMBIG for an ambiguous k-mer, and for pairs one CLASSIFY_BORDER between the mates. */
#ifndef GB_CLASSIFY_H
#define GB_CLASSIFY_H
#include <stddef.h>
#include <stdint.h>
#include "gb_status.h"
#include "k2_table.h"
#include "kmer_table.h"

#define CLASSIFY_AMBIG  0xFFFFFFFFu
#define CLASSIFY_BORDER 0xFFFFFFFEu

/* The table a classification reads: gutbrain's own or a Kraken 2 hash.k2d. The kind is
 * dispatched once per mate's batch of lookups, not per k-mer. */
typedef enum { CLASSIFY_TABLE_GUTBRAIN, CLASSIFY_TABLE_KRAKEN2 } classify_table_kind_t;

typedef struct {
    classify_table_kind_t kind;
    const kmer_table_t *gutbrain; /* when kind is CLASSIFY_TABLE_GUTBRAIN */
    const k2_table_t *kraken2;    /* when kind is CLASSIFY_TABLE_KRAKEN2 */
} classify_table_t;

typedef struct {
    double confidence; /* 0 .. 1 */
    uint32_t min_hit_groups;
} classify_params_t;

/* Per-thread scratch for classify_lookup_mate / classify_resolve; sized for the longest fragment
 * by classify_scratch_init, released by classify_scratch_free. */
typedef struct {
    uint64_t *distinct; /* distinct consecutive minimizers of a mate */
    uint32_t *found;    /* their lookup results */
    size_t lookups;     /* entries of distinct and found from the last classify_lookup_mate */
    uint32_t *hit_taxa; /* distinct hit taxa of the fragment */
    uint32_t *hit_counts;
    size_t cap; /* items per mate that fit (distinct and found hold cap entries) */
} classify_scratch_t;

/* Make s fit fragments whose mates have up to cap k-mer items: distinct and found get cap
 * entries, hit_taxa and hit_counts 2 cap + 1 (both mates and the border). s is zeroed
 * (classify_scratch_t s = { 0 }) or from an earlier call; one that already fits is left as it
 * is. GB_OK, or GB_E_NOMEM with s unchanged (still usable for what it fitted before). */
int classify_scratch_init(classify_scratch_t *s, size_t cap) GB_MUST_CHECK;
/* Free s's arrays and zero it (a zeroed s is a no-op). */
void classify_scratch_free(classify_scratch_t *s);

/* The lookups Kraken 2 makes for one mate's items (from minimizer_scan): each minimizer that
 * differs from the previous non-ambiguous item's, in order, into distinct[0..d); returns d
 * (<= n). distinct must have room for n. */
size_t classify_distinct(const uint64_t *items, size_t n, uint64_t *distinct);

/* out[i] = the internal taxon stored for keys[i] (0 = none), i < n, batched with prefetching:
 * the longer the batch, the more cache misses overlap. */
void classify_table_lookup(const classify_table_t *t, const uint64_t *keys, size_t n, uint32_t *out);

/* Records rec[0..n) for one mate's items from found[] = the lookups of
 * classify_distinct(items) in order; adds the mate's hit groups to *hit_groups and returns
 * how many entries of found it used (= that d). */
size_t classify_expand(const uint64_t *items, size_t n, const uint32_t *found, uint32_t *rec, uint32_t *hit_groups);

/* Turn the items of one mate (from minimizer_scan) into records appended at rec[*nrec...],
 * looking up each new minimizer once (batched), and add the mate's hit groups to
 * *hit_groups (a group = a run of consecutive non-ambiguous items with one minimizer
 * whose lookup hit; ambiguous items do not break a run). rec must have room for n more.
 * The lookups stay in s->distinct/found[0..s->lookups) until the next call on s. */
void classify_lookup_mate(const classify_table_t *t, const uint64_t *items, size_t n, classify_scratch_t *s,
                          uint32_t *rec, size_t *nrec, uint32_t *hit_groups);

/* Resolve the call for records rec[0..n): path score (sum of counts on the path to the
 * root), ties -> LCA of the tied taxa, confidence walk (R = ceil(confidence * N) in double,
 * N = items including ambiguous ones and misses, border excluded), then minimum hit groups.
 * parent[] is the internal taxonomy. Returns the internal taxon, 0 = unclassified. */
uint32_t classify_resolve(const uint32_t *parent, const uint32_t *rec, size_t n, uint32_t hit_groups,
                          const classify_params_t *p, classify_scratch_t *s);

#endif
