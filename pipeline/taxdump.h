/* The NCBI taxdump (nodes.dmp, names.dmp) as read from disk, external taxids only. The pruned
 * internal taxonomy a database stores is made from it by taxo_prune (taxo.h). */
#ifndef GB_TAXDUMP_H
#define GB_TAXDUMP_H
#include <stddef.h>
#include <stdint.h>
#include "gb_status.h"

typedef struct taxdump taxdump_t;

#define TAXDUMP_NO_RECORD UINT32_MAX /* taxdump_find: the taxid is not in the dump */
#define TAXDUMP_MAX_RANKS 4096       /* distinct rank strings a dump may have (NCBI: ~45) */

/* Read DIR/nodes.dmp and DIR/names.dmp (fields split on "\t|\t"; scientific names only).
 * The root's (taxid 1) parent is forced to 0. Errors name the file and line: unreadable
 * file, malformed line, duplicate taxid. Must handle the full 1.1 M-node dump in ~1 s. */
int taxdump_load(const char *dir, taxdump_t **out) GB_MUST_CHECK;
void taxdump_destroy(taxdump_t *d);
/* 1 when taxid is a node of the dump. */
int taxdump_has(const taxdump_t *d, uint32_t taxid);

/* Read-only access to the nodes, for taxo_prune. A record is one line of nodes.dmp: record r
 * is line r + 1, r < taxdump_count(d). Strings live until taxdump_destroy(d), and the same
 * rank always gives the same pointer from taxdump_rank_name. */
uint32_t taxdump_count(const taxdump_t *d);
uint32_t taxdump_find(const taxdump_t *d, uint32_t taxid); /* record, or TAXDUMP_NO_RECORD */
uint32_t taxdump_taxid(const taxdump_t *d, uint32_t record);
uint32_t taxdump_parent(const taxdump_t *d, uint32_t record);  /* parent's taxid; 0 for the root */
const char *taxdump_name(const taxdump_t *d, uint32_t record); /* scientific name; "" if none */
uint32_t taxdump_rank(const taxdump_t *d, uint32_t record);    /* rank id < taxdump_rank_count */
uint32_t taxdump_rank_count(const taxdump_t *d);               /* <= TAXDUMP_MAX_RANKS */
const char *taxdump_rank_name(const taxdump_t *d, uint32_t rank);
const char *taxdump_dir(const taxdump_t *d); /* the folder read, for messages */

/* A taxid as NCBI writes it: s[0, len) all decimal digits, value in [0, 2^31). GB_OK with *out
 * set, or GB_E_FORMAT (empty, sign, spaces, too large). */
int taxdump_parse_taxid(const char *s, size_t len, uint32_t *out) GB_MUST_CHECK;

#endif
