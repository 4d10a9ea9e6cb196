/* batch.c - Kafka records made ready for db_store() as they arrive. */
#include "batch.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

#include "children.h"
#include "reportflow/clock.h"
#include "reportflow/headers.h"
#include "reportflow/kafka.h"
#include "reportflow/log.h"
#include "reportflow/vec.h"

#define COMPONENT "sink"
#define ENVELOPE_SCHEMA "reportflow.envelope"
/* the versions this sink reads: 1 (texts in every row) and 2 (excerpts by reference) */
#define ENVELOPE_VERSION_MIN 1
#define ENVELOPE_VERSION_MAX 2

/* What a record became; db_item's strings point here or into the message. */
struct batch_record {
    bool dead_letter;
    bool skip;    /* an earlier record of the same extraction in the same batch */
    bool refused; /* an envelope this sink refuses, the reason in reason */
    char doc_id[65];
    char rules_hash[ROWS_RULES_HASH_SIZE]; /* envelope: the version it is stored under */
    struct pgtext_bytes stage, code, text, file_name, key; /* dead letter */
    bool has_raw;            /* dead letter: the name's bytes are in the batch's names */
    size_t raw_off, raw_len; /* where (names moves as it grows: resolved when sealed) */
    char reason[512];        /* an envelope this sink refuses: why */
    int attempt;             /* dead letter: how many times its stage tried */
    struct rows_doc at;      /* envelope: where its bytes are in the batch's rows */
};

#define LIT(s) ((struct pgtext_bytes){s, sizeof(s) - 1})

/* The record's timestamp (ms), -1 when it has none: part of its dead-letter key. */
static long long timestamp_of(const rd_kafka_message_t *m)
{
    rd_kafka_timestamp_type_t type;
    return (long long)rd_kafka_message_timestamp(m, &type);
}

/* Header @p name of @p m as it came (borrowed from the message), or {NULL, 0}. */
static struct pgtext_bytes header_bytes(const rd_kafka_message_t *m, const char *name)
{
    rd_kafka_headers_t *hdrs = NULL;
    const void *value = NULL;
    size_t size = 0;
    struct pgtext_bytes none = {NULL, 0};
    if (rd_kafka_message_headers(m, &hdrs) != RD_KAFKA_RESP_ERR_NO_ERROR ||
        rd_kafka_header_get_last(hdrs, name, &value, &size) != RD_KAFKA_RESP_ERR_NO_ERROR ||
        !value) {
        return none;
    }
    return (struct pgtext_bytes){value, size};
}

/* A division code (440304), JSON null, or absent (an envelope from before sql/013). */
static bool region_code_ok(const struct jsontok *j, jsontok_at code)
{
    char s[8];
    int type = jsontok_type(j, code);
    return code == JSONTOK_NONE || type == JSONTOK_NULL ||
           (jsontok_string(j, code, s, sizeof(s)) == 6 && strspn(s, "0123456789") == 6);
}

/* A count of a PDF's pages at least @p least, JSON null, or absent (before sql/014, 015). */
static bool pages_ok(const struct jsontok *j, jsontok_at pages, long long least)
{
    long long n;
    return pages == JSONTOK_NONE || jsontok_type(j, pages) == JSONTOK_NULL ||
           (jsontok_int(j, pages, &n) && n >= least && n <= INT32_MAX);
}

/* Is @p at the string @p want? */
static bool string_is(const struct jsontok *j, jsontok_at at, const char *want)
{
    char s[64];
    return jsontok_string(j, at, s, sizeof(s)) >= 0 && strcmp(s, want) == 0;
}

/* The envelope's head: schema and version, ids, times, the document's checked fields. */
static int check_head(const struct rows_env *env, long long *version, char *doc_id,
                      char rules_hash[ROWS_RULES_HASH_SIZE], char *why, size_t why_size)
{
    const struct jsontok *j = &env->json;
    jsontok_at source = rows_env_get(env, "source");
    jsontok_at document = rows_env_get(env, "document");
    char when[64];
    if (!string_is(j, rows_env_get(env, "schema"), ENVELOPE_SCHEMA)) {
        snprintf(why, why_size, "schema is not '%s'", ENVELOPE_SCHEMA);
    } else if (!jsontok_int(j, rows_env_get(env, "schema_version"), version) ||
               *version < ENVELOPE_VERSION_MIN || *version > ENVELOPE_VERSION_MAX) {
        snprintf(why, why_size, "unsupported schema_version (want %d to %d)", ENVELOPE_VERSION_MIN,
                 ENVELOPE_VERSION_MAX);
    } else if (jsontok_string(j, rows_env_get(env, "doc_id"), doc_id, 65) != 64 ||
               strspn(doc_id, "0123456789abcdef") != 64) {
        snprintf(why, why_size, "doc_id is not 64 lowercase hex digits");
    } else if (jsontok_string(j, jsontok_get(j, source, "extracted_at"), when, sizeof(when)) < 0) {
        snprintf(why, why_size, "source.extracted_at is missing, or not a string under %zu bytes",
                 sizeof(when));
    } else if (rows_rules_hash(env, rules_hash, why, why_size) != 0) {
        /* why says it */
    } else if (jsontok_type(j, document) != JSONTOK_OBJECT) {
        snprintf(why, why_size, "document is not an object");
    } else if (!region_code_ok(j, jsontok_get(j, document, "region_code"))) {
        snprintf(why, why_size, "document.region_code is not 6 digits or null");
    } else if (!pages_ok(j, jsontok_get(j, source, "pages"), 1)) {
        snprintf(why, why_size, "source.pages is not a positive integer or null");
    } else if (!pages_ok(j, jsontok_get(j, source, "ocr"), 0)) {
        snprintf(why, why_size, "source.ocr is not a count of pages or null");
    } else {
        return 0;
    }
    return -1;
}

