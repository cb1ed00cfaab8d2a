/* Unit tests for pipeline/bracken_io.c as `gutbrain run` uses it: a report parsed from memory
 * is the report read from its file, estimate + render print the hand-computed outputs of
 * docs/BRACKEN.md (the case of tests/integration/bracken.sh), and bracken_io_write with
 * keep_same leaves a file holding the same bytes alone (same inode) while it rewrites a
 * changed or missing one; fileio_holds, which it relies on, on its edge cases. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include "test_util.h"
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "bracken_io.h"
#include "fileio.h"

/* Genus 10's 40 reads shared by species 11 and 12. */
static const char hand_report[] = "  7.41\t10\t10\tU\t0\tunclassified\n 92.59\t115\t0\tR\t1\troot\n"
                                  " 92.59\t115\t40\tG\t10\t  Genus ten\n 40.00\t50\t40\tS\t11\t    Sp eleven\n"
                                  "  8.00\t10\t10\t-\t111\t      Strain of eleven\n"
                                  " 16.00\t20\t20\tS\t12\t    Sp twelve\n  4.00\t5\t5\tS\t13\t    Sp thirteen\n";
static const char hand_distrib[] = "mapped_taxid\tgenome_taxids:kmers_mapped:total_genome_kmers\n"
                                   "10\t11:1:2 12:1:2 13:1:1 999:1:1 \n11\t11:1:2 \n12\t12:1:4 \n111\t111:1:1 \n";
static const char want_table[] =
    "name\ttaxonomy_id\ttaxonomy_lvl\tkraken_assigned_reads\tadded_reads\tnew_est_reads\tfraction_total_reads\n"
    "Sp eleven\t11\tS\t50\t20\t70\t0.63636\nSp twelve\t12\tS\t20\t20\t40\t0.36364\n";
static const char want_report[] = "100.00\t110\t0\tR\t1\troot\n100.00\t110\t0\tG\t10\t  Genus ten\n"
                                  "63.64\t70\t70\tS\t11\t    Sp eleven\n36.36\t40\t40\tS\t12\t    Sp twelve\n";

static ino_t inode_of(const char *path)
{
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    return st.st_ino;
}

static void test_parse_is_read(void **state)
{
    test_tmpdir_t *t = *state;
    char *path = test_path(t->dir, "hand.kreport"), *text = strdup(hand_report);
    assert_non_null(text);
    test_write_file(path, hand_report, strlen(hand_report));
    bracken_report_t from_file, from_memory;
    assert_int_equal(bracken_io_read_report(path, &from_file), GB_OK);
    assert_int_equal(bracken_io_parse_report(path, text, strlen(text), &from_memory), GB_OK);
    assert_int_equal(from_file.n, 7);
    assert_int_equal(from_memory.n, from_file.n);
    for (size_t i = 0; i < from_file.n; i++) {
        assert_memory_equal(&from_memory.rows[i], &from_file.rows[i], sizeof from_file.rows[i]);
        assert_string_equal(from_memory.names[i], from_file.names[i]);
        assert_int_equal(from_memory.line_no[i], from_file.line_no[i]);
    }
    assert_string_equal(from_file.names[4], "Strain of eleven");
    assert_int_equal(from_file.rows[4].depth, 3);
    bracken_io_report_free(&from_file);
    bracken_io_report_free(&from_memory);
    free(path);
    t->passed = 1;
}

/* The hand case estimated and rendered in memory. */
static void hand_outputs(const char *dir, bracken_text_t *out)
{
    char *kd = test_path(dir, "hand.kmer_distrib"), *text = strdup(hand_report);
    assert_non_null(text);
    test_write_file(kd, hand_distrib, strlen(hand_distrib));
    bracken_distrib_t d;
    bracken_report_t rep;
    bracken_result_t res = {0};
    assert_int_equal(bracken_io_read_distrib(kd, &d), GB_OK);
    assert_int_equal(bracken_io_parse_report("hand", text, strlen(text), &rep), GB_OK);
    assert_int_equal(bracken_io_estimate("hand", &rep, &d, "S", 10, 'D', &res), GB_OK);
    assert_int_equal(bracken_io_render(&rep, &res, "S", out), GB_OK);
    bracken_result_free(&res);
    bracken_io_report_free(&rep);
    bracken_distrib_free(&d);
    free(kd);
}

static void test_render(void **state)
{
    test_tmpdir_t *t = *state;
    bracken_text_t out;
    hand_outputs(t->dir, &out);
    assert_string_equal(out.table, want_table);
    assert_int_equal(out.table_len, strlen(want_table));
    assert_string_equal(out.report, want_report);
    assert_int_equal(out.report_len, strlen(want_report));
    bracken_io_text_free(&out);
    t->passed = 1;
}

static void test_keep_same(void **state)
{
    test_tmpdir_t *t = *state;
    bracken_text_t out;
    hand_outputs(t->dir, &out);
    char *table = test_path(t->dir, "s.bracken"), *report = test_path(t->dir, "s_bracken_species.kreport");
    assert_int_equal(bracken_io_write(&out, table, report, 1), GB_OK); /* missing: written */
    assert_true(fileio_holds(table, want_table, strlen(want_table)));
    assert_true(fileio_holds(report, want_report, strlen(want_report)));
    ino_t table_ino = inode_of(table), report_ino = inode_of(report);
    assert_int_equal(bracken_io_write(&out, table, report, 1), GB_OK); /* the same bytes: untouched */
    assert_true(inode_of(table) == table_ino && inode_of(report) == report_ino);
    test_write_file(table, want_table, strlen(want_table) - 1); /* one byte short: rewritten */
    assert_int_equal(bracken_io_write(&out, table, report, 1), GB_OK);
    assert_true(fileio_holds(table, want_table, strlen(want_table)));
    assert_true(inode_of(table) != table_ino && inode_of(report) == report_ino);
    table_ino = inode_of(table);
    assert_int_equal(bracken_io_write(&out, table, report, 0), GB_OK); /* without keep_same: both rewritten */
    assert_true(inode_of(table) != table_ino && inode_of(report) != report_ino);
    bracken_io_text_free(&out);
    free(table);
    free(report);
    t->passed = 1;
}

static void test_fileio_holds(void **state)
{
    test_tmpdir_t *t = *state;
    char *path = test_path(t->dir, "f"), *missing = test_path(t->dir, "missing");
    test_write_file(path, "abc", 3);
    assert_true(fileio_holds(path, "abc", 3));
    assert_false(fileio_holds(path, "abd", 3));
    assert_false(fileio_holds(path, "ab", 2));
    assert_false(fileio_holds(path, "abcd", 4));
    assert_false(fileio_holds(missing, "", 0));
    assert_false(fileio_holds(t->dir, "", 0)); /* a directory */
    test_write_file(path, "", 0);
    assert_true(fileio_holds(path, "", 0));
    /* longer than one read */
    size_t n = 100000;
    char *big = malloc(n);
    assert_non_null(big);
    for (size_t i = 0; i < n; i++) big[i] = (char)('a' + i % 23);
    test_write_file(path, big, n);
    assert_true(fileio_holds(path, big, n));
    big[n - 1] ^= 1;
    assert_false(fileio_holds(path, big, n));
    free(big);
    free(path);
    free(missing);
    t->passed = 1;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        test_tmpdir_unit_test(test_parse_is_read),
        test_tmpdir_unit_test(test_render),
        test_tmpdir_unit_test(test_keep_same),
        test_tmpdir_unit_test(test_fileio_holds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
