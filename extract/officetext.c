/* officetext.c - the text of a DOCX or an ODT without a converter: see officetext.h. */
#include "officetext.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/xmlreader.h>
#include <zip.h>

#include "numbering.h"
#include "textlines.h"
#include "zipxml.h"

#define RELS_MAX_BYTES (1u << 20) /* _rels/.rels names a handful of parts */
#define MIMETYPE_MAX 128          /* ODF's mimetype entry holds one media type */
#define PART_NAME_MAX 256
#define ODF_MEDIA_PREFIX "application/vnd.oasis.opendocument."
#define ODT_MEDIA_TYPE ODF_MEDIA_PREFIX "text" /* and its -template and -master */
#define RELS_NS "http://schemas.openxmlformats.org/package/2006/relationships"
#define MANIFEST_MAX_BYTES (1u << 20) /* META-INF/manifest.xml lists a few dozen parts */
#define MANIFEST_NS "urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"

enum ns { NS_OTHER, NS_W, NS_MC, NS_TEXT, NS_TABLE, NS_OFFICE };

static const struct {
    const char *uri;
    enum ns ns;
} NAMESPACES[] = {
    {"http://schemas.openxmlformats.org/wordprocessingml/2006/main", NS_W},
    {"http://purl.oclc.org/ooxml/wordprocessingml/main", NS_W}, /* strict OOXML */
    {"http://schemas.openxmlformats.org/markup-compatibility/2006", NS_MC},
    {"urn:oasis:names:tc:opendocument:xmlns:text:1.0", NS_TEXT},
    {"urn:oasis:names:tc:opendocument:xmlns:table:1.0", NS_TABLE},
    {"urn:oasis:names:tc:opendocument:xmlns:office:1.0", NS_OFFICE},
};

/* What an element means for the text. */
enum role {
    ROLE_NONE, /* a container, or nothing to write: its children count */
    ROLE_SKIP, /* left out with all it holds */
    ROLE_PARAGRAPH,
    ROLE_TEXT, /* DOCX's w:t: the one element whose characters are the document's */
    ROLE_TAB,
    ROLE_BREAK, /* DOCX's w:br: a line break, or a page or column break */
    ROLE_LINE_BREAK,
    ROLE_SPACES, /* ODT's text:s */
    ROLE_HYPHEN, /* DOCX's non-breaking hyphen */
    ROLE_TABLE,
    ROLE_ROW,
    ROLE_CELL,
    ROLE_MERGED,     /* DOCX's w:vMerge: the cell continues the one above, unless it restarts */
    ROLE_PROPERTIES, /* DOCX's w:pPr: left out, but its list and style number the paragraph */
};

struct element_rule {
    enum ns ns;
    const char *name;
    enum role role;
};

static const struct element_rule DOCX_RULES[] = {
    {NS_W, "p", ROLE_PARAGRAPH},
    {NS_W, "t", ROLE_TEXT},
    {NS_W, "tab", ROLE_TAB},
    {NS_W, "ptab", ROLE_TAB},
    {NS_W, "br", ROLE_BREAK},
    {NS_W, "cr", ROLE_LINE_BREAK},
    {NS_W, "noBreakHyphen", ROLE_HYPHEN},
    {NS_W, "tbl", ROLE_TABLE},
    {NS_W, "tr", ROLE_ROW},
    {NS_W, "tc", ROLE_CELL},
    {NS_W, "vMerge", ROLE_MERGED},
    {NS_W, "pPr", ROLE_PROPERTIES}, /* its w:tabs/w:tab are tab stops, not tabs */
    {NS_W, "sdtPr", ROLE_SKIP},     /* a content control's settings */
    {NS_W, "del", ROLE_SKIP},       /* tracked deletions */
    {NS_W, "moveFrom", ROLE_SKIP},  /* text moved away: it stands again where it went */
    {NS_W, "rt", ROLE_SKIP},        /* ruby: the reading above the base text */
    {NS_MC, "Fallback", ROLE_SKIP}, /* the Choice's content again, for older readers */
};

