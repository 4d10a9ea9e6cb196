/* quantity.c - numbers with a measure word. */
#define _GNU_SOURCE /* memmem */
#include "quantity.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "reportflow/vec.h"

const char *quantity_approx_name(enum approx a)
{
    switch (a) {
    case APPROX_AT_LEAST:
        return "at_least";
    case APPROX_ABOUT:
        return "about";
    default:
        return "exact";
    }
}

const char *quantity_role_name(enum quantity_role r)
{
    switch (r) {
    case ROLE_DURATION:
        return "duration";
    case ROLE_RATE:
        return "rate";
    case ROLE_BEFORE_CHANGE:
        return "before_change";
    case ROLE_INVENTORY:
        return "inventory";
    default:
        return "count";
    }
}

static bool starts_with(const char *s, size_t len, const char *prefix)
{
    size_t n = strlen(prefix);
    return len >= n && memcmp(s, prefix, n) == 0;
}

/* Value of the Chinese digit @p cp, or -1. Called on every character: a switch, not strings. */
static inline int digit_of(uint32_t cp)
{
    switch (cp) {
    case 0x96f6: /* 零 */
    case 0x3007: /* 〇 */
        return 0;
    case 0x4e00: /* 一 */
        return 1;
    case 0x4e8c: /* 二 */
    case 0x4e24: /* 两 */
        return 2;
    case 0x4e09: /* 三 */
        return 3;
    case 0x56db: /* 四 */
        return 4;
    case 0x4e94: /* 五 */
        return 5;
    case 0x516d: /* 六 */
        return 6;
    case 0x4e03: /* 七 */
        return 7;
    case 0x516b: /* 八 */
        return 8;
    case 0x4e5d: /* 九 */
        return 9;
    default:
        return -1;
    }
}

/* Multiplier of the character @p cp (十 百 千 万 亿), or 0. */
static inline double multiplier_of(uint32_t cp)
{
    switch (cp) {
    case 0x5341: /* 十 */
        return 10;
    case 0x767e: /* 百 */
        return 100;
    case 0x5343: /* 千 */
        return 1000;
    case 0x4e07: /* 万 */
        return 1e4;
    case 0x4ebf: /* 亿 */
        return 1e8;
    default:
        return 0;
    }
}

/* Value of a Chinese digit at @p s, or -1 (every numeral is three bytes). */
static int chinese_digit(const char *s, size_t len)
{
    return digit_of(text_three_byte_cp(s, len));
}

/* Multiplier character (十 百 千 万 亿) at @p s, or 0. */
static double chinese_multiplier(const char *s, size_t len)
{
    return multiplier_of(text_three_byte_cp(s, len));
}

/* The first of @p words that @p s starts with; @returns its length, or 0. */
static size_t word_at(const char *s, size_t len, const char *const *words, size_t cnt)
{
    if (len == 0) {
        return 0;
    }
    for (size_t i = 0; i < cnt; i++) {
        /* most words differ in their last byte of the first character: test the first
           three bytes before measuring the word (a word is never shorter than its NUL) */
        const char *w = words[i];
        if (w[0] != s[0] || (w[1] && (len < 2 || w[1] != s[1])) ||
            (w[1] && w[2] && (len < 3 || w[2] != s[2]))) {
            continue;
        }
        if (starts_with(s, len, w)) {
            return strlen(w);
        }
    }
    return 0;
}

/* A "more" word (余, 多) after a number: at least. @returns bytes consumed. */
static size_t parse_more(const char *s, size_t len, const struct quantity_vocab *v,
                         enum approx *approx)
{
    size_t n = word_at(s, len, v->more, v->more_cnt);
    if (n) {
        *approx = APPROX_AT_LEAST;
    }
    return n;
}

