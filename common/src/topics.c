/* topics.c - create reportflow's topics when missing and check them when present. */
#include "reportflow/topics.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reportflow/log.h"

#define COMPONENT "topics"

/* Room for record headers and the batch framing around the largest value we send. */
#define RECORD_OVERHEAD_BYTES (64 * 1024)

long long rf_topics_max_record_bytes(const struct rf_config *cfg, enum rf_topic_role role)
{
    switch (role) {
    case RF_TOPIC_EVENTS:
        return cfg->worker_max_envelope_bytes + RECORD_OVERHEAD_BYTES;
    case RF_TOPIC_RAW:
    case RF_TOPIC_DLQ: /* a dead letter carries the raw report it failed on */
    default:
        /* zstd cannot grow incompressible input by more than a few bytes per block */
        return cfg->max_file_bytes + cfg->max_file_bytes / 64 + RECORD_OVERHEAD_BYTES;
    }
}

long long rf_topics_largest_record_bytes(const struct rf_config *cfg)
{
    long long raw = rf_topics_max_record_bytes(cfg, RF_TOPIC_RAW);
    long long events = rf_topics_max_record_bytes(cfg, RF_TOPIC_EVENTS);
    return raw > events ? raw : events; /* the dead-letter topic is sized as the raw one */
}

struct rf_topic_spec rf_topics_spec(const struct rf_config *cfg, enum rf_topic_role role)
{
    struct rf_topic_spec s = {
        .replication_factor = (int)cfg->topic_replication_factor,
        .min_insync_replicas = (int)cfg->topic_min_insync_replicas,
        .max_message_bytes = rf_topics_max_record_bytes(cfg, role),
    };
    switch (role) {
    case RF_TOPIC_EVENTS:
        s.name = cfg->topic_events;
        s.partitions_key = "topic.events.partitions";
        s.partitions = (int)cfg->events_partitions;
        break;
    case RF_TOPIC_DLQ:
        s.name = cfg->topic_dlq;
        s.partitions_key = "topic.dlq.partitions";
        s.partitions = (int)cfg->dlq_partitions;
        break;
    case RF_TOPIC_RAW:
    default:
        s.name = cfg->topic_raw;
        s.partitions_key = "topic.raw.partitions";
        s.partitions = (int)cfg->raw_partitions;
        break;
    }
    return s;
}

/* Wait for the one result event of an admin call on @p queue; NULL after the timeout. */
static rd_kafka_event_t *await_result(rd_kafka_queue_t *queue, int timeout_ms)
{
    rd_kafka_event_t *ev = rd_kafka_queue_poll(queue, timeout_ms + 1000);
    if (ev && rd_kafka_event_error(ev)) {
        rf_warn(COMPONENT, "admin request failed: %s", rd_kafka_event_error_string(ev));
        rd_kafka_event_destroy(ev);
        return NULL;
    }
    return ev;
}

static rd_kafka_AdminOptions_t *admin_options(rd_kafka_t *rk, rd_kafka_admin_op_t op,
                                              int timeout_ms)
{
    rd_kafka_AdminOptions_t *opts = rd_kafka_AdminOptions_new(rk, op);
    char why[256];
    if (opts &&
        (rd_kafka_AdminOptions_set_request_timeout(opts, timeout_ms, why, sizeof(why)) ||
         (op == RD_KAFKA_ADMIN_OP_CREATETOPICS &&
          rd_kafka_AdminOptions_set_operation_timeout(opts, timeout_ms, why, sizeof(why))))) {
        rf_warn(COMPONENT, "admin options: %s", why);
    }
    return opts;
}

/* Partition count of @p name in @p md, 0 when the topic does not exist. */
static int partition_count(const struct rd_kafka_metadata *md, const char *name)
{
    for (int i = 0; i < md->topic_cnt; i++) {
        if (strcmp(md->topics[i].topic, name) == 0) {
            return md->topics[i].err ? 0 : md->topics[i].partition_cnt;
        }
    }
    return 0;
}

