/* Sorting (minimizer hash, taxon) pairs for the database build. Pure compute over
 * caller-owned arrays: pairs are two parallel arrays h[] (64-bit hashes) and t[] (taxa).
 *
 * The build spills sorted runs and merges them per partition (pipeline/build_spill.c): a
 * partition is the set of hashes sharing their top `bits` bits, so partitions in ascending
 * order are the hashes in ascending order. kmer_sort_partition scatters pairs into partitions
 * (one stable counting pass); kmer_sort_merge sorts one partition (LSD radix on the bits below
 * the partition's, 9 bits a pass: a partition of ~10^4 pairs stays in cache) and merges equal
 * hashes by LCA, so the result depends only on the multiset of pairs, never on their order. */
#ifndef GB_KMER_SORT_H
#define GB_KMER_SORT_H
#include <stddef.h>
#include <stdint.h>

#define KMER_SORT_MAX_BITS 16 /* partition bits a caller may ask for */

/* Scatter pairs (h, t)[0..n) by the top `bits` bits of h into (h_out, t_out), keeping their
 * order inside a partition; start[p] .. start[p+1] is partition p's range (start has
 * 2^bits + 1 entries). 1 <= bits <= KMER_SORT_MAX_BITS. */
void kmer_sort_partition(const uint64_t *h, const uint32_t *t, size_t n, int bits, uint64_t *h_out, uint32_t *t_out,
                         uint64_t *start);

/* Sort pairs (h, t)[0..n), whose hashes share their top `bits` bits (0 <= bits <= 64), by hash
 * and merge pairs of equal hash into one whose taxon is the LCA under parent[] (t > 0).
 * h_tmp and t_tmp are scratch of n entries. Returns the number of distinct hashes d; the result
 * is (h, t)[0..d), ascending. */
size_t kmer_sort_merge(uint64_t *h, uint32_t *t, size_t n, int bits, uint64_t *h_tmp, uint32_t *t_tmp,
                       const uint32_t *parent);

/* kmer_sort_merge for pairs that are already sorted runs, each ascending with distinct hashes:
 * run r is [bounds[r], bounds[r+1]), bounds has nruns + 1 entries, bounds[0] = 0. The runs are
 * merged pairwise (log2(nruns) linear passes, fewer than the radix passes). Same result and
 * scratch as kmer_sort_merge. */
size_t kmer_sort_merge_runs(uint64_t *h, uint32_t *t, const size_t *bounds, size_t nruns, uint64_t *h_tmp,
                            uint32_t *t_tmp, const uint32_t *parent);

#endif
