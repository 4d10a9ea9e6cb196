/* worker.c - the extraction worker's Kafka loop. */
#include "worker.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <librdkafka/rdkafka.h>

#include "reportflow/clock.h"
#include "reportflow/headers.h"
#include "reportflow/http.h"
#include "reportflow/kafka.h"
#include "reportflow/log.h"
#include "reportflow/run.h"
#include "reportflow/sha256.h"
#include "decode.h"
#include "text.h"

#define COMPONENT "worker"

/* file.name.raw: a name of up to 4096 bytes, each %-escaped, is never cut */
#define RAW_NAME_BYTES (4096 * 3 + 1)

/*
 * What the broker refused for good, per batch slot: the envelope (then the
 * record is dead-lettered whole), or that dead letter too (then it is sent
 * again without the raw bytes, which the dead-letter topic cannot hold). A
 * stripped letter is not retried: a worker that re-sent a refused record at
 * every restart would never get past it.
 */
enum refusal { REFUSED_NONE = 0, REFUSED_ENVELOPE, REFUSED_LETTER };

/* The opaque of a produced record: its batch slot + 1, with this bit for a dead letter. */
#define LETTER_BIT ((uintptr_t)1 << (sizeof(uintptr_t) * 8 - 1))

struct worker {
    const struct rf_config *cfg; /* borrowed */
    rd_kafka_t *consumer;        /* reports.raw, group worker.group */
    rd_kafka_t *producer;        /* reports.events and reports.dlq, idempotent */
    struct extractor ex;         /* per-worker match state over shared rules */
    bool extractor_ready;
    rd_kafka_message_t **batch; /* raw records awaiting acknowledgement of their output */
    enum refusal *refused;      /* what the broker refused of batch[i]'s output */
    size_t batch_cnt;
    size_t batch_bytes;         /* raw bytes held plus output bytes queued for this batch */
    uint64_t delivery_failures; /* failed deliveries of the current batch (delivery callback) */
    bool fatal;                 /* producing failed for good */
    struct worker_stats stats;
    int64_t next_progress_ms;
};

/* A record's opaque (LETTER_BIT | slot + 1) says which batch slot it served; 0: none. */
static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *msg, void *opaque)
{
    (void)rk;
    struct worker *w = opaque;
    uintptr_t tag = (uintptr_t)msg->_private;
    size_t slot = (size_t)(tag & ~LETTER_BIT);
    if (msg->err == RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE && slot > 0 && slot <= w->batch_cnt) {
        /* permanent for this record, not for the worker: settle_batch() sends the next form */
        w->refused[slot - 1] = tag & LETTER_BIT ? REFUSED_LETTER : REFUSED_ENVELOPE;
        rf_warn(COMPONENT, "'%s' refused a record of %zu bytes: %s", rd_kafka_topic_name(msg->rkt),
                msg->len, rd_kafka_err2str(msg->err));
    } else if (msg->err) {
        w->delivery_failures++;
        rf_error(COMPONENT, "delivery to '%s' failed: %s", rd_kafka_topic_name(msg->rkt),
                 rd_kafka_err2str(msg->err));
    }
}

struct worker *worker_new(const struct rf_config *cfg, const struct catalogue *rules, char *errstr,
                          size_t errstr_size)
{
    struct worker *w = calloc(1, sizeof(*w));
    if (!w) {
        snprintf(errstr, errstr_size, "out of memory");
        return NULL;
    }
    w->cfg = cfg;
    w->batch = calloc((size_t)cfg->worker_batch, sizeof(*w->batch));
    w->refused = calloc((size_t)cfg->worker_batch, sizeof(*w->refused));
    if (!w->batch || !w->refused || extractor_init(&w->ex, rules) != 0) {
        snprintf(errstr, errstr_size, "out of memory");
        worker_free(w);
        return NULL;
    }
    w->extractor_ready = true;
    w->producer = rf_kafka_producer_new(w->cfg, w, on_delivery, errstr, errstr_size);
    if (w->producer) {
        const char *const topics[] = {cfg->topic_events, cfg->topic_dlq};
        rf_kafka_warm_topics(w->producer, topics, 2, 5000);
    }
    const char *const raw[] = {cfg->topic_raw};
    /* a record holds the loop for its conversion and its extraction (with no CPU limit on
       that, as long as the group allows: a day) */
    long long record_ms = cfg->worker_max_extract_ms > 0
                              ? cfg->worker_max_convert_ms + cfg->worker_max_extract_ms
                              : RF_KAFKA_RECORD_UNBOUNDED;
    w->consumer = w->producer ? rf_kafka_group_consumer_new(cfg, cfg->worker_group, raw, 1,
                                                            record_ms, errstr, errstr_size)
                              : NULL;
    if (!w->consumer) {
        worker_free(w);
        return NULL;
    }
    return w;
}

