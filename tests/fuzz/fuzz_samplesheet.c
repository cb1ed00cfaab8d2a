/* libFuzzer harness: a sample sheet (CSV or TSV). */
#include "fuzz_util.h"
#include "samplesheet.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    samplesheet_t s = {0};
    if (samplesheet_load(fuzz_write("samples.csv", data, size), &s) == GB_OK)
        for (size_t i = 0; i < s.n; i++) (void)strlen(s.samples[i].id);
    samplesheet_free(&s);
    return 0;
}
