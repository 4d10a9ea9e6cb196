/* clock.c - wall-clock and monotonic milliseconds, and their RFC 3339 form. */
#include "reportflow/clock.h"

#include <stdio.h>
#include <time.h>

int64_t rf_clock_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t rf_clock_mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t rf_clock_thread_cpu_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void rf_clock_format(int64_t ms, char *out, size_t out_size)
{
    time_t secs = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&secs, &tm);
    size_t n = strftime(out, out_size, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out + n, out_size - n, ".%03dZ", (int)(ms % 1000));
}
