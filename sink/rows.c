/* rows.c - envelopes formatted for the documents upsert and the child tables' COPY. */
#include "rows.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pgtext.h"
#include "reportflow/hex.h"
#include "reportflow/vec.h"

static int append_int(struct rf_buf *b, long long v)
{
    char digits[24];
    int n = snprintf(digits, sizeof(digits), "%lld", v);
    return rf_buf_append(b, digits, (size_t)n);
}

/* Text with COPY's backslash escapes; runs of plain bytes go in one append. */
static int append_text(struct rf_buf *b, const char *s, size_t len)
{
    size_t run = 0;
    int rc = 0;
    for (size_t i = 0; i < len && rc == 0; i++) {
        char esc;
        switch (s[i]) {
        case '\\':
            esc = '\\';
            break;
        case '\t':
            esc = 't';
            break;
        case '\n':
            esc = 'n';
            break;
        case '\r':
            esc = 'r';
            break;
        default:
            continue;
        }
        char pair[2] = {'\\', esc};
        rc |= rf_buf_append(b, s + run, i - run);
        rc |= rf_buf_append(b, pair, 2);
        run = i + 1;
    }
    return rc | rf_buf_append(b, s + run, len - run);
}

int rows_env_read(struct rows_env *env, const char *text, size_t len, char *why, size_t why_size)
{
    int rc = jsontok_parse(&env->json, text, len, why, why_size);
    if (rc != 0) {
        return rc;
    }
    env->root = jsontok_root(&env->json);
    if (jsontok_type(&env->json, env->root) != JSONTOK_OBJECT) {
        snprintf(why, why_size, "the envelope is not a JSON object");
        return -1;
    }
    env->clauses.cnt = 0;
    for (size_t t = 0; t < CHILDREN_MAX; t++) {
        env->via[t].cnt = 0;
    }
    return 0;
}

void rows_env_trim(struct rows_env *env)
{
    size_t held =
        env->json.cap * sizeof(struct jsontok_token) + env->clauses.cap * sizeof(jsontok_at);
    for (size_t t = 0; t < CHILDREN_MAX; t++) {
        held += env->via[t].cap * sizeof(jsontok_at);
    }
    if (held > ROWS_ENV_KEEP_BYTES) {
        rows_env_release(env);
    }
}

void rows_env_release(struct rows_env *env)
{
    jsontok_release(&env->json);
    free(env->clauses.at);
    for (size_t t = 0; t < CHILDREN_MAX; t++) {
        free(env->via[t].at);
    }
    memset(env, 0, sizeof(*env));
}

jsontok_at rows_env_get(const struct rows_env *env, const char *name)
{
    return jsontok_get(&env->json, env->root, name);
}

/* Room for @p rows rows of @p width tokens in @p list, emptied. @returns -2 on ENOMEM. */
static int list_reset(struct rows_list *list, size_t rows, size_t width)
{
    list->cnt = 0;
    list->width = width;
    if (rows == 0 || width == 0) {
        return 0;
    }
    if (rows > SIZE_MAX / width) {
        return -2;
    }
    jsontok_at *grown = rf_vec_reserve(list->at, &list->cap, 0, rows * width, sizeof(*grown));
    if (!grown) {
        return -2;
    }
    list->at = grown;
    return 0;
}

/* Row @p index (a token) of @p list, or NULL when it is none. */
static const jsontok_at *list_row(const struct jsontok *j, const struct rows_list *list,
                                  jsontok_at index)
{
    long long i;
    if (!jsontok_int(j, index, &i) || i < 0 || (unsigned long long)i >= list->cnt) {
        return NULL;
    }
    return &list->at[(size_t)i * list->width];
}

/*
 * The values of table @p ti's columns for element @p el into @p out
 * (t->ncols of them, then its via member): its own fields, else the via_field
 * of the element its via member names. One pass over the element's members.
 */
static void element_columns(const struct rows_env *env, size_t ti, jsontok_at el, jsontok_at *out)
{
    const struct children_table *t = children_at(ti);
    const struct jsontok *j = &env->json;
    const char *names[CHILDREN_COLS_MAX + 1];
    size_t n = 0;
    for (; n < t->ncols; n++) {
        names[n] = t->cols[n].field;
    }
    out[t->ncols] = JSONTOK_NONE;
    if (t->via) {
        names[n++] = t->via;
    }
    jsontok_get_many(j, el, names, n, out);
    const jsontok_at *via = t->via ? list_row(j, &env->via[ti], out[t->ncols]) : NULL;
    for (size_t c = 0; via && c < t->ncols; c++) {
        if (out[c] == JSONTOK_NONE) {
            out[c] = via[c];
        }
    }
}

