/* Unit tests for pipeline/taxdump.c, taxo.c and seqmap.c: NCBI dump parsing, pruning to
 * Kraken 2 internal ids, rank codes, seqid maps. A small fake dump is written per test into a temp dir (removed
 * when the test passes); one test reads the real subset under $GUTBRAIN_DATA (default
 * ../shared/data), one the full dump named by $GUTBRAIN_FULL_TAXDUMP (skipped if unset). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include "test_util.h"
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "seqmap.h"
#include "taxdump.h"
#include "taxo.h"

/* ---------- fixtures ---------- */

typedef struct {
    uint32_t taxid, parent;
    const char *rank, *name;
} fake_node_t;

/* A slice of the real NCBI tree; deliberately not in taxid order. */
/* clang-format off */
static const fake_node_t FAKE[] = {
    {1, 1, "no rank", "root"},
    {131567, 1, "no rank", "cellular organisms"},
    {2, 131567, "superkingdom", "Bacteria"},
    {2157, 131567, "superkingdom", "Archaea"},
    {28890, 2157, "phylum", "Euryarchaeota"},
    {10239, 1, "superkingdom", "Viruses"},
    {1224, 2, "phylum", "Proteobacteria"},
    {1236, 1224, "class", "Gammaproteobacteria"},
    {91347, 1236, "order", "Enterobacteriales"},
    {543, 91347, "family", "Enterobacteriaceae"},
    {562, 561, "species", "Escherichia coli"},
    {561, 543, "genus", "Escherichia"},
    {83333, 562, "no rank", "Escherichia coli K-12"},
    {511145, 83333, "no rank", "Escherichia coli str. K-12 substr. MG1655"},
    {620, 543, "genus", "Shigella"},
    {623, 620, "species", "Shigella flexneri"},
    {1239, 2, "phylum", "Firmicutes"},
    {91061, 1239, "class", "Bacilli"},
    {1385, 91061, "order", "Bacillales"},
    {90964, 1385, "family", "Staphylococcaceae"},
    {1279, 90964, "genus", "Staphylococcus"},
    {1280, 1279, "species", "Staphylococcus aureus"},
};
/* clang-format on */
#define N_FAKE (sizeof FAKE / sizeof FAKE[0])

/* Non-scientific names that must be ignored (some come before the scientific one). */
static const char FAKE_OTHER_NAMES[] = "562\t|\tBacillus coli\t|\t\t|\tsynonym\t|\n"
                                       "562\t|\tE. coli\t|\t\t|\tcommon name\t|\n"
                                       "2\t|\tMonera\t|\tMonera <Bacteria>\t|\tin-part\t|\n"
                                       "1\t|\tall\t|\t\t|\tsynonym\t|\n";

static void write_text(const test_tmpdir_t *fx, const char *name, const char *text)
{
    char *path = test_path(fx->dir, name);
    test_write_file(path, text, strlen(text));
    free(path);
}

/* Writes nodes[] as nodes.dmp/names.dmp in the exact NCBI layout (13 node columns). */
static void write_dump(const test_tmpdir_t *fx, const fake_node_t *nodes, size_t n, int crlf)
{
    const char *eol = crlf ? "\r\n" : "\n";
    size_t cap = 256 * (n + 8);
    char *nodes_txt = malloc(cap), *names_txt = malloc(cap);
    assert_non_null(nodes_txt);
    assert_non_null(names_txt);
    size_t a = 0, b = 0;
    b += (size_t)snprintf(names_txt + b, cap - b, "%s", FAKE_OTHER_NAMES);
    for (size_t i = 0; i < n; i++) {
        a += (size_t)snprintf(nodes_txt + a, cap - a,
                              "%u\t|\t%u\t|\t%s\t|\t\t|\t0\t|\t0\t|\t11\t|\t0\t|\t0\t|\t0\t|"
                              "\t0\t|\t0\t|\t\t|%s",
                              nodes[i].taxid, nodes[i].parent, nodes[i].rank, eol);
        const char *unique = nodes[i].taxid == 2 ? "Bacteria <prokaryote>" : "";
        b += (size_t)snprintf(names_txt + b, cap - b, "%u\t|\t%s\t|\t%s\t|\tscientific name\t|%s", nodes[i].taxid,
                              nodes[i].name, unique, eol);
    }
    write_text(fx, "nodes.dmp", nodes_txt);
    write_text(fx, "names.dmp", names_txt);
    free(nodes_txt);
    free(names_txt);
}

