/*
 * topics.c - create reportflow's topics when missing and check them when present; the raw
 * topic, the record of every report, is compacted and kept forever, and an existing one that
 * is not yet is altered in place (AlterConfigs with every setting it had), never recreated.
 */
#include "reportflow/topics.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reportflow/log.h"

#define COMPONENT "topics"

/* Room for record headers and the batch framing around the largest value we send. */
#define RECORD_OVERHEAD_BYTES (64 * 1024)

/* A topic has a few dozen settings; room for all that may be set on it. */
#define MAX_TOPIC_CONFIGS 128

const struct rf_topic_config rf_topics_record_configs[RF_TOPICS_RECORD_CONFIG_CNT] = {
    {"cleanup.policy", "compact"},
    {"retention.ms", "-1"},
};

/* The value of @p name in @p configs; NULL when absent. */
static const char *config_value(const struct rf_topic_config *configs, size_t cnt, const char *name)
{
    for (size_t i = 0; i < cnt; i++) {
        if (configs[i].name && strcmp(configs[i].name, name) == 0) {
            return configs[i].value;
        }
    }
    return NULL;
}

const struct rf_topic_config *rf_topics_record_mismatch(const struct rf_topic_spec *spec,
                                                        const struct rf_topic_config *current,
                                                        size_t cnt)
{
    if (!spec->compacted) {
        return NULL;
    }
    for (size_t i = 0; i < RF_TOPICS_RECORD_CONFIG_CNT; i++) {
        const char *v = config_value(current, cnt, rf_topics_record_configs[i].name);
        if (!v || strcmp(v, rf_topics_record_configs[i].value) != 0) {
            return &rf_topics_record_configs[i];
        }
    }
    return NULL;
}

size_t rf_topics_altered_configs(const struct rf_topic_spec *spec,
                                 const struct rf_topic_config *current, size_t cnt,
                                 struct rf_topic_config *out, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; i < cnt; i++) {
        bool replaced =
            spec->compacted && config_value(rf_topics_record_configs, RF_TOPICS_RECORD_CONFIG_CNT,
                                            current[i].name) != NULL;
        if (replaced) {
            continue;
        }
        if (n == cap) {
            return 0;
        }
        out[n++] = current[i];
    }
    for (size_t i = 0; spec->compacted && i < RF_TOPICS_RECORD_CONFIG_CNT; i++) {
        if (n == cap) {
            return 0;
        }
        out[n++] = rf_topics_record_configs[i];
    }
    return n;
}

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
        .compacted = role == RF_TOPIC_RAW, /* the record of every report, by doc id */
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

/* A new topic as @p spec asks, with its settings; NULL with errstr naming topic and setting. */
static rd_kafka_NewTopic_t *new_topic(const struct rf_topic_spec *spec, char *errstr,
                                      size_t errstr_size)
{
    char why[512], bytes[32], isr[16];
    rd_kafka_NewTopic_t *t = rd_kafka_NewTopic_new(spec->name, spec->partitions,
                                                   spec->replication_factor, why, sizeof(why));
    if (!t) {
        snprintf(errstr, errstr_size, "topic '%s': %s", spec->name, why);
        return NULL;
    }
    snprintf(bytes, sizeof(bytes), "%lld", spec->max_message_bytes);
    snprintf(isr, sizeof(isr), "%d", spec->min_insync_replicas);
    const struct rf_topic_config base[] = {{"max.message.bytes", bytes},
                                           {"min.insync.replicas", isr}};
    const struct rf_topic_config *sets[] = {base, rf_topics_record_configs};
    const size_t cnts[] = {2, spec->compacted ? RF_TOPICS_RECORD_CONFIG_CNT : 0};
    for (size_t s = 0; s < 2; s++) {
        for (size_t i = 0; i < cnts[s]; i++) {
            if (rd_kafka_NewTopic_set_config(t, sets[s][i].name, sets[s][i].value)) {
                snprintf(errstr, errstr_size, "topic '%s': cannot set %s=%s", spec->name,
                         sets[s][i].name, sets[s][i].value);
                rd_kafka_NewTopic_destroy(t);
                return NULL;
            }
        }
    }
    return t;
}

