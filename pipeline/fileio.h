/* Small file helpers shared by the parsers of pipeline/: reading a whole file, walking the
 * lines of the buffer it was read into, telling whether a file already holds some bytes, and the
 * private temporary files every output is written to before its rename. */
#ifndef GB_FILEIO_H
#define GB_FILEIO_H
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "gb_status.h"

/* Read a whole file (a pipe works too) into a NUL-terminated buffer the caller frees.
 * what names the file in messages ("sample sheet", "profile", ...). Logs one line and returns
 * GB_E_IO when it cannot be opened or read (with quiet_missing, a missing file returns GB_E_IO
 * without logging: for files whose absence is normal), GB_E_NOMEM when it does not fit. */
int fileio_read_all(const char *path, const char *what, int quiet_missing, char **out, size_t *len) GB_MUST_CHECK;

/* 1 when path is a regular file holding exactly data[0, len), else 0 (missing and unreadable
 * files included; nothing is logged): lets a writer skip rewriting a file that is up to date. */
int fileio_holds(const char *path, const void *data, size_t len);

/* Temporary files of outputs (docs/SECURITY.md). Every output is written to a temporary name
 * next to its final one and renamed into place; the temporary is created new and private (mode
 * 0600: nobody else can read a half-written file of health data) and gets an ordinary output's
 * mode only when complete. fileio_remember_umask records the process umask once (main.c, before
 * any thread starts); fileio_create_private returns an fd open for writing, or -1 with errno set
 * (a leftover of the same name, from a killed process with the same pid, is replaced);
 * fileio_publish gives tmp the mode 0666 & ~umask and renames it to final: 0, or -1 with errno
 * set (tmp is left for the caller to remove). */
void fileio_remember_umask(void);
int fileio_create_private(const char *path);
int fileio_publish(const char *tmp, const char *final);
/* Remove the temporaries ("<name>.tmp.<digits>", regular files) a killed process left in dir;
 * returns how many (0 when dir cannot be read). Only for a folder no other process is writing
 * to at the same time (docs/RUN.md: one command per output folder at a time). */
int fileio_remove_temporaries(const char *dir);

/* A line or a field of a read buffer: not NUL-terminated, valid while the buffer is. */
typedef struct {
    const char *p;
    size_t len;
} fileio_span_t;

/* Lines in buf[0, len): newlines + 1, so an upper bound on what fileio_next_line returns. */
size_t fileio_count_lines(const char *buf, size_t len);

/* The next line of [*pos, end) without its "\n" or "\r\n" into *line, and *pos moved past it;
 * returns 0 at the end. Inline: the taxdump parsers call it for every one of millions of lines. */
static inline int fileio_next_line(const char **pos, const char *end, fileio_span_t *line)
{
    const char *s = *pos;
    if (s >= end) return 0;
    const char *nl = memchr(s, '\n', (size_t)(end - s));
    const char *stop = nl ? nl : end;
    *pos = nl ? nl + 1 : end;
    if (stop > s && stop[-1] == '\r') stop--;
    line->p = s;
    line->len = (size_t)(stop - s);
    return 1;
}

/* The next field of *rest up to sep (or the end of *rest), and *rest moved past it and sep. */
static inline fileio_span_t fileio_next_field(fileio_span_t *rest, char sep)
{
    const char *at = memchr(rest->p, sep, rest->len);
    fileio_span_t f = {rest->p, at ? (size_t)(at - rest->p) : rest->len};
    rest->p += at ? f.len + 1 : f.len;
    rest->len -= at ? f.len + 1 : f.len;
    return f;
}

/* Little-endian integers of binary file headers (gutbrain.db, the Kraken 2 .k2d files), read
 * byte by byte so that neither alignment nor the host's byte order matters. */
static inline uint32_t fileio_le32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static inline uint64_t fileio_le64(const unsigned char *p)
{
    return (uint64_t)fileio_le32(p) | (uint64_t)fileio_le32(p + 4) << 32;
}
/* pread / pwrite of exactly len bytes at off, in pieces of at most 1 GiB, retrying EINTR.
 * Returns 0, an errno value, or -1 when the file ends before len bytes (read only). The caller
 * words the error (it knows the file's role). */
int fileio_pread_full(int fd, void *buf, size_t len, uint64_t off);
int fileio_pwrite_full(int fd, const void *buf, size_t len, uint64_t off);

#endif
