/*
 * decode.h - raw report bytes to UTF-8 text: BOMs, UTF-16, GB18030/GBK, HTML.
 *
 * The text that comes out is "the original text" of docs/DESIGN.md: every offset
 * and every evidence string in an envelope points into it.
 */
#ifndef RF_DECODE_H
#define RF_DECODE_H

#include <stdbool.h>
#include <stddef.h>

struct decoded {
    char *text;           /* UTF-8, NUL-terminated, owned */
    size_t len;           /* bytes in text */
    const char *encoding; /* "utf-8", "utf-8-bom", "utf-16le", "utf-16be", "gb18030", or
                             "utf-8-lossy": UTF-8 with a few broken sequences replaced (static) */
    bool html;            /* markup was removed */
};

enum decode_result {
    DECODE_OK = 0,
    DECODE_EMPTY,     /* nothing but white space after decoding */
    DECODE_BAD_BYTES, /* not UTF-8, UTF-16 or GB18030 */
    DECODE_NOMEM,
};

/**
 * Decode @p len bytes into @p out (release with decode_release()): a BOM, else
 * UTF-8, else UTF-16 in whichever byte order reads as text, else UTF-8 with a
 * few broken sequences, else GB18030. A few stray NUL bytes (1 in 100 at most)
 * are dropped; more make the input binary.
 */
enum decode_result decode_report(const char *bytes, size_t len, struct decoded *out);
void decode_release(struct decoded *d);

/** A short reason for the DLQ: "invalid-encoding", ... */
const char *decode_result_code(enum decode_result r);

/**
 * @p s as UTF-8, every broken sequence replaced by U+FFFD (for names and
 * headers that must become JSON text). @returns a new NUL-terminated string
 * (caller frees) and its length in @p out_len, or NULL on ENOMEM.
 */
char *decode_utf8_lossy(const char *s, size_t len, size_t *out_len);

#endif
