/* Per-sample profiles (profile.h): fingerprint, atomic write, strict read.
 *
 * The profile is the checkpoint of 'gutbrain run': a sample counts as done exactly when its
 * profile parses and its fingerprint matches. So the reader accepts only what the writer
 * produces, byte for byte (any damage means "redo the sample", never "use wrong counts"), and
 * the writer refuses a profile the reader would reject. */
#define XXH_STATIC_LINKING_ONLY /* XXH3_state_t on the stack: no allocation, no failure */
#include "profile.h"
#include "fileio.h"
#include "gb_array.h"
#include "log.h"
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#define FINGERPRINT_TAG   "gutbrain-fp-1"
#define PROFILE_MAGIC     "# gutbrain-profile 1"
#define PROFILE_SUFFIX    ".profile.tsv"
#define TAXA_HEADER       "taxid\treads"
#define TAXA_HEADER_MDATA "taxid\treads\tminimizers\tdistinct_minimizers" /* --report-minimizer-data */

/* ---------- fingerprint ---------- */

/* Every field is an 8-byte little-endian length then its bytes, so no two different field
 * sequences hash the same byte string; integers are 8 bytes little-endian on every host. */
static void fp_bytes(XXH3_state_t *st, const void *data, size_t len)
{
    unsigned char prefix[8];
    for (int i = 0; i < 8; i++) prefix[i] = (unsigned char)((uint64_t)len >> (8 * i));
    XXH3_64bits_update(st, prefix, sizeof prefix);
    if (len) XXH3_64bits_update(st, data, len);
}

static void fp_u64(XXH3_state_t *st, uint64_t v)
{
    unsigned char le[8];
    for (int i = 0; i < 8; i++) le[i] = (unsigned char)(v >> (8 * i));
    fp_bytes(st, le, sizeof le);
}

static void fp_str(XXH3_state_t *st, const char *s) { fp_bytes(st, s, strlen(s)); }

/* One input file: path, then whether stat worked, size, mtime seconds and nanoseconds. The
 * marker keeps a missing file apart from an empty one with mtime 0. */
static void fp_file(XXH3_state_t *st, const char *path)
{
    struct stat sb;
    int ok = stat(path, &sb) == 0;
    fp_str(st, path);
    fp_u64(st, ok);
    fp_u64(st, ok ? (uint64_t)sb.st_size : 0);
    fp_u64(st, ok ? (uint64_t)sb.st_mtim.tv_sec : 0);
    fp_u64(st, ok ? (uint64_t)sb.st_mtim.tv_nsec : 0);
}

uint64_t profile_fingerprint(const sample_t *s, const run_params_t *p)
{
    XXH3_state_t st;
    XXH3_64bits_reset(&st);
    fp_str(&st, FINGERPRINT_TAG);
    fp_str(&st, s->id);
    uint64_t mates = s->fastq[1] ? 2 : 1;
    fp_u64(&st, mates);
    for (uint64_t m = 0; m < mates; m++) fp_file(&st, s->fastq[m]);
    fp_u64(&st, p->db_checksum);
    /* -0.0 classifies exactly like 0.0, so it must not force a redo */
    double conf = p->confidence == 0.0 ? 0.0 : p->confidence;
    uint64_t conf_bits;
    memcpy(&conf_bits, &conf, sizeof conf_bits);
    fp_u64(&st, conf_bits);
    fp_u64(&st, p->min_hit_groups);
    fp_u64(&st, (uint64_t)(int64_t)p->min_base_quality);
    /* only when on, so results written without the option keep their fingerprints */
    if (p->minimizer_data) fp_str(&st, "report-minimizer-data");
    return XXH3_64bits_digest(&st);
}

/* ---------- paths ---------- */

/* The id is one path component; the sheet guarantees it, this guards other callers. */
static int id_is_safe(const char *id)
{
    if (!id || !id[0] || strcmp(id, ".") == 0 || strcmp(id, "..") == 0) return 0;
    for (const unsigned char *c = (const unsigned char *)id; *c; c++)
        if (*c == '/' || *c <= ' ' || *c == 0x7f) return 0;
    return 1;
}

/* Length of outdir without trailing slashes ("/" stays "/"). */
static int outdir_len(const char *outdir)
{
    size_t len = strlen(outdir);
    while (len > 1 && outdir[len - 1] == '/') len--;
    return len > INT32_MAX ? INT32_MAX : (int)len;
}

