/* Collapse a feature table (one observation per taxon, as in a cohort file) to clade counts at
 * one rank: every feature's counts are added to the clade of that rank on its lineage.
 *
 * Where the lineage comes from, and what the clades are called:
 *   - a taxonomy (NCBI taxdump, `--taxonomy DIR`): feature ids are read as NCBI taxids; the
 *     clade is the nearest ancestor-or-self whose rank is the one asked for; clade id = its
 *     taxid in decimal ("561"), name = its scientific name ("Escherichia"). Ranks "domain",
 *     "superkingdom" and "acellular root" all count as the domain, as the cohort writer does;
 *   - else the table's lineage strings (biom_table_t.lineage): the cell with the rank's prefix
 *     (d__ domain, k__ kingdom, p__ phylum, c__ class, o__ order, f__ family, g__ genus,
 *     s__ species; SILVA-style "D_0__".."D_6__" are read as d p c o f g s). For the domain a
 *     k__ cell stands in when no d__ cell exists (Greengenes writes "k__Bacteria"). Clade id =
 *     the normalised cell "g__Escherichia", name = "Escherichia". A Greengenes species cell
 *     holding only the epithet ("s__coli") becomes "s__Escherichia coli" when the genus is known.
 *     Clades with the same cell text are one clade (homonyms in different higher taxa merge).
 *   - rank none: features are kept as given (ids unchanged), nothing is dropped.
 * A feature without that rank (no such ancestor; an empty cell such as "g__"; an id that is
 * not a taxid of the taxonomy) is dropped from the collapsed table; how many, and how much of
 * each sample's total they held, is reported in the result.
 *
 * Clade order: ascending taxid with a taxonomy, ascending bytes (strcmp) of the clade id from
 * lineage strings, input order for none. Sums run over features in input order, so results do
 * not depend on anything but the input. */
#ifndef GB_COLLAPSE_H
#define GB_COLLAPSE_H
#include <stddef.h>
#include <stdint.h>
#include "biom_read.h"
#include "gb_status.h"
#include "taxo.h"

typedef enum {
    COLLAPSE_NONE = -1,
    COLLAPSE_DOMAIN = 0,
    COLLAPSE_KINGDOM,
    COLLAPSE_PHYLUM,
    COLLAPSE_CLASS,
    COLLAPSE_ORDER,
    COLLAPSE_FAMILY,
    COLLAPSE_GENUS,
    COLLAPSE_SPECIES
} collapse_rank_t;

/* "none", "domain" (or "superkingdom"), "kingdom", "phylum", "class", "order", "family",
 * "genus", "species" (case-insensitive). Returns 0 or GB_E_USAGE (logged, listing the names). */
int collapse_rank_parse(const char *name, collapse_rank_t *out) GB_MUST_CHECK;
const char *collapse_rank_name(collapse_rank_t rank);

typedef struct {
    collapse_rank_t rank;
    size_t nsamples, nfeatures; /* samples: the input's, same order */
    double *counts;             /* row-major [nsamples][nfeatures] clade sums */
    char **feature_ids;         /* [nfeatures] clade ids (see above) */
    char **feature_names;       /* [nfeatures] readable names */
    size_t ninput;              /* features of the input */
    long *clade_of;             /* [ninput] output feature of each input feature, -1 dropped */
    size_t ndropped;            /* input features without the rank */
    double *dropped;            /* [nsamples] sum of each sample's dropped counts */
    char *blob;                 /* private: the strings */
} collapse_t;

/* Collapse in to rank. taxo: an indexed taxonomy covering the feature ids (see
 * collapse_load_taxonomy), or NULL to use in->lineage. Errors (GB_E_USAGE, logged naming the
 * file): no taxonomy and no lineage in the file; no feature has the rank (the rank is absent
 * from the taxonomy or lineages); GB_E_NOMEM. Free with collapse_free(). */
int collapse_table(const biom_table_t *in, collapse_rank_t rank, const taxo_t *taxo, collapse_t *out) GB_MUST_CHECK;
void collapse_free(collapse_t *c);

/* Load the NCBI taxdump in dir and prune it to the table's feature ids that are taxids of it
 * (other ids are left out, with one warning giving their number and an example). out is then
 * ready for collapse_table (indexed); free with taxo_destroy(). Errors: those of taxdump_load
 * and taxo_prune; GB_E_USAGE when no feature id is a taxid of the dump. */
int collapse_load_taxonomy(const char *dir, const biom_table_t *in, taxo_t *out) GB_MUST_CHECK;

#endif
