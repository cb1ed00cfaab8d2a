/* BIOM 2.1 HDF5 reader (biom_read.h).
 *
 * Order of work: open and identify the file (HDF5? BIOM 2.1?), read both id lists, check them
 * against the shape attribute, then stream one sparse view into the dense matrix, then the
 * optional taxonomy and QC. Every dataset is checked for its class and length before it is
 * read, so a damaged or foreign file gives one clear message instead of an HDF5 stack. */
#include "biom_read.h"
#include "cohort_h5.h" /* h5zstd_register */
#include "log.h"
#include "strbuf.h"
#include <errno.h>
#include <hdf5.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BLOCK_ENTRIES ((hsize_t)1 << 20) /* sparse entries per read: 16 MB of buffers */

/* Everything one read needs; path names the file in messages. */
typedef struct {
    const char *path;
    hid_t file;
} reader_t;

/* ---------------------------------------------------------------- small HDF5 helpers */

/* 1 when the link exists (every intermediate group too). */
static int has_link(hid_t loc, const char *name)
{
    char partial[256];
    for (size_t len = 1; name[0] && name[len]; len++) {
        if (name[len] != '/') continue;
        if (len >= sizeof partial) return 0;
        memcpy(partial, name, len);
        partial[len] = '\0';
        if (H5Lexists(loc, partial, H5P_DEFAULT) <= 0) return 0;
    }
    return H5Lexists(loc, name, H5P_DEFAULT) > 0;
}

/* Open a dataset that must exist; rank 1 or 2 and its dims. */
static int open_dataset(const reader_t *r, const char *name, hid_t *dset, int *rank, hsize_t dims[2])
{
    if (!has_link(r->file, name)) {
        gb_error("%s is not a BIOM 2.1 file: it has no %s", r->path, name);
        return GB_E_FORMAT;
    }
    *dset = H5Dopen2(r->file, name, H5P_DEFAULT);
    hid_t space = *dset >= 0 ? H5Dget_space(*dset) : -1;
    int nd = space >= 0 ? H5Sget_simple_extent_ndims(space) : -1;
    if (nd >= 1 && nd <= 2) H5Sget_simple_extent_dims(space, dims, NULL);
    if (space >= 0) H5Sclose(space);
    if (nd < 1 || nd > 2) {
        gb_error("%s: %s is not a 1-D or 2-D dataset", r->path, name);
        if (*dset >= 0) H5Dclose(*dset);
        *dset = -1;
        return GB_E_FORMAT;
    }
    *rank = nd;
    return GB_OK;
}

/* Open a 1-D dataset of the given type class (H5T_INTEGER, H5T_FLOAT; -1 for integer or
 * float) and return its length. */
static int open_vector(const reader_t *r, const char *name, int want_class, hid_t *dset, hsize_t *n)
{
    int rank;
    hsize_t dims[2] = {0, 0};
    int rc = open_dataset(r, name, dset, &rank, dims);
    if (rc != GB_OK) return rc;
    hid_t type = H5Dget_type(*dset);
    H5T_class_t cls = type >= 0 ? H5Tget_class(type) : H5T_NO_CLASS;
    if (type >= 0) H5Tclose(type);
    int class_ok = want_class < 0 ? (cls == H5T_INTEGER || cls == H5T_FLOAT) : (int)cls == want_class;
    if (rank != 1 || !class_ok) {
        gb_error("%s: %s is not a 1-D %s dataset", r->path, name, want_class == H5T_INTEGER ? "integer" : "numeric");
        H5Dclose(*dset);
        *dset = -1;
        return GB_E_FORMAT;
    }
    *n = dims[0];
    return GB_OK;
}

