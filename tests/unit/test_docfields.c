/* test_docfields.c - document fields: calendar dates, abbreviated agencies, national bodies. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "docfields.h"
#include "rules.h"
#include "rules_fixture.h"
#include "text.h"

static void fields_of(const struct rules *r, const char *s, struct docfields *out)
{
    struct text t;
    assert_int_equal(text_init(&t, s, strlen(s)), 0);
    fold_apply(&r->fold, t.norm, t.norm_len); /* as extractor_run() does */
    assert_int_equal(docfields_extract(&t, r, NULL, out), 0);
    text_release(&t);
}

static void test_docfields_calendar(void **state)
{
    (void)state;
    assert_true(docfields_valid_date(2024, 2, 29));
    assert_false(docfields_valid_date(2023, 2, 29));
    assert_false(docfields_valid_date(1900, 2, 29));
    assert_true(docfields_valid_date(2000, 2, 29));
    assert_false(docfields_valid_date(2024, 6, 31));
    assert_true(docfields_valid_date(2024, 12, 31));
    assert_false(docfields_valid_date(2024, 13, 1));
    assert_false(docfields_valid_date(2024, 4, 0));
}

static void test_docfields_impossible_date_dropped_with_warning(void **state)
{
    struct docfields f;
    fields_of(*state,
              "发布时间:2024-06-31\n常州市应急管理局2023年度法治政府建设情况报告\n"
              "2023年,常州市应急管理局坚持依法行政。\n",
              &f);
    assert_string_equal(f.published, "");
    assert_non_null(strstr(f.warning, "2024-06-31"));
    assert_int_equal(f.year, 2023);
    assert_string_equal(f.agency, "常州市应急管理局");
    docfields_release(&f);

    fields_of(*state, "发布时间:2024-02-29\n常州市应急管理局2023年度法治政府建设情况报告\n", &f);
    assert_string_equal(f.published, "2024-02-29");
    assert_string_equal(f.warning, "");
    docfields_release(&f);
}

/* The published date, year and 文号 docfields reads from @p s must be these ("" for none). */
static void assert_head(const struct rules *r, const char *s, const char *published, int year,
                        const char *doc_number)
{
    struct docfields f;
    fields_of(r, s, &f);
    assert_string_equal(f.published, published);
    assert_int_equal(f.year, year);
    assert_string_equal(f.doc_number ? f.doc_number : "", doc_number);
    docfields_release(&f);
}

/* The shapes portals and converted pages give a report's head. */
static void test_docfields_head_shapes(void **state)
{
    /* a byline's date and time of day, with or without a bullet */
    assert_head(*state, "2022-01-26 16:15     来源:某市应急管理局\n2021年工作总结\n", "2022-01-26",
                2021, "");
    assert_head(*state,
                "四川省人民政府2022年度法治政府建设工作情况\n  • 2023年03月30日 09时24分\n"
                "2022年,省政府坚持依法行政。\n",
                "2023-03-30", 2022, "");
    /* a portal's table rows */
    assert_head(*state,
                "| [ 成文日期 ] | 2021-12-28 | [ 有 效 性 ] |\n| 文 号 | 厦应急〔2026〕11号 |\n"
                "关于2021年度法治政府建设情况的报告\n",
                "2021-12-28", 2021, "厦应急〔2026〕11号");
    /* a date in parentheses under the title; a 文号 in 【】; one in parentheses before a title */
    assert_head(*state, "2023年度法治政府建设情况报告\n(2024年1月31日)\n厦同应急【2026】1号\n",
                "2024-01-31", 2023, "厦同应急【2026】1号");
    assert_head(*state, "(市应急发〔2021〕98号)西安市应急管理局关于印发规划的通知\n", "", 0,
                "市应急发〔2021〕98号");
    /* a space before 年, as a page with pinyin readings removed leaves it */
    assert_head(*state, "章丘区文化和旅游局\n2023 年政府信息公开工作年度报告\n", "", 2023, "");
}

