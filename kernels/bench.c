/* Scoring against a known truth (bench.h): one pass over the fragments per rank with the rank
 * ancestors precomputed, so scoring is O(fragments + nodes) except for the ancestor walk of
 * calls that stop above the rank. */
#include "bench.h"
#include <math.h>
#include "taxonomy.h"

void bench_rank_ancestors(const uint32_t *parent, const uint8_t *is_rank, uint32_t n, uint32_t *anc)
{
    if (n == 0) return;
    anc[0] = 0;
    for (uint32_t i = 1; i < n; i++) anc[i] = is_rank[i] ? i : anc[parent[i]];
}

void bench_score_reads(const uint32_t *parent, const uint32_t *anc, const uint32_t *truth, const uint32_t *call,
                       size_t nfrag, bench_counts_t *c)
{
    for (size_t f = 0; f < nfrag; f++) {
        uint32_t t = anc[truth[f]];
        if (t == 0) c->excluded++;
        else if (call[f] == 0) c->fn++;
        else if (call[f] == BENCH_UNKNOWN_CALL) c->fp++;
        else if (anc[call[f]] != 0) {
            if (anc[call[f]] == t) c->tp++;
            else c->fp++;
        } else if (taxonomy_is_ancestor(parent, call[f], truth[f])) c->vertical++;
        else c->fp++;
    }
}

static double ratio(double a, double b) { return b > 0 ? a / b : NAN; }

static double harmonic(double a, double b)
{
    if (isnan(a) || isnan(b)) return NAN;
    return a + b > 0 ? 2 * a * b / (a + b) : 0;
}

bench_read_rates_t bench_read_rates(const bench_counts_t *c)
{
    double total = (double)(c->tp + c->vertical + c->fp + c->fn);
    bench_read_rates_t r;
    r.sensitivity = ratio((double)c->tp, total);
    r.precision = ratio((double)c->tp, (double)(c->tp + c->fp));
    r.f1 = harmonic(r.sensitivity, r.precision);
    r.unclassified = ratio((double)c->fn, total);
    return r;
}

void bench_profile_scores(const double *truth, const double *pred, size_t n, bench_profile_scores_t *out)
{
    double st = 0, sp = 0;
    for (size_t i = 0; i < n; i++) {
        st += truth[i];
        sp += pred[i];
    }
    double l1 = 0, sum = 0;
    uint64_t tp = 0, fp = 0, fn = 0;
    for (size_t i = 0; i < n; i++) {
        double t = st > 0 ? truth[i] / st : 0, p = sp > 0 ? pred[i] / sp : 0;
        l1 += fabs(t - p);
        sum += t + p;
        tp += t > 0 && p > 0;
        fp += t <= 0 && p > 0;
        fn += t > 0 && p <= 0;
    }
    out->l1 = l1;
    out->bray_curtis = sum > 0 ? l1 / sum : 0;
    out->completeness = ratio((double)tp, (double)(tp + fn));
    out->purity = ratio((double)tp, (double)(tp + fp));
    out->f1 = harmonic(out->completeness, out->purity);
    out->tp = tp;
    out->fp = fp;
    out->fn = fn;
}

static double sum_of(const double *x, uint32_t n)
{
    double s = 0;
    for (uint32_t i = 0; i < n; i++) s += x[i];
    return s;
}

double bench_tree_emd(const uint32_t *parent, const uint8_t *len, uint32_t n, const double *a, const double *b,
                      double *work)
{
    double sa = sum_of(a, n), sb = sum_of(b, n), emd = 0;
    for (uint32_t i = 0; i < n; i++) work[i] = (sa > 0 ? a[i] / sa : 0) - (sb > 0 ? b[i] / sb : 0);
    /* children after parents: one backward pass gathers every subtree's difference */
    for (uint32_t i = n; i-- > 2;) {
        emd += len[i] * fabs(work[i]);
        work[parent[i]] += work[i];
    }
    return emd;
}
