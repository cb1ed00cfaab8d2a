/* gutbrain bracken-build: DIR/database{L}mers.kmer_distrib, Bracken's k-mer distribution, from
 * the database's own classification of its library (docs/BRACKEN-BUILD.md).
 *
 * Each library file is classified with classify_sample() into a temporary per-read file in
 * DIR (Kraken 2's format), which is read back line by line: each sequence's hit list becomes
 * k-mer runs, scanned once per read length (kernels/kmer_distrib.c), in parallel over the read
 * lengths. The tables are written when every file is done, via temporary names. */
#include "cmd.h"
#include "classify_sample.h"
#include "cli.h"
#include "db.h"
#include "gb_array.h"
#include "kmer_distrib.h"
#include "log.h"
#include "outfile.h"
#include "seqmap.h"
#include "strbuf.h"
#include <errno.h>
#include <ftw.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_READ_LENGTHS 16

typedef struct {
    const char *db, *seqmap, *kraken;
    long threads;
    long read_len[MAX_READ_LENGTHS];
    int nread_len;
    const char **library; /* --library values and positional arguments */
    size_t nlibrary, cap_library;
    char **pos;
    int npos;
    strbuf_t default_seqmap; /* DIR/seqid2taxid.map */
} bbuild_opts_t;

/* clang-format off */
static const cli_option_t bbuild_cli[] = {
    { "db", 0, "DIR", "database folder; the distribution files are written there (required)" },
    { "read-length", 0, "L[,L2...]", "read lengths, each at least the database's k (required)" },
    { "threads", 't', "N", "threads (default: OpenMP's)" },
    { "library", 0, "FASTA", "a library file (repeatable; also as arguments); default DIR/library/**/*.{fna,fa,fasta}" },
    { "seqid2taxid", 0, "FILE", "sequence id -> taxid map; default DIR/seqid2taxid.map, else kraken:taxid headers" },
    { "kraken", 0, "FILE", "per-read output of the library made before (Bracken's database.kraken): no classifying" },
    { "quiet", 'q', NULL, "only errors and warnings" },
    { "verbose", 'v', NULL, "more log lines" },
    { "version", 'V', NULL, "print the version" },
    { "help", 'h', NULL, "this help" },
};
/* clang-format on */
#define NBBUILD_CLI (int)(sizeof bbuild_cli / sizeof bbuild_cli[0])
static const char bbuild_usage[] =
    "Usage: gutbrain bracken-build --db DIR --read-length L[,L2...] [--threads N] [--seqid2taxid FILE]\n"
    "                              [--library FASTA ... | --kraken FILE] [FASTA ...]\n"
    "Writes DIR/database{L}mers.kmer_distrib for each L, as Bracken's bracken-build: every L-long window\n"
    "of every library sequence classified the Kraken way from the sequence's k-mer calls.";

static int parse_read_lengths(bbuild_opts_t *o, const char *v)
{
    char buf[256];
    if (strlen(v) >= sizeof buf) {
        gb_error("--read-length: bad value '%s'", v);
        return GB_E_USAGE;
    }
    strcpy(buf, v);
    o->nread_len = 0;
    for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        if (o->nread_len == MAX_READ_LENGTHS) {
            gb_error("--read-length: at most %d lengths", MAX_READ_LENGTHS);
            return GB_E_USAGE;
        }
        int rc = cli_int("read-length", tok, 1, 1L << 30, &o->read_len[o->nread_len]);
        if (rc) return rc;
        for (int i = 0; i < o->nread_len; i++)
            if (o->read_len[i] == o->read_len[o->nread_len]) {
                gb_error("--read-length: %ld given twice", o->read_len[i]);
                return GB_E_USAGE;
            }
        o->nread_len++;
    }
    return GB_OK;
}

static int add_library(bbuild_opts_t *o, const char *path)
{
    if (GB_GROW(o->library, o->cap_library, o->nlibrary + 1)) return GB_E_NOMEM;
    o->library[o->nlibrary++] = path;
    return GB_OK;
}

static int bbuild_on_opt(void *ctx, int i, const char *v)
{
    bbuild_opts_t *o = ctx;
    const char *name = bbuild_cli[i].name;
    if (!strcmp(name, "db")) o->db = v;
    else if (!strcmp(name, "read-length")) return parse_read_lengths(o, v);
    else if (!strcmp(name, "threads")) return cli_int(name, v, 1, 1024, &o->threads);
    else if (!strcmp(name, "library")) return add_library(o, v);
    else if (!strcmp(name, "seqid2taxid")) o->seqmap = v;
    else if (!strcmp(name, "kraken")) o->kraken = v;
    else if (!strcmp(name, "quiet")) gb_verbosity = 0;
    else if (!strcmp(name, "verbose")) gb_verbosity = 2;
    return 0;
}