static const struct element_rule ODT_RULES[] = {
    {NS_TEXT, "p", ROLE_PARAGRAPH},
    {NS_TEXT, "h", ROLE_PARAGRAPH},
    {NS_TEXT, "s", ROLE_SPACES},
    {NS_TEXT, "tab", ROLE_TAB},
    {NS_TEXT, "line-break", ROLE_LINE_BREAK},
    {NS_TABLE, "table", ROLE_TABLE},
    {NS_TABLE, "table-row", ROLE_ROW},
    {NS_TABLE, "table-cell", ROLE_CELL},
    /* the place a merged cell covers: as with HTML's colspan and rowspan, no cell there */
    {NS_TABLE, "covered-table-cell", ROLE_SKIP},
    {NS_TEXT, "note", ROLE_SKIP}, /* footnotes and endnotes */
    {NS_OFFICE, "annotation", ROLE_SKIP},
    {NS_TEXT, "tracked-changes", ROLE_SKIP}, /* deleted text, kept for undoing */
    {NS_TEXT, "ruby-text", ROLE_SKIP},
};

struct format {
    const char *name; /* for messages */
    const struct element_rule *rules;
    size_t rule_count;
    enum ns root_ns; /* the root element its document part has */
    const char *root_name;
    /* ODT: every text-namespace element inside a paragraph holds text, and white space
       collapses as ODF says; DOCX: only w:t holds text, and its spaces are kept */
    bool odf_text;
};

static const struct format DOCX = {"DOCX", DOCX_RULES, sizeof(DOCX_RULES) / sizeof(DOCX_RULES[0]),
                                   NS_W,   "document", false};
static const struct format ODT = {
    "ODT",     ODT_RULES,          sizeof(ODT_RULES) / sizeof(ODT_RULES[0]),
    NS_OFFICE, "document-content", true};

/* One conversion: the archive, its limits, and its first failure. */
struct conversion {
    zip_t *zip;
    struct officetext_limits limits;
    enum officetext_result result; /* OFFICETEXT_OK until something fails */
    char *errstr;
    size_t errstr_size;
};

/* Record a failure with its reason, unless one came first. @returns the conversion's result. */
__attribute__((format(printf, 3, 4))) static enum officetext_result
fail(struct conversion *c, enum officetext_result r, const char *fmt, ...)
{
    if (c->result == OFFICETEXT_OK) {
        c->result = r;
        if (c->errstr_size > 0) {
            va_list ap;
            va_start(ap, fmt);
            vsnprintf(c->errstr, c->errstr_size, fmt, ap);
            va_end(ap);
        }
    }
    return c->result;
}

/* zipxml's result as the conversion's; zipxml wrote its reason into errstr. */
static enum officetext_result took(struct conversion *c, enum zipxml_result r)
{
    static const enum officetext_result AS[] = {
        [ZIPXML_OK] = OFFICETEXT_OK,
        [ZIPXML_UNREADABLE] = OFFICETEXT_UNREADABLE,
        [ZIPXML_BAD_ZIP] = OFFICETEXT_BAD_ZIP,
        [ZIPXML_BAD_XML] = OFFICETEXT_BAD_XML,
        [ZIPXML_TOO_LARGE] = OFFICETEXT_TOO_LARGE,
        [ZIPXML_NOMEM] = OFFICETEXT_NOMEM,
    };
    if (c->result == OFFICETEXT_OK) {
        c->result = AS[r];
    }
    return c->result;
}

const char *officetext_result_code(enum officetext_result r)
{
    switch (r) {
    case OFFICETEXT_OK:
        return "ok";
    case OFFICETEXT_UNREADABLE:
        return "unreadable";
    case OFFICETEXT_BAD_ZIP:
        return "bad-zip";
    case OFFICETEXT_NO_DOCUMENT:
        return "no-document";
    case OFFICETEXT_BAD_XML:
        return "bad-xml";
    case OFFICETEXT_TOO_LARGE:
        return "too-large";
    case OFFICETEXT_WRITE_FAILED:
        return "write-failed";
    case OFFICETEXT_NOMEM:
        return "out-of-memory";
    }
    return "failed";
}

