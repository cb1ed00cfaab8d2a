/* Unit tests for pipeline/metadata.c: column type detection (what counts as a number), missing
 * values, level order (bytes, as R under LC_COLLATE=C), the file format's tolerances (BOM, CRLF,
 * blank lines, quotes, R's row-name header, QIIME 2 directives), every rejected file with its
 * file:line message, sample selection (cohort order, complete cases, the dropped list and its
 * TSV), levels present in a subset, and the real Kovtun 2022 metadata against its cohort
 * (converted at test time by tests/integration/data/kovtun_to_biom.py; skipped without the
 * data or python biom-format). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include "test_util.h"
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "biom_read.h"
#include "log.h"
#include "metadata.h"

static char tmpdir[256];

static char *write_tmp(const char *name, const char *text)
{
    char *p = test_path(tmpdir, name);
    test_write_file(p, text, strlen(text));
    return p;
}

static metadata_t *read_ok(const char *name, const char *text)
{
    char *path = write_tmp(name, text);
    metadata_t *m = NULL;
    int rc = metadata_read(path, &m);
    if (rc != 0) fail_msg("%s: %s", name, gb_last_error());
    unlink(path);
    free(path);
    return m;
}

/* ---------- types and values ---------- */

static const char BASIC[] = "\xEF\xBB\xBFsample\tage\tsex\tcase\tnotnum\tflag\tnothing\tsci\r\n"
                            "s1\t45\tb\t\"x y\"\t0x1A\tTRUE\tNA\t1e3\r\n"
                            "\r\n"
                            "s2\tNA\tB\t\"say \"\"hi\"\"\"\tInf\tFALSE\t\t.5\n"
                            "  s3 \t 30 \ta\tNA\t12\tTRUE\tNA\t-2.\n"
                            "s4\t\tA\t x \tnan\tNA\t\t+7\n"
                            "s5\t18.5\t_x\tx\t3\tFALSE\tNA\t-0\n";

static void test_types(void **state)
{
    metadata_t *m = read_ok("basic.tsv", BASIC);
    assert_int_equal(m->nsamples, 5);
    assert_int_equal(m->ncolumns, 7);
    assert_string_equal(m->id_header, "sample"); /* BOM removed */
    assert_string_equal(m->sample_ids[2], "s3"); /* spaces trimmed */
    assert_int_equal(m->line_of[0], 2);
    assert_int_equal(m->line_of[1], 4); /* blank line 3 skipped, still counted */

    const metadata_column_t *age = metadata_column(m, "age");
    assert_non_null(age);
    assert_int_equal(age->type, METADATA_NUMERIC);
    assert_int_equal(age->nmissing, 2);
    assert_true(age->values[0] == 45 && isnan(age->values[1]) && age->values[2] == 30 && isnan(age->values[3]));
    assert_true(age->values[4] == 18.5);
    assert_null(age->codes);

    const metadata_column_t *sex = metadata_column(m, "sex");
    assert_int_equal(sex->type, METADATA_CATEGORICAL);
    assert_int_equal(sex->nlevels, 5);
    static const char *const order[5] = {"A", "B", "_x", "a", "b"}; /* bytes, C locale */
    for (int l = 0; l < 5; l++) assert_string_equal(sex->levels[l], order[l]);
    static const int32_t sex_codes[5] = {4, 1, 3, 0, 2};
    for (int r = 0; r < 5; r++) assert_int_equal(sex->codes[r], sex_codes[r]);
    assert_int_equal(metadata_level_index(sex, "_x"), 2);
    assert_int_equal(metadata_level_index(sex, "c"), -1);
    assert_int_equal(metadata_level_index(age, "30"), -1);

    const metadata_column_t *c = metadata_column(m, "case"); /* quotes removed, "" is one " */
    assert_int_equal(c->type, METADATA_CATEGORICAL);
    assert_int_equal(c->nlevels, 3);
    assert_string_equal(c->levels[0], "say \"hi\"");
    assert_string_equal(c->levels[1], "x");
    assert_string_equal(c->levels[2], "x y");
    assert_int_equal(c->codes[2], -1);
    assert_int_equal(c->codes[3], 1); /* " x " trimmed to "x" */

    /* hexadecimal, Inf and nan are no numbers: the column is categorical */
    const metadata_column_t *nn = metadata_column(m, "notnum");
    assert_int_equal(nn->type, METADATA_CATEGORICAL);
    assert_int_equal(nn->nnumeric_like, 2);
    assert_int_equal(nn->first_text_line, 2);
    assert_string_equal(nn->first_text_value, "0x1A");

    const metadata_column_t *flag = metadata_column(m, "flag");
    assert_int_equal(flag->type, METADATA_CATEGORICAL); /* TRUE/FALSE: a factor, as in MaAsLin2 */
    assert_string_equal(flag->levels[0], "FALSE");
    assert_string_equal(flag->levels[1], "TRUE");

    const metadata_column_t *nothing = metadata_column(m, "nothing");
    assert_int_equal(nothing->type, METADATA_CATEGORICAL);
    assert_int_equal(nothing->nlevels, 0);
    assert_int_equal(nothing->nmissing, 5);

    const metadata_column_t *sci = metadata_column(m, "sci");
    assert_int_equal(sci->type, METADATA_NUMERIC);
    static const double sci_values[5] = {1000, 0.5, -2, 7, 0};
    for (int r = 0; r < 5; r++) assert_true(sci->values[r] == sci_values[r]);

    assert_null(metadata_column(m, "Age")); /* names are case-sensitive */
    assert_int_equal(metadata_find_sample(m, "s4"), 3);
    assert_int_equal(metadata_find_sample(m, "s6"), -1);
    metadata_destroy(m);
    metadata_destroy(NULL);
}