/* ---- the default library: what DIR/library holds, as Bracken's bracken-build finds it ---- */

static strbuf_t found_paths = STRBUF_INIT; /* nftw has no context pointer: NUL-separated */

static int collect_fasta(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
    static const char *const ext[] = {".fna", ".fa", ".fasta"};
    size_t len = strlen(path);
    if (type != FTW_F) return 0;
    for (size_t i = 0; i < sizeof ext / sizeof ext[0]; i++) {
        size_t n = strlen(ext[i]);
        if (len > n && !strcmp(path + len - n, ext[i])) return strbuf_append(&found_paths, path, len + 1) ? 1 : 0;
    }
    return 0;
}

static int by_string(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Add DIR/library's FASTA files, sorted by path. The paths stay in found_paths. */
static int find_library(bbuild_opts_t *o)
{
    strbuf_t dir = STRBUF_INIT;
    int rc = strbuf_printf(&dir, "%s/library", o->db);
    if (rc) return rc;
    struct stat st;
    if (stat(dir.s, &st) || !S_ISDIR(st.st_mode)) {
        gb_error("no library given and %s is not a folder: pass the reference FASTA files (--library)", dir.s);
        strbuf_free(&dir);
        return GB_E_USAGE;
    }
    if (nftw(dir.s, collect_fasta, 16, 0)) {
        gb_error("%s: cannot list its files", dir.s);
        rc = GB_E_IO;
    }
    for (size_t off = 0; !rc && off < found_paths.len; off += strlen(found_paths.s + off) + 1)
        rc = add_library(o, found_paths.s + off);
    if (!rc && o->nlibrary == 0) {
        gb_error("%s holds no .fna, .fa or .fasta file", dir.s);
        rc = GB_E_USAGE;
    }
    if (!rc) qsort(o->library, o->nlibrary, sizeof *o->library, by_string);
    strbuf_free(&dir);
    return rc;
}

static int bbuild_validate(bbuild_opts_t *o)
{
    if (!o->db || !o->nread_len) {
        gb_error("--db and --read-length are required (see gutbrain bracken-build --help)");
        return GB_E_USAGE;
    }
    for (int i = 0; i < o->npos; i++)
        if (add_library(o, o->pos[i])) return GB_E_NOMEM;
    if (o->kraken && o->nlibrary) {
        gb_error("--kraken replaces classifying the library: give either, not both");
        return GB_E_USAGE;
    }
    if (!o->seqmap) { /* Kraken 2 databases keep the map next to their tables */
        if (strbuf_printf(&o->default_seqmap, "%s/seqid2taxid.map", o->db)) return GB_E_NOMEM;
        if (!access(o->default_seqmap.s, R_OK)) o->seqmap = o->default_seqmap.s;
    }
    return o->kraken || o->nlibrary ? GB_OK : find_library(o);
}

/* ---- per-read lines -> k-mer runs -> tables ---- */

typedef struct {
    const bbuild_opts_t *o;
    const gb_db_t *db;
    const seqmap_t *seqmap;
    uint32_t window[MAX_READ_LENGTHS];
    kmer_distrib_scan_t scan[MAX_READ_LENGTHS];
    kmer_distrib_t table[MAX_READ_LENGTHS];
    kmer_distrib_call_t *calls[MAX_READ_LENGTHS]; /* a scan's calls with taxids */
    size_t cap_calls[MAX_READ_LENGTHS];
    kmer_distrib_run_t *runs;
    size_t nruns, cap_runs;
    uint64_t sequences, unmapped;
} bbuild_t;

/* The hit list (5th column) as runs of internal taxa: "taxid:n", "A:n" (ambiguous: none) and
 * "|:|" (a mate border, none in a library). GB_E_FORMAT for anything else. */
static int parse_hits(bbuild_t *b, char *p, const char *file, uint64_t line)
{
    b->nruns = 0;
    for (char *save = NULL, *tok = strtok_r(p, " \n", &save); tok; tok = strtok_r(NULL, " \n", &save)) {
        if (!strcmp(tok, "|:|")) continue;
        char *colon = strchr(tok, ':'), *end;
        if (!colon) goto bad;
        unsigned long n = strtoul(colon + 1, &end, 10), taxid = 0;
        if (*end || end == colon + 1 || n > UINT32_MAX) goto bad;
        if (*tok != 'A' || colon != tok + 1) {
            taxid = strtoul(tok, &end, 10);
            if (end != colon || taxid > UINT32_MAX) goto bad;
        }
        uint32_t taxon = taxid ? taxo_internal(&b->db->taxo, (uint32_t)taxid) : 0;
        if (taxid && !taxon) {
            gb_error("%s:%llu: taxid %lu is not in the database %s", file, (unsigned long long)line, taxid, b->o->db);
            return GB_E_FORMAT;
        }
        if (GB_GROW(b->runs, b->cap_runs, b->nruns + 1)) return GB_E_NOMEM;
        b->runs[b->nruns++] = (kmer_distrib_run_t){.taxon = taxon, .count = (uint32_t)n};
    }
    return GB_OK;
bad:
    gb_error("%s:%llu: bad hit list entry '%.40s'", file, (unsigned long long)line, p);
    return GB_E_FORMAT;
}

/* Scan the runs for read length i and add the sequence's calls to table i. */
static int add_sequence(bbuild_t *b, int i, uint32_t genome)
{
    kmer_distrib_scan_t *s = &b->scan[i];
    int rc = kmer_distrib_scan(s, b->db->taxo.parent, b->runs, b->nruns, b->window[i]);
    if (rc) return rc;
    if (GB_GROW(b->calls[i], b->cap_calls[i], s->ncalls)) return GB_E_NOMEM;
    for (size_t j = 0; j < s->ncalls; j++)
        b->calls[i][j] =
            (kmer_distrib_call_t){.taxon = b->db->taxo.external[s->calls[j].taxon], .windows = s->calls[j].windows};
    return kmer_distrib_add(&b->table[i], genome, b->calls[i], s->ncalls);
}

/* One per-read line: C/U, sequence id, call, length, hit list. */
static int add_line(bbuild_t *b, char *line, const char *file, uint64_t lineno)
{
    char *field[5];
    field[0] = line;
    for (int f = 1; f < 5; f++) {
        char *tab = strchr(field[f - 1], '\t');
        if (!tab) {
            gb_error("%s:%llu: not Kraken's per-read format (5 tab-separated columns)", file,
                     (unsigned long long)lineno);
            return GB_E_FORMAT;
        }
        *tab = '\0';
        field[f] = tab + 1;
    }
    b->sequences++;
    uint32_t genome = seqmap_taxid_of_header(b->seqmap, field[1], strlen(field[1]));
    if (!genome) {
        if (b->unmapped++ < 5) gb_warn("%s: sequence '%.60s' has no taxid: skipped", file, field[1]);
        return GB_OK;
    }
    int rc = parse_hits(b, field[4], file, lineno);
    if (rc) return rc;
#pragma omp parallel for schedule(dynamic, 1) reduction(min : rc) if (b->o->nread_len > 1)
    for (int i = 0; i < b->o->nread_len; i++) {
        int r = add_sequence(b, i, genome);
        if (r < rc) rc = r;
    }
    return rc;
}

static int read_per_read_file(bbuild_t *b, const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        gb_error("%s: cannot open: %s", path, strerror(errno));
        return GB_E_IO;
    }
    char *line = NULL;
    size_t cap = 0;
    uint64_t lineno = 0;
    int rc = GB_OK;
    while (!rc && getline(&line, &cap, f) > 0) rc = add_line(b, line, path, ++lineno);
    if (!rc && ferror(f)) {
        gb_error("%s: read error", path);
        rc = GB_E_IO;
    }
    free(line);
    fclose(f);
    return rc;
}

