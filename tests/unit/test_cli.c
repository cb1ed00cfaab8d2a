/* Unit tests for the INI config reader of pipeline/cli.c: keys are the long names of the
 * option table, values trimmed and kept in the returned text, comments/sections/blank lines
 * skipped, flags set by true/yes/1, and every error one log line naming file:line with
 * GB_E_USAGE; plus cli_find_config's --config lookup. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include "test_util.h"
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"

/* clang-format off */
static const cli_option_t OPTS[] = {
    { "db", 0, "DIR", "database" },
    { "threads", 't', "N", "threads" },
    { "confidence", 0, "T", "threshold" },
    { "read-output", 0, NULL, "a flag" },
    { "config", 0, "FILE", "this file" },
    { "quiet", 'q', NULL, "another flag" },
};
/* clang-format on */
enum { N_OPTS = sizeof OPTS / sizeof OPTS[0], MAX_CALLS = 16 };

/* What on_opt saw, in order; fail_index makes it fail on that option. */
typedef struct {
    int n;
    int index[MAX_CALLS];
    const char *value[MAX_CALLS];
    int fail_index;
} calls_t;

static int record(void *ctx, int index, const char *value)
{
    calls_t *c = ctx;
    if (index == c->fail_index) return GB_E_FORMAT;
    assert_true(c->n < MAX_CALLS);
    c->index[c->n] = index;
    c->value[c->n++] = value;
    return GB_OK;
}

/* Writes text to dir/name; returns the path (caller frees). */
static char *put_file(test_tmpdir_t *f, const char *name, const char *text)
{
    char *path = test_path(f->dir, name);
    test_write_file(path, text, strlen(text));
    return path;
}

/* cli_read_config on path with stderr sent to a file; returns what was logged (caller frees). */
static char *read_capturing(test_tmpdir_t *f, const char *path, calls_t *calls, char **text, int *rc)
{
    char *log_path = test_path(f->dir, "stderr.txt");
    int saved = test_stderr_begin(log_path);
    *rc = cli_read_config(path, OPTS, N_OPTS, record, calls, text);
    char *log = test_stderr_end(log_path, saved);
    free(log_path);
    return log;
}

/* cli_read_config on text written to dir/name, its returned text freed at once: for the tests
 * that look at which options were applied, not at their values. Returns its result. */
static int read_text(test_tmpdir_t *f, const char *name, const char *text, calls_t *calls)
{
    char *path = put_file(f, name, text), *kept = NULL;
    int rc = cli_read_config(path, OPTS, N_OPTS, record, calls, &kept);
    free(kept);
    free(path);
    return rc;
}

/* Reads a config that must fail with GB_E_USAGE and log one line containing want. */
static void expect_usage_error(test_tmpdir_t *f, const char *text, const char *want, int calls_before)
{
    char *path = put_file(f, "bad.ini", text), *kept = NULL;
    calls_t calls = {.fail_index = -1};
    int rc;
    char *log = read_capturing(f, path, &calls, &kept, &rc);
    assert_int_equal(rc, GB_E_USAGE);
    char *where;
    assert_true(asprintf(&where, "%s:%s", path, want) > 0);
    if (!strstr(log, where)) fail_msg("log '%s' lacks '%s'", log, where);
    assert_int_equal(test_count_lines(log), 1);
    assert_int_equal(calls.n, calls_before); /* nothing applied after the bad line */
    free(where);
    free(log);
    free(kept);
    free(path);
}

/* ---------- tests ---------- */

static void test_keys_and_values(void **state)
{
    test_tmpdir_t *f = *state;
    const char *text = "; nightly run\n"
                       "[run]\n"
                       "db = /data/gutbrain/db\n"
                       "\n"
                       "   \t\n"
                       "# a comment\n"
                       "  threads\t=\t4  \r\n"
                       "confidence=0.1\n"
                       "db = a=b\n"
                       "[other]\n"
                       "threads ="; /* last line without a newline, empty value */
    char *path = put_file(f, "run.ini", text), *kept = (char *)1;
    calls_t calls = {.fail_index = -1};
    assert_int_equal(cli_read_config(path, OPTS, N_OPTS, record, &calls, &kept), GB_OK);
    static const struct {
        int index;
        const char *value;
    } want[] = {
        {0, "/data/gutbrain/db"}, {1, "4"}, {2, "0.1"}, {0, "a=b"}, {1, ""},
    };
    assert_int_equal(calls.n, 5);
    assert_non_null(kept);
    for (int i = 0; i < 5; i++) {
        assert_int_equal(calls.index[i], want[i].index);
        assert_string_equal(calls.value[i], want[i].value);
        /* values live in the returned text, valid until it is freed */
        assert_true(calls.value[i] >= kept && calls.value[i] < kept + strlen(text) + 1);
    }
    free(kept);
    free(path);
    f->passed = 1;
}

