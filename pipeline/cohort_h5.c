/* The cohort file: BIOM 2.1 HDF5 written by every rank with parallel HDF5.
 *
 * Layout (BIOM 2.1 as Debian's python3-biom-format 2.1.12 writes and reads it):
 *   /  attributes  id "cohort", type "Taxon table", format-url "http://biom-format.org",
 *                  format-version int32[2] {2,1}, generated-by "gutbrain <version>",
 *                  creation-date (ISO 8601 UTC), shape int32[2] {observations, samples},
 *                  nnz int64
 *   /observation/ids                     vlen UTF-8 strings: NCBI taxids, ascending
 *   /observation/matrix/{data,indices,indptr}   CSR: float64 direct counts, int32 sample
 *                                        indices (ascending in a row), int32[nobs+1]
 *   /observation/metadata/taxonomy       vlen UTF-8 strings [nobs][7]: "d__Bacteria",
 *                                        "p__...", "c__", "o__", "f__", "g__", "s__" (the
 *                                        prefix alone when the lineage has no such rank)
 *   /observation/group-metadata          empty group
 *   /sample/ids                          vlen UTF-8 strings: sample ids, cohort order
 *   /sample/matrix/{data,indices,indptr} CSC: the same counts, int32 observation indices,
 *                                        int32[nsamples+1]
 *   /sample/metadata, /sample/group-metadata    empty groups
 *   /gutbrain/{reads,classified,unclassified,bases}   uint64[nsamples], aligned
 *                                        with /sample/ids, zstd (filter 32015, level 3)
 *   /gutbrain attributes                 format-version 1, version, command-line,
 *                                        db-checksum (16 hex digits), db-path, confidence,
 *                                        minimum-hit-groups, minimum-base-quality, ranks,
 *                                        threads, start-time, end-time, biom-compression
 * BIOM's numeric datasets are chunked (about 1 MiB), byte-shuffled and deflated (level 1) so
 * every BIOM reader opens them without plugins, or zstd-compressed on request. String
 * datasets are contiguous and uncompressed (HDF5 filters do not apply to them).
 *
 * creation-date is the only value that changes from run to run: GUTBRAIN_CREATION_DATE (used
 * verbatim) or SOURCE_DATE_EPOCH (seconds) fixes it. "Identical in content" means identical
 * datasets and other attributes; the bytes of two files also differ in layout (chunk and heap
 * placement depend on the number of ranks).
 *
 * How it is written (parallel HDF5 cannot write variable-length strings, so two phases):
 *   1. every rank opens "<path>.tmp.<pid of rank 0>" with MPI-IO and writes its part of the
 *      numeric datasets in collective transfers (filtered datasets require them; a rank with
 *      nothing to write still takes part with an empty selection);
 *   2. rank 0 reopens the file alone, adds the strings and attributes, and renames it.
 * Offsets: CSC entries of a rank follow those of lower ranks (MPI_Exscan of the rank's nnz);
 * in CSR row o, a rank's entries follow those of lower ranks (MPI_Exscan of per-observation
 * counts), which keeps each row sorted by sample since ranks hold consecutive sample blocks. */
#include "cohort_h5.h"
#include "gb_h5.h"
#include "gb_mpi.h"
#include "log.h"
#include <errno.h>
#include <fcntl.h>
#include <hdf5.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#ifndef COHORT_CHUNK_BYTES          /* overridable at compile time for benchmarks */
#define COHORT_CHUNK_BYTES ((size_t)1 << 20)
#endif
#ifndef COHORT_DEFLATE_LEVEL
#define COHORT_DEFLATE_LEVEL 1      /* level 4-6 saves under 10 % more, at 2-3x the time */
#endif
#define COHORT_ZSTD_LEVEL 3
#define COHORT_ZSTD_FILTER 32015
#define GUTBRAIN_GROUP_VERSION 1
enum { LINEAGE_LEVELS = 7 };

/* This rank's share of the cohort, and the global sizes every rank knows. */
typedef struct {
    int rank, nranks;
    uint64_t first, nlocal, total;    /* sample block */
    uint32_t *obs;                    /* global observation taxids, ascending */
    uint64_t nobs;
    uint64_t nnz_local, nnz;          /* local and global non-zero entries */
    uint64_t csc_offset;              /* global position of this rank's first CSC entry */
    int32_t *csc_indices;             /* [nnz_local] observation index, sample-major */
    double *csc_data;
    int32_t *csc_indptr;              /* [nlocal + 1] global CSC offsets of local samples */
    uint64_t *row_count;              /* [nobs] local entries per observation */
    uint64_t *row_before;             /* [nobs] entries of lower ranks per observation */
    int32_t *csr_indptr;              /* [nobs + 1] global CSR row offsets */
    int32_t *csr_indices;             /* [nnz_local] global sample index, row-major */
    double *csr_data;
} cohort_part_t;

