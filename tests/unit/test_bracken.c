/* Unit tests for kernels/bracken.c and pipeline/bracken_io.c on hand-made reports and
 * distributions with hand-computed results: reads of a genus shared between two species
 * (with a strain, a taxon below the threshold, a genome absent from the report), Bracken's
 * names for deep unranked nodes ("S9" -> "S10" -> "S11"), which distribution line wins when
 * a taxid has several, reads nobody can take, malformed reports and distributions, and the
 * files written, byte for byte (the same inputs give the same bytes with est_abundance.py). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include "test_util.h"
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bracken.h"
#include "bracken_io.h"

static char tmpdir[256];

static bracken_row_t row(uint64_t taxid, uint32_t depth, const char *rank, int64_t clade, int64_t taxon)
{
    bracken_row_t r = {.taxid = taxid, .clade_reads = clade, .taxon_reads = taxon, .depth = depth};
    snprintf(r.rank, sizeof r.rank, "%s", rank);
    r.unclassified = !strcmp(rank, "U");
    return r;
}

/* unclassified, root, genus 10 (40 reads of its own), species 11 with strain 111, species 12,
 * species 13 with fewer reads than the threshold */
static size_t genus_report(bracken_row_t *rows, int64_t root_reads)
{
    size_t n = 0;
    rows[n++] = row(0, 0, "U", 10, 10);
    rows[n++] = row(1, 0, "R", 115 + root_reads, root_reads);
    rows[n++] = row(10, 1, "G", 115, 40);
    rows[n++] = row(11, 2, "S", 50, 40);
    rows[n++] = row(111, 3, "-", 10, 10);
    rows[n++] = row(12, 2, "S", 20, 20);
    rows[n++] = row(13, 2, "S", 5, 5);
    return n;
}

typedef struct {
    uint64_t mapped;
    const char *entries; /* "genome:kmers:total ..." */
} distrib_line_t;

static void make_distrib(bracken_distrib_t *d, const distrib_line_t *lines, size_t n)
{
    *d = (bracken_distrib_t)BRACKEN_DISTRIB_INIT;
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(bracken_distrib_add_line(d, lines[i].mapped), GB_OK);
        const char *p = lines[i].entries;
        unsigned long long genome;
        double kmers, total;
        int used;
        while (sscanf(p, "%llu:%lf:%lf%n", &genome, &kmers, &total, &used) == 3) {
            assert_int_equal(bracken_distrib_add_entry(d, genome, kmers / total), GB_OK);
            p += used;
        }
    }
    assert_int_equal(bracken_distrib_index(d), GB_OK);
}

static void expect_estimate(const bracken_estimate_t *e, uint64_t taxid, int64_t kraken, int64_t added, double fraction)
{
    assert_int_equal(e->taxid, taxid);
    assert_int_equal(e->kraken_reads, kraken);
    assert_int_equal(e->added_reads, added);
    assert_int_equal(e->new_reads, kraken + added);
    assert_true(fabs(e->fraction - fraction) < 1e-12);
}

static void expect_line(const bracken_line_t *l, uint64_t taxid, const char *rank, int64_t clade, int64_t taxon)
{
    assert_int_equal(l->taxid, taxid);
    assert_string_equal(l->rank, rank);
    assert_int_equal(l->clade_reads, clade);
    assert_int_equal(l->taxon_reads, taxon);
}

/* The genus's 40 reads: each species' estimate is its own reads over its own-line fraction
 * (40 / 0.5 = 80 and 20 / 0.25 = 80), times the fraction of it at the genus (0.5 each):
 * equal shares, 20 reads each. Species 13 is below the threshold, 999 is not in the report. */
