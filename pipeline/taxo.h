/* The pruned internal taxonomy a database stores: flat arrays indexed by internal id, made from
 * an NCBI taxdump by taxo_prune, with lookups by taxid, names, ranks and Kraken 2 rank codes.
 *
 * Internal ids (Kraken 2's scheme): 0 is a dummy, 1 the root; the rest numbered in BFS order
 * from the root, children of each node in ascending external taxid, only marked nodes kept
 * (marked = root + every requested taxid + all their ancestors). So parent[i] < i. */
#ifndef GB_TAXO_H
#define GB_TAXO_H
#include <stddef.h>
#include <stdint.h>
#include "gb_status.h"
#include "taxdump.h"

/* n entries (entry 0 the dummy, all zero, with name "root" per Kraken's quirk not needed:
 * name_off[0] = 0 -> "" is fine). */
typedef struct {
    uint32_t n;         /* node count including dummy 0 */
    uint32_t *parent;   /* internal parent id; parent[1] = 0 */
    uint32_t *external; /* NCBI taxid */
    uint32_t *name_off; /* offset into names */
    uint32_t *rank_off; /* offset into ranks */
    char *names;        /* NUL-terminated strings */
    size_t names_len;
    char *ranks; /* NUL-terminated distinct rank strings */
    size_t ranks_len;
    int owned;       /* 1 when the arrays are malloc'ed (taxo_destroy frees them) */
    uint64_t *index; /* (external << 32 | internal) sorted, from taxo_index(); NULL
                             * until then; always malloc'ed, freed by taxo_destroy() */
} taxo_t;

/* Build the pruned taxonomy for taxids[0..n) (0 entries ignored). Errors (GB_E_TAXONOMY,
 * logged naming the taxdump dir and the taxid): a taxid absent from the dump, a parent
 * missing from the dump, or a cycle on a path to the root. */
int taxo_prune(const taxdump_t *d, const uint32_t *taxids, size_t n, taxo_t *out) GB_MUST_CHECK;
void taxo_destroy(taxo_t *t);

/* Internal id of an external taxid, 0 when absent (binary search over a sorted index
 * built on first use by taxo_index()). */
int taxo_index(taxo_t *t) GB_MUST_CHECK; /* build the index (call once after load) */
uint32_t taxo_internal(const taxo_t *t, uint32_t external);
const char *taxo_name(const taxo_t *t, uint32_t internal);
const char *taxo_rank(const taxo_t *t, uint32_t internal);

/* Kraken 2 rank code of every internal node into codes[i] (up to 8 bytes each incl. NUL):
 * superkingdom D, kingdom K, phylum P, class C, order O, family F, genus G, species S
 * reset the counter; other ranks add 1; root starts at R with counter -1 -> "R", "R1", ...
 * depth[i] = number of ancestors (root 0). Both arrays have t->n entries. */
void taxo_rank_codes(const taxo_t *t, char (*codes)[8], uint16_t *depth);

#endif
