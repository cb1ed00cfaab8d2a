/* gutbrain build: reference FASTA + NCBI taxdump -> DIR/gutbrain.db.
 *
 * Pass 1 reads the headers to map every sequence to a taxon (so unmapped ids are reported
 * before any work, and the pruned taxonomy is known). Pass 2 streams the sequences in
 * batches; threads scan minimizers into one bounded buffer of (hash, taxon) pairs, spilled as
 * sorted, LCA-merged runs to a temporary file (pipeline/build_spill.c); the runs are merged
 * partition by partition; the exact count sizes the compact table, and the pairs are poured
 * into it in ascending hash order. Sorting and LCA are order-free, so the database is
 * byte-identical for any thread count and buffer size. Peak memory is the larger of the pair
 * buffer and the table (docs/DB-FORMAT.md, "Building"): measured on the 63 shared genomes
 * (212 Mbp, --threads 2), 1.1 GB with the exact hash maps this design replaced. */
#include "cmd.h"
#include "bracken_build.h"
#include "cli.h"
#include "build_spill.h"
#include "db.h"
#include "fastx.h"
#include "gb_array.h"
#include "gb_exit.h"
#include "log.h"
#include "progress.h"
#include "seqmap.h"
#include "strbuf.h"
#include "taxdump.h"
#include <errno.h>
#include <signal.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define BATCH_BASES (16u << 20)  /* bases read per batch */
#define CHUNK_BASES (256u << 10) /* bases scanned per task */
#define BUFFER_MAX  (256u << 20) /* largest pair buffer, bytes */
#define MERGE_GROUP 64           /* partitions merged between progress and stop checks */

typedef struct {
    const char *taxonomy, *seqmap, *out, *tmp_dir;
    long threads, k, l, spaced;
    long max_db_size; /* 0: no cap */
    double load;
    int skip_unmapped;
    long bracken_len[BRACKEN_BUILD_MAX_LENGTHS];
    int nbracken_len;
    char **refs;
    int nrefs;
} build_opts_t;

/* clang-format off */
static const cli_option_t build_cli[] = {
    { "taxonomy", 0, "DIR", "NCBI taxdump folder with nodes.dmp and names.dmp (required)" },
    { "seqid2taxid", 0, "FILE", "sequence id -> taxid map (TSV); optional with kraken:taxid|N headers" },
    { "db", 0, "DIR", "output database folder (required)" },
    { "threads", 't', "N", "threads (default: OpenMP's)" },
    { "skip-unmapped", 0, NULL, "skip sequences whose id has no taxid instead of failing" },
    { "kmer-len", 'k', "K", "k-mer length (default 35)" },
    { "minimizer-len", 'l', "L", "minimizer length, <= 31 (default 31)" },
    { "minimizer-spaces", 's', "S", "spaced-seed positions (default 7)" },
    { "load-factor", 0, "F", "compact table load factor (default 0.8)" },
    { "max-db-size", 0, "BYTES", "cap the table at BYTES: keep the minimizers of largest hash that fit (as Kraken 2)" },
    { "tmp-dir", 0, "DIR", "folder for the sorted runs, ~12 bytes per reference minimizer (default: the --db folder)" },
    { "bracken-length", 0, "L[,L2...]", "also write DB/database{L}mers.kmer_distrib for Bracken (as bracken-build)" },
    { "quiet", 'q', NULL, "only errors and warnings" },
    { "verbose", 'v', NULL, "more log lines" },
    { "version", 'V', NULL, "print the version" },
    { "help", 'h', NULL, "this help" },
};
/* clang-format on */
#define NBUILD_CLI (int)(sizeof build_cli / sizeof build_cli[0])
static const char build_usage[] =
    "Usage: gutbrain build --taxonomy DIR [--seqid2taxid FILE] --db OUTDIR [--threads N] REF.fna[.gz|.zst] ...\n"
    "Builds a k-mer database (Kraken 2 minimizer semantics: k=35, l=31, s=7 by default; each minimizer\n"
    "stores the LCA of the taxa whose sequences contain it). FASTA may be plain, gzip or zstd.\n"
    "Memory: the larger of a pair buffer (<= 256 MB) and the table; sorted runs go to --tmp-dir.";

