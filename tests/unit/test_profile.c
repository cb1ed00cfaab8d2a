/* Unit tests for pipeline/profile.c: the exact file format, round trips (empty profile
 * included), every prefix of a valid file rejected, each corruption rejected with one
 * FILE:LINE log line, atomic writes (no temp file left, failures clean), paths, and the
 * fingerprint: it changes with input size, mtime, DB checksum and each parameter, and with
 * nothing else (processing order included). Random inputs use $GB_TEST_SEED or 12345. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include "test_util.h"
#include <cmocka.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "profile.h"

static test_rng_t rng; /* seeded in main */

/* Names in dir (excluding . and ..), joined with '|' in sorted order (caller frees). */
static char *list_dir(const char *dir)
{
    struct dirent **names;
    int n = scandir(dir, &names, NULL, alphasort);
    assert_true(n >= 0);
    char *out = calloc(1, 4096);
    assert_non_null(out);
    for (int i = 0; i < n; i++) {
        if (strcmp(names[i]->d_name, ".") && strcmp(names[i]->d_name, "..")) {
            if (out[0]) strcat(out, "|");
            strcat(out, names[i]->d_name);
        }
        free(names[i]);
    }
    free(names);
    return out;
}

/* Runs profile_read with stderr sent to a file; returns the log (caller frees). */
static char *read_capturing(const test_tmpdir_t *f, const char *outdir, const char *id, int *rc, profile_t *p)
{
    char *log_path = test_path(f->dir, "stderr.txt");
    int saved = test_stderr_begin(log_path);
    *rc = profile_read(outdir, id, p);
    char *text = test_stderr_end(log_path, saved);
    free(log_path);
    return text;
}

/* ---------- a known profile ---------- */

static uint32_t TAXID[] = {2, 562, 1280, 511145};
static uint64_t COUNT[] = {5, 1000, 7, 88};

static profile_t sample_profile(void)
{
    /* clang-format off */
    profile_t p = {.id = "S1", .fingerprint = 0x0123456789abcdefULL, .reads = 1200,
                   .classified = 1100, .unclassified = 100, .bases = 360000, .ntaxa = 4,
                   .taxid = TAXID, .count = COUNT};
    /* clang-format on */
    return p;
}

static const char EXPECTED[] = "# gutbrain-profile 1\n"
                               "# sample\tS1\n"
                               "# fingerprint\t0123456789abcdef\n"
                               "# reads\t1200\n"
                               "# classified\t1100\n"
                               "# unclassified\t100\n"
                               "# bases\t360000\n"
                               "taxid\treads\n"
                               "2\t5\n"
                               "562\t1000\n"
                               "1280\t7\n"
                               "511145\t88\n";

static void expect_equal_profiles(const profile_t *a, const profile_t *b)
{
    assert_string_equal(a->id, b->id);
    assert_int_equal(a->fingerprint, b->fingerprint);
    assert_int_equal(a->reads, b->reads);
    assert_int_equal(a->classified, b->classified);
    assert_int_equal(a->unclassified, b->unclassified);
    assert_int_equal(a->bases, b->bases);
    assert_int_equal(a->ntaxa, b->ntaxa);
    for (size_t i = 0; i < a->ntaxa; i++) {
        assert_int_equal(a->taxid[i], b->taxid[i]);
        assert_int_equal(a->count[i], b->count[i]);
    }
}

/* ---------- format and round trips ---------- */

static void test_exact_format_and_round_trip(void **state)
{
    test_tmpdir_t *f = *state;
    profile_t p = sample_profile(), back;
    assert_int_equal(profile_write(f->dir, &p), GB_OK);
    char *file = test_path(f->dir, "samples/S1.profile.tsv");
    size_t len;
    char *text = test_read_file(file, &len);
    assert_int_equal(len, sizeof EXPECTED - 1);
    assert_memory_equal(text, EXPECTED, len);
    assert_int_equal(profile_read(f->dir, "S1", &back), GB_OK);
    expect_equal_profiles(&p, &back);
    profile_free(&back);
    assert_null(back.id);
    profile_free(NULL);

    /* large values and a rewrite over an existing file */
    uint32_t taxid[2] = {1, UINT32_MAX};
    uint64_t count[2] = {UINT64_MAX - 10, 10};
    /* clang-format off */
    profile_t big = {.id = "S1", .fingerprint = UINT64_MAX, .reads = UINT64_MAX,
                     .classified = UINT64_MAX, .unclassified = 0, .bases = UINT64_MAX,
                     .ntaxa = 2, .taxid = taxid, .count = count};
    /* clang-format on */
    assert_int_equal(profile_write(f->dir, &big), GB_OK);
    assert_int_equal(profile_read(f->dir, "S1", &back), GB_OK);
    expect_equal_profiles(&big, &back);
    profile_free(&back);
    free(text);
    free(file);
    f->passed = 1;
}

