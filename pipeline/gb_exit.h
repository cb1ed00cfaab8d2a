/* Process-level conventions of the pipeline: exit codes, the mapping from GB_E_* status codes
 * to them, and the SIGTERM/SIGINT stop flag. Only command drivers (pipeline/cmd_*.c, main.c)
 * turn a status into an exit code. Named gb_exit.h so that it can never be mistaken for
 * glibc's <error.h>. */
#ifndef GB_EXIT_H
#define GB_EXIT_H
#include <signal.h>
#include "gb_status.h"

/* Process exit codes (docs/RUN.md lists them per command). */
enum {
    GB_EXIT_OK = 0,
    GB_EXIT_USAGE = 1,
    GB_EXIT_INPUT = 2,
    GB_EXIT_PARTIAL = 3,
    GB_EXIT_INTERNAL = 4,
    GB_EXIT_SIGTERM = 143
};

/* Exit code for a GB_E_* status. */
int gb_exit_code(int code);

/* Set by the SIGTERM/SIGINT handler (gb_install_stop_handler); long loops poll it. */
extern volatile sig_atomic_t gb_stop_requested;
void gb_install_stop_handler(void);

#endif
