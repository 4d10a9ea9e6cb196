/* test_batch_validate.c - what the sink accepts as an envelope, and what it dead-letters. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "batch.h"

#define ID "0f883fdf5ed81324aa0f883fdf5ed81324aa0f883fdf5ed81324aa0f883fdf5e"

/* The version the envelope is stored under, when it is accepted. */
static char last_hash[ROWS_RULES_HASH_SIZE];

static bool check(const char *json, char *why)
{
    char id[65];
    struct rows_env env = {0};
    int rc = batch_validate_envelope(&env, json, strlen(json), id, last_hash, why, 256);
    assert_true(rc == 0 || rc == -1);
    rows_env_release(&env);
    return rc == 0;
}

#define HEAD "{\"schema\":\"reportflow.envelope\",\"schema_version\":1,\"doc_id\":\"" ID "\","
#define ARRAYS "\"document\":{},\"sections\":[],\"citations\":[],\"quantities\":[],\"metrics\":[]}"
#define SOURCE "\"source\":{\"extracted_at\":\"2026-01-01T00:00:00.000Z\"},"

static void test_sink_stores_under_the_rules_hash_or_a_legacy_name(void **state)
{
    (void)state;
    char why[256];
    assert_true(check(HEAD SOURCE "\"extractor\":{\"rules_version\":\"2.1.0\","
                                  "\"rules_hash\":\"0123456789abcdef\"}," ARRAYS,
                      why));
    assert_string_equal(last_hash, "0123456789abcdef");
    /* a worker from before versioned extractions: named as migration 012 named old rows */
    assert_true(check(HEAD SOURCE "\"extractor\":{\"rules_version\":\"2.1.0\"}," ARRAYS, why));
    assert_string_equal(last_hash, "legacy-2.1.0");
    assert_false(check(HEAD SOURCE "\"extractor\":{\"rules_hash\":\"0123'; --\"}," ARRAYS, why));
    assert_string_equal(why, "extractor.rules_hash is not 16 lowercase hex digits");
}

/* An envelope of version 1 whose source and document hold @p source_extra and @p document. */
#define ENVELOPE(source_extra, document)                                                           \
    HEAD "\"source\":{\"extracted_at\":\"2026-01-01T00:00:00.000Z\"" source_extra "},"             \
         "\"extractor\":{\"rules_hash\":\"0123456789abcdef\"},\"document\":{" document "},"        \
         "\"sections\":[],\"citations\":[],\"quantities\":[],\"metrics\":[]}"

/* A region code is six digits or null; anything else would fail the table's CHECK. */
static void test_sink_checks_the_region_code(void **state)
{
    (void)state;
    char why[256];
#define WITH_CODE(code) ENVELOPE("", "\"region_code\":" code)
    assert_true(check(WITH_CODE("\"440304\""), why));
    assert_true(check(WITH_CODE("null"), why));
    assert_false(check(WITH_CODE("\"44030'\""), why));
    assert_string_equal(why, "document.region_code is not 6 digits or null");
    assert_false(check(WITH_CODE("440304"), why));
#undef WITH_CODE
}

/* A PDF's page count is a positive integer or null; 0 would fail the table's CHECK. */
static void test_sink_checks_the_pages(void **state)
{
    (void)state;
    char why[256];
#define WITH_PAGES(pages) ENVELOPE(",\"pages\":" pages, "")
    assert_true(check(WITH_PAGES("3"), why));
    assert_true(check(WITH_PAGES("null"), why));
    assert_false(check(WITH_PAGES("0"), why));
    assert_string_equal(why, "source.pages is not a positive integer or null");
    assert_false(check(WITH_PAGES("\"3\""), why));
#undef WITH_PAGES
}

static void test_sink_accepts_a_well_formed_envelope(void **state)
{
    (void)state;
    char why[256];
    assert_true(check("{\"schema\":\"reportflow.envelope\",\"schema_version\":1,\"doc_id\":\"" ID
                      "\",\"source\":{\"extracted_at\":\"2026-01-01T00:00:00.000Z\"},"
                      "\"document\":{},\"sections\":[],\"citations\":[],\"quantities\":[],"
                      "\"metrics\":[]}",
                      why));
}

static void test_sink_rejects_with_a_reason(void **state)
{
    (void)state;
    char why[256];
    assert_false(check("{not json", why));
    assert_string_equal(why, "invalid JSON at byte 1: a member name should be here");
    assert_false(check("{\"schema\":\"other\"}", why));
    assert_non_null(strstr(why, "schema is not"));
    assert_false(check("{\"schema\":\"reportflow.envelope\",\"schema_version\":3}", why));
    assert_non_null(strstr(why, "schema_version"));
    assert_false(check("{\"schema\":\"reportflow.envelope\",\"schema_version\":1,"
                       "\"doc_id\":\"'); DROP TABLE documents; --\"}",
                       why));
    assert_non_null(strstr(why, "doc_id"));
    assert_false(check("{\"schema\":\"reportflow.envelope\",\"schema_version\":1,\"doc_id\":\"" ID
                       "\",\"source\":{\"extracted_at\":\"x\"},\"document\":{},\"sections\":{},"
                       "\"citations\":[],\"quantities\":[],\"metrics\":[]}",
                       why));
    assert_string_equal(why, "'sections' is not an array");
    /* present but too long, or no string: said so, not "missing" */
    assert_false(check(
        HEAD "\"source\":{\"extracted_at\":"
             "\"2026-01-01T00:00:00.000000000000000000000000000000000000000000000Z\"}," ARRAYS,
        why));
    assert_string_equal(why, "source.extracted_at is missing, or not a string under 64 bytes");
    assert_false(check(HEAD "\"source\":{\"extracted_at\":17}," ARRAYS, why));
    assert_non_null(strstr(why, "not a string"));
}

