/* The cohort file: BIOM 2.1 HDF5 written by every rank with parallel HDF5.
 *
 * Split in two by dependency: this file is the HDF5 side (datasets, collective writes, BIOM
 * and provenance attributes, labels, the temporary file and its rename); cohort_layout.c
 * decides what each rank writes where (the sparse views and their MPI exchange of offsets)
 * without touching HDF5.
 *
 * File contents (BIOM 2.1 as Debian's python3-biom-format 2.1.12 writes and reads it):
 *   /  attributes  id "cohort", type "Taxon table", format-url "http://biom-format.org",
 *                  format-version int32[2] {2,1}, generated-by "gutbrain <version>",
 *                  creation-date (ISO 8601, UTC, without a zone suffix: see creation_date),
 *                  shape int32[2] {observations, samples},
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
 *                                        with /sample/ids
 *   /gutbrain/{minimizers,distinct_minimizers}   only with --report-minimizer-data:
 *                                        uint64[nnz] aligned with /sample/matrix/data (CSC),
 *                                        the taxon's own minimizer events and distinct
 *                                        minimizers in that sample
 *   /gutbrain attributes                 format-version 1, version, command-line,
 *                                        db-checksum (16 hex digits), db-path, confidence,
 *                                        minimum-hit-groups, minimum-base-quality, ranks,
 *                                        threads, start-time, end-time, biom-compression
 * Every numeric dataset, /gutbrain/ included, is chunked (about 1 MiB), byte-shuffled and
 * deflated (level 1), so every reader opens the whole file without plugins (R's read_biom
 * reads every dataset, and Debian's rhdf5filters has no zstd), or zstd-compressed (filter
 * 32015, level 3) on request. String
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
 *   2. rank 0 reopens the file alone, adds the strings and attributes, and renames it. */
#include "cohort_h5.h"
#include "biom_read.h"
#include "cohort_layout.h"
#include "fileio.h"
#include "gb_h5.h"
#include "gb_mpi.h"
#include "log.h"
#include "strbuf.h"
#include <errno.h>
#include <fcntl.h>
#include <hdf5.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#ifndef COHORT_CHUNK_BYTES /* overridable at compile time for benchmarks */
#define COHORT_CHUNK_BYTES ((size_t)1 << 20)
#endif
#ifndef COHORT_DEFLATE_LEVEL
#define COHORT_DEFLATE_LEVEL 1 /* level 4-6 saves under 10 % more, at 2-3x the time */
#endif
#define COHORT_ZSTD_LEVEL      3
#define COHORT_ZSTD_FILTER     32015
#define GUTBRAIN_GROUP_VERSION 1
enum { LINEAGE_LEVELS = 7 };

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
static int write_dataset(MPI_Comm comm, hid_t loc, hid_t dxpl, const char *name, hid_t file_type, hid_t mem_type,
                         hsize_t n, cohort_compression_t comp, const run_t *runs, size_t nruns, const void *buf)
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
        static const char dummy; /* some HDF5 versions reject a NULL buffer, even when empty */
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
static run_t *csr_runs(const cohort_layout_t *layout, size_t *nruns)
{
    run_t *runs = malloc((layout->nobs ? layout->nobs : 1) * sizeof *runs);
    size_t n = 0;
    if (!runs) return NULL;
    for (uint64_t o = 0; o < layout->nobs; o++) {
        if (layout->row_count[o] == 0) continue;
        hsize_t at = (hsize_t)layout->csr_indptr[o] + layout->row_before[o];
        if (n > 0 && runs[n - 1].offset + runs[n - 1].count == at) {
            runs[n - 1].count += layout->row_count[o];
        } else {
            runs[n].offset = at;
            runs[n].count = layout->row_count[o];
            n++;
        }
    }
    *nruns = n;
    return runs;
}

