/* place.c - Chinese place names made of administrative components. */
#define _GNU_SOURCE /* memmem */
#include "place.h"

#include "gazetteer.h"

#include <stdio.h>
#include <string.h>

#define MAX_NAME_CHARS                                                                             \
    6 /* 巴音郭楞蒙古自治州 is the long tail; a name longer than this is a phrase */
#define MAX_PLACES 16
#define MAX_RUN_CHARS 12 /* 广西壮族自治区南宁市: longer runs are phrases */

bool place_stop_char(const struct rules *rules, uint32_t cp)
{
    const char *stops = rules->place_stop_chars;
    if (!stops || cp < 0x800 || cp > 0xffff) {
        return false;
    }
    char u[3] = {(char)(0xe0 | (cp >> 12)), (char)(0x80 | ((cp >> 6) & 0x3f)),
                 (char)(0x80 | (cp & 0x3f))};
    /* the list holds three-byte characters only (rules.c checks), so a step of 3 is exact */
    for (const char *p = stops; p[0] && p[1] && p[2]; p += 3) {
        if (memcmp(p, u, 3) == 0) {
            return true;
        }
    }
    return false;
}

size_t place_suffix_at(const struct rules *rules, const char *s, size_t len, const char **level)
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

bool place_parse(const struct rules *rules, const char *run, size_t len, struct place *out)
{
    size_t comp_start = 0, chars = 0;
    const char *level = NULL;
    bool found = false;
    size_t i = 0;
    while (i < len) {
        size_t sl = chars >= 1 ? place_suffix_at(rules, run + i, len - i, &level) : 0;
        if (sl > 0 && chars < 2 && !(i + sl == len && level && strcmp(level, "county") == 0)) {
            sl = 0;
        }
        if (sl > 0) {
            out->last_start = comp_start;
            out->end = i + sl;
            out->last_chars = chars;
            out->level = level;
            found = true;
            comp_start = i + sl;
            chars = 0;
            i += sl;
            continue;
        }
        /* every character of a place name is a three-byte Han character */
        if (((unsigned char)run[i] & 0xf0) != 0xe0) {
            return false;
        }
        i += 3;
        chars++;
    }
    return found && out->end == len;
}

struct named {
    char name[64];
    int count;
};

static bool is_han_at(const struct rules *rules, const struct text *t, size_t c)
{
    size_t n;
    uint32_t cp = text_codepoint(t->norm, t->norm_off[c], &n);
    return cp >= 0x4e00 && cp <= 0x9fff && !place_stop_char(rules, cp);
}

/*
 * The named place of @p level that ends at char @p end_char: the run of place
 * characters before it parsed as a whole (广东省|深圳市, 秦皇岛市), last component.
 */
static bool place_ending_at(const struct rules *rules, const struct text *t, size_t end_char,
                            const char *level, char *out, size_t out_size)
{
    size_t end = t->norm_off[end_char];
    size_t run = end_char;
    while (run > 0 && end_char - run < MAX_RUN_CHARS && is_han_at(rules, t, run - 1)) {
        run--;
    }
    for (size_t c = run; c + 2 <= end_char; c++) {
        struct place p;
        size_t start = t->norm_off[c];
        /* with a gazetteer, only a known place (有青川市 is none; 青川县 is one) */
        if (rules->gazetteer &&
            !gazetteer_is_region(rules->gazetteer, t->norm + start, end - start)) {
            continue;
        }
        if (place_parse(rules, t->norm + start, end - start, &p)) {
            if (!p.level || strcmp(p.level, level) != 0 || p.last_chars < 2 ||
                p.last_chars > MAX_NAME_CHARS) {
                return false;
            }
            snprintf(out, out_size, "%.*s", (int)(p.end - p.last_start),
                     t->norm + start + p.last_start);
            return true;
        }
    }
    return false;
}

static void count_named(struct named *places, size_t *cnt, const char *name)
{
    for (size_t i = 0; i < *cnt; i++) {
        if (strcmp(places[i].name, name) == 0) {
            places[i].count++;
            return;
        }
    }
    if (*cnt < MAX_PLACES) {
        snprintf(places[*cnt].name, sizeof(places[*cnt].name), "%s", name);
        places[(*cnt)++].count = 1;
    }
}

bool place_find_named(const struct rules *rules, const struct text *t, size_t from, size_t to,
                      const char *level, char *out, size_t out_size)
{
    struct named places[MAX_PLACES];
    size_t cnt = 0;
    size_t first = text_char_at(t, from), last = text_char_at(t, to);
    for (size_t c = first + 2; c <= last && c < t->nchars; c++) {
        const char *lv = NULL;
        size_t at = t->norm_off[c];
        size_t sl = place_suffix_at(rules, t->norm + at, t->norm_len - at, &lv);
        if (sl == 0 || !lv || strcmp(lv, level) != 0) {
            continue;
        }
        char name[64];
        size_t end_char = text_char_at(t, at + sl);
        if (place_ending_at(rules, t, end_char, level, name, sizeof(name))) {
            count_named(places, &cnt, name);
        }
    }
    const struct named *best = NULL;
    for (size_t i = 0; i < cnt; i++) {
        if (!best || places[i].count > best->count) {
            best = &places[i];
        }
    }
    if (!best) {
        return false;
    }
    snprintf(out, out_size, "%s", best->name);
    return true;
}

void place_own_name(const struct rules *rules, const char *region, char *name)
{
    struct place p;
    size_t rl = strlen(region), nl = strlen(name);
    if (rl == 0 || nl <= rl || strncmp(name, region, rl) != 0 ||
        !place_parse(rules, region, rl, &p) || p.last_start == 0) {
        return;
    }
    memmove(name, name + p.last_start, nl - p.last_start + 1); /* only ever shorter */
}

bool place_completes(const struct rules *rules, const char *suffix, const char *other,
                     size_t other_len)
{
    const char *level = NULL, *other_level = NULL;
    size_t sl = place_suffix_at(rules, suffix, strlen(suffix), &level);
    size_t ol = place_suffix_at(rules, other, other_len, &other_level);
    return sl > 0 && ol == other_len && sl == strlen(suffix) && level && other_level &&
           strcmp(level, other_level) == 0 && (ol != sl || memcmp(suffix, other, sl) != 0);
}

bool place_completion_in(const struct rules *rules, const struct text *t, size_t from, size_t to,
                         const char *name, size_t name_len, char *out, size_t out_size)
{
    /* the name's own suffix is its last (three-byte) character */
    if (name_len < 6 || name_len % 3 != 0) {
        return false;
    }
    char own[4];
    memcpy(own, name + name_len - 3, 3);
    own[3] = '\0';
    to = to < t->norm_len ? to : t->norm_len;
    if (from >= to) {
        return false;
    }
    const char *p = t->norm + from, *end = t->norm + to;
    while ((p = memmem(p, (size_t)(end - p), name, name_len)) != NULL) {
        const char *after = p + name_len;
        const char *level = NULL;
        size_t sl = place_suffix_at(rules, after, (size_t)(end - after), &level);
        if (sl > 0 && place_completes(rules, own, after, sl) && sl < out_size) {
            memcpy(out, after, sl);
            out[sl] = '\0';
            return true;
        }
        p += name_len;
    }
    return false;
}
