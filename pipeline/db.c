/* Database file writer and loader. The header is encoded field by field in little-endian
 * (never a raw struct); sections are 4096-aligned arrays that are used in place after mmap,
 * which the loader allows only on a little-endian host. db_load_file is the one place that
 * decides where a database's bytes come from (mapping, own memory, or the caller's memory),
 * for gutbrain.db and hash.k2d alike. */
#include "db.h"
#include "fileio.h"
#include "k2db.h"
#include "log.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#define DB_MAGIC        "GUTBRNDB"
#define DB_HEADER_BYTES 4096
#define DB_ALIGN        4096

enum { SEC_PARENT, SEC_EXTERNAL, SEC_NAME_OFF, SEC_RANK_OFF, SEC_NAMES, SEC_RANKS, SEC_CELLS, SEC_COUNT };
static const char *const sec_names[SEC_COUNT] = {
    "taxonomy parents", "taxonomy ids", "name offsets", "rank offsets", "names", "ranks", "k-mer table"};

/* Header layout (byte offsets), documented in docs/DB-FORMAT.md. */
enum {
    H_MAGIC = 0,
    H_VERSION = 8,
    H_HEADER_BYTES = 12,
    H_K = 16,
    H_L = 20,
    H_SPACED = 24,
    H_VALUE_BITS = 28,
    H_MASK = 32,
    H_TOGGLE = 40,
    H_NBUCKETS = 48,
    H_ENTRIES = 56,
    H_NODES = 64,
    H_BUCKET_CELLS = 68,
    H_SECTIONS = 72, /* SEC_COUNT x (offset, size, xxh3) */
    H_FILE_BYTES = H_SECTIONS + SEC_COUNT * 24,
    H_SEQUENCES = H_FILE_BYTES + 8,
    H_BASES = H_SEQUENCES + 8,
    H_MINIMIZERS = H_BASES + 8,
    H_MIN_HASH = H_MINIMIZERS + 8, /* version 2 only */
    H_CHECKSUM = DB_HEADER_BYTES - 8
};

static void put32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++) p[i] = (unsigned char)(v >> (8 * i));
}
static void put64(unsigned char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++) p[i] = (unsigned char)(v >> (8 * i));
}

static uint64_t align_up(uint64_t x) { return (x + DB_ALIGN - 1) & ~(uint64_t)(DB_ALIGN - 1); }

typedef struct {
    const void *data;
    uint64_t size;
} section_t;

static void db_sections(const gb_db_t *db, section_t s[SEC_COUNT])
{
    uint64_t n = db->taxo.n;
    s[SEC_PARENT] = (section_t){db->taxo.parent, n * 4};
    s[SEC_EXTERNAL] = (section_t){db->taxo.external, n * 4};
    s[SEC_NAME_OFF] = (section_t){db->taxo.name_off, n * 4};
    s[SEC_RANK_OFF] = (section_t){db->taxo.rank_off, n * 4};
    s[SEC_NAMES] = (section_t){db->taxo.names, db->taxo.names_len};
    s[SEC_RANKS] = (section_t){db->taxo.ranks, db->taxo.ranks_len};
    s[SEC_CELLS] = (section_t){db->table.cells, db->table.nbuckets * KMER_TABLE_BUCKET_CELLS * 4};
}

static int write_all(int fd, const void *buf, uint64_t len, const char *path)
{
    const char *p = buf;
    while (len) {
        ssize_t w = write(fd, p, len > (1u << 30) ? (1u << 30) : len);
        if (w < 0) {
            if (errno == EINTR) continue;
            gb_error("cannot write %s: %s", path, strerror(errno));
            return GB_E_IO;
        }
        p += w;
        len -= (uint64_t)w;
    }
    return 0;
}

