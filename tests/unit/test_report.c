/* Unit tests for pipeline/report.c: kreport and mpa-style output byte for byte on a
 * hand-made taxonomy, tie order, zero counts, empty inputs, write errors, and a seeded
 * random tree checked against a simple recursive reference (seed: $GB_TEST_SEED or 12345). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include "test_util.h"
#include <cmocka.h>
#include "fixture_taxo.h"
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "report.h"

/* ---------- hand-made taxonomies ---------- */

/* Kraken's internal order (BFS, siblings by ascending taxid); row 0 is the dummy. */
/* clang-format off */
static const node_t TREE[] = {
    {0, 0, "", ""},
    {1, 0, "no rank", "root"},
    {10239, 1, "superkingdom", "Viruses"},
    {131567, 1, "no rank", "cellular organisms"},
    {2, 3, "superkingdom", "Bacteria"},
    {2157, 3, "superkingdom", "Archaea"},
    {1224, 4, "phylum", "Proteobacteria"},
    {1239, 4, "phylum", "Firmicutes"},
    {1236, 6, "class", "Gammaproteobacteria"},
    {91061, 7, "class", "Bacilli"},
    {91347, 8, "order", "Enterobacterales"},
    {543, 10, "family", "Enterobacteriaceae"},
    {561, 11, "genus", "Escherichia"},
    {570, 11, "genus", "Klebsiella"},
    {562, 12, "species", "Escherichia coli"},
    {573, 13, "species", "Klebsiella pneumoniae"},
    {83333, 14, "no rank", "Escherichia coli K-12"},
    {511145, 16, "no rank", "Escherichia coli str. K-12 substr. MG1655"},
};
/* clang-format on */
#define N_TREE (sizeof TREE / sizeof TREE[0])
/* clang-format off */
enum { ROOT = 1, VIRUSES = 2, BACTERIA = 4, BACILLI = 9, ENTEROBACTERIACEAE = 11,
       ECOLI = 14, KPNEUMONIAE = 15, K12 = 16, MG1655 = 17 };
/* clang-format on */

/* The report as a string (caller frees); mdata may be NULL. */
static char *report_with(const taxo_t *t, const uint64_t *calls, uint64_t unclassified, int zero_counts, int use_mpa,
                         const report_minimizer_data_t *mdata)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    assert_non_null(f);
    assert_int_equal(report_kreport(f, t, calls, unclassified, zero_counts, use_mpa, mdata), 0);
    assert_int_equal(fclose(f), 0);
    return text;
}

static char *report(const taxo_t *t, const uint64_t *calls, uint64_t unclassified, int zero_counts, int use_mpa)
{
    return report_with(t, calls, unclassified, zero_counts, use_mpa, NULL);
}

static void assert_report(const taxo_t *t, const uint64_t *calls, uint64_t unclassified, int zero_counts, int use_mpa,
                          const char *want)
{
    char *got = report(t, calls, unclassified, zero_counts, use_mpa);
    if (strcmp(got, want) != 0) fail_msg("report differs:\n--- got\n%s--- want\n%s", got, want);
    free(got);
}

/* 22 classified + 8 unclassified; Escherichia and Klebsiella tie at 5. */
static void main_counts(uint64_t *calls)
{
    memset(calls, 0, N_TREE * sizeof *calls);
    calls[ROOT] = 2;
    calls[VIRUSES] = 4;
    calls[BACTERIA] = 1;
    calls[ENTEROBACTERIACEAE] = 3;
    calls[ECOLI] = 3;
    calls[K12] = 1;
    calls[MG1655] = 1;
    calls[KPNEUMONIAE] = 5;
    calls[BACILLI] = 2;
}

/* ---------- kreport ---------- */

