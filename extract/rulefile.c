/* rulefile.c - reading a rule set's JSON files and the lists they are made of. */
#include "rulefile.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reportflow/fs.h"
#include "reportflow/log.h"
#include "reportflow/sha256.h"

/* The largest rule or model file read: far above any real one (about 1 MB). */
#define RULEFILE_MAX_BYTES (256u << 20)

json_t *rulefile_load_json(const char *path, const char *what, char *sha256, char *errstr,
                           size_t errstr_size)
{
    char *data = NULL;
    size_t len = 0;
    if (rf_fs_read_file(path, RULEFILE_MAX_BYTES, &data, &len, errstr, errstr_size) != RF_READ_OK) {
        return NULL;
    }
    json_error_t jerr;
    json_t *root = json_loadb(data, len, 0, &jerr);
    if (!root) {
        snprintf(errstr, errstr_size, "%s:%d:%d: cannot load %s: %s", path, jerr.line, jerr.column,
                 what, jerr.text);
    } else if (sha256 && rf_sha256_hex(data, len, sha256) != 0) {
        snprintf(errstr, errstr_size, "%s: cannot hash it: libcrypto failed", path);
        json_decref(root);
        root = NULL;
    }
    free(data);
    return root;
}

char *rulefile_string(json_t *obj, const char *name)
{
    const char *s = json_string_value(json_object_get(obj, name));
    return s ? strdup(s) : NULL;
}

int rulefile_array(json_t *arr, bool required, const char *what, const char *shape,
                   size_t elem_size, void **out, size_t *cnt, rulefile_item_fn load_item, void *ctx,
                   char *errstr, size_t errstr_size)
{
    *cnt = 0;
    if ((arr || required) && !json_is_array(arr)) {
        snprintf(errstr, errstr_size, "%s must be %s", what, shape);
        return -1;
    }
    *out = calloc(json_array_size(arr) + 1, elem_size);
    if (!*out) {
        snprintf(errstr, errstr_size, "%s: out of memory", what);
        return -1;
    }
    size_t i;
    json_t *item;
    json_array_foreach(arr, i, item)
    {
        (*cnt)++;
        if (load_item(item, i, (char *)*out + i * elem_size, ctx, what, errstr, errstr_size) != 0) {
            return -1;
        }
    }
    return 0;
}

static int load_string(json_t *item, size_t index, void *elem, void *ctx, const char *what,
                       char *errstr, size_t errstr_size)
{
    const bool *nonempty = ctx;
    const char *s = json_string_value(item);
    if (!s || (*nonempty && !s[0])) {
        snprintf(errstr, errstr_size, "%s item %zu must be a %sstring", what, index + 1,
                 *nonempty ? "non-empty " : "");
        return -1;
    }
    if (!(*(char **)elem = strdup(s))) {
        snprintf(errstr, errstr_size, "%s: out of memory", what);
        return -1;
    }
    return 0;
}

int rulefile_strings(json_t *arr, bool nonempty, const char *what, char ***out, size_t *cnt,
                     char *errstr, size_t errstr_size)
{
    return rulefile_array(arr, false, what, "an array of strings", sizeof(char *), (void **)out,
                          cnt, load_string, &nonempty, errstr, errstr_size);
}

static int cmp_longest_first(const void *a, const void *b)
{
    size_t la = strlen(*(char *const *)a), lb = strlen(*(char *const *)b);
    return la < lb ? 1 : la > lb ? -1 : 0;
}

void rulefile_sort_longest_first(char **strings, size_t cnt)
{
    qsort(strings, cnt, sizeof(char *), cmp_longest_first);
}

void rulefile_free_strings(char **strings, size_t cnt)
{
    for (size_t i = 0; strings && i < cnt; i++) {
        free(strings[i]);
    }
    free(strings);
}

/* Copies of @p word and @p label into @p pair. @returns 0, or -1 on ENOMEM. */
static int set_pair(struct name_pair *pair, const char *word, const char *label)
{
    pair->word = strdup(word);
    pair->label = strdup(label);
    pair->len = strlen(word);
    return pair->word && pair->label ? 0 : -1;
}

static int load_pair(json_t *item, size_t index, void *elem, void *ctx, const char *what,
                     char *errstr, size_t errstr_size)
{
    (void)ctx;
    const char *word = json_string_value(json_array_get(item, 0));
    const char *label = json_string_value(json_array_get(item, 1));
    if (!word || !label) {
        snprintf(errstr, errstr_size, "%s item %zu must be [word, label]", what, index + 1);
        return -1;
    }
    if (set_pair(elem, word, label) != 0) {
        snprintf(errstr, errstr_size, "%s: out of memory", what);
        return -1;
    }
    return 0;
}

int rulefile_pairs(json_t *obj, const char *field, struct name_pair **out, size_t *cnt,
                   const char *path, char *errstr, size_t errstr_size)
{
    char what[512];
    snprintf(what, sizeof(what), "%s: \"%s\"", path, field);
    return rulefile_array(json_object_get(obj, field), true, what,
                          "an array of [word, label] pairs", sizeof(**out), (void **)out, cnt,
                          load_pair, NULL, errstr, errstr_size);
}

int rulefile_words(json_t *obj, const char *where, const char *field, struct name_pair **out,
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
    if (rulefile_strings(arr, true, what, &words, &word_cnt, errstr, errstr_size) != 0) {
        rulefile_free_strings(words, word_cnt);
        return -1;
    }
    int rc = (*out = calloc(word_cnt + 1, sizeof(**out))) ? 0 : -1;
    for (size_t i = 0; rc == 0 && i < word_cnt; i++) {
        (*cnt)++;
        rc = set_pair(&(*out)[i], words[i], words[i]);
    }
    rulefile_free_strings(words, word_cnt);
    if (rc != 0) {
        snprintf(errstr, errstr_size, "%s: out of memory", what);
    }
    return rc;
}

void rulefile_free_pairs(struct name_pair *pairs, size_t cnt)
{
    for (size_t i = 0; pairs && i < cnt; i++) {
        free(pairs[i].word);
        free(pairs[i].label);
    }
    free(pairs);
}

pcre2_code *rulefile_regex(const char *pattern, uint32_t options, const char *what, char *errstr,
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