static int build_on_opt(void *ctx, int i, const char *v)
{
    build_opts_t *o = ctx;
    const char *name = build_cli[i].name;
    if (!strcmp(name, "taxonomy")) o->taxonomy = v;
    else if (!strcmp(name, "seqid2taxid")) o->seqmap = v;
    else if (!strcmp(name, "db")) o->out = v;
    else if (!strcmp(name, "bracken-length"))
        return bracken_build_parse_lengths(name, v, o->bracken_len, &o->nbracken_len);
    else if (!strcmp(name, "threads")) return cli_int(name, v, 1, 1024, &o->threads);
    else if (!strcmp(name, "skip-unmapped")) o->skip_unmapped = 1;
    else if (!strcmp(name, "kmer-len")) return cli_int(name, v, 1, 255, &o->k);
    else if (!strcmp(name, "minimizer-len")) return cli_int(name, v, 1, 31, &o->l);
    else if (!strcmp(name, "minimizer-spaces")) return cli_int(name, v, 0, 15, &o->spaced);
    else if (!strcmp(name, "load-factor")) return cli_double(name, v, 0.1, 0.95, &o->load);
    else if (!strcmp(name, "max-db-size")) return cli_int(name, v, 1, (long)1 << 62, &o->max_db_size);
    else if (!strcmp(name, "tmp-dir")) o->tmp_dir = v;
    else if (!strcmp(name, "quiet")) gb_verbosity = 0;
    else if (!strcmp(name, "verbose")) gb_verbosity = 2;
    return 0;
}

static uint64_t cap_entries(const build_opts_t *o);

static int build_validate(build_opts_t *o)
{
    if (!o->taxonomy || !o->out) {
        gb_error("--taxonomy and --db are required (see gutbrain build --help)");
        return GB_E_USAGE;
    }
    if (o->nrefs < 1) {
        gb_error("no reference FASTA given (see gutbrain build --help)");
        return GB_E_USAGE;
    }
    if (o->l > o->k || 2 * o->spaced > o->l) {
        gb_error("need minimizer-len <= kmer-len and 2*minimizer-spaces <= minimizer-len");
        return GB_E_USAGE;
    }
    if (o->max_db_size && !cap_entries(o)) {
        gb_error("--max-db-size %ld holds no minimizer: a table needs at least one bucket of %d bytes", o->max_db_size,
                 (int)(KMER_TABLE_BUCKET_CELLS * sizeof(uint32_t)));
        return GB_E_USAGE;
    }
    return 0;
}

/* ---- pass 1: headers -> taxids ---- */

typedef struct {
    uint32_t *taxid; /* per sequence in input order; 0 = unmapped (skipped) */
    size_t n, cap;
    uint64_t bases, unmapped;
} seq_taxa_t;

static int push_taxid(seq_taxa_t *s, uint32_t taxid)
{
    if (GB_GROW(s->taxid, s->cap, s->n + 1)) return GB_E_NOMEM;
    s->taxid[s->n++] = taxid;
    return GB_OK;
}

