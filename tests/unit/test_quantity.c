/* test_quantity.c - number parsing and quantity finding (docs/TAXONOMY.md sections 4 and 5). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "quantity.h"
#include "rules.h"
#include "rules_fixture.h"
#include "text.h"

static void check_number(const struct rules *r, const char *s, double value, enum approx approx,
                         size_t consumed)
{
    double v = -1;
    enum approx a = APPROX_ABOUT;
    size_t n = quantity_parse_number(s, strlen(s), &r->numbers, &v, &a);
    assert_int_equal(n, consumed);
    assert_true(v == value);
    assert_int_equal(a, approx);
}

static void test_quantity_parse_taxonomy_examples(void **state)
{
    const struct rules *r = *state;
    check_number(r, "1.6万项", 16000, APPROX_EXACT, strlen("1.6万"));
    check_number(r, "6.2万余个", 62000, APPROX_AT_LEAST, strlen("6.2万余"));
    check_number(r, "8千余家", 8000, APPROX_AT_LEAST, strlen("8千余"));
    check_number(r, "210多万人次", 2100000, APPROX_AT_LEAST, strlen("210多万"));
    check_number(r, "121.3076万元", 1213076, APPROX_EXACT, strlen("121.3076万"));
    check_number(r, "十余次", 10, APPROX_AT_LEAST, strlen("十余"));
    check_number(r, "两宗", 2, APPROX_EXACT, strlen("两"));
    check_number(r, "一百二十三人", 123, APPROX_EXACT, strlen("一百二十三"));
    check_number(r, "1,234家", 1234, APPROX_EXACT, 5);
    check_number(r, "三万人", 30000, APPROX_EXACT, strlen("三万"));
}

/*
 * The quantities @p v finds in @p s, joined by spaces into @p out: "value/unit/approx", or
 * with @p roles "value/role".
 */
static void describe(const struct quantity_vocab *v, bool roles, const char *s, char *out,
                     size_t out_size)
{
    struct text t;
    struct quantity_list qs;
    assert_int_equal(text_init(&t, s, strlen(s)), 0);
    assert_int_equal(quantity_find_all(&t, v, NULL, &qs), 0);
    out[0] = '\0';
    size_t used = 0;
    for (size_t i = 0; i < qs.cnt; i++) {
        const struct quantity *q = &qs.items[i];
        used += roles ? (size_t)snprintf(out + used, out_size - used, "%s%g/%s", i ? " " : "",
                                         q->value, quantity_role_name(q->role))
                      : (size_t)snprintf(out + used, out_size - used, "%s%g/%s/%s", i ? " " : "",
                                         q->value, q->unit, quantity_approx_name(q->approx));
    }
    quantity_list_release(&qs);
    text_release(&t);
}

static void quantities_of(struct rules *r, const char *s, char *out, size_t out_size)
{
    describe(&r->numbers, false, s, out, out_size);
}

static void roles_of(const struct quantity_vocab *v, const char *s, char *out, size_t out_size)
{
    describe(v, true, s, out, out_size);
}

/* A deadline or a duration is no count: 10个工作日, 2天内; a count next to one still is. */
static void test_quantity_durations_are_no_counts(void **state)
{
    struct rules *rules = *state;
    char got[256];
    roles_of(&rules->numbers, "办理时限由10个工作日压缩至3个工作日,2天内办结,检查企业3家", got,
             sizeof(got));
    assert_string_equal(got, "10/duration 3/duration 2/duration 3/count");
}

/* A norm per group or per month is a rate; a total after it (共) is a count again. */
static void test_quantity_rates_are_no_counts(void **state)
{
    struct rules *rules = *state;
    char got[256];
    roles_of(&rules->numbers, "每个执法组每月至少检查2家企业、开展1次宣讲", got, sizeof(got));
    assert_string_equal(got, "2/rate 1/rate");
    roles_of(&rules->numbers, "每月开展检查全年共检查企业300家", got, sizeof(got));
    assert_string_equal(got, "300/count");
}

/* The value before a change is not this year's count; the value after it may be. */
static void test_quantity_value_before_a_change(void **state)
{
    struct rules *rules = *state;
    char got[256];
    roles_of(&rules->numbers, "申报材料由原来的12份精简为4份", got, sizeof(got));
    assert_string_equal(got, "12/before_change 4/count");
    roles_of(&rules->numbers, "行政许可从30件增至44件", got, sizeof(got));
    assert_string_equal(got, "30/before_change 44/count");
}

/* The size of a list or a catalogue is no count of work done; a count beside one still is. */
static void test_quantity_size_of_a_list(void **state)
{
    struct rules *rules = *state;
    char got[256];
    roles_of(&rules->numbers, "明确212家检查企业清单,检查企业30家", got, sizeof(got));
    assert_string_equal(got, "212/inventory 30/count");
    roles_of(&rules->numbers, "梳理事项清单(行政强制、行政许可共188项)", got, sizeof(got));
    assert_string_equal(got, "188/inventory");
    roles_of(&rules->numbers, "对照检查清单,检查企业(含个体户)30家", got, sizeof(got));
    assert_string_equal(got, "30/count");
}