static taxdump_t *load_fake(const test_tmpdir_t *fx)
{
    write_dump(fx, FAKE, N_FAKE, 0);
    taxdump_t *d = NULL;
    assert_int_equal(taxdump_load(fx->dir, &d), 0);
    assert_non_null(d);
    return d;
}

/* Runs f with stderr sent to a file, and returns what it logged (caller frees). */
static char *stderr_of(int (*f)(void *), void *arg, int *rc)
{
    char path[] = "/tmp/gbtaxerrXXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    int saved = test_stderr_begin(path);
    *rc = f(arg);
    char *text = test_stderr_end(path, saved);
    unlink(path);
    return text;
}

static int try_load(void *dir)
{
    taxdump_t *d = (taxdump_t *)1;
    int rc = taxdump_load(dir, &d);
    assert_null(d);
    return rc;
}

typedef struct {
    const char *dir;
    uint32_t taxid;
} prune_args_t;

static int try_prune(void *arg)
{
    prune_args_t *a = arg;
    taxdump_t *d;
    assert_int_equal(taxdump_load(a->dir, &d), 0);
    taxo_t t;
    int rc = taxo_prune(d, &a->taxid, 1, &t);
    assert_int_equal(t.n, 0); /* nothing left behind on failure */
    assert_null(t.parent);
    taxdump_destroy(d);
    return rc;
}

/* ---------- loading and pruning ---------- */

static void test_load_has(void **state)
{
    test_tmpdir_t *fx = *state;
    taxdump_t *d = load_fake(fx);
    for (size_t i = 0; i < N_FAKE; i++) assert_true(taxdump_has(d, FAKE[i].taxid));
    assert_false(taxdump_has(d, 0));
    assert_false(taxdump_has(d, 3));
    assert_false(taxdump_has(d, 4000000000u));
    taxdump_destroy(d);
    taxdump_destroy(NULL);
    fx->passed = 1;
}

/* Internal ids: BFS from the root, siblings by ascending taxid, unrequested branches gone. */
static void test_prune_bfs_order(void **state)
{
    test_tmpdir_t *fx = *state;
    taxdump_t *d = load_fake(fx);
    const uint32_t want[] = {511145, 0, 623, 1280, 2157, 10239, 623};
    taxo_t t;
    assert_int_equal(taxo_prune(d, want, 7, &t), 0);
    const uint32_t bfs[] = {0,    1,   10239, 131567, 2,   2157, 1224, 1239, 1236, 91061, 91347,
                            1385, 543, 90964, 561,    620, 1279, 562,  623,  1280, 83333, 511145};
    assert_int_equal(t.n, sizeof bfs / sizeof bfs[0]);
    for (uint32_t i = 0; i < t.n; i++) assert_int_equal(t.external[i], bfs[i]);
    assert_int_equal(t.parent[0], 0);
    assert_int_equal(t.parent[1], 0);
    for (uint32_t i = 2; i < t.n; i++) {
        assert_true(t.parent[i] < i);
        for (size_t k = 0; k < N_FAKE; k++) /* parent link preserved */
            if (FAKE[k].taxid == t.external[i]) assert_int_equal(t.external[t.parent[i]], FAKE[k].parent);
        if (t.parent[i] == t.parent[i - 1]) assert_true(t.external[i] > t.external[i - 1]);
    }
    assert_int_equal(taxo_internal(&t, 28890), 0); /* Euryarchaeota not requested */
    taxo_destroy(&t);
    taxo_destroy(NULL);
    taxdump_destroy(d);
    fx->passed = 1;
}

