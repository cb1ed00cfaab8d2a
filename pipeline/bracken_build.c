/* Bracken's k-mer distribution tables from per-read output files: lines are read in batches,
 * each batch's sequences parsed and scanned for every read length in parallel (one scratch
 * per thread), then added to the tables in file order so the tables do not depend on the
 * thread count. */
#include "bracken_build.h"
#include <unistd.h>
#include "cli.h"
#include "classify_sample.h"
#include "gb_array.h"
#include "kmer_distrib.h"
#include "log.h"
#include "outfile.h"
#include "strbuf.h"
#include <errno.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_LENGTHS   BRACKEN_BUILD_MAX_LENGTHS
#define BATCH_LINES   1024
#define BATCH_BYTES   (64u << 20) /* of per-read text: a batch of whole genomes stays bounded */
#define WARN_UNMAPPED 5

typedef struct { /* one thread's scratch */
    kmer_distrib_run_t *runs;
    size_t nruns, cap_runs;
    kmer_distrib_scan_t scan[MAX_LENGTHS];
} worker_t;

typedef struct { /* one line of a batch and its result */
    char *text;  /* from getline, reused between batches */
    size_t cap;
    uint64_t lineno;
    const char *seqid; /* into text */
    uint32_t genome;   /* 0: no taxid, skipped */
    int rc;            /* GB_OK, a GB_E_* code, or 1 when not processed after another line failed */
    kmer_distrib_call_t *calls[MAX_LENGTHS]; /* windows per taxid */
    size_t ncalls[MAX_LENGTHS], cap_calls[MAX_LENGTHS];
} item_t;

struct bracken_build {
    const gb_db_t *db;
    const seqmap_t *seqmap;
    int nlen, nworkers;
    long read_len[MAX_LENGTHS];
    uint32_t window[MAX_LENGTHS];
    kmer_distrib_t table[MAX_LENGTHS];
    worker_t *workers;
    item_t items[BATCH_LINES];
    uint64_t sequences, unmapped;
};

int bracken_build_new(const gb_db_t *db, const seqmap_t *seqmap, const long *read_len, int n, int threads,
                      bracken_build_t **out)
{
    *out = NULL;
    if (n < 1 || n > MAX_LENGTHS || threads < 1) return GB_E_USAGE;
    for (int i = 0; i < n; i++)
        if (read_len[i] < db->mm.k || read_len[i] - db->mm.k >= UINT32_MAX) {
            gb_error("read length %ld: must be at least the database's k (%d)", read_len[i], db->mm.k);
            return GB_E_USAGE;
        }
    bracken_build_t *b = calloc(1, sizeof *b);
    if (!b || !(b->workers = calloc((size_t)threads, sizeof *b->workers))) {
        free(b);
        return GB_E_NOMEM;
    }
    b->db = db;
    b->seqmap = seqmap;
    b->nlen = n;
    b->nworkers = threads;
    for (int i = 0; i < n; i++) {
        b->read_len[i] = read_len[i];
        b->window[i] = (uint32_t)(read_len[i] - db->mm.k + 1);
    }
    int rc = GB_OK;
    for (int t = 0; t < threads && !rc; t++)
        for (int i = 0; i < n && !rc; i++) rc = kmer_distrib_scan_init(&b->workers[t].scan[i], db->taxo.n);
    if (rc) bracken_build_free(b);
    else *out = b;
    return rc;
}

void bracken_build_free(bracken_build_t *b)
{
    if (!b) return;
    for (int t = 0; t < b->nworkers; t++) {
        for (int i = 0; i < MAX_LENGTHS; i++) kmer_distrib_scan_free(&b->workers[t].scan[i]);
        free(b->workers[t].runs);
    }
    free(b->workers);
    for (int i = 0; i < MAX_LENGTHS; i++) kmer_distrib_free(&b->table[i]);
    for (size_t j = 0; j < BATCH_LINES; j++) {
        free(b->items[j].text);
        for (int i = 0; i < MAX_LENGTHS; i++) free(b->items[j].calls[i]);
    }
    free(b);
}

void bracken_build_counts(const bracken_build_t *b, uint64_t *sequences, uint64_t *unmapped)
{
    *sequences = b->sequences;
    *unmapped = b->unmapped;
}

/* ---- one line ---- */

/* The hit list (5th column) as runs of internal taxa: "taxid:n", "A:n" (ambiguous: none) and
 * "|:|" (a mate border, none in a library). GB_E_FORMAT for anything else. */
