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

/* The last component of @p run and its level must read @p want: "福田区/district", or "-". */
static void assert_parse(const struct rules *r, const char *run, const char *want)
{
    struct place p;
    char got[128] = "-";
    if (place_parse(r, run, strlen(run), &p)) {
        snprintf(got, sizeof(got), "%.*s/%s", (int)(p.end - p.last_start), run + p.last_start,
                 p.level);
    }
    assert_string_equal(got, want);
}

static void test_place_parse_components(void **state)
{
    assert_parse(*state, "深圳市福田区", "福田区/district");
    assert_parse(*state, "常州市", "常州市/city");
    assert_parse(*state, "广西壮族自治区", "广西壮族自治区/province");
    assert_parse(*state, "沛县", "沛县/county");
    /* a bare suffix is no place, and the run must end with a suffix */
    assert_parse(*state, "市", "-");
    assert_parse(*state, "深圳市福田", "-");
}

/* The place of @p level that place_find_named() names in @p s must be @p want ("-": none). */
static void assert_find(const struct rules *r, const char *s, const char *level, const char *want)
{
    struct text t;
    char got[64];
    assert_int_equal(text_init(&t, s, strlen(s)), 0);
    if (!place_find_named(r, &t, 0, t.norm_len, level, got, sizeof(got))) {
        snprintf(got, sizeof(got), "-");
    }
    text_release(&t);
    assert_string_equal(got, want);
}

static void test_place_find_named_most_frequent_of_level(void **state)
{
    assert_find(*state, "严格落实《深圳市2023年法治政府建设重点工作》,深圳市各区,全市,我市", "city",
                "深圳市");
    /* 全市 and 我市 are not places; neither is a level that was not asked for */
    assert_find(*state, "全市安全生产形势稳定,我市无较大事故", "city", "-");
    assert_find(*state, "福田区安全生产形势稳定", "city", "-");
}

/* The completion place_completion_in() finds for @p name in @p s must be @p want ("-": none). */
static void assert_completion(const struct rules *r, const char *s, const char *name,
                              const char *want)
{
    struct text t;
    char got[16];
    assert_int_equal(text_init(&t, s, strlen(s)), 0);
    if (!place_completion_in(r, &t, 0, t.norm_len, name, strlen(name), got, sizeof(got))) {
        snprintf(got, sizeof(got), "-");
    }
    text_release(&t);
    assert_string_equal(got, want);
}

static void test_place_completion_of_bare_name(void **state)
{
    assert_completion(*state, "蒲州消防支队检查了蒲州市的商场", "蒲州", "市");
    /* only another suffix of the same level completes a name (州 and 市 are both cities) */
    assert_completion(*state, "蒲州区的商场", "蒲州", "-");
    assert_completion(*state, "蒲州州的商场", "蒲州", "-");
    assert_completion(*state, "蒲州消防支队", "蒲州", "-");
    /* only inside the range asked for */
    struct text t;
    char got[16];
    const char *s = "蒲州消防支队检查了蒲州市的商场";
    assert_int_equal(text_init(&t, s, strlen(s)), 0);
    assert_false(place_completion_in(*state, &t, 0, strlen("蒲州消防支队检查了蒲州"), "蒲州",
                                     strlen("蒲州"), got, sizeof(got)));
    text_release(&t);
    assert_true(place_completes(*state, "州", "市", strlen("市")));
    assert_false(place_completes(*state, "州", "州", strlen("州")));
    assert_false(place_completes(*state, "区", "县", strlen("县")));
}

/* A body named after its region, named from its own place instead. */
static void assert_own_name(const struct rules *r, const char *region, const char *name,
                            const char *want)
{
    char got[128];
    snprintf(got, sizeof(got), "%s", name);
    place_own_name(r, region, got);
    assert_string_equal(got, want);
}

static void test_place_own_name(void **state)
{
    assert_own_name(*state, "铜川市耀州区", "铜川市耀州区应急管理局", "耀州区应急管理局");
    assert_own_name(*state, "广东省深圳市", "广东省深圳市应急管理局", "深圳市应急管理局");
    /* one place, or a region that does not start the name: as it is */
    assert_own_name(*state, "常州市", "常州市应急管理局", "常州市应急管理局");
    assert_own_name(*state, "深圳市罗湖区", "罗湖区应急管理局", "罗湖区应急管理局");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_place_own_name),
        cmocka_unit_test(test_place_parse_components),
        cmocka_unit_test(test_place_find_named_most_frequent_of_level),
        cmocka_unit_test(test_place_completion_of_bare_name),
    };
    return cmocka_run_group_tests(tests, rules_fixture_setup, rules_fixture_teardown);
}
