/*
 * pdftext.h - the text pdftotext writes, as a reader sees it: the lines of the
 * page layout joined inside sentences (a line that fills the page's width and
 * ends mid-sentence goes on with the next; a heading, a list item or the end
 * of a sentence ends it), no spaces between Chinese characters and the digits
 * or Latin letters beside them (2025 年 -> 2025年), and page numbers and the
 * lines repeated at the top or bottom of most pages (headers, footers) dropped.
 * It also says where each page begins in the text it makes, so a fact read from
 * it can name its page. Linear in the text's size.
 */
#ifndef RF_PDFTEXT_H
#define RF_PDFTEXT_H

#include <stddef.h>

/* Where the pages of a PDF begin in its reflowed text. */
struct pdftext_pages {
    size_t *first_char; /* per page, the index of the character it begins at, ascending */
    size_t cnt;         /* pages, as many as the form feeds said */
};

/**
 * @p text (@p len bytes of UTF-8, pages separated by form feeds) as a reader
 * sees it. @returns a new NUL-terminated string and its length in @p out_len
 * (caller frees), or NULL on ENOMEM; @p pages gets where each page begins in
 * it (pdftext_pages_release() frees it, on either outcome).
 */
char *pdftext_reflow(const char *text, size_t len, size_t *out_len, struct pdftext_pages *pages);

/** The page (from 1) that holds character @p ch of the reflowed text; 0 with no pages. */
int pdftext_page_at(const struct pdftext_pages *pages, size_t ch);

void pdftext_pages_release(struct pdftext_pages *pages);

#endif
