/* citations.c - every title in 《》, with its kind. */
#include "citations.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jsonout.h"
#include "reportflow/buf.h"
#include "reportflow/vec.h"

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

/* One citation between norm bytes @p open_end and @p close_start, of kind other when @p other. */
static int citation_write(const struct text *t, const struct rules *rules,
                          const struct outline *outline, size_t open_end, size_t close_start,
                          bool other, struct jsonout *out)
{
    size_t c_from = text_char_at(t, open_end), c_to = text_char_at(t, close_start);
    char *title = text_orig_dup(t, c_from, c_to);
    char *normalised =
        citations_normalise(t->norm + open_end, close_start - open_end, rules->citation_prefix);
    const struct section *sec = outline_find(outline, open_end);
    if (title && normalised) {
        jsonout_object(out, NULL);
        jsonout_str(out, "title", title);
        jsonout_str(out, "normalized", normalised);
        jsonout_str(out, "kind", other ? "other" : citations_kind(rules, normalised));
        jsonout_int(out, "start", (long long)c_from - 1);
        jsonout_int(out, "end", (long long)c_to + 1);
        jsonout_str(out, "section", sec ? sec->path : NULL);
        jsonout_close_object(out);
    }
    bool ok = title && normalised;
    free(title);
    free(normalised);
    return ok ? 0 : -1;
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

/* True when norm byte @p i starts @p word (of @p len bytes). */
static bool norm_has_at(const struct text *t, size_t i, const char *word, size_t len)
{
    return len > 0 && i <= t->norm_len && t->norm_len - i >= len &&
           memcmp(t->norm + i, word, len) == 0;
}

static size_t skip_spaces(const struct text *t, size_t i)
{
    while (i < t->norm_len && t->norm[i] == ' ') {
        i++;
    }
    return i;
}

/*
 * The 《 of the next title of the same run as the title closed just before
 * norm byte @p after: 《A》《B》 or 《A》、《B》. @returns its byte, or SIZE_MAX
 * when the run ends at @p after.
 */
static size_t run_next_open(const struct text *t, size_t after)
{
    static const char open[] = "《", joiner[] = "、";
    size_t i = skip_spaces(t, after);
    if (norm_has_at(t, i, joiner, 3)) {
        i = skip_spaces(t, i + 3);
    }
    return norm_has_at(t, i, open, 3) ? i : SIZE_MAX;
}

/*
 * True when the words right after a run of titles, ended at norm byte
 * @p after, say the titles name a column, a programme or a book (《应急说法》栏目,
 * 《A》《B》等栏目): one of the rule set's citation_other_after, after an optional 等.
 */
static bool run_names_other(const struct text *t, const struct rules *rules, size_t after)
{
    static const char etc[] = "等";
    size_t i = skip_spaces(t, after);
    if (norm_has_at(t, i, etc, 3)) {
        i += 3;
    }
    for (size_t k = 0; k < rules->citation_other_after_cnt; k++) {
        const struct name_pair *w = &rules->citation_other_after[k];
        if (norm_has_at(t, i, w->word, w->len)) {
            return true;
        }
    }
    return false;
}

/* The titles of a run, held until the run ends says whether they are of kind other. */
struct run {
    size_t (*marks)[2]; /* per title, its norm bytes between the marks */
    size_t cnt, cap;
};

/* Write the titles of @p run (kind other when @p other), @p budget told the output's length after
   each, and empty it. */
static int run_flush(struct run *run, bool other, const struct text *t, const struct rules *rules,
                     const struct outline *outline, struct jsonout *out, struct budget *budget)
{
    for (size_t i = 0; i < run->cnt; i++) {
        if (citation_write(t, rules, outline, run->marks[i][0], run->marks[i][1], other, out) !=
                0 ||
            budget_output(budget, jsonout_len(out))) {
            return -1;
        }
    }
    run->cnt = 0;
    return jsonout_failed(out) ? -1 : 0;
}

static int run_add(struct run *run, size_t start, size_t end)
{
    size_t(*grown)[2] = rf_vec_reserve(run->marks, &run->cap, run->cnt, 1, sizeof(*grown));
    if (!grown) {
        return -1;
    }
    run->marks = grown;
    run->marks[run->cnt][0] = start;
    run->marks[run->cnt][1] = end;
    run->cnt++;
    return 0;
}

int citations_write(const struct text *t, const struct rules *rules, const struct outline *outline,
                    struct jsonout *out, const char *key, struct budget *budget)
{
    struct run run = {NULL, 0, 0};
    size_t from = 0, start, end;
    size_t run_expect = SIZE_MAX; /* byte where the next title of the run opens, if it goes on */
    int rc = 0;
    jsonout_array(out, key);
    while (rc == 0 && citations_next(t, from, &start, &end)) {
        if (budget_spent(budget)) {
            rc = -1;
            break;
        }
        if (start - 3 != run_expect) { /* a run of its own (stray marks end a run) */
            rc = run_flush(&run, false, t, rules, outline, out, budget);
        }
        rc = rc == 0 ? run_add(&run, start, end) : rc;
        from = end + 3; /* past the 》 */
        /* each title is looked past once and written once: linear in the titles */
        run_expect = run_next_open(t, from);
        if (rc == 0 && run_expect == SIZE_MAX) {
            rc = run_flush(&run, run_names_other(t, rules, from), t, rules, outline, out, budget);
        }
    }
    rc = rc == 0 ? run_flush(&run, false, t, rules, outline, out, budget) : rc;
    free(run.marks);
    jsonout_close_array(out);
    return rc == 0 && !jsonout_failed(out) ? 0 : -1;
}
