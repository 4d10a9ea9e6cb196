/* docfields.c - agency, region, level, year, title, publication date and document number. */
#define _GNU_SOURCE /* memmem */
#include "docfields.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reportflow/buf.h"

#define HEAD_LINES 30   /* title and document number live in the page head */
#define TAIL_LINES 12   /* the signature date lives at the end */

struct line {
    size_t start, end; /* norm byte range, leading and trailing spaces trimmed */
};

struct lines {
    struct line *items;
    size_t cnt;
};

static int split_lines(const struct text *t, struct lines *out)
{
    size_t cap = 64;
    out->cnt = 0;
    out->items = malloc(cap * sizeof(*out->items));
    if (!out->items) {
        return -1;
    }
    size_t pos = 0;
    const char *s = t->norm;
    while (pos <= t->norm_len) {
        const char *nl = memchr(s + pos, '\n', t->norm_len - pos);
        size_t end = nl ? (size_t)(nl - s) : t->norm_len;
        size_t a = pos, b = end;
        while (a < b && s[a] == ' ') {
            a++;
        }
        while (b > a && s[b - 1] == ' ') {
            b--;
        }
        if (b > a) {
            if (out->cnt == cap) {
                cap *= 2;
                struct line *grown = realloc(out->items, cap * sizeof(*grown));
                if (!grown) {
                    return -1;
                }
                out->items = grown;
            }
            out->items[out->cnt++] = (struct line){a, b};
        }
        if (!nl) {
            break;
        }
        pos = end + 1;
    }
    return 0;
}

static bool contains(const char *s, size_t len, const char *word)
{
    return memmem(s, len, word, strlen(word)) != NULL;
}

static bool ends_with(const char *s, size_t len, const char *word)
{
    size_t wl = strlen(word);
    return len >= wl && memcmp(s + len - wl, word, wl) == 0;
}

static bool is_han(uint32_t cp)
{
    return cp >= 0x4e00 && cp <= 0x9fff;
}

/* Characters that end a place name when walking back from 应急管理局. */
static bool is_stop_char(uint32_t cp)
{
    static const char stops[] = "的在和与及对向是了为由经据将把被从同于给按至以其暨并等各全本我该此"
                                "召开组织参加联合会同协助配合指导督促年度月日号实施";
    if (cp < 0x800 || cp > 0xffff) {
        return false;
    }
    char u[3] = {(char)(0xe0 | (cp >> 12)), (char)(0x80 | ((cp >> 6) & 0x3f)),
                 (char)(0x80 | (cp & 0x3f))};
    /* a lead byte never matches inside another character, so a byte search is exact */
    return memmem(stops, sizeof(stops) - 1, u, 3) != NULL;
}

/* ---- agency and region ---- */

struct agency_candidate {
    char name[128];    /* 福田区应急管理局 */
    char region[96];   /* 深圳市福田区 */
    const char *level; /* district */
    size_t name_chars; /* characters in the place name before the admin suffix */
    int count;         /* occurrences */
    size_t first;      /* first norm offset */
};

/* Match an admin suffix (省, 市, 区, ...) at @p s; @returns its length and level. */
static size_t admin_suffix_at(const struct rules *rules, const char *s, size_t len,
                              const char **level)
{
    size_t best = 0;
    for (size_t i = 0; i < rules->admin_level_cnt; i++) {
        size_t wl = strlen(rules->admin_levels[i].word);
        if (wl > best && wl <= len && memcmp(s, rules->admin_levels[i].word, wl) == 0) {
            best = wl;
            *level = rules->admin_levels[i].label;
        }
    }
    return best;
}

/*
 * Split the place run before an agency suffix into admin components
 * (深圳市|福田区). Fills the candidate from the last named component.
 * @returns false when no component has a name (区应急管理局).
 */
