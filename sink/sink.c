/* sink.c - reportflow-sink's Kafka loop. */
#include "sink.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <librdkafka/rdkafka.h>

#include "db.h"
#include "reportflow/fsutil.h"
#include "reportflow/headers.h"
#include "reportflow/http.h"
#include "reportflow/kafka.h"
#include "reportflow/log.h"
#include "reportflow/run.h"

#define COMPONENT "sink"
#define ENVELOPE_SCHEMA "reportflow.envelope"
#define ENVELOPE_VERSION 1

/* What a record becomes before it reaches db_store(); strings owned here. */
struct prepared {
    char doc_id[65];
    char extracted_at[64];
    char stage[32];
    char code[64];
    char text[512];
    char file_name[512];
    json_t *env;        /* the envelope, parsed (owned) */
    bool skip;          /* an older duplicate of a doc_id in the same batch */
};

struct sink {
    const struct rf_config *cfg;
    rd_kafka_t *consumer;
    struct db db;
    rd_kafka_message_t **msgs; /* the batch */
    size_t cnt, cap;
    struct prepared *prep;     /* one per message */
    struct db_item *items;     /* what goes to PostgreSQL */
    struct sink_stats stats;
    int64_t next_progress_ms;
    uint64_t last_logged_records;
};

json_t *sink_validate_envelope(const char *json, size_t len, char *doc_id, char *extracted_at,
                               char *why, size_t why_size)
{
    json_error_t jerr;
    json_t *env = json_loadb(json, len, 0, &jerr);
    if (!env) {
        snprintf(why, why_size, "invalid JSON at line %d column %d: %s", jerr.line, jerr.column,
                 jerr.text);
        return NULL;
    }
    bool ok = false;
    const char *schema = json_string_value(json_object_get(env, "schema"));
    json_t *version = json_object_get(env, "schema_version");
    const char *id = json_string_value(json_object_get(env, "doc_id"));
    const char *when =
        json_string_value(json_object_get(json_object_get(env, "source"), "extracted_at"));
    static const char *const arrays[] = {"sections", "citations", "quantities", "metrics"};
    if (!schema || strcmp(schema, ENVELOPE_SCHEMA) != 0) {
        snprintf(why, why_size, "schema is not '%s'", ENVELOPE_SCHEMA);
    } else if (!json_is_integer(version) || json_integer_value(version) != ENVELOPE_VERSION) {
        snprintf(why, why_size, "unsupported schema_version (want %d)", ENVELOPE_VERSION);
    } else if (!id || strlen(id) != 64 || strspn(id, "0123456789abcdef") != 64) {
        snprintf(why, why_size, "doc_id is not 64 lowercase hex digits");
    } else if (!when || strlen(when) >= 64) {
        snprintf(why, why_size, "source.extracted_at is missing");
    } else if (!json_is_object(json_object_get(env, "document"))) {
        snprintf(why, why_size, "document is not an object");
    } else {
        ok = true;
        for (size_t i = 0; i < 4 && ok; i++) {
            if (!json_is_array(json_object_get(env, arrays[i]))) {
                snprintf(why, why_size, "'%s' is not an array", arrays[i]);
                ok = false;
            }
        }
    }
    if (!ok) {
        json_decref(env);
        return NULL;
    }
    snprintf(doc_id, 65, "%s", id);
    snprintf(extracted_at, 64, "%s", when);
    return env;
}

static void prepare_dlq_record(const rd_kafka_message_t *m, struct prepared *p)
{
    char attempt[16];
    rf_kafka_header_get(m, RF_HDR_STAGE, p->stage, sizeof(p->stage));
    rf_kafka_header_get(m, RF_HDR_ERROR_CODE, p->code, sizeof(p->code));
    rf_kafka_header_get(m, RF_HDR_ERROR_TEXT, p->text, sizeof(p->text));
    rf_kafka_header_get(m, RF_HDR_FILE_NAME, p->file_name, sizeof(p->file_name));
    rf_kafka_header_get(m, RF_HDR_ATTEMPT, attempt, sizeof(attempt));
    if (!p->stage[0]) {
        snprintf(p->stage, sizeof(p->stage), "unknown");
    }
    size_t klen = m->key_len < 64 ? m->key_len : 64;
    memcpy(p->doc_id, m->key ? m->key : "", m->key ? klen : 0);
    p->doc_id[m->key ? klen : 0] = '\0';
}

