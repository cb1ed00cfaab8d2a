/* gutbrain bench: classifiers' per-read outputs scored side by side against a known truth,
 * per rank, with the Kraken 2 paper's definitions, and per-sample profiles with OPAL's metrics
 * (docs/BENCH.md). Reading is bench_io.c and bench_profile.c, the counting kernels/bench.c; this
 * file owns the command line, the taxonomy (one pruned tree for every taxid seen) and the
 * outputs. */
#include "bench.h"
#include "bench_io.h"
#include "bench_profile.h"
#include "cli.h"
#include "cmd.h"
#include "gb_array.h"
#include "log.h"
#include "outfile.h"
#include "taxdump.h"
#include "taxo.h"
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BENCH_MAX_RANKS 16

typedef struct {
    const char *truth, *taxonomy, *ranks, *out;
    const char **profiles; /* NAME=DIR */
    int nprofiles;
    char **positional;
    int npositional;
} bench_opts_t;

/* clang-format off */
static const cli_option_t bench_cli[] = {
    { "truth", 0, "TRUTH", "read_id<TAB>taxid file, or a 'gutbrain simulate' folder (required)" },
    { "taxonomy", 0, "DIR", "NCBI taxdump folder with nodes.dmp and names.dmp (required)" },
    { "ranks", 0, "LIST", "comma-separated ranks to score (default species,genus,family,phylum)" },
    { "profiles", 0, "NAME=DIR", "per-sample profiles (kreport, Bracken, CAMI) named <sample>.*; repeatable" },
    { "out", 'o', "PREFIX", "writes PREFIX.reads.tsv, PREFIX.profiles.tsv and PREFIX.md (default bench)" },
    { "quiet", 'q', NULL, "only errors and warnings" },
    { "verbose", 'v', NULL, "more log lines" },
    { "version", 'V', NULL, "print the version" },
    { "help", 'h', NULL, "this help" },
};
/* clang-format on */
#define NBENCH_CLI (int)(sizeof bench_cli / sizeof bench_cli[0])
static const char bench_usage[] =
    "Usage: gutbrain bench --truth TRUTH --taxonomy DIR [--ranks species,genus,family,phylum]\n"
    "                      [--profiles NAME=DIR ...] [--out PREFIX] NAME=PER_READ_OUTPUT ...\n"
    "Scores per-read outputs (Kraken format: gutbrain classify, kraken2; or Centrifuge's) against\n"
    "the true taxon of every read, per rank: TP, vertical, FP, FN, sensitivity, precision, F1.\n"
    "A NAME given several times pools its files (one per sample). --profiles scores each sample's\n"
    "profile against TRUTH/truth/abundance.tsv: L1, Bray-Curtis, completeness, purity, F1, UniFrac.\n"
    "The Markdown tables also go to stdout. Definitions: docs/BENCH.md.";

