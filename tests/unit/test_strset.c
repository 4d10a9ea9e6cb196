/* test_strset.c - the string set: add, find, remove, growth with tombstones. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include "reportflow/strset.h"

static void test_strset_add_has_remove(void **state)
{
    (void)state;
    struct rf_strset s;
    rf_strset_init(&s);
    assert_false(rf_strset_has(&s, "a"));
    assert_int_equal(rf_strset_add(&s, "a"), 1);
    assert_int_equal(rf_strset_add(&s, "a"), 0);
    assert_true(rf_strset_has(&s, "a"));
    assert_true(rf_strset_remove(&s, "a"));
    assert_false(rf_strset_remove(&s, "a"));
    assert_false(rf_strset_has(&s, "a"));
    rf_strset_release(&s);
}

static void test_strset_many_with_churn(void **state)
{
    (void)state;
    struct rf_strset s;
    char key[32];
    rf_strset_init(&s);
    for (int i = 0; i < 5000; i++) {
        snprintf(key, sizeof(key), "file-%d.txt", i);
        assert_int_equal(rf_strset_add(&s, key), 1);
        if (i % 3 == 0) {
            assert_true(rf_strset_remove(&s, key));
        }
    }
    for (int i = 0; i < 5000; i++) {
        snprintf(key, sizeof(key), "file-%d.txt", i);
        assert_int_equal(rf_strset_has(&s, key), i % 3 != 0);
    }
    assert_int_equal(s.used, 5000 - 1667);
    rf_strset_release(&s);
}

/* A small live set under endless add/remove churn (the producer's in-flight names) must not
   grow: tombstones are reclaimed, not counted as entries forever. */
static void test_strset_churn_keeps_capacity_bounded(void **state)
{
    (void)state;
    struct rf_strset s;
    char key[32];
    rf_strset_init(&s);
    for (int i = 0; i < 200000; i++) {
        snprintf(key, sizeof(key), "inbox/file-%d.txt", i);
        assert_int_equal(rf_strset_add(&s, key), 1);
        if (i >= 10) {
            snprintf(key, sizeof(key), "inbox/file-%d.txt", i - 10);
            assert_true(rf_strset_remove(&s, key));
        }
    }
    assert_int_equal(s.used, 10);
    assert_true(s.cap <= 64);
    assert_true(s.filled < s.cap);
    for (int i = 200000 - 10; i < 200000; i++) {
        snprintf(key, sizeof(key), "inbox/file-%d.txt", i);
        assert_true(rf_strset_has(&s, key));
    }
    rf_strset_release(&s);
}

/* Every live key once, removed ones not at all. */
static void test_strset_next_visits_each_key_once(void **state)
{
    (void)state;
    struct rf_strset s;
    rf_strset_init(&s);
    size_t pos = 0;
    assert_null(rf_strset_next(&s, &pos));
    char key[32];
    for (int i = 0; i < 100; i++) {
        snprintf(key, sizeof(key), "k%d", i);
        assert_int_equal(rf_strset_add(&s, key), 1);
    }
    for (int i = 0; i < 100; i += 2) {
        snprintf(key, sizeof(key), "k%d", i);
        assert_true(rf_strset_remove(&s, key));
    }
    int seen[100] = {0};
    size_t visited = 0;
    pos = 0;
    for (const char *k = rf_strset_next(&s, &pos); k; k = rf_strset_next(&s, &pos)) {
        int n = atoi(k + 1);
        assert_true(n >= 0 && n < 100 && n % 2 == 1);
        seen[n]++;
        visited++;
    }
    assert_int_equal(visited, 50);
    for (int i = 1; i < 100; i += 2) {
        assert_int_equal(seen[i], 1);
    }
    rf_strset_release(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_strset_add_has_remove),
        cmocka_unit_test(test_strset_many_with_churn),
        cmocka_unit_test(test_strset_churn_keeps_capacity_bounded),
        cmocka_unit_test(test_strset_next_visits_each_key_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
