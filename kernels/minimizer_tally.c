/* Per-taxon minimizer events and exact distinct (taxon, minimizer) pairs (minimizer_tally.h).
 * The set is linear probing over a power-of-two table kept at most half full; taxon 0 (never
 * an event's taxon) marks an empty slot, so every 64-bit minimizer value can be stored. */
#include <stdlib.h>
#include <string.h>
#include "minimizer_tally.h"

#define MIN_SLOTS 1024

/* Minimizers are not uniformly spread (Kraken 2 XORs a constant into them), so the slot comes
 * from a full 64-bit finaliser (MurmurHash3's fmix64) of the pair. */
static uint64_t pair_hash(uint32_t taxon, uint64_t minimizer)
{
    uint64_t h = minimizer ^ ((uint64_t)taxon * 0x9E3779B97F4A7C15ull);
    h ^= h >> 33;
    h *= 0xFF51AFD7ED558CCDull;
    h ^= h >> 33;
    h *= 0xC4CEB9FE1A85EC53ull;
    h ^= h >> 33;
    return h;
}

/* Slot of the pair, or of the empty slot where it belongs. */
static size_t find_slot(const minimizer_tally_t *t, uint32_t taxon, uint64_t minimizer)
{
    size_t mask = t->cap - 1, i = (size_t)pair_hash(taxon, minimizer) & mask;
    while (t->taxa[i] != 0 && (t->taxa[i] != taxon || t->minimizers[i] != minimizer)) i = (i + 1) & mask;
    return i;
}

/* Rebuild the set with cap slots (a power of two holding more than twice the pairs). */
static int rehash(minimizer_tally_t *t, size_t cap)
{
    minimizer_tally_t fresh = *t;
    fresh.cap = cap;
    fresh.minimizers = malloc(cap * sizeof *fresh.minimizers);
    fresh.taxa = calloc(cap, sizeof *fresh.taxa);
    if (!fresh.minimizers || !fresh.taxa) {
        free(fresh.minimizers);
        free(fresh.taxa);
        return GB_E_NOMEM;
    }
    for (size_t i = 0; i < t->cap; i++) {
        if (t->taxa[i] == 0) continue;
        size_t j = find_slot(&fresh, t->taxa[i], t->minimizers[i]);
        fresh.taxa[j] = t->taxa[i];
        fresh.minimizers[j] = t->minimizers[i];
    }
    free(t->minimizers);
    free(t->taxa);
    *t = fresh;
    return GB_OK;
}

int minimizer_tally_init(minimizer_tally_t *t, uint32_t ntaxa)
{
    *t = (minimizer_tally_t){
        .events = calloc(ntaxa ? ntaxa : 1, sizeof *t->events),
        .ntaxa = ntaxa,
        .minimizers = malloc(MIN_SLOTS * sizeof *t->minimizers),
        .taxa = calloc(MIN_SLOTS, sizeof *t->taxa),
        .cap = MIN_SLOTS,
    };
    if (t->events && t->minimizers && t->taxa) return GB_OK;
    minimizer_tally_free(t);
    return GB_E_NOMEM;
}

void minimizer_tally_free(minimizer_tally_t *t)
{
    free(t->events);
    free(t->minimizers);
    free(t->taxa);
    *t = (minimizer_tally_t){0};
}

/* Room for `more` pairs with the table at most half full. */
static int reserve(minimizer_tally_t *t, size_t more)
{
    size_t cap = t->cap;
    while (2 * (t->count + more) > cap) {
        if (cap > SIZE_MAX / 4 / sizeof *t->minimizers) return GB_E_NOMEM;
        cap *= 2;
    }
    return cap == t->cap ? GB_OK : rehash(t, cap);
}

/* Insert the pair if absent, counting `events` events for it either way. */
static int add_events(minimizer_tally_t *t, uint32_t taxon, uint64_t minimizer, uint64_t events)
{
    if (taxon == 0 || taxon >= t->ntaxa) return GB_E_USAGE;
    int rc = reserve(t, 1);
    if (rc != GB_OK) return rc;
    size_t i = find_slot(t, taxon, minimizer);
    if (t->taxa[i] == 0) {
        t->taxa[i] = taxon;
        t->minimizers[i] = minimizer;
        t->count++;
    }
    t->events[taxon] += events;
    return GB_OK;
}

int minimizer_tally_add(minimizer_tally_t *t, uint32_t taxon, uint64_t minimizer)
{
    return add_events(t, taxon, minimizer, 1);
}

int minimizer_tally_add_lookups(minimizer_tally_t *t, const uint64_t *keys, const uint32_t *found, size_t n)
{
    int rc = GB_OK;
    for (size_t j = 0; j < n && rc == GB_OK; j++)
        if (found[j] != 0) rc = add_events(t, found[j], keys[j], 1);
    return rc;
}

int minimizer_tally_add_mate(minimizer_tally_t *t, const classify_scratch_t *s)
{
    return minimizer_tally_add_lookups(t, s->distinct, s->found, s->lookups);
}

/* Pairs go in with no events; src's per-taxon event counts are added once at the end. */
int minimizer_tally_merge(minimizer_tally_t *dst, const minimizer_tally_t *src)
{
    if (dst->ntaxa != src->ntaxa) return GB_E_USAGE;
    int rc = reserve(dst, src->count); /* at most one rehash, not one per doubling */
    for (size_t i = 0; i < src->cap && rc == GB_OK; i++)
        if (src->taxa[i] != 0) rc = add_events(dst, src->taxa[i], src->minimizers[i], 0);
    if (rc != GB_OK) return rc;
    for (uint32_t x = 0; x < dst->ntaxa; x++) dst->events[x] += src->events[x];
    return GB_OK;
}

void minimizer_tally_distinct(const minimizer_tally_t *t, uint64_t *distinct)
{
    memset(distinct, 0, (size_t)t->ntaxa * sizeof *distinct);
    for (size_t i = 0; i < t->cap; i++)
        if (t->taxa[i] != 0) distinct[t->taxa[i]]++;
}
