/*
 * test_officetext.c - DOCX and ODT to text (officetext.c, textlines.c, zipxml.c, xmlguard.c)
 * and reportflow-officetext. Every document is made here with libzip as the test runs:
 * paragraphs, tabs, breaks, tables, deleted text, ODF's spaces and repeated cells; and
 * hostile ones: not a ZIP, no document part, an encrypted part (the ZIP's, ODF's), an external
 * entity, a ZIP bomb, a ZIP that understates its sizes, a ZIP cut short, malformed XML, too many
 * attributes, namespaces and levels.
 * Long because: the documents are written here as their XML, one per behaviour, rather than
 * committed as binaries.
 */
#define _GNU_SOURCE /* memmem */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <zip.h>

#include "officetext.h"
#include "xmlguard.h"

#define W_NS "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
#define DOCX_HEAD "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
#define DOCUMENT_OPEN "<w:document xmlns:w=\"" W_NS "\"><w:body>"
#define DOCUMENT_CLOSE "</w:body></w:document>"
#define ODT_OPEN                                                                                   \
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"                                                 \
    "<office:document-content xmlns:office=\"urn:oasis:names:tc:opendocument:xmlns:office:1.0\" "  \
    "xmlns:text=\"urn:oasis:names:tc:opendocument:xmlns:text:1.0\" "                               \
    "xmlns:table=\"urn:oasis:names:tc:opendocument:xmlns:table:1.0\" "                             \
    "office:version=\"1.3\"><office:body><office:text>"
#define ODT_CLOSE "</office:text></office:body></office:document-content>"

/* A file in the tests' folder (the group's state), by value: nothing to free. */
struct file {
    char path[192];
};

static struct file file_in(const char *dir, const char *name)
{
    struct file f;
    int n = snprintf(f.path, sizeof(f.path), "%s/%s", dir, name);
    assert_true(n > 0 && (size_t)n < sizeof(f.path));
    return f;
}

struct entry {
    const char *name;
    const char *data;
    size_t len; /* 0: strlen(data) */
};

static void add_entry(zip_t *z, const struct entry *e)
{
    size_t len = e->len ? e->len : strlen(e->data);
    zip_source_t *src = zip_source_buffer(z, e->data, len, 0);
    assert_non_null(src);
    zip_int64_t index = zip_file_add(z, e->name, src, ZIP_FL_OVERWRITE);
    assert_true(index >= 0);
    /* ODF's mimetype goes first and stored, as ODF says */
    if (strcmp(e->name, "mimetype") == 0) {
        assert_int_equal(zip_set_file_compression(z, (zip_uint64_t)index, ZIP_CM_STORE, 0), 0);
    }
}

/* A ZIP @p name in @p dir with @p n entries. */
static struct file write_zip(const char *dir, const char *name, const struct entry *entries,
                             size_t n)
{
    struct file f = file_in(dir, name);
    int err = 0;
    zip_t *z = zip_open(f.path, ZIP_CREATE | ZIP_TRUNCATE, &err);
    assert_non_null(z);
    for (size_t i = 0; i < n; i++) {
        add_entry(z, &entries[i]);
    }
    assert_int_equal(zip_close(z), 0);
    return f;
}

/* A DOCX as Word writes one: content types, the package's relationships, the document. */
static struct file write_docx(const char *dir, const char *name, const char *document_xml)
{
    const struct entry entries[] = {
        {"[Content_Types].xml",
         "<?xml version=\"1.0\"?><Types "
         "xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
         "<Override PartName=\"/word/document.xml\" ContentType=\"application/"
         "vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/></Types>",
         0},
        {"_rels/.rels",
         "<?xml version=\"1.0\"?><Relationships "
         "xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
         "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/"
         "2006/relationships/officeDocument\" Target=\"word/document.xml\"/></Relationships>",
         0},
        {"word/document.xml", document_xml, 0},
    };
    return write_zip(dir, name, entries, 3);
}

