/* The cohort's sparse layout, internal to the cohort writer: included by cohort_h5.c and
 * cohort_layout.c only (the public API is cohort_write() in cohort_h5.h).
 *
 * cohort_layout.c turns the profiles of this rank's block of samples into its share of BIOM's
 * two sparse views (CSC under /sample/matrix, CSR under /observation/matrix) and exchanges
 * over MPI what every rank must know to write its share in place: the observation set, the
 * global entry counts and this rank's offsets. cohort_h5.c then writes it with HDF5; no file
 * is touched here. */
#ifndef GB_COHORT_LAYOUT_H
#define GB_COHORT_LAYOUT_H
#include <mpi.h>
#include <stddef.h>
#include <stdint.h>
#include "gb_status.h"
#include "profile.h"
#include "taxo.h"

/* This rank's share of the cohort, and the global sizes every rank knows. */
typedef struct {
    int rank, nranks;
    uint64_t first, nlocal, total; /* sample block */
    uint32_t *obs;                 /* global observation taxids, ascending */
    uint64_t nobs;
    uint64_t nnz_local, nnz; /* local and global non-zero entries */
    uint64_t csc_offset;     /* global position of this rank's first CSC entry */
    int32_t *csc_indices;    /* [nnz_local] observation index, sample-major */
    double *csc_data;
    int32_t *csc_indptr;  /* [nlocal + 1] global CSC offsets of local samples */
    uint64_t *row_count;  /* [nobs] local entries per observation */
    uint64_t *row_before; /* [nobs] entries of lower ranks per observation */
    int32_t *csr_indptr;  /* [nobs + 1] global CSR row offsets */
    int32_t *csr_indices; /* [nnz_local] global sample index, row-major */
    double *csr_data;
} cohort_layout_t;

/* Collective over comm. local[0..nlocal) are samples first .. first+nlocal-1 of total (the
 * arguments of cohort_write()). Checks the input (the ranks' blocks tile the cohort, taxids
 * ascend in each profile, every observation is in taxo, the sizes fit BIOM's int32 indices),
 * gathers the observation set and fills *layout (zeroed first) with this rank's CSC and CSR entries
 * and their global offsets. Returns GB_OK or GB_E_* (logged; the same on every rank). Free *layout
 * with cohort_layout_free() whatever the result. */
int cohort_layout_build(MPI_Comm comm, const taxo_t *taxo, const profile_t *local, size_t nlocal, size_t first,
                        size_t total, cohort_layout_t *layout) GB_MUST_CHECK;

/* Free the arrays of layout and zero it (a zeroed layout is fine). */
void cohort_layout_free(cohort_layout_t *layout);

/* Collective over comm: the sample ids of all ranks on rank 0, as one buffer of NUL-terminated
 * ids in cohort order (*ids_out, caller frees; NULL on the other ranks). Returns GB_OK or
 * GB_E_* (the same on every rank). */
int cohort_layout_gather_sample_ids(MPI_Comm comm, const profile_t *local, const cohort_layout_t *layout,
                                    char **ids_out) GB_MUST_CHECK;

#endif