static void test_prune_drops_branches(void **state)
{
    test_tmpdir_t *fx = *state;
    taxdump_t *d = load_fake(fx);
    const uint32_t want = 562;
    taxo_t t;
    assert_int_equal(taxo_prune(d, &want, 1, &t), 0);
    const uint32_t bfs[] = {0, 1, 131567, 2, 1224, 1236, 91347, 543, 561, 562};
    assert_int_equal(t.n, 10);
    for (uint32_t i = 0; i < t.n; i++) assert_int_equal(t.external[i], bfs[i]);
    const uint32_t gone[] = {10239, 2157, 1239, 1280, 620, 83333, 511145};
    for (size_t i = 0; i < sizeof gone / sizeof gone[0]; i++) assert_int_equal(taxo_internal(&t, gone[i]), 0);
    taxo_destroy(&t);

    assert_int_equal(taxo_prune(d, NULL, 0, &t), 0); /* nothing requested: root only */
    assert_int_equal(t.n, 2);
    assert_int_equal(t.external[1], 1);
    assert_string_equal(taxo_name(&t, 1), "root");
    taxo_destroy(&t);
    taxdump_destroy(d);
    fx->passed = 1;
}

static void test_names_and_ranks(void **state)
{
    test_tmpdir_t *fx = *state;
    taxdump_t *d = load_fake(fx);
    const uint32_t want[] = {511145, 1280, 10239, 28890, 623};
    taxo_t t;
    assert_int_equal(taxo_prune(d, want, 5, &t), 0);
    for (size_t k = 0; k < N_FAKE; k++) {
        uint32_t i = taxo_internal(&t, FAKE[k].taxid);
        assert_true(i > 0);
        assert_string_equal(taxo_name(&t, i), FAKE[k].name); /* never a synonym */
        assert_string_equal(taxo_rank(&t, i), FAKE[k].rank);
    }
    assert_string_equal(taxo_name(&t, 0), "");
    assert_string_equal(taxo_rank(&t, 0), "");
    assert_string_equal(taxo_name(&t, t.n), "");
    /* blobs: names in internal order starting with the root; ranks sorted and distinct */
    assert_string_equal(t.names, "root");
    assert_int_equal(t.name_off[1], 0);
    const char *ranks[] = {"class", "family", "genus", "no rank", "order", "phylum", "species", "superkingdom"};
    size_t off = 0;
    for (size_t r = 0; r < 8; r++) {
        assert_string_equal(t.ranks + off, ranks[r]);
        off += strlen(ranks[r]) + 1;
    }
    assert_int_equal(t.ranks_len, off);
    taxo_destroy(&t);
    taxdump_destroy(d);
    fx->passed = 1;
}

static void test_rank_codes(void **state)
{
    test_tmpdir_t *fx = *state;
    taxdump_t *d = load_fake(fx);
    const uint32_t want[] = {511145, 1280, 10239};
    taxo_t t;
    assert_int_equal(taxo_prune(d, want, 3, &t), 0);
    char(*codes)[8] = malloc(t.n * sizeof *codes);
    uint16_t *depth = malloc(t.n * sizeof *depth);
    assert_non_null(codes);
    assert_non_null(depth);
    taxo_rank_codes(&t, codes, depth);
    const struct {
        uint32_t taxid;
        const char *code;
        uint16_t depth;
    } expect[] = {
        {1, "R", 0},      {131567, "R1", 1},  {2, "D", 2},    {10239, "D", 1}, {1224, "P", 3},
        {1236, "C", 4},   {91347, "O", 5},    {543, "F", 6},  {561, "G", 7},   {562, "S", 8},
        {83333, "S1", 9}, {511145, "S2", 10}, {1239, "P", 3}, {1280, "S", 8},
    };
    assert_string_equal(codes[0], "U");
    for (size_t k = 0; k < sizeof expect / sizeof expect[0]; k++) {
        uint32_t i = taxo_internal(&t, expect[k].taxid);
        assert_string_equal(codes[i], expect[k].code);
        assert_int_equal(depth[i], expect[k].depth);
    }
    free(codes);
    free(depth);
    taxo_destroy(&t);
    taxdump_destroy(d);
    fx->passed = 1;
}

