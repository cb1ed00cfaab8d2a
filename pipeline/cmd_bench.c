/* gutbrain bench: classifiers' per-read outputs scored side by side against a known truth,
 * per rank, with the Kraken 2 paper's definitions (docs/BENCH.md). Reading is bench_io.c, the
 * counting kernels/bench.c; this file owns the command line, the taxonomy and the outputs. */
#include "bench.h"
#include "bench_io.h"
#include "cli.h"
#include "cmd.h"
#include "log.h"
#include "outfile.h"
#include "taxdump.h"
#include "taxo.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define BENCH_MAX_RANKS 16

typedef struct {
    const char *truth, *taxonomy, *ranks, *out;
    char **positional;
    int npositional;
} bench_opts_t;

/* clang-format off */
static const cli_option_t bench_cli[] = {
    { "truth", 0, "TRUTH", "read_id<TAB>taxid file, or a 'gutbrain simulate' folder (required)" },
    { "taxonomy", 0, "DIR", "NCBI taxdump folder with nodes.dmp and names.dmp (required)" },
    { "ranks", 0, "LIST", "comma-separated ranks to score (default species,genus,family,phylum)" },
    { "out", 'o', "PREFIX", "writes PREFIX.reads.tsv and PREFIX.md (default bench)" },
    { "quiet", 'q', NULL, "only errors and warnings" },
    { "verbose", 'v', NULL, "more log lines" },
    { "version", 'V', NULL, "print the version" },
    { "help", 'h', NULL, "this help" },
};
/* clang-format on */
#define NBENCH_CLI (int)(sizeof bench_cli / sizeof bench_cli[0])
static const char bench_usage[] =
    "Usage: gutbrain bench --truth TRUTH --taxonomy DIR [--ranks species,genus,family,phylum]\n"
    "                      [--out PREFIX] NAME=PER_READ_OUTPUT ...\n"
    "Scores per-read outputs (Kraken format: gutbrain classify, kraken2; or Centrifuge's) against\n"
    "the true taxon of every read, per rank: TP, vertical, FP, FN, sensitivity, precision, F1.\n"
    "A NAME given several times pools its files (one per sample). The Markdown table also goes\n"
    "to stdout. Definitions: docs/BENCH.md.";

static int bench_on_opt(void *ctx, int i, const char *v)
{
    bench_opts_t *o = ctx;
    const char *name = bench_cli[i].name;
    if (!strcmp(name, "truth")) o->truth = v;
    else if (!strcmp(name, "taxonomy")) o->taxonomy = v;
    else if (!strcmp(name, "ranks")) o->ranks = v;
    else if (!strcmp(name, "out")) o->out = v;
    else if (!strcmp(name, "quiet")) gb_verbosity = 0;
    else if (!strcmp(name, "verbose")) gb_verbosity = 2;
    return 0;
}

/* One classifier: its name and pooled calls. */
typedef struct {
    char *name;
    bench_calls_t calls;
    uint32_t *internal; /* [truth n] calls as internal ids (BENCH_UNKNOWN_CALL outside) */
    bench_counts_t counts[BENCH_MAX_RANKS];
} tool_t;

typedef struct {
    bench_opts_t o;
    char *rank_text;
    const char *rank[BENCH_MAX_RANKS];
    int nranks;
    bench_truth_t truth;
    taxdump_t *dump;
    taxo_t taxo;
    uint32_t *truth_internal;
    tool_t *tool;
    size_t ntools;
} bench_t;

static int split_ranks(bench_t *b)
{
    if (!(b->rank_text = strdup(b->o.ranks ? b->o.ranks : "species,genus,family,phylum"))) return GB_E_NOMEM;
    for (char *save = NULL, *r = strtok_r(b->rank_text, ",", &save); r; r = strtok_r(NULL, ",", &save)) {
        if (b->nranks == BENCH_MAX_RANKS) {
            gb_error("--ranks: at most %d ranks", BENCH_MAX_RANKS);
            return GB_E_USAGE;
        }
        b->rank[b->nranks++] = r;
    }
    if (b->nranks) return GB_OK;
    gb_error("--ranks: no rank given");
    return GB_E_USAGE;
}

static int bench_validate(bench_t *b)
{
    if (!b->o.truth || !b->o.taxonomy) {
        gb_error("--truth and --taxonomy are required (see gutbrain bench --help)");
        return GB_E_USAGE;
    }
    if (b->o.npositional == 0) {
        gb_error("no NAME=PER_READ_OUTPUT to score (see gutbrain bench --help)");
        return GB_E_USAGE;
    }
    for (int i = 0; i < b->o.npositional; i++) {
        const char *eq = strchr(b->o.positional[i], '=');
        if (!eq || eq == b->o.positional[i] || !eq[1]) {
            gb_error("'%s': expected NAME=PER_READ_OUTPUT", b->o.positional[i]);
            return GB_E_USAGE;
        }
    }
    return split_ranks(b);
}

/* LCA of two external taxids on the taxdump, for Centrifuge's several hits of one read; a
 * taxid the dump lacks is ignored in favour of the other. */
