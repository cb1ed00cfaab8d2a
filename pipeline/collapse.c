/* Collapse features to clades at a rank (collapse.h).
 *
 * Three steps: give every input feature its clade (a key and a name, or none), sort the
 * distinct keys into the output features, then add each sample's counts into its clades in
 * input feature order. */
#include "collapse.h"
#include "log.h"
#include "taxdump.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define TAXID_MAX 0x7fffffffu

static const char RANK_LETTER[] = "dkpcofgs"; /* indexed by collapse_rank_t */
static const char *const RANK_NAME[] = {"domain", "kingdom", "phylum", "class", "order", "family", "genus", "species"};
#define NRANKS 8

int collapse_rank_parse(const char *name, collapse_rank_t *out)
{
    if (strcasecmp(name, "none") == 0) {
        *out = COLLAPSE_NONE;
        return GB_OK;
    }
    if (strcasecmp(name, "superkingdom") == 0) {
        *out = COLLAPSE_DOMAIN;
        return GB_OK;
    }
    for (int r = 0; r < NRANKS; r++) {
        if (strcasecmp(name, RANK_NAME[r]) == 0) {
            *out = (collapse_rank_t)r;
            return GB_OK;
        }
    }
    gb_error("unknown rank \"%s\" (use none, domain, kingdom, phylum, class, order, family, genus or species)", name);
    return GB_E_USAGE;
}

const char *collapse_rank_name(collapse_rank_t rank)
{
    return ((int)rank >= 0 && (int)rank < NRANKS) ? RANK_NAME[rank] : "none";
}

/* The clade of one input feature: key NULL when it has none. */
typedef struct {
    char *key;        /* malloc'ed clade id */
    const char *name; /* points into key (lineage) or the taxonomy (taxid) */
    uint32_t taxid;   /* clade taxid (taxonomy mode), for ordering */
} clade_t;

/* ---------------------------------------------------------------- lineage strings */

/* Rank of a lineage cell and where its name starts: "g__X" and SILVA's "D_5__X" are genus
 * with name "X". -1 when the cell has no known prefix. */
static int cell_rank(const char *cell, const char **name)
{
    static const int silva_rank[7] = {COLLAPSE_DOMAIN, COLLAPSE_PHYLUM, COLLAPSE_CLASS,  COLLAPSE_ORDER,
                                      COLLAPSE_FAMILY, COLLAPSE_GENUS,  COLLAPSE_SPECIES};
    const char *letter = cell[0] ? strchr(RANK_LETTER, cell[0]) : NULL;
    if (letter && cell[1] == '_' && cell[2] == '_') {
        *name = cell + 3;
        return (int)(letter - RANK_LETTER);
    }
    if (cell[0] == 'D' && cell[1] == '_' && cell[2] >= '0' && cell[2] <= '6' && cell[3] == '_' && cell[4] == '_') {
        *name = cell + 5;
        return silva_rank[cell[2] - '0'];
    }
    return -1;
}

/* Name of the first cell of the wanted rank in a lineage row, NULL when absent or empty. */
static const char *lineage_name(char *const *row, size_t width, int rank)
{
    for (size_t l = 0; l < width; l++) {
        const char *name = NULL;
        if (cell_rank(row[l], &name) == rank) return name[0] ? name : NULL;
    }
    return NULL;
}

/* The clade of a lineage row: "g__Name". Domain falls back to k__ (Greengenes); a species cell
 * with the epithet alone gets the genus in front. Returns GB_E_NOMEM or 0 (key NULL: none). */
