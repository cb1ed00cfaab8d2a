/* libFuzzer harness: Bracken's .kmer_distrib (bracken_io_read_distrib, which also indexes it). */
#include "bracken_io.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    bracken_distrib_t d = {0};
    (void)bracken_io_read_distrib(fuzz_write("database150mers.kmer_distrib", data, size), &d);
    bracken_distrib_free(&d);
    return 0;
}