static void encode_header(const gb_db_t *db, const section_t s[SEC_COUNT], const uint64_t off[SEC_COUNT],
                          uint64_t file_bytes, unsigned char *h)
{
    memset(h, 0, DB_HEADER_BYTES);
    memcpy(h + H_MAGIC, DB_MAGIC, 8);
    /* an uncapped database stays version 1, byte for byte what earlier builds wrote; a capped
     * one is version 2, so a reader that cannot apply the threshold refuses it */
    put32(h + H_VERSION, db->table.min_hash ? DB_FORMAT_VERSION : 1);
    put32(h + H_HEADER_BYTES, DB_HEADER_BYTES);
    put32(h + H_K, (uint32_t)db->mm.k);
    put32(h + H_L, (uint32_t)db->mm.l);
    put32(h + H_SPACED, (uint32_t)db->mm.spaced);
    put32(h + H_VALUE_BITS, (uint32_t)db->table.value_bits);
    put64(h + H_MASK, db->mm.mask);
    put64(h + H_TOGGLE, db->mm.toggle);
    put64(h + H_NBUCKETS, db->table.nbuckets);
    put64(h + H_ENTRIES, db->entries);
    put32(h + H_NODES, db->taxo.n);
    put32(h + H_BUCKET_CELLS, KMER_TABLE_BUCKET_CELLS);
    for (int i = 0; i < SEC_COUNT; i++) {
        put64(h + H_SECTIONS + 24 * i, off[i]);
        put64(h + H_SECTIONS + 24 * i + 8, s[i].size);
        put64(h + H_SECTIONS + 24 * i + 16, XXH3_64bits(s[i].data, s[i].size));
    }
    put64(h + H_FILE_BYTES, file_bytes);
    put64(h + H_SEQUENCES, db->info.sequences);
    put64(h + H_BASES, db->info.bases);
    put64(h + H_MINIMIZERS, db->info.minimizers);
    put64(h + H_MIN_HASH, db->table.min_hash);
    put64(h + H_CHECKSUM, XXH3_64bits(h, H_CHECKSUM));
}

int db_write(const char *dir, const gb_db_t *db)
{
    section_t s[SEC_COUNT];
    uint64_t off[SEC_COUNT], pos = DB_HEADER_BYTES;
    static const unsigned char zeros[DB_ALIGN];
    unsigned char *h = malloc(DB_HEADER_BYTES);
    char path[4096], tmp[4200];
    int fd = -1, rc = GB_E_IO;
    if (!h) return GB_E_NOMEM;
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
        gb_error("cannot create database folder %s: %s", dir, strerror(errno));
        goto done;
    }
    snprintf(path, sizeof path, "%s/%s", dir, DB_FILE_NAME);
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
    db_sections(db, s);
    for (int i = 0; i < SEC_COUNT; i++) {
        off[i] = pos;
        pos = align_up(pos + s[i].size);
    }
    encode_header(db, s, off, pos, h);
    fd = fileio_create_private(tmp);
    if (fd < 0) {
        gb_error("cannot create %s: %s", tmp, strerror(errno));
        goto done;
    }
    if ((rc = write_all(fd, h, DB_HEADER_BYTES, tmp))) goto done;
    for (int i = 0; i < SEC_COUNT; i++) {
        if ((rc = write_all(fd, s[i].data, s[i].size, tmp))) goto done;
        uint64_t pad = align_up(off[i] + s[i].size) - (off[i] + s[i].size);
        if ((rc = write_all(fd, zeros, pad, tmp))) goto done;
    }
    if (fsync(fd) != 0 || close(fd) != 0) {
        fd = -1;
        gb_error("cannot write %s: %s", tmp, strerror(errno));
        rc = GB_E_IO;
        goto done;
    }
    fd = -1;
    if (fileio_publish(tmp, path) != 0) {
        gb_error("cannot rename %s to %s: %s", tmp, path, strerror(errno));
        rc = GB_E_IO;
        goto done;
    }
    rc = 0;
done:
    if (fd >= 0) close(fd);
    if (rc) unlink(tmp);
    free(h);
    return rc;
}

static int host_is_little_endian(void)
{
    const uint16_t one = 1;
    return *(const unsigned char *)&one == 1;
}

