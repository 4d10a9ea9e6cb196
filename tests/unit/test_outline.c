/* test_outline.c - heading levels, paths, spans, categories, and lookups that stay fast. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "outline.h"
#include "rules.h"
#include "rules_fixture.h"
#include "text.h"

struct fixture {
    struct rules *rules;
    struct text t;
    struct outline o;
};

static int setup(void **state)
{
    static struct fixture f;
    f.rules = rules_fixture_load();
    *state = &f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    rules_free(f->rules);
    return 0;
}

static void build(struct fixture *f, const char *s)
{
    assert_int_equal(text_init(&f->t, s, strlen(s)), 0);
    assert_int_equal(outline_build(&f->t, f->rules, NULL, &f->o), 0);
}

static void release(struct fixture *f)
{
    outline_release(&f->o);
    text_release(&f->t);
}

#define DOC                                                                                        \
    "标题\n"                                                                                     \
    "一、主要工作成效\n"                                                                   \
    "(一)强化学习。正文一。\n"                                                           \
    "1.组织学法。正文二。\n"                                                              \
    "2、普法宣传\n"                                                                           \
    "(二)严格执法\n"                                                                          \
    "二、存在的问题\n"                                                                      \
    "正文三。\n"

static void test_outline_levels_paths_and_categories(void **state)
{
    struct fixture *f = *state;
    build(f, DOC);
    assert_int_equal(f->o.cnt, 6);
    const char *paths[] = {"1", "1.1", "1.1.1", "1.1.2", "1.2", "2"};
    const int levels[] = {1, 2, 3, 3, 2, 1};
    for (size_t i = 0; i < 6; i++) {
        assert_string_equal(f->o.items[i].path, paths[i]);
        assert_int_equal(f->o.items[i].level, levels[i]);
    }
    assert_string_equal(f->o.items[0].category, "achievements");
    assert_string_equal(f->o.items[3].category, "achievements"); /* inherited */
    assert_string_equal(f->o.items[5].category, "problems");
    /* the heading stops at 。 */
    const struct section *s = &f->o.items[1];
    assert_int_equal(s->heading_end - s->heading_start, strlen("强化学习"));
    release(f);
}

static void test_outline_find_is_the_deepest_section(void **state)
{
    struct fixture *f = *state;
    build(f, DOC);
    const char *doc = DOC;
    assert_null(outline_find(&f->o, 0)); /* the title line is before every section */
    size_t body2 = (size_t)(strstr(doc, "正文二") - doc);
    assert_string_equal(outline_find(&f->o, body2)->path, "1.1.1");
    size_t strict = (size_t)(strstr(doc, "严格执法") - doc);
    assert_string_equal(outline_find(&f->o, strict)->path, "1.2");
    size_t body3 = (size_t)(strstr(doc, "正文三") - doc);
    assert_string_equal(outline_find(&f->o, body3)->path, "2");
    release(f);
}

/* 100,000 headings and a lookup for each: a linear scan per lookup took minutes. */
static void test_outline_many_headings_stay_fast(void **state)
{
    struct fixture *f = *state;
    const size_t lines = 100000;
    const char *line = "1.检查\n";
    size_t ll = strlen(line);
    char *s = malloc(lines * ll + 1);
    for (size_t i = 0; i < lines; i++) {
        memcpy(s + i * ll, line, ll);
    }
    s[lines * ll] = '\0';
    struct timespec start, end;
    clock_gettime(CLOCK_MONOTONIC, &start);
    build(f, s);
    assert_int_equal(f->o.cnt, lines);
    for (size_t i = 0; i < lines; i++) {
        const struct section *sec = outline_find(&f->o, i * ll + 2);
        assert_true(sec == &f->o.items[i]);
    }
    clock_gettime(CLOCK_MONOTONIC, &end);
    double took = (double)(end.tv_sec - start.tv_sec) + (end.tv_nsec - start.tv_nsec) / 1e9;
    release(f);
    free(s);
    if (took > 5.0) {
        fail_msg("100000 headings and lookups took %.1f s", took);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_outline_levels_paths_and_categories),
        cmocka_unit_test(test_outline_find_is_the_deepest_section),
        cmocka_unit_test(test_outline_many_headings_stay_fast),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
