#include "gb_mpi.h"
#include "gb_exit.h"
#include "log.h"
#include <stdio.h>

static int initialised_here;

static void report_and_abort(const char *what, int *err)
{
    char text[MPI_MAX_ERROR_STRING];
    int len = 0;
    if (MPI_Error_string(*err, text, &len) != MPI_SUCCESS) snprintf(text, sizeof text, "error code %d", *err);
    gb_log('E', "gb_mpi", "MPI error on %s: %s; aborting the job", what, text);
    MPI_Abort(MPI_COMM_WORLD, GB_EXIT_INTERNAL);
}

static void on_comm_error(MPI_Comm *comm, int *err, ...)
{
    char name[MPI_MAX_OBJECT_NAME] = "a communicator";
    int len = 0;
    if (comm) MPI_Comm_get_name(*comm, name, &len);
    report_and_abort(name, err);
}

static void on_win_error(MPI_Win *win, int *err, ...)
{
    (void)win;
    report_and_abort("an RMA window", err);
}

int gb_mpi_init(void)
{
    int initialized = 0, provided = 0, rank = 0, size = 1;
    MPI_Initialized(&initialized);
    if (!initialized) {
        if (MPI_Init_thread(NULL, NULL, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS) {
            gb_error("MPI_Init_thread failed");
            return GB_E_INTERNAL;
        }
        initialised_here = 1;
    } else {
        MPI_Query_thread(&provided);
    }
    if (provided < MPI_THREAD_FUNNELED) {
        gb_error("the MPI library gives thread level %d, gutbrain needs MPI_THREAD_FUNNELED", provided);
        return GB_E_INTERNAL;
    }
    MPI_Errhandler handler;
    MPI_Comm_create_errhandler(on_comm_error, &handler);
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, handler);
    MPI_Comm_set_errhandler(MPI_COMM_SELF, handler);
    MPI_Errhandler_free(&handler); /* the communicators keep their reference */
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    gb_log_set_rank(rank, size);
    return GB_OK;
}

void gb_mpi_finalize(void)
{
    if (initialised_here) MPI_Finalize();
    initialised_here = 0;
}

int gb_mpi_agree(MPI_Comm comm, int rc)
{
    int worst = rc;
    MPI_Allreduce(&rc, &worst, 1, MPI_INT, MPI_MIN, comm);
    return worst;
}

void gb_mpi_win_errhandler(MPI_Win win)
{
    MPI_Errhandler handler;
    MPI_Win_create_errhandler(on_win_error, &handler);
    MPI_Win_set_errhandler(win, handler);
    MPI_Errhandler_free(&handler);
}
