/* test_pdftable.c - a PDF page's tables from its words' boxes (pdfwords.c, pdftable.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pdftable.h"
#include "pdfwords.h"

/* Lines 16 points high, 30 apart: rows of a table with some room between them. */
#define LINE_H 16.0
#define PITCH 30.0
#define CHAR_W 12.0 /* a Chinese character; a digit is half */

/* A page of pdftotext -tsv under construction. */
struct tsv {
    char text[16384];
    size_t len;
    int page;
};

static void add(struct tsv *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(t->text + t->len, sizeof(t->text) - t->len, fmt, ap);
    va_end(ap);
    assert_true(n > 0 && (size_t)n < sizeof(t->text) - t->len);
    t->len += (size_t)n;
}

static void start(struct tsv *t)
{
    t->len = 0;
    t->page = 0;
    add(t, "level\tpage_num\tpar_num\tblock_num\tline_num\tword_num\tleft\ttop\twidth\theight\t"
           "conf\ttext\n");
}

static void page(struct tsv *t)
{
    t->page++;
    add(t, "1\t%d\t0\t0\t0\t0\t0\t0\t595\t842\t-1\t###PAGE###\n", t->page);
}

/* A word whose left edge is at @p x, on line @p row (its top at row * PITCH). */
static void word(struct tsv *t, double x, double row, const char *w)
{
    double width = 0;
    for (const char *c = w; *c;) {
        bool ascii = (unsigned char)*c < 0x80;
        width += ascii ? CHAR_W / 2 : CHAR_W;
        c += ascii ? 1 : 3; /* the tests' Chinese is 3 bytes a character */
    }
    add(t, "5\t%d\t0\t0\t0\t0\t%.2f\t%.2f\t%.2f\t%.2f\t100\t%s\n", t->page, x, row * PITCH, width,
        LINE_H, w);
}

/* The text pdftable writes for the single page of @p t. */
static char *rows_of(const struct tsv *t)
{
    struct pdfwords w;
    assert_int_equal(pdfwords_parse(t->text, t->len, 1, &w), 0);
    struct rf_buf out = RF_BUF_INIT;
    assert_int_equal(pdftable_rows(t->text, w.words, w.count, &out), 0);
    pdfwords_release(&w);
    char *s = rf_buf_detach(&out);
    return s ? s : strdup("");
}

/* Columns of values at these left edges, labels at 40: the text of a page 500 points wide. */
static const double COLUMN[] = {300, 380, 460, 540};

static void page_of_lone_numbers_holds_a_table(void **state)
{
    (void)state;
    const char table[] = "行政许可\n\n36\n\n行政处罚\n\n12\n\n4\n\n0\n\n1\n\n7\n";
    const char prose[] = "2023年，我局主动公开政府信息120条。\n共办理申请33件。\n2\n";
    assert_true(pdftable_page_is_tabular(table, strlen(table)));
    assert_false(pdftable_page_is_tabular(prose, strlen(prose)));
}

static void words_are_read_per_page(void **state)
{
    (void)state;
    struct tsv t;
    start(&t);
    page(&t);
    word(&t, 40, 1, "规章");
    page(&t); /* a page with no words */
    page(&t);
    word(&t, 40, 2, "36");
    struct pdfwords w;
    assert_int_equal(pdfwords_parse(t.text, t.len, 3, &w), 0);
    assert_int_equal(w.count, 2);
    assert_int_equal(w.first[0], 0);
    assert_int_equal(w.first[1], 1);
    assert_int_equal(w.first[2], 1);
    assert_int_equal(w.first[3], 2);
    assert_memory_equal(t.text + w.words[1].at, "36", 2);
    assert_true(w.words[1].y0 == (float)(2 * PITCH) && w.words[1].x1 == 52.0f);
    pdfwords_release(&w);
    /* another number of pages than the text reading found: not this document's words */
    assert_int_equal(pdfwords_parse(t.text, t.len, 2, &w), 1);
}

