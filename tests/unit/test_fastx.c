/* Unit tests for pipeline/fastx.c. Fixtures are written at run time into a per-test
 * directory under $TMPDIR (kept when the test fails, removed when it passes), compressed with
 * zlib (gzip, also multi-member) and libzstd (also multi-frame, with checksums).
 * Randomised cases use GB_TEST_SEED (default 12345, printed). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include "test_util.h"
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "fastx.h"

static test_rng_t rng; /* seeded in main */

/* Path of a fixture file; the result stays valid for the next three calls. */
static const char *fixture_path(test_tmpdir_t *f, const char *name)
{
    static char path[4][512];
    static int next;
    char *p = path[next++ % 4];
    snprintf(p, sizeof path[0], "%s/%s", f->dir, name);
    return p;
}

/* ---------- fixture writers ---------- */

static void append_bytes(const char *path, const void *data, size_t n)
{
    FILE *fp = fopen(path, "ab");
    assert_non_null(fp);
    assert_int_equal(fwrite(data, 1, n, fp), n);
    assert_int_equal(fclose(fp), 0);
}

/* gzip with `members` concatenated members, split at arbitrary byte offsets. */
static void write_gz(const char *path, const char *text, size_t n, int members)
{
    size_t done = 0;
    for (int m = 0; m < members; m++) {
        size_t end = m == members - 1 ? n : n * (size_t)(m + 1) / (size_t)members + 1;
        if (end > n) end = n;
        gzFile gz = gzopen(path, m == 0 ? "wb6" : "ab6");
        assert_non_null(gz);
        if (end > done) assert_int_equal(gzwrite(gz, text + done, (unsigned)(end - done)), (int)(end - done));
        assert_int_equal(gzclose(gz), Z_OK);
        done = end;
    }
}

/* zstd with `frames` concatenated frames, each with a content checksum. */
static void write_zst(const char *path, const char *text, size_t n, int frames)
{
    ZSTD_CCtx *cctx = ZSTD_createCCtx();
    assert_non_null(cctx);
    assert_false(ZSTD_isError(ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, 1)));
    size_t cap = ZSTD_compressBound(n) + 64;
    char *out = malloc(cap);
    assert_non_null(out);
    test_write_file(path, "", 0);
    size_t done = 0;
    for (int fr = 0; fr < frames; fr++) {
        size_t end = fr == frames - 1 ? n : n * (size_t)(fr + 1) / (size_t)frames;
        size_t z = ZSTD_compress2(cctx, out, cap, text + done, end - done);
        assert_false(ZSTD_isError(z));
        append_bytes(path, out, z);
        done = end;
    }
    free(out);
    ZSTD_freeCCtx(cctx);
}

static void truncate_file(const char *path, size_t keep) { assert_int_equal(truncate(path, (off_t)keep), 0); }

/* ---------- expected records ---------- */

typedef struct {
    char *name, *seq, *qual; /* qual NULL for FASTA */
} exp_rec_t;

typedef struct {
    exp_rec_t *r;
    size_t n, cap;
} exp_list_t;

static void exp_add(exp_list_t *l, const char *name, const char *seq, const char *qual)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 64;
        l->r = realloc(l->r, l->cap * sizeof *l->r);
        assert_non_null(l->r);
    }
    exp_rec_t *e = &l->r[l->n++];
    e->name = strdup(name);
    e->seq = strdup(seq);
    e->qual = qual ? strdup(qual) : NULL;
}

static void exp_free(exp_list_t *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->r[i].name);
        free(l->r[i].seq);
        free(l->r[i].qual);
    }
    free(l->r);
    memset(l, 0, sizeof *l);
}

static void assert_record(const fastx_record_t *rec, const exp_rec_t *e)
{
    assert_string_equal(rec->name, e->name);
    assert_int_equal(rec->name_len, strlen(e->name));
    assert_string_equal(rec->seq, e->seq);
    assert_int_equal(rec->seq_len, strlen(e->seq));
    if (e->qual) {
        assert_non_null(rec->qual);
        assert_string_equal(rec->qual, e->qual);
        assert_int_equal(rec->qual_len, rec->seq_len);
    } else {
        assert_null(rec->qual);
    }
}

