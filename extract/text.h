/*
 * text.h - a report's text twice: as decoded ("orig") and normalised for
 * matching ("norm": full-width ASCII forms and ideographic spaces folded to
 * ASCII). Normalising maps every code point to exactly one code point, so a
 * character offset means the same in both; only byte offsets differ.
 */
#ifndef RF_TEXT_H
#define RF_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct text {
    const char *orig;    /* decoded UTF-8 text, borrowed */
    size_t orig_len;     /* bytes */
    char *norm;          /* normalised copy, owned, NUL-terminated */
    size_t norm_len;     /* bytes */
    size_t nchars;       /* code points in either */
    uint32_t *orig_off;  /* orig_off[c]: byte offset of char c in orig; [nchars] = orig_len */
    uint32_t *norm_off;  /* the same for norm */
};

/** Build the normalised view of valid UTF-8 @p orig. @returns 0, or -1 on ENOMEM/oversize. */
int text_init(struct text *t, const char *orig, size_t len);
void text_release(struct text *t);

/** Character index of byte offset @p byte in norm (the char containing it). */
size_t text_char_at(const struct text *t, size_t byte);

/** Copy chars [@p from, @p to) of orig into a new string (caller frees), NULL on ENOMEM. */
char *text_orig_dup(const struct text *t, size_t from, size_t to);

/** True when a clause ends at norm byte @p i (。 ； , ; ! ? : or a line break); sets its width. */
bool text_clause_break(const char *s, size_t i, size_t len, size_t *width);

/** The clause around norm byte @p at: between clause breaks, leading spaces skipped. */
void text_clause(const struct text *t, size_t at, size_t *start, size_t *end);

/** Decode the code point at norm byte @p byte; store its length in @p len. */
uint32_t text_codepoint(const char *s, size_t byte, size_t *len);

#endif
