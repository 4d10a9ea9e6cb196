/* rules.c - load and compile the extraction rule set. */
#include "rules.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "keyer.h"
#include "reportflow/buf.h"
#include "reportflow/log.h"
#include "reportflow/utf8.h"
#include "text.h"

/* The digits of {Q}'s number (quantity.c parses what {Q} matches); the words around them
   ("more" and qualifier words) come from the rule set's vocabulary. */
#define DIGITS_RE "(?:[0-9][0-9,]*(?:\\.[0-9]+)?|[零〇一二两三四五六七八九十百千万亿]+)"
#define MULTIPLIER_RE "[百千万亿]?"
#define VOCAB "vocabulary " /* where load_words() says a vocabulary list is */

static char *dup_string_field(json_t *obj, const char *name)
{
    const char *s = json_string_value(json_object_get(obj, name));
    return s ? strdup(s) : NULL;
}

static int cmp_longest_first(const void *a, const void *b)
{
    size_t la = strlen(*(char *const *)a), lb = strlen(*(char *const *)b);
    return la < lb ? 1 : la > lb ? -1 : 0;
}

/*
 * Copies of the strings in JSON array @p arr (none when it is NULL) into a new
 * NULL-terminated *out, counted in *cnt; the caller frees them with
 * free_strings(), after an error too. @p what names the array in errors; with
 * @p nonempty an empty string is one.
 */
static int load_strings(json_t *arr, bool nonempty, const char *what, char ***out, size_t *cnt,
                        char *errstr, size_t errstr_size)
{
    *cnt = 0;
    if (arr && !json_is_array(arr)) {
        snprintf(errstr, errstr_size, "%s must be an array of strings", what);
        return -1;
    }
    *out = calloc(json_array_size(arr) + 1, sizeof(char *));
    if (!*out) {
        snprintf(errstr, errstr_size, "%s: out of memory", what);
        return -1;
    }
    size_t i;
    json_t *item;
    json_array_foreach(arr, i, item)
    {
        const char *s = json_string_value(item);
        if (!s || (nonempty && !s[0])) {
            snprintf(errstr, errstr_size, "%s item %zu must be a %sstring", what, i + 1,
                     nonempty ? "non-empty " : "");
            return -1;
        }
        if (!((*out)[i] = strdup(s))) {
            snprintf(errstr, errstr_size, "%s: out of memory", what);
            return -1;
        }
        (*cnt)++;
    }
    return 0;
}

static void free_strings(char **strings, size_t cnt)
{
    for (size_t i = 0; strings && i < cnt; i++) {
        free(strings[i]);
    }
    free(strings);
}

/*
 * Append the macro or {Q} expansion for "{NAME}" at @p p; @returns chars consumed
 * or 0. Sets *@p nomem when an append failed (the expansion is then incomplete).
 */
static size_t expand_macro(struct rf_buf *out, const struct rules *r, const char *p, json_t *macros,
                           json_t *units, bool *nomem)
{
    size_t n = 1;
    while ((p[n] >= 'A' && p[n] <= 'Z') || p[n] == '_') {
        n++;
    }
    if (p[n] != '}' || n == 1) {
        return 0;
    }
    char name[64];
    snprintf(name, sizeof(name), "%.*s", (int)(n - 1), p + 1);
    if (strcmp(name, "Q") == 0) {
        /* one space may stand between a figure and its measure word (22 條), as quantity.c reads */
        *nomem |=
            rf_buf_printf(out, "%s(?<q>" DIGITS_RE "%s" MULTIPLIER_RE "%s) ?(?:", r->qualifier_re,
                          r->more_re, r->more_re) != 0;
        size_t i;
        json_t *u;
        json_array_foreach(units, i, u)
        {
            const char *word = json_string_value(u);
            if (strcmp(word, RULES_TABLE_CELL) == 0) {
                /* the cell's end */
                *nomem |= rf_buf_printf(out, "%s(?= *\\|)", i ? "|" : "") != 0;
            } else {
                *nomem |= rf_buf_printf(out, "%s\\Q%s\\E", i ? "|" : "", word) != 0;
            }
        }
        *nomem |= rf_buf_append_str(out, ")") != 0;
        return n + 1;
    }
    const char *value = json_string_value(json_object_get(macros, name));
    if (!value) {
        return 0;
    }
    *nomem |= rf_buf_printf(out, "(?:%s)", value) != 0;
    return n + 1;
}