static int map_headers(const build_opts_t *o, const seqmap_t *map, seq_taxa_t *s)
{
    fastx_record_t rec = {0};
    strbuf_t list = STRBUF_INIT; /* the first five unmapped ids, for the message */
    int rc = 0;
    for (int f = 0; f < o->nrefs && !rc; f++) {
        fastx_reader_t *r = fastx_open(o->refs[f]);
        if (!r) {
            rc = GB_E_IO;
            break;
        }
        while ((rc = fastx_read(r, &rec)) == 1) {
            uint32_t taxid = seqmap_taxid_of_header(map, rec.name, rec.name_len);
            if (!taxid) {
                const char *sep = s->unmapped ? ", " : "";
                if (s->unmapped < 5 && (rc = strbuf_printf(&list, "%s'%.60s' in %.60s", sep, rec.name, o->refs[f])))
                    break;
                s->unmapped++;
            }
            s->bases += taxid ? rec.seq_len : 0;
            if ((rc = push_taxid(s, taxid))) break;
        }
        fastx_close(r);
    }
    fastx_record_free(&rec);
    if (rc >= 0 && s->unmapped) {
        if (!o->skip_unmapped) {
            gb_error("%llu of %zu sequences have no taxid in %s (first: %s%s); add them there, use "
                     ">id|kraken:taxid|N headers, or pass --skip-unmapped",
                     (unsigned long long)s->unmapped, s->n, o->seqmap ? o->seqmap : "their headers (no --seqid2taxid)",
                     list.s, s->unmapped > 5 ? ", ..." : "");
            rc = GB_E_FORMAT;
        } else {
            gb_warn("skipping %llu of %zu sequences without a taxid (first: %s)", (unsigned long long)s->unmapped, s->n,
                    list.s);
        }
    }
    strbuf_free(&list);
    if (rc < 0) return rc;
    if (s->unmapped == s->n) {
        gb_error("no reference sequence has a taxid: nothing to build");
        return GB_E_FORMAT;
    }
    return 0;
}

/* ---- pass 2: minimizers -> sorted runs ---- */

typedef struct {  /* a piece of a reference sequence scanned as one task */
    size_t start; /* offset in the batch's bases, which move when they grow */
    size_t len;
    uint32_t taxon;
    int done; /* its pairs are in the spill buffer */
} chunk_t;

typedef struct {
    char *bases; /* concatenated sequences of the batch */
    size_t nbases, cap_bases;
    chunk_t *chunks;
    size_t nchunks, cap_chunks;
} batch_t;

typedef struct {
    const build_opts_t *o;
    const gb_db_t *db;
    build_spill_t spill;
    uint64_t **scan; /* per-thread minimizer_scan output */
    int nthreads;
    size_t scan_cap;
} builder_t;

/* Scan one chunk and copy its hashes, each run of equal minimizers once, into the spill
 * buffer. Returns 1 when they were placed, 0 when the buffer has no room for them. */
static int scan_chunk(builder_t *b, int tid, const char *bases, const chunk_t *c)
{
    uint64_t *items = b->scan[tid], last = MINIMIZER_AMBIGUOUS;
    size_t n = minimizer_scan(&b->db->mm, bases + c->start, c->len, items), m = 0, at = SIZE_MAX;
    for (size_t i = 0; i < n; i++) {
        if (items[i] == MINIMIZER_AMBIGUOUS || items[i] == last) continue;
        last = items[i];
        items[m++] = kmer_table_hash(last);
    }
    build_spill_t *sp = &b->spill;
#pragma omp critical(build_reserve)
    if (sp->n + m <= sp->cap) {
        at = sp->n;
        sp->n += m;
    }
    if (at == SIZE_MAX) return 0;
    memcpy(sp->h + at, items, m * sizeof *items);
    for (size_t i = 0; i < m; i++) sp->t[at + i] = c->taxon;
    return 1;
}

/* Scan a batch into the spill buffer; when it fills, spill it and scan the chunks left.
 * The runs' boundaries do not matter: the merge gives the same pairs for any of them. */
static int process_batch(builder_t *b, batch_t *bt)
{
    for (;;) {
        size_t left = 0;
#pragma omp parallel for num_threads(b->nthreads) schedule(dynamic, 1) default(none) shared(b, bt) reduction(+ : left)
        for (size_t i = 0; i < bt->nchunks; i++) {
            if (bt->chunks[i].done) continue;
            bt->chunks[i].done = scan_chunk(b, omp_get_thread_num(), bt->bases, &bt->chunks[i]);
            left += !bt->chunks[i].done;
        }
        if (!left) return 0;
        int rc = build_spill_flush(&b->spill);
        if (rc) return rc;
    }
}