#define HEAD2 "{\"schema\":\"reportflow.envelope\",\"schema_version\":2,\"doc_id\":\"" ID "\","
#define CLAUSES "\"clauses\":[{\"text\":\"检查企业3家\",\"start\":0,\"end\":6,\"cut\":false}],"
#define QUANTITY "\"quantities\":[{\"value\":3,\"unit\":\"家\",\"clause\":0}],"
#define V2(clauses, quantities, metrics)                                                           \
    HEAD2 SOURCE "\"document\":{},\"sections\":[],\"citations\":[]," clauses quantities            \
                 "\"metrics\":[" metrics "]}"

/* Version 2: every index into clauses and quantities is checked before a row is made. */
static void test_sink_checks_the_references_of_version_2(void **state)
{
    (void)state;
    char why[256];
    assert_true(check(V2(CLAUSES, QUANTITY, "{\"key\":\"a.b\",\"quantity\":0}"), why));
    assert_true(check(V2(CLAUSES, QUANTITY, "{\"key\":\"a.b\",\"evidence\":0}"), why));
    assert_false(check(V2(CLAUSES, QUANTITY, "{\"key\":\"a.b\",\"quantity\":1}"), why));
    assert_string_equal(why, "metrics[0].quantity is not an index into quantities (1 elements)");
    assert_false(check(V2(CLAUSES, QUANTITY, "{\"key\":\"a.b\",\"evidence\":-1}"), why));
    assert_string_equal(why, "metrics[0].evidence is not an index into clauses (1 elements)");
    assert_false(check(V2(CLAUSES, QUANTITY, "{\"key\":\"a.b\"}"), why));
    assert_string_equal(why, "metrics[0].evidence is not an index into clauses (1 elements)");
    assert_false(check(V2(CLAUSES, "\"quantities\":[{\"clause\":1}],", ""), why));
    assert_string_equal(why, "quantities[0].clause is not an index into clauses (1 elements)");
    assert_false(check(V2(CLAUSES, "\"quantities\":[{\"clause\":\"检查企业3家\"}],", ""), why));
    assert_string_equal(why, "quantities[0].clause is not an index into clauses (1 elements)");
    assert_false(check(V2("", QUANTITY, ""), why));
    assert_string_equal(why, "'clauses' is not an array");
    assert_false(check(V2("\"clauses\":[{\"start\":0}],", QUANTITY, ""), why));
    assert_string_equal(why, "clauses[0] has no text");
    /* version 1 carries its texts */
    assert_true(check(HEAD SOURCE "\"document\":{},\"sections\":[],\"citations\":[],"
                                  "\"quantities\":[{\"clause\":\"检查企业3家\"}],\"metrics\":[]}",
                      why));
}

/* A child row's columns must be of their kinds: jansson's reading made a string 0 or ''. */
static void test_sink_checks_the_kinds_of_columns(void **state)
{
    (void)state;
    char why[256];
#define V1(arrays) HEAD SOURCE "\"document\":{}," arrays "}"
    assert_true(check(V1("\"sections\":[{\"path\":\"1\",\"level\":1,\"start\":null}],"
                         "\"citations\":[],\"quantities\":[{\"value\":1.5,\"start\":3}],"
                         "\"metrics\":[{\"value\":2,\"confidence\":0.5}]"),
                      why));
    assert_false(check(V1("\"sections\":[],\"citations\":[],"
                          "\"quantities\":[{\"value\":1,\"start\":\"3\"}],\"metrics\":[]"),
                       why));
    assert_string_equal(why, "quantities[0].start is not an integer or null");
    assert_false(check(V1("\"sections\":[],\"citations\":[],"
                          "\"quantities\":[{\"value\":\"1\"}],\"metrics\":[]"),
                       why));
    assert_string_equal(why, "quantities[0].value is not a number or null");
    assert_false(check(V1("\"sections\":[{\"heading\":7}],\"citations\":[],"
                          "\"quantities\":[],\"metrics\":[]"),
                       why));
    assert_string_equal(why, "sections[0].heading is not a string or null");
    assert_false(check(V1("\"sections\":[],\"citations\":[3],\"quantities\":[],"
                          "\"metrics\":[]"),
                       why));
    assert_string_equal(why, "citations[0] is not an object");
    assert_false(check(V1("\"sections\":[],\"citations\":[],"
                          "\"quantities\":[{\"clause\":0}],\"metrics\":[]"),
                       why));
    assert_string_equal(why, "quantities[0].clause is not a string or null");
#undef V1
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sink_checks_the_region_code),
        cmocka_unit_test(test_sink_checks_the_pages),
        cmocka_unit_test(test_sink_accepts_a_well_formed_envelope),
        cmocka_unit_test(test_sink_rejects_with_a_reason),
        cmocka_unit_test(test_sink_checks_the_references_of_version_2),
        cmocka_unit_test(test_sink_checks_the_kinds_of_columns),
        cmocka_unit_test(test_sink_stores_under_the_rules_hash_or_a_legacy_name),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