static char *expand_pattern(const struct rules *r, const char *pattern, json_t *macros,
                            json_t *units)
{
    struct rf_buf out = RF_BUF_INIT;
    bool nomem = false;
    for (const char *p = pattern; *p && !nomem;) {
        size_t used = *p == '{' ? expand_macro(&out, r, p, macros, units, &nomem) : 0;
        if (used) {
            p += used;
        } else {
            nomem = rf_buf_append(&out, p, 1) != 0;
            p++;
        }
    }
    if (nomem) {
        rf_buf_release(&out);
        return NULL;
    }
    return rf_buf_detach(&out);
}

static pcre2_code *compile(const char *pattern, uint32_t options, const char *what, char *errstr,
                           size_t errstr_size)
{
    int errcode;
    PCRE2_SIZE erroffset;
    pcre2_code *code = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED,
                                     PCRE2_UTF | options, &errcode, &erroffset, NULL);
    if (!code) {
        PCRE2_UCHAR msg[256];
        pcre2_get_error_message(errcode, msg, sizeof(msg));
        snprintf(errstr, errstr_size, "%s: PCRE2 error at offset %zu: %s (pattern: %s)", what,
                 (size_t)erroffset, (const char *)msg, pattern);
        return NULL;
    }
    int jit = pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);
    if (jit != 0) {
        rf_debug("rules", "%s: no JIT (%d), matching interpreted", what, jit);
    }
    return code;
}

static int load_pattern(const struct rules *r, struct rule_pattern *rp, const char *pattern,
                        json_t *macros, json_t *units, const char *what, char *errstr,
                        size_t errstr_size, size_t *max_captures)
{
    char *expanded = expand_pattern(r, pattern, macros, units);
    if (!expanded) {
        snprintf(errstr, errstr_size, "%s: out of memory", what);
        return -1;
    }
    rp->code = compile(expanded, 0, what, errstr, errstr_size);
    free(expanded);
    if (!rp->code) {
        return -1;
    }
    rp->q_group = pcre2_substring_number_from_name(rp->code, (PCRE2_SPTR) "q");
    rp->zero_group = pcre2_substring_number_from_name(rp->code, (PCRE2_SPTR) "zero");
    if (rp->q_group < 0 && rp->zero_group < 0) {
        snprintf(errstr, errstr_size, "%s: pattern has neither {Q} nor a (?<zero>...) group", what);
        return -1;
    }
    uint32_t captures = 0;
    pcre2_pattern_info(rp->code, PCRE2_INFO_CAPTURECOUNT, &captures);
    if (captures + 1 > *max_captures) {
        *max_captures = captures + 1;
    }
    return 0;
}

static int load_rule(struct rules *r, struct rule *rule, json_t *obj, size_t index, json_t *macros,
                     const char *path, char *errstr, size_t errstr_size)
{
    char what[512];
    rule->id = dup_string_field(obj, "id");
    rule->key = dup_string_field(obj, "key");
    json_t *units = json_object_get(obj, "units");
    json_t *patterns = json_object_get(obj, "patterns");
    snprintf(what, sizeof(what), "%s: rule #%zu '%s'", path, index + 1,
             rule->id ? rule->id : "(no id)");
    if (!rule->id || !rule->key || !json_is_array(patterns) || json_array_size(patterns) == 0) {
        snprintf(errstr, errstr_size,
                 "%s: needs \"id\", \"key\" and a non-empty \"patterns\" array", what);
        return -1;
    }
    rule->priority = (int)json_integer_value(json_object_get(obj, "priority"));
    char units_what[600];
    snprintf(units_what, sizeof(units_what), "%s: \"units\"", what);
    if (load_strings(units, false, units_what, &rule->units, &rule->unit_cnt, errstr,
                     errstr_size) != 0) {
        return -1;
    }
    rule->patterns = calloc(json_array_size(patterns), sizeof(*rule->patterns));
    if (!rule->patterns) {
        snprintf(errstr, errstr_size, "%s: out of memory", what);
        return -1;
    }
    size_t i;
    json_t *p;
    json_array_foreach(patterns, i, p)
    {
        char pwhat[600];
        snprintf(pwhat, sizeof(pwhat), "%s pattern %zu", what, i + 1);
        if (!json_is_string(p)) {
            snprintf(errstr, errstr_size, "%s: not a string", pwhat);
            return -1;
        }
        if (load_pattern(r, &rule->patterns[i], json_string_value(p), macros, units, pwhat, errstr,
                         errstr_size, &r->max_captures) != 0) {
            return -1;
        }
        rule->pattern_cnt++;
    }
    return 0;
}

