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

/*
 * Clause and sentence bounds are computed once, in text_init(), so finding
 * the clause or sentence around an offset costs a binary search, not a scan
 * back through run-on text (which made a 1 MB report take minutes).
 */
struct text {
    const char *orig;      /* decoded UTF-8 text, borrowed */
    size_t orig_len;       /* bytes */
    char *norm;            /* normalised copy, owned, NUL-terminated */
    size_t norm_len;       /* bytes */
    size_t nchars;         /* code points in either */
    uint32_t *orig_off;    /* orig_off[c]: byte offset of char c in orig; [nchars] = orig_len */
    uint32_t *norm_off;    /* the same for norm */
    uint32_t *block_char;  /* [k]: the char holding norm byte k * TEXT_BLOCK_BYTES */
    uint32_t *clause_at;   /* norm byte where each clause starts (just past its break), ascending */
    uint32_t *clause_body; /* the same past leading spaces (at most the clause's end) */
    size_t clause_cnt;     /* at least 1 */
    uint32_t *sentence_at; /* norm byte where each sentence starts (after 。 or a line break) */
    size_t sentence_cnt;   /* at least 1 */
};

/* Bytes of norm per entry of block_char: text_char_at() counts at most this many bytes. */
#define TEXT_BLOCK_BYTES 32

/**
 * Build the normalised view and the clause index of valid UTF-8 @p orig.
 * @returns 0, or -1 on ENOMEM/oversize.
 */
int text_init(struct text *t, const char *orig, size_t len);
void text_release(struct text *t);

/** Character index of byte offset @p byte in norm (the char containing it); nchars past it. O(1).
 */
size_t text_char_at(const struct text *t, size_t byte);

/** Copy chars [@p from, @p to) of orig into a new string (caller frees), NULL on ENOMEM. */
char *text_orig_dup(const struct text *t, size_t from, size_t to);

/** True when a clause ends at norm byte @p i (。 ； , ; ! ? : or a line break); sets its width. */
bool text_clause_break(const char *s, size_t i, size_t len, size_t *width);

/** The clause around norm byte @p at: between clause breaks, leading spaces skipped. O(log n). */
void text_clause(const struct text *t, size_t at, size_t *start, size_t *end);

/** Start of the sentence holding norm byte @p at: just past the last 。 or line break. O(log n). */
size_t text_sentence_start(const struct text *t, size_t at);

/**
 * The characters [*@p a, *@p b) of the clause of characters [@p cf, @p ct) shown for the
 * mention [@p mf, @p mt): all of the clause when it has at most @p max_chars characters,
 * else max_chars characters around the mention, two thirds of the room before it (the
 * wording before a number says what it counts); a mention longer than max_chars keeps
 * its first max_chars characters. Arithmetic only: O(1).
 */
void text_excerpt_range(size_t cf, size_t ct, size_t mf, size_t mt, size_t max_chars, size_t *a,
                        size_t *b);

/**
 * Chars [@p a, @p b) of orig (clamped to the text) into a new string, with "…" before them when
 * @p lead and after them when @p trail. @returns NULL on ENOMEM (caller frees).
 */
char *text_orig_marked(const struct text *t, size_t a, size_t b, bool lead, bool trail);

/**
 * The original wording of norm bytes [@p from, @p to) (a clause) around the mention
 * [@p m_from, @p m_to): all of it when it has at most @p max_chars characters, else
 * max_chars characters around the mention with "…" where the text was cut, and *cut
 * set. @returns a new string (caller frees), NULL on ENOMEM.
 */
char *text_excerpt(const struct text *t, size_t from, size_t to, size_t m_from, size_t m_to,
                   size_t max_chars, bool *cut);

/**
 * The code point of a three-byte UTF-8 sequence (Han, 。) at @p s of @p avail
 * bytes, or 0. It checks the byte pattern only, not overlong or surrogate forms:
 * callers read text that decode.c made valid UTF-8. Inline: the quantity
 * finder asks at every character.
 */
static inline uint32_t text_three_byte_cp(const char *s, size_t avail)
{
    const unsigned char *p = (const unsigned char *)s;
    if (avail < 3 || (p[0] & 0xf0) != 0xe0 || (p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80) {
        return 0;
    }
    return (uint32_t)(p[0] & 0x0f) << 12 | (uint32_t)(p[1] & 0x3f) << 6 | (p[2] & 0x3f);
}

/** Decode the code point at norm byte @p byte; store its length in @p len. */
uint32_t text_codepoint(const char *s, size_t byte, size_t *len);

#endif
