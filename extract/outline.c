/* outline.c - the section tree of a report. */
#include "outline.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reportflow/utf8.h"
#include "reportflow/vec.h"

static bool is_cn_numeral(const char *s)
{
    static const char *const numerals[] = {"一", "二", "三", "四", "五", "六",
                                           "七", "八", "九", "十", "〇", "零"};
    for (size_t i = 0; i < sizeof(numerals) / sizeof(numerals[0]); i++) {
        if (memcmp(s, numerals[i], 3) == 0) {
            return true;
        }
    }
    return false;
}

/* Length of a run of Chinese numerals at @p s (at most 3 characters). */
static size_t cn_numeral_run(const char *s, size_t len)
{
    size_t n = 0;
    while (n + 3 <= len && n < 9 && is_cn_numeral(s + n)) {
        n += 3;
    }
    return n;
}

static size_t digit_run(const char *s, size_t len)
{
    size_t n = 0;
    while (n < len && n < 3 && s[n] >= '0' && s[n] <= '9') {
        n++;
    }
    return n;
}

/*
 * Recognise a heading marker at the start of a line. @returns the level (0 when
 * none) and sets *marker_len and the number as written.
 */
static int heading_marker(const char *s, size_t len, size_t *marker_len, char *number,
                          size_t number_size)
{
    size_t n = cn_numeral_run(s, len);
    if (n > 0 && n + 3 <= len && memcmp(s + n, "、", 3) == 0) {
        rf_utf8_copy(number, number_size, s, n);
        *marker_len = n + 3;
        return 1;
    }
    if (len > 0 && s[0] == '(') {
        n = cn_numeral_run(s + 1, len - 1);
        if (n > 0 && 1 + n < len && s[1 + n] == ')') {
            rf_utf8_copy(number, number_size, s + 1, n);
            *marker_len = n + 2;
            return 2;
        }
        n = digit_run(s + 1, len - 1);
        if (n > 0 && 1 + n < len && s[1 + n] == ')') {
            rf_utf8_copy(number, number_size, s + 1, n);
            *marker_len = n + 2;
            return 3;
        }
        return 0;
    }
    n = digit_run(s, len);
    if (n > 0 && n < len) {
        bool dot = s[n] == '.' && !(n + 1 < len && s[n + 1] >= '0' && s[n + 1] <= '9');
        bool comma = n + 3 <= len && memcmp(s + n, "、", 3) == 0;
        if (dot || comma) {
            rf_utf8_copy(number, number_size, s, n);
            *marker_len = n + (dot ? 1 : 3);
            return 3;
        }
    }
    return 0;
}

/* The category whose keyword appears earliest in the heading, or "other". */
static const char *categorise(const struct rules *rules, const char *heading, size_t len)
{
    const char *best = "other";
    size_t best_at = len + 1;
    for (size_t i = 0; i < rules->section_category_cnt; i++) {
        const char *word = rules->section_categories[i].word;
        size_t wl = strlen(word);
        /* only up to the earliest keyword found so far; a byte compared before a call */
        for (size_t k = 0; k + wl <= len && k < best_at; k++) {
            if (heading[k] == word[0] && memcmp(heading + k, word, wl) == 0) {
                best_at = k;
                best = rules->section_categories[i].label;
                break;
            }
        }
    }
    return best;
}

static size_t heading_end(const char *s, size_t from, size_t line_end)
{
    for (size_t i = from; i + 3 <= line_end; i++) {
        if (memcmp(s + i, "。", 3) == 0) {
            return i;
        }
    }
    return line_end;
}

static int push_section(struct outline *o, size_t *cap, const struct section *s)
{
    struct section *grown = rf_vec_reserve(o->items, cap, o->cnt, 1, sizeof(*grown));
    if (!grown) {
        return -1;
    }
    o->items = grown;
    o->items[o->cnt++] = *s;
    return 0;
}

/* Give each section its path, its category and the end of its span. */
static void link_sections(struct outline *o, size_t text_end)
{
    int counters[4] = {0, 0, 0, 0};
    const char *category = "other";
    for (size_t i = 0; i < o->cnt; i++) {
        struct section *s = &o->items[i];
        counters[s->level]++;
        for (int l = s->level + 1; l <= 3; l++) {
            counters[l] = 0;
        }
        if (s->level == 1) {
            category = s->category;
            snprintf(s->path, sizeof(s->path), "%d", counters[1]);
        } else if (s->level == 2) {
            snprintf(s->path, sizeof(s->path), "%d.%d", counters[1], counters[2]);
        } else {
            snprintf(s->path, sizeof(s->path), "%d.%d.%d", counters[1], counters[2], counters[3]);
        }
        if (s->level > 1) {
            s->category = category;
        }
        s->end = text_end;
        for (size_t k = i + 1; k < o->cnt; k++) {
            if (o->items[k].level <= s->level) {
                s->end = o->items[k].start;
                break;
            }
        }
    }
}

int outline_build(const struct text *t, const struct rules *rules, struct budget *budget,
                  struct outline *out)
{
    memset(out, 0, sizeof(*out));
    size_t cap = 0;
    const char *s = t->norm;
    size_t pos = 0;
    while (pos < t->norm_len) {
        if (budget_spent(budget)) {
            outline_release(out);
            return -1;
        }
        const char *nl = memchr(s + pos, '\n', t->norm_len - pos);
        size_t line_end = nl ? (size_t)(nl - s) : t->norm_len;
        size_t p = pos;
        while (p < line_end && s[p] == ' ') {
            p++;
        }
        struct section sec;
        size_t marker_len = 0;
        memset(&sec, 0, sizeof(sec));
        sec.level =
            heading_marker(s + p, line_end - p, &marker_len, sec.number, sizeof(sec.number));
        if (sec.level > 0) {
            sec.start = pos;
            sec.heading_start = p + marker_len;
            sec.heading_end = heading_end(s, sec.heading_start, line_end);
            sec.category =
                categorise(rules, s + sec.heading_start, sec.heading_end - sec.heading_start);
            if (push_section(out, &cap, &sec) != 0) {
                outline_release(out);
                return -1;
            }
        }
        pos = line_end + 1;
    }
    link_sections(out, t->norm_len);
    return 0;
}

void outline_release(struct outline *o)
{
    free(o->items);
    o->items = NULL;
    o->cnt = 0;
}

/*
 * The last section starting at or before @p at is the deepest one holding it:
 * a section ends where the next one of its level or higher starts, so every
 * earlier section still open is one of its ancestors.
 */
const struct section *outline_find(const struct outline *o, size_t at)
{
    size_t lo = 0, hi = o->cnt;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (o->items[mid].start <= at) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    if (lo == 0) {
        return NULL;
    }
    const struct section *s = &o->items[lo - 1];
    return at < s->end ? s : NULL;
}