/*
 * Produce, waiting while the local queue is full. Takes @p value (malloc'd) and
 * @p hdrs. @p tag is the opaque on_delivery() reads (the batch slot + 1, with
 * LETTER_BIT for a dead letter), 0 for none.
 */
static int produce(struct worker *w, const char *topic, const void *key, size_t key_len,
                   char *value, size_t value_len, rd_kafka_headers_t *hdrs, uintptr_t tag)
{
    for (;;) {
        rd_kafka_resp_err_t err = rd_kafka_producev(
            w->producer, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_KEY(key, key_len),
            RD_KAFKA_V_VALUE(value, value_len), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_FREE),
            RD_KAFKA_V_HEADERS(hdrs), RD_KAFKA_V_OPAQUE((void *)tag), RD_KAFKA_V_END);
        if (!err) {
            w->batch_bytes += value_len; /* librdkafka holds it until the batch settles */
            return 0;
        }
        /* a full queue drains while the broker is up; a second signal does not wait for it
           (the record's offset is not stored: it comes again) */
        if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL && !rf_run_hurry()) {
            rd_kafka_poll(w->producer, 100);
            continue;
        }
        rf_error(COMPONENT, "cannot produce to '%s': %s", topic, rd_kafka_err2str(err));
        free(value);
        if (hdrs) { /* librdkafka's destroy does not take NULL; events go without headers */
            rd_kafka_headers_destroy(hdrs);
        }
        return -1;
    }
}

/*
 * Dead-letter raw record @p m (batch slot @p slot) with its bytes, or, when
 * @p stripped, without them (the topic refused them): then not retried again.
 */
static int send_to_dlq(struct worker *w, const rd_kafka_message_t *m, size_t slot, bool stripped,
                       const char *file_name, const char *code, const char *why)
{
    char key[RF_SHA256_HEX_LEN + 1];
    if (m->key && m->key_len == RF_SHA256_HEX_LEN) {
        /* the producer keyed the record by the same hash: no need to read it all again */
        memcpy(key, m->key, RF_SHA256_HEX_LEN);
        key[RF_SHA256_HEX_LEN] = '\0';
    } else if (rf_sha256_hex(m->payload, m->len, key) != 0) {
        rf_error(COMPONENT, "cannot hash a record for the dead-letter topic: libcrypto failed");
        return -1;
    }
    char file_name_raw[RAW_NAME_BYTES];
    rf_kafka_header_get(m, RF_HDR_FILE_NAME_RAW, file_name_raw, sizeof(file_name_raw));
    rd_kafka_headers_t *hdrs = rd_kafka_headers_new(6);
    rd_kafka_header_add(hdrs, RF_HDR_STAGE, -1, "extract", -1);
    rd_kafka_header_add(hdrs, RF_HDR_ERROR_CODE, -1, code, -1);
    rd_kafka_header_add(hdrs, RF_HDR_ERROR_TEXT, -1, why, -1);
    rd_kafka_header_add(hdrs, RF_HDR_ATTEMPT, -1, "1", -1);
    rd_kafka_header_add(hdrs, RF_HDR_FILE_NAME, -1, file_name, -1);
    if (file_name_raw[0]) { /* a name that is not UTF-8: its bytes, for dead_letters */
        rd_kafka_header_add(hdrs, RF_HDR_FILE_NAME_RAW, -1, file_name_raw, -1);
    }
    size_t len = stripped ? 0 : m->len;
    char *copy = malloc(len ? len : 1);
    if (!copy) {
        rd_kafka_headers_destroy(hdrs);
        return -1;
    }
    if (len) {
        memcpy(copy, m->payload, len);
    }
    rf_warn(COMPONENT, "'%s' (partition %d offset %lld) to dead-letter topic: %s: %s", file_name,
            m->partition, (long long)m->offset, code, why);
    w->stats.rejected += !stripped; /* a stripped letter is the same rejection, sent again */
    uintptr_t tag = stripped ? 0 : LETTER_BIT | (uintptr_t)(slot + 1);
    return produce(w, w->cfg->topic_dlq, key, RF_SHA256_HEX_LEN, copy, len, hdrs, tag);
}

