/* Whole-file reads, comparisons with a file's contents and line counting for pipeline/ (fileio.h). */
#include "fileio.h"
#include "gb_array.h"
#include "log.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int fileio_read_all(const char *path, const char *what, int quiet_missing, char **out, size_t *out_len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (quiet_missing && errno == ENOENT) gb_debug("%s: no %s yet", path, what);
        else gb_error("cannot open %s %s: %s", what, path, strerror(errno));
        return GB_E_IO;
    }
    struct stat st;
    /* a regular file's size + 2: the NUL and room for the read that sees the end */
    size_t hint = (fstat(fd, &st) == 0 && st.st_size > 0) ? (size_t)st.st_size + 2 : 1 << 16;
    char *buf = NULL;
    size_t cap = 0, len = 0;
    int rc = GB_GROW(buf, cap, hint);
    while (rc == GB_OK) {
        if ((rc = GB_GROW(buf, cap, len + 2)) != GB_OK) break; /* a byte more and the NUL */
        ssize_t got = read(fd, buf + len, cap - 1 - len);
        if (got == 0) break;
        if (got < 0) {
            if (errno == EINTR) continue;
            gb_error("cannot read %s %s: %s", what, path, strerror(errno));
            rc = GB_E_IO;
            break;
        }
        len += (size_t)got;
    }
    close(fd);
    if (rc != GB_OK) {
        if (rc == GB_E_NOMEM) gb_error("out of memory reading %s %s", what, path);
        free(buf);
        return rc;
    }
    buf[len] = '\0';
    *out = buf;
    *out_len = len;
    return GB_OK;
}

int fileio_holds(const char *path, const void *data, size_t len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return 0;
    struct stat st;
    int same = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (uint64_t)st.st_size == (uint64_t)len;
    char chunk[16384];
    for (size_t at = 0; same && at < len;) {
        ssize_t got = read(fd, chunk, len - at < sizeof chunk ? len - at : sizeof chunk);
        if (got < 0 && errno == EINTR) continue;
        same = got > 0 && memcmp(chunk, (const char *)data + at, (size_t)got) == 0;
        at += got > 0 ? (size_t)got : 0;
    }
    close(fd);
    return same;
}

size_t fileio_count_lines(const char *buf, size_t len)
{
    size_t n = 1;
    const char *end = buf + len;
    while ((buf = memchr(buf, '\n', (size_t)(end - buf))) != NULL) {
        n++;
        buf++;
    }
    return n;
}

#define FILEIO_PIECE ((size_t)1 << 30)

int fileio_pread_full(int fd, void *buf, size_t len, uint64_t off)
{
    char *p = buf;
    while (len) {
        ssize_t r = pread(fd, p, len > FILEIO_PIECE ? FILEIO_PIECE : len, (off_t)off);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) return errno;
        if (r == 0) return -1;
        p += r;
        off += (uint64_t)r;
        len -= (size_t)r;
    }
    return 0;
}

int fileio_pwrite_full(int fd, const void *buf, size_t len, uint64_t off)
{
    const char *p = buf;
    while (len) {
        ssize_t w = pwrite(fd, p, len > FILEIO_PIECE ? FILEIO_PIECE : len, (off_t)off);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return w < 0 ? errno : ENOSPC;
        p += w;
        off += (uint64_t)w;
        len -= (size_t)w;
    }
    return 0;
}

static mode_t output_mode;
static int output_mode_known;

void fileio_remember_umask(void)
{
    mode_t mask = umask(0);
    umask(mask);
    output_mode = 0666 & ~mask;
    output_mode_known = 1;
}

int fileio_create_private(const char *path)
{
    if (unlink(path) != 0 && errno != ENOENT) return -1;
    return open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
}

/* name ends in ".tmp." and at least one digit */
static int is_temporary(const char *name)
{
    const char *t = strstr(name, ".tmp."), *next;
    if (!t) return 0;
    while ((next = strstr(t + 1, ".tmp."))) t = next;
    t += 5;
    if (!*t) return 0;
    for (; *t; t++)
        if (*t < '0' || *t > '9') return 0;
    return 1;
}

int fileio_remove_temporaries(const char *dir)
{
    DIR *d = opendir(dir);
    int n = 0;
    if (!d) return 0;
    for (struct dirent *e; (e = readdir(d));) {
        struct stat st;
        if (!is_temporary(e->d_name) || fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
            !S_ISREG(st.st_mode))
            continue;
        if (unlinkat(dirfd(d), e->d_name, 0) == 0) n++;
    }
    closedir(d);
    return n;
}

int fileio_publish(const char *tmp, const char *final)
{
    if (!output_mode_known) fileio_remember_umask(); /* unit tests and tools without main.c */
    if (chmod(tmp, output_mode) != 0) return -1;
    return rename(tmp, final);
}