/* Elements [offset, offset + count) of a 1-D dataset, converted to mem_type. */
static int read_range(const reader_t *r, hid_t dset, const char *name, hid_t mem_type, hsize_t offset, hsize_t count,
                      void *buf)
{
    if (count == 0) return GB_OK;
    hid_t fspace = H5Dget_space(dset);
    hid_t mspace = H5Screate_simple(1, &count, NULL);
    herr_t ok = -1;
    if (fspace >= 0 && mspace >= 0 && H5Sselect_hyperslab(fspace, H5S_SELECT_SET, &offset, NULL, &count, NULL) >= 0)
        ok = H5Dread(dset, mem_type, mspace, fspace, H5P_DEFAULT, buf);
    if (fspace >= 0) H5Sclose(fspace);
    if (mspace >= 0) H5Sclose(mspace);
    if (ok < 0) {
        gb_error("%s: cannot read %s (elements %llu..%llu; a compression filter missing?)", r->path, name,
                 (unsigned long long)offset, (unsigned long long)(offset + count));
        return GB_E_FORMAT;
    }
    return GB_OK;
}

/* A 2-element integer attribute of the root (format-version, shape). Returns 1 when present
 * and read, 0 when absent, negative on a malformed attribute. */
static int root_pair(const reader_t *r, const char *name, int64_t v[2])
{
    if (H5Aexists(r->file, name) <= 0) return 0;
    hid_t attr = H5Aopen(r->file, name, H5P_DEFAULT);
    hid_t space = attr >= 0 ? H5Aget_space(attr) : -1;
    hid_t type = attr >= 0 ? H5Aget_type(attr) : -1;
    int ok = space >= 0 && type >= 0 && H5Sget_simple_extent_npoints(space) == 2 && H5Tget_class(type) == H5T_INTEGER &&
             H5Aread(attr, H5T_NATIVE_INT64, v) >= 0;
    if (type >= 0) H5Tclose(type);
    if (space >= 0) H5Sclose(space);
    if (attr >= 0) H5Aclose(attr);
    if (!ok) {
        gb_error("%s: root attribute %s is not a pair of integers", r->path, name);
        return GB_E_FORMAT;
    }
    return 1;
}

/* A scalar string attribute of the root, malloc'ed ("" when absent or not a string). */
/* String attribute `name` of the object obj (the file or a group), "" when absent. */
static char *attr_string(hid_t obj, const char *name)
{
    char *out = NULL;
    hid_t attr = H5Aexists(obj, name) > 0 ? H5Aopen(obj, name, H5P_DEFAULT) : -1;
    hid_t type = attr >= 0 ? H5Aget_type(attr) : -1;
    hid_t space = attr >= 0 ? H5Aget_space(attr) : -1;
    if (type >= 0 && H5Tget_class(type) == H5T_STRING && H5Sget_simple_extent_npoints(space) == 1) {
        hid_t mem = H5Tcopy(H5T_C_S1);
        H5Tset_cset(mem, H5Tget_cset(type)); /* HDF5 converts no string between character sets */
        if (H5Tis_variable_str(type) > 0) {
            char *v = NULL;
            if (H5Tset_size(mem, H5T_VARIABLE) >= 0 && H5Aread(attr, mem, &v) >= 0 && v) {
                out = strdup(v);
                H5free_memory(v);
            }
        } else {
            size_t size = H5Tget_size(type);
            char *v = calloc(size + 1, 1);
            if (v && H5Tset_size(mem, size + 1) >= 0 && H5Aread(attr, mem, v) >= 0) out = v;
            else free(v);
        }
        H5Tclose(mem);
    }
    if (space >= 0) H5Sclose(space);
    if (type >= 0) H5Tclose(type);
    if (attr >= 0) H5Aclose(attr);
    return out ? out : strdup("");
}

/* gutbrain cohort files: the database and command line of the run, from /gutbrain's
 * attributes ("" for files from other tools). */
static void read_run_provenance(const reader_t *r, biom_table_t *out)
{
    hid_t g = H5Lexists(r->file, "gutbrain", H5P_DEFAULT) > 0 ? H5Gopen2(r->file, "gutbrain", H5P_DEFAULT) : -1;
    out->run_db_path = g >= 0 ? attr_string(g, "db-path") : strdup("");
    out->run_command_line = g >= 0 ? attr_string(g, "command-line") : strdup("");
    if (g >= 0) H5Gclose(g);
}

