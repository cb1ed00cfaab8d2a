/* libFuzzer harness: a Kraken report as `gutbrain bracken` reads it (bracken_io_parse_report, the
 * parser under bracken_io_read_report, fed the bytes directly: 6 columns, 8 columns, KrakenUniq). */
#include "bracken_io.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    bracken_report_t rep = {0};
    char *text = malloc(size + 1);
    if (!text) return 0;
    if (size) memcpy(text, data, size);
    text[size] = '\0';
    gb_verbosity = -1;
    if (bracken_io_parse_report("fuzz.kreport", text, size, &rep) == GB_OK) {
        /* every row's name lies inside the text and is terminated there; lines come in order */
        for (size_t i = 0; i < rep.n; i++) {
            if (rep.names[i] < rep.text || rep.names[i] + strlen(rep.names[i]) > rep.text + size) abort();
            if (i && rep.line_no[i] <= rep.line_no[i - 1]) abort();
        }
    }
    bracken_io_report_free(&rep); /* frees text, also on failure */
    return 0;
}