static void test_index(void **state)
{
    test_tmpdir_t *fx = *state;
    taxdump_t *d = load_fake(fx);
    uint32_t all[N_FAKE];
    for (size_t k = 0; k < N_FAKE; k++) all[k] = FAKE[k].taxid;
    taxo_t t;
    assert_int_equal(taxo_prune(d, all, N_FAKE, &t), 0);
    assert_int_equal(t.n, N_FAKE + 1);
    assert_int_equal(taxo_index(&t), 0); /* idempotent */
    taxo_t unindexed = t;
    unindexed.index = NULL; /* the slow path must agree */
    for (uint32_t i = 1; i < t.n; i++) {
        assert_int_equal(taxo_internal(&t, t.external[i]), i);
        assert_int_equal(taxo_internal(&unindexed, t.external[i]), i);
    }
    assert_int_equal(taxo_internal(&t, 0), 0);
    assert_int_equal(taxo_internal(&t, 3), 0);
    assert_int_equal(taxo_internal(&t, UINT32_MAX), 0);
    assert_int_equal(taxo_internal(&unindexed, 3), 0);
    taxo_destroy(&t);
    taxdump_destroy(d);
    fx->passed = 1;
}

/* A not-owned taxo_t (e.g. mapped from a DB file) only has its index freed. */
static void test_index_not_owned(void **state)
{
    test_tmpdir_t *fx = *state;
    uint32_t parent[] = {0, 0, 1, 1};
    uint32_t external[] = {0, 1, 7, 5};
    taxo_t t = {.n = 4, .parent = parent, .external = external, .owned = 0};
    assert_int_equal(taxo_index(&t), 0);
    assert_int_equal(taxo_internal(&t, 5), 3);
    assert_int_equal(taxo_internal(&t, 7), 2);
    taxo_destroy(&t);
    assert_int_equal(external[2], 7);
    external[3] = 7; /* a corrupt table with a taxid twice is refused */
    t = (taxo_t){.n = 4, .parent = parent, .external = external, .owned = 0};
    assert_int_equal(taxo_index(&t), GB_E_TAXONOMY);
    assert_null(t.index);
    fx->passed = 1;
}

static void test_crlf_and_sparse_taxids(void **state)
{
    test_tmpdir_t *fx = *state;
    write_dump(fx, FAKE, N_FAKE, 1);
    taxdump_t *d;
    assert_int_equal(taxdump_load(fx->dir, &d), 0);
    const uint32_t want = 511145;
    taxo_t t;
    assert_int_equal(taxo_prune(d, &want, 1, &t), 0);
    assert_int_equal(t.n, 12);
    assert_string_equal(taxo_name(&t, 11), "Escherichia coli str. K-12 substr. MG1655");
    assert_string_equal(taxo_rank(&t, 11), "no rank");
    taxo_destroy(&t);
    taxdump_destroy(d);

    /* huge taxids take the hash path instead of the direct array */
    const fake_node_t sparse[] = {
        {1, 1, "no rank", "root"},
        {2000000000, 1, "genus", "G"},
        {1999999999, 2000000000, "species", "S b"},
        {2147483647, 2000000000, "species", "S a"},
    };
    write_dump(fx, sparse, 4, 0);
    assert_int_equal(taxdump_load(fx->dir, &d), 0);
    const uint32_t leaves[] = {2147483647, 1999999999};
    assert_int_equal(taxo_prune(d, leaves, 2, &t), 0);
    assert_int_equal(t.n, 5);
    assert_int_equal(t.external[3], 1999999999);
    assert_int_equal(t.external[4], 2147483647);
    assert_string_equal(taxo_name(&t, 4), "S a");
    taxo_destroy(&t);
    taxdump_destroy(d);
    fx->passed = 1;
}