/* Turn the batch's messages into db items; the newest envelope per doc_id wins. */
static int prepare_batch(struct sink *s)
{
    for (size_t i = 0; i < s->cnt; i++) {
        const rd_kafka_message_t *m = s->msgs[i];
        struct prepared *p = &s->prep[i];
        struct db_item *it = &s->items[i];
        json_decref(p->env);
        memset(p, 0, sizeof(*p));
        memset(it, 0, sizeof(*it));
        it->topic = rd_kafka_topic_name(m->rkt);
        it->partition = m->partition;
        it->offset = (long long)m->offset;
        it->payload = m->payload ? m->payload : "";
        it->payload_len = m->len;
        it->attempt = 1;
        if (strcmp(it->topic, s->cfg->topic_dlq) == 0) {
            prepare_dlq_record(m, p);
            it->dead_letter = true;
        } else if ((p->env = sink_validate_envelope(m->payload ? m->payload : "", m->len,
                                                    p->doc_id, p->extracted_at, p->text,
                                                    sizeof(p->text))) != NULL) {
            it->env = p->env; /* the record's bytes stay in the message: no copy */
        } else {
            rf_warn(COMPONENT, "bad envelope at %s/%d@%lld, stored as a dead letter: %s",
                    it->topic, it->partition, it->offset, p->text);
            snprintf(p->stage, sizeof(p->stage), "sink");
            snprintf(p->code, sizeof(p->code), "invalid-envelope");
            it->dead_letter = true;
        }
        it->doc_id = p->doc_id[0] ? p->doc_id : NULL;
        it->stage = p->stage;
        it->error_code = p->code;
        it->error_text = p->text;
        it->file_name = p->file_name[0] ? p->file_name : NULL;
    }
    /* same document twice in one batch: keep the newest (ties: the later record) */
    for (size_t i = 0; i < s->cnt; i++) {
        for (size_t k = i + 1; k < s->cnt && !s->items[i].dead_letter; k++) {
            if (!s->items[k].dead_letter && strcmp(s->prep[i].doc_id, s->prep[k].doc_id) == 0) {
                size_t older = strcmp(s->prep[i].extracted_at, s->prep[k].extracted_at) > 0 ? k : i;
                s->prep[older].skip = true;
            }
        }
    }
    return 0;
}

/* Compact the items that go to PostgreSQL to the front. @returns their count. */
static size_t items_to_store(struct sink *s)
{
    size_t n = 0;
    for (size_t i = 0; i < s->cnt; i++) {
        if (!s->prep[i].skip) {
            s->items[n++] = s->items[i];
        } else {
            s->stats.stale++;
        }
    }
    return n;
}

static void set_paused(struct sink *s, bool paused)
{
    rd_kafka_topic_partition_list_t *parts = NULL;
    if (rd_kafka_assignment(s->consumer, &parts) != RD_KAFKA_RESP_ERR_NO_ERROR || !parts) {
        return;
    }
    if (paused) {
        rd_kafka_pause_partitions(s->consumer, parts);
    } else {
        rd_kafka_resume_partitions(s->consumer, parts);
    }
    rd_kafka_topic_partition_list_destroy(parts);
}

static int grow_batch(struct sink *s)
{
    size_t cap = s->cap ? s->cap * 2 : 64;
    rd_kafka_message_t **msgs = realloc(s->msgs, cap * sizeof(*msgs));
    if (msgs) {
        s->msgs = msgs;
    }
    struct prepared *prep = realloc(s->prep, cap * sizeof(*prep));
    if (prep) {
        memset(prep + s->cap, 0, (cap - s->cap) * sizeof(*prep));
        s->prep = prep;
    }
    struct db_item *items = realloc(s->items, cap * sizeof(*items));
    if (items) {
        s->items = items;
    }
    if (!msgs || !prep || !items) {
        return -1;
    }
    s->cap = cap;
    return 0;
}

static int add_message(struct sink *s, rd_kafka_message_t *m)
{
    if (s->cnt == s->cap && grow_batch(s) != 0) {
        rd_kafka_message_destroy(m);
        return -1;
    }
    s->msgs[s->cnt++] = m;
    return 0;
}

