/*
 * extractor.c - one raw report to one envelope.
 * Long because: reading a document (its conversion, pages and OCR) and writing each part of
 * the envelope share struct reading, which no other module needs to see.
 */
#include "extractor.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "budget.h"
#include "citations.h"
#include "convert.h"
#include "decode.h"
#include "docfields.h"
#include "docformat.h"
#include "excerpts.h"
#include "jsonout.h"
#include "metrics.h"
#include "outline.h"
#include "pdftext.h"
#include "quantity.h"
#include "reportflow/clock.h"
#include "reportflow/sha256.h"
#include "reportflow/utf8.h"
#include "text.h"

/* What a document may cost when the caller names no limits: no limit. */
static const struct extract_limits NO_LIMITS = {0, 0, NULL, 0, false};

int extractor_init(struct extractor *ex, const struct catalogue *rules)
{
    ex->rules = rules;
    for (size_t i = 0; i < CONVERT_TOOLS; i++) {
        ex->converters[i][0] = '\0';
    }
    return catalogue_matcher_init(&ex->matcher, rules);
}

void extractor_release(struct extractor *ex)
{
    rules_matcher_release(&ex->matcher);
}

static json_t *number_json(double v)
{
    if (fabs(v) < 9e15 && v == floor(v)) {
        return json_integer((json_int_t)v);
    }
    return json_real(v);
}

/* Han characters of @p t, counted up to @p enough (a report needs only a few to qualify). */
static size_t count_han(const struct text *t, size_t enough)
{
    size_t n = 0;
    for (size_t c = 0; c < t->nchars && n < enough; c++) {
        size_t len;
        uint32_t cp = text_codepoint(t->norm, t->norm_off[c], &len);
        n += cp >= 0x4e00 && cp <= 0x9fff;
    }
    return n;
}

/* A JSON string of @p s; bytes that are not UTF-8 (a GBK file name) become U+FFFD. */
static json_t *safe_string(const char *s)
{
    if (!s) {
        return json_null();
    }
    size_t len = strlen(s);
    if (rf_utf8_valid(s, len)) {
        return json_stringn(s, len);
    }
    size_t fixed_len = 0;
    char *fixed = decode_utf8_lossy(s, len, &fixed_len);
    json_t *j = fixed ? json_stringn(fixed, fixed_len) : NULL;
    free(fixed);
    return j;
}

/* Set @p key to @p value (stolen); @returns -1 when either is missing or on ENOMEM. */
static int set_new(json_t *obj, const char *key, json_t *value)
{
    if (!obj || !value) {
        json_decref(value);
        return -1;
    }
    return json_object_set_new(obj, key, value);
}

/* What the raw bytes were and what read them (convert.h): the envelope's source says it. */
struct reading {
    const char *media_type;     /* "application/pdf"; text/plain or text/html for text */
    const char *converter;      /* "pdftotext", "libreoffice"; NULL for text */
    int pages;                  /* PDF pages; 0: none or unknown */
    int ocr_pages;              /* of them, read by OCR */
    int unread_pages;           /* scanned pages left unread (OCR off or not installed) */
    struct pdftext_pages where; /* where each page begins in the text (a PDF's) */
    unsigned char *page_ocr;    /* per page, 1 when read by OCR; NULL when none was */
};

static void reading_release(struct reading *rd)
{
    pdftext_pages_release(&rd->where);
    free(rd->page_ocr);
    rd->page_ocr = NULL;
}

/* The page (from 1) of character @p ch, and whether OCR read it; 0 when the text has none. */
static int page_of(const struct reading *rd, size_t ch, bool *ocr)
{
    int page = pdftext_page_at(&rd->where, ch);
    *ocr = page > 0 && rd->page_ocr && page <= rd->pages && rd->page_ocr[page - 1];
    return page;
}