/* BIOM's two sparse views, three datasets each, every rank writing its runs. */
static int write_matrices(MPI_Comm comm, hid_t file, hid_t dxpl, const cohort_layout_t *layout,
                          cohort_compression_t comp)
{
    size_t ncsr = 0;
    run_t *csr = csr_runs(layout, &ncsr);
    int rc = gb_mpi_agree(comm, csr ? GB_OK : GB_E_NOMEM);
    /* CSC: one block per rank; rank 0 (whose block starts at sample 0) also writes indptr[0] */
    int rank0 = layout->rank == 0;
    run_t csc = {layout->csc_offset, layout->nnz_local};
    run_t cptr = {rank0 ? 0 : layout->first + 1, rank0 ? layout->nlocal + 1 : layout->nlocal};
    const int32_t *cptr_buf = rank0 ? layout->csc_indptr : layout->csc_indptr + 1;
    run_t rptr = {0, rank0 ? layout->nobs + 1 : 0}; /* the same everywhere: rank 0 writes */
    size_t ncsc = layout->nnz_local > 0;
    hsize_t nnz = layout->nnz;
    const hid_t f64[2] = {H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE}, i32[2] = {H5T_STD_I32LE, H5T_NATIVE_INT32};
    const struct {
        const char *name;
        const hid_t *type; /* in the file, in memory */
        hsize_t n;
        const run_t *runs;
        size_t nruns;
        const void *buf;
    } views[] = {
        {"/sample/matrix/data", f64, nnz, &csc, ncsc, layout->csc_data},
        {"/sample/matrix/indices", i32, nnz, &csc, ncsc, layout->csc_indices},
        {"/sample/matrix/indptr", i32, layout->total + 1, &cptr, cptr.count > 0, cptr_buf},
        {"/observation/matrix/data", f64, nnz, csr, ncsr, layout->csr_data},
        {"/observation/matrix/indices", i32, nnz, csr, ncsr, layout->csr_indices},
        {"/observation/matrix/indptr", i32, layout->nobs + 1, &rptr, rptr.count > 0, layout->csr_indptr},
    };
    for (size_t i = 0; i < sizeof views / sizeof views[0] && rc == GB_OK; i++)
        rc = write_dataset(comm, file, dxpl, views[i].name, views[i].type[0], views[i].type[1], views[i].n, comp,
                           views[i].runs, views[i].nruns, views[i].buf);
    free(csr);
    return rc;
}

/* The per-sample QC columns under /gutbrain/, compressed as the rest of the file. */
static int write_qc(MPI_Comm comm, hid_t file, hid_t dxpl, const profile_t *local, const cohort_layout_t *layout,
                    cohort_compression_t comp)
{
    static const char *const names[] = {"/gutbrain/reads", "/gutbrain/classified", "/gutbrain/unclassified",
                                        "/gutbrain/bases"};
    enum { NQC = sizeof names / sizeof names[0] };
    uint64_t *col = malloc((layout->nlocal ? layout->nlocal : 1) * sizeof *col);
    int rc = gb_mpi_agree(comm, col ? GB_OK : GB_E_NOMEM);
    run_t mine = {layout->first, layout->nlocal};
    for (int q = 0; q < NQC && rc == GB_OK; q++) {
        for (uint64_t s = 0; s < layout->nlocal; s++) {
            const profile_t *pr = &local[s];
            const uint64_t values[NQC] = {pr->reads, pr->classified, pr->unclassified, pr->bases};
            col[s] = values[q];
        }
        rc = write_dataset(comm, file, dxpl, names[q], H5T_STD_U64LE, H5T_NATIVE_UINT64, layout->total, comp, &mine,
                           layout->nlocal > 0, col);
    }
    free(col);
    return rc;
}

/* The profiles' minimizer columns, one value per matrix entry in CSC order (the entries of
 * each sample in its profile's order, zero counts skipped as build_csc skips them). */
