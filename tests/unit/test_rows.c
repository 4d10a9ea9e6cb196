/* test_rows.c - envelopes turned into COPY text rows and the documents head. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "children.h"
#include "pgtext.h"
#include "rows.h"

#define ID1 "1111111111111111111111111111111111111111111111111111111111111111"
#define HASH "0123456789abcdef"
#define ID2 "2222222222222222222222222222222222222222222222222222222222222222"

/* An envelope's text and the sink's reading of it (which borrows the text). */
struct env_text {
    struct rows_env env;
    char *text;
};

/* Envelope @p id of @p version with @p source_extra in its source and @p arrays, read and checked.
 */
static struct env_text *envelope_of(const char *id, int version, const char *source_extra,
                                    const char *arrays)
{
    char text[4096];
    snprintf(text, sizeof(text),
             "{\"doc_id\":\"%s\",\"source\":{\"file_name\":\"a.txt\"%s},\"extractor\":{},"
             "\"document\":{\"agency\":\"x\"},%s}",
             id, source_extra, arrays);
    struct env_text *e = calloc(1, sizeof(*e));
    assert_non_null(e);
    e->text = strdup(text);
    assert_non_null(e->text);
    char why[256] = "";
    assert_int_equal(rows_env_read(&e->env, e->text, strlen(e->text), why, sizeof(why)), 0);
    if (rows_check(&e->env, version, why, sizeof(why)) != 0) {
        fail_msg("rows_check: %s", why);
    }
    return e;
}

static struct env_text *envelope(const char *id, const char *arrays)
{
    return envelope_of(id, 1, "", arrays);
}

static void envelope_free(struct env_text *e)
{
    rows_env_release(&e->env);
    free(e->text);
    free(e);
}

static char *span_text(const struct rf_buf *b, struct rows_span s)
{
    char *out = malloc(s.len + 1);
    assert_non_null(out);
    if (s.len > 0) { /* an empty table has no buffer at all */
        memcpy(out, b->data + s.off, s.len);
    }
    out[s.len] = '\0';
    return out;
}

static void assert_span(const struct rf_buf *b, struct rows_span s, const char *want)
{
    char *got = span_text(b, s);
    assert_string_equal(got, want);
    free(got);
}

static void test_rows_escape_text_and_write_nulls(void **state)
{
    (void)state;
    struct env_text *env = envelope(
        ID1, "\"sections\":[{\"path\":\"1\",\"level\":1,\"heading\":\"a\\tb\\\\c\\nd\\re\","
             "\"start\":0,\"end\":null}],"
             "\"citations\":[],"
             "\"quantities\":[{\"value\":2.5,\"unit\":\"\\u5143\",\"text\":\"'); DROP TABLE "
             "documents; "
             "--\",\"start\":3,\"end\":7,\"page\":3},{\"value\":12,\"text\":\"\\ud83d\\ude00\"}],"
             "\"metrics\":[]");
    struct rows rows = ROWS_INIT;
    struct rows_doc at;
    assert_int_equal(rows_add(&rows, &env->env, ID1, HASH, &at), 0);
    /* path level number heading category start end: tab, backslash, newline, CR escaped */
    assert_span(&rows.table[0], at.table[0],
                ID1 "\t" HASH "\t1\t1\t1\t\\N\ta\\tb\\\\c\\nd\\re\t\\N\t0\t\\N\n");
    assert_int_equal(at.table[1].len, 0);
    /* value unit approx text clause start end section page: verbatim quotes, UTF-8 as is */
    assert_span(&rows.table[2], at.table[2],
                ID1
                "\t" HASH
                "\t1\t2.5\t\xe5\x85\x83\t\\N\t'); DROP TABLE documents; --\t\\N\t3\t7\t\\N\t3\n" ID1
                "\t" HASH "\t2\t12\t\\N\t\\N\t\xf0\x9f\x98\x80\t\\N\t\\N\t\\N\t\\N\t\\N\n");
    envelope_free(env);
    rows_release(&rows);
}

static void test_rows_head_holds_the_document_not_the_arrays(void **state)
{
    (void)state;
    struct env_text *env =
        envelope(ID1, "\"sections\":[{\"path\":\"1\",\"level\":1}],\"citations\":[],"
                      "\"quantities\":[],\"metrics\":[]");
    struct rows rows = ROWS_INIT;
    struct rows_doc at;
    assert_int_equal(rows_add(&rows, &env->env, ID1, HASH, &at), 0);
    char *head = span_text(&rows.head, at.head);
    json_error_t err;
    json_t *parsed = json_loads(head, 0, &err);
    assert_non_null(parsed);
    assert_string_equal(json_string_value(json_object_get(parsed, "doc_id")), ID1);
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(parsed, "document"), "agency")), "x");
    assert_null(json_object_get(parsed, "sections"));
    json_decref(parsed);
    free(head);
    envelope_free(env);
    rows_release(&rows);
}

