/* Unit tests for pipeline/biom_read.c: a cohort file written by cohort_write (deflate and zstd,
 * one MPI rank), files written by python biom-format (Table.to_hdf5 and `biom convert`) and
 * edited with h5py into every malformed shape the reader must refuse, a hand-made file with
 * fixed-length strings, CSR only, integer data and a 1-D taxonomy, and the real Kovtun 2022
 * cohort converted by tests/integration/data/kovtun_to_biom.py.
 *
 * The python parts need /usr/bin/python3 with biom-format and h5py (tests/deps.sh installs
 * them); without them those tests print why and are skipped. The Kovtun test reads
 * $GUTBRAIN_DATA (default ../shared/data) and is skipped when the data are absent. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#define TEST_UTIL_MPI /* runs under MPI: test_mpi_begin/end */
#include "test_util.h"
#include <cmocka.h>
#include "fixture_taxo.h"
#include "fixture_profile.h"
#include <hdf5.h>
#include <math.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "biom_read.h"
#include "cohort_h5.h"
#include "log.h"

static char tmpdir[256];
static int have_python_biom; /* python files generated */

/* ---------- a cohort written by cohort_write ---------- */

/* Samples alpha (562:10, 570:2), beta (none), gamma (2:4, 562:1). Observations 2, 562, 570. */
static uint32_t TA[] = {562, 570}, TG[] = {2, 562};
static uint64_t CA[] = {10, 2}, CG[] = {4, 1};

static void write_cohort(const char *path, cohort_compression_t comp)
{
    taxo_t t;
    fixture_taxo(FIXTURE_TREE, FIXTURE_TREE_N, 1, &t);
    profile_t p[3] = {fixture_profile("alpha", 2, TA, CA, 0), fixture_profile("beta", 0, NULL, NULL, 1),
                      fixture_profile("gamma", 2, TG, CG, 2)};
    cohort_meta_t meta;
    memset(&meta, 0, sizeof meta);
    meta.version = "0.9-test";
    meta.ranks = 1;
    meta.threads = 1;
    meta.biom_compression = comp;
    assert_int_equal(cohort_write(MPI_COMM_WORLD, path, &t, p, 3, 0, 3, &meta), 0);
    taxo_destroy(&t);
}

static void check_cohort(const biom_table_t *b)
{
    assert_int_equal(b->nsamples, 3);
    assert_int_equal(b->nfeatures, 3);
    assert_string_equal(b->sample_ids[0], "alpha");
    assert_string_equal(b->sample_ids[1], "beta");
    assert_string_equal(b->sample_ids[2], "gamma");
    assert_string_equal(b->feature_ids[0], "2");
    assert_string_equal(b->feature_ids[1], "562");
    assert_string_equal(b->feature_ids[2], "570");
    static const double want[9] = {0, 10, 2, /* beta */ 0, 0, 0, /* gamma */ 4, 1, 0};
    for (int i = 0; i < 9; i++) assert_true(b->counts[i] == want[i]);
    assert_string_equal(b->generated_by, "gutbrain 0.9-test");
    /* lineages: 7 levels, empty ranks as the bare prefix */
    assert_int_equal(b->lineage_width, 7);
    /* clang-format off */
    static const char *const l562[7] = {"d__Bacteria", "p__Proteobacteria", "c__Gammaproteobacteria",
                                        "o__Enterobacterales", "f__Enterobacteriaceae", "g__Escherichia",
                                        "s__Escherichia coli"};
    /* clang-format on */
    for (int l = 0; l < 7; l++) assert_string_equal(b->lineage[1 * 7 + l], l562[l]);
    assert_string_equal(b->lineage[0 * 7 + 0], "d__Bacteria");
    assert_string_equal(b->lineage[0 * 7 + 5], "g__");
    assert_string_equal(b->lineage[2 * 7 + 5], "g__Klebsiella");
    assert_string_equal(b->lineage[2 * 7 + 6], "s__");
    /* QC */
    assert_true(b->has_qc);
    assert_int_equal(b->classified[0], 12);
    assert_int_equal(b->unclassified[1], 101);
    assert_int_equal(b->reads[2], 5 + 102);
    assert_int_equal(b->bases[2], (5 + 102) * 150);
    assert_int_equal(biom_sample_index(b, "gamma"), 2);
    assert_int_equal(biom_sample_index(b, "omega"), -1);
}