/* For each element of table @p ti's via_array, its columns' via_fields, into env->via[ti]. */
static int list_via_fields(struct rows_env *env, size_t ti)
{
    const struct children_table *t = children_at(ti);
    const struct jsontok *j = &env->json;
    jsontok_at arr = t->via_array ? rows_env_get(env, t->via_array) : JSONTOK_NONE;
    struct rows_list *list = &env->via[ti];
    if (list_reset(list, jsontok_count(j, arr), t->ncols) != 0) {
        return -2;
    }
    const char *names[CHILDREN_COLS_MAX];
    size_t cols[CHILDREN_COLS_MAX], m = 0;
    for (size_t c = 0; c < t->ncols; c++) {
        if (t->cols[c].via_field) {
            names[m] = t->cols[c].via_field;
            cols[m++] = c;
        }
    }
    for (jsontok_at el = jsontok_first(j, arr); el != JSONTOK_NONE;
         el = jsontok_after(j, arr, el)) {
        jsontok_at *row = &list->at[list->cnt++ * list->width];
        jsontok_at got[CHILDREN_COLS_MAX];
        jsontok_get_many(j, el, names, m, got);
        for (size_t c = 0; c < t->ncols; c++) {
            row[c] = JSONTOK_NONE;
        }
        for (size_t k = 0; k < m; k++) {
            row[cols[k]] = got[k];
        }
    }
    return 0;
}

static bool absent(const struct jsontok *j, jsontok_at v)
{
    return v == JSONTOK_NONE || jsontok_type(j, v) == JSONTOK_NULL;
}

/* Value @p v of a column of @p kind as its row holds it: a clause given by its index
   (schema_version 2) is the text of that excerpt. */
static jsontok_at row_value(const struct rows_env *env, jsontok_at v, enum children_kind kind)
{
    const struct jsontok *j = &env->json;
    if (kind == CHILDREN_CLAUSE && jsontok_type(j, v) == JSONTOK_INTEGER) {
        const jsontok_at *text = list_row(j, &env->clauses, v);
        return text ? *text : JSONTOK_NONE;
    }
    return v;
}

/*
 * One field (row_value()): \N for a missing or null value; integers as written; reals as
 * %.15g gives them.
 */
static int append_value(struct rf_buf *b, const struct rows_env *env, jsontok_at v,
                        enum children_kind kind)
{
    const struct jsontok *j = &env->json;
    v = row_value(env, v, kind);
    if (absent(j, v)) {
        return rf_buf_append(b, "\\N", 2);
    }
    long long n;
    double d;
    switch (jsontok_type(j, v)) {
    case JSONTOK_STRING:
        return kind == CHILDREN_TEXT || kind == CHILDREN_CLAUSE
                   ? jsontok_append_string(j, v, b, append_text)
                   : rf_buf_append(b, "\\N", 2);
    case JSONTOK_INTEGER:
        return jsontok_int(j, v, &n) && kind != CHILDREN_TEXT ? append_int(b, n)
                                                              : rf_buf_append(b, "\\N", 2);
    case JSONTOK_REAL:
        return kind == CHILDREN_NUM && jsontok_number(j, v, &d) ? rf_buf_printf(b, "%.15g", d)
                                                                : rf_buf_append(b, "\\N", 2);
    default:
        return rf_buf_append(b, "\\N", 2); /* rows_check() refuses these */
    }
}

static int add_table_rows(struct rf_buf *b, size_t ti, const struct rows_env *env,
                          const char *doc_id, const char *rules_hash)
{
    const struct children_table *t = children_at(ti);
    const struct jsontok *j = &env->json;
    jsontok_at arr = rows_env_get(env, t->name);
    size_t ord = 0;
    int rc = 0;
    jsontok_at v[CHILDREN_COLS_MAX + 1];
    for (jsontok_at el = jsontok_first(j, arr); el != JSONTOK_NONE && rc == 0;
         el = jsontok_after(j, arr, el)) {
        element_columns(env, ti, el, v);
        rc |= rf_buf_append(b, doc_id, 64);
        rc |= rf_buf_append(b, "\t", 1);
        rc |= append_text(b, rules_hash, strlen(rules_hash));
        rc |= rf_buf_append(b, "\t", 1);
        rc |= append_int(b, (long long)++ord);
        for (size_t c = 0; c < t->ncols; c++) {
            rc |= rf_buf_append(b, "\t", 1);
            rc |= append_value(b, env, v[c], t->cols[c].kind);
        }
        rc |= rf_buf_append(b, "\n", 1);
    }
    return rc;
}

