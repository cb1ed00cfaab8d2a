/* seqid -> taxid maps for 'gutbrain build': a TSV/whitespace "seqid<TAB>taxid[...]" file
 * ('#' lines skipped) and Kraken-style "kraken:taxid|N" FASTA headers. */
#ifndef GB_SEQMAP_H
#define GB_SEQMAP_H
#include <stddef.h>
#include <stdint.h>
#include "gb_status.h"

typedef struct seqmap seqmap_t;
int seqmap_load(const char *path, seqmap_t **out) GB_MUST_CHECK; /* errors name file:line */
void seqmap_destroy(seqmap_t *m);
/* taxid for a FASTA header (text after '>'): the id is the text up to the first whitespace;
 * "kraken:taxid|N" at the start of the id or after a '|' gives N directly; else the id is
 * looked up in m (m may be NULL); a leading "gi|...|" form is looked up as the whole id.
 * Returns 0 when unmapped. */
uint32_t seqmap_taxid_of_header(const seqmap_t *m, const char *header, size_t len);

#endif