static bool parse_place(const struct rules *rules, const char *run, size_t len, const char *suffix,
                        struct agency_candidate *c)
{
    size_t comp_start = 0, last_start = 0, last_end = 0, chars = 0, last_chars = 0;
    const char *level = NULL, *last_level = NULL;
    size_t i = 0;
    while (i < len) {
        /* a place name has two characters or more before its suffix (常州市 is one
           component, not 常州 + 市), except a last one-character county: 沛县 */
        size_t sl = chars >= 1 ? admin_suffix_at(rules, run + i, len - i, &level) : 0;
        if (sl > 0 && chars < 2 && !(i + sl == len && level && strcmp(level, "county") == 0)) {
            sl = 0;
        }
        if (sl > 0) {
            last_start = comp_start;
            last_end = i + sl;
            last_chars = chars;
            last_level = level;
            comp_start = i + sl;
            chars = 0;
            i += sl;
            continue;
        }
        i += 3;
        chars++;
    }
    if (last_end == 0 || last_end != len) {
        return false; /* the run must end with an admin suffix right before the agency word */
    }
    size_t region_start = 0;
    /* the region keeps every named component; a leading unnamed one cannot occur */
    snprintf(c->region, sizeof(c->region), "%.*s", (int)(last_end - region_start),
             run + region_start);
    snprintf(c->name, sizeof(c->name), "%.*s%s", (int)(last_end - last_start), run + last_start,
             suffix);
    c->level = last_level;
    c->name_chars = last_chars;
    return true;
}

static void add_candidate(struct agency_candidate *cands, size_t *cnt, size_t max,
                          const struct agency_candidate *c)
{
    for (size_t i = 0; i < *cnt; i++) {
        if (strcmp(cands[i].name, c->name) == 0) {
            cands[i].count++;
            if (strlen(c->region) > strlen(cands[i].region)) {
                snprintf(cands[i].region, sizeof(cands[i].region), "%s", c->region);
            }
            return;
        }
    }
    if (*cnt < max) {
        cands[*cnt] = *c;
        cands[*cnt].count = 1;
        (*cnt)++;
    }
}

/* Walk back from @p at over Han characters that can belong to a place name. */
static size_t place_run_start(const struct text *t, size_t at)
{
    size_t c = text_char_at(t, at);
    size_t taken = 0;
    while (c > 0 && taken < 16) {
        size_t n;
        uint32_t cp = text_codepoint(t->norm, t->norm_off[c - 1], &n);
        if (!is_han(cp) || is_stop_char(cp)) {
            break;
        }
        c--;
        taken++;
    }
    return t->norm_off[c];
}

static void find_agency(const struct text *t, const struct rules *rules, struct docfields *out)
{
    struct agency_candidate cands[32];
    size_t cnt = 0;
    for (size_t k = 0; k < rules->agency_suffix_cnt; k++) {
        const char *suffix = rules->agency_suffixes[k].word;
        const char *p = t->norm;
        while ((p = strstr(p, suffix)) != NULL) {
            size_t at = (size_t)(p - t->norm);
            size_t run = place_run_start(t, at);
            struct agency_candidate c;
            memset(&c, 0, sizeof(c));
            /* try every start inside the run: the shortest full name wins later */
            for (size_t s = run; s < at; s += 3) {
                if (parse_place(rules, t->norm + s, at - s, suffix, &c) &&
                    (c.name_chars >= 2 || strcmp(c.level, "county") == 0)) {
                    c.first = at;
                    add_candidate(cands, &cnt, 32, &c);
                    break;
                }
            }
            p += strlen(suffix);
        }
    }
    /* a name in the title wins; then the most frequent; then the shortest */
    const struct agency_candidate *best = NULL;
    for (size_t i = 0; i < cnt; i++) {
        const struct agency_candidate *c = &cands[i];
        bool in_title = out->title && strstr(out->title, c->name);
        bool best_in_title = best && out->title && strstr(out->title, best->name);
        if (!best || (in_title && !best_in_title) ||
            (in_title == best_in_title &&
             (c->count > best->count ||
              (c->count == best->count && strlen(c->name) < strlen(best->name))))) {
            best = c;
        }
    }
    if (!best) {
        return;
    }
    out->agency = strdup(best->name);
    out->level = best->level;
    /* the fullest region that ends with the agency's own place (深圳市福田区) */
    const char *region = best->region;
    size_t place_len = strlen(best->name);
    for (size_t k = 0; k < rules->agency_suffix_cnt; k++) {
        if (ends_with(best->name, strlen(best->name), rules->agency_suffixes[k].word)) {
            place_len = strlen(best->name) - strlen(rules->agency_suffixes[k].word);
            break;
        }
    }
    for (size_t i = 0; i < cnt; i++) {
        size_t rl = strlen(cands[i].region);
        if (rl > strlen(region) && rl >= place_len &&
            memcmp(cands[i].region + rl - place_len, best->name, place_len) == 0) {
            region = cands[i].region;
        }
    }
    out->region = strdup(region);
}