/* ---- the document part, element by element ---- */

struct walker {
    struct conversion *conversion;
    const struct format *format;
    const char *part; /* its name in the ZIP, for messages */
    struct textlines lines;
    int skip_depth; /* inside a left-out element opened at this depth; -1: none */
    unsigned char role_at[OFFICETEXT_MAX_DEPTH + 1]; /* of the element open at each depth */
    bool holds_text[OFFICETEXT_MAX_DEPTH + 1];       /* its text nodes are the document's */
    const xmlChar *last_uri; /* interned by the reader: one lookup per change of namespace */
    enum ns last_ns;
    struct numbering *numbering; /* DOCX's lists (owned), or NULL */
    int properties_depth;        /* of the open paragraph's w:pPr; -1: none open */
    bool in_numpr;               /* inside its w:numPr */
    struct numbering_paragraph paragraph_numbering; /* what the open w:pPr says so far */
};

static enum ns namespace_of(struct walker *w, xmlTextReaderPtr r)
{
    const xmlChar *uri = xmlTextReaderConstNamespaceUri(r);
    if (!uri) {
        return NS_OTHER;
    }
    if (uri != w->last_uri) {
        w->last_uri = uri;
        w->last_ns = NS_OTHER;
        for (size_t i = 0; i < sizeof(NAMESPACES) / sizeof(NAMESPACES[0]); i++) {
            if (strcmp((const char *)uri, NAMESPACES[i].uri) == 0) {
                w->last_ns = NAMESPACES[i].ns;
            }
        }
    }
    return w->last_ns;
}

static bool ends_with(const char *s, const char *tail)
{
    size_t n = strlen(s), t = strlen(tail);
    return n >= t && strcmp(s + n - t, tail) == 0;
}

static enum role role_of(const struct format *f, enum ns ns, const char *name)
{
    for (size_t i = 0; i < f->rule_count; i++) {
        if (f->rules[i].ns == ns && strcmp(f->rules[i].name, name) == 0) {
            return f->rules[i].role;
        }
    }
    /* ODF's index sources (text:table-of-content-source, ...) hold templates, not text */
    return ns == NS_TEXT && ends_with(name, "-source") ? ROLE_SKIP : ROLE_NONE;
}

/* Attribute @p name copied into @p value: in the element's own namespace (w:type,
   table:number-columns-repeated) with @p own_ns, else without one (Type in _rels/.rels). */
static bool attribute(xmlTextReaderPtr r, const char *name, bool own_ns, char *value, size_t size)
{
    const xmlChar *uri = own_ns ? xmlTextReaderConstNamespaceUri(r) : NULL;
    int found = own_ns ? (uri ? xmlTextReaderMoveToAttributeNs(r, BAD_CAST name, uri) : 0)
                       : xmlTextReaderMoveToAttribute(r, BAD_CAST name);
    if (found != 1) {
        return false;
    }
    const xmlChar *v = xmlTextReaderConstValue(r);
    snprintf(value, size, "%s", v ? (const char *)v : "");
    xmlTextReaderMoveToElement(r); /* cannot fail: the reader stands on the element's attribute */
    return true;
}

/* A count attribute (text:c, table:number-columns-repeated): 1 when absent or not a count,
   at most @p max. */
static unsigned count_attribute(xmlTextReaderPtr r, const char *name, unsigned max)
{
    char value[32];
    if (!attribute(r, name, true, value, sizeof(value)) || value[0] < '0' || value[0] > '9') {
        return 1;
    }
    char *end;
    errno = 0;
    unsigned long n = strtoul(value, &end, 10);
    if (*end != '\0' || n == 0) {
        return 1;
    }
    return errno == ERANGE || n > max ? max : (unsigned)n;
}