static int write_minimizer_columns(MPI_Comm comm, hid_t file, hid_t dxpl, const profile_t *local,
                                   const cohort_layout_t *layout, cohort_compression_t comp)
{
    static const char *const names[] = {"/gutbrain/minimizers", "/gutbrain/distinct_minimizers"};
    uint64_t *col = malloc((layout->nnz_local ? layout->nnz_local : 1) * sizeof *col);
    int rc = col ? GB_OK : GB_E_NOMEM;
    for (uint64_t s = 0; s < layout->nlocal && rc == GB_OK; s++)
        if (!local[s].minimizers) {
            gb_error("profile of '%s' has no minimizer columns", local[s].id);
            rc = GB_E_INTERNAL;
        }
    rc = gb_mpi_agree(comm, rc);
    run_t mine = {layout->csc_offset, layout->nnz_local};
    for (int q = 0; q < 2 && rc == GB_OK; q++) {
        uint64_t e = 0;
        for (uint64_t s = 0; s < layout->nlocal; s++)
            for (size_t k = 0; k < local[s].ntaxa; k++)
                if (local[s].count[k] > 0) col[e++] = q ? local[s].distinct[k] : local[s].minimizers[k];
        rc = write_dataset(comm, file, dxpl, names[q], H5T_STD_U64LE, H5T_NATIVE_UINT64, layout->nnz, comp, &mine,
                           layout->nnz_local > 0, col);
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

/* Rank 0 reserves the disk blocks of the whole file before any rank writes a number. Parallel
 * HDF5 meets a full disk inside H5Fclose's collective flush, where one rank's failed write sends
 * the ranks down different paths and they wait for each other for ever
 * (tests/integration/run_faults.sh). With the blocks reserved (fallocate, the size unchanged)
 * no later write into them can fail for space, whoever else fills the disk meanwhile; where the
 * file system cannot reserve, the free space is compared instead. The bound is the uncompressed
 * size of every dataset plus 64 kB for HDF5's own structures; compression only shrinks it. */
static int reserve_room(MPI_Comm comm, int rank, const char *tmp, const cohort_layout_t *l)
{
    int rc = GB_OK;
    if (rank == 0) {
        uint64_t need = 65536 + 2 * l->nnz * (8 + 4 + 16) + (l->nobs + l->total + 2) * (8 + 64) + l->total * 4 * 8;
        int fd = open(tmp, O_WRONLY | O_CLOEXEC), err = 0;
        if (fd < 0 || fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, (off_t)need) != 0) err = errno;
        if (fd >= 0) close(fd);
        struct statvfs vfs;
        if (err == EOPNOTSUPP || err == ENOSYS)
            err = statvfs(tmp, &vfs) == 0 && (uint64_t)vfs.f_bavail * vfs.f_frsize < need ? ENOSPC : 0;
        if (err) {
            gb_error("cannot write %s: %s (up to %" PRIu64 " bytes needed)", tmp, strerror(err), need);
            rc = GB_E_IO;
        }
    }
    return gb_mpi_agree(comm, rc);
}

/* Rank 0, once the file is complete: give back the reserved blocks past its end, which HDF5 does
 * not (it truncates only when its end differs from the file's size). Shrinking from one byte
 * more frees every block past the new end; truncating to the same size would do nothing. */
static int release_room(const char *tmp)
{
    struct stat st;
    int fd = open(tmp, O_WRONLY | O_CLOEXEC), rc = GB_OK;
    if (fd < 0 || fstat(fd, &st) != 0 || ftruncate(fd, st.st_size + 1) != 0 || ftruncate(fd, st.st_size) != 0) {
        gb_error("cannot write %s: %s", tmp, strerror(errno));
        rc = GB_E_IO;
    }
    if (fd >= 0) close(fd);
    return rc;
}

/* Phase 1: every rank writes its part of the numeric datasets into tmp. */
static int write_numbers(MPI_Comm comm, const char *tmp, const profile_t *local, const cohort_layout_t *layout,
                         const cohort_meta_t *meta)
{
    int rc = GB_OK, rank;
    MPI_Comm_rank(comm, &rank);
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
    if (rc == GB_OK) rc = reserve_room(comm, rank, tmp, layout);
    if (rc == GB_OK) rc = gb_mpi_agree(comm, create_groups(file));
    if (rc == GB_OK) rc = write_matrices(comm, file, dxpl, layout, meta->biom_compression);
    if (rc == GB_OK) rc = write_qc(comm, file, dxpl, local, layout, meta->biom_compression);
    if (rc == GB_OK && meta->minimizer_data)
        rc = write_minimizer_columns(comm, file, dxpl, local, layout, meta->biom_compression);
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

/* Index 0..6 of a rank in the lineage, -1 for ranks outside it. "domain" is NCBI's 2025
 * name for superkingdom, "acellular root" the top of the viruses since then. */
static int lineage_level(const char *rank)
{
    static const struct {
        const char *rank;
        int level;
    } table[] = {
        {"superkingdom", 0}, {"domain", 0}, {"acellular root", 0}, {"phylum", 1},  {"class", 2},
        {"order", 3},        {"family", 4}, {"genus", 5},          {"species", 6},
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        if (strcmp(rank, table[i].rank) == 0) return table[i].level;
    return -1;
}

/* The lineage nodes of taxid: node[level] is the internal id of its ancestor at that level
 * (lineage_level()), 0 when the lineage has no such rank. The nearest ancestor of a rank wins
 * if a path repeats one. */
static void lineage_nodes(const taxo_t *taxo, uint32_t taxid, uint32_t node[LINEAGE_LEVELS])
{
    memset(node, 0, LINEAGE_LEVELS * sizeof *node);
    uint32_t id = taxo_internal(taxo, taxid);
    for (uint32_t steps = 0; id != 0 && steps < taxo->n; steps++, id = taxo->parent[id]) {
        int level = lineage_level(taxo_rank(taxo, id));
        if (level >= 0 && node[level] == 0) node[level] = id;
    }
}

/* Lineage strings of every observation, row-major [nobs][7], appended to sb one after the
 * other, each with its NUL. */
static int format_lineages(const taxo_t *taxo, const cohort_layout_t *layout, strbuf_t *sb)
{
    static const char *const prefix[LINEAGE_LEVELS] = {"d__", "p__", "c__", "o__", "f__", "g__", "s__"};
    int rc = GB_OK;
    for (uint64_t o = 0; o < layout->nobs && rc == GB_OK; o++) {
        uint32_t node[LINEAGE_LEVELS];
        lineage_nodes(taxo, layout->obs[o], node);
        for (int level = 0; level < LINEAGE_LEVELS && rc == GB_OK; level++) {
            const char *name = node[level] ? taxo_name(taxo, node[level]) : "";
            rc = strbuf_puts(sb, prefix[level]);
            if (rc == GB_OK) rc = strbuf_append(sb, name, strlen(name) + 1); /* with its NUL */
        }
    }
    if (rc != GB_OK) gb_error("out of memory building %" PRIu64 " lineages", layout->nobs);
    return rc;
}

/* ISO 8601 creation date in UTC, written without the "Z": biom validate-table (python3-biom-format
 * 2.1.12) accepts only zone-less "%Y-%m-%dT%H:%M:%S" and rejects "...Z" and "+00:00" alike, so the
 * zone is stated in docs/RUN.md instead. GUTBRAIN_CREATION_DATE (verbatim) or SOURCE_DATE_EPOCH fix it. */
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
    strftime(buf, cap, "%Y-%m-%dT%H:%M:%S", &tm);
}

static int write_root_attributes(hid_t file, const cohort_layout_t *layout, const cohort_meta_t *meta)
{
    char date[64], generated_by[256];
    const int32_t version[2] = {2, 1};
    const int32_t shape[2] = {(int32_t)layout->nobs, (int32_t)layout->total};
    const int64_t nnz = (int64_t)layout->nnz;
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
    if (rc == GB_OK) rc = gb_h5_attr_numeric(g, "minimum-hit-groups", H5T_STD_U32LE, H5T_NATIVE_UINT32, 0, &min_hits);
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

/* Observation ids: decimal taxids appended to sb one after the other, each with its NUL. */
static int format_observation_ids(const cohort_layout_t *layout, strbuf_t *sb)
{
    int rc = GB_OK;
    for (uint64_t o = 0; o < layout->nobs && rc == GB_OK; o++) {
        rc = strbuf_printf(sb, "%u", layout->obs[o]);
        if (rc == GB_OK) rc = strbuf_putc(sb, '\0');
    }
    return rc;
}

/* Pointers to the n NUL-terminated strings laid end to end from blob (caller frees the array;
 * NULL when out of memory), the form gb_h5_write_strings() takes. */
static const char **split_strings(const char *blob, uint64_t n)
{
    const char **v = malloc((n ? n : 1) * sizeof *v);
    for (uint64_t i = 0; v && i < n; i++, blob += strlen(blob) + 1) v[i] = blob;
    return v;
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
 * NUL-terminated sample ids in cohort order. */
static int write_labels(const char *tmp, const taxo_t *taxo, const cohort_layout_t *layout, const char *sample_blob,
                        const cohort_meta_t *meta)
{
    int rc = GB_OK;
    hid_t file = -1;
    strbuf_t obs_blob = STRBUF_INIT, lineage_blob = STRBUF_INIT;
    const char **sample_ids = NULL, **obs_ids = NULL, **lineage = NULL;
    const char *twice = NULL; /* a sample id found twice */
    uint64_t ncells = layout->nobs * LINEAGE_LEVELS;
    if (!(sample_ids = split_strings(sample_blob, layout->total))) rc = GB_E_NOMEM;
    if (rc == GB_OK) rc = biom_duplicate_id(sample_ids, layout->total, &twice);
    if (rc == GB_OK && twice) {
        gb_error("sample id %s appears twice in the cohort", twice);
        rc = GB_E_USAGE;
    }
    if (rc == GB_OK) rc = format_observation_ids(layout, &obs_blob);
    if (rc == GB_OK) rc = format_lineages(taxo, layout, &lineage_blob);
    if (rc == GB_OK &&
        (!(obs_ids = split_strings(obs_blob.s, layout->nobs)) || !(lineage = split_strings(lineage_blob.s, ncells))))
        rc = GB_E_NOMEM;
    if (rc != GB_OK) goto fail;
    file = H5Fopen(tmp, H5F_ACC_RDWR, H5P_DEFAULT);
    if (file < 0) {
        char why[256];
        gb_error("cannot reopen %s: %s", tmp, gb_h5_reason(why, sizeof why));
        rc = GB_E_IO;
        goto fail;
    }
    rc = write_root_attributes(file, layout, meta);
    if (rc == GB_OK) rc = gb_h5_write_strings(file, "/observation/ids", obs_ids, layout->nobs, 0);
    if (rc == GB_OK) rc = gb_h5_write_strings(file, "/sample/ids", sample_ids, layout->total, 0);
    if (rc == GB_OK)
        rc = gb_h5_write_strings(file, "/observation/metadata/taxonomy", lineage, layout->nobs, LINEAGE_LEVELS);
    if (rc == GB_OK) rc = write_provenance(file, meta);
fail:
    if (file >= 0 && H5Fclose(file) < 0 && rc == GB_OK) rc = GB_E_IO;
    if (rc == GB_OK) rc = sync_file(tmp);
    free(sample_ids);
    free(obs_ids);
    free(lineage);
    strbuf_free(&obs_blob);
    strbuf_free(&lineage_blob);
    return rc;
}

/* ---------------------------------------------------------------- the entry point */

/* "<path>.tmp.<pid of rank 0>", the same name on every rank. */
static int temp_path(MPI_Comm comm, int rank, const char *path, char **out)
{
    long pid = rank == 0 ? (long)getpid() : 0;
    MPI_Bcast(&pid, 1, MPI_LONG, 0, comm);
    int rc = asprintf(out, "%s.tmp.%ld", path, pid) < 0 ? GB_E_NOMEM : GB_OK;
    if (rc != GB_OK) *out = NULL;
    /* created private by rank 0 before the collective create, which truncates it and keeps its
     * mode 0600 until cohort_write publishes it (pipeline/fileio.h) */
    int fd = rc == GB_OK && rank == 0 ? fileio_create_private(*out) : -1;
    if (rc == GB_OK && rank == 0 && (fd < 0 || close(fd) != 0)) {
        gb_error("cannot create %s: %s", *out, strerror(errno));
        rc = GB_E_IO;
    }
    return gb_mpi_agree(comm, rc);
}

int cohort_write(MPI_Comm comm, const char *path, const taxo_t *taxo, const profile_t *local, size_t nlocal,
                 size_t first, size_t total, const cohort_meta_t *meta)
{
    cohort_layout_t layout;
    memset(&layout, 0, sizeof layout);
    char *tmp = NULL, *sample_blob = NULL;
    int rank, rc = GB_OK;
    MPI_Comm_rank(comm, &rank);
    H5E_auto2_t old_print;
    void *old_print_data;
    H5Eget_auto2(H5E_DEFAULT, &old_print, &old_print_data);
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL); /* failures are logged by GB_H5_CHECK, one line each */
    if (!path || !taxo || !meta || (nlocal > 0 && !local)) rc = GB_E_USAGE;
    if (rc == GB_OK) rc = h5zstd_register();
    rc = gb_mpi_agree(comm, rc);
    double t0 = MPI_Wtime(), t1 = t0, t2 = t0;
    /* the input checks, the observation set and every offset: no file touched yet */
    if (rc == GB_OK) rc = cohort_layout_build(comm, taxo, local, nlocal, first, total, &layout);
    if (rc == GB_OK) rc = temp_path(comm, rank, path, &tmp);
    t1 = MPI_Wtime();
    if (rc == GB_OK) rc = write_numbers(comm, tmp, local, &layout, meta);
    t2 = MPI_Wtime();
    if (rc == GB_OK) rc = cohort_layout_gather_sample_ids(comm, local, &layout, &sample_blob);
    if (rc == GB_OK && rank == 0) {
        rc = write_labels(tmp, taxo, &layout, sample_blob, meta);
        if (rc == GB_OK) rc = release_room(tmp);
        if (rc == GB_OK && fileio_publish(tmp, path) != 0) {
            gb_error("cannot rename %s to %s: %s", tmp, path, strerror(errno));
            rc = GB_E_IO;
        }
        gb_debug("%" PRIu64 " x %" PRIu64 ", nnz %" PRIu64 ": offsets %.3f s, numbers %.3f s, labels %.3f s",
                 layout.nobs, layout.total, layout.nnz, t1 - t0, t2 - t1, MPI_Wtime() - t2);
    }
    /* rank 0 alone knows how phase 2 went; tell the others */
    MPI_Bcast(&rc, 1, MPI_INT, 0, comm);
    if (rc != GB_OK && tmp && rank == 0) unlink(tmp);
    if (rc != GB_OK && rank == 0) gb_error("cohort file %s not written: %s", path, gb_strerror(rc));
    H5Eset_auto2(H5E_DEFAULT, old_print, old_print_data);
    free(tmp);
    free(sample_blob);
    cohort_layout_free(&layout);
    return rc;
}
