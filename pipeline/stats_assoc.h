/* Per-feature statistics of 'gutbrain stats': MaAsLin2's linear models of every kept feature,
 * rank tests of the variable of interest per feature, and alpha diversity with its models.
 * Semantics: docs/STATS.md. */
#ifndef GB_STATS_ASSOC_H
#define GB_STATS_ASSOC_H
#include "stats.h"

/* Compute and write (stats_write_table) associations, ranktests, alpha and alpha_models.
 * No communication: every rank computes the same tables. GB_OK or a GB_E_* code (logged
 * where it arises). */
int stats_assoc_run(const stats_ctx_t *c) GB_MUST_CHECK;

#endif