static int bench_on_opt(void *ctx, int i, const char *v)
{
    bench_opts_t *o = ctx;
    const char *name = bench_cli[i].name;
    if (!strcmp(name, "truth")) o->truth = v;
    else if (!strcmp(name, "taxonomy")) o->taxonomy = v;
    else if (!strcmp(name, "ranks")) o->ranks = v;
    else if (!strcmp(name, "out")) o->out = v;
    else if (!strcmp(name, "profiles")) {
        const char **grown = realloc(o->profiles, (size_t)(o->nprofiles + 1) * sizeof *grown);
        if (!grown) return GB_E_NOMEM;
        o->profiles = grown;
        o->profiles[o->nprofiles++] = v;
    } else if (!strcmp(name, "quiet")) gb_verbosity = 0;
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
    bench_abundance_t abund;
    bench_profile_t *prof;          /* [nprofiles][nsamples] */
    bench_profile_scores_t *pscore; /* [nprofiles][nsamples][nranks] */
    double *unifrac;                /* [nprofiles][nsamples] */
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
    if (b->o.npositional == 0 && b->o.nprofiles == 0) {
        gb_error("nothing to score: give NAME=PER_READ_OUTPUT or --profiles NAME=DIR (see gutbrain bench --help)");
        return GB_E_USAGE;
    }
    for (int i = 0; i < b->o.npositional + b->o.nprofiles; i++) {
        const char *arg = i < b->o.npositional ? b->o.positional[i] : b->o.profiles[i - b->o.npositional];
        const char *eq = strchr(arg, '=');
        if (!eq || eq == arg || !eq[1]) {
            gb_error("'%s': expected NAME=FILE (or NAME=DIR for --profiles)", arg);
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
    if (b->o.npositional == 0) return GB_OK; /* profiles only */
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

/* The true abundances (TRUTH/truth/abundance.tsv or TRUTH/abundance.tsv) and every profile. */
static int read_profiles(bench_t *b)
{
    char *path = NULL;
    int rc = GB_OK;
    if (asprintf(&path, "%s/truth/abundance.tsv", b->o.truth) < 0) return GB_E_NOMEM;
    if (access(path, R_OK)) {
        free(path);
        if (asprintf(&path, "%s/abundance.tsv", b->o.truth) < 0) return GB_E_NOMEM;
    }
    if ((rc = bench_abundance_read(path, &b->abund))) goto done;
    size_t ns = b->abund.nsamples, np = (size_t)b->o.nprofiles;
    b->prof = calloc(np * ns, sizeof *b->prof);
    b->pscore = calloc(np * ns * (size_t)b->nranks, sizeof *b->pscore);
    b->unifrac = calloc(np * ns, sizeof *b->unifrac);
    if (!b->prof || !b->pscore || !b->unifrac) {
        rc = GB_E_NOMEM;
        goto done;
    }
    for (size_t i = 0; i < np && !rc; i++) {
        for (size_t s = 0; s < ns && !rc; s++) {
            char *file = bench_profile_find(strchr(b->o.profiles[i], '=') + 1, b->abund.sample[s]);
            rc = file ? bench_profile_read(file, &b->prof[i * ns + s]) : GB_E_IO;
            free(file);
        }
    }
done:
    free(path);
    return rc;
}

/* Appends the taxids of p the dump knows to ids; with strict, an unknown one is an error naming
 * what. Counts the others in *unknown. */
static int collect_taxids(const bench_t *b, const uint32_t *taxid, size_t n, int strict, const char *what,
                          uint32_t **ids, size_t *k, size_t *cap, size_t *unknown)
{
    for (size_t i = 0; i < n; i++) {
        if (taxid[i] == 0) continue;
        if (!taxdump_has(b->dump, taxid[i])) {
            if (strict) {
                gb_error("%s: taxid %u is not in the taxonomy %s", what, taxid[i], b->o.taxonomy);
                return GB_E_FORMAT;
            }
            ++*unknown;
            continue;
        }
        if (GB_GROW(*ids, *cap, *k + 1)) return GB_E_NOMEM;
        (*ids)[(*k)++] = taxid[i];
    }
    return GB_OK;
}

/* Prunes the taxdump to every taxid seen: the true ones must all be there; calls and profile
 * entries outside it are counted (calls as false positives, profile entries left out). */
static int build_taxonomy(bench_t *b)
{
    uint32_t *ids = NULL;
    size_t k = 0, cap = 0, unknown = 0, ns = b->abund.nsamples;
    int rc = collect_taxids(b, b->truth.taxid, b->truth.n, 1, b->o.truth, &ids, &k, &cap, &unknown);
    for (size_t i = 0; i < b->ntools && !rc; i++)
        rc = collect_taxids(b, b->tool[i].calls.call, b->truth.n, 0, "", &ids, &k, &cap, &unknown);
    for (size_t s = 0; s < ns && !rc; s++)
        rc = collect_taxids(b, b->abund.truth[s].taxid, b->abund.truth[s].n, 1, "true abundances", &ids, &k, &cap,
                            &unknown);
    unknown = 0;
    for (size_t i = 0; i < (size_t)b->o.nprofiles * ns && !rc; i++)
        rc = collect_taxids(b, b->prof[i].taxid, b->prof[i].n, 0, "", &ids, &k, &cap, &unknown);
    if (unknown) gb_warn("%zu profile entries name taxids absent from the taxonomy: left out", unknown);
    if (!rc) rc = taxo_prune(b->dump, ids, k, &b->taxo);
    free(ids);
    return rc ? rc : taxo_index(&b->taxo);
}

static int map_calls(bench_t *b)
{
    size_t n = b->truth.n;
    if (n == 0) return GB_OK; /* profiles only */
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

/* Clade sums of profile p at the rank whose ancestors are anc into v (t->n entries, zeroed
 * first): disjoint entries go to their ancestor at the rank, CAMI entries count only at it. */
static void profile_at_rank(const bench_t *b, const bench_profile_t *p, const uint32_t *anc, const char *rank,
                            double *v)
{
    memset(v, 0, b->taxo.n * sizeof *v);
    for (size_t e = 0; e < p->n; e++) {
        uint32_t i = taxo_internal(&b->taxo, p->taxid[e]);
        if (!i || !anc[i]) continue;
        if (p->rank[e] && (anc[i] != i || !rank_matches(p->rank[e], rank))) continue;
        v[anc[i]] += p->value[e];
    }
}

static void score_profiles(bench_t *b, int r, const uint32_t *anc, double *tv, double *pv)
{
    size_t ns = b->abund.nsamples;
    for (size_t s = 0; s < ns; s++) {
        profile_at_rank(b, &b->abund.truth[s], anc, b->rank[r], tv);
        for (size_t i = 0; i < (size_t)b->o.nprofiles; i++) {
            profile_at_rank(b, &b->prof[i * ns + s], anc, b->rank[r], pv);
            bench_profile_scores(tv, pv, b->taxo.n, &b->pscore[(i * ns + s) * (size_t)b->nranks + (size_t)r]);
        }
    }
}

/* A profile as masses on the taxonomy's nodes (v, t->n entries): disjoint entries where they
 * are; a CAMI entry's clade percentage minus those of the entries right below it (its own
 * share, at least 0), so that every read counts once. seen: scratch, t->n bytes. */
static void profile_masses(const bench_t *b, const bench_profile_t *p, double *v, uint8_t *seen)
{
    memset(v, 0, b->taxo.n * sizeof *v);
    memset(seen, 0, b->taxo.n);
    for (size_t e = 0; e < p->n; e++) {
        uint32_t i = taxo_internal(&b->taxo, p->taxid[e]);
        v[i] += i ? p->value[e] : 0;
        seen[i] = 1;
    }
    for (size_t e = 0; e < p->n; e++) {
        uint32_t i = taxo_internal(&b->taxo, p->taxid[e]), j = i ? b->taxo.parent[i] : 0;
        if (!p->rank[e]) continue;
        while (j && !seen[j]) j = b->taxo.parent[j];
        if (j) v[j] -= p->value[e];
    }
    for (uint32_t i = 0; i < b->taxo.n; i++) v[i] = v[i] > 0 ? v[i] : 0;
}

/* Weighted UniFrac's tree, as OPAL builds it from CAMI TAXPATHs ("Weighted UniFrac (CAMI)"):
 * one level per main rank (superkingdom 0 ... species 6) and one strain level (7) that holds
 * every node below a species, each hung from the species itself (a strain under a subspecies
 * is still one edge from its species); an edge spans the levels between a node and its nearest
 * kept ancestor (a virus order right under its superkingdom: 3, the TAXPATH's blanks), the
 * root sits at level -1. Other nodes are contracted (length 0) into their parent.
 * benchmarks/opal_unifrac.sh compares the result with OPAL's own code (docs/BENCH.md). */
static int unifrac_tree(const bench_t *b, uint32_t *up, uint8_t *len)
{
    static const char *const main_rank[] = {"superkingdom", "phylum", "class", "order", "family", "genus", "species"};
    uint32_t n = b->taxo.n, *kept = malloc(n * sizeof *kept), *species = malloc(n * sizeof *species);
    int8_t *level = malloc(n);
    if (!kept || !species || !level) {
        free(kept);
        free(species);
        free(level);
        return GB_E_NOMEM;
    }
    for (uint32_t i = 0; i < n; i++) { /* parents come first */
        uint32_t p = i > 1 ? b->taxo.parent[i] : 0;
        const char *r = i > 1 ? taxo_rank(&b->taxo, i) : "";
        level[i] = -1;
        for (int k = 0; k < 7; k++)
            if (rank_matches(r, main_rank[k])) level[i] = (int8_t)k;
        if (i > 1 && species[p]) level[i] = 7;
        species[i] = level[i] == 6 ? i : i > 1 ? species[p] : 0;
        up[i] = level[i] == 7 ? species[p] : i > 1 && level[i] >= 0 ? kept[p] : p;
        kept[i] = level[i] >= 0 ? i : i > 1 ? kept[p] : i;
        int span = level[i] - (up[i] > 1 ? level[up[i]] : -1);
        len[i] = level[i] < 0 ? 0 : span < 1 ? 1 : (uint8_t)span;
    }
    free(kept);
    free(species);
    free(level);
    return GB_OK;
}

static int score_unifrac(bench_t *b)
{
    size_t ns = b->abund.nsamples, n = b->taxo.n;
    double *tv = malloc(n * sizeof *tv), *pv = malloc(n * sizeof *pv), *work = malloc(n * sizeof *work);
    uint8_t *seen = malloc(n), *len = malloc(n);
    uint32_t *up = malloc(n * sizeof *up);
    int rc = tv && pv && work && seen && len && up ? GB_OK : GB_E_NOMEM;
    if (!rc) rc = unifrac_tree(b, up, len);
    for (size_t s = 0; s < ns && !rc; s++) {
        profile_masses(b, &b->abund.truth[s], tv, seen);
        for (size_t i = 0; i < (size_t)b->o.nprofiles; i++) {
            profile_masses(b, &b->prof[i * ns + s], pv, seen);
            b->unifrac[i * ns + s] = bench_tree_emd(up, len, b->taxo.n, tv, pv, work);
        }
    }
    free(tv);
    free(pv);
    free(work);
    free(seen);
    free(len);
    free(up);
    return rc;
}

static int score(bench_t *b)
{
    uint32_t n = b->taxo.n;
    uint8_t *is_rank = malloc(n);
    uint32_t *anc = malloc((size_t)n * sizeof *anc);
    double *tv = malloc((size_t)n * sizeof *tv), *pv = malloc((size_t)n * sizeof *pv);
    int rc = is_rank && anc && tv && pv ? GB_OK : GB_E_NOMEM;
    for (int r = 0; r < b->nranks && !rc; r++) {
        size_t nodes = 0;
        for (uint32_t i = 0; i < n; i++)
            nodes += is_rank[i] = i > 0 && rank_matches(taxo_rank(&b->taxo, i), b->rank[r]);
        if (!nodes)
            gb_warn("no taxon of the truth or the calls has rank '%s': every read is excluded there", b->rank[r]);
        bench_rank_ancestors(b->taxo.parent, is_rank, n, anc);
        for (size_t i = 0; i < b->ntools; i++)
            bench_score_reads(b->taxo.parent, anc, b->truth_internal, b->tool[i].internal, b->truth.n,
                              &b->tool[i].counts[r]);
        score_profiles(b, r, anc, tv, pv);
    }
    free(is_rank);
    free(anc);
    free(tv);
    free(pv);
    return rc ? rc : score_unifrac(b);
}

static void put_rate(FILE *f, const char *sep, double x)
{
    if (isnan(x)) fprintf(f, "%sNA", sep);
    else fprintf(f, "%s%.6f", sep, x);
}

/* A header as a Markdown row and its alignment row: text columns left, the rest right. */
static void markdown_header(FILE *f, const char *tsv_header, int text_columns)
{
    fprintf(f, "| ");
    int cols = 1;
    for (const char *p = tsv_header; *p; p++) {
        if (*p == '\t') cols++;
        fputs(*p == '\t' ? " | " : (char[]){*p, 0}, f);
    }
    fprintf(f, " |\n|");
    for (int c = 0; c < cols; c++) fputs(c < text_columns ? "---|" : "---:|", f);
    fputc('\n', f);
}

static const char READS_HEADER[] =
    "name\trank\tTP\tvertical\tFP\tFN\tsensitivity\tprecision\tF1\tunclassified\texcluded";
static const char PROFILES_HEADER[] =
    "name\tsample\trank\tL1\tbray_curtis\tcompleteness\tpurity\tF1\tTP\tFP\tFN\tweighted_unifrac";
static const char MEANS_HEADER[] = "name\trank\tsamples\tL1\tbray_curtis\tcompleteness\tpurity\tF1\tweighted_unifrac";

/* One row per tool and rank: TSV (sep "\t", no frame) or Markdown (sep " | ", framed). */
static void write_read_rows(const bench_t *b, FILE *f, int markdown)
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

static void write_profile_rows(const bench_t *b, FILE *f)
{
    size_t ns = b->abund.nsamples;
    for (size_t i = 0; i < (size_t)b->o.nprofiles; i++) {
        const char *name = b->o.profiles[i];
        int len = (int)(strchr(name, '=') - name);
        for (size_t s = 0; s < ns; s++) {
            for (int r = 0; r < b->nranks; r++) {
                const bench_profile_scores_t *x = &b->pscore[(i * ns + s) * (size_t)b->nranks + (size_t)r];
                fprintf(f, "%.*s\t%s\t%s", len, name, b->abund.sample[s], b->rank[r]);
                put_rate(f, "\t", x->l1);
                put_rate(f, "\t", x->bray_curtis);
                put_rate(f, "\t", x->completeness);
                put_rate(f, "\t", x->purity);
                put_rate(f, "\t", x->f1);
                fprintf(f, "\t%llu\t%llu\t%llu", (unsigned long long)x->tp, (unsigned long long)x->fp,
                        (unsigned long long)x->fn);
                put_rate(f, "\t", b->unifrac[i * ns + s]);
                fputc('\n', f);
            }
        }
    }
}

/* Mean of a metric over the samples where it is defined (NaN when none is). */
static double mean_over_samples(const bench_t *b, size_t i, int r, size_t offset)
{
    size_t ns = b->abund.nsamples, m = 0;
    double sum = 0;
    for (size_t s = 0; s < ns; s++) {
        const char *x = (const char *)&b->pscore[(i * ns + s) * (size_t)b->nranks + (size_t)r];
        double v;
        memcpy(&v, x + offset, sizeof v);
        if (!isnan(v)) {
            sum += v;
            m++;
        }
    }
    return m ? sum / (double)m : NAN;
}

static void write_markdown(const bench_t *b, FILE *f)
{
    if (b->ntools) {
        markdown_header(f, READS_HEADER, 2);
        write_read_rows(b, f, 1);
    }
    if (!b->o.nprofiles) return;
    static const size_t metric[5] = {offsetof(bench_profile_scores_t, l1),
                                     offsetof(bench_profile_scores_t, bray_curtis),
                                     offsetof(bench_profile_scores_t, completeness),
                                     offsetof(bench_profile_scores_t, purity), offsetof(bench_profile_scores_t, f1)};
    fprintf(f, "%sProfiles, means over samples:\n\n", b->ntools ? "\n" : "");
    markdown_header(f, MEANS_HEADER, 2);
    for (size_t i = 0; i < (size_t)b->o.nprofiles; i++) {
        const char *name = b->o.profiles[i];
        for (int r = 0; r < b->nranks; r++) {
            fprintf(f, "| %.*s | %s | %zu", (int)(strchr(name, '=') - name), name, b->rank[r], b->abund.nsamples);
            for (int k = 0; k < 5; k++) put_rate(f, " | ", mean_over_samples(b, i, r, metric[k]));
            double u = 0;
            for (size_t s = 0; s < b->abund.nsamples; s++) u += b->unifrac[i * b->abund.nsamples + s];
            put_rate(f, " | ", b->abund.nsamples ? u / (double)b->abund.nsamples : NAN);
            fprintf(f, " |\n");
        }
    }
}

/* PREFIX + suffix written through outfile: what 0 markdown, 1 reads TSV, 2 profiles TSV. */
static int write_file(const char *prefix, const char *suffix, const bench_t *b, int what)
{
    char *path = NULL;
    if (asprintf(&path, "%s%s", prefix, suffix) < 0) return GB_E_NOMEM;
    outfile_t *o = outfile_open(path);
    free(path);
    if (!o) return GB_E_IO;
    FILE *f = outfile_fp(o);
    if (what == 0) write_markdown(b, f);
    else if (what == 1) {
        fprintf(f, "%s\n", READS_HEADER);
        write_read_rows(b, f, 0);
    } else {
        fprintf(f, "%s\n", PROFILES_HEADER);
        write_profile_rows(b, f);
    }
    return outfile_commit(o);
}

static int write_outputs(const bench_t *b, const char *prefix)
{
    int rc = GB_OK;
    if (b->ntools) rc = write_file(prefix, ".reads.tsv", b, 1);
    if (!rc && b->o.nprofiles) rc = write_file(prefix, ".profiles.tsv", b, 2);
    if (!rc) rc = write_file(prefix, ".md", b, 0);
    if (!rc) write_markdown(b, stdout);
    return rc;
}

static void bench_free(bench_t *b)
{
    for (size_t i = 0; i < b->ntools; i++) {
        free(b->tool[i].name);
        free(b->tool[i].internal);
        bench_calls_free(&b->tool[i].calls);
    }
    free(b->tool);
    for (size_t i = 0; b->prof && i < (size_t)b->o.nprofiles * b->abund.nsamples; i++) bench_profile_free(&b->prof[i]);
    free(b->prof);
    free(b->pscore);
    free(b->unifrac);
    bench_abundance_free(&b->abund);
    free(b->o.profiles);
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
    if (rc) {
        free(b.o.profiles);
        return rc > 0 ? 0 : rc;
    }
    const char *prefix = b.o.out ? b.o.out : "bench";
    if ((rc = bench_validate(&b))) goto done;
    if (b.o.npositional && (rc = bench_truth_read(b.o.truth, &b.truth))) goto done;
    if ((rc = taxdump_load(b.o.taxonomy, &b.dump))) goto done;
    if ((rc = read_outputs(&b))) goto done;
    if (b.o.nprofiles && (rc = read_profiles(&b))) goto done;
    if ((rc = build_taxonomy(&b)) || (rc = map_calls(&b)) || (rc = score(&b))) goto done;
    if ((rc = write_outputs(&b, prefix))) goto done;
    gb_info("%zu fragments and %zu samples scored for %zu classifiers and %d profile sets at %d ranks", b.truth.n,
            b.abund.nsamples, b.ntools, b.o.nprofiles, b.nranks);
done:
    if (rc == GB_E_NOMEM) gb_error("out of memory");
    bench_free(&b);
    return rc;
}
