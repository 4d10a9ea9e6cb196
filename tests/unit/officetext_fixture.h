/*
 * officetext_fixture.h - what the tests of the DOCX and ODT reader share (test_officetext.c,
 * test_officetext_hostile.c): the parts of a document as XML, DOCX and ODT files written with
 * libzip into the tests' folder as they run, and checks of what the reader made of them.
 */
#ifndef RF_OFFICETEXT_FIXTURE_H
#define RF_OFFICETEXT_FIXTURE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <zip.h>

#include "officetext.h"

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

static inline struct file file_in(const char *dir, const char *name)
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

static inline void add_entry(zip_t *z, const struct entry *e)
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
static inline struct file write_zip(const char *dir, const char *name, const struct entry *entries,
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
static inline struct file write_docx(const char *dir, const char *name, const char *document_xml)
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
static inline struct file write_numbered_docx(const char *dir, const char *name,
                                              const char *document_xml, const char *numbering_xml,
                                              const char *styles_xml)
{
    const struct entry entries[] = {
        {"word/document.xml", document_xml, 0},
        {"word/numbering.xml", numbering_xml, 0},
        {"word/styles.xml", styles_xml ? styles_xml : "", 0},
    };
    return write_zip(dir, name, entries, styles_xml ? 3 : 2);
}

static inline struct file write_odt(const char *dir, const char *name, const char *content_xml)
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
static inline char *convert_limited(const char *path, const struct officetext_limits *limits,
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

static inline char *convert(const char *path, enum officetext_result *result, char *why,
                            size_t why_size)
{
    const struct officetext_limits limits = {OFFICETEXT_MAX_XML_BYTES, OFFICETEXT_MAX_OUTPUT};
    return convert_limited(path, &limits, result, why, why_size);
}

/* The text of @p path must be @p want. */
static inline void check_text(const char *path, const char *want)
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
static inline void check_refused(const char *path, const struct officetext_limits *limits,
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

/* The tests share a folder (their state), removed with all in it afterwards. */
static inline int make_folder(void **state)
{
    static char dir[64];
    snprintf(dir, sizeof(dir), "/tmp/rf-test-officetext-XXXXXX");
    if (!mkdtemp(dir)) {
        return -1;
    }
    *state = dir;
    return 0;
}

static inline int remove_folder(void **state)
{
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", (const char *)*state);
    return system(cmd) == 0 ? 0 : -1;
}

/* A report that is text, not a ZIP. */
static inline struct file write_text_file(const char *dir, const char *name)
{
    struct file f = file_in(dir, name);
    FILE *out = fopen(f.path, "w");
    assert_non_null(out);
    fputs("2023年行政许可办理44件\n", out);
    assert_int_equal(fclose(out), 0);
    return f;
}

#endif
