/* Kraken 2 database reader (k2db.h). The files are Kraken 2's raw little-endian structs;
 * every field is decoded byte by byte and every size is checked against the header before
 * anything is used, so a truncated or inconsistent set is one error line, never a crash.
 * hash.k2d is used in place for the lookups (mapped, or read into memory: db_load_file);
 * opts.k2d and taxo.k2d are small and are read. */
#include "k2db.h"
#include "fileio.h"
#include "log.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#define HASH_HEADER_BYTES 32 /* capacity, size, key_bits, value_bits: u64 each */
#define TAXO_HEADER_BYTES 32 /* "K2TAXDAT", node_count, name_bytes, rank_bytes */
#define TAXO_RECORD_BYTES 56 /* parent, first_child, child_count, name, rank, external, godparent */
#define TAXO_MAGIC        "K2TAXDAT"
#define OPTS_MAX_BYTES    64

static const char *const k2_files[] = {K2DB_HASH_FILE, K2DB_OPTS_FILE, K2DB_TAXO_FILE};

int k2db_present(const char *dir)
{
    char path[4096];
    for (size_t i = 0; i < sizeof k2_files / sizeof k2_files[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, k2_files[i]);
        if (access(path, F_OK) == 0) return 1;
    }
    return 0;
}

/* Open DIR/NAME read-only into *fd and its size into *size; the path is left in path. */
static int open_file(const char *dir, const char *name, char *path, size_t path_size, int *fd, uint64_t *size)
{
    struct stat st;
    snprintf(path, path_size, "%s/%s", dir, name);
    *fd = open(path, O_RDONLY);
    if (*fd < 0 || fstat(*fd, &st) != 0) {
        gb_error("cannot open Kraken 2 database file %s: %s", path, strerror(errno));
        if (*fd >= 0) close(*fd);
        *fd = -1;
        return GB_E_DB;
    }
    *size = (uint64_t)st.st_size;
    return GB_OK;
}

/* opts.k2d: Kraken 2 reads as many bytes as the file has into a zeroed struct; the sizes it
 * has written are 48 (before revcom_version), 56 and 64. Fields (byte offsets): k 0, l 8,
 * spaced-seed mask 16, toggle 24, dna_db 32, min_hash 40, revcom_version 48, db_version 52,
 * db_type 56. */
static int read_opts(const char *dir, gb_db_t *db)
{
    char path[4096];
    unsigned char o[OPTS_MAX_BYTES] = {0};
    uint64_t size;
    int fd, rc = open_file(dir, K2DB_OPTS_FILE, path, sizeof path, &fd, &size);
    if (rc) return rc;
    if (size != 48 && size != 56 && size != 64) {
        gb_error("%s: %llu bytes, not a Kraken 2 options file (48, 56 or 64 bytes)", path, (unsigned long long)size);
        rc = GB_E_DB;
        goto done;
    }
    if ((rc = db_read_range(fd, path, o, 0, (size_t)size, 1))) goto done;
    uint64_t k = fileio_le64(o), l = fileio_le64(o + 8), mask = fileio_le64(o + 16), toggle = fileio_le64(o + 24);
    int32_t revcom = (int32_t)fileio_le32(o + 48), version = (int32_t)fileio_le32(o + 52),
            type = (int32_t)fileio_le32(o + 56);
    rc = GB_E_DB;
    if (!o[32]) gb_error("%s: a protein (translated search) database; gutbrain classifies DNA only", path);
    else if (l < 1 || l > 31 || k < l || k - l > MINIMIZER_MAX_SPAN)
        gb_error("%s: unsupported k=%llu l=%llu (l must be 1..31, k - l at most %d)", path, (unsigned long long)k,
                 (unsigned long long)l, MINIMIZER_MAX_SPAN);
    else if (revcom != 0 && revcom != 1) gb_error("%s: unknown revcom_version %d", path, (int)revcom);
    else if (version != 0 || type != 0)
        gb_error("%s: unknown database version %d / type %d (newer Kraken 2?)", path, (int)version, (int)type);
    else rc = GB_OK;
    if (rc) goto done;
    minimizer_params_init(&db->mm, (int)k, (int)l, 0);
    /* Kraken 2 stores the widened mask (0 = none) and the toggle before it is cut to 2l bits. */
    uint64_t lmask = db->mm.mask; /* no spaced seed: all 2l bits */
    db->mm.mask = mask ? mask & lmask : lmask;
    db->mm.toggle = toggle & lmask;
    for (int s = 0; 2 * s <= (int)l; s++)
        if (minimizer_spaced_mask((int)l, s) == db->mm.mask) db->mm.spaced = s;
    db->mm.legacy_revcom = revcom == 0;
    db->k2.min_hash = fileio_le64(o + 40);
    db->checksum = XXH3_64bits_withSeed(o, sizeof o, db->checksum);
done:
    close(fd);
    return rc;
}

