/* tgt_json — JSON strings from arbitrary bytes; see tgt_json.h. */
#include "tgt_json.h"

#include <stddef.h>

#include "utf8.h"

void tgt_json_string(struct tgt_buf *b, const char *s) {
    const unsigned char *p = (const unsigned char *)s;

    while (*p) {
        size_t bad, n = utf8_char_len(p, &bad);

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
