/* test_gazetteer.c - divisions read from a file, regions split and resolved, bad lines named. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "gazetteer.h"
#include "text.h"

#define HEADER "# code\tlevel\tname\tparent\tshort\tstatus\n"

/* A small gazetteer in the shipped file's format: two 朝阳区, a numeral name, a former city. */
static const char *const SAMPLE = HEADER "110000\tprovince\t北京市\t\t北京\tcurrent\n"
                                         "110105\tcounty\t朝阳区\t110000\t朝阳\tcurrent\n"
                                         "220000\tprovince\t吉林省\t\t吉林\tcurrent\n"
                                         "220100\tcity\t长春市\t220000\t长春\tcurrent\n"
                                         "220104\tcounty\t朝阳区\t220100\t朝阳\tcurrent\n"
                                         "230000\tprovince\t黑龙江省\t\t黑龙江\tcurrent\n"
                                         "230900\tcity\t七台河市\t230000\t七台河\tcurrent\n"
                                         "330000\tprovince\t浙江省\t\t浙江\tcurrent\n"
                                         "331000\tcity\t台州市\t330000\t台州\tcurrent\n"
                                         "331022\tcounty\t三门县\t331000\t三门\tcurrent\n"
                                         "420000\tprovince\t湖北省\t\t湖北\tcurrent\n"
                                         "420600\tcity\t襄阳市\t420000\t襄阳\tcurrent\n"
                                         "420600\tcity\t襄樊市\t420000\t襄樊\tformer\n";

/* Write @p content to a fresh temporary file; its path into @p path. */
static void write_temp(const char *content, char *path, size_t size)
{
    snprintf(path, size, "/tmp/rf-test-gazetteer-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    size_t len = strlen(content);
    assert_int_equal(write(fd, content, len), (ssize_t)len);
    close(fd);
}

static struct gazetteer *load_text(const char *content, char *errstr, size_t errstr_size)
{
    char path[64];
    write_temp(content, path, sizeof(path));
    struct gazetteer *g = gazetteer_load(path, errstr, errstr_size);
    unlink(path);
    return g;
}

static int setup(void **state)
{
    char errstr[256];
    *state = load_text(SAMPLE, errstr, sizeof(errstr));
    if (!*state) {
        fail_msg("%s", errstr);
    }
    return 0;
}

static int teardown(void **state)
{
    gazetteer_free(*state);
    return 0;
}

static void test_gazetteer_find_full_and_short_forms(void **state)
{
    const struct gazetteer *g = *state;
    const struct gazetteer_place *p[4];
    assert_int_equal(gazetteer_count(g), 13);
    assert_int_equal(gazetteer_find(g, "长春", strlen("长春"), p, 4), 1);
    assert_string_equal(p[0]->code, "220100");
    assert_string_equal(p[0]->parent->name, "吉林省");
    assert_int_equal(gazetteer_find(g, "朝阳区", strlen("朝阳区"), p, 4), 2);
    assert_int_equal(gazetteer_find(g, "襄樊市", strlen("襄樊市"), p, 4), 1);
    assert_true(p[0]->former);
    assert_int_equal(gazetteer_find(g, "青阳市", strlen("青阳市"), p, 4), 0);
}

static void test_gazetteer_numeral_names_leave_out_short_county_forms(void **state)
{
    size_t cnt;
    const char *const *names = gazetteer_numeral_names(*state, &cnt);
    char got[256] = "";
    for (size_t i = 0; i < cnt; i++) {
        strcat(got, names[i]);
        strcat(got, " ");
    }
    /* 三门 alone is as often three doors; 七台河 is only ever the city */
    assert_string_equal(got, "七台河 七台河市 三门县 ");
}

static void test_gazetteer_region_is_a_chain_of_known_places(void **state)
{
    const struct gazetteer *g = *state;
    const char *yes[] = {"北京市朝阳区", "长春市朝阳区", "朝阳区",
                         "吉林长春",     "七台河市",     "襄樊市"};
    const char *no[] = {"依法治市", "围绕省", "长春市三门县", "北京市长春市", "青阳市", ""};
    for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
        if (!gazetteer_is_region(g, yes[i], strlen(yes[i]))) {
            fail_msg("%s should be a region", yes[i]);
        }
    }
    for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
        if (gazetteer_is_region(g, no[i], strlen(no[i]))) {
            fail_msg("%s should be no region", no[i]);
        }
    }
}

