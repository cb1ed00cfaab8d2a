/* Unit tests for pipeline/bench_profile.c: the three profile formats told apart by content and
 * reduced to the same (taxid, value, rank) entries; truth/abundance.tsv grouped by sample; the
 * file of a sample found by suffix; a malformed line is one error naming the file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include "test_util.h"
#include <cmocka.h>
#include "bench_profile.h"

static void read_text(test_tmpdir_t *t, const char *name, const char *text, bench_profile_t *p, int want_rc)
{
    char *path = test_path(t->dir, name), *log = test_path(t->dir, "err.txt");
    test_write_file(path, text, strlen(text));
    int saved = test_stderr_begin(log);
    int rc = bench_profile_read(path, p);
    free(test_stderr_end(log, saved));
    assert_int_equal(rc, want_rc);
    free(path);
    free(log);
}

static void test_formats(void **state)
{
    test_tmpdir_t *t = *state;
    bench_profile_t p;
    /* kreport: direct counts (column 3), the unclassified line and zero counts left out */
    read_text(t, "a.kreport",
              " 10.00\t10\t10\tU\t0\tunclassified\n 90.00\t90\t5\tR\t1\troot\n 85.00\t85\t60\tG\t561\t  Escherichia\n"
              " 25.00\t25\t25\tS\t562\t    Escherichia coli\n  0.00\t0\t0\tS\t620\t  Shigella\n",
              &p, GB_OK);
    assert_int_equal(p.n, 3);
    assert_int_equal(p.taxid[1], 561);
    assert_true(p.value[1] == 60 && p.rank[1] == NULL);
    bench_profile_free(&p);
    /* Bracken: new_est_reads (column 6) */
    read_text(
        t, "a.bracken",
        "name\ttaxonomy_id\ttaxonomy_lvl\tkraken_assigned_reads\tadded_reads\tnew_est_reads\tfraction_total_reads\n"
        "Escherichia coli\t562\tS\t25\t60\t85\t0.94444\nSalmonella enterica\t28901\tS\t5\t0\t5\t0.05556\n",
        &p, GB_OK);
    assert_int_equal(p.n, 2);
    assert_true(p.taxid[0] == 562 && p.value[0] == 85 && p.rank[0] == NULL);
    bench_profile_free(&p);
    /* CAMI: percentage with the rank of each line */
    read_text(t, "a.cami",
              "@SampleID:a\n@Version:0.9.1\n@Ranks:superkingdom|genus|species\n\n"
              "@@TAXID\tRANK\tTAXPATH\tTAXPATHSN\tPERCENTAGE\n2\tsuperkingdom\t2\tBacteria\t100\n"
              "561\tgenus\t2||||561\tBacteria||||Escherichia\t94.4\n",
              &p, GB_OK);
    assert_int_equal(p.n, 2);
    assert_string_equal(p.rank[1], "genus");
    assert_true(p.value[1] == 94.4);
    bench_profile_free(&p);
    read_text(t, "bad.bracken", "name\ttaxonomy_id\ttaxonomy_lvl\na\tb\tc\td\te\tf\tg\n", &p, GB_E_FORMAT);
    t->passed = 1;
}

static void test_abundance(void **state)
{
    test_tmpdir_t *t = *state;
    char *path = test_path(t->dir, "abundance.tsv");
    const char *text =
        "sample\ttaxid\tread_fraction\tcell_fraction\nA\t562\t0.7\t0.6\nA\t620\t0.3\t0.4\nB\t562\t1\t1\n";
    test_write_file(path, text, strlen(text));
    bench_abundance_t a;
    assert_int_equal(bench_abundance_read(path, &a), GB_OK);
    assert_int_equal(a.nsamples, 2);
    assert_string_equal(a.sample[1], "B");
    assert_int_equal(a.truth[0].n, 2);
    assert_true(a.truth[0].value[1] == 0.3);
    bench_abundance_free(&a);
    char *kreport = test_path(t->dir, "A.kreport");
    test_write_file(kreport, "x", 1);
    char *found = bench_profile_find(t->dir, "A");
    assert_string_equal(found, kreport);
    char *log = test_path(t->dir, "err.txt");
    int saved = test_stderr_begin(log);
    char *none = bench_profile_find(t->dir, "B");
    char *err = test_stderr_end(log, saved);
    assert_null(none);
    assert_int_equal(test_count_lines(err), 1);
    free(err);
    free(log);
    free(found);
    free(kreport);
    free(path);
    t->passed = 1;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        test_tmpdir_unit_test(test_formats),
        test_tmpdir_unit_test(test_abundance),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
