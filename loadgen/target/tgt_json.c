/* tgt_json — JSON strings from arbitrary bytes; see tgt_json.h. */
#include "tgt_json.h"

#include <stddef.h>

/* Bytes of the valid UTF-8 character at s, or 0 when s starts no valid one; *bad is then the
 * length of the maximal subpart to replace by one U+FFFD (at least 1). */
static size_t utf8_char(const unsigned char *s, size_t *bad) {
    unsigned char c = s[0], lo = 0x80, hi = 0xBF;
    size_t need, i;

    *bad = 1;
    if (c < 0x80) return 1;
    if (c >= 0xC2 && c <= 0xDF)
        need = 1;
    else if (c >= 0xE0 && c <= 0xEF)
        need = 2;
    else if (c >= 0xF0 && c <= 0xF4)
        need = 3;
    else
        return 0;             /* a continuation byte, an overlong lead (C0, C1) or F5-FF */
    if (c == 0xE0) lo = 0xA0; /* overlong */
    if (c == 0xED) hi = 0x9F; /* surrogates */
    if (c == 0xF0) lo = 0x90; /* overlong */
    if (c == 0xF4) hi = 0x8F; /* beyond U+10FFFF */
    for (i = 1; i <= need; i++) {
        unsigned char l = i == 1 ? lo : 0x80, h = i == 1 ? hi : 0xBF;
        if (s[i] < l || s[i] > h) { /* also stops at the NUL */
            *bad = i;
            return 0;
        }
    }
    return need + 1;
}

void tgt_json_string(struct tgt_buf *b, const char *s) {
    const unsigned char *p = (const unsigned char *)s;

    while (*p) {
        size_t bad, n = utf8_char(p, &bad);

        if (n == 0) {
            tgt_buf_append(b, "\\ufffd", 6);
            p += bad;
        } else if (*p == '"' || *p == '\\') {
            tgt_buf_printf(b, "\\%c", *p);
            p++;
        } else if (*p < 0x20 || *p == 0x7F) {
            tgt_buf_printf(b, "\\u%04x", *p);
            p++;
        } else {
            tgt_buf_append(b, p, n);
            p += n;
        }
    }
}
