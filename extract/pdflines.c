/* pdflines.c - a PDF page's words as lines of tokens: see pdflines.h. */
#define _GNU_SOURCE /* memmem */
#include "pdflines.h"

#include <stdlib.h>
#include <string.h>

#include "tablegrid.h"
#include "reportflow/vec.h"

/* A token wider than this share of the page's text is a line of prose; in a line that ends in
   numbers, wider than the second. */
#define PROSE_WIDTH 0.45f
#define PROSE_WIDTH_ROW 0.75f

static float middle(const struct pdfword *w)
{
    return (w->y0 + w->y1) / 2;
}

static int by_middle(const void *a, const void *b)
{
    const struct pdfword *x = a, *y = b;
    float mx = middle(x), my = middle(y);
    return mx < my ? -1 : mx > my ? 1 : (x->x0 > y->x0) - (x->x0 < y->x0);
}

static int by_left(const void *a, const void *b)
{
    const struct pdfword *x = a, *y = b;
    return (x->x0 > y->x0) - (x->x0 < y->x0);
}

bool pdflines_is_latin(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int push_token(struct pdfpage *p, const struct pdftoken *t)
{
    struct pdftoken *grown =
        rf_vec_reserve(p->tokens, &p->token_cap, p->token_cnt, 1, sizeof(*grown));
    if (!grown) {
        return -1;
    }
    p->tokens = grown;
    p->tokens[p->token_cnt++] = *t;
    return 0;
}

/* The words [a, b) of one line, left to right, as tokens of line @p l. */
static int tokens_of_line(struct pdfpage *p, const char *tsv, size_t a, size_t b, struct pdfline *l)
{
    float h = l->y1 - l->y0 > 1 ? l->y1 - l->y0 : 1;
    l->first = p->token_cnt;
    for (size_t i = a; i < b; i++) {
        const struct pdfword *w = &p->words[i];
        struct pdftoken *last = p->token_cnt > l->first ? &p->tokens[p->token_cnt - 1] : NULL;
        float gap = last ? w->x0 - last->x1 : 0;
        /* a number is a word of its own: cells of numbers may stand as close as words */
        bool numbers = last && (tablegrid_is_number(tsv + w->at, w->len) ||
                                tablegrid_is_number(p->text.data + last->at, last->len));
        int rc = 0;
        if (last && gap < PDFLINES_CELL_GAP * h && !numbers) {
            rc = gap >= PDFLINES_WORD_SPACE * h ? rf_buf_append(&p->text, " ", 1) : 0;
            last->x1 = w->x1 > last->x1 ? w->x1 : last->x1;
        } else {
            struct pdftoken t = {w->x0, w->x1, p->text.len, 0, false, 0};
            rc = push_token(p, &t);
            last = &p->tokens[p->token_cnt - 1];
        }
        rc = rc ? rc : rf_buf_append(&p->text, tsv + w->at, w->len);
        if (rc != 0) {
            return -1;
        }
        last->len = p->text.len - last->at;
    }
    l->count = p->token_cnt - l->first;
    /* values: the numbers at the line's end */
    for (size_t k = l->count; k > 0; k--) {
        struct pdftoken *t = &p->tokens[l->first + k - 1];
        if (!tablegrid_is_number(p->text.data + t->at, t->len)) {
            break;
        }
        t->value = true;
        l->values++;
    }
    return 0;
}

static bool is_prose(const struct pdfpage *p, const struct pdfline *l)
{
    /* a row's label may be wide, a paragraph's line is wider */
    float widest = (l->values > 0 ? PROSE_WIDTH_ROW : PROSE_WIDTH) * p->width;
    for (size_t k = l->first; k < l->first + l->count; k++) {
        const struct pdftoken *t = &p->tokens[k];
        if (t->x1 - t->x0 > widest || memmem(p->text.data + t->at, t->len, "。", strlen("。"))) {
            return true;
        }
    }
    return false;
}

/* The page's words into lines of tokens: words whose middles fall within a line's first word. */
static int make_lines(struct pdfpage *p, const char *tsv)
{
    qsort(p->words, p->word_cnt, sizeof(*p->words), by_middle);
    float left = p->words[0].x0, right = p->words[0].x1;
    for (size_t i = 0; i < p->word_cnt; i++) {
        left = p->words[i].x0 < left ? p->words[i].x0 : left;
        right = p->words[i].x1 > right ? p->words[i].x1 : right;
    }
    p->width = right - left;
    for (size_t a = 0; a < p->word_cnt;) {
        size_t b = a + 1;
        while (b < p->word_cnt && middle(&p->words[b]) <= p->words[a].y1) {
            b++;
        }
        struct pdfline *grown =
            rf_vec_reserve(p->lines, &p->line_cap, p->line_cnt, 1, sizeof(*grown));
        if (!grown) {
            return -1;
        }
        p->lines = grown;
        struct pdfline *l = &p->lines[p->line_cnt++];
        *l = (struct pdfline){p->words[a].y0, p->words[a].y1, 0, 0, a, b - a, 0, false, 0, 0};
        qsort(p->words + a, b - a, sizeof(*p->words), by_left);
        if (tokens_of_line(p, tsv, a, b, l) != 0) {
            return -1;
        }
        l->prose = is_prose(p, l);
        a = b;
    }
    return 0;
}

int pdflines_read(struct pdfpage *p, const char *tsv, const struct pdfword *words, size_t n)
{
    memset(p, 0, sizeof(*p));
    if (n == 0) {
        return 0;
    }
    p->words = malloc(n * sizeof(*words));
    if (!p->words) {
        return -1;
    }
    memcpy(p->words, words, n * sizeof(*words));
    p->word_cnt = n;
    return make_lines(p, tsv);
}

void pdflines_release(struct pdfpage *p)
{
    free(p->words);
    free(p->tokens);
    free(p->lines);
    rf_buf_release(&p->text);
    memset(p, 0, sizeof(*p));
}
