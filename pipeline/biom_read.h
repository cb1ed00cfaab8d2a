/* Read any BIOM 2.1 HDF5 file into memory: gutbrain's cohort file (pipeline/cohort_h5.c) or
 * one written by python biom-format (`biom convert ... --to-hdf5`, Table.to_hdf5).
 *
 * What is read:
 *   - root attributes format-version (must be {2, 1}), shape (checked when present),
 *     generated-by (kept for provenance when present), and from gutbrain's cohort files the
 *     run's db-path and command-line (attributes of /gutbrain);
 *   - /observation/ids and /sample/ids (variable- or fixed-length strings; unique);
 *   - the counts, from /sample/matrix (CSC, preferred: one sample per pointer run) or else
 *     /observation/matrix (CSR), any integer or float storage type, converted to double;
 *   - /observation/metadata/taxonomy when present: a 2-D string dataset [features][levels]
 *     (ours: 7 levels "d__..", "p__..", ..., "s__.."; biom-format: the lineage list, padded
 *     with "") or a 1-D one holding "k__A; p__B; ..." strings (split on ';' or '|');
 *   - gutbrain's sample QC /gutbrain/{reads,classified,unclassified,bases} when present.
 * Sample metadata and group metadata inside the BIOM file are ignored (metadata comes from the
 * TSV, pipeline/metadata.h).
 *
 * Memory: the whole table is dense, nsamples x nfeatures doubles (20,000 samples x 1,000
 * features = 160 MB), plus the ids; the sparse datasets are streamed in blocks of 2^20 entries
 * (about 16 MB of buffers), never held whole.
 *
 * Serial HDF5 (the default file access list; the library may be the parallel build). Not
 * thread-safe: HDF5's automatic error printing is switched off during the call. The zstd
 * filter (32015) is registered first, so zstd-compressed cohort files read. */
#ifndef GB_BIOM_READ_H
#define GB_BIOM_READ_H
#include <stddef.h>
#include <stdint.h>
#include "gb_status.h"

typedef struct {
    char *path;          /* the file read (for messages) */
    char *generated_by;  /* root attribute "generated-by", "" when absent */
    char *creation_date; /* root attribute "creation-date", "" when absent */
    /* gutbrain cohort files: /gutbrain attributes db-path and command-line, "" when absent
     * (NULL only when allocation failed) */
    char *run_db_path, *run_command_line;
    size_t nsamples, nfeatures;
    char **sample_ids;  /* [nsamples], file order */
    char **feature_ids; /* [nfeatures] observation ids, file order */
    /* Dense counts, row-major samples x features: counts[s * nfeatures + f]. Finite and >= 0
     * (relative abundances are fine); entries listed twice in the sparse data are summed. */
    double *counts;
    /* Optional lineages, row-major [nfeatures][lineage_width], NULL when the file has no
     * taxonomy metadata. Each cell is trimmed of surrounding white space; "" pads short
     * lineages. Cells are "<prefix>__<name>" in the usual formats, but are kept as written. */
    size_t lineage_width;
    char **lineage;
    /* Optional QC (gutbrain cohort files): [nsamples] each, NULL when has_qc is 0. */
    int has_qc;
    uint64_t *reads, *classified, *unclassified, *bases;
    /* private: the strings live in these blobs */
    char *sample_blob, *feature_blob, *lineage_blob;
} biom_table_t;

/* Read path into *out (zeroed first; free with biom_table_free()). Returns 0 or
 * GB_E_IO     the file cannot be opened;
 * GB_E_FORMAT not HDF5 (a JSON BIOM 1.0 file is named as such), not BIOM 2.1 (a missing group,
 *             dataset or attribute, another format-version), inconsistent shapes (ids vs shape
 *             vs pointers, indices out of range), negative or non-finite values, duplicate ids;
 * GB_E_NOMEM  the dense matrix does not fit.
 * Every failure is logged as one line naming the file and what is wrong. On failure *out holds
 * nothing (freeing it is still allowed). */
int biom_read(const char *path, biom_table_t *out) GB_MUST_CHECK;

/* Free everything biom_read() allocated; NULL or a zeroed table is a no-op. */
void biom_table_free(biom_table_t *t);

/* Index of a sample id, or -1 (linear scan: for a handful of look-ups). */
long biom_sample_index(const biom_table_t *t, const char *id);

/* BIOM ids must be unique (biom-format refuses duplicates): *dup = the first id in byte order
 * that appears more than once among ids[0..n), NULL when they all differ. Used by this reader
 * and by the cohort writer (cohort_h5.c), which word the error each their own way. Returns
 * GB_OK or GB_E_NOMEM. */
int biom_duplicate_id(const char *const *ids, size_t n, const char **dup) GB_MUST_CHECK;

#endif