static uint32_t dump_lca(uint32_t a, uint32_t b, void *user)
{
    const taxdump_t *d = user;
    if (!taxdump_has(d, b)) return a;
    if (!taxdump_has(d, a)) return b;
    uint32_t path[256];
    int n = 0;
    for (uint32_t x = a; x && n < 256; x = taxdump_parent(d, taxdump_find(d, x))) path[n++] = x;
    for (uint32_t y = b; y; y = taxdump_parent(d, taxdump_find(d, y)))
        for (int i = 0; i < n; i++)
            if (path[i] == y) return y;
    return 1;
}

static tool_t *tool_named(bench_t *b, const char *name, size_t len)
{
    for (size_t i = 0; i < b->ntools; i++)
        if (strlen(b->tool[i].name) == len && !memcmp(b->tool[i].name, name, len)) return &b->tool[i];
    tool_t *t = &b->tool[b->ntools];
    memset(t, 0, sizeof *t);
    if (!(t->name = strndup(name, len)) || bench_calls_init(&t->calls, &b->truth)) return NULL;
    b->ntools++;
    return t;
}

static int read_outputs(bench_t *b)
{
    if (!(b->tool = calloc((size_t)b->o.npositional, sizeof *b->tool))) return GB_E_NOMEM;
    for (int i = 0; i < b->o.npositional; i++) {
        const char *arg = b->o.positional[i], *eq = strchr(arg, '=');
        tool_t *t = tool_named(b, arg, (size_t)(eq - arg));
        if (!t) return GB_E_NOMEM;
        int rc = bench_calls_read(&t->calls, &b->truth, eq + 1, dump_lca, b->dump);
        if (rc) return rc;
    }
    for (size_t i = 0; i < b->ntools; i++) {
        bench_calls_finish(&b->tool[i].calls, &b->truth);
        if (b->tool[i].calls.missing)
            gb_warn("%s: %zu of %zu truth reads are in no output: scored as unclassified", b->tool[i].name,
                    b->tool[i].calls.missing, b->truth.n);
    }
    return GB_OK;
}

/* Prunes the taxdump to the true taxa and every call it knows; true taxa must all be there. */
static int build_taxonomy(bench_t *b)
{
    size_t n = b->truth.n * (1 + b->ntools);
    uint32_t *ids = malloc(n * sizeof *ids);
    if (!ids) return GB_E_NOMEM;
    size_t k = 0;
    for (size_t f = 0; f < b->truth.n; f++) {
        if (!taxdump_has(b->dump, b->truth.taxid[f])) {
            gb_error("%s: read '%s' has taxid %u, which is not in the taxonomy %s", b->o.truth, b->truth.id[f],
                     b->truth.taxid[f], b->o.taxonomy);
            free(ids);
            return GB_E_FORMAT;
        }
        ids[k++] = b->truth.taxid[f];
    }
    for (size_t i = 0; i < b->ntools; i++)
        for (size_t f = 0; f < b->truth.n; f++)
            if (taxdump_has(b->dump, b->tool[i].calls.call[f])) ids[k++] = b->tool[i].calls.call[f];
    int rc = taxo_prune(b->dump, ids, k, &b->taxo);
    free(ids);
    return rc ? rc : taxo_index(&b->taxo);
}

static int map_calls(bench_t *b)
{
    size_t n = b->truth.n;
    if (!(b->truth_internal = malloc(n * sizeof *b->truth_internal))) return GB_E_NOMEM;
    for (size_t f = 0; f < n; f++) b->truth_internal[f] = taxo_internal(&b->taxo, b->truth.taxid[f]);
    for (size_t i = 0; i < b->ntools; i++) {
        tool_t *t = &b->tool[i];
        if (!(t->internal = malloc(n * sizeof *t->internal))) return GB_E_NOMEM;
        size_t unknown = 0;
        uint32_t example = 0;
        for (size_t f = 0; f < n; f++) {
            uint32_t ext = t->calls.call[f], in = ext ? taxo_internal(&b->taxo, ext) : 0;
            if (ext && !in) {
                in = BENCH_UNKNOWN_CALL;
                example = unknown++ ? example : ext;
            }
            t->internal[f] = in;
        }
        if (unknown)
            gb_warn("%s: %zu reads called taxids absent from the taxonomy (e.g. %u): counted as false positives",
                    t->name, unknown, example);
    }
    return GB_OK;
}

/* NCBI writes the domain as "superkingdom" (newer dumps "domain"): either name means both. */
static int rank_matches(const char *node_rank, const char *want)
{
    int dom_a = !strcmp(node_rank, "superkingdom") || !strcmp(node_rank, "domain");
    int dom_b = !strcmp(want, "superkingdom") || !strcmp(want, "domain");
    return dom_a && dom_b ? 1 : !strcmp(node_rank, want);
}