/* hash.k2d: load it (mapped or read, as load says); the file must be exactly the header plus
 * capacity cells, which is checked before any byte of the cells is touched. */
static int load_hash(const char *dir, const db_load_t *load, gb_db_t *db)
{
    char path[4096];
    unsigned char h[HASH_HEADER_BYTES];
    uint64_t size;
    int fd, rc = open_file(dir, K2DB_HASH_FILE, path, sizeof path, &fd, &size);
    if (rc) return rc;
    rc = GB_E_DB;
    if (size < HASH_HEADER_BYTES) {
        gb_error("%s: %llu bytes, shorter than the hash table header", path, (unsigned long long)size);
        goto done;
    }
    if ((rc = db_read_range(fd, path, h, 0, sizeof h, 1))) goto done;
    rc = GB_E_DB;
    uint64_t capacity = fileio_le64(h), entries = fileio_le64(h + 8), key_bits = fileio_le64(h + 16),
             value_bits = fileio_le64(h + 24);
    uint64_t cell_bytes = (key_bits + value_bits) / 8;
    if ((key_bits + value_bits != 32 && key_bits + value_bits != 40) || key_bits == 0 || value_bits == 0 ||
        value_bits > 31) {
        gb_error("%s: unsupported cells (%llu key bits + %llu value bits; Kraken 2 writes 32 or 40)", path,
                 (unsigned long long)key_bits, (unsigned long long)value_bits);
        goto done;
    }
    if (capacity == 0 || capacity > (UINT64_MAX - HASH_HEADER_BYTES) / cell_bytes ||
        size != HASH_HEADER_BYTES + capacity * cell_bytes || entries > capacity) {
        gb_error("%s: %llu bytes, the header says %llu cells of %llu bytes (truncated or corrupt)", path,
                 (unsigned long long)size, (unsigned long long)capacity, (unsigned long long)cell_bytes);
        goto done;
    }
    if ((rc = db_load_file(fd, (size_t)size, path, load, db))) goto done;
    db->k2.cells = (const unsigned char *)db->map + HASH_HEADER_BYTES;
    k2_table_set_capacity(&db->k2, capacity);
    db->k2.cell_bytes = (int)cell_bytes;
    db->k2.value_bits = (int)value_bits;
    db->entries = entries;
    db->info.minimizers = entries;
    db->checksum = XXH3_64bits_withSeed(h, sizeof h, db->checksum);
    rc = GB_OK;
done:
    close(fd);
    return rc;
}

/* Copy taxo.k2d's nodes into t (owned arrays), checking what later code relies on:
 * parent[i] < i, offsets inside their NUL-terminated blobs, taxids that fit 32 bits. */
