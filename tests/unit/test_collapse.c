/* Unit tests for pipeline/collapse.c: clades from lineage strings in gutbrain's 7-level layout,
 * Greengenes (k__ as domain, species epithets), SILVA ("D_5__") and biom-format's padded lists;
 * clades from a taxonomy (a hand-written taxdump, and the real subset under $GUTBRAIN_DATA);
 * rank none; dropped features and their counts; errors; a seeded random table whose clade sums
 * plus dropped counts must give back every sample total exactly (seed: $GB_TEST_SEED or
 * 12345); and the real Kovtun 2022 table collapsed to genus against the converter's own
 * per-genus sums, bit for bit (tests/integration/data/kovtun_to_biom.py; skipped without the
 * data or python biom-format). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include "test_util.h"
#include <cmocka.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "collapse.h"
#include "log.h"

static char tmpdir[256];

/* A table borrowing the caller's arrays (never passed to biom_table_free). */
static biom_table_t make_table(size_t ns, size_t nf, char **samples, char **features, double *counts, char **lineage,
                               size_t width)
{
    biom_table_t t;
    memset(&t, 0, sizeof t);
    t.path = "test.biom";
    t.nsamples = ns;
    t.nfeatures = nf;
    t.sample_ids = samples;
    t.feature_ids = features;
    t.counts = counts;
    t.lineage = lineage;
    t.lineage_width = width;
    return t;
}

static void assert_row(const collapse_t *c, size_t s, const double *want)
{
    for (size_t f = 0; f < c->nfeatures; f++)
        if (c->counts[s * c->nfeatures + f] != want[f])
            fail_msg("sample %zu, clade %s: %g, want %g", s, c->feature_ids[f], c->counts[s * c->nfeatures + f],
                     want[f]);
}

/* ---------- lineage strings ---------- */

static char *SAMPLES[] = {"s1", "s2"};
/* gutbrain layout: bare prefixes where a rank is missing */
static char *OURS_FEATURES[] = {"562", "83333", "570", "2", "1239"};
/* clang-format off */
static char *OURS_LINEAGE[] = {
    "d__Bacteria", "p__Proteobacteria", "c__Gammaproteobacteria", "o__Enterobacterales", "f__Enterobacteriaceae", "g__Escherichia", "s__Escherichia coli",
    "d__Bacteria", "p__Proteobacteria", "c__Gammaproteobacteria", "o__Enterobacterales", "f__Enterobacteriaceae", "g__Escherichia", "s__Escherichia coli",
    "d__Bacteria", "p__Proteobacteria", "c__Gammaproteobacteria", "o__Enterobacterales", "f__Enterobacteriaceae", "g__Klebsiella", "s__",
    "d__Bacteria", "p__", "c__", "o__", "f__", "g__", "s__",
    "d__Bacteria", "p__Firmicutes", "c__", "o__", "f__", "g__", "s__",
};
/* clang-format on */
static double OURS_COUNTS[] = {10, 5, 2, 1, 7, /* s2 */ 0, 3, 0, 4, 1};

static void test_ours_genus(void **state)
{
    biom_table_t t = make_table(2, 5, SAMPLES, OURS_FEATURES, OURS_COUNTS, OURS_LINEAGE, 7);
    collapse_t c;
    assert_int_equal(collapse_table(&t, COLLAPSE_GENUS, NULL, &c), 0);
    assert_int_equal(c.nfeatures, 2);
    assert_int_equal(c.nsamples, 2);
    assert_string_equal(c.feature_ids[0], "g__Escherichia");
    assert_string_equal(c.feature_names[0], "Escherichia");
    assert_string_equal(c.feature_ids[1], "g__Klebsiella");
    assert_row(&c, 0, (const double[]){15, 2});
    assert_row(&c, 1, (const double[]){3, 0});
    assert_int_equal(c.ninput, 5);
    assert_int_equal(c.ndropped, 2);
    static const long clade_of[5] = {0, 0, 1, -1, -1};
    for (int f = 0; f < 5; f++) assert_int_equal(c.clade_of[f], clade_of[f]);
    assert_true(c.dropped[0] == 8 && c.dropped[1] == 5);
    collapse_free(&c);
    collapse_free(&c);

    assert_int_equal(collapse_table(&t, COLLAPSE_PHYLUM, NULL, &c), 0);
    assert_int_equal(c.nfeatures, 2);
    assert_string_equal(c.feature_ids[0], "p__Firmicutes"); /* byte order */
    assert_string_equal(c.feature_ids[1], "p__Proteobacteria");
    assert_row(&c, 0, (const double[]){7, 17});
    collapse_free(&c);

    assert_int_equal(collapse_table(&t, COLLAPSE_DOMAIN, NULL, &c), 0);
    assert_int_equal(c.nfeatures, 1);
    assert_row(&c, 0, (const double[]){25});
    assert_row(&c, 1, (const double[]){8});
    assert_int_equal(c.ndropped, 0);
    collapse_free(&c);

    assert_int_equal(collapse_table(&t, COLLAPSE_SPECIES, NULL, &c), 0);
    assert_int_equal(c.nfeatures, 1);
    assert_string_equal(c.feature_ids[0], "s__Escherichia coli");
    collapse_free(&c);
}

