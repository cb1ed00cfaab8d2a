/* Unit tests for pipeline/cami.c: a CAMI profile byte for byte on a hand-made taxonomy (a gap
 * in a lineage, NCBI's "domain" for superkingdom, strains as leaves below a species, reads
 * above every rank, a '|' in a name), per-rank sums, an empty sample, a bad sample id, a write
 * error and the default sample id of classify. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include "test_util.h"
#include <cmocka.h>
#include "fixture_taxo.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cami.h"
#include "version.h"

/* Parents before children (the flat-array contract); Archaea is ranked "domain" as in the
 * current NCBI taxdump, and its lineage has no class. */
/* clang-format off */
static const node_t TREE[] = {
    {0, 0, "", ""},
    {1, 0, "no rank", "root"},
    {10239, 1, "superkingdom", "Viruses"},
    {131567, 1, "no rank", "cellular organisms"},
    {2, 3, "superkingdom", "Bacteria"},
    {2157, 3, "domain", "Archaea"},
    {1239, 4, "phylum", "Firmicutes"},
    {1224, 4, "phylum", "Proteobacteria"},
    {28890, 5, "phylum", "Euryarchaeota"},
    {10710, 2, "species", "Escherichia virus Lambda"},
    {186801, 6, "class", "Clostridia"},
    {1236, 7, "class", "Gammaproteobacteria"},
    {2158, 8, "order", "Methanobacteriales"},
    {186802, 10, "order", "Eubacteriales"},
    {91347, 11, "order", "Enterobacterales"},
    {2159, 12, "family", "Methanobacteriaceae"},
    {543, 14, "family", "Enterobacteriaceae"},
    {2172, 15, "genus", "Methanobrevibacter"},
    {561, 16, "genus", "Escherichia"},
    {2173, 17, "species", "Methanobrevibacter smithii"},
    {562, 18, "species", "Escherichia coli"},
    {83333, 20, "no rank", "Escherichia coli K-12"},
    {420247, 19, "strain", "Methanobrevibacter smithii ATCC 35061"},
    {511145, 21, "no rank", "E. coli MG1655|substr"},
};
/* clang-format on */
#define N_TREE (sizeof TREE / sizeof TREE[0])
enum { ROOT = 1, LAMBDA = 9, BACTERIA = 4, EUBACTERIALES = 13, ENTEROBACTERIACEAE = 16 };
enum { METHANOBREVIBACTER = 17, MSMITHII = 19, ECOLI = 20, K12 = 21, MSMITHII_ATCC = 22, MG1655 = 23 };

/* 40 classified: 2 at the root and 2 at Bacteria (above every rank below them). */
static void counts(uint64_t *calls)
{
    memset(calls, 0, N_TREE * sizeof *calls);
    calls[0] = 7; /* unclassified: not part of any percentage */
    calls[ROOT] = 2;
    calls[LAMBDA] = 6;
    calls[BACTERIA] = 2;
    calls[EUBACTERIALES] = 4;
    calls[ENTEROBACTERIACEAE] = 1;
    calls[ECOLI] = 3;
    calls[K12] = 2;
    calls[MG1655] = 10;
    calls[METHANOBREVIBACTER] = 1;
    calls[MSMITHII] = 4;
    calls[MSMITHII_ATCC] = 5;
}

static char *cami(const taxo_t *t, const uint64_t *calls, const char *id, int want_rc)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    assert_non_null(f);
    assert_int_equal(cami_write(f, t, calls, id), want_rc);
    assert_int_equal(fclose(f), 0);
    return text;
}

#define HEADER(id)                                                                                           \
    "@SampleID:" id "\n@Version:0.9.1\n@Ranks:superkingdom|phylum|class|order|family|genus|species|strain\n" \
    "@__program__:gutbrain " GB_VERSION "\n@@TAXID\tRANK\tTAXPATH\tTAXPATHSN\tPERCENTAGE\n"