/* ---------- load errors ---------- */

static void expect_load_error(test_tmpdir_t *fx, const char *nodes, const char *names, int code, const char *msg)
{
    write_text(fx, "nodes.dmp", nodes);
    write_text(fx, "names.dmp", names);
    int rc;
    char *log = stderr_of(try_load, fx->dir, &rc);
    assert_int_equal(rc, code);
    if (!strstr(log, msg)) fail_msg("log '%s' lacks '%s'", log, msg);
    free(log);
}

#define NODE(t, p) #t "\t|\t" #p "\t|\tno rank\t|\t\t|\n"
#define NAME(t, s) #t "\t|\t" s "\t|\t\t|\tscientific name\t|\n"

static void test_err_malformed(void **state)
{
    test_tmpdir_t *fx = *state;
    const char *names = NAME(1, "root");
    expect_load_error(fx, NODE(1, 1) "x7\t|\t1\t|\tno rank\t|\n", names, GB_E_FORMAT, "nodes.dmp:2: malformed");
    expect_load_error(fx, NODE(1, 1) NODE(2, 1) "3\t|\t1\n", names, GB_E_FORMAT, "nodes.dmp:3: malformed");
    expect_load_error(fx, NODE(1, 1) "\n" NODE(2, 1), names, GB_E_FORMAT, "nodes.dmp:2: malformed");
    expect_load_error(fx, NODE(1, 1) NODE(0, 1), names, GB_E_FORMAT, "nodes.dmp:2: malformed");
    expect_load_error(fx, NODE(1, 1) NODE(2147483648, 1), names, GB_E_FORMAT, "nodes.dmp:2: malformed");
    expect_load_error(fx, NODE(1, 1) NODE(5, -1), names, GB_E_FORMAT, "nodes.dmp:2: malformed");
    expect_load_error(fx, NODE(1, 1), NAME(1, "root") "1\t|\tonly two\n", GB_E_FORMAT, "names.dmp:2: malformed");
    expect_load_error(fx, NODE(1, 1), NAME(1, "root") NAME(1, "again"), GB_E_FORMAT,
                      "names.dmp:2: second scientific name");
    fx->passed = 1;
}

static void test_err_duplicate(void **state)
{
    test_tmpdir_t *fx = *state;
    const char *names = NAME(1, "root");
    expect_load_error(fx, NODE(1, 1) NODE(9, 1) NODE(8, 1) NODE(9, 8), names, GB_E_FORMAT,
                      "nodes.dmp:4: duplicate taxid 9");
    expect_load_error(fx, NODE(1, 1) NODE(2000000000, 1) NODE(2000000000, 1), names, GB_E_FORMAT,
                      "nodes.dmp:3: duplicate taxid 2000000000");
    fx->passed = 1;
}

static void test_err_missing_files(void **state)
{
    test_tmpdir_t *fx = *state;
    int rc;
    char *log = stderr_of(try_load, fx->dir, &rc); /* empty dir */
    assert_int_equal(rc, GB_E_IO);
    assert_non_null(strstr(log, "nodes.dmp"));
    free(log);
    write_text(fx, "nodes.dmp", NODE(1, 1));
    log = stderr_of(try_load, fx->dir, &rc);
    assert_int_equal(rc, GB_E_IO);
    assert_non_null(strstr(log, "names.dmp"));
    free(log);
    fx->passed = 1;
}

/* ---------- pruning errors ---------- */

