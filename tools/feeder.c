/* feeder.c - raw records onto a reprocess's work topic. */
#include "feeder.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cluster.h"
#include "reportflow/headers.h"
#include "reportflow/jobs.h"
#include "reportflow/kafka.h"
#include "reportflow/log.h"
#include "reportflow/strset.h"
#include "reportflow/topics.h"

#define COMPONENT "reprocess"
/* Farther than this ahead, seek rather than read through the records between. */
#define SEEK_GAP 1000
/* A partition that yields nothing for this long ends the run (Kafka unreachable): a record
   not read is not a record missing, so nothing may be dead-lettered as raw-missing for it. */
#define READ_IDLE_MS 30000
#define ADMIN_TIMEOUT_MS 30000

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
    (void)rk;
    struct feeder *f = opaque;
    f->outstanding--;
    if (m->err && strcmp(rd_kafka_topic_name(m->rkt), f->status_topic) == 0) {
        /* progress others cannot see is no reason to stop the work */
        rf_warn(COMPONENT, "could not publish the run's status to '%s': %s", f->status_topic,
                rd_kafka_err2str(m->err));
    } else if (m->err) {
        f->failed++;
        rf_error(COMPONENT, "could not write to '%s': %s", rd_kafka_topic_name(m->rkt),
                 rd_kafka_err2str(m->err));
    }
}

static rd_kafka_t *reader_new(const struct rf_config *cfg, char *errstr, size_t errstr_size)
{
    char fetch[24];
    snprintf(fetch, sizeof(fetch), "%lld", rf_topics_largest_record_bytes(cfg));
    /* key, value pairs: */
    /* clang-format off */
    const char *const defaults[] = {
        "group.id", "reportflow-reprocess-reader", /* assign() only: it joins and commits nothing */
        "enable.auto.commit", "false",
        "enable.partition.eof", "true",
        "max.partition.fetch.bytes", fetch,
        "queued.max.messages.kbytes", "65536", /* what it reads ahead, in bytes */
        NULL};
    /* clang-format on */
    rd_kafka_conf_t *conf = rf_kafka_conf_new(cfg, defaults, errstr, errstr_size);
    if (!conf) {
        return NULL;
    }
    rd_kafka_conf_set_error_cb(conf, rf_kafka_error_cb);
    return rf_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, errstr_size);
}

int feeder_open(struct feeder *f, const struct rf_config *cfg, const char *work_topic, char *errstr,
                size_t errstr_size)
{
    memset(f, 0, sizeof(*f));
    f->cfg = cfg;
    snprintf(f->work_topic, sizeof(f->work_topic), "%s", work_topic);
    rf_jobs_status_topic(cfg, f->status_topic, sizeof(f->status_topic));
    f->reader = reader_new(cfg, errstr, errstr_size);
    f->producer =
        f->reader ? rf_kafka_producer_new(cfg, f, on_delivery, errstr, errstr_size) : NULL;
    f->cluster = f->producer ? cluster_new(cfg, errstr, errstr_size) : NULL;
    if (!f->cluster) {
        feeder_close(f);
        return -1;
    }
    return 0;
}

void feeder_close(struct feeder *f)
{
    if (f->producer) {
        rd_kafka_flush(f->producer, 10000);
        rd_kafka_destroy(f->producer);
    }
    if (f->reader) {
        rd_kafka_consumer_close(f->reader);
        rd_kafka_destroy(f->reader);
    }
    if (f->cluster) {
        cluster_free(f->cluster);
    }
    f->producer = f->reader = NULL;
    f->cluster = NULL;
}