int profile_path(char *buf, size_t cap, const char *outdir, const char *id, const char *suffix)
{
    if (!id_is_safe(id)) {
        gb_error("invalid sample id for a file name");
        return GB_E_USAGE;
    }
    int dl = outdir_len(outdir);
    const char *sep = (dl == 1 && outdir[0] == '/') ? "" : "/";
    int n = snprintf(buf, cap, "%.*s%ssamples/%s%s", dl, outdir, sep, id, suffix);
    if (n < 0 || (size_t)n >= cap) {
        gb_error("path of sample '%s' under %s is too long", id, outdir);
        return GB_E_USAGE;
    }
    return GB_OK;
}

/* ---------- checks shared by writer and reader ---------- */

/* Consistency of the numbers: classified + unclassified = reads, ascending taxids >= 1,
 * non-zero counts summing to classified. Returns NULL or the first problem. */
static const char *profile_problem(const profile_t *p)
{
    if (p->unclassified > p->reads || p->reads - p->unclassified != p->classified)
        return "reads is not classified + unclassified";
    uint64_t sum = 0;
    for (size_t i = 0; i < p->ntaxa; i++) {
        if (p->taxid[i] == 0) return "taxid 0";
        if (i > 0 && p->taxid[i] <= p->taxid[i - 1]) return "taxids not strictly ascending";
        if (p->count[i] == 0) return "zero count";
        if (p->count[i] > UINT64_MAX - sum) return "counts overflow";
        sum += p->count[i];
    }
    if (sum != p->classified) return "sum of counts differs from classified";
    return NULL;
}

/* ---------- writing ---------- */

static int write_body(FILE *fp, const profile_t *p)
{
    fprintf(fp, PROFILE_MAGIC "\n# sample\t%s\n# fingerprint\t%016" PRIx64 "\n", p->id, p->fingerprint);
    fprintf(fp,
            "# reads\t%" PRIu64 "\n# classified\t%" PRIu64 "\n# unclassified\t%" PRIu64 "\n# bases\t%" PRIu64 "\n%s\n",
            p->reads, p->classified, p->unclassified, p->bases, p->minimizers ? TAXA_HEADER_MDATA : TAXA_HEADER);
    for (size_t i = 0; i < p->ntaxa; i++) {
        fprintf(fp, "%" PRIu32 "\t%" PRIu64, p->taxid[i], p->count[i]);
        if (p->minimizers) fprintf(fp, "\t%" PRIu64 "\t%" PRIu64, p->minimizers[i], p->distinct[i]);
        fputc('\n', fp);
    }
    return ferror(fp) ? GB_E_IO : GB_OK;
}

/* OUTDIR/samples; concurrent ranks may race to create it, so EEXIST is success. */
static int make_samples_dir(const char *outdir)
{
    char dir[4096];
    int dl = outdir_len(outdir);
    int n = snprintf(dir, sizeof dir, "%.*s/samples", dl, outdir);
    if (n < 0 || (size_t)n >= sizeof dir) {
        gb_error("output folder name too long: %s", outdir);
        return GB_E_USAGE;
    }
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
        gb_error("cannot create %s: %s", dir, strerror(errno));
        return GB_E_IO;
    }
    return GB_OK;
}

/* Temp file in the same folder, flushed to disk before the rename: after a crash the final
 * name holds either nothing or a complete profile. */
static int write_atomically(const char *final, const profile_t *p)
{
    char tmp[4200];
    int n = snprintf(tmp, sizeof tmp, "%s.tmp.%ld", final, (long)getpid());
    if (n < 0 || (size_t)n >= sizeof tmp) {
        gb_error("path too long: %s", final);
        return GB_E_USAGE;
    }
    int fd = fileio_create_private(tmp);
    FILE *fp = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (!fp) {
        if (fd >= 0) close(fd);
        gb_error("cannot write %s: %s", tmp, strerror(errno));
        return GB_E_IO;
    }
    const char *step = "write";
    int bad = write_body(fp, p) != GB_OK || fflush(fp) != 0;
    if (!bad) {
        step = "sync";
        bad = fsync(fileno(fp)) != 0;
    }
    int saved = errno;
    if (fclose(fp) != 0 && !bad) {
        step = "close";
        bad = 1;
        saved = errno;
    }
    if (!bad && fileio_publish(tmp, final) != 0) {
        step = "rename";
        bad = 1;
        saved = errno;
    }
    if (!bad) return GB_OK;
    gb_error("cannot %s %s: %s", step, tmp, saved ? strerror(saved) : "write error");
    unlink(tmp);
    return GB_E_IO;
}

