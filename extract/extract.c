/* extract.c - one raw report to one envelope. */
#include "extract.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "citations.h"
#include "decode.h"
#include "docfields.h"
#include "metrics.h"
#include "outline.h"
#include "quantity.h"
#include "reportflow/fsutil.h"
#include "reportflow/sha256.h"
#include "text.h"

int extractor_init(struct extractor *ex, const struct rules *rules)
{
    ex->rules = rules;
    ex->sha_hw = rf_sha256_hw_available();
    return rules_matcher_init(&ex->matcher, rules);
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

static size_t count_han(const struct text *t)
{
    size_t n = 0;
    for (size_t c = 0; c < t->nchars; c++) {
        size_t len;
        uint32_t cp = text_codepoint(t->norm, t->norm_off[c], &len);
        n += cp >= 0x4e00 && cp <= 0x9fff;
    }
    return n;
}

static json_t *source_json(const struct source_info *src, size_t len, const struct decoded *d)
{
    char now[40];
    rf_clock_format(rf_clock_now_ms(), now, sizeof(now));
    json_t *o = json_pack("{s:s?, s:I, s:s?, s:s?, s:s?, s:s, s:s, s:b}", "file_name",
                          src ? src->file_name : NULL, "size", (json_int_t)len, "mtime",
                          src ? src->mtime : NULL, "dropped_at", src ? src->dropped_at : NULL,
                          "produced_at", src ? src->produced_at : NULL, "extracted_at", now,
                          "encoding", d->encoding, "html", d->html);
    if (o && src && src->topic && src->partition >= 0) {
        json_object_set_new(o, "topic", json_string(src->topic));
        json_object_set_new(o, "partition", json_integer(src->partition));
        json_object_set_new(o, "offset", json_integer(src->offset));
    }
    return o;
}

static json_t *document_json(const struct docfields *f, const struct text *t)
{
    json_t *doc = json_pack("{s:s?, s:s?, s:s?, s:o, s:s?, s:s?, s:s?, s:I}", "agency",
                            f->agency, "region", f->region, "level", f->level, "year",
                            f->year ? json_integer(f->year) : json_null(), "title", f->title,
                            "published", f->published[0] ? f->published : NULL, "doc_number",
                            f->doc_number, "chars", (json_int_t)t->nchars);
    if (doc && f->warning[0]) {
        json_object_set_new(doc, "warnings", json_pack("[s]", f->warning));
    }
    return doc;
}

static json_t *sections_json(const struct outline *o, const struct text *t)
{
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < o->cnt; i++) {
        const struct section *s = &o->items[i];
        char *heading = text_orig_dup(t, text_char_at(t, s->heading_start),
                                      text_char_at(t, s->heading_end));
        json_t *obj = heading ? json_pack("{s:s, s:i, s:s, s:s, s:s, s:I, s:I}", "path", s->path,
                                          "level", s->level, "number", s->number, "heading",
                                          heading, "category", s->category, "start",
                                          (json_int_t)text_char_at(t, s->start), "end",
                                          (json_int_t)text_char_at(t, s->end))
                              : NULL;
        free(heading);
        if (!obj || json_array_append_new(arr, obj) != 0) {
            json_decref(arr);
            return NULL;
        }
    }
    return arr;
}

static json_t *quantities_json(const struct quantity_list *qs, const struct outline *o,
                               const struct text *t)
{
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < qs->cnt; i++) {
        const struct quantity *q = &qs->items[i];
        size_t a = q->clause_start, b = q->clause_end;
        size_t cs = text_char_at(t, q->start), ce = text_char_at(t, q->end);
        char *written = text_orig_dup(t, cs, ce);
        char *clause = text_orig_dup(t, text_char_at(t, a), text_char_at(t, b));
        const struct section *sec = outline_find(o, q->start);
        json_t *obj = written && clause
                          ? json_pack("{s:o, s:s, s:s, s:s, s:s, s:I, s:I, s:s?}", "value",
                                      number_json(q->value), "unit", q->unit, "approx",
                                      approx_name(q->approx), "text", written, "clause", clause,
                                      "start", (json_int_t)cs, "end", (json_int_t)ce, "section",
                                      sec ? sec->path : NULL)
                          : NULL;
        free(written);
        free(clause);
        if (!obj || json_array_append_new(arr, obj) != 0) {
            json_decref(arr);
            return NULL;
        }
    }
    return arr;
}