/* The one result event of an admin call on @p q, or NULL with @p errstr. */
static rd_kafka_event_t *admin_result(rd_kafka_queue_t *q, const char *what, char *errstr,
                                      size_t errstr_size)
{
    rd_kafka_event_t *ev = rd_kafka_queue_poll(q, ADMIN_TIMEOUT_MS + 1000);
    if (!ev) {
        snprintf(errstr, errstr_size, "%s: no answer from Kafka", what);
    } else if (rd_kafka_event_error(ev)) {
        snprintf(errstr, errstr_size, "%s: %s", what, rd_kafka_event_error_string(ev));
        rd_kafka_event_destroy(ev);
        ev = NULL;
    }
    return ev;
}

int feeder_create_work_topic(struct feeder *f, char *errstr, size_t errstr_size)
{
    /* the raw topic's spec under the work topic's name: created (and checked) as the raw
       topic it stands in for, since the workers check it as such; a finished run deletes
       it, a crashed one leaves it to the next run of the rule set */
    struct rf_config work = *f->cfg;
    work.topic_raw = f->work_topic;
    const enum rf_topic_role raw = RF_TOPIC_RAW;
    enum rf_topics_result r =
        rf_topics_ensure(f->producer, &work, &raw, 1, true, ADMIN_TIMEOUT_MS, errstr, errstr_size);
    if (r == RF_TOPICS_UNCHECKED) {
        rf_warn(COMPONENT, "work topic '%s' not checked: %s", f->work_topic, errstr);
    }
    return r == RF_TOPICS_UNUSABLE ? -1 : 0;
}

int feeder_delete_work_topic(struct feeder *f, char *errstr, size_t errstr_size)
{
    rd_kafka_DeleteTopic_t *t = rd_kafka_DeleteTopic_new(f->work_topic);
    rd_kafka_queue_t *q = rd_kafka_queue_new(f->producer);
    rd_kafka_DeleteTopics(f->producer, &t, 1, NULL, q);
    rd_kafka_event_t *ev = admin_result(q, "deleting the work topic", errstr, errstr_size);
    int rc = -1;
    if (ev) {
        size_t n = 0;
        const rd_kafka_topic_result_t **res =
            rd_kafka_DeleteTopics_result_topics(rd_kafka_event_DeleteTopics_result(ev), &n);
        rc = n == 1 && rd_kafka_topic_result_error(res[0]) ? -1 : 0;
        if (rc != 0) {
            snprintf(errstr, errstr_size, "cannot delete topic '%s': %s", f->work_topic,
                     rd_kafka_topic_result_error_string(res[0]));
        }
        rd_kafka_event_destroy(ev);
    }
    rd_kafka_queue_destroy(q);
    rd_kafka_DeleteTopic_destroy(t);
    return rc;
}

/* The status topic as a NewTopic: one partition, compacted by job, cleaned within hours. */
static rd_kafka_NewTopic_t *status_topic_spec(const struct feeder *f, char *errstr,
                                              size_t errstr_size)
{
    char isr[16];
    snprintf(isr, sizeof(isr), "%lld", (long long)f->cfg->topic_min_insync_replicas);
    rd_kafka_NewTopic_t *t = rd_kafka_NewTopic_new(
        f->status_topic, 1, (int)f->cfg->topic_replication_factor, errstr, errstr_size);
    const char *const set[][2] = {
        {"cleanup.policy", "compact"}, {"segment.ms", "3600000"}, {"min.insync.replicas", isr}};
    for (size_t i = 0; t && i < sizeof(set) / sizeof(set[0]); i++) {
        if (rd_kafka_NewTopic_set_config(t, set[i][0], set[i][1])) {
            snprintf(errstr, errstr_size, "cannot set %s=%s", set[i][0], set[i][1]);
            rd_kafka_NewTopic_destroy(t);
            t = NULL;
        }
    }
    return t;
}