static void test_empty_profiles(void **state)
{
    test_tmpdir_t *f = *state;
    profile_t none = {.id = "empty"}, back;
    assert_int_equal(profile_write(f->dir, &none), GB_OK);
    assert_int_equal(profile_read(f->dir, "empty", &back), GB_OK);
    expect_equal_profiles(&none, &back);
    assert_null(back.taxid);
    profile_free(&back);

    profile_t unclassified = {
        .id = "all_unclassified", .reads = 42, .unclassified = 42, .bases = 4200, .fingerprint = 7};
    assert_int_equal(profile_write(f->dir, &unclassified), GB_OK);
    assert_int_equal(profile_read(f->dir, "all_unclassified", &back), GB_OK);
    expect_equal_profiles(&unclassified, &back);
    profile_free(&back);
    f->passed = 1;
}

static void test_random_round_trips(void **state)
{
    test_tmpdir_t *f = *state;
    for (int round = 0; round < 50; round++) {
        size_t n = (size_t)(test_rng_next(&rng) % 3000);
        uint32_t *taxid = malloc((n + 1) * sizeof *taxid);
        uint64_t *count = malloc((n + 1) * sizeof *count);
        assert_true(taxid && count);
        uint64_t sum = 0, next = 1;
        for (size_t i = 0; i < n; i++) {
            next += test_rng_next(&rng) % 5000;
            taxid[i] = (uint32_t)next++;
            count[i] = 1 + test_rng_next(&rng) % (round % 2 ? 3 : 1000000000);
            sum += count[i];
        }
        char id[32];
        snprintf(id, sizeof id, "r%d", round);
        uint64_t unclassified = test_rng_next(&rng) % 100000;
        /* clang-format off */
        profile_t p = {.id = id, .fingerprint = test_rng_next(&rng), .reads = sum + unclassified,
                       .classified = sum, .unclassified = unclassified, .bases = test_rng_next(&rng),
                       .ntaxa = n, .taxid = taxid, .count = count}, back;
        /* clang-format on */
        assert_int_equal(profile_write(f->dir, &p), GB_OK);
        assert_int_equal(profile_read(f->dir, id, &back), GB_OK);
        expect_equal_profiles(&p, &back);
        profile_free(&back);
        free(taxid);
        free(count);
    }
    f->passed = 1;
}

/* ---------- damaged files ---------- */

static void write_raw_profile(const test_tmpdir_t *f, const char *id, const char *text, size_t len)
{
    char *samples = test_path(f->dir, "samples");
    mkdir(samples, 0755);
    char *file;
    assert_true(asprintf(&file, "%s/%s.profile.tsv", samples, id) > 0);
    test_write_file(file, text, len);
    free(file);
    free(samples);
}

/* Every strict prefix of a valid file is rejected: a cut anywhere never passes for a
 * complete profile. */
static void test_every_truncation_rejected(void **state)
{
    test_tmpdir_t *f = *state;
    for (size_t len = 0; len < sizeof EXPECTED - 1; len++) {
        write_raw_profile(f, "S1", EXPECTED, len);
        profile_t back;
        int rc;
        char *log = read_capturing(f, f->dir, "S1", &rc, &back);
        if (rc != GB_E_FORMAT || test_count_lines(log) != 1 || !strstr(log, "S1.profile.tsv:"))
            fail_msg("prefix of %zu bytes: rc %d, log:\n%s", len, rc, log);
        assert_null(back.id);
        assert_null(back.taxid);
        free(log);
    }
    f->passed = 1;
}