static void test_rows_of_two_documents_follow_each_other(void **state)
{
    (void)state;
    const char *arrays = "\"sections\":[],\"citations\":[],\"quantities\":[],"
                         "\"metrics\":[{\"key\":\"cases.filed\",\"value\":3,\"yoy_pct\":-1.5,"
                         "\"rule\":\"r1\",\"confidence\":0.875}]";
    struct env_text *one = envelope(ID1, arrays), *two = envelope(ID2, arrays);
    struct rows rows = ROWS_INIT;
    struct rows_doc at1, at2;
    assert_int_equal(rows_add(&rows, &one->env, ID1, HASH, &at1), 0);
    assert_int_equal(rows_add(&rows, &two->env, ID2, HASH, &at2), 0);
    assert_int_equal(at2.table[3].off, at1.table[3].off + at1.table[3].len);
    assert_int_equal(at2.head.off, at1.head.off + at1.head.len);
    assert_span(
        &rows.table[3], at2.table[3],
        ID2 "\t" HASH
            "\t1\tcases.filed\t3\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t-1.5\tr1\t0.875\t\\N\n");
    rows_reset(&rows);
    assert_int_equal(rows.table[3].len, 0);
    assert_int_equal(rows_add(&rows, &two->env, ID2, HASH, &at2), 0);
    assert_int_equal(at2.table[3].off, 0);
    envelope_free(one);
    envelope_free(two);
    rows_release(&rows);
}

/*
 * Schema 2 refers to excerpts and quantities where schema 1 repeated them: the same facts
 * give the same rows either way.
 */
static void test_rows_of_version_1_and_2_are_the_same(void **state)
{
    (void)state;
    struct env_text *v1 = envelope(
        ID1,
        "\"sections\":[],\"citations\":[],\"quantities\":["
        "{\"value\":3,\"unit\":\"家\",\"approx\":\"exact\",\"text\":\"3家\","
        "\"clause\":\"检查企业3家、隐患4处\",\"start\":4,\"end\":6,\"section\":\"1\"},"
        "{\"value\":4,\"unit\":\"处\",\"approx\":\"exact\",\"text\":\"4处\","
        "\"clause\":\"检查企业3家、隐患4处\",\"start\":9,\"end\":11,\"section\":\"1\","
        "\"page\":2}],"
        "\"metrics\":["
        "{\"key\":\"a.b\",\"value\":4,\"approx\":\"exact\",\"unit\":\"处\","
        "\"evidence\":\"检查企业3家、隐患4处\",\"start\":9,\"end\":11,\"section\":\"1\",\"page\":2,"
        "\"category\":\"other\",\"as_of\":null,\"rule\":\"r\",\"yoy_pct\":null,"
        "\"confidence\":0.5},"
        "{\"key\":\"c.d\",\"value\":0,\"approx\":\"exact\",\"unit\":\"\","
        "\"evidence\":\"全年无复议\",\"start\":13,\"end\":16,\"section\":null,"
        "\"category\":null,\"as_of\":\"10月\",\"rule\":\"z\",\"yoy_pct\":-2.5,"
        "\"confidence\":null}]");
    struct env_text *v2 = envelope_of(
        ID1, 2, "",
        "\"sections\":[],\"citations\":[],\"clauses\":["
        "{\"text\":\"检查企业3家、隐患4处\",\"start\":0,\"end\":11,\"cut\":false},"
        "{\"text\":\"全年无复议\",\"start\":12,\"end\":17,\"cut\":false}],"
        "\"quantities\":["
        "{\"value\":3,\"unit\":\"家\",\"approx\":\"exact\",\"text\":\"3家\","
        "\"clause\":0,\"start\":4,\"end\":6,\"section\":\"1\"},"
        "{\"value\":4,\"unit\":\"处\",\"approx\":\"exact\",\"text\":\"4处\","
        "\"clause\":0,\"start\":9,\"end\":11,\"section\":\"1\",\"page\":2}],"
        "\"metrics\":["
        "{\"key\":\"a.b\",\"value\":4,\"approx\":\"exact\",\"category\":\"other\","
        "\"as_of\":null,\"rule\":\"r\",\"quantity\":1,\"yoy_pct\":null,\"confidence\":0.5},"
        "{\"key\":\"c.d\",\"value\":0,\"approx\":\"exact\",\"category\":null,"
        "\"as_of\":\"10月\",\"rule\":\"z\",\"unit\":\"\",\"evidence\":1,\"start\":13,"
        "\"end\":16,\"section\":null,\"yoy_pct\":-2.5,\"confidence\":null}]");
    struct rows one = ROWS_INIT, two = ROWS_INIT;
    struct rows_doc at1, at2;
    assert_int_equal(rows_add(&one, &v1->env, ID1, HASH, &at1), 0);
    assert_int_equal(rows_add(&two, &v2->env, ID1, HASH, &at2), 0);
    for (size_t t = 0; t < children_count(); t++) {
        char *a = span_text(&one.table[t], at1.table[t]);
        assert_span(&two.table[t], at2.table[t], a);
        free(a);
    }
    assert_span(&two.table[3], at2.table[3],
                ID1 "\t" HASH "\t1\ta.b\t4\texact\t处\t检查企业3家、隐患4处\t9\t11\t1\tother\t\\N\t"
                    "\\N\tr\t0.5\t2\n" ID1 "\t" HASH
                    "\t2\tc.d\t0\texact\t\t全年无复议\t13\t16\t\\N\t"
                    "\\N\t10月\t-2.5\tz\t\\N\t\\N\n");
    envelope_free(v1);
    envelope_free(v2);
    rows_release(&one);
    rows_release(&two);
}

