/* pdftext.c - pdftotext's lines joined as a reader reads them: see pdftext.h. */
#include "pdftext.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "reportflow/buf.h"
#include "text.h"

#define WIDE_SHARE 0.85  /* a line this share of the page's width or more is a full line */
#define REPEATED_MIN 3   /* a header or footer repeats on this many pages at least ... */
#define MAX_LINE_KEY 120 /* ... compared by its first bytes */
/* more non-blank lines than this are no pages of prose (a table of numbers, a hostile file):
   passed through as they are, so the lines' records take at most 48 MiB */
#define MAX_LINES (1u << 21)

struct line { /* 24 bytes: there may be MAX_LINES of them */
    const char *s;
    uint32_t len; /* trimmed; the text is under 4 GiB (split_lines() checks) */
    uint32_t page;
    float width;      /* Han and full-width characters 1, the rest 0.5 */
    bool first, last; /* first or last non-blank line of its page */
    bool dropped;
};

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

static float width_of(const char *s, size_t len)
{
    float w = 0;
    for (size_t i = 0; i < len;) {
        unsigned char b = (unsigned char)s[i];
        size_t n = b < 0x80 ? 1 : b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : 2;
        w += n >= 3 ? 1.0f : 0.5f;
        i += n;
    }
    return w;
}

/*
 * The non-blank lines of @p text, trimmed, with their pages. NULL on ENOMEM, or NULL with *cnt
 * 0 when there are more than MAX_LINES.
 */
static struct line *split_lines(const char *text, size_t len, size_t *cnt, size_t *pages)
{
    /* the non-blank lines counted first, so that memory follows the text's lines, not its
       bytes or its blank lines (a line record is larger than most lines) */
    size_t nonblank = 0;
    bool seen = false;
    for (size_t i = 0; i < len; i++) {
        if (text[i] == '\n' || text[i] == '\f') {
            nonblank += seen;
            seen = false;
        } else {
            seen |= !is_space(text[i]);
        }
    }
    if (nonblank + seen > MAX_LINES || len >= UINT32_MAX) {
        *cnt = 0;
        return NULL;
    }
    struct line *lines = malloc((nonblank + 1 + seen) * sizeof(*lines));
    if (!lines) {
        return NULL;
    }
    size_t n = 0, page = 0, page_first = 0;
    for (size_t at = 0; at < len;) {
        size_t end = at;
        while (end < len && text[end] != '\n' && text[end] != '\f') {
            end++;
        }
        size_t a = at, b = end;
        while (a < b && is_space(text[a])) {
            a++;
        }
        while (b > a && is_space(text[b - 1])) {
            b--;
        }
        if (b > a) {
            lines[n] = (struct line){text + a,        b - a, page, width_of(text + a, b - a),
                                     n == page_first, false, false};
            n++;
        }
        if (end < len && text[end] == '\f') {
            if (n > page_first) {
                lines[n - 1].last = true;
            }
            page++;
            page_first = n;
        }
        at = end + 1;
    }
    if (n > page_first) {
        lines[n - 1].last = true;
    }
    *cnt = n;
    *pages = page + 1;
    return lines;
}

/* - 3 -, 第 3 页, 第3页 共10页, 3/10, 3: a page number alone on its line. */
static bool is_page_number(const char *s, size_t len)
{
    size_t digits = 0, other = 0;
    for (size_t i = 0; i < len;) {
        unsigned char b = (unsigned char)s[i];
        if (b >= '0' && b <= '9') {
            digits++;
            i++;
        } else if (b == ' ' || b == '-' || b == '/' || b == '.') {
            i++;
        } else if (i + 3 <= len && (memcmp(s + i, "第", 3) == 0 || memcmp(s + i, "页", 3) == 0 ||
                                    memcmp(s + i, "共", 3) == 0 || memcmp(s + i, "—", 3) == 0 ||
                                    memcmp(s + i, "－", 3) == 0)) {
            i += 3;
        } else {
            other++;
            i++;
        }
    }
    return digits > 0 && digits <= 4 && other == 0;
}

static int by_text(const void *a, const void *b)
{
    const struct line *x = *(const struct line *const *)a, *y = *(const struct line *const *)b;
    size_t n = x->len < y->len ? x->len : y->len;
    n = n < MAX_LINE_KEY ? n : MAX_LINE_KEY;
    int c = memcmp(x->s, y->s, n);
    if (c != 0) {
        return c;
    }
    size_t xl = x->len < MAX_LINE_KEY ? x->len : MAX_LINE_KEY;
    size_t yl = y->len < MAX_LINE_KEY ? y->len : MAX_LINE_KEY;
    return xl < yl ? -1 : xl > yl;
}

/*
 * Page numbers, and the first or last lines of pages that repeat on at least half the
 * pages (and REPEATED_MIN): the running header and footer. Sorted, so linear-logarithmic.
 */