static void test_genus_shared(void **state)
{
    (void)state;
    bracken_row_t rows[8];
    size_t n = genus_report(rows, 0);
    bracken_distrib_t d;
    const distrib_line_t lines[] = {
        {10, "11:1:2 12:1:2 13:1:1 999:1:1"}, {11, "11:1:2"}, {12, "12:1:4"}, {111, "111:1:1"}};
    make_distrib(&d, lines, 4);
    bracken_result_t res;
    assert_int_equal(bracken_estimate(rows, n, &d, "S", 10, &res), GB_OK);
    assert_int_equal(res.n_est, 2);
    expect_estimate(&res.est[0], 11, 50, 20, 70.0 / 110);
    expect_estimate(&res.est[1], 12, 20, 20, 40.0 / 110);
    assert_int_equal(res.est[0].row, 3);
    assert_int_equal(res.n_level_taxa, 3);
    assert_int_equal(res.n_above_threshold, 2);
    assert_int_equal(res.n_below_threshold, 1);
    assert_int_equal(res.total_reads, 125);
    assert_int_equal(res.kept_reads, 70);
    assert_int_equal(res.discarded_reads, 5);
    assert_int_equal(res.distributed_reads, 40);
    assert_int_equal(res.undistributed_reads, 0);
    assert_int_equal(res.unclassified_reads, 10);
    /* the strain is below the level and the species under the threshold has no estimate */
    assert_int_equal(res.n_lines, 4);
    expect_line(&res.lines[0], 1, "R", 110, 0);
    expect_line(&res.lines[1], 10, "G", 110, 0);
    expect_line(&res.lines[2], 11, "S", 70, 70);
    expect_line(&res.lines[3], 12, "S", 40, 40);
    assert_true(fabs(res.lines[2].percent - 7000.0 / 110) < 1e-12);
    bracken_result_free(&res);
    bracken_distrib_free(&d);
}

/* Several lines for the genus: the last one naming a genome of the sample wins (999 is not in
 * it, so that line does not count), and species 12 gets every read (no line of its own:
 * fraction 1). The root's 7 reads have no line: not distributed. Species stay in report order
 * in the new report, sorted by their reads in the input (Bracken sorts before re-estimating). */
static void test_last_line_wins(void **state)
{
    (void)state;
    bracken_row_t rows[8];
    size_t n = genus_report(rows, 7);
    bracken_distrib_t d;
    const distrib_line_t lines[] = {{10, "11:1:2 12:1:2"}, {10, "12:1:1"}, {10, "999:1:1"}};
    make_distrib(&d, lines, 3);
    bracken_result_t res;
    assert_int_equal(bracken_estimate(rows, n, &d, "S", 10, &res), GB_OK);
    assert_int_equal(res.n_est, 2);
    expect_estimate(&res.est[0], 11, 50, 0, 50.0 / 110);
    expect_estimate(&res.est[1], 12, 20, 40, 60.0 / 110);
    assert_int_equal(res.distributed_reads, 40);
    assert_int_equal(res.undistributed_reads, 7);
    assert_int_equal(res.n_lines, 4);
    expect_line(&res.lines[2], 11, "S", 50, 50);
    expect_line(&res.lines[3], 12, "S", 60, 60);
    bracken_result_free(&res);
    bracken_distrib_free(&d);
}

/* Unranked nodes take their parent's code plus one on its last digit: under species, S1 ...
 * S9, then S10, and under S10 comes S11 (1 + 1 after "S1"), then S12. */
static void test_unranked_names(void **state)
{
    (void)state;
    bracken_row_t rows[16];
    size_t n = 0;
    rows[n++] = row(1, 0, "R", 100, 0);
    rows[n++] = row(1000, 1, "S", 100, 0);
    for (uint32_t depth = 2; depth <= 13; depth++)
        rows[n++] = row(1000 + depth, depth, "-", 100, depth == 13 ? 100 : 0);
    bracken_distrib_t d;
    make_distrib(&d, NULL, 0);
    const char *levels[] = {"S10", "S11", "S12"};
    const uint64_t taxids[] = {1011, 1012, 1013};
    for (int i = 0; i < 3; i++) {
        bracken_result_t res;
        assert_int_equal(bracken_estimate(rows, n, &d, levels[i], 10, &res), GB_OK);
        assert_int_equal(res.n_est, 1);
        expect_estimate(&res.est[0], taxids[i], 100, 0, 1.0);
        assert_string_equal(res.lines[res.n_lines - 1].rank, levels[i]);
        bracken_result_free(&res);
    }
    bracken_distrib_free(&d);
}

static void expect_format_error(const bracken_row_t *rows, size_t n, const bracken_distrib_t *d, const char *level,
                                size_t err_row)
{
    bracken_result_t res;
    assert_int_equal(bracken_estimate(rows, n, d, level, 10, &res), GB_E_FORMAT);
    assert_int_equal(res.err_row, err_row);
    assert_non_null(res.err_what);
    bracken_result_free(&res);
}