/* Classify one library file into a temporary per-read file in DIR, read it, remove it. */
static int classify_library_file(bbuild_t *b, const char *fasta)
{
    strbuf_t tmp = STRBUF_INIT;
    classify_result_t res = {0};
    int rc = strbuf_printf(&tmp, "%s/.bracken-build.%ld.kraken", b->o->db, (long)getpid());
    if (rc) return rc;
    classify_job_t job = {
        .db = b->db,
        .params = {.confidence = 0, .min_hit_groups = 2}, /* kraken2's defaults; the calls are not used */
        .inputs = {fasta, NULL},
        .output = tmp.s,
        .threads = (int)b->o->threads,
    };
    gb_info("classifying %s", fasta);
    if (!(rc = classify_sample(&job, &res))) {
        classify_result_free(&res);
        rc = read_per_read_file(b, tmp.s);
        unlink(tmp.s);
    }
    strbuf_free(&tmp);
    return rc;
}

/* ---- output ---- */

static int write_table(const kmer_distrib_t *d, FILE *f)
{
    fputs("mapped_taxid\tgenome_taxids:kmers_mapped:total_genome_kmers\n", f);
    for (size_t r = 0; r < d->nrows; r++) {
        fprintf(f, "%u\t", d->rows[r].mapped);
        for (size_t i = d->rows[r].first; i < d->rows[r].first + d->rows[r].n; i++)
            fprintf(f, "%u:%llu:%llu ", d->cells[i].genome, (unsigned long long)d->cells[i].windows,
                    (unsigned long long)d->cells[i].total);
        fputc('\n', f);
    }
    return ferror(f) ? GB_E_IO : GB_OK;
}

