/* test_log.c - logfmt lines: escaping, character-safe cuts, one line per event. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "reportflow/log.h"

static void test_escape_forging_characters(void **state)
{
    (void)state;
    char out[128];
    const char in[] = "a\nts=x level=error msg=\"forged\"\\\t\r\x01\x7f";
    assert_true(rf_log_escape(in, strlen(in), out, sizeof(out)));
    assert_string_equal(out, "a\\nts=x level=error msg=\\\"forged\\\"\\\\\\t\\r\\x01\\x7F");
    assert_null(strchr(out, '\n'));
}

static void test_escape_keeps_utf8_and_marks_invalid_bytes(void **state)
{
    (void)state;
    char out[64];
    const char in[] = "报告\xb1\xa8\xb8\xe6.txt"; /* UTF-8, then GBK bytes */
    assert_true(rf_log_escape(in, strlen(in), out, sizeof(out)));
    assert_string_equal(out, "报告\\xB1\\xA8\\xB8\\xE6.txt");
}

static void test_escape_cut_is_character_safe(void **state)
{
    (void)state;
    char out[9];
    const char in[] = "ab报告书"; /* 2 + 3 * 3 bytes */
    assert_false(rf_log_escape(in, strlen(in), out, sizeof(out)));
    assert_string_equal(out, "ab报..."); /* 告 would leave no room for the marker */
    char out2[10];
    assert_false(rf_log_escape("\n\n\n\n\n\n", 6, out2, sizeof(out2)));
    assert_string_equal(out2, "\\n\\n\\n..."); /* never half an escape */
}

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

/* The whole line, as another program reading the log sees it. */
static char *capture_line(const char *name, bool json)
{
    char path[] = "/tmp/test_log.XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    fflush(stderr);
    int saved = dup(2);
    assert_true(dup2(fd, 2) >= 0);
    rf_log_init("test", RF_LOG_INFO, json);
    rf_warn("publish", "'%s' cannot be sent", name);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    char *buf = calloc(1, 4096);
    assert_non_null(buf);
    assert_true(pread(fd, buf, 4095, 0) > 0);
    close(fd);
    unlink(path);
    return buf;
}

static void test_line_is_logfmt_and_cannot_be_forged(void **state)
{
    (void)state;
    char *line =
        capture_line("x\n2026-01-01T00:00:00.000Z error [producer:x] forged\" level=error", false);
    const char *nl = strchr(line, '\n');
    assert_non_null(nl);
    assert_int_equal(nl[1], '\0'); /* exactly one line */
    assert_non_null(strstr(line, " level=warn program=test component=publish msg=\"'x\\n2026"));
    assert_non_null(strstr(line, "forged\\\" level=error' cannot be sent\"\n"));
    assert_int_equal(strncmp(line, "ts=", 3), 0);
    free(line);
}

/* JSON lines stay JSON whatever the name holds: jansson takes only UTF-8. */
static void test_json_line_with_bytes_that_are_not_utf8(void **state)
{
    (void)state;
    char *line = capture_line("\xb1\xa8\n{\"forged\":1}", true);
    const char *nl = strchr(line, '\n');
    assert_non_null(nl);
    assert_int_equal(nl[1], '\0');
    json_error_t jerr;
    json_t *o = json_loads(line, 0, &jerr);
    assert_non_null(o);
    const char *msg = json_string_value(json_object_get(o, "msg"));
    assert_non_null(msg);
    assert_string_equal(msg, "'\xef\xbf\xbd\xef\xbf\xbd\n{\"forged\":1}' cannot be sent");
    json_decref(o);
    free(line);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_escape_forging_characters),
        cmocka_unit_test(test_escape_keeps_utf8_and_marks_invalid_bytes),
        cmocka_unit_test(test_escape_cut_is_character_safe),
        cmocka_unit_test(test_utf8_seq_len),
        cmocka_unit_test(test_utf8_encode),
        cmocka_unit_test(test_utf8_cut_and_lossy),
        cmocka_unit_test(test_line_is_logfmt_and_cannot_be_forged),
        cmocka_unit_test(test_json_line_with_bytes_that_are_not_utf8),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
