/* pdfwords.c - words and their boxes from pdftotext -tsv: see pdfwords.h. */
#include "pdfwords.h"

#include <stdlib.h>
#include <string.h>

#include "reportflow/vec.h"

/* level page_num par_num block_num line_num word_num left top width height conf text */
#define TSV_FIELDS 12
#define LEVEL_PAGE 1
#define LEVEL_WORD 5

/* A field's bytes, as a number within +-PDFWORDS_MAX_POINTS (a field of more than 31 bytes is no
   number here). */
static int field_number(const char *s, size_t len, double *out)
{
    char tmp[32];
    if (len == 0 || len >= sizeof(tmp)) {
        return -1;
    }
    memcpy(tmp, s, len);
    tmp[len] = '\0';
    char *end = NULL;
    *out = strtod(tmp, &end);
    /* points on a page: NaN, infinities and the absurd would upset the sorts that follow */
    return end == tmp + len && *out > -PDFWORDS_MAX_POINTS && *out < PDFWORDS_MAX_POINTS ? 0 : -1;
}

/* The fields of line [a, b) split at tabs into @p at / @p len; @returns how many. */
static size_t split_fields(const char *s, size_t a, size_t b, size_t at[TSV_FIELDS],
                           size_t len[TSV_FIELDS])
{
    size_t n = 0;
    size_t start = a;
    for (size_t i = a; i <= b && n < TSV_FIELDS; i++) {
        if (i == b || (s[i] == '\t' && n < TSV_FIELDS - 1)) { /* the text keeps any tab */
            at[n] = start;
            len[n++] = i - start;
            start = i + 1;
        }
    }
    return n;
}

static int push_word(struct pdfwords *w, size_t *cap, const struct pdfword *word)
{
    struct pdfword *grown = rf_vec_reserve(w->words, cap, w->count, 1, sizeof(*grown));
    if (!grown) {
        return -1;
    }
    w->words = grown;
    w->words[w->count++] = *word;
    return 0;
}

/* One record [a, b): a page starts, a word is kept, the rest is layout we do not need. */
static int read_record(const char *tsv, size_t a, size_t b, struct pdfwords *out, size_t *cap,
                       int *page)
{
    size_t at[TSV_FIELDS], len[TSV_FIELDS];
    double level, box[4];
    if (split_fields(tsv, a, b, at, len) != TSV_FIELDS ||
        field_number(tsv + at[0], len[0], &level) != 0) {
        return 1;
    }
    if (level == LEVEL_PAGE) {
        if (++*page >= out->pages) {
            return 1;
        }
        out->first[*page] = out->count;
        return 0;
    }
    if (level != LEVEL_WORD || len[11] == 0) {
        return 0;
    }
    for (int k = 0; k < 4; k++) {
        if (field_number(tsv + at[6 + k], len[6 + k], &box[k]) != 0) {
            return 1;
        }
    }
    if (*page < 0) {
        return 1;
    }
    struct pdfword word = {
        (float)box[0], (float)box[1], (float)(box[0] + box[2]), (float)(box[1] + box[3]),
        at[11],        len[11]};
    return push_word(out, cap, &word);
}

int pdfwords_parse(const char *tsv, size_t len, int pages, struct pdfwords *out)
{
    memset(out, 0, sizeof(*out));
    if (pages <= 0) {
        return 1;
    }
    out->pages = pages;
    out->first = calloc((size_t)pages + 1, sizeof(*out->first));
    if (!out->first) {
        return -1;
    }
    size_t cap = 0;
    int page = -1;
    int rc = 0;
    const char *nl = memchr(tsv, '\n', len);
    size_t at = nl ? (size_t)(nl - tsv) + 1 : len; /* past the header line */
    while (rc == 0 && at < len) {
        nl = memchr(tsv + at, '\n', len - at);
        size_t end = nl ? (size_t)(nl - tsv) : len;
        rc = end > at ? read_record(tsv, at, end, out, &cap, &page) : 0;
        at = end + 1;
    }
    if (rc == 0 && page != pages - 1) {
        rc = 1;
    }
    if (rc != 0) {
        pdfwords_release(out);
        return rc;
    }
    out->first[pages] = out->count;
    return 0;
}

const struct pdfword *pdfwords_page(const struct pdfwords *w, int page, size_t *n)
{
    *n = w->first[page + 1] - w->first[page];
    return *n > 0 ? w->words + w->first[page] : NULL;
}

void pdfwords_release(struct pdfwords *w)
{
    free(w->words);
    free(w->first);
    memset(w, 0, sizeof(*w));
}
