/* The database file DIR/gutbrain.db: a self-describing, checksummed, mmap-able file
 * (format in docs/DB-FORMAT.md). Loading maps it read-only (the page cache is shared by
 * every process of a node) and validates magic, version, sizes and checksums. db_open also
 * opens a Kraken 2 database (pipeline/k2db.c) when DIR holds its .k2d files instead. */
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
#define DB_FORMAT_VERSION 1

typedef struct {
    uint64_t sequences;  /* reference sequences inserted */
    uint64_t bases;      /* their total length */
    uint64_t minimizers; /* distinct minimizers before the compact table */
} db_info_t;

typedef enum { DB_KIND_GUTBRAIN, DB_KIND_KRAKEN2 } db_kind_t;

typedef struct {
    db_kind_t kind;
    minimizer_params_t mm;
    kmer_table_t table; /* DB_KIND_GUTBRAIN */
    k2_table_t k2;      /* DB_KIND_KRAKEN2: cells point into the mapped hash.k2d */
    uint64_t entries;   /* occupied cells */
    taxo_t taxo;        /* arrays point into the mapping when loaded */
    db_info_t info;
    uint64_t checksum; /* identity of the DB: checksum of its header */
    void *map;         /* the whole mapped file (gutbrain.db or hash.k2d), NULL when built in memory */
    size_t map_len;
} gb_db_t;

/* Write db to DIR/gutbrain.db (DIR created if needed) via a temporary file and rename. */
int db_write(const char *dir, const gb_db_t *db) GB_MUST_CHECK;

/* Map and validate DIR/gutbrain.db (DIR may also name the file itself), or the Kraken 2
 * database in DIR when DIR holds .k2d files (the kind is detected, never asked for). On
 * success *out owns the mapping; free with db_close(). verify_payload: also check the payload
 * checksums of a gutbrain.db (reads every page once; Kraken 2 files have none). Errors are
 * logged with the file name and returned as GB_E_DB/IO. */
int db_open(const char *dir, int verify_payload, gb_db_t **out) GB_MUST_CHECK;
void db_close(gb_db_t *db);

/* Map len bytes of fd (the file at path) read-only and shared into db->map / map_len, pages
 * read ahead (MAP_POPULATE), random access advised. GB_OK or GB_E_IO (logged). */
int db_map_file(int fd, size_t len, const char *path, gb_db_t *db) GB_MUST_CHECK;

/* The table view classify_lookup_mate reads for db (points into db). */
classify_table_t db_classify_table(const gb_db_t *db);

#endif