/* w:br: a line break (no w:type, or "textWrapping"), not a page or column break. */
static bool is_hard_break(xmlTextReaderPtr r)
{
    char type[32];
    return !attribute(r, "type", true, type, sizeof(type)) ||
           (strcmp(type, "page") != 0 && strcmp(type, "column") != 0);
}

/* w:vMerge without a value, or "continue": the cell is the one above, merged. */
static bool continues_merge(xmlTextReaderPtr r)
{
    char val[32];
    return !attribute(r, "val", true, val, sizeof(val)) || strcmp(val, "restart") != 0;
}

static void role_begin(struct textlines *t, xmlTextReaderPtr r, enum role role)
{
    switch (role) {
    case ROLE_PARAGRAPH:
        textlines_paragraph_begin(t);
        break;
    case ROLE_TAB:
        textlines_literal(t, "\t", 1);
        break;
    case ROLE_BREAK:
        textlines_line_break(t, is_hard_break(r));
        break;
    case ROLE_LINE_BREAK:
        textlines_line_break(t, true);
        break;
    case ROLE_SPACES:
        textlines_spaces(t, count_attribute(r, "c", OFFICETEXT_MAX_SPACES));
        break;
    case ROLE_HYPHEN:
        textlines_literal(t, "-", 1);
        break;
    case ROLE_TABLE:
        textlines_table_begin(t);
        break;
    case ROLE_ROW:
        textlines_row_begin(t, count_attribute(r, "number-rows-repeated", OFFICETEXT_MAX_REPEAT));
        break;
    case ROLE_CELL:
        textlines_cell_begin(t,
                             count_attribute(r, "number-columns-repeated", OFFICETEXT_MAX_REPEAT));
        break;
    case ROLE_MERGED:
        if (continues_merge(r)) {
            textlines_cell_merged(t);
        }
        break;
    case ROLE_NONE:
    case ROLE_SKIP:
    case ROLE_TEXT:
    case ROLE_PROPERTIES:
        break;
    }
}

static void role_end(struct textlines *t, enum role role)
{
    switch (role) {
    case ROLE_PARAGRAPH:
        textlines_paragraph_end(t);
        break;
    case ROLE_TABLE:
        textlines_table_end(t);
        break;
    case ROLE_ROW:
        textlines_row_end(t);
        break;
    case ROLE_CELL:
        textlines_cell_end(t);
        break;
    default:
        break;
    }
}

/* An element inside a paragraph's w:pPr: its w:pStyle, w:numPr/w:ilvl and w:numPr/w:numId
   (not those of w:pPrChange, the properties before a tracked change). */
static void paragraph_property(struct walker *w, xmlTextReaderPtr r, int depth)
{
    int below = depth - w->properties_depth;
    if ((below != 1 && below != 2) || namespace_of(w, r) != NS_W) {
        return;
    }
    const xmlChar *local = xmlTextReaderConstLocalName(r);
    const char *name = local ? (const char *)local : "";
    struct numbering_paragraph *p = &w->paragraph_numbering;
    char value[NUMBERING_MAX_STYLE_ID];
    if (below == 1) {
        w->in_numpr = strcmp(name, "numPr") == 0;
        if (strcmp(name, "pStyle") == 0 && attribute(r, "val", true, value, sizeof(value))) {
            snprintf(p->style, sizeof(p->style), "%s", value);
        }
    } else if (w->in_numpr && attribute(r, "val", true, value, sizeof(value))) {
        char *end;
        long v = strtol(value, &end, 10);
        int number = *end == '\0' && end != value && v >= 0 && v <= INT_MAX ? (int)v : -1;
        if (strcmp(name, "numId") == 0) {
            p->num_id = number;
        } else if (strcmp(name, "ilvl") == 0) {
            p->level = number;
        }
    }
}

/* The w:pPr of a paragraph ended: its list's label starts the paragraph's line. */
static void paragraph_properties_end(struct walker *w)
{
    char label[NUMBERING_MAX_LABEL];
    size_t len = numbering_next_label(w->numbering, &w->paragraph_numbering, label, sizeof(label));
    if (len > 0) {
        textlines_text(&w->lines, label, len, false);
    }
    w->properties_depth = -1;
}