/* The agency, region and level docfields finds in @p s must be these (NULL: none found). */
static void assert_agency(const struct rules *r, const char *s, const char *agency,
                          const char *region, const char *level)
{
    struct docfields f;
    fields_of(r, s, &f);
    const char *got[] = {f.agency, f.region, f.level}, *want[] = {agency, region, level};
    for (size_t i = 0; i < 3; i++) {
        if (want[i] ? !got[i] || strcmp(got[i], want[i]) != 0 : got[i] != NULL) {
            fail_msg("%s: field %zu is '%s', not '%s'", s, i, got[i] ? got[i] : "(none)",
                     want[i] ? want[i] : "(none)");
        }
    }
    docfields_release(&f);
}

static void test_docfields_abbreviated_agency_expanded(void **state)
{
    assert_agency(*state,
                  "市政府:\n2023年,市应急管理局坚持以习近平法治思想为指导,严格落实《深圳市2023年"
                  "法治政府建设重点工作》。市应急管理局全年办结案件。\n",
                  "深圳市应急管理局", "深圳市", "city");
    /* with no place named anywhere, the abbreviation stays as written */
    assert_agency(*state, "2022年,县应急管理局坚持依法行政,县应急管理局全年办结案件。\n",
                  "县应急管理局", NULL, "county");
}

static void test_docfields_other_bodies(void **state)
{
    assert_agency(*state, "2020年,和平区生态环境局严格执法,和平区生态环境局共检查企业。\n",
                  "和平区生态环境局", "和平区", "district");
    assert_agency(*state, "2023年,应急管理部深入推进法治政府建设,应急管理部党委高度重视。\n",
                  "应急管理部", NULL, NULL);
    /* a page in traditional script names the body in simplified script */
    assert_agency(*state, "2024年,宣州區應急管理局堅持依法行政,請與宣州區應急管理局聯繫。\n",
                  "宣州区应急管理局", "宣州区", "district");
    /* an abbreviated body word is written out in full */
    assert_agency(*state, "2021年,成都市应急局推进执法,成都市应急局全年检查企业。\n",
                  "成都市应急管理局", "成都市", "city");
}

static void test_docfields_abbreviations_written_out(void **state)
{
    assert_agency(*state, "2022年,临川区市监局加大执法力度,临川区市监局全年立案。\n",
                  "临川区市场监督管理局", "临川区", "district");
    assert_agency(*state, "记者从鹤峰县安办获悉,今年鹤峰县安办组织检查。\n",
                  "鹤峰县安全生产委员会办公室", "鹤峰县", "county");
    /* 省政府安办 with no province named: the abbreviation stays as written */
    assert_agency(*state, "记者从省政府安办获悉,全省事故总量下降。\n",
                  "省人民政府安全生产委员会办公室", NULL, "province");
}

static void test_docfields_city_name_ending_like_a_suffix(void **state)
{
    /* 朔 + 州 is no place name: the city is 朔州市, not a 州 cut out of it */
    assert_agency(*state, "本报讯 忻州消防支队开展整治,全市未发生较大火灾。\n", "忻州市消防支队",
                  "忻州市", "city");
    assert_agency(*state, "本报讯 忻州消防支队开展整治,忻州市各单位积极配合。\n", "忻州市消防支队",
                  "忻州市", "city");
    /* nothing says it is a city: no agency rather than a cut one */
    assert_agency(*state, "本报讯 忻州消防支队开展整治,隐患全部整改。\n", NULL, NULL, NULL);
}

static void test_docfields_bodies_below_and_departments(void **state)
{
    /* 各设区市应急管理局 are the addressees; 应急管理部门 are departments, not the ministry */
    assert_agency(*state,
                  "各设区市应急管理局:\n现将2020年全区执法情况通报如下:各级应急管理部门共检查"
                  "企业。经济处罚下降的有青川市和白河市。\n",
                  NULL, NULL, NULL);
}

