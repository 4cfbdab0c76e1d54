/*
 * utf8 — where one UTF-8 character ends, for the code that escapes text it did not write
 * (error messages quoting a user's value, archtarget's JSON of request paths).
 */
#ifndef ARCHSIM_UTF8_H
#define ARCHSIM_UTF8_H

#include <stddef.h>

/* Bytes (1 to 4) of the valid UTF-8 character at s, or 0 when s does not start one: a stray
 * continuation byte, an overlong form, a surrogate, beyond U+10FFFF, or cut short (a NUL stops
 * the check). When it returns 0 and bad is not NULL, *bad is the length of the maximal subpart
 * of an ill-formed sequence (at least 1), which a replacement character stands for (Unicode
 * 15.0, §3.9, "U+FFFD Substitution of Maximal Subparts"). s must be NUL-terminated. */
size_t utf8_char_len(const unsigned char *s, size_t *bad);

#endif
