/* Classification of one sample: reads -> per-taxon counts, Kraken 2 per-read output and the
 * classified/unclassified sequence files.
 *
 * Batched streaming: one thread reads batch i+1 and writes the output of batch i-1 while
 * every thread (that one too, once done) classifies batch i in chunks; chunk outputs are
 * written in input order, so the output is identical for any thread count. */
#include "gb_exit.h"
#include "classify_sample.h"
#include "classify.h"
#include "fastx.h"
#include "gb_array.h"
#include "log.h"
#include "minimizer_tally.h"
#include "outfile.h"
#include <errno.h>
#include <omp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define BATCH_FRAGS 16384
#define CHUNK_FRAGS 256
#define NCHUNKS     (BATCH_FRAGS / CHUNK_FRAGS)

/* ---- batches ---- */

typedef struct {
    size_t name, name_len, s1, len1, s2, len2; /* offsets into text */
    size_t h1, h1_len, h2, h2_len, q1, q2;     /* full headers and qualities (kept for --*classified-out) */
} frag_t;

enum { SEQ_C1, SEQ_C2, SEQ_U1, SEQ_U2, NSEQOUT }; /* --classified-out / --unclassified-out streams */

typedef struct {
    char *data;
    size_t len, cap;
} buf_t;

typedef struct {
    buf_t text;
    frag_t *frags;
    size_t n;
    buf_t out[NCHUNKS]; /* per-read output of each chunk */
    buf_t seqout[NCHUNKS][NSEQOUT];
} batch_t;

/* Buffers keep their memory from batch to batch, so they stop growing after the first. */
static int buf_reserve(buf_t *b, size_t more) { return GB_GROW(b->data, b->cap, b->len + more); }

static size_t buf_put(buf_t *b, const char *s, size_t n)
{
    size_t at = b->len;
    memcpy(b->data + b->len, s, n);
    b->len += n;
    return at;
}

typedef struct {
    fastx_reader_t *r1, *r2;
    fastx_record_t rec1, rec2;
    int paired;       /* fragments are pairs (two files or interleaved) */
    int keep_records; /* keep headers and qualities for sequence outputs */
    int min_quality;  /* mask bases below this quality as 'x' */
    uint64_t fragments, bases;
} input_t;

/* Kraken 2's --minimum-base-quality: a base of low quality becomes 'x', an ambiguous code. */
static void mask_low_quality(char *seq, const fastx_record_t *r, int min_quality)
{
    if (!r->qual) return;
    for (size_t i = 0; i < r->seq_len; i++)
        if (r->qual[i] - 33 < min_quality) seq[i] = 'x';
}

/* Copy one mate's sequence (and, when kept, header and qualities) into the batch text. */
static void put_mate(const input_t *in, buf_t *text, const fastx_record_t *r, size_t *s, size_t *h, size_t *h_len,
                     size_t *q)
{
    *s = buf_put(text, r->seq, r->seq_len);
    if (in->min_quality) mask_low_quality(text->data + *s, r, in->min_quality);
    if (!in->keep_records) return;
    *h_len = r->name_len;
    *h = buf_put(text, r->name, r->name_len);
    *q = r->qual ? buf_put(text, r->qual, r->qual_len) : SIZE_MAX;
}

/* Read the next mate-2 record; a missing one is an error naming both files. */
static int read_mate(input_t *in, fastx_reader_t *r, fastx_record_t *rec)
{
    int rc = fastx_read(r, rec);
    if (rc == 0) {
        gb_error("%s: paired input has different read counts: record %llu (%.*s) has no mate", fastx_path(r),
                 (unsigned long long)fastx_records(in->r1), (int)in->rec1.name_len, in->rec1.name);
        return GB_E_FORMAT;
    }
    return rc < 0 ? rc : 0;
}

