/*
 * fuzz_pdftable.c - libFuzzer target over a PDF's word boxes (pdfwords.c) and the tables read
 * from them (pdftable.c): any bytes given as pdftotext -tsv output must give text or a
 * refusal, never a crash, a leak or undefined behaviour, and in time linear in their size.
 * Built and run by tests/integration/9001-fuzz-extract.sh (clang, ASan, UBSan).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pdftable.h"
#include "pdfwords.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The pages the bytes announce: records of level 1, as pdftotext writes one per page. */
static int pages_of(const char *s, size_t len)
{
    int pages = 0;
    for (size_t i = 0; i + 1 < len && pages < 10000; i++) {
        pages += (i == 0 || s[i - 1] == '\n') && s[i] == '1' && s[i + 1] == '\t';
    }
    return pages;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *tsv = (const char *)data;
    struct pdfwords words;
    if (pdfwords_parse(tsv, size, pages_of(tsv, size), &words) != 0) {
        return 0;
    }
    struct rf_buf out = RF_BUF_INIT;
    for (int p = 0; p < words.pages; p++) {
        size_t n = 0;
        const struct pdfword *on_page = pdfwords_page(&words, p, &n);
        if (pdftable_rows(tsv, on_page, n, &out) != 0) {
            abort(); /* out of memory on a 64 KB input is a bug */
        }
    }
    rf_buf_release(&out);
    pdfwords_release(&words);
    return 0;
}
