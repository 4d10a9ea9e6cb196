/* family.c - a document's report family, from a rule set's "family" object. */
#define _GNU_SOURCE /* memmem */
#include "family.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reportflow/utf8.h"
#include "text.h"

static int load_title(json_t *item, size_t index, void *elem, void *ctx, const char *what,
                      char *errstr, size_t errstr_size)
{
    (void)ctx;
    char where[600];
    snprintf(where, sizeof(where), "%s item %zu", what, index + 1);
    if (!json_is_string(item)) {
        snprintf(errstr, errstr_size, "%s: not a pattern string", where);
        return -1;
    }
    pcre2_code **code = elem;
    *code = rulefile_regex(json_string_value(item), 0, where, errstr, errstr_size);
    return *code ? 0 : -1;
}

/* A signal: ["pattern", score]. */
static int load_signal(json_t *item, size_t index, void *elem, void *ctx, const char *what,
                       char *errstr, size_t errstr_size)
{
    (void)ctx;
    char where[600];
    snprintf(where, sizeof(where), "%s item %zu", what, index + 1);
    json_t *re = json_array_get(item, 0);
    json_t *score = json_array_get(item, 1);
    if (!json_is_array(item) || json_array_size(item) != 2 || !json_is_string(re) ||
        !json_is_integer(score)) {
        snprintf(errstr, errstr_size, "%s: must be [\"pattern\", score]", where);
        return -1;
    }
    struct family_signal *s = elem;
    const char *pattern = json_string_value(re);
    s->score = (int)json_integer_value(score);
    if (pattern[0] && !pattern[strcspn(pattern, "\\^$.|?*+()[]{}")]) {
        s->literal = strdup(pattern);
        s->literal_len = strlen(pattern);
        if (!s->literal) {
            snprintf(errstr, errstr_size, "%s: out of memory", where);
        }
        return s->literal ? 0 : -1;
    }
    s->re = rulefile_regex(pattern, 0, where, errstr, errstr_size);
    return s->re ? 0 : -1;
}

/* f->literals: the literal signals a one-pass scan finds. @returns 0, -1 on ENOMEM. */
static int index_literals(struct family *f)
{
    f->literal_words = calloc(f->signal_cnt + 1, sizeof(*f->literal_words));
    f->scanned_signal = calloc(f->signal_cnt + 1, sizeof(*f->scanned_signal));
    if (!f->literal_words || !f->scanned_signal) {
        return -1;
    }
    size_t n = 0;
    for (size_t i = 0; i < f->signal_cnt && i < FAMILY_SCANNED_MAX; i++) {
        struct family_signal *sig = &f->signals[i];
        if (sig->literal && text_three_byte_cp(sig->literal, sig->literal_len)) {
            sig->scanned = true;
            f->literal_words[n] = (struct name_pair){sig->literal, NULL, sig->literal_len};
            f->scanned_signal[n++] = i;
        }
    }
    const struct name_pair *const lists[] = {f->literal_words};
    const size_t counts[] = {n};
    f->literals = wordscan_new(lists, counts, 1);
    return f->literals ? 0 : -1;
}

int family_load(struct family *f, json_t *root, const char *path, char *errstr, size_t errstr_size)
{
    memset(f, 0, sizeof(*f));
    json_t *obj = json_object_get(root, "family");
    if (!obj) {
        return 0;
    }
    char what[512];
    json_t *min = json_object_get(obj, "min_score");
    json_t *title_score = json_object_get(obj, "title_score");
    if (!json_is_object(obj) || !json_is_integer(min) ||
        (title_score && !json_is_integer(title_score))) {
        snprintf(errstr, errstr_size,
                 "%s: \"family\" must be an object with an integer \"min_score\" (and "
                 "\"title_score\", \"titles\", \"signals\")",
                 path);
        return -1;
    }
    f->present = true;
    f->min_score = (int)json_integer_value(min);
    f->title_score = (int)json_integer_value(title_score);
    snprintf(what, sizeof(what), "%s: \"family\" \"titles\"", path);
    if (rulefile_array(json_object_get(obj, "titles"), false, what, "an array of patterns",
                       sizeof(*f->titles), (void **)&f->titles, &f->title_cnt, load_title, NULL,
                       errstr, errstr_size) != 0) {
        return -1;
    }
    snprintf(what, sizeof(what), "%s: \"family\" \"signals\"", path);
    if (rulefile_array(json_object_get(obj, "signals"), false, what, "an array of [pattern, score]",
                       sizeof(*f->signals), (void **)&f->signals, &f->signal_cnt, load_signal, NULL,
                       errstr, errstr_size) != 0) {
        return -1;
    }
    if (index_literals(f) != 0) {
        snprintf(errstr, errstr_size, "%s: out of memory", what);
        return -1;
    }
    return 0;
}

void family_release(struct family *f)
{
    for (size_t i = 0; f->titles && i < f->title_cnt; i++) {
        pcre2_code_free(f->titles[i]);
    }
    free(f->titles);
    for (size_t i = 0; f->signals && i < f->signal_cnt; i++) {
        pcre2_code_free(f->signals[i].re);
        free(f->signals[i].literal);
    }
    free(f->signals);
    wordscan_free(f->literals);
    free(f->literal_words);
    free(f->scanned_signal);
    memset(f, 0, sizeof(*f));
}

static bool found(pcre2_code *re, const struct text *t, size_t len, pcre2_match_data *md)
{
    return pcre2_match(re, (PCRE2_SPTR)t->norm, len, 0, PCRE2_NO_UTF_CHECK, md, NULL) >= 0;
}

/* Bit i: scanned signal i occurs in the first @p body bytes of @p t. */
static uint64_t scan_literals(const struct family *f, const struct text *t, size_t body)
{
    uint64_t seen = 0;
    if (f->literals->cnt == 0) { /* the family has no literal signal: no pass over the text */
        return 0;
    }
    struct wordscan_cursor c = wordscan_from(0);
    size_t at;
    for (const struct wordscan_word *w; (w = wordscan_next(f->literals, t->norm, body, &c, &at));) {
        seen |= 1ull << f->scanned_signal[w->pair - f->literal_words];
    }
    return seen;
}

int family_score(const struct family *f, const struct text *t, pcre2_match_data *md)
{
    if (!f->present) {
        return 0;
    }
    int score = 0;
    size_t head = rf_utf8_cut(t->norm, t->norm_len, FAMILY_HEAD_BYTES);
    for (size_t i = 0; i < f->title_cnt; i++) {
        if (found(f->titles[i], t, head, md)) {
            score += f->title_score;
            break;
        }
    }
    size_t body = rf_utf8_cut(t->norm, t->norm_len, FAMILY_SCAN_BYTES);
    uint64_t seen = scan_literals(f, t, body);
    for (size_t i = 0; i < f->signal_cnt; i++) {
        const struct family_signal *sig = &f->signals[i];
        bool hit = sig->scanned   ? (seen >> i & 1) != 0
                   : sig->literal ? memmem(t->norm, body, sig->literal, sig->literal_len) != NULL
                                  : found(sig->re, t, body, md);
        if (hit) {
            score += sig->score;
        }
    }
    return score >= f->min_score ? score : -1;
}
