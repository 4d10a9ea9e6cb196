/*
 * test_rules_core_keys.c - the rule set's "core_keys": loaded in order, refused when malformed;
 * and the rule set's hash, which names its extractions (sql/012).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "rules.h"

/* The real rule set with "core_keys" replaced by @p keys (JSON, or NULL: removed), loaded. */
static struct rules *load_with(const char *keys, char *errstr, size_t errstr_size)
{
    json_error_t jerr;
    json_t *root = json_load_file(RF_RULES_PATH, 0, &jerr);
    assert_non_null(root);
    json_object_del(root, "model"); /* relative names: the copy lives elsewhere */
    json_object_del(root, "gazetteer");
    json_object_del(root, "script_fold_table");
    json_object_del(root, "core_keys");
    if (keys) {
        json_t *k = json_loads(keys, JSON_DECODE_ANY, &jerr);
        assert_non_null(k);
        json_object_set_new(root, "core_keys", k);
    }
    char path[] = "/tmp/rf-rules-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(json_dump_file(root, path, 0), 0);
    json_decref(root);
    struct rules *r = rules_load(path, errstr, errstr_size);
    unlink(path);
    return r;
}

/* An edit that keeps the version number still gives the rule set another hash. */
static void test_rules_hash_follows_the_bytes_not_the_version(void **state)
{
    (void)state;
    char errstr[512];
    struct rules *a = load_with(NULL, errstr, sizeof(errstr));
    struct rules *again = load_with(NULL, errstr, sizeof(errstr));
    struct rules *edited = load_with("[\"hazards.found\"]", errstr, sizeof(errstr));
    assert_non_null(a);
    assert_non_null(again);
    assert_non_null(edited);
    assert_int_equal(strlen(a->hash), RULES_HASH_LEN);
    assert_int_equal(strspn(a->hash, "0123456789abcdef"), RULES_HASH_LEN);
    assert_string_equal(a->hash, again->hash);
    assert_string_equal(a->version, edited->version);
    assert_string_not_equal(a->hash, edited->hash);
    rules_free(a);
    rules_free(again);
    rules_free(edited);
}

static void test_core_keys_of_the_shipped_rule_set(void **state)
{
    (void)state;
    char errstr[512];
    struct rules *r = rules_load(RF_RULES_PATH, errstr, sizeof(errstr));
    assert_non_null(r);
    assert_int_equal(r->core_key_cnt, 16); /* docs/TAXONOMY.md's core keys */
    assert_string_equal(r->core_keys[0], "inspection.enterprises");
    assert_string_equal(r->core_keys[15], "accidents.deaths");
    rules_free(r);
}

static void test_core_keys_are_optional(void **state)
{
    (void)state;
    char errstr[512];
    struct rules *r = load_with(NULL, errstr, sizeof(errstr));
    assert_non_null(r);
    assert_int_equal(r->core_key_cnt, 0);
    rules_free(r);
}

static void test_core_keys_refuse_what_names_no_column(void **state)
{
    (void)state;
    const char *bad[][2] = {
        {"\"hazards.found\"", "must be an array"},
        {"[\"hazards.found\", \"Hazards.Major\"]", "item 2 must be a key"},
        {"[\"hazards\"]", "item 1 must be a key"},
        {"[\"hazards.found; DROP\"]", "item 1 must be a key"},
        {"[\"hazards.found\", 3]", "item 2 must be a key"},
        {"[\"cases.filed\", \"cases.filed\"]", "lists \"cases.filed\" twice"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char errstr[512] = "";
        struct rules *r = load_with(bad[i][0], errstr, sizeof(errstr));
        assert_null(r);
        if (!strstr(errstr, bad[i][1])) {
            fail_msg("core_keys %s: got '%s', want '%s'", bad[i][0], errstr, bad[i][1]);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_core_keys_of_the_shipped_rule_set),
        cmocka_unit_test(test_rules_hash_follows_the_bytes_not_the_version),
        cmocka_unit_test(test_core_keys_are_optional),
        cmocka_unit_test(test_core_keys_refuse_what_names_no_column),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