/* Greengenes via biom convert: k__ for the domain, species as the epithet; biom pads with "". */
static char *GG_FEATURES[] = {"otu1", "otu2", "otu3", "otu4"};
/* clang-format off */
static char *GG_LINEAGE[] = {
    "k__Bacteria", "p__Firmicutes", "c__Bacilli", "o__Lactobacillales", "f__Lactobacillaceae", "g__Lactobacillus", "s__gasseri",
    "k__Bacteria", "p__Firmicutes", "c__Bacilli", "o__Lactobacillales", "f__Lactobacillaceae", "g__Lactobacillus", "s__",
    "k__Bacteria", "p__Proteobacteria", "", "", "", "", "",
    "Unassigned", "", "", "", "", "", "",
};
/* clang-format on */
static double GG_COUNTS[] = {1, 2, 3, 4, /* s2 */ 5, 6, 7, 8};

static void test_greengenes(void **state)
{
    biom_table_t t = make_table(2, 4, SAMPLES, GG_FEATURES, GG_COUNTS, GG_LINEAGE, 7);
    collapse_t c;
    assert_int_equal(collapse_table(&t, COLLAPSE_SPECIES, NULL, &c), 0);
    assert_int_equal(c.nfeatures, 1);
    assert_string_equal(c.feature_ids[0], "s__Lactobacillus gasseri");
    assert_string_equal(c.feature_names[0], "Lactobacillus gasseri");
    assert_row(&c, 1, (const double[]){5});
    assert_true(c.dropped[1] == 6 + 7 + 8);
    collapse_free(&c);

    assert_int_equal(collapse_table(&t, COLLAPSE_DOMAIN, NULL, &c), 0); /* k__ stands in */
    assert_int_equal(c.nfeatures, 1);
    assert_string_equal(c.feature_ids[0], "d__Bacteria");
    assert_row(&c, 0, (const double[]){6});
    assert_int_equal(c.ndropped, 1);
    collapse_free(&c);

    assert_int_equal(collapse_table(&t, COLLAPSE_KINGDOM, NULL, &c), 0);
    assert_string_equal(c.feature_ids[0], "k__Bacteria");
    collapse_free(&c);

    assert_int_equal(collapse_table(&t, COLLAPSE_GENUS, NULL, &c), 0);
    assert_int_equal(c.nfeatures, 1);
    assert_row(&c, 0, (const double[]){3});
    collapse_free(&c);
}

static char *SILVA_FEATURES[] = {"a", "b"};
/* clang-format off */
static char *SILVA_LINEAGE[] = {
    "D_0__Bacteria", "D_1__Bacteroidetes", "D_2__Bacteroidia", "D_3__Bacteroidales", "D_4__Bacteroidaceae", "D_5__Bacteroides",
    "D_0__Bacteria", "D_1__Bacteroidetes", "D_2__Bacteroidia", "D_3__Bacteroidales", "D_4__Prevotellaceae", "D_5__Prevotella 9",
};
/* clang-format on */
static double SILVA_COUNTS[] = {1, 2, 3, 4};

static void test_silva(void **state)
{
    biom_table_t t = make_table(2, 2, SAMPLES, SILVA_FEATURES, SILVA_COUNTS, SILVA_LINEAGE, 6);
    collapse_t c;
    assert_int_equal(collapse_table(&t, COLLAPSE_GENUS, NULL, &c), 0);
    assert_int_equal(c.nfeatures, 2);
    assert_string_equal(c.feature_ids[0], "g__Bacteroides");
    assert_string_equal(c.feature_ids[1], "g__Prevotella 9");
    collapse_free(&c);
    assert_int_equal(collapse_table(&t, COLLAPSE_FAMILY, NULL, &c), 0);
    assert_string_equal(c.feature_ids[1], "f__Prevotellaceae");
    collapse_free(&c);
}