/* A DOCX whose lists are @p numbering_xml and whose styles are @p styles_xml (may be NULL). */
static struct file write_numbered_docx(const char *dir, const char *name, const char *document_xml,
                                       const char *numbering_xml, const char *styles_xml)
{
    const struct entry entries[] = {
        {"word/document.xml", document_xml, 0},
        {"word/numbering.xml", numbering_xml, 0},
        {"word/styles.xml", styles_xml ? styles_xml : "", 0},
    };
    return write_zip(dir, name, entries, styles_xml ? 3 : 2);
}

static struct file write_odt(const char *dir, const char *name, const char *content_xml)
{
    const struct entry entries[] = {
        {"mimetype", "application/vnd.oasis.opendocument.text", 0},
        {"content.xml", content_xml, 0},
        {"META-INF/manifest.xml",
         "<?xml version=\"1.0\"?><manifest:manifest "
         "xmlns:manifest=\"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0\"/>",
         0},
    };
    return write_zip(dir, name, entries, 3);
}

/* The text of @p path, NUL-terminated (caller frees), with @p *result and @p why. */
static char *convert_limited(const char *path, const struct officetext_limits *limits,
                             enum officetext_result *result, char *why, size_t why_size)
{
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    assert_non_null(out);
    *result = officetext_convert_limited(path, out, limits, why, why_size);
    assert_int_equal(fclose(out), 0);
    return text;
}

static char *convert(const char *path, enum officetext_result *result, char *why, size_t why_size)
{
    const struct officetext_limits limits = {OFFICETEXT_MAX_XML_BYTES, OFFICETEXT_MAX_OUTPUT};
    return convert_limited(path, &limits, result, why, why_size);
}

/* The text of @p path must be @p want. */
static void check_text(const char *path, const char *want)
{
    enum officetext_result r;
    char why[256];
    char *text = convert(path, &r, why, sizeof(why));
    if (r != OFFICETEXT_OK) {
        fail_msg("%s: %s: %s", path, officetext_result_code(r), why);
    }
    if (strcmp(text, want) != 0) {
        fail_msg("text:\n%s\nwant:\n%s", text, want);
    }
    free(text);
}

/* Converting @p path fails with @p want, a reason holding @p reason, and no text holding
   @p never (may be NULL). */
static void check_refused(const char *path, const struct officetext_limits *limits,
                          enum officetext_result want, const char *reason, const char *never)
{
    const struct officetext_limits defaults = {OFFICETEXT_MAX_XML_BYTES, OFFICETEXT_MAX_OUTPUT};
    enum officetext_result r;
    char why[256];
    char *text = convert_limited(path, limits ? limits : &defaults, &r, why, sizeof(why));
    if (r != want || !strstr(why, reason)) {
        fail_msg("%s: got %s (%s), want %s with '%s'", path, officetext_result_code(r), why,
                 officetext_result_code(want), reason);
    }
    if (never && strstr(text, never)) {
        fail_msg("%s: the text holds '%s':\n%s", path, never, text);
    }
    free(text);
}

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

/* A report that is text, not a ZIP. */
static struct file write_text_file(const char *dir, const char *name)
{
    struct file f = file_in(dir, name);
    FILE *out = fopen(f.path, "w");
    assert_non_null(out);
    fputs("2023年行政许可办理44件\n", out);
    assert_int_equal(fclose(out), 0);
    return f;
}

static void test_not_a_zip_or_no_document(void **state)
{
    const char *dir = *state;
    check_refused(write_text_file(dir, "report.txt").path, NULL, OFFICETEXT_BAD_ZIP, "not a ZIP",
                  NULL);
    check_refused(file_in(dir, "missing.docx").path, NULL, OFFICETEXT_UNREADABLE, "No such file",
                  NULL);
    const struct entry other[] = {{"readme.txt", "hello", 0}};
    check_refused(write_zip(dir, "other.zip", other, 1).path, NULL, OFFICETEXT_NO_DOCUMENT,
                  "neither word/document.xml", NULL);
    const struct entry sheet[] = {{"mimetype", "application/vnd.oasis.opendocument.spreadsheet", 0},
                                  {"content.xml", ODT_OPEN ODT_CLOSE, 0}};
    check_refused(write_zip(dir, "sheet.ods", sheet, 2).path, NULL, OFFICETEXT_NO_DOCUMENT,
                  "spreadsheet", NULL);
}