static void test_cohort_file(void **state)
{
    char *path = test_path(tmpdir, "cohort.biom");
    write_cohort(path, COHORT_DEFLATE);
    biom_table_t b;
    assert_int_equal(biom_read(path, &b), 0);
    check_cohort(&b);
    biom_table_free(&b);
    biom_table_free(&b); /* a freed table is zeroed: freeing again is harmless */
    unlink(path);
    free(path);
}

static void test_cohort_zstd(void **state)
{
    char *path = test_path(tmpdir, "cohort_zstd.biom");
    write_cohort(path, COHORT_ZSTD);
    biom_table_t b;
    assert_int_equal(biom_read(path, &b), 0);
    check_cohort(&b);
    biom_table_free(&b);
    unlink(path);
    free(path);
}

/* ---------- files made by python biom-format ---------- */

/* Writes, into argv[1]:
 *   tax.biom    4 observations x 3 samples, ragged taxonomy lists (biom pads them with "")
 *   plain.biom  the same without observation metadata
 *   zeros.biom  2 x 3 of zeros (no entries); empty.biom 0 x 0 (ids stored as float64[0])
 *   conv.biom   `biom convert` of a classic OTU TSV with a "k__; p__" taxonomy column
 *   fixed.biom  by hand: fixed-length ids, CSR only, int64 indices, int32 data, 1-D taxonomy
 *   and copies of plain.biom broken one way each (see test_bad_files). */
static const char *const PY_GENERATOR =
    "import sys, os, shutil, subprocess\n"
    "import numpy as np, h5py, biom\n"
    "d = sys.argv[1]\n"
    "def p(n): return os.path.join(d, n)\n"
    "data = np.array([[0, 1.5, 2], [3, 0, 5], [0, 0, 7], [4, 0, 0]])\n"
    "obs = ['O1', 'O2', 'O3', 'O4']; smp = ['S1', 'S2', 'S3']\n"
    "md = [{'taxonomy': ['k__Bacteria', 'p__Firmicutes', 'g__Lactobacillus', 's__gasseri']},\n"
    "      {'taxonomy': ['k__Bacteria', 'p__Proteobacteria']}, {'taxonomy': ['k__Bacteria']},\n"
    "      {'taxonomy': ['Unassigned']}]\n"
    "def save(t, name):\n"
    "    with h5py.File(p(name), 'w') as f: t.to_hdf5(f, 'unit test')\n"
    "save(biom.Table(data, obs, smp, md), 'tax.biom')\n"
    "save(biom.Table(data, obs, smp), 'plain.biom')\n"
    "save(biom.Table(np.zeros((2, 3)), ['a', 'b'], ['x', 'y', 'z']), 'zeros.biom')\n"
    "save(biom.Table(np.zeros((0, 0)), [], []), 'empty.biom')\n"
    "with open(p('otu.tsv'), 'w') as f:\n"
    "    f.write('#OTU ID\\tS1\\tS2\\ttaxonomy\\n')\n"
    "    f.write('O1\\t1\\t0\\tk__Bacteria; p__Firmicutes; g__Lactobacillus\\n')\n"
    "    f.write('O2\\t0\\t4\\tk__Bacteria; p__Proteobacteria\\n')\n"
    "subprocess.run(['biom', 'convert', '-i', p('otu.tsv'), '-o', p('conv.biom'), '--to-hdf5',\n"
    "                '--table-type=OTU table', '--process-obs-metadata', 'taxonomy'], check=True)\n"
    "with h5py.File(p('fixed.biom'), 'w') as f:\n"
    "    f.attrs['format-version'] = np.array([2, 1], dtype=np.int32)\n"
    "    f.attrs['shape'] = np.array([3, 2], dtype=np.int32)\n"
    "    f.create_dataset('observation/ids', data=np.array([b'o1', b'o2', b'o3'], dtype='S8'))\n"
    "    f.create_dataset('sample/ids', data=np.array([b'sA', b'sB'], dtype='S2'))\n"
    "    f.create_dataset('observation/matrix/data', data=np.array([5, 6, 7], dtype=np.int32))\n"
    "    f.create_dataset('observation/matrix/indices', data=np.array([1, 0, 1], dtype=np.int64))\n"
    "    f.create_dataset('observation/matrix/indptr', data=np.array([0, 1, 1, 3], dtype=np.int64))\n"
    "    f.create_dataset('observation/metadata/taxonomy',\n"
    "        data=np.array([b'k__A; p__B; g__C', b'k__A', b' k__D | p__E '], dtype='S16'))\n"
    "def broken(name, edit):\n"
    "    shutil.copy(p('plain.biom'), p(name))\n"
    "    with h5py.File(p(name), 'r+') as f: edit(f)\n"
    "def setitem(path, i, v):\n"
    "    def edit(f): f[path][i] = v\n"
    "    return edit\n"
    "def replace(path, values):\n"
    "    def edit(f):\n"
    "        del f[path]\n"
    "        f.create_dataset(path, data=values)\n"
    "    return edit\n"
    "broken('v20.biom', lambda f: f.attrs.__setitem__('format-version', np.array([2, 0])))\n"
    "broken('noversion.biom', lambda f: f.attrs.__delitem__('format-version'))\n"
    "broken('noids.biom', lambda f: f.__delitem__('sample/ids'))\n"
    "broken('nomatrix.biom', lambda f: (f.__delitem__('sample/matrix'), f.__delitem__('observation/matrix')))\n"
    "broken('csronly.biom', lambda f: f.__delitem__('sample/matrix'))\n"
    "broken('shape.biom', lambda f: f.attrs.__setitem__('shape', np.array([5, 3])))\n"
    "broken('indptr.biom', setitem('sample/matrix/indptr', 1, 4))\n"
    "broken('indptrlen.biom', replace('sample/matrix/indptr', np.array([0, 2, 6], dtype=np.int32)))\n"
    "broken('truncated.biom', replace('sample/matrix/data', np.array([1.0, 2.0, 3.0])))\n"
    "broken('index.biom', setitem('sample/matrix/indices', 0, 9))\n"
    "broken('negative.biom', setitem('sample/matrix/data', 0, -1.0))\n"
    "broken('nan.biom', setitem('sample/matrix/data', 1, float('nan')))\n"
    "broken('dupids.biom', setitem('sample/ids', 1, 'S1'))\n"
    "broken('strdata.biom', replace('sample/matrix/data', np.array([b'a'] * 6)))\n"
    "with open(p('json.biom'), 'w') as f: f.write(' {\"id\": null, \"format\": \"Biological Observation Matrix "
    "1.0.0\"}')\n"
    "with open(p('text.biom'), 'w') as f: f.write('#OTU ID\\tS1\\n')\n"
    "with h5py.File(p('other.h5'), 'w') as f: f['x'] = np.arange(3)\n";

