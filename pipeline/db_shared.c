/* One copy of the database per node, read by the node's ranks together (db_shared.h).
 * Shares are contiguous and 4 KiB-aligned, so each rank issues few long reads at distinct
 * offsets, which a parallel or network file system serves at once. */
#include "db_shared.h"
#include "gb_mpi.h"
#include "log.h"
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The start of share r of n over len bytes, rounded down to a page. */
static uint64_t share_start(uint64_t len, int r, int n)
{
    if (r >= n) return len;
    return (uint64_t)((double)len * r / n) & ~(uint64_t)4095;
}

int db_shared_load(MPI_Comm comm, const char *dir, int threads, db_shared_t *s, db_load_t *load)
{
    char path[4096];
    struct stat st;
    int nrank, nsize, leader, rc = GB_OK;
    *load = (db_load_t){.mode = DB_LOAD_READ, .threads = threads};
    MPI_Comm_split_type(comm, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &s->node);
    MPI_Comm_rank(s->node, &nrank);
    MPI_Comm_size(s->node, &nsize);
    leader = nrank == 0;
    MPI_Allreduce(&leader, &s->nodes, 1, MPI_INT, MPI_SUM, comm);
    db_data_path(dir, path, sizeof path);
    /* the node's rank 0 sizes the window; -1: no file to read, db_open_load will say why */
    int64_t len = nrank == 0 && stat(path, &st) == 0 && S_ISREG(st.st_mode) ? (int64_t)st.st_size : -1;
    MPI_Bcast(&len, 1, MPI_INT64_T, 0, s->node);
    int empty = len <= 0, none = 0;
    MPI_Allreduce(&empty, &none, 1, MPI_INT, MPI_MAX, comm); /* every rank takes the same path */
    if (none) return GB_OK;
    void *base = NULL;
    MPI_Aint got = 0;
    int unit = 1;
    MPI_Win_allocate_shared(nrank == 0 ? (MPI_Aint)len : 0, 1, MPI_INFO_NULL, s->node, &base, &s->win);
    gb_mpi_win_errhandler(s->win);
    MPI_Win_shared_query(s->win, 0, &got, &unit, &base);
    uint64_t from = share_start((uint64_t)len, nrank, nsize), to = share_start((uint64_t)len, nrank + 1, nsize);
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        gb_error("cannot open database %s: %s", path, strerror(errno));
        rc = GB_E_IO;
    } else {
        rc = db_read_range(fd, path, base, from, to, threads);
        close(fd);
    }
    s->read_here = rc ? 0 : to - from;
    /* completes every rank's writes to the window before any rank reads it */
    MPI_Win_fence(0, s->win);
    load->mem = base;
    load->mem_len = (size_t)len;
    return gb_mpi_agree(comm, rc);
}

void db_shared_free(db_shared_t *s)
{
    if (s->win != MPI_WIN_NULL) MPI_Win_free(&s->win);
    if (s->node != MPI_COMM_NULL) MPI_Comm_free(&s->node);
}
