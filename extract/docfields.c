/* docfields.c - title, year, publication date and document number; the agency from agency.c. */
#define _GNU_SOURCE /* memmem */
#include "docfields.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agency.h"
#include "docscan.h"
#include "reportflow/buf.h"

#define TAIL_LINES 12 /* the signature date lives at the end */
/* a page's metadata line names its labels early (发布日期, 文号): further on, a long head line
   is a paragraph, and searching all of it for every label cost a crafted one-line report
   a pass per label */
#define LABEL_SEARCH_BYTES 300

/* ---- title, year, dates, document number ---- */

static bool any_contained(const struct name_pair *words, size_t cnt, const char *s, size_t len)
{
    for (size_t k = 0; k < cnt; k++) {
        if (docscan_contains(s, len, words[k].word)) {
            return true;
        }
    }
    return false;
}

static bool any_ending(const struct name_pair *words, size_t cnt, const char *s, size_t len)
{
    for (size_t k = 0; k < cnt; k++) {
        if (docscan_ends_with(s, len, words[k].word)) {
            return true;
        }
    }
    return false;
}

static bool is_title_line(const struct rules *rules, const char *s, size_t len)
{
    return len < 200 && any_ending(rules->title_endings, rules->title_ending_cnt, s, len) &&
           any_contained(rules->title_words, rules->title_word_cnt, s, len);
}

static bool line_is_agency(const struct rules *rules, const char *s, size_t len)
{
    if (len > 60) {
        return false;
    }
    for (size_t k = 0; k < rules->agency_suffix_cnt; k++) {
        if (docscan_ends_with(s, len, rules->agency_suffixes[k].word)) {
            return true;
        }
    }
    return false;
}

/* The title as written (orig text) from norm byte range [a, b). */
static char *orig_range(const struct text *t, size_t a, size_t b)
{
    return text_orig_dup(t, text_char_at(t, a), text_char_at(t, b));
}

/* Finds the title; @returns the index of its (last) line in @p ls, or -1. */
static int find_title(const struct text *t, const struct rules *rules,
                      const struct docscan_lines *ls, struct docfields *out)
{
    for (size_t i = 0; i < ls->cnt && i < DOCSCAN_HEAD_LINES; i++) {
        size_t a = ls->items[i].start, b = ls->items[i].end;
        for (size_t k = 0; k < rules->title_label_cnt; k++) {
            const char *label = rules->title_labels[k].word;
            size_t ll = strlen(label);
            if (b - a > ll && memcmp(t->norm + a, label, ll) == 0) {
                a += ll;
                while (a < b && (t->norm[a] == ':' || t->norm[a] == ' ')) {
                    a++;
                }
            }
        }
        if (!is_title_line(rules, t->norm + a, b - a)) {
            continue;
        }
        bool starts_with_year = t->norm[a] >= '0' && t->norm[a] <= '9';
        if (starts_with_year && i > 0 &&
            line_is_agency(rules, t->norm + ls->items[i - 1].start,
                           ls->items[i - 1].end - ls->items[i - 1].start)) {
            /* "西安市应急管理局" on one line, "2023年度...报告" on the next */
            char *agency = orig_range(t, ls->items[i - 1].start, ls->items[i - 1].end);
            char *rest = orig_range(t, a, b);
            struct rf_buf joined = RF_BUF_INIT;
            if (agency && rest) {
                rf_buf_append_str(&joined, agency);
                rf_buf_append_str(&joined, rest);
                out->title = rf_buf_detach(&joined);
            }
            free(agency);
            free(rest);
        } else {
            out->title = orig_range(t, a, b);
        }
        return (int)i;
    }
    return -1;
}