/* Cut a sequence into overlapping chunks (k-1 bases shared) that scan to the same items. */
static int batch_add(batch_t *bt, const fastx_record_t *rec, uint32_t taxon, int k)
{
    if (GB_GROW(bt->bases, bt->cap_bases, bt->nbases + rec->seq_len)) return GB_E_NOMEM;
    size_t seq = bt->nbases;
    memcpy(bt->bases + seq, rec->seq, rec->seq_len);
    bt->nbases += rec->seq_len;
    for (size_t start = 0; start < rec->seq_len; start += CHUNK_BASES) {
        size_t from = start ? start - (size_t)k + 1 : 0;
        size_t to = start + CHUNK_BASES < rec->seq_len ? start + CHUNK_BASES : rec->seq_len;
        if (GB_GROW(bt->chunks, bt->cap_chunks, bt->nchunks + 1)) return GB_E_NOMEM;
        bt->chunks[bt->nchunks++] = (chunk_t){seq + from, to - from, taxon, 0};
    }
    return GB_OK;
}

static int scan_references(builder_t *b, const seq_taxa_t *st, progress_t *pg)
{
    fastx_record_t rec = {0};
    batch_t bt = {0};
    size_t seq_index = 0;
    int rc = 0;
    for (int f = 0; f < b->o->nrefs && !rc; f++) {
        fastx_reader_t *r = fastx_open(b->o->refs[f]);
        if (!r) {
            rc = GB_E_IO;
            break;
        }
        while ((rc = fastx_read(r, &rec)) == 1) {
            if (seq_index >= st->n) {
                gb_error("%s changed while it was read", b->o->refs[f]);
                rc = GB_E_IO;
                break;
            }
            uint32_t taxid = st->taxid[seq_index++];
            rc = 0;
            if (!taxid || rec.seq_len < (size_t)b->db->mm.k) continue;
            if ((rc = batch_add(&bt, &rec, taxo_internal(&b->db->taxo, taxid), b->db->mm.k))) break;
            if (bt.nbases >= BATCH_BASES) {
                if ((rc = process_batch(b, &bt))) break;
                progress_add(pg, bt.nbases);
                bt.nbases = bt.nchunks = 0;
                if (gb_stop_requested) rc = GB_E_INTERRUPTED;
                if (rc) break;
            }
        }
        fastx_close(r);
    }
    if (rc == 0 && bt.nchunks) {
        rc = process_batch(b, &bt);
        progress_add(pg, bt.nbases);
    }
    if (rc == 0) rc = build_spill_flush(&b->spill);
    fastx_record_free(&rec);
    free(bt.bases);
    free(bt.chunks);
    return rc < 0 ? rc : 0;
}

/* Merge the runs partition by partition (skipped when there is one run, already merged). */
static int merge_runs(builder_t *b)
{
    build_spill_t *s = &b->spill;
    int rc = build_spill_finish(s);
    if (rc || s->nruns == 1) return rc;
    progress_t pg;
    progress_start(&pg, "build merge", "minimizers", s->pairs);
    for (unsigned p = 0; !rc && p < BUILD_SPILL_PARTS; p += MERGE_GROUP) {
        rc = build_spill_merge(s, p, p + MERGE_GROUP);
        progress_add(&pg, (s->pairs >> BUILD_SPILL_BITS) * MERGE_GROUP); /* pairs read, about */
        if (!rc && gb_stop_requested) rc = GB_E_INTERRUPTED;
    }
    progress_end(&pg);
    return rc;
}

/* ---- compact table ---- */

/* Entries that fit a table of max_bytes at the load factor (0: no cap). */
static uint64_t cap_entries(const build_opts_t *o)
{
    uint64_t buckets = (uint64_t)o->max_db_size / (KMER_TABLE_BUCKET_CELLS * sizeof(uint32_t));
    return (uint64_t)((double)buckets * KMER_TABLE_BUCKET_CELLS * o->load);
}

/* Pour the merged pairs in ascending hash order (the canonical layout). With --max-db-size,
 * only the largest hashes that fit are kept: min_hash is the smallest of them, exactly. */