/* Group setup: run the generator once (asserts work here: cmocka runs setups as tests). */
static int generate_python_files(void **state)
{
    if (system("/usr/bin/python3 -c 'import biom, h5py, numpy' 2>/dev/null") != 0) {
        printf("python3 lacks biom-format or h5py (tests/deps.sh installs python3-biom-format, python3-h5py): "
               "python BIOM tests skipped\n");
        return 0;
    }
    char *script = test_path(tmpdir, "gen.py");
    FILE *f = fopen(script, "w");
    assert_non_null(f);
    fputs(PY_GENERATOR, f);
    fclose(f);
    char *cmd = NULL;
    assert_true(asprintf(&cmd, "cd '%s' && /usr/bin/python3 '%s' '%s' >gen.log 2>&1", tmpdir, script, tmpdir) > 0);
    int rc = system(cmd);
    if (rc != 0) {
        char *log = NULL;
        assert_true(asprintf(&log, "cat '%s/gen.log'", tmpdir) > 0);
        if (system(log) != 0) fprintf(stderr, "no generator log\n");
        free(log);
    }
    assert_int_equal(rc, 0);
    free(cmd);
    free(script);
    have_python_biom = 1;
    return 0;
}

static void read_tmp(const char *name, biom_table_t *b)
{
    char *path = test_path(tmpdir, name);
    int rc = biom_read(path, b);
    if (rc != 0) fail_msg("%s: %s", name, gb_last_error());
    free(path);
}

