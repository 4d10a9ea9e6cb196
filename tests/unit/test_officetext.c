/*
 * test_officetext.c - DOCX and ODT to text (officetext.c, textlines.c, numbering.c) and the
 * program reportflow-officetext. Every document is made here with libzip as the test runs
 * (officetext_fixture.h): paragraphs, tabs, breaks, tables, deleted text, Word's list numbers,
 * ODF's spaces and repeated cells. The hostile documents are in test_officetext_hostile.c.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include "officetext_fixture.h"

static void test_docx_paragraphs_tabs_breaks(void **state)
{
    const char *dir = *state;
    struct file doc = write_docx(
        dir, "paragraphs.docx",
        DOCX_HEAD DOCUMENT_OPEN
        "<w:p><w:r><w:t>2023年行政许可办理44件</w:t></w:r></w:p>"
        "<w:p><w:r><w:t>名称</w:t><w:tab/><w:t>数量</w:t></w:r></w:p>"
        "<w:p><w:r><w:t>第一行</w:t><w:br/><w:t>第二行</w:t></w:r></w:p>"
        "<w:p/>"
        /* tab stops are paragraph properties, not tabs; spaces kept as written */
        "<w:p><w:pPr><w:tabs><w:tab w:val=\"left\" w:pos=\"720\"/></w:tabs></w:pPr>"
        "<w:r><w:t xml:space=\"preserve\">  两个</w:t></w:r><w:r><w:t>空格</w:t></w:r></w:p>"
        /* a page break ends no line of its own; runs split mid-word join */
        "<w:p><w:r><w:br w:type=\"page\"/><w:t>执</w:t></w:r><w:r><w:t>法</w:t></w:r></w:p>"
        "<w:sectPr/>" DOCUMENT_CLOSE);
    check_text(doc.path,
               "2023年行政许可办理44件\n名称\t数量\n第一行\n第二行\n\n  两个空格\n执法\n");
}

static void test_docx_table_2x3(void **state)
{
    const char *dir = *state;
    struct file doc = write_docx(dir, "table.docx",
                                 DOCX_HEAD DOCUMENT_OPEN
                                 "<w:p><w:r><w:t>表1</w:t></w:r></w:p>"
                                 "<w:tbl><w:tblPr><w:tblW w:w=\"0\" w:type=\"auto\"/></w:tblPr>"
                                 "<w:tblGrid><w:gridCol/><w:gridCol/><w:gridCol/></w:tblGrid>"
                                 "<w:tr><w:tc><w:p><w:r><w:t>项目</w:t></w:r></w:p></w:tc>"
                                 "<w:tc><w:p><w:r><w:t>2022年</w:t></w:r></w:p></w:tc>"
                                 "<w:tc><w:p><w:r><w:t>2023年</w:t></w:r></w:p></w:tc></w:tr>"
                                 "<w:tr><w:tc><w:p><w:r><w:t>行政许可</w:t></w:r></w:p></w:tc>"
                                 "<w:tc><w:p><w:r><w:t>40</w:t></w:r></w:p></w:tc>"
                                 "<w:tc><w:p><w:r><w:t>44</w:t></w:r></w:p></w:tc></w:tr></w:tbl>"
                                 "<w:p><w:r><w:t>合计</w:t></w:r></w:p>" DOCUMENT_CLOSE);
    check_text(doc.path, "表1\n| 项目 | 2022年 | 2023年 |\n| 行政许可 | 40 | 44 |\n合计\n");
}

/* A cell's paragraphs joined by a space, '|' as U+FF5C, an empty cell, a cell merged into
   the one above left out, a nested table flattened into its cell. */