static void test_kreport(void **state)
{
    taxo_t t;
    fixture_taxo(TREE, N_TREE, 0, &t);
    uint64_t calls[N_TREE];
    main_counts(calls);
    calls[0] = 999; /* ignored */
    assert_report(&t, calls, 8, 0, 0,
                  " 26.67\t8\t8\tU\t0\tunclassified\n"
                  " 73.33\t22\t2\tR\t1\troot\n"
                  " 53.33\t16\t0\tR1\t131567\t  cellular organisms\n"
                  " 53.33\t16\t1\tD\t2\t    Bacteria\n"
                  " 43.33\t13\t0\tP\t1224\t      Proteobacteria\n"
                  " 43.33\t13\t0\tC\t1236\t        Gammaproteobacteria\n"
                  " 43.33\t13\t0\tO\t91347\t          Enterobacterales\n"
                  " 43.33\t13\t3\tF\t543\t            Enterobacteriaceae\n"
                  " 16.67\t5\t0\tG\t561\t              Escherichia\n"
                  " 16.67\t5\t3\tS\t562\t                Escherichia coli\n"
                  "  6.67\t2\t1\tS1\t83333\t                  Escherichia coli K-12\n"
                  "  3.33\t1\t1\tS2\t511145\t                    Escherichia coli str. K-12 substr. MG1655\n"
                  " 16.67\t5\t0\tG\t570\t              Klebsiella\n"
                  " 16.67\t5\t5\tS\t573\t                Klebsiella pneumoniae\n"
                  "  6.67\t2\t0\tP\t1239\t      Firmicutes\n"
                  "  6.67\t2\t2\tC\t91061\t        Bacilli\n"
                  " 13.33\t4\t4\tD\t10239\t  Viruses\n");
    taxo_destroy(&t);
}

/* --report-minimizer-data: two columns after the taxon's own count, summed over the clade;
 * the U line gets 0 and 0; a taxon with minimizers but no reads is still left out; the mpa
 * style is unchanged. */
static void test_kreport_minimizer_data(void **state)
{
    taxo_t t;
    fixture_taxo(TREE, N_TREE, 0, &t);
    uint64_t calls[N_TREE] = {0}, minimizers[N_TREE] = {0}, distinct[N_TREE] = {0};
    calls[ECOLI] = 3;
    calls[KPNEUMONIAE] = 1;
    minimizers[ROOT] = 2;
    distinct[ROOT] = 1;
    minimizers[ECOLI] = 40;
    distinct[ECOLI] = 30;
    minimizers[MG1655] = 7;
    distinct[MG1655] = 5;
    minimizers[KPNEUMONIAE] = 9;
    distinct[KPNEUMONIAE] = 9;
    minimizers[VIRUSES] = 11;
    distinct[VIRUSES] = 2;
    const report_minimizer_data_t mdata = {minimizers, distinct};
    char *got = report_with(&t, calls, 4, 0, 0, &mdata);
    assert_string_equal(got, " 50.00\t4\t4\t0\t0\tU\t0\tunclassified\n"
                             " 50.00\t4\t0\t69\t47\tR\t1\troot\n"
                             " 50.00\t4\t0\t56\t44\tR1\t131567\t  cellular organisms\n"
                             " 50.00\t4\t0\t56\t44\tD\t2\t    Bacteria\n"
                             " 50.00\t4\t0\t56\t44\tP\t1224\t      Proteobacteria\n"
                             " 50.00\t4\t0\t56\t44\tC\t1236\t        Gammaproteobacteria\n"
                             " 50.00\t4\t0\t56\t44\tO\t91347\t          Enterobacterales\n"
                             " 50.00\t4\t0\t56\t44\tF\t543\t            Enterobacteriaceae\n"
                             " 37.50\t3\t0\t47\t35\tG\t561\t              Escherichia\n"
                             " 37.50\t3\t3\t47\t35\tS\t562\t                Escherichia coli\n"
                             " 12.50\t1\t0\t9\t9\tG\t570\t              Klebsiella\n"
                             " 12.50\t1\t1\t9\t9\tS\t573\t                Klebsiella pneumoniae\n");
    free(got);
    char *mpa = report_with(&t, calls, 4, 0, 1, &mdata), *plain = report(&t, calls, 4, 0, 1);
    assert_string_equal(mpa, plain);
    free(mpa);
    free(plain);
    taxo_destroy(&t);
}

