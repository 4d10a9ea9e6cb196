/* worker.c - the extraction worker's Kafka loop. */
#include "worker.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <librdkafka/rdkafka.h>

#include "reportflow/fsutil.h"
#include "reportflow/headers.h"
#include "reportflow/http.h"
#include "reportflow/kafka.h"
#include "reportflow/log.h"
#include "reportflow/run.h"
#include "reportflow/sha256.h"

#define COMPONENT "worker"

struct worker {
    const struct rf_config *cfg; /* borrowed */
    rd_kafka_t *consumer;        /* reports.raw, group worker.group */
    rd_kafka_t *producer;        /* reports.events and reports.dlq, idempotent */
    struct extractor ex;         /* per-worker match state over shared rules */
    bool extractor_ready;
    rd_kafka_message_t **batch;  /* raw records awaiting acknowledgement of their output */
    size_t batch_cnt;
    uint64_t delivery_failures;  /* set by the delivery callback */
    bool fatal;                  /* producing failed for good */
    struct worker_stats stats;
    int64_t next_progress_ms;
};

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *msg, void *opaque)
{
    (void)rk;
    struct worker *w = opaque;
    if (msg->err) {
        w->delivery_failures++;
        rf_error(COMPONENT, "delivery to '%s' failed: %s", rd_kafka_topic_name(msg->rkt),
                 rd_kafka_err2str(msg->err));
    }
}

static rd_kafka_t *make_producer(struct worker *w, char *errstr, size_t errstr_size)
{
    return rf_kafka_producer_new(w->cfg, w, on_delivery, errstr, errstr_size);
}

struct worker *worker_new(const struct rf_config *cfg, const struct rules *rules, char *errstr,
                          size_t errstr_size)
{
    struct worker *w = calloc(1, sizeof(*w));
    if (!w) {
        snprintf(errstr, errstr_size, "out of memory");
        return NULL;
    }
    w->cfg = cfg;
    w->batch = calloc((size_t)cfg->worker_batch, sizeof(*w->batch));
    if (!w->batch || extractor_init(&w->ex, rules) != 0) {
        snprintf(errstr, errstr_size, "out of memory");
        worker_free(w);
        return NULL;
    }
    w->extractor_ready = true;
    w->producer = make_producer(w, errstr, errstr_size);
    if (w->producer) {
        const char *const topics[] = {cfg->topic_events, cfg->topic_dlq};
        rf_kafka_warm_topics(w->producer, topics, 2, 5000);
    }
    const char *const raw[] = {cfg->topic_raw};
    w->consumer = w->producer ? rf_kafka_group_consumer_new(cfg, cfg->worker_group, raw, 1, errstr,
                                                            errstr_size)
                              : NULL;
    if (!w->consumer) {
        worker_free(w);
        return NULL;
    }
    return w;
}

/* Produce, waiting while the local queue is full. Takes @p value (malloc'd) and @p hdrs. */
static int produce(struct worker *w, const char *topic, const void *key, size_t key_len,
                   char *value, size_t value_len, rd_kafka_headers_t *hdrs)
{
    for (;;) {
        rd_kafka_resp_err_t err = rd_kafka_producev(
            w->producer, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_KEY(key, key_len),
            RD_KAFKA_V_VALUE(value, value_len), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_FREE),
            RD_KAFKA_V_HEADERS(hdrs), RD_KAFKA_V_END);
        if (!err) {
            return 0;
        }
        if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
            rd_kafka_poll(w->producer, 100);
            continue;
        }
        rf_error(COMPONENT, "cannot produce to '%s': %s", topic, rd_kafka_err2str(err));
        free(value);
        rd_kafka_headers_destroy(hdrs);
        return -1;
    }
}

