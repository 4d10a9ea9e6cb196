/*
 * pdftext.h - the text pdftotext writes, as a reader sees it: the lines of the
 * page layout joined inside sentences (a line that fills the page's width and
 * ends mid-sentence goes on with the next; a heading, a list item or the end
 * of a sentence ends it), no spaces between Chinese characters and the digits
 * or Latin letters beside them (2025 年 -> 2025年), and page numbers and the
 * lines repeated at the top or bottom of most pages (headers, footers) dropped.
 * Linear in the text's size.
 */
#ifndef RF_PDFTEXT_H
#define RF_PDFTEXT_H

#include <stddef.h>

/**
 * @p text (@p len bytes of UTF-8, pages separated by form feeds) as a reader
 * sees it. @returns a new NUL-terminated string and its length in @p out_len
 * (caller frees), or NULL on ENOMEM.
 */
char *pdftext_reflow(const char *text, size_t len, size_t *out_len);

#endif
