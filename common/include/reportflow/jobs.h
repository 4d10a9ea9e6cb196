/*
 * jobs.h - a reprocess run as the rest of the system sees it: the names of its work topic and
 * consumer group, and the status record it publishes while it runs. Status records go to a
 * small compacted topic keyed by job, so reportflow-lag on any host can show each run's
 * progress and backlog apart from live lag, and a run that stopped without a word (killed,
 * its host lost) shows as stale.
 */
#ifndef RF_JOBS_H
#define RF_JOBS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "reportflow/config.h"

/** Every reprocess consumer group's name starts so; the rule set's hash follows. */
#define RF_JOBS_GROUP_PREFIX "reportflow-reprocess-"

/** How often a running job publishes its status; silent for 3 of these plus 5 s, it is stale. */
#define RF_JOBS_STATUS_INTERVAL_MS 2000

/** What a run published last. Strings are NUL-terminated, cut at character boundaries. */
struct rf_job_status {
    char key[64];    /* the job: rules_hash, or rules_hash/dead-letters */
    char hash[24];   /* the rule set's rules_hash */
    char rules[128]; /* its name and version, "reportflow-rules 2.1.0" */
    char kind[16];   /* "documents" or "dead-letters" */
    char state[16];  /* running, done, incomplete (some left), failed, stopped */
    char host[64];
    long long pid;
    long long total;     /* selected */
    long long before;    /* selected and already done when the run began */
    long long done;      /* settled by this run: stored or dead-lettered */
    long long failed;    /* of done, dead-lettered */
    long long in_flight; /* fed to the workers, not yet settled */
    long long todo;      /* selected, still without an extraction or dead letter */
    double rate;         /* documents settled per second since the start */
    long long eta_s;     /* -1 unknown */
    bool yielding;       /* feeding paused while live traffic lags */
    int64_t started_ms;  /* wall clock */
    int64_t updated_ms;  /* wall clock of this record */
};

/** The work topic of the rule set @p hash: "<topic.raw>.reprocess.<hash>". */
void rf_jobs_work_topic(const struct rf_config *cfg, const char *hash, char *out, size_t size);

/** The consumer group of the workers of rule set @p hash. */
void rf_jobs_group(const char *hash, char *out, size_t size);

/** The topic the runs publish their status to: "<topic.raw>.reprocess.status". */
void rf_jobs_status_topic(const struct rf_config *cfg, char *out, size_t size);

/** True when @p group is a reprocess group (shown as a job, not as live lag). */
bool rf_jobs_is_group(const char *group);

/** @p s as one line of JSON, new (free()), or NULL out of memory. */
char *rf_jobs_status_encode(const struct rf_job_status *s);

/**
 * Parse a status record of @p len bytes. @returns 0, or -1 with the reason in @p errstr
 * (not JSON, a field missing or of the wrong type).
 */
int rf_jobs_status_decode(const void *data, size_t len, struct rf_job_status *out, char *errstr,
                          size_t errstr_size);

#endif
