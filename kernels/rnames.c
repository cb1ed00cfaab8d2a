/* R's make.names for one name (kernels/rnames.h). A character is decoded from UTF-8 only to
 * classify it; kept characters are copied byte for byte, replaced ones become a single ".". */
#include "rnames.h"
#include <string.h>

/* R's reserved words (?Reserved), which make.names suffixes with ".". */
static const char *const reserved[] = {
    "if",   "else", "repeat", "while", "function",    "for",      "next",          "break",       "TRUE", "FALSE",
    "NULL", "Inf",  "NaN",    "NA",    "NA_integer_", "NA_real_", "NA_character_", "NA_complex_", "in",
};

/* The code point of the UTF-8 sequence at s and its length in *len; -1 (length 1) for a byte
 * that starts no valid sequence. */
static long decode_utf8(const unsigned char *s, size_t *len)
{
    int n = s[0] >= 0xf0 && s[0] < 0xf5 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc2 && s[0] < 0xe0 ? 2 : 0;
    if (s[0] < 0x80) {
        *len = 1;
        return s[0];
    }
    *len = 1;
    if (n == 0) return -1;
    long cp = s[0] & (0x7f >> n);
    for (int i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80) return -1;
        cp = cp << 6 | (s[i] & 0x3f);
    }
    *len = (size_t)n;
    return cp;
}

/* iswalpha / iswalnum in a UTF-8 locale, as far as rnames.h says it is exact. */
static int is_letter(long cp)
{
    if (cp < 0x80) return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z');
    if (cp < 0xc0) return cp == 0xaa || cp == 0xb5 || cp == 0xba;
    if (cp <= 0x24f) return cp != 0xd7 && cp != 0xf7;
    return !(cp >= 0x2000 && cp <= 0x206f);
}

size_t rnames_make(const char *name, char *out)
{
    const unsigned char *s = (const unsigned char *)name;
    size_t n = 0, len;
    long first = s[0] ? decode_utf8(s, &len) : -1;
    if (!(first >= 0 && is_letter(first)) && !(s[0] == '.' && !(s[1] >= '0' && s[1] <= '9'))) out[n++] = 'X';
    for (size_t i = 0; s[i]; i += len) {
        long cp = decode_utf8(s + i, &len);
        if (cp >= 0 && (is_letter(cp) || (cp >= '0' && cp <= '9') || cp == '.' || cp == '_')) {
            memcpy(out + n, s + i, len);
            n += len;
        } else {
            out[n++] = '.';
        }
    }
    out[n] = '\0';
    for (size_t r = 0; r < sizeof reserved / sizeof reserved[0]; r++)
        if (!strcmp(out, reserved[r])) {
            out[n++] = '.';
            out[n] = '\0';
            break;
        }
    return n;
}