static void test_profile(void **state)
{
    taxo_t t;
    fixture_taxo(TREE, N_TREE, 0, &t);
    uint64_t calls[N_TREE];
    counts(calls);
    char *got = cami(&t, calls, "gut_01", GB_OK);
    const char *want = HEADER(
        "gut_01") "2\tsuperkingdom\t2\tBacteria\t55.00000000\n"
                  "2157\tsuperkingdom\t2157\tArchaea\t25.00000000\n"
                  "10239\tsuperkingdom\t10239\tViruses\t15.00000000\n"
                  "1224\tphylum\t2|1224\tBacteria|Proteobacteria\t40.00000000\n"
                  "28890\tphylum\t2157|28890\tArchaea|Euryarchaeota\t25.00000000\n"
                  "1239\tphylum\t2|1239\tBacteria|Firmicutes\t10.00000000\n"
                  "1236\tclass\t2|1224|1236\tBacteria|Proteobacteria|Gammaproteobacteria\t40.00000000\n"
                  "186801\tclass\t2|1239|186801\tBacteria|Firmicutes|Clostridia\t10.00000000\n"
                  "91347\torder\t2|1224|1236|91347\tBacteria|Proteobacteria|Gammaproteobacteria|Enterobacterales\t40."
                  "00000000\n"
                  "2158\torder\t2157|28890||2158\tArchaea|Euryarchaeota||Methanobacteriales\t25.00000000\n"
                  "186802\torder\t2|1239|186801|186802\tBacteria|Firmicutes|Clostridia|Eubacteriales\t10.00000000\n"
                  "543\tfamily\t2|1224|1236|91347|543\tBacteria|Proteobacteria|Gammaproteobacteria|Enterobacterales|"
                  "Enterobacteriaceae\t40.00000000\n"
                  "2159\tfamily\t2157|28890||2158|2159\tArchaea|Euryarchaeota||Methanobacteriales|"
                  "Methanobacteriaceae\t25.00000000\n"
                  "561\tgenus\t2|1224|1236|91347|543|561\tBacteria|Proteobacteria|Gammaproteobacteria|Enterobacterales|"
                  "Enterobacteriaceae|Escherichia\t37.50000000\n"
                  "2172\tgenus\t2157|28890||2158|2159|2172\tArchaea|Euryarchaeota||Methanobacteriales|"
                  "Methanobacteriaceae|"
                  "Methanobrevibacter\t25.00000000\n"
                  "562\tspecies\t2|1224|1236|91347|543|561|562\tBacteria|Proteobacteria|Gammaproteobacteria|"
                  "Enterobacterales|"
                  "Enterobacteriaceae|Escherichia|Escherichia coli\t37.50000000\n"
                  "2173\tspecies\t2157|28890||2158|2159|2172|2173\tArchaea|Euryarchaeota||Methanobacteriales|"
                  "Methanobacteriaceae|Methanobrevibacter|Methanobrevibacter smithii\t22.50000000\n"
                  "10710\tspecies\t10239||||||10710\tViruses||||||Escherichia virus Lambda\t15.00000000\n"
                  "511145\tstrain\t2|1224|1236|91347|543|561|562|511145\tBacteria|Proteobacteria|Gammaproteobacteria|"
                  "Enterobacterales|Enterobacteriaceae|Escherichia|Escherichia coli|E. coli MG1655 "
                  "substr\t25.00000000\n"
                  "420247\tstrain\t2157|28890||2158|2159|2172|2173|420247\tArchaea|Euryarchaeota||Methanobacteriales|"
                  "Methanobacteriaceae|Methanobrevibacter|Methanobrevibacter smithii|Methanobrevibacter smithii ATCC "
                  "35061\t12.50000000\n";
    if (strcmp(got, want) != 0) fail_msg("profile differs:\n--- got\n%s--- want\n%s", got, want);
    free(got);
    taxo_destroy(&t);
}

/* Structure: every line has five columns, a path of rank + 1 entries ending in its own taxid,
 * and a rank sums to 100 minus the share called above it (the root's 5 % everywhere). */
static void test_rank_sums(void **state)
{
    taxo_t t;
    fixture_taxo(TREE, N_TREE, 0, &t);
    uint64_t calls[N_TREE];
    counts(calls);
    char *text = cami(&t, calls, "s", GB_OK);
    /* above each rank: root 2 (5 %), plus Bacteria's 2 from phylum on, Viruses from phylum to
     * genus (no taxon there), Archaea at class, Enterobacteriaceae's 1 from genus on, ... */
    const double want[CAMI_NRANKS] = {95, 75, 50, 75, 65, 62.5, 75, 37.5};
    double sum[CAMI_NRANKS] = {0};
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        if (line[0] == '@') continue;
        char taxid[32], rank[32], path[256], names[512];
        double pct;
        assert_int_equal(sscanf(line, "%31[^\t]\t%31[^\t]\t%255[^\t]\t%511[^\t]\t%lf", taxid, rank, path, names, &pct),
                         5);
        int r = 0;
        while (r < CAMI_NRANKS && strcmp(cami_ranks[r], rank)) r++;
        assert_true(r < CAMI_NRANKS);
        int bars = 0;
        for (const char *c = path; *c; c++) bars += *c == '|';
        assert_int_equal(bars, r);
        const char *last = strrchr(path, '|');
        assert_string_equal(last ? last + 1 : path, taxid);
        sum[r] += pct;
    }
    for (int r = 0; r < CAMI_NRANKS; r++)
        if (fabs(sum[r] - want[r]) > 1e-9) fail_msg("%s sums to %g, want %g", cami_ranks[r], sum[r], want[r]);
    free(text);
    taxo_destroy(&t);
}

/* No classified fragment: the header alone (OPAL skips a sample without lines). */
static void test_empty(void **state)
{
    taxo_t t;
    fixture_taxo(TREE, N_TREE, 0, &t);
    uint64_t calls[N_TREE] = {0};
    calls[0] = 12;
    char *got = cami(&t, calls, "nothing", GB_OK);
    assert_string_equal(got, HEADER("nothing"));
    free(got);
    taxo_destroy(&t);
}

static void test_errors(void **state)
{
    taxo_t t;
    fixture_taxo(TREE, N_TREE, 0, &t);
    uint64_t calls[N_TREE];
    counts(calls);
    char *got = cami(&t, calls, "a\tb", GB_E_USAGE);
    assert_string_equal(got, "");
    free(got);
    got = cami(&t, calls, "", GB_E_USAGE);
    free(got);
    FILE *f = fopen("/dev/full", "w");
    if (f) {
        assert_int_equal(cami_write(f, &t, calls, "s"), GB_E_IO);
        fclose(f);
    }
    t.parent[5] = 9; /* parent after child: the flat-array contract is broken */
    got = cami(&t, calls, "s", GB_E_INTERNAL);
    free(got);
    taxo_destroy(&t);
}

static void test_sample_id(void **state)
{
    const char *cases[][2] = {
        {"/data/run1/S01_R1.fastq.gz", "S01_R1"},
        {"reads.fq.zst", "reads"},
        {"x.fasta", "x"},
        {"contigs.fna.bz2", "contigs"},
        {"plain", "plain"},
        {"dir.v2/a.b.fastq", "a.b"},
        {"only.gz", "only"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *id = cami_sample_id(cases[i][0]);
        assert_non_null(id);
        assert_string_equal(id, cases[i][1]);
        free(id);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_profile), cmocka_unit_test(test_rank_sums), cmocka_unit_test(test_empty),
        cmocka_unit_test(test_errors),  cmocka_unit_test(test_sample_id),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