static int read_batch(input_t *in, batch_t *b)
{
    b->n = 0;
    b->text.len = 0;
    while (b->n < BATCH_FRAGS) {
        int rc = fastx_read(in->r1, &in->rec1);
        if (rc < 0) return rc;
        if (rc == 0) {
            if (in->r2 && (rc = fastx_read(in->r2, &in->rec2)) != 0) {
                if (rc > 0) {
                    gb_error("%s: paired input has different read counts: %s ended after %llu reads",
                             fastx_path(in->r2), fastx_path(in->r1), (unsigned long long)in->fragments);
                    return GB_E_FORMAT;
                }
                return rc;
            }
            break;
        }
        if (in->paired && (rc = read_mate(in, in->r2 ? in->r2 : in->r1, &in->rec2))) return rc;
        const fastx_record_t *a = &in->rec1, *m2 = &in->rec2;
        /* the id, then per mate its sequence and, kept for the sequence outputs, its header
         * and qualities (as long as the sequence) */
        size_t need = 2 * a->name_len + 2 * a->seq_len + (in->paired ? m2->name_len + 2 * m2->seq_len : 0);
        if ((rc = buf_reserve(&b->text, need))) return rc;
        frag_t *f = &b->frags[b->n++];
        f->name_len = fastx_id_len(a->name, a->name_len, in->paired);
        f->name = buf_put(&b->text, a->name, f->name_len);
        f->len1 = a->seq_len;
        put_mate(in, &b->text, a, &f->s1, &f->h1, &f->h1_len, &f->q1);
        f->len2 = in->paired ? m2->seq_len : 0;
        if (in->paired) put_mate(in, &b->text, m2, &f->s2, &f->h2, &f->h2_len, &f->q2);
        in->fragments++;
        in->bases += f->len1 + f->len2;
    }
    return 0;
}

/* ---- per-thread classification ---- */

/* A group: consecutive fragments of a chunk whose minimizers are looked up in one batch, so
 * that the prefetches of one mate overlap with those of the next (one lookup batch per mate:
 * ~40 keys, half of them waiting on the first cache miss of their batch). GROUP_ITEMS bounds
 * the group's k-mer items (a fragment longer than that is a group of its own). Measured on
 * the 180 MB Kraken 2 table (benchmarks/k2db_speed.sh reads, --threads 1, user CPU, median of 7
 * alternating runs): 1.01 s against 1.05 s with one batch per mate. */
#define GROUP_ITEMS 4096

typedef struct {
    uint64_t *items;    /* the group's k-mer items, mate after mate */
    uint64_t *distinct; /* their lookups (classify_distinct), mate after mate */
    uint32_t *found;    /* the lookups' results */
    size_t cap;         /* items (and lookups) that fit */
    uint32_t *rec;      /* records of one fragment */
    size_t rec_cap;
    size_t lookups[CHUNK_FRAGS][2]; /* per fragment of the group and mate: its lookups */
    classify_scratch_t cl;
    uint64_t *calls; /* fragments per internal taxon */
    uint64_t classified;
    minimizer_tally_t tally; /* with --report-minimizer-data */
} worker_t;

/* Room for a group of `items` k-mer items and a fragment of `frag_items` records. */
static int worker_fit(worker_t *w, size_t items, size_t frag_items)
{
    if (items > w->cap) {
        size_t cap = items < GROUP_ITEMS ? GROUP_ITEMS : items;
        free(w->items);
        free(w->distinct);
        free(w->found);
        w->items = malloc(cap * sizeof *w->items);
        w->distinct = malloc(cap * sizeof *w->distinct);
        w->found = malloc(cap * sizeof *w->found);
        w->cap = w->items && w->distinct && w->found ? cap : 0;
        if (!w->cap) return GB_E_NOMEM;
    }
    if (frag_items + 1 > w->rec_cap) {
        free(w->rec);
        w->rec_cap = 0;
        if (!(w->rec = malloc((frag_items + 1) * sizeof *w->rec))) return GB_E_NOMEM;
        w->rec_cap = frag_items + 1;
    }
    return classify_scratch_init(&w->cl, frag_items + 1);
}

typedef struct {
    const gb_db_t *db;
    classify_table_t table; /* db's table, gutbrain's or Kraken 2's */
    const classify_job_t *o;
    classify_params_t params;
    char (*ext_text)[12]; /* external taxid of each internal id, as text */
    uint8_t *ext_len;
} ctx_t;

static char *put_u64(char *p, uint64_t v)
{
    char tmp[24];
    int n = 0;
    do tmp[n++] = (char)('0' + v % 10);
    while (v /= 10);
    while (n) *p++ = tmp[--n];
    return p;
}

