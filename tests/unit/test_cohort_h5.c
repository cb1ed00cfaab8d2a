/* Unit tests for pipeline/cohort_h5.c and pipeline/h5zstd.c on one MPI rank: a hand-made
 * cohort read back with the HDF5 C API (attributes, ids, CSR and CSC, lineages, QC,
 * provenance, filters, the raw zstd frame of a chunk), empty cohorts (a sample without taxa,
 * no observation at all, no sample at all), rejected inputs leaving no file behind, and a
 * seeded random cohort checked against a dense matrix (seed: $GB_TEST_SEED or 12345). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#define TEST_UTIL_MPI /* runs under MPI: test_mpi_begin/end */
#include "test_util.h"
#include <cmocka.h>
#include "fixture_taxo.h"
#include "fixture_profile.h"
#include <dirent.h>
#include <hdf5.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>
#include "cohort_h5.h"

static char tmpdir[256];

static cohort_meta_t test_meta(void)
{
    cohort_meta_t m;
    memset(&m, 0, sizeof m);
    m.command_line = "gutbrain run --db /db --samples s.csv --out o";
    m.version = "0.9-test";
    m.db_checksum = 0x00c0ffee12345678ULL;
    m.db_path = "/db";
    m.confidence = 0.1;
    m.min_hit_groups = 2;
    m.min_base_quality = 0;
    m.start_time = "2024-06-01T10:00:00Z";
    m.end_time = "2024-06-01T10:05:00Z";
    m.ranks = 1;
    m.threads = 2;
    m.biom_compression = COHORT_DEFLATE;
    return m;
}

/* Number of entries of tmpdir whose name starts with prefix (temporary files left behind). */
static int count_files(const char *prefix)
{
    DIR *d = opendir(tmpdir);
    assert_non_null(d);
    int n = 0;
    for (struct dirent *e; (e = readdir(d));)
        if (strncmp(e->d_name, prefix, strlen(prefix)) == 0) n++;
    closedir(d);
    return n;
}

/* ---------- reading back ---------- */

static hid_t open_file(const char *path)
{
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    assert_true(f >= 0);
    return f;
}

static hsize_t dataset_length(hid_t f, const char *name)
{
    hid_t d = H5Dopen2(f, name, H5P_DEFAULT);
    assert_true(d >= 0);
    hid_t s = H5Dget_space(d);
    hssize_t n = H5Sget_simple_extent_npoints(s);
    H5Sclose(s);
    H5Dclose(d);
    return (hsize_t)n;
}

/* Whole 1-D numeric dataset (caller frees; *n its length). */
static void *read_all(hid_t f, const char *name, hid_t mem_type, size_t elem, hsize_t *n)
{
    *n = dataset_length(f, name);
    void *buf = malloc(*n ? *n * elem : 1);
    assert_non_null(buf);
    hid_t d = H5Dopen2(f, name, H5P_DEFAULT);
    if (*n > 0) assert_true(H5Dread(d, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) >= 0);
    H5Dclose(d);
    return buf;
}

static void assert_i32(hid_t f, const char *name, const int32_t *want, hsize_t n)
{
    hsize_t got_n;
    int32_t *got = read_all(f, name, H5T_NATIVE_INT32, sizeof *got, &got_n);
    assert_int_equal(got_n, n);
    for (hsize_t i = 0; i < n; i++)
        if (got[i] != want[i]) fail_msg("%s[%llu] = %d, want %d", name, (unsigned long long)i, got[i], want[i]);
    free(got);
}

static void assert_f64(hid_t f, const char *name, const double *want, hsize_t n)
{
    hsize_t got_n;
    double *got = read_all(f, name, H5T_NATIVE_DOUBLE, sizeof *got, &got_n);
    assert_int_equal(got_n, n);
    for (hsize_t i = 0; i < n; i++)
        if (got[i] != want[i]) fail_msg("%s[%llu] = %g, want %g", name, (unsigned long long)i, got[i], want[i]);
    free(got);
}

static void assert_u64(hid_t f, const char *name, const uint64_t *want, hsize_t n)
{
    hsize_t got_n;
    uint64_t *got = read_all(f, name, H5T_NATIVE_UINT64, sizeof *got, &got_n);
    assert_int_equal(got_n, n);
    for (hsize_t i = 0; i < n; i++) assert_int_equal(got[i], want[i]);
    free(got);
}

