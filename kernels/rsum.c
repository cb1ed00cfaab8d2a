/* Grids of the reproducible sums (rsum.h). */
#include <math.h>
#include "rsum.h"

void rsum_scale_init(rsum_scale_t *s, double bound, size_t nterms)
{
    if (nterms < 2) nterms = 2;
    if (!(bound > 0.0) || !isfinite(bound)) bound = 1.0;
    /* level 1: the sum of nterms terms (each rounded up by at most half a grid step) stays
     * within 2^51 g1, so both the extraction (|x| < 2^51 g) and the accumulation (< 2^53 g)
     * are exact; a factor 2 of margin covers the rounding in the caller's bound. */
    int e, c;
    frexp(2.0 * bound * (double)nterms, &e); /* 2 bound nterms < 2^e */
    frexp((double)(nterms - 1), &c);         /* nterms <= 2^c */
    if (e < -800) e = -800;                  /* keep every grid a normal number */
    /* level l+1: rests are at most g_l / 2, so g_{l+1} = g_l x 2^(c - 52) keeps nterms of
     * them within 2^51 g_{l+1} */
    double g = ldexp(1.0, e - 51);
    for (int l = 0; l < RSUM_LEVELS; l++) {
        s->m[l] = 1.5 * ldexp(g, 52);
        g = ldexp(g, c - 52);
    }
}