/* The code @p region resolves to in text @p s, or "-". */
static void assert_resolves(const struct gazetteer *g, const char *region, const char *s,
                            const char *want)
{
    struct text t;
    assert_int_equal(text_init(&t, s, strlen(s)), 0);
    const struct gazetteer_place *p =
        gazetteer_resolve(g, region, strlen(region), &t, 0, t.norm_len);
    text_release(&t);
    assert_string_equal(p ? p->code : "-", want);
}

static void test_gazetteer_resolve_namesakes_by_context(void **state)
{
    const struct gazetteer *g = *state;
    assert_resolves(g, "长春市朝阳区", "", "220104");
    assert_resolves(g, "朝阳区", "北京朝阳区应急管理局2024年报告", "110105");
    assert_resolves(g, "朝阳区", "吉林省长春市朝阳区", "220104");
    assert_resolves(g, "朝阳区", "朝阳区应急管理局", "-"); /* no context: ambiguous */
    assert_resolves(g, "襄樊市", "", "420600");
    assert_resolves(g, "依法治市", "", "-");
}

/* The place @p s names most often of @p level whose name ends with @p suffix, or "-". */
static void assert_most_named(const struct gazetteer *g, const char *s, const char *level,
                              const char *suffix, const char *want)
{
    struct text t;
    assert_int_equal(text_init(&t, s, strlen(s)), 0);
    const struct gazetteer_place *p =
        gazetteer_most_named(g, &t, 0, t.norm_len, level, suffix, strlen(suffix));
    text_release(&t);
    assert_string_equal(p ? p->name : "-", want);
}

static void test_gazetteer_most_named_by_any_form(void **state)
{
    const struct gazetteer *g = *state;
    /* a short form counts, the longest form at each place wins, the level must fit */
    assert_most_named(g, "吉林各地加强执法,吉林省检查企业", "province", "省", "吉林省");
    assert_most_named(g, "七台河各企业", "city", "市", "七台河市");
    assert_most_named(g, "七台河各企业", "province", "省", "-");
    /* a district is the gazetteer's county level; 朝阳区 is two places: none */
    assert_most_named(g, "朝阳区检查企业", "district", "区", "-");
    assert_most_named(g, "没有地名", "city", "市", "-");
    /* a 市 body may be a municipality's: 北京市 is province level */
    assert_most_named(g, "北京各区开展检查", "city", "市", "北京市");
}

static void test_gazetteer_bad_lines_are_named(void **state)
{
    (void)state;
    char errstr[256];
    assert_null(
        load_text(HEADER "11000\tprovince\t北京市\t\t北京\tcurrent\n", errstr, sizeof(errstr)));
    assert_non_null(strstr(errstr, "line 2: the code is not 6 digits"));
    assert_null(load_text(HEADER "110105\tcounty\t朝阳区\t110000\t朝阳\tcurrent\n", errstr,
                          sizeof(errstr)));
    assert_non_null(strstr(errstr, "朝阳区 (110105): its parent is no division of the file"));
    assert_null(load_text(HEADER "110000\tstate\t北京市\t\t\tcurrent\n", errstr, sizeof(errstr)));
    assert_non_null(strstr(errstr, "line 2: the level is not province, city or county"));
    assert_null(load_text(HEADER "110000\tprovince\t北京市\t\n", errstr, sizeof(errstr)));
    assert_non_null(strstr(errstr, "expected 6 tab-separated fields"));
    assert_null(load_text(HEADER, errstr, sizeof(errstr)));
    assert_non_null(strstr(errstr, "no divisions in it"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gazetteer_find_full_and_short_forms),
        cmocka_unit_test(test_gazetteer_numeral_names_leave_out_short_county_forms),
        cmocka_unit_test(test_gazetteer_region_is_a_chain_of_known_places),
        cmocka_unit_test(test_gazetteer_resolve_namesakes_by_context),
        cmocka_unit_test(test_gazetteer_most_named_by_any_form),
        cmocka_unit_test(test_gazetteer_bad_lines_are_named),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
