/*
 * zipxml.h - an entry of a ZIP archive read as XML, safely, for documents of unknown
 * origin: libzip inflates the entry only as fast as libxml2's streaming reader asks for
 * it, and stops at a cap on the inflated bytes whatever the archive claims; the reader
 * reads no DTD, expands no entity, fetches nothing, refuses a document type declaration
 * and elements nested past a cap, and the bytes pass xmlguard.c on their way to it. Every failure
 * comes back as a result and a reason that names the entry ("word/document.xml: XML error at line
 * 3: ..."), never as a crash or a message on stderr.
 */
#ifndef RF_ZIPXML_H
#define RF_ZIPXML_H

#include <stdbool.h>
#include <stddef.h>

#include <libxml/xmlreader.h>
#include <zip.h>

/* Beyond these libxml2 2.9 is slower than linear (xmlguard.h); Word writes about 40 of each. */
#define ZIPXML_MAX_ATTRIBUTES 256 /* of one element */
#define ZIPXML_MAX_IN_SCOPE 128   /* namespace declarations in scope */

enum zipxml_result {
    ZIPXML_OK = 0,
    ZIPXML_UNREADABLE, /* the file cannot be opened or read */
    ZIPXML_BAD_ZIP,    /* not a ZIP, or a damaged one: cut short, a bad CRC, encrypted */
    ZIPXML_BAD_XML,    /* not well-formed, a DTD, or nested too deep */
    ZIPXML_TOO_LARGE,  /* the entry inflates past its cap */
    ZIPXML_NOMEM,
};

/**
 * Open the ZIP archive at @p path, read only. @returns it (the caller zip_discard()s it),
 * or NULL with @p *result and @p errstr saying why.
 */
zip_t *zipxml_open(const char *path, enum zipxml_result *result, char *errstr, size_t errstr_size);

/**
 * The first @p size - 1 bytes of entry @p name into @p out, NUL-terminated; "" when the
 * archive has no such entry.
 */
enum zipxml_result zipxml_read_head(zip_t *zip, const char *name, char *out, size_t size,
                                    char *errstr, size_t errstr_size);

/** Called for each node of the entry (@p type an XML_READER_TYPE_*); false stops the reading. */
typedef bool (*zipxml_node_fn)(void *ctx, xmlTextReaderPtr reader, int type, int depth);

/**
 * Read entry @p name as XML, handing each node to @p on_node, until its end or until
 * @p on_node returns false (ZIPXML_OK either way). At most @p max_bytes inflated bytes
 * are read and elements nest at most @p max_depth deep (the root at depth 0).
 */
enum zipxml_result zipxml_read(zip_t *zip, const char *name, size_t max_bytes, int max_depth,
                               zipxml_node_fn on_node, void *ctx, char *errstr, size_t errstr_size);

#endif
