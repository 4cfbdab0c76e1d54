/* utf8 — see utf8.h. Ranges from the Unicode Standard's table of well-formed byte sequences
 * (Unicode 15.0, §3.9, Table 3-7). */
#include "utf8.h"

size_t utf8_char_len(const unsigned char *s, size_t *bad) {
    unsigned char c = s[0], lo = 0x80, hi = 0xBF;
    size_t need, i, dummy;

    if (!bad) bad = &dummy;
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