/* Kraken 2's hit list: runs of equal records as "taxid:count", "A:count", "|:|". */
static char *put_hitlist(const ctx_t *c, char *p, const uint32_t *rec, size_t n)
{
    if (n == 0) return memcpy(p, "0:0", 3), p + 3;
    int need_space = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        while (j < n && rec[j] == rec[i] && rec[i] != CLASSIFY_BORDER) j++;
        if (need_space) *p++ = ' ';
        need_space = 1;
        if (rec[i] == CLASSIFY_BORDER) {
            memcpy(p, "|:|", 3);
            p += 3;
        } else {
            if (rec[i] == CLASSIFY_AMBIG) *p++ = 'A';
            else if (rec[i] == 0) *p++ = '0';
            else p = (char *)memcpy(p, c->ext_text[rec[i]], c->ext_len[rec[i]]) + c->ext_len[rec[i]];
            *p++ = ':';
            p = put_u64(p, j - i);
            if (rec[i] == CLASSIFY_AMBIG) { /* kraken2 always follows an A token with a space */
                *p++ = ' ';
                need_space = 0;
            }
        }
        i = j;
    }
    return p;
}

static int format_read(const ctx_t *c, buf_t *out, const char *name, size_t name_len, uint32_t call, const frag_t *f,
                       const uint32_t *rec, size_t nrec)
{
    const taxo_t *t = &c->db->taxo;
    const char *tname = call ? taxo_name(t, call) : "unclassified";
    size_t need = name_len + 64 + nrec * 16 + (c->o->use_names ? strlen(tname) + 16 : 0);
    if (buf_reserve(out, need)) return GB_E_NOMEM;
    char *p = out->data + out->len;
    *p++ = call ? 'C' : 'U';
    *p++ = '\t';
    p = (char *)memcpy(p, name, name_len) + name_len;
    *p++ = '\t';
    if (c->o->use_names) {
        p += sprintf(p, "%s (taxid %u)", tname, call ? t->external[call] : 0);
    } else if (call) {
        p = (char *)memcpy(p, c->ext_text[call], c->ext_len[call]) + c->ext_len[call];
    } else {
        *p++ = '0';
    }
    *p++ = '\t';
    p = put_u64(p, f->len1);
    if (c->o->paired || c->o->interleaved) {
        *p++ = '|';
        p = put_u64(p, f->len2);
    }
    *p++ = '\t';
    p = put_hitlist(c, p, rec, nrec);
    *p++ = '\n';
    out->len = (size_t)(p - out->data);
    return 0;
}

/* One record of --classified-out/--unclassified-out: a classified read's header gets
 * " kraken:taxid|N" (as kraken2, unclassified headers stay as they were). */
static int format_seq(buf_t *out, const char *text, size_t h, size_t h_len, size_t seq, size_t len, size_t q,
                      uint32_t taxid)
{
    if (buf_reserve(out, h_len + 2 * len + 40)) return GB_E_NOMEM;
    char *p = out->data + out->len;
    *p++ = q == SIZE_MAX ? '>' : '@';
    p = (char *)memcpy(p, text + h, h_len) + h_len;
    if (taxid) {
        p = (char *)memcpy(p, " kraken:taxid|", 14) + 14;
        p = put_u64(p, taxid);
    }
    *p++ = '\n';
    p = (char *)memcpy(p, text + seq, len) + len;
    *p++ = '\n';
    if (q != SIZE_MAX) {
        p = (char *)memcpy(p, "+\n", 2) + 2;
        p = (char *)memcpy(p, text + q, len) + len;
        *p++ = '\n';
    }
    out->len = (size_t)(p - out->data);
    return 0;
}

static int format_seqs(const ctx_t *c, buf_t seqout[NSEQOUT], const char *text, const frag_t *f, uint32_t call)
{
    int first = call ? SEQ_C1 : SEQ_U1;
    if (!(call ? c->o->classified_out : c->o->unclassified_out)) return 0;
    uint32_t taxid = call ? c->db->taxo.external[call] : 0;
    int rc = format_seq(&seqout[first], text, f->h1, f->h1_len, f->s1, f->len1, f->q1, taxid);
    if (!rc && (c->o->paired || c->o->interleaved))
        rc = format_seq(&seqout[first + 1], text, f->h2, f->h2_len, f->s2, f->len2, f->q2, taxid);
    return rc;
}

/* k-mer items of a mate of len bases (what minimizer_scan returns). */
static size_t mate_items(const ctx_t *c, size_t len)
{
    return len >= (size_t)c->db->mm.k ? len - (size_t)c->db->mm.k + 1 : 0;
}

static size_t frag_items(const ctx_t *c, const frag_t *f) { return mate_items(c, f->len1) + mate_items(c, f->len2); }

/* Records of fragment f from its items and lookups (the group's arrays at *at and *lk, both
 * advanced), its call, and its output. */