/* R's write.table(row.names=TRUE) omits the id column's name; QIIME 2 adds "#q2:types". */
static void test_header_styles(void **state)
{
    metadata_t *m = read_ok("rstyle.tsv", "\"group\"\t\"age\"\n\"a\"\t\"g1\"\t3\n\"b\"\t\"g2\"\t4\n");
    assert_string_equal(m->id_header, "");
    assert_int_equal(m->ncolumns, 2);
    assert_string_equal(m->columns[0].name, "group");
    assert_string_equal(m->sample_ids[1], "b");
    assert_int_equal(metadata_column(m, "age")->type, METADATA_NUMERIC);
    metadata_destroy(m);

    m = read_ok("q2.tsv", "#SampleID\tdepth\n#q2:types\tnumeric\nx\t1\ny\t2\n");
    assert_string_equal(m->id_header, "#SampleID");
    assert_int_equal(m->nsamples, 2);
    assert_int_equal(m->line_of[0], 3);
    assert_int_equal(metadata_column(m, "depth")->type, METADATA_NUMERIC);
    metadata_destroy(m);

    m = read_ok("idonly.tsv", "sample\nx\ny\n"); /* no variables at all */
    assert_int_equal(m->ncolumns, 0);
    assert_int_equal(m->nsamples, 2);
    metadata_destroy(m);

    m = read_ok("norows.tsv", "sample\tage\n"); /* a header alone */
    assert_int_equal(m->nsamples, 0);
    assert_int_equal(metadata_column(m, "age")->type, METADATA_CATEGORICAL);
    metadata_destroy(m);
}

static void expect_error(const char *name, const char *text, int code, const char *phrase)
{
    char *path = text ? write_tmp(name, text) : strdup(name);
    metadata_t *m = (metadata_t *)1;
    gb_clear_last_error();
    int rc = metadata_read(path, &m);
    if (rc != code) fail_msg("%s: got %d, want %d (%s)", name, rc, code, gb_last_error());
    assert_null(m);
    if (!strstr(gb_last_error(), name) || !strstr(gb_last_error(), phrase))
        fail_msg("%s: message \"%s\" lacks the file name or \"%s\"", name, gb_last_error(), phrase);
    unlink(path);
    free(path);
}

static void test_bad_files(void **state)
{
    expect_error("/nonexistent/meta.tsv", NULL, GB_E_IO, "No such file");
    expect_error("empty.tsv", "\n\n", GB_E_FORMAT, "empty file");
    expect_error("fields.tsv", "id\ta\tb\nx\t1\t2\ny\t1\n", GB_E_FORMAT,
                 "fields.tsv:3: 2 fields, but the header has 3");
    expect_error("dup.tsv", "id\ta\nx\t1\ny\t2\nx\t3\n", GB_E_FORMAT, "dup.tsv:4: sample id \"x\" already on line 2");
    expect_error("emptyid.tsv", "id\ta\nx\t1\n\t2\n", GB_E_FORMAT, "emptyid.tsv:3: empty sample id");
    expect_error("dupcol.tsv", "id\ta\ta\nx\t1\t2\n", GB_E_FORMAT, "dupcol.tsv:1: column name \"a\" appears twice");
    expect_error("nocolname.tsv", "id\t\tb\nx\t1\t2\n", GB_E_FORMAT, "nocolname.tsv:1: column 2 has no name");
}