/* Variable-length strings of a dataset, compared to want[0..n) (row-major for 2-D). */
static void assert_strings(hid_t f, const char *name, const char *const *want, hsize_t n)
{
    hid_t d = H5Dopen2(f, name, H5P_DEFAULT);
    assert_true(d >= 0);
    hid_t ftype = H5Dget_type(d);
    assert_true(H5Tis_variable_str(ftype) > 0);
    assert_int_equal(H5Tget_cset(ftype), H5T_CSET_UTF8);
    H5Tclose(ftype);
    hid_t s = H5Dget_space(d);
    assert_int_equal(H5Sget_simple_extent_npoints(s), n);
    H5Sclose(s);
    if (n > 0) {
        char **got = calloc(n, sizeof *got);
        hid_t t = H5Tcopy(H5T_C_S1);
        H5Tset_size(t, H5T_VARIABLE);
        H5Tset_cset(t, H5T_CSET_UTF8);
        assert_true(H5Dread(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, got) >= 0);
        for (hsize_t i = 0; i < n; i++) assert_string_equal(got[i], want[i]);
        hid_t space = H5Dget_space(d);
        H5Dvlen_reclaim(t, space, H5P_DEFAULT, got);
        H5Sclose(space);
        H5Tclose(t);
        free(got);
    }
    H5Dclose(d);
}

static void read_attr_string(hid_t loc, const char *name, char *out, size_t cap)
{
    hid_t a = H5Aopen(loc, name, H5P_DEFAULT);
    assert_true(a >= 0);
    hid_t t = H5Tcopy(H5T_C_S1);
    H5Tset_size(t, H5T_VARIABLE);
    H5Tset_cset(t, H5T_CSET_UTF8);
    char *v = NULL;
    assert_true(H5Aread(a, t, &v) >= 0);
    snprintf(out, cap, "%s", v);
    H5free_memory(v);
    H5Tclose(t);
    H5Aclose(a);
}

static void assert_attr_string(hid_t loc, const char *name, const char *want)
{
    char got[512];
    read_attr_string(loc, name, got, sizeof got);
    assert_string_equal(got, want);
}

/* Numeric attribute as int64 values (n of them). */
static void assert_attr_ints(hid_t loc, const char *name, const int64_t *want, int n)
{
    int64_t got[4] = {0};
    hid_t a = H5Aopen(loc, name, H5P_DEFAULT);
    assert_true(a >= 0);
    hid_t s = H5Aget_space(a);
    assert_int_equal(H5Sget_simple_extent_npoints(s), n);
    H5Sclose(s);
    assert_true(H5Aread(a, H5T_NATIVE_INT64, got) >= 0);
    H5Aclose(a);
    for (int i = 0; i < n; i++) assert_int_equal(got[i], want[i]);
}

/* First filter of a dataset's pipeline after shuffle (H5Z_FILTER_NONE when not chunked). */
static H5Z_filter_t compression_filter(hid_t f, const char *name)
{
    hid_t d = H5Dopen2(f, name, H5P_DEFAULT);
    hid_t dcpl = H5Dget_create_plist(d);
    H5Z_filter_t found = H5Z_FILTER_NONE;
    int n = H5Pget_nfilters(dcpl);
    for (int i = 0; i < n; i++) {
        unsigned flags, cd[4];
        size_t ncd = 4;
        H5Z_filter_t id = H5Pget_filter2(dcpl, (unsigned)i, &flags, &ncd, cd, 0, NULL, NULL);
        if (id != H5Z_FILTER_SHUFFLE) found = id;
        if (id == 32015) assert_int_equal(cd[0], 3);
    }
    H5Pclose(dcpl);
    H5Dclose(d);
    return found;
}

/* ---------- the hand-made cohort ---------- */

/* 4 samples; "beta" has no taxa; "gamma" lists 562 with count 0 (not an entry).
 * Observations: 2, 562, 570, 1239, 10710, 83333. Dense (obs x samples):
 *   2      0  0 0 4
 *   562   10  0 0 3
 *   570    0  0 7 0
 *   1239   2  0 0 0
 *   10710  0  0 1 0
 *   83333  5  0 0 0 */
static uint32_t T0[] = {562, 1239, 83333}, T2[] = {562, 570, 10710}, T3[] = {2, 562};
static uint64_t C0[] = {10, 2, 5}, C2[] = {0, 7, 1}, C3[] = {4, 3};

static void small_profiles(profile_t *p)
{
    p[0] = fixture_profile("alpha", 3, T0, C0, 0);
    p[1] = fixture_profile("beta", 0, NULL, NULL, 1);
    p[2] = fixture_profile("gamma", 3, T2, C2, 2);
    p[3] = fixture_profile("delta", 2, T3, C3, 3);
}

