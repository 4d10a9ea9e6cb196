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

#endif