static void test_kreport_zero_counts(void **state)
{
    taxo_t t;
    fixture_taxo(TREE, N_TREE, 0, &t);
    uint64_t calls[N_TREE] = {0};
    calls[ECOLI] = 1;
    const char *lineage = "100.00\t1\t0\tR\t1\troot\n"
                          "100.00\t1\t0\tR1\t131567\t  cellular organisms\n"
                          "100.00\t1\t0\tD\t2\t    Bacteria\n"
                          "100.00\t1\t0\tP\t1224\t      Proteobacteria\n"
                          "100.00\t1\t0\tC\t1236\t        Gammaproteobacteria\n"
                          "100.00\t1\t0\tO\t91347\t          Enterobacterales\n"
                          "100.00\t1\t0\tF\t543\t            Enterobacteriaceae\n"
                          "100.00\t1\t0\tG\t561\t              Escherichia\n"
                          "100.00\t1\t1\tS\t562\t                Escherichia coli\n";
    assert_report(&t, calls, 0, 0, 0, lineage); /* no U line, empty subtrees skipped */
    char want[4096];
    snprintf(want, sizeof want, "%s%s%s", "  0.00\t0\t0\tU\t0\tunclassified\n", lineage,
             "  0.00\t0\t0\tS1\t83333\t                  Escherichia coli K-12\n"
             "  0.00\t0\t0\tS2\t511145\t                    Escherichia coli str. K-12 substr. MG1655\n"
             "  0.00\t0\t0\tG\t570\t              Klebsiella\n"
             "  0.00\t0\t0\tS\t573\t                Klebsiella pneumoniae\n"
             "  0.00\t0\t0\tP\t1239\t      Firmicutes\n"
             "  0.00\t0\t0\tC\t91061\t        Bacilli\n"
             "  0.00\t0\t0\tD\t2157\t    Archaea\n"
             "  0.00\t0\t0\tD\t10239\t  Viruses\n");
    assert_report(&t, calls, 0, 1, 0, want);
    taxo_destroy(&t);
}

static void test_kreport_unclassified_only(void **state)
{
    taxo_t t;
    fixture_taxo(TREE, N_TREE, 0, &t);
    uint64_t calls[N_TREE] = {0};
    assert_report(&t, calls, 7, 0, 0, "100.00\t7\t7\tU\t0\tunclassified\n");
    assert_report(&t, calls, 7, 0, 1, ""); /* mpa has no U line */
    taxo_destroy(&t);
}

/* Zero fragments: Kraken prints nan percentages here; we print 0.00. */
static void test_kreport_no_fragments(void **state)
{
    taxo_t t;
    fixture_taxo(TREE, N_TREE, 0, &t);
    uint64_t calls[N_TREE] = {0};
    assert_report(&t, calls, 0, 0, 0, "");
    assert_report(&t, calls, 0, 1, 0, /* all ties: ascending taxid everywhere */
                  "  0.00\t0\t0\tU\t0\tunclassified\n"
                  "  0.00\t0\t0\tR\t1\troot\n"
                  "  0.00\t0\t0\tD\t10239\t  Viruses\n"
                  "  0.00\t0\t0\tR1\t131567\t  cellular organisms\n"
                  "  0.00\t0\t0\tD\t2\t    Bacteria\n"
                  "  0.00\t0\t0\tP\t1224\t      Proteobacteria\n"
                  "  0.00\t0\t0\tC\t1236\t        Gammaproteobacteria\n"
                  "  0.00\t0\t0\tO\t91347\t          Enterobacterales\n"
                  "  0.00\t0\t0\tF\t543\t            Enterobacteriaceae\n"
                  "  0.00\t0\t0\tG\t561\t              Escherichia\n"
                  "  0.00\t0\t0\tS\t562\t                Escherichia coli\n"
                  "  0.00\t0\t0\tS1\t83333\t                  Escherichia coli K-12\n"
                  "  0.00\t0\t0\tS2\t511145\t                    Escherichia coli str. K-12 substr. MG1655\n"
                  "  0.00\t0\t0\tG\t570\t              Klebsiella\n"
                  "  0.00\t0\t0\tS\t573\t                Klebsiella pneumoniae\n"
                  "  0.00\t0\t0\tP\t1239\t      Firmicutes\n"
                  "  0.00\t0\t0\tC\t91061\t        Bacilli\n"
                  "  0.00\t0\t0\tD\t2157\t    Archaea\n");
    taxo_destroy(&t);

    taxo_t empty = {0}; /* a taxonomy with no nodes at all */
    assert_report(&empty, calls, 3, 0, 0, "100.00\t3\t3\tU\t0\tunclassified\n");
}

