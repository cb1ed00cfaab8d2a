/* gutbrain build: reference FASTA + NCBI taxdump -> DIR/gutbrain.db.
 *
 * Pass 1 reads the headers to map every sequence to a taxon (so unmapped ids are reported
 * before any work, and the pruned taxonomy is known). Pass 2 streams the sequences in
 * batches; threads scan minimizers and append their hashes to per-thread, per-shard lists;
 * then each shard's lists are merged into that shard's exact map (LCA on repeats). The maps
 * have a canonical layout and LCA is order-free, so the database is byte-identical for any
 * thread count. Last, the entries are poured in ascending hash order into the compact table. */
#include "cmd.h"
#include "bracken_build.h"
#include "cli.h"
#include "db.h"
#include "fastx.h"
#include "gb_array.h"
#include "kmer_map.h"
#include "log.h"
#include "progress.h"
#include "seqmap.h"
#include "strbuf.h"
#include "taxdump.h"
#include <malloc.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#define SHARD_BITS  12
#define NSHARDS     (1u << SHARD_BITS)
#define BATCH_BASES (16u << 20)  /* bases read per batch */
#define CHUNK_BASES (256u << 10) /* bases scanned per task */

typedef struct {
    const char *taxonomy, *seqmap, *out;
    long threads, k, l, spaced;
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
    "stores the LCA of the taxa whose sequences contain it). FASTA may be plain, gzip or zstd.";

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
    else if (!strcmp(name, "quiet")) gb_verbosity = 0;
    else if (!strcmp(name, "verbose")) gb_verbosity = 2;
    return 0;
}

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

/* ---- pass 2: minimizers -> shard maps ---- */

typedef struct { /* one thread's pending (hash, taxon) pairs for one shard */
    uint64_t *h;
    uint32_t *t;
    size_t n, cap;
} pending_t;

typedef struct {  /* a piece of a reference sequence scanned as one task */
    size_t start; /* offset in the batch's bases, which move when they grow */
    size_t len;
    uint32_t taxon;
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
    kmer_map_t maps[NSHARDS];
    pending_t *pending; /* [thread][shard] */
    uint64_t **scan;    /* per-thread minimizer_scan output */
    int nthreads;
    size_t scan_cap;
} builder_t;

static int pending_push(pending_t *p, uint64_t h, uint32_t t)
{
    if (p->n == p->cap) { /* h and t share p->cap: t grows on a copy, so a failure leaves it true */
        size_t cap_t = p->cap;
        if (GB_GROW(p->t, cap_t, p->n + 1) || GB_GROW(p->h, p->cap, p->n + 1)) return GB_E_NOMEM;
    }
    p->h[p->n] = h;
    p->t[p->n++] = t;
    return GB_OK;
}

/* Scan one chunk of bases; push each run of equal minimizers once. GB_OK or GB_E_NOMEM. */
static int scan_chunk(builder_t *b, int tid, const char *bases, const chunk_t *c)
{
    uint64_t *items = b->scan[tid], last = MINIMIZER_AMBIGUOUS;
    size_t n = minimizer_scan(&b->db->mm, bases + c->start, c->len, items);
    pending_t *mine = b->pending + (size_t)tid * NSHARDS;
    for (size_t i = 0; i < n; i++) {
        if (items[i] == MINIMIZER_AMBIGUOUS || items[i] == last) continue;
        last = items[i];
        uint64_t h = kmer_table_hash(last);
        if (pending_push(&mine[h >> (64 - SHARD_BITS)], h, c->taxon)) return GB_E_NOMEM;
    }
    return GB_OK;
}

static int shard_grow(kmer_map_t *m)
{
    kmer_map_t bigger = {0};
    bigger.shift = m->shift;
    bigger.cap = m->cap ? 2 * m->cap : 1024;
    for (;;) {
        bigger.keys = calloc(bigger.cap + KMER_MAP_SLACK, sizeof *bigger.keys);
        bigger.vals = malloc((bigger.cap + KMER_MAP_SLACK) * sizeof *bigger.vals);
        if (!bigger.keys || !bigger.vals) {
            free(bigger.keys);
            free(bigger.vals);
            return GB_E_NOMEM;
        }
        if (!m->keys || kmer_map_rehash(m, &bigger) == GB_OK) break;
        free(bigger.keys);
        free(bigger.vals);
        bigger.cap *= 2;
    }
    free(m->keys);
    free(m->vals);
    *m = bigger;
    return GB_OK;
}

/* Merge every thread's pending pairs of one shard into its map. GB_OK or GB_E_NOMEM. */
static int merge_shard(builder_t *b, unsigned s)
{
    kmer_map_t *m = &b->maps[s];
    const uint32_t *parent = b->db->taxo.parent;
    for (int t = 0; t < b->nthreads; t++) {
        pending_t *p = &b->pending[(size_t)t * NSHARDS + s];
        for (size_t i = 0; i < p->n; i++) {
            while ((m->count + 1) * 10 > m->cap * 7 || kmer_map_insert(m, p->h[i], p->t[i], parent) == GB_E_FULL)
                if (shard_grow(m)) return GB_E_NOMEM;
        }
        p->n = 0;
    }
    return GB_OK;
}