static void test_small_cohort(void **state)
{
    taxo_t t;
    fixture_taxo(FIXTURE_TREE, FIXTURE_TREE_N, 1, &t);
    profile_t p[4];
    small_profiles(p);
    cohort_meta_t meta = test_meta();
    char *path = test_path(tmpdir, "small.biom");
    assert_int_equal(setenv("GUTBRAIN_CREATION_DATE", "2024-06-01T12:00:00", 1), 0);
    assert_int_equal(cohort_write(MPI_COMM_WORLD, path, &t, p, 4, 0, 4, &meta), 0);
    unsetenv("GUTBRAIN_CREATION_DATE");
    assert_int_equal(count_files("small.biom.tmp"), 0);

    hid_t f = open_file(path);
    assert_attr_string(f, "id", "cohort");
    assert_attr_string(f, "type", "Taxon table");
    assert_attr_string(f, "format-url", "http://biom-format.org");
    assert_attr_string(f, "generated-by", "gutbrain 0.9-test");
    assert_attr_string(f, "creation-date", "2024-06-01T12:00:00");
    assert_attr_ints(f, "format-version", (const int64_t[]){2, 1}, 2);
    assert_attr_ints(f, "shape", (const int64_t[]){6, 4}, 2);
    assert_attr_ints(f, "nnz", (const int64_t[]){7}, 1);

    static const char *const obs_ids[] = {"2", "562", "570", "1239", "10710", "83333"};
    static const char *const sample_ids[] = {"alpha", "beta", "gamma", "delta"};
    assert_strings(f, "/observation/ids", obs_ids, 6);
    assert_strings(f, "/sample/ids", sample_ids, 4);

    assert_i32(f, "/sample/matrix/indptr", (const int32_t[]){0, 3, 3, 5, 7}, 5);
    assert_i32(f, "/sample/matrix/indices", (const int32_t[]){1, 3, 5, 2, 4, 0, 1}, 7);
    assert_f64(f, "/sample/matrix/data", (const double[]){10, 2, 5, 7, 1, 4, 3}, 7);
    assert_i32(f, "/observation/matrix/indptr", (const int32_t[]){0, 1, 3, 4, 5, 6, 7}, 7);
    assert_i32(f, "/observation/matrix/indices", (const int32_t[]){3, 0, 3, 2, 0, 2, 0}, 7);
    assert_f64(f, "/observation/matrix/data", (const double[]){4, 10, 3, 7, 2, 1, 5}, 7);

    /* clang-format off */
    static const char *const lineage[] = {
        "d__Bacteria", "p__", "c__", "o__", "f__", "g__", "s__",
        "d__Bacteria", "p__Proteobacteria", "c__Gammaproteobacteria", "o__Enterobacterales",
        "f__Enterobacteriaceae", "g__Escherichia", "s__Escherichia coli",
        "d__Bacteria", "p__Proteobacteria", "c__Gammaproteobacteria", "o__Enterobacterales",
        "f__Enterobacteriaceae", "g__Klebsiella", "s__",
        "d__Bacteria", "p__Firmicutes", "c__", "o__", "f__", "g__", "s__",
        "d__Viruses", "p__", "c__", "o__", "f__", "g__", "s__Escherichia virus Lambda",
        "d__Bacteria", "p__Proteobacteria", "c__Gammaproteobacteria", "o__Enterobacterales",
        "f__Enterobacteriaceae", "g__Escherichia", "s__Escherichia coli",
    };
    /* clang-format on */
    assert_strings(f, "/observation/metadata/taxonomy", lineage, 6 * 7);
    assert_true(H5Lexists(f, "/observation/group-metadata", H5P_DEFAULT) > 0);
    assert_true(H5Lexists(f, "/sample/metadata", H5P_DEFAULT) > 0);
    assert_true(H5Lexists(f, "/sample/group-metadata", H5P_DEFAULT) > 0);

    uint64_t reads[4], classified[4], unclassified[4], bases[4];
    for (int i = 0; i < 4; i++) {
        reads[i] = p[i].reads;
        classified[i] = p[i].classified;
        unclassified[i] = p[i].unclassified;
        bases[i] = p[i].bases;
    }
    assert_u64(f, "/gutbrain/reads", reads, 4);
    assert_u64(f, "/gutbrain/classified", classified, 4);
    assert_u64(f, "/gutbrain/unclassified", unclassified, 4);
    assert_u64(f, "/gutbrain/bases", bases, 4);

    hid_t g = H5Gopen2(f, "/gutbrain", H5P_DEFAULT);
    assert_attr_ints(g, "format-version", (const int64_t[]){1}, 1);
    assert_attr_string(g, "version", "0.9-test");
    assert_attr_string(g, "command-line", meta.command_line);
    assert_attr_string(g, "db-checksum", "00c0ffee12345678");
    assert_attr_string(g, "db-path", "/db");
    assert_attr_string(g, "start-time", "2024-06-01T10:00:00Z");
    assert_attr_string(g, "end-time", "2024-06-01T10:05:00Z");
    assert_attr_string(g, "biom-compression", "deflate");
    assert_attr_ints(g, "minimum-hit-groups", (const int64_t[]){2}, 1);
    assert_attr_ints(g, "minimum-base-quality", (const int64_t[]){0}, 1);
    assert_attr_ints(g, "ranks", (const int64_t[]){1}, 1);
    assert_attr_ints(g, "threads", (const int64_t[]){2}, 1);
    double confidence = 0;
    hid_t a = H5Aopen(g, "confidence", H5P_DEFAULT);
    assert_true(H5Aread(a, H5T_NATIVE_DOUBLE, &confidence) >= 0);
    H5Aclose(a);
    assert_true(confidence == 0.1);
    H5Gclose(g);

    assert_int_equal(compression_filter(f, "/sample/matrix/data"), H5Z_FILTER_DEFLATE);
    assert_int_equal(compression_filter(f, "/observation/matrix/indices"), H5Z_FILTER_DEFLATE);
    assert_int_equal(compression_filter(f, "/gutbrain/reads"), H5Z_FILTER_DEFLATE);
    H5Fclose(f);
    unlink(path);
    free(path);
    taxo_destroy(&t);
}

