/* kafka.c - librdkafka client set-up from a reportflow configuration. */
#include "reportflow/kafka.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reportflow/fs.h"
#include "reportflow/log.h"
#include "reportflow/utf8.h"
#include "reportflow/run.h"
#include "reportflow/secret.h"
#include "reportflow/topics.h"

static void route_kafka_log(const rd_kafka_t *rk, int level, const char *facility, const char *buf)
{
    (void)rk;
    enum rf_log_level ours = level <= 3   ? RF_LOG_ERROR
                             : level == 4 ? RF_LOG_WARN
                             : level <= 6 ? RF_LOG_INFO
                                          : RF_LOG_DEBUG;
    RF_LOG(ours, "kafka", "%s: %s", facility, buf);
}

void rf_kafka_conf_route_logs(rd_kafka_conf_t *conf)
{
    rd_kafka_conf_set_log_cb(conf, route_kafka_log);
}

static int conf_set(rd_kafka_conf_t *conf, const char *key, const char *value, char *errstr,
                    size_t errstr_size)
{
    char why[512];
    if (rd_kafka_conf_set(conf, key, value, why, sizeof(why)) != RD_KAFKA_CONF_OK) {
        /* the message is logged: never with a secret in it (librdkafka may quote the value) */
        char *shown = rf_secret_mask(key, value);
        bool quoted = *value && strstr(why, value) && (!shown || strcmp(shown, value) != 0);
        snprintf(errstr, errstr_size, "bad librdkafka property 'kafka.%s=%s': %s", key,
                 shown ? shown : "***", quoted ? "librdkafka refused the value" : why);
        free(shown);
        return -1;
    }
    return 0;
}

static int bootstrap_from_file(rd_kafka_conf_t *conf, const char *path, char *errstr,
                               size_t errstr_size)
{
    char *data = NULL;
    size_t len = 0;
    char why[512];
    if (rf_fs_read_file(path, 4096, &data, &len, why, sizeof(why)) != RF_READ_OK) {
        snprintf(errstr, errstr_size, "broker.address_file: %s (is reportflow-broker running?)",
                 why);
        return -1;
    }
    while (len > 0 && (data[len - 1] == '\n' || data[len - 1] == ' ')) {
        data[--len] = '\0';
    }
    int rc = conf_set(conf, "bootstrap.servers", data, errstr, errstr_size);
    free(data);
    return rc;
}

rd_kafka_conf_t *rf_kafka_conf_new(const struct rf_config *cfg, const char *const *defaults,
                                   char *errstr, size_t errstr_size)
{
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rf_kafka_conf_route_logs(conf);
    /* the CLIENT-ID an operator sees in kafka-consumer-groups and reportflow-lag */
    char client_id[64];
    snprintf(client_id, sizeof(client_id), "reportflow-%s",
             rf_log_program()[0] ? rf_log_program() : "client");
    if (conf_set(conf, "client.id", client_id, errstr, errstr_size) != 0) {
        goto out_fail;
    }
    /* A request to a broker whose host went silent (no reset, no answer) is given up, and sent
       again where the partition now lives, after this long: with librdkafka's 60 s, the producer
       held 91 files in flight for a minute when a node's host was cut off (9003-multihost).
       30 s, Kafka's own clients' request timeout, carries a 64 MiB report at 18 Mbit/s: on
       slower links raise kafka.socket.timeout.ms (README, "Deploying on several hosts"). */
    if (conf_set(conf, "socket.timeout.ms", "30000", errstr, errstr_size) != 0) {
        goto out_fail;
    }
    for (size_t i = 0; defaults && defaults[i]; i += 2) {
        if (conf_set(conf, defaults[i], defaults[i + 1], errstr, errstr_size) != 0) {
            goto out_fail;
        }
    }
    if (!rf_config_kafka_get(cfg, "bootstrap.servers") && cfg->broker_address_file[0] &&
        bootstrap_from_file(conf, cfg->broker_address_file, errstr, errstr_size) != 0) {
        goto out_fail;
    }
    for (size_t i = 0; i < cfg->kafka_cnt; i++) {
        if (conf_set(conf, cfg->kafka[i].key, cfg->kafka[i].value, errstr, errstr_size) != 0) {
            goto out_fail;
        }
    }
    return conf;
out_fail:
    rd_kafka_conf_destroy(conf);
    return NULL;
}

