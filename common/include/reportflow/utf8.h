/*
 * utf8.h - the one home of the UTF-8 rules: what a valid sequence is, how to
 * write one, and where text may be cut. Every module that checks, cuts or
 * repairs UTF-8 uses these, so they all agree on what is valid.
 */
#ifndef RF_UTF8_H
#define RF_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/**
 * Length of the valid UTF-8 sequence at @p s (1-4), or 0 when the bytes there
 * (at most @p avail) are not one: stray continuation, overlong, surrogate,
 * beyond U+10FFFF or cut short.
 */
size_t rf_utf8_seq_len(const char *s, size_t avail);

/** True when @p s[0..len) is valid UTF-8 throughout (NUL counts as a character). */
bool rf_utf8_valid(const char *s, size_t len);

/**
 * Write code point @p cp as UTF-8 to @p out, which has room for 4 bytes; a
 * surrogate or anything past U+10FFFF becomes U+FFFD, so what is written is
 * always valid (and never longer than the character was in valid UTF-8).
 * @returns the bytes written (1-4).
 */
size_t rf_utf8_encode(uint32_t cp, char *out);

/** The longest prefix of @p s (@p len bytes), at most @p max bytes, ending on a character. */
size_t rf_utf8_cut(const char *s, size_t len, size_t max);

/**
 * @p len without the sequence a byte-wise cut left unfinished at the end of
 * @p s (a lead byte followed by too few, or invalid, continuation bytes).
 */
size_t rf_utf8_trim_partial(const char *s, size_t len);

/**
 * Copy @p s (@p len bytes) into @p out, NUL-terminated, cut by rf_utf8_cut() to
 * fit @p out_size. Bytes are copied as they are. @returns true when something
 * was cut off.
 */
bool rf_utf8_copy(char *out, size_t out_size, const char *s, size_t len);

/** Drop, in place, an incomplete sequence that a byte-wise cut left at the end of string @p s. */
void rf_utf8_trim_str(char *s);

/**
 * Copy string @p src into @p dst (@p size > 0 bytes), cut at a character
 * boundary when too long; a sequence left unfinished at the end of @p src (an
 * earlier cut, as in a fixed buffer filled from Kafka) is dropped too.
 */
void rf_utf8_copy_str(char *dst, size_t size, const char *src);

/**
 * Copy @p len bytes of @p in to @p out as valid UTF-8, each invalid byte
 * replaced by U+FFFD; cut at a character boundary to fit @p out_size (with
 * its NUL). @returns true when all of it fit.
 */
bool rf_utf8_lossy(const char *in, size_t len, char *out, size_t out_size);

/**
 * @p s made safe for a terminal, one line that says what the bytes were: each
 * control character (C0, DEL) and each byte that is not valid UTF-8 becomes
 * \xNN; each C1 control (U+0080-U+009F, which terminals may read as ESC [)
 * and each character that reorders or hides text (U+061C, U+200B-U+200F,
 * U+2028-U+202E, U+2060-U+2069, U+FEFF) becomes \uXXXX. With
 * @p double_backslash a backslash becomes \\, so no escape can be faked;
 * without it (for a format that escapes backslashes itself) it stays.
 * @returns a new string (free() it), or NULL when out of memory.
 */
char *rf_utf8_escape_terminal(const char *s, bool double_backslash);

/* Escaped strings held for one printed line or row: printf arguments, freed together. */
#define RF_UTF8_ESCAPES_MAX 8
struct rf_utf8_escapes {
    char *held[RF_UTF8_ESCAPES_MAX];
    size_t cnt;
};

/**
 * @p text escaped for a terminal (rf_utf8_escape_terminal(), backslashes
 * doubled), held in @p e until rf_utf8_escapes_release(). "?" when out of
 * memory or past RF_UTF8_ESCAPES_MAX: never the raw text.
 */
const char *rf_utf8_escaped(struct rf_utf8_escapes *e, const char *text);
void rf_utf8_escapes_release(struct rf_utf8_escapes *e);

#endif
