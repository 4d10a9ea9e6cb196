/* test_zeroscan.c - the first characters of a stated zero's words, and where they stand. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "zeroscan.h"

#define WU 0x65e0u  /* 无 */
#define WEI 0x672au /* 未 */
#define MEI 0x6ca1u /* 没 */

/* Plain words between '|' give their first characters, once each; anything else gives none. */
static void test_zeroscan_firsts_of_plain_words(void **state)
{
    (void)state;
    uint32_t f[ZEROSCAN_FIRSTS];
    assert_int_equal(zeroscan_firsts("(?<zero>无|未发生|没有|未有|未收到)(?:x)*行政复议", f, 8), 3);
    assert_int_equal(f[0], WU);
    assert_int_equal(f[1], WEI);
    assert_int_equal(f[2], MEI);
    assert_int_equal(
        zeroscan_firsts("(?<zero>未发生|没有发生)(?<!连续未发生)[^,]{0,10}?事故", f, 8), 2);
    /* a trailing lookahead with its own '|' inside a group is no alternative of the pattern */
    assert_int_equal(zeroscan_firsts("(?<zero>无)行政复议(?!(?:败诉|纠错))", f, 8), 1);
}

static void test_zeroscan_refuses_what_could_start_elsewhere(void **state)
{
    (void)state;
    uint32_t f[ZEROSCAN_FIRSTS];
    static const char *const none[] = {
        "无行政复议",                           /* no group */
        "(?<zero>无|)行政复议",                 /* an empty word */
        "(?<zero>无?)行政复议",                 /* a quantifier inside */
        "(?<zero>[无未])行政复议",              /* a class */
        "(?<zero>\\x{65e0})行政复议",           /* an escape */
        "(?<zero>无)?行政复议",                 /* the group optional */
        "(?<zero>无){0,1}行政复议",             /* the group optional */
        "(?<zero>无)行政复议|行政诉讼",         /* an alternative of the whole pattern */
        "(?<zero>无)[)|]行政复议|行政诉讼",     /* '|' in a class, then an alternative */
        "(?<zero>无(?:有)?)行政复议",           /* a group inside */
        "(?<zero>一|二|三|四|五|六|七|八|九)x", /* more first characters than room */
        "(?<zero>no|无)x",                      /* a word not starting with a Han character */
    };
    for (size_t i = 0; i < sizeof(none) / sizeof(none[0]); i++) {
        if (zeroscan_firsts(none[i], f, 8) != 0) {
            fail_msg("'%s' gave first characters", none[i]);
        }
    }
    assert_int_equal(zeroscan_firsts("(?<zero>无)[)|]行政复议", f, 8), 1); /* '|' in a class */
}

static void test_zeroscan_positions_ascending(void **state)
{
    (void)state;
    const char *text = "全年无事故，未发生行政复议，没有诉讼；无。";
    uint32_t firsts[] = {MEI, WU, WEI};
    static uint8_t set[ZEROSCAN_SET_BYTES];
    zeroscan_mark(set, firsts, 3);
    size_t *at = NULL, n = 0;
    assert_int_equal(zeroscan_positions(text, strlen(text), set, &at, &n), 0);
    assert_int_equal(n, 4);
    assert_int_equal(at[0], 6);  /* 无 after 全年 */
    assert_int_equal(at[1], 18); /* 未 */
    assert_int_equal(at[2], 42); /* 没 */
    assert_int_equal(at[3], 57); /* 无 */
    for (size_t i = 0; i < n; i++) {
        assert_true(zeroscan_starts_with(text, strlen(text), at[i], firsts, 3));
    }
    assert_false(zeroscan_starts_with(text, strlen(text), 0, firsts, 3));
    assert_false(zeroscan_starts_with(text, 7, 6, firsts, 3)); /* cut short by the length */
    free(at);
    assert_int_equal(zeroscan_positions("a\xc3\xa9"
                                        "b\xf0\x9f\x98\x80",
                                        8, set, &at, &n),
                     0);
    assert_int_equal(n, 0);
    free(at);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_zeroscan_firsts_of_plain_words),
        cmocka_unit_test(test_zeroscan_refuses_what_could_start_elsewhere),
        cmocka_unit_test(test_zeroscan_positions_ascending),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