static void test_python_tax(void **state)
{
    if (!have_python_biom) skip();
    biom_table_t b;
    read_tmp("tax.biom", &b);
    assert_int_equal(b.nsamples, 3);
    assert_int_equal(b.nfeatures, 4);
    static const double want[12] = {0, 3, 0, 4, 1.5, 0, 0, 0, 2, 5, 7, 0}; /* samples x features */
    for (int i = 0; i < 12; i++) assert_true(b.counts[i] == want[i]);
    assert_string_equal(b.feature_ids[3], "O4");
    assert_string_equal(b.sample_ids[2], "S3");
    assert_string_equal(b.generated_by, "unit test");
    assert_int_equal(b.lineage_width, 4);
    assert_string_equal(b.lineage[0 * 4 + 2], "g__Lactobacillus");
    assert_string_equal(b.lineage[0 * 4 + 3], "s__gasseri");
    assert_string_equal(b.lineage[1 * 4 + 1], "p__Proteobacteria");
    assert_string_equal(b.lineage[1 * 4 + 2], "");
    assert_string_equal(b.lineage[3 * 4 + 0], "Unassigned");
    assert_false(b.has_qc);
    assert_null(b.reads);
    biom_table_free(&b);
}

static void test_python_plain_and_csr(void **state)
{
    if (!have_python_biom) skip();
    static const double want[12] = {0, 3, 0, 4, 1.5, 0, 0, 0, 2, 5, 7, 0};
    const char *names[2] = {"plain.biom", "csronly.biom"}; /* CSC view, then CSR alone */
    for (int k = 0; k < 2; k++) {
        biom_table_t b;
        read_tmp(names[k], &b);
        assert_int_equal(b.nsamples, 3);
        assert_int_equal(b.nfeatures, 4);
        for (int i = 0; i < 12; i++) assert_true(b.counts[i] == want[i]);
        assert_null(b.lineage);
        assert_int_equal(b.lineage_width, 0);
        biom_table_free(&b);
    }
}

static void test_biom_convert(void **state)
{
    if (!have_python_biom) skip();
    biom_table_t b;
    read_tmp("conv.biom", &b);
    assert_int_equal(b.nsamples, 2);
    assert_int_equal(b.nfeatures, 2);
    static const double want[4] = {1, 0, 0, 4};
    for (int i = 0; i < 4; i++) assert_true(b.counts[i] == want[i]);
    assert_int_equal(b.lineage_width, 3);
    assert_string_equal(b.lineage[0], "k__Bacteria");
    assert_string_equal(b.lineage[1], "p__Firmicutes"); /* "; " split, spaces trimmed */
    assert_string_equal(b.lineage[2], "g__Lactobacillus");
    assert_string_equal(b.lineage[5], "");
    biom_table_free(&b);
}

static void test_fixed_strings_csr_1d_taxonomy(void **state)
{
    if (!have_python_biom) skip();
    biom_table_t b;
    read_tmp("fixed.biom", &b);
    assert_int_equal(b.nsamples, 2);
    assert_int_equal(b.nfeatures, 3);
    assert_string_equal(b.feature_ids[0], "o1");
    assert_string_equal(b.sample_ids[0], "sA"); /* full-width fixed strings (no NUL) */
    assert_string_equal(b.sample_ids[1], "sB");
    static const double want[6] = {0, 0, 6, 5, 0, 7};
    for (int i = 0; i < 6; i++) assert_true(b.counts[i] == want[i]);
    assert_int_equal(b.lineage_width, 3);
    assert_string_equal(b.lineage[0], "k__A");
    assert_string_equal(b.lineage[1], "p__B");
    assert_string_equal(b.lineage[2], "g__C");
    assert_string_equal(b.lineage[3], "k__A");
    assert_string_equal(b.lineage[4], "");
    assert_string_equal(b.lineage[6], "k__D"); /* '|' also separates, cells trimmed */
    assert_string_equal(b.lineage[7], "p__E");
    biom_table_free(&b);
}

static void test_empty_tables(void **state)
{
    if (!have_python_biom) skip();
    biom_table_t b;
    read_tmp("zeros.biom", &b);
    assert_int_equal(b.nsamples, 3);
    assert_int_equal(b.nfeatures, 2);
    for (int i = 0; i < 6; i++) assert_true(b.counts[i] == 0);
    biom_table_free(&b);
    read_tmp("empty.biom", &b);
    assert_int_equal(b.nsamples, 0);
    assert_int_equal(b.nfeatures, 0);
    assert_non_null(b.counts); /* allocated even when empty: callers need no special case */
    biom_table_free(&b);
}