static void words_with_bad_boxes_are_refused(void **state)
{
    (void)state;
    const char *bad[] = {
        "level\n1\t1\t0\t0\t0\t0\t0\t0\t595\t842\t-1\t###PAGE###\n"
        "5\t1\t0\t0\t0\t0\tnan\t10\t12\t16\t100\t规章\n",
        "level\n1\t1\t0\t0\t0\t0\t0\t0\t595\t842\t-1\t###PAGE###\n"
        "5\t1\t0\t0\t0\t0\t1e300\t10\t12\t16\t100\t规章\n",
        "level\n1\t1\t0\t0\t0\t0\t0\t0\t595\t842\t-1\t###PAGE###\n"
        "5\t1\t0\t0\t0\t0\t10\t10\t12\n",
        "level\n5\t1\t0\t0\t0\t0\t10\t10\t12\t16\t100\t规章\n", /* a word before any page */
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct pdfwords w;
        assert_int_equal(pdfwords_parse(bad[i], strlen(bad[i]), 1, &w), 1);
    }
}

static void blank_cells_keep_their_column(void **state)
{
    (void)state;
    struct tsv t;
    start(&t);
    page(&t);
    word(&t, 40, 1, "信息内容");
    for (int c = 0; c < 4; c++) {
        word(&t, COLUMN[c] - 6, 1, c < 3 ? "数据" : "总计");
    }
    word(&t, 40, 2, "本年新收");
    word(&t, COLUMN[0], 2, "821");
    word(&t, COLUMN[1], 2, "35");
    word(&t, COLUMN[3], 2, "859");
    word(&t, 40, 3, "上年结转");
    word(&t, COLUMN[0], 3, "18");
    word(&t, COLUMN[2], 3, "3");
    char *text = rows_of(&t);
    assert_string_equal(text, "| 信息内容 | 数据 | 数据 | 数据 | 总计 |\n"
                              "| 本年新收 | 821 | 35 |  | 859 |\n"
                              /* a blank total is no total: the last cell stays blank */
                              "| 上年结转 | 18 |  | 3 |  |\n");
    free(text);
}

static void a_value_wrapped_in_a_narrow_cell_is_joined(void **state)
{
    (void)state;
    struct tsv t;
    start(&t);
    page(&t);
    word(&t, 40, 1, "一、本年新收申请");
    word(&t, COLUMN[0], 1, "2695");
    word(&t, COLUMN[1], 1, "1718");
    word(&t, 40, 1.55, "数量");
    word(&t, COLUMN[0], 1.55, "4");
    word(&t, 40, 3, "二、上年结转");
    word(&t, COLUMN[0], 3, "1327");
    word(&t, COLUMN[1], 3, "69");
    /* a row of its own under it, not close: not a wrap */
    word(&t, COLUMN[0], 4, "5");
    char *text = rows_of(&t);
    assert_string_equal(text, "| 一、本年新收申请数量 | 26954 | 1718 |\n"
                              "| 二、上年结转 | 1327 | 69 |\n"
                              "| 5 |  |\n");
    free(text);
}

static void label_lines_join_the_nearest_row(void **state)
{
    (void)state;
    struct tsv t;
    start(&t);
    page(&t);
    word(&t, 40, 1, "（二）部分公开（区分处");
    word(&t, 40, 1.55, "理的，只计这一情形）");
    word(&t, COLUMN[0], 1.55, "3");
    word(&t, COLUMN[1], 1.55, "1");
    word(&t, 40, 3, "1.属于国家秘密");
    word(&t, COLUMN[0], 3, "14");
    word(&t, COLUMN[1], 3, "0");
    word(&t, 40, 4, "2.其他法律行政法规"); /* a row whose cells are all blank */
    word(&t, 40, 4.55, "禁止公开");
    word(&t, 40, 6, "3.危及“三安全一稳");
    word(&t, COLUMN[0], 6, "2");
    word(&t, COLUMN[1], 6, "0");
    word(&t, 40, 6.55, "定”");
    char *text = rows_of(&t);
    assert_string_equal(text, "| （二）部分公开（区分处理的，只计这一情形） | 3 | 1 |\n"
                              "| 1.属于国家秘密 | 14 | 0 |\n"
                              "| 2.其他法律行政法规禁止公开 |  |  |\n"
                              "| 3.危及“三安全一稳定” | 2 | 0 |\n");
    free(text);
}