static int year_value(const char *s)
{
    return (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
}

/*
 * First "(19|20)dd年" in [a, b), or 0. With @p bare, also a year with no 年
 * (a title's "2022工作总结").
 */
static int first_year(const char *s, size_t a, size_t b, bool bare)
{
    int cited = 0; /* inside 《》: a cited title's year is not the report's */
    for (size_t i = a; i + 4 <= b; i++) {
        if (i + 3 <= b && memcmp(s + i, "《", 3) == 0) {
            cited++;
        } else if (i + 3 <= b && memcmp(s + i, "》", 3) == 0 && cited > 0) {
            cited--;
        }
        if (cited > 0 || !docscan_year_at(s, a, i)) {
            continue;
        }
        /* 2023年, and 2023 年 where a converted page put a space before it */
        if ((i + 7 <= b && memcmp(s + i + 4, "年", 3) == 0) ||
            (i + 8 <= b && s[i + 4] == ' ' && memcmp(s + i + 5, "年", 3) == 0)) {
            return year_value(s + i);
        }
        if (bare && (i + 4 == b || s[i + 4] < '0' || s[i + 4] > '9')) {
            return year_value(s + i);
        }
    }
    return 0;
}

/*
 * The year in the title line (read in norm text: digits may be full-width),
 * else the first in the text, else the publication date's year (a news item
 * on the current year names none).
 */
static void find_year(const struct text *t, const struct docscan_lines *ls, int title_line,
                      struct docfields *out)
{
    if (title_line >= 0) {
        out->year =
            first_year(t->norm, ls->items[title_line].start, ls->items[title_line].end, true);
    }
    if (!out->year) {
        size_t limit = t->norm_len < 3000 ? t->norm_len : 3000;
        out->year = first_year(t->norm, 0, limit, false);
    }
    if (!out->year && out->published[0]) {
        out->year = year_value(out->published);
    }
}

static bool is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

bool docfields_valid_date(int y, int m, int d)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1949 || y > 2100 || m < 1 || m > 12 || d < 1) {
        return false;
    }
    return d <= days[m - 1] + (m == 2 && is_leap(y));
}

/*
 * Parse "2024年12月19日", "2024-12-19", "2024.12.19" or "19.12.2024" (news
 * pages) at s[0..len) into YYYY-MM-DD. A date that is not on the calendar
 * (2024-06-31) is refused with a warning: stored, PostgreSQL would reject the
 * whole report.
 */
static bool parse_date(const char *s, size_t len, char out[11], struct docfields *f)
{
    int y = 0, m = 0, d = 0;
    char buf[64];
    if (len >= sizeof(buf)) {
        return false;
    }
    memcpy(buf, s, len);
    buf[len] = '\0';
    if (sscanf(buf, "%4d年%2d月%2d日", &y, &m, &d) != 3 &&
        sscanf(buf, "%4d-%2d-%2d", &y, &m, &d) != 3 &&
        !(sscanf(buf, "%4d.%2d.%2d", &y, &m, &d) == 3 && y >= 1000) &&
        !(sscanf(buf, "%2d.%2d.%4d", &d, &m, &y) == 3 && y >= 1000)) {
        return false;
    }
    if (!docfields_valid_date(y, m, d)) {
        if (!f->warning[0]) {
            snprintf(f->warning, sizeof(f->warning),
                     "published date %04d-%02d-%02d is not a calendar date; dropped", y, m, d);
        }
        return false;
    }
    /* in range already; the unsigned remainders let the compiler see the 10 bytes fit */
    snprintf(out, 11, "%04u-%02u-%02u", (unsigned)y % 10000u, (unsigned)m % 100u,
             (unsigned)d % 100u);
    return true;
}

/* After @p label in the line [s, s+len): a date. */
static bool date_after_label(const char *s, size_t len, const char *label, struct docfields *out)
{
    size_t ll = strlen(label);
    size_t searched = len < LABEL_SEARCH_BYTES + ll ? len : LABEL_SEARCH_BYTES + ll;
    const char *hit = memmem(s, searched, label, ll);
    if (!hit) {
        return false;
    }
    hit += strlen(label);
    /* 发布日期: X, and a portal's table row [ 成文日期 ] | X | */
    while (hit < s + len && (*hit == ' ' || *hit == ':' || *hit == '|' || *hit == ']')) {
        hit++;
    }
    size_t rest = len - (size_t)(hit - s);
    return parse_date(hit, rest < 20 ? rest : 20, out->published, out);
}