static int send_to_dlq(struct worker *w, const rd_kafka_message_t *m, const char *file_name,
                       const char *code, const char *why)
{
    char key[RF_SHA256_HEX_LEN + 1];
    if (rf_sha256_hex(m->payload, m->len, key) != 0) {
        rf_error(COMPONENT, "cannot hash a record for the dead-letter topic: libcrypto failed");
        return -1;
    }
    rd_kafka_headers_t *hdrs = rd_kafka_headers_new(5);
    rd_kafka_header_add(hdrs, RF_HDR_STAGE, -1, "extract", -1);
    rd_kafka_header_add(hdrs, RF_HDR_ERROR_CODE, -1, code, -1);
    rd_kafka_header_add(hdrs, RF_HDR_ERROR_TEXT, -1, why, -1);
    rd_kafka_header_add(hdrs, RF_HDR_ATTEMPT, -1, "1", -1);
    rd_kafka_header_add(hdrs, RF_HDR_FILE_NAME, -1, file_name, -1);
    char *copy = malloc(m->len ? m->len : 1);
    if (!copy) {
        rd_kafka_headers_destroy(hdrs);
        return -1;
    }
    if (m->len) {
        memcpy(copy, m->payload, m->len);
    }
    rf_warn(COMPONENT, "'%s' (partition %d offset %lld) to dead-letter topic: %s: %s", file_name,
            m->partition, (long long)m->offset, code, why);
    w->stats.rejected++;
    return produce(w, w->cfg->topic_dlq, key, RF_SHA256_HEX_LEN, copy, m->len, hdrs);
}

/* Extract one raw record and produce its output. @returns -1 only when producing failed. */
static int handle_record(struct worker *w, const rd_kafka_message_t *m)
{
    char file_name[512], mtime[64], dropped[64], produced[40] = "", errstr[512];
    rf_kafka_header_get(m, RF_HDR_FILE_NAME, file_name, sizeof(file_name));
    rf_kafka_header_get(m, RF_HDR_FILE_MTIME, mtime, sizeof(mtime));
    rf_kafka_header_get(m, RF_HDR_DROPPED_AT, dropped, sizeof(dropped));
    rd_kafka_timestamp_type_t tstype;
    int64_t ts = rd_kafka_message_timestamp(m, &tstype);
    if (ts > 0) {
        rf_clock_format(ts, produced, sizeof(produced));
    }
    struct source_info src = {file_name,          (long long)m->len, mtime[0] ? mtime : NULL,
                              dropped[0] ? dropped : NULL, produced[0] ? produced : NULL,
                              rd_kafka_topic_name(m->rkt), m->partition, (long long)m->offset};
    json_t *env = NULL;
    const char *reason = NULL;
    w->stats.consumed++;
    w->stats.bytes += m->len;
    enum extract_status st =
        extractor_run(&w->ex, m->payload ? m->payload : "", m->len, &src, &env, &reason, errstr,
                      sizeof(errstr));
    if (st == EXTRACT_NOMEM) {
        return send_to_dlq(w, m, file_name, "out-of-memory", "extraction ran out of memory");
    }
    if (st == EXTRACT_REJECT) {
        return send_to_dlq(w, m, file_name, reason, errstr);
    }
    char *text = json_dumps(env, JSON_COMPACT);
    const char *doc_id = json_string_value(json_object_get(env, "doc_id"));
    char key[RF_SHA256_HEX_LEN + 1];
    snprintf(key, sizeof(key), "%s", doc_id ? doc_id : "");
    json_decref(env);
    if (!text) {
        return send_to_dlq(w, m, file_name, "out-of-memory", "cannot serialise the envelope");
    }
    w->stats.extracted++;
    return produce(w, w->cfg->topic_events, key, strlen(key), text, strlen(text), NULL);
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

/* Wait for every output of the batch, then store the raw offsets (committed by auto-commit). */
static int settle_batch(struct worker *w)
{
    w->fatal |= rf_kafka_fatal(w->producer) || rf_kafka_fatal(w->consumer);
    while (rd_kafka_outq_len(w->producer) > 0 && !w->fatal && !rf_run_hurry()) {
        rd_kafka_flush(w->producer, 500);
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
    }
    w->batch_cnt = 0;
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
            if (handle_record(w, m) != 0) {
                w->fatal = true;
                break;
            }
        }
        if ((!m && w->batch_cnt > 0) || w->batch_cnt == (size_t)w->cfg->worker_batch) {
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
    free(w);
}
