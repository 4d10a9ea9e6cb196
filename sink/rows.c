/* rows.c - envelopes formatted for the documents upsert and the child tables' COPY. */
#include "rows.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pgtext.h"

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

/* The text of excerpt @p index of @p clauses (checked by rows_check_refs()), or NULL. */
static json_t *clause_text(json_t *clauses, json_t *index)
{
    if (!json_is_integer(index) || json_integer_value(index) < 0) {
        return NULL;
    }
    return json_object_get(json_array_get(clauses, (size_t)json_integer_value(index)), "text");
}

/*
 * The value of column @p c of @p t for element @p el: its own field, else the
 * via_field of the element its via member names (an index into @p via_arr).
 */
static json_t *field_of(const struct children_table *t, size_t c, json_t *el, json_t *via_arr)
{
    const struct children_column *col = &t->cols[c];
    json_t *v = json_object_get(el, col->field);
    if (!v && col->via_field && t->via) {
        json_t *at = json_object_get(el, t->via);
        if (json_is_integer(at) && json_integer_value(at) >= 0) {
            v = json_object_get(json_array_get(via_arr, (size_t)json_integer_value(at)),
                                col->via_field);
        }
    }
    return v;
}

/*
 * One field: \N for a missing or null value; numbers as JSON gave them; a clause
 * given by its index (schema_version 2) as the text of that excerpt of @p clauses.
 */
static int append_value(struct rf_buf *b, json_t *v, enum children_kind kind, json_t *clauses)
{
    if (kind == CHILDREN_CLAUSE && json_is_integer(v)) {
        v = clause_text(clauses, v);
    }
    if (!v || json_is_null(v)) {
        return rf_buf_append(b, "\\N", 2);
    }
    if (kind == CHILDREN_INT || (kind == CHILDREN_NUM && json_is_integer(v))) {
        return append_int(b, (long long)json_integer_value(v));
    }
    if (kind == CHILDREN_NUM) {
        return rf_buf_printf(b, "%.15g", json_number_value(v));
    }
    return append_text(b, json_string_value(v), json_string_length(v));
}

static int add_table_rows(struct rf_buf *b, const struct children_table *t, json_t *env,
                          const char *doc_id, const char *rules_hash)
{
    size_t ord;
    json_t *el;
    int rc = 0;
    json_t *clauses = json_object_get(env, CHILDREN_CLAUSES);
    json_t *via_arr = t->via_array ? json_object_get(env, t->via_array) : NULL;
    json_array_foreach(json_object_get(env, t->name), ord, el)
    {
        rc |= rf_buf_append(b, doc_id, 64);
        rc |= rf_buf_append(b, "\t", 1);
        rc |= append_text(b, rules_hash, strlen(rules_hash));
        rc |= rf_buf_append(b, "\t", 1);
        rc |= append_int(b, (long long)ord + 1);
        for (size_t c = 0; c < t->ncols; c++) {
            rc |= rf_buf_append(b, "\t", 1);
            rc |= append_value(b, field_of(t, c, el, via_arr), t->cols[c].kind, clauses);
        }
        rc |= rf_buf_append(b, "\n", 1);
        if (rc != 0) {
            break;
        }
    }
    return rc;
}

/* Is @p v an index into @p arr? */
static bool index_in(json_t *v, json_t *arr)
{
    return json_is_integer(v) && json_integer_value(v) >= 0 &&
           (unsigned long long)json_integer_value(v) < json_array_size(arr);
}

int rows_check_refs(json_t *env, int schema_version, char *why, size_t why_size)
{
    if (schema_version < 2) {
        return 0; /* version 1 carries its texts, no references */
    }
    json_t *clauses = json_object_get(env, CHILDREN_CLAUSES);
    if (!json_is_array(clauses)) {
        snprintf(why, why_size, "'%s' is not an array", CHILDREN_CLAUSES);
        return -1;
    }
    size_t i;
    json_t *el;
    json_array_foreach(clauses, i, el)
    {
        if (!json_is_string(json_object_get(el, "text"))) {
            snprintf(why, why_size, "%s[%zu] has no text", CHILDREN_CLAUSES, i);
            return -1;
        }
    }
    for (size_t k = 0; k < children_count(); k++) {
        const struct children_table *t = children_at(k);
        json_t *via_arr = t->via_array ? json_object_get(env, t->via_array) : NULL;
        json_array_foreach(json_object_get(env, t->name), i, el)
        {
            json_t *at = t->via ? json_object_get(el, t->via) : NULL;
            if (at && !json_is_null(at) && !index_in(at, via_arr)) {
                snprintf(why, why_size, "%s[%zu].%s is not an index into %s (%zu elements)",
                         t->name, i, t->via, t->via_array, json_array_size(via_arr));
                return -1;
            }
            for (size_t c = 0; c < t->ncols; c++) {
                if (t->cols[c].kind != CHILDREN_CLAUSE) {
                    continue;
                }
                json_t *v = field_of(t, c, el, via_arr);
                if (!index_in(v, clauses)) {
                    snprintf(why, why_size, "%s[%zu].%s is not an index into %s (%zu elements)",
                             t->name, i, t->cols[c].field, CHILDREN_CLAUSES,
                             json_array_size(clauses));
                    return -1;
                }
            }
        }
    }
    return 0;
}

