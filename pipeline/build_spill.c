/* Sorted runs on disk for the database build (see build_spill.h).
 *
 * Approach, and the measurement that chose it (63 genomes, 212 Mbp, --threads 2): the exact
 * per-shard hash maps this replaces held every distinct minimizer at <= 0.7 load before the
 * compact table was allocated, 1.1 GB peak for a 157 MB table. Sorted runs keep only the pair
 * buffer in memory while scanning, one partition per thread while merging, and the table
 * while pouring (docs/DB-FORMAT.md, "Building"). A run is written with its pairs grouped by
 * partition (hashes, then taxa), so the merge reads each partition's piece of every run with
 * two preads and sorts the concatenation in cache. The merged partitions are appended as the
 * final run; the pour streams it partition by partition in ascending hash order, which is
 * the order the former maps were poured in, so the database bytes are unchanged. */
#include "build_spill.h"
#include "fileio.h"
#include "gb_array.h"
#include "kmer_sort.h"
#include "log.h"
#include <errno.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int file_error(const build_spill_t *s, const char *what, int err)
{
    gb_error("cannot %s the build's temporary file in %s: %s%s", what, s->dir, strerror(err),
             err == ENOSPC || err == EFBIG || err == EDQUOT ? " (about 12 bytes per minimizer of the references are "
                                                              "needed there: free space or pass --tmp-dir)"
                                                            : "");
    return GB_E_IO;
}

static int pwrite_all(build_spill_t *s, const void *buf, size_t len, uint64_t off)
{
    int e = fileio_pwrite_full(s->fd, buf, len, off);
    return e ? file_error(s, "write", e) : GB_OK;
}

static int pread_all(build_spill_t *s, void *buf, size_t len, uint64_t off)
{
    int e = fileio_pread_full(s->fd, buf, len, off);
    return e ? file_error(s, "read", e > 0 ? e : EIO) : GB_OK;
}

int build_spill_init(build_spill_t *s, const char *dir, size_t buffer_bytes, const uint32_t *parent, int threads)
{
    memset(s, 0, sizeof *s);
    snprintf(s->dir, sizeof s->dir, "%s", dir);
    s->parent = parent;
    s->threads = threads;
    char path[4200];
    snprintf(path, sizeof path, "%s/gutbrain-build.XXXXXX", dir);
    if ((s->fd = mkstemp(path)) < 0) return file_error(s, "create", errno);
    s->fd_open = 1;
    unlink(path); /* nameless from now on: nothing to clean up on any exit path */
    /* even: h2 starts 12 * cap bytes into the block, 8-byte aligned for its hashes only then */
    s->cap = buffer_bytes / BUILD_SPILL_PAIR & ~(size_t)1;
    unsigned char *block = malloc(s->cap * BUILD_SPILL_PAIR);
    s->bounds = calloc((size_t)threads, sizeof *s->bounds);
    if (!block || !s->bounds) {
        free(block);
        gb_error("out of memory for the build's %zu MB pair buffer", buffer_bytes >> 20);
        return GB_E_NOMEM;
    }
    /* one block, so that a sorted run can be laid out in place of the unsorted pairs */
    s->h = (uint64_t *)(void *)block;
    s->t = (uint32_t *)(void *)(block + 8 * s->cap);
    s->h2 = (uint64_t *)(void *)(block + 12 * s->cap);
    s->t2 = (uint32_t *)(void *)(block + 20 * s->cap);
    return GB_OK;
}

/* Append the partitions held at h[start[p] ..) (count[p] pairs each) as a run starting at
 * the end of the file; lays them out in out[] first (out may alias the pairs' old buffer). */
static int append_run(build_spill_t *s, unsigned char *out, const uint64_t *h, const uint32_t *t, const uint64_t *start,
                      const uint64_t *count)
{
    if (GB_GROW(s->runs, s->cap_runs, s->nruns + 1)) return GB_E_NOMEM;
    build_spill_run_t *run = &s->runs[s->nruns];
    if (!(run->start = malloc((BUILD_SPILL_PARTS + 1) * sizeof *run->start))) return GB_E_NOMEM;
    run->base = s->file_bytes;
    size_t pos = 0;
    uint64_t pairs = 0;
    for (unsigned p = 0; p < BUILD_SPILL_PARTS; p++) {
        run->start[p] = pairs;
        memmove(out + pos, h + start[p], 8 * count[p]); /* memmove: out may overlap what is still to copy */
        memmove(out + pos + 8 * count[p], t + start[p], 4 * count[p]);
        pos += 12 * count[p];
        pairs += count[p];
    }
    run->start[BUILD_SPILL_PARTS] = pairs;
    s->nruns++;
    int rc = pwrite_all(s, out, pos, s->file_bytes);
    s->file_bytes += pos;
    return rc;
}

int build_spill_flush(build_spill_t *s)
{
    if (s->n == 0) return GB_OK;
    uint64_t start[BUILD_SPILL_PARTS + 1], count[BUILD_SPILL_PARTS];
    kmer_sort_partition(s->h, s->t, s->n, BUILD_SPILL_BITS, s->h2, s->t2, start);
    build_spill_t *sp = s;
#pragma omp parallel for num_threads(sp->threads) schedule(dynamic, 16) default(none) shared(sp, start, count)
    for (unsigned p = 0; p < BUILD_SPILL_PARTS; p++) {
        size_t a = start[p], n = start[p + 1] - a;
        count[p] = kmer_sort_merge(sp->h2 + a, sp->t2 + a, n, BUILD_SPILL_BITS, sp->h + a, sp->t + a, sp->parent);
    }
    /* h2/t2 lie after h/t in the block, so laying the run out from the block's start never
     * overwrites pairs not yet copied */
    int rc = append_run(s, (unsigned char *)s->h, s->h2, s->t2, start, count);
    s->pairs += s->n;
    s->n = 0;
    return rc;
}