/* 20 siblings, 18 tied: Kraken's introsort scrambles these; we order ties by taxid. The
 * internal ids run in descending taxid so that the taxid, not the id, must decide. */
static void test_kreport_many_ties(void **state)
{
    enum { KIDS = 20 };
    node_t rows[KIDS + 2] = {{0, 0, "", ""}, {1, 0, "no rank", "root"}};
    static char names[KIDS][16];
    uint64_t calls[KIDS + 2] = {0};
    for (uint32_t k = 0; k < KIDS; k++) {
        uint32_t taxid = 1020 - k;
        snprintf(names[k], sizeof names[k], "sp%u", taxid);
        rows[k + 2] = (node_t){taxid, 1, "species", names[k]};
        calls[k + 2] = taxid == 1011 ? 10 : taxid == 1007 ? 0 : 6;
    }
    taxo_t t;
    fixture_taxo(rows, KIDS + 2, 0, &t);
    char *got = report(&t, calls, 0, 0, 0);
    char want[4096];
    size_t len = (size_t)snprintf(want, sizeof want, "100.00\t118\t0\tR\t1\troot\n");
    len += (size_t)snprintf(want + len, sizeof want - len, "  8.47\t10\t10\tS\t1011\t  sp1011\n");
    for (uint32_t taxid = 1001; taxid <= 1020; taxid++)
        if (taxid != 1011 && taxid != 1007)
            len += (size_t)snprintf(want + len, sizeof want - len, "  5.08\t6\t6\tS\t%u\t  sp%u\n", taxid, taxid);
    assert_string_equal(got, want);
    free(got);
    taxo_destroy(&t);
}

/* ---------- mpa style ---------- */

static void test_mpa(void **state)
{
    taxo_t t;
    fixture_taxo(TREE, N_TREE, 0, &t);
    uint64_t calls[N_TREE];
    main_counts(calls);
    assert_report(&t, calls, 8, 0, 1,
                  "d__Bacteria\t16\n"
                  "d__Bacteria|p__Proteobacteria\t13\n"
                  "d__Bacteria|p__Proteobacteria|c__Gammaproteobacteria\t13\n"
                  "d__Bacteria|p__Proteobacteria|c__Gammaproteobacteria|o__Enterobacterales\t13\n"
                  "d__Bacteria|p__Proteobacteria|c__Gammaproteobacteria|o__Enterobacterales"
                  "|f__Enterobacteriaceae\t13\n"
                  "d__Bacteria|p__Proteobacteria|c__Gammaproteobacteria|o__Enterobacterales"
                  "|f__Enterobacteriaceae|g__Escherichia\t5\n"
                  "d__Bacteria|p__Proteobacteria|c__Gammaproteobacteria|o__Enterobacterales"
                  "|f__Enterobacteriaceae|g__Escherichia|s__Escherichia coli\t5\n"
                  "d__Bacteria|p__Proteobacteria|c__Gammaproteobacteria|o__Enterobacterales"
                  "|f__Enterobacteriaceae|g__Klebsiella\t5\n"
                  "d__Bacteria|p__Proteobacteria|c__Gammaproteobacteria|o__Enterobacterales"
                  "|f__Enterobacteriaceae|g__Klebsiella|s__Klebsiella pneumoniae\t5\n"
                  "d__Bacteria|p__Firmicutes\t2\n"
                  "d__Bacteria|p__Firmicutes|c__Bacilli\t2\n"
                  "d__Viruses\t4\n");
    taxo_destroy(&t);
}