/* Arabic digits, commas between groups, one decimal point. */
static size_t parse_arabic(const char *s, size_t len, double *value)
{
    size_t i = 0;
    int64_t mantissa = 0;
    int scale = 0;
    bool decimals = false;
    bool overflow = false;
    while (i < len) {
        char c = s[i];
        if (c >= '0' && c <= '9') {
            if (mantissa > (INT64_MAX - 9) / 10) {
                overflow = true;
            } else {
                mantissa = mantissa * 10 + (c - '0');
                scale += decimals;
            }
            i++;
        } else if (c == ',' && !decimals && i + 3 < len + 1 && i > 0 && s[i + 1] >= '0' &&
                   s[i + 1] <= '9' && i + 3 <= len && s[i + 2] >= '0' && s[i + 2] <= '9' &&
                   s[i + 3] >= '0' && s[i + 3] <= '9' &&
                   !(i + 4 < len && s[i + 4] >= '0' && s[i + 4] <= '9')) {
            i++; /* thousands separator: exactly three digits follow */
        } else if (c == '.' && !decimals && i + 1 < len && s[i + 1] >= '0' && s[i + 1] <= '9') {
            decimals = true;
            i++;
        } else {
            break;
        }
    }
    if (overflow) {
        return 0;
    }
    *value = (double)mantissa / pow(10, scale);
    return i;
}

/* Chinese numerals: 十余, 两, 一百二十三, 近千's 千, 三万. */
static size_t parse_chinese(const char *s, size_t len, double *value)
{
    double total = 0, section = 0, digit = -1;
    size_t i = 0;
    while (i < len) {
        int d = chinese_digit(s + i, len - i);
        double m = d < 0 ? chinese_multiplier(s + i, len - i) : 0;
        if (d >= 0) {
            digit = d;
        } else if (m == 1e4 || m == 1e8) {
            total = (total + section + (digit > 0 ? digit : 0)) * m;
            if (total == 0) {
                total = m;
            }
            section = 0;
            digit = -1;
        } else if (m > 0) {
            section += (digit >= 0 ? digit : 1) * m;
            digit = -1;
        } else {
            break;
        }
        i += 3;
    }
    if (i == 0) {
        return 0;
    }
    *value = total + section + (digit > 0 ? digit : 0);
    return i;
}

/*
 * The longest number read, in bytes ("一百二十三万四千五百六十七" is 39). A cap
 * keeps the work per number constant: a megabyte of "1,111,111,..." was read
 * again from every separator.
 */
#define MAX_NUMBER_BYTES 48

size_t quantity_parse_number(const char *s, size_t len, const struct quantity_vocab *v,
                             double *value, enum approx *approx)
{
    *approx = APPROX_EXACT;
    *value = 0;
    if (len > MAX_NUMBER_BYTES + 16) {
        len = MAX_NUMBER_BYTES + 16; /* room for 余, 万 and 多 after the longest number */
    }
    size_t i;
    if (len > 0 && s[0] >= '0' && s[0] <= '9') {
        i = parse_arabic(s, len, value);
        if (i == 0) {
            return 0;
        }
        i += parse_more(s + i, len - i, v, approx);
        double m = chinese_multiplier(s + i, len - i);
        if (m >= 100) {
            *value *= m;
            i += 3;
            i += parse_more(s + i, len - i, v, approx);
        }
    } else {
        i = parse_chinese(s, len, value);
        if (i == 0) {
            return 0;
        }
        i += parse_more(s + i, len - i, v, approx);
    }
    if (i > MAX_NUMBER_BYTES) {
        return 0; /* a run of digits, not a count */
    }
    /* keep integers exact: 121.3076万 is 1213076, not 1213075.9999 */
    double rounded = round(*value * 1e6) / 1e6;
    *value = rounded;
    return i;
}

size_t quantity_parse_decimal(const char *s, size_t len, double *value)
{
    if (len > MAX_NUMBER_BYTES) {
        len = MAX_NUMBER_BYTES;
    }
    return len > 0 && s[0] >= '0' && s[0] <= '9' ? parse_arabic(s, len, value) : 0;
}

