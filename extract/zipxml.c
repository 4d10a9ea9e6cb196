/* zipxml.c - an entry of a ZIP read as XML with caps: see zipxml.h. */
#include "zipxml.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "xmlguard.h"

/*
 * No DTD is loaded (no XML_PARSE_DTDLOAD), no entity substituted (no XML_PARSE_NOENT),
 * nothing fetched (XML_PARSE_NONET), and libxml2's own limits on text nodes and depth
 * hold (no XML_PARSE_HUGE).
 */
#define XML_OPTIONS                                                                                \
    (XML_PARSE_NONET | XML_PARSE_NOWARNING | XML_PARSE_NOCDATA | XML_PARSE_BIG_LINES)

/* A result being made: the first failure and its reason, in the caller's buffer. */
struct outcome {
    enum zipxml_result result;
    char *errstr;
    size_t errstr_size;
};

__attribute__((format(printf, 3, 4))) static void fail(struct outcome *o, enum zipxml_result r,
                                                       const char *fmt, ...)
{
    if (o->result != ZIPXML_OK) {
        return; /* the first failure is the reason: later ones follow from it */
    }
    o->result = r;
    if (o->errstr_size > 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(o->errstr, o->errstr_size, fmt, ap);
        va_end(ap);
    }
}

/* A libzip error as a result: out of memory, or the archive's damage. */
static enum zipxml_result damage(zip_error_t *error)
{
    return zip_error_code_zip(error) == ZIP_ER_MEMORY ? ZIPXML_NOMEM : ZIPXML_BAD_ZIP;
}

/* Whether the file starts as a ZIP does, for a clearer reason when libzip refuses it. */
static bool starts_as_zip(const char *path)
{
    char magic[4];
    FILE *f = fopen(path, "rb");
    if (!f) {
        return false;
    }
    bool zip = fread(magic, 1, sizeof(magic), f) == sizeof(magic) &&
               memcmp(magic, "PK\x03\x04", sizeof(magic)) == 0;
    fclose(f); /* read only: nothing to lose */
    return zip;
}

static void refuse_archive(struct outcome *o, const char *path, zip_error_t *error)
{
    switch (zip_error_code_zip(error)) {
    case ZIP_ER_NOZIP:
        fail(o, ZIPXML_BAD_ZIP, "%s",
             starts_as_zip(path) ? "a ZIP cut short or damaged: its directory is missing"
                                 : "not a ZIP archive (a DOCX or an ODT is one)");
        break;
    case ZIP_ER_INCONS:
    case ZIP_ER_MULTIDISK:
    case ZIP_ER_CRC:
        fail(o, ZIPXML_BAD_ZIP, "a damaged ZIP archive: %s", zip_error_strerror(error));
        break;
    case ZIP_ER_MEMORY:
        fail(o, ZIPXML_NOMEM, "out of memory opening the ZIP archive");
        break;
    default:
        fail(o, ZIPXML_UNREADABLE, "cannot read the file: %s", zip_error_strerror(error));
        break;
    }
}

zip_t *zipxml_open(const char *path, enum zipxml_result *result, char *errstr, size_t errstr_size)
{
    struct outcome o = {ZIPXML_OK, errstr, errstr_size};
    zip_error_t error;
    zip_error_init(&error);
    zip_t *zip = NULL;
    /* from a source rather than zip_open(): its error keeps the system's (ENOENT, EACCES) */
    zip_source_t *source = zip_source_file_create(path, 0, -1, &error);
    if (source) {
        /* no ZIP_CHECKCONS: the small inconsistencies of some writers stay readable, as in
           LibreOffice; what is read is checked as it inflates (its CRC at the end) */
        zip = zip_open_from_source(source, ZIP_RDONLY, &error);
        if (!zip) {
            zip_source_free(source); /* still ours when the open failed */
        }
    }
    if (!zip) {
        refuse_archive(&o, path, &error);
    } else if (zip_get_num_entries(zip, 0) <= 0) {
        fail(&o, ZIPXML_BAD_ZIP, "an empty ZIP archive (or an empty file)");
        zip_discard(zip);
        zip = NULL;
    }
    zip_error_fini(&error);
    *result = o.result;
    return zip;
}

/* Open entry @p name, refusing one that claims more than @p max bytes or is encrypted;
   NULL when it fails or (with no failure) when there is no such entry. */
static zip_file_t *open_entry(zip_t *zip, const char *name, size_t max, struct outcome *o)
{
    zip_int64_t index = zip_name_locate(zip, name, 0);
    if (index < 0) {
        return NULL;
    }
    zip_stat_t st;
    zip_stat_init(&st);
    if (zip_stat_index(zip, (zip_uint64_t)index, 0, &st) != 0) {
        fail(o, damage(zip_get_error(zip)), "%s: %s", name, zip_strerror(zip));
        return NULL;
    }
    if ((st.valid & ZIP_STAT_SIZE) && st.size > max) {
        fail(o, ZIPXML_TOO_LARGE, "%s inflates to %llu bytes, more than the %zu allowed", name,
             (unsigned long long)st.size, max);
        return NULL;
    }
    if ((st.valid & ZIP_STAT_ENCRYPTION_METHOD) && st.encryption_method != ZIP_EM_NONE) {
        fail(o, ZIPXML_BAD_ZIP, "%s is encrypted", name);
        return NULL;
    }
    zip_file_t *file = zip_fopen_index(zip, (zip_uint64_t)index, 0);
    if (!file) {
        zip_error_t *error = zip_get_error(zip);
        fail(o, damage(error), "%s cannot be read: %s", name, zip_error_strerror(error));
    }
    return file;
}

