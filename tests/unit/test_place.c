/* test_place.c - place names: components, levels, and finding the named place of a level. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "place.h"
#include "rules.h"
#include "rules_fixture.h"
#include "text.h"

/* The last component of @p run and its level, as "福田区/district", or "-". */
static void parse(const struct rules *r, const char *run, char *out, size_t out_size)
{
    struct place p;
    if (!place_parse(r, run, strlen(run), &p)) {
        snprintf(out, out_size, "-");
        return;
    }
    snprintf(out, out_size, "%.*s/%s", (int)(p.end - p.last_start), run + p.last_start, p.level);
}

static void test_place_parse_components(void **state)
{
    char got[128];
    parse(*state, "深圳市福田区", got, sizeof(got));
    assert_string_equal(got, "福田区/district");
    parse(*state, "常州市", got, sizeof(got));
    assert_string_equal(got, "常州市/city");
    parse(*state, "广西壮族自治区", got, sizeof(got));
    assert_string_equal(got, "广西壮族自治区/province");
    parse(*state, "沛县", got, sizeof(got));
    assert_string_equal(got, "沛县/county");
    /* a bare suffix is no place, and the run must end with a suffix */
    parse(*state, "市", got, sizeof(got));
    assert_string_equal(got, "-");
    parse(*state, "深圳市福田", got, sizeof(got));
    assert_string_equal(got, "-");
}

static void find(const struct rules *r, const char *s, const char *level, char *out,
                 size_t out_size)
{
    struct text t;
    assert_int_equal(text_init(&t, s, strlen(s)), 0);
    if (!place_find_named(r, &t, 0, t.norm_len, level, out, out_size)) {
        snprintf(out, out_size, "-");
    }
    text_release(&t);
}

static void test_place_find_named_most_frequent_of_level(void **state)
{
    char got[64];
    find(*state, "严格落实《深圳市2023年法治政府建设重点工作》,深圳市各区,全市,我市", "city",
         got, sizeof(got));
    assert_string_equal(got, "深圳市");
    /* 全市 and 我市 are not places; neither is a level that was not asked for */
    find(*state, "全市安全生产形势稳定,我市无较大事故", "city", got, sizeof(got));
    assert_string_equal(got, "-");
    find(*state, "福田区安全生产形势稳定", "city", got, sizeof(got));
    assert_string_equal(got, "-");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_place_parse_components),
        cmocka_unit_test(test_place_find_named_most_frequent_of_level),
    };
    return cmocka_run_group_tests(tests, rules_fixture_setup, rules_fixture_teardown);
}
