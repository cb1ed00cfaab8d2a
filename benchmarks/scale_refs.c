/* Synthetic reference set for benchmarks/build_scale.sh: N mutated copies of each genome.
 *
 * Each input FASTA (plain or gzip) is genome g (its position on the command line); copy c of it
 * is written to OUTDIR/g%03d_c%02d.fna, sequence s named g%03dc%02ds%04d (ids without '|', so
 * Kraken 2 and gutbrain read the same seqid2taxid map). Every copy is mutated independently
 * from the original (a star tree, so copies share minimizers with each other only through the
 * original, as strains of one species do): mutation events fall at geometric gaps with rate -d
 * over the sequence; an event on an A/C/G/T base is a substitution (90 %, to one of the three
 * other bases, case kept), an insertion of 1-3 random bases after it (5 %) or a deletion of it
 * and up to 2 following bases (5 %); other codes (N, IUPAC) are copied unchanged.
 *
 * Deterministic: copy (g, c) draws from its own xoshiro256** stream seeded from (seed, g, c),
 * so the output does not depend on the thread count or order. Genomes are spread over OpenMP
 * threads; each is read once and its copies written in turn (80-column lines). Drawing gaps
 * instead of a number per base keeps the cost near that of copying: about 2 Gbp in ~1 min on
 * 2 cores, disk bound.
 *
 * OUTDIR/manifest.tsv lists every copy (file, genome, copy, bases, sequences) in order g, c.
 *
 * usage: scale_refs -o OUTDIR [-n copies (10)] [-d divergence (0.03)] [-s seed (1)] FASTA... */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define LINE 80

typedef struct {
    char *seq;     /* all sequences of the genome, concatenated, no newlines */
    size_t *start; /* start[s] .. start[s + 1]: sequence s */
    size_t nseq;
} genome_t;

typedef struct {
    size_t bases, nseq;
    int ok;
} copy_stat_t;

static void die(const char *msg, const char *arg)
{
    fprintf(stderr, "scale_refs: %s%s%s\n", msg, arg ? ": " : "", arg ? arg : "");
    exit(1);
}

static void *xrealloc(void *p, size_t n)
{
    p = realloc(p, n);
    if (!p) die("out of memory", NULL);
    return p;
}

/* ---- random numbers: splitmix64 seeds xoshiro256** ---- */

static uint64_t splitmix(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

typedef struct {
    uint64_t s[4];
} rng_t;

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static uint64_t rng_next(rng_t *r)
{
    uint64_t *s = r->s, out = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return out;
}

static double rng_unit(rng_t *r) { return ((double)(rng_next(r) >> 11) + 0.5) * 0x1.0p-53; }

static void rng_seed(rng_t *r, uint64_t seed, unsigned g, unsigned c)
{
    uint64_t x = seed ^ ((uint64_t)g << 32) ^ ((uint64_t)c << 16);
    for (int i = 0; i < 4; i++) r->s[i] = splitmix(&x);
}

/* Bases to the next event: geometric with success probability d (log1p(-d) precomputed). */
static size_t gap(rng_t *r, double log_keep)
{
    double g = floor(log(rng_unit(r)) / log_keep);
    return g > 1e15 ? (size_t)1e15 : (size_t)g;
}

/* ---- input ---- */

static void read_genome(const char *path, genome_t *gen)
{
    gzFile f = gzopen(path, "rb");
    if (!f) die("cannot open", path);
    gzbuffer(f, 1 << 20);
    size_t cap = 1 << 20, len = 0, scap = 64;
    char *raw = xrealloc(NULL, cap);
    int n;
    for (;;) {
        if (cap - len < (1u << 20)) raw = xrealloc(raw, cap *= 2);
        n = gzread(f, raw + len, (unsigned)(cap - len));
        if (n <= 0) break;
        len += (size_t)n;
    }
    if (n < 0) die("cannot read", path);
    gzclose(f);
    gen->seq = xrealloc(NULL, len + 1);
    gen->start = xrealloc(NULL, scap * sizeof *gen->start);
    gen->nseq = 0;
    size_t out = 0;
    for (size_t i = 0; i < len;) {
        char *eol = memchr(raw + i, '\n', len - i);
        size_t end = eol ? (size_t)(eol - raw) : len, stop = end;
        if (stop > i && raw[stop - 1] == '\r') stop--;
        if (raw[i] == '>') {
            if (gen->nseq + 2 > scap) gen->start = xrealloc(gen->start, (scap *= 2) * sizeof *gen->start);
            gen->start[gen->nseq++] = out;
        } else if (gen->nseq > 0) {
            memcpy(gen->seq + out, raw + i, stop - i);
            out += stop - i;
        } else if (stop > i) {
            die("sequence before the first '>' header", path);
        }
        i = end + 1;
    }
    if (gen->nseq == 0) die("no FASTA record", path);
    gen->start[gen->nseq] = out;
    free(raw);
}

/* ---- output ---- */

static int base_index(char b)
{
    switch (b | 0x20) {
    case 'a': return 0;
    case 'c': return 1;
    case 'g': return 2;
    case 't': return 3;
    default: return -1;
    }
}

/* Mutates src[0..n) into *dst (grown as needed); returns the new length. */
static size_t mutate(const char *src, size_t n, char **dst, size_t *cap, rng_t *r, double log_keep)
{
    static const char acgt[] = "ACGT";
    if (*cap < n + n / 8 + 64) *dst = xrealloc(*dst, *cap = n + n / 8 + 64);
    size_t i = 0, o = 0;
    while (i < n) {
        size_t run = gap(r, log_keep);
        if (run > n - i) run = n - i;
        memcpy(*dst + o, src + i, run);
        i += run;
        o += run;
        if (i == n) break;
        int b = base_index(src[i]);
        if (b < 0) {
            (*dst)[o++] = src[i++];
            continue;
        }
        uint64_t x = rng_next(r);
        unsigned kind = (unsigned)(x % 20), len = 1 + (unsigned)((x >> 8) % 3);
        char lower = (char)(src[i] & 0x20);
        if (kind < 18) { /* substitution: one of the three other bases */
            (*dst)[o++] = (char)(acgt[(b + 1 + (int)((x >> 16) % 3)) & 3] | lower);
            i++;
        } else if (kind == 18) { /* insertion after this base */
            if (*cap < o + n - i + 64) *dst = xrealloc(*dst, *cap = (o + n - i) * 2 + 64);
            (*dst)[o++] = src[i++];
            for (unsigned k = 0; k < len; k++) (*dst)[o++] = (char)(acgt[(x >> (20 + 2 * k)) & 3] | lower);
        } else { /* deletion of this base and up to len - 1 more */
            i += len < n - i ? len : n - i;
        }
    }
    return o;
}

static void write_seq(FILE *f, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i += LINE) {
        size_t k = n - i < LINE ? n - i : LINE;
        fwrite(s + i, 1, k, f);
        fputc('\n', f);
    }
}