/* Copies of @p word and @p label into @p pair. @returns 0, or -1 on ENOMEM. */
static int set_pair(struct name_pair *pair, const char *word, const char *label)
{
    pair->word = strdup(word);
    pair->label = strdup(label);
    pair->len = strlen(word);
    return pair->word && pair->label ? 0 : -1;
}

static int load_pairs(json_t *root, const char *field, struct name_pair **out, size_t *cnt,
                      const char *path, char *errstr, size_t errstr_size)
{
    json_t *arr = json_object_get(root, field);
    if (!json_is_array(arr)) {
        snprintf(errstr, errstr_size, "%s: \"%s\" must be an array of [word, label] pairs", path,
                 field);
        return -1;
    }
    *out = calloc(json_array_size(arr) + 1, sizeof(**out));
    if (!*out) {
        snprintf(errstr, errstr_size, "%s: out of memory", path);
        return -1;
    }
    size_t i;
    json_t *pair;
    json_array_foreach(arr, i, pair)
    {
        const char *word = json_string_value(json_array_get(pair, 0));
        const char *label = json_string_value(json_array_get(pair, 1));
        if (!word || !label) {
            snprintf(errstr, errstr_size, "%s: \"%s\" item %zu must be [word, label]", path, field,
                     i + 1);
            return -1;
        }
        (*cnt)++;
        if (set_pair(&(*out)[i], word, label) != 0) {
            snprintf(errstr, errstr_size, "%s: out of memory", path);
            return -1;
        }
    }
    return 0;
}

/*
 * An optional array of strings (@p field of @p obj, which @p where names in
 * errors: "vocabulary " or ""), kept as pairs whose label is the word itself.
 */
static int load_words(json_t *obj, const char *where, const char *field, struct name_pair **out,
                      size_t *cnt, const char *path, char *errstr, size_t errstr_size)
{
    json_t *arr = json_object_get(obj, field);
    *cnt = 0;
    if (!arr) {
        return 0;
    }
    char what[512];
    snprintf(what, sizeof(what), "%s: %s\"%s\"", path, where, field);
    char **words = NULL;
    size_t word_cnt = 0;
    if (load_strings(arr, true, what, &words, &word_cnt, errstr, errstr_size) != 0) {
        free_strings(words, word_cnt);
        return -1;
    }
    int rc = (*out = calloc(word_cnt + 1, sizeof(**out))) ? 0 : -1;
    for (size_t i = 0; rc == 0 && i < word_cnt; i++) {
        (*cnt)++;
        rc = set_pair(&(*out)[i], words[i], words[i]);
    }
    free_strings(words, word_cnt);
    if (rc != 0) {
        snprintf(errstr, errstr_size, "%s: out of memory", what);
    }
    return rc;
}

/* A taxonomy key: group.name in lowercase letters and '_' (it also names a view column). */
static bool is_taxonomy_key(const char *s)
{
    size_t group = strspn(s, "abcdefghijklmnopqrstuvwxyz_");
    return group > 0 && s[group] == '.' && s[group + 1] &&
           strspn(s + group + 1, "abcdefghijklmnopqrstuvwxyz_") == strlen(s + group + 1);
}

/* "core_keys" (optional): distinct taxonomy keys, declared once for eval and the summary view. */
static int load_core_keys(struct rules *r, json_t *root, const char *path, char *errstr,
                          size_t errstr_size)
{
    json_t *arr = json_object_get(root, "core_keys");
    if (!arr) {
        return 0;
    }
    if (!json_is_array(arr)) {
        snprintf(errstr, errstr_size, "%s: \"core_keys\" must be an array of keys", path);
        return -1;
    }
    r->core_keys = calloc(json_array_size(arr) + 1, sizeof(*r->core_keys));
    if (!r->core_keys) {
        snprintf(errstr, errstr_size, "%s: out of memory", path);
        return -1;
    }
    size_t i;
    json_t *k;
    json_array_foreach(arr, i, k)
    {
        const char *key = json_string_value(k);
        if (!key || !is_taxonomy_key(key)) {
            snprintf(errstr, errstr_size,
                     "%s: \"core_keys\" item %zu must be a key like \"hazards.found\"", path,
                     i + 1);
            return -1;
        }
        for (size_t seen = 0; seen < r->core_key_cnt; seen++) {
            if (strcmp(r->core_keys[seen], key) == 0) {
                snprintf(errstr, errstr_size, "%s: \"core_keys\" lists \"%s\" twice", path, key);
                return -1;
            }
        }
        r->core_keys[i] = strdup(key);
        if (!r->core_keys[i]) {
            snprintf(errstr, errstr_size, "%s: out of memory", path);
            return -1;
        }
        r->core_key_cnt++;
    }
    return 0;
}