static json_t *source_json(const struct source_info *src, size_t len, const struct decoded *d,
                           const struct reading *rd)
{
    char now[40];
    rf_clock_format(rf_clock_now_ms(), now, sizeof(now));
    json_t *o = json_pack("{s:I, s:s, s:s, s:b}", "size", (json_int_t)len, "extracted_at", now,
                          "encoding", d->encoding, "html", d->html);
    int media = set_new(o, "media_type", json_string(rd->media_type));
    media |= set_new(o, "converter", rd->converter ? json_string(rd->converter) : json_null());
    media |= set_new(o, "pages", rd->pages > 0 ? json_integer(rd->pages) : json_null());
    media |= set_new(o, "ocr", rd->pages > 0 ? json_integer(rd->ocr_pages) : json_null());
    if (media != 0) {
        json_decref(o);
        return NULL;
    }
    int rc = set_new(o, "file_name", safe_string(src ? src->file_name : NULL));
    rc |= set_new(o, "mtime", safe_string(src ? src->mtime : NULL));
    rc |= set_new(o, "dropped_at", safe_string(src ? src->dropped_at : NULL));
    rc |= set_new(o, "produced_at", safe_string(src ? src->produced_at : NULL));
    if (rc == 0 && src && src->file_name_raw) {
        rc |= set_new(o, "file_name_raw", safe_string(src->file_name_raw));
    }
    if (rc == 0 && src && src->topic && src->partition >= 0) {
        rc |= set_new(o, "topic", safe_string(src->topic));
        rc |= set_new(o, "partition", json_integer(src->partition));
        rc |= set_new(o, "offset", json_integer(src->offset));
    }
    if (rc != 0) {
        json_decref(o);
        return NULL;
    }
    return o;
}

/* The document's warnings: a value found but dropped, scanned pages left unread. */
/* Said in the envelope of a document no rule set takes (catalogue.h). */
#define NO_FAMILY_WARNING                                                                          \
    "of no known report family (worker.rules): outline, citations and quantities only, no facts"

static json_t *warnings_json(const struct docfields *f, const struct reading *rd,
                             const struct rules *family)
{
    json_t *arr = json_array();
    int rc = arr ? 0 : -1;
    if (rc == 0 && !family) {
        rc = json_array_append_new(arr, json_string(NO_FAMILY_WARNING));
    }
    if (rc == 0 && f->warning[0]) {
        rc = json_array_append_new(arr, safe_string(f->warning));
    }
    if (rc == 0 && rd->unread_pages > 0) {
        char said[160];
        snprintf(said, sizeof(said),
                 "%d of %d pages are scans without text, not read: OCR is off (worker.ocr) or "
                 "tesseract is not installed",
                 rd->unread_pages, rd->pages);
        rc = json_array_append_new(arr, json_string(said));
    }
    if (rc != 0) {
        json_decref(arr);
        return NULL;
    }
    return arr;
}

static json_t *document_json(const struct docfields *f, const struct text *t,
                             const struct reading *rd, const struct rules *family)
{
    json_t *o = json_pack("{s:o, s:s?, s:I}", "year", f->year ? json_integer(f->year) : json_null(),
                          "published", f->published[0] ? f->published : NULL, "chars",
                          (json_int_t)t->nchars);
    /* the fields come from the text, but a cut that split a character must not cost the report */
    int rc = set_new(o, "agency", safe_string(f->agency));
    rc |= set_new(o, "region", safe_string(f->region));
    rc |= set_new(o, "level", safe_string(f->level));
    rc |= set_new(o, "region_code", f->region_code[0] ? json_string(f->region_code) : json_null());
    rc |= set_new(o, "title", safe_string(f->title));
    rc |= set_new(o, "doc_number", safe_string(f->doc_number));
    rc |= set_new(o, "report_family", family ? json_string(family->name) : json_null());
    if (rc == 0 && (f->warning[0] || rd->unread_pages > 0 || !family)) {
        rc = set_new(o, "warnings", warnings_json(f, rd, family));
    }
    if (rc != 0) {
        json_decref(o);
        return NULL;
    }
    return o;
}

/*
 * Per-object bytes of keys, punctuation and numbers, charged on top of the strings
 * (a quantity of the dense report of 1016 is about 100 bytes of JSON, a metric 180).
 */
#define ITEM_OVERHEAD_BYTES 96

/* Append @p obj (stolen) to @p arr after charging its @p bytes; -1 on ENOMEM or a spent budget. */
static int append_charged(json_t *arr, json_t *obj, size_t bytes, struct budget *budget)
{
    if (!obj) {
        return -1;
    }
    if (budget_charge(budget, bytes + ITEM_OVERHEAD_BYTES)) {
        json_decref(obj);
        return -1;
    }
    return json_array_append_new(arr, obj);
}