static int clade_from_lineage(char *const *row, size_t width, collapse_rank_t rank, clade_t *c)
{
    const char *name = lineage_name(row, width, rank);
    if (!name && rank == COLLAPSE_DOMAIN) name = lineage_name(row, width, COLLAPSE_KINGDOM);
    if (!name) return GB_OK;
    const char *genus =
        rank == COLLAPSE_SPECIES && !strchr(name, ' ') ? lineage_name(row, width, COLLAPSE_GENUS) : NULL;
    int len = genus ? asprintf(&c->key, "%c__%s %s", RANK_LETTER[rank], genus, name)
                    : asprintf(&c->key, "%c__%s", RANK_LETTER[rank], name);
    if (len < 0) {
        c->key = NULL;
        return GB_E_NOMEM;
    }
    c->name = c->key + 3;
    return GB_OK;
}

/* ---------------------------------------------------------------- taxonomy */

/* A feature id that is a plain decimal taxid, else 0. */
static uint32_t parse_taxid(const char *s)
{
    uint64_t v = 0;
    if (!*s) return 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9') return 0;
        v = v * 10 + (uint64_t)(*s - '0');
        if (v > TAXID_MAX) return 0;
    }
    return (uint32_t)v;
}

static int rank_matches(const char *taxo_rank_name, collapse_rank_t rank)
{
    if (rank == COLLAPSE_DOMAIN)
        return strcmp(taxo_rank_name, "superkingdom") == 0 || strcmp(taxo_rank_name, "domain") == 0 ||
               strcmp(taxo_rank_name, "acellular root") == 0;
    return strcmp(taxo_rank_name, RANK_NAME[rank]) == 0;
}

/* The clade of a taxid feature: nearest ancestor-or-self of the rank. */
static int clade_from_taxonomy(const taxo_t *taxo, const char *id, collapse_rank_t rank, clade_t *c)
{
    uint32_t node = taxo_internal(taxo, parse_taxid(id));
    for (uint32_t steps = 0; node != 0 && steps < taxo->n; steps++, node = taxo->parent[node]) {
        if (!rank_matches(taxo_rank(taxo, node), rank)) continue;
        c->taxid = taxo->external[node];
        if (asprintf(&c->key, "%u", c->taxid) < 0) {
            c->key = NULL;
            return GB_E_NOMEM;
        }
        c->name = taxo_name(taxo, node);
        return GB_OK;
    }
    return GB_OK;
}

/* ---------------------------------------------------------------- building the output */

typedef struct {
    const clade_t *clades;
    int by_taxid;
} order_ctx_t;

static int cmp_features(const void *a, const void *b, void *ctx)
{
    const order_ctx_t *o = ctx;
    const clade_t *x = &o->clades[*(const size_t *)a], *y = &o->clades[*(const size_t *)b];
    if (o->by_taxid) return (x->taxid > y->taxid) - (x->taxid < y->taxid);
    return strcmp(x->key, y->key);
}

/* Sort the features with a clade by clade, number the distinct clades and copy their ids and
 * names into out's blob. */
static int number_clades(const clade_t *clades, size_t n, int by_taxid, collapse_t *out)
{
    size_t *order = malloc((n ? n : 1) * sizeof *order);
    size_t nhave = 0, bytes = 1;
    if (!order) return GB_E_NOMEM;
    for (size_t f = 0; f < n; f++) {
        out->clade_of[f] = -1;
        if (clades[f].key) order[nhave++] = f;
    }
    order_ctx_t ctx = {clades, by_taxid};
    qsort_r(order, nhave, sizeof *order, cmp_features, &ctx);
    size_t nclades = 0;
    for (size_t i = 0; i < nhave; i++) {
        const clade_t *c = &clades[order[i]];
        if (i == 0 || strcmp(c->key, clades[order[i - 1]].key) != 0) {
            nclades++;
            bytes += strlen(c->key) + strlen(c->name) + 2;
        }
        out->clade_of[order[i]] = (long)nclades - 1;
    }
    out->nfeatures = nclades;
    out->feature_ids = malloc((nclades ? nclades : 1) * sizeof *out->feature_ids);
    out->feature_names = malloc((nclades ? nclades : 1) * sizeof *out->feature_names);
    out->blob = malloc(bytes);
    int rc = (out->feature_ids && out->feature_names && out->blob) ? GB_OK : GB_E_NOMEM;
    char *at = out->blob;
    for (size_t i = 0; rc == GB_OK && i < nhave; i++) {
        const clade_t *c = &clades[order[i]];
        if (i > 0 && strcmp(c->key, clades[order[i - 1]].key) == 0) continue;
        size_t k = (size_t)out->clade_of[order[i]];
        out->feature_ids[k] = strcpy(at, c->key);
        at += strlen(c->key) + 1;
        out->feature_names[k] = strcpy(at, c->name);
        at += strlen(c->name) + 1;
    }
    free(order);
    return rc;
}

