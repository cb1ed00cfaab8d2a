/* A database read into memory once per node (--db-load read under MPI): the ranks of a node
 * (MPI_COMM_TYPE_SHARED) allocate one MPI-3 shared-memory window, the whole file on the node's
 * rank 0 and nothing elsewhere, and fill it together, each rank pread-ing its own contiguous
 * share. db_open_load then points the database's arrays into it as into a mapping.
 * This is the MPI half of db_load_t, so that pipeline/db.c stays free of MPI. */
#ifndef GB_DB_SHARED_H
#define GB_DB_SHARED_H
#include <mpi.h>
#include <stdint.h>
#include "db.h"
#include "gb_status.h"

typedef struct {
    MPI_Comm node;      /* this node's ranks; MPI_COMM_NULL before db_shared_load */
    MPI_Win win;        /* the window; MPI_WIN_NULL when nothing was allocated */
    uint64_t read_here; /* bytes this rank read into the window */
    int nodes;          /* nodes of comm, i.e. copies of the database */
} db_shared_t;

#define DB_SHARED_INIT                    \
    {                                     \
        MPI_COMM_NULL, MPI_WIN_NULL, 0, 0 \
    }

/* Collective over comm: read the large file of the database DIR (db_data_path) into one
 * window per node, each rank of a node reading its share with `threads` threads, and fill
 * *load (DB_LOAD_READ pointing at the window) for db_open_load. A file that cannot be opened
 * leaves *load as DB_LOAD_READ without memory, so that db_open_load reports why, once, as
 * for a mapping. GB_OK or GB_E_IO (logged by the rank that failed), the same on every rank.
 * Release with db_shared_free after db_close. */
int db_shared_load(MPI_Comm comm, const char *dir, int threads, db_shared_t *s, db_load_t *load) GB_MUST_CHECK;

/* Collective over the comm of db_shared_load; a no-op on DB_SHARED_INIT. */
void db_shared_free(db_shared_t *s);

#endif