static bool is_ascii_alnum(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* True when one of @p words ends just before byte @p at of @p s. */
static bool word_ends_at(const char *s, size_t at, const char *const *words, size_t cnt)
{
    for (size_t i = 0; i < cnt; i++) {
        size_t n = strlen(words[i]);
        if (at >= n && memcmp(s + at - n, words[i], n) == 0) {
            return true;
        }
    }
    return false;
}

/* A qualifier ("before" word) just before the number. @returns its length, or 0. */
static size_t qualifier_before(const struct quantity_vocab *v, const char *norm, size_t num_start,
                               enum approx *approx)
{
    for (size_t i = 0; i < v->before_cnt; i++) {
        size_t n = strlen(v->before[i].word);
        if (num_start >= n && memcmp(norm + num_start - n, v->before[i].word, n) == 0) {
            *approx = v->before[i].approx;
            return n;
        }
    }
    return 0;
}

/* A qualifier ("after" word) just past the measure word. @returns its length, or 0. */
static size_t qualifier_after(const struct quantity_vocab *v, const char *s, size_t len,
                              enum approx *approx)
{
    for (size_t i = 0; i < v->after_cnt; i++) {
        if (starts_with(s, len, v->after[i].word)) {
            *approx = v->after[i].approx;
            return strlen(v->after[i].word);
        }
    }
    return 0;
}

static bool is_number_start_char(const char *s, size_t len)
{
    if (s[0] >= '0' && s[0] <= '9') {
        return true;
    }
    uint32_t cp = text_three_byte_cp(s, len); /* decoded once for both questions */
    return cp && (digit_of(cp) >= 0 || multiplier_of(cp) > 0);
}

/* Ordinals, names and codes that look like numbers: 第一, 1+70+20+N, GB-2024, 一是. */
static bool excluded_context(const char *norm, size_t len, size_t num_start, size_t num_end)
{
    /* 第3次, and 第 3 次 now that a figure may stand apart from its measure word */
    size_t before = num_start >= 1 && norm[num_start - 1] == ' ' ? num_start - 1 : num_start;
    if (before >= 3 && memcmp(norm + before - 3, "第", 3) == 0) {
        return true;
    }
    if (num_start >= 1) {
        char prev = norm[num_start - 1];
        if (prev == '+' || prev == '-' || prev == '/' || prev == '.' || is_ascii_alnum(prev)) {
            return true;
        }
    }
    if (num_end < len && (norm[num_end] == '+' || norm[num_end] == '-')) {
        return true;
    }
    return false;
}

static int list_push(struct quantity_list *l, const struct quantity *q)
{
    struct quantity *grown = rf_vec_reserve(l->items, &l->cap, l->cnt, 1, sizeof(*grown));
    if (!grown) {
        return -1;
    }
    l->items = grown;
    l->items[l->cnt++] = *q;
    return 0;
}

/*
 * True when one of @p v's names (sorted by bytes) starts at @p s: a binary search for the
 * names that share its first character, then those few tried in turn.
 */
static bool starts_with_name(const struct quantity_vocab *v, const char *s, size_t len)
{
    if (len < 3 || v->name_cnt == 0) {
        return false;
    }
    size_t lo = 0, hi = v->name_cnt;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (memcmp(v->names[mid], s, 3) < 0) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    for (size_t i = lo; i < v->name_cnt && memcmp(v->names[i], s, 3) == 0; i++) {
        if (starts_with(s, len, v->names[i])) {
            return true;
        }
    }
    return false;
}

/* A numeral that is part of a word, not a count: 统一部署, 进一步, 唯一, 逐一. */
static bool numeral_inside_word(const struct quantity_vocab *v, const char *s, size_t len, size_t i)
{
    if (s[i] >= '0' && s[i] <= '9') {
        return false;
    }
    if (word_ends_at(s, i, v->word_starts, v->word_start_cnt) ||
        starts_with_name(v, s + i, len - i)) {
        return true; /* 统一, or a place: 七台河 is no 七台 */
    }
    /* 百姓, 万家灯火, 千方百计: a bare 百/千/万 counts only after a round opener (近千人次) */
    if (chinese_digit(s + i, len - i) < 0 && !starts_with(s + i, len - i, "十")) {
        return !word_ends_at(s, i, v->round_openers, v->round_opener_cnt);
    }
    return false;
}

/* A number alone between two cell borders of a text table: "| 行政许可 | 44 |". */
static bool fills_table_cell(const char *s, size_t len, size_t num_start, size_t num_end)
{
    size_t a = num_start, b = num_end;
    while (a > 0 && s[a - 1] == ' ') {
        a--;
    }
    while (b < len && s[b] == ' ') {
        b++;
    }
    return a > 0 && s[a - 1] == '|' && b < len && s[b] == '|';
}

/*
 * How far back in its clause a rate word still qualifies a number: 每个执法组每月至少检查
 * is 10 characters. A bound keeps the work per number constant in a clause of any length.
 */
#define RATE_REACH_BYTES 60

/* A rate word (每, 人均) in the @p at bytes before @p at, with no total word (共) after it. */
static bool follows_rate_word(const struct quantity_vocab *v, const struct text *t,
                              size_t clause_start, size_t at)
{
    const char *s = t->norm;
    size_t from = at > clause_start + RATE_REACH_BYTES ? at - RATE_REACH_BYTES : clause_start;
    while (from < at && (s[from] & 0xC0) == 0x80) {
        from++; /* start on a character */
    }
    /* the last rate word, then whether a total word follows it: a few memmem calls over a
       short window rather than every list word tried at every character */
    size_t last_rate = (size_t)-1;
    for (size_t i = 0; i < v->rate_cnt; i++) {
        size_t n = strlen(v->rates[i]);
        const char *hit = s + from;
        while ((hit = memmem(hit, (size_t)(s + at - hit), v->rates[i], n)) != NULL) {
            size_t off = (size_t)(hit - s);
            if (last_rate == (size_t)-1 || off > last_rate) {
                last_rate = off;
            }
            hit += n;
        }
    }
    if (last_rate == (size_t)-1) {
        return false;
    }
    for (size_t i = 0; i < v->total_cnt; i++) {
        if (memmem(s + last_rate, at - last_rate, v->totals[i], strlen(v->totals[i]))) {
            return false;
        }
    }
    return true;
}

/* How far after a quantity a list word still names what it sizes: 212家检查企业清单. */
#define INVENTORY_REACH_BYTES 24

/*
 * True when the quantity ending at @p end sizes a list: an inventory word follows it in its
 * clause before another number (212家检查企业清单), or it stands inside parentheses opened
 * right after one (事项清单(行政强制、行政许可共188项)).
 */
static bool sizes_a_list(const struct quantity_vocab *v, const struct text *t,
                         const struct quantity *q, size_t end)
{
    const char *s = t->norm;
    size_t stop =
        end + INVENTORY_REACH_BYTES < q->clause_end ? end + INVENTORY_REACH_BYTES : q->clause_end;
    for (size_t j = end; j < stop; j++) {
        if ((s[j] >= '0' && s[j] <= '9') || s[j] == '(' || s[j] == ')') {
            stop = j; /* the next number or parenthesis has its own words */
        }
    }
    for (size_t i = 0; i < v->inventory_cnt && stop > end; i++) {
        if (memmem(s + end, stop - end, v->inventories[i], strlen(v->inventories[i]))) {
            return true;
        }
    }
    size_t from = q->start > q->clause_start + RATE_REACH_BYTES ? q->start - RATE_REACH_BYTES
                                                                : q->clause_start;
    for (size_t j = q->start; j > from; j--) {
        if (s[j - 1] == ')') {
            return false;
        }
        if (s[j - 1] == '(') {
            return word_ends_at(s, j - 1, v->inventories, v->inventory_cnt);
        }
    }
    return false;
}

/* What the quantity @p q, measure word read, stands for (see enum quantity_role). */
static enum quantity_role role_of(const struct quantity_vocab *v, const struct text *t,
                                  const struct quantity *q, size_t unit_start, size_t unit_end)
{
    const char *s = t->norm;
    size_t len = t->norm_len;
    if ((unit_end > unit_start && word_at(s + unit_start, len - unit_start, v->durations,
                                          v->duration_cnt) == unit_end - unit_start) ||
        word_at(s + unit_end, len - unit_end, v->durations, v->duration_cnt)) {
        return ROLE_DURATION; /* 2天, 10个工作日 */
    }
    if (word_ends_at(s, q->start, v->change_from, v->change_from_cnt)) {
        return ROLE_BEFORE_CHANGE;
    }
    if (follows_rate_word(v, t, q->clause_start, q->start)) {
        return ROLE_RATE;
    }
    if (sizes_a_list(v, t, q, unit_end)) {
        return ROLE_INVENTORY;
    }
    return ROLE_COUNT;
}

/* Try a quantity whose number starts at byte @p i. @returns its end, or 0. */
static size_t scan_one(const struct text *t, const struct quantity_vocab *v, size_t i,
                       struct quantity *q)
{
    const char *s = t->norm;
    size_t len = t->norm_len;
    memset(q, 0, sizeof(*q));
    size_t n = quantity_parse_number(s + i, len - i, v, &q->value, &q->approx);
    if (n == 0 || excluded_context(s, len, i, i + n) || numeral_inside_word(v, s, len, i)) {
        return 0;
    }
    size_t end = i + n;
    size_t unit_len = 0;
    if (end < len && s[end] == '%') {
        unit_len = 1;
    } else {
        unit_len = word_at(s + end, len - end, v->units, v->unit_cnt);
        /* "22 條": web pages and tables put one space between a figure and its measure word */
        if (unit_len == 0 && end + 1 < len && s[end] == ' ') {
            unit_len = word_at(s + end + 1, len - end - 1, v->units, v->unit_cnt);
            end += unit_len ? 1 : 0;
        }
    }
    if (unit_len >= sizeof(q->unit)) {
        return 0;
    }
    /* "受益人数超50万": a count in 万 or 亿 needs no measure word; a bare 2229 does,
       unless it fills a table cell, whose row and column say what it counts */
    if (unit_len == 0 &&
        !(n >= 3 && (memcmp(s + i + n - 3, "万", 3) == 0 || memcmp(s + i + n - 3, "亿", 3) == 0))) {
        if (!fills_table_cell(s, len, i, end)) {
            return 0;
        }
        q->cell = true;
    }
    memcpy(q->unit, s + end, unit_len);
    q->unit[unit_len] = '\0';
    size_t unit_start = end;
    end += unit_len;
    size_t unit_end = end;
    end += qualifier_after(v, s + end, len - end, &q->approx);
    enum approx before = APPROX_EXACT;
    size_t qual = qualifier_before(v, s, i, &before);
    if (qual && q->approx == APPROX_EXACT) {
        q->approx = before;
    }
    q->start = i - qual;
    q->num_start = i;
    q->end = end;
    text_clause(t, q->start, &q->clause_start, &q->clause_end);
    q->role = role_of(v, t, q, unit_start, unit_end);
    return end;
}

int quantity_find_all(const struct text *t, const struct quantity_vocab *v, struct budget *budget,
                      struct quantity_list *out)
{
    memset(out, 0, sizeof(*out));
    const char *s = t->norm;
    size_t len = t->norm_len;
    size_t i = 0;
    bool prev_numeric = false; /* a number may not start in the middle of another */
    for (unsigned steps = 0; i < len; steps++) {
        /* the budget every 64 characters: asked at each one, it cost more than the scan */
        if ((steps & 63) == 0 && budget_spent(budget)) {
            quantity_list_release(out);
            return -1;
        }
        unsigned char b = (unsigned char)s[i];
        size_t cl = b < 0x80 ? 1 : (b & 0xf0) == 0xe0 ? 3 : 0; /* ASCII and Han: no call */
        if (cl == 0) {
            text_codepoint(s, i, &cl);
        }
        bool numeric = is_number_start_char(s + i, len - i) || (s[i] == '.' && prev_numeric);
        if (numeric && !prev_numeric) {
            struct quantity q;
            size_t end = scan_one(t, v, i, &q);
            if (end > 0) {
                if (list_push(out, &q) != 0) {
                    quantity_list_release(out);
                    return -1;
                }
                i = end;
                prev_numeric = false;
                continue;
            }
        }
        prev_numeric = numeric;
        i += cl;
    }
    return 0;
}

void quantity_list_release(struct quantity_list *l)
{
    free(l->items);
    memset(l, 0, sizeof(*l));
}

const struct quantity *quantity_at(const struct quantity_list *l, size_t num_start)
{
    size_t lo = 0, hi = l->cnt;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (l->items[mid].num_start < num_start) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo < l->cnt && l->items[lo].num_start == num_start ? &l->items[lo] : NULL;
}