/* Rank none: the features as given. */
static int keep_features(const biom_table_t *in, collapse_t *out)
{
    size_t bytes = 1;
    for (size_t f = 0; f < in->nfeatures; f++) bytes += strlen(in->feature_ids[f]) + 1;
    out->nfeatures = in->nfeatures;
    out->feature_ids = malloc((in->nfeatures ? in->nfeatures : 1) * sizeof *out->feature_ids);
    out->feature_names = malloc((in->nfeatures ? in->nfeatures : 1) * sizeof *out->feature_names);
    out->blob = malloc(bytes);
    if (!out->feature_ids || !out->feature_names || !out->blob) return GB_E_NOMEM;
    char *at = out->blob;
    for (size_t f = 0; f < in->nfeatures; f++) {
        out->feature_ids[f] = out->feature_names[f] = strcpy(at, in->feature_ids[f]);
        at += strlen(at) + 1;
        out->clade_of[f] = (long)f;
    }
    return GB_OK;
}

/* Clade sums in input feature order; what has no clade goes to dropped[]. */
static int add_counts(const biom_table_t *in, collapse_t *out)
{
    size_t cells = in->nsamples * out->nfeatures;
    out->counts = calloc(cells ? cells : 1, sizeof *out->counts);
    out->dropped = calloc(in->nsamples ? in->nsamples : 1, sizeof *out->dropped);
    if (!out->counts || !out->dropped) return GB_E_NOMEM;
    for (size_t s = 0; s < in->nsamples; s++) {
        const double *x = in->counts + s * in->nfeatures;
        double *y = out->counts + s * out->nfeatures;
        for (size_t f = 0; f < in->nfeatures; f++) {
            if (out->clade_of[f] >= 0) y[out->clade_of[f]] += x[f];
            else out->dropped[s] += x[f];
        }
    }
    return GB_OK;
}

/* Each feature's clade, from the taxonomy or the lineage strings. */
static int find_clades(const biom_table_t *in, collapse_rank_t rank, const taxo_t *taxo, clade_t *clades)
{
    int rc = GB_OK;
    for (size_t f = 0; f < in->nfeatures && rc == GB_OK; f++) {
        if (taxo) rc = clade_from_taxonomy(taxo, in->feature_ids[f], rank, &clades[f]);
        else rc = clade_from_lineage(in->lineage + f * in->lineage_width, in->lineage_width, rank, &clades[f]);
    }
    return rc;
}

/* Why no feature has the rank, in one line. */
static void explain_no_clade(const biom_table_t *in, collapse_rank_t rank, const taxo_t *taxo)
{
    if (taxo)
        gb_error("%s: no feature has a %s in the taxonomy (features must be NCBI taxids of it; e.g. \"%s\")", in->path,
                 RANK_NAME[rank], in->nfeatures ? in->feature_ids[0] : "");
    else
        gb_error("%s: no feature has a %s in its lineage (a cell \"%c__Name\"; first lineage cell: \"%s\")", in->path,
                 RANK_NAME[rank], RANK_LETTER[rank], in->nfeatures && in->lineage_width ? in->lineage[0] : "");
}

