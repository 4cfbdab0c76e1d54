/*
 * tgt_json — JSON text for archtarget's /stats: strings that are always valid JSON, whatever
 * bytes a client put in its request path.
 *
 * Design: request paths are bytes, not text (libhttp-parser passes bytes 0x80-0xFF, tab and form
 * feed through unchanged), while a JSON document must be UTF-8 (RFC 8259 8.1). So a string is
 * written as: valid UTF-8 as it is; '"' and '\' escaped; control characters (U+0000-U+001F) and
 * DEL as \u00XX; and each byte sequence that is not UTF-8 as one \ufffd, the replacement
 * character, following Unicode's "maximal subpart" practice (a truncated sequence counts once,
 * a byte that can start nothing counts alone), so a JSON parser always accepts the result and a
 * valid path reads back unchanged.
 *
 * Rejected: \u-escaping every non-ASCII character (valid UTF-8 paths, common in practice, would
 * become unreadable in the raw JSON); escaping invalid bytes as "\xFF" (not JSON); percent-
 * encoding them (the key would no longer be the path the client sent, even when it was valid).
 */
#ifndef ARCHSIM_TGT_JSON_H
#define ARCHSIM_TGT_JSON_H

#include "tgt_buf.h"

/* Append s (NUL-terminated bytes, any of them) to b as the inside of a JSON string (quotes not
 * included), escaped as the file comment says. Cannot fail (out of memory aborts). */
void tgt_json_string(struct tgt_buf *b, const char *s);

#endif