/* Check the header and fill db's scalar fields; sections are checked by the caller. */
static int decode_header(const char *path, const unsigned char *h, uint64_t file_bytes, gb_db_t *db,
                         uint64_t off[SEC_COUNT], uint64_t size[SEC_COUNT], uint64_t sum[SEC_COUNT])
{
    if (file_bytes < DB_HEADER_BYTES || memcmp(h + H_MAGIC, DB_MAGIC, 8) != 0) {
        gb_error("%s: not a gutbrain database (bad magic)", path);
        return GB_E_DB;
    }
    uint32_t version = fileio_le32(h + H_VERSION);
    if (version < 1 || version > DB_FORMAT_VERSION) {
        gb_error("%s: database format version %u, this gutbrain reads versions 1 to %u: rebuild it with 'gutbrain "
                 "build'",
                 path, version, DB_FORMAT_VERSION);
        return GB_E_DB;
    }
    if (fileio_le64(h + H_CHECKSUM) != XXH3_64bits(h, H_CHECKSUM)) {
        gb_error("%s: header checksum mismatch (file corrupt)", path);
        return GB_E_DB;
    }
    if (fileio_le32(h + H_HEADER_BYTES) != DB_HEADER_BYTES ||
        fileio_le32(h + H_BUCKET_CELLS) != KMER_TABLE_BUCKET_CELLS || fileio_le64(h + H_FILE_BYTES) != file_bytes) {
        gb_error("%s: size mismatch (file truncated or corrupt: %llu bytes, header says %llu)", path,
                 (unsigned long long)file_bytes, (unsigned long long)fileio_le64(h + H_FILE_BYTES));
        return GB_E_DB;
    }
    int k = (int)fileio_le32(h + H_K), l = (int)fileio_le32(h + H_L), spaced = (int)fileio_le32(h + H_SPACED);
    /* s > l / 2, not 2 * s > l: a corrupt s near 2^30 must not overflow (tests/fuzz/regress/db) */
    if (l < 1 || l > 31 || k < l || k > 255 || spaced < 0 || spaced > l / 2) {
        gb_error("%s: invalid parameters k=%d l=%d s=%d", path, k, l, spaced);
        return GB_E_DB;
    }
    minimizer_params_init(&db->mm, k, l, spaced);
    if (db->mm.mask != fileio_le64(h + H_MASK) || db->mm.toggle != fileio_le64(h + H_TOGGLE)) {
        gb_error("%s: minimizer masks do not match k=%d l=%d s=%d", path, k, l, spaced);
        return GB_E_DB;
    }
    db->table.value_bits = (int)fileio_le32(h + H_VALUE_BITS);
    db->table.nbuckets = fileio_le64(h + H_NBUCKETS);
    db->entries = fileio_le64(h + H_ENTRIES);
    db->taxo.n = fileio_le32(h + H_NODES);
    db->info.sequences = fileio_le64(h + H_SEQUENCES);
    db->info.bases = fileio_le64(h + H_BASES);
    db->info.minimizers = fileio_le64(h + H_MINIMIZERS);
    db->table.min_hash = version >= 2 ? fileio_le64(h + H_MIN_HASH) : 0;
    db->checksum = fileio_le64(h + H_CHECKSUM);
    for (int i = 0; i < SEC_COUNT; i++) {
        off[i] = fileio_le64(h + H_SECTIONS + 24 * i);
        size[i] = fileio_le64(h + H_SECTIONS + 24 * i + 8);
        sum[i] = fileio_le64(h + H_SECTIONS + 24 * i + 16);
        if (off[i] % DB_ALIGN || off[i] > file_bytes || size[i] > file_bytes - off[i]) {
            gb_error("%s: section '%s' lies outside the file", path, sec_names[i]);
            return GB_E_DB;
        }
    }
    uint64_t n = db->taxo.n;
    if (n < 2 || size[SEC_PARENT] != 4 * n || size[SEC_EXTERNAL] != 4 * n || size[SEC_NAME_OFF] != 4 * n ||
        size[SEC_RANK_OFF] != 4 * n || size[SEC_CELLS] != db->table.nbuckets * KMER_TABLE_BUCKET_CELLS * 4 ||
        db->table.nbuckets == 0 || db->table.value_bits < 1 || db->table.value_bits > 31 ||
        (n - 1) >> db->table.value_bits) {
        gb_error("%s: inconsistent section sizes", path);
        return GB_E_DB;
    }
    if (db->table.min_hash && db->table.nbuckets >= -db->table.min_hash) {
        gb_error("%s: hash threshold leaves fewer hashes than buckets", path);
        return GB_E_DB;
    }
    db->table.home_mul = kmer_table_home_mul(db->table.nbuckets, db->table.min_hash);
    return 0;
}

/* Point db's arrays into the mapping; check what later code relies on (parent[i] < i,
 * offsets inside their blobs, NUL-terminated blobs). */