/* zstd on request for every dataset; rewriting an existing file replaces it. */
static void test_zstd_biom(void **state)
{
    taxo_t t;
    fixture_taxo(FIXTURE_TREE, FIXTURE_TREE_N, 1, &t);
    profile_t p[4];
    small_profiles(p);
    cohort_meta_t meta = test_meta();
    meta.biom_compression = COHORT_ZSTD;
    char *path = test_path(tmpdir, "zstd.biom");
    FILE *old = fopen(path, "w");
    assert_non_null(old);
    fputs("an older file\n", old);
    fclose(old);
    assert_int_equal(cohort_write(MPI_COMM_WORLD, path, &t, p, 4, 0, 4, &meta), 0);
    hid_t f = open_file(path);
    assert_int_equal(compression_filter(f, "/sample/matrix/data"), 32015);
    assert_int_equal(compression_filter(f, "/observation/matrix/indptr"), 32015);
    assert_int_equal(compression_filter(f, "/gutbrain/reads"), 32015);
    assert_f64(f, "/observation/matrix/data", (const double[]){4, 10, 3, 7, 2, 1, 5}, 7);
    hid_t g = H5Gopen2(f, "/gutbrain", H5P_DEFAULT);
    assert_attr_string(g, "biom-compression", "zstd");
    H5Gclose(g);
    H5Fclose(f);
    unlink(path);
    free(path);
    taxo_destroy(&t);
}

/* A chunk of a /gutbrain/ dataset is one standard zstd frame with the content size, holding
 * the byte-shuffled values: what any other 32015 reader expects. */
static void test_zstd_frame(void **state)
{
    taxo_t t;
    fixture_taxo(FIXTURE_TREE, FIXTURE_TREE_N, 1, &t);
    profile_t p[4];
    small_profiles(p);
    cohort_meta_t meta = test_meta();
    meta.biom_compression = COHORT_ZSTD;
    char *path = test_path(tmpdir, "frame.biom");
    assert_int_equal(cohort_write(MPI_COMM_WORLD, path, &t, p, 4, 0, 4, &meta), 0);
    hid_t f = open_file(path);
    hid_t d = H5Dopen2(f, "/gutbrain/bases", H5P_DEFAULT);
    hsize_t offset = 0, raw_size = 0;
    assert_true(H5Dget_chunk_storage_size(d, &offset, &raw_size) >= 0);
    unsigned char *raw = malloc(raw_size);
    uint32_t filter_mask = 0;
    assert_true(H5Dread_chunk(d, H5P_DEFAULT, &offset, &filter_mask, raw) >= 0);
    assert_int_equal(filter_mask, 0);
    assert_int_equal(ZSTD_getFrameContentSize(raw, raw_size), 4 * sizeof(uint64_t));
    unsigned char shuffled[32];
    assert_int_equal(ZSTD_decompress(shuffled, sizeof shuffled, raw, raw_size), 32);
    for (int i = 0; i < 4; i++) {
        uint64_t v = 0; /* byte b of element i is at b * 4 + i after the shuffle */
        for (int b = 0; b < 8; b++) v |= (uint64_t)shuffled[b * 4 + i] << (8 * b);
        assert_int_equal(v, p[i].bases);
    }
    free(raw);
    H5Dclose(d);
    H5Fclose(f);
    unlink(path);
    free(path);
    taxo_destroy(&t);
}

