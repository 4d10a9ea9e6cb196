/*
 * test_families.c - report families (catalogue.c, family.c) and rules that read
 * a table cell by its row and column (tablegrid.c), with the shipped rule sets
 * of config/rules/.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "catalogue.h"
#include "extractor.h"

static const char disclosure_title[] = "某某县应急管理局2023年政府信息公开工作年度报告\n"
                                       "二、主动公开政府信息情况\n";

/* The envelope of @p text under the rule sets of @p path; fails the test when it cannot. */
static json_t *extract_with(const char *path, const char *text)
{
    char errstr[1024];
    struct catalogue *cat = catalogue_load(path, errstr, sizeof(errstr));
    if (!cat) {
        fail_msg("catalogue_load: %s", errstr);
    }
    struct extractor ex;
    assert_int_equal(extractor_init(&ex, cat), 0);
    json_t *env = NULL;
    const char *reason = NULL;
    assert_int_equal(
        extractor_run(&ex, text, strlen(text), NULL, &env, &reason, errstr, sizeof(errstr)),
        EXTRACT_OK);
    extractor_release(&ex);
    catalogue_free(cat);
    return env;
}

/* @p env's metrics hold key @p key once, of value @p want; with @p want -1, not at all. The
   values found are named when they differ. */
static void assert_one_value(json_t *env, const char *key, double want)
{
    size_t n = 0, i;
    double got = -1;
    json_t *m;
    json_array_foreach(json_object_get(env, "metrics"), i, m)
    {
        if (strcmp(json_string_value(json_object_get(m, "key")), key) == 0) {
            got = json_number_value(json_object_get(m, "value"));
            n++;
        }
    }
    if (want < 0 ? n != 0 : n != 1 || got != want) {
        fail_msg("%s: %zu fact(s), the last of value %g; want %s%g", key, n, got,
                 want < 0 ? "none " : "one of value ", want < 0 ? 0 : want);
    }
}

static const char *family_of(json_t *env)
{
    return json_string_value(json_object_get(json_object_get(env, "document"), "report_family"));
}

static void folder_loads_every_family_with_a_hash_of_its_own(void **state)
{
    (void)state;
    char errstr[1024];
    struct catalogue *all = catalogue_load(RF_RULES_DIR, errstr, sizeof(errstr));
    struct catalogue *one =
        catalogue_load(RF_RULES_DIR "/emergency-management-annual.json", errstr, sizeof(errstr));
    assert_non_null(all);
    assert_non_null(one);
    assert_int_equal(all->cnt, 2); /* the model file is not a rule set */
    assert_int_equal(one->cnt, 1);
    assert_string_equal(one->hash, one->sets[0]->hash); /* one file keeps its own hash */
    assert_string_not_equal(all->hash, one->hash);
    catalogue_free(all);
    catalogue_free(one);
}

static void disclosure_report_is_told_from_rule_of_law_report(void **state)
{
    (void)state;
    json_t *env = extract_with(RF_RULES_DIR,
                               "某某县应急管理局2023年政府信息公开工作年度报告\n"
                               "一、总体情况\n2023年，我局主动公开政府信息120条。\n"
                               "二、主动公开政府信息情况\n三、收到和处理政府信息公开申请情况\n");
    assert_string_equal(family_of(env), "gov-disclosure-annual");
    json_decref(env);
    env = extract_with(RF_RULES_DIR,
                       "某某县应急管理局2023年法治政府建设情况报告\n"
                       "2023年，我局检查企业120家，查处隐患300项，按时公开政府信息。\n");
    assert_string_equal(family_of(env), "cn-emergency-rule-of-law");
    json_decref(env);
}

static void document_of_no_family_has_quantities_but_no_facts(void **state)
{
    (void)state;
    /* the disclosure family alone: a rule-of-law report belongs to no family it knows */
    json_t *env =
        extract_with(RF_RULES_DIR "/gov-disclosure-annual.json",
                     "某某县应急管理局2023年法治政府建设情况报告\n"
                     "2023年，我局检查企业120家，查处隐患300项，作出行政处罚决定12件。\n");
    assert_null(family_of(env));
    assert_int_equal(json_array_size(json_object_get(env, "metrics")), 0);
    assert_true(json_array_size(json_object_get(env, "quantities")) >= 3);
    json_t *warnings = json_object_get(json_object_get(env, "document"), "warnings");
    assert_non_null(strstr(json_string_value(json_array_get(warnings, 0)), "no known report"));
    json_decref(env);
}

static void cell_is_read_from_the_column_its_header_names(void **state)
{
    (void)state;
    char text[2048];
    /* the template of 2019: the decisions are the last column, not the first number */
    snprintf(text, sizeof(text),
             "%s| 信息内容 | 上一年项目数量 | 本年增/减 | 处理决定数量 |\n"
             "| 行政许可 | 10 | 0 | 36 |\n"
             "| 行政处罚 | 4 | +2 | 12 |\n",
             disclosure_title);
    json_t *env = extract_with(RF_RULES_DIR, text);
    assert_one_value(env, "permits.processed", 36);
    assert_one_value(env, "penalties.decisions", 12);
    json_decref(env);
}