static int attach_sections(const char *path, gb_db_t *db, const unsigned char *base, const uint64_t off[SEC_COUNT],
                           const uint64_t size[SEC_COUNT])
{
    taxo_t *t = &db->taxo;
    t->parent = (uint32_t *)(base + off[SEC_PARENT]);
    t->external = (uint32_t *)(base + off[SEC_EXTERNAL]);
    t->name_off = (uint32_t *)(base + off[SEC_NAME_OFF]);
    t->rank_off = (uint32_t *)(base + off[SEC_RANK_OFF]);
    t->names = (char *)(base + off[SEC_NAMES]);
    t->names_len = size[SEC_NAMES];
    t->ranks = (char *)(base + off[SEC_RANKS]);
    t->ranks_len = size[SEC_RANKS];
    t->owned = 0;
    db->table.cells = (uint32_t *)(base + off[SEC_CELLS]);
    if (!t->names_len || t->names[t->names_len - 1] || !t->ranks_len || t->ranks[t->ranks_len - 1]) {
        gb_error("%s: name tables are not terminated", path);
        return GB_E_DB;
    }
    for (uint32_t i = 1; i < t->n; i++) {
        if (t->parent[i] >= i || (i > 1 && t->parent[i] == 0) || t->name_off[i] >= t->names_len ||
            t->rank_off[i] >= t->ranks_len) {
            gb_error("%s: taxonomy node %u is inconsistent", path, i);
            return GB_E_DB;
        }
    }
    return 0;
}

/* Pieces of at most 64 MiB: large enough that each pread is one long sequential request
 * (what a network file system serves fastest), and at least 4 per thread when the range is
 * smaller, so that threads finishing early take the rest. */
#define READ_PIECE_MAX (64ull << 20)
#define READ_PIECE_MIN (1ull << 20)

static int read_piece(int fd, const char *path, unsigned char *base, uint64_t at, uint64_t end)
{
    int e = fileio_pread_full(fd, base + at, (size_t)(end - at), at);
    if (e) gb_error("cannot read %s: %s", path, e > 0 ? strerror(e) : "unexpected end of file");
    return e ? GB_E_IO : GB_OK;
}

int db_read_range(int fd, const char *path, unsigned char *base, uint64_t from, uint64_t to, int threads)
{
    if (threads < 1) threads = 1;
    uint64_t len = to > from ? to - from : 0,
             piece = (len / (4 * (uint64_t)threads) + READ_PIECE_MIN - 1) & ~(READ_PIECE_MIN - 1);
    piece = piece < READ_PIECE_MIN ? READ_PIECE_MIN : piece > READ_PIECE_MAX ? READ_PIECE_MAX : piece;
    int64_t npieces = (int64_t)((len + piece - 1) / piece);
    int rc = GB_OK;
#pragma omp parallel for schedule(dynamic) num_threads(threads) if (threads > 1 && npieces > 1) default(none) \
    shared(fd, path, base, from, to, piece, npieces, rc)
    for (int64_t i = 0; i < npieces; i++) {
        uint64_t at = from + (uint64_t)i * piece, end = to - at > piece ? at + piece : to;
        int r = read_piece(fd, path, base, at, end);
        if (r) {
#pragma omp atomic write
            rc = r;
        }
    }
    return rc;
}

/* Anonymous memory filled by parallel preads; read-only once filled, so a stray write faults
 * as it would on the mapping. */
static int read_into_anonymous(int fd, size_t len, const char *path, int threads, gb_db_t *db)
{
    void *mem = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (mem == MAP_FAILED) {
        gb_error("cannot allocate %zu bytes for %s: %s", len, path, strerror(errno));
        return GB_E_NOMEM;
    }
    db->map = mem;
    db->map_len = len;
    db->map_owned = 1;
    int rc = db_read_range(fd, path, mem, 0, len, threads);
    if (rc) return rc;
    mprotect(mem, len, PROT_READ);
    db->read_here = len;
    return GB_OK;
}

int db_load_file(int fd, size_t len, const char *path, const db_load_t *load, gb_db_t *db)
{
    if (load && load->mode == DB_LOAD_READ && load->mem) {
        if (load->mem_len != len) {
            gb_error("%s: %zu bytes, but %zu were loaded (the file changed while loading)", path, len, load->mem_len);
            return GB_E_IO;
        }
        db->map = (void *)load->mem;
        db->map_len = len;
        db->map_owned = 0;
        return GB_OK;
    }
    if (load && load->mode == DB_LOAD_READ) return read_into_anonymous(fd, len, path, load->threads, db);
    /* MAP_SHARED + read-only: every process of the node shares the page cache copy. */
    void *map = mmap(NULL, len, PROT_READ, MAP_SHARED | MAP_POPULATE, fd, 0);
    if (map == MAP_FAILED) {
        gb_error("cannot map %s: %s", path, strerror(errno));
        return GB_E_IO;
    }
    madvise(map, len, MADV_RANDOM);
    db->map = map;
    db->map_len = len;
    db->map_owned = 1;
    return GB_OK;
}