int feeder_create_status_topic(struct feeder *f, char *errstr, size_t errstr_size)
{
    rd_kafka_NewTopic_t *t = status_topic_spec(f, errstr, errstr_size);
    if (!t) {
        return -1;
    }
    rd_kafka_queue_t *q = rd_kafka_queue_new(f->producer);
    rd_kafka_CreateTopics(f->producer, &t, 1, NULL, q);
    rd_kafka_event_t *ev = admin_result(q, "creating the status topic", errstr, errstr_size);
    int rc = ev ? 0 : -1;
    if (ev) {
        size_t n = 0;
        const rd_kafka_topic_result_t **res =
            rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(ev), &n);
        rd_kafka_resp_err_t err = n == 1 ? rd_kafka_topic_result_error(res[0]) : 0;
        if (err && err != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
            snprintf(errstr, errstr_size, "cannot create topic '%s': %s", f->status_topic,
                     rd_kafka_topic_result_error_string(res[0]));
            rc = -1;
        }
        rd_kafka_event_destroy(ev);
    }
    rd_kafka_queue_destroy(q);
    rd_kafka_NewTopic_destroy(t);
    return rc;
}

/* Produce one record (value copied), waiting while librdkafka's queue is full. */
static int produce(struct feeder *f, const char *topic, const char *key, const void *value,
                   size_t len, rd_kafka_headers_t *hdrs, char *errstr, size_t errstr_size)
{
    for (;;) {
        rd_kafka_resp_err_t err = rd_kafka_producev(
            f->producer, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_KEY(key, strlen(key)),
            RD_KAFKA_V_VALUE((void *)value, len), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
            RD_KAFKA_V_HEADERS(hdrs), RD_KAFKA_V_END);
        if (!err) {
            f->outstanding++;
            return 0;
        }
        if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
            snprintf(errstr, errstr_size, "cannot produce to '%s': %s", topic,
                     rd_kafka_err2str(err));
            rd_kafka_headers_destroy(hdrs);
            return -1;
        }
        rd_kafka_poll(f->producer, 100);
    }
}

int feeder_publish_status(struct feeder *f, const struct rf_job_status *status)
{
    char *json = rf_jobs_status_encode(status);
    if (!json) {
        return -1;
    }
    /* never waits: a status that does not fit in the queue is superseded by the next */
    rd_kafka_resp_err_t err = rd_kafka_producev(
        f->producer, RD_KAFKA_V_TOPIC(f->status_topic),
        RD_KAFKA_V_KEY(status->key, strlen(status->key)), RD_KAFKA_V_VALUE(json, strlen(json)),
        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_FREE), RD_KAFKA_V_END);
    if (err) {
        free(json);
        return -1;
    }
    f->outstanding++;
    return 0;
}

/* Copy raw record @p m onto the work topic, with the origin header. */
static int forward(struct feeder *f, const rd_kafka_message_t *m, const char *doc_id, char *errstr,
                   size_t errstr_size)
{
    rd_kafka_headers_t *have = NULL;
    rd_kafka_headers_t *hdrs = rd_kafka_message_headers(m, &have) == RD_KAFKA_RESP_ERR_NO_ERROR
                                   ? rd_kafka_headers_copy(have)
                                   : rd_kafka_headers_new(1);
    char origin[320];
    snprintf(origin, sizeof(origin), "%s:%" PRId32 ":%" PRId64, rd_kafka_topic_name(m->rkt),
             m->partition, m->offset);
    rd_kafka_header_add(hdrs, RF_HDR_ORIGIN, -1, origin, -1);
    return produce(f, f->work_topic, doc_id, m->payload, m->len, hdrs, errstr, errstr_size);
}

/* Read partition @p p of the raw topic from @p from on. */
static int assign_at(struct feeder *f, int p, long long from, char *errstr, size_t errstr_size)
{
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(l, f->cfg->topic_raw, p)->offset = from;
    rd_kafka_resp_err_t err = rd_kafka_assign(f->reader, l);
    rd_kafka_topic_partition_list_destroy(l);
    if (err) {
        snprintf(errstr, errstr_size, "cannot read %s [%d]: %s", f->cfg->topic_raw, p,
                 rd_kafka_err2str(err));
        return -1;
    }
    return 0;
}