int profile_write(const char *outdir, const profile_t *p)
{
    const char *why = profile_problem(p);
    if (why) {
        /* a profile the reader would reject would be redone on every resume */
        gb_error("refusing to write the profile of '%s': %s", p->id ? p->id : "?", why);
        return GB_E_INTERNAL;
    }
    char final[4096];
    int rc = profile_path(final, sizeof final, outdir, p->id, PROFILE_SUFFIX);
    if (rc == GB_OK) rc = make_samples_dir(outdir);
    if (rc == GB_OK) rc = write_atomically(final, p);
    return rc;
}

/* ---------- reading ---------- */

typedef struct {
    const char *path;
    char *pos, *end;
    int line;
} reader_t;

static int profile_damaged(reader_t *r, const char *why)
{
    gb_error("%s:%d: %s", r->path, r->line, why);
    return GB_E_FORMAT;
}

/* Next '\n'-terminated line, NUL-terminated in place. A last line without its newline means
 * the file was cut short. */
static int next_line(reader_t *r, char **line)
{
    r->line++;
    if (r->pos >= r->end) return profile_damaged(r, "unexpected end of file");
    char *nl = memchr(r->pos, '\n', (size_t)(r->end - r->pos));
    if (!nl) return profile_damaged(r, "last line has no newline (truncated file?)");
    if (memchr(r->pos, '\0', (size_t)(nl - r->pos))) return profile_damaged(r, "NUL byte");
    *nl = '\0';
    *line = r->pos;
    r->pos = nl + 1;
    return GB_OK;
}

/* Unsigned decimal without sign, spaces or leading zeros (one spelling per value), <= max. */
static int parse_uint(const char *s, uint64_t max, uint64_t *out)
{
    if (!s[0] || (s[0] == '0' && s[1])) return -1;
    uint64_t v = 0;
    for (; *s; s++) {
        unsigned d = (unsigned)(unsigned char)*s - '0';
        if (d > 9 || v > (max - d) / 10) return -1;
        v = v * 10 + d;
    }
    *out = v;
    return 0;
}

static int parse_hex64(const char *s, uint64_t *out)
{
    uint64_t v = 0;
    int i = 0;
    for (; i < 16 && s[i]; i++) {
        char c = s[i];
        unsigned d = c >= '0' && c <= '9' ? (unsigned)(c - '0') : c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10) : 16;
        if (d == 16) return -1;
        v = v << 4 | d;
    }
    if (i != 16 || s[i]) return -1;
    *out = v;
    return 0;
}

/* "# <key>\t<value>": returns the value, or NULL when the line is another one. */
static const char *header_value(const char *line, const char *key)
{
    size_t k = strlen(key);
    if (strncmp(line, "# ", 2) != 0 || strncmp(line + 2, key, k) != 0 || line[2 + k] != '\t') return NULL;
    return line + 3 + k;
}

static int read_header(reader_t *r, const char *id, profile_t *p, int *mdata)
{
    static const char *const keys[4] = {"reads", "classified", "unclassified", "bases"};
    uint64_t *vals[4] = {&p->reads, &p->classified, &p->unclassified, &p->bases};
    char *line, msg[160];
    const char *v;
    int rc;
    if ((rc = next_line(r, &line)) != GB_OK) return rc;
    if (strcmp(line, PROFILE_MAGIC) != 0) return profile_damaged(r, "expected '" PROFILE_MAGIC "'");
    if ((rc = next_line(r, &line)) != GB_OK) return rc;
    if (!(v = header_value(line, "sample"))) return profile_damaged(r, "expected '# sample<TAB><id>'");
    if (strcmp(v, id) != 0) {
        snprintf(msg, sizeof msg, "profile of sample '%.60s', expected '%.60s'", v, id);
        return profile_damaged(r, msg);
    }
    if ((rc = next_line(r, &line)) != GB_OK) return rc;
    if (!(v = header_value(line, "fingerprint")) || parse_hex64(v, &p->fingerprint))
        return profile_damaged(r, "expected '# fingerprint<TAB><16 lowercase hex digits>'");
    for (int k = 0; k < 4; k++) {
        if ((rc = next_line(r, &line)) != GB_OK) return rc;
        if (!(v = header_value(line, keys[k])) || parse_uint(v, UINT64_MAX, vals[k])) {
            snprintf(msg, sizeof msg, "expected '# %s<TAB><unsigned integer>'", keys[k]);
            return profile_damaged(r, msg);
        }
    }
    if ((rc = next_line(r, &line)) != GB_OK) return rc;
    *mdata = strcmp(line, TAXA_HEADER_MDATA) == 0;
    if (!*mdata && strcmp(line, TAXA_HEADER) != 0)
        return profile_damaged(r, "expected 'taxid<TAB>reads', with --report-minimizer-data followed by "
                                  "'<TAB>minimizers<TAB>distinct_minimizers'");
    return GB_OK;
}