static int fill_table(builder_t *b, gb_db_t *db, const build_opts_t *o)
{
    build_spill_t *s = &b->spill;
    uint64_t total = s->distinct, keep = total, skip = 0;
    if (o->max_db_size && cap_entries(o) < total) {
        keep = cap_entries(o);
        skip = total - keep;
    }
    db->info.minimizers = total;
    db->table.value_bits = kmer_table_value_bits(db->taxo.n);
    db->table.nbuckets = kmer_table_buckets_for(keep, o->load);
    size_t bytes = db->table.nbuckets * KMER_TABLE_BUCKET_CELLS * sizeof(uint32_t);
    db->table.cells = aligned_alloc(64, (bytes + 63) & ~(size_t)63);
    if (!db->table.cells) {
        gb_error("out of memory for the %.1f MB table", bytes / 1e6);
        return GB_E_NOMEM;
    }
    memset(db->table.cells, 0, bytes);
    progress_t pg;
    progress_start(&pg, "build table", "minimizers", total);
    uint64_t used = 0, seen = 0;
    int rc = 0;
    for (unsigned p = 0; !rc && p < BUILD_SPILL_PARTS; p++) {
        const uint64_t *h;
        const uint32_t *t;
        size_t n;
        if (seen + (s->final.start[p + 1] - s->final.start[p]) <= skip) { /* all below the threshold */
            seen += s->final.start[p + 1] - s->final.start[p];
            continue;
        }
        if ((rc = build_spill_read(s, p, &h, &t, &n))) break;
        for (size_t i = 0; i < n; i++, seen++) {
            if (seen < skip) continue;
            if (seen == skip && skip) { /* the first kept hash: the threshold */
                db->table.min_hash = h[i];
                db->table.home_mul = kmer_table_home_mul(db->table.nbuckets, h[i]);
            }
            int r = kmer_table_insert_hashed(&db->table, h[i], t[i], db->taxo.parent);
            if (r < 0) {
                gb_error("compact table full (internal error)");
                rc = GB_E_INTERNAL;
                break;
            }
            used += (uint64_t)(r > 0);
        }
        progress_add(&pg, n);
        if (!rc && gb_stop_requested) rc = GB_E_INTERRUPTED;
    }
    progress_end(&pg);
    db->entries = used;
    return rc;
}

static void builder_free(builder_t *b)
{
    build_spill_destroy(&b->spill);
    for (int t = 0; b->scan && t < b->nthreads; t++) free(b->scan[t]);
    free(b->scan);
    free(b);
}

/* The pair buffer: about half a byte per reference base (no larger than the table will be,
 * whose ~0.74 bytes per base on the shared genomes come from ~0.15 distinct minimizers per
 * base), at least room for every thread's chunk, at most BUFFER_MAX. */
static size_t buffer_bytes(uint64_t bases, int threads)
{
    uint64_t want = bases / 2, least = (uint64_t)threads * (CHUNK_BASES + 64) * BUILD_SPILL_PAIR;
    if (want > BUFFER_MAX) want = BUFFER_MAX;
    return (size_t)(want < least ? least : want);
}

static builder_t *builder_new(const build_opts_t *o, const gb_db_t *db, uint64_t bases, int *rc)
{
    builder_t *b = calloc(1, sizeof *b);
    *rc = GB_E_NOMEM;
    if (!b) return NULL;
    b->o = o;
    b->db = db;
    b->nthreads = (int)o->threads;
    b->scan = calloc((size_t)b->nthreads, sizeof *b->scan);
    b->scan_cap = CHUNK_BASES + (size_t)o->k;
    if (!b->scan) goto fail;
    for (int t = 0; t < b->nthreads; t++)
        if (!(b->scan[t] = malloc(b->scan_cap * sizeof(uint64_t)))) goto fail;
    *rc = build_spill_init(&b->spill, o->tmp_dir, buffer_bytes(bases, b->nthreads), db->taxo.parent, b->nthreads);
    if (*rc) goto fail;
    return b;
fail:
    builder_free(b);
    return NULL;
}

static int prune_taxonomy(const build_opts_t *o, const seq_taxa_t *st, taxo_t *taxo)
{
    taxdump_t *dump = NULL;
    int rc = taxdump_load(o->taxonomy, &dump);
    if (rc) return rc;
    rc = taxo_prune(dump, st->taxid, st->n, taxo);
    taxdump_destroy(dump);
    if (rc) return rc;
    return taxo_index(taxo);
}

