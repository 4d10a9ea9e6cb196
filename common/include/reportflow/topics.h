/*
 * topics.h - reportflow's three topics: what each must be (partitions, replicas, size limit,
 * and for the raw topic compaction with unlimited retention), created when missing and checked
 * when present, so a topic that cannot carry what we send stops a program at start with a
 * message naming the topic and the setting. An existing raw topic that is not yet the record
 * of every report is altered in place, never recreated.
 */
#ifndef RF_TOPICS_H
#define RF_TOPICS_H

#include <stdbool.h>
#include <stddef.h>

#include <librdkafka/rdkafka.h>

#include "reportflow/config.h"

enum rf_topic_role { RF_TOPIC_RAW, RF_TOPIC_EVENTS, RF_TOPIC_DLQ, RF_TOPIC_ROLES };

struct rf_topic_spec {
    const char *name;           /* borrowed from the configuration */
    const char *partitions_key; /* the setting that asks for the partitions, for messages */
    int partitions;
    int replication_factor;
    int min_insync_replicas;
    long long max_message_bytes; /* the topic's max.message.bytes */
    bool compacted; /* rf_topics_record_configs: latest record per key (the doc id), forever */
};

/** A topic setting as the broker names it; both strings borrowed. */
struct rf_topic_config {
    const char *name;
    const char *value;
};

enum { RF_TOPICS_RECORD_CONFIG_CNT = 2 };

/**
 * What makes a compacted topic the record of every report: cleanup.policy=compact (the latest
 * record per key, so a duplicate costs nothing once compacted) and retention.ms=-1 (forever).
 */
extern const struct rf_topic_config rf_topics_record_configs[RF_TOPICS_RECORD_CONFIG_CNT];

/** The spec of topic @p role under @p cfg: one home for sizes and counts. */
struct rf_topic_spec rf_topics_spec(const struct rf_config *cfg, enum rf_topic_role role);

/**
 * The largest record (value and headers, after the batch overhead) we send to topic @p role:
 * a raw report of producer.max_file_bytes, an envelope of worker.max_envelope_bytes, a dead
 * letter carrying a raw report. Consumers size their fetches with it.
 */
long long rf_topics_max_record_bytes(const struct rf_config *cfg, enum rf_topic_role role);

/** The largest record of any of our topics: what one produce or one fetch must carry. */
long long rf_topics_largest_record_bytes(const struct rf_config *cfg);

/**
 * The first of rf_topics_record_configs that the topic's settings @p current (name and value
 * of each, as DescribeConfigs gives them) lack or hold otherwise; NULL when the topic is as
 * @p spec asks, or @p spec is not compacted (we leave the cleanup of the others alone).
 */
const struct rf_topic_config *rf_topics_record_mismatch(const struct rf_topic_spec *spec,
                                                        const struct rf_topic_config *current,
                                                        size_t cnt);

/**
 * The complete set of topic-level settings that makes a topic with the topic-level settings
 * @p current (those set on the topic itself) what @p spec asks: @p current with
 * rf_topics_record_configs put in, replacing their old values. AlterConfigs (librdkafka
 * 2.0.2 has no incremental one) reverts every setting it is not given to the broker default,
 * so all of @p current must go with it. Writes at most @p cap entries to @p out.
 * @returns the number written, or 0 when @p cap is too small.
 */
size_t rf_topics_altered_configs(const struct rf_topic_spec *spec,
                                 const struct rf_topic_config *current, size_t cnt,
                                 struct rf_topic_config *out, size_t cap);

enum rf_topics_result {
    RF_TOPICS_OK,        /* every topic exists and can carry what we send */
    RF_TOPICS_UNCHECKED, /* the broker did not answer, or lacks the admin calls (the mock) */
    RF_TOPICS_UNUSABLE,  /* a topic exists but cannot work: errstr names topic and setting */
};

/**
 * Make sure the topics in @p roles exist as @p cfg describes: create the missing ones when
 * @p create is set, and check the existing ones' partition count and max.message.bytes.
 * An existing compacted topic (the raw one) whose cleanup.policy or retention.ms differ is
 * altered when @p create is set, and unusable otherwise.
 * @p rk is any client handle (a producer's is fine). Waits at most @p timeout_ms per call.
 */
enum rf_topics_result rf_topics_ensure(rd_kafka_t *rk, const struct rf_config *cfg,
                                       const enum rf_topic_role *roles, size_t role_cnt,
                                       bool create, int timeout_ms, char *errstr,
                                       size_t errstr_size);

#endif
