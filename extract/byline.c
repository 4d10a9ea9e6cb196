/* byline.c - the publisher lines of a page head: see byline.h. */
#include "byline.h"

#include <string.h>

#define BYLINE_MAX_NAME_BYTES 90 /* 30 characters: a longer run of Han is a sentence */

/* Past the spaces, bullets and table bars that open a line or follow a label. */
static size_t skip_decoration(const char *s, size_t a, size_t b)
{
    static const char *const marks[] = {" ", "\t", ":", "|", "-", "*", "•", "·", "：", "】", "["};
    for (;;) {
        size_t before = a;
        for (size_t k = 0; k < sizeof(marks) / sizeof(marks[0]); k++) {
            size_t ml = strlen(marks[k]);
            if (a + ml <= b && memcmp(s + a, marks[k], ml) == 0) {
                a += ml;
            }
        }
        if (a == before) {
            return a;
        }
    }
}

/* The label of @p rules that opens [a, b), as its length in bytes, or 0. */
static size_t label_at(const struct rules *rules, const char *s, size_t a, size_t b)
{
    for (size_t k = 0; k < rules->publisher_label_cnt; k++) {
        const struct name_pair *l = &rules->publisher_labels[k];
        if (a + l->len <= b && memcmp(s + a, l->word, l->len) == 0) {
            return l->len;
        }
    }
    return 0;
}

/* End of the run of three-byte Han characters from @p a. */
static size_t han_run_end(const struct text *t, size_t a, size_t b)
{
    while (a + 3 <= b) {
        size_t n;
        if (!docscan_is_han(text_codepoint(t->norm, a, &n)) || n != 3) {
            break;
        }
        a += 3;
    }
    return a;
}

/*
 * Nothing but a date (2024年01月08日, 2023-01-13 09:31) in [a, b), or nothing at all; not a
 * colon alone, which ends an addressee (省人民政府:).
 */
static bool only_date(const char *s, size_t a, size_t b)
{
    const size_t a0 = a;
    static const char *const date_words[] = {"年", "月", "日"};
    bool digit = false;
    while (a < b) {
        char c = s[a];
        digit |= c >= '0' && c <= '9';
        if ((c >= '0' && c <= '9') || c == ' ' || c == '-' || c == '/' || c == ':' || c == '.') {
            a++;
            continue;
        }
        size_t k = 0;
        while (k < 3 && !(a + 3 <= b && memcmp(s + a, date_words[k], 3) == 0)) {
            k++;
        }
        if (k == 3) {
            return false;
        }
        a += 3;
    }
    return digit || a0 == b;
}

/* The bytes of [s, s + len) up to BYLINE_MAX_NAME_BYTES, cut at a character's start. */
static size_t char_prefix(const char *s, size_t len)
{
    size_t n = len < BYLINE_MAX_NAME_BYTES ? len : BYLINE_MAX_NAME_BYTES;
    while (n < len && n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80) {
        n--;
    }
    return n;
}

size_t byline_find(const struct text *t, const struct rules *rules, const struct docscan_lines *ls,
                   struct byline_span *out)
{
    size_t n = 0;
    for (size_t i = 0; i < ls->cnt && i < DOCSCAN_HEAD_LINES && n < BYLINE_MAX_SPANS; i++) {
        const char *s = t->norm;
        size_t b = ls->items[i].end;
        size_t a = skip_decoration(s, ls->items[i].start, b);
        size_t ll = label_at(rules, s, a, b);
        if (ll > 0) {
            size_t v = skip_decoration(s, a + ll, b);
            if (v == b && i + 1 < ls->cnt) { /* the value on the next line */
                b = ls->items[i + 1].end;
                v = skip_decoration(s, ls->items[i + 1].start, b);
            }
            if (v < b) {
                /* a publisher is named in its first characters: not a long line's every byte */
                out[n++] = (struct byline_span){v, v + char_prefix(s + v, b - v), false};
            }
            continue;
        }
        size_t h = han_run_end(t, a, b);
        if (h > a && h - a <= BYLINE_MAX_NAME_BYTES && only_date(s, h, b)) {
            out[n++] = (struct byline_span){a, h, true};
        }
    }
    return n;
}
