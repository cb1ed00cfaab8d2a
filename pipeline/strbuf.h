/* One string builder for the pipeline: a NUL-terminated, growable char buffer.
 *
 *   strbuf_t sb = STRBUF_INIT;
 *   if (strbuf_printf(&sb, "%s\t%u\n", name, taxid)) goto fail;   // GB_E_NOMEM
 *   ... sb.s (always NUL-terminated once anything was added), sb.len ...
 *   strbuf_free(&sb);              // or char *s = strbuf_detach(&sb) and free(s) later
 *
 * After a failed call the buffer keeps what it had. */
#ifndef GB_STRBUF_H
#define GB_STRBUF_H
#include <stddef.h>
#include "gb_status.h"

typedef struct {
    char *s;    /* NULL until something is added */
    size_t len; /* bytes before the NUL */
    size_t cap; /* bytes allocated */
} strbuf_t;

#define STRBUF_INIT \
    {               \
        NULL, 0, 0  \
    }

int strbuf_append(strbuf_t *sb, const char *data, size_t n) GB_MUST_CHECK;
int strbuf_puts(strbuf_t *sb, const char *str) GB_MUST_CHECK;
int strbuf_putc(strbuf_t *sb, char c) GB_MUST_CHECK;
int strbuf_printf(strbuf_t *sb, const char *fmt, ...) GB_MUST_CHECK __attribute__((format(printf, 2, 3)));
/* Make room for n more bytes (and the NUL) without adding them. */
int strbuf_reserve(strbuf_t *sb, size_t n) GB_MUST_CHECK;
/* Empty the string, keep the memory. */
void strbuf_clear(strbuf_t *sb);
/* Hand the string to the caller (free() it; "" allocated when empty, NULL when out of memory)
 * and reset sb. */
char *strbuf_detach(strbuf_t *sb);
void strbuf_free(strbuf_t *sb);

#endif
