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
        cmocka_unit_test(test_line_is_logfmt_and_cannot_be_forged),
        cmocka_unit_test(test_json_line_with_bytes_that_are_not_utf8),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
