/* Sample sheets (nf-core/taxprofiler compatible): CSV or TSV with a header naming at least
 * the columns sample, fastq_1 and fastq_2 (any order; extra columns ignored; fastq_2 empty for
 * single-end). Relative paths resolve against the sheet's folder. */
#ifndef GB_SAMPLESHEET_H
#define GB_SAMPLESHEET_H
#include <stddef.h>
#include <stdint.h>
#include "gb_status.h"

typedef struct {
    char *id;       /* sample id: non-empty, no '/', no whitespace, no control characters */
    char *fastq[2]; /* resolved paths; fastq[1] NULL for single-end */
    uint64_t bytes; /* sum of the input files' sizes (0 for a file that cannot be stat'ed) */
    int line;       /* line of the sheet (1-based), for messages */
} sample_t;

typedef struct {
    sample_t *samples;
    size_t n;
    char *path;
} samplesheet_t;

/* Read the sheet. The delimiter is ',' or TAB, detected from the header line; fields may be
 * double-quoted (CSV); CRLF and a UTF-8 BOM are tolerated; blank lines are skipped.
 * Errors (one gb_error line naming the sheet and line, GB_E_USAGE so the command exits 1 before
 * any work): unreadable sheet, missing header column, wrong number of fields, empty or invalid
 * sample id, empty fastq_1, duplicate sample id (naming both lines), no samples at all.
 * A missing FASTQ file is NOT an error here (that sample fails alone later).
 * Free with samplesheet_free(). */
int samplesheet_load(const char *path, samplesheet_t *out) GB_MUST_CHECK;
void samplesheet_free(samplesheet_t *s);

#endif