/* Mark a cut excerpt with "@p name": true; the flag is left out when nothing was cut. */
static json_t *flag_cut(json_t *obj, const char *name, bool cut)
{
    if (obj && cut && json_object_set_new(obj, name, json_true()) != 0) {
        json_decref(obj);
        return NULL;
    }
    return obj;
}

static json_t *sections_json(const struct outline *o, const struct text *t, struct budget *budget)
{
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < o->cnt; i++) {
        const struct section *s = &o->items[i];
        bool cut = false;
        char *heading = text_excerpt(t, s->heading_start, s->heading_end, s->heading_start,
                                     s->heading_start, EXTRACT_HEADING_MAX_CHARS, &cut);
        json_t *obj = NULL;
        if (heading) {
            struct jsonout out;
            jsonout_begin(&out);
            jsonout_str(&out, "path", s->path);
            jsonout_int(&out, "level", s->level);
            jsonout_str(&out, "number", s->number);
            jsonout_str(&out, "heading", heading);
            jsonout_str(&out, "category", s->category);
            jsonout_int(&out, "start", (json_int_t)text_char_at(t, s->start));
            jsonout_int(&out, "end", (json_int_t)text_char_at(t, s->end));
            obj = jsonout_end(&out);
        }
        size_t bytes = heading ? strlen(heading) : 0;
        free(heading);
        if (append_charged(arr, flag_cut(obj, "heading_cut", cut), bytes, budget) != 0) {
            json_decref(arr);
            return NULL;
        }
    }
    return arr;
}

static json_t *quantity_json(const struct quantity *q, const struct outline *o,
                             const struct text *t, const struct reading *rd,
                             struct excerpts *clauses, size_t *bytes)
{
    size_t cs = text_char_at(t, q->start), ce = text_char_at(t, q->end);
    size_t clause = 0;
    if (excerpts_add(clauses, t, q->clause_start, q->clause_end, q->start, q->end, &clause) != 0) {
        return NULL;
    }
    char *written = text_orig_dup(t, cs, ce);
    const struct section *sec = outline_find(o, q->start);
    json_t *obj = NULL;
    if (written) {
        struct jsonout out;
        jsonout_begin(&out);
        jsonout_set(&out, "value", number_json(q->value));
        jsonout_str(&out, "unit", q->unit);
        jsonout_str(&out, "approx", quantity_approx_name(q->approx));
        jsonout_str(&out, "text", written);
        jsonout_int(&out, "clause", (json_int_t)clause);
        jsonout_int(&out, "start", (json_int_t)cs);
        jsonout_int(&out, "end", (json_int_t)ce);
        jsonout_str(&out, "section", sec ? sec->path : NULL);
        bool ocr;
        int page = page_of(rd, cs, &ocr);
        if (page > 0) {
            jsonout_int(&out, "page", page);
        }
        obj = jsonout_end(&out);
    }
    *bytes = (written ? strlen(written) : 0) + strlen(q->unit) + (sec ? strlen(sec->path) : 0);
    free(written);
    return obj;
}

static json_t *quantities_json(const struct quantity_list *qs, const struct outline *o,
                               const struct text *t, const struct reading *rd,
                               struct excerpts *clauses, struct budget *budget)
{
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < qs->cnt; i++) {
        if (!isfinite(qs->items[i].value)) { /* JSON has no such number: our parser's fault */
            budget_fault(budget, "quantity %zu: its value is not a finite number", i + 1);
            json_decref(arr);
            return NULL;
        }
        size_t bytes = 0;
        json_t *obj = quantity_json(&qs->items[i], o, t, rd, clauses, &bytes);
        if (append_charged(arr, obj, bytes, budget) != 0) {
            json_decref(arr);
            return NULL;
        }
    }
    return arr;
}

/*
 * Where a fact was read: the quantity it names ("quantity", whose unit, offsets,
 * section and clause are the fact's), or for a stated zero its own unit, "evidence"
 * (an excerpt's index), offsets and section. @returns -1 on ENOMEM.
 */