static void test_rows_refuse_an_id_of_the_wrong_width(void **state)
{
    (void)state;
    struct env_text *env = envelope("abc", "\"sections\":[],\"citations\":[],\"quantities\":[],"
                                           "\"metrics\":[]");
    struct rows rows = ROWS_INIT;
    struct rows_doc at;
    assert_int_equal(rows_add(&rows, &env->env, "abc", HASH, &at), -1);
    envelope_free(env);
    rows_release(&rows);
}

/* A version-2 envelope whose @p metrics metrics all name one quantity, whose clause is
   @p clause_bytes long; rows_check()'s verdict, its reason in @p why. */
static int check_copies(size_t clause_bytes, size_t metrics, char *why, size_t why_size)
{
    struct rf_buf b = RF_BUF_INIT;
    const char *head = "{\"doc_id\":\"" ID1 "\",\"source\":{},\"extractor\":{},\"document\":{},"
                       "\"sections\":[],\"citations\":[],\"clauses\":[{\"text\":\"";
    assert_int_equal(rf_buf_append(&b, head, strlen(head)), 0);
    for (size_t i = 0; i < clause_bytes; i++) {
        assert_int_equal(rf_buf_append(&b, "a", 1), 0);
    }
    const char *mid = "\"}],\"quantities\":[{\"value\":1,\"clause\":0}],\"metrics\":[";
    assert_int_equal(rf_buf_append(&b, mid, strlen(mid)), 0);
    for (size_t i = 0; i < metrics; i++) {
        const char *m = i ? ",{\"key\":\"k\",\"quantity\":0}" : "{\"key\":\"k\",\"quantity\":0}";
        assert_int_equal(rf_buf_append(&b, m, strlen(m)), 0);
    }
    assert_int_equal(rf_buf_append(&b, "]}", 2), 0);
    struct rows_env env = {0};
    assert_int_equal(rows_env_read(&env, b.data, b.len, why, why_size), 0);
    int rc = rows_check(&env, 2, why, why_size);
    rows_env_release(&env);
    rf_buf_release(&b);
    return rc;
}

static void test_rows_refuse_an_envelope_that_copies_a_clause_too_often(void **state)
{
    (void)state;
    char why[256] = "";
    /* 200 metrics of 27 bytes naming one clause of 20,000: 4 MB of rows from 25 KB */
    assert_int_equal(check_copies(20000, 200, why, sizeof(why)), -1);
    assert_non_null(strstr(why, "metrics["));
    assert_non_null(strstr(why, "more than 8 times"));
    /* the same clause named by three: rows of 60 KB, within the bound */
    assert_int_equal(check_copies(20000, 3, why, sizeof(why)), 0);
    /* many metrics of a short clause: rows about as large as the envelope */
    assert_int_equal(check_copies(20, 20000, why, sizeof(why)), 0);
}

static void test_children_in_copy_order_with_their_columns(void **state)
{
    (void)state;
    const char *want[] = {"sections", "citations", "quantities", "metrics"};
    assert_int_equal(children_count(), 4);
    for (size_t t = 0; t < children_count(); t++) {
        assert_string_equal(children_at(t)->name, want[t]);
    }
    assert_null(children_at(children_count()));
    struct children_sql sql;
    assert_int_equal(children_sql_build(&sql), 0);
    assert_string_equal(
        sql.copy[3],
        "COPY extraction_metrics (doc_id, rules_hash, ord, key, value, approx, unit, evidence,"
        " start_char, end_char, section_path, category, as_of, yoy_pct,"
        " rule_id, confidence, page) FROM STDIN");
    assert_string_equal(sql.copy[0],
                        "COPY extraction_sections (doc_id, rules_hash, ord, path, level, number,"
                        " heading, category, start_char, end_char) FROM STDIN");
    children_sql_release(&sql);
    assert_null(sql.copy[0]); /* released twice is harmless */
    children_sql_release(&sql);
}