/* Poll while waiting, so the group keeps us and no record is lost; keep what arrives. */
static void wait_polling(struct sink *s, int64_t ms)
{
    int64_t until = rf_clock_mono_ms() + ms;
    while (rf_clock_mono_ms() < until && !rf_run_stopping()) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(s->consumer, 100);
        if (m && !m->err) {
            add_message(s, m);
        } else if (m) {
            rd_kafka_message_destroy(m);
        }
    }
}

/* Store the batch, retrying through outages. @returns 0 stored, 1 stopped first, -1 fatal. */
static int store_batch(struct sink *s)
{
    char errstr[1024];
    int64_t backoff = 200;
    bool paused = false;
    for (;;) {
        enum db_result r = DB_OK;
        if (!s->db.conn) {
            r = db_connect(&s->db, s->cfg->pg_conninfo, errstr, sizeof(errstr));
        }
        struct db_counts counts = {0, 0, 0, 0};
        if (r == DB_OK) {
            if (prepare_batch(s) != 0) {
                return -1;
            }
            size_t n = items_to_store(s);
            r = db_store(&s->db, s->items, n, &counts, errstr, sizeof(errstr));
        }
        if (r == DB_OK) {
            s->stats.written += counts.written;
            s->stats.stale += counts.stale;
            s->stats.dead_letters += counts.dead_letters;
            s->stats.batches++;
            if (paused) {
                set_paused(s, false);
                rf_info(COMPONENT, "PostgreSQL is back; resumed consuming");
            }
            return 0;
        }
        if (r == DB_FATAL) {
            rf_error(COMPONENT, "cannot store: %s", errstr);
            return -1;
        }
        s->stats.retries++;
        rf_warn(COMPONENT, "storing %zu record(s) failed, retrying in %lld ms: %s", s->cnt,
                (long long)backoff, errstr);
        db_close(&s->db);
        if (!paused) {
            set_paused(s, true);
            paused = true;
        }
        wait_polling(s, backoff);
        if (rf_run_stopping()) {
            return 1; /* nothing committed: the group hands these records out again */
        }
        backoff = backoff * 2 > s->cfg->sink_retry_max_ms ? s->cfg->sink_retry_max_ms : backoff * 2;
    }
}

static void store_offsets(struct sink *s)
{
    rd_kafka_topic_partition_list_t *offsets = rd_kafka_topic_partition_list_new((int)s->cnt);
    for (size_t i = 0; i < s->cnt; i++) {
        const rd_kafka_message_t *m = s->msgs[i];
        rd_kafka_topic_partition_list_add(offsets, rd_kafka_topic_name(m->rkt), m->partition)
            ->offset = m->offset + 1;
    }
    rd_kafka_resp_err_t err = rd_kafka_offsets_store(s->consumer, offsets);
    if (err) {
        rf_warn(COMPONENT, "cannot store offsets (partitions moved?): %s", rd_kafka_err2str(err));
    }
    rd_kafka_topic_partition_list_destroy(offsets);
}

static void release_batch(struct sink *s)
{
    for (size_t i = 0; i < s->cnt; i++) {
        rd_kafka_message_destroy(s->msgs[i]);
        json_decref(s->prep[i].env);
        s->prep[i].env = NULL;
    }
    s->cnt = 0;
}

static void log_progress(struct sink *s, bool force)
{
    int64_t now = rf_clock_mono_ms();
    if (!force && now < s->next_progress_ms) {
        return;
    }
    s->next_progress_ms = now + s->cfg->progress_ms;
    if (!force && s->stats.records == s->last_logged_records) {
        return; /* idle: nothing new to say */
    }
    s->last_logged_records = s->stats.records;
    rf_info(COMPONENT,
            "progress: records=%llu documents_written=%llu stale=%llu dead_letters=%llu "
            "transactions=%llu retries=%llu",
            (unsigned long long)s->stats.records, (unsigned long long)s->stats.written,
            (unsigned long long)s->stats.stale, (unsigned long long)s->stats.dead_letters,
            (unsigned long long)s->stats.batches, (unsigned long long)s->stats.retries);
}

struct sink *sink_new(const struct rf_config *cfg, char *errstr, size_t errstr_size)
{
    struct sink *s = calloc(1, sizeof(*s));
    if (!s) {
        snprintf(errstr, errstr_size, "out of memory");
        return NULL;
    }
    s->cfg = cfg;
    const char *const topics[] = {cfg->topic_events, cfg->topic_dlq};
    s->consumer = rf_kafka_group_consumer_new(cfg, cfg->sink_group, topics, 2, errstr, errstr_size);
    if (!s->consumer) {
        sink_free(s);
        return NULL;
    }
    return s;
}