typedef struct {
    const char *name;
    const char *from, *to; /* replace the first occurrence of from in EXPECTED */
    const char *logged;    /* expected in the log line, after "S1.profile.tsv" */
} corruption_t;

/* clang-format off */
static const corruption_t DAMAGE[] = {
    { "wrong magic", "profile 1", "profile 2", ":1: expected '# gutbrain-profile 1'" },
    { "wrong sample", "sample\tS1", "sample\tS2", ":2: profile of sample 'S2', expected 'S1'" },
    { "sample prefix", "sample\tS1", "sample\tS11", ":2: profile of sample 'S11'" },
    { "missing sample line", "# sample\tS1\n", "", ":2: expected '# sample<TAB><id>'" },
    { "uppercase hex", "0123456789abcdef", "0123456789ABCDEF", ":3: expected '# fingerprint" },
    { "short hex", "0123456789abcdef", "123456789abcdef", ":3: expected '# fingerprint" },
    { "long hex", "0123456789abcdef", "0123456789abcdef0", ":3: expected '# fingerprint" },
    { "non-hex digit", "0123456789abcdef", "0123456789abcdeg", ":3: expected '# fingerprint" },
    { "hex prefix", "0123456789abcdef", "0x23456789abcdef", ":3: expected '# fingerprint" },
    { "space for tab", "# reads\t", "# reads ", ":4: expected '# reads<TAB><unsigned integer>'" },
    { "header order", "# classified\t1100\n# unclassified\t100\n",
      "# unclassified\t100\n# classified\t1100\n", ":5: expected '# classified" },
    { "negative", "# bases\t360000", "# bases\t-360000", ":7: expected '# bases" },
    { "plus sign", "# bases\t360000", "# bases\t+360000", ":7: expected '# bases" },
    { "leading zero", "# bases\t360000", "# bases\t0360000", ":7: expected '# bases" },
    { "trailing space", "# bases\t360000", "# bases\t360000 ", ":7: expected '# bases" },
    { "overflow", "# bases\t360000", "# bases\t18446744073709551616", ":7: expected '# bases" },
    { "column header", "taxid\treads", "taxid\tcount", ":8: expected 'taxid<TAB>reads'" },
    { "taxids descending", "562\t1000\n1280\t7\n", "1280\t7\n562\t1000\n", ":11: taxids not strictly ascending" },
    { "taxid repeated", "1280\t7\n", "562\t7\n", ":11: taxids not strictly ascending" },
    { "taxid zero", "2\t5\n", "0\t5\n", ":9: bad taxid" },
    { "taxid too big", "511145\t88", "4294967296\t88", ":12: bad taxid" },
    { "count zero", "1280\t7\n", "1280\t0\n", ":11: bad count" },
    { "count text", "1280\t7\n", "1280\tseven\n", ":11: bad count" },
    { "three columns", "1280\t7\n", "1280\t7\t1\n", ":11: bad count" },
    { "no tab", "1280\t7\n", "1280 7\n", ":11: expected '<taxid><TAB><count>'" },
    { "sum too small", "1280\t7\n", "1280\t6\n", ":12: sum of counts differs from classified" },
    { "sum too big", "511145\t88\n", "511145\t89\n", ":12: sum of counts differs from classified" },
    { "taxon lost", "1280\t7\n", "", ":11: sum of counts differs from classified" },
    { "reads mismatch", "# reads\t1200", "# reads\t1201", ":12: reads is not classified + unclassified" },
    { "blank line at end", "511145\t88\n", "511145\t88\n\n", ":13: expected '<taxid><TAB><count>'" },
    { "CRLF", "taxid\treads\n", "taxid\treads\r\n", ":8: expected 'taxid<TAB>reads'" },
    { "NUL byte", "562\t1000", "562\t10\0000", ":10: NUL byte" },
};
/* clang-format on */

