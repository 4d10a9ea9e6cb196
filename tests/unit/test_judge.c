/* test_judge.c - partition status from offset samples, and the roll-up to a group. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "judge.h"

/* The integration test's rules: a 4 s window, STOP after 15 s. */
static const struct judge_rules rules = {4000, 15000};

/* One sample a second from t = 0: committed offsets and lags side by side. */
static size_t series(struct judge_point *pts, const int64_t *committed, const int64_t *lag,
                     size_t n)
{
    for (size_t i = 0; i < n; i++) {
        pts[i] = (struct judge_point){(int64_t)i * 1000, committed[i], lag[i]};
    }
    return n;
}

static enum judge_status judge_series(const int64_t *committed, const int64_t *lag, size_t n)
{
    struct judge_point pts[64];
    struct judge_result r;
    judge_partition(pts, series(pts, committed, lag, n), 0, &rules, &r);
    return r.status;
}

static void test_steady_catch_up_is_ok(void **state)
{
    (void)state;
    const int64_t committed[] = {0, 10, 20, 30, 40, 50, 60, 70, 80, 90};
    const int64_t lag[] = {100, 92, 84, 76, 68, 60, 52, 44, 36, 28};
    assert_int_equal(judge_series(committed, lag, 10), JUDGE_OK);
}

static void test_no_lag_is_ok_even_without_commits(void **state)
{
    (void)state;
    const int64_t committed[] = {5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5};
    const int64_t lag[20] = {0};
    assert_int_equal(judge_series(committed, lag, 20), JUDGE_OK);
}

/* Two workers: one keeps committing, the other is SIGSTOPped while records arrive. */
static void test_one_of_two_workers_stopped(void **state)
{
    (void)state;
    const int64_t moving_committed[] = {10, 12, 14, 16, 18, 20, 22, 24};
    const int64_t moving_lag[] = {1, 1, 1, 1, 1, 1, 1, 1};
    const int64_t frozen_committed[] = {10, 10, 10, 10, 10, 10, 10, 10};
    const int64_t frozen_lag[] = {0, 1, 2, 3, 4, 5, 6, 7};
    enum judge_status parts[4] = {
        judge_series(moving_committed, moving_lag, 8),
        judge_series(frozen_committed, frozen_lag, 8),
        judge_series(moving_committed, moving_lag, 8),
        judge_series(frozen_committed, frozen_lag, 8),
    };
    assert_int_equal(parts[0], JUDGE_OK);
    assert_int_equal(parts[1], JUDGE_STALL);
    assert_int_equal(parts[2], JUDGE_OK);
    assert_int_equal(parts[3], JUDGE_STALL);
}

/* The group's total of commits moves, but one partition sits on a record for longer than the
 * window. */
static void test_stuck_on_one_record_is_not_ok(void **state)
{
    (void)state;
    const int64_t committed[] = {41, 41, 41, 41, 41, 41, 41};
    const int64_t lag[] = {3, 3, 4, 4, 5, 5, 6};
    struct judge_point pts[8];
    struct judge_result r;
    judge_partition(pts, series(pts, committed, lag, 7), 0.5, &rules, &r);
    assert_int_equal(r.status, JUDGE_STALL);
    assert_int_equal(r.idle_ms, 6000);
    assert_non_null(strstr(r.reason, "41"));
}

static void test_stuck_past_the_stop_window_is_stop(void **state)
{
    (void)state;
    struct judge_point pts[20];
    for (size_t i = 0; i < 20; i++) {
        pts[i] = (struct judge_point){(int64_t)i * 1000, 7, 2};
    }
    struct judge_result r;
    judge_partition(pts, 20, 0, &rules, &r);
    assert_int_equal(r.status, JUDGE_STOP);
}

/* Lag that appeared two seconds ago on an idle partition is not yet a stall. */
static void test_fresh_lag_on_an_idle_partition_is_ok(void **state)
{
    (void)state;
    const int64_t committed[] = {9, 9, 9, 9, 9, 9, 9, 9, 9, 9};
    const int64_t lag[] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 2};
    assert_int_equal(judge_series(committed, lag, 10), JUDGE_OK);
}