static void test_flags(void **state)
{
    test_tmpdir_t *f = *state;
    char *path = put_file(f, "flags.ini",
                          "read-output = true\n"
                          "quiet = yes\n"
                          "read-output = 1\n"
                          "read-output = false\n"
                          "quiet = no\n"
                          "read-output = 0\n"
                          "quiet = maybe\n");
    char *kept = NULL;
    calls_t calls = {.fail_index = -1};
    assert_int_equal(cli_read_config(path, OPTS, N_OPTS, record, &calls, &kept), GB_OK);
    assert_int_equal(calls.n, 3); /* true, yes and 1 set a flag; anything else leaves it */
    assert_int_equal(calls.index[0], 3);
    assert_int_equal(calls.index[1], 5);
    assert_int_equal(calls.index[2], 3);
    for (int i = 0; i < 3; i++) assert_null(calls.value[i]);
    free(kept);
    free(path);
    f->passed = 1;
}

/* Every option of the table but "config" is a key: the same table drives --help. */
static void test_every_long_name_is_a_key(void **state)
{
    test_tmpdir_t *f = *state;
    char text[1024] = "";
    for (int i = 0; i < N_OPTS; i++) {
        if (!strcmp(OPTS[i].name, "config")) continue;
        size_t len = strlen(text);
        snprintf(text + len, sizeof text - len, "%s = %s\n", OPTS[i].name, OPTS[i].metavar ? "x" : "true");
    }
    calls_t calls = {.fail_index = -1};
    assert_int_equal(read_text(f, "all.ini", text, &calls), GB_OK);
    assert_int_equal(calls.n, N_OPTS - 1);
    f->passed = 1;
}

static void test_empty_file(void **state)
{
    test_tmpdir_t *f = *state;
    calls_t calls = {.fail_index = -1};
    assert_int_equal(read_text(f, "empty.ini", "", &calls), GB_OK);
    assert_int_equal(calls.n, 0);
    f->passed = 1;
}

static void test_errors(void **state)
{
    test_tmpdir_t *f = *state;
    expect_usage_error(f, "db = x\n[s]\nbogus = 1\nthreads = 2\n", "3: unknown option 'bogus'", 1);
    expect_usage_error(f, "db = x\nno equals sign\nthreads = 2\n", "2: expected 'key = value'", 1);
    expect_usage_error(f, "config = other.ini\n", "1: unknown option 'config'", 0);
    expect_usage_error(f, "t = 4\n", "1: unknown option 't'", 0); /* long names only */
    expect_usage_error(f, "--threads = 4\n", "1: unknown option '--threads'", 0);
    expect_usage_error(f, "= 4\n", "1: unknown option ''", 0);
    f->passed = 1;
}

static void test_missing_file(void **state)
{
    test_tmpdir_t *f = *state;
    char *path = test_path(f->dir, "absent.ini"), *kept = (char *)1;
    calls_t calls = {.fail_index = -1};
    int rc;
    char *log = read_capturing(f, path, &calls, &kept, &rc);
    assert_int_equal(rc, GB_E_USAGE);
    assert_null(kept);
    assert_non_null(strstr(log, path));
    assert_int_equal(test_count_lines(log), 1);
    free(log);
    free(path);
    f->passed = 1;
}

/* An error of the callback (a bad value) is returned as it is and stops the reading. */
static void test_callback_error(void **state)
{
    test_tmpdir_t *f = *state;
    calls_t calls = {.fail_index = 1};
    assert_int_equal(read_text(f, "value.ini", "db = x\nthreads = many\nconfidence = 0\n", &calls), GB_E_FORMAT);
    assert_int_equal(calls.n, 1);
    f->passed = 1;
}

static void test_find_config(void **state)
{
    test_tmpdir_t *f = *state;
    char *a[] = {"run", "--db", "D", "--config", "c.ini", "--out", "O"};
    assert_string_equal(cli_find_config(7, a), "c.ini");
    char *b[] = {"run", "--config=d.ini", "--db", "D"};
    assert_string_equal(cli_find_config(4, b), "d.ini");
    char *c[] = {"run", "--db", "D"};
    assert_null(cli_find_config(3, c));
    char *d[] = {"run", "--db", "D", "--config"}; /* no value: cli_parse reports it */
    assert_null(cli_find_config(4, d));
    char *e[] = {"--config", "x.ini"}; /* argv[0] is the command, not looked at */
    assert_null(cli_find_config(2, e));
    f->passed = 1;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        test_tmpdir_unit_test(test_keys_and_values),
        test_tmpdir_unit_test(test_flags),
        test_tmpdir_unit_test(test_every_long_name_is_a_key),
        test_tmpdir_unit_test(test_empty_file),
        test_tmpdir_unit_test(test_errors),
        test_tmpdir_unit_test(test_missing_file),
        test_tmpdir_unit_test(test_callback_error),
        test_tmpdir_unit_test(test_find_config),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
