/* Atomic output files: temp-then-rename for regular files, in place for stdout, pipes and
 * devices (never rename over /dev/null), optional zstd compression behind a FILE* made
 * with fopencookie so callers simply fprintf/fwrite. */
#include "outfile.h"
#include "fileio.h"
#include "log.h"
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

struct outfile {
    FILE *fp;  /* what callers write to (a cookie stream when compressing) */
    FILE *raw; /* the underlying file */
    char *final_path;
    char *tmp_path; /* NULL when written in place */
    ZSTD_CCtx *zc;
    char *zbuf;
    size_t zcap;
    int failed;
};

static int zflush(struct outfile *o, ZSTD_inBuffer *in, ZSTD_EndDirective mode)
{
    for (;;) {
        ZSTD_outBuffer out = {o->zbuf, o->zcap, 0};
        size_t left = ZSTD_compressStream2(o->zc, &out, in, mode);
        if (ZSTD_isError(left)) {
            gb_error("%s: zstd: %s", o->final_path, ZSTD_getErrorName(left));
            return -1;
        }
        if (out.pos && fwrite(o->zbuf, 1, out.pos, o->raw) != out.pos) return -1;
        if (mode == ZSTD_e_continue ? in->pos == in->size : left == 0) return 0;
    }
}

static ssize_t zwrite(void *cookie, const char *buf, size_t n)
{
    struct outfile *o = cookie;
    ZSTD_inBuffer in = {buf, n, 0};
    if (zflush(o, &in, ZSTD_e_continue)) {
        o->failed = 1;
        return -1;
    }
    return (ssize_t)n;
}

static int zclose(void *cookie)
{
    struct outfile *o = cookie;
    ZSTD_inBuffer in = {NULL, 0, 0};
    if (!o->failed && zflush(o, &in, ZSTD_e_end)) o->failed = 1;
    return o->failed ? -1 : 0;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

static void outfile_free(outfile_t *o)
{
    if (!o) return;
    ZSTD_freeCCtx(o->zc);
    free(o->zbuf);
    free(o->final_path);
    free(o->tmp_path);
    free(o);
}

outfile_t *outfile_open(const char *path)
{
    outfile_t *o = calloc(1, sizeof *o);
    struct stat st;
    if (!o || !(o->final_path = strdup(path))) goto nomem;
    if (strcmp(path, "-") == 0) {
        o->raw = stdout;
    } else if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
        if (S_ISDIR(st.st_mode)) {
            gb_error("cannot write %s: it is a directory", path);
            goto fail;
        }
        o->raw = fopen(path, "w");
    } else {
        size_t len = strlen(path) + 32;
        if (!(o->tmp_path = malloc(len))) goto nomem;
        snprintf(o->tmp_path, len, "%s.tmp.%ld", path, (long)getpid());
        int fd = fileio_create_private(o->tmp_path);
        if (fd >= 0 && !(o->raw = fdopen(fd, "w"))) close(fd);
    }
    if (!o->raw) {
        gb_error("cannot write %s: %s", path, strerror(errno));
        goto fail;
    }
    if (o->raw != stdout) setvbuf(o->raw, NULL, _IOFBF, 1 << 20);
    if (ends_with(path, ".zst")) {
        o->zc = ZSTD_createCCtx();
        o->zcap = ZSTD_CStreamOutSize();
        o->zbuf = malloc(o->zcap);
        if (!o->zc || !o->zbuf) goto nomem;
        ZSTD_CCtx_setParameter(o->zc, ZSTD_c_compressionLevel, 3);
        cookie_io_functions_t io = {.read = NULL, .write = zwrite, .seek = NULL, .close = zclose};
        o->fp = fopencookie(o, "w", io);
        if (!o->fp) goto nomem;
        setvbuf(o->fp, NULL, _IOFBF, 1 << 20);
    } else {
        o->fp = o->raw;
    }
    return o;
nomem:
    gb_error("out of memory opening %s", path);
fail:
    if (o && o->raw && o->raw != stdout) fclose(o->raw);
    if (o && o->tmp_path) unlink(o->tmp_path);
    outfile_free(o);
    return NULL;
}

FILE *outfile_fp(outfile_t *o) { return o->fp; }
const char *outfile_path(const outfile_t *o) { return o->final_path; }

/* Close both streams; returns 0 when every byte reached the file. */
static int outfile_close_streams(outfile_t *o)
{
    int bad = 0;
    if (o->fp != o->raw) bad |= fclose(o->fp) != 0;
    if (o->raw == stdout) bad |= fflush(stdout) != 0 || ferror(stdout);
    else bad |= ferror(o->raw) || fclose(o->raw) != 0;
    return bad || o->failed;
}

int outfile_commit(outfile_t *o)
{
    int rc = 0;
    if (outfile_close_streams(o)) {
        gb_error("cannot write %s: %s", o->final_path, errno ? strerror(errno) : "write error");
        rc = GB_E_IO;
    } else if (o->tmp_path && fileio_publish(o->tmp_path, o->final_path) != 0) {
        gb_error("cannot rename %s to %s: %s", o->tmp_path, o->final_path, strerror(errno));
        rc = GB_E_IO;
    }
    if (rc && o->tmp_path) unlink(o->tmp_path);
    outfile_free(o);
    return rc;
}

void outfile_abort(outfile_t *o)
{
    if (!o) return;
    o->failed = 1;
    (void)outfile_close_streams(o);
    if (o->tmp_path) unlink(o->tmp_path);
    outfile_free(o);
}