/* Read the whole file; every record must match `want` in order. Returns the final code
 * (0 or negative) and stores the number of records read. */
static int read_all(const char *path, const exp_list_t *want, size_t *nread)
{
    fastx_reader_t *r = fastx_open(path);
    assert_non_null(r);
    fastx_record_t rec = {0};
    size_t n = 0;
    int rc;
    while ((rc = fastx_read(r, &rec)) == 1) {
        assert_true(n < want->n);
        assert_record(&rec, &want->r[n]);
        n++;
    }
    assert_int_equal(fastx_records(r), n);
    if (rc < 0) assert_int_equal(fastx_read(r, &rec), rc); /* errors are sticky */
    fastx_record_free(&rec);
    fastx_close(r);
    *nread = n;
    return rc;
}

static void assert_reads_all(const char *path, const exp_list_t *want)
{
    size_t n;
    assert_int_equal(read_all(path, want, &n), 0);
    assert_int_equal(n, want->n);
}

/* ---------- fixed examples ---------- */

static const char fastq_text[] = "@read1/1 sample=A\tlane 2\n"
                                 "ACGTNacgtnRYKM\n"
                                 "+\n"
                                 "IIIII#####FFFF\n"
                                 "@read2/2  \n" /* trailing spaces in the header are stripped */
                                 "GATTACA\n"
                                 "+read2/2\n" /* '+' line may repeat the name */
                                 "!!!!!!!\n"
                                 "@empty\n"
                                 "\n"
                                 "+\n"
                                 "\n"
                                 "@read4\n"
                                 "acgtacgtacgtacgtacgtacgtacgtacgtacgtacgt\n"
                                 "+\n"
                                 "@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@\n"; /* '@' as a quality is not a header */

static void fastq_expected(exp_list_t *l)
{
    exp_add(l, "read1/1 sample=A\tlane 2", "ACGTNacgtnRYKM", "IIIII#####FFFF");
    exp_add(l, "read2/2", "GATTACA", "!!!!!!!");
    exp_add(l, "empty", "", "");
    exp_add(l, "read4", "acgtacgtacgtacgtacgtacgtacgtacgtacgtacgt", "@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@");
}

static void test_fastq_plain_gz_zst_identical(void **state)
{
    test_tmpdir_t *f = *state;
    exp_list_t want = {0};
    fastq_expected(&want);
    size_t n = strlen(fastq_text);
    const char *p = fixture_path(f, "r.fq");
    test_write_file(p, fastq_text, n);
    assert_reads_all(p, &want);
    p = fixture_path(f, "r.fq.gz");
    write_gz(p, fastq_text, n, 1);
    assert_reads_all(p, &want);
    p = fixture_path(f, "multi.fq.gz");
    write_gz(p, fastq_text, n, 5); /* members split mid-line */
    assert_reads_all(p, &want);
    p = fixture_path(f, "r.fq.zst");
    write_zst(p, fastq_text, n, 1);
    assert_reads_all(p, &want);
    p = fixture_path(f, "multi.fq.zst");
    write_zst(p, fastq_text, n, 3);
    assert_reads_all(p, &want);

    fastx_reader_t *r = fastx_open(p);
    assert_non_null(r);
    assert_true(fastx_is_fastq(r));
    assert_string_equal(fastx_path(r), p);
    fastx_close(r);
    exp_free(&want);
    f->passed = 1;
}

