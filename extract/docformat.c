/* docformat.c - a report's format from its content: see docformat.h. */
#define _GNU_SOURCE /* memmem */
#include "docformat.h"

#include <stdint.h>
#include <string.h>

/* A ZIP's names live in its local headers; the ones that tell are in the first entries. */
#define ZIP_SCAN_BYTES (256u * 1024)
/* An OLE file's directory names its streams in UTF-16; small files keep it near the top. */
#define OLE_SCAN_BYTES (4u * 1024 * 1024)

static const struct {
    const char *media_type, *name;
} FORMATS[] = {
    [DOCFORMAT_TEXT] = {"text/plain", "text"},
    [DOCFORMAT_PDF] = {"application/pdf", "pdf"},
    [DOCFORMAT_DOCX] = {"application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                        "docx"},
    [DOCFORMAT_ODT] = {"application/vnd.oasis.opendocument.text", "odt"},
    [DOCFORMAT_DOC] = {"application/msword", "doc"},
    [DOCFORMAT_RTF] = {"application/rtf", "rtf"},
    [DOCFORMAT_OTHER] = {"application/octet-stream", "other"},
};

static size_t min_size(size_t a, size_t b)
{
    return a < b ? a : b;
}

static enum docformat zip_format(const char *bytes, size_t len)
{
    /* ODF stores its media type first, uncompressed: "mimetype" + the type */
    static const char odt[] = "mimetypeapplication/vnd.oasis.opendocument.text";
    static const char docx[] = "word/document.xml";
    size_t scan = min_size(len, ZIP_SCAN_BYTES);
    if (len > 30 + sizeof(odt) - 1 && memcmp(bytes + 30, odt, sizeof(odt) - 1) == 0) {
        return DOCFORMAT_ODT;
    }
    if (memmem(bytes, scan, docx, sizeof(docx) - 1)) {
        return DOCFORMAT_DOCX;
    }
    return DOCFORMAT_OTHER;
}

static enum docformat ole_format(const char *bytes, size_t len)
{
    /* "WordDocument" as the directory writes it: UTF-16LE */
    static const char word[] = "W\0o\0r\0d\0D\0o\0c\0u\0m\0e\0n\0t\0";
    return memmem(bytes, min_size(len, OLE_SCAN_BYTES), word, sizeof(word) - 1) ? DOCFORMAT_DOC
                                                                                : DOCFORMAT_OTHER;
}

enum docformat docformat_detect(const char *bytes, size_t len)
{
    static const unsigned char ole[] = {0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1};
    /* %PDF- may follow a little junk (a BOM, white space) in files that still open */
    size_t head = min_size(len, 1024);
    if (len >= 5 && memmem(bytes, head, "%PDF-", 5)) {
        return DOCFORMAT_PDF;
    }
    if (len >= 4 && memcmp(bytes, "PK\x03\x04", 4) == 0) {
        return zip_format(bytes, len);
    }
    if (len >= sizeof(ole) && memcmp(bytes, ole, sizeof(ole)) == 0) {
        return ole_format(bytes, len);
    }
    if (len >= 5 && memcmp(bytes, "{\\rtf", 5) == 0) {
        return DOCFORMAT_RTF;
    }
    return DOCFORMAT_TEXT;
}

const char *docformat_media_type(enum docformat f)
{
    return FORMATS[f].media_type;
}

const char *docformat_name(enum docformat f)
{
    return FORMATS[f].name;
}