/* A ZIP's encrypted entry is a reason, not a stream of ciphertext for the XML reader. */
static void test_encrypted_entry(void **state)
{
    const char *dir = *state;
    struct file doc = file_in(dir, "encrypted.docx");
    int err = 0;
    zip_t *z = zip_open(doc.path, ZIP_CREATE | ZIP_TRUNCATE, &err);
    assert_non_null(z);
    static const char xml[] =
        DOCX_HEAD DOCUMENT_OPEN "<w:p><w:r><w:t>密</w:t></w:r></w:p>" DOCUMENT_CLOSE;
    zip_int64_t index =
        zip_file_add(z, "word/document.xml", zip_source_buffer(z, xml, sizeof(xml) - 1, 0), 0);
    assert_true(index >= 0);
    assert_int_equal(zip_file_set_encryption(z, (zip_uint64_t)index, ZIP_EM_AES_256, "secret"), 0);
    assert_int_equal(zip_close(z), 0);
    check_refused(doc.path, NULL, OFFICETEXT_BAD_ZIP, "word/document.xml is encrypted", "密");
}

/* ODF's own encryption is refused as the ZIP's is, not read as malformed XML. */
static void test_odf_encrypted(void **state)
{
    const char *dir = *state;
    const struct entry entries[] = {
        {"mimetype", "application/vnd.oasis.opendocument.text", 0},
        {"content.xml", "\x8f\x13\xa2 ciphertext \x01\x02", 0},
        {"META-INF/manifest.xml",
         "<?xml version=\"1.0\"?><manifest:manifest "
         "xmlns:manifest=\"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0\">"
         "<manifest:file-entry manifest:full-path=\"/\" "
         "manifest:media-type=\"application/vnd.oasis.opendocument.text\"/>"
         "<manifest:file-entry manifest:full-path=\"content.xml\" "
         "manifest:media-type=\"text/xml\" manifest:size=\"1234\"><manifest:encryption-data "
         "manifest:checksum-type=\"SHA1/1K\" manifest:checksum=\"AAAA\"><manifest:algorithm "
         "manifest:algorithm-name=\"Blowfish CFB\" manifest:initialisation-vector=\"AAAA\"/>"
         "</manifest:encryption-data></manifest:file-entry></manifest:manifest>",
         0},
    };
    check_refused(write_zip(dir, "encrypted.odt", entries, 3).path, NULL, OFFICETEXT_BAD_ZIP,
                  "content.xml is encrypted", NULL);
}

/* An external entity is never fetched: the DOCTYPE that declares it is refused. */
static void test_external_entity_refused(void **state)
{
    const char *dir = *state;
    struct file xxe = write_docx(
        dir, "xxe.docx",
        DOCX_HEAD "<!DOCTYPE w:document [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>"
                  "<w:document xmlns:w=\"" W_NS "\"><w:body><w:p><w:r><w:t>a&xxe;b</w:t></w:r>"
                  "</w:p></w:body></w:document>");
    check_refused(xxe.path, NULL, OFFICETEXT_BAD_XML, "DOCTYPE", "root:");
    /* a billion laughs never expands either */
    struct file laughs = write_docx(
        dir, "laughs.docx",
        DOCX_HEAD "<!DOCTYPE w:document [<!ENTITY a \"aaaaaaaaaa\">"
                  "<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\"><!ENTITY c \"&b;&b;&b;&b;&b;&b;"
                  "&b;&b;&b;&b;\"><!ENTITY d \"&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;\"><!ENTITY e \"&d;&d;"
                  "&d;&d;&d;&d;&d;&d;&d;&d;\"><!ENTITY f \"&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;\">]>"
                  "<w:document xmlns:w=\"" W_NS "\"><w:body><w:p><w:r><w:t>&f;&f;&f;&f;</w:t>"
                  "</w:r></w:p></w:body></w:document>");
    check_refused(laughs.path, NULL, OFFICETEXT_BAD_XML, "word/document.xml", "aaaa");
}