static void write_copy(const char *outdir, unsigned g, unsigned c, const genome_t *gen, uint64_t seed, double log_keep,
                       copy_stat_t *st)
{
    char path[4096], *buf = NULL;
    size_t cap = 0;
    snprintf(path, sizeof path, "%s/g%03u_c%02u.fna", outdir, g, c);
    FILE *f = fopen(path, "wb");
    if (!f) die("cannot create", path);
    setvbuf(f, NULL, _IOFBF, 1 << 20);
    rng_t r;
    rng_seed(&r, seed, g, c);
    st->bases = 0;
    st->nseq = gen->nseq;
    for (size_t s = 0; s < gen->nseq; s++) {
        size_t n = mutate(gen->seq + gen->start[s], gen->start[s + 1] - gen->start[s], &buf, &cap, &r, log_keep);
        fprintf(f, ">g%03uc%02us%04zu\n", g, c, s);
        write_seq(f, buf, n);
        st->bases += n;
    }
    free(buf);
    st->ok = !ferror(f);
    if (fclose(f) != 0) st->ok = 0;
}

int main(int argc, char **argv)
{
    const char *outdir = NULL;
    unsigned copies = 10;
    double div = 0.03;
    uint64_t seed = 1;
    int a = 1;
    for (; a < argc && argv[a][0] == '-'; a += 2) {
        if (a + 1 >= argc) die("missing value for", argv[a]);
        if (!strcmp(argv[a], "-o")) outdir = argv[a + 1];
        else if (!strcmp(argv[a], "-n")) copies = (unsigned)strtoul(argv[a + 1], NULL, 10);
        else if (!strcmp(argv[a], "-d")) div = strtod(argv[a + 1], NULL);
        else if (!strcmp(argv[a], "-s")) seed = strtoull(argv[a + 1], NULL, 10);
        else die("unknown option", argv[a]);
    }
    int ngen = argc - a;
    if (!outdir || ngen < 1 || copies < 1 || copies > 99 || !(div > 0 && div < 0.5) || ngen > 999)
        die("usage: scale_refs -o OUTDIR [-n copies 1-99] [-d divergence 0-0.5] [-s seed] FASTA...", NULL);
    double log_keep = log1p(-div);
    copy_stat_t *st = calloc((size_t)ngen * copies, sizeof *st);
    if (!st) die("out of memory", NULL);

#pragma omp parallel for schedule(dynamic, 1)
    for (int g = 0; g < ngen; g++) {
        genome_t gen;
        read_genome(argv[a + g], &gen);
        for (unsigned c = 0; c < copies; c++)
            write_copy(outdir, (unsigned)g, c, &gen, seed, log_keep, &st[(size_t)g * copies + c]);
        free(gen.seq);
        free(gen.start);
    }

    char path[4096];
    snprintf(path, sizeof path, "%s/manifest.tsv", outdir);
    FILE *m = fopen(path, "w");
    if (!m) die("cannot create", path);
    fprintf(m, "#file\tgenome\tcopy\tbases\tsequences\tsource\n");
    for (int g = 0; g < ngen; g++)
        for (unsigned c = 0; c < copies; c++) {
            const copy_stat_t *s = &st[(size_t)g * copies + c];
            if (!s->ok) die("write failed (disk full?) under", outdir);
            fprintf(m, "g%03u_c%02u.fna\t%d\t%u\t%zu\t%zu\t%s\n", (unsigned)g, c, g, c, s->bases, s->nseq, argv[a + g]);
        }
    if (fclose(m) != 0) die("write failed", path);
    free(st);
    return 0;
}
