/* The simulator's random numbers: xoshiro256** (Blackman and Vigna, 2018) seeded through
 * splitmix64, plus the few distributions `gutbrain simulate` draws from. Written here, not
 * taken from the C library, so a seed gives the same cohort on every platform and libc.
 *
 * Streams: simrng_seed(r, seed, stream) gives an independent generator per (seed, stream)
 * pair: splitmix64 is started at seed + stream * 2^64/phi and its next four outputs fill the
 * state. `gutbrain simulate` uses stream 0 for the cohort (compositions, metadata) and stream
 * i + 1 for sample i's reads, so the output does not depend on which thread makes a sample. */
#ifndef GB_SIMRNG_H
#define GB_SIMRNG_H
#include <stdint.h>

typedef struct {
    uint64_t s[4];
} simrng_t;

void simrng_seed(simrng_t *r, uint64_t seed, uint64_t stream);
uint64_t simrng_next(simrng_t *r);
/* Uniform in [0, 1) with 53 random bits. */
double simrng_uniform(simrng_t *r);
/* Uniform integer in [0, n), n >= 1 (Lemire's multiply-and-reject, no modulo bias). */
uint64_t simrng_below(simrng_t *r, uint64_t n);
/* Standard normal (Marsaglia's polar method; the second value is discarded so that every
 * draw consumes whole generator outputs and a stream never carries hidden state). */
double simrng_normal(simrng_t *r);

#endif
