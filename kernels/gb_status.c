#include "gb_status.h"

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
    case GB_E_FULL: return "table full";
    default: return "internal error";
    }
}