/*
 * The next unfound document of [docs, docs + cnt) at an offset above @p after;
 * @p missed is set when one at or below it is still unfound (compacted away: its
 * latest record, if any, lies further on, so no seeking past it).
 */
static size_t next_wanted(const struct backlog_doc *docs, size_t cnt, const bool *found,
                          long long after, bool *missed)
{
    *missed = false;
    for (size_t i = 0; i < cnt; i++) {
        if (found[i]) {
            continue;
        }
        if (docs[i].offset <= after) {
            *missed = true;
            continue;
        }
        return i;
    }
    return cnt;
}

/* Mark and forward the document of @p m's key, if it is one of those wanted. */
static int take(struct feeder *f, const rd_kafka_message_t *m, const struct backlog_doc *docs,
                size_t cnt, bool *found, struct rf_strset *wanted, char *errstr, size_t errstr_size)
{
    char key[65];
    if (!m->key || m->key_len != 64) {
        return 0;
    }
    memcpy(key, m->key, 64);
    key[64] = '\0';
    if (!rf_strset_remove(wanted, key)) {
        return 0;
    }
    for (size_t i = 0; i < cnt; i++) {
        if (!found[i] && strcmp(docs[i].doc_id, key) == 0) {
            found[i] = true;
        }
    }
    return forward(f, m, key, errstr, errstr_size);
}

/* Find the records of @p docs, all of partition @p p, by reading it forward. */
static int copy_partition(struct feeder *f, int p, const struct backlog_doc *docs, size_t cnt,
                          bool *found, char *errstr, size_t errstr_size)
{
    int64_t low = 0, high = 0;
    char why[256];
    if (cluster_watermarks(f->cluster, f->cfg->topic_raw, p, &low, &high, why, sizeof(why)) != 0) {
        snprintf(errstr, errstr_size, "%s", why);
        return -1;
    }
    struct rf_strset wanted;
    rf_strset_init(&wanted);
    int rc = 0;
    for (size_t i = 0; i < cnt && rc == 0; i++) {
        rc = rf_strset_add(&wanted, docs[i].doc_id) < 0 ? -1 : 0;
    }
    long long at = docs[0].offset > low ? docs[0].offset : low;
    rc = rc == 0 && at < high ? assign_at(f, p, at, errstr, errstr_size) : rc;
    int idle_ms = 0;
    while (rc == 0 && at < high && wanted.used > 0 && idle_ms < READ_IDLE_MS) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(f->reader, 100);
        idle_ms = m ? 0 : idle_ms + 100;
        rd_kafka_poll(f->producer, 0);
        if (!m) {
            continue;
        }
        if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
            at = high;
        } else if (m->err) {
            rf_warn(COMPONENT, "reading %s [%d]: %s", f->cfg->topic_raw, p,
                    rd_kafka_message_errstr(m));
        } else {
            f->scanned++;
            at = m->offset + 1;
            rc = take(f, m, docs, cnt, found, &wanted, errstr, errstr_size);
            bool missed;
            size_t next = next_wanted(docs, cnt, found, m->offset, &missed);
            if (rc == 0 && !missed && next < cnt && docs[next].offset > at + SEEK_GAP) {
                at = docs[next].offset;
                rc = assign_at(f, p, at, errstr, errstr_size);
            }
        }
        rd_kafka_message_destroy(m);
    }
    if (rc == 0 && idle_ms >= READ_IDLE_MS) {
        snprintf(errstr, errstr_size,
                 "%s [%d]: nothing read for %d s below its end (%lld): is Kafka reachable?",
                 f->cfg->topic_raw, p, READ_IDLE_MS / 1000, (long long)high);
        rc = -1;
    }
    rf_strset_release(&wanted);
    return rc;
}