int batch_validate_envelope(struct rows_env *env, const char *json, size_t len, char *doc_id,
                            char rules_hash[ROWS_RULES_HASH_SIZE], char *why, size_t why_size)
{
    long long version = 0;
    int rc = rows_env_read(env, json, len, why, why_size);
    if (rc == 0) {
        rc = check_head(env, &version, doc_id, rules_hash, why, why_size);
    }
    if (rc == 0) {
        rc = rows_check(env, (int)version, why, why_size);
    }
    return rc;
}

/*
 * The file name's bytes, when they are not UTF-8: from file.name.raw (the
 * producer's exact bytes, %XX-escaped) into the batch's names. @returns -1 on ENOMEM.
 */
static int read_raw_name(struct batch *b, const rd_kafka_message_t *m, struct batch_record *r)
{
    struct pgtext_bytes raw = header_bytes(m, RF_HDR_FILE_NAME_RAW);
    size_t before = b->names.len;
    int got = pgtext_name_raw(&b->names, raw.data, raw.len);
    r->has_raw = got == 1;
    r->raw_off = before;
    r->raw_len = b->names.len - before;
    return got < 0 ? -1 : 0;
}

/* The dead letter's attempt header: a number from 1 up, else 1 (any bytes can arrive). */
static int attempt_of(const rd_kafka_message_t *m)
{
    char text[16], *end = NULL;
    rf_kafka_header_get(m, RF_HDR_ATTEMPT, text, sizeof(text));
    errno = 0;
    long v = strtol(text, &end, 10);
    return errno == 0 && end != text && *end == '\0' && v >= 1 && v <= INT_MAX ? (int)v : 1;
}

static int read_dead_letter(struct batch *b, const rd_kafka_message_t *m, struct batch_record *r)
{
    r->dead_letter = true;
    r->stage = header_bytes(m, RF_HDR_STAGE);
    r->code = header_bytes(m, RF_HDR_ERROR_CODE);
    r->text = header_bytes(m, RF_HDR_ERROR_TEXT);
    r->file_name = header_bytes(m, RF_HDR_FILE_NAME);
    r->key = (struct pgtext_bytes){m->key, m->key ? m->key_len : 0};
    r->attempt = attempt_of(m);
    if (!r->stage.data || r->stage.len == 0) {
        r->stage = LIT("unknown");
    }
    return read_raw_name(b, m, r);
}

/* Parse, check and format an envelope; a bad one becomes a dead letter. @returns -1 on ENOMEM. */
static int read_envelope(struct batch *b, const rd_kafka_message_t *m, struct batch_record *r)
{
    int rc = batch_validate_envelope(&b->env, m->payload ? m->payload : "", m->len, r->doc_id,
                                     r->rules_hash, r->reason, sizeof(r->reason));
    if (rc == 0) {
        rc = rows_add(&b->rows, &b->env, r->doc_id, r->rules_hash, &r->at);
    } else if (rc == -1) {
        rf_warn(COMPONENT, "bad envelope at %s/%d@%lld, stored as a dead letter: %s",
                rd_kafka_topic_name(m->rkt), (int)m->partition, (long long)m->offset, r->reason);
        r->dead_letter = true;
        r->attempt = 1;
        r->stage = LIT("sink");
        r->code = LIT("invalid-envelope");
        r->refused = true; /* the text is r->reason: fill_item() points at it, recs may move */
        r->key = (struct pgtext_bytes){m->key, m->key ? m->key_len : 0};
        rc = 0;
    }
    rows_env_trim(&b->env);
    return rc == 0 ? 0 : -1; /* -2 from the check, -1 from the rows: out of memory */
}