/* Create the topics of @p specs; an existing one (another program won the race) is fine. */
static enum rf_topics_result create_topics(rd_kafka_t *rk, const struct rf_topic_spec *specs,
                                           size_t cnt, int timeout_ms, char *errstr,
                                           size_t errstr_size)
{
    rd_kafka_NewTopic_t *topics[RF_TOPIC_ROLES] = {0};
    enum rf_topics_result result = RF_TOPICS_UNCHECKED;
    char why[512];
    char bytes[32], isr[16];
    for (size_t i = 0; i < cnt; i++) {
        topics[i] = rd_kafka_NewTopic_new(specs[i].name, specs[i].partitions,
                                          specs[i].replication_factor, why, sizeof(why));
        if (!topics[i]) {
            snprintf(errstr, errstr_size, "topic '%s': %s", specs[i].name, why);
            result = RF_TOPICS_UNUSABLE;
            goto out;
        }
        snprintf(bytes, sizeof(bytes), "%lld", specs[i].max_message_bytes);
        snprintf(isr, sizeof(isr), "%d", specs[i].min_insync_replicas);
        if (rd_kafka_NewTopic_set_config(topics[i], "max.message.bytes", bytes) ||
            rd_kafka_NewTopic_set_config(topics[i], "min.insync.replicas", isr)) {
            snprintf(errstr, errstr_size, "topic '%s': cannot set its configs", specs[i].name);
            result = RF_TOPICS_UNUSABLE;
            goto out;
        }
    }
    rd_kafka_queue_t *queue = rd_kafka_queue_new(rk);
    rd_kafka_AdminOptions_t *opts = admin_options(rk, RD_KAFKA_ADMIN_OP_CREATETOPICS, timeout_ms);
    rd_kafka_CreateTopics(rk, topics, cnt, opts, queue);
    rd_kafka_event_t *ev = await_result(queue, timeout_ms);
    if (ev) {
        size_t n = 0;
        const rd_kafka_topic_result_t **res =
            rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(ev), &n);
        result = RF_TOPICS_OK;
        for (size_t i = 0; i < n; i++) {
            rd_kafka_resp_err_t err = rd_kafka_topic_result_error(res[i]);
            const char *name = rd_kafka_topic_result_name(res[i]);
            if (err == RD_KAFKA_RESP_ERR_NO_ERROR) {
                rf_info(COMPONENT, "created topic '%s'", name);
            } else if (err != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
                snprintf(errstr, errstr_size, "cannot create topic '%s': %s", name,
                         rd_kafka_topic_result_error_string(res[i]));
                result = err == RD_KAFKA_RESP_ERR_INVALID_REPLICATION_FACTOR ||
                                 err == RD_KAFKA_RESP_ERR_POLICY_VIOLATION ||
                                 err == RD_KAFKA_RESP_ERR_INVALID_CONFIG
                             ? RF_TOPICS_UNUSABLE
                             : RF_TOPICS_UNCHECKED;
            }
        }
        rd_kafka_event_destroy(ev);
    }
    rd_kafka_AdminOptions_destroy(opts);
    rd_kafka_queue_destroy(queue);
out:
    for (size_t i = 0; i < cnt; i++) {
        if (topics[i]) {
            rd_kafka_NewTopic_destroy(topics[i]);
        }
    }
    return result;
}

/* max.message.bytes of @p name as the broker reports it; -1 when it cannot tell. */
static long long topic_max_message_bytes(rd_kafka_t *rk, const char *name, int timeout_ms)
{
    long long value = -1;
    rd_kafka_ConfigResource_t *res = rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, name);
    rd_kafka_queue_t *queue = rd_kafka_queue_new(rk);
    rd_kafka_AdminOptions_t *opts =
        admin_options(rk, RD_KAFKA_ADMIN_OP_DESCRIBECONFIGS, timeout_ms);
    rd_kafka_DescribeConfigs(rk, &res, 1, opts, queue);
    rd_kafka_event_t *ev = await_result(queue, timeout_ms);
    if (ev) {
        size_t n = 0;
        const rd_kafka_ConfigResource_t **out = rd_kafka_DescribeConfigs_result_resources(
            rd_kafka_event_DescribeConfigs_result(ev), &n);
        for (size_t i = 0; i < n && value < 0; i++) {
            if (rd_kafka_ConfigResource_error(out[i])) {
                continue;
            }
            size_t entry_cnt = 0;
            const rd_kafka_ConfigEntry_t **entries =
                rd_kafka_ConfigResource_configs(out[i], &entry_cnt);
            for (size_t j = 0; j < entry_cnt; j++) {
                const char *v = rd_kafka_ConfigEntry_value(entries[j]);
                if (v && strcmp(rd_kafka_ConfigEntry_name(entries[j]), "max.message.bytes") == 0) {
                    value = strtoll(v, NULL, 10);
                    break;
                }
            }
        }
        rd_kafka_event_destroy(ev);
    }
    rd_kafka_AdminOptions_destroy(opts);
    rd_kafka_queue_destroy(queue);
    rd_kafka_ConfigResource_destroy(res);
    return value;
}

