/*
 * test_officetext_hostile.c - documents the DOCX and ODT reader must refuse, each with its
 * reason and within its limits (officetext.c, zipxml.c, xmlguard.c): not a ZIP, no document
 * part, an encrypted part (the ZIP's, ODF's), an external entity, a ZIP bomb, a ZIP that
 * understates its sizes, a ZIP cut short, malformed XML, too many attributes, namespaces and
 * levels. Every document is made here with libzip as the test runs (officetext_fixture.h).
 */
#define _GNU_SOURCE /* memmem */
#include <sys/stat.h>
#include <time.h>

#include "officetext_fixture.h"
#include "xmlguard.h"

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

/* A new ZIP at @p path holding only word/document.xml of @p xml (static: libzip reads it at
   zip_close()); @returns it open, the entry's index in *index. */
static zip_t *docx_of_one_part(const char *path, const char *xml, zip_uint64_t *index)
{
    int err = 0;
    zip_t *z = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &err);
    assert_non_null(z);
    zip_int64_t at =
        zip_file_add(z, "word/document.xml", zip_source_buffer(z, xml, strlen(xml), 0), 0);
    assert_true(at >= 0);
    *index = (zip_uint64_t)at;
    return z;
}

/* A ZIP's encrypted entry is a reason, not a stream of ciphertext for the XML reader. */
static void test_encrypted_entry(void **state)
{
    const char *dir = *state;
    struct file doc = file_in(dir, "encrypted.docx");
    static const char xml[] =
        DOCX_HEAD DOCUMENT_OPEN "<w:p><w:r><w:t>密</w:t></w:r></w:p>" DOCUMENT_CLOSE;
    zip_uint64_t index;
    zip_t *z = docx_of_one_part(doc.path, xml, &index);
    assert_int_equal(zip_file_set_encryption(z, index, ZIP_EM_AES_256, "secret"), 0);
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
    static const char xml[] =
        DOCX_HEAD DOCUMENT_OPEN "<w:p><w:r><w:t>crc-abc</w:t></w:r></w:p>" DOCUMENT_CLOSE;
    zip_uint64_t index;
    zip_t *z = docx_of_one_part(crc.path, xml, &index);
    /* stored, so that the damaged byte is still a letter of the text */
    assert_int_equal(zip_set_file_compression(z, index, ZIP_CM_STORE, 0), 0);
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

int main(void)
{
    const struct CMUnitTest tests[] = {
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
    };
    return cmocka_run_group_tests(tests, make_folder, remove_folder);
}
