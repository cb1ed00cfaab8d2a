/* The cohort's sparse layout and its MPI exchange (cohort_layout.h): the checks on the input,
 * the observation set, this rank's CSC and CSR entries and the global offsets that let every
 * rank write its share of the cohort file in place. No HDF5 here: cohort_h5.c writes the file.
 *
 * Offsets: CSC entries of a rank follow those of lower ranks (MPI_Exscan of the rank's nnz);
 * in CSR row o, a rank's entries follow those of lower ranks (MPI_Exscan of per-observation
 * counts), which keeps each row sorted by sample since ranks hold consecutive sample blocks. */
#include "cohort_layout.h"
#include "gb_mpi.h"
#include "log.h"
#include "strbuf.h"
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

void cohort_layout_free(cohort_layout_t *layout)
{
    free(layout->obs);
    free(layout->csc_indices);
    free(layout->csc_data);
    free(layout->csc_indptr);
    free(layout->row_count);
    free(layout->row_before);
    free(layout->csr_indptr);
    free(layout->csr_indices);
    free(layout->csr_data);
    memset(layout, 0, sizeof *layout);
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
static int check_blocks(MPI_Comm comm, cohort_layout_t *layout)
{
    uint64_t mine[3] = {layout->first, layout->nlocal, layout->total};
    uint64_t *all = malloc(3 * (size_t)layout->nranks * sizeof *all);
    int rc = all ? GB_OK : GB_E_NOMEM;
    rc = gb_mpi_agree(comm, rc);
    if (rc != GB_OK) goto fail;
    MPI_Allgather(mine, 3, MPI_UINT64_T, all, 3, MPI_UINT64_T, comm);
    uint64_t next = 0;
    for (int r = 0; r < layout->nranks; r++) {
        if (all[3 * r] != next || all[3 * r + 2] != layout->total) {
            if (layout->rank == 0)
                gb_error("sample blocks do not tile the cohort: rank %d holds [%" PRIu64 ", +%" PRIu64 ") of %" PRIu64
                         ", expected to start at %" PRIu64,
                         r, all[3 * r], all[3 * r + 1], all[3 * r + 2], next);
            rc = GB_E_INTERNAL;
            break;
        }
        next += all[3 * r + 1];
    }
    if (rc == GB_OK && next != layout->total) {
        if (layout->rank == 0) gb_error("sample blocks cover %" PRIu64 " of %" PRIu64 " samples", next, layout->total);
        rc = GB_E_INTERNAL;
    }
    /* BIOM's indices are int32 */
    if (rc == GB_OK && layout->total > INT32_MAX) {
        if (layout->rank == 0) gb_error("%" PRIu64 " samples exceed BIOM's int32 indices", layout->total);
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
                gb_error("sample %s: taxids not ascending (%u after %u)", pr->id, pr->taxid[k], pr->taxid[k - 1]);
                return GB_E_FORMAT;
            }
        }
    }
    return GB_OK;
}

