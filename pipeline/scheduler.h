/* Dynamic work queue over MPI: tasks 0..n-1 are handed out in order from a shared counter
 * (MPI-3 one-sided MPI_Fetch_and_op on a window at rank 0), so every rank, rank 0 included,
 * takes the next task as soon as it is free and no rank idles while work remains.
 * The caller orders the tasks (largest first). Progress counters (tasks done, reads, failures)
 * live in the same window so rank 0 can report the whole job's progress. */
#ifndef GB_SCHEDULER_H
#define GB_SCHEDULER_H
#include <mpi.h>
#include <stdint.h>
#include "gb_status.h"

typedef struct scheduler scheduler_t;

enum { SCHEDULER_DONE, SCHEDULER_READS, SCHEDULER_FAILED, SCHEDULER_REUSED, SCHEDULER_NCOUNTERS };

/* Collective over comm. Free with scheduler_destroy() (collective). */
int scheduler_create(MPI_Comm comm, int64_t ntasks, scheduler_t **out) GB_MUST_CHECK;
/* The next task index, or -1 when all are taken. Not collective. */
int64_t scheduler_next(scheduler_t *s);
/* Add to the shared counters (not collective). */
void scheduler_add(scheduler_t *s, int counter, int64_t value);
/* Read all shared counters into out[SCHEDULER_NCOUNTERS] (not collective). */
void scheduler_read(scheduler_t *s, int64_t out[SCHEDULER_NCOUNTERS]);
int scheduler_destroy(scheduler_t *s);

#endif