enum zipxml_result zipxml_read_head(zip_t *zip, const char *name, char *out, size_t size,
                                    char *errstr, size_t errstr_size)
{
    struct outcome o = {ZIPXML_OK, errstr, errstr_size};
    out[0] = '\0';
    zip_file_t *file = open_entry(zip, name, (size_t)-1, &o);
    if (!file) {
        return o.result;
    }
    zip_int64_t n = zip_fread(file, out, size - 1);
    if (n < 0) {
        zip_error_t *error = zip_file_get_error(file);
        fail(&o, damage(error), "%s is damaged: %s", name, zip_error_strerror(error));
        n = 0;
    }
    out[n] = '\0';
    zip_fclose(file); /* only its head was read: its CRC is not checked */
    return o.result;
}

/* The entry being read, for libxml2's read callback and error handler. */
struct stream {
    struct outcome *outcome;
    zip_file_t *file;
    const char *name;
    size_t read, max; /* inflated bytes so far, and the cap */
    struct xmlguard guard;
};

static int read_entry(void *ctx, char *buf, int len)
{
    struct stream *s = ctx;
    if (len <= 0) {
        return 0;
    }
    zip_int64_t n = zip_fread(s->file, buf, (zip_uint64_t)len);
    if (n < 0) {
        zip_error_t *error = zip_file_get_error(s->file);
        fail(s->outcome, damage(error), "%s is damaged: %s", s->name, zip_error_strerror(error));
        return -1;
    }
    /* a ZIP's sizes are only claims: the cap holds on what inflates */
    if ((size_t)n > s->max - s->read) {
        fail(s->outcome, ZIPXML_TOO_LARGE, "%s inflates to more than %zu bytes", s->name, s->max);
        return -1;
    }
    s->read += (size_t)n;
    const char *refused = xmlguard_scan(&s->guard, buf, (size_t)n);
    if (refused) {
        fail(s->outcome, ZIPXML_BAD_XML, "%s: %s", s->name, refused);
        return -1;
    }
    return (int)n;
}

static void on_xml_error(void *ctx, xmlErrorPtr error)
{
    struct stream *s = ctx;
    /* recoverable errors (an undeclared namespace prefix) do not stop the reader */
    if (!error || error->level < XML_ERR_FATAL) {
        return;
    }
    const char *message = error->message ? error->message : "not well-formed";
    char line[32] = ""; /* an error outside the parser (the input's encoding) has none */
    if (error->line > 0) {
        snprintf(line, sizeof(line), " at line %d", error->line);
    }
    fail(s->outcome, error->code == XML_ERR_NO_MEMORY ? ZIPXML_NOMEM : ZIPXML_BAD_XML,
         "%s: XML error%s: %.*s", s->name, line, (int)strcspn(message, "\n"), message);
}

/* Every node to @p on_node while it wants them and nothing failed. A document type
   declaration stops the reading before anything it declares is used. */
static void read_nodes(struct stream *s, xmlTextReaderPtr r, int max_depth, zipxml_node_fn on_node,
                       void *ctx)
{
    struct outcome *o = s->outcome;
    int got = 0;
    while (o->result == ZIPXML_OK && (got = xmlTextReaderRead(r)) == 1) {
        int type = xmlTextReaderNodeType(r), depth = xmlTextReaderDepth(r);
        if (type == XML_READER_TYPE_DOCUMENT_TYPE) {
            fail(o, ZIPXML_BAD_XML,
                 "%s declares a document type (<!DOCTYPE>), which Word and LibreOffice never "
                 "write: refused, its entities unread",
                 s->name);
        } else if (depth < 0 || (type == XML_READER_TYPE_ELEMENT && depth > max_depth)) {
            fail(o, ZIPXML_BAD_XML, "%s: elements nested deeper than %d at line %d", s->name,
                 max_depth, xmlTextReaderGetParserLineNumber(r));
        } else if (!on_node(ctx, r, type, depth)) {
            return;
        }
    }
    if (got < 0) {
        fail(o, ZIPXML_BAD_XML, "%s: XML error at line %d", s->name,
             xmlTextReaderGetParserLineNumber(r));
    }
}

enum zipxml_result zipxml_read(zip_t *zip, const char *name, size_t max_bytes, int max_depth,
                               zipxml_node_fn on_node, void *ctx, char *errstr, size_t errstr_size)
{
    struct outcome o = {ZIPXML_OK, errstr, errstr_size};
    zip_file_t *file = open_entry(zip, name, max_bytes, &o);
    if (!file) {
        if (o.result == ZIPXML_OK) {
            fail(&o, ZIPXML_BAD_ZIP, "no %s in the ZIP", name);
        }
        return o.result;
    }
    struct stream s = {&o, file, name, 0, max_bytes, {0}};
    xmlguard_init(&s.guard, ZIPXML_MAX_ATTRIBUTES, ZIPXML_MAX_IN_SCOPE, (unsigned)max_depth);
    /* errors libxml2 raises outside a parser (an input's bad encoding) go to the thread's
       handler, stderr by default: to ours while the entry is read, then the caller's again */
    xmlStructuredErrorFunc callers_handler = xmlStructuredError;
    void *callers_context = xmlStructuredErrorContext;
    xmlSetStructuredErrorFunc(&s, on_xml_error);
    xmlTextReaderPtr r = xmlReaderForIO(read_entry, NULL, &s, name, NULL, XML_OPTIONS);
    if (!r) {
        fail(&o, ZIPXML_NOMEM, "%s: cannot start the XML reader", name);
    } else {
        xmlTextReaderSetStructuredErrorHandler(r, on_xml_error, &s);
        read_nodes(&s, r, max_depth, on_node, ctx);
        xmlFreeTextReader(r);
    }
    xmlSetStructuredErrorFunc(callers_context, callers_handler);
    zip_fclose(file); /* its reading errors came with zip_fread() */
    return o.result;
}
