/* test_http.c - Prometheus text: escaping, summaries as _sum and _count, process_* metrics. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "reportflow/buf.h"
#include "reportflow/http.h"

static void test_label_values_escaped(void **state)
{
    (void)state;
    struct rf_buf b = RF_BUF_INIT;
    assert_int_equal(rf_http_escape_label(&b, "a\"b\\c\nd"), 0);
    assert_string_equal(b.data, "a\\\"b\\\\c\\nd");
    rf_buf_release(&b);
}

static void test_help_escaped_quotes_kept(void **state)
{
    (void)state;
    struct rf_buf b = RF_BUF_INIT;
    assert_int_equal(rf_http_render_family(&b, "x_total", "counter", "say \"hi\"\\ now\nthen"), 0);
    assert_string_equal(b.data,
                        "# HELP x_total say \"hi\"\\\\ now\\nthen\n# TYPE x_total counter\n");
    rf_buf_release(&b);
}

static void test_summary_shares_one_family(void **state)
{
    (void)state;
    const struct rf_metric m[] = {
        {"rf_sent_total", "counter", "Sent.", 3},
        {"rf_latency_seconds_sum", "summary", "Latency.", 1.5},
        {"rf_latency_seconds_count", "summary", "Latency.", 3},
        {"rf_queued", "gauge", "Queued.", 0},
    };
    struct rf_buf b = RF_BUF_INIT;
    assert_int_equal(rf_http_render_metrics(&b, m, 4), 0);
    const char *want = "# HELP rf_sent_total Sent.\n# TYPE rf_sent_total counter\nrf_sent_total 3\n"
                       "# HELP rf_latency_seconds Latency.\n# TYPE rf_latency_seconds summary\n"
                       "rf_latency_seconds_sum 1.5\nrf_latency_seconds_count 3\n"
                       "# HELP rf_queued Queued.\n# TYPE rf_queued gauge\nrf_queued 0\n";
    assert_memory_equal(b.data, want, strlen(want));
    assert_null(strstr(b.data, "seconds_max"));
    rf_buf_release(&b);
}

static void test_process_metrics_from_proc(void **state)
{
    (void)state;
    struct rf_buf b = RF_BUF_INIT;
    assert_int_equal(rf_http_render_process(&b), 0);
    const char *names[] = {"\nprocess_cpu_seconds_total ", "\nprocess_resident_memory_bytes ",
                           "\nprocess_start_time_seconds ", "\nprocess_open_fds ",
                           "# TYPE process_cpu_seconds_total counter\n"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        assert_non_null(strstr(b.data, names[i]));
    }
    double rss = atof(strstr(b.data, "\nprocess_resident_memory_bytes ") + 31);
    double start = atof(strstr(b.data, "\nprocess_start_time_seconds ") + 28);
    assert_true(rss > 1e5);
    assert_true(start > 1.6e9); /* seconds since the epoch, not since boot */
    rf_buf_release(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_label_values_escaped),
        cmocka_unit_test(test_help_escaped_quotes_kept),
        cmocka_unit_test(test_summary_shares_one_family),
        cmocka_unit_test(test_process_metrics_from_proc),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
