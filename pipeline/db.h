/* The database file DIR/gutbrain.db: a self-describing, checksummed, mmap-able file
 * (format in docs/DB-FORMAT.md). Loading maps it read-only (the page cache is shared by
 * every process of a node) or reads it into memory (db_load_t), and validates magic, version,
 * sizes and checksums. db_open also opens a Kraken 2 database (pipeline/k2db.c) when DIR
 * holds its .k2d files instead. */
#ifndef GB_DB_H
#define GB_DB_H
#include <stdint.h>
#include "classify.h"
#include "gb_status.h"
#include "k2_table.h"
#include "kmer_table.h"
#include "minimizer.h"
#include "taxo.h"

#define DB_FILE_NAME      "gutbrain.db"
#define DB_FORMAT_VERSION 2 /* the newest this reader knows; 1 is still read and written (docs/DB-FORMAT.md) */

typedef struct {
    uint64_t sequences;  /* reference sequences inserted */
    uint64_t bases;      /* their total length */
    uint64_t minimizers; /* distinct minimizers of the references (before any --max-db-size cap) */
} db_info_t;

typedef enum { DB_KIND_GUTBRAIN, DB_KIND_KRAKEN2 } db_kind_t;

/* How the large file of a database (gutbrain.db, or a Kraken 2 hash.k2d) gets into memory;
 * the small files are always read. Which is the default, and why: docs/RUN.md. */
typedef enum {
    DB_LOAD_MAP,  /* mmap of the page cache: one copy per node, shared by its processes */
    DB_LOAD_READ, /* parallel preads into memory: see db_load_t.mem */
} db_load_mode_t;

typedef struct {
    db_load_mode_t mode;
    int threads; /* DB_LOAD_READ into memory of its own: OpenMP threads reading in parallel */
    /* DB_LOAD_READ: NULL = anonymous memory of this process, filled by db_open; else memory
     * the caller owns that already holds the whole file (mem_len bytes), e.g. the node's MPI
     * shared-memory window of pipeline/db_shared.c. */
    const void *mem;
    size_t mem_len;
} db_load_t;

typedef struct {
    db_kind_t kind;
    minimizer_params_t mm;
    kmer_table_t table; /* DB_KIND_GUTBRAIN */
    k2_table_t k2;      /* DB_KIND_KRAKEN2: cells point into the mapped hash.k2d */
    uint64_t entries;   /* occupied cells */
    taxo_t taxo;        /* arrays point into the mapping when loaded */
    db_info_t info;
    uint64_t checksum; /* identity of the DB: checksum of its header */
    void *map;         /* the whole file (gutbrain.db or hash.k2d) in memory, NULL when built in memory */
    size_t map_len;
    int map_owned;      /* 1: db_close unmaps map (a mapping or anonymous memory); 0: the caller's */
    uint64_t read_here; /* bytes this process read into map with pread (0 when mapped) */
} gb_db_t;

/* Write db to DIR/gutbrain.db (DIR created if needed) via a temporary file and rename. */
int db_write(const char *dir, const gb_db_t *db) GB_MUST_CHECK;

/* Map and validate DIR/gutbrain.db (DIR may also name the file itself), or the Kraken 2
 * database in DIR when DIR holds .k2d files (the kind is detected, never asked for). On
 * success *out owns the mapping; free with db_close(). verify_payload: also check the payload
 * checksums of a gutbrain.db (reads every page once; Kraken 2 files have none). Errors are
 * logged with the file name and returned as GB_E_DB/IO. */
int db_open(const char *dir, int verify_payload, gb_db_t **out) GB_MUST_CHECK;
/* db_open with the large file loaded as load says (NULL: DB_LOAD_MAP). */
int db_open_load(const char *dir, int verify_payload, const db_load_t *load, gb_db_t **out) GB_MUST_CHECK;
void db_close(gb_db_t *db);

/* The large file db_open would load for DIR into path (DIR/gutbrain.db, DIR/hash.k2d, or DIR
 * itself when it names a file), without opening it. */
void db_data_path(const char *dir, char *path, size_t cap);

/* "map" or "read" (the value of --db-load) into *mode; else logs one line, GB_E_USAGE. */
int db_load_parse(const char *value, db_load_mode_t *mode) GB_MUST_CHECK;

/* Bring len bytes of fd (the file at path) into db->map / map_len as load says (NULL: map
 * read-only and shared, pages read ahead with MAP_POPULATE, random access advised). GB_OK,
 * GB_E_IO or GB_E_NOMEM (logged). */
int db_load_file(int fd, size_t len, const char *path, const db_load_t *load, gb_db_t *db) GB_MUST_CHECK;

/* Read bytes [from, to) of fd (the file at path) to base + from, in pieces of at most 64 MiB
 * spread over threads OpenMP threads. GB_OK, or GB_E_IO (logged; a file shorter than `to` too). */
int db_read_range(int fd, const char *path, unsigned char *base, uint64_t from, uint64_t to, int threads) GB_MUST_CHECK;

/* The table view classify_lookup_mate reads for db (points into db). */
classify_table_t db_classify_table(const gb_db_t *db);

#endif