/* Every table to its temporary name first, then all renamed: an error in computing or writing
 * them leaves none under its final name. */
static int write_tables(bbuild_t *b)
{
    outfile_t *out[MAX_READ_LENGTHS] = {0};
    strbuf_t path = STRBUF_INIT;
    int rc = GB_OK, n = b->o->nread_len;
    for (int i = 0; i < n && !rc; i++) {
        strbuf_clear(&path);
        if ((rc = strbuf_printf(&path, "%s/database%ldmers.kmer_distrib", b->o->db, b->o->read_len[i]))) break;
        if ((rc = kmer_distrib_finish(&b->table[i]))) break;
        if (!(out[i] = outfile_open(path.s))) rc = GB_E_IO;
        else if ((rc = write_table(&b->table[i], outfile_fp(out[i])))) gb_error("%s: write error", path.s);
        else gb_info("%s: %zu taxa", path.s, b->table[i].nrows);
    }
    for (int i = 0; i < n; i++) {
        if (rc) outfile_abort(out[i]);
        else rc = outfile_commit(out[i]);
    }
    strbuf_free(&path);
    return rc;
}

static int bbuild_run(bbuild_t *b)
{
    int rc = GB_OK;
    for (int i = 0; i < b->o->nread_len && !rc; i++) {
        if (b->o->read_len[i] < b->db->mm.k) {
            gb_error("--read-length %ld is shorter than the database's k-mers (%d)", b->o->read_len[i], b->db->mm.k);
            return GB_E_USAGE;
        }
        b->window[i] = (uint32_t)(b->o->read_len[i] - b->db->mm.k + 1);
        rc = kmer_distrib_scan_init(&b->scan[i], b->db->taxo.n);
    }
    if (!rc && b->o->kraken) rc = read_per_read_file(b, b->o->kraken);
    for (size_t f = 0; !rc && f < b->o->nlibrary; f++) rc = classify_library_file(b, b->o->library[f]);
    if (!rc && b->unmapped)
        gb_warn("%llu of %llu sequences had no taxid in %s and were left out", (unsigned long long)b->unmapped,
                (unsigned long long)b->sequences, b->o->seqmap ? b->o->seqmap : "their ids (no --seqid2taxid)");
    if (!rc && b->unmapped == b->sequences) {
        gb_error("no sequence with a taxid: nothing to write");
        rc = GB_E_FORMAT;
    }
    return rc ? rc : write_tables(b);
}

int cmd_bracken_build(int argc, char **argv)
{
    bbuild_opts_t o = {.threads = omp_get_max_threads()};
    bbuild_t b = {.o = &o};
    seqmap_t *seqmap = NULL;
    gb_db_t *db = NULL;
    int rc = cli_parse(argc, argv, bbuild_cli, NBBUILD_CLI, bbuild_on_opt, &o, &o.pos, &o.npos, bbuild_usage);
    if (rc) goto done;
    if ((rc = bbuild_validate(&o))) goto done;
    omp_set_num_threads((int)o.threads);
    if (o.seqmap && (rc = seqmap_load(o.seqmap, &seqmap))) goto done;
    b.seqmap = seqmap;
    if ((rc = db_open(o.db, 1, &db))) goto done;
    b.db = db;
    rc = bbuild_run(&b);
done:
    db_close(db);
    for (int i = 0; i < MAX_READ_LENGTHS; i++) {
        kmer_distrib_scan_free(&b.scan[i]);
        kmer_distrib_free(&b.table[i]);
        free(b.calls[i]);
    }
    free(b.runs);
    seqmap_destroy(seqmap);
    free(o.library);
    strbuf_free(&o.default_seqmap);
    strbuf_free(&found_paths);
    return rc > 0 ? 0 : rc;
}
