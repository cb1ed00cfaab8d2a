/* Streaming FASTQ/FASTA reader (see fastx.h).
 *
 * Layers, bottom up:
 *   input    raw bytes from the file descriptor into `in` (1 MiB reads)
 *   decoder  plain copy, isa-l inflate (gzip, multi-member) or zstd (multi-frame),
 *            appending text to `buf` (4 MiB, grown only when one line is longer)
 *   lines    memchr for '\n' in `buf`; a line is valid until the next refill
 *   records  FASTQ (4-line form) or FASTA (multi-line), copied into the caller's record
 *
 * A decoder error (truncated or corrupt stream, read error) is not reported at once: it is
 * kept as `pending` and raised when the parser runs out of text, so every complete record
 * before the damage is still returned and the damaged record gets the error. */
#include "fastx.h"
#include "gb_array.h"
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <isa-l/igzip_lib.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

enum {
    FASTX_IN_SIZE = 1 << 20,    /* compressed read size */
    FASTX_BUF_SIZE = 4 << 20,   /* decompressed text buffer (grows for longer lines) */
    FASTX_SNIFF_SIZE = 1 << 16, /* bytes checked for binary content at open */
    FASTX_PROBE_SIZE = 1 << 30  /* text decoded ahead to explain a format error (~1 s) */
};

enum fastx_codec { CODEC_PLAIN, CODEC_GZIP, CODEC_ZSTD };

struct fastx_reader {
    char *path;
    int fd;
    int owns_fd;
    enum fastx_codec codec;
    int is_fastq;

    uint8_t *in; /* raw bytes from fd; in[in_pos, in_len) not yet decoded */
    size_t in_pos, in_len;
    int in_eof;

    char *buf; /* decoded text; buf[pos, len) not yet parsed */
    size_t buf_cap, pos, len;
    int stream_end; /* decoder delivered its last byte */
    int pending;    /* decoder error to raise once buf runs dry */
    char pending_msg[200];
    int error; /* sticky: returned by every fastx_read after a failure */

    uint64_t records; /* records returned */
    uint64_t line;    /* lines consumed */

    struct inflate_state *gz;
    int gz_member_done;
    ZSTD_DCtx *zstd;
    size_t zstd_hint; /* last ZSTD_decompressStream result; 0 = frame complete */
};

/* ---------- error reporting ---------- */

static void probe_stream_damage(fastx_reader_t *r);

/* One line: "FILE: record N (line L): reason", plus the decoder's complaint if any. */
static void log_record_error(const fastx_reader_t *r, uint64_t line, const char *reason, const char *decoder_cause)
{
    const char *cause = decoder_cause ? decoder_cause : "";
    gb_log('E', "fastx_read", "%s: record %llu (line %llu): %s%s%s%s", r->path, (unsigned long long)r->records + 1,
           (unsigned long long)line, reason, *cause ? " (the compressed data is also damaged: " : "", cause,
           *cause ? ")" : "");
}

