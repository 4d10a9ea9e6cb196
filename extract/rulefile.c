/* rulefile.c - reading a rule set's JSON files and the lists they are made of. */
#include "rulefile.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reportflow/buf.h"
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

/* @p name relative to the folder of the rule file @p path (malloc'd), or NULL on ENOMEM. */
char *rulefile_beside(const char *path, const char *name)
{
    const char *slash = strrchr(path, '/');
    struct rf_buf full = RF_BUF_INIT;
    if (name[0] != '/' && slash) {
        rf_buf_append(&full, path, (size_t)(slash - path) + 1);
    }
    rf_buf_append_str(&full, name);
    return rf_buf_detach(&full);
}

/* What a family's rule file does not take from the base it extends: its own identity. */
static bool own_field(const char *key)
{
    static const char *const own[] = {"name",    "version",   "description", "family",
                                      "extends", "core_keys", "summary_view"};
    for (size_t i = 0; i < sizeof(own) / sizeof(own[0]); i++) {
        if (strcmp(key, own[i]) == 0) {
            return true;
        }
    }
    return false;
}

/* The base's rules, but those the file redefines by id, then the file's own. */
static json_t *merged_rules(json_t *base, json_t *own)
{
    json_t *all = json_array();
    size_t i, k;
    json_t *b, *o;
    json_array_foreach(base, i, b)
    {
        const char *id = json_string_value(json_object_get(b, "id"));
        bool redefined = false;
        json_array_foreach(own, k, o)
        {
            const char *own_id = json_string_value(json_object_get(o, "id"));
            redefined |= id && own_id && strcmp(id, own_id) == 0;
        }
        if (!redefined && json_array_append(all, b) != 0) {
            json_decref(all);
            return NULL;
        }
    }
    if (json_array_extend(all, own) != 0) {
        json_decref(all);
        return NULL;
    }
    return all;
}

/* @p root completed from @p base: a field it lacks, a vocabulary or macro word it lacks, and
   the base's rules before its own. @returns 0 or -1 on ENOMEM. */
static int merge_base(json_t *root, json_t *base)
{
    const char *key;
    json_t *value;
    json_object_foreach(base, key, value)
    {
        json_t *mine = json_object_get(root, key);
        int rc = 0;
        if (own_field(key)) {
            continue;
        } else if (!mine) {
            rc = json_object_set(root, key, value);
        } else if (strcmp(key, "rules") == 0 && json_is_array(mine) && json_is_array(value)) {
            json_t *all = merged_rules(value, mine);
            rc = all ? json_object_set_new(root, key, all) : -1;
        } else if (json_is_object(mine) && json_is_object(value)) {
            rc = json_object_update_missing(mine, value);
        }
        if (rc != 0) {
            return -1;
        }
    }
    return 0;
}

/*
 * "extends": a base rule file in the same folder, whose fields the file takes
 * unless it has its own (a family's rule set reuses a vocabulary and rules it
 * shares). @p file_sha becomes the hash of both files. @returns 0 or -1.
 */
int rulefile_extend(json_t *root, const char *path, char file_sha[RF_SHA256_HEX_LEN + 1],
                    char *errstr, size_t errstr_size)
{
    json_t *ext = json_object_get(root, "extends");
    if (!ext) {
        return 0;
    }
    const char *name = json_string_value(ext);
    if (!name || !name[0] || strchr(name, '/')) {
        snprintf(errstr, errstr_size,
                 "%s: \"extends\" must be the name of a rule file in the same folder", path);
        return -1;
    }
    char *base_path = rulefile_beside(path, name);
    char base_sha[RF_SHA256_HEX_LEN + 1];
    json_t *base =
        base_path ? rulefile_load_json(base_path, "base rule file", base_sha, errstr, errstr_size)
                  : NULL;
    int rc = base ? 0 : -1;
    if (!base_path) {
        snprintf(errstr, errstr_size, "%s: out of memory", path);
    } else if (base && json_object_get(base, "extends")) {
        snprintf(errstr, errstr_size, "%s: its base %s extends another; one level only", path,
                 base_path);
        rc = -1;
    } else if (base && merge_base(root, base) != 0) {
        snprintf(errstr, errstr_size, "%s: out of memory merging its base %s", path, base_path);
        rc = -1;
    }
    if (rc == 0) {
        const struct rf_sha256_part parts[] = {{file_sha, RF_SHA256_HEX_LEN},
                                               {base_sha, RF_SHA256_HEX_LEN}};
        char both[RF_SHA256_HEX_LEN + 1];
        if (rf_sha256_hex_parts(parts, 2, both) != 0) {
            snprintf(errstr, errstr_size, "%s: cannot hash it: libcrypto failed", path);
            rc = -1;
        }
        memcpy(file_sha, both, sizeof(both));
    }
    json_decref(base);
    free(base_path);
    return rc;
}