/* ---------- choosing samples ---------- */

static const char COHORT_META[] = "sample\tgroup\tage\tsex\tbatch\n"
                                  "m1\tcase\t40\tF\t1\n"
                                  "m2\tcontrol\tNA\tM\t1\n"
                                  "m3\tcase\t33\t\t2\n"
                                  "m4\tcontrol\t51\tM\t2\n"
                                  "m5\tcase\t29\tF\t3\n"
                                  "m6\tNA\t60\tF\t3\n"
                                  "only_meta\tcontrol\t22\tM\t3\n";

static void test_select(void **state)
{
    metadata_t *m = read_ok("cohort_meta.tsv", COHORT_META);
    char *cohort[] = {"m5", "m4", "ghost", "m2", "m3", "m1", "m6"};
    char *vars[] = {"group", "age", "sex"};
    metadata_selection_t s;
    assert_int_equal(metadata_select(m, cohort, 7, vars, 3, &s), 0);
    /* complete cases in cohort order: m5, m4, m1 */
    assert_int_equal(s.n, 3);
    static const size_t want_cohort[3] = {0, 1, 5}, want_meta[3] = {4, 3, 0};
    for (int i = 0; i < 3; i++) {
        assert_int_equal(s.cohort_row[i], want_cohort[i]);
        assert_int_equal(s.meta_row[i], want_meta[i]);
    }
    assert_int_equal(s.ndropped, 5);
    assert_int_equal(s.n_not_in_metadata, 1);
    assert_int_equal(s.n_missing, 3);
    assert_int_equal(s.n_not_in_cohort, 1);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_int_equal(metadata_selection_write_dropped(f, &s), 0);
    fclose(f);
    assert_string_equal(buf, "sample\treason\tcolumn\n"
                             "ghost\tnot_in_metadata\t\n"
                             "m2\tmissing_value\tage\n"
                             "m3\tmissing_value\tsex\n"
                             "m6\tmissing_value\tgroup\n" /* the first missing one in model order */
                             "only_meta\tnot_in_cohort\t\n");
    free(buf);
    metadata_selection_free(&s);

    /* no variables: the plain intersection */
    assert_int_equal(metadata_select(m, cohort, 7, NULL, 0, &s), 0);
    assert_int_equal(s.n, 6);
    metadata_selection_free(&s);
    metadata_selection_free(&s);

    /* levels present among the complete cases: sex has F and M, "group" case/control */
    const metadata_column_t *sex = metadata_column(m, "sex");
    size_t rows[2] = {3, 1}; /* m4, m2: both M */
    int32_t codes[2];
    const char *present[2];
    assert_int_equal(metadata_levels_present(sex, rows, 2, codes, present), 1);
    assert_string_equal(present[0], "M");
    assert_int_equal(codes[0], 0);
    assert_int_equal(codes[1], 0);
    size_t rows3[3] = {2, 4, 1}; /* m3 (missing), m5 F, m2 M */
    int32_t codes3[3];
    assert_int_equal(metadata_levels_present(sex, rows3, 3, codes3, present), 2);
    assert_string_equal(present[0], "F");
    assert_string_equal(present[1], "M");
    assert_int_equal(codes3[0], -1);
    assert_int_equal(codes3[1], 0);
    assert_int_equal(codes3[2], 1);
    assert_int_equal(metadata_levels_present(metadata_column(m, "age"), rows, 2, codes, present), 0);
    metadata_destroy(m);
}

static void expect_select_error(const metadata_t *m, char **cohort, size_t n, char **vars, size_t nv, int code,
                                const char *phrase)
{
    metadata_selection_t s;
    gb_clear_last_error();
    int rc = metadata_select(m, cohort, n, vars, nv, &s);
    if (rc != code) fail_msg("got %d, want %d (%s)", rc, code, gb_last_error());
    if (!strstr(gb_last_error(), phrase)) fail_msg("message \"%s\" lacks \"%s\"", gb_last_error(), phrase);
    assert_null(s.cohort_row);
    assert_int_equal(s.n, 0);
}