/* Past a bullet (•, ·) and spaces at the start of [@p s, @p s + @p len). */
static const char *past_bullet(const char *s, size_t len)
{
    const char *p = s, *end = s + len;
    for (;;) {
        if (p < end && *p == ' ') {
            p++;
        } else if (end - p >= 3 && (memcmp(p, "•", 3) == 0 || memcmp(p, "·", 2) == 0)) {
            p += memcmp(p, "•", 3) == 0 ? 3 : 2;
        } else {
            return p;
        }
    }
}

/*
 * A head line that starts with a date and its time of day, as a page's byline prints the
 * moment it was published: "2022-01-26 16:15  来源: ...", "• 2023年03月30日 09时24分".
 */
static bool timestamp_line(const char *s, size_t len, struct docfields *out)
{
    const char *p = past_bullet(s, len), *end = s + len;
    if (p >= end || *p < '1' || *p > '2') {
        return false;
    }
    const char *day = memmem(p, (size_t)(end - p) < 20 ? (size_t)(end - p) : 20, "日", 3);
    const char *after = day ? day + 3 : p + 10; /* 2023年03月30日, or 2022-01-26 */
    if (after > end) {
        return false;
    }
    while (after < end && *after == ' ') {
        after++;
    }
    bool time = end - after >= 3 && after[0] >= '0' && after[0] <= '9' && after[1] >= '0' &&
                after[1] <= '9' &&
                (after[2] == ':' || (end - after >= 5 && !memcmp(after + 2, "时", 3)));
    return time && parse_date(p, (size_t)(after - p), out->published, out);
}

/* A line of the page head that is only a date ("2021-10-30"), as news pages print it. */
static bool is_date_line(const char *s, size_t len)
{
    return len >= 8 && len <= 20 && s[0] >= '1' && s[0] <= '2' &&
           (docscan_ends_with(s, len, "日") || (s[len - 1] >= '0' && s[len - 1] <= '9'));
}

/* Which labels may stand in each head line's searched bytes, bit k for label k (bit 63 for all
   from the 64th): one wordscan pass per line finds both lists'. A memmem() per label and line
   (14 date labels by 30 lines by up to 300 bytes) was 2% of an extraction. A label wordscan
   cannot find (its first character not of three bytes) is always tried. */
struct head_labels {
    uint64_t date[DOCSCAN_HEAD_LINES], number[DOCSCAN_HEAD_LINES];
};

/* The rule set's part of it, made once: the scan, the labels always tried, how far a line
   is read (LABEL_SEARCH_BYTES past its start, plus the longest label). */
struct head_label_index {
    struct wordscan *scan; /* date_labels (list 0), doc_number_labels (list 1) */
    uint64_t always_date, always_number;
    size_t reach;
};

static uint64_t label_bit(size_t k)
{
    return 1ull << (k < 63 ? k : 63);
}

/* Labels the scan cannot find, or cannot tell apart by their bit; the longest one's length
   into *@p longest. */
static uint64_t labels_always_tried(const struct name_pair *words, size_t cnt, size_t *longest)
{
    uint64_t bits = 0;
    for (size_t k = 0; k < cnt; k++) {
        if (k >= 63 || !text_three_byte_cp(words[k].word, words[k].len)) {
            bits |= label_bit(k);
        }
        *longest = words[k].len > *longest ? words[k].len : *longest;
    }
    return bits;
}

int docfields_labels_index(struct rules *r, const char *path, char *errstr, size_t errstr_size)
{
    const struct name_pair *const lists[] = {r->date_labels, r->doc_number_labels};
    const size_t counts[] = {r->date_label_cnt, r->doc_number_label_cnt};
    struct head_label_index *x = calloc(1, sizeof(*x));
    r->head_labels = x;
    if (!x || !(x->scan = wordscan_new(lists, counts, 2))) {
        snprintf(errstr, errstr_size, "%s: out of memory", path);
        return -1;
    }
    size_t longest = 0;
    x->always_date = labels_always_tried(r->date_labels, r->date_label_cnt, &longest);
    x->always_number = labels_always_tried(r->doc_number_labels, r->doc_number_label_cnt, &longest);
    x->reach = LABEL_SEARCH_BYTES + longest;
    return 0;
}