/* An optional string @p field of the vocabulary @p v, copied into *@p out (NULL when absent). */
static int load_vocab_string(json_t *v, const char *field, char **out, const char *path,
                             char *errstr, size_t errstr_size)
{
    json_t *value = json_object_get(v, field);
    if (!value) {
        return 0;
    }
    if (!json_is_string(value) || json_string_length(value) == 0) {
        snprintf(errstr, errstr_size, "%s: vocabulary \"%s\" must be a non-empty string", path,
                 field);
        return -1;
    }
    if (!(*out = strdup(json_string_value(value)))) {
        snprintf(errstr, errstr_size, "%s: out of memory", path);
        return -1;
    }
    return 0;
}

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
    if (load_strings(json_object_get(nw, field), true, what, out, cnt, errstr, errstr_size) != 0) {
        return -1;
    }
    qsort(*out, *cnt, sizeof(char *), cmp_longest_first);
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

/*
 * The vocabulary's "number_words" (optional: without them a count takes no
 * qualifier), and the finder's view of them and of the measure words.
 */
static int load_number_words(struct rules *r, json_t *v, const char *path, char *errstr,
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
    r->qualifier_re = optional_words_re(n->before, n->before_cnt, qualifier_word);
    r->more_re = optional_words_re(r->more_words, r->more_cnt, string_word);
    if (!r->qualifier_re || !r->more_re) {
        snprintf(errstr, errstr_size, "%s: out of memory", path);
        return -1;
    }
    return 0;
}

static int load_vocabulary(struct rules *r, json_t *root, const char *path, char *errstr,
                           size_t errstr_size)
{
    json_t *v = json_object_get(root, "vocabulary");
    r->min_report_han = 20;
    if (v && !json_is_object(v)) {
        snprintf(errstr, errstr_size, "%s: \"vocabulary\" must be an object", path);
        return -1;
    }
    if (load_number_words(r, v, path, errstr, errstr_size) != 0) {
        return -1;
    }
    if (!v) {
        return 0;
    }
    if (load_words(v, VOCAB, "title_labels", &r->title_labels, &r->title_label_cnt, path, errstr,
                   errstr_size) != 0 ||
        load_words(v, VOCAB, "title_endings", &r->title_endings, &r->title_ending_cnt, path, errstr,
                   errstr_size) != 0 ||
        load_words(v, VOCAB, "title_words", &r->title_words, &r->title_word_cnt, path, errstr,
                   errstr_size) != 0 ||
        load_words(v, VOCAB, "date_labels", &r->date_labels, &r->date_label_cnt, path, errstr,
                   errstr_size) != 0 ||
        load_words(v, VOCAB, "doc_number_labels", &r->doc_number_labels, &r->doc_number_label_cnt,
                   path, errstr, errstr_size) != 0 ||
        load_words(v, VOCAB, "as_of_markers", &r->as_of_markers, &r->as_of_marker_cnt, path, errstr,
                   errstr_size) != 0 ||
        load_words(v, VOCAB, "yoy_markers", &r->yoy_markers, &r->yoy_marker_cnt, path, errstr,
                   errstr_size) != 0 ||
        load_words(v, VOCAB, "yoy_up", &r->yoy_up, &r->yoy_up_cnt, path, errstr, errstr_size) !=
            0 ||
        load_words(v, VOCAB, "yoy_down", &r->yoy_down, &r->yoy_down_cnt, path, errstr,
                   errstr_size) != 0 ||
        load_words(v, VOCAB, "own_report_words", &r->own_report_words, &r->own_report_word_cnt,
                   path, errstr, errstr_size) != 0 ||
        load_words(v, VOCAB, "self_references", &r->self_references, &r->self_reference_cnt, path,
                   errstr, errstr_size) != 0 ||
        (json_object_get(v, "addressee_parents") &&
         load_pairs(v, "addressee_parents", &r->addressee_parents, &r->addressee_parent_cnt, path,
                    errstr, errstr_size) != 0) ||
        load_vocab_string(v, "own_report_body", &r->own_report_body, path, errstr, errstr_size) !=
            0) {
        return -1;
    }
    json_t *prefix = json_object_get(v, "citation_prefix");
    if (prefix && !json_is_string(prefix)) {
        snprintf(errstr, errstr_size, "%s: vocabulary \"citation_prefix\" must be a string", path);
        return -1;
    }
    if (prefix && !(r->citation_prefix = strdup(json_string_value(prefix)))) {
        snprintf(errstr, errstr_size, "%s: out of memory", path);
        return -1;
    }
    json_t *stops = json_object_get(v, "place_stop_chars");
    if (stops) {
        const char *s = json_string_value(stops);
        size_t sl = s ? strlen(s) : 0;
        bool three_byte = s && sl % 3 == 0;
        for (size_t i = 0; three_byte && i < sl; i += 3) {
            three_byte = ((unsigned char)s[i] & 0xf0) == 0xe0;
        }
        if (!three_byte) {
            snprintf(errstr, errstr_size,
                     "%s: vocabulary \"place_stop_chars\" must be a string of Han characters",
                     path);
            return -1;
        }
        if (!(r->place_stop_chars = strdup(s))) {
            snprintf(errstr, errstr_size, "%s: out of memory", path);
            return -1;
        }
    }
    json_t *min_han = json_object_get(v, "min_report_han");
    if (min_han) {
        if (!json_is_integer(min_han) || json_integer_value(min_han) < 0 ||
            json_integer_value(min_han) > 100000) {
            snprintf(errstr, errstr_size,
                     "%s: vocabulary \"min_report_han\" must be an integer from 0 to 100000", path);
            return -1;
        }
        r->min_report_han = (int)json_integer_value(min_han);
    }
    return 0;
}

