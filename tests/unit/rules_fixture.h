/*
 * rules_fixture.h - the shipped rule set (RF_RULES_PATH) for the extraction
 * tests: loaded once per cmocka group, so each test reads the same rules the
 * workers do. Include after <cmocka.h>.
 */
#ifndef RF_TEST_RULES_FIXTURE_H
#define RF_TEST_RULES_FIXTURE_H

#include "quantity.h"
#include "rules.h"

/* The rule set, or the test fails with the loader's error (caller frees with rules_free()). */
static inline struct rules *rules_fixture_load(void)
{
    char errstr[512];
    struct rules *r = rules_load(RF_RULES_PATH, errstr, sizeof(errstr));
    if (!r) {
        fail_msg("%s", errstr);
    }
    return r;
}

/* Group setup and teardown where the state is the rules themselves. */
static inline int rules_fixture_setup(void **state)
{
    *state = rules_fixture_load();
    return 0;
}

static inline int rules_fixture_teardown(void **state)
{
    rules_free(*state);
    return 0;
}

#endif