static void element_begin(struct walker *w, xmlTextReaderPtr r, int depth)
{
    if (w->skip_depth >= 0) {
        if (w->properties_depth >= 0) {
            paragraph_property(w, r, depth);
        }
        return;
    }
    enum ns ns = namespace_of(w, r);
    const xmlChar *local = xmlTextReaderConstLocalName(r);
    const char *name = local ? (const char *)local : "";
    if (depth == 0 && (ns != w->format->root_ns || strcmp(name, w->format->root_name) != 0)) {
        fail(w->conversion, OFFICETEXT_NO_DOCUMENT,
             "%s is no %s document: its root element is <%s>", w->part, w->format->name, name);
        return;
    }
    enum role role = role_of(w->format, ns, name);
    bool empty = xmlTextReaderIsEmptyElement(r) == 1;
    w->role_at[depth] = (unsigned char)role;
    if (role == ROLE_PROPERTIES && w->numbering && !empty && depth > 0 &&
        w->role_at[depth - 1] == ROLE_PARAGRAPH) {
        w->properties_depth = depth;
        w->in_numpr = false;
        numbering_paragraph_clear(&w->paragraph_numbering);
    }
    if (role == ROLE_SKIP || role == ROLE_PROPERTIES) {
        w->skip_depth = empty ? -1 : depth;
        return;
    }
    role_begin(&w->lines, r, role);
    w->holds_text[depth] = role == ROLE_TEXT || (w->format->odf_text && ns == NS_TEXT &&
                                                 textlines_in_paragraph(&w->lines));
    if (empty) {
        role_end(&w->lines, role);
    }
}

static void element_end(struct walker *w, int depth)
{
    if (depth == w->properties_depth) {
        paragraph_properties_end(w);
    }
    if (w->skip_depth >= 0) {
        w->skip_depth = depth == w->skip_depth ? -1 : w->skip_depth;
        return;
    }
    role_end(&w->lines, (enum role)w->role_at[depth]);
}

static void text_node(struct walker *w, xmlTextReaderPtr r, int depth)
{
    if (w->skip_depth >= 0 || depth == 0 || !w->holds_text[depth - 1]) {
        return;
    }
    const xmlChar *value = xmlTextReaderConstValue(r);
    if (value) {
        textlines_text(&w->lines, (const char *)value, strlen((const char *)value),
                       w->format->odf_text);
    }
}

/* The text's failure as the conversion's, with its reason. */
static void report_lines_failure(struct walker *w, enum textlines_result failed)
{
    switch (failed) {
    case TEXTLINES_OK:
        break;
    case TEXTLINES_TOO_LARGE:
        fail(w->conversion, OFFICETEXT_TOO_LARGE, "the text of %s passes %zu bytes", w->part,
             w->lines.max_output);
        break;
    case TEXTLINES_WRITE_FAILED:
        fail(w->conversion, OFFICETEXT_WRITE_FAILED, "cannot write the text: %s",
             strerror(w->lines.write_errno));
        break;
    case TEXTLINES_NOMEM:
        fail(w->conversion, OFFICETEXT_NOMEM, "out of memory");
        break;
    }
}

/* One node of the document part. @returns false to stop reading. */
static bool on_document_node(void *ctx, xmlTextReaderPtr r, int type, int depth)
{
    struct walker *w = ctx;
    switch (type) {
    case XML_READER_TYPE_ELEMENT:
        element_begin(w, r, depth);
        break;
    case XML_READER_TYPE_END_ELEMENT:
        element_end(w, depth);
        break;
    case XML_READER_TYPE_TEXT:
    case XML_READER_TYPE_CDATA:
    case XML_READER_TYPE_WHITESPACE:
    case XML_READER_TYPE_SIGNIFICANT_WHITESPACE:
        text_node(w, r, depth);
        break;
    default:
        break;
    }
    report_lines_failure(w, w->lines.failed);
    return w->conversion->result == OFFICETEXT_OK;
}

