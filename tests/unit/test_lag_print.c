/* test_lag_print.c - a lag sample as Prometheus text and as the status page. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "page.h"
#include "print.h"
#include "reportflow/buf.h"

/* One group "a<b>\"c" with a stuck partition owned by consumer-1 and an OK one. */
static void make_sample(struct lag_sample *s, struct lag_group *g, struct lag_partition *parts,
                        int64_t at_ms, int64_t lag)
{
    memset(s, 0, sizeof(*s));
    memset(g, 0, sizeof(*g));
    memset(parts, 0, 2 * sizeof(*parts));
    snprintf(g->name, sizeof(g->name), "a<b>\"c");
    snprintf(g->state, sizeof(g->state), "Stable");
    g->members = 2;
    for (int i = 0; i < 2; i++) {
        snprintf(parts[i].topic, sizeof(parts[i].topic), "reports.raw");
        parts[i].partition = i;
        parts[i].committed = 10;
        parts[i].log_end = 10 + (i == 0 ? lag : 0);
        parts[i].lag = i == 0 ? lag : 0;
        snprintf(parts[i].consumer_id, sizeof(parts[i].consumer_id), "consumer-%d", i + 1);
        snprintf(parts[i].host, sizeof(parts[i].host), "/127.0.0.1");
        snprintf(parts[i].client_id, sizeof(parts[i].client_id), "rdkafka");
    }
    parts[0].status = JUDGE_STALL;
    snprintf(parts[0].reason, sizeof(parts[0].reason), "committed offset 10 still for 5 s");
    g->parts = parts;
    g->cnt = 2;
    g->total_lag = lag;
    g->status = JUDGE_STALL;
    snprintf(g->reason, sizeof(g->reason), "reports.raw/0 (owner consumer-1): still");
    s->at_ms = at_ms;
    s->groups = g;
    s->cnt = 1;
    s->dead_letters = -1;
}

static void test_prometheus_labels_escaped_and_statuses(void **state)
{
    (void)state;
    struct lag_sample s;
    struct lag_group g;
    struct lag_partition parts[2];
    make_sample(&s, &g, parts, 1000, 4);
    struct rf_buf b = RF_BUF_INIT;
    assert_int_equal(print_prometheus(&s, true, &b), 0);
    assert_non_null(strstr(b.data,
                           "reportflow_consumer_lag{group=\"a<b>\\\"c\",topic=\"reports.raw\","
                           "partition=\"0\"} 4\n"));
    assert_non_null(strstr(
        b.data, "reportflow_consumer_group_status{group=\"a<b>\\\"c\",status=\"STALL\"} 1\n"));
    assert_non_null(
        strstr(b.data, "reportflow_consumer_group_status{group=\"a<b>\\\"c\",status=\"OK\"} 0\n"));
    assert_non_null(strstr(b.data, "reportflow_consumer_partition_status{group=\"a<b>\\\"c\","
                                   "topic=\"reports.raw\",partition=\"0\"} 3\n"));
    assert_null(strstr(b.data, "reportflow_dead_letter_records")); /* unknown: left out */
    assert_non_null(strstr(b.data, "\nprocess_open_fds "));
    rf_buf_clear(&b);
    assert_int_equal(print_prometheus(&s, false, &b), 0);
    assert_null(strstr(b.data, "process_"));
    rf_buf_release(&b);
}

static void test_page_escapes_names_and_lists_stuck_partitions(void **state)
{
    (void)state;
    struct page *pg = page_new();
    assert_non_null(pg);
    struct lag_sample s;
    struct lag_group g;
    struct lag_partition parts[2];
    for (int64_t t = 0; t < 5; t++) {
        make_sample(&s, &g, parts, 1000000 + t * 1000, t);
        assert_int_equal(page_record(pg, &s), 0);
    }
    struct rf_buf b = RF_BUF_INIT;
    assert_int_equal(page_render(pg, &s, 3, &b), 0);
    assert_non_null(strstr(b.data, "<meta http-equiv=\"refresh\" content=\"3\">"));
    assert_non_null(strstr(b.data, "<h2>a&lt;b&gt;&quot;c <span"));
    assert_null(strstr(b.data, "a<b>"));
    assert_non_null(strstr(b.data, ">STALL</span>"));
    assert_non_null(strstr(b.data, "<td>consumer-1</td>"));
    assert_null(strstr(b.data, "<td>consumer-2</td>")); /* its partition is OK */
    assert_non_null(strstr(b.data, "id=\"dead-letters\">n/a<"));
    assert_non_null(strstr(b.data, "<polyline"));
    assert_non_null(strstr(b.data, "lag (max 4 records)"));
    assert_null(strstr(b.data, "http://")); /* nothing fetched from elsewhere */
    assert_null(strstr(b.data, "https://"));
    rf_buf_release(&b);
    page_free(pg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_prometheus_labels_escaped_and_statuses),
        cmocka_unit_test(test_page_escapes_names_and_lists_stuck_partitions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
