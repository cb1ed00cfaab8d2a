#include "strbuf.h"
#include "gb_array.h"
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int strbuf_reserve(strbuf_t *sb, size_t n)
{
    if (n > SIZE_MAX - sb->len - 1) return GB_E_NOMEM;
    return GB_GROW(sb->s, sb->cap, sb->len + n + 1);
}

int strbuf_append(strbuf_t *sb, const char *data, size_t n)
{
    if (strbuf_reserve(sb, n)) return GB_E_NOMEM;
    if (n) memcpy(sb->s + sb->len, data, n);
    sb->len += n;
    sb->s[sb->len] = '\0';
    return GB_OK;
}

int strbuf_puts(strbuf_t *sb, const char *str) { return strbuf_append(sb, str, strlen(str)); }

int strbuf_putc(strbuf_t *sb, char c) { return strbuf_append(sb, &c, 1); }

int strbuf_printf(strbuf_t *sb, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || strbuf_reserve(sb, (size_t)n)) return GB_E_NOMEM;
    va_start(ap, fmt);
    vsnprintf(sb->s + sb->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    sb->len += (size_t)n;
    return GB_OK;
}

void strbuf_clear(strbuf_t *sb)
{
    sb->len = 0;
    if (sb->s) sb->s[0] = '\0';
}

char *strbuf_detach(strbuf_t *sb)
{
    char *s = sb->s ? sb->s : calloc(1, 1);
    *sb = (strbuf_t)STRBUF_INIT;
    return s;
}

void strbuf_free(strbuf_t *sb)
{
    free(sb->s);
    *sb = (strbuf_t)STRBUF_INIT;
}