static void expect_prune_error(test_tmpdir_t *fx, const char *nodes, uint32_t taxid, const char *msg)
{
    write_text(fx, "nodes.dmp", nodes);
    write_text(fx, "names.dmp", NAME(1, "root"));
    prune_args_t args = {fx->dir, taxid};
    int rc;
    char *log = stderr_of(try_prune, &args, &rc);
    assert_int_equal(rc, GB_E_TAXONOMY);
    if (!strstr(log, msg)) fail_msg("log '%s' lacks '%s'", log, msg);
    if (!strstr(log, fx->dir)) fail_msg("log '%s' does not name the dump dir", log);
    free(log);
}

static void test_err_prune(void **state)
{
    test_tmpdir_t *fx = *state;
    expect_prune_error(fx, NODE(1, 1) NODE(5, 999) NODE(6, 5), 6, "parent 999 of taxid 5");
    expect_prune_error(fx, NODE(1, 1) NODE(5, 0), 5, "parent 0 of taxid 5");
    expect_prune_error(fx, NODE(1, 1) NODE(5, 6) NODE(6, 5) NODE(7, 6), 7, "cycle");
    expect_prune_error(fx, NODE(1, 1) NODE(5, 5), 5, "cycle");
    expect_prune_error(fx, NODE(1, 1) NODE(5, 1), 12345, "taxid 12345 is not in");
    expect_prune_error(fx, NODE(2, 3) NODE(3, 2), 0, "taxid 1 is not in"); /* no root */
    fx->passed = 1;
}

/* ---------- seqid maps ---------- */

static seqmap_t *load_map(test_tmpdir_t *fx, const char *text)
{
    write_text(fx, "map.tsv", text);
    char path[512];
    snprintf(path, sizeof path, "%s/map.tsv", fx->dir);
    seqmap_t *m = NULL;
    assert_int_equal(seqmap_load(path, &m), 0);
    return m;
}

static uint32_t of_header(const seqmap_t *m, const char *header)
{
    return seqmap_taxid_of_header(m, header, strlen(header));
}

static void test_seqmap(void **state)
{
    test_tmpdir_t *fx = *state;
    seqmap_t *m = load_map(fx, "#seqid\ttaxid\taccession\n"
                               "NC_000913.3\t511145\tNC_000913.3\t4641652\tfile.fna.gz\n"
                               "\n"
                               "  # indented comment\n"
                               "CP003200.1 1125630\n"
                               "gi|110640213|ref|NC_008253.1|\t362663\n"
                               "NC_X.1\t562\r\n"
                               "dup\t7\n"
                               "dup\t7\n"
                               "zero\t0\n");
    assert_int_equal(of_header(m, "NC_000913.3 Escherichia coli K-12"), 511145);
    assert_int_equal(of_header(m, ">NC_000913.3\tdesc"), 511145);
    assert_int_equal(of_header(m, "CP003200.1"), 1125630);
    assert_int_equal(of_header(m, "NC_X.1"), 562);
    assert_int_equal(of_header(m, "dup"), 7);
    assert_int_equal(of_header(m, "zero"), 0);
    assert_int_equal(of_header(m, "NC_000913"), 0); /* whole id, no prefix match */
    assert_int_equal(of_header(m, "NC_000913.3x"), 0);
    assert_int_equal(of_header(m, ""), 0);
    /* header id rules */
    assert_int_equal(of_header(m, "gi|110640213|ref|NC_008253.1| E. coli 536"), 362663);
    assert_int_equal(of_header(m, "gi|99|ref|NC_X.1| other gi, accession mapped"), 562);
    assert_int_equal(of_header(m, "gi|99|gb|NC_X.1"), 562);
    assert_int_equal(of_header(m, "gi|99|ref|NC_Y.1|"), 0);
    assert_int_equal(of_header(m, "kraken:taxid|623 Shigella"), 623);
    assert_int_equal(of_header(m, "seq7|kraken:taxid|1280|x"), 1280);
    assert_int_equal(of_header(m, "NC_X.1|kraken:taxid|1280"), 1280); /* tag wins */
    assert_int_equal(of_header(m, "xkraken:taxid|5"), 0);             /* not at start or after | */
    assert_int_equal(of_header(m, "kraken:taxid|"), 0);
    assert_int_equal(of_header(m, "a kraken:taxid|5"), 0); /* tag outside the id */
    assert_int_equal(seqmap_taxid_of_header(NULL, "kraken:taxid|9", 14), 9);
    assert_int_equal(seqmap_taxid_of_header(NULL, "NC_X.1", 6), 0);
    assert_int_equal(seqmap_taxid_of_header(m, "NC_X.1 more", 3), 0); /* len respected */
    seqmap_destroy(m);
    seqmap_destroy(NULL);
    fx->passed = 1;
}

