/* test_citations.c - titles in 《》: pairing, normalising, kinds, linear time on stray marks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "citations.h"
#include "outline.h"
#include "rules.h"
#include "rules_fixture.h"
#include "text.h"

/* Citations of @p s as a JSON array (caller decrefs). */
static json_t *cite(const struct rules *rules, const char *s, size_t len)
{
    struct text t;
    struct outline o = {NULL, 0};
    assert_int_equal(text_init(&t, s, len), 0);
    json_t *arr = citations_extract(&t, rules, &o, NULL);
    assert_non_null(arr);
    text_release(&t);
    return arr;
}

static const char *title_at(json_t *arr, size_t i)
{
    return json_string_value(json_object_get(json_array_get(arr, i), "title"));
}

static double seconds_since(const struct timespec *start)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - start->tv_sec) + (now.tv_nsec - start->tv_nsec) / 1e9;
}

static void test_citations_pairs_and_offsets(void **state)
{
    const char *s = "学习《安全生产法》和《消防法》。";
    json_t *arr = cite(*state, s, strlen(s));
    assert_int_equal(json_array_size(arr), 2);
    assert_string_equal(title_at(arr, 0), "安全生产法");
    assert_string_equal(title_at(arr, 1), "消防法");
    /* character offsets of the marks themselves */
    json_t *c = json_array_get(arr, 0);
    assert_int_equal(json_integer_value(json_object_get(c, "start")), 2);
    assert_int_equal(json_integer_value(json_object_get(c, "end")), 9);
    json_decref(arr);
}

static void test_citations_unbalanced_marks_pair_innermost(void **state)
{
    /* a stray 《 before a title, a stray 》 after one, and a 《 never closed */
    const char *s = "关于《开展《安全生产法》》学习,《未闭合";
    json_t *arr = cite(*state, s, strlen(s));
    assert_int_equal(json_array_size(arr), 1);
    assert_string_equal(title_at(arr, 0), "安全生产法");
    json_decref(arr);
}

static void test_citations_normalise_and_kind(void **state)
{
    const char *title = "中华人民共和国 安全生产法";
    char *n = citations_normalise(title, strlen(title), "中华人民共和国");
    assert_string_equal(n, "安全生产法");
    assert_string_equal(citations_kind(*state, n), "法");
    free(n);
    assert_string_equal(citations_kind(*state, "广东省安全生产条例(2021年修订)"), "条例");
    assert_string_equal(citations_kind(*state, "某某"), "other");
}

static void test_citations_overlong_title_is_skipped(void **state)
{
    size_t n = 400; /* 1200 bytes between the marks: not a title */
    char *s = malloc(n * 3 + 32);
    strcpy(s, "《");
    for (size_t i = 0; i < n; i++) {
        strcat(s, "字");
    }
    strcat(s, "》《法》");
    json_t *arr = cite(*state, s, strlen(s));
    assert_int_equal(json_array_size(arr), 1);
    assert_string_equal(title_at(arr, 0), "法");
    json_decref(arr);
    free(s);
}

/* One pass whatever the marks: 1 MB of unbalanced 《 took minutes when each was rescanned. */
static void test_citations_unbalanced_megabyte_is_linear(void **state)
{
    const size_t marks = 350000;
    char *s = malloc(marks * 3 + 16);
    for (size_t i = 0; i < marks; i++) {
        memcpy(s + i * 3, "《", 3);
    }
    strcpy(s + marks * 3, "法》");
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    json_t *arr = cite(*state, s, strlen(s));
    double took = seconds_since(&start);
    assert_int_equal(json_array_size(arr), 1);
    assert_string_equal(title_at(arr, 0), "法");
    json_decref(arr);
    /* generous: well under 0.1 s even with sanitizers; the quadratic scan took minutes */
    if (took > 5.0) {
        fail_msg("1 MB of unbalanced marks took %.1f s", took);
    }
    free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_citations_pairs_and_offsets),
        cmocka_unit_test(test_citations_unbalanced_marks_pair_innermost),
        cmocka_unit_test(test_citations_normalise_and_kind),
        cmocka_unit_test(test_citations_overlong_title_is_skipped),
        cmocka_unit_test(test_citations_unbalanced_megabyte_is_linear),
    };
    return cmocka_run_group_tests(tests, rules_fixture_setup, rules_fixture_teardown);
}