static void fact_place(struct jsonout *out, const struct fact *f, const struct outline *o,
                       const struct text *t, int page, struct excerpts *clauses)
{
    if (f->quantity != METRICS_NO_QUANTITY) {
        jsonout_int(out, "quantity", (json_int_t)f->quantity);
        return;
    }
    size_t evidence = 0;
    if (excerpts_add(clauses, t, f->clause_start, f->clause_end, f->start, f->end, &evidence) !=
        0) {
        out->failed = true;
        return;
    }
    const struct section *sec = outline_find(o, f->start);
    jsonout_str(out, "unit", f->unit);
    jsonout_int(out, "evidence", (json_int_t)evidence);
    jsonout_int(out, "start", (json_int_t)text_char_at(t, f->start));
    jsonout_int(out, "end", (json_int_t)text_char_at(t, f->end));
    jsonout_str(out, "section", sec ? sec->path : NULL);
    if (page > 0) {
        jsonout_int(out, "page", page);
    }
}

static json_t *fact_json(const struct fact *f, const struct outline *o, const struct text *t,
                         const struct reading *rd, struct excerpts *clauses, size_t *bytes)
{
    const struct section *sec = outline_find(o, f->start);
    bool ocr;
    int page = page_of(rd, text_char_at(t, f->start), &ocr);
    /* OCR misreads digits a text layer cannot: the same wording is less sure of its number */
    double confidence =
        f->confidence >= 0 && ocr ? f->confidence * EXTRACT_OCR_CONFIDENCE : f->confidence;
    struct jsonout out;
    jsonout_begin(&out);
    jsonout_str(&out, "key", f->rule->key);
    jsonout_set(&out, "value", number_json(f->value));
    jsonout_str(&out, "approx", quantity_approx_name(f->approx));
    jsonout_str(&out, "category", sec ? sec->category : NULL);
    jsonout_str(&out, "as_of", f->as_of[0] ? f->as_of : NULL);
    jsonout_str(&out, "rule", f->rule->id);
    /* its strings; a stated zero's own unit and section are charged with it too */
    *bytes = strlen(f->rule->key) + strlen(f->rule->id) + strlen(f->as_of) + strlen(f->unit) +
             (sec ? strlen(sec->path) : 0) + (sec && sec->category ? strlen(sec->category) : 0);
    fact_place(&out, f, o, t, page, clauses);
    jsonout_set(&out, "yoy_pct", f->has_yoy ? json_real(f->yoy_pct) : json_null());
    jsonout_set(&out, "confidence", confidence >= 0 ? json_real(confidence) : json_null());
    return jsonout_end(&out);
}

static json_t *metrics_json(const struct fact_list *facts, const struct outline *o,
                            const struct text *t, const struct reading *rd,
                            struct excerpts *clauses, struct budget *budget)
{
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < facts->cnt; i++) {
        const struct fact *f = &facts->items[i];
        if (!isfinite(f->value) || (f->has_yoy && !isfinite(f->yoy_pct))) {
            budget_fault(budget, "fact %zu (%s): a number that is not finite", i + 1, f->rule->id);
            json_decref(arr);
            return NULL;
        }
        size_t bytes = 0;
        json_t *obj = fact_json(f, o, t, rd, clauses, &bytes);
        if (append_charged(arr, obj, bytes, budget) != 0) {
            json_decref(arr);
            return NULL;
        }
    }
    return arr;
}

/*
 * Everything that needs the decoded text; @returns the envelope, or NULL on
 * ENOMEM or a spent budget (budget_state() tells them apart).
 */