static int drop_page_furniture(struct line *lines, size_t cnt, size_t pages)
{
    struct line **edges = malloc((cnt + 1) * sizeof(*edges));
    if (!edges) {
        return -1;
    }
    size_t n = 0;
    for (size_t i = 0; i < cnt; i++) {
        if ((lines[i].first || lines[i].last) && is_page_number(lines[i].s, lines[i].len)) {
            lines[i].dropped = true;
        } else if (lines[i].first || lines[i].last) {
            edges[n++] = &lines[i];
        }
    }
    qsort(edges, n, sizeof(*edges), by_text);
    size_t need = pages / 2 > REPEATED_MIN ? pages / 2 : REPEATED_MIN;
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        while (j < n && by_text(&edges[i], &edges[j]) == 0) {
            j++;
        }
        for (size_t k = i; j - i >= need && k < j; k++) {
            edges[k]->dropped = true;
        }
        i = j;
    }
    free(edges);
    return 0;
}

/* 一、 (一) 1. 1、 ① 第一章 •: a line that starts a new item, never a continuation. */
static bool starts_item(const struct line *l)
{
    static const char *const marks[] = {"(", "（", "•", "·", "-", "①", "②", "③",
                                        "④", "⑤",  "⑥", "⑦", "⑧", "⑨", "⑩", "附件"};
    static const char *const numerals[] = {"一", "二", "三", "四", "五",
                                           "六", "七", "八", "九", "十"};
    const char *s = l->s;
    for (size_t k = 0; k < sizeof(marks) / sizeof(marks[0]); k++) {
        size_t ml = strlen(marks[k]);
        if (l->len >= ml && memcmp(s, marks[k], ml) == 0) {
            return true;
        }
    }
    size_t i = 0;
    while (i < l->len && s[i] >= '0' && s[i] <= '9') {
        i++;
    }
    if (i > 0 && i < l->len &&
        (s[i] == '.' || s[i] == ')' || (i + 3 <= l->len && memcmp(s + i, "、", 3) == 0))) {
        return true;
    }
    /* 一、 and 第三章, 第二节, 第十条, 第一部分 */
    bool ordinal = l->len >= 3 && memcmp(s, "第", 3) == 0;
    size_t k = ordinal ? 3 : 0, run = 0;
    for (; k + 3 <= l->len && run < 4; k += 3, run++) {
        size_t n = 0;
        while (n < sizeof(numerals) / sizeof(numerals[0]) && memcmp(s + k, numerals[n], 3) != 0) {
            n++;
        }
        if (n == sizeof(numerals) / sizeof(numerals[0])) {
            break;
        }
    }
    if (run == 0) {
        return false;
    }
    static const char *const after[] = {"、", "章", "节", "条", "部分"};
    for (size_t a = 0; a < sizeof(after) / sizeof(after[0]); a++) {
        size_t al = strlen(after[a]);
        bool fits = k + al <= l->len && memcmp(s + k, after[a], al) == 0;
        if (fits && (ordinal ? a > 0 : a == 0)) {
            return true;
        }
    }
    return false;
}

/* A line that ends a sentence, a clause list or a heading's colon. */
static bool ends_sentence(const struct line *l)
{
    static const char *const ends[] = {"。", "！", "？", "；", "：", "”", "」", "!", "?", ";", ":"};
    for (size_t k = 0; k < sizeof(ends) / sizeof(ends[0]); k++) {
        size_t el = strlen(ends[k]);
        if (l->len >= el && memcmp(l->s + l->len - el, ends[k], el) == 0) {
            return true;
        }
    }
    return false;
}

/* The width of a full line: the widest line but for a few outliers (a table row, a URL). */
static double full_width(const struct line *lines, size_t cnt)
{
    size_t hist[256] = {0}, kept = 0;
    for (size_t i = 0; i < cnt; i++) {
        if (!lines[i].dropped) {
            size_t w = lines[i].width < 255 ? (size_t)lines[i].width : 255;
            hist[w]++;
            kept++;
        }
    }
    /* the 90th percentile */
    size_t seen = 0;
    for (size_t w = 255; w > 0; w--) {
        seen += hist[w];
        if (seen * 10 >= kept) {
            return (double)w;
        }
    }
    return 0;
}

static bool is_han_at(const char *s, size_t len)
{
    uint32_t cp = text_three_byte_cp(s, len);
    return cp >= 0x3400 && cp <= 0x9fff;
}

static bool is_alnum(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

/* Append a line, leaving out a space between a Han character and a digit or letter. */
static int put_line(struct rf_buf *out, const char *s, size_t len)
{
    size_t from = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] != ' ') {
            continue;
        }
        bool han_before = i >= 3 && is_han_at(s + i - 3, 3);
        bool han_after = i + 4 <= len && is_han_at(s + i + 1, len - i - 1);
        bool alnum_before = i >= 1 && is_alnum(s[i - 1]);
        bool alnum_after = i + 1 < len && is_alnum(s[i + 1]);
        if ((han_before && alnum_after) || (alnum_before && han_after)) {
            if (rf_buf_append(out, s + from, i - from) != 0) {
                return -1;
            }
            from = i + 1;
        }
    }
    return rf_buf_append(out, s + from, len - from);
}

