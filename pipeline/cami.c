/* CAMI profiling format writer (cami.h, docs/CAMI.md).
 * Clade counts come from report_clades (the kreport's sums), so a CAMI percentage is the
 * kreport's clade count over the classified fragments. Each printed taxon finds its path by
 * walking up to the root: lineages are a few dozen nodes deep and only taxa with fragments at a
 * CAMI rank are printed, so no per-node path table is kept. */
#include "cami.h"
#include "log.h"
#include "outfile.h"
#include "report.h"
#include "version.h"
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

const char *const cami_ranks[CAMI_NRANKS] = {"superkingdom", "phylum", "class",   "order",
                                             "family",       "genus",  "species", "strain"};
enum { RANK_NONE = -1, RANK_SPECIES = 6, RANK_STRAIN = 7 };

typedef struct {
    uint64_t clade;
    uint32_t external, internal;
    int rank;
} entry_t;

/* CAMI rank index of an NCBI rank name; NCBI renamed superkingdom to domain in 2024/2025. */
static int rank_index(const char *ncbi)
{
    if (!strcmp(ncbi, "domain")) return 0;
    for (int r = 0; r < RANK_STRAIN; r++)
        if (!strcmp(ncbi, cami_ranks[r])) return r;
    return RANK_NONE;
}

/* rank[i] of every node: its CAMI rank, or strain for a leaf below a species that has no CAMI
 * rank of its own (the genome's taxon, which NCBI ranks "strain", "no rank", "subspecies", ...),
 * so a lineage has at most one strain. flags is scratch (t->n bytes). */
static void rank_nodes(const taxo_t *t, signed char *rank, unsigned char *flags)
{
    enum { BELOW_SPECIES = 1, HAS_CHILD = 2 };
    memset(flags, 0, t->n);
    for (uint32_t i = 1; i < t->n; i++) {
        rank[i] = (signed char)rank_index(taxo_rank(t, i));
        uint32_t p = t->parent[i];
        if (p) flags[p] |= HAS_CHILD;
        if (p && ((flags[p] & BELOW_SPECIES) || rank[p] == RANK_SPECIES)) flags[i] |= BELOW_SPECIES;
    }
    for (uint32_t i = 1; i < t->n; i++)
        if (rank[i] == RANK_NONE && flags[i] == BELOW_SPECIES) rank[i] = RANK_STRAIN;
}

/* Rank first, then larger clade, then smaller taxid: the order never depends on the sort. */
static int cmp_entry(const void *a, const void *b)
{
    const entry_t *x = a, *y = b;
    if (x->rank != y->rank) return x->rank - y->rank;
    if (x->clade != y->clade) return x->clade > y->clade ? -1 : 1;
    return (x->external > y->external) - (x->external < y->external);
}

/* A name inside TAXPATHSN: '|' separates the path and tabs/newlines the columns. */
static void put_name(FILE *f, const char *name)
{
    for (const char *c = name; *c; c++) putc(*c == '|' || *c == '\t' || *c == '\n' || *c == '\r' ? ' ' : *c, f);
}

/* One data line; path[r] = internal id of the lineage's taxon at rank r, 0 where none. */
static void put_line(FILE *f, const taxo_t *t, const entry_t *e, const uint32_t *path, uint64_t classified)
{
    fprintf(f, "%" PRIu32 "\t%s\t", e->external, cami_ranks[e->rank]);
    for (int r = 0; r <= e->rank; r++) {
        if (r) putc('|', f);
        if (path[r]) fprintf(f, "%" PRIu32, t->external[path[r]]);
    }
    putc('\t', f);
    for (int r = 0; r <= e->rank; r++) {
        if (r) putc('|', f);
        if (path[r]) put_name(f, taxo_name(t, path[r]));
    }
    /* 8 decimals: one fragment in 10^10 still shows as non-zero */
    fprintf(f, "\t%.8f\n", 100.0 * (double)e->clade / (double)classified);
}