/* A document.xml of @p size bytes: the document's start, "<w:p/>" over and over, its end;
   made as libzip asks for it, so that no test holds hundreds of MB. */
struct paragraphs_source {
    zip_uint64_t size, offset;
    zip_error_t error;
};

static void fill_paragraphs(const struct paragraphs_source *s, char *out, zip_uint64_t n)
{
    static const char open[] = DOCX_HEAD DOCUMENT_OPEN, close[] = DOCUMENT_CLOSE, unit[] = "<w:p/>";
    const zip_uint64_t open_len = sizeof(open) - 1, close_len = sizeof(close) - 1, unit_len = 6;
    for (zip_uint64_t i = 0, at = s->offset; i < n; i++, at++) {
        if (at < open_len) {
            out[i] = open[at];
        } else if (at >= s->size - close_len) {
            out[i] = close[at - (s->size - close_len)];
        } else {
            out[i] = unit[(at - open_len) % unit_len];
        }
    }
}

static zip_int64_t paragraphs_read(void *ud, void *data, zip_uint64_t len, zip_source_cmd_t cmd)
{
    struct paragraphs_source *s = ud;
    switch (cmd) {
    case ZIP_SOURCE_OPEN:
        s->offset = 0;
        return 0;
    case ZIP_SOURCE_READ: {
        zip_uint64_t n = len < s->size - s->offset ? len : s->size - s->offset;
        fill_paragraphs(s, data, n);
        s->offset += n;
        return (zip_int64_t)n;
    }
    case ZIP_SOURCE_STAT: {
        zip_stat_t *st = data;
        zip_stat_init(st);
        st->size = s->size;
        st->valid |= ZIP_STAT_SIZE;
        return sizeof(*st);
    }
    case ZIP_SOURCE_ERROR:
        return zip_error_to_data(&s->error, data, len);
    case ZIP_SOURCE_SUPPORTS:
        return zip_source_make_command_bitmap(ZIP_SOURCE_OPEN, ZIP_SOURCE_READ, ZIP_SOURCE_CLOSE,
                                              ZIP_SOURCE_STAT, ZIP_SOURCE_ERROR, ZIP_SOURCE_FREE,
                                              -1);
    case ZIP_SOURCE_CLOSE:
    case ZIP_SOURCE_FREE:
        return 0;
    default:
        zip_error_set(&s->error, ZIP_ER_OPNOTSUPP, 0);
        return -1;
    }
}

/* A DOCX whose document.xml inflates to @p size bytes of empty paragraphs. */
static struct file write_paragraphs_docx(const char *dir, const char *name, zip_uint64_t size)
{
    struct file f = file_in(dir, name);
    int err = 0;
    zip_t *z = zip_open(f.path, ZIP_CREATE | ZIP_TRUNCATE, &err);
    assert_non_null(z);
    struct paragraphs_source s = {size, 0, {0}};
    zip_error_init(&s.error);
    zip_source_t *src = zip_source_function(z, paragraphs_read, &s);
    assert_non_null(src);
    zip_int64_t index = zip_file_add(z, "word/document.xml", src, 0);
    assert_true(index >= 0);
    /* deflate's fastest level: 300 MB in well under a second */
    assert_int_equal(zip_set_file_compression(z, (zip_uint64_t)index, ZIP_CM_DEFLATE, 1), 0);
    assert_int_equal(zip_close(z), 0);
    zip_error_fini(&s.error);
    return f;
}

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* 300 MB of XML in a ZIP of about 1.3 MB: refused at once, before inflating any of it. */
static void test_zip_bomb(void **state)
{
    const char *dir = *state;
    struct file bomb = write_paragraphs_docx(dir, "bomb.docx", 300ull << 20);
    struct stat st;
    assert_int_equal(stat(bomb.path, &st), 0);
    assert_true(st.st_size < 4 << 20);
    long long start = now_ms();
    check_refused(bomb.path, NULL, OFFICETEXT_TOO_LARGE, "more than the 268435456 allowed", NULL);
    assert_true(now_ms() - start < 1000);
}

