/*
 * test_jsontok.c - the sink's JSON index against jansson, which the sink used
 * before: the same texts accepted and refused, and what is accepted read the
 * same (strings decoded, integers, reals, members, elements).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "jsontok.h"

/* Does the index read @p at as jansson reads @p v? Recursive over both. */
static bool same_value(const struct jsontok *j, jsontok_at at, json_t *v)
{
    int type = jsontok_type(j, at);
    switch (json_typeof(v)) {
    case JSON_OBJECT: {
        const char *name;
        json_t *member;
        json_object_foreach(v, name, member)
        {
            if (!same_value(j, jsontok_get(j, at, name), member)) {
                return false;
            }
        }
        return type == JSONTOK_OBJECT && jsontok_count(j, at) >= json_object_size(v);
    }
    case JSON_ARRAY: {
        if (type != JSONTOK_ARRAY || jsontok_count(j, at) != json_array_size(v)) {
            return false;
        }
        jsontok_at el = jsontok_first(j, at);
        for (size_t i = 0; i < json_array_size(v); i++, el = jsontok_after(j, at, el)) {
            if (!same_value(j, el, json_array_get(v, i))) {
                return false;
            }
        }
        return el == JSONTOK_NONE;
    }
    case JSON_STRING: {
        struct rf_buf b = RF_BUF_INIT;
        bool same = type == JSONTOK_STRING && jsontok_append_string(j, at, &b, NULL) == 0 &&
                    b.len == json_string_length(v) &&
                    (b.len == 0 || memcmp(b.data, json_string_value(v), b.len) == 0);
        rf_buf_release(&b);
        return same;
    }
    case JSON_INTEGER: {
        long long n;
        return jsontok_int(j, at, &n) && n == json_integer_value(v);
    }
    case JSON_REAL: {
        double d;
        return type == JSONTOK_REAL && jsontok_number(j, at, &d) && d == json_real_value(v);
    }
    case JSON_TRUE:
        return type == JSONTOK_TRUE;
    case JSON_FALSE:
        return type == JSONTOK_FALSE;
    default:
        return type == JSONTOK_NULL;
    }
}

/* Both read @p text alike: both refuse it, or both accept it and read the same values. */
static void assert_like_jansson(struct jsontok *j, const char *text, size_t len)
{
    char why[256] = "";
    int ours = jsontok_parse(j, text, len, why, sizeof(why));
    json_error_t err;
    json_t *theirs = json_loadb(text, len, JSON_DECODE_ANY, &err);
    if ((ours == 0) != (theirs != NULL)) {
        fail_msg("jsontok %s, jansson %s: '%.*s' (%s / %s)", ours == 0 ? "accepts" : "refuses",
                 theirs ? "accepts" : "refuses", (int)len, text, why, err.text);
    }
    if (theirs && !same_value(j, jsontok_root(j), theirs)) {
        fail_msg("read differently: '%.*s'", (int)len, text);
    }
    json_decref(theirs);
}