int collapse_table(const biom_table_t *in, collapse_rank_t rank, const taxo_t *taxo, collapse_t *out)
{
    memset(out, 0, sizeof *out);
    out->rank = rank;
    out->nsamples = in->nsamples;
    out->ninput = in->nfeatures;
    if (rank != COLLAPSE_NONE && !taxo && !in->lineage) {
        gb_error("%s has no taxonomy metadata (/observation/metadata/taxonomy) to collapse to %s; "
                 "give a taxonomy directory, or rank none",
                 in->path, RANK_NAME[rank]);
        return GB_E_USAGE;
    }
    clade_t *clades = calloc(in->nfeatures ? in->nfeatures : 1, sizeof *clades);
    out->clade_of = malloc((in->nfeatures ? in->nfeatures : 1) * sizeof *out->clade_of);
    int rc = (clades && out->clade_of) ? GB_OK : GB_E_NOMEM;
    if (rc == GB_OK && rank == COLLAPSE_NONE) rc = keep_features(in, out);
    if (rc == GB_OK && rank != COLLAPSE_NONE) {
        rc = find_clades(in, rank, taxo, clades);
        if (rc == GB_OK) rc = number_clades(clades, in->nfeatures, taxo != NULL, out);
        if (rc == GB_OK && out->nfeatures == 0) {
            explain_no_clade(in, rank, taxo);
            rc = GB_E_USAGE;
        }
    }
    if (rc == GB_OK) rc = add_counts(in, out);
    for (size_t f = 0; clades && f < in->nfeatures; f++) free(clades[f].key);
    free(clades);
    if (rc == GB_E_NOMEM) gb_error("out of memory collapsing %s", in->path);
    if (rc != GB_OK) {
        collapse_free(out);
        return rc;
    }
    for (size_t f = 0; f < in->nfeatures; f++) out->ndropped += out->clade_of[f] < 0;
    if (out->ndropped > 0)
        gb_info("%s: %zu of %zu features have no %s and are left out", in->path, out->ndropped, in->nfeatures,
                RANK_NAME[rank]);
    return GB_OK;
}

void collapse_free(collapse_t *c)
{
    if (!c) return;
    free(c->counts);
    free(c->feature_ids);
    free(c->feature_names);
    free(c->clade_of);
    free(c->dropped);
    free(c->blob);
    memset(c, 0, sizeof *c);
}

int collapse_load_taxonomy(const char *dir, const biom_table_t *in, taxo_t *out)
{
    memset(out, 0, sizeof *out);
    taxdump_t *dump = NULL;
    uint32_t *taxids = malloc((in->nfeatures ? in->nfeatures : 1) * sizeof *taxids);
    int rc = taxids ? taxdump_load(dir, &dump) : GB_E_NOMEM;
    size_t n = 0, nother = 0;
    const char *example = NULL;
    for (size_t f = 0; rc == GB_OK && f < in->nfeatures; f++) {
        uint32_t t = parse_taxid(in->feature_ids[f]);
        if (t != 0 && taxdump_has(dump, t)) {
            taxids[n++] = t;
        } else {
            nother++;
            if (!example) example = in->feature_ids[f];
        }
    }
    if (rc == GB_OK && n == 0) {
        gb_error("%s: no feature id is a taxid of the taxonomy in %s (e.g. \"%s\")", in->path, dir,
                 example ? example : "");
        rc = GB_E_USAGE;
    }
    if (rc == GB_OK && nother > 0)
        gb_warn("%s: %zu of %zu feature ids are not taxids of %s (e.g. \"%s\"); they have no lineage", in->path, nother,
                in->nfeatures, dir, example);
    if (rc == GB_OK) rc = taxo_prune(dump, taxids, n, out); /* indexes too */
    if (rc == GB_E_NOMEM && !taxids) gb_error("out of memory loading the taxonomy %s", dir);
    taxdump_destroy(dump);
    free(taxids);
    return rc;
}
