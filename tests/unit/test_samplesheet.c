/* Unit tests for pipeline/samplesheet.c: CSV and TSV sheets, nf-core/taxprofiler columns in
 * any order with extra columns, quoted fields, CRLF and BOM, blank rows, path resolution
 * against the sheet's folder, single-end samples, input bytes, and every error (one log line
 * naming sheet and line, GB_E_USAGE, nothing returned). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include "test_util.h"
#include <cmocka.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "samplesheet.h"

/* Writes len bytes (strlen when len is -1) to dir/name; returns the path (caller frees). */
static char *put_file(test_tmpdir_t *f, const char *name, const char *text, long len)
{
    char *path = test_path(f->dir, name);
    test_write_file(path, text, len < 0 ? strlen(text) : (size_t)len);
    return path;
}

/* "<realpath of dir>/<rel>" (caller frees): what relative sheet paths resolve against. */
static char *in_dir(test_tmpdir_t *f, const char *rel)
{
    char *real = realpath(f->dir, NULL);
    assert_non_null(real);
    char *p = test_path(real, rel);
    free(real);
    return p;
}

/* Send stderr to a file while loading; returns what was logged (caller frees). */
static char *load_capturing(test_tmpdir_t *f, const char *path, int *rc, samplesheet_t *sh)
{
    char *log_path = in_dir(f, "stderr.txt");
    int saved = test_stderr_begin(log_path);
    *rc = samplesheet_load(path, sh);
    char *text = test_stderr_end(log_path, saved);
    free(log_path);
    return text;
}

static void load_ok(const char *path, samplesheet_t *sh)
{
    assert_int_equal(samplesheet_load(path, sh), GB_OK);
    assert_string_equal(sh->path, path);
}

static void expect_sample(test_tmpdir_t *f, const sample_t *s, const char *id, const char *rel1, const char *rel2,
                          int line)
{
    assert_string_equal(s->id, id);
    char *want = rel1[0] == '/' ? strdup(rel1) : in_dir(f, rel1);
    assert_string_equal(s->fastq[0], want);
    free(want);
    if (!rel2) {
        assert_null(s->fastq[1]);
    } else {
        want = rel2[0] == '/' ? strdup(rel2) : in_dir(f, rel2);
        assert_string_equal(s->fastq[1], want);
        free(want);
    }
    assert_int_equal(s->line, line);
}

/* ---------- good sheets ---------- */

static void test_csv_and_tsv(void **state)
{
    test_tmpdir_t *f = *state;
    const char *csv = "sample,fastq_1,fastq_2\nS1,s1_1.fq.gz,s1_2.fq.gz\nS2,/abs/s2.fq,\n";
    const char *tsv = "sample\tfastq_1\tfastq_2\nS1\ts1_1.fq.gz\ts1_2.fq.gz\nS2\t/abs/s2.fq\t\n";
    const char *text[2] = {csv, tsv};
    for (int k = 0; k < 2; k++) {
        char *path = put_file(f, k ? "sheet.tsv" : "sheet.csv", text[k], -1);
        samplesheet_t sh;
        load_ok(path, &sh);
        assert_int_equal(sh.n, 2);
        expect_sample(f, &sh.samples[0], "S1", "s1_1.fq.gz", "s1_2.fq.gz", 2);
        expect_sample(f, &sh.samples[1], "S2", "/abs/s2.fq", NULL, 3);
        samplesheet_free(&sh);
        assert_null(sh.samples);
        free(path);
    }
    samplesheet_free(NULL);
    f->passed = 1;
}

static void test_nfcore_columns_any_order(void **state)
{
    test_tmpdir_t *f = *state;
    char *a = put_file(f, "taxprofiler.csv",
                       "sample,run_accession,instrument_platform,fastq_1,fastq_2,fasta\n"
                       "2611,ERR5766174,ILLUMINA,,,/data/ERX5474930.fa.gz\n" /* a FASTA-only row */
                       ,
                       -1);
    samplesheet_t sh;
    int rc;
    /* taxprofiler allows FASTA rows; gutbrain needs reads, so fastq_1 is required */
    char *log = load_capturing(f, a, &rc, &sh);
    assert_int_equal(rc, GB_E_USAGE);
    assert_non_null(strstr(log, "taxprofiler.csv:2: sample '2611' has an empty fastq_1"));
    free(log);
    free(a);

    a = put_file(f, "taxprofiler.csv",
                 "sample,run_accession,instrument_platform,fastq_1,fastq_2,fasta\n"
                 "2612,ERR5766176,ILLUMINA,r/2612_1.fq.gz,r/2612_2.fq.gz,\n"
                 "2613,ERR5766180,OXFORD_NANOPORE,r/2613.fq.gz,,\n",
                 -1);
    load_ok(a, &sh);
    assert_int_equal(sh.n, 2);
    expect_sample(f, &sh.samples[0], "2612", "r/2612_1.fq.gz", "r/2612_2.fq.gz", 2);
    expect_sample(f, &sh.samples[1], "2613", "r/2613.fq.gz", NULL, 3);
    samplesheet_free(&sh);
    free(a);

    char *b = put_file(f, "reordered.tsv",
                       "fastq_2\tnotes\tfastq_1\tsample\n"
                       "b_2.fq\tfirst run\tb_1.fq\tB\n",
                       -1);
    load_ok(b, &sh);
    assert_int_equal(sh.n, 1);
    expect_sample(f, &sh.samples[0], "B", "b_1.fq", "b_2.fq", 2);
    samplesheet_free(&sh);
    free(b);
    f->passed = 1;
}

