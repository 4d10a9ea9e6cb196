/*
 * jobs.h - reprocess runs for reportflow-lag, from the status records they publish
 * (reportflow/jobs.h): the latest record of each run, a running one that fell silent judged
 * stale, and runs that ended more than an hour ago left out. Shown apart from live lag.
 */
#ifndef RF_LAG_JOBS_H
#define RF_LAG_JOBS_H

#include <stddef.h>
#include <stdint.h>

#include "cluster.h"
#include "reportflow/jobs.h"

/** Status records read per sample at most: the newest of the status topic's tail. */
#define JOBS_TAIL 512
/** Runs shown at most: the most recently updated. */
#define JOBS_MAX 32
/** A finished run stays in view this long after its last record. */
#define JOBS_SHOWN_AFTER_END_MS (3600 * 1000)

struct lag_job {
    struct rf_job_status st;
    char state[16]; /* as shown: the record's state, or "stale" for a silent running one */
    int64_t queued; /* records on its work topic its workers have yet to take; -1 unknown */
};

struct lag_jobs {
    struct lag_job *items; /* owned */
    size_t cnt, cap;
    long long unreadable; /* records that were not a status (skipped) */
};

/**
 * Take in one status record; a later record of a job replaces the earlier, a tombstone
 * (@p value NULL) forgets the job. @returns 0, or -1 out of memory.
 */
int jobs_take(struct lag_jobs *js, const char *key, size_t key_len, const void *value, size_t len);

/** Judge each job at @p now_ms and keep what is worth showing, newest first. */
void jobs_settle(struct lag_jobs *js, int64_t now_ms);

/**
 * Read the status topic of @p cfg through @p c into @p js (settled at @p now_ms).
 * @returns 0, or -1 with the reason in @p err (what was read is kept).
 */
int jobs_read(struct cluster *c, const struct rf_config *cfg, int64_t now_ms, struct lag_jobs *js,
              char *err, size_t err_size);

void jobs_release(struct lag_jobs *js);

#endif