/* Write `raw` as the only chunk of a new 1-D uint32 dataset with filter 32015 and read the
 * dataset back through the filter into out (n values). Returns H5Dread's result. */
static herr_t read_raw_zstd_chunk(const char *path, const void *raw, size_t raw_size, uint32_t *out, hsize_t n)
{
    hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    assert_true(f >= 0);
    hid_t space = H5Screate_simple(1, &n, NULL);
    hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    const unsigned level = 3;
    assert_true(H5Pset_chunk(dcpl, 1, &n) >= 0);
    assert_true(H5Pset_filter(dcpl, 32015, H5Z_FLAG_MANDATORY, 1, &level) >= 0);
    hid_t d = H5Dcreate2(f, "x", H5T_NATIVE_UINT32, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    assert_true(d >= 0);
    hsize_t offset = 0;
    assert_true(H5Dwrite_chunk(d, H5P_DEFAULT, 0, &offset, raw_size, raw) >= 0);
    herr_t rc = H5Dread(d, H5T_NATIVE_UINT32, H5S_ALL, H5S_ALL, H5P_DEFAULT, out);
    H5Dclose(d);
    H5Pclose(dcpl);
    H5Sclose(space);
    H5Fclose(f);
    return rc;
}

/* Other writers may stream frames without the content size in the header: the filter still
 * decodes them (growing its buffer), and rejects a damaged frame instead of returning junk. */
static void test_zstd_frame_without_size(void **state)
{
    enum { N = 1 << 20 }; /* 4 MiB that compress to a few hundred bytes */
    uint32_t *values = malloc(N * sizeof *values), *back = malloc(N * sizeof *back);
    for (uint32_t i = 0; i < N; i++) values[i] = i % 1000;
    size_t cap = ZSTD_compressBound(N * sizeof *values);
    unsigned char *frame = malloc(cap);
    ZSTD_CCtx *cctx = ZSTD_createCCtx();
    assert_false(ZSTD_isError(ZSTD_CCtx_setParameter(cctx, ZSTD_c_contentSizeFlag, 0)));
    size_t n = ZSTD_compress2(cctx, frame, cap, values, N * sizeof *values);
    assert_false(ZSTD_isError(n));
    ZSTD_freeCCtx(cctx);
    assert_true(ZSTD_getFrameContentSize(frame, n) == ZSTD_CONTENTSIZE_UNKNOWN);
    char *path = test_path(tmpdir, "stream.h5");
    assert_true(read_raw_zstd_chunk(path, frame, n, back, N) >= 0);
    assert_memory_equal(back, values, N * sizeof *values);
    frame[n / 2] ^= 0x5a; /* damaged (the frame has no checksum: also cut it short) */
    assert_true(read_raw_zstd_chunk(path, frame, n / 2, back, N) < 0);
    unlink(path);
    free(path);
    free(frame);
    free(values);
    free(back);
}

/* Every sample without taxa: 0 observations, still a complete BIOM file. */
static void test_no_observations(void **state)
{
    taxo_t t;
    fixture_taxo(FIXTURE_TREE, FIXTURE_TREE_N, 1, &t);
    profile_t p[3];
    p[0] = fixture_profile("s1", 0, NULL, NULL, 0);
    p[1] = fixture_profile("s2", 0, NULL, NULL, 1);
    uint32_t tz[] = {562};
    uint64_t cz[] = {0};
    p[2] = fixture_profile("s3", 1, tz, cz, 2); /* a listed taxon with count 0 is no entry */
    cohort_meta_t meta = test_meta();
    char *path = test_path(tmpdir, "empty.biom");
    assert_int_equal(cohort_write(MPI_COMM_WORLD, path, &t, p, 3, 0, 3, &meta), 0);
    hid_t f = open_file(path);
    assert_attr_ints(f, "shape", (const int64_t[]){0, 3}, 2);
    assert_attr_ints(f, "nnz", (const int64_t[]){0}, 1);
    assert_strings(f, "/observation/ids", NULL, 0);
    assert_strings(f, "/sample/ids", (const char *const[]){"s1", "s2", "s3"}, 3);
    assert_strings(f, "/observation/metadata/taxonomy", NULL, 0);
    assert_i32(f, "/sample/matrix/indptr", (const int32_t[]){0, 0, 0, 0}, 4);
    assert_i32(f, "/observation/matrix/indptr", (const int32_t[]){0}, 1);
    assert_int_equal(dataset_length(f, "/sample/matrix/data"), 0);
    assert_int_equal(dataset_length(f, "/observation/matrix/indices"), 0);
    assert_u64(f, "/gutbrain/unclassified", (const uint64_t[]){100, 101, 102}, 3);
    H5Fclose(f);
    unlink(path);
    free(path);
    taxo_destroy(&t);
}

/* No sample at all: shape 0 x 0. */
static void test_no_samples(void **state)
{
    taxo_t t;
    fixture_taxo(FIXTURE_TREE, FIXTURE_TREE_N, 1, &t);
    cohort_meta_t meta = test_meta();
    char *path = test_path(tmpdir, "none.biom");
    assert_int_equal(cohort_write(MPI_COMM_WORLD, path, &t, NULL, 0, 0, 0, &meta), 0);
    hid_t f = open_file(path);
    assert_attr_ints(f, "shape", (const int64_t[]){0, 0}, 2);
    assert_i32(f, "/sample/matrix/indptr", (const int32_t[]){0}, 1);
    assert_int_equal(dataset_length(f, "/gutbrain/reads"), 0);
    H5Fclose(f);
    unlink(path);
    free(path);
    taxo_destroy(&t);
}

/* SOURCE_DATE_EPOCH fixes the creation date when GUTBRAIN_CREATION_DATE is unset. */
static void test_source_date_epoch(void **state)
{
    taxo_t t;
    fixture_taxo(FIXTURE_TREE, FIXTURE_TREE_N, 1, &t);
    profile_t p[4];
    small_profiles(p);
    cohort_meta_t meta = test_meta();
    char *path = test_path(tmpdir, "epoch.biom");
    unsetenv("GUTBRAIN_CREATION_DATE");
    assert_int_equal(setenv("SOURCE_DATE_EPOCH", "86400", 1), 0);
    assert_int_equal(cohort_write(MPI_COMM_WORLD, path, &t, p, 4, 0, 4, &meta), 0);
    unsetenv("SOURCE_DATE_EPOCH");
    hid_t f = open_file(path);
    assert_attr_string(f, "creation-date", "1970-01-02T00:00:00");
    H5Fclose(f);
    unlink(path);
    free(path);
    taxo_destroy(&t);
}

/* Rejected inputs (unknown taxid, unsorted taxids, blocks that do not tile the cohort,
 * duplicate sample ids, taxid 0, a missing directory): an error code, nothing under the
 * final name, no temporary file left. */
static void test_rejected_inputs(void **state)
{
    taxo_t t;
    fixture_taxo(FIXTURE_TREE, FIXTURE_TREE_N, 1, &t);
    cohort_meta_t meta = test_meta();
    char *path = test_path(tmpdir, "bad.biom");
    uint32_t unknown[] = {562, 999999};
    uint64_t counts[] = {1, 1};
    profile_t p = fixture_profile("x", 2, unknown, counts, 0);
    assert_int_equal(cohort_write(MPI_COMM_WORLD, path, &t, &p, 1, 0, 1, &meta), GB_E_TAXONOMY);
    uint32_t unsorted[] = {570, 562};
    p = fixture_profile("x", 2, unsorted, counts, 0);
    assert_int_equal(cohort_write(MPI_COMM_WORLD, path, &t, &p, 1, 0, 1, &meta), GB_E_FORMAT);
    uint32_t fine[] = {562, 570};
    p = fixture_profile("x", 2, fine, counts, 0);
    /* blocks that do not tile the cohort */
    assert_int_equal(cohort_write(MPI_COMM_WORLD, path, &t, &p, 1, 0, 2, &meta), GB_E_INTERNAL);
    assert_int_equal(cohort_write(MPI_COMM_WORLD, path, &t, &p, 1, 1, 2, &meta), GB_E_INTERNAL);
    /* duplicate sample ids (only rank 0 sees them all) */
    profile_t twins[2] = {fixture_profile("x", 2, fine, counts, 0), fixture_profile("x", 2, fine, counts, 1)};
    assert_int_equal(cohort_write(MPI_COMM_WORLD, path, &t, twins, 2, 0, 2, &meta), GB_E_USAGE);
    /* taxid 0 is no taxon */
    uint32_t zero[] = {0, 562};
    p = fixture_profile("x", 2, zero, counts, 0);
    assert_int_equal(cohort_write(MPI_COMM_WORLD, path, &t, &p, 1, 0, 1, &meta), GB_E_TAXONOMY);
    p = fixture_profile("x", 2, fine, counts, 0);
    /* a directory that does not exist */
    char *nowhere = test_path(tmpdir, "no/such/dir/c.biom");
    assert_int_equal(cohort_write(MPI_COMM_WORLD, nowhere, &t, &p, 1, 0, 1, &meta), GB_E_IO);
    free(nowhere);
    assert_int_equal(count_files("bad.biom"), 0);
    free(path);
    taxo_destroy(&t);
}

/* ---------- a seeded random cohort ---------- */

/* Genera 1000+g under Bacteria (rank "domain", NCBI's name since 2025), species 100000+i
 * under genus i % 13. */
static void random_taxo(uint32_t nspecies, taxo_t *t)
{
    uint32_t n = 3 + 13 + nspecies;
    node_t *rows = calloc(n, sizeof *rows);
    char(*names)[32] = calloc(n, sizeof *names);
    rows[0] = (node_t){0, 0, "", ""};
    rows[1] = (node_t){1, 0, "no rank", "root"};
    rows[2] = (node_t){2, 1, "domain", "Bacteria"};
    for (uint32_t g = 0; g < 13; g++) {
        snprintf(names[3 + g], sizeof names[0], "Genus%u", g);
        rows[3 + g] = (node_t){1000 + g, 2, "genus", names[3 + g]};
    }
    for (uint32_t i = 0; i < nspecies; i++) {
        snprintf(names[16 + i], sizeof names[0], "Genus%u sp%u", i % 13, i);
        rows[16 + i] = (node_t){100000 + i, 3 + i % 13, "species", names[16 + i]};
    }
    fixture_taxo(rows, n, 1, t);
    free(rows);
    free(names);
}

static void test_random_cohort(void **state)
{
    uint64_t seed = test_seed("test_random_cohort");
    enum { NS = 120, NT = 300 };
    taxo_t t;
    random_taxo(NT, &t);
    uint64_t *dense = calloc((size_t)NS * NT, sizeof *dense); /* [species][sample] */
    profile_t p[NS];
    uint32_t *taxids = calloc((size_t)NS * NT, sizeof *taxids);
    uint64_t *counts = calloc((size_t)NS * NT, sizeof *counts);
    char ids[NS][16];
    test_rng_t s_rng = {seed};
    for (int s = 0; s < NS; s++) {
        size_t n = 0;
        uint64_t density = test_rng_next(&s_rng) % 40; /* percent; some samples empty */
        for (int i = 0; i < NT; i++) {
            if (test_rng_next(&s_rng) % 100 >= density) continue;
            uint64_t c = test_rng_next(&s_rng) % 5; /* zero counts included */
            taxids[(size_t)s * NT + n] = 100000 + (uint32_t)i;
            counts[(size_t)s * NT + n] = c;
            dense[(size_t)i * NS + s] = c;
            n++;
        }
        snprintf(ids[s], sizeof ids[s], "S%03d", s);
        p[s] = fixture_profile(ids[s], n, taxids + (size_t)s * NT, counts + (size_t)s * NT, (uint64_t)s);
    }
    cohort_meta_t meta = test_meta();
    char *path = test_path(tmpdir, "random.biom");
    assert_int_equal(cohort_write(MPI_COMM_WORLD, path, &t, p, NS, 0, NS, &meta), 0);

    /* the expected observations: species with any non-zero count */
    int32_t obs_of[NT];
    int32_t nobs = 0;
    for (int i = 0; i < NT; i++) {
        int any = 0;
        for (int s = 0; s < NS; s++) any |= dense[(size_t)i * NS + s] != 0;
        obs_of[i] = any ? nobs++ : -1;
    }
    hid_t f = open_file(path);
    hsize_t n_ptr, n_idx, n_dat;
    int32_t *cptr = read_all(f, "/sample/matrix/indptr", H5T_NATIVE_INT32, 4, &n_ptr);
    int32_t *cidx = read_all(f, "/sample/matrix/indices", H5T_NATIVE_INT32, 4, &n_idx);
    double *cdat = read_all(f, "/sample/matrix/data", H5T_NATIVE_DOUBLE, 8, &n_dat);
    assert_int_equal(n_ptr, NS + 1);
    uint64_t nnz = 0;
    for (int s = 0; s < NS; s++) {
        int32_t e = cptr[s];
        for (int i = 0; i < NT; i++) {
            if (dense[(size_t)i * NS + s] == 0) continue;
            assert_true(e < cptr[s + 1]);
            assert_int_equal(cidx[e], obs_of[i]);
            assert_true(cdat[e] == (double)dense[(size_t)i * NS + s]);
            e++;
            nnz++;
        }
        assert_int_equal(e, cptr[s + 1]);
    }
    assert_int_equal(n_idx, nnz);
    int32_t *rptr = read_all(f, "/observation/matrix/indptr", H5T_NATIVE_INT32, 4, &n_ptr);
    int32_t *ridx = read_all(f, "/observation/matrix/indices", H5T_NATIVE_INT32, 4, &n_idx);
    double *rdat = read_all(f, "/observation/matrix/data", H5T_NATIVE_DOUBLE, 8, &n_dat);
    assert_int_equal(n_ptr, (hsize_t)nobs + 1);
    for (int i = 0; i < NT; i++) {
        if (obs_of[i] < 0) continue;
        int32_t e = rptr[obs_of[i]];
        for (int s = 0; s < NS; s++) {
            if (dense[(size_t)i * NS + s] == 0) continue;
            assert_int_equal(ridx[e], s);
            assert_true(rdat[e] == (double)dense[(size_t)i * NS + s]);
            e++;
        }
        assert_int_equal(e, rptr[obs_of[i] + 1]);
    }
    assert_attr_ints(f, "shape", (const int64_t[]){nobs, NS}, 2);
    char(*cells)[48] = calloc((size_t)nobs * 7, sizeof *cells);
    const char **lineage = calloc((size_t)nobs * 7, sizeof *lineage);
    for (int i = 0; i < NT; i++) {
        if (obs_of[i] < 0) continue;
        char(*row)[48] = cells + (size_t)obs_of[i] * 7;
        snprintf(row[0], sizeof row[0], "d__Bacteria");
        snprintf(row[1], sizeof row[1], "p__");
        snprintf(row[2], sizeof row[2], "c__");
        snprintf(row[3], sizeof row[3], "o__");
        snprintf(row[4], sizeof row[4], "f__");
        snprintf(row[5], sizeof row[5], "g__Genus%d", i % 13);
        snprintf(row[6], sizeof row[6], "s__Genus%d sp%d", i % 13, i);
    }
    for (int c = 0; c < nobs * 7; c++) lineage[c] = cells[c];
    assert_strings(f, "/observation/metadata/taxonomy", lineage, (hsize_t)nobs * 7);
    free(cells);
    free(lineage);
    H5Fclose(f);
    free(cptr);
    free(cidx);
    free(cdat);
    free(rptr);
    free(ridx);
    free(rdat);
    free(dense);
    free(taxids);
    free(counts);
    unlink(path);
    free(path);
    taxo_destroy(&t);
}

/* The filter registers more than once without harm. */
static void test_register_twice(void **state)
{
    assert_int_equal(h5zstd_register(), 0);
    assert_int_equal(h5zstd_register(), 0);
    assert_true(H5Zfilter_avail(32015) > 0);
    unsigned config = 0;
    assert_true(H5Zget_filter_info(32015, &config) >= 0);
    assert_true(config & H5Z_FILTER_CONFIG_ENCODE_ENABLED);
    assert_true(config & H5Z_FILTER_CONFIG_DECODE_ENABLED);
}

int main(int argc, char **argv)
{
    if (test_mpi_begin(&argc, &argv, tmpdir, sizeof tmpdir) != 0) return 1;
    if (!getenv("GB_TEST_HDF5_ERRORS")) H5Eset_auto2(H5E_DEFAULT, NULL, NULL); /* some cases fail on purpose */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_register_twice),
        cmocka_unit_test(test_small_cohort),
        cmocka_unit_test(test_zstd_biom),
        cmocka_unit_test(test_zstd_frame),
        cmocka_unit_test(test_zstd_frame_without_size),
        cmocka_unit_test(test_no_observations),
        cmocka_unit_test(test_no_samples),
        cmocka_unit_test(test_source_date_epoch),
        cmocka_unit_test(test_rejected_inputs),
        cmocka_unit_test(test_random_cohort),
    };
    return test_mpi_end(tmpdir, cmocka_run_group_tests(tests, NULL, NULL));
}
