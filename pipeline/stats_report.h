/* OUT/report.html of 'gutbrain stats': the results as one self-contained page (inline SVG and
 * CSS, no script): a volcano plot of the associations, the top associated taxa and alpha
 * diversity against the variable of interest, PCoA coloured by it with the PERMANOVA R2 and p,
 * the PERMANOVA and dispersion tables, per-sample QC and provenance. How to read each plot:
 * docs/STATS.md "The report". */
#ifndef GB_STATS_REPORT_H
#define GB_STATS_REPORT_H
#include "biom_read.h"
#include "stats.h"

/* Rank 0, after every table is written: read the tables back from c->o->out, take relative
 * abundances from c->counts and QC from cohort (the file read, before collapsing), and write
 * OUT/report.html atomically. argv: the command line, for the provenance. GB_OK, GB_E_IO or
 * GB_E_FORMAT (a table unreadable, logged), GB_E_NOMEM. */
int stats_report_write(const stats_ctx_t *c, const biom_table_t *cohort, int argc, char **argv) GB_MUST_CHECK;

#endif