static int try_map(void *path)
{
    seqmap_t *m = (seqmap_t *)1;
    int rc = seqmap_load(path, &m);
    assert_null(m);
    return rc;
}

static void expect_map_error(test_tmpdir_t *fx, const char *text, int code, const char *msg)
{
    write_text(fx, "map.tsv", text);
    char path[512];
    snprintf(path, sizeof path, "%s/map.tsv", fx->dir);
    int rc;
    char *log = stderr_of(try_map, path, &rc);
    assert_int_equal(rc, code);
    if (!strstr(log, msg)) fail_msg("log '%s' lacks '%s'", log, msg);
    free(log);
}

static void test_seqmap_errors(void **state)
{
    test_tmpdir_t *fx = *state;
    expect_map_error(fx, "a\t1\nb\tx12\n", GB_E_FORMAT, "map.tsv:2: taxid 'x12'");
    expect_map_error(fx, "a\t1\n#c\nb\n", GB_E_FORMAT, "map.tsv:3: missing taxid");
    expect_map_error(fx, "a\t1\nb\t-3\n", GB_E_FORMAT, "map.tsv:2:");
    expect_map_error(fx, "a\t1\nb\t2\na\t3\n", GB_E_FORMAT, "map.tsv:3: seqid a mapped");
    char path[512];
    snprintf(path, sizeof path, "%s/absent.tsv", fx->dir);
    int rc;
    char *log = stderr_of(try_map, path, &rc);
    assert_int_equal(rc, GB_E_IO);
    assert_non_null(strstr(log, "absent.tsv"));
    free(log);
    fx->passed = 1;
}

/* ---------- real data ---------- */

/* First column of each nodes.dmp line, read independently of taxdump.c. */
static uint32_t *read_node_ids(const char *path, size_t *n)
{
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    size_t cap = 1024;
    uint32_t *ids = malloc(cap * sizeof *ids);
    char line[4096];
    *n = 0;
    while (fgets(line, sizeof line, f)) {
        if (*n == cap) ids = realloc(ids, (cap *= 2) * sizeof *ids);
        assert_non_null(ids);
        ids[(*n)++] = (uint32_t)strtoul(line, NULL, 10);
    }
    fclose(f);
    return ids;
}