static int grow(struct batch *b)
{
    /* three arrays of one capacity: the largest element sets the overflow bound */
    size_t cap = rf_vec_grown_cap(b->cap, b->cnt + 1, sizeof(struct db_item));
    if (cap == 0) {
        return -1;
    }
    rd_kafka_message_t **msgs = rf_vec_resize(b->msgs, cap, sizeof(*msgs));
    if (msgs) {
        b->msgs = msgs;
    }
    struct batch_record *recs = rf_vec_resize(b->recs, cap, sizeof(*recs));
    if (recs) {
        b->recs = recs;
    }
    struct db_item *items = rf_vec_resize(b->items, cap, sizeof(*items));
    if (items) {
        b->items = items;
    }
    if (!msgs || !recs || !items) {
        return -1;
    }
    b->cap = cap;
    return 0;
}

int batch_add(struct batch *b, rd_kafka_message_t *m, const char *dlq_topic)
{
    if (b->cnt == b->cap && grow(b) != 0) {
        rd_kafka_message_destroy(m);
        return -1;
    }
    if (b->cnt == 0) {
        b->started_ms = rf_clock_mono_ms();
    }
    struct batch_record *r = &b->recs[b->cnt];
    memset(r, 0, sizeof(*r));
    b->msgs[b->cnt++] = m;
    size_t held = rows_bytes(&b->rows) + b->names.len;
    int rc = strcmp(rd_kafka_topic_name(m->rkt), dlq_topic) == 0 ? read_dead_letter(b, m, r)
                                                                 : read_envelope(b, m, r);
    /* the record as it came, and what it became: its rows often weigh as much again */
    b->bytes += m->len + m->key_len + (rows_bytes(&b->rows) + b->names.len - held);
    return rc;
}

bool batch_full(const struct batch *b, size_t max_docs, size_t max_bytes)
{
    return b->cnt >= max_docs || (b->cnt > 0 && b->bytes >= max_bytes);
}

/*
 * Of two records of one extraction (doc_id and rules_hash) in a batch, the later wins, as
 * it would in two batches: the order of the events topic decides, never a worker's clock.
 * Quadratic in the batch, which is small and bounded (sink.batch_size).
 */
static void mark_replaced(struct batch *b)
{
    for (size_t i = 0; i < b->cnt; i++) {
        const struct batch_record *r = &b->recs[i];
        for (size_t k = i + 1; k < b->cnt && !r->dead_letter; k++) {
            const struct batch_record *later = &b->recs[k];
            if (!later->dead_letter && strcmp(r->doc_id, later->doc_id) == 0 &&
                strcmp(r->rules_hash, later->rules_hash) == 0) {
                b->recs[i].skip = true;
                break;
            }
        }
    }
}

static void fill_item(struct db_item *it, const struct batch *b, size_t i)
{
    const rd_kafka_message_t *m = b->msgs[i];
    const struct batch_record *r = &b->recs[i];
    memset(it, 0, sizeof(*it));
    it->dead_letter = r->dead_letter;
    it->doc_id = r->dead_letter ? NULL : r->doc_id;
    it->rows = &b->rows;
    it->at = r->at;
    it->stage = r->stage;
    it->error_code = r->code;
    it->error_text = r->refused ? (struct pgtext_bytes){r->reason, strlen(r->reason)} : r->text;
    it->file_name = r->file_name;
    if (r->has_raw) {
        it->file_name_raw = (struct pgtext_bytes){b->names.data + r->raw_off, r->raw_len};
    } else if (r->file_name.data && !pgtext_is_clean(r->file_name.data, r->file_name.len)) {
        it->file_name_raw = r->file_name; /* a file.name header of raw bytes: keep them */
    }
    it->key = r->key;
    it->timestamp = timestamp_of(m);
    it->attempt = r->dead_letter ? r->attempt : 1;
    it->payload = m->payload ? m->payload : "";
    it->payload_len = m->len;
    it->topic = rd_kafka_topic_name(m->rkt);
    it->partition = m->partition;
    it->offset = (long long)m->offset;
}

void batch_seal(struct batch *b)
{
    mark_replaced(b);
    b->nitems = 0;
    b->stale = 0;
    for (size_t i = 0; i < b->cnt; i++) {
        if (b->recs[i].skip) {
            b->stale++;
            continue;
        }
        fill_item(&b->items[b->nitems++], b, i);
    }
}

void batch_clear(struct batch *b)
{
    for (size_t i = 0; i < b->cnt; i++) {
        rd_kafka_message_destroy(b->msgs[i]);
    }
    b->cnt = 0;
    b->nitems = 0;
    b->stale = 0;
    b->bytes = 0;
    rows_reset(&b->rows);
    rf_buf_clear(&b->names);
}

void batch_release(struct batch *b)
{
    batch_clear(b);
    rows_release(&b->rows);
    rows_env_release(&b->env);
    rf_buf_release(&b->names);
    free(b->msgs);
    free(b->recs);
    free(b->items);
    memset(b, 0, sizeof(*b));
}