static void test_corruptions_rejected(void **state)
{
    test_tmpdir_t *f = *state;
    char text[1024];
    for (size_t i = 0; i < sizeof DAMAGE / sizeof DAMAGE[0]; i++) {
        const corruption_t *d = &DAMAGE[i];
        const char *at = strstr(EXPECTED, d->from);
        assert_non_null(at);
        size_t head = (size_t)(at - EXPECTED), from = strlen(d->from);
        /* "NUL byte" carries an embedded NUL: its replacement is as long as the original */
        size_t to = strcmp(d->name, "NUL byte") ? strlen(d->to) : from;
        memcpy(text, EXPECTED, head);
        memcpy(text + head, d->to, to);
        size_t len = head + to + strlen(at + from);
        memcpy(text + head + to, at + from, strlen(at + from));
        write_raw_profile(f, "S1", text, len);
        profile_t back;
        int rc;
        char *log = read_capturing(f, f->dir, "S1", &rc, &back);
        char *want;
        assert_true(asprintf(&want, "%s/samples/S1.profile.tsv%s", f->dir, d->logged) > 0);
        if (rc != GB_E_FORMAT || test_count_lines(log) != 1 || !strstr(log, want))
            fail_msg("case '%s': rc %d, log:\n%swanted: %s", d->name, rc, log, want);
        assert_null(back.id);
        free(want);
        free(log);
    }
    f->passed = 1;
}

/* --report-minimizer-data: two more columns, read back into minimizers and distinct; a
 * line missing them, or an empty profile with the longer header, read as such. */
static void test_minimizer_columns(void **state)
{
    test_tmpdir_t *f = *state;
    uint64_t minimizers[] = {0, 4000, 30, 900}, distinct[] = {0, 2500, 30, 12};
    profile_t p = sample_profile(), back;
    p.minimizers = minimizers;
    p.distinct = distinct;
    assert_int_equal(profile_write(f->dir, &p), GB_OK);
    char *file = test_path(f->dir, "samples/S1.profile.tsv");
    size_t len;
    char *text = test_read_file(file, &len);
    const char *body = strstr(text, "taxid\t");
    assert_non_null(body);
    assert_string_equal(body, "taxid\treads\tminimizers\tdistinct_minimizers\n"
                              "2\t5\t0\t0\n562\t1000\t4000\t2500\n1280\t7\t30\t30\n511145\t88\t900\t12\n");
    assert_int_equal(profile_read(f->dir, "S1", &back), GB_OK);
    expect_equal_profiles(&p, &back);
    assert_memory_equal(back.minimizers, minimizers, sizeof minimizers);
    assert_memory_equal(back.distinct, distinct, sizeof distinct);
    profile_free(&back);

    /* a taxon line with the count alone under the longer header is damage */
    char *cut = strstr(text, "\t4000\t2500");
    memmove(cut, cut + 10, strlen(cut + 10) + 1);
    write_raw_profile(f, "S1", text, strlen(text));
    int rc;
    char *log = read_capturing(f, f->dir, "S1", &rc, &back);
    assert_int_equal(rc, GB_E_FORMAT);
    assert_non_null(strstr(log, ":10: expected '<taxid><TAB><count><TAB><minimizers><TAB><distinct>'"));
    free(log);

    profile_t none = {.id = "empty", .minimizers = minimizers, .distinct = distinct};
    assert_int_equal(profile_write(f->dir, &none), GB_OK);
    assert_int_equal(profile_read(f->dir, "empty", &back), GB_OK);
    assert_non_null(back.minimizers); /* the columns exist, with no taxa */
    assert_int_equal(back.ntaxa, 0);
    profile_free(&back);
    free(text);
    free(file);
    f->passed = 1;
}

/* A profile read under another id (a renamed file, a copied folder) is not that sample's. */
static void test_wrong_sample_id(void **state)
{
    test_tmpdir_t *f = *state;
    profile_t p = sample_profile(), back;
    assert_int_equal(profile_write(f->dir, &p), GB_OK);
    char *from = test_path(f->dir, "samples/S1.profile.tsv");
    char *to = test_path(f->dir, "samples/S2.profile.tsv");
    assert_int_equal(rename(from, to), 0);
    int rc;
    char *log = read_capturing(f, f->dir, "S2", &rc, &back);
    assert_int_equal(rc, GB_E_FORMAT);
    assert_non_null(strstr(log, "S2.profile.tsv:2: profile of sample 'S1', expected 'S2'"));
    free(log);
    free(from);
    free(to);
    f->passed = 1;
}

