/* The database file DIR/gutbrain.db: a self-describing, checksummed, mmap-able file
 * (format in docs/DB-FORMAT.md). Loading maps it read-only (the page cache is shared by
 * every process of a node) and validates magic, version, sizes and checksums. */
#ifndef GB_DB_H
#define GB_DB_H
#include <stdint.h>
#include "gb_status.h"
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

typedef struct {
    minimizer_params_t mm;
    kmer_table_t table;
    uint64_t entries; /* occupied cells */
    taxo_t taxo;      /* arrays point into the mapping when loaded */
    db_info_t info;
    uint64_t checksum; /* identity of the DB: checksum of its header */
    void *map;         /* the whole mapped file, NULL when built in memory */
    size_t map_len;
} gb_db_t;

/* Write db to DIR/gutbrain.db (DIR created if needed) via a temporary file and rename. */
int db_write(const char *dir, const gb_db_t *db) GB_MUST_CHECK;

/* Map and validate DIR/gutbrain.db (DIR may also name the file itself). On success *out
 * owns the mapping; free with db_close(). verify_payload: also check the payload checksums
 * (reads every page once). Errors are logged with the file name and returned as GB_E_DB/IO. */
int db_open(const char *dir, int verify_payload, gb_db_t **out) GB_MUST_CHECK;
void db_close(gb_db_t *db);

#endif