void docfields_labels_release(struct rules *r)
{
    if (r->head_labels) {
        wordscan_free(r->head_labels->scan);
        free(r->head_labels);
        r->head_labels = NULL;
    }
}

static void find_head_labels(const struct text *t, const struct rules *rules,
                             const struct docscan_lines *ls, struct head_labels *out)
{
    const struct head_label_index *x = rules->head_labels;
    for (size_t i = 0; i < ls->cnt && i < DOCSCAN_HEAD_LINES; i++) {
        size_t a = ls->items[i].start, b = ls->items[i].end, at;
        size_t end = b - a < x->reach ? b : a + x->reach; /* the bytes the labels' memmem() reads */
        out->date[i] = x->always_date;
        out->number[i] = x->always_number;
        struct wordscan_cursor c = wordscan_from(a);
        for (const struct wordscan_word *w; (w = wordscan_next(x->scan, t->norm, end, &c, &at));) {
            if (w->list == 0) {
                out->date[i] |= label_bit((size_t)(w->pair - rules->date_labels));
            } else {
                out->number[i] |= label_bit((size_t)(w->pair - rules->doc_number_labels));
            }
        }
    }
}

/*
 * The publication date: after a date label of the page head, the labels in
 * the rule set's order (发布日期 before 成文日期); else a head line that is
 * only a date, or starts with a date and a time of day; else the signature
 * date near the end.
 */
static void find_published(const struct text *t, const struct rules *rules,
                           const struct docscan_lines *ls, const struct head_labels *labels,
                           struct docfields *out)
{
    size_t head = ls->cnt < DOCSCAN_HEAD_LINES ? ls->cnt : DOCSCAN_HEAD_LINES;
    for (size_t k = 0; k < rules->date_label_cnt; k++) {
        for (size_t i = 0; i < head; i++) {
            if (!(labels->date[i] & label_bit(k))) {
                continue;
            }
            const char *s = t->norm + ls->items[i].start;
            size_t len = ls->items[i].end - ls->items[i].start;
            if (date_after_label(s, len, rules->date_labels[k].word, out)) {
                return;
            }
        }
    }
    for (size_t i = 0; i < head; i++) {
        const char *s = t->norm + ls->items[i].start;
        size_t len = ls->items[i].end - ls->items[i].start;
        /* (2024年1月31日) under a title, as a date line in parentheses */
        bool parens = len > 2 && s[0] == '(' && s[len - 1] == ')';
        const char *in = parens ? s + 1 : s;
        size_t in_len = parens ? len - 2 : len;
        if ((is_date_line(in, in_len) && parse_date(in, in_len, out->published, out)) ||
            timestamp_line(s, len, out)) {
            return;
        }
    }
    size_t from = ls->cnt > TAIL_LINES ? ls->cnt - TAIL_LINES : 0;
    for (size_t i = ls->cnt; i > from; i--) {
        const struct docscan_line *l = &ls->items[i - 1];
        size_t len = l->end - l->start;
        if (len <= 20 && docscan_ends_with(t->norm + l->start, len, "日") &&
            parse_date(t->norm + l->start, len, out->published, out)) {
            return;
        }
    }
}