/* ---- which document the ZIP holds ---- */

struct document_part {
    const struct format *format;
    char name[PART_NAME_MAX];
};

static bool has_entry(const struct conversion *c, const char *name)
{
    return zip_name_locate(c->zip, name, 0) >= 0;
}

/* _rels/.rels: the target of the officeDocument relationship, the main part. */
static bool on_rels_node(void *ctx, xmlTextReaderPtr r, int type, int depth)
{
    char *target = ctx;
    const xmlChar *local = xmlTextReaderConstLocalName(r);
    const xmlChar *uri = xmlTextReaderConstNamespaceUri(r);
    if (type != XML_READER_TYPE_ELEMENT || depth != 1 || !local || !uri ||
        strcmp((const char *)local, "Relationship") != 0 ||
        strcmp((const char *)uri, RELS_NS) != 0) {
        return true;
    }
    char kind[256], mode[32], value[PART_NAME_MAX];
    if (!attribute(r, "Type", false, kind, sizeof(kind)) || !ends_with(kind, "/officeDocument") ||
        (attribute(r, "TargetMode", false, mode, sizeof(mode)) && strcmp(mode, "External") == 0) ||
        !attribute(r, "Target", false, value, sizeof(value))) {
        return true;
    }
    /* relative to the package's root: "word/document.xml", "/word/document.xml" */
    const char *name = value + (value[0] == '/');
    name += strncmp(name, "./", 2) == 0 ? 2 : 0;
    snprintf(target, PART_NAME_MAX, "%s", name);
    return false;
}

/* A DOCX's main part: the one _rels/.rels names, else word/document.xml. */
static bool find_docx_part(struct conversion *c, struct document_part *part)
{
    char target[PART_NAME_MAX] = "";
    if (has_entry(c, "_rels/.rels") &&
        took(c, zipxml_read(c->zip, "_rels/.rels", RELS_MAX_BYTES, OFFICETEXT_MAX_DEPTH,
                            on_rels_node, target, c->errstr, c->errstr_size)) != OFFICETEXT_OK) {
        return false;
    }
    const char *name = target[0] && has_entry(c, target) ? target : "word/document.xml";
    if (!has_entry(c, name)) {
        return false;
    }
    part->format = &DOCX;
    snprintf(part->name, sizeof(part->name), "%s", name);
    return true;
}

/* Where META-INF/manifest.xml's reader stands. */
struct manifest_reader {
    bool in_content_entry;  /* the manifest:file-entry of content.xml */
    bool content_encrypted; /* it holds manifest:encryption-data */
};

static bool is_manifest_element(xmlTextReaderPtr r, const char *name)
{
    const xmlChar *local = xmlTextReaderConstLocalName(r);
    const xmlChar *uri = xmlTextReaderConstNamespaceUri(r);
    return local && uri && strcmp((const char *)local, name) == 0 &&
           strcmp((const char *)uri, MANIFEST_NS) == 0;
}

static bool on_manifest_node(void *ctx, xmlTextReaderPtr r, int type, int depth)
{
    struct manifest_reader *m = ctx;
    char path[PART_NAME_MAX];
    if (type != XML_READER_TYPE_ELEMENT) {
        return true;
    }
    if (depth == 1) {
        m->in_content_entry = is_manifest_element(r, "file-entry") &&
                              attribute(r, "full-path", true, path, sizeof(path)) &&
                              strcmp(path + (path[0] == '/'), "content.xml") == 0;
    } else if (depth == 2 && m->in_content_entry && is_manifest_element(r, "encryption-data")) {
        m->content_encrypted = true;
    }
    return !m->content_encrypted;
}

/* ODF's own encryption (a password's key, in the manifest) makes content.xml ciphertext that
   the ZIP does not call encrypted. A manifest that cannot be read says nothing: content.xml
   is read as it is. */