static int load_measure_words(struct rules *r, json_t *root, const char *path, char *errstr,
                              size_t errstr_size)
{
    json_t *arr = json_object_get(root, "measure_words");
    if (!json_is_array(arr) || json_array_size(arr) == 0) {
        snprintf(errstr, errstr_size, "%s: \"measure_words\" must be a non-empty array", path);
        return -1;
    }
    char what[512];
    snprintf(what, sizeof(what), "%s: \"measure_words\"", path);
    if (load_strings(arr, false, what, &r->measure_words, &r->measure_cnt, errstr, errstr_size) !=
        0) {
        return -1;
    }
    qsort(r->measure_words, r->measure_cnt, sizeof(char *), cmp_longest_first);
    return 0;
}

/* The optional regex @p field, compiled with PCRE2 @p options besides UTF. */
static int load_optional_regex(const struct rules *r, json_t *root, const char *field,
                               uint32_t options, json_t *macros, pcre2_code **out, const char *path,
                               char *errstr, size_t errstr_size)
{
    const char *pattern = json_string_value(json_object_get(root, field));
    if (!pattern) {
        return 0;
    }
    char what[512];
    snprintf(what, sizeof(what), "%s: %s", path, field);
    char *expanded = expand_pattern(r, pattern, macros, NULL);
    if (!expanded) {
        snprintf(errstr, errstr_size, "%s: out of memory", what);
        return -1;
    }
    *out = compile(expanded, options, what, errstr, errstr_size);
    free(expanded);
    return *out ? 0 : -1;
}