static void test_jsontok_grammar_as_jansson(void **state)
{
    (void)state;
    static const char *const texts[] = {"{}",
                                        "[]",
                                        "{\"a\":1}",
                                        " {\"a\" : [1, 2.5, -3e2, true, false, null]} ",
                                        "\"s\"",
                                        "0",
                                        "-0",
                                        "-0.0",
                                        "1e400",
                                        "9223372036854775807",
                                        "9223372036854775808",
                                        "-9223372036854775808",
                                        "-9223372036854775809",
                                        "01",
                                        "1.",
                                        ".5",
                                        "1e",
                                        "1e+",
                                        "+1",
                                        "-",
                                        "[1,]",
                                        "[,1]",
                                        "{\"a\":1,}",
                                        "{\"a\"}",
                                        "{\"a\":}",
                                        "{a:1}",
                                        "{\"a\":1 \"b\":2}",
                                        "[1 2]",
                                        "[",
                                        "]",
                                        "{",
                                        "}",
                                        "",
                                        " ",
                                        "[1]x",
                                        "[1] [2]",
                                        "tru",
                                        "nul",
                                        "[true,fals]",
                                        "\"a\\u0041b\"",
                                        "\"\\ud83d\\ude00\"",
                                        "\"\\ud83d\"",
                                        "\"\\ude00\"",
                                        "\"\\ud83dx\"",
                                        "\"\\u00\"",
                                        "\"\\uZZZZ\"",
                                        "\"\\x\"",
                                        "\"\\/\\b\\f\\n\\r\\t\\\"\\\\\"",
                                        "\"\\u0000\"",
                                        "\"a\tb\"",
                                        "\"a\nb\"",
                                        "\"\x7f\"",
                                        "\"\xe6\xa3\x80\"",
                                        "\"\xe6\xa3\"",
                                        "\"\xc0\x80\"",
                                        "\"\xed\xa0\x80\"",
                                        "\"\xf4\x90\x80\x80\"",
                                        "\"\xff\"",
                                        "\"unterminated",
                                        "{\"a\":1,\"a\":2}",
                                        "[[[[[[]]]]]]",
                                        "{\"\\u0061\":\"x\"}",
                                        "[1.5e-400]",
                                        "[-1E+2]",
                                        "\xef\xbb\xbf{}"};
    struct jsontok j = JSONTOK_INIT;
    for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
        assert_like_jansson(&j, texts[i], strlen(texts[i]));
    }
    /* a NUL byte inside the text */
    assert_like_jansson(&j, "[1]\0", 4);
    assert_like_jansson(&j, "\"a\0b\"", 5);
    jsontok_release(&j);
}

/* The last member of a name counts, as in jansson; an escaped name matches its decoding. */
static void test_jsontok_members(void **state)
{
    (void)state;
    struct jsontok j = JSONTOK_INIT;
    char why[256];
    const char *text = "{\"a\":1,\"b\":{\"c\":[10,20,30]},\"a\":2,\"\\u0064\":\"e\"}";
    assert_int_equal(jsontok_parse(&j, text, strlen(text), why, sizeof(why)), 0);
    long long n = 0;
    assert_true(jsontok_int(&j, jsontok_get(&j, jsontok_root(&j), "a"), &n));
    assert_int_equal(n, 2);
    jsontok_at c = jsontok_get(&j, jsontok_get(&j, jsontok_root(&j), "b"), "c");
    jsontok_at third = jsontok_after(&j, c, jsontok_after(&j, c, jsontok_first(&j, c)));
    assert_true(jsontok_int(&j, third, &n));
    assert_int_equal(n, 30);
    assert_int_equal(jsontok_after(&j, c, third), JSONTOK_NONE);
    char s[8];
    assert_int_equal(jsontok_string(&j, jsontok_get(&j, jsontok_root(&j), "d"), s, sizeof(s)), 1);
    assert_string_equal(s, "e");
    assert_int_equal(jsontok_get(&j, jsontok_root(&j), "z"), JSONTOK_NONE);
    assert_int_equal(jsontok_get(&j, c, "a"), JSONTOK_NONE); /* not an object */
    size_t len;
    const char *raw = jsontok_json(&j, jsontok_get(&j, jsontok_root(&j), "b"), &len);
    assert_int_equal(len, strlen("{\"c\":[10,20,30]}"));
    assert_memory_equal(raw, "{\"c\":[10,20,30]}", len);
    raw = jsontok_json(&j, jsontok_get(&j, jsontok_root(&j), "d"), &len);
    assert_memory_equal(raw, "\"e\"", len);
    /* a string that does not fit is refused whole */
    assert_int_equal(jsontok_string(&j, jsontok_get(&j, jsontok_root(&j), "d"), s, 1), -1);
    jsontok_release(&j);
}

/* A NUL byte is JSON nowhere (RFC 8259), and is refused wherever it stands. jansson takes one
   right after a number for the number's end and reads on (libFuzzer found it): there the
   reader is stricter than jansson, and the sink's fuzz target knows it. */