static void test_gzip_content_with_fq_name(void **state)
{
    test_tmpdir_t *f = *state;
    exp_list_t want = {0};
    fastq_expected(&want);
    const char *p = fixture_path(f, "looks_plain.fq");
    write_gz(p, fastq_text, strlen(fastq_text), 1);
    assert_reads_all(p, &want);
    p = fixture_path(f, "looks_gzip.fq.gz"); /* and a plain file with a .gz name */
    test_write_file(p, fastq_text, strlen(fastq_text));
    assert_reads_all(p, &want);
    exp_free(&want);
    f->passed = 1;
}

static void test_fasta_multiline_blank_crlf(void **state)
{
    test_tmpdir_t *f = *state;
    static const char text[] = "\n"
                               ">chr1 Escherichia coli K-12\n"
                               "ACGTACGTAC\n"
                               "gtacgtNNNN\n"
                               "\n"
                               "RYKMSWbdhv\n"
                               ">empty\n"
                               ">crlf seq \r\n"
                               "ACGT  \r\n"
                               "\r\n"
                               "TTTT\t\r\n"
                               ">last\n"
                               "AC"; /* no final newline */
    exp_list_t want = {0};
    exp_add(&want, "chr1 Escherichia coli K-12", "ACGTACGTACgtacgtNNNNRYKMSWbdhv", NULL);
    exp_add(&want, "empty", "", NULL);
    exp_add(&want, "crlf seq", "ACGTTTTT", NULL);
    exp_add(&want, "last", "AC", NULL);
    const char *p = fixture_path(f, "g.fa");
    test_write_file(p, text, strlen(text));
    assert_reads_all(p, &want);
    fastx_reader_t *r = fastx_open(p);
    assert_non_null(r);
    assert_false(fastx_is_fastq(r));
    fastx_close(r);
    p = fixture_path(f, "g.fa.gz");
    write_gz(p, text, strlen(text), 2);
    assert_reads_all(p, &want);
    p = fixture_path(f, "g.fa.zst");
    write_zst(p, text, strlen(text), 2);
    assert_reads_all(p, &want);
    exp_free(&want);
    f->passed = 1;
}

static void test_fastq_crlf(void **state)
{
    test_tmpdir_t *f = *state;
    static const char text[] = "@r1 x\r\nACGT\r\n+\r\nIIII\r\n@r2\r\nnn\r\n+\r\n##\r\n";
    exp_list_t want = {0};
    exp_add(&want, "r1 x", "ACGT", "IIII");
    exp_add(&want, "r2", "nn", "##");
    const char *p = fixture_path(f, "crlf.fq");
    test_write_file(p, text, strlen(text));
    assert_reads_all(p, &want);
    exp_free(&want);
    f->passed = 1;
}

static void test_empty_inputs(void **state)
{
    test_tmpdir_t *f = *state;
    exp_list_t none = {0};
    const char *p = fixture_path(f, "zero.fq");
    test_write_file(p, "", 0);
    assert_reads_all(p, &none);
    p = fixture_path(f, "blank.fq");
    test_write_file(p, "\n\r\n\n", 4);
    assert_reads_all(p, &none);
    p = fixture_path(f, "empty.fq.gz");
    write_gz(p, "", 0, 1);
    assert_reads_all(p, &none);
    p = fixture_path(f, "empty.fq.zst");
    write_zst(p, "", 0, 1);
    assert_reads_all(p, &none);

    fastx_reader_t *r = fastx_open(p);
    fastx_record_t rec = {0};
    assert_int_equal(fastx_read(r, &rec), 0);
    assert_int_equal(fastx_read(r, &rec), 0); /* end stays end */
    fastx_record_free(&rec);
    fastx_close(r);
    f->passed = 1;
}

/* ---------- randomised, large enough to cross every buffer boundary ---------- */

typedef struct {
    char *s;
    size_t n, cap;
} text_t;

static void text_add(text_t *t, const char *s, size_t n)
{
    if (t->n + n + 1 > t->cap) {
        while (t->n + n + 1 > t->cap) t->cap = t->cap ? t->cap * 2 : 1 << 16;
        t->s = realloc(t->s, t->cap);
        assert_non_null(t->s);
    }
    memcpy(t->s + t->n, s, n);
    t->n += n;
    t->s[t->n] = '\0';
}