/*
 * The bytes of source.file_name_raw (the %XX-escaped name the producer sent) as
 * hex, for documents.file_name_raw, when the name is not UTF-8; NULL when there
 * is nothing to keep. JSON cannot carry the bytes themselves. @returns -1 on ENOMEM.
 */
static int raw_name_hex(json_t *env, char **hex)
{
    *hex = NULL;
    json_t *raw = json_object_get(json_object_get(env, "source"), "file_name_raw");
    struct rf_buf bytes = RF_BUF_INIT;
    int got = pgtext_name_raw(&bytes, json_string_value(raw), json_string_length(raw));
    if (got == 1) {
        static const char digits[] = "0123456789abcdef";
        *hex = malloc(bytes.len * 2 + 1);
        for (size_t i = 0; *hex && i < bytes.len; i++) {
            (*hex)[2 * i] = digits[(unsigned char)bytes.data[i] >> 4];
            (*hex)[2 * i + 1] = digits[(unsigned char)bytes.data[i] & 0x0F];
        }
        if (*hex) {
            (*hex)[bytes.len * 2] = '\0';
        }
    }
    rf_buf_release(&bytes);
    return got < 0 || (got == 1 && !*hex) ? -1 : 0;
}

/* The documents upsert needs these four members only, not the arrays (and the raw name). */
static int add_head(struct rf_buf *b, json_t *env, const char *rules_hash)
{
    char *hex = NULL;
    if (raw_name_hex(env, &hex) != 0) {
        return -1;
    }
    json_t *head =
        json_pack("{s:O, s:s, s:O, s:O, s:O, s:s?}", "doc_id", json_object_get(env, "doc_id"),
                  "rules_hash", rules_hash, "source", json_object_get(env, "source"), "extractor",
                  json_object_get(env, "extractor"), "document", json_object_get(env, "document"),
                  "file_name_raw", hex);
    free(hex);
    char *text = head ? json_dumps(head, JSON_COMPACT) : NULL;
    json_decref(head);
    int rc = text ? rf_buf_append_str(b, text) : -1;
    free(text);
    return rc;
}

int rows_rules_hash(json_t *env, char out[ROWS_RULES_HASH_SIZE], char *why, size_t why_size)
{
    json_t *extractor = json_object_get(env, "extractor");
    json_t *hash = json_object_get(extractor, "rules_hash");
    if (hash) {
        const char *h = json_string_value(hash);
        if (!h || strlen(h) != 16 || strspn(h, "0123456789abcdef") != 16) {
            snprintf(why, why_size, "extractor.rules_hash is not 16 lowercase hex digits");
            return -1;
        }
        snprintf(out, ROWS_RULES_HASH_SIZE, "%s", h);
        return 0;
    }
    /* a worker from before versioned extractions: named as migration 012 named its rows */
    const char *version = json_string_value(json_object_get(extractor, "rules_version"));
    if (version && strlen(version) >= ROWS_RULES_HASH_SIZE - sizeof("legacy-")) {
        snprintf(why, why_size, "extractor.rules_version is longer than %zu bytes",
                 ROWS_RULES_HASH_SIZE - sizeof("legacy-"));
        return -1;
    }
    snprintf(out, ROWS_RULES_HASH_SIZE, "legacy-%s", version ? version : "unknown");
    return 0;
}

int rows_add(struct rows *rows, json_t *env, const char *doc_id, const char *rules_hash,
             struct rows_doc *where)
{
    if (strlen(doc_id) != 64) {
        return -1; /* validated envelopes only: the COPY rows rely on the width */
    }
    where->head.off = rows->head.len;
    int rc = add_head(&rows->head, env, rules_hash);
    where->head.len = rows->head.len - where->head.off;
    for (size_t t = 0; t < children_count() && rc == 0; t++) {
        where->table[t].off = rows->table[t].len;
        rc = add_table_rows(&rows->table[t], children_at(t), env, doc_id, rules_hash);
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