/* 常应急〔2024〕33号: Han prefix, bracketed year, number, 号. */
static bool is_doc_number(const char *s, size_t len)
{
    size_t i = 0, han = 0;
    while (i + 3 <= len && (unsigned char)s[i] >= 0xe4 && memcmp(s + i, "〔", 3) != 0) {
        i += 3;
        han++;
    }
    if (han == 0 || han > 12) {
        return false;
    }
    /* 〔2024〕, [2024] and, as some bureaus print it, 【2024】 */
    size_t open = (i + 3 <= len && (memcmp(s + i, "〔", 3) == 0 || memcmp(s + i, "【", 3) == 0))
                      ? 3
                      : (i < len && s[i] == '[' ? 1 : 0);
    if (!open) {
        return false;
    }
    i += open;
    for (int k = 0; k < 4; k++, i++) {
        if (i >= len || s[i] < '0' || s[i] > '9') {
            return false;
        }
    }
    size_t close = (i + 3 <= len && (memcmp(s + i, "〕", 3) == 0 || memcmp(s + i, "】", 3) == 0))
                       ? 3
                       : (i < len && s[i] == ']' ? 1 : 0);
    if (!close) {
        return false;
    }
    i += close;
    size_t digits = 0;
    while (i < len && s[i] >= '0' && s[i] <= '9') {
        i++;
        digits++;
    }
    return digits > 0 && i + 3 == len && memcmp(s + i, "号", 3) == 0;
}

static void find_doc_number(const struct text *t, const struct rules *rules,
                            const struct docscan_lines *ls, const struct head_labels *labels,
                            struct docfields *out)
{
    for (size_t i = 0; i < ls->cnt && i < DOCSCAN_HEAD_LINES; i++) {
        size_t a = ls->items[i].start, b = ls->items[i].end;
        for (size_t k = 0; k < rules->doc_number_label_cnt; k++) {
            if (!(labels->number[i] & label_bit(k))) {
                continue;
            }
            const char *label = rules->doc_number_labels[k].word;
            size_t ll = strlen(label);
            size_t searched = b - a < LABEL_SEARCH_BYTES + ll ? b - a : LABEL_SEARCH_BYTES + ll;
            const char *hit = memmem(t->norm + a, searched, label, ll);
            if (hit) {
                size_t s = (size_t)(hit - t->norm) + strlen(label);
                /* 文号: X, and a portal's table row | 文 号 | X | */
                while (s < b && (t->norm[s] == ' ' || t->norm[s] == ':' || t->norm[s] == '|')) {
                    s++;
                }
                size_t e = s;
                while (e < b && t->norm[e] != ' ') {
                    e++;
                }
                if (is_doc_number(t->norm + s, e - s)) {
                    out->doc_number = strndup(t->norm + s, e - s);
                    return;
                }
            }
        }
        if (is_doc_number(t->norm + a, b - a)) {
            out->doc_number = strndup(t->norm + a, b - a);
            return;
        }
        /* (市应急发〔2021〕98号)西安市应急管理局…关于印发…的通知 */
        const char *close = b - a > 2 && t->norm[a] == '(' ? memchr(t->norm + a, ')', b - a) : NULL;
        if (close && is_doc_number(t->norm + a + 1, (size_t)(close - t->norm) - a - 1)) {
            out->doc_number = strndup(t->norm + a + 1, (size_t)(close - t->norm) - a - 1);
            return;
        }
    }
}

int docfields_extract(const struct text *t, const struct rules *rules, struct budget *budget,
                      struct docfields *out)
{
    memset(out, 0, sizeof(*out));
    struct docscan_lines ls = {NULL, 0};
    if (docscan_lines_split(t, &ls) != 0) {
        docscan_lines_release(&ls);
        return -1;
    }
    int title_line = find_title(t, rules, &ls, out);
    struct agency_result agency;
    if (agency_find(t, rules, &ls, out->title, budget, &agency) != 0 || budget_spent(budget)) {
        agency_release(&agency);
        docscan_lines_release(&ls);
        docfields_release(out);
        return -1;
    }
    out->agency = agency.agency; /* ownership moves to out */
    out->region = agency.region;
    out->level = agency.level;
    memcpy(out->region_code, agency.region_code, sizeof(out->region_code));
    struct head_labels labels;
    find_head_labels(t, rules, &ls, &labels);
    find_published(t, rules, &ls, &labels, out);
    find_year(t, &ls, title_line, out);
    find_doc_number(t, rules, &ls, &labels, out);
    docscan_lines_release(&ls);
    return 0;
}

void docfields_release(struct docfields *d)
{
    free(d->agency);
    free(d->region);
    free(d->title);
    free(d->doc_number);
    memset(d, 0, sizeof(*d));
}
