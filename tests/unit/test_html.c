/* test_html.c - markup to text: blocks, white space, raw elements, entities, hostile markup. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "html.h"

static void check(const char *html, const char *want)
{
    size_t len = 0;
    char *text = html_to_text(html, strlen(html), &len);
    assert_non_null(text);
    assert_string_equal(text, want);
    assert_int_equal(len, strlen(want));
    free(text);
}

static void test_html_blocks_and_white_space(void **state)
{
    (void)state;
    check("<p>一、 主要\n  工作</p><div>二</div><br/><li>三</li>", "一、 主要 工作\n二\n三");
    /* a table's rows as the rules read tables: | cell | cell | */
    check("<table><tr><td>检查</td><td>364家</td></tr></table>", "| 检查 | 364家 |");
    check("<table><tr><th>项目</th><th>数量</th><tr><td><p>行政</p><p>许可</p></td><td>44</td>"
          "</table>后文",
          "| 项目 | 数量 |\n| 行政 许可 | 44 |\n后文");
    /* a cell outside any row is a space, as a browser shows it */
    check("检查<td>364家", "检查 364家");
    check("<b>立案</b><i>665</i>宗", "立案665宗");
}

static void test_html_skips_script_style_and_comments(void **state)
{
    (void)state;
    check("<script>if (a < b) { x = '</p>'; }</script>正文<style>p{}</style><!-- <p>x</p> -->完",
          "正文完");
}

static void test_html_named_entities(void **state)
{
    (void)state;
    check("&amp;&lt;&gt;&quot;&apos;", "&<>\"'");
    check("温度25&deg;C,&reg;,10m&sup2;,&times;,&yen;", "温度25°C,®,10m²,×,¥");
    check("&ldquo;安全&rdquo;&hellip;&mdash;", "“安全”…—");
    check("&nbsp;检查&nbsp;", " 检查 "); /* a no-break space is kept, as a plain space */
    check("A&nbsp;B", "A B");
}

static void test_html_numeric_and_unknown_entities(void **state)
{
    (void)state;
    check("&#24180;&#x5E74;&#X5e74;", "年年年");
    check("&#0;&#xD800;&#x110000;", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
    check("&nosuchentity; &amp &#xZZ; a&b", "&nosuchentity; &amp &#xZZ; a&b");
}

static void test_html_lone_angle_and_unclosed_tags(void **state)
{
    (void)state;
    check("1 < 2 和 3 <5", "1 < 2 和 3 <5");
    check("正文<!-- 未闭合的注释", "正文");
    check("正文<script>未闭合", "正文");
}

/* Hostile markup stays linear: unclosed tags, comments and entities by the hundred thousand. */
static void test_html_hostile_markup_is_linear(void **state)
{
    (void)state;
    const char *const units[] = {"<a", "&amp", "<!-", "<p>x", "&#1234567890"};
    for (size_t k = 0; k < sizeof(units) / sizeof(units[0]); k++) {
        size_t ul = strlen(units[k]), n = (1u << 20) / ul;
        char *s = malloc(n * ul + 1);
        for (size_t i = 0; i < n; i++) {
            memcpy(s + i * ul, units[k], ul);
        }
        s[n * ul] = '\0';
        struct timespec start, end;
        clock_gettime(CLOCK_MONOTONIC, &start);
        size_t len;
        char *text = html_to_text(s, n * ul, &len);
        clock_gettime(CLOCK_MONOTONIC, &end);
        assert_non_null(text);
        free(text);
        free(s);
        double took = (double)(end.tv_sec - start.tv_sec) + (end.tv_nsec - start.tv_nsec) / 1e9;
        if (took > 5.0) {
            fail_msg("1 MB of '%s' took %.1f s", units[k], took);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_html_blocks_and_white_space),
        cmocka_unit_test(test_html_skips_script_style_and_comments),
        cmocka_unit_test(test_html_named_entities),
        cmocka_unit_test(test_html_numeric_and_unknown_entities),
        cmocka_unit_test(test_html_lone_angle_and_unclosed_tags),
        cmocka_unit_test(test_html_hostile_markup_is_linear),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