/* "script_fold": a string of pairs, traditional then simplified (區区縣县...). */
static int load_fold(struct rules *r, json_t *root, const char *path, char *errstr,
                     size_t errstr_size)
{
    const char *pairs = json_string_value(json_object_get(root, "script_fold"));
    if (!pairs) {
        return 0;
    }
    size_t len = strlen(pairs);
    if (len % 6 != 0) {
        snprintf(errstr, errstr_size,
                 "%s: \"script_fold\" must be pairs of three-byte characters (from, to)", path);
        return -1;
    }
    r->fold_from = calloc(len / 6 + 1, sizeof(uint32_t));
    r->fold_to = calloc(len / 6 + 1, sizeof(uint32_t));
    r->fold_bits = calloc(0x10000 / 8, 1);
    if (!r->fold_from || !r->fold_to || !r->fold_bits) {
        snprintf(errstr, errstr_size, "%s: out of memory", path);
        return -1;
    }
    for (size_t i = 0; i < len; i += 6) {
        uint32_t from = text_three_byte_cp(pairs + i, len - i),
                 to = text_three_byte_cp(pairs + i + 3, len - i - 3);
        if (!from || !to) {
            snprintf(errstr, errstr_size,
                     "%s: \"script_fold\" pair %zu is not two three-byte "
                     "characters",
                     path, i / 6 + 1);
            return -1;
        }
        /* insertion keeps the table sorted for bsearch; it is short */
        size_t k = r->fold_cnt++;
        while (k > 0 && r->fold_from[k - 1] > from) {
            r->fold_from[k] = r->fold_from[k - 1];
            r->fold_to[k] = r->fold_to[k - 1];
            k--;
        }
        r->fold_from[k] = from;
        r->fold_to[k] = to;
        r->fold_bits[from >> 3] |= (uint8_t)(1u << (from & 7));
    }
    return 0;
}