static int finish_fragment(const ctx_t *c, worker_t *w, const batch_t *b, const frag_t *f, size_t g, size_t *at,
                           size_t *lk, buf_t *out, buf_t seqout[NSEQOUT])
{
    const int pair = c->o->paired || c->o->interleaved;
    size_t nrec = 0;
    uint32_t groups = 0;
    for (int mate = 0; mate <= pair; mate++) {
        size_t n = mate_items(c, mate ? f->len2 : f->len1), d = w->lookups[g][mate];
        if (mate) w->rec[nrec++] = CLASSIFY_BORDER;
        classify_expand(w->items + *at, n, w->found + *lk, w->rec + nrec, &groups);
        if (c->o->minimizer_data && minimizer_tally_add_lookups(&w->tally, w->distinct + *lk, w->found + *lk, d))
            return GB_E_NOMEM;
        nrec += n;
        *at += n;
        *lk += d;
    }
    uint32_t call = classify_resolve(c->db->taxo.parent, w->rec, nrec, groups, &c->params, &w->cl);
    w->calls[call]++;
    w->classified += call != 0;
    const char *text = b->text.data;
    int rc = c->o->output ? format_read(c, out, text + f->name, f->name_len, call, f, w->rec, nrec) : 0;
    return rc ? rc : format_seqs(c, seqout, text, f, call);
}

/* Fragments [from, to) as one group: scan every mate, look up all their keys in one batch,
 * then resolve each fragment. */
static int classify_group(const ctx_t *c, worker_t *w, const batch_t *b, size_t from, size_t to, buf_t *out,
                          buf_t seqout[NSEQOUT])
{
    const int pair = c->o->paired || c->o->interleaved;
    const char *text = b->text.data;
    size_t at = 0, lk = 0;
    for (size_t i = from; i < to; i++) {
        const frag_t *f = &b->frags[i];
        for (int mate = 0; mate <= pair; mate++) {
            size_t n =
                minimizer_scan(&c->db->mm, text + (mate ? f->s2 : f->s1), mate ? f->len2 : f->len1, w->items + at);
            size_t d = classify_distinct(w->items + at, n, w->distinct + lk);
            w->lookups[i - from][mate] = d;
            at += n;
            lk += d;
        }
    }
    classify_table_lookup(&c->table, w->distinct, lk, w->found);
    at = lk = 0;
    for (size_t i = from; i < to; i++) {
        int rc = finish_fragment(c, w, b, &b->frags[i], i - from, &at, &lk, out, seqout);
        if (rc) return rc;
    }
    return 0;
}

static int classify_chunk(const ctx_t *c, worker_t *w, batch_t *b, size_t chunk)
{
    size_t from = chunk * CHUNK_FRAGS, to = from + CHUNK_FRAGS < b->n ? from + CHUNK_FRAGS : b->n;
    buf_t *out = &b->out[chunk];
    out->len = 0;
    for (int k = 0; k < NSEQOUT; k++) b->seqout[chunk][k].len = 0;
    while (from < to) {
        size_t end = from, items = 0, longest = 0;
        do { /* at least one fragment; more while they fit in GROUP_ITEMS */
            size_t fi = frag_items(c, &b->frags[end]);
            items += fi;
            longest = fi > longest ? fi : longest;
            end++;
        } while (end < to && items + frag_items(c, &b->frags[end]) <= GROUP_ITEMS);
        int rc = worker_fit(w, items, longest);
        if (!rc) rc = classify_group(c, w, b, from, end, out, b->seqout[chunk]);
        if (rc) return rc;
        from = end;
    }
    return 0;
}

/* Output streams of a run: the per-read output and the four sequence outputs. */
typedef struct {
    outfile_t *reads;
    outfile_t *seq[NSEQOUT];
} outputs_t;

static int write_chunks(outfile_t *out, const buf_t *chunks, size_t stride, size_t nchunks)
{
    if (!out) return 0;
    FILE *fp = outfile_fp(out);
    for (size_t i = 0; i < nchunks; i++) {
        const buf_t *b = chunks + i * stride;
        errno = 0;
        if (fwrite(b->data, 1, b->len, fp) != b->len) { /* the reason: a full disk, a size limit, ... */
            gb_error("cannot write %s: %s", outfile_path(out), errno ? strerror(errno) : "write error");
            return GB_E_IO;
        }
    }
    return 0;
}

static int write_batch(const outputs_t *out, const batch_t *b)
{
    size_t nchunks = (b->n + CHUNK_FRAGS - 1) / CHUNK_FRAGS;
    int rc = write_chunks(out->reads, b->out, 1, nchunks);
    for (int k = 0; k < NSEQOUT && !rc; k++) rc = write_chunks(out->seq[k], &b->seqout[0][k], NSEQOUT, nchunks);
    return rc;
}