static void test_quoted_fields(void **state)
{
    test_tmpdir_t *f = *state;
    char *path = put_file(f, "quoted.csv",
                          "\"sample\",\"fastq_1\",\"fastq_2\"\n"
                          "\"Q,1\",\"my reads, run 1/a.fq\",\"\"\n"
                          "Q2,\"say \"\"hi\"\".fq\",plain_2.fq\n"
                          "Q3 , \"padded.fq\" ,\n",
                          -1);
    samplesheet_t sh;
    load_ok(path, &sh);
    assert_int_equal(sh.n, 3);
    expect_sample(f, &sh.samples[0], "Q,1", "my reads, run 1/a.fq", NULL, 2);
    expect_sample(f, &sh.samples[1], "Q2", "say \"hi\".fq", "plain_2.fq", 3);
    expect_sample(f, &sh.samples[2], "Q3", "padded.fq", NULL, 4);
    samplesheet_free(&sh);
    free(path);
    f->passed = 1;
}

static void test_crlf_bom_blank_rows(void **state)
{
    test_tmpdir_t *f = *state;
    char *path = put_file(f, "excel.csv",
                          "\xEF\xBB\xBF"
                          "sample, fastq_1, fastq_2\r\n"
                          "\r\n"
                          "A,a_1.fq,a_2.fq\r\n"
                          ",,\r\n"
                          "   \r\n"
                          "B,b.fq,\r\n"
                          "\r\n",
                          -1);
    samplesheet_t sh;
    load_ok(path, &sh);
    assert_int_equal(sh.n, 2);
    expect_sample(f, &sh.samples[0], "A", "a_1.fq", "a_2.fq", 3);
    expect_sample(f, &sh.samples[1], "B", "b.fq", NULL, 6);
    samplesheet_free(&sh);
    free(path);

    /* no final newline, blank lines before the header */
    path = put_file(f, "tight.tsv", "\n\nsample\tfastq_1\nC\tc.fq", -1);
    load_ok(path, &sh);
    assert_int_equal(sh.n, 1);
    expect_sample(f, &sh.samples[0], "C", "c.fq", NULL, 4);
    samplesheet_free(&sh);
    free(path);
    f->passed = 1;
}

static void test_relative_paths(void **state)
{
    test_tmpdir_t *f = *state;
    char *sub = in_dir(f, "sheets");
    assert_int_equal(mkdir(sub, 0755), 0);
    char *path = put_file(f, "sheets/s.csv",
                          "sample,fastq_1,fastq_2\n"
                          "R1,./r1.fq,.//./r1_2.fq\n"
                          "R2,../data/r2.fq,/abs/r2_2.fq\n",
                          -1);
    samplesheet_t sh;
    load_ok(path, &sh);
    expect_sample(f, &sh.samples[0], "R1", "sheets/r1.fq", "sheets/r1_2.fq", 2);
    expect_sample(f, &sh.samples[1], "R2", "sheets/../data/r2.fq", "/abs/r2_2.fq", 3);
    samplesheet_free(&sh);

    /* a relative sheet path, from another working directory, resolves the same way */
    char cwd[PATH_MAX];
    assert_non_null(getcwd(cwd, sizeof cwd));
    assert_int_equal(chdir(f->dir), 0);
    int rc = samplesheet_load("sheets/s.csv", &sh);
    assert_int_equal(chdir(cwd), 0);
    assert_int_equal(rc, GB_OK);
    expect_sample(f, &sh.samples[0], "R1", "sheets/r1.fq", "sheets/r1_2.fq", 2);
    samplesheet_free(&sh);

    assert_int_equal(chdir(sub), 0);
    rc = samplesheet_load("s.csv", &sh);
    assert_int_equal(chdir(cwd), 0);
    assert_int_equal(rc, GB_OK);
    expect_sample(f, &sh.samples[1], "R2", "sheets/../data/r2.fq", "/abs/r2_2.fq", 3);
    samplesheet_free(&sh);
    free(path);
    free(sub);
    f->passed = 1;
}