void rules_fold_script(const struct rules *r, char *s, size_t len)
{
    for (size_t i = 0; r->fold_cnt && i < len;) {
        size_t n;
        uint32_t cp = text_codepoint(s, i, &n);
        /* only three-byte characters are listed, and one bit says whether this one is */
        if (n == 3 && (r->fold_bits[cp >> 3] & (1u << (cp & 7)))) {
            size_t lo = 0, hi = r->fold_cnt;
            while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                if (r->fold_from[mid] < cp) {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            if (lo < r->fold_cnt && r->fold_from[lo] == cp) {
                rf_utf8_encode(r->fold_to[lo], s + i); /* three bytes for three */
            }
        }
        i += n;
    }
}

static int cmp_last_byte(const void *a, const void *b)
{
    const struct name_pair *x = a, *y = b;
    unsigned char lx = (unsigned char)x->word[x->len - 1], ly = (unsigned char)y->word[y->len - 1];
    return lx < ly ? -1 : lx > ly ? 1 : strcmp(x->word, y->word);
}

static int load_word_index(json_t *lex, const char *field, struct lexicon *out, const char *path,
                           char *errstr, size_t errstr_size)
{
    if (load_pairs(lex, field, &out->words, &out->cnt, path, errstr, errstr_size) != 0) {
        return -1;
    }
    for (size_t i = 0; i < out->cnt; i++) {
        if (out->words[i].len < 2) {
            snprintf(errstr, errstr_size, "%s: keyer_lexicon \"%s\" item %zu: '%s' is too short",
                     path, field, i + 1, out->words[i].word);
            return -1;
        }
    }
    qsort(out->words, out->cnt, sizeof(*out->words), cmp_last_byte);
    out->by_second = calloc(out->cnt + 1, sizeof(size_t));
    if (!out->by_second) {
        snprintf(errstr, errstr_size, "%s: out of memory", path);
        return -1;
    }
    size_t counts[257] = {0};
    for (size_t i = 0; i < out->cnt; i++) {
        counts[(unsigned char)out->words[i].word[out->words[i].len - 1] + 1]++;
    }
    for (size_t b = 0; b < 256; b++) {
        counts[b + 1] += counts[b];
    }
    memcpy(out->by_last, counts, sizeof(out->by_last));
    size_t n = 0;
    for (size_t b = 0; b < 256; b++) {
        out->second_at[b] = n;
        for (size_t i = 0; i < out->cnt; i++) {
            if ((unsigned char)out->words[i].word[1] == b) {
                out->by_second[n++] = i;
            }
        }
    }
    out->second_at[256] = n;
    return 0;
}

/* "keyer_lexicon": the action and object concepts the keyer model composes. */
static int load_lexicon(struct rules *r, json_t *root, const char *path, char *errstr,
                        size_t errstr_size)
{
    json_t *lex = json_object_get(root, "keyer_lexicon");
    if (!lex) {
        return 0;
    }
    if (!json_is_object(lex)) {
        snprintf(errstr, errstr_size, "%s: \"keyer_lexicon\" must be an object", path);
        return -1;
    }
    if (load_word_index(lex, "actions", &r->keyer_actions, path, errstr, errstr_size) != 0) {
        return -1;
    }
    return load_word_index(lex, "objects", &r->keyer_objects, path, errstr, errstr_size);
}

/* "model": a keyer model file, relative to the rule file's folder. */
static int load_model(struct rules *r, json_t *root, const char *path, char *errstr,
                      size_t errstr_size)
{
    json_t *model = json_object_get(root, "model");
    if (!model) {
        return 0;
    }
    if (!json_is_string(model)) {
        snprintf(errstr, errstr_size, "%s: \"model\" must be a file name", path);
        return -1;
    }
    const char *name = json_string_value(model);
    const char *slash = strrchr(path, '/');
    struct rf_buf full = RF_BUF_INIT;
    if (name[0] != '/' && slash) {
        rf_buf_append(&full, path, (size_t)(slash - path) + 1);
    }
    rf_buf_append_str(&full, name);
    char *model_path = rf_buf_detach(&full);
    if (!model_path) {
        snprintf(errstr, errstr_size, "%s: out of memory", path);
        return -1;
    }
    r->keyer = keyer_load(model_path, errstr, errstr_size);
    free(model_path);
    return r->keyer ? 0 : -1;
}

static int load_root(struct rules *r, json_t *root, const char *path, char *errstr,
                     size_t errstr_size)
{
    r->name = dup_string_field(root, "name");
    r->version = dup_string_field(root, "version");
    if (!r->name || !r->version) {
        snprintf(errstr, errstr_size, "%s: needs \"name\" and \"version\" strings", path);
        return -1;
    }
    json_t *macros = json_object_get(root, "macros");
    if (load_measure_words(r, root, path, errstr, errstr_size) != 0 ||
        load_pairs(root, "citation_kinds", &r->citation_kinds, &r->citation_kind_cnt, path, errstr,
                   errstr_size) != 0 ||
        load_pairs(root, "section_categories", &r->section_categories, &r->section_category_cnt,
                   path, errstr, errstr_size) != 0 ||
        load_pairs(root, "agency_suffixes", &r->agency_suffixes, &r->agency_suffix_cnt, path,
                   errstr, errstr_size) != 0 ||
        load_pairs(root, "admin_levels", &r->admin_levels, &r->admin_level_cnt, path, errstr,
                   errstr_size) != 0 ||
        (json_object_get(root, "national_bodies") &&
         load_pairs(root, "national_bodies", &r->national_bodies, &r->national_body_cnt, path,
                    errstr, errstr_size) != 0) ||
        load_words(root, "", "weak_bodies", &r->weak_bodies, &r->weak_body_cnt, path, errstr,
                   errstr_size) != 0) {
        return -1;
    }
    /* the vocabulary first: {Q} is made of its number words */
    if (load_vocabulary(r, root, path, errstr, errstr_size) != 0 ||
        load_optional_regex(r, root, "veto_before", 0, macros, &r->veto, path, errstr,
                            errstr_size) != 0 ||
        load_optional_regex(r, root, "realised", 0, macros, &r->realised, path, errstr,
                            errstr_size) != 0 ||
        /* right before the number, whether the pattern ends in $ or not */
        load_optional_regex(r, root, "not_count_before", PCRE2_ENDANCHORED, macros, &r->not_count,
                            path, errstr, errstr_size) != 0 ||
        load_lexicon(r, root, path, errstr, errstr_size) != 0 ||
        load_fold(r, root, path, errstr, errstr_size) != 0 ||
        load_core_keys(r, root, path, errstr, errstr_size) != 0 ||
        load_model(r, root, path, errstr, errstr_size) != 0) {
        return -1;
    }
    json_t *items = json_object_get(root, "rules");
    if (!json_is_array(items)) {
        snprintf(errstr, errstr_size, "%s: \"rules\" must be an array", path);
        return -1;
    }
    r->items = calloc(json_array_size(items) + 1, sizeof(*r->items));
    if (!r->items) {
        snprintf(errstr, errstr_size, "%s: out of memory", path);
        return -1;
    }
    size_t i;
    json_t *obj;
    json_array_foreach(items, i, obj)
    {
        r->cnt++;
        if (load_rule(r, &r->items[i], obj, i, macros, path, errstr, errstr_size) != 0) {
            return -1;
        }
    }
    return 0;
}

json_t *rules_load_json(const char *path, const char *what, char *errstr, size_t errstr_size)
{
    json_error_t jerr;
    json_t *root = json_load_file(path, 0, &jerr);
    if (!root) {
        snprintf(errstr, errstr_size, "%s:%d:%d: cannot load %s: %s", path, jerr.line, jerr.column,
                 what, jerr.text);
    }
    return root;
}

struct rules *rules_load(const char *path, char *errstr, size_t errstr_size)
{
    json_t *root = rules_load_json(path, "rule file", errstr, errstr_size);
    if (!root) {
        return NULL;
    }
    struct rules *r = calloc(1, sizeof(*r));
    if (!r) {
        snprintf(errstr, errstr_size, "out of memory");
        json_decref(root);
        return NULL;
    }
    r->max_captures = 1;
    if (load_root(r, root, path, errstr, errstr_size) != 0) {
        rules_free(r);
        r = NULL;
    }
    json_decref(root);
    return r;
}

static void free_pairs(struct name_pair *pairs, size_t cnt)
{
    for (size_t i = 0; pairs && i < cnt; i++) {
        free(pairs[i].word);
        free(pairs[i].label);
    }
    free(pairs);
}

void rules_free(struct rules *r)
{
    if (!r) {
        return;
    }
    for (size_t i = 0; i < r->cnt; i++) {
        struct rule *rule = &r->items[i];
        for (size_t k = 0; k < rule->pattern_cnt; k++) {
            pcre2_code_free(rule->patterns[k].code);
        }
        free(rule->patterns);
        free_strings(rule->units, rule->unit_cnt);
        free(rule->id);
        free(rule->key);
    }
    free(r->items);
    free_strings(r->measure_words, r->measure_cnt);
    for (size_t i = 0; r->qualifiers && i < r->numbers.before_cnt + r->numbers.after_cnt; i++) {
        free((char *)r->qualifiers[i].word); /* strdup'ed by load_qualifiers() */
    }
    free(r->qualifiers);
    free_strings(r->more_words, r->more_cnt);
    free_strings(r->word_starts, r->word_start_cnt);
    free_strings(r->round_openers, r->round_opener_cnt);
    free(r->qualifier_re);
    free(r->more_re);
    free_strings(r->core_keys, r->core_key_cnt);
    free_pairs(r->citation_kinds, r->citation_kind_cnt);
    free_pairs(r->section_categories, r->section_category_cnt);
    free_pairs(r->agency_suffixes, r->agency_suffix_cnt);
    free_pairs(r->admin_levels, r->admin_level_cnt);
    free_pairs(r->national_bodies, r->national_body_cnt);
    free_pairs(r->weak_bodies, r->weak_body_cnt);
    free_pairs(r->keyer_actions.words, r->keyer_actions.cnt);
    free(r->keyer_actions.by_second);
    free_pairs(r->keyer_objects.words, r->keyer_objects.cnt);
    free(r->keyer_objects.by_second);
    free_pairs(r->title_labels, r->title_label_cnt);
    free_pairs(r->title_endings, r->title_ending_cnt);
    free_pairs(r->title_words, r->title_word_cnt);
    free_pairs(r->date_labels, r->date_label_cnt);
    free_pairs(r->doc_number_labels, r->doc_number_label_cnt);
    free_pairs(r->as_of_markers, r->as_of_marker_cnt);
    free_pairs(r->yoy_markers, r->yoy_marker_cnt);
    free_pairs(r->yoy_up, r->yoy_up_cnt);
    free_pairs(r->yoy_down, r->yoy_down_cnt);
    free_pairs(r->own_report_words, r->own_report_word_cnt);
    free_pairs(r->self_references, r->self_reference_cnt);
    free_pairs(r->addressee_parents, r->addressee_parent_cnt);
    free(r->own_report_body);
    free(r->citation_prefix);
    free(r->place_stop_chars);
    free(r->fold_from);
    free(r->fold_to);
    free(r->fold_bits);
    keyer_free(r->keyer);
    pcre2_code_free(r->veto);
    pcre2_code_free(r->realised);
    pcre2_code_free(r->not_count);
    free(r->name);
    free(r->version);
    free(r);
}

int rules_matcher_init(struct rules_matcher *m, const struct rules *r)
{
    m->md = pcre2_match_data_create((uint32_t)r->max_captures, NULL);
    return m->md ? 0 : -1;
}

void rules_matcher_release(struct rules_matcher *m)
{
    pcre2_match_data_free(m->md);
    m->md = NULL;
}