/* Check one existing topic against its spec. */
static enum rf_topics_result check_topic(rd_kafka_t *rk, const struct rf_topic_spec *spec,
                                         int partitions, int timeout_ms, char *errstr,
                                         size_t errstr_size)
{
    if (partitions < spec->partitions) {
        snprintf(errstr, errstr_size,
                 "topic '%s' has %d partition(s) but %s=%d: add partitions "
                 "(kafka-topics --alter --partitions %d) or lower the setting",
                 spec->name, partitions, spec->partitions_key, spec->partitions, spec->partitions);
        return RF_TOPICS_UNUSABLE;
    }
    long long max = topic_max_message_bytes(rk, spec->name, timeout_ms);
    if (max < 0) {
        return RF_TOPICS_UNCHECKED;
    }
    if (max < spec->max_message_bytes) {
        snprintf(errstr, errstr_size,
                 "topic '%s' has max.message.bytes=%lld, below the %lld bytes reportflow may send "
                 "to it (producer.max_file_bytes / worker.max_envelope_bytes): raise it "
                 "(kafka-configs --alter --add-config max.message.bytes=%lld) or lower the setting",
                 spec->name, max, spec->max_message_bytes, spec->max_message_bytes);
        return RF_TOPICS_UNUSABLE;
    }
    return RF_TOPICS_OK;
}

static enum rf_topics_result worse(enum rf_topics_result a, enum rf_topics_result b)
{
    return a > b ? a : b;
}

enum rf_topics_result rf_topics_ensure(rd_kafka_t *rk, const struct rf_config *cfg,
                                       const enum rf_topic_role *roles, size_t role_cnt,
                                       bool create, int timeout_ms, char *errstr,
                                       size_t errstr_size)
{
    const struct rd_kafka_metadata *md = NULL;
    rd_kafka_resp_err_t err = rd_kafka_metadata(rk, 1, NULL, &md, timeout_ms);
    if (err) {
        snprintf(errstr, errstr_size, "cannot read the cluster's topics: %s",
                 rd_kafka_err2str(err));
        return RF_TOPICS_UNCHECKED;
    }
    struct rf_topic_spec missing[RF_TOPIC_ROLES];
    size_t missing_cnt = 0;
    enum rf_topics_result result = RF_TOPICS_OK;
    for (size_t i = 0; i < role_cnt && result != RF_TOPICS_UNUSABLE; i++) {
        struct rf_topic_spec spec = rf_topics_spec(cfg, roles[i]);
        int partitions = partition_count(md, spec.name);
        if (partitions == 0) {
            missing[missing_cnt++] = spec;
        } else {
            result =
                worse(result, check_topic(rk, &spec, partitions, timeout_ms, errstr, errstr_size));
        }
    }
    rd_kafka_metadata_destroy(md);
    if (result == RF_TOPICS_UNUSABLE || missing_cnt == 0) {
        return result;
    }
    if (!create) {
        snprintf(errstr, errstr_size, "topic '%s' does not exist (run reportflow-topics)",
                 missing[0].name);
        return RF_TOPICS_UNUSABLE;
    }
    return worse(result, create_topics(rk, missing, missing_cnt, timeout_ms, errstr, errstr_size));
}