int db_load_parse(const char *value, db_load_mode_t *mode)
{
    if (!strcmp(value, "map")) *mode = DB_LOAD_MAP;
    else if (!strcmp(value, "read")) *mode = DB_LOAD_READ;
    else {
        gb_error("--db-load: '%s' is neither map nor read", value);
        return GB_E_USAGE;
    }
    return GB_OK;
}

static int open_kraken2(const char *dir, const db_load_t *load, gb_db_t **out)
{
    gb_db_t *db = calloc(1, sizeof *db);
    if (!db) return GB_E_NOMEM;
    int rc = k2db_open(dir, load, db);
    if (rc) {
        db_close(db);
        return rc;
    }
    *out = db;
    return GB_OK;
}

/* A directory without gutbrain.db but with .k2d files is a Kraken 2 database. */
static int is_kraken2_dir(const char *dir, char *path, size_t cap)
{
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        snprintf(path, cap, "%s", dir);
        return 0;
    }
    snprintf(path, cap, "%s/%s", dir, DB_FILE_NAME);
    return access(path, F_OK) != 0 && k2db_present(dir);
}

void db_data_path(const char *dir, char *path, size_t cap)
{
    if (is_kraken2_dir(dir, path, cap)) snprintf(path, cap, "%s/%s", dir, K2DB_HASH_FILE);
}

int db_open(const char *dir, int verify_payload, gb_db_t **out) { return db_open_load(dir, verify_payload, NULL, out); }

int db_open_load(const char *dir, int verify_payload, const db_load_t *load, gb_db_t **out)
{
    char path[4096];
    struct stat st;
    unsigned char h[DB_HEADER_BYTES];
    uint64_t off[SEC_COUNT], size[SEC_COUNT], sum[SEC_COUNT];
    gb_db_t *db = NULL;
    int rc = GB_E_DB, fd;
    *out = NULL;
    if (!host_is_little_endian()) { /* both kinds' tables are used in place */
        gb_error("%s: gutbrain and Kraken 2 databases are little-endian; this host is not", dir);
        return GB_E_DB;
    }
    if (is_kraken2_dir(dir, path, sizeof path)) return open_kraken2(dir, load, out);
    fd = open(path, O_RDONLY);
    if (fd < 0 || fstat(fd, &st) != 0) {
        gb_error("cannot open database %s: %s", path, strerror(errno));
        if (fd >= 0) close(fd);
        return GB_E_DB;
    }
    memset(h, 0, sizeof h);
    if (pread(fd, h, DB_HEADER_BYTES, 0) < 0) {
        gb_error("cannot read %s: %s", path, strerror(errno));
        goto fail;
    }
    if (!(db = calloc(1, sizeof *db))) {
        rc = GB_E_NOMEM;
        goto fail;
    }
    if ((rc = decode_header(path, h, (uint64_t)st.st_size, db, off, size, sum))) goto fail;
    if ((rc = db_load_file(fd, (size_t)st.st_size, path, load, db))) goto fail;
    for (int i = 0; verify_payload && i < SEC_COUNT; i++) {
        if (XXH3_64bits((const unsigned char *)db->map + off[i], size[i]) != sum[i]) {
            gb_error("%s: checksum mismatch in section '%s' (file corrupt)", path, sec_names[i]);
            rc = GB_E_DB;
            goto fail;
        }
    }
    if ((rc = attach_sections(path, db, db->map, off, size))) goto fail;
    if ((rc = taxo_index(&db->taxo))) goto fail;
    close(fd);
    *out = db;
    return 0;
fail:
    close(fd);
    db_close(db);
    return rc;
}

void db_close(gb_db_t *db)
{
    if (!db) return;
    if (db->map) {
        if (db->map_owned) munmap(db->map, db->map_len);
        if (db->kind == DB_KIND_GUTBRAIN) db->taxo.owned = 0; /* its taxonomy lived in the mapping */
    }
    taxo_destroy(&db->taxo);
    free(db);
}

classify_table_t db_classify_table(const gb_db_t *db)
{
    if (db->kind == DB_KIND_KRAKEN2) return (classify_table_t){.kind = CLASSIFY_TABLE_KRAKEN2, .kraken2 = &db->k2};
    return (classify_table_t){.kind = CLASSIFY_TABLE_GUTBRAIN, .gutbrain = &db->table};
}