/* ---- title, year, dates, document number ---- */

static const char *const title_labels[] = {"信息名称:", "标题:", "内容概述:", "名称:"};

static bool is_title_line(const char *s, size_t len)
{
    return len < 200 && ends_with(s, len, "报告") &&
           (contains(s, len, "法治") || contains(s, len, "依法行政") || contains(s, len, "工作"));
}

static bool line_is_agency(const struct rules *rules, const char *s, size_t len)
{
    if (len > 60) {
        return false;
    }
    for (size_t k = 0; k < rules->agency_suffix_cnt; k++) {
        if (ends_with(s, len, rules->agency_suffixes[k].word)) {
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
static int find_title(const struct text *t, const struct rules *rules, const struct lines *ls,
                      struct docfields *out)
{
    for (size_t i = 0; i < ls->cnt && i < HEAD_LINES; i++) {
        size_t a = ls->items[i].start, b = ls->items[i].end;
        for (size_t k = 0; k < sizeof(title_labels) / sizeof(title_labels[0]); k++) {
            size_t ll = strlen(title_labels[k]);
            if (b - a > ll && memcmp(t->norm + a, title_labels[k], ll) == 0) {
                a += ll;
            }
        }
        if (!is_title_line(t->norm + a, b - a)) {
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

/* First "(19|20)dd年" in [a, b), or 0. */
static int first_year(const char *s, size_t a, size_t b)
{
    for (size_t i = a; i + 7 <= b; i++) {
        if ((s[i] == '1' && s[i + 1] == '9') || (s[i] == '2' && s[i + 1] == '0')) {
            bool digits = s[i + 2] >= '0' && s[i + 2] <= '9' && s[i + 3] >= '0' && s[i + 3] <= '9';
            bool before_ok = i == 0 || s[i - 1] < '0' || s[i - 1] > '9';
            if (digits && before_ok && memcmp(s + i + 4, "年", 3) == 0) {
                return (s[i] - '0') * 1000 + (s[i + 1] - '0') * 100 + (s[i + 2] - '0') * 10 +
                       (s[i + 3] - '0');
            }
        }
    }
    return 0;
}

/* The year in the title line (read in norm text: digits may be full-width), else the first. */
static void find_year(const struct text *t, const struct lines *ls, int title_line,
                      struct docfields *out)
{
    if (title_line >= 0) {
        out->year = first_year(t->norm, ls->items[title_line].start, ls->items[title_line].end);
    }
    if (!out->year) {
        size_t limit = t->norm_len < 3000 ? t->norm_len : 3000;
        out->year = first_year(t->norm, 0, limit);
    }
}

/* Parse "2024年12月19日" or "2024-12-19" at s[0..len) into YYYY-MM-DD. */
static bool parse_date(const char *s, size_t len, char out[11])
{
    int y = 0, m = 0, d = 0;
    char buf[64];
    if (len >= sizeof(buf)) {
        return false;
    }
    memcpy(buf, s, len);
    buf[len] = '\0';
    if (sscanf(buf, "%4d年%2d月%2d日", &y, &m, &d) == 3 || sscanf(buf, "%4d-%2d-%2d", &y, &m, &d) == 3) {
        if (y >= 1949 && y <= 2100 && m >= 1 && m <= 12 && d >= 1 && d <= 31) {
            snprintf(out, 11, "%04d-%02d-%02d", y, m, d);
            return true;
        }
    }
    return false;
}

static void find_published(const struct text *t, const struct lines *ls, struct docfields *out)
{
    static const char *const labels[] = {"成文日期:", "生成日期:", "发文日期:", "印发日期:",
                                         "发布日期:", "发布时间:"};
    for (size_t i = 0; i < ls->cnt && i < HEAD_LINES; i++) {
        const char *s = t->norm + ls->items[i].start;
        size_t len = ls->items[i].end - ls->items[i].start;
        for (size_t k = 0; k < sizeof(labels) / sizeof(labels[0]); k++) {
            const char *hit = memmem(s, len, labels[k], strlen(labels[k]));
            if (hit) {
                hit += strlen(labels[k]);
                while (*hit == ' ') {
                    hit++;
                }
                size_t rest = len - (size_t)(hit - s);
                if (parse_date(hit, rest < 20 ? rest : 20, out->published)) {
                    return;
                }
            }
        }
    }
    /* a signature line that is only a date, near the end */
    size_t from = ls->cnt > TAIL_LINES ? ls->cnt - TAIL_LINES : 0;
    for (size_t i = ls->cnt; i > from; i--) {
        const struct line *l = &ls->items[i - 1];
        size_t len = l->end - l->start;
        if (len <= 20 && ends_with(t->norm + l->start, len, "日") &&
            parse_date(t->norm + l->start, len, out->published)) {
            return;
        }
    }
}

/* 常应急〔2024〕33号: Han prefix, bracketed year, number, 号. */
static bool is_doc_number(const char *s, size_t len)
{
    size_t i = 0, han = 0;
    while (i + 3 <= len && (unsigned char)s[i] >= 0xe4 && memcmp(s + i, "〔", 3) != 0 &&
           memcmp(s + i, "[", 1) != 0) {
        i += 3;
        han++;
    }
    if (han == 0 || han > 12) {
        return false;
    }
    size_t open = (i + 3 <= len && memcmp(s + i, "〔", 3) == 0) ? 3 : (s[i] == '[' ? 1 : 0);
    if (!open) {
        return false;
    }
    i += open;
    for (int k = 0; k < 4; k++, i++) {
        if (i >= len || s[i] < '0' || s[i] > '9') {
            return false;
        }
    }
    size_t close = (i + 3 <= len && memcmp(s + i, "〕", 3) == 0) ? 3 : (s[i] == ']' ? 1 : 0);
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

static void find_doc_number(const struct text *t, const struct lines *ls, struct docfields *out)
{
    static const char *const labels[] = {"文件编号:", "发文字号:", "文号:"};
    for (size_t i = 0; i < ls->cnt && i < HEAD_LINES; i++) {
        size_t a = ls->items[i].start, b = ls->items[i].end;
        for (size_t k = 0; k < sizeof(labels) / sizeof(labels[0]); k++) {
            const char *hit = memmem(t->norm + a, b - a, labels[k], strlen(labels[k]));
            if (hit) {
                size_t s = (size_t)(hit - t->norm) + strlen(labels[k]);
                while (s < b && t->norm[s] == ' ') {
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
    }
}

int docfields_extract(const struct text *t, const struct rules *rules, struct docfields *out)
{
    memset(out, 0, sizeof(*out));
    struct lines ls = {NULL, 0};
    if (split_lines(t, &ls) != 0) {
        free(ls.items);
        return -1;
    }
    int title_line = find_title(t, rules, &ls, out);
    find_agency(t, rules, out);
    find_year(t, &ls, title_line, out);
    find_published(t, &ls, out);
    find_doc_number(t, &ls, out);
    free(ls.items);
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