static json_t *build_envelope(struct extractor *ex, const struct text *t, const char *bytes,
                              size_t len, const struct source_info *src, const struct decoded *d,
                              const struct reading *rd, struct budget *budget)
{
    struct outline outline = {NULL, 0};
    struct quantity_list qs = {NULL, 0, 0};
    struct fact_list facts = {NULL, 0};
    struct docfields fields;
    json_t *env = NULL;
    char doc_id[RF_SHA256_HEX_LEN + 1];

    memset(&fields, 0, sizeof(fields));
    /* the family's rule set reads the document; with none, the first set's vocabulary reads
       all but the facts */
    const struct rules *family = catalogue_pick(ex->rules, t, &ex->matcher);
    const struct rules *r = family ? family : catalogue_base(ex->rules);
    if (outline_build(t, r, budget, &outline) != 0 ||
        docfields_extract(t, r, budget, &fields) != 0 ||
        quantity_find_all(t, &r->numbers, budget, &qs) != 0 ||
        (family && metrics_extract(family, &ex->matcher, t, &qs, budget, &facts) != 0)) {
        goto out_release;
    }
    if (rf_sha256_hex(bytes, len, doc_id) != 0) {
        goto out_release;
    }
    /* built one by one: a later part is not started once the budget is spent; the
       clauses last, once the quantities and facts have said which they need */
    struct excerpts clauses;
    excerpts_init(&clauses, EXTRACT_EXCERPT_MAX_CHARS);
    json_t *parts[6] = {NULL, NULL, NULL, NULL, NULL, NULL};
    parts[0] = document_json(&fields, t, rd, family);
    parts[1] = parts[0] ? sections_json(&outline, t, budget) : NULL;
    parts[2] = parts[1] ? citations_extract(t, r, &outline, budget) : NULL;
    parts[3] = parts[2] ? quantities_json(&qs, &outline, t, rd, &clauses, budget) : NULL;
    parts[4] = parts[3] ? metrics_json(&facts, &outline, t, rd, &clauses, budget) : NULL;
    parts[5] = parts[4] ? excerpts_json(&clauses, t, budget) : NULL;
    excerpts_release(&clauses);
    if (!parts[5]) {
        for (size_t i = 0; i < 6; i++) {
            json_decref(parts[i]);
        }
        goto out_release;
    }
    env = json_pack(
        "{s:s, s:i, s:s, s:o, s:{s:s, s:s, s:s, s:s, s:s}, s:o, s:o, s:o, s:o, s:o, s:o}", "schema",
        EXTRACT_SCHEMA, "schema_version", EXTRACT_SCHEMA_VERSION, "doc_id", doc_id, "source",
        source_json(src, len, d, rd), "extractor", "program", "reportflow", "version", RF_VERSION,
        "rules_name", r->name, "rules_version", r->version, "rules_hash", ex->rules->hash,
        "document", parts[0], "sections", parts[1], "citations", parts[2], "clauses", parts[5],
        "quantities", parts[3], "metrics", parts[4]);
    if (!env) {
        /* json_pack says no alike for ENOMEM and for a value JSON cannot hold */
        budget_fault(budget, "cannot assemble the envelope (out of memory, or a bad value)");
    }
out_release:
    docfields_release(&fields);
    metrics_facts_release(&facts);
    quantity_list_release(&qs);
    outline_release(&outline);
    return env;
}

/* The status and reason for a spent budget. */
static enum extract_status budget_verdict(const struct budget *b, const struct extract_limits *l,
                                          const char **reason_code, char *errstr,
                                          size_t errstr_size)
{
    switch (budget_state(b)) {
    case BUDGET_TIMEOUT:
        *reason_code = "extract-timeout";
        snprintf(errstr, errstr_size,
                 "extraction used more than %lld ms of CPU time (worker.max_extract_ms)",
                 l->max_ms);
        return EXTRACT_TIMEOUT;
    case BUDGET_TOO_LARGE:
        *reason_code = "envelope-too-large";
        snprintf(errstr, errstr_size,
                 "the envelope would exceed %zu bytes (worker.max_envelope_bytes)",
                 l->max_envelope_bytes);
        return EXTRACT_TOO_LARGE;
    case BUDGET_STOPPED:
        snprintf(errstr, errstr_size, "stopped before the extraction finished");
        return EXTRACT_STOPPED;
    case BUDGET_FAULT:
        *reason_code = "internal";
        snprintf(errstr, errstr_size, "%s", b->fault);
        return EXTRACT_INTERNAL;
    case BUDGET_OK:
        break;
    }
    *reason_code = "out-of-memory";
    snprintf(errstr, errstr_size, "extraction ran out of memory");
    return EXTRACT_NOMEM;
}

enum extract_status extractor_run(struct extractor *ex, const char *bytes, size_t len,
                                  const struct source_info *src, json_t **envelope,
                                  const char **reason_code, char *errstr, size_t errstr_size)
{
    return extractor_run_limited(ex, bytes, len, src, NULL, envelope, reason_code, errstr,
                                 errstr_size);
}

