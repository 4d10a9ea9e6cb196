/* test_http.c - Prometheus text: escaping, summaries as _sum and _count, process_* metrics. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

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

/* A TCP connection to 127.0.0.1:@p port, or -1. */
static int connect_local(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* True when the server closes @p fd within @p ms (read gives end of file or a reset). */
static bool closed_within(int fd, int ms)
{
    struct pollfd p = {fd, POLLIN, 0};
    char c;
    return poll(&p, 1, ms) == 1 && read(fd, &c, 1) <= 0;
}

/* Idle connections from one address cannot take the server: past 8, the next is closed. */
static void test_metrics_server_bounds_idle_connections(void **state)
{
    (void)state;
    char errstr[256];
    int port = 0;
    struct rf_http *http = NULL;
    for (int p = 39151; !http && p < 39251; p++) { /* a free port of a range nothing else uses */
        char listen[32];
        snprintf(listen, sizeof(listen), "127.0.0.1:%d", p);
        http = rf_http_start(listen, errstr, sizeof(errstr));
        port = p;
    }
    assert_non_null(http);
    int idle[8];
    for (int i = 0; i < 8; i++) {
        idle[i] = connect_local(port);
        assert_true(idle[i] >= 0);
    }
    int extra = connect_local(port);
    assert_true(extra >= 0);
    assert_true(closed_within(extra, 2000));
    assert_false(closed_within(idle[0], 200)); /* the first ones are still served */
    for (int i = 0; i < 8; i++) {
        close(idle[i]);
    }
    close(extra);
    rf_http_stop(http);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_metrics_server_bounds_idle_connections),
        cmocka_unit_test(test_label_values_escaped),
        cmocka_unit_test(test_help_escaped_quotes_kept),
        cmocka_unit_test(test_summary_shares_one_family),
        cmocka_unit_test(test_process_metrics_from_proc),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
