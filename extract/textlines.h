/*
 * textlines.h - a word processor's text written as the pipeline reads text: one line per
 * paragraph, one line per table row "| a | b |" (a cell's paragraphs joined by a space,
 * '|' in a cell written as U+FF5C so that the row keeps its columns), repeated cells and
 * rows copied, a cell a merge covers left out as HTML's rowspan leaves it out, a nested
 * table flattened into its cell. The reader of a format (officetext.c) calls it element
 * by element; it writes as it goes, holding back only the row of a table, and stops at a
 * cap on the bytes written.
 */
#ifndef RF_TEXTLINES_H
#define RF_TEXTLINES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

enum textlines_result {
    TEXTLINES_OK = 0,
    TEXTLINES_TOO_LARGE,    /* the text passed its cap */
    TEXTLINES_WRITE_FAILED, /* the output refused it: write_errno says why */
    TEXTLINES_NOMEM,
};

/* The state of the text written so far; its fields are this module's. */
struct textlines {
    FILE *out;
    size_t written, max_output;  /* bytes written to out, and the cap */
    bool line_has_text;          /* the line being written, outside tables */
    bool space_pending;          /* a space before the next text, if its line or cell has some */
    int paragraphs_open;         /* a text box's paragraphs open inside the one it stands in */
    bool nested_paragraph_ended; /* since the outermost open paragraph began */
    int tables_open;             /* rows and cells count in the outermost table only */
    bool in_row, in_cell, cell_merged;
    size_t cells;      /* cells of the row so far */
    size_t cell_start; /* where the open cell's "| " stands in the row */
    unsigned cell_repeat, row_repeat;
    char *row; /* the outermost table's row until it ends (owned, see textlines_release()) */
    size_t row_len, row_cap;
    enum textlines_result failed; /* the first failure: nothing is written after it */
    int write_errno;
};

/** Start writing to @p out (the caller's), at most @p max_output bytes. */
void textlines_init(struct textlines *t, FILE *out, size_t max_output);

/** Free what @p t holds (not its output). */
void textlines_release(struct textlines *t);

/**
 * Characters of the document. A line feed or carriage return is a space (line breaks are
 * the document's elements); with @p collapse_space (ODF) a run of white space is one
 * space, and none starts or ends a paragraph.
 */
void textlines_text(struct textlines *t, const char *s, size_t n, bool collapse_space);

/** Bytes written as they are: a tab, a hyphen. */
void textlines_literal(struct textlines *t, const char *s, size_t n);

/** @p n spaces, kept however white space collapses. */
void textlines_spaces(struct textlines *t, unsigned n);

/** A new line (a space in a table). A soft break (page, column) only ends a line with text. */
void textlines_line_break(struct textlines *t, bool hard);

void textlines_paragraph_begin(struct textlines *t);
void textlines_paragraph_end(struct textlines *t);
bool textlines_in_paragraph(const struct textlines *t);

void textlines_table_begin(struct textlines *t);
void textlines_table_end(struct textlines *t);

/** A row written @p repeat times (ODT's number-rows-repeated; 1 otherwise). */
void textlines_row_begin(struct textlines *t, unsigned repeat);
void textlines_row_end(struct textlines *t);

/** A cell written @p repeat times (ODT's number-columns-repeated; 1 otherwise). */
void textlines_cell_begin(struct textlines *t, unsigned repeat);
void textlines_cell_end(struct textlines *t);

/** The open cell of the outermost table continues a merge from above: it is left out. */
void textlines_cell_merged(struct textlines *t);

/** The last line ended and the output flushed. @returns the first failure, or TEXTLINES_OK. */
enum textlines_result textlines_finish(struct textlines *t);

#endif
