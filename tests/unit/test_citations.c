/*
 * test_citations.c - titles in 《》: pairing, normalising, kinds (no law in a column's or a
 * programme's name), linear time on stray marks and on long runs of titles.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include <jansson.h>

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
    struct jsonout out;
    jsonout_init(&out);
    assert_int_equal(citations_write(&t, rules, &o, &out, NULL, NULL), 0);
    json_error_t error;
    json_t *arr = json_loadb(jsonout_text(&out), jsonout_len(&out), 0, &error);
    if (!arr) {
        fail_msg("the citations written are no JSON: %s", error.text);
    }
    jsonout_release(&out);
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

static const char *kind_at(json_t *arr, size_t i)
{
    return json_string_value(json_object_get(json_array_get(arr, i), "kind"));
}

/* A title is a law only when it names one: not a programme's name (说法), not a column's. */
static void test_citations_programme_and_column_are_no_law(void **state)
{
    /* the sample 002: a TV column whose name ends in 法 */
    const char *s = "在西安电视台推出《应急说法》栏目。学习《安全生产法》。";
    json_t *arr = cite(*state, s, strlen(s));
    assert_int_equal(json_array_size(arr), 2);
    assert_string_equal(kind_at(arr, 0), "other");
    assert_string_equal(kind_at(arr, 1), "法");
    json_decref(arr);
    /* a programme's name alone (以案说法), and 做法, 方法: no law */
    assert_string_equal(citations_kind(*state, "以案说法"), "other");
    assert_string_equal(citations_kind(*state, "应急说法"), "other");
    assert_string_equal(citations_kind(*state, "安全评价方法"), "other");
    assert_string_equal(citations_kind(*state, "宪法"), "法");
    assert_string_equal(citations_kind(*state, "立法法"), "法");
}

/* The word after a run of titles (《A》《B》等栏目, 《A》、《B》专栏) names every title of it. */
static void test_citations_run_of_columns(void **state)
{
    const char *s = "开设《应急播报》《说案释法》、《安全条例》等栏目,"
                    "依据《行政处罚法》《消防法》书面告知,出版《应急管理法》一书,"
                    "学习《安全生产法》,开设《应急普法》专栏";
    json_t *arr = cite(*state, s, strlen(s));
    assert_int_equal(json_array_size(arr), 8);
    assert_string_equal(kind_at(arr, 0), "other");
    assert_string_equal(kind_at(arr, 1), "other"); /* 法 alone, other in the run of 栏目 */
    assert_string_equal(kind_at(arr, 2), "other"); /* 条例 alone */
    assert_string_equal(kind_at(arr, 3), "法");    /* 书面 is no book */
    assert_string_equal(kind_at(arr, 4), "法");
    assert_string_equal(kind_at(arr, 5), "other"); /* 一书: a book */
    assert_string_equal(kind_at(arr, 6), "法");    /* a comma ends the run */
    assert_string_equal(kind_at(arr, 7), "other");
    json_decref(arr);
}

/* Titles back to back, then a column's word: each title is marked once, in linear time. */
static void test_citations_long_run_is_linear(void **state)
{
    const size_t titles = 100000;
    const char title[] = "《安全法》";
    size_t tl = strlen(title);
    char *s = malloc(titles * tl + 16);
    assert_non_null(s);
    for (size_t i = 0; i < titles; i++) {
        memcpy(s + i * tl, title, tl);
    }
    strcpy(s + titles * tl, "等栏目");
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    json_t *arr = cite(*state, s, strlen(s));
    double took = seconds_since(&start);
    assert_int_equal(json_array_size(arr), titles);
    assert_string_equal(kind_at(arr, 0), "other");
    assert_string_equal(kind_at(arr, titles - 1), "other");
    json_decref(arr);
    if (took > 10.0) {
        fail_msg("%zu titles in a run took %.1f s", titles, took);
    }
    free(s);
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
        cmocka_unit_test(test_citations_programme_and_column_are_no_law),
        cmocka_unit_test(test_citations_run_of_columns),
        cmocka_unit_test(test_citations_long_run_is_linear),
        cmocka_unit_test(test_citations_overlong_title_is_skipped),
        cmocka_unit_test(test_citations_unbalanced_megabyte_is_linear),
    };
    return cmocka_run_group_tests(tests, rules_fixture_setup, rules_fixture_teardown);
}
