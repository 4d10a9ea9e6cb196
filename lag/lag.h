/*
 * lag.h - consumer lag of Kafka consumer groups: per topic and partition the
 * committed offset, log-end offset, lag in records and in seconds, the
 * partition's owner (consumer id, host, client id) and its status in Burrow's
 * terms (judge.h), rolled up to a status per group that names its worst
 * partitions. Reprocess runs are shown apart (jobs.h): their groups never
 * count as live lag, nor in the exit status.
 */
#ifndef RF_LAG_H
#define RF_LAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "jobs.h"
#include "judge.h"
#include "reportflow/config.h"

struct lag_partition {
    char topic[128];
    int partition;
    int64_t committed;     /* next offset the group will read; -1 when never committed */
    int64_t log_end;       /* high watermark */
    int64_t lag;           /* log_end - committed (or - log start when never committed) */
    double time_lag_s;     /* age of the oldest unconsumed record; 0 without lag */
    char consumer_id[256]; /* owner, as kafka-consumer-groups --describe; "-" when unassigned */
    char host[128];
    char client_id[128];
    enum judge_status status;
    char reason[160];
};

struct lag_group {
    char name[128];
    char topics[256];            /* comma-separated topics the group consumes */
    char state[32];              /* Stable, PreparingRebalance, Empty, Dead...; "n/a" unknown */
    int members;                 /* -1 when unknown */
    struct lag_partition *parts; /* owned */
    size_t cnt;
    int64_t total_lag;
    double max_time_lag_s;
    enum judge_status status; /* the worst partition's, or ERR */
    char reason[1024];        /* why: the worst partitions with their owners */
};

struct lag_sample {
    int64_t at_ms;
    struct lag_group *groups; /* owned */
    size_t cnt;
    int64_t dead_letters; /* records ever written to the dead-letter topic; -1 unknown */
    struct lag_jobs jobs; /* reprocess runs, apart from the live groups */
    char note[512]; /* what the broker could not tell (the embedded broker has no ListGroups) */
};

struct lag_monitor;

/**
 * A monitor for cfg->lag_groups: names (our worker and sink groups map to
 * their topics; another is written group=topic1+topic2, or its topics are
 * taken from its commits and assignments), or empty / "all" for every group
 * of the cluster. @returns NULL with a message in @p errstr.
 */
struct lag_monitor *lag_monitor_new(const struct rf_config *cfg, char *errstr, size_t errstr_size);
void lag_monitor_free(struct lag_monitor *m);

/**
 * Take a sample and judge each partition against the monitor's history.
 * @returns 0 (free @p out with lag_sample_release()), -1 out of memory.
 */
int lag_monitor_sample(struct lag_monitor *m, struct lag_sample *out);
void lag_sample_release(struct lag_sample *s);

/** Exit status for a sample: 3 when a group is STALL, STOP or ERR, else 0. */
int lag_exit_status(const struct lag_sample *s);

#endif
