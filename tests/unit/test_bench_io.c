/* Unit tests for pipeline/bench_io.c: a truth with a header and mate suffixes, the calls of a
 * Kraken output (pairs as one fragment, --use-names taxids, unclassified lines, reads left out)
 * and of a Centrifuge output (several hits reduced by the LCA callback, a taxID 0 hit ignored), and the errors: a
 * read not in the truth, a fragment listed twice, a duplicate truth id, an unknown format. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include "test_util.h"
#include <cmocka.h>
#include "bench_io.h"

static const char TRUTH[] = "read_id\ttaxid\nr2/1\t562\nr1\t511145\n# a comment\nr3\t623\nr4\t562\n";

static char *write_in(test_tmpdir_t *t, const char *name, const char *text)
{
    char *path = test_path(t->dir, name);
    test_write_file(path, text, strlen(text));
    return path;
}

static void read_truth(test_tmpdir_t *t, bench_truth_t *truth)
{
    char *path = write_in(t, "truth.tsv", TRUTH);
    assert_int_equal(bench_truth_read(path, truth), GB_OK);
    free(path);
}

static void test_truth(void **state)
{
    test_tmpdir_t *t = *state;
    bench_truth_t truth;
    read_truth(t, &truth);
    assert_int_equal(truth.n, 4);
    assert_string_equal(truth.id[0], "r1"); /* sorted */
    assert_int_equal(truth.taxid[0], 511145);
    assert_int_equal(bench_truth_find(&truth, "r2/2", 4), 1);
    assert_int_equal(bench_truth_find(&truth, "r2", 2), 1);
    assert_int_equal(bench_truth_find(&truth, "r", 1), SIZE_MAX);
    assert_int_equal(bench_truth_find(&truth, "r10", 3), SIZE_MAX);
    bench_truth_free(&truth);
    t->passed = 1;
}

static uint32_t fake_lca(uint32_t a, uint32_t b, void *user)
{
    (void)user;
    return a == b ? a : 543;
}

static void test_kraken(void **state)
{
    test_tmpdir_t *t = *state;
    bench_truth_t truth;
    bench_calls_t c;
    read_truth(t, &truth);
    char *out = write_in(t, "k.out",
                         "C\tr1/1\tEscherichia coli (taxid 562)\t100|100\t562:5\nU\tr2/1\t0\t100|100\tA:1\n"
                         "C\tr3\t620\t100\t0:1\n");
    assert_int_equal(bench_calls_init(&c, &truth), GB_OK);
    assert_int_equal(bench_calls_read(&c, &truth, out, fake_lca, NULL), GB_OK);
    bench_calls_finish(&c, &truth);
    static const uint32_t want[4] = {562, 0, 620, 0};
    assert_memory_equal(c.call, want, sizeof want);
    assert_int_equal(c.missing, 1); /* r4 */
    bench_calls_free(&c);
    bench_truth_free(&truth);
    free(out);
    t->passed = 1;
}

static void test_centrifuge(void **state)
{
    test_tmpdir_t *t = *state;
    bench_truth_t truth;
    bench_calls_t c;
    read_truth(t, &truth);
    char *out = write_in(t, "c.out",
                         "readID\tseqID\ttaxID\tscore\t2ndBestScore\thitLength\tqueryLength\tnumMatches\n"
                         "r1\ta\t562\t9\t9\t9\t9\t2\nr1\tb\t623\t9\t9\t9\t9\t2\nr2\tunclassified\t0\t0\t0\t0\t0\t1\n"
                         "r3\tunmapped\t0\t9\t9\t9\t9\t2\nr3\tc\t623\t9\t9\t9\t9\t2\n"
                         "r4\td\t562\t9\t9\t9\t9\t3\nr4\tunmapped\t0\t9\t9\t9\t9\t3\nr4\te\t562\t9\t9\t9\t9\t3\n");
    assert_int_equal(bench_calls_init(&c, &truth), GB_OK);
    assert_int_equal(bench_calls_read(&c, &truth, out, fake_lca, NULL), GB_OK);
    bench_calls_finish(&c, &truth);
    static const uint32_t want[4] = {543, 0, 623, 562};
    assert_memory_equal(c.call, want, sizeof want);
    assert_int_equal(c.missing, 0);
    bench_calls_free(&c);
    bench_truth_free(&truth);
    free(out);
    t->passed = 1;
}

/* Each bad output fails with GB_E_FORMAT and one error line naming the file. */
static void test_errors(void **state)
{
    test_tmpdir_t *t = *state;
    static const char *const bad[] = {
        "C\tr9\t562\t100\t0:1\n",                           /* not in the truth */
        "C\tr2/1\t562\t100\t0:1\nC\tr2/2\t562\t100\t0:1\n", /* a pair written as two reads */
        "C\tr1\tEscherichia coli\t100\t0:1\n",              /* no taxid */
        "r1 562\n",                                         /* neither format */
    };
    bench_truth_t truth;
    read_truth(t, &truth);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        bench_calls_t c;
        char *out = write_in(t, "bad.out", bad[i]), *log = test_path(t->dir, "err.txt");
        assert_int_equal(bench_calls_init(&c, &truth), GB_OK);
        int saved = test_stderr_begin(log);
        int rc = bench_calls_read(&c, &truth, out, fake_lca, NULL);
        char *err = test_stderr_end(log, saved);
        assert_int_equal(rc, GB_E_FORMAT);
        assert_int_equal(test_count_lines(err), 1);
        assert_non_null(strstr(err, "bad.out"));
        free(err);
        free(log);
        free(out);
        bench_calls_free(&c);
    }
    bench_truth_free(&truth);
    char *dup = write_in(t, "dup.tsv", "a/1\t1\na/2\t1\n"), *log = test_path(t->dir, "err.txt");
    int saved = test_stderr_begin(log);
    assert_int_equal(bench_truth_read(dup, &truth), GB_E_FORMAT);
    free(test_stderr_end(log, saved));
    free(dup);
    free(log);
    t->passed = 1;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        test_tmpdir_unit_test(test_truth),
        test_tmpdir_unit_test(test_kraken),
        test_tmpdir_unit_test(test_centrifuge),
        test_tmpdir_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