/* The streaming loop: batch[cur] is classified while batch[nxt] is read and batch[prv]
 * written by one thread. */
static int classify_stream(const ctx_t *c, input_t *in, worker_t *workers, int nthreads, const outputs_t *out,
                           progress_t *pg)
{
    batch_t b[3];
    int rc = 0, rc_io = 0, rc_work = 0;
    memset(b, 0, sizeof b);
    for (int i = 0; i < 3; i++)
        if (!(b[i].frags = malloc(BATCH_FRAGS * sizeof *b[i].frags))) rc = GB_E_NOMEM;
    if (!rc) rc = read_batch(in, &b[0]);
    int prv = 2, cur = 0, nxt = 1;
    while (!rc && b[cur].n) {
        if (gb_stop_requested) {
            rc = GB_E_INTERRUPTED;
            break;
        }
        size_t nchunks = (b[cur].n + CHUNK_FRAGS - 1) / CHUNK_FRAGS;
#pragma omp parallel num_threads(nthreads) default(none) \
    shared(c, in, workers, out, b, prv, cur, nxt, nchunks, rc_io, rc_work)
        {
#pragma omp single nowait
            {
                rc_io = write_batch(out, &b[prv]);
                b[prv].n = 0;
                if (!rc_io) rc_io = read_batch(in, &b[nxt]);
            }
            worker_t *w = &workers[omp_get_thread_num()];
#pragma omp for schedule(dynamic, 1)
            for (size_t k = 0; k < nchunks; k++) {
                int r = classify_chunk(c, w, &b[cur], k);
                if (r) {
#pragma omp atomic write
                    rc_work = r;
                }
            }
        }
        rc = rc_io ? rc_io : rc_work;
        progress_add(pg, b[cur].n);
        int t = prv;
        prv = cur;
        cur = nxt;
        nxt = t;
    }
    if (!rc) rc = write_batch(out, &b[prv]);
    for (int i = 0; i < 3; i++) {
        free(b[i].text.data);
        free(b[i].frags);
        for (int k = 0; k < NCHUNKS; k++) {
            free(b[i].out[k].data);
            for (int j = 0; j < NSEQOUT; j++) free(b[i].seqout[k][j].data);
        }
    }
    return rc;
}

static int make_taxid_text(ctx_t *c)
{
    uint32_t n = c->db->taxo.n;
    c->ext_text = malloc(n * sizeof *c->ext_text);
    c->ext_len = malloc(n);
    if (!c->ext_text || !c->ext_len) return GB_E_NOMEM;
    for (uint32_t i = 0; i < n; i++)
        c->ext_len[i] = (uint8_t)(put_u64(c->ext_text[i], c->db->taxo.external[i]) - c->ext_text[i]);
    return 0;
}

static void outputs_abort(outputs_t *out)
{
    outfile_abort(out->reads);
    for (int k = 0; k < NSEQOUT; k++) outfile_abort(out->seq[k]);
    memset(out, 0, sizeof *out);
}

static int outputs_commit(outputs_t *out)
{
    int rc = out->reads ? outfile_commit(out->reads) : 0;
    out->reads = NULL;
    for (int k = 0; k < NSEQOUT; k++) {
        if (!rc && out->seq[k]) rc = outfile_commit(out->seq[k]);
        else outfile_abort(out->seq[k]);
        out->seq[k] = NULL;
    }
    return rc;
}

/* Open one sequence output; for pairs, '#' in the name becomes _1 or _2. */
static int open_seq_output(const char *name, int mate, int pairs, outfile_t **out)
{
    char path[4096];
    const char *hash = strchr(name, '#');
    if (pairs && hash) snprintf(path, sizeof path, "%.*s_%d%s", (int)(hash - name), name, mate, hash + 1);
    else snprintf(path, sizeof path, "%s", name);
    *out = outfile_open(path);
    return *out ? 0 : GB_E_IO;
}

static int outputs_open(const classify_job_t *o, outputs_t *out)
{
    int pairs = o->paired || o->interleaved, rc = 0;
    if (o->output && !(out->reads = outfile_open(o->output))) return GB_E_IO;
    const char *names[2] = {o->classified_out, o->unclassified_out};
    for (int i = 0; i < 2 && !rc; i++) {
        if (!names[i]) continue;
        rc = open_seq_output(names[i], 1, pairs, &out->seq[2 * i]);
        if (!rc && pairs) rc = open_seq_output(names[i], 2, pairs, &out->seq[2 * i + 1]);
    }
    return rc;
}

