/*
 * pdftable.h - the tables of a PDF page as rows of cells. In its reading order
 * pdftotext writes a table cell by cell, one line each, and no row is left to
 * read. A page whose reading-order text has many lines that are a number alone
 * is a page of tables: convert.c reads its words again with their boxes
 * (pdfwords.h), and this module writes the page's tables as tablegrid.h reads
 * them, its other lines as they are.
 *
 * How a table is read from boxes alone, with no ruled lines to go by:
 * - the page's lines, tokens and values come from pdflines.h; a prose line ends
 *   a table;
 * - the columns of a table are the runs of values whose boxes overlap from line
 *   to line, so a blank cell keeps its place ("| 上年结转 | 18 |  |  | 18 |");
 * - a line with values is a row; a digit or three right under a value of the
 *   row just above, in the same column, is the end of that value wrapped in a
 *   narrow cell (2695 over 4 is 26954);
 * - a line of label text alone belongs to the nearest row, unless it starts
 *   with a numbering of its own while that row has one: then it is a row of
 *   blank cells;
 * - a row's label text left of its own label is an outer label (a cell that
 *   spans rows, 三、本年度办理结果), written as a cell of its own;
 * - the lines above a table's first row are its header (a heading, one phrase
 *   or a word over two columns, stays text); a header line further down starts
 *   the next table.
 * Work is O(n log n) in the page's words, output bounded by TABLE_MAX_COLUMNS
 * per row.
 */
#ifndef RF_PDFTABLE_H
#define RF_PDFTABLE_H

#include <stdbool.h>
#include <stddef.h>

#include "pdfwords.h"
#include "reportflow/buf.h"

/* A page with this many lines that are a number alone holds a table. */
#define PDFTABLE_MIN_NUMBER_LINES 6

/** Whether @p len bytes of a page's reading-order text hold a table. */
bool pdftable_page_is_tabular(const char *page, size_t len);

/**
 * Append the page of @p n @p words (their text in @p tsv) to @p out: its table rows as cells
 * between bars, its other lines as text.
 * @returns 0, or -1 on ENOMEM.
 */
int pdftable_rows(const char *tsv, const struct pdfword *words, size_t n, struct rf_buf *out);

#endif
