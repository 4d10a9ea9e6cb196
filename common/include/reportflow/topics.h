/*
 * topics.h - reportflow's three topics: what each must be (partitions, replicas, size limit),
 * created when missing and checked when present, so a topic that cannot carry what we send
 * stops a program at start with a message naming the topic and the setting.
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
};

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

enum rf_topics_result {
    RF_TOPICS_OK,        /* every topic exists and can carry what we send */
    RF_TOPICS_UNCHECKED, /* the broker did not answer, or lacks the admin calls (the mock) */
    RF_TOPICS_UNUSABLE,  /* a topic exists but cannot work: errstr names topic and setting */
};

/**
 * Make sure the topics in @p roles exist as @p cfg describes: create the missing ones when
 * @p create is set, and check the existing ones' partition count and max.message.bytes.
 * @p rk is any client handle (a producer's is fine). Waits at most @p timeout_ms per call.
 */
enum rf_topics_result rf_topics_ensure(rd_kafka_t *rk, const struct rf_config *cfg,
                                       const enum rf_topic_role *roles, size_t role_cnt,
                                       bool create, int timeout_ms, char *errstr,
                                       size_t errstr_size);

#endif