/* Is @p v of a kind column @p kind can hold (null always)? A clause is checked by the caller. */
static bool kind_ok(const struct jsontok *j, jsontok_at v, enum children_kind kind)
{
    int type = jsontok_type(j, v);
    switch (kind) {
    case CHILDREN_TEXT:
        return type == JSONTOK_STRING;
    case CHILDREN_INT:
        return type == JSONTOK_INTEGER;
    case CHILDREN_NUM:
        return type == JSONTOK_INTEGER || type == JSONTOK_REAL;
    default:
        return true;
    }
}

/* For a refusal, per children_kind; a clause of version 1 is a string. */
static const char *const kind_names[] = {"a string", "an integer", "a number", "a string"};

/* The clause column @p v of a version @p version element: its text (1), or an index (2). */
static bool clause_ok(const struct rows_env *env, jsontok_at v, int version)
{
    const struct jsontok *j = &env->json;
    if (version < 2) {
        return absent(j, v) || jsontok_type(j, v) == JSONTOK_STRING;
    }
    return list_row(j, &env->clauses, v) != NULL;
}

/* Bytes of the values of one row, columns @p v of table @p t: a clause index counts as its
   text, which the row copies. */
static size_t row_value_bytes(const struct rows_env *env, const struct children_table *t,
                              const jsontok_at *v)
{
    const struct jsontok *j = &env->json;
    size_t sum = 0;
    for (size_t c = 0; c < t->ncols; c++) {
        jsontok_at at = row_value(env, v[c], t->cols[c].kind);
        size_t len = 0;
        if (!absent(j, at)) {
            jsontok_json(j, at, &len);
        }
        sum += len;
    }
    return sum;
}

/* Element @p i (@p el) of table @p ti: an object, its columns of their kinds, its row within
   the envelope's bound. */
static int check_element(struct rows_env *env, size_t ti, size_t i, jsontok_at el, int version,
                         size_t *row_bytes, char *why, size_t why_size)
{
    const struct children_table *t = children_at(ti);
    const struct jsontok *j = &env->json;
    if (jsontok_type(j, el) != JSONTOK_OBJECT) {
        snprintf(why, why_size, "%s[%zu] is not an object", t->name, i);
        return -1;
    }
    jsontok_at v[CHILDREN_COLS_MAX + 1];
    element_columns(env, ti, el, v);
    jsontok_at at = v[t->ncols];
    if (!absent(j, at) && !list_row(j, &env->via[ti], at)) {
        snprintf(why, why_size, "%s[%zu].%s is not an index into %s (%zu elements)", t->name, i,
                 t->via, t->via_array, env->via[ti].cnt);
        return -1;
    }
    for (size_t c = 0; c < t->ncols; c++) {
        const struct children_column *col = &t->cols[c];
        if (col->kind == CHILDREN_CLAUSE ? !clause_ok(env, v[c], version)
                                         : !absent(j, v[c]) && !kind_ok(j, v[c], col->kind)) {
            if (col->kind == CHILDREN_CLAUSE && version >= 2) {
                snprintf(why, why_size, "%s[%zu].%s is not an index into %s (%zu elements)",
                         t->name, i, col->field, CHILDREN_CLAUSES, env->clauses.cnt);
            } else {
                snprintf(why, why_size, "%s[%zu].%s is not %s or null", t->name, i, col->field,
                         kind_names[col->kind]);
            }
            return -1;
        }
    }
    *row_bytes += row_value_bytes(env, t, v);
    if (*row_bytes > ROWS_MAX_COPIES * j->len + ROWS_COPIES_SLACK) {
        snprintf(why, why_size,
                 "at %s[%zu], its rows would hold over %zu bytes, more than %d times the "
                 "envelope's %zu: its elements name the same clause or %s too often",
                 t->name, i, *row_bytes, ROWS_MAX_COPIES, j->len,
                 t->via_array ? t->via_array : "element");
        return -1;
    }
    return 0;
}