/* ---------------------------------------------------------------- strings */

/* Append s[0..len) trimmed of surrounding white space, and a NUL, to sb. */
static int put_trimmed(strbuf_t *sb, const char *s, size_t len)
{
    while (len > 0 && (*s == ' ' || *s == '\t')) s++, len--;
    while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\r' || s[len - 1] == '\n')) len--;
    int rc = strbuf_append(sb, s, len);
    return rc == GB_OK ? strbuf_putc(sb, '\0') : rc;
}

/* Hand over the n NUL-terminated strings that put_trimmed() laid end to end in sb: *blob_out
 * takes the buffer (sb is left empty), *ptrs_out points at each string. Both caller-freed. */
static int index_strings(strbuf_t *sb, size_t n, char ***ptrs_out, char **blob_out)
{
    char **ptrs = malloc((n ? n : 1) * sizeof *ptrs);
    char *blob = strbuf_detach(sb);
    if (!ptrs || !blob) {
        free(ptrs);
        free(blob);
        return GB_E_NOMEM;
    }
    char *at = blob;
    for (size_t i = 0; i < n; i++, at += strlen(at) + 1) ptrs[i] = at;
    *ptrs_out = ptrs;
    *blob_out = blob;
    return GB_OK;
}

/* Pointer array + blob holding n strings taken from raw[i] (NULL = ""); each trimmed. */
static int copy_strings(char *const *raw, size_t n, char ***ptrs_out, char **blob_out)
{
    strbuf_t sb = STRBUF_INIT;
    int rc = GB_OK;
    for (size_t i = 0; i < n && rc == GB_OK; i++)
        rc = put_trimmed(&sb, raw[i] ? raw[i] : "", raw[i] ? strlen(raw[i]) : 0);
    if (rc == GB_OK) rc = index_strings(&sb, n, ptrs_out, blob_out);
    strbuf_free(&sb);
    return rc;
}

/* All strings of a 1-D or 2-D string dataset (row-major), variable or fixed length, as a
 * pointer array into one blob (both caller-freed). dims[1] is 1 for a 1-D dataset. */
static int read_strings(const reader_t *r, const char *name, hsize_t dims[2], int *rank, char ***out, char **blob)
{
    hid_t dset = -1, ftype = -1, mem = -1, space = -1;
    char **raw = NULL;
    char *fixed = NULL;
    int rc = open_dataset(r, name, &dset, rank, dims);
    if (rc != GB_OK) return rc;
    if (*rank == 1) dims[1] = 1;
    /* a corrupt file can claim any shape: more strings than the file has bytes is not a BIOM
     * file, and sizes derived from the shape must not wrap before they are allocated */
    hsize_t file_size = 0;
    if (H5Fget_filesize(r->file, &file_size) < 0 || (dims[1] && dims[0] > file_size / dims[1])) {
        gb_error("%s: %s has an impossible shape for a file of its size", r->path, name);
        H5Dclose(dset);
        return GB_E_FORMAT;
    }
    size_t n = (size_t)(dims[0] * dims[1]);
    ftype = H5Dget_type(dset);
    if (n == 0) { /* biom-format writes an empty id list as float64[0] */
        rc = copy_strings(raw, 0, out, blob);
        goto done;
    }
    if (ftype < 0 || H5Tget_class(ftype) != H5T_STRING) {
        gb_error("%s: %s does not hold strings", r->path, name);
        rc = GB_E_FORMAT;
        goto done;
    }
    raw = calloc(n ? n : 1, sizeof *raw);
    mem = H5Tcopy(H5T_C_S1);
    space = H5Dget_space(dset);
    if (!raw || mem < 0 || space < 0) {
        rc = GB_E_NOMEM;
        goto done;
    }
    int variable = H5Tis_variable_str(ftype) > 0;
    size_t width = variable ? 0 : H5Tget_size(ftype) + 1; /* + NUL: a full-width field has none */
    if (!variable && (width > SIZE_MAX / n || !(fixed = calloc(n * width, 1)))) {
        rc = GB_E_NOMEM;
        goto done;
    }
    if (H5Tset_size(mem, variable ? H5T_VARIABLE : width) < 0 || H5Tset_cset(mem, H5Tget_cset(ftype)) < 0 ||
        (n > 0 && H5Dread(dset, mem, H5S_ALL, H5S_ALL, H5P_DEFAULT, variable ? (void *)raw : fixed) < 0)) {
        gb_error("%s: cannot read the strings of %s", r->path, name);
        rc = GB_E_FORMAT;
        goto done;
    }
    if (!variable)
        for (size_t i = 0; i < n; i++) raw[i] = fixed + i * width;
    rc = copy_strings(raw, n, out, blob);
    if (variable && n > 0) H5Dvlen_reclaim(mem, space, H5P_DEFAULT, raw); /* HDF5 allocated them */
done:
    if (rc == GB_E_NOMEM) gb_error("%s: out of memory reading %s", r->path, name);
    free(raw);
    free(fixed);
    if (space >= 0) H5Sclose(space);
    if (mem >= 0) H5Tclose(mem);
    if (ftype >= 0) H5Tclose(ftype);
    H5Dclose(dset);
    return rc;
}