static void publish_metrics(struct rf_http *http, const struct sink *s)
{
    const struct rf_metric metrics[] = {
        {"reportflow_sink_records_total", "counter", "Kafka records handled.",
         (double)s->stats.records},
        {"reportflow_sink_documents_written_total", "counter", "Documents inserted or replaced.",
         (double)s->stats.written},
        {"reportflow_sink_stale_total", "counter", "Older or duplicate envelopes ignored.",
         (double)s->stats.stale},
        {"reportflow_sink_dead_letters_total", "counter", "Dead-letter rows written.",
         (double)s->stats.dead_letters},
        {"reportflow_sink_transactions_total", "counter", "Transactions committed.",
         (double)s->stats.batches},
        {"reportflow_sink_retries_total", "counter",
         "Failed attempts at a batch (PostgreSQL unreachable).", (double)s->stats.retries},
        {"reportflow_sink_postgres_up", "gauge", "1 while connected to PostgreSQL.",
         s->db.conn ? 1 : 0},
    };
    rf_http_publish_metrics(http, metrics, sizeof(metrics) / sizeof(metrics[0]));
}

int sink_run(struct sink *s, struct rf_http *http)
{
    int64_t next_metrics = 0;
    char errstr[1024];
    /* migrate before consuming, so a schema problem shows at once */
    int64_t backoff = 200;
    while (!s->db.conn && !rf_run_stopping()) {
        enum db_result r = db_connect(&s->db, s->cfg->pg_conninfo, errstr, sizeof(errstr));
        if (r == DB_FATAL) {
            rf_error(COMPONENT, "%s", errstr);
            return -1;
        }
        if (r == DB_RETRY) {
            rf_warn(COMPONENT, "%s; retrying in %lld ms", errstr, (long long)backoff);
            wait_polling(s, backoff);
            backoff = backoff * 2 > s->cfg->sink_retry_max_ms ? s->cfg->sink_retry_max_ms
                                                              : backoff * 2;
        }
    }
    rf_info(COMPONENT, "consuming '%s' and '%s' as group '%s'", s->cfg->topic_events,
            s->cfg->topic_dlq, s->cfg->sink_group);
    s->next_progress_ms = rf_clock_mono_ms() + s->cfg->progress_ms;
    int64_t batch_started = 0;
    int rc = 0;
    while (!rf_run_stopping() && rc == 0) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(s->consumer, 50);
        if (m && m->err) {
            if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
                rf_warn(COMPONENT, "consumer: %s", rd_kafka_message_errstr(m));
            }
            rd_kafka_message_destroy(m);
            m = NULL;
        }
        if (m) {
            if (s->cnt == 0) {
                batch_started = rf_clock_mono_ms();
            }
            if (add_message(s, m) != 0) {
                rc = -1;
                break;
            }
            s->stats.records++;
        }
        bool full = s->cnt >= (size_t)s->cfg->sink_batch_docs;
        bool due = s->cnt > 0 && rf_clock_mono_ms() - batch_started >= s->cfg->sink_batch_ms;
        if (full || due || (s->cnt > 0 && !m)) {
            int stored = store_batch(s);
            if (stored == 0) {
                store_offsets(s);
            }
            release_batch(s);
            rc = stored < 0 ? -1 : 0;
        }
        log_progress(s, false);
        if (rf_clock_mono_ms() >= next_metrics) {
            publish_metrics(http, s);
            next_metrics = rf_clock_mono_ms() + 1000;
        }
    }
    if (rc == 0 && s->cnt > 0 && !rf_run_hurry() && store_batch(s) == 0) {
        store_offsets(s);
    }
    release_batch(s);
    log_progress(s, true);
    return rc != 0 || rf_kafka_fatal(s->consumer) ? -1 : 0;
}

void sink_free(struct sink *s)
{
    if (!s) {
        return;
    }
    release_batch(s);
    if (s->consumer) {
        rd_kafka_consumer_close(s->consumer);
        rd_kafka_destroy(s->consumer);
    }
    db_close(&s->db);
    free(s->msgs);
    free(s->prep);
    free(s->items);
    free(s);
}