/* Log a parse error once and return code. */
static int fail_at(fastx_reader_t *r, uint64_t line, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int fail_at(fastx_reader_t *r, uint64_t line, int code, const char *fmt, ...)
{
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    /* Corrupt compressed data usually shows up first as a format error in the garbage it
     * decoded to; name the real cause too when the decoder finds it. */
    if (code == GB_E_FORMAT) probe_stream_damage(r);
    log_record_error(r, line, msg, r->pending ? r->pending_msg : NULL);
    return code;
}

/* Remember a decoder error; the parser reports it when it needs the missing text. */
static int stream_fail(fastx_reader_t *r, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int stream_fail(fastx_reader_t *r, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->pending_msg, sizeof r->pending_msg, fmt, ap);
    va_end(ap);
    r->pending = code;
    return code;
}

/* Errors found while opening carry the public entry point's name, like fastx_read's. */
#define open_error(...) gb_log('E', "fastx_open", __VA_ARGS__)

/* ---------- raw input ---------- */

/* One read() into `in`, replacing consumed bytes. Returns 0 or GB_E_IO (pending). */
static int read_input(fastx_reader_t *r)
{
    ssize_t n;
    do {
        n = read(r->fd, r->in, FASTX_IN_SIZE);
    } while (n < 0 && errno == EINTR);
    if (n < 0) return stream_fail(r, GB_E_IO, "read error: %s", strerror(errno));
    r->in_pos = 0;
    r->in_len = (size_t)n;
    if (n == 0) r->in_eof = 1;
    return 0;
}

/* At open: read until at least `want` bytes are buffered (pipes may deliver less). */
static int read_prefix(fastx_reader_t *r, size_t want)
{
    while (r->in_len < want && !r->in_eof) {
        ssize_t n = read(r->fd, r->in + r->in_len, FASTX_IN_SIZE - r->in_len);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return -errno;
        if (n == 0) r->in_eof = 1;
        r->in_len += (size_t)n;
    }
    return 0;
}

/* ---------- decoders: append up to cap bytes of text at out ---------- */

static int plain_decode(fastx_reader_t *r, char *out, size_t cap, size_t *produced)
{
    *produced = 0;
    if (r->in_pos < r->in_len) { /* bytes read at open to sniff the format */
        size_t n = r->in_len - r->in_pos;
        if (n > cap) n = cap;
        memcpy(out, r->in + r->in_pos, n);
        r->in_pos += n;
        *produced = n;
        return 0;
    }
    ssize_t n;
    do {
        n = read(r->fd, out, cap);
    } while (n < 0 && errno == EINTR);
    if (n < 0) return stream_fail(r, GB_E_IO, "read error: %s", strerror(errno));
    if (n == 0) r->stream_end = 1;
    *produced = (size_t)n;
    return 0;
}

static const char *isal_reason(int ret)
{
    switch (ret) {
    case ISAL_INVALID_BLOCK: return "invalid deflate block";
    case ISAL_INVALID_SYMBOL: return "invalid deflate symbol";
    case ISAL_INVALID_LOOKBACK: return "invalid lookback distance";
    case ISAL_INVALID_WRAPPER: return "invalid gzip header";
    case ISAL_UNSUPPORTED_METHOD: return "unsupported compression method";
    case ISAL_INCORRECT_CHECKSUM: return "CRC mismatch";
    default: return "inflate error";
    }
}

/* Between gzip members: concatenated members are common for FASTQ (parallel compressors,
 * `cat a.gz b.gz`). Zero bytes (block padding) are skipped as gzip(1) does; anything but a
 * new member is garbage. Returns 1 to keep decoding, 0 at end of stream, or a pending error. */
static int gzip_next_member(fastx_reader_t *r)
{
    while (r->in_pos < r->in_len && r->in[r->in_pos] == 0) r->in_pos++;
    if (r->in_pos == r->in_len) {
        if (r->in_eof) return 0;
        return 1; /* caller reads more input */
    }
    if (r->in[r->in_pos] != 0x1f)
        return stream_fail(r, GB_E_FORMAT, "corrupt gzip data (trailing garbage after member)");
    isal_inflate_reset(r->gz);
    r->gz->crc_flag = ISAL_GZIP;
    r->gz_member_done = 0;
    return 1;
}

static int gzip_decode(fastx_reader_t *r, char *out, size_t cap, size_t *produced)
{
    struct inflate_state *st = r->gz;
    if (cap > UINT32_MAX) cap = UINT32_MAX;
    st->next_out = (uint8_t *)out;
    st->avail_out = (uint32_t)cap;
    int rc = 0;
    while (st->avail_out > 0) {
        if (r->in_pos == r->in_len && !r->in_eof) {
            if ((rc = read_input(r)) < 0) break;
            continue;
        }
        if (r->gz_member_done) {
            rc = gzip_next_member(r);
            if (rc < 0) break;
            if (rc == 0) {
                r->stream_end = 1;
                break;
            }
            rc = 0;
            continue;
        }
        st->next_in = r->in + r->in_pos;
        st->avail_in = (uint32_t)(r->in_len - r->in_pos);
        uint32_t out_before = st->avail_out;
        size_t in_before = r->in_pos;
        int ret = isal_inflate(st);
        r->in_pos = (size_t)(st->next_in - r->in);
        if (ret < 0) {
            rc = stream_fail(r, GB_E_FORMAT, "corrupt gzip data (%s)", isal_reason(ret));
            break;
        }
        if (st->block_state == ISAL_BLOCK_FINISH) {
            r->gz_member_done = 1;
            continue;
        }
        if (st->avail_out == out_before && r->in_pos == in_before) {
            /* No progress: either the file ended inside a member, or the data is bad. */
            if (r->in_eof && r->in_pos == r->in_len)
                rc = stream_fail(r, GB_E_FORMAT, "truncated gzip stream (file ends inside a member)");
            else rc = stream_fail(r, GB_E_FORMAT, "corrupt gzip data (inflate stalled)");
            break;
        }
    }
    *produced = cap - st->avail_out;
    return rc;
}

static int zstd_decode(fastx_reader_t *r, char *out, size_t cap, size_t *produced)
{
    ZSTD_outBuffer zo = {out, cap, 0};
    int rc = 0;
    while (zo.pos < zo.size) {
        if (r->in_pos == r->in_len && !r->in_eof) {
            if ((rc = read_input(r)) < 0) break;
            continue;
        }
        if (r->in_pos == r->in_len && r->zstd_hint == 0) { /* last frame complete */
            r->stream_end = 1;
            break;
        }
        ZSTD_inBuffer zi = {r->in, r->in_len, r->in_pos};
        size_t out_before = zo.pos;
        size_t ret = ZSTD_decompressStream(r->zstd, &zo, &zi);
        int consumed = zi.pos != r->in_pos;
        r->in_pos = zi.pos;
        if (ZSTD_isError(ret)) {
            rc = stream_fail(r, GB_E_FORMAT, "corrupt zstd data (%s)", ZSTD_getErrorName(ret));
            break;
        }
        r->zstd_hint = ret;
        if (ret != 0 && !consumed && zo.pos == out_before) { /* input exhausted mid-frame */
            rc = stream_fail(r, GB_E_FORMAT, "truncated zstd stream (file ends inside a frame)");
            break;
        }
    }
    *produced = zo.pos;
    return rc;
}

/* ---------- text buffer ---------- */

/* Move unparsed text to the front, grow if it fills the buffer, and decode more.
 * Returns 1 when text was added, 0 at the end of the stream, or a pending error code. */
static int refill(fastx_reader_t *r)
{
    if (r->pending) return r->pending;
    if (r->stream_end) return 0;
    if (r->pos > 0) {
        memmove(r->buf, r->buf + r->pos, r->len - r->pos);
        r->len -= r->pos;
        r->pos = 0;
    }
    if (GB_GROW(r->buf, r->buf_cap, r->len + 1)) /* no-op unless one line fills the buffer */
        return stream_fail(r, GB_E_NOMEM, "out of memory for a %zu-byte line", r->len);
    char *out = r->buf + r->len;
    size_t cap = r->buf_cap - r->len, got = 0;
    int rc;
    switch (r->codec) {
    case CODEC_GZIP: rc = gzip_decode(r, out, cap, &got); break;
    case CODEC_ZSTD: rc = zstd_decode(r, out, cap, &got); break;
    default: rc = plain_decode(r, out, cap, &got); break;
    }
    r->len += got;
    if (got > 0) return 1; /* an error found after `got` bytes waits in r->pending */
    return rc;             /* 0 = end, or the error just made pending */
}

/* Deflate notices corrupt data late (a bad symbol further on, or the CRC at the member's
 * end), so a format error may be garbage decoded from it. Decode ahead a bounded amount,
 * discarding the text, to find the real cause. The reader is failing already, so its
 * buffered text may be overwritten. */
static void probe_stream_damage(fastx_reader_t *r)
{
    if (r->codec == CODEC_PLAIN) return;
    size_t decoded = 0;
    while (decoded < FASTX_PROBE_SIZE && !r->pending && !r->stream_end) {
        r->pos = r->len = 0;
        if (refill(r) <= 0) break;
        decoded += r->len;
    }
    r->pos = r->len = 0;
}

/* Raise a pending decoder error against the line that could not be read. */
static int report_pending(fastx_reader_t *r, int code)
{
    log_record_error(r, r->line + 1, r->pending_msg, NULL);
    return code;
}

static size_t trim_right(const char *s, size_t n)
{
    while (n > 0 && (s[n - 1] == ' ' || (s[n - 1] >= '\t' && s[n - 1] <= '\r'))) n--;
    return n;
}

/* Next line without its terminator, CR and trailing whitespace. The pointer is valid until
 * the next call. Returns 1, 0 at the end of input, or a negative code (logged). */
static int next_line(fastx_reader_t *r, const char **line, size_t *n)
{
    size_t scanned = r->pos; /* bytes before this are known to hold no '\n' */
    for (;;) {
        char *nl = memchr(r->buf + scanned, '\n', r->len - scanned);
        if (nl) {
            *line = r->buf + r->pos;
            *n = trim_right(*line, (size_t)(nl - *line));
            r->pos = (size_t)(nl - r->buf) + 1;
            r->line++;
            return 1;
        }
        size_t seen = r->len - r->pos;
        int rc = refill(r);
        if (rc < 0) return report_pending(r, rc);
        scanned = r->pos + seen;
        if (rc == 0) {
            if (r->pos == r->len) return 0;
            *line = r->buf + r->pos; /* last line without '\n' */
            *n = trim_right(*line, r->len - r->pos);
            r->pos = r->len;
            r->line++;
            return 1;
        }
    }
}

static int next_nonblank_line(fastx_reader_t *r, const char **line, size_t *n)
{
    int rc;
    while ((rc = next_line(r, line, n)) == 1 && *n == 0) {}
    return rc;
}

/* First byte of the next line without consuming it: 1 and *c, 0 at end, or error. */
static int peek_byte(fastx_reader_t *r, int *c)
{
    while (r->pos == r->len) {
        int rc = refill(r);
        if (rc < 0) return report_pending(r, rc);
        if (rc == 0) return 0;
    }
    *c = (unsigned char)r->buf[r->pos];
    return 1;
}

/* ---------- records ---------- */

/* Append src to a NUL-terminated field. */
static int append(fastx_reader_t *r, char **p, size_t *cap, size_t *len, const char *src, size_t n)
{
    if (GB_GROW(*p, *cap, *len + n + 1)) return fail_at(r, r->line, GB_E_NOMEM, "out of memory");
    memcpy(*p + *len, src, n);
    *len += n;
    (*p)[*len] = '\0';
    return 0;
}

static int set_field(fastx_reader_t *r, char **p, size_t *cap, size_t *len, const char *src, size_t n)
{
    *len = 0;
    return append(r, p, cap, len, src, n);
}

static int bad_start(fastx_reader_t *r, unsigned char c, char want)
{
    if (c >= 0x21 && c < 0x7f)
        return fail_at(r, r->line, GB_E_FORMAT, "expected '%c' at record start, found '%c'", want, c);
    return fail_at(r, r->line, GB_E_FORMAT, "expected '%c' at record start, found byte 0x%02x", want, c);
}

/* The next line of a record that must have one. Returns 1 or a negative code (logged). */
static int required_line(fastx_reader_t *r, const char *what, const char **line, size_t *n)
{
    int rc = next_line(r, line, n);
    if (rc != 0) return rc;
    return fail_at(r, r->line + 1, GB_E_FORMAT, "truncated record: input ends before the %s", what);
}

static int read_fastq(fastx_reader_t *r, fastx_record_t *rec)
{
    const char *line;
    size_t n;
    int rc = next_nonblank_line(r, &line, &n);
    if (rc <= 0) return rc;
    if (line[0] != '@') return bad_start(r, (unsigned char)line[0], '@');
    if ((rc = set_field(r, &rec->name, &rec->name_cap, &rec->name_len, line + 1, n - 1)) < 0) return rc;

    if ((rc = required_line(r, "sequence line", &line, &n)) < 0) return rc;
    if ((rc = set_field(r, &rec->seq, &rec->seq_cap, &rec->seq_len, line, n)) < 0) return rc;

    if ((rc = required_line(r, "'+' line", &line, &n)) < 0) return rc;
    if (n == 0 || line[0] != '+') return fail_at(r, r->line, GB_E_FORMAT, "missing '+' line after the sequence");

    if ((rc = required_line(r, "quality line", &line, &n)) < 0) return rc;
    if (n != rec->seq_len)
        return fail_at(r, r->line, GB_E_FORMAT, "quality length %zu differs from sequence length %zu", n, rec->seq_len);
    if ((rc = set_field(r, &rec->qual, &rec->qual_cap, &rec->qual_len, line, n)) < 0) return rc;
    return 1;
}

static int read_fasta(fastx_reader_t *r, fastx_record_t *rec)
{
    const char *line;
    size_t n;
    int rc = next_nonblank_line(r, &line, &n);
    if (rc <= 0) return rc;
    if (line[0] != '>') return bad_start(r, (unsigned char)line[0], '>');
    if ((rc = set_field(r, &rec->name, &rec->name_cap, &rec->name_len, line + 1, n - 1)) < 0) return rc;
    if ((rc = set_field(r, &rec->seq, &rec->seq_cap, &rec->seq_len, "", 0)) < 0) return rc;
    /* A record that was FASTQ before (reused struct) must not keep a stale quality. */
    free(rec->qual);
    rec->qual = NULL;
    rec->qual_cap = rec->qual_len = 0;
    for (;;) { /* sequence lines up to the next '>' line or the end */
        int c = 0;
        if ((rc = peek_byte(r, &c)) < 0) return rc;
        if (rc == 0 || c == '>') return 1;
        if ((rc = next_line(r, &line, &n)) < 0) return rc;
        if ((rc = append(r, &rec->seq, &rec->seq_cap, &rec->seq_len, line, n)) < 0) return rc;
    }
}

int fastx_read(fastx_reader_t *r, fastx_record_t *rec)
{
    if (r->error) return r->error;
    int rc = r->is_fastq ? read_fastq(r, rec) : read_fasta(r, rec);
    if (rc < 0) r->error = rc;
    if (rc > 0) r->records++;
    return rc;
}

/* ---------- open / close ---------- */

static int open_fd(fastx_reader_t *r, const char *path)
{
    if (strcmp(path, "-") == 0) {
        r->fd = STDIN_FILENO;
        return 0;
    }
    r->fd = open(path, O_RDONLY | O_CLOEXEC);
    if (r->fd < 0) return -errno;
    r->owns_fd = 1;
    struct stat sb;
    if (fstat(r->fd, &sb) < 0) return -errno;
    if (S_ISDIR(sb.st_mode)) return -EISDIR;
    if (S_ISREG(sb.st_mode)) (void)posix_fadvise(r->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    return 0;
}

/* Pick the decoder from the first bytes, never from the name. Returns 0, or -1 after logging. */
static int detect_codec(fastx_reader_t *r)
{
    const uint8_t *m = r->in;
    size_t n = r->in_len;
    const char *unsupported = NULL;
    r->codec = CODEC_PLAIN;
    if (n >= 2 && m[0] == 0x1f && m[1] == 0x8b) {
        r->codec = CODEC_GZIP;
        r->gz = malloc(sizeof *r->gz);
        if (r->gz) {
            isal_inflate_init(r->gz);
            r->gz->crc_flag = ISAL_GZIP;
        }
    } else if (n >= 4 && m[0] == 0x28 && m[1] == 0xb5 && m[2] == 0x2f && m[3] == 0xfd) {
        r->codec = CODEC_ZSTD;
        r->zstd = ZSTD_createDCtx();
        r->zstd_hint = 1; /* no frame decoded yet */
    } else if (n >= 3 && memcmp(m, "BZh", 3) == 0) {
        unsupported = "bzip2";
    } else if (n >= 6 &&
               memcmp(m,
                      "\xfd"
                      "7zXZ",
                      5) == 0 &&
               m[5] == 0) {
        unsupported = "xz";
    }
    if (unsupported) {
        open_error("%s: %s-compressed input is not supported (use gzip or zstd)", r->path, unsupported);
        return -1;
    }
    if ((r->codec == CODEC_GZIP && !r->gz) || (r->codec == CODEC_ZSTD && !r->zstd)) {
        open_error("cannot open %s: out of memory", r->path);
        return -1;
    }
    return 0;
}

static int is_space(unsigned char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

/* Decode the first text and refuse binary or non-sequence content. A decoder error here is
 * left pending for fastx_read, which reports it with record context. Returns 0 or -1. */
static int check_text(fastx_reader_t *r)
{
    size_t first = 0;
    for (;;) {
        while (first < r->len && is_space((unsigned char)r->buf[first])) first++;
        if (first < r->len || r->len >= FASTX_SNIFF_SIZE) break;
        if (refill(r) <= 0) break;
    }
    if (first == r->len) return 0; /* empty (or only whitespace): zero records */
    size_t end = r->len < FASTX_SNIFF_SIZE ? r->len : FASTX_SNIFF_SIZE;
    for (size_t i = 0; i < end; i++) {
        unsigned char c = (unsigned char)r->buf[i];
        if (c < 0x20 && !is_space(c)) {
            open_error("%s: not FASTA/FASTQ (binary byte 0x%02x at offset %zu)", r->path, c, i);
            return -1;
        }
    }
    char c = r->buf[first];
    if (c != '@' && c != '>') {
        open_error("%s: not FASTA/FASTQ (first character '%c', expected '>' or '@')", r->path,
                   (unsigned char)c < 0x7f ? c : '?');
        return -1;
    }
    r->is_fastq = c == '@';
    return 0;
}

fastx_reader_t *fastx_open(const char *path)
{
    fastx_reader_t *r = calloc(1, sizeof *r);
    if (!r) {
        open_error("cannot open %s: out of memory", path);
        return NULL;
    }
    r->fd = -1;
    r->path = strdup(path);
    r->in = malloc(FASTX_IN_SIZE);
    r->buf = malloc(FASTX_BUF_SIZE);
    r->buf_cap = FASTX_BUF_SIZE;
    if (!r->path || !r->in || !r->buf) {
        open_error("cannot open %s: out of memory", path);
        goto fail;
    }
    int err = open_fd(r, path);
    if (err == 0) err = read_prefix(r, 6);
    if (err < 0) {
        open_error("cannot open %s: %s", path, strerror(-err));
        goto fail;
    }
    if (detect_codec(r) < 0 || check_text(r) < 0) goto fail;
    return r;
fail:
    fastx_close(r);
    return NULL;
}

void fastx_close(fastx_reader_t *r)
{
    if (!r) return;
    if (r->owns_fd && r->fd >= 0) close(r->fd);
    free(r->gz);
    ZSTD_freeDCtx(r->zstd);
    free(r->in);
    free(r->buf);
    free(r->path);
    free(r);
}

uint64_t fastx_records(const fastx_reader_t *r) { return r->records; }
const char *fastx_path(const fastx_reader_t *r) { return r->path; }
int fastx_is_fastq(const fastx_reader_t *r) { return r->is_fastq; }

void fastx_record_free(fastx_record_t *rec)
{
    if (!rec) return;
    free(rec->name);
    free(rec->seq);
    free(rec->qual);
    memset(rec, 0, sizeof *rec);
}

size_t fastx_id_len(const char *name, size_t name_len, int strip_mate)
{
    size_t n = 0;
    while (n < name_len && name[n] != ' ' && name[n] != '\t' && name[n] != '\r') n++;
    if (strip_mate && n > 2 && name[n - 2] == '/' && (name[n - 1] == '1' || name[n - 1] == '2')) n -= 2;
    return n;
}
