/* test_utf8.c - the one set of UTF-8 rules: validity, encoding, cuts, repairs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "reportflow/utf8.h"

static void test_utf8_seq_len(void **state)
{
    (void)state;
    assert_int_equal(rf_utf8_seq_len("a", 1), 1);
    assert_int_equal(rf_utf8_seq_len("报", 3), 3);
    assert_int_equal(rf_utf8_seq_len("报", 2), 0);           /* cut short */
    assert_int_equal(rf_utf8_seq_len("\xc0\xaf", 2), 0);     /* overlong */
    assert_int_equal(rf_utf8_seq_len("\xed\xa0\x80", 3), 0); /* surrogate */
    assert_int_equal(rf_utf8_seq_len("\xf4\x90\x80\x80", 4), 0);
    assert_int_equal(rf_utf8_seq_len("\xf0\x9f\x98\x80", 4), 4);
    assert_int_equal(rf_utf8_seq_len("\x80", 1), 0);
}

/* Each length's first and last code point, and what is no character. */
static void test_utf8_encode(void **state)
{
    (void)state;
    static const struct {
        uint32_t cp;
        const char *utf8;
    } cases[] = {
        {0x0, ""}, /* NUL: one zero byte, strlen 0 */
        {0x41, "A"},
        {0x7f, "\x7f"},
        {0x80, "\xc2\x80"},
        {0xa0, "\xc2\xa0"},
        {0x7ff, "\xdf\xbf"},
        {0x800, "\xe0\xa0\x80"},
        {0x5bb6, "家"},
        {0xfffd, "\xef\xbf\xbd"},
        {0xffff, "\xef\xbf\xbf"},
        {0x10000, "\xf0\x90\x80\x80"},
        {0x1f600, "\xf0\x9f\x98\x80"},
        {0x10ffff, "\xf4\x8f\xbf\xbf"},
        {0xd800, "\xef\xbf\xbd"}, /* a surrogate is no character */
        {0xdfff, "\xef\xbf\xbd"},
        {0x110000, "\xef\xbf\xbd"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char out[5] = {1, 1, 1, 1, 1};
        size_t n = rf_utf8_encode(cases[i].cp, out);
        size_t want = cases[i].cp == 0 ? 1 : strlen(cases[i].utf8);
        if (n != want || memcmp(out, cases[i].utf8, want) != 0 || out[4] != 1) {
            fail_msg("U+%04X: %zu bytes, want %zu", (unsigned)cases[i].cp, n, want);
        }
        assert_int_equal(rf_utf8_seq_len(out, n), n); /* valid, and one character */
    }
}

static void test_utf8_cut_and_lossy(void **state)
{
    (void)state;
    const char s[] = "ab报告";
    assert_int_equal(rf_utf8_cut(s, 8, 8), 8);
    assert_int_equal(rf_utf8_cut(s, 8, 7), 5);
    assert_int_equal(rf_utf8_cut(s, 8, 4), 2);
    assert_int_equal(rf_utf8_cut(s, 8, 2), 2);
    char out[32];
    assert_true(rf_utf8_lossy("a\xb1\xa8z", 4, out, sizeof(out)));
    assert_string_equal(out, "a\xef\xbf\xbd\xef\xbf\xbdz");
    char small[6];
    assert_false(rf_utf8_lossy("ab报告", 8, small, sizeof(small)));
    assert_string_equal(small, "ab报");
}

/* What is UTF-8: every length of sequence; not: overlong forms, surrogates, past U+10FFFF, cut. */
static void test_utf8_valid_is_strict(void **state)
{
    (void)state;
    static const char *const valid[] = {
        "", "a\n", "\xc2\xa0", "罗湖区应急管理局2024年", "\xf0\x9f\x98\x80", "\xf4\x8f\xbf\xbf"};
    static const char *const invalid[] = {
        "\xc0\x80",         "\xc1\xbf",         "\xe0\x80\x80", "\xed\xa0\x80", "\xf0\x80\x80\x80",
        "\xf4\x90\x80\x80", "\xf5\x80\x80\x80", "\x80",         "\xe5\xae",     "a\xff"};
    for (size_t i = 0; i < sizeof(valid) / sizeof(valid[0]); i++) {
        assert_true(rf_utf8_valid(valid[i], strlen(valid[i])));
    }
    for (size_t i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++) {
        if (rf_utf8_valid(invalid[i], strlen(invalid[i]))) {
            fail_msg("invalid sequence %zu taken as UTF-8", i);
        }
    }
    assert_true(rf_utf8_valid("a\0b", 3)); /* NUL is a character; callers that refuse it say so */
}

static void test_utf8_cut_and_copy_between_characters(void **state)
{
    (void)state;
    const char *s = "截至二〇二三年"; /* 3 bytes a character */
    assert_int_equal(rf_utf8_cut(s, strlen(s), 40), strlen(s));
    assert_int_equal(rf_utf8_cut(s, strlen(s), 8), 6);
    assert_int_equal(rf_utf8_cut(s, strlen(s), 9), 9);
    assert_int_equal(rf_utf8_cut(s, strlen(s), 2), 0);
    char out[8];
    assert_true(rf_utf8_copy(out, sizeof(out), s, strlen(s)));
    assert_string_equal(out, "截至");
    assert_false(rf_utf8_copy(out, sizeof(out), "ab", 2));
    assert_string_equal(out, "ab");
}

/* What a byte-wise cut leaves behind goes; whole characters, and ASCII, stay. */
static void test_utf8_trim_partial(void **state)
{
    (void)state;
    const char four[] = "x\xF0\x9F\x98"; /* a 4-byte character missing its last byte */
    assert_int_equal(rf_utf8_trim_partial(four, 4), 1);
    const char whole[] = "x\xF0\x9F\x98\x80";
    assert_int_equal(rf_utf8_trim_partial(whole, 5), 5);
    assert_int_equal(rf_utf8_trim_partial("\xC3", 1), 0);
    assert_int_equal(rf_utf8_trim_partial("ab\xE6\xB5", 4), 2);
    assert_int_equal(rf_utf8_trim_partial("plain", 5), 5);
    assert_int_equal(rf_utf8_trim_partial("", 0), 0);
    /* three continuation bytes: the lead byte, if any, is past where a cut can leave one */
    assert_int_equal(rf_utf8_trim_partial("a\x80\x80\x80", 4), 4);
}

/* No room at all, a 4-byte character that does not fit, bytes that are not UTF-8 at the cut. */
static void test_utf8_copy_edges(void **state)
{
    (void)state;
    char out[4] = "zzz";
    assert_true(rf_utf8_copy(out, 0, "a", 1));
    assert_string_equal(out, "zzz"); /* nothing written */
    assert_false(rf_utf8_copy(out, 0, "", 0));
    assert_true(rf_utf8_copy(out, 3, "\xf0\x9f\x98\x80x", 5));
    assert_string_equal(out, "");
    /* stray continuation bytes: no character to keep whole, so a plain byte cut */
    assert_true(rf_utf8_copy(out, sizeof(out), "\x80\x80\x80\x80\x80", 5));
    assert_string_equal(out, "\x80\x80\x80");
}

static void test_utf8_copy_str_cuts_before_a_split_character(void **state)
{
    (void)state;
    char dst[5];
    rf_utf8_copy_str(dst, sizeof(dst),
                     "ab应急管理"); /* "ab" + 3-byte characters: room for 4 bytes */
    assert_string_equal(dst, "ab");
    char six[6];
    rf_utf8_copy_str(six, sizeof(six), "ab应急");
    assert_string_equal(six, "ab应");
    char small[5];
    rf_utf8_copy_str(small, sizeof(small), "a应急");
    assert_string_equal(small, "a应");
    rf_utf8_copy_str(small, sizeof(small), "abcdefg");
    assert_string_equal(small, "abcd");
    rf_utf8_copy_str(small, sizeof(small), "ok");
    assert_string_equal(small, "ok");
}

static void test_utf8_trim_str_keeps_whole_characters(void **state)
{
    (void)state;
    char four[] = "x\xF0\x9F\x98"; /* a 4-byte character missing its last byte */
    rf_utf8_trim_str(four);
    assert_string_equal(four, "x");
    char whole[] = "x\xF0\x9F\x98\x80";
    rf_utf8_trim_str(whole);
    assert_string_equal(whole, "x\xF0\x9F\x98\x80");
    char two[] = "\xC3";
    rf_utf8_trim_str(two);
    assert_string_equal(two, "");
    char ascii[] = "plain";
    rf_utf8_trim_str(ascii);
    assert_string_equal(ascii, "plain");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_utf8_seq_len),
        cmocka_unit_test(test_utf8_valid_is_strict),
        cmocka_unit_test(test_utf8_encode),
        cmocka_unit_test(test_utf8_cut_and_lossy),
        cmocka_unit_test(test_utf8_cut_and_copy_between_characters),
        cmocka_unit_test(test_utf8_trim_partial),
        cmocka_unit_test(test_utf8_copy_edges),
        cmocka_unit_test(test_utf8_copy_str_cuts_before_a_split_character),
        cmocka_unit_test(test_utf8_trim_str_keeps_whole_characters),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