int build_spill_finish(build_spill_t *s)
{
    free(s->h);
    s->h = s->h2 = NULL;
    s->t = s->t2 = NULL;
    s->cap = 0;
    if (s->nruns == 1) { /* already sorted and merged */
        s->final = s->runs[0];
        s->runs[0].start = NULL;
        s->distinct = s->final.start[BUILD_SPILL_PARTS];
        return GB_OK;
    }
    s->final.base = s->file_bytes;
    for (int i = 0; i < s->threads; i++)
        if (!(s->bounds[i] = malloc((s->nruns + 1) * sizeof *s->bounds[i]))) return GB_E_NOMEM;
    if (!(s->final.start = calloc(BUILD_SPILL_PARTS + 1, sizeof *s->final.start))) return GB_E_NOMEM;
    return GB_OK;
}

/* The merge buffer grown to n pairs, hashes and taxa each followed by as much scratch. */
static int grow_buffer(build_spill_t *s, size_t n)
{
    if (n <= s->mcap) return GB_OK;
    free(s->mh);
    free(s->mt);
    s->mh = malloc(2 * n * sizeof(uint64_t));
    s->mt = malloc(2 * n * sizeof(uint32_t));
    s->mcap = s->mh && s->mt ? n : 0;
    if (!s->mcap) gb_error("out of memory while merging the build's sorted runs");
    return s->mcap ? GB_OK : GB_E_NOMEM;
}

/* Read run r's piece of partition p to h, t. */
static int read_piece(build_spill_t *s, const build_spill_run_t *run, unsigned p, uint64_t *h, uint32_t *t)
{
    uint64_t n = run->start[p + 1] - run->start[p], off = run->base + 12 * run->start[p];
    int rc = pread_all(s, h, 8 * n, off);
    return rc ? rc : pread_all(s, t, 4 * n, off + 8 * n);
}

/* Gather partition p of every run to (h, t) and merge the sorted pieces, with (h_tmp, t_tmp)
 * as scratch: *n distinct pairs. bounds has room for nruns + 1 entries. */
static int merge_partition(build_spill_t *s, unsigned p, uint64_t *h, uint32_t *t, uint64_t *h_tmp, uint32_t *t_tmp,
                           size_t *bounds, size_t *n)
{
    int rc = GB_OK;
    bounds[0] = 0;
    for (size_t r = 0; r < s->nruns; r++) bounds[r + 1] = bounds[r] + s->runs[r].start[p + 1] - s->runs[r].start[p];
    for (size_t r = 0; !rc && r < s->nruns; r++) rc = read_piece(s, &s->runs[r], p, h + bounds[r], t + bounds[r]);
    if (!rc) *n = kmer_sort_merge_runs(h, t, bounds, s->nruns, h_tmp, t_tmp, s->parent);
    return rc;
}

int build_spill_merge(build_spill_t *s, unsigned from, unsigned to)
{
    /* partition p of the group is merged at off[p - from] of the buffer, in parallel; then the
     * group is appended in order (an ordered loop stalled whenever one thread was descheduled
     * on a loaded machine) */
    size_t off[BUILD_SPILL_PARTS + 1], got[BUILD_SPILL_PARTS];
    off[0] = 0;
    for (unsigned p = from; p < to; p++) {
        size_t n = 0;
        for (size_t r = 0; r < s->nruns; r++) n += s->runs[r].start[p + 1] - s->runs[r].start[p];
        off[p - from + 1] = off[p - from] + n;
    }
    size_t total = off[to - from];
    int rc = grow_buffer(s, total);
    if (rc) return rc;
    build_spill_t *sp = s;
#pragma omp parallel for num_threads(sp->threads) schedule(dynamic, 1) default(none) \
    shared(sp, rc, from, to, off, got, total)
    for (unsigned p = from; p < to; p++) {
        size_t at = off[p - from];
        int r = merge_partition(sp, p, sp->mh + at, sp->mt + at, sp->mh + total + at, sp->mt + total + at,
                                sp->bounds[omp_get_thread_num()], &got[p - from]);
        if (r) {
#pragma omp atomic write
            rc = r;
        }
    }
    for (unsigned p = from; !rc && p < to; p++) {
        size_t at = off[p - from], n = got[p - from];
        uint64_t pos = s->final.base + 12 * s->distinct;
        if (!(rc = pwrite_all(s, s->mh + at, 8 * n, pos))) rc = pwrite_all(s, s->mt + at, 4 * n, pos + 8 * n);
        s->final.start[p] = s->distinct;
        s->distinct += n;
        s->final.start[p + 1] = s->distinct;
    }
    return rc;
}

int build_spill_read(build_spill_t *s, unsigned p, const uint64_t **h, const uint32_t **t, size_t *n)
{
    *n = s->final.start[p + 1] - s->final.start[p];
    int rc = grow_buffer(s, *n);
    if (!rc) rc = read_piece(s, &s->final, p, s->mh, s->mt);
    *h = s->mh;
    *t = s->mt;
    return rc;
}

void build_spill_destroy(build_spill_t *s)
{
    free(s->h);
    for (size_t r = 0; r < s->nruns; r++) free(s->runs[r].start);
    free(s->runs);
    free(s->final.start);
    for (int i = 0; s->bounds && i < s->threads; i++) free(s->bounds[i]);
    free(s->bounds);
    free(s->mh);
    free(s->mt);
    if (s->fd_open) close(s->fd);
    memset(s, 0, sizeof *s);
}
