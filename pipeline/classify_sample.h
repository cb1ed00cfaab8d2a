/* Classify one sample (single, paired or interleaved reads) against a loaded database.
 * Shared by 'gutbrain classify' and, per sample, by 'gutbrain run'. */
#ifndef GB_CLASSIFY_SAMPLE_H
#define GB_CLASSIFY_SAMPLE_H
#include <stdint.h>
#include "classify.h"
#include "db.h"
#include "gb_status.h"
#include "progress.h"

typedef struct {
    const gb_db_t *db;
    classify_params_t params; /* confidence, minimum hit groups */
    const char *inputs[2];    /* R1 and, with paired, R2 */
    int paired, interleaved;
    int min_base_quality;                          /* FASTQ bases below it count as ambiguous; 0 = off */
    int use_names;                                 /* per-read output: "name (taxid N)" */
    const char *output;                            /* per-read output ('-' = stdout, .zst compresses) or NULL */
    const char *classified_out, *unclassified_out; /* '#' -> _1/_2 for pairs; or NULL */
    int minimizer_data;                            /* --report-minimizer-data: fill the result's minimizer counts */
    int threads;
    progress_t *progress; /* NULL: a progress of its own */
} classify_job_t;

typedef struct {
    uint64_t *calls;      /* db->taxo.n entries: fragments called each internal id; [0] = unclassified */
    uint64_t *minimizers; /* with minimizer_data (else NULL), db->taxo.n entries each: events of */
    uint64_t *distinct;   /* a new minimizer hitting the taxon, and its distinct minimizers */
    uint64_t fragments, bases, classified;
    double seconds; /* reading + classifying + writing */
} classify_result_t;

/* Run the job. Outputs are written to temporary names and renamed only on success; on any
 * error (logged with the file and record) nothing is left under the final names.
 * Returns 0 or a GB_E_* code; on success free res with classify_result_free(). */
int classify_sample(const classify_job_t *job, classify_result_t *res) GB_MUST_CHECK;
void classify_result_free(classify_result_t *res);

#endif