static int parse_hits(const bracken_build_t *b, worker_t *w, char *p, const char *file, uint64_t line)
{
    w->nruns = 0;
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
            gb_error("%s:%llu: taxid %lu is not in the database", file, (unsigned long long)line, taxid);
            return GB_E_FORMAT;
        }
        if (GB_GROW(w->runs, w->cap_runs, w->nruns + 1)) return GB_E_NOMEM;
        w->runs[w->nruns++] = (kmer_distrib_run_t){.taxon = taxon, .count = (uint32_t)n};
    }
    return GB_OK;
bad:
    gb_error("%s:%llu: bad hit list entry '%.40s'", file, (unsigned long long)line, p);
    return GB_E_FORMAT;
}

/* One per-read line (C/U, sequence id, call, length, hit list) -> the item's calls for every
 * read length. */
static int process_line(const bracken_build_t *b, worker_t *w, item_t *it, const char *file)
{
    char *field[5] = {it->text};
    for (int f = 1; f < 5; f++) {
        char *tab = strchr(field[f - 1], '\t');
        if (!tab) {
            gb_error("%s:%llu: not Kraken's per-read format (5 tab-separated columns)", file,
                     (unsigned long long)it->lineno);
            return GB_E_FORMAT;
        }
        *tab = '\0';
        field[f] = tab + 1;
    }
    it->seqid = field[1];
    it->genome = seqmap_taxid_of_header(b->seqmap, field[1], strlen(field[1]));
    if (!it->genome) return GB_OK;
    int rc = parse_hits(b, w, field[4], file, it->lineno);
    for (int i = 0; i < b->nlen && !rc; i++) {
        kmer_distrib_scan_t *s = &w->scan[i];
        if ((rc = kmer_distrib_scan(s, b->db->taxo.parent, w->runs, w->nruns, b->window[i]))) break;
        if (GB_GROW(it->calls[i], it->cap_calls[i], s->ncalls)) return GB_E_NOMEM;
        for (size_t j = 0; j < s->ncalls; j++)
            it->calls[i][j] =
                (kmer_distrib_call_t){.taxon = b->db->taxo.external[s->calls[j].taxon], .windows = s->calls[j].windows};
        it->ncalls[i] = s->ncalls;
    }
    return rc;
}

/* ---- batches ---- */

/* Read up to BATCH_LINES lines (or about BATCH_BYTES); returns how many, or GB_E_IO. */
static int read_batch(bracken_build_t *b, FILE *f, const char *path, uint64_t *lineno)
{
    size_t bytes = 0;
    int n = 0;
    while (n < BATCH_LINES && bytes < BATCH_BYTES) {
        item_t *it = &b->items[n];
        ssize_t len = getline(&it->text, &it->cap, f);
        if (len < 0) break;
        it->lineno = ++*lineno;
        bytes += (size_t)len;
        n++;
    }
    if (ferror(f)) {
        gb_error("%s: read error: %s", path, strerror(errno));
        return GB_E_IO;
    }
    return n;
}

/* Add a processed batch to the tables in line order. */
static int add_batch(bracken_build_t *b, int n, const char *path)
{
    for (int j = 0; j < n; j++)
        if (b->items[j].rc < 0) return b->items[j].rc;
    for (int j = 0; j < n; j++) {
        const item_t *it = &b->items[j];
        b->sequences++;
        if (!it->genome) {
            if (b->unmapped++ < WARN_UNMAPPED)
                gb_warn("%s:%llu: sequence '%.60s' has no taxid: skipped", path, (unsigned long long)it->lineno,
                        it->seqid);
            continue;
        }
        for (int i = 0; i < b->nlen; i++)
            if (kmer_distrib_add(&b->table[i], it->genome, it->calls[i], it->ncalls[i])) return GB_E_NOMEM;
    }
    return GB_OK;
}

int bracken_build_add_file(bracken_build_t *b, const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        gb_error("%s: cannot open: %s", path, strerror(errno));
        return GB_E_IO;
    }
    uint64_t lineno = 0;
    int n = 0, rc = GB_OK;
    while (!rc && (n = read_batch(b, f, path, &lineno)) > 0) {
        int failed = 0;
#pragma omp parallel for schedule(dynamic, 1) num_threads(b->nworkers)
        for (int j = 0; j < n; j++) {
            item_t *it = &b->items[j];
            int stop;
#pragma omp atomic read
            stop = failed;
            it->rc = stop ? 1 : process_line(b, &b->workers[omp_get_thread_num()], it, path);
            if (it->rc < 0) {
#pragma omp atomic write
                failed = 1;
            }
        }
        rc = add_batch(b, n, path);
    }
    if (!rc && n < 0) rc = n;
    fclose(f);
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