static void test_mpa_zero_counts(void **state)
{
    taxo_t t;
    fixture_taxo(TREE, N_TREE, 0, &t);
    uint64_t calls[N_TREE] = {0};
    calls[MG1655] = 1; /* an unranked leaf: counted in its ranked ancestors only */
    const char *gamma = "d__Bacteria|p__Proteobacteria|c__Gammaproteobacteria";
    char want[4096];
    snprintf(want, sizeof want,
             "d__Bacteria\t1\n"
             "d__Bacteria|p__Proteobacteria\t1\n"
             "%s\t1\n"
             "%s|o__Enterobacterales\t1\n"
             "%s|o__Enterobacterales|f__Enterobacteriaceae\t1\n"
             "%s|o__Enterobacterales|f__Enterobacteriaceae|g__Escherichia\t1\n"
             "%s|o__Enterobacterales|f__Enterobacteriaceae|g__Escherichia"
             "|s__Escherichia coli\t1\n"
             "%s|o__Enterobacterales|f__Enterobacteriaceae|g__Klebsiella\t0\n"
             "%s|o__Enterobacterales|f__Enterobacteriaceae|g__Klebsiella"
             "|s__Klebsiella pneumoniae\t0\n"
             "d__Bacteria|p__Firmicutes\t0\n"
             "d__Bacteria|p__Firmicutes|c__Bacilli\t0\n"
             "d__Archaea\t0\n"
             "d__Viruses\t0\n",
             gamma, gamma, gamma, gamma, gamma, gamma, gamma);
    assert_report(&t, calls, 5, 1, 1, want);
    taxo_destroy(&t);
}

/* ---------- failures ---------- */

static void test_write_error(void **state)
{
    taxo_t t;
    fixture_taxo(TREE, N_TREE, 0, &t);
    uint64_t calls[N_TREE];
    main_counts(calls);
    FILE *f = fopen("/dev/full", "w");
    if (!f) {
        taxo_destroy(&t);
        skip();
    }
    assert_int_equal(report_kreport(f, &t, calls, 8, 0, 0, NULL), GB_E_IO);
    clearerr(f);
    assert_int_equal(report_kreport(f, &t, calls, 8, 0, 1, NULL), GB_E_IO);
    fclose(f);
    taxo_destroy(&t);
}

static void test_bad_shape(void **state)
{
    taxo_t t;
    fixture_taxo(TREE, N_TREE, 0, &t);
    t.parent[5] = 9; /* parent after child: the flat-array contract is broken */
    uint64_t calls[N_TREE] = {0};
    FILE *f = fopen("/dev/null", "w");
    assert_non_null(f);
    assert_int_equal(report_kreport(f, &t, calls, 1, 0, 0, NULL), GB_E_INTERNAL);
    fclose(f);
    taxo_destroy(&t);
}

/* ---------- random trees against a recursive reference ---------- */

typedef struct {
    const taxo_t *t;
    const uint64_t *calls;
    uint64_t *clade, total;
    char (*codes)[8];
    uint16_t *depth;
    uint32_t *first, *next; /* child lists (ascending id) */
    int zero;
    FILE *f;
} ref_t;

static const ref_t *ref_sort_ctx;

static int ref_cmp(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    const ref_t *r = ref_sort_ctx;
    if (r->clade[x] != r->clade[y]) return r->clade[x] < r->clade[y] ? 1 : -1;
    return r->t->external[x] < r->t->external[y] ? -1 : 1;
}

static void ref_dfs(ref_t *r, uint32_t v)
{
    if (!r->zero && r->clade[v] == 0) return;
    double pct = r->total ? 100.0 * (double)r->clade[v] / (double)r->total : 0.0;
    fprintf(r->f, "%6.2f\t%" PRIu64 "\t%" PRIu64 "\t%s\t%u\t", pct, r->clade[v], r->calls[v], r->codes[v],
            r->t->external[v]);
    for (int i = 0; i < r->depth[v]; i++) fputs("  ", r->f);
    fprintf(r->f, "%s\n", taxo_name(r->t, v));
    uint32_t kids[64], n = 0; /* the random trees below have < 64 children per node */
    for (uint32_t c = r->first[v]; c; c = r->next[c]) {
        assert_true(n < 64);
        kids[n++] = c;
    }
    ref_sort_ctx = r;
    qsort(kids, n, sizeof kids[0], ref_cmp);
    for (uint32_t k = 0; k < n; k++) ref_dfs(r, kids[k]);
}