/* A child table the delete forgot would make every re-extracted document a dead letter. */
static void test_children_delete_reaches_every_table(void **state)
{
    (void)state;
    struct children_sql sql;
    assert_int_equal(children_sql_build(&sql), 0);
    for (size_t t = 0; t < children_count(); t++) {
        char clause[320];
        snprintf(clause, sizeof(clause),
                 "DELETE FROM %s WHERE doc_id = ANY(ARRAY(SELECT e->>'doc_id' FROM"
                 " jsonb_array_elements($1::jsonb) AS e)) AND (doc_id, rules_hash) IN (SELECT"
                 " e->>'doc_id', e->>'rules_hash' FROM jsonb_array_elements($1::jsonb) AS e)",
                 children_at(t)->table);
        assert_non_null(strstr(sql.delete_all, clause));
    }
    assert_int_equal(strncmp(sql.delete_all, "WITH ", 5), 0);
    children_sql_release(&sql);
}

/* The head's file_name_raw (hex) for an envelope whose source carries @p raw, or NULL. */
static char *head_raw_name(const char *raw)
{
    char extra[128] = "";
    if (raw) {
        snprintf(extra, sizeof(extra), ",\"file_name_raw\":\"%s\"", raw);
    }
    struct env_text *env = envelope_of(ID1, 1, extra,
                                       "\"sections\":[],\"citations\":[],\"quantities\":[],"
                                       "\"metrics\":[]");
    struct rows rows = ROWS_INIT;
    struct rows_doc at;
    assert_int_equal(rows_add(&rows, &env->env, ID1, HASH, &at), 0);
    char *head = span_text(&rows.head, at.head);
    json_error_t err;
    json_t *parsed = json_loads(head, 0, &err);
    assert_non_null(parsed);
    const char *hex = json_string_value(json_object_get(parsed, "file_name_raw"));
    char *out = hex ? strdup(hex) : NULL;
    json_decref(parsed);
    free(head);
    envelope_free(env);
    rows_release(&rows);
    return out;
}

/* documents.file_name_raw: the name's bytes, from source.file_name_raw, when not UTF-8. */
static void test_rows_head_keeps_a_raw_name_that_is_not_utf8(void **state)
{
    (void)state;
    char *hex = head_raw_name("%B2%E2%CA%D4.txt"); /* 测试.txt in GBK */
    assert_non_null(hex);
    assert_string_equal(hex, "b2e2cad42e747874");
    free(hex);
    assert_null(head_raw_name("%E6%B5%8B%E8%AF%95.txt")); /* UTF-8: file_name is exact */
    assert_null(head_raw_name("plain.txt"));
    assert_null(head_raw_name(NULL));
    assert_null(head_raw_name("%B2%E")); /* an escape cut short: not the producer's */
    assert_null(head_raw_name("100%.txt"));
}

/* pgtext_name_raw() decodes the producer's escapes; a NUL byte is kept as a byte. */
static void test_pgtext_name_raw_decodes_escapes(void **state)
{
    (void)state;
    struct rf_buf out = RF_BUF_INIT;
    assert_int_equal(pgtext_name_raw(&out, "a%00b", 5), 1);
    assert_int_equal(out.len, 3);
    assert_memory_equal(out.data, "a\0b", 3);
    rf_buf_clear(&out);
    assert_int_equal(pgtext_name_raw(&out, "%ff%25", 6), 1);
    assert_memory_equal(out.data, "\xff%", 2);
    rf_buf_clear(&out);
    assert_int_equal(pgtext_name_raw(&out, "a\xff", 2), 0); /* not ASCII: not the header */
    assert_int_equal(pgtext_name_raw(&out, "", 0), 0);
    assert_int_equal(out.len, 0);
    rf_buf_release(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rows_escape_text_and_write_nulls),
        cmocka_unit_test(test_rows_head_holds_the_document_not_the_arrays),
        cmocka_unit_test(test_rows_of_two_documents_follow_each_other),
        cmocka_unit_test(test_rows_refuse_an_id_of_the_wrong_width),
        cmocka_unit_test(test_rows_of_version_1_and_2_are_the_same),
        cmocka_unit_test(test_rows_refuse_an_envelope_that_copies_a_clause_too_often),
        cmocka_unit_test(test_children_in_copy_order_with_their_columns),
        cmocka_unit_test(test_children_delete_reaches_every_table),
        cmocka_unit_test(test_rows_head_keeps_a_raw_name_that_is_not_utf8),
        cmocka_unit_test(test_pgtext_name_raw_decodes_escapes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
