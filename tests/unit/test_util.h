/* Helpers shared by the unit tests, header-only (each test is one program, one translation
 * unit): the splitmix64 generator and the GB_TEST_SEED seed, temporary directories under
 * $TMPDIR (one per test or one per program, removed when the tests pass), comparison of
 * doubles against reference values, the test-data directory and, with TEST_UTIL_MPI defined
 * before the include, the start and end of a program that runs its tests under MPI.
 * cohort_mpi_driver.c uses the generator too, so its cohorts follow the same streams. */
#ifndef GB_TEST_UTIL_H
#define GB_TEST_UTIL_H
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <ftw.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---------- splitmix64 ---------- */

/* Fixed constants, not a library generator: a given seed gives the same stream everywhere. */
#define TEST_RNG_GAMMA 0x9e3779b97f4a7c15ULL

typedef struct {
    uint64_t state;
} test_rng_t;

/* splitmix64's output function, a bijection of 64-bit values. */
static inline uint64_t test_rng_mix(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static inline uint64_t test_rng_next(test_rng_t *rng)
{
    return test_rng_mix(rng->state += TEST_RNG_GAMMA);
}

/* Uniform on [0, 1) with 53 random bits. */
static inline double test_rng_uniform(test_rng_t *rng)
{
    return (double)(test_rng_next(rng) >> 11) * 0x1.0p-53;
}

/* $GB_TEST_SEED, or 12345; printed under `who` so that a failing run can be repeated. */
static inline uint64_t test_seed(const char *who)
{
    const char *env = getenv("GB_TEST_SEED");
    uint64_t seed = env ? strtoull(env, NULL, 10) : 12345;
    printf("%s: seed %llu (set GB_TEST_SEED to change)\n", who, (unsigned long long)seed);
    return seed;
}

/* ---------- temporary directories ---------- */

/* dir (size bytes) becomes a new directory $TMPDIR/<program>.XXXXXX; 0, or -1 with a message. */
static inline int test_tmpdir_make(char *dir, size_t size)
{
    const char *tmp = getenv("TMPDIR");
    int n = snprintf(dir, size, "%s/%s.XXXXXX", tmp && *tmp ? tmp : "/tmp", program_invocation_short_name);
    if (n < 0 || (size_t)n >= size || !mkdtemp(dir)) {
        fprintf(stderr, "%s: cannot make a temporary directory %s: %s\n", program_invocation_short_name,
                n < 0 ? "" : dir, strerror(errno));
        return -1;
    }
    return 0;
}

static inline int test_tmpdir_remove_entry(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
    (void)sb, (void)type, (void)ftw;
    return remove(path);
}

/* dir and everything in it. */
static inline void test_tmpdir_remove(const char *dir)
{
    if (nftw(dir, test_tmpdir_remove_entry, 16, FTW_DEPTH | FTW_PHYS) != 0)
        fprintf(stderr, "%s: cannot remove %s\n", program_invocation_short_name, dir);
}

/* Removes dir when the tests passed; otherwise keeps it for inspection and says where it is. */
static inline void test_tmpdir_finish(const char *dir, int passed)
{
    if (passed)
        test_tmpdir_remove(dir);
    else
        fprintf(stderr, "%s: temporary files kept in %s\n", program_invocation_short_name, dir);
}

/* A temporary directory per test: cmocka setup/teardown pair, the test_tmpdir_t in *state. */
typedef struct {
    char dir[256];
    int passed;   /* set as the last statement of a test; the directory is kept otherwise */
} test_tmpdir_t;

static inline int test_tmpdir_setup(void **state)
{
    test_tmpdir_t *t = calloc(1, sizeof *t);
    if (!t || test_tmpdir_make(t->dir, sizeof t->dir) != 0) {
        free(t);
        return -1;
    }
    *state = t;
    return 0;
}

static inline int test_tmpdir_teardown(void **state)
{
    test_tmpdir_t *t = *state;
    test_tmpdir_finish(t->dir, t->passed);
    free(t);
    return 0;
}

/* A test table entry whose test gets its own directory. */
#define test_tmpdir_unit_test(test) \
    cmocka_unit_test_setup_teardown(test, test_tmpdir_setup, test_tmpdir_teardown)

/* ---------- doubles against reference values ---------- */

static double test_max_rel_err;   /* largest difference test_expect_close* has seen, for a summary */

/* |got - want| relative to |want| (absolute when want is 0); 0 when equal or both NaN,
 * infinite when only one is NaN or an infinity differs. */
static inline double test_rel_diff(double got, double want)
{
    if (got == want || (isnan(got) && isnan(want))) return 0.0;
    if (isnan(got) || isnan(want) || isinf(got) || isinf(want)) return INFINITY;
    return fabs(got - want) / (want != 0 ? fabs(want) : 1.0);
}

/* Fails the test, naming `what`, unless got is within rel of want (test_rel_diff); returns
 * the difference. */
static inline double test_expect_close(double got, double want, double rel, const char *what)
{
    double d = test_rel_diff(got, want);
    if (d > test_max_rel_err) test_max_rel_err = d;
    if (!(d <= rel)) fail_msg("%s: got %.17g, want %.17g (rel. diff %.3g > %.3g)", what, got, want, d, rel);
    return d;
}

/* test_expect_close over n values (got read with a stride), then one summary line: the
 * largest difference and how many values are bit-identical. */
static inline void test_expect_close_n(const char *what, const double *got, size_t stride, const double *want,
                                       size_t n, double rel)
{
    double worst = 0.0;
    size_t exact = 0;
    for (size_t i = 0; i < n; i++) {
        double d = test_rel_diff(got[i * stride], want[i]);
        if (d > worst) worst = d;
        exact += d == 0.0;
        if (!(d <= rel))
            fail_msg("%s[%zu]: got %.17g, want %.17g (rel. diff %.3g > %.3g)", what, i, got[i * stride],
                     want[i], d, rel);
    }
    if (worst > test_max_rel_err) test_max_rel_err = worst;
    printf("  %-34s n=%-4zu max rel diff vs R %.3g (%zu bit-identical)\n", what, n, worst, exact);
}

/* ---------- test data ---------- */

/* $GUTBRAIN_DATA, else ../shared/data (next to the repository: the tests run from its root). */
static inline const char *test_data_dir(void)
{
    const char *dir = getenv("GUTBRAIN_DATA");
    return dir && *dir ? dir : "../shared/data";
}

/* ---------- programs under MPI ---------- */

#ifdef TEST_UTIL_MPI
#include <mpi.h>

/* Sanitizer builds and Open MPI: it keeps memory on purpose at start-up and shutdown
 * (components it dlopens), so leaks reached from there are suppressed, with exact malloc
 * unwinding so those frames are seen; and LeakSanitizer's scan of dynamic TLS crashes on the
 * blocks of those components ("Tracer caught signal 11") unless __tls_get_addr is left alone.
 * Unused hooks in other builds. */
const char *__lsan_default_suppressions(void);
const char *__asan_default_options(void);
const char *__lsan_default_suppressions(void)
{
    return "leak:PMPI_Init\nleak:ompi_mpi_init\nleak:ompi_mpi_finalize\nleak:orte_init\nleak:opal_\n"
           "leak:event_base_loop\nleak:PMPI_File_\n";
}
const char *__asan_default_options(void) { return "fast_unwind_on_malloc=0:intercept_tls_get_addr=0"; }

/* Start of main(): MPI_Init and the program's temporary directory; 0, or main's exit code. */
static inline int test_mpi_begin(int *argc, char ***argv, char *tmpdir, size_t size)
{
    MPI_Init(argc, argv);
    if (test_tmpdir_make(tmpdir, size) == 0) return 0;
    MPI_Finalize();
    return 1;
}

/* End of main() after `failed` tests: the directory removed when none failed, MPI_Finalize;
 * returns main's exit code. */
static inline int test_mpi_end(const char *tmpdir, int failed)
{
    test_tmpdir_finish(tmpdir, failed == 0);
    MPI_Finalize();
    return failed != 0;
}
#endif

#endif