static void test_jsontok_nul_byte_refused(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        size_t len;
    } texts[] = {{"{\"a\":5\0}", 7},
                 {"{\"a\":0.5\0}", 9},
                 {"{\"a\":\"x\0\"}", 9},
                 {"{\"a\":1}\0", 8},
                 {"{\0\"a\":1}", 8}};
    struct jsontok j = JSONTOK_INIT;
    for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
        char why[256] = "";
        if (jsontok_parse(&j, texts[i].text, texts[i].len, why, sizeof(why)) == 0) {
            fail_msg("text %zu with a NUL byte accepted", i);
        }
        assert_true(why[0] != '\0');
    }
    jsontok_release(&j);
}

/* Deeper than JSONTOK_MAX_DEPTH or a number past 128 bytes: refused, saying why. */
static void test_jsontok_limits(void **state)
{
    (void)state;
    struct jsontok j = JSONTOK_INIT;
    char why[256], text[256];
    memset(text, '[', JSONTOK_MAX_DEPTH);
    memset(text + JSONTOK_MAX_DEPTH, ']', JSONTOK_MAX_DEPTH);
    assert_int_equal(jsontok_parse(&j, text, 2 * JSONTOK_MAX_DEPTH, why, sizeof(why)), 0);
    memset(text, '[', JSONTOK_MAX_DEPTH + 1);
    memset(text + JSONTOK_MAX_DEPTH + 1, ']', JSONTOK_MAX_DEPTH + 1);
    assert_int_equal(jsontok_parse(&j, text, 2 * JSONTOK_MAX_DEPTH + 2, why, sizeof(why)), -1);
    assert_non_null(strstr(why, "nested deeper than 64"));
    memset(text, '1', 129);
    assert_int_equal(jsontok_parse(&j, text, 129, why, sizeof(why)), -1);
    assert_non_null(strstr(why, "longer than 128 bytes"));
    assert_int_equal(jsontok_parse(&j, text, 18, why, sizeof(why)), 0);
    jsontok_release(&j);
}

/* An envelope-like text with every kind of value, bytes changed at random: read as jansson does. */
static void test_jsontok_mutations_as_jansson(void **state)
{
    (void)state;
    static const char base[] =
        "{\"schema\":\"reportflow.envelope\",\"schema_version\":2,\"doc_id\":\"0f88\","
        "\"source\":{\"pages\":null,\"ocr\":0,\"html\":false},\"clauses\":[{\"text\":"
        "\"\xe6\xa3\x80\xe6\x9f\xa5\\n3\\u5bb6\\ud83d\\ude00\",\"cut\":true}],\"quantities\":["
        "{\"value\":1.5e3,\"start\":-12,\"clause\":0}],\"metrics\":[{\"yoy_pct\":-9.2,"
        "\"confidence\":0.9925}]}";
    static const char alphabet[] = "{}[]\",:\\u0123456789.eE+-tfnl \xe6\xa3\x80\xff\t";
    struct jsontok j = JSONTOK_INIT;
    char text[sizeof(base)];
    uint32_t seed = 12345;
    for (int round = 0; round < 20000; round++) {
        memcpy(text, base, sizeof(base));
        size_t len = sizeof(base) - 1;
        for (int k = 0; k < 1 + round % 3; k++) {
            seed = seed * 1103515245u + 12345u;
            size_t at = (seed >> 8) % len;
            seed = seed * 1103515245u + 12345u;
            text[at] = alphabet[(seed >> 8) % (sizeof(alphabet) - 1)];
        }
        seed = seed * 1103515245u + 12345u;
        if (round % 5 == 0) {
            len = (seed >> 8) % len; /* cut short too */
        }
        assert_like_jansson(&j, text, len);
    }
    jsontok_release(&j);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_jsontok_grammar_as_jansson),
        cmocka_unit_test(test_jsontok_members),
        cmocka_unit_test(test_jsontok_limits),
        cmocka_unit_test(test_jsontok_nul_byte_refused),
        cmocka_unit_test(test_jsontok_mutations_as_jansson),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