static void test_real_subset(void **state)
{
    test_tmpdir_t *fx = *state;
    char tax[1024], path[2048];
    snprintf(tax, sizeof tax, "%s/taxonomy", test_data_dir());
    snprintf(path, sizeof path, "%s/nodes.dmp", tax);
    if (access(path, R_OK) != 0) {
        fprintf(stderr, "no real data at %s; skipped\n", tax);
        fx->passed = 1;
        skip();
    }
    taxdump_t *d;
    assert_int_equal(taxdump_load(tax, &d), 0);
    size_t n_nodes;
    uint32_t *nodes = read_node_ids(path, &n_nodes);
    assert_int_equal(n_nodes, 456);
    taxo_t t;
    assert_int_equal(taxo_prune(d, nodes, n_nodes, &t), 0);
    assert_int_equal(t.n, 457);
    for (uint32_t i = 2; i < t.n; i++) assert_true(t.parent[i] < i && t.parent[i] > 0);
    for (uint32_t i = 1; i < t.n; i++) assert_true(taxo_name(&t, i)[0] != '\0');
    taxo_destroy(&t);

    /* every seqid of the reference map, read back both ways */
    snprintf(path, sizeof path, "%s/seqid2taxid.tsv", test_data_dir());
    seqmap_t *m;
    assert_int_equal(seqmap_load(path, &m), 0);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char line[4096], seqid[1024];
    uint32_t taxids[1024];
    size_t n = 0;
    unsigned long taxid;
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '#') continue;
        assert_int_equal(sscanf(line, "%1023s %lu", seqid, &taxid), 2);
        assert_int_equal(seqmap_taxid_of_header(m, seqid, strlen(seqid)), taxid);
        assert_true(n < 1024);
        taxids[n++] = (uint32_t)taxid;
    }
    fclose(f);
    assert_int_equal(n, 638);
    assert_int_equal(taxo_prune(d, taxids, n, &t), 0);
    assert_int_equal(t.n, 162); /* Kraken 2's test DB has 162 nodes incl. the dummy */
    for (size_t k = 0; k < n; k++) assert_true(taxo_internal(&t, taxids[k]) > 0);
    assert_string_equal(taxo_name(&t, taxo_internal(&t, 562)), "Escherichia coli");
    taxo_destroy(&t);
    seqmap_destroy(m);
    free(nodes);
    taxdump_destroy(d);
    fx->passed = 1;
}

static double seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Long tier: e.g. GUTBRAIN_FULL_TAXDUMP=/usr/share/microbegps/data/taxonomy (Debian
 * microbegps, the March 2014 dump). Prints the load and prune times. */
static void test_full_dump(void **state)
{
    test_tmpdir_t *fx = *state;
    fx->passed = 1;
    const char *dir = getenv("GUTBRAIN_FULL_TAXDUMP");
    if (!dir || !*dir) skip();
    char path[1024];
    snprintf(path, sizeof path, "%s/nodes.dmp", dir);
    size_t n;
    uint32_t *all = read_node_ids(path, &n);
    double t0 = seconds();
    taxdump_t *d;
    assert_int_equal(taxdump_load(dir, &d), 0);
    double t1 = seconds();
    taxo_t t;
    assert_int_equal(taxo_prune(d, all, n, &t), 0);
    double t2 = seconds();
    assert_int_equal(t.n, n + 1);
    for (uint32_t i = 2; i < t.n; i++) assert_true(t.parent[i] < i && t.parent[i] > 0);
    assert_string_equal(taxo_name(&t, taxo_internal(&t, 9606)), "Homo sapiens");
    taxo_destroy(&t);
    const uint32_t few[] = {511145, 9606, 1280};
    assert_int_equal(taxo_prune(d, few, 3, &t), 0);
    double t3 = seconds();
    fprintf(stderr, "full dump %s: %zu nodes; load %.3f s, prune all %.3f s, prune 3 %.3f s\n", dir, n, t1 - t0,
            t2 - t1, t3 - t2);
    taxo_destroy(&t);
    taxdump_destroy(d);
    free(all);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        test_tmpdir_unit_test(test_load_has),
        test_tmpdir_unit_test(test_prune_bfs_order),
        test_tmpdir_unit_test(test_prune_drops_branches),
        test_tmpdir_unit_test(test_names_and_ranks),
        test_tmpdir_unit_test(test_rank_codes),
        test_tmpdir_unit_test(test_index),
        test_tmpdir_unit_test(test_index_not_owned),
        test_tmpdir_unit_test(test_crlf_and_sparse_taxids),
        test_tmpdir_unit_test(test_err_malformed),
        test_tmpdir_unit_test(test_err_duplicate),
        test_tmpdir_unit_test(test_err_missing_files),
        test_tmpdir_unit_test(test_err_prune),
        test_tmpdir_unit_test(test_seqmap),
        test_tmpdir_unit_test(test_seqmap_errors),
        test_tmpdir_unit_test(test_real_subset),
        test_tmpdir_unit_test(test_full_dump),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