static int score(bench_t *b)
{
    uint32_t n = b->taxo.n;
    uint8_t *is_rank = malloc(n);
    uint32_t *anc = malloc((size_t)n * sizeof *anc);
    if (!is_rank || !anc) {
        free(is_rank);
        free(anc);
        return GB_E_NOMEM;
    }
    for (int r = 0; r < b->nranks; r++) {
        size_t nodes = 0;
        for (uint32_t i = 0; i < n; i++)
            nodes += is_rank[i] = i > 0 && rank_matches(taxo_rank(&b->taxo, i), b->rank[r]);
        if (!nodes)
            gb_warn("no taxon of the truth or the calls has rank '%s': every read is excluded there", b->rank[r]);
        bench_rank_ancestors(b->taxo.parent, is_rank, n, anc);
        for (size_t i = 0; i < b->ntools; i++)
            bench_score_reads(b->taxo.parent, anc, b->truth_internal, b->tool[i].internal, b->truth.n,
                              &b->tool[i].counts[r]);
    }
    free(is_rank);
    free(anc);
    return GB_OK;
}

static void put_rate(FILE *f, const char *sep, double x)
{
    if (isnan(x)) fprintf(f, "%sNA", sep);
    else fprintf(f, "%s%.6f", sep, x);
}

/* One row per tool and rank: TSV (sep "\t", no frame) or Markdown (sep " | ", framed). */
static void write_rows(const bench_t *b, FILE *f, int markdown)
{
    const char *sep = markdown ? " | " : "\t";
    for (size_t i = 0; i < b->ntools; i++) {
        for (int r = 0; r < b->nranks; r++) {
            const bench_counts_t *c = &b->tool[i].counts[r];
            bench_read_rates_t x = bench_read_rates(c);
            fprintf(f, "%s%s%s%s%s%llu%s%llu%s%llu%s%llu", markdown ? "| " : "", b->tool[i].name, sep, b->rank[r], sep,
                    (unsigned long long)c->tp, sep, (unsigned long long)c->vertical, sep, (unsigned long long)c->fp,
                    sep, (unsigned long long)c->fn);
            put_rate(f, sep, x.sensitivity);
            put_rate(f, sep, x.precision);
            put_rate(f, sep, x.f1);
            put_rate(f, sep, x.unclassified);
            fprintf(f, "%s%llu%s\n", sep, (unsigned long long)c->excluded, markdown ? " |" : "");
        }
    }
}

static const char READS_HEADER[] =
    "name\trank\tTP\tvertical\tFP\tFN\tsensitivity\tprecision\tF1\tunclassified\texcluded";

static void write_markdown(const bench_t *b, FILE *f)
{
    fprintf(f, "| ");
    for (const char *p = READS_HEADER; *p; p++) fputs(*p == '\t' ? " | " : (char[]){*p, 0}, f);
    fprintf(f, " |\n|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    write_rows(b, f, 1);
}

static int write_file(const char *prefix, const char *suffix, const bench_t *b, int markdown)
{
    char *path = NULL;
    if (asprintf(&path, "%s%s", prefix, suffix) < 0) return GB_E_NOMEM;
    outfile_t *o = outfile_open(path);
    free(path);
    if (!o) return GB_E_IO;
    if (markdown) write_markdown(b, outfile_fp(o));
    else {
        fprintf(outfile_fp(o), "%s\n", READS_HEADER);
        write_rows(b, outfile_fp(o), 0);
    }
    return outfile_commit(o);
}

static void bench_free(bench_t *b)
{
    for (size_t i = 0; i < b->ntools; i++) {
        free(b->tool[i].name);
        free(b->tool[i].internal);
        bench_calls_free(&b->tool[i].calls);
    }
    free(b->tool);
    free(b->truth_internal);
    taxo_destroy(&b->taxo);
    taxdump_destroy(b->dump);
    bench_truth_free(&b->truth);
    free(b->rank_text);
}

int cmd_bench(int argc, char **argv)
{
    bench_t b = {0};
    int rc = cli_parse(argc, argv, bench_cli, NBENCH_CLI, bench_on_opt, &b.o, &b.o.positional, &b.o.npositional,
                       bench_usage);
    if (rc) return rc > 0 ? 0 : rc;
    const char *prefix = b.o.out ? b.o.out : "bench";
    if ((rc = bench_validate(&b))) goto done;
    if ((rc = bench_truth_read(b.o.truth, &b.truth))) goto done;
    if ((rc = taxdump_load(b.o.taxonomy, &b.dump))) goto done;
    if ((rc = read_outputs(&b))) goto done;
    if ((rc = build_taxonomy(&b)) || (rc = map_calls(&b)) || (rc = score(&b))) goto done;
    if ((rc = write_file(prefix, ".reads.tsv", &b, 0)) || (rc = write_file(prefix, ".md", &b, 1))) goto done;
    write_markdown(&b, stdout);
    gb_info("%zu fragments scored for %zu classifiers at %d ranks", b.truth.n, b.ntools, b.nranks);
done:
    if (rc == GB_E_NOMEM) gb_error("out of memory");
    bench_free(&b);
    return rc;
}
