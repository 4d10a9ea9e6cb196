/*
 * cluster.h - what reportflow-lag reads from Kafka: the consumer groups and
 * their members (admin API), committed offsets, partitions, log-end offsets
 * and the age of the oldest unconsumed record. One client, no group
 * membership of its own; one thread.
 */
#ifndef RF_CLUSTER_H
#define RF_CLUSTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <librdkafka/rdkafka.h>

#include "reportflow/config.h"

struct cluster;

/** Who holds a partition in a group, as kafka-consumer-groups --describe shows it. */
struct cluster_owner {
    char topic[128];
    int partition;
    char consumer_id[256];
    char host[128];
    char client_id[128];
};

/** A group's state and its members' assignments. */
struct cluster_group_info {
    char state[32]; /* Stable, PreparingRebalance, CompletingRebalance, Empty, Dead */
    int members;
    struct cluster_owner *owners; /* owned; one per assigned partition */
    size_t owner_cnt, owner_cap;
};

/** Connect a client for @p cfg. @returns NULL with a message in @p errstr. */
struct cluster *cluster_new(const struct rf_config *cfg, char *errstr, size_t errstr_size);
void cluster_free(struct cluster *c);

/**
 * Every consumer group of the cluster (ListGroups). @returns 0 with a new
 * array of new strings in @p *names (free with cluster_names_free()), or -1
 * with the broker's answer in @p err (the embedded broker cannot list groups).
 */
int cluster_list_groups(struct cluster *c, char ***names, size_t *cnt, char *err, size_t err_size);
void cluster_names_free(char **names, size_t cnt);

/**
 * State and members of @p group (DescribeGroups). @returns 0 and fills @p out
 * (release with cluster_group_info_release()), or -1 with the reason in @p err.
 */
int cluster_describe_group(struct cluster *c, const char *group, struct cluster_group_info *out,
                           char *err, size_t err_size);
void cluster_group_info_release(struct cluster_group_info *info);

/**
 * Committed offsets of @p group (OffsetFetch). @p parts NULL: every partition
 * the group committed; else those partitions, whose offsets are set (-1 when
 * never committed). @returns a new list (rd_kafka_topic_partition_list_destroy)
 * or NULL with the reason in @p err.
 */
rd_kafka_topic_partition_list_t *cluster_committed(struct cluster *c, const char *group,
                                                   const rd_kafka_topic_partition_list_t *parts,
                                                   char *err, size_t err_size);

/** Append every partition of @p topic to @p out. @returns 0, or -1 naming the topic in @p err. */
int cluster_partitions(struct cluster *c, const char *topic, rd_kafka_topic_partition_list_t *out,
                       char *err, size_t err_size);

/** Log start and end of a partition. @returns 0, or -1 naming it in @p err. */
int cluster_watermarks(struct cluster *c, const char *topic, int partition, int64_t *low,
                       int64_t *high, char *err, size_t err_size);

/**
 * Records of @p topic / @p partition a group whose committed offset is @p committed
 * (-1: never committed, so from the log start) has yet to consume, into @p lag, and
 * the log end into @p log_end. @returns 0, or -1 naming the partition in @p err.
 */
int cluster_partition_lag(struct cluster *c, const char *topic, int partition, int64_t committed,
                          int64_t *log_end, int64_t *lag, char *err, size_t err_size);

/**
 * Timestamps of the records at the given offsets (@p at, one per partition;
 * an offset < 0 means the log start) within @p budget_ms: ages go to
 * @p age_s[i] in seconds relative to @p now_ms, 0 where none arrived in time.
 */
void cluster_record_ages(struct cluster *c, const rd_kafka_topic_partition_list_t *at,
                         int64_t now_ms, int budget_ms, double *age_s);

/**
 * Hand each of the last @p tail records of every partition of @p topic to @p on_record, in
 * offset order per partition, within @p budget_ms. A topic that does not exist has none.
 * @returns 0, or -1 with the reason in @p err (some records may have been handed on).
 */
int cluster_read_tail(struct cluster *c, const char *topic, int64_t tail, int budget_ms,
                      void (*on_record)(void *ctx, const rd_kafka_message_t *m), void *ctx,
                      char *err, size_t err_size);

#endif