rd_kafka_t *rf_kafka_new(rd_kafka_type_t type, rd_kafka_conf_t *conf, char *errstr,
                         size_t errstr_size)
{
    rd_kafka_t *rk = rd_kafka_new(type, conf, errstr, errstr_size);
    if (!rk) {
        rd_kafka_conf_destroy(conf); /* rd_kafka_new() only takes conf on success */
    }
    return rk;
}

void rf_kafka_header_get(const rd_kafka_message_t *msg, const char *name, char *out,
                         size_t out_size)
{
    rd_kafka_headers_t *hdrs = NULL;
    const void *value = NULL;
    size_t size = 0;
    out[0] = '\0';
    if (rd_kafka_message_headers(msg, &hdrs) != RD_KAFKA_RESP_ERR_NO_ERROR ||
        rd_kafka_header_get_last(hdrs, name, &value, &size) != RD_KAFKA_RESP_ERR_NO_ERROR ||
        !value) {
        return;
    }
    /* a NUL ends the value; bytes that are not UTF-8 (a GBK file name) become U+FFFD */
    rf_utf8_lossy(value, strnlen(value, size), out, out_size);
}

void rf_kafka_warm_topics(rd_kafka_t *rk, const char *const *topics, size_t cnt, int timeout_ms)
{
    for (size_t i = 0; i < cnt; i++) {
        rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, topics[i], NULL);
        if (!rkt) {
            rf_warn("kafka", "cannot create a handle for topic '%s': %s", topics[i],
                    rd_kafka_err2str(rd_kafka_last_error()));
            continue;
        }
        const struct rd_kafka_metadata *md = NULL;
        rd_kafka_resp_err_t err = rd_kafka_metadata(rk, 0, rkt, &md, timeout_ms);
        if (err) {
            rf_warn("kafka", "no metadata for topic '%s' yet (%s): messages wait for the broker",
                    topics[i], rd_kafka_err2str(err));
        } else {
            if (md->topic_cnt == 1 && md->topics[0].err) {
                rf_warn("kafka", "topic '%s': %s", topics[i], rd_kafka_err2str(md->topics[0].err));
            }
            rd_kafka_metadata_destroy(md);
        }
        rd_kafka_topic_destroy(rkt);
    }
}

void rf_kafka_error_cb(rd_kafka_t *rk, int err, const char *reason, void *opaque)
{
    (void)opaque;
    if (err == RD_KAFKA_RESP_ERR__TRANSPORT) {
        /* librdkafka logged this connection failure (its FAIL line) already: once is enough */
        rf_debug("kafka", "%s: %s", rd_kafka_err2name(err), reason);
        return;
    }
    if (err != RD_KAFKA_RESP_ERR__FATAL) {
        rf_warn("kafka", "%s: %s", rd_kafka_err2name(err), reason);
        return;
    }
    char why[512];
    rd_kafka_resp_err_t cause = rd_kafka_fatal_error(rk, why, sizeof(why));
    rf_error("kafka", "fatal error %s: %s", rd_kafka_err2name(cause), why);
    rf_run_request_stop();
}

/* Apply a rebalance the way the group's protocol wants: a cooperative assignor hands out
 * and takes back only the partitions that move (incremental calls), an eager one the whole
 * assignment. */
static rd_kafka_error_t *apply_rebalance(rd_kafka_t *rk, bool assigned,
                                         rd_kafka_topic_partition_list_t *parts)
{
    const char *protocol = rd_kafka_rebalance_protocol(rk);
    if (protocol && strcmp(protocol, "COOPERATIVE") == 0) {
        return assigned ? rd_kafka_incremental_assign(rk, parts)
                        : rd_kafka_incremental_unassign(rk, parts);
    }
    rd_kafka_resp_err_t err = rd_kafka_assign(rk, assigned ? parts : NULL);
    return err ? rd_kafka_error_new(err, "%s", rd_kafka_err2str(err)) : NULL;
}

