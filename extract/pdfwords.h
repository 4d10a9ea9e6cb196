/*
 * pdfwords.h - the words of a PDF and where each stands on its page, from
 * `pdftotext -tsv`: one record per word, with its box in points from the top
 * left. pdftable.h reads a table's rows and columns from these boxes, which
 * the text alone does not keep (a blank cell leaves no mark in text).
 */
#ifndef RF_PDFWORDS_H
#define RF_PDFWORDS_H

#include <stddef.h>

/* No box on a page reaches further than this, in points (a PDF page is at most 14,400). */
#define PDFWORDS_MAX_POINTS 1e6

/* A word's box, and its text: bytes [at, at + len) of the TSV it was read from. */
struct pdfword {
    float x0, y0, x1, y1;
    size_t at;
    size_t len;
};

/* The words of every page, in the TSV's order: page p holds words[first[p], first[p + 1]). */
struct pdfwords {
    struct pdfword *words;
    size_t count;
    size_t *first; /* pages + 1 entries */
    int pages;
};

/**
 * Read @p len bytes of `pdftotext -tsv` output into @p out (the caller releases it).
 * @returns 0; 1 when the text is not such output or holds another number of pages than
 * @p pages; -1 on ENOMEM.
 */
int pdfwords_parse(const char *tsv, size_t len, int pages, struct pdfwords *out);

/** The words of page @p page (0-based) of @p w, how many into *@p n; NULL when none. */
const struct pdfword *pdfwords_page(const struct pdfwords *w, int page, size_t *n);

void pdfwords_release(struct pdfwords *w);

#endif