static void test_docx_table_cells(void **state)
{
    const char *dir = *state;
    struct file doc = write_docx(
        dir, "cells.docx",
        DOCX_HEAD DOCUMENT_OPEN
        "<w:tbl>"
        "<w:tr><w:tc><w:tcPr><w:vMerge w:val=\"restart\"/></w:tcPr>"
        "<w:p><w:r><w:t>安全</w:t></w:r></w:p><w:p/><w:p><w:r><w:t>生产</w:t></w:r></w:p></w:tc>"
        "<w:tc><w:p><w:r><w:t>a|b</w:t></w:r></w:p></w:tc><w:tc><w:p/></w:tc></w:tr>"
        "<w:tr><w:tc><w:tcPr><w:vMerge/></w:tcPr><w:p/></w:tc>"
        "<w:tc><w:tbl><w:tr><w:tc><w:p><w:r><w:t>内1</w:t></w:r></w:p></w:tc>"
        "<w:tc><w:p><w:r><w:t>内2</w:t></w:r></w:p></w:tc></w:tr></w:tbl></w:tc>"
        "<w:tc><w:p><w:r><w:t>行</w:t><w:br/><w:t>二</w:t></w:r></w:p></w:tc></w:tr>"
        "</w:tbl>" DOCUMENT_CLOSE);
    check_text(doc.path, "| 安全 生产 | a｜b |  |\n| 内1 内2 | 行 二 |\n");
}

/* What a reader does not see: deleted and moved-away text, field codes, a Fallback that
   repeats its Choice, ruby readings; what it does: inserted text, field results. */
static void test_docx_deleted_text_and_field_codes(void **state)
{
    const char *dir = *state;
    struct file doc = write_docx(
        dir, "revisions.docx",
        DOCX_HEAD "<w:document xmlns:w=\"" W_NS "\" xmlns:mc=\"http://schemas.openxmlformats.org/"
                  "markup-compatibility/2006\"><w:body>"
                  "<w:p><w:r><w:t>全年</w:t></w:r>"
                  "<w:del w:id=\"1\" w:author=\"x\"><w:r><w:delText>检查</w:delText></w:r></w:del>"
                  "<w:ins w:id=\"2\" w:author=\"x\"><w:r><w:t>执法</w:t></w:r></w:ins>"
                  "<w:moveFrom w:id=\"3\"><w:r><w:t>旧处</w:t></w:r></w:moveFrom></w:p>"
                  "<w:p><w:r><w:fldChar w:fldCharType=\"begin\"/></w:r>"
                  "<w:r><w:instrText xml:space=\"preserve\"> PAGE </w:instrText></w:r>"
                  "<w:r><w:fldChar w:fldCharType=\"separate\"/></w:r><w:r><w:t>7</w:t></w:r>"
                  "<w:r><w:fldChar w:fldCharType=\"end\"/></w:r></w:p>"
                  "<w:p><w:r><mc:AlternateContent><mc:Choice Requires=\"wps\"><w:t>框</w:t>"
                  "</mc:Choice><mc:Fallback><w:t>框</w:t></mc:Fallback></mc:AlternateContent>"
                  "</w:r><w:r><w:ruby><w:rt><w:r><w:t>yìng</w:t></w:r></w:rt><w:rubyBase>"
                  "<w:r><w:t>应</w:t></w:r></w:rubyBase></w:ruby></w:r></w:p>" DOCUMENT_CLOSE);
    check_text(doc.path, "全年执法\n7\n框应\n");
}

/* The main part is where _rels/.rels says; a ZIP whose main part is not a Word document
   (a workbook) is no DOCX. */
