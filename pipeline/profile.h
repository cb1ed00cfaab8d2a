/* Per-sample results of 'gutbrain run', the unit of checkpointing and resume.
 *
 * OUTDIR/samples/<id>.profile.tsv is written atomically (temporary name, then rename) and last,
 * after the sample's kreport, so its presence with a matching fingerprint means the sample is
 * complete. Format (TSV, documented in docs/RUN.md):
 *   # gutbrain-profile 1
 *   # sample<TAB><id>
 *   # fingerprint<TAB><16 hex digits>
 *   # reads<TAB>N            fragments (pairs count once)
 *   # classified<TAB>N
 *   # unclassified<TAB>N
 *   # bases<TAB>N
 *   taxid<TAB>reads           header line
 *   <taxid><TAB><direct count>   one line per taxon with a non-zero direct count, ascending taxid
 * With --report-minimizer-data the header is taxid<TAB>reads<TAB>minimizers<TAB>distinct_minimizers
 * and each taxon line has the taxon's own minimizer events and distinct minimizers after its count.
 * Every value is deterministic (no times), so an interrupted-and-resumed run writes the same
 * files as an uninterrupted one. */
#ifndef GB_PROFILE_H
#define GB_PROFILE_H
#include <stddef.h>
#include <stdint.h>
#include "gb_status.h"
#include "samplesheet.h"

typedef struct {
    char *id;
    uint64_t fingerprint;
    uint64_t reads, classified, unclassified, bases;
    size_t ntaxa;
    uint32_t *taxid;                 /* external NCBI taxids, ascending */
    uint64_t *count;                 /* direct counts (fragments called exactly that taxon) */
    uint64_t *minimizers, *distinct; /* --report-minimizer-data: the taxon's own, aligned with taxid; else NULL */
} profile_t;

/* What makes a result reusable: the inputs (resolved paths, sizes, modification times in ns),
 * the database identity and every parameter that changes counts. */
typedef struct {
    uint64_t db_checksum;
    double confidence;
    uint32_t min_hit_groups;
    int min_base_quality;
    int minimizer_data; /* --report-minimizer-data: the kreport has more columns */
} run_params_t;

/* Fingerprint of a sample: XXH3-64 over the fields above, in a fixed, documented order.
 * A missing input file still fingerprints (with size/mtime 0), so it never matches a result. */
uint64_t profile_fingerprint(const sample_t *s, const run_params_t *p);

/* Path of a sample's file: OUTDIR/samples/<id><suffix> (suffix ".profile.tsv", ".kreport", ...).
 * Returns 0, or GB_E_USAGE when it does not fit in cap. */
int profile_path(char *buf, size_t cap, const char *outdir, const char *id, const char *suffix);

/* Write OUTDIR/samples/<id>.profile.tsv atomically (creating OUTDIR/samples if needed). */
int profile_write(const char *outdir, const profile_t *p) GB_MUST_CHECK;

/* Read it back. Returns 0, GB_E_IO when the file does not exist, GB_E_FORMAT (logged, naming
 * file and line) when it is damaged. Free with profile_free(). */
int profile_read(const char *outdir, const char *id, profile_t *p) GB_MUST_CHECK;
void profile_free(profile_t *p);

#endif