static void random_bases(char *out, size_t n)
{
    static const char alphabet[] = "ACGTACGTACGTacgtNRY";
    for (size_t i = 0; i < n; i++) out[i] = alphabet[test_rng_next(&rng) % (sizeof alphabet - 1)];
    out[n] = '\0';
}

/* Random FASTQ of about `bytes` text; lengths 0..400, CRLF on some records. */
static void random_fastq(text_t *t, exp_list_t *want, size_t bytes)
{
    char name[64], seq[402], qual[402];
    for (size_t i = 0; t->n < bytes; i++) {
        size_t len = test_rng_next(&rng) % 401;
        random_bases(seq, len);
        for (size_t j = 0; j < len; j++) qual[j] = (char)('!' + test_rng_next(&rng) % 41);
        qual[len] = '\0';
        const char *eol = test_rng_next(&rng) % 8 == 0 ? "\r\n" : "\n";
        int nl = snprintf(name, sizeof name, "rnd%zu/%d len=%zu", i, (int)(i % 2) + 1, len);
        text_add(t, "@", 1);
        text_add(t, name, (size_t)nl);
        text_add(t, eol, strlen(eol));
        text_add(t, seq, len);
        text_add(t, eol, strlen(eol));
        text_add(t, "+", 1);
        text_add(t, eol, strlen(eol));
        text_add(t, qual, len);
        text_add(t, eol, strlen(eol));
        exp_add(want, name, seq, qual);
    }
}

static void test_random_large_fastq(void **state)
{
    test_tmpdir_t *f = *state;
    text_t t = {0};
    exp_list_t want = {0};
    random_fastq(&t, &want, 9u << 20); /* > 2 text buffers, > 2 compressed reads */
    const char *p = fixture_path(f, "big.fq");
    test_write_file(p, t.s, t.n);
    assert_reads_all(p, &want);
    p = fixture_path(f, "big.fq.gz");
    write_gz(p, t.s, t.n, 3);
    assert_reads_all(p, &want);
    p = fixture_path(f, "big.fq.zst");
    write_zst(p, t.s, t.n, 2);
    assert_reads_all(p, &want);
    free(t.s);
    exp_free(&want);
    f->passed = 1;
}

/* FASTA with random line widths and one sequence on a single 9 MB line, longer than the
 * reader's initial text buffer. */
static void test_random_fasta_long_lines(void **state)
{
    test_tmpdir_t *f = *state;
    text_t t = {0};
    exp_list_t want = {0};
    size_t big = 9u << 20;
    char *seq = malloc(big + 1);
    assert_non_null(seq);
    for (int rec = 0; rec < 6; rec++) {
        size_t len = rec == 2 ? big : test_rng_next(&rng) % 200000;
        random_bases(seq, len);
        size_t width = rec == 2 ? len : 1 + test_rng_next(&rng) % 120;
        char name[32];
        int nl = snprintf(name, sizeof name, "contig_%d", rec);
        text_add(&t, ">", 1);
        text_add(&t, name, (size_t)nl);
        text_add(&t, "\n", 1);
        for (size_t at = 0; at < len; at += width) {
            size_t w = len - at < width ? len - at : width;
            text_add(&t, seq + at, w);
            text_add(&t, "\n", 1);
        }
        exp_add(&want, name, seq, NULL);
    }
    free(seq);
    const char *p = fixture_path(f, "long.fa");
    test_write_file(p, t.s, t.n);
    assert_reads_all(p, &want);
    p = fixture_path(f, "long.fa.gz");
    write_gz(p, t.s, t.n, 1);
    assert_reads_all(p, &want);
    free(t.s);
    exp_free(&want);
    f->passed = 1;
}

/* ---------- stdin ---------- */