static int process_batch(builder_t *b, const batch_t *batch)
{
    int failed = 0;
#pragma omp parallel num_threads(b->nthreads) default(none) shared(b, batch, failed)
    {
        int tid = omp_get_thread_num();
#pragma omp for schedule(dynamic, 1)
        for (size_t i = 0; i < batch->nchunks; i++)
            if (scan_chunk(b, tid, batch->bases, &batch->chunks[i])) {
#pragma omp atomic write
                failed = 1;
            }
#pragma omp for schedule(dynamic, 16)
        for (unsigned s = 0; s < NSHARDS; s++)
            if (merge_shard(b, s)) {
#pragma omp atomic write
                failed = 1;
            }
    }
    if (failed) gb_error("out of memory while building");
    return failed ? GB_E_NOMEM : 0;
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
        bt->chunks[bt->nchunks++] = (chunk_t){seq + from, to - from, taxon};
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
            }
        }
        fastx_close(r);
    }
    if (rc == 0 && bt.nchunks) {
        rc = process_batch(b, &bt);
        progress_add(pg, bt.nbases);
    }
    fastx_record_free(&rec);
    free(bt.bases);
    free(bt.chunks);
    return rc < 0 ? rc : 0;
}

/* ---- compact table ---- */

static int fill_table(builder_t *b, gb_db_t *db, double load)
{
    uint64_t total = 0;
    for (unsigned s = 0; s < NSHARDS; s++) total += b->maps[s].count;
    db->info.minimizers = total;
    db->table.value_bits = kmer_table_value_bits(db->taxo.n);
    db->table.nbuckets = kmer_table_buckets_for(total, load);
    size_t bytes = db->table.nbuckets * KMER_TABLE_BUCKET_CELLS * sizeof(uint32_t);
    db->table.cells = aligned_alloc(64, (bytes + 63) & ~(size_t)63);
    if (!db->table.cells) return GB_E_NOMEM;
    memset(db->table.cells, 0, bytes);
    uint64_t used = 0;
    for (unsigned s = 0; s < NSHARDS; s++) { /* ascending hash order: canonical layout */
        const kmer_map_t *m = &b->maps[s];
        int r = 0;
        if (m->zero_val) r = kmer_table_insert_hashed(&db->table, 0, m->zero_val, db->taxo.parent);
        used += (uint64_t)(r > 0);
        for (uint64_t i = 0; r >= 0 && m->keys && i < m->cap + KMER_MAP_SLACK; i++) {
            if (!m->keys[i]) continue;
            r = kmer_table_insert_hashed(&db->table, m->keys[i], m->vals[i], db->taxo.parent);
            used += (uint64_t)(r > 0);
        }
        if (r < 0) {
            gb_error("compact table full (internal error)");
            return GB_E_INTERNAL;
        }
    }
    db->entries = used;
    return 0;
}

static void builder_free(builder_t *b)
{
    for (unsigned s = 0; s < NSHARDS; s++) {
        free(b->maps[s].keys);
        free(b->maps[s].vals);
    }
    for (size_t i = 0; b->pending && i < (size_t)b->nthreads * NSHARDS; i++) {
        free(b->pending[i].h);
        free(b->pending[i].t);
    }
    free(b->pending);
    for (int t = 0; b->scan && t < b->nthreads; t++) free(b->scan[t]);
    free(b->scan);
    free(b);
}

static builder_t *builder_new(const build_opts_t *o, const gb_db_t *db)
{
    builder_t *b = calloc(1, sizeof *b);
    if (!b) return NULL;
    b->o = o;
    b->db = db;
    b->nthreads = (int)o->threads;
    b->pending = calloc((size_t)b->nthreads * NSHARDS, sizeof *b->pending);
    b->scan = calloc((size_t)b->nthreads, sizeof *b->scan);
    b->scan_cap = CHUNK_BASES + (size_t)o->k;
    if (!b->pending || !b->scan) goto fail;
    for (int t = 0; t < b->nthreads; t++)
        if (!(b->scan[t] = malloc(b->scan_cap * sizeof(uint64_t)))) goto fail;
    for (unsigned s = 0; s < NSHARDS; s++) b->maps[s].shift = SHARD_BITS;
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
    /* the shard maps grow by doubling: keep freed memory in the heap for reuse instead of
     * returning it to the kernel and paying page faults again */
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    mallopt(M_TRIM_THRESHOLD, 1 << 30);
    if (o.seqmap && (rc = seqmap_load(o.seqmap, &map))) goto done;
    if ((rc = map_headers(&o, map, &st))) goto done;
    gb_debug("headers mapped: %.2f s", omp_get_wtime() - t0);
    if ((rc = prune_taxonomy(&o, &st, &db.taxo))) goto done;
    minimizer_params_init(&db.mm, (int)o.k, (int)o.l, (int)o.spaced);
    gb_info("%zu sequences, %.1f Mbp, %u taxonomy nodes; scanning with %ld threads", st.n - st.unmapped, st.bases / 1e6,
            db.taxo.n - 1, o.threads);
    if (!(b = builder_new(&o, &db))) {
        rc = GB_E_NOMEM;
        goto done;
    }
    progress_t pg;
    progress_start(&pg, "build", "bp", st.bases);
    rc = scan_references(b, &st, &pg);
    progress_end(&pg);
    if (rc) goto done;
    gb_debug("minimizers gathered: %.2f s", omp_get_wtime() - t0);
    if ((rc = fill_table(b, &db, o.load))) goto done;
    gb_debug("compact table filled: %.2f s", omp_get_wtime() - t0);
    builder_free(b);
    b = NULL;
    db.info.sequences = st.n - st.unmapped;
    db.info.bases = st.bases;
    if ((rc = db_write(o.out, &db))) goto done;
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
    if (b) builder_free(b);
    free(db.table.cells);
    taxo_destroy(&db.taxo);
    seqmap_destroy(map);
    free(st.taxid);
    return rc;
}