enum extract_status extractor_text(const struct extractor *ex, const char *bytes, size_t len,
                                   struct decoded *d, struct text *t, const char **reason_code,
                                   char *errstr, size_t errstr_size)
{
    enum decode_result dr = decode_report(bytes, len, d);
    if (dr == DECODE_NOMEM) {
        return EXTRACT_NOMEM;
    }
    if (dr != DECODE_OK) {
        *reason_code = decode_result_code(dr);
        snprintf(errstr, errstr_size, "%s",
                 dr == DECODE_EMPTY ? "no text after decoding"
                                    : "bytes are not UTF-8, UTF-16 or GB18030 text");
        return EXTRACT_REJECT;
    }
    if (text_init(t, d->text, d->len) != 0) {
        decode_release(d);
        return EXTRACT_NOMEM;
    }
    /* match in one script: 處罰決定 and 萬元 read as 处罚决定 and 万元 (evidence stays as written)
     */
    fold_apply(&catalogue_base(ex->rules)->fold, t->norm, t->norm_len);
    return EXTRACT_OK;
}

/*
 * When @p bytes are a document, its text through its converter (convert.h): a PDF's reflowed
 * as a reader reads it, an office document's as XHTML for decode.c. @p rd says what was read
 * and by what. Text and HTML are left alone (*text NULL). A document no converter reads, or
 * one the converter refused, is EXTRACT_REJECT with its reason.
 */
static enum extract_status convert_if_document(struct extractor *ex, const char *bytes, size_t len,
                                               const struct extract_limits *l, struct reading *rd,
                                               char **text, size_t *text_len,
                                               const char **reason_code, char *errstr,
                                               size_t errstr_size)
{
    enum docformat f = docformat_detect(bytes, len);
    if (f == DOCFORMAT_TEXT) {
        return EXTRACT_OK;
    }
    rd->media_type = docformat_media_type(f);
    if (f == DOCFORMAT_OTHER) {
        *reason_code = "unsupported-format";
        snprintf(errstr, errstr_size,
                 "a ZIP or OLE container that is no word-processing "
                 "document (DOCX, ODT, DOC, WPS) reportflow reads");
        return EXTRACT_REJECT;
    }
    struct converted c;
    const struct convert_request req = {l->max_convert_ms, !l->ocr_off, l->stop_requested};
    enum convert_result r =
        convert_document(f, bytes, len, &req, &c, &rd->converter, errstr, errstr_size);
    /* named with its version, asked once per extractor */
    char *named = ex->converters[c.tool < CONVERT_TOOLS ? c.tool : 0];
    if (r == CONVERT_OK && !named[0]) {
        convert_version(c.tool, named, EXTRACTOR_CONVERTER_LEN);
    }
    rd->converter = named[0] ? named : rd->converter;
    if (r == CONVERT_NOMEM) {
        *reason_code = "out-of-memory";
        return EXTRACT_NOMEM;
    }
    if (r == CONVERT_STOPPED) {
        return EXTRACT_STOPPED;
    }
    if (r != CONVERT_OK) {
        *reason_code = convert_result_code(r);
        return EXTRACT_REJECT;
    }
    rd->pages = c.pages;
    rd->ocr_pages = c.ocr_pages;
    rd->unread_pages = c.scanned_pages;
    rd->page_ocr = c.page_ocr;
    c.page_ocr = NULL;
    if (!c.paged) { /* XHTML for decode.c, or text as it is */
        *text = c.bytes;
        *text_len = c.len;
        return EXTRACT_OK;
    }
    *text = pdftext_reflow(c.bytes, c.len, text_len, &rd->where);
    converted_release(&c);
    if (!*text) {
        *reason_code = "out-of-memory";
        snprintf(errstr, errstr_size, "reflowing the PDF's text ran out of memory");
        return EXTRACT_NOMEM;
    }
    return EXTRACT_OK;
}

/* A PDF with (almost) no text: scanned pages left unread, or read by OCR to little avail. */
static void needs_ocr(const struct reading *rd, size_t han, const char **reason_code, char *errstr,
                      size_t errstr_size)
{
    *reason_code = "needs-ocr";
    if (rd->ocr_pages > 0) {
        snprintf(errstr, errstr_size,
                 "only %zu Chinese characters in %d PDF page(s), %d of them read by OCR: "
                 "too little text to be a report",
                 han, rd->pages, rd->ocr_pages);
        return;
    }
    snprintf(errstr, errstr_size,
             "only %zu Chinese characters in the text layer of %d PDF page(s): scanned pages "
             "need OCR, which is %s",
             han, rd->pages,
             !convert_ocr_available()
                 ? "not installed (tesseract-ocr, tesseract-ocr-chi-sim: scripts/setup.sh)"
                 : "off (worker.ocr=false)");
}

