/* citations.c - every title in 《》. */
#include "citations.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "reportflow/buf.h"

char *citations_normalise(const char *title, size_t len, const char *prefix)
{
    struct rf_buf out = RF_BUF_INIT;
    size_t pl = prefix ? strlen(prefix) : 0;
    if (pl > 0 && len > pl && memcmp(title, prefix, pl) == 0) {
        title += pl;
        len -= pl;
    }
    for (size_t i = 0; i < len; i++) {
        if (title[i] != ' ') {
            rf_buf_append(&out, title + i, 1);
        }
    }
    return rf_buf_detach(&out);
}

/* Drop a trailing "(2021-2025年)" or "(试行)" before judging the ending. */
static size_t kind_stem_length(const char *s)
{
    size_t len = strlen(s);
    const char *open = strrchr(s, '(');
    if (open && open != s) {
        return (size_t)(open - s);
    }
    return len;
}

const char *citations_kind(const struct rules *rules, const char *normalised)
{
    size_t len = kind_stem_length(normalised);
    for (size_t i = 0; i < rules->citation_kind_cnt; i++) {
        const char *end = rules->citation_kinds[i].word;
        size_t el = strlen(end);
        if (len >= el && memcmp(normalised + len - el, end, el) == 0) {
            return rules->citation_kinds[i].label;
        }
    }
    return "other";
}

static json_t *citation_json(const struct text *t, const struct rules *rules,
                             const struct outline *outline, size_t open_end, size_t close_start)
{
    size_t c_from = text_char_at(t, open_end), c_to = text_char_at(t, close_start);
    char *title = text_orig_dup(t, c_from, c_to);
    char *normalised =
        citations_normalise(t->norm + open_end, close_start - open_end, rules->citation_prefix);
    const struct section *sec = outline_find(outline, open_end);
    json_t *obj = NULL;
    if (title && normalised) {
        obj = json_pack("{s:s, s:s, s:s, s:I, s:I, s:s?}", "title", title, "normalized", normalised,
                        "kind", citations_kind(rules, normalised), "start", (json_int_t)c_from - 1,
                        "end", (json_int_t)c_to + 1, "section", sec ? sec->path : NULL);
    }
    free(title);
    free(normalised);
    return obj;
}

/* Longest title kept, in bytes between the marks: longer is prose between stray marks. */
#define MAX_TITLE_BYTES 600

bool citations_next(const struct text *t, size_t from, size_t *start, size_t *end)
{
    static const char open[] = "《", close[] = "》";
    const char *s = t->norm, *stop = t->norm + t->norm_len;
    size_t open_end = 0; /* just past the last 《 not yet closed; 0: none */
    if (from >= t->norm_len) {
        return false;
    }
    /* both marks start with byte 0xe3: jump from one to the next */
    for (const char *p = memchr(s + from, 0xe3, t->norm_len - from); p && stop - p >= 3;
         p = memchr(p + 1, 0xe3, (size_t)(stop - p - 1))) {
        size_t i = (size_t)(p - s);
        if (memcmp(p, open, 3) == 0) {
            open_end = i + 3; /* a later 《 replaces an unclosed one */
        } else if (memcmp(p, close, 3) == 0 && open_end != 0) {
            if (i > open_end && i - open_end < MAX_TITLE_BYTES) {
                *start = open_end;
                *end = i;
                return true;
            }
            open_end = 0;
        }
    }
    return false;
}

json_t *citations_extract(const struct text *t, const struct rules *rules,
                          const struct outline *outline, struct budget *budget)
{
    json_t *arr = json_array();
    size_t from = 0, start, end;
    while (arr && citations_next(t, from, &start, &end)) {
        if (budget_spent(budget)) {
            json_decref(arr);
            return NULL;
        }
        json_t *obj = citation_json(t, rules, outline, start, end);
        if (!obj || json_array_append_new(arr, obj) != 0 || budget_charge(budget, end - start)) {
            json_decref(arr);
            return NULL;
        }
        from = end + 3; /* past the 》 */
    }
    return arr;
}
