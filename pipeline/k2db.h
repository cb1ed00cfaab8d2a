/* A Kraken 2 database directory (hash.k2d, opts.k2d, taxo.k2d) opened in place: hash.k2d is
 * mapped read-only, or read into memory (db_load_t), and used as is (no conversion), opts.k2d
 * gives the minimizer parameters, taxo.k2d becomes the pipeline's taxo_t. Every size is
 * checked against the headers before any lookup (formats in docs/KRAKEN2-COMPAT.md K2). */
#ifndef GB_K2DB_H
#define GB_K2DB_H
#include "db.h"

#define K2DB_HASH_FILE "hash.k2d"
#define K2DB_OPTS_FILE "opts.k2d"
#define K2DB_TAXO_FILE "taxo.k2d"

/* 1 when DIR holds at least one of the three .k2d files (DIR is then meant as a Kraken 2
 * database, and a missing one is an error), else 0. */
int k2db_present(const char *dir);

/* Open the Kraken 2 database in DIR into db (zeroed by the caller): db->kind, mm, k2,
 * entries, taxo, checksum, map (hash.k2d loaded as load says, NULL: mapped). Errors are logged as one line naming the file and returned
 * as GB_E_DB (GB_E_NOMEM, GB_E_IO); db is then left for db_close to release. */
int k2db_open(const char *dir, const db_load_t *load, gb_db_t *db) GB_MUST_CHECK;

#endif