static char *reference_report(const taxo_t *t, const uint64_t *calls, uint64_t uncl, int zero)
{
    ref_t r = {t,    calls, calloc(t->n, 8), 0, malloc(t->n * 8), malloc(t->n * 2), calloc(t->n, 4), calloc(t->n, 4),
               zero, NULL};
    for (uint32_t i = t->n - 1; i >= 1; i--) {
        r.clade[i] += calls[i];
        if (i > 1) r.clade[t->parent[i]] += r.clade[i];
    }
    for (uint32_t i = t->n - 1; i >= 2; i--) { /* prepend, so lists end up ascending */
        r.next[i] = r.first[t->parent[i]];
        r.first[t->parent[i]] = i;
    }
    r.total = r.clade[1] + uncl;
    taxo_rank_codes(t, r.codes, r.depth);
    char *text = NULL;
    size_t len = 0;
    r.f = open_memstream(&text, &len);
    if (uncl || zero)
        fprintf(r.f, "%6.2f\t%" PRIu64 "\t%" PRIu64 "\tU\t0\tunclassified\n", 100.0 * (double)uncl / (double)r.total,
                uncl, uncl);
    ref_dfs(&r, 1);
    fclose(r.f);
    free(r.clade);
    free(r.codes);
    free(r.depth);
    free(r.first);
    free(r.next);
    return text;
}

static uint64_t rng_state;

static uint32_t rng(void) /* xorshift64*: reproducible across libcs */
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (uint32_t)((rng_state * 0x2545F4914F6CDD1Dull) >> 32);
}

static void test_random_trees(void **state)
{
    rng_state = test_seed("test_random_trees") * 2654435761u + 1;
    static const char *ranks[] = {"no rank", "superkingdom", "phylum",  "class",  "order",
                                  "family",  "genus",        "species", "strain", "no rank"};
    enum { N = 200000 };
    node_t *rows = calloc(N, sizeof *rows);
    char *names = malloc(N * 12);
    uint64_t *calls = calloc(N, sizeof *calls);
    assert_true(rows && names && calls);
    rows[0] = (node_t){0, 0, "", ""};
    for (uint32_t i = 1; i < N; i++) {
        snprintf(names + 12 * i, 12, "n%u", i);
        /* random recursive tree: depth ~ e ln N, fan-out ~ ln N */
        uint32_t parent = i == 1 ? 0 : 1 + rng() % (i - 1);
        /* i -> i * 1000003 mod (2^31 - 1) is a bijection: distinct, unordered taxids */
        uint32_t taxid = (uint32_t)((uint64_t)i * 1000003u % 2147483647u);
        rows[i] = (node_t){taxid, parent, ranks[rng() % 10], names + 12 * i};
        calls[i] = rng() % 4 == 0 ? rng() % 5 : 0;
    }
    taxo_t t;
    fixture_taxo(rows, N, 0, &t);
    for (int zero = 0; zero <= 1; zero++) {
        uint64_t uncl = zero ? 0 : 77;
        clock_t c0 = clock();
        char *got = report(&t, calls, uncl, zero, 0);
        double secs = (double)(clock() - c0) / CLOCKS_PER_SEC;
        char *want = reference_report(&t, calls, uncl, zero);
        fprintf(stderr, "  %d nodes, zero_counts=%d: report %.3f s, %zu bytes\n", N, zero, secs, strlen(got));
        assert_true(strcmp(got, want) == 0);
        free(got);
        free(want);
    }
    taxo_destroy(&t);
    free(rows);
    free(names);
    free(calls);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kreport),
        cmocka_unit_test(test_kreport_minimizer_data),
        cmocka_unit_test(test_kreport_zero_counts),
        cmocka_unit_test(test_kreport_unclassified_only),
        cmocka_unit_test(test_kreport_no_fragments),
        cmocka_unit_test(test_kreport_many_ties),
        cmocka_unit_test(test_mpa),
        cmocka_unit_test(test_mpa_zero_counts),
        cmocka_unit_test(test_write_error),
        cmocka_unit_test(test_bad_shape),
        cmocka_unit_test(test_random_trees),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