/* Room for one more taxon. The arrays share *cap: all but the last grow on copies, so a
 * failure leaves *cap true for every one. */
static int grow_taxa(profile_t *p, int mdata, size_t *cap)
{
    size_t cap_taxid = *cap, cap_minimizers = *cap, cap_distinct = *cap;
    if (GB_GROW(p->taxid, cap_taxid, p->ntaxa + 1)) return GB_E_NOMEM;
    if (mdata &&
        (GB_GROW(p->minimizers, cap_minimizers, p->ntaxa + 1) || GB_GROW(p->distinct, cap_distinct, p->ntaxa + 1)))
        return GB_E_NOMEM;
    return GB_GROW(p->count, *cap, p->ntaxa + 1) ? GB_E_NOMEM : GB_OK;
}

/* The two minimizer columns of a taxon line (after its count). */
static int parse_minimizer_columns(char *s, uint64_t *minimizers, uint64_t *distinct)
{
    char *tab = strchr(s, '\t');
    if (!tab) return -1;
    *tab = '\0';
    return parse_uint(s, UINT64_MAX, minimizers) || parse_uint(tab + 1, UINT64_MAX, distinct) ? -1 : 0;
}

static int read_taxa(reader_t *r, profile_t *p, int mdata)
{
    size_t cap = 0;
    uint64_t sum = 0;
    while (r->pos < r->end) {
        char *line, *tab, *more = NULL;
        int rc = next_line(r, &line);
        if (rc != GB_OK) return rc;
        uint64_t taxid, count, minimizers = 0, distinct = 0;
        if (!(tab = strchr(line, '\t'))) return profile_damaged(r, "expected '<taxid><TAB><count>'");
        *tab = '\0';
        if (mdata && (!(more = strchr(tab + 1, '\t')) || parse_minimizer_columns(more + 1, &minimizers, &distinct)))
            return profile_damaged(r, "expected '<taxid><TAB><count><TAB><minimizers><TAB><distinct>'");
        if (more) *more = '\0';
        if (parse_uint(line, UINT32_MAX, &taxid) || taxid == 0) return profile_damaged(r, "bad taxid");
        if (parse_uint(tab + 1, UINT64_MAX, &count) || count == 0) return profile_damaged(r, "bad count");
        if (p->ntaxa && taxid <= p->taxid[p->ntaxa - 1]) return profile_damaged(r, "taxids not strictly ascending");
        if (count > UINT64_MAX - sum) return profile_damaged(r, "counts overflow");
        if (grow_taxa(p, mdata, &cap) != GB_OK) {
            gb_error("out of memory reading %s", r->path);
            return GB_E_NOMEM;
        }
        if (mdata) {
            p->minimizers[p->ntaxa] = minimizers;
            p->distinct[p->ntaxa] = distinct;
        }
        p->taxid[p->ntaxa] = (uint32_t)taxid;
        p->count[p->ntaxa++] = count;
        sum += count;
    }
    if (mdata && !p->minimizers && grow_taxa(p, mdata, &cap) != GB_OK) { /* no taxa: still say the columns exist */
        gb_error("out of memory reading %s", r->path);
        return GB_E_NOMEM;
    }
    if (sum != p->classified) return profile_damaged(r, "sum of counts differs from classified");
    if (p->unclassified > p->reads || p->reads - p->unclassified != p->classified)
        return profile_damaged(r, "reads is not classified + unclassified");
    return GB_OK;
}

int profile_read(const char *outdir, const char *id, profile_t *p)
{
    memset(p, 0, sizeof *p);
    char path[4096], *buf = NULL;
    size_t len = 0;
    int rc = profile_path(path, sizeof path, outdir, id, PROFILE_SUFFIX);
    if (rc == GB_OK) rc = fileio_read_all(path, "profile", 1, &buf, &len);
    if (rc != GB_OK) return rc;
    reader_t r = {.path = path, .pos = buf, .end = buf + len, .line = 0};
    int mdata = 0;
    rc = read_header(&r, id, p, &mdata);
    if (rc == GB_OK) rc = read_taxa(&r, p, mdata);
    if (rc == GB_OK && !(p->id = strdup(id))) {
        gb_error("out of memory reading %s", path);
        rc = GB_E_NOMEM;
    }
    free(buf);
    if (rc != GB_OK) profile_free(p);
    return rc;
}

void profile_free(profile_t *p)
{
    if (!p) return;
    free(p->id);
    free(p->taxid);
    free(p->count);
    free(p->minimizers);
    free(p->distinct);
    memset(p, 0, sizeof *p);
}