void rf_kafka_rebalance_cb(rd_kafka_t *rk, rd_kafka_resp_err_t err,
                           rd_kafka_topic_partition_list_t *parts, void *opaque)
{
    (void)opaque;
    char list[512] = "";
    size_t used = 0;
    for (int i = 0; i < parts->cnt && used < sizeof(list) - 32; i++) {
        used += (size_t)snprintf(list + used, sizeof(list) - used, "%s%s/%d", i ? "," : "",
                                 parts->elems[i].topic, parts->elems[i].partition);
    }
    bool assigned = err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS;
    rf_info("kafka", "rebalance: %s %d partition(s) [%s]", assigned ? "assigned" : "revoked",
            parts->cnt, list);
    rd_kafka_error_t *e = apply_rebalance(rk, assigned, parts);
    if (e) {
        rf_error("kafka", "cannot apply the rebalance: %s", rd_kafka_error_string(e));
        rd_kafka_error_destroy(e);
    }
}

int rf_kafka_check_topics(rd_kafka_t *rk, const struct rf_config *cfg, char *errstr,
                          size_t errstr_size)
{
    static const enum rf_topic_role all[] = {RF_TOPIC_RAW, RF_TOPIC_EVENTS, RF_TOPIC_DLQ};
    char why[1024] = "";
    if (!cfg->topic_check) {
        return 0;
    }
    switch (rf_topics_ensure(rk, cfg, all, 3, true, 5000, why, sizeof(why))) {
    case RF_TOPICS_UNUSABLE:
        snprintf(errstr, errstr_size, "%s", why);
        return -1;
    case RF_TOPICS_UNCHECKED:
        rf_warn("kafka", "topics not checked (%s): going on; records wait for the broker",
                why[0] ? why : "the broker did not answer");
        return 0;
    case RF_TOPICS_OK:
    default:
        return 0;
    }
}

rd_kafka_t *rf_kafka_producer_new(const struct rf_config *cfg, void *opaque,
                                  void (*on_delivery)(rd_kafka_t *, const rd_kafka_message_t *,
                                                      void *),
                                  char *errstr, size_t errstr_size)
{
    long long largest = rf_topics_largest_record_bytes(cfg);
    char max_bytes[24];
    snprintf(max_bytes, sizeof(max_bytes), "%lld", largest);
    /* key, value pairs: */
    /* clang-format off */
    const char *const defaults[] = {
        "enable.idempotence", "true",
        "compression.type", "zstd",
        "linger.ms", "10",
        "message.timeout.ms", "0", /* broker down: keep retrying, the input stays put */
        "message.max.bytes", max_bytes,
        "queue.buffering.max.kbytes", "1048576",
        NULL};
    /* clang-format on */
    rd_kafka_conf_t *conf = rf_kafka_conf_new(cfg, defaults, errstr, errstr_size);
    if (!conf) {
        return NULL;
    }
    rd_kafka_conf_set_opaque(conf, opaque);
    rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
    rd_kafka_conf_set_error_cb(conf, rf_kafka_error_cb);
    rd_kafka_t *rk = rf_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, errstr_size);
    if (rk && rf_kafka_check_topics(rk, cfg, errstr, errstr_size) != 0) {
        rd_kafka_destroy(rk);
        return NULL;
    }
    return rk;
}

bool rf_kafka_fatal(rd_kafka_t *rk)
{
    return rk && rd_kafka_fatal_error(rk, NULL, 0) != RD_KAFKA_RESP_ERR_NO_ERROR;
}

/* librdkafka drops a member that has not polled for max.poll.interval.ms, and its partitions'
   next owner starts the record again: with a limit under the longest record, a long scan's
   conversion would be started, and dropped, for ever. Twice the record's bound (its CPU time
   is not its wall clock) and a minute; never under librdkafka's 5 minutes' double, nor over
   its largest value (a day). */
#define MAX_POLL_FLOOR_MS 600000LL
#define MAX_POLL_CEILING_MS 86400000LL

