/* number_words.c - the vocabulary's number words, for the quantity finder and {Q}. */
#include "number_words.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reportflow/buf.h"
#include "rulefile.h"

static int cmp_qualifier_longest_first(const void *a, const void *b)
{
    size_t la = strlen(((const struct quantity_word *)a)->word);
    size_t lb = strlen(((const struct quantity_word *)b)->word);
    return la < lb ? 1 : la > lb ? -1 : 0;
}

/* number_words' @p field: [[word, "about" | "at_least"], ...] into @p out, longest word first. */
static int load_qualifiers(json_t *arr, const char *field, struct quantity_word *out, size_t *cnt,
                           const char *path, char *errstr, size_t errstr_size)
{
    *cnt = 0;
    if (arr && !json_is_array(arr)) {
        snprintf(errstr, errstr_size,
                 "%s: vocabulary \"number_words\" \"%s\" must be an array of [word, approx]", path,
                 field);
        return -1;
    }
    size_t i;
    json_t *pair;
    json_array_foreach(arr, i, pair)
    {
        const char *word = json_string_value(json_array_get(pair, 0));
        const char *kind = json_string_value(json_array_get(pair, 1));
        enum approx a = !kind                           ? APPROX_EXACT
                        : strcmp(kind, "about") == 0    ? APPROX_ABOUT
                        : strcmp(kind, "at_least") == 0 ? APPROX_AT_LEAST
                                                        : APPROX_EXACT;
        if (!word || !word[0] || a == APPROX_EXACT) {
            snprintf(errstr, errstr_size,
                     "%s: vocabulary \"number_words\" \"%s\" item %zu must be [word, "
                     "\"about\" or \"at_least\"]",
                     path, field, i + 1);
            return -1;
        }
        if (!(out[*cnt].word = strdup(word))) {
            snprintf(errstr, errstr_size, "%s: out of memory", path);
            return -1;
        }
        out[(*cnt)++].approx = a;
    }
    qsort(out, *cnt, sizeof(*out), cmp_qualifier_longest_first);
    return 0;
}

/* number_words' list of words @p field into *@p out (longest first). */
static int load_number_list(json_t *nw, const char *field, char ***out, size_t *cnt,
                            const char *path, char *errstr, size_t errstr_size)
{
    char what[512];
    snprintf(what, sizeof(what), "%s: vocabulary \"number_words\" \"%s\"", path, field);
    if (rulefile_strings(json_object_get(nw, field), true, what, out, cnt, errstr, errstr_size) !=
        0) {
        return -1;
    }
    rulefile_sort_longest_first(*out, *cnt);
    return 0;
}

/* "(?:w1|w2)?" of @p cnt words (got by @p word_of), or "" for none: {Q}'s optional words. */
static char *optional_words_re(const void *words, size_t cnt,
                               const char *(*word_of)(const void *, size_t))
{
    struct rf_buf out = RF_BUF_INIT;
    int rc = rf_buf_append_str(&out, cnt ? "(?:" : "");
    for (size_t i = 0; i < cnt && rc == 0; i++) {
        rc = rf_buf_printf(&out, "%s\\Q%s\\E", i ? "|" : "", word_of(words, i));
    }
    if (rc == 0) {
        rc = rf_buf_append_str(&out, cnt ? ")?" : "");
    }
    if (rc != 0) {
        rf_buf_release(&out);
        return NULL;
    }
    return rf_buf_detach(&out);
}

static const char *qualifier_word(const void *words, size_t i)
{
    return ((const struct quantity_word *)words)[i].word;
}

static const char *string_word(const void *words, size_t i)
{
    return ((char *const *)words)[i];
}

int number_words_load(struct rules *r, json_t *v, const char *path, char *errstr,
                      size_t errstr_size)
{
    json_t *nw = v ? json_object_get(v, "number_words") : NULL;
    if (nw && !json_is_object(nw)) {
        snprintf(errstr, errstr_size, "%s: vocabulary \"number_words\" must be an object", path);
        return -1;
    }
    json_t *before = json_object_get(nw, "before"), *after = json_object_get(nw, "after");
    r->qualifiers =
        calloc(json_array_size(before) + json_array_size(after) + 1, sizeof(*r->qualifiers));
    if (!r->qualifiers) {
        snprintf(errstr, errstr_size, "%s: out of memory", path);
        return -1;
    }
    struct quantity_vocab *n = &r->numbers;
    if (load_qualifiers(before, "before", r->qualifiers, &n->before_cnt, path, errstr,
                        errstr_size) != 0 ||
        load_qualifiers(after, "after", r->qualifiers + n->before_cnt, &n->after_cnt, path, errstr,
                        errstr_size) != 0 ||
        load_number_list(nw, "more", &r->more_words, &r->more_cnt, path, errstr, errstr_size) !=
            0 ||
        load_number_list(nw, "word_starts", &r->word_starts, &r->word_start_cnt, path, errstr,
                         errstr_size) != 0 ||
        load_number_list(nw, "round_openers", &r->round_openers, &r->round_opener_cnt, path, errstr,
                         errstr_size) != 0 ||
        load_number_list(nw, "durations", &r->durations, &r->duration_cnt, path, errstr,
                         errstr_size) != 0 ||
        load_number_list(nw, "rates", &r->rates, &r->rate_cnt, path, errstr, errstr_size) != 0 ||
        load_number_list(nw, "totals", &r->totals, &r->total_cnt, path, errstr, errstr_size) != 0 ||
        load_number_list(nw, "change_from", &r->change_from, &r->change_from_cnt, path, errstr,
                         errstr_size) != 0 ||
        load_number_list(nw, "inventories", &r->inventories, &r->inventory_cnt, path, errstr,
                         errstr_size) != 0) {
        return -1;
    }
    n->units = (const char *const *)r->measure_words;
    n->unit_cnt = r->measure_cnt;
    n->before = r->qualifiers;
    n->after = r->qualifiers + n->before_cnt;
    n->more = (const char *const *)r->more_words;
    n->more_cnt = r->more_cnt;
    n->word_starts = (const char *const *)r->word_starts;
    n->word_start_cnt = r->word_start_cnt;
    n->round_openers = (const char *const *)r->round_openers;
    n->round_opener_cnt = r->round_opener_cnt;
    n->durations = (const char *const *)r->durations;
    n->duration_cnt = r->duration_cnt;
    n->rates = (const char *const *)r->rates;
    n->rate_cnt = r->rate_cnt;
    n->totals = (const char *const *)r->totals;
    n->total_cnt = r->total_cnt;
    n->change_from = (const char *const *)r->change_from;
    n->change_from_cnt = r->change_from_cnt;
    n->inventories = (const char *const *)r->inventories;
    n->inventory_cnt = r->inventory_cnt;
    r->qualifier_re = optional_words_re(n->before, n->before_cnt, qualifier_word);
    r->more_re = optional_words_re(r->more_words, r->more_cnt, string_word);
    if (!r->qualifier_re || !r->more_re) {
        snprintf(errstr, errstr_size, "%s: out of memory", path);
        return -1;
    }
    return 0;
}
