/*
 * pdftable.h - the tables of a PDF page as rows of cells. In its reading order
 * pdftotext writes a table cell by cell, one line each, and no row is left to
 * read; with -layout it keeps each row on one line, its cells apart by spaces.
 * A page whose reading-order text has many lines that are a number alone is a
 * page of tables: convert.c reads it again with -layout, and this module
 * writes its rows as tablegrid.h reads them ("| 行政许可 | 36 |"), its other
 * lines as they are. Linear in the page's size.
 */
#ifndef RF_PDFTABLE_H
#define RF_PDFTABLE_H

#include <stdbool.h>
#include <stddef.h>

#include "reportflow/buf.h"

/* A page with this many lines that are a number alone holds a table. */
#define PDFTABLE_MIN_NUMBER_LINES 6

/** Whether @p len bytes of a page's reading-order text hold a table. */
bool pdftable_page_is_tabular(const char *page, size_t len);

/**
 * Append @p len bytes of a page's -layout text to @p out, each line that is a
 * table row written as cells between bars, the others trimmed.
 * @returns 0, or -1 on ENOMEM.
 */
int pdftable_rows(const char *page, size_t len, struct rf_buf *out);

#endif
