/* Scoring a classifier against a known truth (docs/BENCH.md): per-read confusion counts at one
 * rank with the Kraken 2 paper's definitions, and the profile metrics OPAL reports for one
 * rank (L1 norm, Bray-Curtis, completeness, purity, F1) and its weighted UniFrac on the
 * taxonomy. Pure compute over the flat taxonomy
 * arrays of taxonomy.h (parent[i] < i, 0 = none, 1 = root). */
#ifndef GB_BENCH_H
#define GB_BENCH_H
#include <stddef.h>
#include <stdint.h>
#include "gb_status.h"

/* A call at a taxid the taxonomy does not hold: scored as a false positive. */
#define BENCH_UNKNOWN_CALL UINT32_MAX

/* Fragment counts at one rank. total = tp + vertical + fp + fn; excluded (true taxon without
 * an ancestor at the rank) is not part of total. */
typedef struct {
    uint64_t tp, vertical, fp, fn, excluded;
} bench_counts_t;

/* anc[i] = the ancestor-or-self of node i whose rank flag is set (is_rank[i] != 0), 0 when its
 * lineage has none; n nodes. One pass, since parents come before children. */
void bench_rank_ancestors(const uint32_t *parent, const uint8_t *is_rank, uint32_t n, uint32_t *anc);

/* Adds the scores of fragments [0, nfrag) into *c. truth[f]: internal id of the true taxon
 * (never 0); call[f]: internal id called, 0 for unclassified, BENCH_UNKNOWN_CALL for a taxid
 * outside the taxonomy. anc: bench_rank_ancestors for the rank. Per fragment, with T = anc of
 * the truth and C = anc of the call: T == 0 -> excluded; call 0 -> fn; unknown call -> fp;
 * C != 0 -> tp when C == T, else fp; C == 0 -> vertical when the call is an ancestor of the
 * true taxon (it stops above the rank), else fp (another lineage). */
void bench_score_reads(const uint32_t *parent, const uint32_t *anc, const uint32_t *truth, const uint32_t *call,
                       size_t nfrag, bench_counts_t *c);

typedef struct {
    double sensitivity, precision, f1, unclassified; /* NaN when the denominator is 0 */
} bench_read_rates_t;
/* sensitivity = tp / total, precision = tp / (tp + fp), F1 their harmonic mean,
 * unclassified = fn / total. */
bench_read_rates_t bench_read_rates(const bench_counts_t *c);

/* OPAL's per-rank profile metrics between a true and a predicted profile over the same n taxa
 * (aligned arrays of non-negative abundances, any scale): each is divided by its own sum first
 * (an all-zero profile stays zero). A taxon is present when its abundance is > 0. */
typedef struct {
    double l1;           /* sum |t - p| of the normalised profiles, in [0, 2] */
    double bray_curtis;  /* sum |t - p| / sum (t + p), in [0, 1] */
    double completeness; /* present in both / present in truth (recall); NaN when none */
    double purity;       /* present in both / present in prediction (precision); NaN when none */
    double f1;           /* harmonic mean of the two; NaN when either is NaN, 0 when both 0 */
    uint64_t tp, fp, fn; /* taxa: present in both, only in the prediction, only in the truth */
} bench_profile_scores_t;
void bench_profile_scores(const double *truth, const double *pred, size_t n, bench_profile_scores_t *out);

/* Weighted UniFrac as an earth mover's distance on a tree: the masses a[i], b[i] sit on nodes
 * i of [0, n) (each profile divided by its own sum first; an all-zero one stays zero); every
 * node i >= 2 is joined to parent[i] < i by an edge of length len[i] (0: the node is contracted
 * into its parent), and the distance is the sum over the edges of length x |a - b| summed over
 * the subtree below the edge (the mass that has to cross it). work: n doubles of scratch. */
double bench_tree_emd(const uint32_t *parent, const uint8_t *len, uint32_t n, const double *a, const double *b,
                      double *work);

#endif