static int write_lines(FILE *f, const taxo_t *t, const uint64_t *calls, uint64_t *clade, signed char *rank,
                       unsigned char *flags, entry_t *entries)
{
    int rc = report_clades(t, calls, clade);
    if (rc != GB_OK || t->n < 2 || clade[1] == 0) return rc;
    rank_nodes(t, rank, flags);
    size_t n = 0;
    for (uint32_t i = 2; i < t->n; i++)
        if (rank[i] != RANK_NONE && clade[i]) entries[n++] = (entry_t){clade[i], t->external[i], i, rank[i]};
    qsort(entries, n, sizeof *entries, cmp_entry);
    for (size_t k = 0; k < n; k++) {
        uint32_t path[CAMI_NRANKS] = {0};
        /* the nearest ancestor at each rank above the taxon's own (NCBI never repeats a rank) */
        for (uint32_t v = entries[k].internal; v; v = t->parent[v])
            if (rank[v] != RANK_NONE && rank[v] <= entries[k].rank && !path[rank[v]]) path[rank[v]] = v;
        put_line(f, t, &entries[k], path, clade[1]);
    }
    return GB_OK;
}

int cami_write(FILE *f, const taxo_t *t, const uint64_t *calls, const char *sample_id)
{
    if (!sample_id[0] || strpbrk(sample_id, "\t\r\n")) {
        gb_error("CAMI profile: the sample id '%s' is empty or holds a tab or line break", sample_id);
        return GB_E_USAGE;
    }
    size_t n = (size_t)t->n + 1; /* + 1: no malloc(0) for an empty taxonomy */
    uint64_t *clade = malloc(n * sizeof *clade);
    signed char *rank = malloc(n);
    unsigned char *flags = malloc(n);
    entry_t *entries = malloc(n * sizeof *entries);
    int rc = clade && rank && flags && entries ? GB_OK : GB_E_NOMEM;
    if (rc == GB_OK) {
        fprintf(f, "@SampleID:%s\n@Version:0.9.1\n@Ranks:", sample_id);
        for (int r = 0; r < CAMI_NRANKS; r++) fprintf(f, "%s%s", r ? "|" : "", cami_ranks[r]);
        fprintf(f, "\n@__program__:gutbrain %s\n@@TAXID\tRANK\tTAXPATH\tTAXPATHSN\tPERCENTAGE\n", GB_VERSION);
        rc = write_lines(f, t, calls, clade, rank, flags, entries);
    }
    free(clade);
    free(rank);
    free(flags);
    free(entries);
    /* stdio may buffer the failing write until the flush */
    if (rc == GB_OK && (fflush(f) != 0 || ferror(f))) {
        gb_error("cannot write the CAMI profile of '%s': %s", sample_id, strerror(errno));
        rc = GB_E_IO;
    }
    if (rc == GB_E_NOMEM) gb_error("out of memory for the CAMI profile of '%s'", sample_id);
    return rc;
}

int cami_write_file(const char *path, const taxo_t *t, const uint64_t *calls, const char *sample_id)
{
    outfile_t *out = outfile_open(path);
    if (!out) return GB_E_IO;
    int rc = cami_write(outfile_fp(out), t, calls, sample_id);
    if (rc != GB_OK) {
        outfile_abort(out);
        return rc;
    }
    return outfile_commit(out);
}

/* Removes suffix from the end of s (length *len) when it is there; 1 if it was. */
static int drop_suffix(const char *s, size_t *len, const char *suffix)
{
    size_t k = strlen(suffix);
    if (*len <= k || strncmp(s + *len - k, suffix, k)) return 0;
    *len -= k;
    return 1;
}

char *cami_sample_id(const char *path)
{
    static const char *const packed[] = {".gz", ".bz2", ".xz", ".zst"};
    static const char *const formats[] = {".fastq", ".fq", ".fasta", ".fa", ".fna"};
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t len = strlen(base);
    for (size_t i = 0; i < sizeof packed / sizeof *packed && !drop_suffix(base, &len, packed[i]); i++) continue;
    for (size_t i = 0; i < sizeof formats / sizeof *formats && !drop_suffix(base, &len, formats[i]); i++) continue;
    return strndup(base, len);
}
