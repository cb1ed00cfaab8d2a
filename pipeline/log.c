#include "log.h"
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int gb_verbosity = 1;
static int log_rank = -1; /* MPI rank when running under MPI with more than one rank */

void gb_log_set_rank(int rank, int size) { log_rank = size > 1 ? rank : -1; }
static char last_error[1024]; /* process-wide: errors may come from any worker thread */

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
    if (gb_verbosity < 0) return;
    /* one fprintf per line so lines from threads do not interleave */
    if (log_rank >= 0) fprintf(stderr, "[%c::%s r%d] %s\n", level, func, log_rank, buf);
    else fprintf(stderr, "[%c::%s] %s\n", level, func, buf);
}