int cmd_build(int argc, char **argv)
{
    build_opts_t o = {.threads = omp_get_max_threads(), .k = 35, .l = 31, .spaced = 7, .load = 0.8};
    seqmap_t *map = NULL;
    seq_taxa_t st = {0};
    gb_db_t db = {0};
    builder_t *b = NULL;
    double t0 = omp_get_wtime();
    int rc = cli_parse(argc, argv, build_cli, NBUILD_CLI, build_on_opt, &o, &o.refs, &o.nrefs, build_usage);
    if (rc) return rc > 0 ? 0 : rc;
    if ((rc = build_validate(&o))) return rc;
    gb_install_stop_handler();
    if (o.seqmap && (rc = seqmap_load(o.seqmap, &map))) goto done;
    if ((rc = map_headers(&o, map, &st))) goto done;
    gb_debug("headers mapped: %.2f s", omp_get_wtime() - t0);
    if ((rc = prune_taxonomy(&o, &st, &db.taxo))) goto done;
    minimizer_params_init(&db.mm, (int)o.k, (int)o.l, (int)o.spaced);
    gb_info("%zu sequences, %.1f Mbp, %u taxonomy nodes; scanning with %ld threads", st.n - st.unmapped, st.bases / 1e6,
            db.taxo.n - 1, o.threads);
    if (!o.tmp_dir) { /* the runs go next to the database by default */
        if (mkdir(o.out, 0777) != 0 && errno != EEXIST) {
            gb_error("cannot create database folder %s: %s", o.out, strerror(errno));
            rc = GB_E_IO;
            goto done;
        }
        o.tmp_dir = o.out;
    }
    if (!(b = builder_new(&o, &db, st.bases, &rc))) goto done;
    progress_t pg;
    progress_start(&pg, "build", "bp", st.bases);
    rc = scan_references(b, &st, &pg);
    progress_end(&pg);
    gb_debug("references scanned: %.2f s", omp_get_wtime() - t0);
    if (!rc) rc = merge_runs(b);
    if (rc) goto done;
    gb_debug("%llu pairs in %zu runs, %llu distinct minimizers: %.2f s", (unsigned long long)b->spill.pairs,
             b->spill.nruns, (unsigned long long)b->spill.distinct, omp_get_wtime() - t0);
    if ((rc = fill_table(b, &db, &o))) goto done;
    gb_debug("compact table filled: %.2f s", omp_get_wtime() - t0);
    builder_free(b);
    b = NULL;
    db.info.sequences = st.n - st.unmapped;
    db.info.bases = st.bases;
    if (db.table.min_hash)
        gb_info("--max-db-size: kept the %.1f%% of minimizers whose hash is >= %#llx",
                100.0 * (double)cap_entries(&o) / (double)db.info.minimizers, (unsigned long long)db.table.min_hash);
    if (gb_stop_requested) rc = GB_E_INTERRUPTED;
    if (rc || (rc = db_write(o.out, &db))) goto done;
    gb_info("wrote %s/%s: %llu minimizers in %llu cells (%.1f MB), %.2f s", o.out, DB_FILE_NAME,
            (unsigned long long)db.info.minimizers, (unsigned long long)db.entries,
            db.table.nbuckets * KMER_TABLE_BUCKET_CELLS * 4 / 1e6, omp_get_wtime() - t0);
    if (o.nbracken_len) { /* from the file just written: what classify and run will read */
        gb_db_t *written = NULL;
        if (!(rc = db_open(o.out, 0, &written)))
            rc = bracken_build_library(written, map, o.seqmap, o.bracken_len, o.nbracken_len,
                                       (const char *const *)o.refs, (size_t)o.nrefs, NULL, (int)o.threads, o.out);
        db_close(written);
    }
done:
    if (rc == GB_E_INTERRUPTED) gb_error("build stopped by a signal: no database written to %s", o.out);
    if (b) builder_free(b);
    free(db.table.cells);
    taxo_destroy(&db.taxo);
    seqmap_destroy(map);
    free(st.taxid);
    return rc;
}