static void test_none_and_errors(void **state)
{
    biom_table_t t = make_table(2, 5, SAMPLES, OURS_FEATURES, OURS_COUNTS, NULL, 0);
    collapse_t c;
    assert_int_equal(collapse_table(&t, COLLAPSE_NONE, NULL, &c), 0); /* no lineage needed */
    assert_int_equal(c.nfeatures, 5);
    assert_string_equal(c.feature_ids[3], "2");
    assert_row(&c, 1, (const double[]){0, 3, 0, 4, 1});
    assert_int_equal(c.ndropped, 0);
    assert_int_equal(c.clade_of[4], 4);
    collapse_free(&c);

    gb_clear_last_error();
    assert_int_equal(collapse_table(&t, COLLAPSE_GENUS, NULL, &c), GB_E_USAGE);
    assert_non_null(strstr(gb_last_error(), "test.biom has no taxonomy metadata"));
    assert_null(c.counts);

    biom_table_t gg = make_table(2, 4, SAMPLES, GG_FEATURES, GG_COUNTS, GG_LINEAGE, 7);
    gb_clear_last_error();
    assert_int_equal(collapse_table(&gg, COLLAPSE_ORDER, NULL, &c), 0);
    collapse_free(&c);
    biom_table_t silva = make_table(2, 2, SAMPLES, SILVA_FEATURES, SILVA_COUNTS, SILVA_LINEAGE, 6);
    assert_int_equal(collapse_table(&silva, COLLAPSE_SPECIES, NULL, &c), GB_E_USAGE);
    assert_non_null(strstr(gb_last_error(), "test.biom: no feature has a species in its lineage"));

    collapse_rank_t r;
    assert_int_equal(collapse_rank_parse("Genus", &r), 0);
    assert_int_equal(r, COLLAPSE_GENUS);
    assert_int_equal(collapse_rank_parse("superkingdom", &r), 0);
    assert_int_equal(r, COLLAPSE_DOMAIN);
    assert_int_equal(collapse_rank_parse("none", &r), 0);
    assert_int_equal(r, COLLAPSE_NONE);
    assert_int_equal(collapse_rank_parse("strain", &r), GB_E_USAGE);
    assert_non_null(strstr(gb_last_error(), "unknown rank \"strain\""));
    assert_string_equal(collapse_rank_name(COLLAPSE_FAMILY), "family");
    assert_string_equal(collapse_rank_name(COLLAPSE_NONE), "none");
}

/* ---------- a taxonomy ---------- */

