/* Kraken 2 style reports of per-taxon fragment counts (docs/KRAKEN2-COMPAT.md K6). */
#ifndef GB_REPORT_H
#define GB_REPORT_H
#include <stdint.h>
#include <stdio.h>
#include "gb_status.h"
#include "taxo.h"

/* --report-minimizer-data: per internal id (t->n entries each), the events of a new minimizer
 * hitting the taxon and its distinct minimizers; the report prints both summed over the clade. */
typedef struct {
    const uint64_t *minimizers, *distinct;
} report_minimizer_data_t;

/* clade[i] = sum of own[] over the subtree of internal id i (t->n entries each; entry 0 is left
 * alone). Returns GB_E_INTERNAL (logged) unless t has the flat-array shape every walk relies on:
 * one root (1) and parent[i] < i. */
int report_clades(const taxo_t *t, const uint64_t *own, uint64_t *clade) GB_MUST_CHECK;

/* Writes a kreport (or, with use_mpa, the --use-mpa-style report) of t to f.
 * calls[i] = fragments called internal id i (t->n entries; calls[0] is ignored);
 * unclassified = fragments called 0. zero_counts = --report-zero-counts. mdata (or NULL) adds
 * Kraken's two minimizer columns after the taxon's own count (the mpa style ignores it, as Kraken).
 * Kraken's format byte for byte, with three deliberate differences:
 *  - rank codes as the manual defines them (R, R1, D, ...), not the Debian binary's;
 *  - siblings ordered by clade count descending, then external taxid ascending (Kraken's
 *    unstable sort scrambles ties among more than 16 siblings);
 *  - with zero fragments in total, percentages print as 0.00 (Kraken divides by zero).
 * Returns 0, GB_E_NOMEM, or GB_E_IO when writing to f fails (f is flushed, not closed). */
int report_kreport(FILE *f, const taxo_t *t, const uint64_t *calls, uint64_t unclassified, int zero_counts, int use_mpa,
                   const report_minimizer_data_t *mdata) GB_MUST_CHECK;

#endif