static void test_stdin_pipe_gz(void **state)
{
    test_tmpdir_t *f = *state;
    exp_list_t want = {0};
    fastq_expected(&want);
    const char *p = fixture_path(f, "in.fq.gz");
    write_gz(p, fastq_text, strlen(fastq_text), 2);
    size_t n;
    char *gz = test_read_file(p, &n);

    int fds[2];
    assert_int_equal(pipe(fds), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) { /* writer: a few bytes at a time, so reads come back short */
        close(fds[0]);
        for (size_t at = 0; at < n; at += 3) {
            size_t w = n - at < 3 ? n - at : 3;
            if (write(fds[1], gz + at, w) != (ssize_t)w) _exit(1);
            usleep(100);
        }
        _exit(0);
    }
    close(fds[1]);
    int saved = dup(STDIN_FILENO);
    assert_true(saved >= 0);
    assert_int_equal(dup2(fds[0], STDIN_FILENO), STDIN_FILENO);
    close(fds[0]);
    size_t got;
    int rc = read_all("-", &want, &got);
    assert_int_equal(dup2(saved, STDIN_FILENO), STDIN_FILENO);
    close(saved);
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_int_equal(rc, 0);
    assert_int_equal(got, want.n);
    free(gz);
    exp_free(&want);
    f->passed = 1;
}

/* ---------- errors ---------- */

/* Send stderr to a file until capture_stderr_end, which returns what was logged. */
static char *capture_stderr_begin(test_tmpdir_t *f, int *saved)
{
    char *path = test_path(f->dir, "stderr.txt"); /* not fixture_path(): that would recycle a caller's path */
    *saved = test_stderr_begin(path);
    return path;
}

static char *capture_stderr_end(char *path, int saved)
{
    char *text = test_stderr_end(path, saved);
    free(path);
    return text;
}

/* Plain-text FASTQ that must fail: `good` records first, then code, logging one line
 * that names the file, record and line. */
static void expect_bad_text(test_tmpdir_t *f, const char *text, size_t good, int code, const char *record_line)
{
    const char *p = fixture_path(f, "bad.fq");
    test_write_file(p, text, strlen(text));
    fastx_reader_t *r = fastx_open(p);
    assert_non_null(r);
    fastx_record_t rec = {0};
    for (size_t i = 0; i < good; i++) assert_int_equal(fastx_read(r, &rec), 1);
    int saved;
    char *cap = capture_stderr_begin(f, &saved);
    int rc = fastx_read(r, &rec);
    char *log = capture_stderr_end(cap, saved);
    assert_int_equal(rc, code);
    assert_int_equal(test_count_lines(log), 1);
    assert_non_null(strstr(log, p));
    assert_non_null(strstr(log, record_line));
    assert_int_equal(fastx_read(r, &rec), code);
    free(log);
    fastx_record_free(&rec);
    fastx_close(r);
}

static void test_bad_fastq_text(void **state)
{
    test_tmpdir_t *f = *state;
    expect_bad_text(f, "@a\nACGT\n+\nIIII\n@b\nACGT\n+\nIII\n", 1, GB_E_FORMAT,
                    "record 2 (line 8)"); /* quality shorter than sequence */
    expect_bad_text(f, "@a\nACGT\n+\nIIIII\n", 0, GB_E_FORMAT, "record 1 (line 4)");
    expect_bad_text(f, "@a\nACGT\nIIII\n@b\nA\n+\nI\n", 0, GB_E_FORMAT, "record 1 (line 3)"); /* missing '+' line */
    expect_bad_text(f, "@a\nAC\n+\nII\nxyz\nAC\n+\nII\n", 1, GB_E_FORMAT,
                    "record 2 (line 5)"); /* record starts with neither '@' nor '>' */
    expect_bad_text(f, "@a\nAC\n+\nII\n>b\nAC\n", 1, GB_E_FORMAT, "record 2 (line 5)");
    expect_bad_text(f, "@a\nACGT\n+\n", 0, GB_E_FORMAT, "record 1 (line 4)"); /* truncated */
    expect_bad_text(f, "@a\nACGT", 0, GB_E_FORMAT, "record 1 (line 3)");
    f->passed = 1;
}