/*
 * @p len bytes as text: converted when a document, decoded, normalised. On EXTRACT_OK @p d and
 * @p t hold it (the caller releases both) and @p rd says what was read; @p rd is released
 * by the caller in any case.
 */
static enum extract_status read_document(struct extractor *ex, const char *bytes, size_t len,
                                         const struct extract_limits *l, struct reading *rd,
                                         struct decoded *d, struct text *t,
                                         const char **reason_code, char *errstr, size_t errstr_size)
{
    char *converted = NULL;
    size_t converted_len = 0;
    enum extract_status st = convert_if_document(ex, bytes, len, l, rd, &converted, &converted_len,
                                                 reason_code, errstr, errstr_size);
    if (st != EXTRACT_OK) {
        return st;
    }
    st = extractor_text(ex, converted ? converted : bytes, converted ? converted_len : len, d, t,
                        reason_code, errstr, errstr_size);
    free(converted);
    if (st == EXTRACT_OK && d->html) {
        rd->media_type = rd->converter ? rd->media_type : "text/html";
        pdftext_pages_release(&rd->where); /* a text read as HTML has offsets of its own */
    }
    if (st == EXTRACT_REJECT && rd->pages > 0) {
        needs_ocr(rd, 0, reason_code, errstr, errstr_size);
    }
    if (st == EXTRACT_NOMEM) {
        *reason_code = "out-of-memory";
        snprintf(errstr, errstr_size, "decoding ran out of memory (%zu bytes)", len);
    }
    return st;
}

enum extract_status extractor_run_limited(struct extractor *ex, const char *bytes, size_t len,
                                          const struct source_info *src,
                                          const struct extract_limits *limits, json_t **envelope,
                                          const char **reason_code, char *errstr,
                                          size_t errstr_size)
{
    const struct extract_limits *l = limits ? limits : &NO_LIMITS;
    struct budget budget;
    struct decoded d;
    struct text t;
    *envelope = NULL;
    *reason_code = NULL;
    budget_init(&budget, l->max_ms, l->max_envelope_bytes, l->stop_requested);
    /* a document (PDF, DOCX ...) becomes text first; its raw bytes still make the doc_id */
    struct reading rd = {"text/plain", NULL, 0, 0, 0, {NULL, 0}, NULL};
    enum extract_status st =
        read_document(ex, bytes, len, l, &rd, &d, &t, reason_code, errstr, errstr_size);
    if (st != EXTRACT_OK) {
        reading_release(&rd);
        return st;
    }
    int min_han = catalogue_base(ex->rules)->min_report_han;
    size_t han = count_han(&t, (size_t)min_han);
    if (han < (size_t)min_han) {
        *reason_code = "no-report-text";
        snprintf(errstr, errstr_size, "only %zu Chinese characters after decoding (%s); need %d",
                 han, d.encoding, min_han);
        if (rd.pages > 0) {
            needs_ocr(&rd, han, reason_code, errstr, errstr_size);
        }
        st = EXTRACT_REJECT;
    } else {
        *envelope = build_envelope(ex, &t, bytes, len, src, &d, &rd, &budget);
        st = *envelope ? EXTRACT_OK : budget_verdict(&budget, l, reason_code, errstr, errstr_size);
    }
    text_release(&t);
    decode_release(&d);
    reading_release(&rd);
    return st;
}

enum extract_status extractor_read_text(struct extractor *ex, const char *bytes, size_t len,
                                        const struct extract_limits *limits, char **norm,
                                        const char **reason_code, char *errstr, size_t errstr_size)
{
    struct reading rd = {"text/plain", NULL, 0, 0, 0, {NULL, 0}, NULL};
    struct decoded d;
    struct text t;
    *norm = NULL;
    *reason_code = NULL;
    enum extract_status st = read_document(ex, bytes, len, limits ? limits : &NO_LIMITS, &rd, &d,
                                           &t, reason_code, errstr, errstr_size);
    reading_release(&rd);
    if (st != EXTRACT_OK) {
        return st;
    }
    *norm = strndup(t.norm, t.norm_len);
    text_release(&t);
    decode_release(&d);
    return *norm ? EXTRACT_OK : EXTRACT_NOMEM;
}