static void part_free(cohort_part_t *p)
{
    free(p->obs);
    free(p->csc_indices);
    free(p->csc_data);
    free(p->csc_indptr);
    free(p->row_count);
    free(p->row_before);
    free(p->csr_indptr);
    free(p->csr_indices);
    free(p->csr_data);
    memset(p, 0, sizeof *p);
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* Sort and drop duplicates; returns the new length. */
static size_t sort_unique_u32(uint32_t *v, size_t n)
{
    if (n == 0) return 0;
    qsort(v, n, sizeof *v, cmp_u32);
    size_t m = 1;
    for (size_t i = 1; i < n; i++)
        if (v[i] != v[m - 1]) v[m++] = v[i];
    return m;
}

/* ---------------------------------------------------------------- checks on the input */

/* The ranks' blocks must tile [0, total) in rank order, as the header promises. */
static int check_blocks(MPI_Comm comm, cohort_part_t *p)
{
    uint64_t mine[3] = {p->first, p->nlocal, p->total};
    uint64_t *all = malloc(3 * (size_t)p->nranks * sizeof *all);
    int rc = all ? GB_OK : GB_E_NOMEM;
    rc = gb_mpi_agree(comm, rc);
    if (rc != GB_OK) goto fail;
    MPI_Allgather(mine, 3, MPI_UINT64_T, all, 3, MPI_UINT64_T, comm);
    uint64_t next = 0;
    for (int r = 0; r < p->nranks; r++) {
        if (all[3 * r] != next || all[3 * r + 2] != p->total) {
            if (p->rank == 0)
                gb_error("sample blocks do not tile the cohort: rank %d holds [%" PRIu64 ", +%" PRIu64
                         ") of %" PRIu64 ", expected to start at %" PRIu64,
                         r, all[3 * r], all[3 * r + 1], all[3 * r + 2], next);
            rc = GB_E_INTERNAL;
            break;
        }
        next += all[3 * r + 1];
    }
    if (rc == GB_OK && next != p->total) {
        if (p->rank == 0) gb_error("sample blocks cover %" PRIu64 " of %" PRIu64 " samples", next, p->total);
        rc = GB_E_INTERNAL;
    }
    /* BIOM's indices are int32 */
    if (rc == GB_OK && p->total > INT32_MAX) {
        if (p->rank == 0) gb_error("%" PRIu64 " samples exceed BIOM's int32 indices", p->total);
        rc = GB_E_USAGE;
    }
fail:
    free(all);
    return rc;
}

/* Profiles must list taxids in strictly ascending order (CSC rows then come out sorted). */
static int check_profiles(const profile_t *local, size_t nlocal)
{
    for (size_t s = 0; s < nlocal; s++) {
        const profile_t *pr = &local[s];
        if (pr->ntaxa > 0 && (!pr->taxid || !pr->count)) {
            gb_error("sample %s: profile without arrays", pr->id ? pr->id : "?");
            return GB_E_INTERNAL;
        }
        if (!pr->id) {
            gb_error("sample %zu of this rank has no id", s);
            return GB_E_INTERNAL;
        }
        if (pr->ntaxa > 0 && pr->taxid[0] == 0 && pr->count[0] > 0) {
            gb_error("sample %s: taxid 0 is not a taxon", pr->id);
            return GB_E_TAXONOMY;
        }
        for (size_t k = 1; k < pr->ntaxa; k++) {
            if (pr->taxid[k] <= pr->taxid[k - 1]) {
                gb_error("sample %s: taxids not ascending (%u after %u)", pr->id, pr->taxid[k],
                         pr->taxid[k - 1]);
                return GB_E_FORMAT;
            }
        }
    }
    return GB_OK;
}

/* Every observation needs a lineage. All ranks hold the same list; rank 0 reports. */
static int check_in_taxonomy(const taxo_t *taxo, const cohort_part_t *p)
{
    for (uint64_t o = 0; o < p->nobs; o++) {
        if (taxo_internal(taxo, p->obs[o]) == 0) {
            if (p->rank == 0) gb_error("taxid %u of the cohort is not in the database's taxonomy", p->obs[o]);
            return GB_E_TAXONOMY;
        }
    }
    return GB_OK;
}

/* ---------------------------------------------------------------- observations and offsets */

/* Insert a non-zero taxid into an open-addressing set of capacity 2^bits (0 = empty slot).
 * Returns 1 when it was new. */
static int taxid_set_insert(uint32_t *slot, int bits, uint32_t taxid)
{
    size_t mask = ((size_t)1 << bits) - 1;
    for (size_t h = (taxid * 0x9e3779b1u) >> (32 - bits);; h = (h + 1) & mask) {
        if (slot[h] == taxid) return 0;
        if (slot[h] == 0) {
            slot[h] = taxid;
            return 1;
        }
    }
}

/* Distinct taxids with a non-zero count in the local profiles, ascending (caller frees).
 * A hash set keeps this linear in the entries: sorting all of them took a fifth of the
 * write time at 10,000 samples. check_profiles() already refused taxid 0. */
static int local_taxids(const profile_t *local, size_t nlocal, uint32_t **out, size_t *nout)
{
    int bits = 10;
    size_t n = 0;
    uint32_t *slot = calloc((size_t)1 << bits, sizeof *slot);
    for (size_t s = 0; slot && s < nlocal; s++) {
        for (size_t k = 0; k < local[s].ntaxa; k++) {
            if (local[s].count[k] == 0) continue;
            if (2 * (n + 1) > ((size_t)1 << bits)) {   /* keep the load under one half */
                uint32_t *bigger = calloc((size_t)1 << (bits + 1), sizeof *bigger);
                for (size_t h = 0; bigger && h < ((size_t)1 << bits); h++)
                    if (slot[h]) taxid_set_insert(bigger, bits + 1, slot[h]);
                free(slot);
                slot = bigger;
                bits++;
                if (!slot) break;
            }
            n += (size_t)taxid_set_insert(slot, bits, local[s].taxid[k]);
        }
    }
    uint32_t *set = slot ? malloc((n ? n : 1) * sizeof *set) : NULL;
    if (!set) {
        gb_error("out of memory collecting taxids");
        free(slot);
        return GB_E_NOMEM;
    }
    size_t m = 0;
    for (size_t h = 0; h < ((size_t)1 << bits); h++)
        if (slot[h]) set[m++] = slot[h];
    free(slot);
    qsort(set, m, sizeof *set, cmp_u32);
    *out = set;
    *nout = m;
    return GB_OK;
}

/* The global observation set: union over ranks of the taxids with a non-zero count. */
static int gather_observations(MPI_Comm comm, const profile_t *local, size_t nlocal, cohort_part_t *p)
{
    size_t n = 0;
    uint32_t *mine = NULL;
    int *counts = malloc((size_t)p->nranks * sizeof *counts);
    int *displs = malloc((size_t)p->nranks * sizeof *displs);
    int rc = (counts && displs) ? GB_OK : GB_E_NOMEM;
    if (rc == GB_OK) rc = local_taxids(local, nlocal, &mine, &n);
    rc = gb_mpi_agree(comm, rc);
    if (rc != GB_OK) goto fail;
    int n_int = (int)n;   /* at most 2^32 distinct taxids, far below INT_MAX in practice */
    MPI_Allgather(&n_int, 1, MPI_INT, counts, 1, MPI_INT, comm);
    uint64_t sum = 0;
    for (int r = 0; r < p->nranks; r++) {
        displs[r] = (int)sum;
        sum += (uint64_t)counts[r];
    }
    if (sum > INT32_MAX) {   /* the same on every rank */
        if (p->rank == 0) gb_error("%" PRIu64 " taxids across ranks: too many to gather", sum);
        rc = GB_E_INTERNAL;
        goto fail;
    }
    p->obs = malloc((sum ? sum : 1) * sizeof *p->obs);
    rc = gb_mpi_agree(comm, p->obs ? GB_OK : GB_E_NOMEM);
    if (rc != GB_OK) goto fail;
    MPI_Allgatherv(mine, n_int, MPI_UINT32_T, p->obs, counts, displs, MPI_UINT32_T, comm);
    p->nobs = sort_unique_u32(p->obs, (size_t)sum);
fail:
    free(mine);
    free(counts);
    free(displs);
    return rc;
}

/* First index in obs[lo..n) not below taxid. Galloping from lo first: a profile's next taxid
 * is usually a few observations further on. */
static uint64_t obs_lower_bound(const uint32_t *obs, uint64_t lo, uint64_t n, uint32_t taxid)
{
    uint64_t step = 1, hi = n;
    while (lo + step < n && obs[lo + step] < taxid) {
        lo += step;
        step *= 2;
    }
    if (lo + step < n) hi = lo + step + 1;
    while (lo < hi) {
        uint64_t mid = lo + (hi - lo) / 2;
        if (obs[mid] < taxid) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

/* CSC entries of the local samples, in sample order; counts entries per observation.
 * csc_indptr holds local offsets here (made global once the rank's offset is known). */
static int build_csc(const profile_t *local, cohort_part_t *p)
{
    uint64_t nnz = 0;
    for (uint64_t s = 0; s < p->nlocal; s++)
        for (size_t k = 0; k < local[s].ntaxa; k++) nnz += local[s].count[k] > 0;
    p->nnz_local = nnz;
    if (nnz > INT32_MAX) {   /* BIOM's int32 indptr; checked before the int32 offsets below */
        gb_error("%" PRIu64 " non-zero counts on this rank exceed BIOM's int32 indptr", nnz);
        return GB_E_USAGE;
    }
    p->csc_indices = malloc((nnz ? nnz : 1) * sizeof *p->csc_indices);
    p->csc_data = malloc((nnz ? nnz : 1) * sizeof *p->csc_data);
    p->csc_indptr = malloc((p->nlocal + 1) * sizeof *p->csc_indptr);
    p->row_count = calloc(p->nobs ? p->nobs : 1, sizeof *p->row_count);
    if (!p->csc_indices || !p->csc_data || !p->csc_indptr || !p->row_count) {
        gb_error("out of memory for %" PRIu64 " counts", nnz);
        return GB_E_NOMEM;
    }
    uint64_t e = 0;
    for (uint64_t s = 0; s < p->nlocal; s++) {
        const profile_t *pr = &local[s];
        uint64_t o = 0;   /* taxids ascend, so each search starts where the last ended */
        p->csc_indptr[s] = (int32_t)e;
        for (size_t k = 0; k < pr->ntaxa; k++) {
            if (pr->count[k] == 0) continue;
            o = obs_lower_bound(p->obs, o, p->nobs, pr->taxid[k]);
            p->csc_indices[e] = (int32_t)o;
            p->csc_data[e] = (double)pr->count[k];
            p->row_count[o]++;
            e++;
        }
    }
    p->csc_indptr[p->nlocal] = (int32_t)e;
    return GB_OK;
}

/* CSR entries of the local samples: row-major, each row in sample order (a counting sort). */
static int build_csr(cohort_part_t *p)
{
    uint64_t nnz = p->nnz_local;
    uint64_t *cursor = malloc((p->nobs ? p->nobs : 1) * sizeof *cursor);
    p->csr_indices = malloc((nnz ? nnz : 1) * sizeof *p->csr_indices);
    p->csr_data = malloc((nnz ? nnz : 1) * sizeof *p->csr_data);
    if (!cursor || !p->csr_indices || !p->csr_data) {
        gb_error("out of memory for %" PRIu64 " counts", nnz);
        free(cursor);
        return GB_E_NOMEM;
    }
    uint64_t at = 0;
    for (uint64_t o = 0; o < p->nobs; o++) {
        cursor[o] = at;
        at += p->row_count[o];
    }
    for (uint64_t s = 0; s < p->nlocal; s++) {
        for (int32_t e = p->csc_indptr[s]; e < p->csc_indptr[s + 1]; e++) {
            uint64_t pos = cursor[p->csc_indices[e]]++;
            p->csr_indices[pos] = (int32_t)(p->first + s);
            p->csr_data[pos] = p->csc_data[e];
        }
    }
    free(cursor);
    return GB_OK;
}

/* Global offsets: where this rank's CSC block starts, where its share of each CSR row
 * starts, and the CSR row pointers (identical on every rank). */
static int exchange_offsets(MPI_Comm comm, cohort_part_t *p)
{
    int rc = GB_OK;
    uint64_t *row_total = malloc((p->nobs ? p->nobs : 1) * sizeof *row_total);
    p->row_before = calloc(p->nobs ? p->nobs : 1, sizeof *p->row_before);
    p->csr_indptr = malloc((p->nobs + 1) * sizeof *p->csr_indptr);
    rc = gb_mpi_agree(comm, (row_total && p->row_before && p->csr_indptr) ? GB_OK : GB_E_NOMEM);
    if (rc != GB_OK) goto fail;
    MPI_Exscan(&p->nnz_local, &p->csc_offset, 1, MPI_UINT64_T, MPI_SUM, comm);
    if (p->rank == 0) p->csc_offset = 0;   /* MPI_Exscan leaves rank 0's result undefined */
    MPI_Allreduce(&p->nnz_local, &p->nnz, 1, MPI_UINT64_T, MPI_SUM, comm);
    if (p->nnz > INT32_MAX) {
        if (p->rank == 0) gb_error("%" PRIu64 " non-zero counts exceed BIOM's int32 indptr", p->nnz);
        rc = GB_E_USAGE;
        goto fail;
    }
    int count = (int)p->nobs;
    MPI_Exscan(p->row_count, p->row_before, count, MPI_UINT64_T, MPI_SUM, comm);
    if (p->rank == 0) memset(p->row_before, 0, (p->nobs ? p->nobs : 1) * sizeof *p->row_before);
    MPI_Allreduce(p->row_count, row_total, count, MPI_UINT64_T, MPI_SUM, comm);
    p->csr_indptr[0] = 0;
    for (uint64_t o = 0; o < p->nobs; o++) p->csr_indptr[o + 1] = p->csr_indptr[o] + (int32_t)row_total[o];
    for (uint64_t s = 0; s <= p->nlocal; s++) p->csc_indptr[s] += (int32_t)p->csc_offset;
fail:
    free(row_total);
    return rc;
}

/* ---------------------------------------------------------------- HDF5 helpers */

/* Creation properties of a 1-D numeric dataset of n elements: chunks of about 1 MiB,
 * shuffled and compressed, never pre-filled (every element gets written). Empty datasets
 * stay contiguous (a chunk may not exceed a fixed extent of 0). */
static hid_t dataset_dcpl(hsize_t n, size_t elem_size, cohort_compression_t comp)
{
    hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    if (dcpl < 0) return -1;
    if (H5Pset_fill_time(dcpl, H5D_FILL_TIME_NEVER) < 0) goto fail;
    if (n == 0) return dcpl;
    hsize_t chunk = COHORT_CHUNK_BYTES / elem_size;
    if (chunk > n) chunk = n;
    if (H5Pset_chunk(dcpl, 1, &chunk) < 0) goto fail;
    if (H5Pset_shuffle(dcpl) < 0) goto fail;
    if (comp == COHORT_ZSTD) {
        const unsigned level = COHORT_ZSTD_LEVEL;
        if (H5Pset_filter(dcpl, COHORT_ZSTD_FILTER, H5Z_FLAG_MANDATORY, 1, &level) < 0) goto fail;
    } else if (H5Pset_deflate(dcpl, COHORT_DEFLATE_LEVEL) < 0) {
        goto fail;
    }
    return dcpl;
fail:
    H5Pclose(dcpl);
    return -1;
}

static hid_t create_dataset_1d(hid_t loc, const char *name, hid_t file_type, hsize_t n, cohort_compression_t comp)
{
    hid_t space = H5Screate_simple(1, &n, NULL);
    hid_t dcpl = dataset_dcpl(n, H5Tget_size(file_type), comp);
    hid_t dset = -1;
    char why[256] = "";
    if (space >= 0 && dcpl >= 0) dset = H5Dcreate2(loc, name, file_type, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    if (dset < 0) gb_h5_reason(why, sizeof why);
    if (space >= 0) H5Sclose(space);
    if (dcpl >= 0) H5Pclose(dcpl);
    if (dset < 0) gb_error("cannot create dataset %s: %s", name, why);
    return dset;
}

/* A run of consecutive dataset elements written from consecutive memory. */
typedef struct {
    hsize_t offset, count;
} run_t;

/* Select the union of runs in a 1-D dataspace (none when there are no runs). */
static herr_t select_runs(hid_t space, const run_t *runs, size_t nruns)
{
    if (nruns == 0) return H5Sselect_none(space);
    for (size_t i = 0; i < nruns; i++) {
        H5S_seloper_t op = i == 0 ? H5S_SELECT_SET : H5S_SELECT_OR;
        if (H5Sselect_hyperslab(space, op, &runs[i].offset, NULL, &runs[i].count, NULL) < 0) return -1;
    }
    return 0;
}

/* Create dataset `name` of n elements and write this rank's runs from buf, in one collective
 * transfer. Every rank calls it (with nruns = 0 when it has nothing to write). The ranks
 * agree before the transfer, so a local failure cannot leave the others waiting in it. */
static int write_dataset(MPI_Comm comm, hid_t loc, hid_t dxpl, const char *name, hid_t file_type,
                         hid_t mem_type, hsize_t n, cohort_compression_t comp, const run_t *runs,
                         size_t nruns, const void *buf)
{
    int rc = GB_OK;
    hid_t dset = -1, fspace = -1, mspace = -1;
    hsize_t nelem = 0, one = 1;
    for (size_t i = 0; i < nruns; i++) nelem += runs[i].count;
    dset = create_dataset_1d(loc, name, file_type, n, comp);
    if (dset < 0) rc = GB_E_IO;
    if (rc == GB_OK && n > 0) {
        fspace = H5Dget_space(dset);
        mspace = H5Screate_simple(1, nelem > 0 ? &nelem : &one, NULL);
        if (fspace < 0 || mspace < 0 || select_runs(fspace, runs, nruns) < 0 ||
            (nelem == 0 && H5Sselect_none(mspace) < 0)) {
            char why[256];
            gb_error("cannot select this rank's part of %s: %s", name, gb_h5_reason(why, sizeof why));
            rc = GB_E_IO;
        }
    }
    rc = gb_mpi_agree(comm, rc);
    if (rc == GB_OK && n > 0) {
        static const char dummy;   /* some HDF5 versions reject a NULL buffer, even when empty */
        GB_H5_CHECK(H5Dwrite(dset, mem_type, mspace, fspace, dxpl, nelem > 0 ? buf : &dummy));
    }
fail:
    if (mspace >= 0) H5Sclose(mspace);
    if (fspace >= 0) H5Sclose(fspace);
    if (dset >= 0 && H5Dclose(dset) < 0 && rc == GB_OK) rc = GB_E_IO;
    return gb_mpi_agree(comm, rc);
}

/* ---------------------------------------------------------------- phase 1: numbers, all ranks */

/* CSR runs of this rank: one per observation it has entries for, adjacent runs merged. */
static run_t *csr_runs(const cohort_part_t *p, size_t *nruns)
{
    run_t *runs = malloc((p->nobs ? p->nobs : 1) * sizeof *runs);
    size_t n = 0;
    if (!runs) return NULL;
    for (uint64_t o = 0; o < p->nobs; o++) {
        if (p->row_count[o] == 0) continue;
        hsize_t at = (hsize_t)p->csr_indptr[o] + p->row_before[o];
        if (n > 0 && runs[n - 1].offset + runs[n - 1].count == at) {
            runs[n - 1].count += p->row_count[o];
        } else {
            runs[n].offset = at;
            runs[n].count = p->row_count[o];
            n++;
        }
    }
    *nruns = n;
    return runs;
}

static int write_matrices(MPI_Comm comm, hid_t file, hid_t dxpl, const cohort_part_t *p,
                          cohort_compression_t comp)
{
    int rc = GB_OK;
    size_t ncsr = 0;
    run_t *csr = csr_runs(p, &ncsr);
    rc = gb_mpi_agree(comm, csr ? GB_OK : GB_E_NOMEM);
    if (rc != GB_OK) goto fail;
    /* CSC: one block per rank; rank 0 (whose block starts at sample 0) also writes indptr[0] */
    run_t csc = {p->csc_offset, p->nnz_local};
    run_t cptr = {p->rank == 0 ? 0 : p->first + 1, p->rank == 0 ? p->nlocal + 1 : p->nlocal};
    const int32_t *cptr_buf = p->rank == 0 ? p->csc_indptr : p->csc_indptr + 1;
    run_t rptr = {0, p->rank == 0 ? p->nobs + 1 : 0};   /* the same everywhere: rank 0 writes */
    size_t ncsc = p->nnz_local > 0;
    rc = write_dataset(comm, file, dxpl, "/sample/matrix/data", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, p->nnz,
                       comp, &csc, ncsc, p->csc_data);
    if (rc == GB_OK)
        rc = write_dataset(comm, file, dxpl, "/sample/matrix/indices", H5T_STD_I32LE, H5T_NATIVE_INT32,
                           p->nnz, comp, &csc, ncsc, p->csc_indices);
    if (rc == GB_OK)
        rc = write_dataset(comm, file, dxpl, "/sample/matrix/indptr", H5T_STD_I32LE, H5T_NATIVE_INT32,
                           p->total + 1, comp, &cptr, cptr.count > 0, cptr_buf);
    if (rc == GB_OK)
        rc = write_dataset(comm, file, dxpl, "/observation/matrix/data", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE,
                           p->nnz, comp, csr, ncsr, p->csr_data);
    if (rc == GB_OK)
        rc = write_dataset(comm, file, dxpl, "/observation/matrix/indices", H5T_STD_I32LE, H5T_NATIVE_INT32,
                           p->nnz, comp, csr, ncsr, p->csr_indices);
    if (rc == GB_OK)
        rc = write_dataset(comm, file, dxpl, "/observation/matrix/indptr", H5T_STD_I32LE, H5T_NATIVE_INT32,
                           p->nobs + 1, comp, &rptr, rptr.count > 0, p->csr_indptr);
fail:
    free(csr);
    return rc;
}

/* The per-sample QC columns under /gutbrain/, zstd-compressed. */
static int write_qc(MPI_Comm comm, hid_t file, hid_t dxpl, const profile_t *local, const cohort_part_t *p)
{
    static const char *const names[] = {"/gutbrain/reads", "/gutbrain/classified", "/gutbrain/unclassified",
                                        "/gutbrain/bases"};
    enum { NQC = sizeof names / sizeof names[0] };
    uint64_t *col = malloc((p->nlocal ? p->nlocal : 1) * sizeof *col);
    int rc = gb_mpi_agree(comm, col ? GB_OK : GB_E_NOMEM);
    run_t mine = {p->first, p->nlocal};
    for (int q = 0; q < NQC && rc == GB_OK; q++) {
        for (uint64_t s = 0; s < p->nlocal; s++) {
            const profile_t *pr = &local[s];
            const uint64_t values[NQC] = {pr->reads, pr->classified, pr->unclassified, pr->bases};
            col[s] = values[q];
        }
        rc = write_dataset(comm, file, dxpl, names[q], H5T_STD_U64LE, H5T_NATIVE_UINT64, p->total, COHORT_ZSTD,
                           &mine, p->nlocal > 0, col);
    }
    free(col);
    return rc;
}

static int create_groups(hid_t file)
{
    static const char *const groups[] = {
        "/observation", "/observation/matrix", "/observation/metadata", "/observation/group-metadata",
        "/sample",      "/sample/matrix",      "/sample/metadata",      "/sample/group-metadata",
        "/gutbrain",
    };
    for (size_t i = 0; i < sizeof groups / sizeof groups[0]; i++) {
        hid_t g = H5Gcreate2(file, groups[i], H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
        if (g < 0) {
            char why[256];
            gb_error("cannot create group %s: %s", groups[i], gb_h5_reason(why, sizeof why));
            return GB_E_IO;
        }
        H5Gclose(g);
    }
    return GB_OK;
}

/* Phase 1: every rank writes its part of the numeric datasets into tmp. */
static int write_numbers(MPI_Comm comm, const char *tmp, const profile_t *local, const cohort_part_t *p,
                         cohort_compression_t comp)
{
    int rc = GB_OK;
    hid_t fapl = -1, file = -1, dxpl = -1;
    GB_H5_CHECK(fapl = H5Pcreate(H5P_FILE_ACCESS));
    GB_H5_CHECK(H5Pset_fapl_mpio(fapl, comm, MPI_INFO_NULL));
    /* metadata is identical on all ranks: let one rank read and write it for everybody */
    GB_H5_CHECK(H5Pset_all_coll_metadata_ops(fapl, 1));
    GB_H5_CHECK(H5Pset_coll_metadata_write(fapl, 1));
    GB_H5_CHECK(dxpl = H5Pcreate(H5P_DATASET_XFER));
    GB_H5_CHECK(H5Pset_dxpl_mpio(dxpl, H5FD_MPIO_COLLECTIVE));
fail:
    rc = gb_mpi_agree(comm, rc);
    if (rc == GB_OK) {
        char why[256];
        file = H5Fcreate(tmp, H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
        if (file < 0) gb_error("cannot create %s: %s", tmp, gb_h5_reason(why, sizeof why));
        rc = gb_mpi_agree(comm, file < 0 ? GB_E_IO : GB_OK);
    }
    if (rc == GB_OK) rc = gb_mpi_agree(comm, create_groups(file));
    if (rc == GB_OK) rc = write_matrices(comm, file, dxpl, p, comp);
    if (rc == GB_OK) rc = write_qc(comm, file, dxpl, local, p);
    if (file >= 0 && H5Fclose(file) < 0) {
        char why[256];
        gb_error("cannot close %s: %s", tmp, gb_h5_reason(why, sizeof why));
        if (rc == GB_OK) rc = GB_E_IO;
    }
    if (dxpl >= 0) H5Pclose(dxpl);
    if (fapl >= 0) H5Pclose(fapl);
    return gb_mpi_agree(comm, rc);
}

/* ---------------------------------------------------------------- phase 2: strings, rank 0 */

/* Sample ids of all ranks on rank 0: one buffer of NUL-terminated ids in cohort order
 * (*ids_out, caller frees). Collective. */
static int gather_sample_ids(MPI_Comm comm, const profile_t *local, const cohort_part_t *p, char **ids_out)
{
    int rc = GB_OK;
    size_t len = 0;
    for (uint64_t s = 0; s < p->nlocal; s++) len += strlen(local[s].id) + 1;
    char *mine = malloc(len ? len : 1), *all = NULL;
    int *counts = NULL, *displs = NULL;
    if (p->rank == 0) {
        counts = malloc((size_t)p->nranks * sizeof *counts);
        displs = malloc((size_t)p->nranks * sizeof *displs);
    }
    int ok = mine && (p->rank != 0 || (counts && displs));
    rc = gb_mpi_agree(comm, ok ? (len > INT32_MAX ? GB_E_USAGE : GB_OK) : GB_E_NOMEM);
    if (rc != GB_OK) goto fail;
    len = 0;
    for (uint64_t s = 0; s < p->nlocal; s++) {
        size_t n = strlen(local[s].id) + 1;
        memcpy(mine + len, local[s].id, n);
        len += n;
    }
    int len_int = (int)len;
    MPI_Gather(&len_int, 1, MPI_INT, counts, 1, MPI_INT, 0, comm);
    if (p->rank == 0) {
        uint64_t sum = 0;
        for (int r = 0; r < p->nranks; r++) {
            displs[r] = (int)sum;
            sum += (uint64_t)counts[r];
        }
        all = sum <= INT32_MAX ? malloc(sum ? sum : 1) : NULL;
        if (!all) rc = sum <= INT32_MAX ? GB_E_NOMEM : GB_E_USAGE;
    }
    rc = gb_mpi_agree(comm, rc);
    if (rc != GB_OK) goto fail;
    MPI_Gatherv(mine, len_int, MPI_CHAR, all, counts, displs, MPI_CHAR, 0, comm);
    *ids_out = all;
    all = NULL;
fail:
    free(mine);
    free(all);
    free(counts);
    free(displs);
    return rc;
}

/* Index 0..6 of a rank in the lineage, -1 for ranks outside it. "domain" is NCBI's 2025
 * name for superkingdom, "acellular root" the top of the viruses since then. */
static int lineage_level(const char *rank)
{
    static const struct { const char *rank; int level; } table[] = {
        {"superkingdom", 0}, {"domain", 0}, {"acellular root", 0}, {"phylum", 1}, {"class", 2},
        {"order", 3}, {"family", 4}, {"genus", 5}, {"species", 6},
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        if (strcmp(rank, table[i].rank) == 0) return table[i].level;
    return -1;
}

/* Lineage strings of every observation, row-major [nobs][7], pointing into *blob
 * (both caller-freed). The nearest ancestor of a rank wins if a path repeats one. */
static int build_taxonomy(const taxo_t *taxo, const cohort_part_t *p, const char ***rows_out, char **blob_out)
{
    static const char *const prefix[LINEAGE_LEVELS] = {"d__", "p__", "c__", "o__", "f__", "g__", "s__"};
    size_t cells = (size_t)p->nobs * LINEAGE_LEVELS;
    uint32_t *node = calloc(cells ? cells : 1, sizeof *node);   /* internal id per cell, 0 = none */
    const char **rows = malloc((cells ? cells : 1) * sizeof *rows);
    char *blob = NULL;
    if (!node || !rows) goto nomem;
    size_t bytes = 0;
    for (uint64_t o = 0; o < p->nobs; o++) {
        uint32_t id = taxo_internal(taxo, p->obs[o]);
        for (uint32_t steps = 0; id != 0 && steps < taxo->n; steps++, id = taxo->parent[id]) {
            int level = lineage_level(taxo_rank(taxo, id));
            if (level >= 0 && node[o * LINEAGE_LEVELS + level] == 0) node[o * LINEAGE_LEVELS + level] = id;
        }
        for (int l = 0; l < LINEAGE_LEVELS; l++) {
            uint32_t n = node[o * LINEAGE_LEVELS + l];
            bytes += strlen(prefix[l]) + (n ? strlen(taxo_name(taxo, n)) : 0) + 1;
        }
    }
    blob = malloc(bytes ? bytes : 1);
    if (!blob) goto nomem;
    char *at = blob;
    for (size_t c = 0; c < cells; c++) {
        rows[c] = at;
        at += sprintf(at, "%s%s", prefix[c % LINEAGE_LEVELS], node[c] ? taxo_name(taxo, node[c]) : "") + 1;
    }
    free(node);
    *rows_out = rows;
    *blob_out = blob;
    return GB_OK;
nomem:
    gb_error("out of memory building %" PRIu64 " lineages", p->nobs);
    free(node);
    free(rows);
    free(blob);
    return GB_E_NOMEM;
}

/* ISO 8601 UTC creation date; GUTBRAIN_CREATION_DATE or SOURCE_DATE_EPOCH fix it. */
static void creation_date(char *buf, size_t cap)
{
    const char *fixed = getenv("GUTBRAIN_CREATION_DATE");
    if (fixed && *fixed) {
        snprintf(buf, cap, "%s", fixed);
        return;
    }
    time_t now = time(NULL);
    const char *epoch = getenv("SOURCE_DATE_EPOCH");
    if (epoch && *epoch) {
        char *end;
        long long v = strtoll(epoch, &end, 10);
        if (*end == '\0' && v >= 0) now = (time_t)v;
    }
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(buf, cap, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static int write_root_attributes(hid_t file, const cohort_part_t *p, const cohort_meta_t *meta)
{
    char date[64], generated_by[256];
    const int32_t version[2] = {2, 1};
    const int32_t shape[2] = {(int32_t)p->nobs, (int32_t)p->total};
    const int64_t nnz = (int64_t)p->nnz;
    creation_date(date, sizeof date);
    snprintf(generated_by, sizeof generated_by, "gutbrain %s", meta->version ? meta->version : "");
    int rc = gb_h5_attr_string(file, "id", "cohort");
    if (rc == GB_OK) rc = gb_h5_attr_string(file, "type", "Taxon table");
    if (rc == GB_OK) rc = gb_h5_attr_string(file, "format-url", "http://biom-format.org");
    if (rc == GB_OK) rc = gb_h5_attr_numeric(file, "format-version", H5T_STD_I32LE, H5T_NATIVE_INT32, 2, version);
    if (rc == GB_OK) rc = gb_h5_attr_string(file, "generated-by", generated_by);
    if (rc == GB_OK) rc = gb_h5_attr_string(file, "creation-date", date);
    if (rc == GB_OK) rc = gb_h5_attr_numeric(file, "shape", H5T_STD_I32LE, H5T_NATIVE_INT32, 2, shape);
    if (rc == GB_OK) rc = gb_h5_attr_numeric(file, "nnz", H5T_STD_I64LE, H5T_NATIVE_INT64, 0, &nnz);
    return rc;
}

/* Run provenance as attributes of /gutbrain. */
static int write_provenance(hid_t file, const cohort_meta_t *meta)
{
    int rc = GB_OK;
    hid_t g = -1;
    char checksum[17];
    const int32_t format = GUTBRAIN_GROUP_VERSION, ranks = meta->ranks, threads = meta->threads;
    const int32_t min_quality = meta->min_base_quality;
    const uint32_t min_hits = meta->min_hit_groups;
    snprintf(checksum, sizeof checksum, "%016" PRIx64, meta->db_checksum);
    GB_H5_CHECK(g = H5Gopen2(file, "/gutbrain", H5P_DEFAULT));
    rc = gb_h5_attr_numeric(g, "format-version", H5T_STD_I32LE, H5T_NATIVE_INT32, 0, &format);
    if (rc == GB_OK) rc = gb_h5_attr_string(g, "version", meta->version);
    if (rc == GB_OK) rc = gb_h5_attr_string(g, "command-line", meta->command_line);
    if (rc == GB_OK) rc = gb_h5_attr_string(g, "db-checksum", checksum);
    if (rc == GB_OK) rc = gb_h5_attr_string(g, "db-path", meta->db_path);
    if (rc == GB_OK) rc = gb_h5_attr_numeric(g, "confidence", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 0, &meta->confidence);
    if (rc == GB_OK)
        rc = gb_h5_attr_numeric(g, "minimum-hit-groups", H5T_STD_U32LE, H5T_NATIVE_UINT32, 0, &min_hits);
    if (rc == GB_OK)
        rc = gb_h5_attr_numeric(g, "minimum-base-quality", H5T_STD_I32LE, H5T_NATIVE_INT32, 0, &min_quality);
    if (rc == GB_OK) rc = gb_h5_attr_numeric(g, "ranks", H5T_STD_I32LE, H5T_NATIVE_INT32, 0, &ranks);
    if (rc == GB_OK) rc = gb_h5_attr_numeric(g, "threads", H5T_STD_I32LE, H5T_NATIVE_INT32, 0, &threads);
    if (rc == GB_OK) rc = gb_h5_attr_string(g, "start-time", meta->start_time);
    if (rc == GB_OK) rc = gb_h5_attr_string(g, "end-time", meta->end_time);
    if (rc == GB_OK)
        rc = gb_h5_attr_string(g, "biom-compression", meta->biom_compression == COHORT_ZSTD ? "zstd" : "deflate");
fail:
    if (g >= 0) H5Gclose(g);
    return rc;
}

/* Observation ids: decimal taxids, in one blob (caller frees both). */
static int format_observation_ids(const cohort_part_t *p, const char ***ids_out, char **blob_out)
{
    const char **ids = malloc((p->nobs ? p->nobs : 1) * sizeof *ids);
    char *blob = malloc((p->nobs ? p->nobs : 1) * 11);   /* up to 10 digits + NUL */
    if (!ids || !blob) {
        free(ids);
        free(blob);
        return GB_E_NOMEM;
    }
    char *at = blob;
    for (uint64_t o = 0; o < p->nobs; o++) {
        ids[o] = at;
        at += sprintf(at, "%u", p->obs[o]) + 1;
    }
    *ids_out = ids;
    *blob_out = blob;
    return GB_OK;
}

static int cmp_str_ptr(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* BIOM ids must be unique (biom.load_table refuses duplicates): a sorted copy shows them. */
static int check_unique_ids(const char **ids, uint64_t n)
{
    const char **sorted = malloc((n ? n : 1) * sizeof *sorted);
    if (!sorted) return GB_E_NOMEM;
    memcpy(sorted, ids, n * sizeof *sorted);
    qsort(sorted, n, sizeof *sorted, cmp_str_ptr);
    int rc = GB_OK;
    for (uint64_t i = 1; i < n && rc == GB_OK; i++) {
        if (strcmp(sorted[i], sorted[i - 1]) == 0) {
            gb_error("sample id %s appears twice in the cohort", sorted[i]);
            rc = GB_E_USAGE;
        }
    }
    free(sorted);
    return rc;
}

/* Flush the finished file to disk before it gets its final name, so a crash right after
 * the rename cannot leave a cohort file with missing pages. */
static int sync_file(const char *path)
{
    int fd = open(path, O_RDONLY);
    int rc = (fd >= 0 && fsync(fd) == 0) ? GB_OK : GB_E_IO;
    if (rc != GB_OK) gb_error("cannot flush %s: %s", path, strerror(errno));
    if (fd >= 0) close(fd);
    return rc;
}

/* Phase 2 (rank 0 alone, serial HDF5): ids, taxonomy and attributes. sample_blob holds the
 * NUL-separated sample ids in cohort order. */
static int write_labels(const char *tmp, const taxo_t *taxo, const cohort_part_t *p, const char *sample_blob,
                        const cohort_meta_t *meta)
{
    int rc = GB_OK;
    hid_t file = -1;
    const char **sample_ids = malloc((p->total ? p->total : 1) * sizeof *sample_ids);
    const char **obs_ids = NULL, **lineage = NULL;
    char *obs_blob = NULL, *lineage_blob = NULL;
    if (!sample_ids) {
        rc = GB_E_NOMEM;
        goto fail;
    }
    const char *at = sample_blob;
    for (uint64_t s = 0; s < p->total; s++, at += strlen(at) + 1) sample_ids[s] = at;
    rc = check_unique_ids(sample_ids, p->total);
    if (rc == GB_OK) rc = format_observation_ids(p, &obs_ids, &obs_blob);
    if (rc == GB_OK) rc = build_taxonomy(taxo, p, &lineage, &lineage_blob);
    if (rc != GB_OK) goto fail;
    file = H5Fopen(tmp, H5F_ACC_RDWR, H5P_DEFAULT);
    if (file < 0) {
        char why[256];
        gb_error("cannot reopen %s: %s", tmp, gb_h5_reason(why, sizeof why));
        rc = GB_E_IO;
        goto fail;
    }
    rc = write_root_attributes(file, p, meta);
    if (rc == GB_OK) rc = gb_h5_write_strings(file, "/observation/ids", obs_ids, p->nobs, 0);
    if (rc == GB_OK) rc = gb_h5_write_strings(file, "/sample/ids", sample_ids, p->total, 0);
    if (rc == GB_OK) rc = gb_h5_write_strings(file, "/observation/metadata/taxonomy", lineage, p->nobs, LINEAGE_LEVELS);
    if (rc == GB_OK) rc = write_provenance(file, meta);
fail:
    if (file >= 0 && H5Fclose(file) < 0 && rc == GB_OK) rc = GB_E_IO;
    if (rc == GB_OK) rc = sync_file(tmp);
    free(sample_ids);
    free(obs_ids);
    free(obs_blob);
    free(lineage);
    free(lineage_blob);
    return rc;
}

/* ---------------------------------------------------------------- the entry point */

/* "<path>.tmp.<pid of rank 0>", the same name on every rank. */
static int temp_path(MPI_Comm comm, int rank, const char *path, char **out)
{
    long pid = rank == 0 ? (long)getpid() : 0;
    if (MPI_Bcast(&pid, 1, MPI_LONG, 0, comm) != MPI_SUCCESS) return GB_E_INTERNAL;
    int rc = asprintf(out, "%s.tmp.%ld", path, pid) < 0 ? GB_E_NOMEM : GB_OK;
    if (rc != GB_OK) *out = NULL;
    return gb_mpi_agree(comm, rc);
}

/* Local input checks, the observation set and every offset: no file touched yet. */
static int prepare(MPI_Comm comm, const taxo_t *taxo, const profile_t *local, cohort_part_t *p)
{
    int rc = check_blocks(comm, p);
    if (rc == GB_OK) rc = gb_mpi_agree(comm, check_profiles(local, p->nlocal));
    if (rc == GB_OK) rc = gather_observations(comm, local, p->nlocal, p);
    if (rc == GB_OK) rc = check_in_taxonomy(taxo, p);   /* same list, same answer everywhere */
    if (rc == GB_OK) rc = gb_mpi_agree(comm, build_csc(local, p));
    if (rc == GB_OK) rc = gb_mpi_agree(comm, build_csr(p));
    if (rc == GB_OK) rc = exchange_offsets(comm, p);
    return rc;
}

int cohort_write(MPI_Comm comm, const char *path, const taxo_t *taxo, const profile_t *local, size_t nlocal,
                 size_t first, size_t total, const cohort_meta_t *meta)
{
    cohort_part_t p;
    memset(&p, 0, sizeof p);
    char *tmp = NULL, *sample_blob = NULL;
    int rc = GB_OK;
    if (MPI_Comm_rank(comm, &p.rank) != MPI_SUCCESS || MPI_Comm_size(comm, &p.nranks) != MPI_SUCCESS)
        return GB_E_INTERNAL;
    p.first = first;
    p.nlocal = nlocal;
    p.total = total;
    H5E_auto2_t old_print;
    void *old_print_data;
    H5Eget_auto2(H5E_DEFAULT, &old_print, &old_print_data);
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);   /* failures are logged by GB_H5_CHECK, one line each */
    if (!path || !taxo || !meta || (nlocal > 0 && !local)) rc = GB_E_USAGE;
    if (rc == GB_OK) rc = h5zstd_register();
    rc = gb_mpi_agree(comm, rc);
    double t0 = MPI_Wtime(), t1 = t0, t2 = t0;
    if (rc == GB_OK) rc = prepare(comm, taxo, local, &p);
    if (rc == GB_OK) rc = temp_path(comm, p.rank, path, &tmp);
    t1 = MPI_Wtime();
    if (rc == GB_OK) rc = write_numbers(comm, tmp, local, &p, meta->biom_compression);
    t2 = MPI_Wtime();
    if (rc == GB_OK) rc = gather_sample_ids(comm, local, &p, &sample_blob);
    if (rc == GB_OK && p.rank == 0) {
        rc = write_labels(tmp, taxo, &p, sample_blob, meta);
        if (rc == GB_OK && rename(tmp, path) != 0) {
            gb_error("cannot rename %s to %s: %s", tmp, path, strerror(errno));
            rc = GB_E_IO;
        }
        gb_debug("%" PRIu64 " x %" PRIu64 ", nnz %" PRIu64 ": offsets %.3f s, numbers %.3f s, labels %.3f s",
                 p.nobs, p.total, p.nnz, t1 - t0, t2 - t1, MPI_Wtime() - t2);
    }
    /* rank 0 alone knows how phase 2 went; tell the others */
    if (MPI_Bcast(&rc, 1, MPI_INT, 0, comm) != MPI_SUCCESS) rc = GB_E_INTERNAL;
    if (rc != GB_OK && tmp && p.rank == 0) unlink(tmp);
    if (rc != GB_OK && p.rank == 0) gb_error("cohort file %s not written: %s", path, gb_strerror(rc));
    H5Eset_auto2(H5E_DEFAULT, old_print, old_print_data);
    free(tmp);
    free(sample_blob);
    part_free(&p);
    return rc;
}