/* Version 2's excerpts: an array of objects with a text; their texts listed in env->clauses. */
static int check_clauses(struct rows_env *env, char *why, size_t why_size)
{
    const struct jsontok *j = &env->json;
    jsontok_at clauses = rows_env_get(env, CHILDREN_CLAUSES);
    if (jsontok_type(j, clauses) != JSONTOK_ARRAY) {
        snprintf(why, why_size, "'%s' is not an array", CHILDREN_CLAUSES);
        return -1;
    }
    if (list_reset(&env->clauses, jsontok_count(j, clauses), 1) != 0) {
        snprintf(why, why_size, "out of memory");
        return -2;
    }
    for (jsontok_at el = jsontok_first(j, clauses); el != JSONTOK_NONE;
         el = jsontok_after(j, clauses, el)) {
        jsontok_at text = jsontok_get(j, el, "text");
        if (jsontok_type(j, text) != JSONTOK_STRING) {
            snprintf(why, why_size, "%s[%zu] has no text", CHILDREN_CLAUSES, env->clauses.cnt);
            return -1;
        }
        env->clauses.at[env->clauses.cnt++] = text;
    }
    return 0;
}

int rows_check(struct rows_env *env, int schema_version, char *why, size_t why_size)
{
    const struct jsontok *j = &env->json;
    env->clauses.cnt = 0;
    size_t row_bytes = 0; /* the values of its rows so far */
    int rc = schema_version >= 2 ? check_clauses(env, why, why_size) : 0;
    for (size_t ti = 0; ti < children_count() && rc == 0; ti++) {
        const struct children_table *t = children_at(ti);
        jsontok_at arr = rows_env_get(env, t->name);
        if (jsontok_type(j, arr) != JSONTOK_ARRAY) {
            snprintf(why, why_size, "'%s' is not an array", t->name);
            return -1;
        }
        if (list_via_fields(env, ti) != 0) {
            snprintf(why, why_size, "out of memory");
            return -2;
        }
        size_t i = 0;
        for (jsontok_at el = jsontok_first(j, arr); el != JSONTOK_NONE && rc == 0;
             el = jsontok_after(j, arr, el)) {
            rc = check_element(env, ti, i++, el, schema_version, &row_bytes, why, why_size);
        }
    }
    return rc;
}

/* @p len bytes as a JSON string of their hex digits. @returns -1 on ENOMEM. */
static int append_hex_string(struct rf_buf *out, const char *bytes, size_t len)
{
    if (len > (SIZE_MAX - 3) / 2 || rf_buf_reserve(out, 2 * len + 2) != 0) {
        return -1;
    }
    out->data[out->len++] = '"';
    rf_hex_encode(bytes, len, out->data + out->len);
    out->len += 2 * len;
    out->data[out->len++] = '"';
    out->data[out->len] = '\0';
    return 0;
}

/*
 * The bytes of source.file_name_raw (the %XX-escaped name the producer sent) as
 * hex, for documents.file_name_raw, into @p out when the name is not UTF-8;
 * null when there is nothing to keep. @returns -1 on ENOMEM.
 */
static int append_raw_name_hex(struct rf_buf *out, const struct rows_env *env)
{
    const struct jsontok *j = &env->json;
    jsontok_at raw = jsontok_get(j, rows_env_get(env, "source"), "file_name_raw");
    struct rf_buf escaped = RF_BUF_INIT, bytes = RF_BUF_INIT;
    int got = jsontok_append_string(j, raw, &escaped, NULL) == 0
                  ? pgtext_name_raw(&bytes, escaped.data, escaped.len)
                  : -1;
    int rc = got < 0 ? -1 : rf_buf_append_str(out, ",\"file_name_raw\":");
    if (rc == 0) {
        rc = got == 1 ? append_hex_string(out, bytes.data, bytes.len)
                      : rf_buf_append(out, "null", 4);
    }
    rf_buf_release(&escaped);
    rf_buf_release(&bytes);
    return rc;
}

/* A member of the root as its JSON text (null when absent), after "name": */
static int append_member(struct rf_buf *b, const struct rows_env *env, const char *name)
{
    jsontok_at v = rows_env_get(env, name);
    int rc = rf_buf_printf(b, ",\"%s\":", name);
    if (v == JSONTOK_NONE) {
        return rc | rf_buf_append(b, "null", 4);
    }
    size_t len;
    const char *text = jsontok_json(&env->json, v, &len);
    return rc | rf_buf_append(b, text, len);
}

