/* OUT/run_report.html of 'gutbrain run': a summary page for people (self-contained, as the
 * stats report: pipeline/html_report.h) with one QC row per sample of the sheet (reads, %
 * classified, done or the reason it failed) and the cohort's most abundant taxa as a stacked
 * bar per sample. */
#ifndef GB_RUN_REPORT_H
#define GB_RUN_REPORT_H
#include "gb_status.h"

/* Read OUT/cohort.biom and OUT/failed.tsv (when present) and write OUT/run_report.html
 * atomically; cmdline and db go into the provenance. GB_OK or a GB_E_* code (logged). */
int run_report_write(const char *out, const char *cmdline, const char *db) GB_MUST_CHECK;

#endif
