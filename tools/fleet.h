/*
 * fleet.h - the workers a reprocess starts for itself: reportflow-worker
 * processes (the binary beside this one) reading the run's work topic in the
 * run's own consumer group with the run's rule file, at a lower CPU priority
 * than the live workers. Workers of the same group started elsewhere
 * (scripts/stack.sh add-worker --rules FILE) share the work; a worker that
 * dies is started again.
 */
#ifndef RF_FLEET_H
#define RF_FLEET_H

#include <stddef.h>
#include <sys/types.h>

#define FLEET_MAX 16
#define FLEET_ARGS_MAX 64

struct fleet {
    pid_t pids[FLEET_MAX]; /* 0: not running */
    size_t cnt;
    char *argv[FLEET_ARGS_MAX + 1]; /* owned strings, NULL-terminated */
    int nice;
    long long restarts;
};

/* More restarts than this in a run: the workers cannot work (their messages say why). */
#define FLEET_MAX_RESTARTS 20

/**
 * Prepare @p cnt workers: the worker binary beside /proc/self/exe, then
 * @p pass (the -c and -X flags the user gave, already filtered: NULL-terminated),
 * then the run's settings. @returns 0, or -1 with @p errstr.
 */
int fleet_init(struct fleet *f, size_t cnt, char *const *pass, const char *rules, const char *topic,
               const char *group, int nice, char *errstr, size_t errstr_size);

/**
 * Start the workers that are not running (all, the first time). @returns how many run,
 * or -1 once they stopped more than FLEET_MAX_RESTARTS times: none is started again.
 */
long fleet_tend(struct fleet *f);

/** SIGTERM, then SIGKILL after @p grace_ms; reaps them. */
void fleet_stop(struct fleet *f, int grace_ms);
void fleet_release(struct fleet *f);

#endif