static int open_inputs(const classify_job_t *o, input_t *in)
{
    in->paired = o->paired || o->interleaved;
    in->keep_records = o->classified_out || o->unclassified_out;
    in->min_quality = o->min_base_quality;
    if (!(in->r1 = fastx_open(o->inputs[0]))) return GB_E_IO;
    if (o->paired && !(in->r2 = fastx_open(o->inputs[1]))) return GB_E_IO;
    return 0;
}

static void workers_free(worker_t *w, int nthreads)
{
    for (int t = 0; w && t < nthreads; t++) {
        free(w[t].items);
        free(w[t].distinct);
        free(w[t].found);
        free(w[t].rec);
        classify_scratch_free(&w[t].cl);
        free(w[t].calls);
        minimizer_tally_free(&w[t].tally);
    }
    free(w);
}

/* The workers' tallies merged into the first (exact sets: the split over threads does not
 * matter), then read out per taxon into res. */
static int merge_tallies(worker_t *w, int nthreads, uint32_t ntaxa, classify_result_t *res)
{
    int rc = GB_OK;
    for (int t = 1; t < nthreads && !rc; t++) {
        rc = minimizer_tally_merge(&w[0].tally, &w[t].tally);
        minimizer_tally_free(&w[t].tally);
    }
    res->minimizers = malloc(ntaxa * sizeof *res->minimizers);
    res->distinct = malloc(ntaxa * sizeof *res->distinct);
    if (rc || !res->minimizers || !res->distinct) {
        gb_error("out of memory counting distinct minimizers (%zu so far)", w[0].tally.count);
        return GB_E_NOMEM;
    }
    memcpy(res->minimizers, w[0].tally.events, ntaxa * sizeof *res->minimizers);
    minimizer_tally_distinct(&w[0].tally, res->distinct);
    return GB_OK;
}

int classify_sample(const classify_job_t *job, classify_result_t *res)
{
    const gb_db_t *db = job->db;
    int nthreads = job->threads > 0 ? job->threads : 1;
    ctx_t c = {.db = db, .table = db_classify_table(db), .o = job, .params = job->params};
    input_t in = {0};
    outputs_t out = {0};
    worker_t *w = calloc((size_t)nthreads, sizeof *w);
    int rc = 0;
    memset(res, 0, sizeof *res);
    res->calls = calloc(db->taxo.n, sizeof *res->calls);
    if (!w || !res->calls || make_taxid_text(&c)) {
        rc = GB_E_NOMEM;
        goto done;
    }
    for (int t = 0; t < nthreads; t++) {
        if (!(w[t].calls = calloc(db->taxo.n, sizeof *w[t].calls))) rc = GB_E_NOMEM;
        if (!rc && job->minimizer_data) rc = minimizer_tally_init(&w[t].tally, db->taxo.n);
        if (rc) goto done;
    }
    if ((rc = open_inputs(job, &in)) || (rc = outputs_open(job, &out))) goto done;
    progress_t quiet, *pg = job->progress ? job->progress : &quiet;
    if (!job->progress) progress_start(&quiet, "classify", "reads", 0);
    double t0 = omp_get_wtime();
    rc = classify_stream(&c, &in, w, nthreads, &out, pg);
    if (!job->progress) progress_end(&quiet);
    if (rc || (rc = outputs_commit(&out))) goto done;
    for (int t = 0; t < nthreads; t++) {
        for (uint32_t i = 0; i < db->taxo.n; i++) res->calls[i] += w[t].calls[i];
        res->classified += w[t].classified;
    }
    if (job->minimizer_data && (rc = merge_tallies(w, nthreads, db->taxo.n, res))) goto done;
    res->fragments = in.fragments;
    res->bases = in.bases;
    res->seconds = omp_get_wtime() - t0;
done:
    outputs_abort(&out);
    workers_free(w, nthreads);
    free(c.ext_text);
    free(c.ext_len);
    fastx_close(in.r1);
    fastx_close(in.r2);
    fastx_record_free(&in.rec1);
    fastx_record_free(&in.rec2);
    if (rc) classify_result_free(res);
    return rc;
}

void classify_result_free(classify_result_t *res)
{
    free(res->calls);
    free(res->minimizers);
    free(res->distinct);
    res->calls = res->minimizers = res->distinct = NULL;
}
