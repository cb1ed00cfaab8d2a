/* Beta diversity of 'gutbrain stats': Bray-Curtis and Aitchison distances over all features,
 * each tested by PERMANOVA (vegan::adonis2) and, for a categorical variable, by the dispersion
 * test (betadisper + permutest), and ordinated by PCoA. Semantics: docs/STATS.md. */
#ifndef GB_STATS_BETA_H
#define GB_STATS_BETA_H
#include "stats.h"

/* Compute and write (stats_write_table) permanova, dispersion (categorical variable only), pcoa
 * and pcoa_eigenvalues. Collective over c->comm: each rank holds and computes only its row
 * block of each Gower matrix (stats_gower.h), and every rank ends with the same tables, bitwise
 * those of one rank. GB_OK or a GB_E_* code (logged). */
int stats_beta_run(const stats_ctx_t *c) GB_MUST_CHECK;

#endif