/* What a record that no stop interrupted may cost: the worker's per-document limits. */
static struct extract_limits worker_limits(const struct worker *w)
{
    struct extract_limits l = {w->cfg->worker_max_extract_ms,
                               (size_t)w->cfg->worker_max_envelope_bytes, rf_run_stopping,
                               w->cfg->worker_max_convert_ms, !w->cfg->worker_ocr};
    return l;
}

/*
 * Point @p src at the raw record @p origin names (RF_HDR_ORIGIN, "TOPIC:PARTITION:OFFSET")
 * when @p m is a copy made for reprocessing; @p topic receives the name. A malformed
 * header leaves @p src as it was: the copy's own coordinates are true, if less useful.
 */
static void apply_origin(const char *origin, struct source_info *src, char *topic,
                         size_t topic_size)
{
    const char *colon = strchr(origin, ':');
    char *end = NULL;
    if (!colon || colon == origin || (size_t)(colon - origin) >= topic_size) {
        return;
    }
    long partition = strtol(colon + 1, &end, 10);
    if (*end != ':' || partition < 0 || partition > INT32_MAX) {
        return;
    }
    long long offset = strtoll(end + 1, &end, 10);
    if (*end || offset < 0) {
        return;
    }
    memcpy(topic, origin, (size_t)(colon - origin));
    topic[colon - origin] = '\0';
    src->topic = topic;
    src->partition = (int)partition;
    src->offset = offset;
}

/*
 * Extract one raw record (batch slot @p slot) and produce its output.
 * @returns 0, 1 when a stop signal interrupted the extraction (nothing was
 * produced: the record is handed back), or -1 when producing failed.
 */
static int handle_record(struct worker *w, const rd_kafka_message_t *m, size_t slot)
{
    if (!m->payload) {
        /* a tombstone: a report forgotten on the compacted raw topic (docs/operations.md),
           nothing to extract; its offset is stored with the batch's */
        rf_info(COMPONENT, "tombstone at partition %d offset %lld: a forgotten report, skipped",
                m->partition, (long long)m->offset);
        return 0;
    }
    char file_name[512], mtime[64], dropped[64], produced[40] = "", errstr[512];
    char file_name_raw[RAW_NAME_BYTES], origin[320], origin_topic[256];
    rf_kafka_header_get(m, RF_HDR_FILE_NAME, file_name, sizeof(file_name));
    rf_kafka_header_get(m, RF_HDR_ORIGIN, origin, sizeof(origin));
    rf_kafka_header_get(m, RF_HDR_FILE_NAME_RAW, file_name_raw, sizeof(file_name_raw));
    rf_kafka_header_get(m, RF_HDR_FILE_MTIME, mtime, sizeof(mtime));
    rf_kafka_header_get(m, RF_HDR_DROPPED_AT, dropped, sizeof(dropped));
    rd_kafka_timestamp_type_t tstype;
    int64_t ts = rd_kafka_message_timestamp(m, &tstype);
    if (ts > 0) {
        rf_clock_format(ts, produced, sizeof(produced));
    }
    struct source_info src = {file_name,
                              (long long)m->len,
                              mtime[0] ? mtime : NULL,
                              dropped[0] ? dropped : NULL,
                              produced[0] ? produced : NULL,
                              rd_kafka_topic_name(m->rkt),
                              m->partition,
                              (long long)m->offset,
                              file_name_raw[0] ? file_name_raw : NULL};
    if (origin[0]) {
        apply_origin(origin, &src, origin_topic, sizeof(origin_topic));
    }
    struct extract_limits limits = worker_limits(w);
    struct envelope env;
    const char *reason = NULL;
    int64_t started = rf_clock_mono_ms();
    enum extract_status st =
        extractor_run_limited(&w->ex, m->payload ? m->payload : "", m->len, &src, &limits, &env,
                              &reason, errstr, sizeof(errstr));
    if (st == EXTRACT_STOPPED) {
        rf_info(COMPONENT,
                "stop requested while extracting '%s' (partition %d offset %lld): "
                "handed back",
                file_name, m->partition, (long long)m->offset);
        return 1;
    }
    w->stats.consumed++;
    w->stats.bytes += m->len;
    if (st != EXTRACT_OK) {
        if (st == EXTRACT_TIMEOUT) {
            w->stats.timeouts++;
            rf_warn(COMPONENT, "'%s': extraction stopped after %lld ms of wall-clock time",
                    file_name, (long long)(rf_clock_mono_ms() - started));
        } else if (st == EXTRACT_INTERNAL) {
            rf_error(COMPONENT, "'%s': internal error, dead-lettered: %s", file_name, errstr);
        }
        return send_to_dlq(w, m, slot, false, file_name, reason, errstr);
    }
    w->stats.extracted++;
    return produce(w, w->cfg->topic_events, env.doc_id, strlen(env.doc_id), env.json, env.len, NULL,
                   slot + 1);
}