/* What a CreateTopics answer says of one topic: created, already there, or an error. */
static enum rf_topics_result created_result(const rd_kafka_topic_result_t *res, char *errstr,
                                            size_t errstr_size)
{
    rd_kafka_resp_err_t err = rd_kafka_topic_result_error(res);
    const char *name = rd_kafka_topic_result_name(res);
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) {
        rf_info(COMPONENT, "created topic '%s'", name);
        return RF_TOPICS_OK;
    }
    if (err == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
        return RF_TOPICS_OK;
    }
    snprintf(errstr, errstr_size, "cannot create topic '%s': %s", name,
             rd_kafka_topic_result_error_string(res));
    return err == RD_KAFKA_RESP_ERR_INVALID_REPLICATION_FACTOR ||
                   err == RD_KAFKA_RESP_ERR_POLICY_VIOLATION ||
                   err == RD_KAFKA_RESP_ERR_INVALID_CONFIG
               ? RF_TOPICS_UNUSABLE
               : RF_TOPICS_UNCHECKED;
}

/* Create the topics of @p specs; an existing one (another program won the race) is fine. */
static enum rf_topics_result create_topics(rd_kafka_t *rk, const struct rf_topic_spec *specs,
                                           size_t cnt, int timeout_ms, char *errstr,
                                           size_t errstr_size)
{
    rd_kafka_NewTopic_t *topics[RF_TOPIC_ROLES] = {0};
    enum rf_topics_result result = RF_TOPICS_UNCHECKED;
    for (size_t i = 0; i < cnt; i++) {
        topics[i] = new_topic(&specs[i], errstr, errstr_size);
        if (!topics[i]) {
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
            enum rf_topics_result r = created_result(res[i], errstr, errstr_size);
            result = r > result ? r : result;
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

/* A topic's settings as DescribeConfigs gave them; the strings belong to the answer @p ev. */
struct described {
    rd_kafka_event_t *ev;
    struct rf_topic_config all[MAX_TOPIC_CONFIGS]; /* every setting, defaults included */
    size_t all_cnt;
    struct rf_topic_config own[MAX_TOPIC_CONFIGS]; /* those set on the topic itself */
    size_t own_cnt;
    const char *hidden; /* a setting of its own whose value the broker does not show */
};

/* Fill @p d from the entries of one described resource. */
static void read_entries(const rd_kafka_ConfigResource_t *res, struct described *d)
{
    size_t cnt = 0;
    const rd_kafka_ConfigEntry_t **entries = rd_kafka_ConfigResource_configs(res, &cnt);
    for (size_t j = 0; j < cnt && d->all_cnt < MAX_TOPIC_CONFIGS; j++) {
        struct rf_topic_config c = {rd_kafka_ConfigEntry_name(entries[j]),
                                    rd_kafka_ConfigEntry_value(entries[j])};
        d->all[d->all_cnt++] = c;
        if (rd_kafka_ConfigEntry_source(entries[j]) !=
            RD_KAFKA_CONFIG_SOURCE_DYNAMIC_TOPIC_CONFIG) {
            continue;
        }
        if (!c.value) {
            d->hidden = c.name;
        } else if (d->own_cnt < MAX_TOPIC_CONFIGS) {
            d->own[d->own_cnt++] = c;
        }
    }
}

/* Read @p name's settings into @p d. @returns 0, or -1 when the broker did not tell. */
static int describe_topic(rd_kafka_t *rk, const char *name, int timeout_ms, struct described *d)
{
    memset(d, 0, sizeof(*d));
    rd_kafka_ConfigResource_t *res = rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, name);
    rd_kafka_queue_t *queue = rd_kafka_queue_new(rk);
    rd_kafka_AdminOptions_t *opts =
        admin_options(rk, RD_KAFKA_ADMIN_OP_DESCRIBECONFIGS, timeout_ms);
    rd_kafka_DescribeConfigs(rk, &res, 1, opts, queue);
    d->ev = await_result(queue, timeout_ms);
    if (d->ev) {
        size_t n = 0;
        const rd_kafka_ConfigResource_t **out = rd_kafka_DescribeConfigs_result_resources(
            rd_kafka_event_DescribeConfigs_result(d->ev), &n);
        for (size_t i = 0; i < n; i++) {
            if (!rd_kafka_ConfigResource_error(out[i])) {
                read_entries(out[i], d);
                break;
            }
            rf_warn(COMPONENT, "cannot read the settings of topic '%s': %s", name,
                    rd_kafka_ConfigResource_error_string(out[i]));
        }
    }
    rd_kafka_AdminOptions_destroy(opts);
    rd_kafka_queue_destroy(queue);
    rd_kafka_ConfigResource_destroy(res);
    return d->all_cnt > 0 ? 0 : -1;
}

static void described_release(struct described *d)
{
    if (d->ev) {
        rd_kafka_event_destroy(d->ev);
    }
}

/* The topic's max.message.bytes against what we send to it. */
static enum rf_topics_result check_size(const struct rf_topic_spec *spec, const struct described *d,
                                        char *errstr, size_t errstr_size)
{
    const char *v = config_value(d->all, d->all_cnt, "max.message.bytes");
    if (!v) {
        return RF_TOPICS_UNCHECKED;
    }
    long long max = strtoll(v, NULL, 10);
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

/* The kafka-configs command that makes topic @p name the record, for messages. */
static void record_command(const char *name, char *out, size_t out_size)
{
    snprintf(out, out_size,
             "kafka-configs --bootstrap-server BROKER --alter --entity-type topics "
             "--entity-name %s --add-config %s=%s,%s=%s",
             name, rf_topics_record_configs[0].name, rf_topics_record_configs[0].value,
             rf_topics_record_configs[1].name, rf_topics_record_configs[1].value);
}

/* Send the alteration @p res; the broker's answer as a result, errstr naming the topic. */
static enum rf_topics_result send_alteration(rd_kafka_t *rk, rd_kafka_ConfigResource_t *res,
                                             const char *name, int timeout_ms, char *errstr,
                                             size_t errstr_size)
{
    char fix[256];
    record_command(name, fix, sizeof(fix));
    rd_kafka_queue_t *queue = rd_kafka_queue_new(rk);
    rd_kafka_AdminOptions_t *opts = admin_options(rk, RD_KAFKA_ADMIN_OP_ALTERCONFIGS, timeout_ms);
    rd_kafka_AlterConfigs(rk, &res, 1, opts, queue);
    rd_kafka_event_t *ev = await_result(queue, timeout_ms);
    enum rf_topics_result result = RF_TOPICS_UNCHECKED;
    if (!ev) {
        snprintf(errstr, errstr_size,
                 "topic '%s' is not yet compacted with retention.ms=-1 and the cluster did not "
                 "answer its alteration: run reportflow-topics again, or %s",
                 name, fix);
    } else {
        size_t n = 0;
        const rd_kafka_ConfigResource_t **out =
            rd_kafka_AlterConfigs_result_resources(rd_kafka_event_AlterConfigs_result(ev), &n);
        result = RF_TOPICS_OK;
        for (size_t i = 0; i < n; i++) {
            if (rd_kafka_ConfigResource_error(out[i])) {
                snprintf(errstr, errstr_size,
                         "cannot alter topic '%s' to cleanup.policy=compact, retention.ms=-1: "
                         "%s (do it with %s)",
                         name, rd_kafka_ConfigResource_error_string(out[i]), fix);
                result = RF_TOPICS_UNUSABLE;
            }
        }
        rd_kafka_event_destroy(ev);
    }
    rd_kafka_AdminOptions_destroy(opts);
    rd_kafka_queue_destroy(queue);
    return result;
}

/*
 * Make the existing topic of @p spec the record: AlterConfigs with every setting of its own
 * (@p d) and rf_topics_record_configs, never a new topic. A setting changed by someone else
 * between our DescribeConfigs and this call would be reverted: topics are altered at start.
 */
static enum rf_topics_result alter_topic(rd_kafka_t *rk, const struct rf_topic_spec *spec,
                                         const struct described *d, int timeout_ms, char *errstr,
                                         size_t errstr_size)
{
    char fix[256];
    record_command(spec->name, fix, sizeof(fix));
    struct rf_topic_config set[MAX_TOPIC_CONFIGS];
    size_t n = rf_topics_altered_configs(spec, d->own, d->own_cnt, set, MAX_TOPIC_CONFIGS);
    if (d->hidden) {
        snprintf(errstr, errstr_size,
                 "cannot alter topic '%s' to cleanup.policy=compact, retention.ms=-1: the broker "
                 "does not show its setting %s, which AlterConfigs would reset; do it with %s",
                 spec->name, d->hidden, fix);
        return RF_TOPICS_UNUSABLE;
    }
    if (n == 0) {
        snprintf(errstr, errstr_size,
                 "cannot alter topic '%s' to cleanup.policy=compact, retention.ms=-1: it has "
                 "more settings of its own than reportflow carries (%d); do it with %s",
                 spec->name, MAX_TOPIC_CONFIGS, fix);
        return RF_TOPICS_UNUSABLE;
    }
    rd_kafka_ConfigResource_t *res =
        rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, spec->name);
    for (size_t i = 0; i < n; i++) {
        if (rd_kafka_ConfigResource_set_config(res, set[i].name, set[i].value)) {
            snprintf(errstr, errstr_size, "topic '%s': cannot set %s=%s", spec->name, set[i].name,
                     set[i].value);
            rd_kafka_ConfigResource_destroy(res);
            return RF_TOPICS_UNUSABLE;
        }
    }
    enum rf_topics_result r = send_alteration(rk, res, spec->name, timeout_ms, errstr, errstr_size);
    rd_kafka_ConfigResource_destroy(res);
    if (r == RF_TOPICS_OK) {
        rf_info(COMPONENT,
                "altered topic '%s': cleanup.policy=compact, retention.ms=-1 (the raw topic is "
                "the record of every report)",
                spec->name);
    }
    return r;
}

/* A compacted topic's cleanup.policy and retention.ms: altered when @p create, else an error. */
static enum rf_topics_result check_record(rd_kafka_t *rk, const struct rf_topic_spec *spec,
                                          const struct described *d, bool create, int timeout_ms,
                                          char *errstr, size_t errstr_size)
{
    const struct rf_topic_config *bad = rf_topics_record_mismatch(spec, d->all, d->all_cnt);
    if (!bad) {
        return RF_TOPICS_OK;
    }
    if (create) {
        return alter_topic(rk, spec, d, timeout_ms, errstr, errstr_size);
    }
    const char *now = config_value(d->all, d->all_cnt, bad->name);
    char fix[256];
    record_command(spec->name, fix, sizeof(fix));
    snprintf(errstr, errstr_size,
             "topic '%s' has %s=%s, not %s: the raw topic is the record of every report, "
             "compacted by document id and kept forever; run reportflow-topics (it alters the "
             "topic in place) or %s",
             spec->name, bad->name, now ? now : "(none)", bad->value, fix);
    return RF_TOPICS_UNUSABLE;
}

/* Check one existing topic against its spec; alter a compacted one when @p create. */
static enum rf_topics_result check_topic(rd_kafka_t *rk, const struct rf_topic_spec *spec,
                                         int partitions, bool create, int timeout_ms, char *errstr,
                                         size_t errstr_size)
{
    if (partitions < spec->partitions) {
        snprintf(errstr, errstr_size,
                 "topic '%s' has %d partition(s) but %s=%d: add partitions "
                 "(kafka-topics --alter --partitions %d) or lower the setting",
                 spec->name, partitions, spec->partitions_key, spec->partitions, spec->partitions);
        return RF_TOPICS_UNUSABLE;
    }
    struct described d;
    if (describe_topic(rk, spec->name, timeout_ms, &d) < 0) {
        described_release(&d);
        return RF_TOPICS_UNCHECKED;
    }
    enum rf_topics_result r = check_size(spec, &d, errstr, errstr_size);
    if (r == RF_TOPICS_OK) {
        r = check_record(rk, spec, &d, create, timeout_ms, errstr, errstr_size);
    }
    described_release(&d);
    return r;
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
            result = worse(result, check_topic(rk, &spec, partitions, create, timeout_ms, errstr,
                                               errstr_size));
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