/* No profile yet is the normal state before a sample runs: GB_E_IO, and no error logged. */
static void test_missing_profile(void **state)
{
    test_tmpdir_t *f = *state;
    profile_t back;
    int rc;
    char *log = read_capturing(f, f->dir, "never_ran", &rc, &back);
    assert_int_equal(rc, GB_E_IO);
    assert_string_equal(log, "");
    assert_null(back.id);
    free(log);

    char *gone = test_path(f->dir, "no_such_outdir");
    log = read_capturing(f, gone, "S1", &rc, &back);
    assert_int_equal(rc, GB_E_IO);
    assert_string_equal(log, "");
    free(log);
    free(gone);
    f->passed = 1;
}

/* ---------- atomic writes ---------- */

static void test_no_temp_files_left(void **state)
{
    test_tmpdir_t *f = *state;
    char *samples = test_path(f->dir, "samples");
    profile_t p = sample_profile();
    assert_int_equal(profile_write(f->dir, &p), GB_OK); /* creates samples/ */
    p.id = "S2";
    assert_int_equal(profile_write(f->dir, &p), GB_OK);
    p.id = "S1";
    assert_int_equal(profile_write(f->dir, &p), GB_OK); /* replaces */
    char *names = list_dir(samples);
    assert_string_equal(names, "S1.profile.tsv|S2.profile.tsv");
    struct stat st;
    assert_int_equal(stat(samples, &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    free(names);

    /* a trailing slash on OUTDIR changes nothing */
    char *slashed;
    assert_true(asprintf(&slashed, "%s//", f->dir) > 0);
    p.id = "S3";
    assert_int_equal(profile_write(slashed, &p), GB_OK);
    profile_t back;
    assert_int_equal(profile_read(f->dir, "S3", &back), GB_OK);
    profile_free(&back);
    names = list_dir(samples);
    assert_string_equal(names, "S1.profile.tsv|S2.profile.tsv|S3.profile.tsv");
    free(names);
    free(slashed);
    free(samples);
    f->passed = 1;
}

/* End of a capture begun with test_stderr_begin(log_path) around `call`, which returned rc:
 * the number of lines logged. Fails the test, with the log, unless rc is want_rc. */
static int lines_logged(char *log_path, int saved, const char *call, int rc, int want_rc)
{
    char *text = test_stderr_end(log_path, saved);
    if (rc != want_rc) fail_msg("%s: rc %d (want %d), log:\n%s", call, rc, want_rc, text);
    int lines = test_count_lines(text);
    free(text);
    free(log_path);
    return lines;
}

/* Runs profile_write with stderr captured; returns the number of log lines. */
static int write_failing(const test_tmpdir_t *f, const char *outdir, const profile_t *p, int want_rc)
{
    char *log_path = test_path(f->dir, "stderr.txt");
    int saved = test_stderr_begin(log_path);
    int rc = profile_write(outdir, p);
    return lines_logged(log_path, saved, outdir, rc, want_rc);
}

/* We run as root, so permissions cannot force failures: files in place of folders, a
 * folder in place of the final file, and /proc do. */
static void test_failed_writes_are_clean(void **state)
{
    test_tmpdir_t *f = *state;
    profile_t p = sample_profile();

    char *file_outdir = test_path(f->dir, "plainfile");
    test_write_file(file_outdir, "x", 1);
    assert_int_equal(write_failing(f, file_outdir, &p, GB_E_IO), 1);

    char *odir = test_path(f->dir, "out2"), *samples = test_path(f->dir, "out2/samples");
    assert_int_equal(mkdir(odir, 0755), 0);
    test_write_file(samples, "x", 1); /* samples is a file */
    assert_int_equal(write_failing(f, odir, &p, GB_E_IO), 1);
    char *names = list_dir(odir);
    assert_string_equal(names, "samples");
    free(names);

    /* the final name is a non-empty folder: everything works until the rename */
    char *odir3 = test_path(f->dir, "out3"), *blocker = test_path(f->dir, "out3/samples/S1.profile.tsv");
    char *inner = test_path(f->dir, "out3/samples/S1.profile.tsv/keep");
    assert_int_equal(mkdir(odir3, 0755), 0);
    assert_int_equal(mkdir(samples = (free(samples), test_path(f->dir, "out3/samples")), 0755), 0);
    assert_int_equal(mkdir(blocker, 0755), 0);
    test_write_file(inner, "x", 1);
    assert_int_equal(write_failing(f, odir3, &p, GB_E_IO), 1);
    names = list_dir(samples);
    assert_string_equal(names, "S1.profile.tsv"); /* the folder; no temp file */
    free(names);

    assert_int_equal(write_failing(f, "/proc", &p, GB_E_IO), 1);
    assert_int_equal(write_failing(f, "/proc/self/gutbrain_out", &p, GB_E_IO), 1);
    /* OUTDIR itself must exist: only samples/ is created */
    char *gone = test_path(f->dir, "missing_outdir");
    assert_int_equal(write_failing(f, gone, &p, GB_E_IO), 1);

    free(gone);
    free(inner);
    free(blocker);
    free(odir3);
    free(samples);
    free(odir);
    free(file_outdir);
    f->passed = 1;
}

/* A profile the reader would reject is never written (it would be redone forever). */
static void test_inconsistent_profile_refused(void **state)
{
    test_tmpdir_t *f = *state;
    uint32_t taxid[2] = {5, 3};
    uint64_t count[2] = {1, 1};
    profile_t p = {.id = "X", .reads = 2, .classified = 2, .ntaxa = 2, .taxid = taxid, .count = count};
    assert_int_equal(write_failing(f, f->dir, &p, GB_E_INTERNAL), 1); /* descending */
    taxid[0] = 1;
    count[1] = 0;
    p.classified = 1;
    p.reads = 1;
    assert_int_equal(write_failing(f, f->dir, &p, GB_E_INTERNAL), 1); /* zero count */
    count[1] = 1;
    assert_int_equal(write_failing(f, f->dir, &p, GB_E_INTERNAL), 1); /* sum != classified */
    p.classified = 2;
    assert_int_equal(write_failing(f, f->dir, &p, GB_E_INTERNAL), 1); /* reads != sum */
    taxid[0] = 0;
    p.reads = 2;
    assert_int_equal(write_failing(f, f->dir, &p, GB_E_INTERNAL), 1); /* taxid 0 */
    taxid[0] = 1;
    p.id = "a/b";
    assert_int_equal(write_failing(f, f->dir, &p, GB_E_USAGE), 1);
    p.id = "..";
    assert_int_equal(write_failing(f, f->dir, &p, GB_E_USAGE), 1);
    char *names = list_dir(f->dir);
    assert_string_equal(names, "stderr.txt"); /* nothing else created */
    free(names);
    f->passed = 1;
}

/* profile_path expected to fail with GB_E_USAGE; returns the number of log lines. */
static int path_failing(const test_tmpdir_t *f, char *buf, size_t cap, const char *id)
{
    char *log_path = test_path(f->dir, "stderr.txt");
    int saved = test_stderr_begin(log_path);
    int rc = profile_path(buf, cap, "out", id, ".tsv");
    return lines_logged(log_path, saved, id, rc, GB_E_USAGE);
}

static void test_paths(void **state)
{
    test_tmpdir_t *f = *state;
    char buf[64];
    assert_int_equal(profile_path(buf, sizeof buf, "out", "S1", ".kreport"), GB_OK);
    assert_string_equal(buf, "out/samples/S1.kreport");
    assert_int_equal(profile_path(buf, sizeof buf, "out///", "S1", ".profile.tsv"), GB_OK);
    assert_string_equal(buf, "out/samples/S1.profile.tsv");
    assert_int_equal(profile_path(buf, sizeof buf, "/", "S1", ""), GB_OK);
    assert_string_equal(buf, "/samples/S1");
    /* exactly fitting, then one byte short */
    assert_int_equal(profile_path(buf, 19, "out", "S1", ".tsv"), GB_OK);
    assert_string_equal(buf, "out/samples/S1.tsv");
    assert_int_equal(path_failing(f, buf, 18, "S1"), 1);
    assert_int_equal(path_failing(f, buf, sizeof buf, "a/b"), 1);
    assert_int_equal(path_failing(f, buf, sizeof buf, ""), 1);
    assert_int_equal(path_failing(f, buf, sizeof buf, "."), 1);
    f->passed = 1;
}

/* ---------- fingerprint ---------- */

static void set_mtime(const char *path, time_t sec, long nsec)
{
    struct timespec t[2] = {{sec, nsec}, {sec, nsec}};
    assert_int_equal(utimensat(AT_FDCWD, path, t, 0), 0);
}

static void test_fingerprint_sensitivity(void **state)
{
    test_tmpdir_t *f = *state;
    char *r1 = test_path(f->dir, "r_1.fq"), *r2 = test_path(f->dir, "r_2.fq");
    test_write_file(r1, "@a\nACGT\n+\nIIII\n", 16);
    test_write_file(r2, "@a\nTTTT\n+\nIIII\n", 16);
    set_mtime(r1, 1700000000, 123456789);
    set_mtime(r2, 1700000000, 987654321);
    sample_t s = {.id = "S1", .fastq = {r1, r2}};
    run_params_t base = {.db_checksum = 0xfeedULL, .confidence = 0.1, .min_hit_groups = 2, .min_base_quality = 0};
    const uint64_t fp0 = profile_fingerprint(&s, &base);
    assert_int_equal(profile_fingerprint(&s, &base), fp0);

    /* nothing that matters changed: same value (content is not hashed, by design) */
    test_write_file(r1, "@a\nGGGG\n+\nIIII\n", 16);
    set_mtime(r1, 1700000000, 123456789);
    assert_int_equal(profile_fingerprint(&s, &base), fp0);
    run_params_t q = base;
    q.confidence = 0.1 * 1.0;
    assert_int_equal(profile_fingerprint(&s, &q), fp0);

    /* each input of the fingerprint, changed alone */
    test_write_file(r2, "@a\nTTTTT\n+\nIIIII\n", 18); /* size */
    set_mtime(r2, 1700000000, 987654321);
    assert_int_not_equal(profile_fingerprint(&s, &base), fp0);
    test_write_file(r2, "@a\nTTTT\n+\nIIII\n", 16);
    set_mtime(r2, 1700000000, 987654321);
    assert_int_equal(profile_fingerprint(&s, &base), fp0);
    set_mtime(r1, 1700000000, 123456790); /* mtime, one nanosecond */
    assert_int_not_equal(profile_fingerprint(&s, &base), fp0);
    set_mtime(r1, 1700000001, 123456789); /* mtime, one second */
    assert_int_not_equal(profile_fingerprint(&s, &base), fp0);
    set_mtime(r1, 1700000000, 123456789);
    assert_int_equal(profile_fingerprint(&s, &base), fp0);

    q = base;
    q.db_checksum ^= 1;
    assert_int_not_equal(profile_fingerprint(&s, &q), fp0);
    q = base;
    q.confidence = nextafter(0.1, 1.0);
    assert_int_not_equal(profile_fingerprint(&s, &q), fp0);
    q = base;
    q.min_hit_groups = 3;
    assert_int_not_equal(profile_fingerprint(&s, &q), fp0);
    q = base;
    q.min_base_quality = 10;
    assert_int_not_equal(profile_fingerprint(&s, &q), fp0);
    q = base;
    q.min_base_quality = -1;
    assert_int_not_equal(profile_fingerprint(&s, &q), fp0);
    q = base;
    q.minimizer_data = 1; /* the kreport gets more columns */
    assert_int_not_equal(profile_fingerprint(&s, &q), fp0);

    /* identity of the inputs: id, paths, pairing, mate order */
    sample_t t = s;
    t.id = "S2";
    assert_int_not_equal(profile_fingerprint(&t, &base), fp0);
    t = s;
    t.fastq[1] = NULL;
    assert_int_not_equal(profile_fingerprint(&t, &base), fp0);
    t = s;
    t.fastq[0] = r2;
    t.fastq[1] = r1;
    assert_int_not_equal(profile_fingerprint(&t, &base), fp0);

    /* confidence 0 and -0 classify alike */
    q = base;
    q.confidence = 0.0;
    run_params_t neg = base;
    neg.confidence = -0.0;
    assert_int_equal(profile_fingerprint(&s, &q), profile_fingerprint(&s, &neg));
    free(r1);
    free(r2);
    f->passed = 1;
}

/* A missing input still fingerprints, differently from an empty file with mtime 0. */
static void test_fingerprint_missing_input(void **state)
{
    test_tmpdir_t *f = *state;
    char *empty = test_path(f->dir, "empty.fq"), *missing = test_path(f->dir, "missing.fq");
    test_write_file(empty, "", 0);
    set_mtime(empty, 0, 0);
    run_params_t p = {.db_checksum = 1};
    sample_t a = {.id = "A", .fastq = {empty, NULL}};
    sample_t b = {.id = "A", .fastq = {missing, NULL}};
    uint64_t fa = profile_fingerprint(&a, &p), fb = profile_fingerprint(&b, &p);
    assert_int_not_equal(fa, fb);
    assert_int_equal(profile_fingerprint(&b, &p), fb);
    /* the file appears: the fingerprint changes */
    test_write_file(missing, "", 0);
    assert_int_not_equal(profile_fingerprint(&b, &p), fb);
    free(empty);
    free(missing);
    f->passed = 1;
}

/* Fingerprints depend on the sample alone, never on what was fingerprinted before. */
static void test_fingerprint_order_independent(void **state)
{
    test_tmpdir_t *f = *state;
    enum { N = 40 };
    char *paths[N];
    sample_t s[N];
    char ids[N][16];
    for (int i = 0; i < N; i++) {
        char name[32];
        snprintf(name, sizeof name, "in%02d.fq", i);
        paths[i] = test_path(f->dir, name);
    }
    for (int i = 0; i < N; i++) {
        size_t len = (size_t)(test_rng_next(&rng) % 64);
        char blob[64];
        memset(blob, 'N', sizeof blob);
        test_write_file(paths[i], blob, len);
        snprintf(ids[i], sizeof ids[i], "s%d", i);
        s[i] = (sample_t){.id = ids[i], .fastq = {paths[i], i % 3 ? paths[(i + 1) % N] : NULL}};
    }
    run_params_t p = {.db_checksum = 99, .confidence = 0.25, .min_hit_groups = 2};
    uint64_t forward[N], backward[N];
    for (int i = 0; i < N; i++) forward[i] = profile_fingerprint(&s[i], &p);
    for (int i = N - 1; i >= 0; i--) backward[i] = profile_fingerprint(&s[i], &p);
    for (int i = 0; i < N; i++) assert_int_equal(forward[i], backward[i]);
    /* a shuffled order */
    for (int k = 0; k < 3 * N; k++) {
        int i = (int)(test_rng_next(&rng) % N);
        assert_int_equal(profile_fingerprint(&s[i], &p), forward[i]);
    }
    for (int i = 0; i < N; i++)
        for (int j = i + 1; j < N; j++) assert_int_not_equal(forward[i], forward[j]);
    for (int i = 0; i < N; i++) free(paths[i]);
    f->passed = 1;
}

int main(void)
{
    rng.state = test_seed("test_profile");
    const struct CMUnitTest tests[] = {
        test_tmpdir_unit_test(test_exact_format_and_round_trip),
        test_tmpdir_unit_test(test_empty_profiles),
        test_tmpdir_unit_test(test_minimizer_columns),
        test_tmpdir_unit_test(test_random_round_trips),
        test_tmpdir_unit_test(test_every_truncation_rejected),
        test_tmpdir_unit_test(test_corruptions_rejected),
        test_tmpdir_unit_test(test_wrong_sample_id),
        test_tmpdir_unit_test(test_missing_profile),
        test_tmpdir_unit_test(test_no_temp_files_left),
        test_tmpdir_unit_test(test_failed_writes_are_clean),
        test_tmpdir_unit_test(test_inconsistent_profile_refused),
        test_tmpdir_unit_test(test_paths),
        test_tmpdir_unit_test(test_fingerprint_sensitivity),
        test_tmpdir_unit_test(test_fingerprint_missing_input),
        test_tmpdir_unit_test(test_fingerprint_order_independent),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
