/* One sample's taxonomic profile in the CAMI profiling format 0.9.1 (the Bioboxes format OPAL
 * and the other CAMI tools read), made from per-taxon fragment counts; docs/CAMI.md says which
 * facts of the format this relies on and every choice made here.
 *
 * Layout written:
 *   @SampleID:<id>
 *   @Version:0.9.1
 *   @Ranks:superkingdom|phylum|class|order|family|genus|species|strain
 *   @__program__:gutbrain <version>
 *   @@TAXID<TAB>RANK<TAB>TAXPATH<TAB>TAXPATHSN<TAB>PERCENTAGE
 *   one line per taxon with fragments at one of the eight ranks, ordered by rank, then by
 *   percentage descending, then by taxid ascending.
 * RANK: the NCBI rank, "domain" written as superkingdom; strain is a leaf of the database's
 * taxonomy below a species (whatever its NCBI rank). TAXPATH/TAXPATHSN: the taxids/names of the
 * taxon's ancestors at the ranks from superkingdom down to its own, joined by '|', an empty
 * entry where the lineage has no taxon at a rank. PERCENTAGE: 100 * fragments in the taxon's
 * clade / classified fragments, so a rank sums to 100 minus the share of fragments called
 * above it (or in lineages without that rank). */
#ifndef GB_CAMI_H
#define GB_CAMI_H
#include <stdint.h>
#include <stdio.h>
#include "gb_status.h"
#include "taxo.h"

#define CAMI_NRANKS 8

/* The eight CAMI rank names, superkingdom first. */
extern const char *const cami_ranks[CAMI_NRANKS];

/* Writes the profile of t to f. calls[i] = fragments called internal id i (t->n entries;
 * calls[0], the unclassified, is ignored). sample_id must not hold a tab, CR or LF.
 * Returns 0, GB_E_USAGE (bad sample id), GB_E_INTERNAL (a taxonomy without the flat-array
 * shape), GB_E_NOMEM or GB_E_IO when writing to f fails (f is flushed, not closed); all logged. */
int cami_write(FILE *f, const taxo_t *t, const uint64_t *calls, const char *sample_id) GB_MUST_CHECK;

/* The same into path, written under a temporary name and renamed (pipeline/outfile.h);
 * "-" is stdout. */
int cami_write_file(const char *path, const taxo_t *t, const uint64_t *calls, const char *sample_id) GB_MUST_CHECK;

/* The sample id classify uses by default: the file name of path without its folder, a
 * .gz/.bz2/.xz/.zst suffix, then a .fastq/.fq/.fasta/.fa/.fna suffix. malloc'd; NULL when out of
 * memory. */
char *cami_sample_id(const char *path);

#endif