/* The next form of each output the broker refused as too large; -1 on failure. */
static int dead_letter_refused(struct worker *w)
{
    int rc = 0;
    for (size_t i = 0; i < w->batch_cnt && rc == 0; i++) {
        enum refusal what = w->refused[i];
        if (what == REFUSED_NONE) {
            continue;
        }
        w->refused[i] = REFUSED_NONE;
        char file_name[512], why[512];
        rf_kafka_header_get(w->batch[i], RF_HDR_FILE_NAME, file_name, sizeof(file_name));
        if (what == REFUSED_ENVELOPE) {
            w->stats.extracted--;
            rc = send_to_dlq(w, w->batch[i], i, false, file_name, "envelope-too-large",
                             "the broker refused the envelope: Message size too large (raise the "
                             "events topic's max.message.bytes or lower "
                             "worker.max_envelope_bytes)");
            continue;
        }
        /* the first letter's reason went with it; this one says why it has no bytes */
        snprintf(why, sizeof(why),
                 "the dead-letter topic refused the record's %zu bytes (raise its "
                 "max.message.bytes); sent without them",
                 w->batch[i]->len);
        rc = send_to_dlq(w, w->batch[i], i, true, file_name, "dead-letter-too-large", why);
    }
    return rc;
}

static void log_consumer_error(const rd_kafka_message_t *m)
{
    if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
        return;
    }
    rf_warn(COMPONENT, "consumer: %s", rd_kafka_message_errstr(m));
    if (m->err == RD_KAFKA_RESP_ERR__FATAL) {
        rf_run_request_stop(); /* settle_batch() sees it through rf_kafka_fatal() */
    }
}

static void flush_outputs(struct worker *w)
{
    w->fatal |= rf_kafka_fatal(w->producer) || rf_kafka_fatal(w->consumer);
    while (rd_kafka_outq_len(w->producer) > 0 && !w->fatal && !rf_run_hurry()) {
        rd_kafka_flush(w->producer, 500);
        w->fatal |= rf_kafka_fatal(w->producer);
    }
}

static bool any_refused(const struct worker *w)
{
    for (size_t i = 0; i < w->batch_cnt; i++) {
        if (w->refused[i] != REFUSED_NONE) {
            return true;
        }
    }
    return false;
}

/* Wait for every output of the batch, then store the raw offsets (committed by auto-commit). */
static int settle_batch(struct worker *w)
{
    flush_outputs(w);
    /* an envelope refused becomes a letter; a letter refused, one without the bytes: two rounds */
    for (int round = 0; round < 2 && any_refused(w) && !w->fatal; round++) {
        if (dead_letter_refused(w) != 0) {
            w->fatal = true;
        }
        flush_outputs(w);
    }
    int rc = 0;
    if (rd_kafka_outq_len(w->producer) > 0 || w->delivery_failures > 0 || w->fatal) {
        /* not acknowledged: keep the offsets, the group redelivers these records */
        rf_error(COMPONENT, "%zu record(s) not acknowledged; their offsets stay uncommitted",
                 w->batch_cnt);
        rc = -1;
    } else {
        rf_kafka_store_offsets(w->consumer, w->batch, w->batch_cnt, COMPONENT);
    }
    for (size_t i = 0; i < w->batch_cnt; i++) {
        rd_kafka_message_destroy(w->batch[i]);
        w->refused[i] = REFUSED_NONE;
    }
    w->batch_cnt = 0;
    w->batch_bytes = 0;
    w->delivery_failures = 0; /* counted per batch: an old failure must not fail the next one */
    return rc;
}