static void test_rewind(void **state)
{
    (void)state;
    const int64_t committed[] = {100, 110, 120, 40, 50};
    const int64_t lag[] = {10, 10, 10, 90, 80};
    struct judge_point pts[8];
    struct judge_result r;
    judge_partition(pts, series(pts, committed, lag, 5), 0, &rules, &r);
    assert_int_equal(r.status, JUDGE_REWIND);
    assert_non_null(strstr(r.reason, "from 120 to 40"));
}

/* A rewind long past the window no longer counts. */
static void test_old_rewind_forgotten(void **state)
{
    (void)state;
    const int64_t committed[] = {100, 40, 50, 60, 70, 80, 90, 100, 110};
    const int64_t lag[] = {10, 70, 60, 50, 40, 30, 20, 10, 5};
    assert_int_equal(judge_series(committed, lag, 9), JUDGE_OK);
}

static void test_lag_growing_while_committing_is_warn(void **state)
{
    (void)state;
    const int64_t committed[] = {0, 5, 10, 15, 20, 25};
    const int64_t lag[] = {5, 10, 15, 20, 25, 30};
    assert_int_equal(judge_series(committed, lag, 6), JUDGE_WARN);
}

/* Lag that goes up and down while committing is a busy consumer, not a falling-behind one. */
static void test_lag_noisy_while_committing_is_ok(void **state)
{
    (void)state;
    const int64_t committed[] = {0, 5, 10, 15, 20, 25};
    const int64_t lag[] = {5, 10, 8, 12, 9, 14};
    assert_int_equal(judge_series(committed, lag, 6), JUDGE_OK);
}

static void test_one_sample_judges_by_time_lag(void **state)
{
    (void)state;
    struct judge_point p = {0, 10, 5};
    struct judge_result r;
    judge_partition(&p, 1, 1.0, &rules, &r);
    assert_int_equal(r.status, JUDGE_OK);
    judge_partition(&p, 1, 5.0, &rules, &r);
    assert_int_equal(r.status, JUDGE_STALL);
    judge_partition(&p, 1, 20.0, &rules, &r);
    assert_int_equal(r.status, JUDGE_STOP);
}

/* The history keeps one sample at the horizon, so a partition frozen for long still reads STOP. */
static void test_history_trims_to_the_stop_window(void **state)
{
    (void)state;
    struct judge_point pts[8];
    size_t n = 0;
    for (int64_t t = 0; t <= 60000; t += 1000) {
        struct judge_point p = {t, 3, 4};
        judge_history_add(pts, &n, 8, &p, &rules);
        assert_true(n <= 8);
    }
    assert_int_equal(pts[n - 1].at_ms, 60000);
    struct judge_result r;
    judge_partition(pts, n, 0, &rules, &r);
    assert_int_equal(r.status, JUDGE_STOP);

    struct judge_point wide[64];
    n = 0;
    for (int64_t t = 0; t <= 60000; t += 1000) {
        struct judge_point p = {t, 3, 4};
        judge_history_add(wide, &n, 64, &p, &rules);
    }
    assert_int_equal(wide[0].at_ms, 60000 - rules.stop_ms);
    assert_int_equal(n, 16);
}

static void test_status_names(void **state)
{
    (void)state;
    assert_string_equal(judge_status_name(JUDGE_STALL), "STALL");
    assert_string_equal(judge_status_name(JUDGE_REWIND), "REWIND");
    assert_string_equal(judge_status_name((enum judge_status)42), "ERR");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_steady_catch_up_is_ok),
        cmocka_unit_test(test_no_lag_is_ok_even_without_commits),
        cmocka_unit_test(test_one_of_two_workers_stopped),
        cmocka_unit_test(test_stuck_on_one_record_is_not_ok),
        cmocka_unit_test(test_stuck_past_the_stop_window_is_stop),
        cmocka_unit_test(test_fresh_lag_on_an_idle_partition_is_ok),
        cmocka_unit_test(test_rewind),
        cmocka_unit_test(test_old_rewind_forgotten),
        cmocka_unit_test(test_lag_growing_while_committing_is_warn),
        cmocka_unit_test(test_lag_noisy_while_committing_is_ok),
        cmocka_unit_test(test_one_sample_judges_by_time_lag),
        cmocka_unit_test(test_history_trims_to_the_stop_window),
        cmocka_unit_test(test_status_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
