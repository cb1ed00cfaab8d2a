#include "log.h"
#include "error.h"
#include <stdarg.h>
#include <stdio.h>

int gb_verbosity = 1;

void gb_log(char level, const char *func, const char *fmt, ...)
{
    if (level == 'I' && gb_verbosity < 1) return;
    if (level == 'D' && gb_verbosity < 2) return;
    char buf[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    /* one fprintf per line so lines from threads do not interleave */
    fprintf(stderr, "[%c::%s] %s\n", level, func, buf);
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
    default: return "internal error";
    }
}

int gb_exit_code(int code)
{
    switch (code) {
    case GB_OK: return GB_EXIT_OK;
    case GB_E_USAGE: return GB_EXIT_USAGE;
    case GB_E_IO: case GB_E_FORMAT: case GB_E_DB: case GB_E_TAXONOMY: return GB_EXIT_INPUT;
    default: return GB_EXIT_INTERNAL;
    }
}
