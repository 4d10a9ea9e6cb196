/*
 * pdflines.h - a PDF page's words (pdfwords.h) as lines of tokens: the words whose
 * middles share a height make a line, left to right; words closer than a cell's
 * gap make a token (a number is always one of its own: cells of numbers may stand
 * as close as words); the numbers at a line's end are its values; a line with a
 * token wider than most of the text, or a full stop, is prose. pdftable.h reads
 * tables from these lines. O(n log n) in the page's words.
 */
#ifndef RF_PDFLINES_H
#define RF_PDFLINES_H

#include <stdbool.h>
#include <stddef.h>

#include "pdfwords.h"
#include "reportflow/buf.h"

/* Shares of a line's height. */
#define PDFLINES_CELL_GAP 0.4f    /* a gap wider than a space: the next cell */
#define PDFLINES_WORD_SPACE 0.12f /* a gap within a cell this wide is written as a space */

struct pdftoken {
    float x0, x1;
    size_t at, len;  /* in struct pdfpage's text */
    bool value;      /* a number with no text after it on its line */
    unsigned column; /* left to the caller: a value's column */
};

struct pdfline {
    float y0, y1;
    size_t first, count; /* its tokens */
    size_t word, words;  /* its words, in struct pdfpage's words */
    size_t values;       /* how many of its tokens are values: the last ones */
    bool prose;
    int role;     /* left to the caller: what the line is to it */
    size_t owner; /* left to the caller: the line it belongs to */
};

/* A page's lines; every array is the page's own. */
struct pdfpage {
    struct pdfword *words; /* a copy, sorted by line */
    size_t word_cnt;
    struct pdftoken *tokens;
    size_t token_cnt, token_cap;
    struct pdfline *lines;
    size_t line_cnt, line_cap;
    struct rf_buf text; /* the tokens' text */
    float width;        /* of the page's text */
};

/**
 * The lines of the @p n @p words (their text in @p tsv) into @p p, top to bottom; the caller
 * releases it. @returns 0, or -1 on ENOMEM.
 */
int pdflines_read(struct pdfpage *p, const char *tsv, const struct pdfword *words, size_t n);

void pdflines_release(struct pdfpage *p);

/** Whether @p c is an ASCII letter or digit: two such words are written apart by a space. */
bool pdflines_is_latin(char c);

#endif
