/* pdftable.c - a PDF page's table rows as cells between bars: see pdftable.h. */
#include "pdftable.h"

#include <string.h>

#include "tablegrid.h"

/* The longest line read as a row, in tokens: past it, a line is left as it is. */
#define MAX_TOKENS 64

struct token {
    size_t at, len;
    bool wide_gap; /* two spaces or more before it: a cell border, not a word space */
};

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

/* The line of @p page (@p len bytes) from *@p at, spaces trimmed, into [*a, *b); *@p at moves
   past it. */
static void next_line(const char *page, size_t len, size_t *at, size_t *a, size_t *b)
{
    const char *nl = memchr(page + *at, '\n', len - *at);
    size_t end = nl ? (size_t)(nl - page) : len;
    *a = *at;
    *b = end;
    while (*a < *b && is_blank(page[*a])) {
        (*a)++;
    }
    while (*b > *a && is_blank(page[*b - 1])) {
        (*b)--;
    }
    *at = end + 1;
}

bool pdftable_page_is_tabular(const char *page, size_t len)
{
    size_t lone_numbers = 0;
    for (size_t at = 0, a, b; at < len;) {
        next_line(page, len, &at, &a, &b);
        lone_numbers += b > a && tablegrid_is_number(page + a, b - a);
        if (lone_numbers >= PDFTABLE_MIN_NUMBER_LINES) {
            return true;
        }
    }
    return false;
}

/* The tokens of line [a, b) into @p t; @returns how many, or MAX_TOKENS + 1 for too many. */
static size_t tokens_of(const char *s, size_t a, size_t b, struct token *t)
{
    size_t n = 0;
    size_t i = a;
    while (i < b) {
        size_t gap = 0;
        while (i < b && is_blank(s[i])) {
            gap++;
            i++;
        }
        if (i == b) {
            break;
        }
        if (n == MAX_TOKENS) {
            return MAX_TOKENS + 1;
        }
        size_t start = i;
        while (i < b && !is_blank(s[i])) {
            i++;
        }
        t[n++] = (struct token){start, i - start, gap >= 2};
    }
    return n;
}

/* Sentence punctuation: a line of prose, never a header row. */
static bool has_sentence_marks(const char *s, size_t len)
{
    static const char *const marks[] = {"。", "，", "；", "、", ",", ";"};
    for (size_t k = 0; k < sizeof(marks) / sizeof(marks[0]); k++) {
        size_t ml = strlen(marks[k]);
        for (size_t i = 0; i + ml <= len; i++) {
            if (memcmp(s + i, marks[k], ml) == 0) {
                return true;
            }
        }
    }
    return false;
}

/* Whether tokens @p t (@p n of them) of a line make a row: numbers at its end (two, or one
   set apart from a label), or a header of cells set apart with no sentence in it. */
static bool is_row(const char *s, const struct token *t, size_t n, size_t a, size_t b)
{
    size_t numbers = 0;
    while (numbers < n && tablegrid_is_number(s + t[n - 1 - numbers].at, t[n - 1 - numbers].len)) {
        numbers++;
    }
    if (numbers >= 2 || (numbers == 1 && n >= 2 && t[n - 1].wide_gap)) {
        return true;
    }
    bool wide = false;
    for (size_t i = 1; i < n; i++) {
        wide |= t[i].wide_gap;
    }
    return numbers == 0 && n >= 2 && wide && !has_sentence_marks(s + a, b - a);
}

static int put_row(struct rf_buf *out, const char *s, const struct token *t, size_t n)
{
    int rc = rf_buf_append(out, "|", 1);
    for (size_t i = 0; i < n && rc == 0; i++) {
        rc = rf_buf_append(out, " ", 1);
        rc = rc ? rc : rf_buf_append(out, s + t[i].at, t[i].len);
        rc = rc ? rc : rf_buf_append(out, " |", 2);
    }
    return rc;
}

int pdftable_rows(const char *page, size_t len, struct rf_buf *out)
{
    struct token t[MAX_TOKENS];
    int rc = 0;
    for (size_t at = 0, a, b; at < len && rc == 0;) {
        next_line(page, len, &at, &a, &b);
        size_t n = tokens_of(page, a, b, t);
        if (n <= MAX_TOKENS && is_row(page, t, n, a, b)) {
            rc = put_row(out, page, t, n);
        } else {
            rc = rf_buf_append(out, page + a, b - a);
        }
        rc = rc ? rc : rf_buf_append(out, "\n", 1);
    }
    return rc;
}
