/* One way to use MPI in the pipeline.
 *
 * Error policy: an MPI failure (a lost node, a broken network) is not something a command can
 * recover from, and one rank returning from a collective while the others wait in it would
 * hang the job. So MPI errors are fatal, but reported our way: gb_mpi_init installs one error
 * handler on MPI_COMM_WORLD and MPI_COMM_SELF (communicators derived from them inherit it) and
 * gb_mpi_win_errhandler puts it on windows; it logs one line, "[E::gb_mpi rN] MPI error on
 * <object>: <MPI's text>", and aborts the job with exit code 4 (GB_EXIT_INTERNAL). Call sites
 * therefore do not check MPI return codes: every call is checked by the handler.
 *
 * Failures of our own (a file one rank cannot open) travel as GB_E_* codes: every function
 * that communicates takes an MPI_Comm (never MPI_COMM_WORLD below the command driver) and ends
 * a step with gb_mpi_agree(), so all ranks take the same path. */
#ifndef GB_MPI_H
#define GB_MPI_H
#include <mpi.h>
#include "gb_status.h"

/* Initialise MPI for a command (unless the caller already did): MPI_THREAD_FUNNELED, which
 * gutbrain needs because OpenMP threads run while the main thread alone calls MPI; a library
 * that cannot give it is reported and the command fails. Installs the error handler, sets the
 * logger's rank prefix, and returns GB_OK or GB_E_INTERNAL (logged). */
int gb_mpi_init(void) GB_MUST_CHECK;

/* MPI_Finalize, when gb_mpi_init initialised MPI. */
void gb_mpi_finalize(void);

/* Collective over comm: the most negative rc of all ranks (GB_OK when all succeeded), so a
 * failure seen by one rank alone sends every rank the same way instead of into a hang. */
int gb_mpi_agree(MPI_Comm comm, int rc);

/* Give window win the error handler of gb_mpi_init (MPI windows do not inherit it). */
void gb_mpi_win_errhandler(MPI_Win win);

#endif
