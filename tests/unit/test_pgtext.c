/* test_pgtext.c - bytes of any kind made into text PostgreSQL accepts, and the dead-letter key
 * (db.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dead_letters.h"
#include "pgtext.h"

static char *lossy(const char *s, size_t len, size_t max)
{
    struct rf_buf out = RF_BUF_INIT;
    assert_int_equal(pgtext_append_lossy(&out, s, len, max), 0);
    assert_int_equal(rf_buf_append(&out, "", 0), 0);
    return rf_buf_detach(&out);
}

static void assert_lossy(const char *s, size_t len, size_t max, const char *want)
{
    char *got = lossy(s, len, max);
    assert_string_equal(got, want);
    assert_true(pgtext_is_clean(got, strlen(got)));
    free(got);
}

static void test_pgtext_clean_text_unchanged(void **state)
{
    (void)state;
    const char *s = "报告 report.txt 😀";
    assert_true(pgtext_is_clean(s, strlen(s)));
    assert_lossy(s, strlen(s), 1000, s);
}

static void test_pgtext_gbk_name_lossy(void **state)
{
    (void)state;
    /* 测试.txt in GBK: not UTF-8 */
    const char gbk[] = "\xb2\xe2\xca\xd4.txt";
    assert_false(pgtext_is_clean(gbk, strlen(gbk)));
    assert_lossy(gbk, strlen(gbk), 1000, "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD.txt");
}

static void test_pgtext_nul_and_bad_sequences(void **state)
{
    (void)state;
    const char nul[] = "a\0b";
    assert_false(pgtext_is_clean(nul, 3));
    assert_lossy(nul, 3, 100,
                 "a\xEF\xBF\xBD"
                 "b");
    /* overlong '/', a surrogate, past U+10FFFF, a cut sequence */
    assert_false(pgtext_is_clean("\xC0\xAF", 2));
    assert_false(pgtext_is_clean("\xED\xA0\x80", 3));
    assert_false(pgtext_is_clean("\xF4\x90\x80\x80", 4));
    assert_false(pgtext_is_clean("\xE6\xB5", 2));
    assert_lossy("x\xE6\xB5", 3, 100, "x\xEF\xBF\xBD\xEF\xBF\xBD");
}

static void test_pgtext_cut_at_a_character_boundary(void **state)
{
    (void)state;
    const char *s = "测试abc"; /* 3 + 3 + 3 bytes */
    assert_lossy(s, strlen(s), 5, "测");
    assert_lossy(s, strlen(s), 6, "测试");
    assert_lossy(s, strlen(s), 7, "测试a");
    assert_lossy("\xff\xff", 2, 4, "\xEF\xBF\xBD");
}

static void test_pgtext_copy_cuts_between_characters(void **state)
{
    (void)state;
    char out[8];
    pgtext_copy(out, sizeof(out), "ab测试cd"); /* 2 + 3 + 3 + 2 bytes */
    assert_string_equal(out, "ab测");          /* 测试 would need 9 bytes with the NUL */
    pgtext_copy(out, 6, "ab测试cd");
    assert_string_equal(out, "ab测");
    pgtext_copy(out, 5, "ab测试cd");
    assert_string_equal(out, "ab");
    pgtext_copy(out, sizeof(out), "short");
    assert_string_equal(out, "short");
    pgtext_copy(out, 3, "😀x");
    assert_string_equal(out, "");
}

static void test_letter_key_tells_replay_from_new_record(void **state)
{
    (void)state;
    char a[65], replay[65], reused_offset[65], other_payload[65];
    dead_letters_key("reports.dlq", 1, 0, 1700000000000LL, "bytes", 5, a);
    dead_letters_key("reports.dlq", 1, 0, 1700000000000LL, "bytes", 5, replay);
    dead_letters_key("reports.dlq", 1, 0, 1700000099000LL, "bytes", 5, reused_offset);
    dead_letters_key("reports.dlq", 1, 0, 1700000000000LL, "other", 5, other_payload);
    assert_int_equal(strlen(a), 64);
    assert_string_equal(a, replay);
    assert_string_not_equal(a, reused_offset); /* topic recreated: offsets start again */
    assert_string_not_equal(a, other_payload);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pgtext_clean_text_unchanged),
        cmocka_unit_test(test_pgtext_gbk_name_lossy),
        cmocka_unit_test(test_pgtext_nul_and_bad_sequences),
        cmocka_unit_test(test_pgtext_cut_at_a_character_boundary),
        cmocka_unit_test(test_pgtext_copy_cuts_between_characters),
        cmocka_unit_test(test_letter_key_tells_replay_from_new_record),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
