/* test_pdftable.c - a PDF page's table rows as cells between bars (pdftable.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pdftable.h"

static void page_of_lone_numbers_holds_a_table(void **state)
{
    (void)state;
    const char table[] = "行政许可\n\n36\n\n行政处罚\n\n12\n\n4\n\n0\n\n1\n\n7\n";
    const char prose[] = "2023年，我局主动公开政府信息120条。\n共办理申请33件。\n2\n";
    assert_true(pdftable_page_is_tabular(table, strlen(table)));
    assert_false(pdftable_page_is_tabular(prose, strlen(prose)));
}

static char *rows_of(const char *layout)
{
    struct rf_buf out = RF_BUF_INIT;
    assert_int_equal(pdftable_rows(layout, strlen(layout), &out), 0);
    return rf_buf_detach(&out);
}

static void layout_rows_become_cells(void **state)
{
    (void)state;
    char *text = rows_of("信息内容     本年制发件数 本年废止件数 现行有效件数\n"
                         "规章       0       0         0\n"
                         "行政规范性文件 3        1         12\n"
                         "行政许可     36\n"
                         "  3   1   0   1   5\n"
                         "2023 年，我局主动公开政府信息 120 条。\n"
                         "共有 2 名工作人员 办理\n");
    assert_string_equal(text, "| 信息内容 | 本年制发件数 | 本年废止件数 | 现行有效件数 |\n"
                              "| 规章 | 0 | 0 | 0 |\n"
                              "| 行政规范性文件 | 3 | 1 | 12 |\n"
                              "| 行政许可 | 36 |\n"
                              "| 3 | 1 | 0 | 1 | 5 |\n"
                              /* a sentence, and a number set apart by one space only */
                              "2023 年，我局主动公开政府信息 120 条。\n"
                              "共有 2 名工作人员 办理\n");
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(page_of_lone_numbers_holds_a_table),
        cmocka_unit_test(layout_rows_become_cells),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