static int convert_taxonomy(const char *path, const unsigned char *f, uint64_t n, uint64_t name_bytes,
                            uint64_t rank_bytes, taxo_t *t)
{
    const unsigned char *rec = f + TAXO_HEADER_BYTES, *names = rec + n * TAXO_RECORD_BYTES;
    const unsigned char *ranks = names + name_bytes;
    t->n = (uint32_t)n;
    t->owned = 1;
    t->parent = malloc(n * sizeof *t->parent);
    t->external = malloc(n * sizeof *t->external);
    t->name_off = malloc(n * sizeof *t->name_off);
    t->rank_off = malloc(n * sizeof *t->rank_off);
    t->names = malloc(name_bytes);
    t->ranks = malloc(rank_bytes);
    if (!t->parent || !t->external || !t->name_off || !t->rank_off || !t->names || !t->ranks) {
        gb_error("out of memory reading %s", path);
        return GB_E_NOMEM;
    }
    memcpy(t->names, names, name_bytes);
    memcpy(t->ranks, ranks, rank_bytes);
    t->names_len = name_bytes;
    t->ranks_len = rank_bytes;
    for (uint64_t i = 0; i < n; i++, rec += TAXO_RECORD_BYTES) {
        uint64_t parent = fileio_le64(rec), name = fileio_le64(rec + 24), rank = fileio_le64(rec + 32),
                 external = fileio_le64(rec + 40);
        if ((i > 0 && parent >= i) || (i > 1 && parent == 0) || name >= name_bytes || rank >= rank_bytes ||
            external > UINT32_MAX) {
            gb_error("%s: taxonomy node %llu is inconsistent", path, (unsigned long long)i);
            return GB_E_DB;
        }
        t->parent[i] = i > 0 ? (uint32_t)parent : 0;
        t->external[i] = (uint32_t)external;
        t->name_off[i] = (uint32_t)name;
        t->rank_off[i] = (uint32_t)rank;
    }
    return GB_OK;
}

/* taxo.k2d: "K2TAXDAT", node_count, name_bytes, rank_bytes (u64), then the node records,
 * the name blob and the rank blob. */
static int read_taxonomy(const char *dir, gb_db_t *db)
{
    char path[4096];
    uint64_t size;
    unsigned char *f = NULL;
    int fd, rc = open_file(dir, K2DB_TAXO_FILE, path, sizeof path, &fd, &size);
    if (rc) return rc;
    rc = GB_E_DB;
    if (size < TAXO_HEADER_BYTES || size > SIZE_MAX) {
        gb_error("%s: %llu bytes, shorter than the taxonomy header", path, (unsigned long long)size);
        goto done;
    }
    if (!(f = malloc((size_t)size))) {
        gb_error("out of memory reading %s", path);
        rc = GB_E_NOMEM;
        goto done;
    }
    if ((rc = db_read_range(fd, path, f, 0, (size_t)size, 1))) goto done;
    rc = GB_E_DB;
    if (memcmp(f, TAXO_MAGIC, 8) != 0) {
        gb_error("%s: not a Kraken 2 taxonomy (bad magic)", path);
        goto done;
    }
    uint64_t n = fileio_le64(f + 8), name_bytes = fileio_le64(f + 16), rank_bytes = fileio_le64(f + 24);
    uint64_t rest = size - TAXO_HEADER_BYTES;
    if (n < 2 || n > UINT32_MAX || n > rest / TAXO_RECORD_BYTES || name_bytes > rest - n * TAXO_RECORD_BYTES ||
        rank_bytes != rest - n * TAXO_RECORD_BYTES - name_bytes || name_bytes == 0 || rank_bytes == 0 ||
        name_bytes > UINT32_MAX || rank_bytes > UINT32_MAX) {
        gb_error("%s: %llu bytes do not match the header (%llu nodes, %llu name bytes, %llu rank bytes)", path,
                 (unsigned long long)size, (unsigned long long)n, (unsigned long long)name_bytes,
                 (unsigned long long)rank_bytes);
        goto done;
    }
    const unsigned char *names_end = f + size - rank_bytes - 1, *ranks_end = f + size - 1;
    if (*names_end || *ranks_end) {
        gb_error("%s: name tables are not terminated", path);
        goto done;
    }
    if ((rc = convert_taxonomy(path, f, n, name_bytes, rank_bytes, &db->taxo))) goto done;
    if ((rc = taxo_index(&db->taxo))) goto done;
    db->checksum = XXH3_64bits_withSeed(f, (size_t)size, db->checksum);
done:
    free(f);
    close(fd);
    return rc;
}

int k2db_open(const char *dir, const db_load_t *load, gb_db_t *db)
{
    db->kind = DB_KIND_KRAKEN2;
    int rc = read_opts(dir, db);
    if (rc == GB_OK) rc = read_taxonomy(dir, db);
    if (rc == GB_OK) rc = load_hash(dir, load, db);
    if (rc) return rc;
    /* A value that names no node (a corrupt table) must not index the taxonomy arrays. */
    db->k2.max_value = db->taxo.n - 1;
    return GB_OK;
}
