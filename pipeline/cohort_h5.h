/* The cohort file: BIOM 2.1 HDF5 (observations = NCBI taxa, samples = sample ids, float64
 * direct counts, CSR and CSC views, observation metadata "taxonomy" = lineage list), plus
 * gutbrain's own datasets under /gutbrain/ (sample QC, run provenance and, with
 * --report-minimizer-data, each entry's minimizer counts).
 *
 * Written with parallel HDF5 (MPI-IO, collective transfers) by every rank of comm: each rank
 * passes the profiles of one contiguous block of samples in cohort order, and writes its part
 * of every dataset. Numeric datasets are chunked and compressed with deflate, so any HDF5 reader
 * opens every one of them, /gutbrain/ included, or with zstd (filter 32015) on request. The file
 * is written to "<path>.tmp.<pid>" and renamed by rank 0 after every rank finished. */
#ifndef GB_COHORT_H5_H
#define GB_COHORT_H5_H
#include <mpi.h>
#include <stddef.h>
#include <stdint.h>
#include "gb_status.h"
#include "profile.h"
#include "taxo.h"

typedef enum { COHORT_DEFLATE = 0, COHORT_ZSTD = 1 } cohort_compression_t;

typedef struct {
    const char *command_line; /* provenance: how the run was started */
    const char *version;      /* gutbrain version */
    uint64_t db_checksum;
    const char *db_path;
    double confidence;
    uint32_t min_hit_groups;
    int min_base_quality;
    const char *start_time, *end_time; /* ISO 8601 UTC */
    int ranks, threads;
    cohort_compression_t biom_compression;
    int minimizer_data; /* the profiles carry minimizer columns: write them under /gutbrain/ */
} cohort_meta_t;

/* Collective over comm. local[0..nlocal) are samples first .. first+nlocal-1 of total, in
 * cohort order (ranks' blocks tile [0, total) in rank order). taxo gives names and lineages
 * of the taxids in the profiles (a taxid absent from taxo is an error). Observations are the
 * union of taxids with a non-zero count, ascending. Returns 0 or GB_E_* (the same on every
 * rank). */
int cohort_write(MPI_Comm comm, const char *path, const taxo_t *taxo, const profile_t *local, size_t nlocal,
                 size_t first, size_t total, const cohort_meta_t *meta) GB_MUST_CHECK;

/* Register the zstd filter (id 32015) with the HDF5 library in this process (idempotent). */
int h5zstd_register(void) GB_MUST_CHECK;

#endif
