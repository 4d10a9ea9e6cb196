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

/* @p key to the string @p s; bytes that are not UTF-8 (a GBK file name) become U+FFFD. */
static void write_safe_str(struct jsonout *out, const char *key, const char *s)
{
    size_t len = s ? strlen(s) : 0;
    if (!s || rf_utf8_valid(s, len)) {
        jsonout_str(out, key, s);
        return;
    }
    size_t fixed_len = 0;
    char *fixed = decode_utf8_lossy(s, len, &fixed_len);
    if (!fixed) {
        jsonout_fail(out);
        return;
    }
    jsonout_strn(out, key, fixed, fixed_len);
    free(fixed);
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

static void write_source(struct jsonout *out, const struct source_info *src, size_t len,
                         const struct decoded *d, const struct reading *rd)
{
    char now[40];
    rf_clock_format(rf_clock_now_ms(), now, sizeof(now));
    jsonout_object(out, "source");
    jsonout_int(out, "size", (long long)len);
    jsonout_str(out, "extracted_at", now);
    jsonout_str(out, "encoding", d->encoding);
    jsonout_bool(out, "html", d->html);
    jsonout_str(out, "media_type", rd->media_type);
    jsonout_str(out, "converter", rd->converter);
    if (rd->pages > 0) {
        jsonout_int(out, "pages", rd->pages);
        jsonout_int(out, "ocr", rd->ocr_pages);
    } else {
        jsonout_null(out, "pages");
        jsonout_null(out, "ocr");
    }
    write_safe_str(out, "file_name", src ? src->file_name : NULL);
    write_safe_str(out, "mtime", src ? src->mtime : NULL);
    write_safe_str(out, "dropped_at", src ? src->dropped_at : NULL);
    write_safe_str(out, "produced_at", src ? src->produced_at : NULL);
    if (src && src->file_name_raw) {
        write_safe_str(out, "file_name_raw", src->file_name_raw);
    }
    if (src && src->topic && src->partition >= 0) {
        write_safe_str(out, "topic", src->topic);
        jsonout_int(out, "partition", src->partition);
        jsonout_int(out, "offset", src->offset);
    }
    jsonout_close_object(out);
}

/* The document's warnings: a value found but dropped, scanned pages left unread. */
/* Said in the envelope of a document no rule set takes (catalogue.h). */
#define NO_FAMILY_WARNING                                                                          \
    "of no known report family (worker.rules): outline, citations and quantities only, no facts"

static void write_warnings(struct jsonout *out, const struct docfields *f, const struct reading *rd,
                           const struct rules *family)
{
    jsonout_array(out, "warnings");
    if (!family) {
        jsonout_str(out, NULL, NO_FAMILY_WARNING);
    }
    if (f->warning[0]) {
        write_safe_str(out, NULL, f->warning);
    }
    if (rd->unread_pages > 0) {
        char said[160];
        snprintf(said, sizeof(said),
                 "%d of %d pages are scans without text, not read: OCR is off (worker.ocr) or "
                 "tesseract is not installed",
                 rd->unread_pages, rd->pages);
        jsonout_str(out, NULL, said);
    }
    jsonout_close_array(out);
}

static void write_document(struct jsonout *out, const struct docfields *f, const struct text *t,
                           const struct reading *rd, const struct rules *family)
{
    jsonout_object(out, "document");
    if (f->year) {
        jsonout_int(out, "year", f->year);
    } else {
        jsonout_null(out, "year");
    }
    jsonout_str(out, "published", f->published[0] ? f->published : NULL);
    jsonout_int(out, "chars", (long long)t->nchars);
    /* the fields come from the text, but a cut that split a character must not cost the report */
    write_safe_str(out, "agency", f->agency);
    write_safe_str(out, "region", f->region);
    write_safe_str(out, "level", f->level);
    jsonout_str(out, "region_code", f->region_code[0] ? f->region_code : NULL);
    write_safe_str(out, "title", f->title);
    write_safe_str(out, "doc_number", f->doc_number);
    jsonout_str(out, "report_family", family ? family->name : NULL);
    if (f->warning[0] || rd->unread_pages > 0 || !family) {
        write_warnings(out, f, rd, family);
    }
    jsonout_close_object(out);
}

static int write_sections(struct jsonout *out, const struct outline *o, const struct text *t,
                          struct budget *budget)
{
    jsonout_array(out, "sections");
    for (size_t i = 0; i < o->cnt && !jsonout_failed(out); i++) {
        const struct section *s = &o->items[i];
        bool cut = false;
        char *heading = text_excerpt(t, s->heading_start, s->heading_end, s->heading_start,
                                     s->heading_start, EXTRACT_HEADING_MAX_CHARS, &cut);
        if (!heading) {
            return -1;
        }
        jsonout_object(out, NULL);
        jsonout_str(out, "path", s->path);
        jsonout_int(out, "level", s->level);
        jsonout_str(out, "number", s->number);
        jsonout_str(out, "heading", heading);
        jsonout_str(out, "category", s->category);
        jsonout_int(out, "start", (long long)text_char_at(t, s->start));
        jsonout_int(out, "end", (long long)text_char_at(t, s->end));
        if (cut) { /* left out when nothing was cut */
            jsonout_bool(out, "heading_cut", true);
        }
        jsonout_close_object(out);
        free(heading);
        if (budget_output(budget, jsonout_len(out))) {
            return -1;
        }
    }
    jsonout_close_array(out);
    return jsonout_failed(out) ? -1 : 0;
}

/* Quantity @p q, whose wording is excerpt @p clause. */
static int write_quantity(struct jsonout *out, const struct quantity *q, size_t clause,
                          const struct outline *o, const struct text *t, const struct reading *rd)
{
    size_t cs = text_char_at(t, q->start), ce = text_char_at(t, q->end);
    char *written = text_orig_dup(t, cs, ce);
    if (!written) {
        return -1;
    }
    const struct section *sec = outline_find(o, q->start);
    jsonout_object(out, NULL);
    jsonout_number(out, "value", q->value);
    jsonout_str(out, "unit", q->unit);
    jsonout_str(out, "approx", quantity_approx_name(q->approx));
    jsonout_str(out, "text", written);
    jsonout_int(out, "clause", (long long)clause);
    jsonout_int(out, "start", (long long)cs);
    jsonout_int(out, "end", (long long)ce);
    jsonout_str(out, "section", sec ? sec->path : NULL);
    bool ocr;
    int page = page_of(rd, cs, &ocr);
    if (page > 0) {
        jsonout_int(out, "page", page);
    }
    jsonout_close_object(out);
    free(written);
    return 0;
}

static int write_quantities(struct jsonout *out, const struct quantity_list *qs,
                            const size_t *clause_of, const struct outline *o, const struct text *t,
                            const struct reading *rd, struct budget *budget)
{
    jsonout_array(out, "quantities");
    for (size_t i = 0; i < qs->cnt && !jsonout_failed(out); i++) {
        if (!isfinite(qs->items[i].value)) { /* JSON has no such number: our parser's fault */
            budget_fault(budget, "quantity %zu: its value is not a finite number", i + 1);
            return -1;
        }
        if (write_quantity(out, &qs->items[i], clause_of[i], o, t, rd) != 0 ||
            budget_output(budget, jsonout_len(out))) {
            return -1;
        }
    }
    jsonout_close_array(out);
    return jsonout_failed(out) ? -1 : 0;
}

/*
 * Where a fact was read: the quantity it names ("quantity", whose unit, offsets,
 * section and clause are the fact's), or for a stated zero its own unit, "evidence"
 * (the excerpt @p evidence), offsets and section.
 */
static void write_fact_place(struct jsonout *out, const struct fact *f, size_t evidence,
                             const struct outline *o, const struct text *t, int page)
{
    if (f->quantity != METRICS_NO_QUANTITY) {
        jsonout_int(out, "quantity", (long long)f->quantity);
        return;
    }
    const struct section *sec = outline_find(o, f->start);
    jsonout_str(out, "unit", f->unit);
    jsonout_int(out, "evidence", (long long)evidence);
    jsonout_int(out, "start", (long long)text_char_at(t, f->start));
    jsonout_int(out, "end", (long long)text_char_at(t, f->end));
    jsonout_str(out, "section", sec ? sec->path : NULL);
    if (page > 0) {
        jsonout_int(out, "page", page);
    }
}

/* Fact @p f; a stated zero's wording is excerpt @p evidence. */
static void write_fact(struct jsonout *out, const struct fact *f, size_t evidence,
                       const struct outline *o, const struct text *t, const struct reading *rd)
{
    const struct section *sec = outline_find(o, f->start);
    bool ocr;
    int page = page_of(rd, text_char_at(t, f->start), &ocr);
    /* OCR misreads digits a text layer cannot: the same wording is less sure of its number */
    double confidence =
        f->confidence >= 0 && ocr ? f->confidence * EXTRACT_OCR_CONFIDENCE : f->confidence;
    jsonout_object(out, NULL);
    jsonout_str(out, "key", f->rule->key);
    jsonout_number(out, "value", f->value);
    jsonout_str(out, "approx", quantity_approx_name(f->approx));
    jsonout_str(out, "category", sec ? sec->category : NULL);
    jsonout_str(out, "as_of", f->as_of[0] ? f->as_of : NULL);
    jsonout_str(out, "rule", f->rule->id);
    write_fact_place(out, f, evidence, o, t, page);
    if (f->has_yoy) {
        jsonout_real(out, "yoy_pct", f->yoy_pct);
    } else {
        jsonout_null(out, "yoy_pct");
    }
    if (confidence >= 0) {
        jsonout_real(out, "confidence", confidence);
    } else {
        jsonout_null(out, "confidence");
    }
    jsonout_close_object(out);
}

static int write_metrics(struct jsonout *out, const struct fact_list *facts,
                         const size_t *evidence_of, const struct outline *o, const struct text *t,
                         const struct reading *rd, struct budget *budget)
{
    jsonout_array(out, "metrics");
    for (size_t i = 0; i < facts->cnt && !jsonout_failed(out); i++) {
        const struct fact *f = &facts->items[i];
        if (!isfinite(f->value) || (f->has_yoy && !isfinite(f->yoy_pct))) {
            budget_fault(budget, "fact %zu (%s): a number that is not finite", i + 1, f->rule->id);
            return -1;
        }
        write_fact(out, f, evidence_of[i], o, t, rd);
        if (budget_output(budget, jsonout_len(out))) {
            return -1;
        }
    }
    jsonout_close_array(out);
    return jsonout_failed(out) ? -1 : 0;
}

/*
 * The clauses the quantities and the stated zeros read from, into @p clauses: they come
 * before those in the envelope. *@p clause_of gets each quantity's excerpt, *@p evidence_of
 * each stated zero's (new arrays; the caller frees both). @returns -1 on ENOMEM.
 */
static int gather_clauses(const struct quantity_list *qs, const struct fact_list *facts,
                          const struct text *t, struct excerpts *clauses, size_t **clause_of,
                          size_t **evidence_of)
{
    *clause_of = calloc(qs->cnt + 1, sizeof(**clause_of));
    *evidence_of = calloc(facts->cnt + 1, sizeof(**evidence_of));
    int rc = *clause_of && *evidence_of ? 0 : -1;
    for (size_t i = 0; i < qs->cnt && rc == 0; i++) {
        const struct quantity *q = &qs->items[i];
        rc = excerpts_add(clauses, t, q->clause_start, q->clause_end, q->start, q->end,
                          &(*clause_of)[i]);
    }
    for (size_t i = 0; i < facts->cnt && rc == 0; i++) {
        const struct fact *f = &facts->items[i];
        if (f->quantity == METRICS_NO_QUANTITY) {
            rc = excerpts_add(clauses, t, f->clause_start, f->clause_end, f->start, f->end,
                              &(*evidence_of)[i]);
        }
    }
    return rc;
}

/* The envelope's opening members, up to its document. */
static void write_head(struct jsonout *env, const char *doc_id, const struct source_info *src,
                       size_t len, const struct decoded *d, const struct reading *rd,
                       const struct rules *r, const struct catalogue *rules)
{
    jsonout_object(env, NULL);
    jsonout_str(env, "schema", EXTRACT_SCHEMA);
    jsonout_int(env, "schema_version", EXTRACT_SCHEMA_VERSION);
    jsonout_str(env, "doc_id", doc_id);
    write_source(env, src, len, d, rd);
    jsonout_object(env, "extractor");
    jsonout_str(env, "program", "reportflow");
    jsonout_str(env, "version", RF_VERSION);
    jsonout_str(env, "rules_name", r->name);
    jsonout_str(env, "rules_version", r->version);
    jsonout_str(env, "rules_hash", rules->hash);
    jsonout_close_object(env);
}

/*
 * Everything that needs the decoded text, written to @p env; @returns 0, or -1 on
 * ENOMEM or a spent budget (budget_state() tells them apart).
 */
static int write_envelope(struct extractor *ex, const struct text *t, const char *bytes, size_t len,
                          const struct source_info *src, const struct decoded *d,
                          const struct reading *rd, struct budget *budget, struct envelope *out)
{
    struct outline outline = {NULL, 0};
    struct quantity_list qs = {NULL, 0, 0};
    struct fact_list facts = {NULL, 0};
    struct docfields fields;
    int rc = -1;

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
    if (rf_sha256_hex(bytes, len, out->doc_id) != 0) {
        goto out_release;
    }
    /* written part by part: a later part is not started once the budget is spent */
    struct excerpts clauses;
    struct jsonout env;
    size_t *clause_of = NULL, *evidence_of = NULL;
    excerpts_init(&clauses, EXTRACT_EXCERPT_MAX_CHARS);
    jsonout_init(&env);
    write_head(&env, out->doc_id, src, len, d, rd, r, ex->rules);
    write_document(&env, &fields, t, rd, family);
    if (gather_clauses(&qs, &facts, t, &clauses, &clause_of, &evidence_of) == 0 &&
        write_sections(&env, &outline, t, budget) == 0 &&
        citations_write(t, r, &outline, &env, "citations", budget) == 0 &&
        excerpts_write(&clauses, t, &env, "clauses", budget) == 0 &&
        write_quantities(&env, &qs, clause_of, &outline, t, rd, budget) == 0 &&
        write_metrics(&env, &facts, evidence_of, &outline, t, rd, budget) == 0) {
        jsonout_close_object(&env);
        /* the whole envelope, to the byte: what a part's items did not count (the head, the
           document, keys and brackets) is counted too */
        if (!jsonout_failed(&env) && !budget_output(budget, jsonout_len(&env))) {
            out->json = jsonout_take(&env, &out->len);
            rc = out->json ? 0 : -1;
        }
    }
    free(clause_of);
    free(evidence_of);
    excerpts_release(&clauses);
    jsonout_release(&env);
out_release:
    docfields_release(&fields);
    metrics_facts_release(&facts);
    quantity_list_release(&qs);
    outline_release(&outline);
    return rc;
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
    struct envelope env;
    *envelope = NULL;
    enum extract_status st =
        extractor_run_limited(ex, bytes, len, src, NULL, &env, reason_code, errstr, errstr_size);
    if (st != EXTRACT_OK) {
        return st;
    }
    json_error_t error;
    *envelope = json_loadb(env.json, env.len, 0, &error);
    extractor_envelope_release(&env);
    if (!*envelope) { /* the writer's fault, not the report's */
        *reason_code = "internal";
        snprintf(errstr, errstr_size, "the envelope written is no JSON: %s", error.text);
        return EXTRACT_INTERNAL;
    }
    return EXTRACT_OK;
}

void extractor_envelope_release(struct envelope *e)
{
    free(e->json);
    e->json = NULL;
    e->len = 0;
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

/*
 * A PDF with (almost) no text because of its scans: scanned pages left unread, or read by OCR
 * to little avail. @returns false, the caller's reason standing, when it has no scanned page:
 * its text layer is all there is (a short note is no report, whatever OCR could do).
 */
static bool needs_ocr(const struct reading *rd, bool ocr_off, size_t han, const char **reason_code,
                      char *errstr, size_t errstr_size)
{
    if (rd->unread_pages == 0 && rd->ocr_pages == 0) {
        return false;
    }
    *reason_code = "needs-ocr";
    if (rd->ocr_pages > 0) {
        snprintf(errstr, errstr_size,
                 "only %zu Chinese characters in %d PDF page(s), %d of them read by OCR: "
                 "too little text to be a report",
                 han, rd->pages, rd->ocr_pages);
        return true;
    }
    snprintf(errstr, errstr_size,
             "only %zu Chinese characters in the text layer of %d PDF page(s), %d of them "
             "scanned: they need OCR, which is %s",
             han, rd->pages, rd->unread_pages,
             ocr_off                    ? "off (worker.ocr=false)"
             : !convert_ocr_available() ? "not installed (tesseract-ocr, tesseract-ocr-chi-sim: "
                                          "scripts/setup.sh)"
                                        : "on, but did not read them");
    return true;
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
        needs_ocr(rd, l->ocr_off, 0, reason_code, errstr, errstr_size);
    }
    if (st == EXTRACT_NOMEM) {
        *reason_code = "out-of-memory";
        snprintf(errstr, errstr_size, "decoding ran out of memory (%zu bytes)", len);
    }
    return st;
}

enum extract_status extractor_run_limited(struct extractor *ex, const char *bytes, size_t len,
                                          const struct source_info *src,
                                          const struct extract_limits *limits,
                                          struct envelope *envelope, const char **reason_code,
                                          char *errstr, size_t errstr_size)
{
    const struct extract_limits *l = limits ? limits : &NO_LIMITS;
    struct budget budget;
    struct decoded d;
    struct text t;
    memset(envelope, 0, sizeof(*envelope));
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
            needs_ocr(&rd, l->ocr_off, han, reason_code, errstr, errstr_size);
        }
        st = EXTRACT_REJECT;
    } else {
        st = write_envelope(ex, &t, bytes, len, src, &d, &rd, &budget, envelope) == 0
                 ? EXTRACT_OK
                 : budget_verdict(&budget, l, reason_code, errstr, errstr_size);
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