static json_t *fact_json(const struct fact *f, const struct outline *o, const struct text *t)
{
    size_t cs = text_char_at(t, f->clause_start), ce = text_char_at(t, f->clause_end);
    char *evidence = text_orig_dup(t, cs, ce);
    const struct section *sec = outline_find(o, f->start);
    if (!evidence) {
        return NULL;
    }
    json_t *obj = json_pack("{s:s, s:o, s:s, s:s, s:s, s:I, s:I, s:s?, s:s?, s:s?, s:s}", "key",
                            f->rule->key, "value", number_json(f->value), "approx",
                            approx_name(f->approx), "unit", f->unit, "evidence", evidence, "start",
                            (json_int_t)text_char_at(t, f->start), "end",
                            (json_int_t)text_char_at(t, f->end), "section",
                            sec ? sec->path : NULL, "category", sec ? sec->category : NULL,
                            "as_of", f->as_of[0] ? f->as_of : NULL, "rule", f->rule->id);
    free(evidence);
    if (obj) {
        json_object_set_new(obj, "yoy_pct", f->has_yoy ? json_real(f->yoy_pct) : json_null());
        json_object_set_new(obj, "confidence",
                            f->confidence >= 0 ? json_real(f->confidence) : json_null());
    }
    return obj;
}

static json_t *metrics_json(const struct fact_list *facts, const struct outline *o,
                            const struct text *t)
{
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < facts->cnt; i++) {
        json_t *obj = fact_json(&facts->items[i], o, t);
        if (!obj || json_array_append_new(arr, obj) != 0) {
            json_decref(arr);
            return NULL;
        }
    }
    return arr;
}

/* Everything that needs the decoded text; @returns the envelope or NULL on ENOMEM. */
static json_t *build_envelope(struct extractor *ex, const struct text *t, const char *bytes,
                              size_t len, const struct source_info *src, const struct decoded *d)
{
    struct outline outline = {NULL, 0};
    struct quantity_list qs = {NULL, 0, 0};
    struct fact_list facts = {NULL, 0};
    struct docfields fields;
    struct unit_table units = {(const char *const *)ex->rules->measure_words,
                               ex->rules->measure_cnt};
    json_t *env = NULL;
    char doc_id[RF_SHA256_HEX_LEN + 1];

    memset(&fields, 0, sizeof(fields));
    if (outline_build(t, ex->rules, &outline) != 0 ||
        docfields_extract(t, ex->rules, &fields) != 0 ||
        quantity_find_all(t, &units, &qs) != 0 ||
        metrics_extract(ex->rules, &ex->matcher, t, &qs, &facts) != 0) {
        goto out_release;
    }
    rf_sha256_hex(bytes, len, ex->sha_hw, doc_id);
    env = json_pack("{s:s, s:i, s:s, s:o, s:{s:s, s:s, s:s, s:s}, s:o, s:o, s:o, s:o, s:o}",
                    "schema", EXTRACT_SCHEMA, "schema_version", EXTRACT_SCHEMA_VERSION, "doc_id",
                    doc_id, "source", source_json(src, len, d), "extractor", "program",
                    "reportflow", "version", RF_VERSION, "rules_name", ex->rules->name,
                    "rules_version", ex->rules->version, "document", document_json(&fields, t),
                    "sections", sections_json(&outline, t), "citations",
                    citations_extract(t, ex->rules, &outline), "quantities",
                    quantities_json(&qs, &outline, t), "metrics",
                    metrics_json(&facts, &outline, t));
out_release:
    docfields_release(&fields);
    fact_list_release(&facts);
    quantity_list_release(&qs);
    outline_release(&outline);
    return env;
}

enum extract_status extractor_run(struct extractor *ex, const char *bytes, size_t len,
                                  const struct source_info *src, json_t **envelope,
                                  const char **reason_code, char *errstr, size_t errstr_size)
{
    struct decoded d;
    struct text t;
    *envelope = NULL;
    *reason_code = NULL;
    enum decode_result dr = decode_report(bytes, len, &d);
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
    if (text_init(&t, d.text, d.len) != 0) {
        decode_release(&d);
        return EXTRACT_NOMEM;
    }
    /* match in one script: 處罰決定 and 萬元 read as 处罚决定 and 万元 (evidence stays as written) */
    rules_fold_script(ex->rules, t.norm, t.norm_len);
    enum extract_status st = EXTRACT_OK;
    size_t han = count_han(&t);
    if (han < (size_t)ex->rules->min_report_han) {
        *reason_code = "no-report-text";
        snprintf(errstr, errstr_size, "only %zu Chinese characters after decoding (%s); need %d",
                 han, d.encoding, ex->rules->min_report_han);
        st = EXTRACT_REJECT;
    } else {
        *envelope = build_envelope(ex, &t, bytes, len, src, &d);
        st = *envelope ? EXTRACT_OK : EXTRACT_NOMEM;
    }
    text_release(&t);
    decode_release(&d);
    return st;
}