/* Characters (UTF-8 lead bytes) in @p len bytes. */
static size_t count_chars(const char *s, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        n += ((unsigned char)s[i] & 0xc0) != 0x80;
    }
    return n;
}

/* @p cnt pages, none placed yet (SIZE_MAX). @returns -1 on ENOMEM. */
static int pages_init(struct pdftext_pages *pages, size_t cnt)
{
    pages->first_char = malloc((cnt ? cnt : 1) * sizeof(*pages->first_char));
    if (!pages->first_char) {
        return -1;
    }
    pages->cnt = cnt;
    for (size_t i = 0; i < cnt; i++) {
        pages->first_char[i] = SIZE_MAX;
    }
    return 0;
}

/* A page of no kept lines begins where the next one does: page_at() passes over it. */
static void pages_fill(struct pdftext_pages *pages, size_t total_chars)
{
    size_t next = total_chars;
    for (size_t i = pages->cnt; i-- > 0;) {
        if (pages->first_char[i] == SIZE_MAX) {
            pages->first_char[i] = next;
        }
        next = pages->first_char[i];
    }
}

/* The text as it is, page breaks as line breaks: for a text of too many lines to reflow. */
static char *pass_through(const char *text, size_t len, size_t *out_len,
                          struct pdftext_pages *pages)
{
    size_t cnt = 1;
    for (size_t i = 0; i < len; i++) {
        cnt += text[i] == '\f';
    }
    char *out = malloc(len + 1);
    if (!out || pages_init(pages, cnt) != 0) {
        free(out);
        return NULL;
    }
    size_t page = 0, chars = 0;
    pages->first_char[0] = 0;
    for (size_t i = 0; i < len; i++) {
        out[i] = text[i] == '\f' ? '\n' : text[i];
        chars += ((unsigned char)text[i] & 0xc0) != 0x80;
        if (text[i] == '\f') {
            pages->first_char[++page] = chars;
        }
    }
    out[len] = '\0';
    *out_len = len;
    return out;
}

int pdftext_page_at(const struct pdftext_pages *pages, size_t ch)
{
    if (!pages || pages->cnt == 0) {
        return 0;
    }
    size_t lo = 0, hi = pages->cnt; /* the last page that begins at or before ch */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (pages->first_char[mid] <= ch) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    return (int)(lo + 1);
}

void pdftext_pages_release(struct pdftext_pages *pages)
{
    free(pages->first_char);
    pages->first_char = NULL;
    pages->cnt = 0;
}

char *pdftext_reflow(const char *text, size_t len, size_t *out_len, struct pdftext_pages *pages)
{
    *pages = (struct pdftext_pages){NULL, 0};
    size_t cnt = 1, npages = 0;
    struct line *lines = split_lines(text, len, &cnt, &npages);
    if (!lines && cnt == 0) {
        return pass_through(text, len, out_len, pages);
    }
    if (!lines || drop_page_furniture(lines, cnt, npages) != 0 || pages_init(pages, npages) != 0) {
        free(lines);
        return NULL;
    }
    double full = full_width(lines, cnt);
    struct rf_buf out = RF_BUF_INIT;
    int rc = 0;
    const struct line *prev = NULL;
    size_t counted = 0, chars = 0; /* chars in out's first counted bytes */
    for (size_t i = 0; i < cnt && rc == 0; i++) {
        const struct line *l = &lines[i];
        if (l->dropped) {
            continue;
        }
        /* a table row (pdftable.h) stands alone: it is no sentence's end or start */
        bool joins = prev && prev->width >= full * WIDE_SHARE && !ends_sentence(prev) &&
                     !starts_item(l) && prev->s[0] != '|' && l->s[0] != '|';
        if (prev && !joins) {
            rc = rf_buf_append(&out, "\n", 1);
        }
        if (rc == 0 && pages->first_char[l->page] == SIZE_MAX) {
            chars += out.len > counted ? count_chars(out.data + counted, out.len - counted) : 0;
            counted = out.len;
            pages->first_char[l->page] = chars;
        }
        if (rc == 0) {
            rc = put_line(&out, l->s, l->len);
        }
        prev = l;
    }
    if (rc == 0) {
        rc = rf_buf_append(&out, "\n", 1);
    }
    free(lines);
    if (rc != 0) {
        rf_buf_release(&out);
        pdftext_pages_release(pages);
        return NULL;
    }
    pages_fill(pages, chars + count_chars(out.data + counted, out.len - counted)); /* len > 0 */
    *out_len = out.len;
    return rf_buf_detach(&out);
}
