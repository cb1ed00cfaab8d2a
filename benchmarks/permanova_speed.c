/* PERMANOVA speed benchmark (issue 4 target: >= 50x faster than vegan::adonis2, which takes
 * 60 s at 1,000 samples and ~13 min at 2,000 for 4 terms, 999 permutations, by = "margin").
 *
 * A synthetic cohort per size: `features` taxa with zero-inflated log-normal counts, and four
 * model terms as in the gutbrain use case (depression 0/1, age, sex 0/1, BMI), depression
 * shifting 5% of the taxa. Bray-Curtis on relative abundances (kernels/diversity.c, packed
 * lower triangle), the Gower matrix, permanova_create and permanova_run are timed separately, then PCoA
 * (pcoa(), -k axes, 0 = skip) and betadisper + permutest on the depression groups. One row per size: wall
 * seconds of each phase, peak RSS, memory of the Gower matrix, and a checksum of the table
 * (sum of F and p over the terms), which must not change with the thread count.
 * --dump DIR writes DIR/abund_N.tsv and DIR/meta_N.tsv (and the F values to DIR/f_N.txt) so
 * benchmarks/permanova_speed.sh can run adonis2 on the same data.
 *
 * usage: permanova_speed [-n N[,N...]] [-f features] [-p perms] [-t threads] [-s seed]
 *                        [-b margin|terms] [-k axes] [--dump DIR] */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include "diversity.h"
#include "pcoa.h"
#include "gower.h"
#include "permanova.h"
#include "betadisper.h"
#include "version.h"

enum { NTERM = 4 };
static const char *const term_name[NTERM] = {"depression", "age", "sex", "bmi"};

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static uint64_t splitmix(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static double unif(uint64_t *s) { return ((double)(splitmix(s) >> 11) + 0.5) * 0x1.0p-53; }

static double normal(uint64_t *s) { return sqrt(-2 * log(unif(s))) * cos(6.283185307179586 * unif(s)); }

/* Counts (n x f) and the design (n x 4, one column per term). */
static void simulate(size_t n, size_t f, uint64_t seed, double *count, double *x)
{
    uint64_t s = seed;
    for (size_t i = 0; i < n; i++) {
        double dep = unif(&s) < 0.3, age = 20 + 50 * unif(&s), sex = unif(&s) < 0.5;
        double bmi = 25 + 4 * normal(&s);
        double row[NTERM] = {dep, age, sex, bmi};
        memcpy(x + i * NTERM, row, sizeof row);
        for (size_t k = 0; k < f; k++) {
            double mu = 3 - 4.0 * (double)k / (double)f + 0.5 * normal(&s);
            if (k % 20 == 0) mu += 0.8 * dep;
            mu += 0.005 * (age - 45) * (k % 7 == 0);
            count[i * f + k] = unif(&s) < 0.4 ? 0 : floor(exp(mu + normal(&s)));
        }
    }
}

/* Bray-Curtis on relative abundances (the pipeline's kernel) into d, packed lower. */
static int bray_lower(const double *count, size_t n, size_t f, int threads, double *d)
{
    double *rel = malloc(n * f * sizeof *rel);
    if (!rel) return -1;
    for (size_t i = 0; i < n; i++) {
        double total = 0;
        for (size_t k = 0; k < f; k++) total += count[i * f + k];
        for (size_t k = 0; k < f; k++) rel[i * f + k] = total > 0 ? count[i * f + k] / total : 0;
    }
    diversity_dist_t out = {DIVERSITY_LOWER, d, NULL, 0, 0};
    int rc = diversity_bray_curtis(rel, n, f, threads, &out);
    free(rel);
    return rc;
}

static void dump(const char *dir, size_t n, size_t f, const double *count, const double *x, const permanova_row_t *rows)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/abund_%zu.tsv", dir, n);
    FILE *fp = fopen(path, "w");
    if (!fp) return;
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < f; k++) fprintf(fp, "%.17g%c", count[i * f + k], k + 1 < f ? '\t' : '\n');
    fclose(fp);
    snprintf(path, sizeof path, "%s/meta_%zu.tsv", dir, n);
    if (!(fp = fopen(path, "w"))) return;
    fprintf(fp, "%s\t%s\t%s\t%s\n", term_name[0], term_name[1], term_name[2], term_name[3]);
    for (size_t i = 0; i < n; i++)
        fprintf(fp, "%.17g\t%.17g\t%.17g\t%.17g\n", x[i * 4], x[i * 4 + 1], x[i * 4 + 2], x[i * 4 + 3]);
    fclose(fp);
    snprintf(path, sizeof path, "%s/f_%zu.txt", dir, n);
    if (!(fp = fopen(path, "w"))) return;
    for (int k = 0; k < NTERM; k++) fprintf(fp, "%.17g %.17g %.17g\n", rows[k].ss, rows[k].f, rows[k].p);
    fclose(fp);
}

static long peak_rss_mb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss / 1024;
}

/* betadisper + permutest on the depression groups; returns its p (wall time in *secs). */
static double dispersion(const double *g, size_t n, const double *x, uint64_t perms, int threads, uint64_t seed,
                         double *secs)
{
    double t0 = now(), *z = malloc(n * sizeof *z), f, df1, df2, p;
    int *group = malloc(n * sizeof *group);
    uint64_t exceed = 0;
    for (size_t i = 0; i < n; i++) group[i] = x[i * NTERM] > 0.5;
    int rc = betadisper_centroid(g, n, group, 2, z, NULL, NULL);
    if (!rc) rc = betadisper_anova(z, n, group, 2, &f, &df1, &df2, &p);
    if (!rc) rc = betadisper_count_random(z, n, group, 2, f, seed, 0, perms, threads, &exceed);
    free(z);
    free(group);
    *secs = now() - t0;
    return rc ? NAN : (exceed + 1.0) / (perms + 1.0);
}