int bracken_build_write(bracken_build_t *b, const char *dir)
{
    outfile_t *out[MAX_LENGTHS] = {0};
    strbuf_t path = STRBUF_INIT;
    int rc = GB_OK;
    for (int i = 0; i < b->nlen && !rc; i++) {
        strbuf_clear(&path);
        if ((rc = strbuf_printf(&path, "%s/database%ldmers.kmer_distrib", dir, b->read_len[i]))) break;
        if ((rc = kmer_distrib_finish(&b->table[i]))) break;
        if (!(out[i] = outfile_open(path.s))) rc = GB_E_IO;
        else if ((rc = write_table(&b->table[i], outfile_fp(out[i])))) gb_error("%s: write error", path.s);
        else gb_info("%s: %zu taxa", path.s, b->table[i].nrows);
    }
    for (int i = 0; i < b->nlen; i++) {
        if (rc) outfile_abort(out[i]);
        else rc = outfile_commit(out[i]);
    }
    strbuf_free(&path);
    return rc;
}

int bracken_build_parse_lengths(const char *name, const char *value, long *len, int *n)
{
    strbuf_t buf = STRBUF_INIT;
    int rc = strbuf_puts(&buf, value);
    *n = 0;
    for (char *save = NULL, *tok = rc ? NULL : strtok_r(buf.s, ",", &save); !rc && tok;
         tok = strtok_r(NULL, ",", &save)) {
        if (*n == BRACKEN_BUILD_MAX_LENGTHS) {
            gb_error("--%s: at most %d lengths", name, BRACKEN_BUILD_MAX_LENGTHS);
            rc = GB_E_USAGE;
            break;
        }
        if ((rc = cli_int(name, tok, 1, 1L << 30, &len[*n]))) break;
        for (int i = 0; i < *n; i++)
            if (len[i] == len[*n]) {
                gb_error("--%s: %ld given twice", name, len[i]);
                rc = GB_E_USAGE;
            }
        if (!rc) (*n)++;
    }
    if (!rc && *n == 0) {
        gb_error("--%s: bad value '%s'", name, value);
        rc = GB_E_USAGE;
    }
    strbuf_free(&buf);
    return rc;
}

/* Classify one library file into a temporary per-read file in dir, add it, remove it. */
static int classify_library_file(const gb_db_t *db, bracken_build_t *b, const char *fasta, int threads, const char *dir)
{
    strbuf_t tmp = STRBUF_INIT;
    classify_result_t res = {0};
    int rc = strbuf_printf(&tmp, "%s/.bracken-build.%ld.kraken", dir, (long)getpid());
    if (rc) return rc;
    classify_job_t job = {
        .db = db,
        .params = {.confidence = 0, .min_hit_groups = 2}, /* kraken2's defaults; the calls are not used */
        .inputs = {fasta, NULL},
        .output = tmp.s,
        .threads = threads,
    };
    gb_info("classifying %s", fasta);
    if (!(rc = classify_sample(&job, &res))) rc = bracken_build_add_file(b, tmp.s);
    classify_result_free(&res);
    unlink(tmp.s);
    strbuf_free(&tmp);
    return rc;
}

int bracken_build_library(const gb_db_t *db, const seqmap_t *seqmap, const char *seqmap_name, const long *len, int n,
                          const char *const *library, size_t nlibrary, const char *kraken, int threads, const char *dir)
{
    bracken_build_t *b = NULL;
    int rc = bracken_build_new(db, seqmap, len, n, threads, &b);
    if (!rc && kraken) rc = bracken_build_add_file(b, kraken);
    for (size_t f = 0; !rc && f < nlibrary; f++) rc = classify_library_file(db, b, library[f], threads, dir);
    if (!rc) {
        uint64_t sequences, unmapped;
        bracken_build_counts(b, &sequences, &unmapped);
        if (unmapped)
            gb_warn("%llu of %llu sequences had no taxid in %s and were left out", (unsigned long long)unmapped,
                    (unsigned long long)sequences, seqmap_name ? seqmap_name : "their ids (no --seqid2taxid)");
        if (unmapped == sequences) {
            gb_error("no sequence with a taxid: nothing to write");
            rc = GB_E_FORMAT;
        }
    }
    if (!rc) rc = bracken_build_write(b, dir);
    bracken_build_free(b);
    return rc;
}