/* /sample/ids or /observation/ids: a 1-D string dataset of unique ids. */
static int read_ids(const reader_t *r, const char *name, const char *what, char ***ids, char **blob, size_t *n)
{
    hsize_t dims[2];
    int rank;
    int rc = read_strings(r, name, dims, &rank, ids, blob);
    if (rc != GB_OK) return rc;
    if (rank != 1) {
        gb_error("%s: %s is not 1-D", r->path, name);
        return GB_E_FORMAT;
    }
    *n = (size_t)dims[0];
    const char *twice = NULL;
    rc = biom_duplicate_id((const char *const *)*ids, *n, &twice);
    if (rc == GB_OK && twice) {
        gb_error("%s: %s id \"%s\" appears more than once", r->path, what, twice);
        rc = GB_E_FORMAT;
    }
    return rc;
}

/* ---------------------------------------------------------------- identification */

/* Why a file HDF5 refuses is not HDF5: name the usual suspect (BIOM 1.0 is JSON). */
static int not_hdf5(const char *path)
{
    FILE *f = fopen(path, "rb");
    int c = ' ';
    while (f && (c = fgetc(f)) != EOF && (c == ' ' || c == '\n' || c == '\r' || c == '\t')) {}
    if (f) fclose(f);
    if (c == '{')
        gb_error("%s is a JSON (BIOM 1.0) file, not BIOM 2.1 HDF5; convert it with "
                 "`biom convert -i IN -o OUT.biom --to-hdf5`",
                 path);
    else gb_error("%s is not an HDF5 file (BIOM 2.1 expected)", path);
    return GB_E_FORMAT;
}

static int open_biom(const char *path, reader_t *r)
{
    r->path = path;
    r->file = -1;
    FILE *probe = fopen(path, "rb");
    if (!probe) {
        gb_error("cannot open %s: %s", path, strerror(errno));
        return GB_E_IO;
    }
    fclose(probe);
    if (H5Fis_hdf5(path) <= 0) return not_hdf5(path);
    r->file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (r->file < 0) {
        gb_error("%s: HDF5 cannot open it", path);
        return GB_E_FORMAT;
    }
    int64_t version[2];
    int got = root_pair(r, "format-version", version);
    if (got < 0) return got;
    if (got == 0) {
        gb_error("%s is HDF5 but not BIOM: no root attribute format-version", path);
        return GB_E_FORMAT;
    }
    if (version[0] != 2 || version[1] != 1) {
        gb_error("%s is BIOM format-version %" PRId64 ".%" PRId64 ", only 2.1 is read", path, version[0], version[1]);
        return GB_E_FORMAT;
    }
    return GB_OK;
}

