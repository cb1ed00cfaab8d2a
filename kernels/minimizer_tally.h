/* Per-taxon minimizer hits and their exact distinct count, for Kraken 2's
 * --report-minimizer-data columns (docs/KRAKEN2-COMPAT.md K8). Pure compute.
 *
 * An event is a lookup of a new minimizer (one that differs from the previous k-mer's in the
 * mate) that hit taxon t: the same events that count hit groups. The tally counts events per
 * taxon and keeps the set of distinct (taxon, minimizer) pairs in an open-addressing hash set,
 * so memory grows with the distinct pairs, not with the events. One tally per thread, merged at
 * the end: counts and sets do not depend on how the events were split. */
#ifndef GB_MINIMIZER_TALLY_H
#define GB_MINIMIZER_TALLY_H
#include <stddef.h>
#include <stdint.h>
#include "classify.h"
#include "gb_status.h"

typedef struct {
    uint64_t *events;     /* ntaxa entries: events per internal taxon */
    uint32_t ntaxa;       /* internal ids 1 .. ntaxa-1 may be added */
    uint64_t *minimizers; /* the set: cap slots (a power of two), slot empty when taxa[i] == 0 */
    uint32_t *taxa;
    size_t cap, count; /* slots, occupied slots (the distinct pairs) */
} minimizer_tally_t;

/* An empty tally for internal taxa 0 .. ntaxa-1. GB_OK or GB_E_NOMEM (t is then zeroed). */
int minimizer_tally_init(minimizer_tally_t *t, uint32_t ntaxa) GB_MUST_CHECK;
/* Free t's arrays and zero it (a zeroed t is a no-op). */
void minimizer_tally_free(minimizer_tally_t *t);

/* One event: minimizer looked up as new and hit taxon (1 <= taxon < ntaxa, else GB_E_USAGE).
 * GB_OK or GB_E_NOMEM (t unchanged). */
int minimizer_tally_add(minimizer_tally_t *t, uint32_t taxon, uint64_t minimizer) GB_MUST_CHECK;

/* The events of lookups keys[0..n) with results found[0..n) (classify_distinct and
 * classify_table_lookup): every lookup that hit. GB_OK or GB_E_NOMEM. */
int minimizer_tally_add_lookups(minimizer_tally_t *t, const uint64_t *keys, const uint32_t *found,
                                size_t n) GB_MUST_CHECK;

/* The events of the mate just passed to classify_lookup_mate: every lookup in s that hit.
 * Call it before anything else uses s (classify_resolve overwrites it). */
int minimizer_tally_add_mate(minimizer_tally_t *t, const classify_scratch_t *s) GB_MUST_CHECK;

/* Add src's events and pairs to dst (same ntaxa, else GB_E_USAGE). GB_OK, or GB_E_NOMEM with
 * dst holding part of src. */
int minimizer_tally_merge(minimizer_tally_t *dst, const minimizer_tally_t *src) GB_MUST_CHECK;

/* distinct[0..ntaxa): the number of distinct minimizers among each taxon's events. */
void minimizer_tally_distinct(const minimizer_tally_t *t, uint64_t *distinct);

#endif