static void test_single_end(void **state)
{
    test_tmpdir_t *f = *state;
    char *path = put_file(f, "se.csv", "fastq_1,sample\nx.fq,X\ny.fq,Y\n", -1);
    samplesheet_t sh;
    load_ok(path, &sh);
    assert_int_equal(sh.n, 2);
    expect_sample(f, &sh.samples[0], "X", "x.fq", NULL, 2);
    expect_sample(f, &sh.samples[1], "Y", "y.fq", NULL, 3);
    samplesheet_free(&sh);
    free(path);
    f->passed = 1;
}

static void test_bytes(void **state)
{
    test_tmpdir_t *f = *state;
    char blob[1000];
    memset(blob, 'A', sizeof blob);
    free(put_file(f, "p_1.fq", blob, 100));
    free(put_file(f, "p_2.fq", blob, 250));
    free(put_file(f, "single.fq", blob, 1000));
    free(put_file(f, "empty.fq", "", 0));
    char *path = put_file(f, "bytes.csv",
                          "sample,fastq_1,fastq_2\n"
                          "P,p_1.fq,p_2.fq\n"
                          "S,single.fq,\n"
                          "HALF,p_1.fq,missing_2.fq\n"
                          "GONE,missing.fq,missing_2.fq\n"
                          "E,empty.fq,\n",
                          -1);
    samplesheet_t sh;
    load_ok(path, &sh);
    assert_int_equal(sh.n, 5);
    assert_int_equal(sh.samples[0].bytes, 350);
    assert_int_equal(sh.samples[1].bytes, 1000);
    assert_int_equal(sh.samples[2].bytes, 100);
    assert_int_equal(sh.samples[3].bytes, 0);
    assert_int_equal(sh.samples[4].bytes, 0);
    samplesheet_free(&sh);
    free(path);
    f->passed = 1;
}

/* Many samples: order kept, lines counted, duplicate search not quadratic-looking wrong. */
static void test_many_samples(void **state)
{
    test_tmpdir_t *f = *state;
    size_t n = 5000, cap = 64 + n * 48, len = 0;
    char *text = malloc(cap);
    assert_non_null(text);
    len += (size_t)snprintf(text + len, cap - len, "sample\tfastq_1\tfastq_2\n");
    for (size_t i = 0; i < n; i++)
        len += (size_t)snprintf(text + len, cap - len, "s%05zu\tr/%zu_1.fq\tr/%zu_2.fq\n", (i * 7919) % n, i, i);
    char *path = put_file(f, "many.tsv", text, (long)len);
    samplesheet_t sh;
    load_ok(path, &sh);
    assert_int_equal(sh.n, n);
    for (size_t i = 0; i < n; i++) {
        char id[16];
        snprintf(id, sizeof id, "s%05zu", (i * 7919) % n);
        assert_string_equal(sh.samples[i].id, id);
        assert_int_equal(sh.samples[i].line, (int)i + 2);
    }
    samplesheet_free(&sh);
    free(path);
    free(text);
    f->passed = 1;
}

/* ---------- errors ---------- */

typedef struct {
    const char *name; /* what is wrong */
    const char *text;
    long len;           /* -1: strlen */
    const char *logged; /* expected substring after "<sheet>" */
} bad_sheet_t;