/* Ids and the shape attribute, which must agree. */
static int read_labels(const reader_t *r, biom_table_t *t)
{
    int rc = read_ids(r, "/sample/ids", "sample", &t->sample_ids, &t->sample_blob, &t->nsamples);
    if (rc == GB_OK)
        rc = read_ids(r, "/observation/ids", "observation", &t->feature_ids, &t->feature_blob, &t->nfeatures);
    if (rc != GB_OK) return rc;
    int64_t shape[2];
    int got = root_pair(r, "shape", shape);
    if (got < 0) return got;
    if (got == 1 && (shape[0] != (int64_t)t->nfeatures || shape[1] != (int64_t)t->nsamples)) {
        gb_error("%s: shape attribute says %" PRId64 " observations x %" PRId64 " samples, but the ids are %zu x %zu",
                 r->path, shape[0], shape[1], t->nfeatures, t->nsamples);
        return GB_E_FORMAT;
    }
    return GB_OK;
}

/* ---------------------------------------------------------------- the matrix */

/* One compressed sparse view: major = pointer dimension (samples for CSC). */
typedef struct {
    const char *group; /* "/sample/matrix" or "/observation/matrix" */
    int by_sample;     /* 1: CSC (majors are samples) */
    size_t nmajor, nminor;
    int64_t *indptr; /* [nmajor + 1] */
    hid_t data, indices;
    hsize_t nnz;
} view_t;

/* indptr must start at 0, never decrease, and end at the entry count of data and indices. */
static int check_indptr(const reader_t *r, const view_t *v, hsize_t n_data, hsize_t n_indices)
{
    char name[64];
    snprintf(name, sizeof name, "%s/indptr", v->group);
    if (v->indptr[0] != 0) {
        gb_error("%s: %s starts at %" PRId64 ", not 0", r->path, name, v->indptr[0]);
        return GB_E_FORMAT;
    }
    for (size_t i = 0; i < v->nmajor; i++) {
        if (v->indptr[i + 1] < v->indptr[i]) {
            gb_error("%s: %s decreases at position %zu", r->path, name, i + 1);
            return GB_E_FORMAT;
        }
    }
    int64_t last = v->indptr[v->nmajor];
    if ((hsize_t)last != n_data || (hsize_t)last != n_indices) {
        gb_error("%s: %s ends at %" PRId64 " but %s/data has %llu and %s/indices %llu entries", r->path, name, last,
                 v->group, (unsigned long long)n_data, v->group, (unsigned long long)n_indices);
        return GB_E_FORMAT;
    }
    return GB_OK;
}

/* Open data/indices/indptr of a view and check their sizes against the ids. */
static int open_view(const reader_t *r, view_t *v)
{
    char name[64];
    hsize_t n_ptr, n_data, n_indices;
    hid_t ptr = -1;
    snprintf(name, sizeof name, "%s/indptr", v->group);
    int rc = open_vector(r, name, H5T_INTEGER, &ptr, &n_ptr);
    if (rc == GB_OK && n_ptr != (hsize_t)v->nmajor + 1) {
        gb_error("%s: %s has %llu entries, expected %zu (%zu %s + 1)", r->path, name, (unsigned long long)n_ptr,
                 v->nmajor + 1, v->nmajor, v->by_sample ? "samples" : "observations");
        rc = GB_E_FORMAT;
    }
    if (rc == GB_OK && !(v->indptr = malloc((v->nmajor + 1) * sizeof *v->indptr))) rc = GB_E_NOMEM;
    if (rc == GB_OK) rc = read_range(r, ptr, name, H5T_NATIVE_INT64, 0, n_ptr, v->indptr);
    if (ptr >= 0) H5Dclose(ptr);
    snprintf(name, sizeof name, "%s/data", v->group);
    if (rc == GB_OK) rc = open_vector(r, name, -1, &v->data, &n_data);
    snprintf(name, sizeof name, "%s/indices", v->group);
    if (rc == GB_OK) rc = open_vector(r, name, H5T_INTEGER, &v->indices, &n_indices);
    if (rc == GB_OK) rc = check_indptr(r, v, n_data, n_indices);
    if (rc == GB_OK) v->nnz = n_data;
    if (rc == GB_E_NOMEM) gb_error("%s: out of memory reading %s", r->path, v->group);
    return rc;
}

