/*
 * clock_behind.so: a host whose wall clock is behind, for the multi-host test (9003). Preloaded
 * into one program, it moves CLOCK_REALTIME (clock_gettime, time) back by RF_CLOCK_BEHIND_S
 * seconds, which is the clock reportflow stamps its times with (common/src/clock.c).
 * Unlike libfaketime it leaves gettimeofday and the pthread waits alone: librdkafka computes
 * its condition variables' deadlines from gettimeofday, and a faked one put them an hour in
 * the past (its threads "did not initialize within 60 seconds" at once).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdlib.h>
#include <time.h>

typedef int (*clock_gettime_fn)(clockid_t, struct timespec *);

static long behind_s(void)
{
    const char *v = getenv("RF_CLOCK_BEHIND_S");
    return v ? strtol(v, NULL, 10) : 0;
}

static int is_wall_clock(clockid_t id)
{
    return id == CLOCK_REALTIME || id == CLOCK_REALTIME_COARSE;
}

int clock_gettime(clockid_t id, struct timespec *ts)
{
    clock_gettime_fn next = (clock_gettime_fn)dlsym(RTLD_NEXT, "clock_gettime");
    if (!next) {
        abort(); /* no clock to shift: better no program than a wrong one */
    }
    int rc = next(id, ts);
    if (rc == 0 && is_wall_clock(id)) {
        ts->tv_sec -= behind_s();
    }
    return rc;
}

time_t time(time_t *out)
{
    struct timespec ts;
    time_t now = clock_gettime(CLOCK_REALTIME, &ts) == 0 ? ts.tv_sec : (time_t)-1;
    if (out) {
        *out = now;
    }
    return now;
}