/* A numeral that starts a place's name is no number (七台河 is not 七台); a count after it is. */
static void test_quantity_numeral_inside_a_place_name(void **state)
{
    struct rules *rules = *state;
    char got[256];
    struct quantity_vocab v = rules->numbers; /* its names come from the shipped gazetteer */
    roles_of(&v, "七台河市检查企业3家", got, sizeof(got));
    assert_string_equal(got, "3/count");
    v.names = NULL;
    v.name_cnt = 0;
    roles_of(&v, "七台河市检查企业3家", got, sizeof(got));
    assert_string_equal(got, "7/count 3/count"); /* without names: 七台 is seven machines */
    static const char *const names[] = {"七台河"};
    v.names = names;
    v.name_cnt = 1;
    roles_of(&v, "七台河市检查企业3家", got, sizeof(got));
    assert_string_equal(got, "3/count");
}

static void test_quantity_finds_counts_with_measure_words(void **state)
{
    struct rules *rules = *state;
    char got[512];
    quantities_of(rules, "培训近千人次,受众约43万人次,开展演练230余场,优秀率100%", got,
                  sizeof(got));
    assert_string_equal(got, "1000/人次/about 430000/人次/about 230/场/at_least 100/%/exact");
    quantities_of(rules, "受益人数超50万,播放量2229。", got, sizeof(got));
    assert_string_equal(got, "500000//at_least");
}

static void test_quantity_full_width_digits(void **state)
{
    struct rules *rules = *state;
    char got[256];
    quantities_of(rules, "检查企业３６４家，立案６６５宗", got, sizeof(got));
    assert_string_equal(got, "364/家/exact 665/宗/exact");
}

static void test_quantity_one_space_before_the_measure_word(void **state)
{
    struct rules *rules = *state;
    char got[256];
    quantities_of(rules, "公开许可决定 22 条,年份 2023 ,间隔 5  件", got, sizeof(got));
    assert_string_equal(got, "22/条/exact");
}

/* Another report family's words: the finder knows only what its vocabulary says. */
static void test_quantity_words_come_from_the_vocabulary(void **state)
{
    (void)state;
    static const char *const units[] = {"宗", "名"};
    static const struct quantity_word before[] = {{"至少", APPROX_AT_LEAST}};
    static const struct quantity_word after[] = {{"上下", APPROX_ABOUT}};
    static const char *const more[] = {"几"};
    const struct quantity_vocab v = {.units = units,
                                     .unit_cnt = 2,
                                     .before = before,
                                     .before_cnt = 1,
                                     .after = after,
                                     .after_cnt = 1,
                                     .more = more,
                                     .more_cnt = 1};
    const char *s = "受理至少12宗,聘用30名上下,参与20几名,约5宗";
    struct text t;
    struct quantity_list qs;
    assert_int_equal(text_init(&t, s, strlen(s)), 0);
    assert_int_equal(quantity_find_all(&t, &v, NULL, &qs), 0);
    /* 约 is no qualifier in this vocabulary */
    const double want_value[] = {12, 30, 20, 5};
    const enum approx want_approx[] = {APPROX_AT_LEAST, APPROX_ABOUT, APPROX_AT_LEAST,
                                       APPROX_EXACT};
    assert_int_equal(qs.cnt, 4);
    for (size_t i = 0; i < qs.cnt; i++) {
        assert_true(qs.items[i].value == want_value[i]);
        assert_int_equal(qs.items[i].approx, want_approx[i]);
    }
    quantity_list_release(&qs);
    text_release(&t);
}

static void test_quantity_bare_number_only_in_a_table_cell(void **state)
{
    struct rules *rules = *state;
    char got[256];
    quantities_of(rules, "| 行政许可 | 44 | 0 ||\n共 2229 ,|合计 5|", got, sizeof(got));
    assert_string_equal(got, "44//exact 0//exact");
}

static void test_quantity_not_years_dates_ordinals_or_names(void **state)
{
    struct rules *rules = *state;
    char got[512];
    quantities_of(rules,
                  "2024年12月19日,常应急〔2024〕33号,党的二十大,“八五”普法,第一责任人,"
                  "“1+70+20+N”,第三十二条,十四类,统一部署,进一步,第 3 次",
                  got, sizeof(got));
    assert_string_equal(got, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_quantity_parse_taxonomy_examples),
        cmocka_unit_test(test_quantity_finds_counts_with_measure_words),
        cmocka_unit_test(test_quantity_full_width_digits),
        cmocka_unit_test(test_quantity_one_space_before_the_measure_word),
        cmocka_unit_test(test_quantity_bare_number_only_in_a_table_cell),
        cmocka_unit_test(test_quantity_words_come_from_the_vocabulary),
        cmocka_unit_test(test_quantity_durations_are_no_counts),
        cmocka_unit_test(test_quantity_rates_are_no_counts),
        cmocka_unit_test(test_quantity_value_before_a_change),
        cmocka_unit_test(test_quantity_numeral_inside_a_place_name),
        cmocka_unit_test(test_quantity_size_of_a_list),
        cmocka_unit_test(test_quantity_not_years_dates_ordinals_or_names),
    };
    return cmocka_run_group_tests(tests, rules_fixture_setup, rules_fixture_teardown);
}