static void close_view(view_t *v)
{
    free(v->indptr);
    if (v->data >= 0) H5Dclose(v->data);
    if (v->indices >= 0) H5Dclose(v->indices);
}

/* Add one block of entries [first, first + n) into the dense matrix; *major is the pointer
 * run holding entry first (advanced as the block goes on). */
static int scatter_block(const reader_t *r, const view_t *v, hsize_t first, size_t n, const double *val,
                         const int64_t *idx, size_t *major, biom_table_t *t)
{
    for (size_t k = 0; k < n; k++) {
        hsize_t e = first + k;
        while ((hsize_t)v->indptr[*major + 1] <= e) (*major)++; /* skips empty runs */
        if (idx[k] < 0 || (uint64_t)idx[k] >= v->nminor) {
            gb_error("%s: %s/indices[%llu] = %" PRId64 " is outside [0, %zu)", r->path, v->group, (unsigned long long)e,
                     idx[k], v->nminor);
            return GB_E_FORMAT;
        }
        if (!isfinite(val[k]) || val[k] < 0) {
            gb_error("%s: %s/data[%llu] = %g: counts must be finite and not negative", r->path, v->group,
                     (unsigned long long)e, val[k]);
            return GB_E_FORMAT;
        }
        size_t s = v->by_sample ? *major : (size_t)idx[k];
        size_t f = v->by_sample ? (size_t)idx[k] : *major;
        t->counts[s * t->nfeatures + f] += val[k];
    }
    return GB_OK;
}

/* Stream the view's entries into t->counts (zeroed). */
static int fill_dense(const reader_t *r, const view_t *v, biom_table_t *t)
{
    size_t cap = (size_t)(v->nnz < BLOCK_ENTRIES ? v->nnz : BLOCK_ENTRIES);
    double *val = malloc((cap ? cap : 1) * sizeof *val);
    int64_t *idx = malloc((cap ? cap : 1) * sizeof *idx);
    char dname[64], iname[64];
    snprintf(dname, sizeof dname, "%s/data", v->group);
    snprintf(iname, sizeof iname, "%s/indices", v->group);
    int rc = (val && idx) ? GB_OK : GB_E_NOMEM;
    if (rc == GB_E_NOMEM) gb_error("%s: out of memory for read buffers", r->path);
    size_t major = 0;
    for (hsize_t first = 0; rc == GB_OK && first < v->nnz; first += cap) {
        size_t n = (size_t)(v->nnz - first < cap ? v->nnz - first : cap);
        rc = read_range(r, v->data, dname, H5T_NATIVE_DOUBLE, first, n, val);
        if (rc == GB_OK) rc = read_range(r, v->indices, iname, H5T_NATIVE_INT64, first, n, idx);
        if (rc == GB_OK) rc = scatter_block(r, v, first, n, val, idx, &major, t);
    }
    free(val);
    free(idx);
    return rc;
}

