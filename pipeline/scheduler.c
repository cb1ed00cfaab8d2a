/* The counter window lives on rank 0: [next task, done, reads, failed, reused]. Every access
 * is an atomic MPI_Fetch_and_op inside one passive-target epoch (MPI_Win_lock_all), which Open
 * MPI's shared-memory and RDMA one-sided components complete without rank 0's participation. */
#include "scheduler.h"
#include "gb_mpi.h"
#include "log.h"
#include <stdlib.h>

struct scheduler {
    MPI_Win win;
    int64_t *base;
    int64_t ntasks;
};

int scheduler_create(MPI_Comm comm, int64_t ntasks, scheduler_t **out)
{
    int rank;
    scheduler_t *s = calloc(1, sizeof *s);
    *out = NULL;
    if (!s) return GB_E_NOMEM;
    s->ntasks = ntasks;
    MPI_Comm_rank(comm, &rank);
    MPI_Aint bytes = rank == 0 ? (MPI_Aint)(sizeof(int64_t) * (1 + SCHEDULER_NCOUNTERS)) : 0;
    MPI_Win_allocate(bytes, sizeof(int64_t), MPI_INFO_NULL, comm, &s->base, &s->win);
    gb_mpi_win_errhandler(s->win);
    if (rank == 0)
        for (int i = 0; i <= SCHEDULER_NCOUNTERS; i++) s->base[i] = 0;
    MPI_Barrier(comm); /* counters are zero before anyone takes a task */
    MPI_Win_lock_all(0, s->win);
    *out = s;
    return GB_OK;
}

static int64_t fetch_add(scheduler_t *s, int slot, int64_t value, MPI_Op op)
{
    int64_t old = 0;
    MPI_Fetch_and_op(&value, &old, MPI_INT64_T, 0, slot, op, s->win);
    MPI_Win_flush(0, s->win);
    return old;
}

int64_t scheduler_next(scheduler_t *s)
{
    int64_t task = fetch_add(s, 0, 1, MPI_SUM);
    return task < s->ntasks ? task : -1;
}

void scheduler_add(scheduler_t *s, int counter, int64_t value) { fetch_add(s, 1 + counter, value, MPI_SUM); }

void scheduler_read(scheduler_t *s, int64_t out[SCHEDULER_NCOUNTERS])
{
    for (int i = 0; i < SCHEDULER_NCOUNTERS; i++) out[i] = fetch_add(s, 1 + i, 0, MPI_NO_OP);
}

int scheduler_destroy(scheduler_t *s)
{
    if (!s) return 0;
    MPI_Win_unlock_all(s->win);
    MPI_Win_free(&s->win);
    free(s);
    return 0;
}
