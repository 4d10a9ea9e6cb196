/*
 * docscan.h - small scans of a report's text that the document-field finders
 * (docfields.c, agency.c) share: the page's non-blank lines, a word within or
 * at the end of a line, a Han character, a year.
 */
#ifndef RF_DOCSCAN_H
#define RF_DOCSCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "text.h"

#define DOCSCAN_HEAD_LINES 30 /* title, document number and addressees live in the page head */

struct docscan_line {
    size_t start, end; /* norm byte range, leading and trailing spaces trimmed */
};

struct docscan_lines {
    struct docscan_line *items;
    size_t cnt;
};

/**
 * The non-blank lines of @p t's norm text into @p out. @returns 0, or -1 on
 * ENOMEM; docscan_lines_release() frees @p out either way.
 */
int docscan_lines_split(const struct text *t, struct docscan_lines *out);
void docscan_lines_release(struct docscan_lines *ls);

/** True when @p word is in @p s[0..len). */
bool docscan_contains(const char *s, size_t len, const char *word);

/** True when @p s[0..len) ends with @p word. */
bool docscan_ends_with(const char *s, size_t len, const char *word);

/** True for a code point of the CJK Unified Ideographs block. */
bool docscan_is_han(uint32_t cp);

/**
 * True when a year starts at @p s[i] (19dd or 20dd), not inside a longer
 * number (@p a is where the text may start) nor at the end of a range
 * (2015-2020年).
 */
bool docscan_year_at(const char *s, size_t a, size_t i);

/*
 * The first two characters of a list of words (three-byte ones: Han, 。), hashed
 * into one bit each, so that one pass over a text tries the words only where
 * one may start, instead of one pass per word. Two characters, not one: the
 * first characters of a vocabulary (人, 市, 国) are among a text's commonest.
 */
struct docscan_firsts {
    uint8_t bits[0x10000 / 8];
};

/* The bit of a pair of code points (the second is 0 for a word of one character). */
static inline uint32_t docscan_pair_bit(uint32_t first, uint32_t second)
{
    return (first * 40503u ^ second) & 0xffffu;
}

/** Mark the first two characters of @p word (@p len bytes) in @p f (zeroed first). */
void docscan_firsts_add(struct docscan_firsts *f, const char *word, size_t len);

/**
 * True when a marked pair of characters may start at @p s (@p avail bytes);
 * the first one's code point in *cp (0: not a three-byte character).
 */
static inline bool docscan_firsts_at(const struct docscan_firsts *f, const char *s, size_t avail,
                                     uint32_t *cp)
{
    *cp = text_three_byte_cp(s, avail);
    if (!*cp) {
        return false;
    }
    uint32_t pair = docscan_pair_bit(*cp, text_three_byte_cp(s + 3, avail - 3));
    uint32_t alone = docscan_pair_bit(*cp, 0);
    return (f->bits[pair >> 3] >> (pair & 7) & 1) || (f->bits[alone >> 3] >> (alone & 7) & 1);
}

#endif