static void test_errors(void **state)
{
    (void)state;
    bracken_distrib_t none, zero;
    make_distrib(&none, NULL, 0);
    const distrib_line_t lines[] = {{10, "11:1:2 12:1:2"}, {11, "11:0:5"}};
    make_distrib(&zero, lines, 2);
    bracken_row_t rows[8];
    rows[0] = row(5, 1, "G", 10, 10);
    expect_format_error(rows, 1, &none, "S", 0); /* no root before it */
    rows[0] = row(1, 0, "R", 10, 0);
    rows[1] = row(5, 2, "G", 10, 10);
    expect_format_error(rows, 2, &none, "S", 1); /* two steps deeper */
    rows[1] = row(5, 1, "X", 10, 10);
    expect_format_error(rows, 2, &none, "S", 1); /* rank code Bracken does not know */
    size_t n = genus_report(rows, 0);
    expect_format_error(rows, n, &none, "K", SIZE_MAX); /* nothing at the level */
    expect_format_error(rows, n, &zero, "S", 2);        /* species 11 has fraction 0 on its own line */
    bracken_result_t res;
    assert_int_equal(bracken_estimate(rows, n, &none, "X", 10, &res), GB_E_USAGE);
    assert_int_equal(bracken_estimate(rows, n, &none, "S1a", 10, &res), GB_E_USAGE);
    assert_int_equal(bracken_estimate(rows, n, &none, "", 10, &res), GB_E_USAGE);
    bracken_result_free(&res);
    /* no distribution: nothing moves, and a threshold of 0 keeps species 13 */
    assert_int_equal(bracken_estimate(rows, n, &none, "S", 0, &res), GB_OK);
    assert_int_equal(res.n_est, 3);
    expect_estimate(&res.est[2], 13, 5, 0, 5.0 / 75);
    assert_int_equal(res.undistributed_reads, 40);
    bracken_result_free(&res);
    bracken_distrib_free(&none);
    bracken_distrib_free(&zero);
}

static void test_files(void **state)
{
    (void)state;
    static const char report[] = "# a KrakenUniq-style comment\n"
                                 "  7.41\t10\t10\t5\t5\tU\t0\tunclassified\n"
                                 " 92.59\t115\t0\t5\t5\tR\t1\troot\n"
                                 " 92.59\t115\t40\t5\t5\tG\t10\t  Genus ten\n"
                                 " 40.00\t50\t40\t5\t5\tS\t11\t    Sp eleven \r\n"
                                 "  8.00\t10\t10\t5\t5\t-\t111\t      Strain of eleven\n"
                                 " 16.00\t20\t20\t5\t5\tS\t12\t    Sp twelve\n"
                                 "  4.00\t5\t5\t5\t5\tS\t13\t    Sp thirteen";
    static const char distrib[] = "mapped_taxid\tgenome_taxids:kmers_mapped:total_genome_kmers\n"
                                  "10\t11:1:2 12:1:2 13:1:1 999:1:1 \n11\t11:1:2 \n12\t12:1:4 \n111\t111:1:1 \n";
    static const char table[] = "name\ttaxonomy_id\ttaxonomy_lvl\tkraken_assigned_reads\tadded_reads\tnew_est_reads\t"
                                "fraction_total_reads\n"
                                "Sp eleven\t11\tS\t50\t20\t70\t0.63636\n"
                                "Sp twelve\t12\tS\t20\t20\t40\t0.36364\n";
    static const char new_report[] = "100.00\t110\t0\tR\t1\troot\n"
                                     "100.00\t110\t0\tG\t10\t  Genus ten\n"
                                     "63.64\t70\t70\tS\t11\t    Sp eleven\n"
                                     "36.36\t40\t40\tS\t12\t    Sp twelve\n";
    char *rpath = test_path(tmpdir, "s.kreport"), *dpath = test_path(tmpdir, "s.kmer_distrib");
    char *tpath = test_path(tmpdir, "s.bracken"), *npath = test_path(tmpdir, "s_bracken_species.kreport");
    test_write_file(rpath, report, strlen(report));
    test_write_file(dpath, distrib, strlen(distrib));
    bracken_report_t rep;
    bracken_distrib_t d;
    bracken_result_t res;
    assert_int_equal(bracken_io_read_report(rpath, &rep), GB_OK);
    assert_int_equal(rep.n, 7);
    assert_string_equal(rep.names[3], "Sp eleven");
    assert_int_equal(rep.line_no[3], 5);
    assert_int_equal(bracken_io_read_distrib(dpath, &d), GB_OK);
    assert_int_equal(d.n_lines, 4);
    char *dflt = bracken_io_default_report_name(rpath, "S");
    assert_string_equal(dflt, npath);
    assert_int_equal(bracken_io_run(rpath, &rep, &d, "S", 10, tpath, dflt, &res), GB_OK);
    char *got = test_read_file(tpath, NULL);
    assert_string_equal(got, table);
    free(got);
    got = test_read_file(npath, NULL);
    assert_string_equal(got, new_report);
    free(got);
    bracken_result_free(&res);
    bracken_distrib_free(&d);
    bracken_io_report_free(&rep);
    free(dflt);
    free(rpath);
    free(dpath);
    free(tpath);
    free(npath);
}

