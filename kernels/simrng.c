/* xoshiro256** seeded by splitmix64, and uniform, bounded and normal draws (simrng.h). */
#include "simrng.h"
#include <math.h>

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

void simrng_seed(simrng_t *r, uint64_t seed, uint64_t stream)
{
    uint64_t x = seed + stream * 0x9E3779B97F4A7C15ull;
    for (int i = 0; i < 4; i++) r->s[i] = splitmix64(&x);
}

static inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

uint64_t simrng_next(simrng_t *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

double simrng_uniform(simrng_t *r) { return (double)(simrng_next(r) >> 11) * 0x1.0p-53; }

uint64_t simrng_below(simrng_t *r, uint64_t n)
{
    unsigned __int128 m = (unsigned __int128)simrng_next(r) * n;
    uint64_t low = (uint64_t)m;
    if (low < n) {
        uint64_t threshold = -n % n;
        while (low < threshold) {
            m = (unsigned __int128)simrng_next(r) * n;
            low = (uint64_t)m;
        }
    }
    return (uint64_t)(m >> 64);
}

double simrng_normal(simrng_t *r)
{
    double u, v, s;
    do {
        u = 2.0 * simrng_uniform(r) - 1.0;
        v = 2.0 * simrng_uniform(r) - 1.0;
        s = u * u + v * v;
    } while (s >= 1.0 || s == 0.0);
    return u * sqrt(-2.0 * log(s) / s);
}