/* A compressed file that is damaged: the records before the damage may come back, but the
 * last call must return code (never a clean 0) and log one line naming file and reason. */
static void expect_damaged(test_tmpdir_t *f, const char *path, const exp_list_t *want, int code, const char *reason)
{
    size_t n;
    int saved;
    char *cap = capture_stderr_begin(f, &saved);
    int rc = read_all(path, want, &n);
    char *log = capture_stderr_end(cap, saved);
    assert_int_equal(rc, code);
    assert_true(n <= want->n);
    assert_int_equal(test_count_lines(log), 1);
    assert_non_null(strstr(log, path));
    if (!strstr(log, reason)) fail_msg("log \"%s\" does not mention \"%s\"", log, reason);
    free(log);
}

static void test_truncated_and_corrupt_streams(void **state)
{
    test_tmpdir_t *f = *state;
    text_t t = {0};
    exp_list_t want = {0};
    random_fastq(&t, &want, 3u << 20);
    size_t n;

    const char *p = fixture_path(f, "half.fq.gz");
    write_gz(p, t.s, t.n, 1);
    char *gz = test_read_file(p, &n);
    truncate_file(p, n / 2);
    size_t got;
    assert_int_equal(read_all(p, &want, &got), GB_E_FORMAT);
    assert_true(got > 0 && got < want.n); /* complete records before the damage */
    expect_damaged(f, p, &want, GB_E_FORMAT, "truncated gzip");
    for (size_t cut = 1; cut <= 8; cut += 7) { /* inside the trailer: all text decodes */
        test_write_file(p, gz, n - cut);
        expect_damaged(f, p, &want, GB_E_FORMAT, "truncated gzip");
    }
    /* flipped bytes in the deflate data */
    for (size_t i = n / 3; i < n / 3 + 16; i++) gz[i] ^= 0x55;
    test_write_file(p, gz, n);
    expect_damaged(f, p, &want, GB_E_FORMAT, "gzip");
    free(gz);

    p = fixture_path(f, "half.fq.zst");
    write_zst(p, t.s, t.n, 2);
    char *zs = test_read_file(p, &n);
    truncate_file(p, n / 2);
    expect_damaged(f, p, &want, GB_E_FORMAT, "truncated zstd");
    test_write_file(p, zs, n - 2); /* inside the final checksum */
    expect_damaged(f, p, &want, GB_E_FORMAT, "truncated zstd");
    for (size_t i = n / 2; i < n / 2 + 16; i++) zs[i] ^= 0x55;
    test_write_file(p, zs, n);
    expect_damaged(f, p, &want, GB_E_FORMAT, "zstd");
    free(zs);

    free(t.s);
    exp_free(&want);
    f->passed = 1;
}

static void test_gzip_trailing_bytes(void **state)
{
    test_tmpdir_t *f = *state;
    exp_list_t want = {0};
    fastq_expected(&want);
    const char *p = fixture_path(f, "pad.fq.gz");
    write_gz(p, fastq_text, strlen(fastq_text), 1);
    static const char zeros[512];
    append_bytes(p, zeros, sizeof zeros); /* block padding, as gzip(1) tolerates */
    assert_reads_all(p, &want);
    p = fixture_path(f, "junk.fq.gz");
    write_gz(p, fastq_text, strlen(fastq_text), 1);
    append_bytes(p, "junk\n", 5);
    expect_damaged(f, p, &want, GB_E_FORMAT, "trailing garbage");
    exp_free(&want);
    f->passed = 1;
}

static void expect_open_fails(test_tmpdir_t *f, const char *path, const char *message)
{
    int saved;
    char *cap = capture_stderr_begin(f, &saved);
    fastx_reader_t *r = fastx_open(path);
    char *log = capture_stderr_end(cap, saved);
    assert_null(r);
    assert_int_equal(test_count_lines(log), 1);
    assert_non_null(strstr(log, path));
    assert_non_null(strstr(log, message));
    free(log);
}