static int read_matrix(const reader_t *r, biom_table_t *t)
{
    view_t v = {.group = "/sample/matrix", .by_sample = 1, .data = -1, .indices = -1};
    if (!has_link(r->file, "/sample/matrix/indptr") && has_link(r->file, "/observation/matrix/indptr")) {
        v.group = "/observation/matrix";
        v.by_sample = 0;
    }
    v.nmajor = v.by_sample ? t->nsamples : t->nfeatures;
    v.nminor = v.by_sample ? t->nfeatures : t->nsamples;
    size_t cells = t->nsamples * t->nfeatures;
    if (t->nfeatures != 0 && cells / t->nfeatures != t->nsamples) cells = SIZE_MAX;
    int rc = open_view(r, &v);
    if (rc == GB_OK &&
        (cells > SIZE_MAX / sizeof(double) || !(t->counts = calloc(cells ? cells : 1, sizeof(double))))) {
        gb_error("%s: out of memory for the dense %zu x %zu matrix (%.1f MB)", r->path, t->nsamples, t->nfeatures,
                 (double)t->nsamples * (double)t->nfeatures * 8 / 1e6);
        rc = GB_E_NOMEM;
    }
    if (rc == GB_OK) rc = fill_dense(r, &v, t);
    close_view(&v);
    return rc;
}

/* ---------------------------------------------------------------- optional parts */

/* Number of lineage levels in a "k__A; p__B; ..." string (';' or '|' separated). */
static size_t count_levels(const char *s)
{
    size_t n = 1;
    for (; *s; s++) n += (*s == ';' || *s == '|');
    return n;
}

/* 1-D taxonomy strings split into a padded [n][width] table (new blob; old one freed on
 * success, left to the caller on failure). */
static int split_lineages(char **flat, char *flat_blob, size_t n, biom_table_t *t)
{
    size_t width = 1;
    for (size_t i = 0; i < n; i++) {
        size_t levels = count_levels(flat[i]);
        if (levels > width) width = levels;
    }
    strbuf_t sb = STRBUF_INIT;
    int rc = GB_OK;
    for (size_t i = 0; i < n && rc == GB_OK; i++) {
        const char *s = flat[i];
        for (size_t l = 0; l < width && rc == GB_OK; l++) {
            size_t len = s ? strcspn(s, ";|") : 0;
            rc = put_trimmed(&sb, s ? s : "", len);
            s = (s && s[len]) ? s + len + 1 : NULL;
        }
    }
    if (rc == GB_OK) rc = index_strings(&sb, n * width, &t->lineage, &t->lineage_blob);
    strbuf_free(&sb);
    if (rc != GB_OK) return rc;
    free(flat);
    free(flat_blob);
    t->lineage_width = width;
    return GB_OK;
}

/* /observation/metadata/taxonomy (or "Taxonomy"), when present. */
static int read_taxonomy(const reader_t *r, biom_table_t *t)
{
    const char *name = "/observation/metadata/taxonomy";
    if (!has_link(r->file, name)) name = "/observation/metadata/Taxonomy";
    if (!has_link(r->file, name)) return GB_OK;
    hsize_t dims[2];
    int rank;
    char **cells = NULL, *blob = NULL;
    int rc = read_strings(r, name, dims, &rank, &cells, &blob);
    if (rc != GB_OK) return rc;
    if (dims[0] != t->nfeatures) {
        gb_error("%s: %s has %llu rows for %zu observations", r->path, name, (unsigned long long)dims[0], t->nfeatures);
        free(cells);
        free(blob);
        return GB_E_FORMAT;
    }
    if (rank == 1) {
        rc = split_lineages(cells, blob, t->nfeatures, t);
        if (rc != GB_OK) {
            gb_error("%s: out of memory splitting lineages", r->path);
            free(cells);
            free(blob);
        }
        return rc;
    }
    t->lineage = cells;
    t->lineage_blob = blob;
    t->lineage_width = (size_t)dims[1];
    return GB_OK;
}