static void test_default_names(void **state)
{
    (void)state;
    const char *cases[][3] = {{"a/s.kreport", "G", "a/s_bracken_genuses.kreport"},
                              {"d.x/sample", "S", "d.x/sample_bracken_species"},
                              {".hidden", "S1", ".hidden_bracken_S1"},
                              {"x.y.report", "F", "x.y_bracken_families.report"}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *name = bracken_io_default_report_name(cases[i][0], cases[i][1]);
        assert_string_equal(name, cases[i][2]);
        free(name);
    }
}

/* Each malformed input is refused with one line naming file:line. */
static void test_bad_files(void **state)
{
    (void)state;
    static const char *const distribs[] = {"h\n1\t2:3:4\n562\t562:1\n",
                                           "h\n1\t2:3:4 \n562\t562:1:0\n",
                                           "h\n562 562:1:2\n",
                                           "h\n1\t2:3:4\n562\t562:1:2  563:1:2\n",
                                           "h\n1\t2:3:4\n0562\t562:1:2\n",
                                           "h\n1\t2:3:4\n562\t562:x:2\n"};
    static const char *const reports[] = {"", "C\tread1\t562\t150\t562:5\n", "d__Bacteria\t10\n",
                                          " 1.0\t10\tten\tS\t562\tE. coli\n", " 1.0\t10\t1\tS\tabc\tE. coli\n"};
    char *path = test_path(tmpdir, "bad"), *log_path = test_path(tmpdir, "bad.log");
    for (size_t i = 0; i < sizeof distribs / sizeof distribs[0] + sizeof reports / sizeof reports[0]; i++) {
        int is_distrib = i < sizeof distribs / sizeof distribs[0];
        const char *text = is_distrib ? distribs[i] : reports[i - sizeof distribs / sizeof distribs[0]];
        test_write_file(path, text, strlen(text));
        bracken_distrib_t d;
        bracken_report_t rep;
        int saved = test_stderr_begin(log_path);
        int rc = is_distrib ? bracken_io_read_distrib(path, &d) : bracken_io_read_report(path, &rep);
        char *err = test_stderr_end(log_path, saved);
        assert_int_equal(rc, GB_E_FORMAT);
        assert_int_equal(test_count_lines(err), 1);
        assert_non_null(strstr(err, path));
        if (is_distrib) assert_non_null(strstr(err, i == 2 ? ":2:" : ":3:"));
        free(err);
    }
    bracken_distrib_t d;
    assert_int_equal(bracken_io_read_distrib("/nonexistent/x.kmer_distrib", &d), GB_E_IO);
    free(path);
    free(log_path);
}

int main(void)
{
    if (test_tmpdir_make(tmpdir, sizeof tmpdir) != 0) return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_genus_shared),   cmocka_unit_test(test_last_line_wins),
        cmocka_unit_test(test_unranked_names), cmocka_unit_test(test_errors),
        cmocka_unit_test(test_files),          cmocka_unit_test(test_default_names),
        cmocka_unit_test(test_bad_files),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    test_tmpdir_finish(tmpdir, failed == 0);
    return failed != 0;
}