static void sub_rows_inherit_their_heading_and_are_summed(void **state)
{
    (void)state;
    char text[4096];
    snprintf(text, sizeof(text),
             "%s三、收到和处理政府信息公开申请情况\n"
             "| 申请人情况 | 自然人 | 法人或其他组织 | 总计 |\n"
             "| 一、本年新收政府信息公开申请数量 | 30 | 5 | 35 |\n"
             "| 三、本年度办理结果 | （一）予以公开 | 9 | 1 | 10 |\n"
             "| （二）部分公开 | 2 | 0 | 2 |\n"
             "| （三）不予公开 | 1.属于国家秘密 | 1 | 0 | 1 |\n"
             "| 2.其他法律行政法规禁止公开 | 2 | 1 | 3 |\n"
             "| （四）无法提供 | 1.本机关不掌握相关政府信息 | 7 | 0 | 7 |\n"
             "| （七）总计 | 19 | 1 |  |\n",
             disclosure_title);
    json_t *env = extract_with(RF_RULES_DIR, text);
    assert_one_value(env, "transparency.disclosure_requests", 35);
    assert_one_value(env, "requests.partly_disclosed",
                     2); /* (二) took 三、 from the row above, and its last cell */
    assert_one_value(env, "requests.refused",
                     4); /* 1 + 3: the second reason took (三) from the row above */
    assert_one_value(env, "requests.unavailable",
                     7);                            /* not 4 + 7: (四) starts a group of its own */
    assert_one_value(env, "requests.answered", -1); /* its total is blank */
    json_decref(env);
}

static void numbers_under_their_label_line_take_it(void **state)
{
    (void)state;
    char text[2048];
    /* a PDF's layout set the second reason's label on its own line, above its numbers */
    snprintf(text, sizeof(text),
             "%s三、收到和处理政府信息公开申请情况\n"
             "| 1.属于国家秘密 | 1 | 0 | 1 |\n"
             "| 予公开 | 2.其他法律行政 |\n"
             "| 2 | 0 | 2 |\n"
             "法规禁止公开\n",
             disclosure_title);
    json_t *env = extract_with(RF_RULES_DIR, text);
    assert_one_value(env, "requests.refused", 3);
    json_decref(env);
}

static void row_of_fifteen_numbers_is_table_four(void **state)
{
    (void)state;
    char text[2048];
    snprintf(text, sizeof(text),
             "%s四、政府信息公开行政复议、行政诉讼情况\n"
             "| 结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计 |\n"
             "| 3 | 1 | 0 | 1 | 5 | 2 | 0 | 0 | 0 | 2 | 1 | 0 | 0 | 0 | 1 |\n",
             disclosure_title);
    json_t *env = extract_with(RF_RULES_DIR, text);
    assert_one_value(env, "reconsiderations.total", 5);
    assert_one_value(env, "lawsuits.direct_total", 2);
    assert_one_value(env, "lawsuits.after_reconsideration_upheld", 1);
    json_decref(env);
}

static void run_together_cells_are_split_where_the_sums_say(void **state)
{
    (void)state;
    char text[4096];
    /* a page copied as text: the table's borders are gone, each row's numbers run together */
    snprintf(
        text, sizeof(text),
        "%s三、收到和处理政府信息公开申请情况申请人情况自然人法人或其他组织总计商业企业"
        "一、本年新收政府信息公开申请数量801000081二、上年结转政府信息公开申请数量0000000"
        "三、本年度办理结果（一）予以公开220000022（三）不予公开1.属于国家秘密0000000"
        "2.其他法律行政法规禁止公开1000001（七）总计801000081"
        "四、政府信息公开行政复议、行政诉讼情况行政复议行政诉讼结果维持结果纠正其他结果尚未审结总计"
        "110024001510102五、存在的主要问题及改进情况\n",
        disclosure_title);
    json_t *env = extract_with(RF_RULES_DIR, text);
    assert_one_value(env, "transparency.disclosure_requests",
                     81); /* 80 1 0 0 0 0 81: the only split that adds up */
    assert_one_value(env, "requests.carried_in", 0);
    /* 22 0 0 0 0 0 22 and 2 20 0 0 0 0 22 both add up: they agree on the total alone */
    assert_one_value(env, "requests.disclosed", 22);
    assert_one_value(env, "requests.refused",
                     1); /* 0 + 1: the 2 of "2.其他" is the label's, not the number's */
    assert_one_value(env, "reconsiderations.total", 2); /* 1 1 0 0 2 | 4 0 0 1 5 | 1 0 1 0 2 */
    assert_one_value(env, "lawsuits.direct_total", 5);
    json_decref(env);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(folder_loads_every_family_with_a_hash_of_its_own),
        cmocka_unit_test(disclosure_report_is_told_from_rule_of_law_report),
        cmocka_unit_test(document_of_no_family_has_quantities_but_no_facts),
        cmocka_unit_test(cell_is_read_from_the_column_its_header_names),
        cmocka_unit_test(sub_rows_inherit_their_heading_and_are_summed),
        cmocka_unit_test(numbers_under_their_label_line_take_it),
        cmocka_unit_test(row_of_fifteen_numbers_is_table_four),
        cmocka_unit_test(run_together_cells_are_split_where_the_sums_say),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
