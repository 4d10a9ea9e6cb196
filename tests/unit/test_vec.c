/* test_vec.c - growing arrays: doubling, keeping the elements, refusing what overflows. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "reportflow/vec.h"

static void test_vec_grown_cap_doubles_from_the_first_capacity(void **state)
{
    (void)state;
    assert_int_equal(rf_vec_grown_cap(0, 1, 4), RF_VEC_FIRST_CAP);
    assert_int_equal(rf_vec_grown_cap(16, 16, 4), 16); /* fits: unchanged */
    assert_int_equal(rf_vec_grown_cap(16, 17, 4), 32);
    assert_int_equal(rf_vec_grown_cap(16, 100, 4), 128);
    assert_int_equal(rf_vec_grown_cap(0, 1000, 1), 1024);
}

static void test_vec_grown_cap_refuses_what_overflows(void **state)
{
    (void)state;
    assert_int_equal(rf_vec_grown_cap(0, SIZE_MAX / 8 + 1, 8), 0);
    /* the last doubling stops at the largest count that fits */
    size_t max = SIZE_MAX / 8;
    assert_true(rf_vec_grown_cap(max / 2 + 1, max, 8) == max);
    assert_null(rf_vec_resize(NULL, SIZE_MAX / 2, 4));
}

static void test_vec_reserve_keeps_elements_and_counts_capacity(void **state)
{
    (void)state;
    int *items = NULL;
    size_t cap = 0, cnt = 0;
    for (int i = 0; i < 1000; i++) {
        int *grown = rf_vec_reserve(items, &cap, cnt, 1, sizeof(*grown));
        assert_non_null(grown);
        items = grown;
        items[cnt++] = i;
        assert_true(cap >= cnt);
    }
    assert_int_equal(cap, 1024);
    for (int i = 0; i < 1000; i++) {
        assert_int_equal(items[i], i);
    }
    int *same = rf_vec_reserve(items, &cap, cnt, 24, sizeof(*same));
    assert_ptr_equal(same, items); /* room already there: no realloc */
    free(items);
}

static void test_vec_reserve_leaves_the_array_on_failure(void **state)
{
    (void)state;
    size_t cap = 0;
    char *items = rf_vec_reserve(NULL, &cap, 0, 10, 1);
    assert_non_null(items);
    size_t before = cap;
    assert_null(rf_vec_reserve(items, &cap, 10, SIZE_MAX - 5, 1)); /* cnt + more overflows */
    assert_int_equal(cap, before);
    assert_null(rf_vec_reserve(items, &cap, 10, SIZE_MAX / 2, 4)); /* bytes overflow */
    assert_int_equal(cap, before);
    items[0] = 'x'; /* still the caller's, still valid */
    free(items);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vec_grown_cap_doubles_from_the_first_capacity),
        cmocka_unit_test(test_vec_grown_cap_refuses_what_overflows),
        cmocka_unit_test(test_vec_reserve_keeps_elements_and_counts_capacity),
        cmocka_unit_test(test_vec_reserve_leaves_the_array_on_failure),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
