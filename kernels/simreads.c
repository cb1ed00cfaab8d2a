/* Fragments, strands and the position-dependent substitution model of simulated reads
 * (simreads.h). Errors cost one 64-bit draw per base compared with precomputed thresholds. */
#include "simreads.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

static uint64_t threshold(double p) { return p >= 1.0 ? UINT64_MAX : (uint64_t)(p * 0x1.0p64); }

int simreads_model_init(simreads_model_t *m)
{
    int L = m->read_len;
    if (L < 1 || m->err_first < 0 || m->err_first > 0.5 || m->err_last < 0 || m->err_last > 0.5 || m->n_rate < 0 ||
        m->n_rate > 0.5)
        return GB_E_USAGE;
    m->n_below = malloc((size_t)L * sizeof *m->n_below);
    m->err_below = malloc((size_t)L * sizeof *m->err_below);
    m->qual = malloc((size_t)L);
    if (!m->n_below || !m->err_below || !m->qual) {
        simreads_model_destroy(m);
        return GB_E_NOMEM;
    }
    for (int i = 0; i < L; i++) {
        double x = L > 1 ? (double)i / (L - 1) : 0.0;
        double e = m->err_first + (m->err_last - m->err_first) * x * x;
        double q = e > 0 ? round(-10.0 * log10(e)) : 40.0;
        m->n_below[i] = threshold(m->n_rate);
        m->err_below[i] = threshold(m->n_rate + e); /* one draw: [0, n) N, [n, n + e) substitution */
        m->qual[i] = (char)(33 + (q < 2 ? 2 : q > 40 ? 40 : (int)q));
    }
    return GB_OK;
}

void simreads_model_destroy(simreads_model_t *m)
{
    free(m->n_below);
    free(m->err_below);
    free(m->qual);
    m->n_below = m->err_below = NULL;
    m->qual = NULL;
}

void simreads_normalise(char *seq, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        char c = seq[i] & (char)~0x20; /* upper case */
        seq[i] = (c == 'A' || c == 'C' || c == 'G' || c == 'T') ? c : 'N';
    }
}

static char complement(char c)
{
    switch (c) {
    case 'A': return 'T';
    case 'C': return 'G';
    case 'G': return 'C';
    case 'T': return 'A';
    default: return 'N';
    }
}

/* Copy read_len bases of src (forward from src, or reverse-complemented backwards from
 * src[read_len - 1] when rc) through the error model into out/qual. */
static void make_read(simrng_t *r, const simreads_model_t *m, const char *src, int rc, char *out, char *qual)
{
    static const char others[4][3] = {{'C', 'G', 'T'}, {'A', 'G', 'T'}, {'A', 'C', 'T'}, {'A', 'C', 'G'}};
    int L = m->read_len;
    for (int i = 0; i < L; i++) {
        char b = rc ? complement(src[L - 1 - i]) : src[i];
        char q = m->qual[i];
        uint64_t u = simrng_next(r);
        if (b == 'N' || u < m->n_below[i]) {
            b = 'N';
            q = 33 + 2;
        } else if (u < m->err_below[i]) {
            int k = b == 'A' ? 0 : b == 'C' ? 1 : b == 'G' ? 2 : 3;
            b = others[k][simrng_below(r, 3)];
            q = (char)(33 + 2 + simrng_below(r, 10));
        }
        out[i] = b;
        qual[i] = q;
    }
}

void simreads_fragment(simrng_t *r, const simreads_model_t *m, const simreads_genome_t *g, char *r1, char *q1, char *r2,
                       char *q2)
{
    uint64_t total = g->rec_start[g->nrec], pos, lo, hi, len;
    uint32_t rec;
    for (;;) {
        pos = simrng_below(r, total);
        uint32_t a = 0, b = g->nrec; /* the record holding pos: rec_start[a] <= pos < rec_start[a + 1] */
        while (b - a > 1) {
            uint32_t mid = a + (b - a) / 2;
            if (g->rec_start[mid] <= pos) a = mid;
            else b = mid;
        }
        rec = a;
        lo = g->rec_start[rec];
        hi = g->rec_start[rec + 1];
        if (hi - lo >= (uint64_t)m->read_len) break;
    }
    len = (uint64_t)m->read_len;
    if (r2) {
        double f = round(m->insert_mean + m->insert_sd * simrng_normal(r));
        len = f < m->read_len ? (uint64_t)m->read_len : (uint64_t)f;
        if (len > hi - lo) len = hi - lo;
    }
    if (pos + len > hi) pos = hi - len;
    const char *frag = g->seq + pos;
    int reverse = (int)(simrng_next(r) >> 63);
    /* forward: mate 1 = frag[0, L), mate 2 = revcomp(frag[len - L, len)); reverse strand: the
     * same on the reverse complement, i.e. mate 1 = revcomp(frag[len - L, len)), mate 2 = frag[0, L) */
    const char *tail = frag + len - (uint64_t)m->read_len;
    make_read(r, m, reverse ? tail : frag, reverse, r1, q1);
    if (r2) make_read(r, m, reverse ? frag : tail, !reverse, r2, q2);
}