static long long max_poll_interval_ms(long long record_ms)
{
    if (record_ms == RF_KAFKA_RECORD_UNBOUNDED || record_ms > MAX_POLL_CEILING_MS) {
        return MAX_POLL_CEILING_MS;
    }
    long long ms = record_ms > 0 ? 2 * record_ms + 60000 : 0;
    return ms < MAX_POLL_FLOOR_MS     ? MAX_POLL_FLOOR_MS
           : ms > MAX_POLL_CEILING_MS ? MAX_POLL_CEILING_MS
                                      : ms;
}

rd_kafka_t *rf_kafka_group_consumer_new(const struct rf_config *cfg, const char *group,
                                        const char *const *topics, size_t topic_cnt,
                                        long long record_ms, char *errstr, size_t errstr_size)
{
    /* One fetch must be able to carry the largest record any of our topics accepts. */
    long long largest = rf_topics_largest_record_bytes(cfg);
    long long whole = largest * 4 > 52428800 ? largest * 4 : 52428800;
    char partition_fetch[24], fetch_max[24], receive_max[24];
    snprintf(partition_fetch, sizeof(partition_fetch), "%lld", largest);
    snprintf(fetch_max, sizeof(fetch_max), "%lld", whole);
    snprintf(receive_max, sizeof(receive_max), "%lld", whole + 1048576);
    char max_poll[24];
    snprintf(max_poll, sizeof(max_poll), "%lld", max_poll_interval_ms(record_ms));
    /* key, value pairs: */
    /* clang-format off */
    const char *const defaults[] = {
        "group.id", group,
        "enable.auto.offset.store", "false", /* the program stores after its output is safe */
        "enable.auto.commit", "true",
        "auto.commit.interval.ms", "1000",
        "auto.offset.reset", "earliest",
        /* eager: cooperative-sticky left a third of the partitions unassigned for 90 s in one
           of six starts of two members on librdkafka 2.0.2 (README, "Scaling workers") */
        "partition.assignment.strategy", "roundrobin",
        "session.timeout.ms", "10000",
        "heartbeat.interval.ms", "1000",
        "max.poll.interval.ms", max_poll,
        "max.partition.fetch.bytes", partition_fetch,
        "fetch.max.bytes", fetch_max,
        "receive.message.max.bytes", receive_max,
        NULL};
    /* clang-format on */
    rd_kafka_conf_t *conf = rf_kafka_conf_new(cfg, defaults, errstr, errstr_size);
    if (!conf) {
        return NULL;
    }
    rd_kafka_conf_set_error_cb(conf, rf_kafka_error_cb);
    rd_kafka_conf_set_rebalance_cb(conf, rf_kafka_rebalance_cb);
    rd_kafka_t *rk = rf_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, errstr_size);
    if (!rk) {
        return NULL;
    }
    rd_kafka_poll_set_consumer(rk);
    rd_kafka_topic_partition_list_t *list = rd_kafka_topic_partition_list_new((int)topic_cnt);
    for (size_t i = 0; i < topic_cnt; i++) {
        rd_kafka_topic_partition_list_add(list, topics[i], RD_KAFKA_PARTITION_UA);
    }
    rd_kafka_resp_err_t err = rd_kafka_subscribe(rk, list);
    rd_kafka_topic_partition_list_destroy(list);
    if (err) {
        snprintf(errstr, errstr_size, "cannot subscribe to '%s': %s", topics[0],
                 rd_kafka_err2str(err));
        rd_kafka_destroy(rk);
        return NULL;
    }
    return rk;
}

void rf_kafka_store_offsets(rd_kafka_t *consumer, rd_kafka_message_t *const *msgs, size_t cnt,
                            const char *component)
{
    if (cnt == 0) {
        return;
    }
    rd_kafka_topic_partition_list_t *offsets = rd_kafka_topic_partition_list_new((int)cnt);
    for (size_t i = 0; i < cnt; i++) {
        const rd_kafka_message_t *m = msgs[i];
        rd_kafka_topic_partition_list_add(offsets, rd_kafka_topic_name(m->rkt), m->partition)
            ->offset = m->offset + 1;
    }
    rd_kafka_resp_err_t err = rd_kafka_offsets_store(consumer, offsets);
    if (err) {
        rf_warn(component, "cannot store offsets (partitions revoked meanwhile?): %s",
                rd_kafka_err2str(err));
    }
    rd_kafka_topic_partition_list_destroy(offsets);
}