static void write_file(const char *dir, const char *name, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

#define NODE(t, p, rank) #t "\t|\t" #p "\t|\t" rank "\t|\t\t|\t0\t|\t0\t|\t11\t|\t0\t|\t0\t|\t0\t|\t0\t|\t0\t|\t\t|\n"
#define NAME(t, s)       #t "\t|\t" s "\t|\t\t|\tscientific name\t|\n"

static void test_taxonomy(void **state)
{
    char dir[300];
    snprintf(dir, sizeof dir, "%s/taxdump", tmpdir);
    assert_int_equal(mkdir(dir, 0755), 0);
    write_file(dir, "nodes.dmp",
               NODE(1, 1, "no rank") NODE(2, 1, "domain") NODE(1224, 2, "phylum") NODE(543, 1224, "family")
                   NODE(561, 543, "genus") NODE(562, 561, "species") NODE(83333, 562, "no rank") NODE(570, 543, "genus")
                       NODE(573, 570, "species") NODE(10239, 1, "acellular root") NODE(10710, 10239, "species"));
    write_file(dir, "names.dmp",
               NAME(1, "root") NAME(2, "Bacteria") NAME(1224, "Proteobacteria") NAME(543, "Enterobacteriaceae")
                   NAME(561, "Escherichia") NAME(562, "Escherichia coli") NAME(83333, "Escherichia coli K-12")
                       NAME(570, "Klebsiella") NAME(573, "Klebsiella pneumoniae") NAME(10239, "Viruses")
                           NAME(10710, "Escherichia virus Lambda"));
    char *features[] = {"83333", "573", "562", "abc", "2", "999999", "10710"};
    double counts[] = {1, 2, 4, 8, 16, 32, 64, /* s2 */ 0, 0, 3, 0, 0, 0, 5};
    biom_table_t t = make_table(2, 7, SAMPLES, features, counts, NULL, 0);
    taxo_t taxo;
    assert_int_equal(collapse_load_taxonomy(dir, &t, &taxo), 0);
    collapse_t c;
    assert_int_equal(collapse_table(&t, COLLAPSE_GENUS, &taxo, &c), 0);
    assert_int_equal(c.nfeatures, 2);
    assert_string_equal(c.feature_ids[0], "561"); /* clade taxids, ascending */
    assert_string_equal(c.feature_names[0], "Escherichia");
    assert_string_equal(c.feature_ids[1], "570");
    assert_string_equal(c.feature_names[1], "Klebsiella");
    assert_row(&c, 0, (const double[]){5, 2});
    assert_row(&c, 1, (const double[]){3, 0});
    assert_int_equal(c.ndropped, 4); /* abc, 2 (no genus), 999999, the phage */
    assert_true(c.dropped[0] == 8 + 16 + 32 + 64);
    collapse_free(&c);

    assert_int_equal(collapse_table(&t, COLLAPSE_DOMAIN, &taxo, &c), 0); /* domain, acellular root */
    assert_int_equal(c.nfeatures, 2);
    assert_string_equal(c.feature_ids[0], "2");
    assert_string_equal(c.feature_ids[1], "10239");
    assert_row(&c, 0, (const double[]){1 + 2 + 4 + 16, 64});
    collapse_free(&c);

    assert_int_equal(collapse_table(&t, COLLAPSE_SPECIES, &taxo, &c), 0);
    assert_int_equal(c.nfeatures, 3);
    assert_string_equal(c.feature_ids[0], "562");
    assert_string_equal(c.feature_ids[1], "573");
    assert_string_equal(c.feature_ids[2], "10710"); /* numeric, not byte order */
    assert_row(&c, 0, (const double[]){5, 2, 64});
    collapse_free(&c);

    gb_clear_last_error();
    assert_int_equal(collapse_table(&t, COLLAPSE_CLASS, &taxo, &c), GB_E_USAGE);
    assert_non_null(strstr(gb_last_error(), "no feature has a class in the taxonomy"));
    taxo_destroy(&taxo);

    char *strangers[] = {"x", "0"};
    biom_table_t none = make_table(2, 2, SAMPLES, strangers, counts, NULL, 0);
    assert_int_equal(collapse_load_taxonomy(dir, &none, &taxo), GB_E_USAGE);
    assert_non_null(strstr(gb_last_error(), "no feature id is a taxid of the taxonomy"));
    assert_int_equal(collapse_load_taxonomy("/nonexistent", &t, &taxo), GB_E_IO);

    const char *files[] = {"nodes.dmp", "names.dmp"};
    for (int i = 0; i < 2; i++) {
        char path[400];
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        unlink(path);
    }
    rmdir(dir);
}

/* The real taxonomy subset: E. coli K-12 MG1655 (511145) and Klebsiella pneumoniae strains. */
static void test_real_taxonomy(void **state)
{
    char dir[1024], nodes[1100];
    snprintf(dir, sizeof dir, "%s/taxonomy", test_data_dir());
    snprintf(nodes, sizeof nodes, "%s/nodes.dmp", dir);
    if (access(nodes, R_OK) != 0) {
        printf("no taxonomy at %s: skipped\n", dir);
        skip();
    }
    char *features[] = {"511145", "562", "1224"};
    double counts[] = {3, 4, 5};
    biom_table_t t = make_table(1, 3, SAMPLES, features, counts, NULL, 0);
    taxo_t taxo;
    assert_int_equal(collapse_load_taxonomy(dir, &t, &taxo), 0);
    collapse_t c;
    assert_int_equal(collapse_table(&t, COLLAPSE_GENUS, &taxo, &c), 0);
    assert_int_equal(c.nfeatures, 1);
    assert_string_equal(c.feature_ids[0], "561");
    assert_string_equal(c.feature_names[0], "Escherichia");
    assert_row(&c, 0, (const double[]){7});
    collapse_free(&c);
    assert_int_equal(collapse_table(&t, COLLAPSE_PHYLUM, &taxo, &c), 0);
    assert_string_equal(c.feature_ids[0], "1224");
    assert_row(&c, 0, (const double[]){12});
    collapse_free(&c);
    taxo_destroy(&taxo);
}

/* ---------- seeded random tables ---------- */

static void test_random(void **state)
{
    uint64_t seed = test_seed("test_random");
    enum { NS = 40, NF = 300, W = 7 };
    char names[NF][16], cells[NF][W][24];
    char *features[NF], *lineage[NF * W], *samples[NS];
    char sample_names[NS][16];
    double *counts = malloc(sizeof(double) * NS * NF);
    test_rng_t rng = {seed};
    for (int f = 0; f < NF; f++) {
        snprintf(names[f], sizeof names[f], "f%d", f);
        features[f] = names[f];
        int genus = (int)(test_rng_next(&rng) % 23) - 3; /* < 0: no genus */
        static const char prefix[W] = {'d', 'p', 'c', 'o', 'f', 'g', 's'};
        for (int l = 0; l < W; l++) {
            if (l == 5 && genus >= 0) snprintf(cells[f][l], sizeof cells[f][l], "g__G%d", genus);
            else if (l == 0) snprintf(cells[f][l], sizeof cells[f][l], "d__Bacteria");
            else snprintf(cells[f][l], sizeof cells[f][l], "%c__", prefix[l]);
            lineage[f * W + l] = cells[f][l];
        }
    }
    for (int s = 0; s < NS; s++) {
        snprintf(sample_names[s], sizeof sample_names[s], "S%d", s);
        samples[s] = sample_names[s];
        for (int f = 0; f < NF; f++)
            counts[s * NF + f] = (double)(test_rng_next(&rng) % 1000 < 700 ? 0 : test_rng_next(&rng) % 5000);
    }
    biom_table_t t = make_table(NS, NF, samples, features, counts, lineage, W);
    collapse_t c;
    assert_int_equal(collapse_table(&t, COLLAPSE_GENUS, NULL, &c), 0);
    for (size_t k = 1; k < c.nfeatures; k++) assert_true(strcmp(c.feature_ids[k - 1], c.feature_ids[k]) < 0);
    for (int s = 0; s < NS; s++) {
        double in = 0, out = c.dropped[s];
        for (int f = 0; f < NF; f++) in += counts[s * NF + f];
        for (size_t k = 0; k < c.nfeatures; k++) out += c.counts[s * c.nfeatures + k];
        assert_true(in == out); /* integers below 2^53: exact */
        for (int f = 0; f < NF; f++) {
            long k = c.clade_of[f];
            if (k >= 0) assert_string_equal(c.feature_ids[k], cells[f][5]);
            else assert_string_equal(cells[f][5], "g__");
        }
    }
    collapse_free(&c);
    free(counts);
}

/* ---------- the real MDD cohort ---------- */

static void test_kovtun(void **state)
{
    const char *signatures = "S6a_genus_level_signatures.tsv.gz";
    test_kovtun_to_biom(signatures, "", tmpdir, "pairs.biom", "meta.tsv");
    test_kovtun_to_biom(signatures, "--features genus", tmpdir, "genus.biom", "meta.tsv");
    char *pairs_path = test_path(tmpdir, "pairs.biom"), *genus_path = test_path(tmpdir, "genus.biom");
    char *meta_path = test_path(tmpdir, "meta.tsv");
    biom_table_t pairs, genus;
    assert_int_equal(biom_read(pairs_path, &pairs), 0);
    assert_int_equal(biom_read(genus_path, &genus), 0);
    collapse_t c;
    assert_int_equal(collapse_table(&pairs, COLLAPSE_GENUS, NULL, &c), 0);
    assert_int_equal(c.nfeatures, 101);
    assert_int_equal(c.ndropped, 0);
    assert_int_equal(genus.nfeatures, 101);
    for (size_t g = 0; g < genus.nfeatures; g++) {
        long k = -1;
        for (size_t j = 0; j < c.nfeatures && k < 0; j++)
            if (strcmp(c.feature_names[j], genus.feature_ids[g]) == 0) k = (long)j;
        if (k < 0) fail_msg("genus %s missing from the collapsed table", genus.feature_ids[g]);
        for (size_t s = 0; s < genus.nsamples; s++)
            if (c.counts[s * c.nfeatures + (size_t)k] != genus.counts[s * genus.nfeatures + g])
                fail_msg("%s, sample %s: %.17g vs %.17g", genus.feature_ids[g], genus.sample_ids[s],
                         c.counts[s * c.nfeatures + (size_t)k], genus.counts[s * genus.nfeatures + g]);
    }
    assert_string_equal(c.feature_ids[0], "g__Acidaminococcus");
    collapse_free(&c);
    biom_table_free(&pairs);
    biom_table_free(&genus);
    unlink(pairs_path);
    unlink(genus_path);
    unlink(meta_path);
    free(pairs_path);
    free(genus_path);
    free(meta_path);
}

int main(int argc, char **argv)
{
    if (test_tmpdir_make(tmpdir, sizeof tmpdir) != 0) return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ours_genus),      cmocka_unit_test(test_greengenes), cmocka_unit_test(test_silva),
        cmocka_unit_test(test_none_and_errors), cmocka_unit_test(test_taxonomy),   cmocka_unit_test(test_real_taxonomy),
        cmocka_unit_test(test_random),          cmocka_unit_test(test_kovtun),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    test_tmpdir_finish(tmpdir, failed == 0);
    return failed != 0;
}
