/* test_budget.c - a document's budget counts CPU time, not waiting; a fault is kept with its words.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "budget.h"

/* Steps enough for the budget to read its clock more than once. */
static bool spent_after_steps(struct budget *b, int steps)
{
    bool spent = false;
    for (int i = 0; i < steps && !spent; i++) {
        spent = budget_spent(b);
    }
    return spent;
}

static void test_budget_waiting_is_not_spending(void **state)
{
    (void)state;
    struct budget b;
    budget_init(&b, 50, 0, NULL);
    /* 200 ms asleep (a loaded machine, a VM losing its CPU) use next to no CPU time */
    for (int i = 0; i < 4; i++) {
        struct timespec nap = {0, 50 * 1000 * 1000};
        nanosleep(&nap, NULL);
        assert_false(spent_after_steps(&b, 1000));
    }
    assert_int_equal(budget_state(&b), BUDGET_OK);
}

static void test_budget_working_is_spending(void **state)
{
    (void)state;
    struct budget b;
    budget_init(&b, 20, 0, NULL);
    volatile double sink = 0;
    bool spent = false;
    for (long i = 0; i < 4000000000L && !spent; i++) {
        sink += (double)i * 0.5;
        spent = budget_spent(&b);
    }
    assert_true(spent);
    assert_int_equal(budget_state(&b), BUDGET_TIMEOUT);
}

static void test_budget_fault_is_kept_and_first_wins(void **state)
{
    (void)state;
    struct budget b;
    budget_init(&b, 0, 0, NULL);
    budget_fault(&b, "rule '%s': error %d", "r1", -47);
    budget_fault(&b, "a later one");
    assert_int_equal(budget_state(&b), BUDGET_FAULT);
    assert_string_equal(b.fault, "rule 'r1': error -47");
    assert_true(budget_spent(&b));
    budget_fault(NULL, "nothing happens");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_budget_waiting_is_not_spending),
        cmocka_unit_test(test_budget_working_is_spending),
        cmocka_unit_test(test_budget_fault_is_kept_and_first_wins),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
