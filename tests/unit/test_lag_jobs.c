/* test_lag_jobs.c - reprocess status records: round trip, latest wins, stale, shown apart. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "jobs.h"
#include "print.h"
#include "reportflow/buf.h"

#define NOW 1800000000000LL

static struct rf_job_status status(const char *hash, const char *state, long long done,
                                   int64_t updated_ms)
{
    struct rf_job_status st = {.pid = 42,
                               .total = 1000,
                               .before = 100,
                               .done = done,
                               .failed = 3,
                               .in_flight = 50,
                               .todo = 1000 - 100 - done,
                               .rate = 12.5,
                               .eta_s = 60,
                               .started_ms = NOW - 60000,
                               .updated_ms = updated_ms};
    snprintf(st.key, sizeof(st.key), "%s", hash);
    snprintf(st.hash, sizeof(st.hash), "%s", hash);
    snprintf(st.rules, sizeof(st.rules), "reportflow-rules 9.9.9");
    snprintf(st.kind, sizeof(st.kind), "documents");
    snprintf(st.state, sizeof(st.state), "%s", state);
    snprintf(st.host, sizeof(st.host), "host-a");
    return st;
}

static void take(struct lag_jobs *js, const struct rf_job_status *st)
{
    char *json = rf_jobs_status_encode(st);
    assert_non_null(json);
    assert_int_equal(jobs_take(js, st->key, strlen(st->key), json, strlen(json)), 0);
    free(json);
}

static void test_status_round_trip(void **state)
{
    (void)state;
    struct rf_job_status in = status("0123456789abcdef", "running", 400, NOW), out;
    in.yielding = true;
    char *json = rf_jobs_status_encode(&in);
    char err[256];
    assert_int_equal(rf_jobs_status_decode(json, strlen(json), &out, err, sizeof(err)), 0);
    assert_string_equal(out.key, in.key);
    assert_string_equal(out.rules, "reportflow-rules 9.9.9");
    assert_string_equal(out.host, "host-a");
    assert_int_equal(out.done, 400);
    assert_int_equal(out.updated_ms, NOW);
    assert_true(out.yielding);
    assert_true(out.rate > 12.4 && out.rate < 12.6);
    free(json);
    assert_int_equal(rf_jobs_status_decode("{\"key\":1}", 9, &out, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "not a reprocess status"));
    assert_int_equal(rf_jobs_status_decode("nope", 4, &out, err, sizeof(err)), -1);
}

static void test_latest_record_wins_and_tombstone_forgets(void **state)
{
    (void)state;
    struct lag_jobs js = {0};
    struct rf_job_status a1 = status("aaaa", "running", 10, NOW - 4000);
    struct rf_job_status a2 = status("aaaa", "running", 20, NOW - 1000);
    struct rf_job_status b = status("bbbb", "done", 900, NOW - 2000);
    take(&js, &a1);
    take(&js, &b);
    take(&js, &a2);
    assert_int_equal(jobs_take(&js, "x", 1, "not json", 8), 0);
    assert_int_equal(js.unreadable, 1);
    jobs_settle(&js, NOW);
    assert_int_equal(js.cnt, 2);
    assert_string_equal(js.items[0].st.key, "aaaa"); /* newest first */
    assert_int_equal(js.items[0].st.done, 20);
    assert_string_equal(js.items[0].state, "running");
    assert_int_equal(jobs_take(&js, "bbbb", 4, NULL, 0), 0);
    assert_int_equal(js.cnt, 1);
    jobs_release(&js);
}

static void test_silent_run_is_stale_and_old_runs_leave(void **state)
{
    (void)state;
    struct lag_jobs js = {0};
    struct rf_job_status silent = status("aaaa", "running", 10, NOW - 30000);
    struct rf_job_status fresh = status("bbbb", "running", 10, NOW - 1000);
    struct rf_job_status old = status("cccc", "done", 900, NOW - JOBS_SHOWN_AFTER_END_MS - 1);
    struct rf_job_status ended = status("dddd", "done", 900, NOW - 600000);
    take(&js, &silent);
    take(&js, &fresh);
    take(&js, &old);
    take(&js, &ended);
    jobs_settle(&js, NOW);
    assert_int_equal(js.cnt, 3);
    assert_string_equal(js.items[0].state, "running");
    assert_string_equal(js.items[1].st.key, "aaaa");
    assert_string_equal(js.items[1].state, "stale");
    assert_string_equal(js.items[2].state, "done");
    jobs_release(&js);
}

static void test_at_most_jobs_max_shown(void **state)
{
    (void)state;
    struct lag_jobs js = {0};
    for (int i = 0; i < JOBS_MAX + 5; i++) {
        char key[16];
        snprintf(key, sizeof(key), "%04d", i);
        struct rf_job_status st = status(key, "done", 1, NOW - 1000 * (JOBS_MAX + 5 - i));
        take(&js, &st);
    }
    jobs_settle(&js, NOW);
    assert_int_equal(js.cnt, JOBS_MAX);
    char newest[16];
    snprintf(newest, sizeof(newest), "%04d", JOBS_MAX + 4);
    assert_string_equal(js.items[0].st.key, newest);
    jobs_release(&js);
}

static void test_printed_apart_from_groups(void **state)
{
    (void)state;
    struct lag_sample s = {.at_ms = NOW, .dead_letters = -1};
    struct rf_job_status st = status("0123456789abcdef", "running", 400, NOW - 1000);
    take(&s.jobs, &st);
    jobs_settle(&s.jobs, NOW);
    s.jobs.items[0].queued = 7;
    struct rf_buf b = RF_BUF_INIT;
    assert_int_equal(print_prometheus(&s, false, &b), 0);
    assert_non_null(strstr(b.data, "reportflow_reprocess_todo_documents{job=\"0123456789abcdef\","
                                   "rules_hash=\"0123456789abcdef\",rules=\"reportflow-rules "
                                   "9.9.9\",kind=\"documents\"} 500\n"));
    assert_non_null(strstr(b.data, "reportflow_reprocess_queued_records{job=\"0123456789abcdef\""));
    assert_non_null(strstr(b.data, "kind=\"documents\",state=\"running\"} 1\n"));
    assert_non_null(strstr(b.data, "kind=\"documents\",state=\"stale\"} 0\n"));
    assert_null(strstr(b.data, "reportflow_consumer_lag{"));
    rf_buf_release(&b);
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    print_table(&s, f);
    print_json(&s, f);
    fclose(f);
    assert_non_null(strstr(text, "REPROCESS"));
    assert_non_null(strstr(text, "500/1000"));
    assert_non_null(strstr(text, "\"reprocess\":[{\"job\":\"0123456789abcdef\""));
    assert_non_null(strstr(text, "\"todo\":500"));
    free(text);
    jobs_release(&s.jobs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_status_round_trip),
        cmocka_unit_test(test_latest_record_wins_and_tombstone_forgets),
        cmocka_unit_test(test_silent_run_is_stale_and_old_runs_leave),
        cmocka_unit_test(test_at_most_jobs_max_shown),
        cmocka_unit_test(test_printed_apart_from_groups),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
