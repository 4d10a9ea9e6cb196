/*
 * judge.h - the status of one partition from a sliding window of offset
 * samples, in Burrow's terms (lag.c rolls partitions up to their group).
 * Pure functions over arrays: no Kafka, no clock, no allocation.
 *
 * The rules (README "Reading lag"), for a partition whose latest lag is > 0;
 * "idle" is the time since the partition was last fine, that is since the
 * latest sample where its committed offset moved or its lag was 0:
 *   REWIND  the committed offset went backwards inside the window
 *   STOP    idle for the stop window (lag.stop_s)
 *   STALL   idle for the window (lag.window_s)
 *   WARN    commits move, but the lag rose at every step over the window
 *   OK      otherwise, and always when the latest lag is 0
 * A single sample has no history, so it judges by time lag instead: STALL
 * once the oldest unconsumed record is older than the window, STOP older than
 * the stop window.
 */
#ifndef RF_JUDGE_H
#define RF_JUDGE_H

#include <stddef.h>
#include <stdint.h>

/* In rising severity: a group is as bad as its worst partition. */
enum judge_status { JUDGE_OK = 0, JUDGE_WARN, JUDGE_REWIND, JUDGE_STALL, JUDGE_STOP, JUDGE_ERR };

/** One observation of a partition. */
struct judge_point {
    int64_t at_ms;     /* wall-clock time of the sample */
    int64_t committed; /* committed offset; -1 when the group never committed */
    int64_t lag;       /* records between the committed offset and the log end */
};

struct judge_rules {
    int64_t window_ms; /* lag.window_s */
    int64_t stop_ms;   /* lag.stop_s, >= window_ms */
};

struct judge_result {
    enum judge_status status;
    int64_t idle_ms; /* since the partition was last fine; 0 when fine now */
    char reason[160];
};

/** "OK", "WARN", "REWIND", "STALL", "STOP" or "ERR". */
const char *judge_status_name(enum judge_status s);

/**
 * Judge a partition from @p pts (@p n > 0 samples, oldest first; the last one
 * is now). @p time_lag_s, the age of the oldest unconsumed record, is used
 * only when @p n is 1. Linear in @p n.
 */
void judge_partition(const struct judge_point *pts, size_t n, double time_lag_s,
                     const struct judge_rules *rules, struct judge_result *out);

/**
 * Append @p p to the history @p pts (@p *n used, room for @p cap) and drop the
 * samples the rules no longer need: all older than the stop window, except the
 * newest of those (it tells what happened at the window's start). When full,
 * the second oldest goes: losing a middle sample can only make a move look
 * later, so a stuck partition is never judged as moving.
 */
void judge_history_add(struct judge_point *pts, size_t *n, size_t cap, const struct judge_point *p,
                       const struct judge_rules *rules);

#endif