static void test_open_refuses(void **state)
{
    test_tmpdir_t *f = *state;
    expect_open_fails(f, fixture_path(f, "missing.fq"), "cannot open");
    expect_open_fails(f, f->dir, "cannot open");

    const char *p = fixture_path(f, "nul.fq");
    test_write_file(p, "@r1\nAC\0T\n+\nIIII\n", 16);
    expect_open_fails(f, p, "not FASTA/FASTQ");
    p = fixture_path(f, "text.fq");
    test_write_file(p, "hello world\n", 12);
    expect_open_fails(f, p, "not FASTA/FASTQ");
    p = fixture_path(f, "random.bin");
    unsigned char noise[4096];
    for (size_t i = 0; i < sizeof noise; i++) noise[i] = (unsigned char)test_rng_next(&rng);
    noise[0] = 0x00; /* never a compression magic by accident */
    test_write_file(p, noise, sizeof noise);
    expect_open_fails(f, p, "not FASTA/FASTQ");
    p = fixture_path(f, "binary.fq.gz"); /* valid gzip, binary content */
    write_gz(p, (const char *)noise, sizeof noise, 1);
    expect_open_fails(f, p, "not FASTA/FASTQ");
    p = fixture_path(f, "reads.fq.bz2");
    test_write_file(p, "BZh91AY&SY", 10);
    expect_open_fails(f, p, "bzip2");
    f->passed = 1;
}

/* ---------- ids ---------- */

static void test_id_len(void **state)
{
    test_tmpdir_t *f = *state;
    /* clang-format off */
    static const struct {
        const char *name;
        int strip;
        size_t want;
    } cases[] = {
        {"read1/1 extra", 0, 7}, {"read1/1 extra", 1, 5}, {"read1/2\tx", 1, 5},
        {"read1/3", 1, 7},       {"r/1", 1, 1},           {"/1", 1, 2},
        {"ab", 1, 2},            {"", 1, 0},              {"noSpace", 1, 7},
        {"id\rjunk", 0, 2},      {" lead", 0, 0},         {"x/1/2", 1, 3},
        {"SRR1.1 1/1", 1, 6},    {"kraken:taxid|562", 0, 16},
    };
    /* clang-format on */
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t got = fastx_id_len(cases[i].name, strlen(cases[i].name), cases[i].strip);
        if (got != cases[i].want)
            fail_msg("fastx_id_len(\"%s\", strip=%d) = %zu, want %zu", cases[i].name, cases[i].strip, got,
                     cases[i].want);
    }
    /* name_len bounds the scan even without a terminator */
    assert_int_equal(fastx_id_len("abc/1 def", 5, 1), 3);
    assert_int_equal(fastx_id_len("abc/1 def", 4, 1), 4);
    f->passed = 1;
}

int main(void)
{
    rng.state = test_seed("test_fastx");
    const struct CMUnitTest tests[] = {
        test_tmpdir_unit_test(test_fastq_plain_gz_zst_identical),
        test_tmpdir_unit_test(test_gzip_content_with_fq_name),
        test_tmpdir_unit_test(test_fasta_multiline_blank_crlf),
        test_tmpdir_unit_test(test_fastq_crlf),
        test_tmpdir_unit_test(test_empty_inputs),
        test_tmpdir_unit_test(test_random_large_fastq),
        test_tmpdir_unit_test(test_random_fasta_long_lines),
        test_tmpdir_unit_test(test_stdin_pipe_gz),
        test_tmpdir_unit_test(test_bad_fastq_text),
        test_tmpdir_unit_test(test_truncated_and_corrupt_streams),
        test_tmpdir_unit_test(test_gzip_trailing_bytes),
        test_tmpdir_unit_test(test_open_refuses),
        test_tmpdir_unit_test(test_id_len),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