/* PCoA with `axes` axes; returns the first eigenvalue (wall time in *secs). */
static double ordination(const double *g, size_t n, size_t axes, double *secs)
{
    double t0 = now(), *eig = malloc(n * sizeof *eig), *coord = malloc(n * axes * sizeof *coord);
    int rc = pcoa(g, n, axes, eig, coord);
    double first = rc ? NAN : eig[0];
    free(eig);
    free(coord);
    *secs = now() - t0;
    return first;
}

static int run_one(size_t n, size_t f, uint64_t perms, int threads, uint64_t seed, permanova_by_t by, size_t axes,
                   const char *dumpdir)
{
    double *count = malloc(n * f * sizeof *count), *x = malloc(n * NTERM * sizeof *x);
    double *d = malloc(n * (n - 1) / 2 * sizeof *d), *g = malloc(gower_packed_size(n) * sizeof *g);
    if (!count || !x || !d || !g) {
        fprintf(stderr, "out of memory at n = %zu\n", n);
        return 1;
    }
    simulate(n, f, seed, count, x);
    int assign[NTERM] = {0, 1, 2, 3};
    permanova_row_t rows[NTERM + 2];
    permanova_t *t = NULL;
    double t0 = now();
    int rc = bray_lower(count, n, f, threads, d);
    double t1 = now();
    if (!rc) rc = gower_lower(d, n, g);
    double t2 = now();
    if (!rc) rc = permanova_create(g, n, x, NTERM, assign, NTERM, by, &t);
    double t3 = now();
    if (!rc) rc = permanova_run(t, perms, seed, threads, rows);
    double t4 = now();
    if (rc) {
        fprintf(stderr, "permanova failed at n = %zu: %d\n", n, rc);
        return 1;
    }
    double checksum = 0, disp_s = 0, pcoa_s = 0;
    for (int k = 0; k < NTERM; k++) checksum += rows[k].f + rows[k].p;
    double disp_p = dispersion(g, n, x, perms, threads, seed, &disp_s);
    double eig1 = axes ? ordination(g, n, axes, &pcoa_s) : NAN;
    printf("%7zu %8zu %5d %6llu %6s %8.2f %8.3f %8.3f %9.2f %9.2f %8.2f %8.2f %8ld %8.1f %.15g\n", n, f, NTERM,
           (unsigned long long)perms, by == PERMANOVA_BY_MARGIN ? "margin" : "terms", t1 - t0, t2 - t1, t3 - t2,
           t4 - t3, t4 - t0, disp_s, pcoa_s, peak_rss_mb(), gower_packed_size(n) * 8.0 / 1e6, checksum);
    printf("#   betadisper(depression) permutest p %.4f; PCoA first eigenvalue %.10g\n", disp_p, eig1);
    for (int k = 0; k < NTERM; k++)
        printf("#   %-10s df %g SS %.10g R2 %.6f F %.10g p %.4f\n", term_name[k], rows[k].df, rows[k].ss, rows[k].r2,
               rows[k].f, rows[k].p);
    fflush(stdout);
    if (dumpdir) dump(dumpdir, n, f, count, x, rows);
    permanova_destroy(t);
    free(count);
    free(x);
    free(d);
    free(g);
    return 0;
}

int main(int argc, char **argv)
{
    char sizes[256] = "1000,2000";
    size_t f = 500;
    uint64_t perms = 999, seed = 42;
    int threads = 2;
    permanova_by_t by = PERMANOVA_BY_MARGIN;
    const char *dumpdir = NULL;
    size_t axes = 10;
    for (int a = 1; a < argc; a++) {
        const char *v = a + 1 < argc ? argv[a + 1] : NULL;
        if (!v) break;
        if (!strcmp(argv[a], "-n")) snprintf(sizes, sizeof sizes, "%s", v);
        else if (!strcmp(argv[a], "-f")) f = strtoull(v, NULL, 10);
        else if (!strcmp(argv[a], "-p")) perms = strtoull(v, NULL, 10);
        else if (!strcmp(argv[a], "-t")) threads = atoi(v);
        else if (!strcmp(argv[a], "-s")) seed = strtoull(v, NULL, 10);
        else if (!strcmp(argv[a], "-b")) by = strcmp(v, "terms") ? PERMANOVA_BY_MARGIN : PERMANOVA_BY_TERMS;
        else if (!strcmp(argv[a], "-k")) axes = strtoull(v, NULL, 10);
        else if (!strcmp(argv[a], "--dump")) dumpdir = v;
        else {
            fprintf(stderr, "unknown option %s\n", argv[a]);
            return 1;
        }
        a++;
    }
    printf("# gutbrain %s permanova_speed:", GB_VERSION);
    for (int a = 0; a < argc; a++) printf(" %s", argv[a]);
    printf("\n# threads %d, seed %llu; times in wall seconds; rss = peak resident MB so far\n", threads,
           (unsigned long long)seed);
    printf("# total_s = bray + gower + qr + perm (the adonis2 equivalent); disp_s = betadisper +\n"
           "# permutest; pcoa_s = PCoA with %zu axes (0: skipped)\n",
           axes);
    printf("%7s %8s %5s %6s %6s %8s %8s %8s %9s %9s %8s %8s %8s %8s %s\n", "samples", "features", "terms", "perms",
           "by", "bray_s", "gower_s", "qr_s", "perm_s", "total_s", "disp_s", "pcoa_s", "rss_MB", "G_MB", "checksum");
    for (char *tok = strtok(sizes, ","); tok; tok = strtok(NULL, ","))
        if (run_one(strtoull(tok, NULL, 10), f, perms, threads, seed, by, axes, dumpdir)) return 1;
    return 0;
}