/* @p s as a JSON string: quotes, backslashes and control bytes escaped. */
static int append_json_string(struct rf_buf *b, const char *s)
{
    int rc = rf_buf_append(b, "\"", 1);
    for (; *s && rc == 0; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            char pair[2] = {'\\', (char)c};
            rc |= rf_buf_append(b, pair, 2);
        } else if (c < 0x20) {
            rc |= rf_buf_printf(b, "\\u%04x", c);
        } else {
            rc |= rf_buf_append(b, s, 1);
        }
    }
    return rc | rf_buf_append(b, "\"", 1);
}

/*
 * The documents upsert needs these members only, not the arrays (and the raw
 * name): copied as the envelope wrote them, which the parse has checked.
 */
static int add_head(struct rf_buf *b, const struct rows_env *env, const char *rules_hash)
{
    int rc = rf_buf_append(b, "{\"rules_hash\":", 14);
    rc |= append_json_string(b, rules_hash);
    rc |= append_member(b, env, "doc_id");
    rc |= append_member(b, env, "source");
    rc |= append_member(b, env, "extractor");
    rc |= append_member(b, env, "document");
    rc |= append_raw_name_hex(b, env);
    return rc | rf_buf_append(b, "}", 1);
}

int rows_rules_hash(const struct rows_env *env, char out[ROWS_RULES_HASH_SIZE], char *why,
                    size_t why_size)
{
    const struct jsontok *j = &env->json;
    jsontok_at extractor = rows_env_get(env, "extractor");
    jsontok_at hash = jsontok_get(j, extractor, "rules_hash");
    if (hash != JSONTOK_NONE) {
        char h[17];
        if (jsontok_string(j, hash, h, sizeof(h)) != 16 || strspn(h, "0123456789abcdef") != 16) {
            snprintf(why, why_size, "extractor.rules_hash is not 16 lowercase hex digits");
            return -1;
        }
        snprintf(out, ROWS_RULES_HASH_SIZE, "%s", h);
        return 0;
    }
    /* a worker from before versioned extractions: named as migration 012 named its rows */
    jsontok_at version = jsontok_get(j, extractor, "rules_version");
    char v[ROWS_RULES_HASH_SIZE] = "unknown";
    long n =
        jsontok_type(j, version) == JSONTOK_STRING ? jsontok_string(j, version, v, sizeof(v)) : 0;
    if (n < 0 || (size_t)n >= ROWS_RULES_HASH_SIZE - sizeof("legacy-")) {
        snprintf(why, why_size, "extractor.rules_version is longer than %zu bytes",
                 ROWS_RULES_HASH_SIZE - sizeof("legacy-"));
        return -1;
    }
    snprintf(out, ROWS_RULES_HASH_SIZE, "legacy-%.*s", (int)(ROWS_RULES_HASH_SIZE - 8), v);
    return 0;
}

int rows_add(struct rows *rows, const struct rows_env *env, const char *doc_id,
             const char *rules_hash, struct rows_doc *where)
{
    if (strlen(doc_id) != 64) {
        return -1; /* validated envelopes only: the COPY rows rely on the width */
    }
    where->head.off = rows->head.len;
    int rc = add_head(&rows->head, env, rules_hash);
    where->head.len = rows->head.len - where->head.off;
    for (size_t t = 0; t < children_count() && rc == 0; t++) {
        where->table[t].off = rows->table[t].len;
        rc = add_table_rows(&rows->table[t], t, env, doc_id, rules_hash);
        where->table[t].len = rows->table[t].len - where->table[t].off;
    }
    return rc;
}

size_t rows_bytes(const struct rows *rows)
{
    size_t n = rows->head.len;
    for (size_t t = 0; t < children_count(); t++) {
        n += rows->table[t].len;
    }
    return n;
}

void rows_reset(struct rows *rows)
{
    rf_buf_clear(&rows->head);
    for (size_t t = 0; t < children_count(); t++) {
        rf_buf_clear(&rows->table[t]);
    }
}

void rows_release(struct rows *rows)
{
    rf_buf_release(&rows->head);
    for (size_t t = 0; t < children_count(); t++) {
        rf_buf_release(&rows->table[t]);
    }
}