/* clang-format off */
static const bad_sheet_t BAD[] = {
    { "empty file", "", -1, ": empty sample sheet" },
    { "only blank lines", "\n\r\n,,\n", -1, ": empty sample sheet" },
    { "no sample column", "id,fastq_1,fastq_2\nA,a.fq,\n", -1, ":1: header has no 'sample' column" },
    { "no fastq_1 column", "sample\tfastq_2\nA\ta.fq\n", -1, ":1: header has no 'fastq_1' column" },
    { "column twice", "sample,fastq_1,sample\nA,a.fq,A\n", -1, ":1: column 'sample' appears twice" },
    { "too few fields", "sample,fastq_1,fastq_2\nA,a.fq\n", -1, ":2: 2 fields, but the header has 3" },
    { "too many fields", "sample,fastq_1,fastq_2\nA,a.fq,b.fq,\n", -1, ":2: 4 fields, but the header has 3" },
    { "TSV row in CSV sheet", "sample,fastq_1,fastq_2\nA\ta.fq\tb.fq\n", -1, ":2: 1 fields, but the header has 3" },
    { "empty id", "sample,fastq_1,fastq_2\nA,a.fq,\n,b.fq,\n", -1, ":3: empty sample id" },
    { "slash in id", "sample,fastq_1\nrun1/A,a.fq\n", -1, ":2: sample id contains '/': 'run1/A'" },
    { "space in id", "sample,fastq_1\nmy sample,a.fq\n", -1, ":2: sample id contains whitespace: 'my sample'" },
    { "quoted space in id", "sample,fastq_1\n\" A\",a.fq\n", -1, ":2: sample id contains whitespace" },
    { "tab in id", "sample,fastq_1\n\"A\tB\",a.fq\n", -1, ":2: sample id contains whitespace" },
    { "control char in id", "sample,fastq_1\nA\x01,a.fq\n", -1, ":2: sample id contains a control character" },
    { "DEL in id", "sample,fastq_1\nA\x7f,a.fq\n", -1, ":2: sample id contains a control character" },
    { "dot id", "sample,fastq_1\n.,a.fq\n", -1, ":2: sample id cannot be '.' or '..'" },
    { "dotdot id", "sample,fastq_1\n..,a.fq\n", -1, ":2: sample id cannot be '.' or '..'" },
    { "empty fastq_1", "sample,fastq_1,fastq_2\nA,,a_2.fq\n", -1, ":2: sample 'A' has an empty fastq_1" },
    { "duplicate id", "sample,fastq_1\nA,a.fq\nB,b.fq\nC,c.fq\nB,b2.fq\nA,a2.fq\n", -1,
      ":5: duplicate sample id 'B' (first on line 3)" },
    { "triple id", "sample,fastq_1\nZ,a.fq\nY,y.fq\nZ,b.fq\nZ,c.fq\n", -1,
      ":4: duplicate sample id 'Z' (first on line 2)" },
    { "header only", "sample,fastq_1,fastq_2\n", -1, ":1: no samples after the header" },
    { "header then blanks", "\nsample,fastq_1,fastq_2\n\n,,\n", -1, ":2: no samples after the header" },
    { "open quote", "sample,fastq_1\n\"A,a.fq\nB,b.fq\n", -1, ":2: quoted field does not end on this line" },
    { "text after quote", "sample,fastq_1\n\"A\"x,a.fq\n", -1, ":2: text after the closing quote of field 1" },
    { "NUL byte", "sample,fastq_1\nA,a\0.fq\n", 23, ":2: NUL byte" },
    { "id too long", NULL, -1, ":2: sample id longer than 200 bytes" },
};
/* clang-format on */

static void test_errors(void **state)
{
    test_tmpdir_t *f = *state;
    char long_sheet[400] = "sample,fastq_1\n";
    size_t at = strlen(long_sheet);
    memset(long_sheet + at, 'x', 201);
    strcpy(long_sheet + at + 201, ",a.fq\n");
    for (size_t i = 0; i < sizeof BAD / sizeof BAD[0]; i++) {
        const bad_sheet_t *b = &BAD[i];
        char *path = put_file(f, "bad.csv", b->text ? b->text : long_sheet, b->len);
        samplesheet_t sh;
        memset(&sh, 0xff, sizeof sh); /* load must reset it */
        int rc;
        char *log = load_capturing(f, path, &rc, &sh);
        char *want;
        assert_true(asprintf(&want, "%s%s", path, b->logged) > 0);
        if (rc != GB_E_USAGE || !strstr(log, want) || test_count_lines(log) != 1)
            fail_msg("case '%s': rc %d, logged:\n%swanted: %s", b->name, rc, log, want);
        assert_null(sh.samples);
        assert_int_equal(sh.n, 0);
        assert_null(sh.path);
        samplesheet_free(&sh);
        free(want);
        free(log);
        free(path);
    }
    f->passed = 1;
}

static void test_unreadable_sheet(void **state)
{
    test_tmpdir_t *f = *state;
    samplesheet_t sh;
    int rc;
    char *missing = in_dir(f, "nope.csv");
    char *log = load_capturing(f, missing, &rc, &sh);
    assert_int_equal(rc, GB_E_USAGE);
    assert_non_null(strstr(log, "cannot open sample sheet"));
    assert_int_equal(test_count_lines(log), 1);
    free(log);
    free(missing);

    log = load_capturing(f, f->dir, &rc, &sh); /* a folder opens but cannot be read */
    assert_int_equal(rc, GB_E_USAGE);
    assert_non_null(strstr(log, "cannot read sample sheet"));
    assert_int_equal(test_count_lines(log), 1);
    assert_null(sh.samples);
    free(log);
    f->passed = 1;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        test_tmpdir_unit_test(test_csv_and_tsv),    test_tmpdir_unit_test(test_nfcore_columns_any_order),
        test_tmpdir_unit_test(test_quoted_fields),  test_tmpdir_unit_test(test_crlf_bom_blank_rows),
        test_tmpdir_unit_test(test_relative_paths), test_tmpdir_unit_test(test_single_end),
        test_tmpdir_unit_test(test_bytes),          test_tmpdir_unit_test(test_many_samples),
        test_tmpdir_unit_test(test_errors),         test_tmpdir_unit_test(test_unreadable_sheet),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