static void log_progress(struct worker *w, bool force)
{
    int64_t now = rf_clock_mono_ms();
    if (!force && now < w->next_progress_ms) {
        return;
    }
    w->next_progress_ms = now + w->cfg->progress_ms;
    rf_info(COMPONENT, "progress: consumed=%llu extracted=%llu dead_lettered=%llu bytes=%llu",
            (unsigned long long)w->stats.consumed, (unsigned long long)w->stats.extracted,
            (unsigned long long)w->stats.rejected, (unsigned long long)w->stats.bytes);
}

static void publish_metrics(struct rf_http *http, const struct worker *w)
{
    const struct rf_metric metrics[] = {
        {"reportflow_worker_records_total", "counter", "Raw records processed.",
         (double)w->stats.consumed},
        {"reportflow_worker_envelopes_total", "counter", "Envelopes produced to the events topic.",
         (double)w->stats.extracted},
        {"reportflow_worker_dead_lettered_total", "counter",
         "Records sent to the dead-letter topic.", (double)w->stats.rejected},
        {"reportflow_worker_bytes_total", "counter", "Raw bytes processed.",
         (double)w->stats.bytes},
        {"reportflow_worker_extract_timeouts_total", "counter",
         "Records whose extraction passed worker.max_extract_ms.", (double)w->stats.timeouts},
    };
    rf_http_publish_metrics(http, metrics, sizeof(metrics) / sizeof(metrics[0]));
}

int worker_run(struct worker *w, struct rf_http *http)
{
    int64_t next_metrics = 0;
    rf_info(COMPONENT, "consuming '%s' as group '%s'", w->cfg->topic_raw, w->cfg->worker_group);
    w->next_progress_ms = rf_clock_mono_ms() + w->cfg->progress_ms;
    uint64_t last_logged = 0;
    while (!rf_run_stopping()) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(w->consumer, w->batch_cnt ? 0 : 100);
        if (m && m->err) {
            log_consumer_error(m);
            rd_kafka_message_destroy(m);
            continue;
        }
        if (m) {
            w->batch[w->batch_cnt++] = m;
            w->batch_bytes += m->len;
            int handled = handle_record(w, m, w->batch_cnt - 1);
            if (handled == 1) {
                /* interrupted by a stop: not part of the batch, its offset is not stored */
                rd_kafka_message_destroy(w->batch[--w->batch_cnt]);
                break;
            }
            if (handled != 0) {
                w->fatal = true;
                break;
            }
        }
        /* a batch is bounded in bytes as in records: dense reports' envelopes are large */
        if ((!m && w->batch_cnt > 0) || w->batch_cnt == (size_t)w->cfg->worker_batch ||
            w->batch_bytes >= (size_t)w->cfg->worker_batch_bytes) {
            if (settle_batch(w) != 0) {
                break;
            }
        }
        rd_kafka_poll(w->producer, 0);
        if (rf_clock_mono_ms() >= next_metrics) {
            publish_metrics(http, w);
            next_metrics = rf_clock_mono_ms() + 1000;
        }
        if (w->stats.consumed != last_logged) {
            log_progress(w, false);
            last_logged = w->stats.consumed;
        }
    }
    int rc = settle_batch(w);
    log_progress(w, true);
    return w->fatal || rf_kafka_fatal(w->consumer) ? -1 : rc;
}

void worker_free(struct worker *w)
{
    if (!w) {
        return;
    }
    for (size_t i = 0; i < w->batch_cnt; i++) {
        rd_kafka_message_destroy(w->batch[i]);
    }
    if (w->consumer) {
        rd_kafka_resp_err_t err = rd_kafka_consumer_close(w->consumer);
        if (err) {
            rf_warn(COMPONENT, "consumer close: %s", rd_kafka_err2str(err));
        }
        rd_kafka_destroy(w->consumer);
    }
    if (w->producer) {
        rd_kafka_flush(w->producer, 5000);
        rd_kafka_destroy(w->producer);
    }
    if (w->extractor_ready) {
        extractor_release(&w->ex);
    }
    free(w->batch);
    free(w->refused);
    free(w);
}
