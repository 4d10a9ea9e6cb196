/*
 * rules.c - load and compile the extraction rule set.
 * Long because: every part of a rule file is loaded here against the one struct rules
 * (patterns and their macros, vocabulary, model, gazetteer, families, tables), and the
 * parts check each other as they load; the self-contained parts live in their own modules.
 */
#include "rules.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "keyer.h"
#include "lexicon.h"
#include "agency.h"
#include "docfields.h"
#include "gazetteer.h"
#include "number_words.h"
#include "reportflow/buf.h"
#include "reportflow/log.h"
#include "reportflow/sha256.h"
#include "rulefile.h"

/* The digits of {Q}'s number (quantity.c parses what {Q} matches); the words around them
   ("more" and qualifier words) come from the rule set's vocabulary. */
#define DIGITS_RE "(?:[0-9][0-9,]*(?:\\.[0-9]+)?|[零〇一二两三四五六七八九十百千万亿]+)"
#define MULTIPLIER_RE "[百千万亿]?"
#define VOCAB "vocabulary " /* where rulefile_words() says a vocabulary list is */

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

static int load_pattern(const struct rules *r, struct rule_pattern *rp, const char *pattern,
                        json_t *macros, json_t *units, const char *what, char *errstr,
                        size_t errstr_size, size_t *max_captures)
{
    char *expanded = expand_pattern(r, pattern, macros, units);
    if (!expanded) {
        snprintf(errstr, errstr_size, "%s: out of memory", what);
        return -1;
    }
    rp->code = rulefile_regex(expanded, 0, what, errstr, errstr_size);
    if (!rp->code) {
        free(expanded);
        return -1;
    }
    rp->q_group = pcre2_substring_number_from_name(rp->code, (PCRE2_SPTR) "q");
    rp->zero_group = pcre2_substring_number_from_name(rp->code, (PCRE2_SPTR) "zero");
    rp->first_cnt = rp->q_group < 0 ? zeroscan_firsts(expanded, rp->firsts, ZEROSCAN_FIRSTS) : 0;
    if (rp->first_cnt > 0) {
        rp->anchored = rulefile_regex(expanded, PCRE2_ANCHORED, what, errstr, errstr_size);
        if (!rp->anchored) {
            free(expanded);
            return -1;
        }
    }
    free(expanded);
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

/* r->zero_firsts: the first characters of every anchored zero pattern's words. */
static void gather_zero_firsts(struct rules *r)
{
    memset(r->zero_firsts, 0, sizeof(r->zero_firsts));
    r->zero_firsts_known = false;
    for (size_t i = 0; i < r->cnt; i++) {
        for (size_t k = 0; k < r->items[i].pattern_cnt; k++) {
            const struct rule_pattern *rp = &r->items[i].patterns[k];
            zeroscan_mark(r->zero_firsts, rp->firsts, rp->first_cnt);
            r->zero_firsts_known |= rp->anchored != NULL;
        }
    }
}

/* What a rule's patterns are built from. */
struct pattern_ctx {
    struct rules *rules;
    json_t *macros;
    json_t *units;
};

static int load_rule_pattern(json_t *item, size_t index, void *elem, void *ctx, const char *what,
                             char *errstr, size_t errstr_size)
{
    struct pattern_ctx *pc = ctx;
    char pwhat[600];
    snprintf(pwhat, sizeof(pwhat), "%s pattern %zu", what, index + 1);
    if (!json_is_string(item)) {
        snprintf(errstr, errstr_size, "%s: not a string", pwhat);
        return -1;
    }
    return load_pattern(pc->rules, elem, json_string_value(item), pc->macros, pc->units, pwhat,
                        errstr, errstr_size, &pc->rules->max_captures);
}

static int load_rule(struct rules *r, struct rule *rule, json_t *obj, size_t index, json_t *macros,
                     const char *path, char *errstr, size_t errstr_size)
{
    char what[512];
    rule->id = rulefile_string(obj, "id");
    rule->key = rulefile_string(obj, "key");
    json_t *units = json_object_get(obj, "units");
    json_t *patterns = json_object_get(obj, "patterns");
    json_t *table = json_object_get(obj, "table");
    snprintf(what, sizeof(what), "%s: rule #%zu '%s'", path, index + 1,
             rule->id ? rule->id : "(no id)");
    if (!rule->id || !rule->key ||
        (!table && (!json_is_array(patterns) || json_array_size(patterns) == 0)) ||
        (table && patterns)) {
        snprintf(errstr, errstr_size,
                 "%s: needs \"id\", \"key\" and either a non-empty \"patterns\" array or a "
                 "\"table\"",
                 what);
        return -1;
    }
    rule->priority = (int)json_integer_value(json_object_get(obj, "priority"));
    if (table) {
        r->reads_tables = true;
        rule->table = calloc(1, sizeof(*rule->table));
        if (!rule->table) {
            snprintf(errstr, errstr_size, "%s: out of memory", what);
            return -1;
        }
        return tablegrid_spec_load(rule->table, table, what, errstr, errstr_size);
    }
    char units_what[600];
    snprintf(units_what, sizeof(units_what), "%s: \"units\"", what);
    if (rulefile_strings(units, false, units_what, &rule->units, &rule->unit_cnt, errstr,
                         errstr_size) != 0) {
        return -1;
    }
    for (size_t i = 0; i < rule->unit_cnt; i++) {
        rule->unit_bits |= (uint64_t)1 << rules_unit_bit(rule->units[i]);
    }
    struct pattern_ctx ctx = {r, macros, units};
    return rulefile_array(patterns, true, what, "an array of patterns", sizeof(*rule->patterns),
                          (void **)&rule->patterns, &rule->pattern_cnt, load_rule_pattern, &ctx,
                          errstr, errstr_size);
}

/* A taxonomy key: group.name in lowercase letters and '_' (it also names a view column). */
static bool is_taxonomy_key(const char *s)
{
    size_t group = strspn(s, "abcdefghijklmnopqrstuvwxyz_");
    return group > 0 && s[group] == '.' && s[group + 1] &&
           strspn(s + group + 1, "abcdefghijklmnopqrstuvwxyz_") == strlen(s + group + 1);
}

/* One of "core_keys": a taxonomy key that no earlier item (the first @p index of @p ctx) names. */
static int load_core_key(json_t *item, size_t index, void *elem, void *ctx, const char *what,
                         char *errstr, size_t errstr_size)
{
    char **keys = *(char ***)ctx;
    const char *key = json_string_value(item);
    if (!key || !is_taxonomy_key(key)) {
        snprintf(errstr, errstr_size, "%s item %zu must be a key like \"hazards.found\"", what,
                 index + 1);
        return -1;
    }
    for (size_t seen = 0; seen < index; seen++) {
        if (strcmp(keys[seen], key) == 0) {
            snprintf(errstr, errstr_size, "%s lists \"%s\" twice", what, key);
            return -1;
        }
    }
    if (!(*(char **)elem = strdup(key))) {
        snprintf(errstr, errstr_size, "%s: out of memory", what);
        return -1;
    }
    return 0;
}

/* "core_keys" (optional): distinct taxonomy keys, declared once for eval and the summary view. */
static int load_core_keys(struct rules *r, json_t *root, const char *path, char *errstr,
                          size_t errstr_size)
{
    json_t *arr = json_object_get(root, "core_keys");
    if (!arr) {
        return 0;
    }
    char what[512];
    snprintf(what, sizeof(what), "%s: \"core_keys\"", path);
    return rulefile_array(arr, true, what, "an array of keys", sizeof(char *),
                          (void **)&r->core_keys, &r->core_key_cnt, load_core_key, &r->core_keys,
                          errstr, errstr_size);
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

static int load_vocabulary(struct rules *r, json_t *root, const char *path, char *errstr,
                           size_t errstr_size)
{
    json_t *v = json_object_get(root, "vocabulary");
    r->min_report_han = 20;
    if (v && !json_is_object(v)) {
        snprintf(errstr, errstr_size, "%s: \"vocabulary\" must be an object", path);
        return -1;
    }
    if (number_words_load(r, v, path, errstr, errstr_size) != 0) {
        return -1;
    }
    if (!v) {
        return 0;
    }
    if (rulefile_words(v, VOCAB, "title_labels", &r->title_labels, &r->title_label_cnt, path,
                       errstr, errstr_size) != 0 ||
        rulefile_words(v, VOCAB, "title_endings", &r->title_endings, &r->title_ending_cnt, path,
                       errstr, errstr_size) != 0 ||
        rulefile_words(v, VOCAB, "title_words", &r->title_words, &r->title_word_cnt, path, errstr,
                       errstr_size) != 0 ||
        rulefile_words(v, VOCAB, "date_labels", &r->date_labels, &r->date_label_cnt, path, errstr,
                       errstr_size) != 0 ||
        rulefile_words(v, VOCAB, "doc_number_labels", &r->doc_number_labels,
                       &r->doc_number_label_cnt, path, errstr, errstr_size) != 0 ||
        rulefile_words(v, VOCAB, "as_of_markers", &r->as_of_markers, &r->as_of_marker_cnt, path,
                       errstr, errstr_size) != 0 ||
        rulefile_words(v, VOCAB, "yoy_markers", &r->yoy_markers, &r->yoy_marker_cnt, path, errstr,
                       errstr_size) != 0 ||
        rulefile_words(v, VOCAB, "yoy_up", &r->yoy_up, &r->yoy_up_cnt, path, errstr, errstr_size) !=
            0 ||
        rulefile_words(v, VOCAB, "yoy_down", &r->yoy_down, &r->yoy_down_cnt, path, errstr,
                       errstr_size) != 0 ||
        rulefile_words(v, VOCAB, "own_report_words", &r->own_report_words, &r->own_report_word_cnt,
                       path, errstr, errstr_size) != 0 ||
        rulefile_words(v, VOCAB, "branch_words", &r->branch_words, &r->branch_word_cnt, path,
                       errstr, errstr_size) != 0 ||
        rulefile_words(v, VOCAB, "publisher_labels", &r->publisher_labels, &r->publisher_label_cnt,
                       path, errstr, errstr_size) != 0 ||
        rulefile_words(v, VOCAB, "self_references", &r->self_references, &r->self_reference_cnt,
                       path, errstr, errstr_size) != 0 ||
        rulefile_words(v, VOCAB, "citation_other_after", &r->citation_other_after,
                       &r->citation_other_after_cnt, path, errstr, errstr_size) != 0 ||
        (json_object_get(v, "own_report_offices") &&
         rulefile_pairs(v, "own_report_offices", &r->own_report_offices, &r->own_report_office_cnt,
                        path, errstr, errstr_size) != 0) ||
        (json_object_get(v, "addressee_parents") &&
         rulefile_pairs(v, "addressee_parents", &r->addressee_parents, &r->addressee_parent_cnt,
                        path, errstr, errstr_size) != 0) ||
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
    if (rulefile_strings(arr, false, what, &r->measure_words, &r->measure_cnt, errstr,
                         errstr_size) != 0) {
        return -1;
    }
    rulefile_sort_longest_first(r->measure_words, r->measure_cnt);
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
    *out = rulefile_regex(expanded, options, what, errstr, errstr_size);
    free(expanded);
    return *out ? 0 : -1;
}

/*
 * "script_fold_table" (optional): a table file of traditional characters and
 * their simplified forms, relative to the rule file's folder; "script_fold"
 * (optional): pairs of the rule set's own (區区縣县...), which win.
 */
static int load_fold(struct rules *r, json_t *root, const char *path, char *errstr,
                     size_t errstr_size)
{
    json_t *table = json_object_get(root, "script_fold_table");
    const char *pairs = json_string_value(json_object_get(root, "script_fold"));
    if (table && !json_is_string(table)) {
        snprintf(errstr, errstr_size, "%s: \"script_fold_table\" must be a file name", path);
        return -1;
    }
    char *table_path = table ? rulefile_beside(path, json_string_value(table)) : NULL;
    if (table && !table_path) {
        snprintf(errstr, errstr_size, "%s: out of memory", path);
        return -1;
    }
    int rc = fold_load(&r->fold, table_path, pairs, path, errstr, errstr_size);
    free(table_path);
    return rc;
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
    if (lexicon_load(lex, "actions", &r->keyer_actions, path, errstr, errstr_size) != 0) {
        return -1;
    }
    return lexicon_load(lex, "objects", &r->keyer_objects, path, errstr, errstr_size);
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
    char *model_path = rulefile_beside(path, json_string_value(model));
    if (!model_path) {
        snprintf(errstr, errstr_size, "%s: out of memory", path);
        return -1;
    }
    r->keyer = keyer_load(model_path, errstr, errstr_size);
    free(model_path);
    return r->keyer ? 0 : -1;
}

/*
 * "gazetteer": the administrative divisions file, relative to the rule file's
 * folder. Its names that start with a numeral (七台河) become the quantity
 * finder's names, so the vocabulary must be loaded first.
 */
static int load_gazetteer(struct rules *r, json_t *root, const char *path, char *errstr,
                          size_t errstr_size)
{
    json_t *file = json_object_get(root, "gazetteer");
    if (!file) {
        return 0;
    }
    if (!json_is_string(file)) {
        snprintf(errstr, errstr_size, "%s: \"gazetteer\" must be a file name", path);
        return -1;
    }
    char *full = rulefile_beside(path, json_string_value(file));
    if (!full) {
        snprintf(errstr, errstr_size, "%s: out of memory", path);
        return -1;
    }
    r->gazetteer = gazetteer_load(full, errstr, errstr_size);
    free(full);
    if (!r->gazetteer) {
        return -1;
    }
    r->numbers.names = gazetteer_numeral_names(r->gazetteer, &r->numbers.name_cnt);
    return 0;
}

/* What every rule is read with. */
struct rule_ctx {
    struct rules *rules;
    json_t *macros;
    const char *path;
};

static int load_rule_item(json_t *item, size_t index, void *elem, void *ctx, const char *what,
                          char *errstr, size_t errstr_size)
{
    (void)what; /* a rule's errors name it by number and id */
    struct rule_ctx *rc = ctx;
    return load_rule(rc->rules, elem, item, index, rc->macros, rc->path, errstr, errstr_size);
}

static int load_root(struct rules *r, json_t *root, const char *path, char *errstr,
                     size_t errstr_size)
{
    r->name = rulefile_string(root, "name");
    r->version = rulefile_string(root, "version");
    json_t *view = json_object_get(root, "summary_view");
    r->summary_view = view ? rulefile_string(root, "summary_view") : strdup("report_summary");
    if (!r->summary_view || !r->summary_view[0] ||
        strspn(r->summary_view, "abcdefghijklmnopqrstuvwxyz_") != strlen(r->summary_view)) {
        snprintf(errstr, errstr_size,
                 "%s: \"summary_view\" must name a view in lowercase letters and '_'", path);
        return -1;
    }
    if (!r->name || !r->version) {
        snprintf(errstr, errstr_size, "%s: needs \"name\" and \"version\" strings", path);
        return -1;
    }
    json_t *macros = json_object_get(root, "macros");
    if (load_measure_words(r, root, path, errstr, errstr_size) != 0 ||
        rulefile_pairs(root, "citation_kinds", &r->citation_kinds, &r->citation_kind_cnt, path,
                       errstr, errstr_size) != 0 ||
        rulefile_pairs(root, "section_categories", &r->section_categories, &r->section_category_cnt,
                       path, errstr, errstr_size) != 0 ||
        rulefile_pairs(root, "agency_suffixes", &r->agency_suffixes, &r->agency_suffix_cnt, path,
                       errstr, errstr_size) != 0 ||
        rulefile_pairs(root, "admin_levels", &r->admin_levels, &r->admin_level_cnt, path, errstr,
                       errstr_size) != 0 ||
        (json_object_get(root, "national_bodies") &&
         rulefile_pairs(root, "national_bodies", &r->national_bodies, &r->national_body_cnt, path,
                        errstr, errstr_size) != 0) ||
        rulefile_words(root, "", "weak_bodies", &r->weak_bodies, &r->weak_body_cnt, path, errstr,
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
        load_model(r, root, path, errstr, errstr_size) != 0 ||
        load_gazetteer(r, root, path, errstr, errstr_size) != 0 ||
        family_load(&r->family, root, path, errstr, errstr_size) != 0 ||
        runcells_specs_load(root, path, &r->runs, &r->run_cnt, errstr, errstr_size) != 0) {
        return -1;
    }
    char what[512];
    snprintf(what, sizeof(what), "%s: \"rules\"", path);
    struct rule_ctx ctx = {r, macros, path};
    int rc = rulefile_array(json_object_get(root, "rules"), true, what, "an array of rules",
                            sizeof(*r->items), (void **)&r->items, &r->cnt, load_rule_item, &ctx,
                            errstr, errstr_size);
    if (rc == 0) {
        gather_zero_firsts(r);
    }
    return rc;
}

/* r->hash: of the rule file's bytes, its model's, its gazetteer's and its fold table's (none:
   ""), so any edit shows. */
static int hash_rule_set(struct rules *r, const char *path,
                         const char file_sha[RF_SHA256_HEX_LEN + 1], char *errstr,
                         size_t errstr_size)
{
    const char *model_sha = r->keyer ? keyer_sha256(r->keyer) : "";
    const char *places_sha = r->gazetteer ? gazetteer_sha256(r->gazetteer) : "";
    const struct rf_sha256_part parts[] = {{file_sha, RF_SHA256_HEX_LEN},
                                           {model_sha, strlen(model_sha)},
                                           {places_sha, strlen(places_sha)},
                                           {r->fold.table_sha256, strlen(r->fold.table_sha256)}};
    char both[RF_SHA256_HEX_LEN + 1];
    if (rf_sha256_hex_parts(parts, sizeof(parts) / sizeof(parts[0]), both) != 0) {
        snprintf(errstr, errstr_size, "%s: cannot hash it: libcrypto failed", path);
        return -1;
    }
    memcpy(r->hash, both, RULES_HASH_LEN);
    r->hash[RULES_HASH_LEN] = '\0';
    return 0;
}

struct rules *rules_load(const char *path, char *errstr, size_t errstr_size)
{
    char file_sha[RF_SHA256_HEX_LEN + 1];
    json_t *root = rulefile_load_json(path, "rule file", file_sha, errstr, errstr_size);
    if (!root) {
        return NULL;
    }
    if (rulefile_extend(root, path, file_sha, errstr, errstr_size) != 0) {
        json_decref(root);
        return NULL;
    }
    struct rules *r = calloc(1, sizeof(*r));
    if (!r) {
        snprintf(errstr, errstr_size, "out of memory");
        json_decref(root);
        return NULL;
    }
    r->max_captures = 1;
    r->tables_decide = json_is_true(json_object_get(root, "tables_decide"));
    if (load_root(r, root, path, errstr, errstr_size) != 0 ||
        agency_words_index(r, path, errstr, errstr_size) != 0 ||
        docfields_labels_index(r, path, errstr, errstr_size) != 0 ||
        hash_rule_set(r, path, file_sha, errstr, errstr_size) != 0) {
        rules_free(r);
        r = NULL;
    }
    json_decref(root);
    return r;
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
            pcre2_code_free(rule->patterns[k].anchored);
        }
        free(rule->patterns);
        if (rule->table) {
            tablegrid_spec_release(rule->table);
            free(rule->table);
        }
        rulefile_free_strings(rule->units, rule->unit_cnt);
        free(rule->id);
        free(rule->key);
    }
    free(r->items);
    rulefile_free_strings(r->measure_words, r->measure_cnt);
    for (size_t i = 0; r->qualifiers && i < r->numbers.before_cnt + r->numbers.after_cnt; i++) {
        free((char *)r->qualifiers[i].word); /* strdup'ed by load_qualifiers() */
    }
    free(r->qualifiers);
    rulefile_free_strings(r->more_words, r->more_cnt);
    rulefile_free_strings(r->word_starts, r->word_start_cnt);
    rulefile_free_strings(r->round_openers, r->round_opener_cnt);
    rulefile_free_strings(r->durations, r->duration_cnt);
    rulefile_free_strings(r->rates, r->rate_cnt);
    rulefile_free_strings(r->totals, r->total_cnt);
    rulefile_free_strings(r->change_from, r->change_from_cnt);
    rulefile_free_strings(r->inventories, r->inventory_cnt);
    free(r->qualifier_re);
    free(r->more_re);
    rulefile_free_strings(r->core_keys, r->core_key_cnt);
    rulefile_free_pairs(r->citation_kinds, r->citation_kind_cnt);
    rulefile_free_pairs(r->section_categories, r->section_category_cnt);
    rulefile_free_pairs(r->agency_suffixes, r->agency_suffix_cnt);
    rulefile_free_pairs(r->admin_levels, r->admin_level_cnt);
    rulefile_free_pairs(r->national_bodies, r->national_body_cnt);
    rulefile_free_pairs(r->weak_bodies, r->weak_body_cnt);
    lexicon_release(&r->keyer_actions);
    lexicon_release(&r->keyer_objects);
    rulefile_free_pairs(r->title_labels, r->title_label_cnt);
    rulefile_free_pairs(r->title_endings, r->title_ending_cnt);
    rulefile_free_pairs(r->title_words, r->title_word_cnt);
    rulefile_free_pairs(r->date_labels, r->date_label_cnt);
    rulefile_free_pairs(r->doc_number_labels, r->doc_number_label_cnt);
    rulefile_free_pairs(r->as_of_markers, r->as_of_marker_cnt);
    rulefile_free_pairs(r->yoy_markers, r->yoy_marker_cnt);
    rulefile_free_pairs(r->yoy_up, r->yoy_up_cnt);
    rulefile_free_pairs(r->yoy_down, r->yoy_down_cnt);
    rulefile_free_pairs(r->own_report_words, r->own_report_word_cnt);
    rulefile_free_pairs(r->publisher_labels, r->publisher_label_cnt);
    rulefile_free_pairs(r->branch_words, r->branch_word_cnt);
    rulefile_free_pairs(r->self_references, r->self_reference_cnt);
    agency_words_release(r);
    docfields_labels_release(r);
    rulefile_free_pairs(r->citation_other_after, r->citation_other_after_cnt);
    rulefile_free_pairs(r->addressee_parents, r->addressee_parent_cnt);
    free(r->own_report_body);
    rulefile_free_pairs(r->own_report_offices, r->own_report_office_cnt);
    free(r->citation_prefix);
    free(r->place_stop_chars);
    fold_release(&r->fold);
    family_release(&r->family);
    runcells_specs_release(r->runs, r->run_cnt);
    keyer_free(r->keyer);
    gazetteer_free(r->gazetteer);
    pcre2_code_free(r->veto);
    pcre2_code_free(r->realised);
    pcre2_code_free(r->not_count);
    free(r->name);
    free(r->version);
    free(r->summary_view);
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