static void a_label_spanning_rows_is_a_cell_of_its_own(void **state)
{
    (void)state;
    struct tsv t;
    start(&t);
    page(&t);
    word(&t, 40, 1, "三、");
    word(&t, 80, 1, "（一）予以公开");
    word(&t, COLUMN[0], 1, "258");
    word(&t, 40, 1.55, "本年");
    word(&t, 80, 2.5, "（二）部分公开");
    word(&t, COLUMN[0], 2.5, "3");
    word(&t, 40, 2.5 + 0.55, "度办");
    char *text = rows_of(&t);
    assert_string_equal(text, "| 三、本年 | （一）予以公开 | 258 |\n"
                              "| 度办 | （二）部分公开 | 3 |\n");
    free(text);
}

static void headings_and_prose_stay_text(void **state)
{
    (void)state;
    struct tsv t;
    start(&t);
    page(&t);
    /* a paragraph's line: a long run of words, a full stop */
    word(&t, 40, 0, "全年共受理申请");
    word(&t, 130, 0, "749");
    word(&t, 152, 0, "件，办结");
    word(&t, 204, 0, "718");
    word(&t, 226, 0, "件。");
    word(&t, 40, 1, "行政复议");                         /* a heading over the whole table */
    word(&t, 40, 2, "结果维持总计结果维持总计结果维持"); /* a word over two columns */
    word(&t, 40, 3, "维持");
    word(&t, 100, 3, "纠正");
    word(&t, 160, 3, "总计");
    word(&t, 44, 4, "27");
    word(&t, 104, 4, "10");
    word(&t, 164, 4, "61");
    char *text = rows_of(&t);
    assert_string_equal(text, "全年共受理申请 749 件，办结 718 件。\n"
                              "行政复议\n"
                              "结果维持总计结果维持总计结果维持\n"
                              "| 维持 | 纠正 | 总计 |\n"
                              "| 27 | 10 | 61 |\n");
    free(text);
}

static void a_header_further_down_starts_the_next_table(void **state)
{
    (void)state;
    struct tsv t;
    start(&t);
    page(&t);
    word(&t, 40, 1, "信息内容");
    word(&t, 200, 1, "本年制发件数");
    word(&t, 280, 1, "现行有效件数");
    word(&t, 40, 2, "规章");
    word(&t, 230, 2, "0");
    word(&t, 310, 2, "12");
    word(&t, 40, 4, "信息内容");
    word(&t, 380, 4, "本年处理决定数量");
    word(&t, 40, 5, "行政许可");
    word(&t, 420, 5, "36");
    char *text = rows_of(&t);
    /* the second table's one column is its own: no blank cells borrowed from the first */
    assert_string_equal(text, "| 信息内容 | 本年制发件数 | 现行有效件数 |\n"
                              "| 规章 | 0 | 12 |\n"
                              "| 信息内容 | 本年处理决定数量 |\n"
                              "| 行政许可 | 36 |\n");
    free(text);
}

static void a_line_of_too_many_numbers_is_left_as_text(void **state)
{
    (void)state;
    struct tsv t;
    start(&t);
    page(&t);
    for (int row = 1; row <= 2; row++) {
        for (int i = 0; i < 70; i++) {
            word(&t, 10 + 8.0 * i, row, "1");
        }
    }
    char *text = rows_of(&t);
    assert_null(strchr(text, '|'));
    assert_int_equal(strlen(text), 2 * (70 * 2 - 1 + 1));
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(page_of_lone_numbers_holds_a_table),
        cmocka_unit_test(words_are_read_per_page),
        cmocka_unit_test(words_with_bad_boxes_are_refused),
        cmocka_unit_test(blank_cells_keep_their_column),
        cmocka_unit_test(a_value_wrapped_in_a_narrow_cell_is_joined),
        cmocka_unit_test(label_lines_join_the_nearest_row),
        cmocka_unit_test(a_label_spanning_rows_is_a_cell_of_its_own),
        cmocka_unit_test(headings_and_prose_stay_text),
        cmocka_unit_test(a_header_further_down_starts_the_next_table),
        cmocka_unit_test(a_line_of_too_many_numbers_is_left_as_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