static void test_docx_main_part_from_rels(void **state)
{
    const char *dir = *state;
    const char *rels = "<?xml version=\"1.0\"?><Relationships "
                       "xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
                       "<Relationship Id=\"rId9\" Type=\"http://schemas.openxmlformats.org/"
                       "package/2006/relationships/metadata/core-properties\" "
                       "Target=\"docProps/core.xml\"/>"
                       "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/"
                       "officeDocument/2006/relationships/officeDocument\" "
                       "Target=\"/word/document2.xml\"/></Relationships>";
    const struct entry moved[] = {
        {"_rels/.rels", rels, 0},
        {"word/document2.xml",
         DOCX_HEAD DOCUMENT_OPEN "<w:p><w:r><w:t>主文档</w:t></w:r></w:p>" DOCUMENT_CLOSE, 0},
    };
    check_text(write_zip(dir, "moved.docx", moved, 2).path, "主文档\n");
    const struct entry workbook[] = {
        {"word/document.xml",
         "<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"/>", 0},
    };
    check_refused(write_zip(dir, "workbook.docx", workbook, 1).path, NULL, OFFICETEXT_NO_DOCUMENT,
                  "root element is <workbook>", NULL);
}

#define NUMBERING_OPEN                                                                             \
    DOCX_HEAD "<w:numbering xmlns:w=\"" W_NS "\" "                                                 \
              "xmlns:mc=\"http://schemas.openxmlformats.org/markup-compatibility/2006\">"
#define NUMBERING_CLOSE "</w:numbering>"
/* A paragraph of list @p num at level @p level. */
#define NUMBERED(num, level, text)                                                                 \
    "<w:p><w:pPr><w:numPr><w:ilvl w:val=\"" level "\"/><w:numId w:val=\"" num "\"/></w:numPr>"     \
    "</w:pPr><w:r><w:t>" text "</w:t></w:r></w:p>"

/* Abstract list 10: "%1、" (Word's custom format in mc:Choice, chineseCounting in mc:Fallback),
   "（%2）", "%3.", "%3.%4" (%N: level N-1's number); abstract list 20:
   bullets. Lists 1 and 3 are 10 (3 starts at 十九), 2 is 20. */
static const char LISTS_XML[] = NUMBERING_OPEN
    "<w:abstractNum w:abstractNumId=\"10\">"
    "<w:lvl w:ilvl=\"0\"><w:start w:val=\"1\"/><mc:AlternateContent><mc:Choice Requires=\"w14\">"
    "<w:numFmt w:val=\"custom\" w:format=\"一, 二, 三, ...\"/></mc:Choice><mc:Fallback>"
    "<w:numFmt w:val=\"chineseCounting\"/></mc:Fallback></mc:AlternateContent>"
    "<w:lvlText w:val=\"%1、\"/></w:lvl>"
    "<w:lvl w:ilvl=\"1\"><w:start w:val=\"1\"/><w:numFmt w:val=\"chineseCounting\"/>"
    "<w:lvlText w:val=\"（%2）\"/></w:lvl>"
    "<w:lvl w:ilvl=\"2\"><w:start w:val=\"1\"/><w:numFmt w:val=\"decimal\"/>"
    "<w:lvlText w:val=\"%3.\"/></w:lvl>"
    "<w:lvl w:ilvl=\"3\"><w:start w:val=\"1\"/><w:numFmt w:val=\"decimalEnclosedCircle\"/>"
    "<w:lvlText w:val=\"%3.%4\"/></w:lvl>"
    "</w:abstractNum>"
    "<w:abstractNum w:abstractNumId=\"20\"><w:lvl w:ilvl=\"0\"><w:start w:val=\"1\"/>"
    "<w:numFmt w:val=\"bullet\"/><w:lvlText w:val=\"\xef\x82\xb7\"/></w:lvl></w:abstractNum>"
    "<w:num w:numId=\"1\"><w:abstractNumId w:val=\"10\"/></w:num>"
    "<w:num w:numId=\"2\"><w:abstractNumId w:val=\"20\"/></w:num>"
    "<w:num w:numId=\"3\"><w:abstractNumId w:val=\"10\"/><w:lvlOverride w:ilvl=\"0\">"
    "<w:startOverride w:val=\"19\"/></w:lvlOverride></w:num>" NUMBERING_CLOSE;

/* Heading 1 is list 1's level 0; Heading 1a is based on it; Heading 2 is level 1. */
static const char NUMBERED_STYLES_XML[] = DOCX_HEAD
    "<w:styles xmlns:w=\"" W_NS "\">"
    "<w:style w:type=\"paragraph\" w:styleId=\"Heading1\"><w:name w:val=\"heading 1\"/>"
    "<w:pPr><w:numPr><w:numId w:val=\"1\"/></w:numPr></w:pPr></w:style>"
    "<w:style w:type=\"paragraph\" w:styleId=\"Heading1a\"><w:basedOn w:val=\"Heading1\"/>"
    "</w:style>"
    "<w:style w:type=\"paragraph\" w:styleId=\"Heading2\"><w:pPr><w:numPr>"
    "<w:ilvl w:val=\"1\"/><w:numId w:val=\"1\"/></w:numPr></w:pPr></w:style>"
    "<w:style w:type=\"character\" w:styleId=\"Heading3\"><w:pPr><w:numPr>"
    "<w:numId w:val=\"1\"/></w:numPr></w:pPr></w:style>"
    "</w:styles>";

#define STYLED(style, text)                                                                        \
    "<w:p><w:pPr><w:pStyle w:val=\"" style "\"/></w:pPr><w:r><w:t>" text "</w:t></w:r></w:p>"

/* Word's generated numbers start their paragraphs' lines: levels count and reset. */
static void test_docx_numbering_levels(void **state)
{
    const char *dir = *state;
    struct file doc = write_numbered_docx(
        dir, "numbered.docx",
        DOCX_HEAD DOCUMENT_OPEN NUMBERED("1", "0", "总体情况") NUMBERED("1", "1", "主动公开")
            NUMBERED("1", "1", "依申请公开") NUMBERED("1", "0", "收到申请情况")
                NUMBERED("1", "1", "办理结果") NUMBERED("1", "2", "予以公开")
                    NUMBERED("1", "3", "全部公开") NUMBERED("1", "3", "部分公开")
                        NUMBERED("1", "2", "不予公开") DOCUMENT_CLOSE,
        LISTS_XML, NULL);
    check_text(doc.path, "一、总体情况\n（一）主动公开\n（二）依申请公开\n二、收到申请情况\n"
                         "（一）办理结果\n1.予以公开\n1.①全部公开\n1.②部分公开\n2.不予公开\n");
}

/* Chinese counting past ten, from a list's w:startOverride; numId 0 and bullets write
   nothing; a paragraph style's list (its own, or the one it is based on) numbers it. */
static void test_docx_numbering_styles_and_counting(void **state)
{
    const char *dir = *state;
    struct file doc = write_numbered_docx(
        dir, "styled.docx",
        DOCX_HEAD DOCUMENT_OPEN NUMBERED("3", "0", "甲") NUMBERED("3", "0", "乙")
            NUMBERED("3", "0", "丙") NUMBERED("0", "0", "不编号") NUMBERED("2", "0", "圆点")
                STYLED("Heading1", "标题") STYLED("Heading2", "小标题") STYLED("Heading1a", "续")
                    STYLED("Heading3", "字符样式") STYLED("Normal", "正文") DOCUMENT_CLOSE,
        LISTS_XML, NUMBERED_STYLES_XML);
    check_text(doc.path, "十九、甲\n二十、乙\n二十一、丙\n不编号\n圆点\n一、标题\n（一）小标题\n"
                         "二、续\n字符样式\n正文\n");
}

/* A numbering part that is malformed costs the numbers, not the text. */
static void test_docx_numbering_broken(void **state)
{
    const char *dir = *state;
    static const char document[] = DOCX_HEAD DOCUMENT_OPEN NUMBERED("1", "0", "总体情况")
        NUMBERED("1", "1", "主动公开") DOCUMENT_CLOSE;
    check_text(write_numbered_docx(dir, "whole-numbering.docx", document, LISTS_XML, NULL).path,
               "一、总体情况\n（一）主动公开\n");
    check_text(write_numbered_docx(dir, "broken-numbering.docx", document,
                                   NUMBERING_OPEN "<w:abstractNum w:abstractNumId=\"10\">", NULL)
                   .path,
               "总体情况\n主动公开\n");
    check_text(write_numbered_docx(dir, "doctype-numbering.docx", document,
                                   "<?xml version=\"1.0\"?><!DOCTYPE w:numbering []>", NULL)
                   .path,
               "总体情况\n主动公开\n");
}

static void test_odt_spaces_headings_lists(void **state)
{
    const char *dir = *state;
    struct file doc = write_odt(
        dir, "text.odt",
        ODT_OPEN "<text:sequence-decls/>"
                 "<text:h text:outline-level=\"1\">一、主要工作</text:h>"
                 "<text:p>共<text:s text:c=\"3\"/>3<text:s/>项<text:tab/>完成</text:p>\n  "
                 /* white space collapses as ODF says: one space, none at the ends */
                 "<text:p>\n    甲  <text:span>乙</text:span>\n  丙  </text:p>"
                 "<text:list><text:list-item><text:p>第一项</text:p></text:list-item>\n"
                 "<text:list-item><text:p>第二项<text:line-break/>续</text:p></text:list-item>"
                 "</text:list>"
                 "<text:p>正文<text:note text:note-class=\"footnote\"><text:note-citation>1"
                 "</text:note-citation><text:note-body><text:p>脚注</text:p></text:note-body>"
                 "</text:note>结束</text:p>"
                 "<text:table-of-content><text:table-of-content-source><text:index-title-template>"
                 "目录模板</text:index-title-template></text:table-of-content-source>"
                 "</text:table-of-content>" ODT_CLOSE);
    check_text(doc.path, "一、主要工作\n共   3 项\t完成\n甲 乙 丙\n第一项\n第二项\n续\n正文结束\n");
}

/* number-columns-repeated writes a cell as many times; a covered cell is no cell. */
static void test_odt_table_repeated_column(void **state)
{
    const char *dir = *state;
    struct file doc = write_odt(
        dir, "table.odt",
        ODT_OPEN "<table:table table:name=\"表1\"><table:table-column "
                 "table:number-columns-repeated=\"4\"/>"
                 "<table:table-header-rows><table:table-row>"
                 "<table:table-cell table:number-columns-spanned=\"2\"><text:p>项目</text:p>"
                 "</table:table-cell><table:covered-table-cell/>"
                 "<table:table-cell><text:p>数量</text:p></table:table-cell></table:table-row>"
                 "</table:table-header-rows>"
                 "<table:table-row><table:table-cell><text:p>许可</text:p></table:table-cell>"
                 "<table:table-cell table:number-columns-repeated=\"2\"><text:p>0</text:p>"
                 "</table:table-cell><table:table-cell><text:p>44</text:p></table:table-cell>"
                 "</table:table-row>"
                 "<table:table-row table:number-rows-repeated=\"2\">"
                 "<table:table-cell table:number-columns-repeated=\"100000\"/></table:table-row>"
                 "</table:table>" ODT_CLOSE);
    /* the 100,000 empty cells are OFFICETEXT_MAX_REPEAT of them */
    char empty_row[3 * OFFICETEXT_MAX_REPEAT + 8] = "";
    for (int i = 0; i < OFFICETEXT_MAX_REPEAT; i++) {
        strcat(empty_row, "|  ");
    }
    strcat(empty_row, "|\n");
    char want[2 * sizeof(empty_row) + 128];
    snprintf(want, sizeof(want), "| 项目 | 数量 |\n| 许可 | 0 | 0 | 44 |\n%s%s", empty_row,
             empty_row);
    check_text(doc.path, want);
}

static void test_result_codes(void **state)
{
    (void)state;
    assert_string_equal(officetext_result_code(OFFICETEXT_OK), "ok");
    assert_string_equal(officetext_result_code(OFFICETEXT_BAD_ZIP), "bad-zip");
    assert_string_equal(officetext_result_code(OFFICETEXT_NO_DOCUMENT), "no-document");
    assert_string_equal(officetext_result_code(OFFICETEXT_BAD_XML), "bad-xml");
    assert_string_equal(officetext_result_code(OFFICETEXT_TOO_LARGE), "too-large");
}

/* Run the program with @p args, its stderr into @p err. @returns its exit status. */
static int run_program(const char *dir, const char *args, char *err, size_t err_size)
{
    char command[1024];
    struct file stderr_file = file_in(dir, "stderr.txt");
    snprintf(command, sizeof(command), "%s %s 2>%s", RF_OFFICETEXT_BIN, args, stderr_file.path);
    int status = system(command);
    assert_true(WIFEXITED(status));
    FILE *f = fopen(stderr_file.path, "r");
    assert_non_null(f);
    size_t n = fread(err, 1, err_size - 1, f);
    err[n] = '\0';
    fclose(f);
    return WEXITSTATUS(status);
}

static void test_program(void **state)
{
    const char *dir = *state;
    char err[512], args[512];
    struct file docx = write_docx(dir, "cli.docx",
                                  DOCX_HEAD DOCUMENT_OPEN
                                  "<w:p><w:r><w:t>应急管理局</w:t></w:r></w:p>" DOCUMENT_CLOSE);
    const struct file out_file = file_in(dir, "cli.txt");
    const char *out = out_file.path;
    snprintf(args, sizeof(args), "%s %s", docx.path, out);
    assert_int_equal(run_program(dir, args, err, sizeof(err)), 0);
    assert_string_equal(err, "");
    FILE *f = fopen(out, "r");
    assert_non_null(f);
    char text[64] = "";
    assert_non_null(fgets(text, sizeof(text), f));
    fclose(f);
    assert_string_equal(text, "应急管理局\n");
    /* a failure: one line naming the reason, and no output file left */
    snprintf(args, sizeof(args), "%s %s", write_text_file(dir, "cli-report.txt").path, out);
    assert_int_equal(run_program(dir, args, err, sizeof(err)), 1);
    assert_string_equal(err, "reportflow-officetext: bad-zip: not a ZIP archive (a DOCX or an "
                             "ODT is one)\n");
    assert_int_equal(access(out, F_OK), -1);
    /* libxml2's errors outside its parser (a bad byte for the encoding) say one line too */
    struct file gbk =
        write_docx(dir, "gbk.docx",
                   "<?xml version=\"1.0\" encoding=\"GBK\"?>" DOCUMENT_OPEN
                   "<w:p><w:r><w:t>\xd6\xd0\xff\xff</w:t></w:r></w:p>" DOCUMENT_CLOSE);
    snprintf(args, sizeof(args), "%s %s", gbk.path, out);
    assert_int_equal(run_program(dir, args, err, sizeof(err)), 1);
    assert_string_equal(err, "reportflow-officetext: bad-xml: word/document.xml: XML error: input "
                             "conversion failed due to input error, bytes 0xFF 0xFF 0x3C 0x2F\n");
    /* a device it cannot write to stays in place: only a regular file is removed (through a
       link of the test's own, so that a regression removes the link, not the device) */
    struct file full = file_in(dir, "full");
    assert_int_equal(symlink("/dev/full", full.path), 0);
    snprintf(args, sizeof(args), "%s %s", docx.path, full.path);
    assert_int_equal(run_program(dir, args, err, sizeof(err)), 1);
    assert_string_equal(err, "reportflow-officetext: write-failed: cannot write the text: No "
                             "space left on device\n");
    struct stat st;
    assert_int_equal(lstat(full.path, &st), 0);
    assert_int_equal(run_program(dir, "only-one-argument", err, sizeof(err)), 2);
    assert_non_null(strstr(err, "usage: reportflow-officetext IN OUT"));
    snprintf(args, sizeof(args), "--version >%s", out);
    assert_int_equal(run_program(dir, args, err, sizeof(err)), 0);
    f = fopen(out, "r");
    assert_non_null(f);
    assert_non_null(fgets(text, sizeof(text), f));
    fclose(f);
    assert_string_equal(text, "reportflow-officetext " RF_VERSION "\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_docx_paragraphs_tabs_breaks),
        cmocka_unit_test(test_docx_table_2x3),
        cmocka_unit_test(test_docx_table_cells),
        cmocka_unit_test(test_docx_deleted_text_and_field_codes),
        cmocka_unit_test(test_docx_main_part_from_rels),
        cmocka_unit_test(test_docx_numbering_levels),
        cmocka_unit_test(test_docx_numbering_styles_and_counting),
        cmocka_unit_test(test_docx_numbering_broken),
        cmocka_unit_test(test_odt_spaces_headings_lists),
        cmocka_unit_test(test_odt_table_repeated_column),
        cmocka_unit_test(test_result_codes),
        cmocka_unit_test(test_program),
    };
    return cmocka_run_group_tests(tests, make_folder, remove_folder);
}