/* Every observation needs a lineage. All ranks hold the same list; rank 0 reports. */
static int check_in_taxonomy(const taxo_t *taxo, const cohort_layout_t *layout)
{
    for (uint64_t o = 0; o < layout->nobs; o++) {
        if (taxo_internal(taxo, layout->obs[o]) == 0) {
            if (layout->rank == 0) gb_error("taxid %u of the cohort is not in the database's taxonomy", layout->obs[o]);
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
            if (2 * (n + 1) > ((size_t)1 << bits)) { /* keep the load under one half */
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
static int gather_observations(MPI_Comm comm, const profile_t *local, size_t nlocal, cohort_layout_t *layout)
{
    size_t n = 0;
    uint32_t *mine = NULL;
    int *counts = malloc((size_t)layout->nranks * sizeof *counts);
    int *displs = malloc((size_t)layout->nranks * sizeof *displs);
    int rc = (counts && displs) ? GB_OK : GB_E_NOMEM;
    if (rc == GB_OK) rc = local_taxids(local, nlocal, &mine, &n);
    rc = gb_mpi_agree(comm, rc);
    if (rc != GB_OK) goto fail;
    int n_int = (int)n; /* at most 2^32 distinct taxids, far below INT_MAX in practice */
    MPI_Allgather(&n_int, 1, MPI_INT, counts, 1, MPI_INT, comm);
    uint64_t sum = 0;
    for (int r = 0; r < layout->nranks; r++) {
        displs[r] = (int)sum;
        sum += (uint64_t)counts[r];
    }
    if (sum > INT32_MAX) { /* the same on every rank */
        if (layout->rank == 0) gb_error("%" PRIu64 " taxids across ranks: too many to gather", sum);
        rc = GB_E_INTERNAL;
        goto fail;
    }
    layout->obs = malloc((sum ? sum : 1) * sizeof *layout->obs);
    rc = gb_mpi_agree(comm, layout->obs ? GB_OK : GB_E_NOMEM);
    if (rc != GB_OK) goto fail;
    MPI_Allgatherv(mine, n_int, MPI_UINT32_T, layout->obs, counts, displs, MPI_UINT32_T, comm);
    layout->nobs = sort_unique_u32(layout->obs, (size_t)sum);
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
static int build_csc(const profile_t *local, cohort_layout_t *layout)
{
    uint64_t nnz = 0;
    for (uint64_t s = 0; s < layout->nlocal; s++)
        for (size_t k = 0; k < local[s].ntaxa; k++) nnz += local[s].count[k] > 0;
    layout->nnz_local = nnz;
    if (nnz > INT32_MAX) { /* BIOM's int32 indptr; checked before the int32 offsets below */
        gb_error("%" PRIu64 " non-zero counts on this rank exceed BIOM's int32 indptr", nnz);
        return GB_E_USAGE;
    }
    layout->csc_indices = malloc((nnz ? nnz : 1) * sizeof *layout->csc_indices);
    layout->csc_data = malloc((nnz ? nnz : 1) * sizeof *layout->csc_data);
    layout->csc_indptr = malloc((layout->nlocal + 1) * sizeof *layout->csc_indptr);
    layout->row_count = calloc(layout->nobs ? layout->nobs : 1, sizeof *layout->row_count);
    if (!layout->csc_indices || !layout->csc_data || !layout->csc_indptr || !layout->row_count) {
        gb_error("out of memory for %" PRIu64 " counts", nnz);
        return GB_E_NOMEM;
    }
    uint64_t e = 0;
    for (uint64_t s = 0; s < layout->nlocal; s++) {
        const profile_t *pr = &local[s];
        uint64_t o = 0; /* taxids ascend, so each search starts where the last ended */
        layout->csc_indptr[s] = (int32_t)e;
        for (size_t k = 0; k < pr->ntaxa; k++) {
            if (pr->count[k] == 0) continue;
            o = obs_lower_bound(layout->obs, o, layout->nobs, pr->taxid[k]);
            layout->csc_indices[e] = (int32_t)o;
            layout->csc_data[e] = (double)pr->count[k];
            layout->row_count[o]++;
            e++;
        }
    }
    layout->csc_indptr[layout->nlocal] = (int32_t)e;
    return GB_OK;
}

/* CSR entries of the local samples: row-major, each row in sample order (a counting sort). */
static int build_csr(cohort_layout_t *layout)
{
    uint64_t nnz = layout->nnz_local;
    uint64_t *cursor = malloc((layout->nobs ? layout->nobs : 1) * sizeof *cursor);
    layout->csr_indices = malloc((nnz ? nnz : 1) * sizeof *layout->csr_indices);
    layout->csr_data = malloc((nnz ? nnz : 1) * sizeof *layout->csr_data);
    if (!cursor || !layout->csr_indices || !layout->csr_data) {
        gb_error("out of memory for %" PRIu64 " counts", nnz);
        free(cursor);
        return GB_E_NOMEM;
    }
    uint64_t at = 0;
    for (uint64_t o = 0; o < layout->nobs; o++) {
        cursor[o] = at;
        at += layout->row_count[o];
    }
    for (uint64_t s = 0; s < layout->nlocal; s++) {
        for (int32_t e = layout->csc_indptr[s]; e < layout->csc_indptr[s + 1]; e++) {
            uint64_t pos = cursor[layout->csc_indices[e]]++;
            layout->csr_indices[pos] = (int32_t)(layout->first + s);
            layout->csr_data[pos] = layout->csc_data[e];
        }
    }
    free(cursor);
    return GB_OK;
}

/* Global offsets: where this rank's CSC block starts, where its share of each CSR row
 * starts, and the CSR row pointers (identical on every rank). */
static int exchange_offsets(MPI_Comm comm, cohort_layout_t *layout)
{
    int rc = GB_OK;
    uint64_t *row_total = malloc((layout->nobs ? layout->nobs : 1) * sizeof *row_total);
    layout->row_before = calloc(layout->nobs ? layout->nobs : 1, sizeof *layout->row_before);
    layout->csr_indptr = malloc((layout->nobs + 1) * sizeof *layout->csr_indptr);
    rc = gb_mpi_agree(comm, (row_total && layout->row_before && layout->csr_indptr) ? GB_OK : GB_E_NOMEM);
    if (rc != GB_OK) goto fail;
    MPI_Exscan(&layout->nnz_local, &layout->csc_offset, 1, MPI_UINT64_T, MPI_SUM, comm);
    if (layout->rank == 0) layout->csc_offset = 0; /* MPI_Exscan leaves rank 0's result undefined */
    MPI_Allreduce(&layout->nnz_local, &layout->nnz, 1, MPI_UINT64_T, MPI_SUM, comm);
    if (layout->nnz > INT32_MAX) {
        if (layout->rank == 0) gb_error("%" PRIu64 " non-zero counts exceed BIOM's int32 indptr", layout->nnz);
        rc = GB_E_USAGE;
        goto fail;
    }
    int count = (int)layout->nobs;
    MPI_Exscan(layout->row_count, layout->row_before, count, MPI_UINT64_T, MPI_SUM, comm);
    if (layout->rank == 0)
        memset(layout->row_before, 0, (layout->nobs ? layout->nobs : 1) * sizeof *layout->row_before);
    MPI_Allreduce(layout->row_count, row_total, count, MPI_UINT64_T, MPI_SUM, comm);
    layout->csr_indptr[0] = 0;
    for (uint64_t o = 0; o < layout->nobs; o++)
        layout->csr_indptr[o + 1] = layout->csr_indptr[o] + (int32_t)row_total[o];
    for (uint64_t s = 0; s <= layout->nlocal; s++) layout->csc_indptr[s] += (int32_t)layout->csc_offset;
fail:
    free(row_total);
    return rc;
}

/* ---------------------------------------------------------------- entry points */

int cohort_layout_build(MPI_Comm comm, const taxo_t *taxo, const profile_t *local, size_t nlocal, size_t first,
                        size_t total, cohort_layout_t *layout)
{
    memset(layout, 0, sizeof *layout);
    MPI_Comm_rank(comm, &layout->rank);
    MPI_Comm_size(comm, &layout->nranks);
    layout->first = first;
    layout->nlocal = nlocal;
    layout->total = total;
    int rc = check_blocks(comm, layout);
    if (rc == GB_OK) rc = gb_mpi_agree(comm, check_profiles(local, nlocal));
    if (rc == GB_OK) rc = gather_observations(comm, local, nlocal, layout);
    if (rc == GB_OK) rc = check_in_taxonomy(taxo, layout); /* same list, same answer everywhere */
    if (rc == GB_OK) rc = gb_mpi_agree(comm, build_csc(local, layout));
    if (rc == GB_OK) rc = gb_mpi_agree(comm, build_csr(layout));
    if (rc == GB_OK) rc = exchange_offsets(comm, layout);
    return rc;
}

int cohort_layout_gather_sample_ids(MPI_Comm comm, const profile_t *local, const cohort_layout_t *layout,
                                    char **ids_out)
{
    strbuf_t mine = STRBUF_INIT; /* this rank's ids, each with its NUL */
    char *all = NULL;
    int *counts = NULL, *displs = NULL;
    int rc = GB_OK;
    *ids_out = NULL;
    for (uint64_t s = 0; s < layout->nlocal && rc == GB_OK; s++)
        rc = strbuf_append(&mine, local[s].id, strlen(local[s].id) + 1);
    if (layout->rank == 0) {
        counts = malloc((size_t)layout->nranks * sizeof *counts);
        displs = malloc((size_t)layout->nranks * sizeof *displs);
        if (!counts || !displs) rc = GB_E_NOMEM;
    }
    if (rc == GB_OK && mine.len > INT32_MAX) rc = GB_E_USAGE; /* MPI counts are int */
    rc = gb_mpi_agree(comm, rc);
    if (rc != GB_OK) goto fail;
    int len = (int)mine.len;
    MPI_Gather(&len, 1, MPI_INT, counts, 1, MPI_INT, 0, comm);
    if (layout->rank == 0) {
        uint64_t sum = 0;
        for (int r = 0; r < layout->nranks; r++) {
            displs[r] = (int)sum;
            sum += (uint64_t)counts[r];
        }
        all = sum <= INT32_MAX ? malloc(sum ? sum : 1) : NULL;
        if (!all) rc = sum <= INT32_MAX ? GB_E_NOMEM : GB_E_USAGE;
    }
    rc = gb_mpi_agree(comm, rc);
    if (rc != GB_OK) goto fail;
    MPI_Gatherv(mine.s ? mine.s : "", len, MPI_CHAR, all, counts, displs, MPI_CHAR, 0, comm);
    *ids_out = all;
    all = NULL;
fail:
    strbuf_free(&mine);
    free(all);
    free(counts);
    free(displs);
    return rc;
}