/* /gutbrain/{reads,classified,unclassified,bases}: all four or none. */
static int read_qc(const reader_t *r, biom_table_t *t)
{
    static const char *const names[4] = {"/gutbrain/reads", "/gutbrain/classified", "/gutbrain/unclassified",
                                         "/gutbrain/bases"};
    uint64_t **dest[4] = {&t->reads, &t->classified, &t->unclassified, &t->bases};
    for (int i = 0; i < 4; i++)
        if (!has_link(r->file, names[i])) return GB_OK;
    int rc = GB_OK;
    for (int i = 0; i < 4 && rc == GB_OK; i++) {
        hid_t dset = -1;
        hsize_t n = 0;
        rc = open_vector(r, names[i], H5T_INTEGER, &dset, &n);
        if (rc == GB_OK && n != t->nsamples) {
            gb_error("%s: %s has %llu values for %zu samples", r->path, names[i], (unsigned long long)n, t->nsamples);
            rc = GB_E_FORMAT;
        }
        if (rc == GB_OK && !(*dest[i] = malloc((n ? n : 1) * sizeof **dest[i]))) {
            gb_error("%s: out of memory reading %s", r->path, names[i]);
            rc = GB_E_NOMEM;
        }
        if (rc == GB_OK) rc = read_range(r, dset, names[i], H5T_NATIVE_UINT64, 0, n, *dest[i]);
        if (dset >= 0) H5Dclose(dset);
    }
    t->has_qc = rc == GB_OK;
    return rc;
}

/* ---------------------------------------------------------------- entry points */

int biom_read(const char *path, biom_table_t *out)
{
    memset(out, 0, sizeof *out);
    if (!path) return GB_E_USAGE;
    H5E_auto2_t old_print;
    void *old_data;
    H5Eget_auto2(H5E_DEFAULT, &old_print, &old_data);
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL); /* our messages say it in one line */
    reader_t r = {path, -1};
    int rc = h5zstd_register();
    if (rc == GB_OK) rc = open_biom(path, &r);
    if (rc == GB_OK) rc = (out->path = strdup(path)) ? GB_OK : GB_E_NOMEM;
    if (rc == GB_OK) out->generated_by = attr_string(r.file, "generated-by");
    if (rc == GB_OK) out->creation_date = attr_string(r.file, "creation-date");
    if (rc == GB_OK) read_run_provenance(&r, out);
    if (rc == GB_OK) rc = read_labels(&r, out);
    if (rc == GB_OK) rc = read_matrix(&r, out);
    if (rc == GB_OK) rc = read_taxonomy(&r, out);
    if (rc == GB_OK) rc = read_qc(&r, out);
    if (r.file >= 0) H5Fclose(r.file);
    H5Eset_auto2(H5E_DEFAULT, old_print, old_data);
    if (rc != GB_OK) biom_table_free(out);
    else
        gb_debug("%s: %zu samples x %zu observations, lineages %zu wide%s", path, out->nsamples, out->nfeatures,
                 out->lineage_width, out->has_qc ? ", gutbrain QC" : "");
    return rc;
}

void biom_table_free(biom_table_t *t)
{
    if (!t) return;
    free(t->path);
    free(t->generated_by);
    free(t->creation_date);
    free(t->run_db_path);
    free(t->run_command_line);
    free(t->sample_ids);
    free(t->feature_ids);
    free(t->counts);
    free(t->lineage);
    free(t->reads);
    free(t->classified);
    free(t->unclassified);
    free(t->bases);
    free(t->sample_blob);
    free(t->feature_blob);
    free(t->lineage_blob);
    memset(t, 0, sizeof *t);
}

static int cmp_str_ptr(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int biom_duplicate_id(const char *const *ids, size_t n, const char **dup)
{
    *dup = NULL;
    const char **sorted = malloc((n ? n : 1) * sizeof *sorted); /* a sorted copy shows them */
    if (!sorted) return GB_E_NOMEM;
    memcpy(sorted, ids, n * sizeof *sorted);
    qsort(sorted, n, sizeof *sorted, cmp_str_ptr);
    for (size_t i = 1; i < n && !*dup; i++)
        if (strcmp(sorted[i], sorted[i - 1]) == 0) *dup = sorted[i];
    free(sorted);
    return GB_OK;
}

long biom_sample_index(const biom_table_t *t, const char *id)
{
    for (size_t i = 0; i < t->nsamples; i++)
        if (strcmp(t->sample_ids[i], id) == 0) return (long)i;
    return -1;
}