static bool odf_encrypted(struct conversion *c)
{
    struct manifest_reader m = {false, false};
    char why[256];
    if (has_entry(c, "META-INF/manifest.xml")) {
        (void)zipxml_read(c->zip, "META-INF/manifest.xml", MANIFEST_MAX_BYTES, OFFICETEXT_MAX_DEPTH,
                          on_manifest_node, &m, why, sizeof(why));
    }
    return m.content_encrypted;
}

/* ODF's mimetype says what the file is; without one, the parts a DOCX or an ODT has. */
static bool find_document(struct conversion *c, struct document_part *part)
{
    char mimetype[MIMETYPE_MAX];
    if (took(c, zipxml_read_head(c->zip, "mimetype", mimetype, sizeof(mimetype), c->errstr,
                                 c->errstr_size)) != OFFICETEXT_OK) {
        return false;
    }
    bool odf = strncmp(mimetype, ODF_MEDIA_PREFIX, strlen(ODF_MEDIA_PREFIX)) == 0;
    if (odf && strncmp(mimetype, ODT_MEDIA_TYPE, strlen(ODT_MEDIA_TYPE)) != 0) {
        fail(c, OFFICETEXT_NO_DOCUMENT, "an OpenDocument file of type %s, not a text", mimetype);
        return false;
    }
    if (!odf && find_docx_part(c, part)) {
        return true;
    }
    if (c->result == OFFICETEXT_OK && has_entry(c, "content.xml")) {
        if (odf_encrypted(c)) {
            fail(c, OFFICETEXT_BAD_ZIP, "content.xml is encrypted (ODF's own encryption)");
            return false;
        }
        part->format = &ODT;
        snprintf(part->name, sizeof(part->name), "content.xml");
        return true;
    }
    fail(c, OFFICETEXT_NO_DOCUMENT, "%s",
         odf ? "an OpenDocument text without content.xml"
             : "a ZIP with neither word/document.xml (DOCX) nor content.xml (ODT)");
    return false;
}

static void write_text(struct conversion *c, const struct document_part *part, FILE *out)
{
    struct walker w = {.conversion = c,
                       .format = part->format,
                       .part = part->name,
                       .skip_depth = -1,
                       .properties_depth = -1};
    /* read before the document: the numbers its paragraphs get come from it */
    if (part->format == &DOCX) {
        w.numbering = numbering_read(c->zip, "word/numbering.xml", "word/styles.xml");
    }
    textlines_init(&w.lines, out, c->limits.max_output_bytes);
    took(c, zipxml_read(c->zip, part->name, c->limits.max_xml_bytes, OFFICETEXT_MAX_DEPTH,
                        on_document_node, &w, c->errstr, c->errstr_size));
    if (c->result == OFFICETEXT_OK) {
        report_lines_failure(&w, textlines_finish(&w.lines));
    }
    textlines_release(&w.lines);
    numbering_free(w.numbering);
}

enum officetext_result officetext_convert_limited(const char *path, FILE *out,
                                                  const struct officetext_limits *limits,
                                                  char *errstr, size_t errstr_size)
{
    struct conversion c = {NULL, *limits, OFFICETEXT_OK, errstr, errstr_size};
    if (errstr_size > 0) {
        errstr[0] = '\0';
    }
    enum zipxml_result opened;
    c.zip = zipxml_open(path, &opened, errstr, errstr_size);
    struct document_part part;
    if (took(&c, opened) == OFFICETEXT_OK && find_document(&c, &part)) {
        write_text(&c, &part, out);
    }
    if (c.zip) {
        zip_discard(c.zip); /* read only: nothing to write back */
    }
    return c.result;
}

enum officetext_result officetext_convert(const char *path, FILE *out, char *errstr,
                                          size_t errstr_size)
{
    const struct officetext_limits limits = {OFFICETEXT_MAX_XML_BYTES, OFFICETEXT_MAX_OUTPUT};
    return officetext_convert_limited(path, out, &limits, errstr, errstr_size);
}
