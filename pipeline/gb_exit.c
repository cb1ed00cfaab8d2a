#include "gb_exit.h"
#include <string.h>

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

int gb_exit_code(int code)
{
    switch (code) {
    case GB_OK: return GB_EXIT_OK;
    case GB_E_USAGE: return GB_EXIT_USAGE;
    case GB_E_IO:
    case GB_E_FORMAT:
    case GB_E_DB:
    case GB_E_TAXONOMY: return GB_EXIT_INPUT;
    case GB_E_INTERRUPTED: return GB_EXIT_SIGTERM;
    case GB_E_PARTIAL: return GB_EXIT_PARTIAL;
    default: return GB_EXIT_INTERNAL; /* GB_E_NOMEM, GB_E_INTERNAL, GB_E_FULL */
    }
}
