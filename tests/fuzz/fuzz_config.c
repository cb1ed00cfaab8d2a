/* libFuzzer harness: an INI config file (cli_read_config), through a table of options of each
 * kind the commands have: flags, integers and numbers checked as the commands check them. */
#include <stdlib.h>
#include "cli.h"
#include "fuzz_util.h"

static const cli_option_t opts[] = {
    {"db", 0, "DIR", "database"},        {"threads", 't', "N", "threads"}, {"confidence", 0, "F", "confidence"},
    {"paired", 0, NULL, "paired reads"}, {"quiet", 'q', NULL, "quiet"},
};

static int on_opt(void *ctx, int index, const char *value)
{
    long n;
    double x;
    (void)ctx;
    if (index == 1) return cli_int("threads", value, 1, 1024, &n);
    if (index == 2) return cli_double("confidence", value, 0, 1, &x);
    return value ? (strlen(value) ? GB_OK : GB_E_USAGE) : GB_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = NULL;
    (void)cli_read_config(fuzz_write("gutbrain.ini", data, size), opts, (int)(sizeof opts / sizeof *opts), on_opt, NULL,
                          &text);
    free(text);
    return 0;
}
