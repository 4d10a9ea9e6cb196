/* test_lag_text.c - cuts of Kafka names and reasons land on UTF-8 character boundaries. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "text.h"

static void test_copy_cuts_before_a_split_character(void **state)
{
    (void)state;
    char dst[5];
    text_copy(dst, sizeof(dst), "ab应急管理"); /* "ab" + 3-byte characters: room for 4 bytes */
    assert_string_equal(dst, "ab");
    char six[6];
    text_copy(six, sizeof(six), "ab应急");
    assert_string_equal(six, "ab应");
    char small[5];
    text_copy(small, sizeof(small), "a应急");
    assert_string_equal(small, "a应");
    text_copy(small, sizeof(small), "abcdefg");
    assert_string_equal(small, "abcd");
    text_copy(small, sizeof(small), "ok");
    assert_string_equal(small, "ok");
}

static void test_trim_keeps_whole_characters(void **state)
{
    (void)state;
    char four[] = "x\xF0\x9F\x98"; /* a 4-byte character missing its last byte */
    text_trim_partial(four);
    assert_string_equal(four, "x");
    char whole[] = "x\xF0\x9F\x98\x80";
    text_trim_partial(whole);
    assert_string_equal(whole, "x\xF0\x9F\x98\x80");
    char two[] = "\xC3";
    text_trim_partial(two);
    assert_string_equal(two, "");
    char ascii[] = "plain";
    text_trim_partial(ascii);
    assert_string_equal(ascii, "plain");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_copy_cuts_before_a_split_character),
        cmocka_unit_test(test_trim_keeps_whole_characters),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
