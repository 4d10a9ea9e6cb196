/*
 * lag.h - consumer lag of reportflow's groups: per topic and partition the
 * committed offset, log-end offset, lag in messages and in seconds, and a
 * status per group in Burrow's terms, judged over a window of samples.
 *
 * The status rule (README "Reading lag"):
 *   ERR   offsets could not be read
 *   OK    lag is zero, or committed offsets moved during the window and lag
 *         did not grow
 *   WARN  committed offsets moved, but lag grew over the window
 *   STALL lag > 0 and committed offsets did not move for window_s seconds
 *   STOP  lag > 0 and committed offsets did not move for stop_s seconds
 * A single sample (no history) judges by time lag instead: STALL once the
 * oldest unconsumed record is older than window_s, STOP older than stop_s.
 */
#ifndef RF_LAG_H
#define RF_LAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "reportflow/cfg.h"

enum lag_status { LAG_OK = 0, LAG_WARN, LAG_STALL, LAG_STOP, LAG_ERR };

struct lag_partition {
    char topic[128];
    int partition;
    int64_t committed;  /* next offset the group will read; -1 when never committed */
    int64_t log_end;    /* high watermark */
    int64_t lag;        /* log_end - committed (or - log start when never committed) */
    double time_lag_s;  /* age of the oldest unconsumed record; 0 without lag */
};

struct lag_group {
    char name[128];
    char topics[256];              /* comma-separated topics the group consumes */
    struct lag_partition *parts;   /* owned */
    size_t cnt;
    int64_t total_lag;
    int64_t total_committed;       /* sum of committed offsets: moves when the group commits */
    double max_time_lag_s;
    enum lag_status status;
    char reason[256];              /* why the status is what it is */
    char error[256];               /* ERR: what failed */
};

struct lag_sample {
    int64_t at_ms;
    struct lag_group *groups;   /* owned */
    size_t cnt;
};

struct lag_monitor;

/** A monitor for cfg->lag_groups (worker and sink groups map to their topics). */
struct lag_monitor *lag_monitor_new(const struct rf_config *cfg, char *errstr, size_t errstr_size);
void lag_monitor_free(struct lag_monitor *m);

/** Take a sample and judge each group against the monitor's history. Free with lag_sample_release(). */
int lag_monitor_sample(struct lag_monitor *m, struct lag_sample *out);
void lag_sample_release(struct lag_sample *s);

const char *lag_status_name(enum lag_status s);

/** Print a sample as a table like kafka-consumer-groups --describe, one JSON line, or Prometheus text. */
void lag_print_table(const struct lag_sample *s, FILE *out);
void lag_print_json(const struct lag_sample *s, FILE *out);
void lag_print_prometheus(const struct lag_sample *s, FILE *out);

#endif