/* A gazetteer tells a place from a phrase, and completes a body whose place is named once */
static void test_docfields_places_from_the_gazetteer(void **state)
{
    /* 依法治市 and 围绕省 name no place: the body is the unnamed one, completed from the text */
    assert_agency(*state, "推进依法治市应急管理局工作。2023年常州市安全形势稳定。\n",
                  "常州市应急管理局", "常州市", "city");
    /* the province named once, by its short form, far from the body */
    assert_agency(*state,
                  "今年以来四川各地加强安全生产执法。\n全省共检查企业。\n"
                  "省人民政府安全生产委员会办公室通报情况。\n",
                  "四川省人民政府安全生产委员会办公室", "四川省", "province");
    /* 自治区 is one suffix: the body is the region's, completed from its short form */
    assert_agency(*state,
                  "全区应急管理系统加强执法。\n推进依法治区自治区应急管理厅部署。广西各地落实。\n",
                  "广西壮族自治区应急管理厅", "广西壮族自治区", "province");
    /* named once in full and once without its place: named from its own place */
    assert_agency(*state, "2023年,铜川市耀州区应急管理局坚持依法行政。\n区应急管理局检查企业。\n",
                  "耀州区应急管理局", "铜川市耀州区", "district");
    /* the body above, named without its place, does not win over the one named in full */
    assert_agency(*state, "在省应急管理厅的关心指导下,江门市应急管理局坚持依法行政。广东各地。\n",
                  "江门市应急管理局", "江门市", "city");
    /* a made-up place is none: 有青川市 is no city, so nothing completes the body */
    assert_agency(*state, "围绕省应急管理厅部署。有青川市检查企业。\n", "省应急管理厅", NULL,
                  "province");
}

static void test_docfields_government_reports_on_itself(void **state)
{
    /* the county is the subject of the opening: its government reports */
    assert_agency(*state,
                  "2019年,青阳县法治政府建设工作稳步推进,现将情况报告如下\n"
                  "一、主要举措\n县司法局和县综合行政执法局相对集中行政处罚权。\n"
                  "青阳县综合行政执法局全年办结案件。\n",
                  "青阳县人民政府", "青阳县", "county");
    assert_agency(*state,
                  "目 录\n第一部分 松阳县2024年度行政执法数据表\n一、行政处罚实施情况统计表\n",
                  "松阳县人民政府", "松阳县", "county");
    /* the place is the subject of the opening sentence, or its party committee and
       government are: the government reports on its own work */
    assert_agency(*state, "2021年,黑龙江省坚持以习近平新时代中国特色社会主义思想为指导。\n",
                  "黑龙江省人民政府", "黑龙江省", "province");
    assert_agency(*state, "2022年,鞍山市委、市政府深入学习宣传贯彻党的二十大精神。\n",
                  "鞍山市人民政府", "鞍山市", "city");
    /* a subdistrict reports through its office, and may be named after a road */
    assert_agency(*state, "2023年,天目西路街道坚持以习近平法治思想为指导,推进法治建设。\n",
                  "天目西路街道办事处", "天目西路街道", "town");
    /* ... but a body after the place is that body */
    assert_agency(*state, "2023年,常州市应急管理局坚持依法行政。\n", "常州市应急管理局", "常州市",
                  "city");
    /* a place cited in a title, or inside a clause, is not the author */
    assert_agency(*state,
                  "2023年,市应急管理局严格落实《衡阳市2023年法治政府建设要点》,推进衡阳市法治"
                  "政府建设。\n",
                  "衡阳市应急管理局", "衡阳市", "city");
    /* deep in a one-line report, a county's year is another body's business */
    char one_line[2048] = "2023年,深圳市应急管理局依法行政";
    while (strlen(one_line) < 1500) {
        strcat(one_line, ",深圳市应急管理局持续推进执法规范化建设");
    }
    strcat(one_line, ",青阳县2023年度接受我局帮扶。\n");
    assert_agency(*state, one_line, "深圳市应急管理局", "深圳市", "city");
    /* the bureau the title names still wins */
    assert_agency(*state,
                  "青阳县应急管理局2023年度法治政府建设情况报告\n青阳县2023年法治政府建设取得成效,"
                  "青阳县应急管理局依法行政。\n",
                  "青阳县应急管理局", "青阳县", "county");
}

static void test_docfields_notice_to_bodies_below(void **state)
{
    /* a notice to 各区应急局 comes from the city's bureau, not the ministry it mentions */
    assert_agency(*state,
                  "衡阳市执业行为整治情况通报\n  • 各区应急局:\n现将衡阳市整治情况通报如下,做法被"
                  "应急管理部网站刊登。\n",
                  "衡阳市应急管理局", "衡阳市", "city");
    /* the same words in a sentence address no one */
    assert_agency(*state, "2021年,各区应急局与应急管理部联合检查。\n", "应急管理部", NULL, NULL);
}