int feeder_copy(struct feeder *f, const struct backlog_doc *docs, size_t cnt, bool *found,
                char *errstr, size_t errstr_size)
{
    memset(found, 0, cnt * sizeof(*found));
    size_t i = 0;
    while (i < cnt) {
        size_t end = i + 1;
        while (end < cnt && docs[end].partition == docs[i].partition) {
            end++;
        }
        bool ours = strcmp(docs[i].topic, f->cfg->topic_raw) == 0 && docs[i].partition >= 0;
        if (ours && copy_partition(f, docs[i].partition, docs + i, end - i, found + i, errstr,
                                   errstr_size) != 0) {
            return -1;
        }
        i = end;
    }
    rd_kafka_assign(f->reader, NULL);
    return 0;
}

int feeder_redrive(struct feeder *f, const struct backlog_letter *l, char *errstr,
                   size_t errstr_size)
{
    rd_kafka_headers_t *hdrs = rd_kafka_headers_new(1);
    rd_kafka_header_add(hdrs, RF_HDR_FILE_NAME, -1, l->file_name, -1);
    return produce(f, f->work_topic, l->doc_id, l->payload, l->len, hdrs, errstr, errstr_size);
}

int feeder_dead_letter(struct feeder *f, const char *doc_id, const char *code, const char *text,
                       char *errstr, size_t errstr_size)
{
    rd_kafka_headers_t *hdrs = rd_kafka_headers_new(4);
    rd_kafka_header_add(hdrs, RF_HDR_STAGE, -1, "reprocess", -1);
    rd_kafka_header_add(hdrs, RF_HDR_ERROR_CODE, -1, code, -1);
    rd_kafka_header_add(hdrs, RF_HDR_ERROR_TEXT, -1, text, -1);
    rd_kafka_header_add(hdrs, RF_HDR_ATTEMPT, -1, "1", -1);
    return produce(f, f->cfg->topic_dlq, doc_id, "", 0, hdrs, errstr, errstr_size);
}

long long feeder_poll(struct feeder *f, int ms)
{
    rd_kafka_poll(f->producer, ms);
    return f->outstanding;
}

int feeder_group_members(struct feeder *f, const char *group)
{
    struct cluster_group_info info;
    char why[512];
    int members = -1;
    if (cluster_describe_group(f->cluster, group, &info, why, sizeof(why)) == 0) {
        members = info.members;
    } else {
        rf_debug(COMPONENT, "members of %s unknown: %s", group, why);
    }
    cluster_group_info_release(&info);
    return members;
}

/* What @p group has yet to consume of @p topic; -1 when Kafka did not say. */
static long long group_lag(struct feeder *f, const char *group, const char *topic)
{
    char why[256] = "";
    rd_kafka_topic_partition_list_t *parts = rd_kafka_topic_partition_list_new(16);
    rd_kafka_topic_partition_list_t *committed = NULL;
    long long lag = -1;
    if (cluster_partitions(f->cluster, topic, parts, why, sizeof(why)) == 0 &&
        (committed = cluster_committed(f->cluster, group, parts, why, sizeof(why))) != NULL) {
        lag = 0;
        for (int i = 0; i < committed->cnt && lag >= 0; i++) {
            int64_t end, part_lag;
            const rd_kafka_topic_partition_t *c = &committed->elems[i];
            if (cluster_partition_lag(f->cluster, topic, c->partition, c->offset, &end, &part_lag,
                                      why, sizeof(why)) != 0) {
                lag = -1;
                break;
            }
            lag += part_lag;
        }
    }
    if (lag < 0) {
        rf_debug(COMPONENT, "live lag of %s unknown: %s", group, why);
    }
    rd_kafka_topic_partition_list_destroy(parts);
    if (committed) {
        rd_kafka_topic_partition_list_destroy(committed);
    }
    return lag;
}

long long feeder_live_lag(struct feeder *f)
{
    long long workers = group_lag(f, f->cfg->worker_group, f->cfg->topic_raw);
    long long sink = group_lag(f, f->cfg->sink_group, f->cfg->topic_events);
    return workers < 0 || sink < 0 ? -1 : workers + sink;
}
