/* test_lag_page.c - the status page's chart history is bounded: in groups and in time. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "page.h"
#include "reportflow/buf.h"

/* A sample at @p at_ms of groups named g<first> .. g<first + cnt - 1>. */
static struct lag_sample *sample_of(int64_t at_ms, int first, int cnt)
{
    struct lag_sample *s = calloc(1, sizeof(*s));
    assert_non_null(s);
    s->at_ms = at_ms;
    s->groups = calloc((size_t)cnt, sizeof(*s->groups));
    assert_non_null(s->groups);
    s->cnt = (size_t)cnt;
    for (int i = 0; i < cnt; i++) {
        snprintf(s->groups[i].name, sizeof(s->groups[i].name), "g%d", first + i);
        s->groups[i].total_lag = i;
    }
    return s;
}

static void sample_free(struct lag_sample *s)
{
    free(s->groups);
    free(s);
}

static void test_page_keeps_at_most_64_charts(void **state)
{
    (void)state;
    struct page *pg = page_new();
    assert_non_null(pg);
    struct lag_sample *s = sample_of(1000000, 0, 200);
    assert_int_equal(page_record(pg, s), 0);
    assert_int_equal(page_chart_cnt(pg), 64);
    struct rf_buf html = RF_BUF_INIT;
    assert_int_equal(page_render(pg, s, 5, &html), 0); /* every group's row, charts or not */
    assert_non_null(strstr(html.data, "g199"));
    rf_buf_release(&html);
    sample_free(s);
    page_free(pg);
}

static void test_page_forgets_groups_gone_for_the_chart_span(void **state)
{
    (void)state;
    struct page *pg = page_new();
    struct lag_sample *first = sample_of(1000000, 0, 50);
    assert_int_equal(page_record(pg, first), 0);
    assert_int_equal(page_chart_cnt(pg), 50);
    /* eleven minutes later only other groups are seen: the old charts would be empty */
    struct lag_sample *later = sample_of(1000000 + 11 * 60 * 1000, 100, 3);
    assert_int_equal(page_record(pg, later), 0);
    assert_int_equal(page_chart_cnt(pg), 3);
    sample_free(first);
    sample_free(later);
    page_free(pg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_page_keeps_at_most_64_charts),
        cmocka_unit_test(test_page_forgets_groups_gone_for_the_chart_span),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
