/* Helpers shared by the unit tests, header-only (each test is one program, one translation
 * unit): the splitmix64 generator and the GB_TEST_SEED seed, temporary directories under
 * $TMPDIR (one per test or one per program, removed when the tests pass), whole-file reads
 * and writes and stderr capture, comparison of doubles against reference values and a
 * reference Bray-Curtis, the test data and, with TEST_UTIL_MPI defined before the include,
 * the start and end of a program that runs its tests under MPI. cohort_mpi_driver.c uses the
 * generator too, so its cohorts follow the same streams. */
#ifndef GB_TEST_UTIL_H
#define GB_TEST_UTIL_H
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
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

static inline uint64_t test_rng_next(test_rng_t *rng) { return test_rng_mix(rng->state += TEST_RNG_GAMMA); }

/* Uniform on [0, 1) with 53 random bits. */
static inline double test_rng_uniform(test_rng_t *rng) { return (double)(test_rng_next(rng) >> 11) * 0x1.0p-53; }

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
    if (passed) test_tmpdir_remove(dir);
    else fprintf(stderr, "%s: temporary files kept in %s\n", program_invocation_short_name, dir);
}

/* A temporary directory per test: cmocka setup/teardown pair, the test_tmpdir_t in *state. */
typedef struct {
    char dir[256];
    int passed; /* set as the last statement of a test; the directory is kept otherwise */
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
#define test_tmpdir_unit_test(test) cmocka_unit_test_setup_teardown(test, test_tmpdir_setup, test_tmpdir_teardown)

/* ---------- files ---------- */

/* "dir/name" (caller frees). */
static inline char *test_path(const char *dir, const char *name)
{
    char *path = NULL;
    assert_true(asprintf(&path, "%s/%s", dir, name) > 0);
    return path;
}

/* path holds exactly the n bytes of data. */
static inline void test_write_file(const char *path, const void *data, size_t n)
{
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(data, 1, n, fp), n);
    assert_int_equal(fclose(fp), 0);
}

/* The whole file, NUL-terminated (caller frees); its length in *len unless len is NULL. */
static inline char *test_read_file(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    assert_int_equal(fseek(fp, 0, SEEK_END), 0);
    long size = ftell(fp);
    assert_true(size >= 0);
    rewind(fp);
    char *data = malloc((size_t)size + 1);
    assert_non_null(data);
    assert_int_equal(fread(data, 1, (size_t)size, fp), (size_t)size);
    assert_int_equal(fclose(fp), 0);
    data[size] = '\0';
    if (len) *len = (size_t)size;
    return data;
}

/* Sends stderr to path (created or emptied) until test_stderr_end; returns the descriptor
 * that test_stderr_end puts back. */
static inline int test_stderr_begin(const char *path)
{
    fflush(stderr);
    int saved = dup(STDERR_FILENO);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    assert_true(saved >= 0 && fd >= 0);
    dup2(fd, STDERR_FILENO);
    close(fd);
    return saved;
}

/* Puts stderr back; returns what was logged to path meanwhile (caller frees). */
static inline char *test_stderr_end(const char *path, int saved)
{
    fflush(stderr);
    dup2(saved, STDERR_FILENO);
    close(saved);
    return test_read_file(path, NULL);
}

/* Newlines in text: the number of log lines a capture holds. */
static inline int test_count_lines(const char *text)
{
    int n = 0;
    for (; *text; text++) n += *text == '\n';
    return n;
}

/* ---------- doubles against reference values ---------- */

static double test_max_rel_err; /* largest difference test_expect_close* has seen, for a summary */

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
static inline void test_expect_close_n(const char *what, const double *got, size_t stride, const double *want, size_t n,
                                       double rel)
{
    double worst = 0.0;
    size_t exact = 0;
    for (size_t i = 0; i < n; i++) {
        double d = test_rel_diff(got[i * stride], want[i]);
        if (d > worst) worst = d;
        exact += d == 0.0;
        if (!(d <= rel))
            fail_msg("%s[%zu]: got %.17g, want %.17g (rel. diff %.3g > %.3g)", what, i, got[i * stride], want[i], d,
                     rel);
    }
    if (worst > test_max_rel_err) test_max_rel_err = worst;
    printf("  %-34s n=%-4zu max rel diff vs R %.3g (%zu bit-identical)\n", what, n, worst, exact);
}

/* Bray-Curtis between the n rows of x (n x p, row-major; each row first divided by its sum
 * when relative) into d (n x n), as the textbook writes it: sum |a - b| / sum (a + b) over
 * features in order. A reference for the kernels, which compute it another way. */
static inline void test_bray_curtis(const double *x, size_t n, size_t p, int relative, double *d)
{
    double *rel = malloc(n * p * sizeof *rel);
    assert_non_null(rel);
    for (size_t i = 0; i < n; i++) {
        double total = 0;
        for (size_t k = 0; k < p; k++) total += x[i * p + k];
        for (size_t k = 0; k < p; k++) rel[i * p + k] = relative ? x[i * p + k] / total : x[i * p + k];
    }
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) {
            double num = 0, den = 0;
            for (size_t k = 0; k < p; k++) {
                num += fabs(rel[i * p + k] - rel[j * p + k]);
                den += rel[i * p + k] + rel[j * p + k];
            }
            d[i * n + j] = num / den;
        }
    free(rel);
}

/* ---------- test data ---------- */

/* $GUTBRAIN_DATA, else ../shared/data (next to the repository: the tests run from its root). */
static inline const char *test_data_dir(void)
{
    const char *dir = getenv("GUTBRAIN_DATA");
    return dir && *dir ? dir : "../shared/data";
}

/* The Kovtun 2022 MDD cohort of the test data through tests/integration/data/kovtun_to_biom.py
 * (with options, "" for none) into dir/biom and dir/meta. Skips the test when the cohort's file
 * `needs` or python's biom-format is missing. */
static inline void test_kovtun_to_biom(const char *needs, const char *options, const char *dir, const char *biom,
                                       const char *meta)
{
    char *cohort = test_path(test_data_dir(), "cohorts/kovtun2022_MDD"), *src = test_path(cohort, needs);
    if (access(src, R_OK) != 0 || system("/usr/bin/python3 -c 'import biom, h5py' 2>/dev/null") != 0) {
        printf("no Kovtun data at %s or no python biom-format: skipped\n", src);
        free(src);
        free(cohort);
        skip();
    }
    char *cmd = NULL;
    assert_true(asprintf(&cmd,
                         "/usr/bin/python3 tests/integration/data/kovtun_to_biom.py %s --data '%s' "
                         "'%s/%s' '%s/%s' >/dev/null",
                         options, cohort, dir, biom, dir, meta) > 0);
    assert_int_equal(system(cmd), 0);
    free(cmd);
    free(src);
    free(cohort);
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
