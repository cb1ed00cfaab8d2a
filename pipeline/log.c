#include "log.h"
#include "error.h"
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int gb_verbosity = 1;
static int log_rank = -1;   /* MPI rank when running under MPI with more than one rank */

void gb_log_set_rank(int rank, int size) { log_rank = size > 1 ? rank : -1; }
static char last_error[1024];   /* process-wide: errors may come from any worker thread */

const char *gb_last_error(void) { return last_error; }
void gb_clear_last_error(void) { last_error[0] = 0; }

void gb_log(char level, const char *func, const char *fmt, ...)
{
    if (level == 'I' && (gb_verbosity < 1 || log_rank > 0)) return;
    if (level == 'D' && gb_verbosity < 2) return;
    char buf[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (level == 'E') {
        #pragma omp critical(gb_last_error)
        snprintf(last_error, sizeof last_error, "%.1000s", buf);
    }
    /* one fprintf per line so lines from threads do not interleave */
    if (log_rank >= 0) fprintf(stderr, "[%c::%s r%d] %s\n", level, func, log_rank, buf);
    else fprintf(stderr, "[%c::%s] %s\n", level, func, buf);
}

volatile sig_atomic_t gb_stop_requested = 0;

static void on_stop_signal(int sig)
{
    (void)sig;
    gb_stop_requested = 1;
}

void gb_install_stop_handler(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
}

const char *gb_strerror(int code)
{
    switch (code) {
    case GB_OK: return "success";
    case GB_E_NOMEM: return "out of memory";
    case GB_E_IO: return "input/output error";
    case GB_E_FORMAT: return "malformed input";
    case GB_E_USAGE: return "usage error";
    case GB_E_DB: return "database error";
    case GB_E_TAXONOMY: return "taxonomy error";
    case GB_E_INTERRUPTED: return "stopped by a signal";
    case GB_E_PARTIAL: return "some samples failed";
    default: return "internal error";
    }
}

int gb_exit_code(int code)
{
    switch (code) {
    case GB_OK: return GB_EXIT_OK;
    case GB_E_USAGE: return GB_EXIT_USAGE;
    case GB_E_IO: case GB_E_FORMAT: case GB_E_DB: case GB_E_TAXONOMY: return GB_EXIT_INPUT;
    case GB_E_INTERRUPTED: return GB_EXIT_SIGTERM;
    case GB_E_PARTIAL: return GB_EXIT_PARTIAL;
    default: return GB_EXIT_INTERNAL;
    }
}