static void test_docfields_pinyin_readings_skipped(void **state)
{
    /* a converted page prints readings after some characters: 環(huán)保局 is 环保局 */
    assert_agency(*state,
                  "記者從衡陽市環(huán)保局獲悉,上半年衡陽市環(huán)保部門處罰(chǔ)案件。\n",
                  "衡阳市环境保护局", "衡阳市", "city");
    /* a parenthesised word without a tone mark is no reading */
    assert_agency(*state, "衡阳市环保(app)局上线。\n", NULL, NULL, NULL);
}

/* What a page head says about its publisher, and what the ministries are called */
static void test_docfields_publisher_from_the_page_head(void **state)
{
    /* a labelled publisher, its value on the next line as portals list it */
    assert_agency(*state,
                  "  • 发布机构:\n  • 县应急管理局\n2021年工作总结\n县司法局检查企业,县司法局"
                  "办结案件。仙居县召开会议。\n",
                  "仙居县应急管理局", "仙居县", "county");
    /* a byline (a name and a date) puts the government before the bureau it mentions */
    assert_agency(*state,
                  "清水县人民政府 2024年01月08日\n按照要求,县司法局总结全县工作,县司法局"
                  "起草报告。\n",
                  "清水县人民政府", "清水县", "county");
    /* ... but an addressee line is no byline: the bureau that writes to it */
    assert_agency(*state, "省人民政府:\n2022年,广东省交通运输厅坚持依法行政。\n",
                  "广东省交通运输厅", "广东省", "province");
    /* a city report whose source is its drafting bureau stays the city's */
    assert_agency(*state,
                  "长沙市2023年法治政府建设情况报告\n来源:市司法局 发布时间:2024-02-22\n"
                  "2023年,我市全面推进依法行政。\n",
                  "长沙市人民政府", "长沙市", "city");
    /* the index number's credit code names the place the text never writes (331024) */
    assert_agency(*state,
                  "索引号 113310247793773537/2022-117418\n县应急管理局2021年工作总结\n"
                  "县应急管理局全年检查企业。\n",
                  "仙居县应急管理局", "仙居县", "county");
    /* ... one digit off, its check fails and it names nothing */
    assert_agency(*state,
                  "索引号 113310247793773538/2022-117418\n县应急管理局2021年工作总结\n"
                  "县应急管理局全年检查企业。\n",
                  "县应急管理局", NULL, "county");
    /* a branch named after its bureau is the branch */
    assert_agency(*state, "十堰市生态环境局郧阳分局2023年政府信息公开工作年度报告\n",
                  "十堰市生态环境局郧阳分局", "十堰市", "city");
    /* a ministry of the State Council, in traditional script folded by the table */
    assert_agency(*state, "2022年,在黨中央的領導下,交通運輸部堅持依法行政。\n", "交通运输部", NULL,
                  NULL);
    assert_agency(*state, "2022年,三張鎮堅持以法治政府建設為抓手。\n", "三张镇人民政府", "三张镇",
                  "town");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_docfields_calendar),
        cmocka_unit_test(test_docfields_impossible_date_dropped_with_warning),
        cmocka_unit_test(test_docfields_head_shapes),
        cmocka_unit_test(test_docfields_abbreviated_agency_expanded),
        cmocka_unit_test(test_docfields_other_bodies),
        cmocka_unit_test(test_docfields_abbreviations_written_out),
        cmocka_unit_test(test_docfields_city_name_ending_like_a_suffix),
        cmocka_unit_test(test_docfields_bodies_below_and_departments),
        cmocka_unit_test(test_docfields_places_from_the_gazetteer),
        cmocka_unit_test(test_docfields_government_reports_on_itself),
        cmocka_unit_test(test_docfields_notice_to_bodies_below),
        cmocka_unit_test(test_docfields_pinyin_readings_skipped),
        cmocka_unit_test(test_docfields_publisher_from_the_page_head),
    };
    return cmocka_run_group_tests(tests, rules_fixture_setup, rules_fixture_teardown);
}