/* Each broken file: its error code, and a message naming the file and the problem. */
static void expect_error(const char *name, int code, const char *phrase)
{
    char *path = test_path(tmpdir, name);
    biom_table_t b;
    gb_clear_last_error();
    int rc = biom_read(path, &b);
    if (rc != code) fail_msg("%s: got %d, want %d (%s)", name, rc, code, gb_last_error());
    if (!strstr(gb_last_error(), name) || !strstr(gb_last_error(), phrase))
        fail_msg("%s: message \"%s\" lacks the file name or \"%s\"", name, gb_last_error(), phrase);
    assert_null(b.counts);
    assert_null(b.sample_ids);
    biom_table_free(&b);
    free(path);
}

static void test_bad_files(void **state)
{
    expect_error("does-not-exist.biom", GB_E_IO, "No such file");
    if (!have_python_biom) skip();
    expect_error("json.biom", GB_E_FORMAT, "JSON (BIOM 1.0)");
    expect_error("text.biom", GB_E_FORMAT, "not an HDF5 file");
    expect_error("other.h5", GB_E_FORMAT, "no root attribute format-version");
    expect_error("noversion.biom", GB_E_FORMAT, "not BIOM");
    expect_error("v20.biom", GB_E_FORMAT, "format-version 2.0");
    expect_error("noids.biom", GB_E_FORMAT, "no /sample/ids");
    expect_error("nomatrix.biom", GB_E_FORMAT, "no /sample/matrix/indptr");
    expect_error("shape.biom", GB_E_FORMAT, "shape attribute says 5 observations");
    expect_error("indptr.biom", GB_E_FORMAT, "/sample/matrix/indptr decreases");
    expect_error("indptrlen.biom", GB_E_FORMAT, "expected 4 (3 samples + 1)");
    expect_error("truncated.biom", GB_E_FORMAT, "/sample/matrix/data has 3");
    expect_error("index.biom", GB_E_FORMAT, "indices[0] = 9 is outside [0, 4)");
    expect_error("negative.biom", GB_E_FORMAT, "data[0] = -1");
    expect_error("nan.biom", GB_E_FORMAT, "must be finite");
    expect_error("dupids.biom", GB_E_FORMAT, "sample id \"S1\" appears more than once");
    expect_error("strdata.biom", GB_E_FORMAT, "/sample/matrix/data is not a 1-D numeric dataset");
}

/* ---------- the real MDD cohort ---------- */

static void test_kovtun(void **state)
{
    test_kovtun_to_biom("S6a_genus_level_signatures.tsv.gz", "", tmpdir, "kovtun.biom", "kovtun.tsv");
    biom_table_t b;
    read_tmp("kovtun.biom", &b);
    assert_int_equal(b.nsamples, 74);
    assert_int_equal(b.nfeatures, 1110);
    assert_string_equal(b.sample_ids[0], "HC_1");
    assert_string_equal(b.sample_ids[38], "PwD_2");
    assert_string_equal(b.sample_ids[73], "PwD_37");
    assert_string_equal(b.feature_ids[0], "Asparagine_synthetase_asnA,Faecalibacterium");
    /* the published value, parsed by the same correctly rounded strtod as Python's float() */
    assert_true(b.counts[0] == strtod("0.17724690406062", NULL));
    assert_int_equal(b.lineage_width, 7);
    assert_string_equal(b.lineage[5], "g__Faecalibacterium");
    assert_string_equal(b.lineage[6], "s__");
    double total = 0;
    for (size_t i = 0; i < b.nsamples * b.nfeatures; i++) total += b.counts[i];
    assert_true(total > 0);
    biom_table_free(&b);
    char *p = test_path(tmpdir, "kovtun.biom");
    unlink(p);
    free(p);
    p = test_path(tmpdir, "kovtun.tsv");
    unlink(p);
    free(p);
}

int main(int argc, char **argv)
{
    if (test_mpi_begin(&argc, &argv, tmpdir, sizeof tmpdir) != 0) return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cohort_file),  cmocka_unit_test(test_cohort_zstd),
        cmocka_unit_test(test_python_tax),   cmocka_unit_test(test_python_plain_and_csr),
        cmocka_unit_test(test_biom_convert), cmocka_unit_test(test_fixed_strings_csr_1d_taxonomy),
        cmocka_unit_test(test_empty_tables), cmocka_unit_test(test_bad_files),
        cmocka_unit_test(test_kovtun),
    };
    return test_mpi_end(tmpdir, cmocka_run_group_tests(tests, generate_python_files, NULL));
}