/* Where @p name's sizes stand in the ZIP at @p path: its local header and its central
   directory entry say it inflates to @p size bytes (a lie the archive can tell). */
static void claim_size(const char *path, const char *name, uint32_t size)
{
    FILE *f = fopen(path, "r+b");
    assert_non_null(f);
    const size_t room = 8 << 20;
    char *bytes = malloc(room);
    assert_non_null(bytes);
    size_t len = fread(bytes, 1, room, f);
    assert_true(len > 0 && len < room);
    size_t name_len = strlen(name), patched = 0;
    for (size_t at = 0; at + 46 + name_len <= len; at++) {
        bool local = memcmp(bytes + at, "PK\x03\x04", 4) == 0 &&
                     memcmp(bytes + at + 30, name, name_len) == 0;
        bool central = memcmp(bytes + at, "PK\x01\x02", 4) == 0 &&
                       memcmp(bytes + at + 46, name, name_len) == 0;
        if (local || central) {
            unsigned char le[4] = {size & 0xff, size >> 8 & 0xff, size >> 16 & 0xff, size >> 24};
            memcpy(bytes + at + (local ? 22 : 24), le, 4);
            patched++;
        }
    }
    assert_int_equal(patched, 2);
    assert_int_equal(fseek(f, 0, SEEK_SET), 0);
    assert_int_equal(fwrite(bytes, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
    free(bytes);
}

/* The cap holds on the bytes that inflate, not on what the ZIP claims. */
static void test_size_cap_holds_when_the_zip_lies(void **state)
{
    const char *dir = *state;
    const struct officetext_limits small = {1 << 20, OFFICETEXT_MAX_OUTPUT};
    struct file honest = write_paragraphs_docx(dir, "honest.docx", 4 << 20);
    check_refused(honest.path, &small, OFFICETEXT_TOO_LARGE, "inflates to 4194304 bytes", NULL);
    struct file liar = write_paragraphs_docx(dir, "liar.docx", 4 << 20);
    claim_size(liar.path, "word/document.xml", 1000);
    check_refused(liar.path, &small, OFFICETEXT_TOO_LARGE, "inflates to more than 1048576 bytes",
                  NULL);
}

static void test_output_cap(void **state)
{
    const char *dir = *state;
    struct file doc = write_docx(
        dir, "long.docx",
        DOCX_HEAD DOCUMENT_OPEN
        "<w:p><w:r><w:t>0123456789012345678901234567890123456789</w:t></w:r></w:p>"
        "<w:tbl><w:tr><w:tc><w:p><w:r><w:t>0123456789012345678901234567890123456789</w:t>"
        "</w:r></w:p></w:tc></w:tr></w:tbl>" DOCUMENT_CLOSE);
    const struct officetext_limits tight = {OFFICETEXT_MAX_XML_BYTES, 60};
    check_refused(doc.path, &tight, OFFICETEXT_TOO_LARGE, "passes 60 bytes", NULL);
    const struct officetext_limits enough = {OFFICETEXT_MAX_XML_BYTES, 41 + 46};
    enum officetext_result r;
    char why[256];
    free(convert_limited(doc.path, &enough, &r, why, sizeof(why)));
    assert_int_equal(r, OFFICETEXT_OK);
}

/* In place of @p from, @p to (as long) in the file at @p path: damage a ZIP's data. */
static void overwrite(const char *path, const char *from, const char *to)
{
    FILE *f = fopen(path, "r+b");
    assert_non_null(f);
    char bytes[4096];
    size_t len = fread(bytes, 1, sizeof(bytes), f);
    char *at = memmem(bytes, len, from, strlen(from));
    assert_non_null(at);
    memcpy(at, to, strlen(to));
    assert_int_equal(fseek(f, 0, SEEK_SET), 0);
    assert_int_equal(fwrite(bytes, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

/* A ZIP cut short, and one whose data no longer matches its CRC (the XML still well-formed:
   the check at the end of the entry finds it). */
static void test_damaged_zip(void **state)
{
    const char *dir = *state;
    struct file doc =
        write_docx(dir, "cut.docx",
                   DOCX_HEAD DOCUMENT_OPEN "<w:p><w:r><w:t>完整</w:t></w:r></w:p>" DOCUMENT_CLOSE);
    struct stat st;
    assert_int_equal(stat(doc.path, &st), 0);
    assert_int_equal(truncate(doc.path, st.st_size / 2), 0);
    check_refused(doc.path, NULL, OFFICETEXT_BAD_ZIP, "cut short", NULL);
    struct file crc = file_in(dir, "crc.docx");
    int err = 0;
    zip_t *z = zip_open(crc.path, ZIP_CREATE | ZIP_TRUNCATE, &err);
    assert_non_null(z);
    static const char xml[] =
        DOCX_HEAD DOCUMENT_OPEN "<w:p><w:r><w:t>crc-abc</w:t></w:r></w:p>" DOCUMENT_CLOSE;
    zip_int64_t index =
        zip_file_add(z, "word/document.xml", zip_source_buffer(z, xml, sizeof(xml) - 1, 0), 0);
    assert_true(index >= 0);
    /* stored, so that the damaged byte is still a letter of the text */
    assert_int_equal(zip_set_file_compression(z, (zip_uint64_t)index, ZIP_CM_STORE, 0), 0);
    assert_int_equal(zip_close(z), 0);
    overwrite(crc.path, "crc-abc", "crc-abd");
    check_refused(crc.path, NULL, OFFICETEXT_BAD_ZIP, "word/document.xml is damaged: CRC error",
                  NULL);
}

static void test_malformed_xml(void **state)
{
    const char *dir = *state;
    check_refused(write_docx(dir, "malformed.docx",
                             DOCX_HEAD DOCUMENT_OPEN
                             "\n<w:p><w:r><w:t>x</w:r></w:p>" DOCUMENT_CLOSE)
                      .path,
                  NULL, OFFICETEXT_BAD_XML, "word/document.xml: XML error at line 3", NULL);
    check_refused(write_odt(dir, "malformed.odt", ODT_OPEN "<text:p>x" ODT_CLOSE).path, NULL,
                  OFFICETEXT_BAD_XML, "content.xml: XML error at line", NULL);
}

/* @p n copies of @p unit between @p head and @p tail, as a string (caller frees). */
static char *repeat(const char *head, const char *unit, int n, const char *tail)
{
    size_t len = strlen(head) + strlen(unit) * (size_t)n + strlen(tail) + 1;
    char *s = malloc(len);
    assert_non_null(s);
    char *at = stpcpy(s, head);
    for (int i = 0; i < n; i++) {
        at = stpcpy(at, unit);
    }
    strcpy(at, tail);
    return s;
}

/* What would make libxml2 slower than linear is refused before it parses it. */
static void test_xml_guard_limits(void **state)
{
    const char *dir = *state;
    char *attrs = repeat(DOCX_HEAD DOCUMENT_OPEN "<w:p ", "a=\"1\" ", 300, "/>" DOCUMENT_CLOSE);
    /* distinct names do not matter to the count: the pairs would be compared anyway */
    check_refused(write_docx(dir, "attrs.docx", attrs).path, NULL, OFFICETEXT_BAD_XML,
                  "more than 256 attributes", NULL);
    char *ns = repeat(DOCX_HEAD DOCUMENT_OPEN "<w:p xmlns:a=\"u\" xmlns:b=\"u\">",
                      "<w:r xmlns:c=\"u\" xmlns:d=\"u\">", 70, "");
    check_refused(write_docx(dir, "ns.docx", ns).path, NULL, OFFICETEXT_BAD_XML,
                  "more than 128 namespace declarations in scope", NULL);
    char *deep = repeat(DOCX_HEAD DOCUMENT_OPEN, "<w:p>", 200, "");
    check_refused(write_docx(dir, "deep.docx", deep).path, NULL, OFFICETEXT_BAD_XML,
                  "nested deeper than 128", NULL);
    const char utf16[] = "\xff\xfe<\0w\0:\0d\0";
    const struct entry wide[] = {{"word/document.xml", utf16, sizeof(utf16) - 1}};
    check_refused(write_zip(dir, "utf16.docx", wide, 1).path, NULL, OFFICETEXT_BAD_XML, "NUL byte",
                  NULL);
    free(attrs);
    free(ns);
    free(deep);
}

/* The guard's count goes on across chunks and skips what the parser skips. */
static void test_xmlguard_lexing(void **state)
{
    (void)state;
    struct xmlguard g;
    xmlguard_init(&g, 2, 3, 4);
    /* a comment, CDATA, a processing instruction and quoted values hide no tag */
    const char *fine[] = {"<?xml version=\"1.0\"?><a xmlns:p='1' q=\"",
                          "x>y=z=\"><!-- <b c=1 d=2 e=3> -->",
                          "<![CDATA[<b c=1 d=2 e=3>]]><a r='1'/><b></b></a>"};
    for (size_t i = 0; i < 3; i++) {
        assert_null(xmlguard_scan(&g, fine[i], strlen(fine[i])));
    }
    xmlguard_init(&g, 2, 3, 4);
    assert_null(xmlguard_scan(&g, "<a b='1' c", 10));
    assert_string_equal(xmlguard_scan(&g, "='2' d='3'>", 11),
                        "an element with more than 2 attributes");
    xmlguard_init(&g, 9, 3, 4);
    assert_null(xmlguard_scan(&g, "<a xmlns='u' xmlns:b='v'><c xmlns:d='w'/><c xmlns:d='w'>", 56));
    assert_string_equal(xmlguard_scan(&g, "<e xmlns:f = 'x'>", 17),
                        "more than 3 namespace declarations in scope");
    xmlguard_init(&g, 9, 9, 2);
    assert_null(xmlguard_scan(&g, "<a><b><c></c></b><b><c/></b>", 28));
    assert_string_equal(xmlguard_scan(&g, "<b><c><d>", 9), "elements nested deeper than 2");
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

/* The tests share a folder (their state), removed with all in it afterwards. */
static int make_folder(void **state)
{
    static char dir[64];
    snprintf(dir, sizeof(dir), "/tmp/rf-test-officetext-XXXXXX");
    if (!mkdtemp(dir)) {
        return -1;
    }
    *state = dir;
    return 0;
}

static int remove_folder(void **state)
{
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", (const char *)*state);
    return system(cmd) == 0 ? 0 : -1;
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
        cmocka_unit_test(test_not_a_zip_or_no_document),
        cmocka_unit_test(test_encrypted_entry),
        cmocka_unit_test(test_odf_encrypted),
        cmocka_unit_test(test_external_entity_refused),
        cmocka_unit_test(test_zip_bomb),
        cmocka_unit_test(test_size_cap_holds_when_the_zip_lies),
        cmocka_unit_test(test_output_cap),
        cmocka_unit_test(test_damaged_zip),
        cmocka_unit_test(test_malformed_xml),
        cmocka_unit_test(test_xml_guard_limits),
        cmocka_unit_test(test_xmlguard_lexing),
        cmocka_unit_test(test_result_codes),
        cmocka_unit_test(test_program),
    };
    return cmocka_run_group_tests(tests, make_folder, remove_folder);
}
