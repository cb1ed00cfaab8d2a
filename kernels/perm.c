/* Permutations for the permutation tests: the seeded stream (xoshiro256**), permute's plan for
 * small n (complete enumeration or distinct draws) and the threaded exceedance count that
 * permanova.c and betadisper.c both drive. Contracts in perm.h. */
#include <stdlib.h>
#include <string.h>
#include <omp.h>
#include "perm.h"

#define MAX_EXPLICIT_N 12 /* n! must fit comfortably: enumerate/unrank only below this */

/* ---- the stream ---------------------------------------------------------------------------- */

static uint64_t mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

typedef struct {
    uint64_t s[4];
} xoshiro_t;

static uint64_t rotl64(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static uint64_t xoshiro_next(xoshiro_t *r)
{
    uint64_t *s = r->s, result = rotl64(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl64(s[3], 45);
    return result;
}

/* State from a hash of (seed, index): streams of different indices start at unrelated
 * points of the splitmix64 sequence, so no two permutations share random numbers. */
static void xoshiro_seed(xoshiro_t *r, uint64_t seed, uint64_t index)
{
    uint64_t x = mix64(mix64(seed + 0x9E3779B97F4A7C15ULL) ^ mix64(index ^ 0x5851F42D4C957F2DULL));
    for (int i = 0; i < 4; i++) r->s[i] = mix64(x += 0x9E3779B97F4A7C15ULL);
}

/* Uniform integer in [0, range), range >= 1, without modulo bias (Lemire 2019). */
static uint64_t xoshiro_below(xoshiro_t *r, uint64_t range)
{
    unsigned __int128 m = (unsigned __int128)xoshiro_next(r) * range;
    uint64_t low = (uint64_t)m;
    if (low < range) {
        uint64_t floor = -range % range;
        while (low < floor) {
            m = (unsigned __int128)xoshiro_next(r) * range;
            low = (uint64_t)m;
        }
    }
    return (uint64_t)(m >> 64);
}

void perm_draw(uint64_t seed, uint64_t index, size_t n, int32_t *perm)
{
    xoshiro_t r;
    xoshiro_seed(&r, seed, index);
    for (size_t i = 0; i < n; i++) perm[i] = (int32_t)i;
    for (size_t i = n; i-- > 1;) {
        size_t j = (size_t)xoshiro_below(&r, i + 1);
        int32_t t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
    }
}

/* n! or 0 when it does not fit in 64 bits. */
static uint64_t factorial_u64(size_t n)
{
    uint64_t f = 1;
    for (size_t k = 2; k <= n; k++) {
        if (f > UINT64_MAX / k) return 0;
        f *= k;
    }
    return f;
}

int perm_plan(size_t n, uint64_t requested, perm_plan_t *plan)
{
    if (n < 2 || requested == 0) return GB_E_USAGE;
    uint64_t all = factorial_u64(n); /* 0 = astronomically many */
    plan->nperm = requested;
    plan->mode = PERM_RANDOM;
    if (all && requested >= all - 1) { /* permute::check: complete enumeration */
        plan->mode = PERM_ALL;
        plan->nperm = all - 1;
    } else if (all && all - 1 <= 5040) { /* fewer than minperm: drawn from the full set */
        plan->mode = PERM_DISTINCT;
    }
    return GB_OK;
}

/* Permutation with lexicographic rank `rank` (0 = identity), by the factorial number system. */
static void unrank_permutation(uint64_t rank, size_t n, int32_t *perm, int32_t *pool)
{
    for (size_t i = 0; i < n; i++) pool[i] = (int32_t)i;
    for (size_t i = 0; i < n; i++) {
        uint64_t f = factorial_u64(n - 1 - i), d = rank / f;
        rank %= f;
        perm[i] = pool[d];
        memmove(pool + d, pool + d + 1, (n - 1 - i - d) * sizeof *pool);
    }
}

int perm_set(size_t n, const perm_plan_t *plan, uint64_t seed, int32_t *perm)
{
    if (plan->mode == PERM_RANDOM || n < 2 || n > MAX_EXPLICIT_N) return GB_E_USAGE;
    uint64_t all = factorial_u64(n);
    int32_t pool[MAX_EXPLICIT_N];
    if (plan->mode == PERM_ALL) {
        for (uint64_t k = 1; k < all; k++) unrank_permutation(k, n, perm + (k - 1) * n, pool);
        return GB_OK;
    }
    /* DISTINCT: partial Fisher-Yates over the ranks 1 .. n!-1 */
    uint64_t *ranks = malloc((all - 1) * sizeof *ranks);
    if (!ranks) return GB_E_NOMEM;
    for (uint64_t k = 0; k < all - 1; k++) ranks[k] = k + 1;
    xoshiro_t r;
    xoshiro_seed(&r, seed, UINT64_MAX);
    for (uint64_t k = 0; k < plan->nperm; k++) {
        uint64_t j = k + xoshiro_below(&r, all - 1 - k);
        uint64_t t = ranks[k];
        ranks[k] = ranks[j];
        ranks[j] = t;
        unrank_permutation(ranks[k], n, perm + k * n, pool);
    }
    free(ranks);
    return GB_OK;
}

/* ---- counting ------------------------------------------------------------------------------ */

int perm_check(const int32_t *perm, size_t nperm, size_t n)
{
    unsigned char *seen = malloc(n);
    if (!seen) return GB_E_NOMEM;
    int rc = GB_OK;
    for (size_t p = 0; p < nperm && !rc; p++) {
        memset(seen, 0, n);
        for (size_t i = 0; i < n; i++) {
            int32_t v = perm[p * n + i];
            if (v < 0 || (size_t)v >= n || seen[v]) {
                rc = GB_E_USAGE;
                break;
            }
            seen[v] = 1;
        }
    }
    free(seen);
    return rc;
}

int perm_source_random(uint64_t seed, uint64_t from, uint64_t to, perm_source_t *src)
{
    if (to < from) return GB_E_USAGE;
    *src = (perm_source_t){NULL, seed, from, to - from};
    return GB_OK;
}

int perm_source_explicit(const int32_t *perm, size_t nperm, size_t n, perm_source_t *src)
{
    int rc = perm_check(perm, nperm, n);
    if (rc) return rc;
    *src = (perm_source_t){perm, 0, 0, nperm};
    return GB_OK;
}

void perm_source_fill(const perm_source_t *src, uint64_t index, size_t n, int32_t *out)
{
    if (src->rows) memcpy(out, src->rows + index * n, n * sizeof *out);
    else perm_draw(src->seed, src->from + index, n, out);
}

static int thread_count(int nthreads, uint64_t units)
{
    int nt = nthreads > 0 ? nthreads : omp_get_max_threads();
    if ((uint64_t)nt > units) nt = units ? (int)units : 1;
    return nt;
}

/* What every thread does with a batch: fn(ctx, thread, perm (nb x n), nb, first index, scratch). */
typedef void (*batch_fn)(const void *ctx, int tid, const int32_t *perm, size_t nb, uint64_t first, double *scratch);

/* Batches go to threads one at a time (dynamic schedule): a PERMANOVA batch streams the whole
 * Gower matrix, so an idle thread should take the next one as soon as it is free. */
static int run_batches(size_t n, size_t batch, size_t scratch_doubles, const perm_source_t *src, int nthreads,
                       batch_fn fn, const void *ctx)
{
    uint64_t nbatch = (src->total + batch - 1) / batch;
    int nt = thread_count(nthreads, nbatch);
    size_t batch_ints = batch * n;
    double *scratch = malloc((size_t)nt * scratch_doubles * sizeof *scratch);
    int32_t *perms = malloc((size_t)nt * batch_ints * sizeof *perms);
    int rc = !scratch || !perms ? GB_E_NOMEM : GB_OK;
    if (!rc) {
#pragma omp parallel num_threads(nt) default(none) \
    shared(n, batch, scratch_doubles, src, fn, ctx, nbatch, batch_ints, scratch, perms)
        {
            int tid = omp_get_thread_num();
            double *my_scratch = scratch + (size_t)tid * scratch_doubles;
            int32_t *my_perms = perms + (size_t)tid * batch_ints;
#pragma omp for schedule(dynamic, 1)
            for (uint64_t bi = 0; bi < nbatch; bi++) {
                uint64_t first = bi * batch;
                size_t nb = src->total - first < batch ? (size_t)(src->total - first) : batch;
                for (size_t b = 0; b < nb; b++) perm_source_fill(src, first + b, n, my_perms + b * n);
                fn(ctx, tid, my_perms, nb, first, my_scratch);
            }
        }
    }
    free(scratch);
    free(perms);
    return rc;
}

typedef struct {
    const perm_counter_t *c;
    uint64_t *counts; /* threads x ncount */
} count_ctx_t;

static void count_one_batch(const void *ctx, int tid, const int32_t *perm, size_t nb, uint64_t first, double *scratch)
{
    (void)first;
    const count_ctx_t *cc = ctx;
    cc->c->count(cc->c->ctx, perm, nb, scratch, cc->counts + (size_t)tid * cc->c->ncount);
}

int perm_count(const perm_counter_t *c, const perm_source_t *src, int nthreads, uint64_t *exceed)
{
    if (src->total == 0) return GB_OK;
    int nt = thread_count(nthreads, (src->total + c->batch - 1) / c->batch);
    count_ctx_t cc = {c, calloc((size_t)nt * c->ncount, sizeof *cc.counts)};
    int rc = cc.counts ? run_batches(c->n, c->batch, c->scratch, src, nt, count_one_batch, &cc) : GB_E_NOMEM;
    for (int th = 0; !rc && th < nt; th++)
        for (size_t k = 0; k < c->ncount; k++) exceed[k] += cc.counts[(size_t)th * c->ncount + k];
    free(cc.counts);
    return rc;
}

static void eval_one_batch(const void *ctx, int tid, const int32_t *perm, size_t nb, uint64_t first, double *scratch)
{
    (void)tid;
    const perm_eval_t *e = ctx;
    e->eval(e->ctx, perm, nb, first, scratch);
}

int perm_each(const perm_eval_t *e, const perm_source_t *src, int nthreads)
{
    return src->total ? run_batches(e->n, e->batch, e->scratch, src, nthreads, eval_one_batch, e) : GB_OK;
}
