/* Unit tests for the private temporaries of pipeline/fileio.c and their use by
 * pipeline/outfile.c: a temporary is created mode 0600 whatever the umask (a leftover of the
 * same name is replaced, never reused with its old mode or content), and gets the ordinary mode
 * 0666 & ~umask only when it is published under its final name (docs/SECURITY.md); and the
 * sweep of the temporaries a killed process left. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include "test_util.h"
#include <cmocka.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "fileio.h"
#include "outfile.h"

static mode_t mode_of(const char *path)
{
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    return st.st_mode & 07777;
}

/* Created 0600 even under umask 000; a leftover (0666, with content) is replaced. */
static void test_created_private(void **state)
{
    test_tmpdir_t *t = *state;
    char *path = test_path(t->dir, "x.tmp.1");
    mode_t old = umask(0);
    test_write_file(path, "old", 3);
    assert_int_equal(chmod(path, 0666), 0);
    int fd = fileio_create_private(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "new", 3), 3);
    assert_int_equal(close(fd), 0);
    assert_int_equal(mode_of(path), 0600);
    size_t len;
    char *text = test_read_file(path, &len);
    assert_int_equal(len, 3);
    assert_memory_equal(text, "new", 3);
    free(text);
    umask(old);
    free(path);
    t->passed = 1;
}

/* Published with 0666 & ~umask (remembered when fileio_remember_umask ran), tmp renamed away. */
static void test_published_with_umask(void **state)
{
    test_tmpdir_t *t = *state;
    char *tmp = test_path(t->dir, "y.tmp.2"), *final = test_path(t->dir, "y");
    static const mode_t masks[] = {022, 027, 077, 002};
    mode_t old = umask(0);
    for (size_t i = 0; i < sizeof masks / sizeof masks[0]; i++) {
        umask(masks[i]);
        fileio_remember_umask();
        int fd = fileio_create_private(tmp);
        assert_true(fd >= 0);
        assert_int_equal(close(fd), 0);
        assert_int_equal(mode_of(tmp), 0600);
        assert_int_equal(fileio_publish(tmp, final), 0);
        assert_int_equal(access(tmp, F_OK), -1);
        assert_int_equal(mode_of(final), 0666 & ~masks[i]);
    }
    umask(old);
    fileio_remember_umask();
    free(tmp);
    free(final);
    t->passed = 1;
}

/* outfile: the temporary it writes is private while open; the committed file has the umask's
 * mode; an aborted one leaves nothing. */
static void test_outfile_temporary(void **state)
{
    test_tmpdir_t *t = *state;
    char *final = test_path(t->dir, "table.tsv"), *tmp = NULL;
    mode_t old = umask(022);
    fileio_remember_umask();
    assert_true(asprintf(&tmp, "%s.tmp.%ld", final, (long)getpid()) > 0);
    outfile_t *o = outfile_open(final);
    assert_non_null(o);
    fputs("a\tb\n", outfile_fp(o));
    assert_int_equal(mode_of(tmp), 0600);
    assert_int_equal(access(final, F_OK), -1);
    assert_int_equal(outfile_commit(o), 0);
    assert_int_equal(mode_of(final), 0644);
    assert_int_equal(access(tmp, F_OK), -1);
    o = outfile_open(final);
    assert_non_null(o);
    fputs("half", outfile_fp(o));
    outfile_abort(o);
    assert_int_equal(access(tmp, F_OK), -1);
    size_t len;
    char *text = test_read_file(final, &len);
    assert_int_equal(len, 4);
    assert_memory_equal(text, "a\tb\n", 4);
    free(text);
    umask(old);
    fileio_remember_umask();
    free(tmp);
    free(final);
    t->passed = 1;
}

/* Leftover temporaries are removed; outputs, folders, links and look-alike names are kept. */
static void test_remove_temporaries(void **state)
{
    test_tmpdir_t *t = *state;
    static const char *gone[] = {"s1.profile.tsv.tmp.123", "cohort.biom.tmp.9", "a.tmp.b.tmp.77"};
    static const char *kept[] = {"s1.profile.tsv", "x.tmp.", "x.tmp.12a", "x.tmp", "tmp.5x", "notes.tmp.txt"};
    for (size_t i = 0; i < 3; i++) {
        char *p = test_path(t->dir, gone[i]);
        test_write_file(p, "x", 1);
        free(p);
    }
    for (size_t i = 0; i < 6; i++) {
        char *p = test_path(t->dir, kept[i]);
        test_write_file(p, "x", 1);
        free(p);
    }
    char *folder = test_path(t->dir, "dir.tmp.5"), *link = test_path(t->dir, "link.tmp.6");
    assert_int_equal(mkdir(folder, 0700), 0);
    assert_int_equal(symlink("s1.profile.tsv", link), 0);
    assert_int_equal(fileio_remove_temporaries(t->dir), 3);
    for (size_t i = 0; i < 3; i++) {
        char *p = test_path(t->dir, gone[i]);
        assert_int_equal(access(p, F_OK), -1);
        free(p);
    }
    for (size_t i = 0; i < 6; i++) {
        char *p = test_path(t->dir, kept[i]);
        assert_int_equal(access(p, F_OK), 0);
        free(p);
    }
    assert_int_equal(access(folder, F_OK), 0);
    assert_int_equal(unlink(link), 0);
    assert_int_equal(rmdir(folder), 0);
    assert_int_equal(fileio_remove_temporaries("/nonexistent/folder"), 0);
    free(folder);
    free(link);
    t->passed = 1;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        test_tmpdir_unit_test(test_created_private),
        test_tmpdir_unit_test(test_published_with_umask),
        test_tmpdir_unit_test(test_outfile_temporary),
        test_tmpdir_unit_test(test_remove_temporaries),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