static void test_select_errors(void **state)
{
    metadata_t *m = read_ok("cohort_meta2.tsv", COHORT_META);
    char *cohort[] = {"m1", "m2"};
    char *strangers[] = {"x1", "x2"};
    char *bad_var[] = {"group", "bmi"};
    expect_select_error(m, cohort, 2, bad_var, 2, GB_E_USAGE,
                        "has no column \"bmi\" (columns: group, age, sex, batch)");
    expect_select_error(m, strangers, 2, NULL, 0, GB_E_USAGE, "none of the 2 cohort sample ids (e.g. \"x1\")");
    char *m2[] = {"m2", "ghost"};
    char *age[] = {"age"};
    expect_select_error(m, m2, 2, age, 1, GB_E_USAGE, "e.g. sample m2 has no age");
    metadata_destroy(m);

    /* a numeric column with one word in it: a typo, refused with its line */
    m = read_ok("typo.tsv", "id\tage\tgroup\na\t30\tx\nb\t4O\ty\nc\t22\tx\nd\t25\ty\n");
    char *abcd[] = {"a", "b", "c", "d"};
    char *vars[] = {"group", "age"};
    expect_select_error(m, abcd, 4, vars, 2, GB_E_FORMAT,
                        "typo.tsv:3: column age: \"4O\" is not a number, but 3 of the column's 4 values are");
    /* the same column is fine when it is not in the model */
    metadata_selection_t s;
    assert_int_equal(metadata_select(m, abcd, 4, vars, 1, &s), 0);
    assert_int_equal(s.n, 4);
    metadata_selection_free(&s);
    metadata_destroy(m);
}

/* ---------- the real MDD cohort ---------- */

static void test_kovtun(void **state)
{
    test_kovtun_to_biom("samples_metadata_PRJNA762199.tsv", "", tmpdir, "kovtun.biom", "kovtun.tsv");
    char *bpath = test_path(tmpdir, "kovtun.biom"), *mpath = test_path(tmpdir, "kovtun.tsv");
    biom_table_t b;
    metadata_t *m = NULL;
    assert_int_equal(biom_read(bpath, &b), 0);
    assert_int_equal(metadata_read(mpath, &m), 0);
    assert_int_equal(m->nsamples, 75);
    const metadata_column_t *group = metadata_column(m, "group"), *sex = metadata_column(m, "sex");
    const metadata_column_t *age = metadata_column(m, "age");
    assert_int_equal(group->type, METADATA_CATEGORICAL);
    assert_int_equal(group->nlevels, 2);
    assert_string_equal(group->levels[0], "HC"); /* reference level: first in byte order */
    assert_string_equal(group->levels[1], "PwD");
    assert_int_equal(sex->nlevels, 2);
    assert_string_equal(sex->levels[0], "female");
    assert_int_equal(age->type, METADATA_NUMERIC);
    assert_int_equal(age->nmissing, 0);

    char *vars[] = {"group", "sex", "age"};
    metadata_selection_t s;
    assert_int_equal(metadata_select(m, b.sample_ids, b.nsamples, vars, 3, &s), 0);
    assert_int_equal(s.n, 74);
    for (size_t i = 0; i < s.n; i++) {
        assert_int_equal(s.cohort_row[i], i);
        assert_string_equal(m->sample_ids[s.meta_row[i]], b.sample_ids[i]);
    }
    assert_int_equal(s.ndropped, 1);
    assert_string_equal(s.dropped[0].sample_id, "PwD_1");
    assert_int_equal(s.dropped[0].reason, METADATA_DROP_NOT_IN_COHORT);
    size_t hc = 0;
    for (size_t i = 0; i < s.n; i++) hc += group->codes[s.meta_row[i]] == 0;
    assert_int_equal(hc, 38);
    metadata_selection_free(&s);
    metadata_destroy(m);
    biom_table_free(&b);
    unlink(bpath);
    unlink(mpath);
    free(bpath);
    free(mpath);
}

int main(void)
{
    if (test_tmpdir_make(tmpdir, sizeof tmpdir) != 0) return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_types),  cmocka_unit_test(test_header_styles), cmocka_unit_test(test_bad_files),
        cmocka_unit_test(test_select), cmocka_unit_test(test_select_errors), cmocka_unit_test(test_kovtun),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    test_tmpdir_finish(tmpdir, failed == 0);
    return failed != 0;
}
