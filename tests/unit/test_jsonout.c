/*
 * test_jsonout.c - the envelope's JSON writer: what it writes reads back as the
 * values written, strings are escaped as jansson escapes them, reals take the
 * fewest digits that read back the same, and a failure sticks.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "jsonout.h"

/* The text @p o holds, taken (caller frees). */
static char *taken(struct jsonout *o)
{
    size_t len = 0;
    char *text = jsonout_take(o, &len);
    assert_non_null(text);
    assert_int_equal(strlen(text), len);
    return text;
}

/* Every byte that needs an escape, next to UTF-8 that does not: as jansson writes it. */
static void test_strings_escaped_as_jansson_escapes_them(void **state)
{
    (void)state;
    char s[64];
    size_t n = 0;
    for (unsigned c = 1; c < 0x20; c++) {
        s[n++] = (char)c;
    }
    static const char rest[] = "\"\\/\x7f检查“A”";
    memcpy(s + n, rest, sizeof(rest));
    struct jsonout o;
    jsonout_init(&o);
    jsonout_array(&o, NULL);
    jsonout_str(&o, NULL, s);
    jsonout_strn(&o, NULL, "a\0b", 3);
    jsonout_close_array(&o);
    char *ours = taken(&o);
    json_t *arr = json_pack("[s, s#]", s, "a\0b", (int)3);
    char *theirs = json_dumps(arr, JSON_COMPACT);
    assert_string_equal(ours, theirs);
    free(theirs);
    json_decref(arr);
    free(ours);
}

/* Keys, nesting and the commas between members, null for a NULL string. */
static void test_nesting_commas_and_null(void **state)
{
    (void)state;
    struct jsonout o;
    jsonout_init(&o);
    jsonout_object(&o, NULL);
    jsonout_str(&o, "a", NULL);
    jsonout_bool(&o, "b", true);
    jsonout_bool(&o, "c", false);
    jsonout_array(&o, "d");
    jsonout_close_array(&o);
    jsonout_array(&o, "e");
    jsonout_int(&o, NULL, 1);
    jsonout_object(&o, NULL);
    jsonout_close_object(&o);
    jsonout_array(&o, NULL);
    jsonout_null(&o, NULL);
    jsonout_close_array(&o);
    jsonout_close_array(&o);
    jsonout_null(&o, "f");
    jsonout_close_object(&o);
    char *text = taken(&o);
    assert_string_equal(
        text, "{\"a\":null,\"b\":true,\"c\":false,\"d\":[],\"e\":[1,{},[null]],\"f\":null}");
    free(text);
}

static void test_integers_to_their_limits(void **state)
{
    (void)state;
    struct jsonout o;
    jsonout_init(&o);
    jsonout_array(&o, NULL);
    jsonout_int(&o, NULL, 0);
    jsonout_int(&o, NULL, -7);
    jsonout_int(&o, NULL, LLONG_MAX);
    jsonout_int(&o, NULL, LLONG_MIN);
    jsonout_number(&o, NULL, 1234.0);   /* an integral double is an integer */
    jsonout_number(&o, NULL, -50000.0); /* so is a negative one */
    jsonout_real(&o, NULL, 5.0);        /* unless it is to stay a real (a confidence of 1.0) */
    jsonout_real(&o, NULL, 1e20);
    jsonout_close_array(&o);
    char *text = taken(&o);
    assert_string_equal(text,
                        "[0,-7,9223372036854775807,-9223372036854775808,1234,-50000,5.0,1e+20]");
    free(text);
}

/* Each real reads back as the same double, in no more digits than it needs. */
static void test_reals_shortest_and_exact(void **state)
{
    (void)state;
    static const double values[] = {0.9925,    0.1,     1.0 / 3.0, -12.5,        2.5e-7,
                                    1e300,     DBL_MIN, DBL_MAX,   0.8 * 0.9925, 4503599627370495.5,
                                    123456.789};
    size_t n = sizeof(values) / sizeof(values[0]);
    struct jsonout o;
    jsonout_init(&o);
    jsonout_array(&o, NULL);
    for (size_t i = 0; i < n; i++) {
        jsonout_number(&o, NULL, values[i]);
    }
    jsonout_close_array(&o);
    char *text = taken(&o);
    assert_non_null(strstr(text, "[0.9925,0.1,"));
    assert_non_null(strstr(text, ",-12.5,"));
    json_error_t error;
    json_t *arr = json_loads(text, 0, &error);
    assert_non_null(arr);
    assert_int_equal(json_array_size(arr), n);
    for (size_t i = 0; i < n; i++) {
        json_t *v = json_array_get(arr, i);
        assert_true(json_is_real(v)); /* a real, even 1e300, is never read as an integer */
        assert_true(json_real_value(v) == values[i]);
    }
    json_decref(arr);
    free(text);
}

/* A number JSON cannot hold fails the writer, and the failure sticks. */
static void test_a_failure_sticks(void **state)
{
    (void)state;
    struct jsonout o;
    jsonout_init(&o);
    jsonout_array(&o, NULL);
    jsonout_number(&o, NULL, INFINITY);
    jsonout_int(&o, NULL, 1);
    jsonout_close_array(&o);
    assert_true(jsonout_failed(&o));
    size_t len = 99;
    assert_null(jsonout_take(&o, &len));
    assert_int_equal(len, 99);
    jsonout_release(&o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_strings_escaped_as_jansson_escapes_them),
        cmocka_unit_test(test_nesting_commas_and_null),
        cmocka_unit_test(test_integers_to_their_limits),
        cmocka_unit_test(test_reals_shortest_and_exact),
        cmocka_unit_test(test_a_failure_sticks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
