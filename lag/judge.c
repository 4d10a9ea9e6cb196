/* judge.c - a partition's status from its offset samples; see judge.h for the rules. */
#include "judge.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

const char *judge_status_name(enum judge_status s)
{
    static const char *const names[] = {"OK", "WARN", "REWIND", "STALL", "STOP", "ERR"};
    return (unsigned)s < sizeof(names) / sizeof(names[0]) ? names[s] : "ERR";
}

/* Index of the first sample inside the window ending at the last sample. */
static size_t window_start(const struct judge_point *pts, size_t n, int64_t window_ms)
{
    int64_t from = pts[n - 1].at_ms - window_ms;
    size_t i = n - 1;
    while (i > 0 && pts[i - 1].at_ms >= from) {
        i--;
    }
    return i;
}

/* Time of the latest sample where the partition was fine: its commit moved or it had no lag. */
static int64_t last_fine_ms(const struct judge_point *pts, size_t n)
{
    for (size_t i = n; i-- > 0;) {
        if (pts[i].lag == 0 || (i > 0 && pts[i].committed != pts[i - 1].committed)) {
            return pts[i].at_ms;
        }
    }
    return pts[0].at_ms; /* never seen fine: idle at least since the first sample */
}

/* The step inside [from, n) where the committed offset went back, or 0 when none. */
static size_t rewind_at(const struct judge_point *pts, size_t n, size_t from)
{
    for (size_t i = from > 0 ? from : 1; i < n; i++) {
        if (pts[i].committed < pts[i - 1].committed) {
            return i;
        }
    }
    return 0;
}

/* Commits moved and the lag never fell, ending higher, over at least two steps of the window. */
static bool lag_growing(const struct judge_point *pts, size_t n, size_t from)
{
    if (n - from < 3 || pts[n - 1].lag <= pts[from].lag ||
        pts[n - 1].committed == pts[from].committed) {
        return false;
    }
    for (size_t i = from + 1; i < n; i++) {
        if (pts[i].lag < pts[i - 1].lag) {
            return false;
        }
    }
    return true;
}

static void judge_one_sample(const struct judge_point *now, double time_lag_s,
                             const struct judge_rules *rules, struct judge_result *out)
{
    double age_ms = time_lag_s * 1000;
    out->status = age_ms >= (double)rules->stop_ms     ? JUDGE_STOP
                  : age_ms >= (double)rules->window_ms ? JUDGE_STALL
                                                       : JUDGE_OK;
    out->idle_ms = out->status == JUDGE_OK ? 0 : (int64_t)age_ms;
    snprintf(out->reason, sizeof(out->reason),
             "one sample: lag %lld, oldest unconsumed record %.1f s old", (long long)now->lag,
             time_lag_s);
}

void judge_partition(const struct judge_point *pts, size_t n, double time_lag_s,
                     const struct judge_rules *rules, struct judge_result *out)
{
    memset(out, 0, sizeof(*out));
    if (n == 0) {
        out->status = JUDGE_ERR;
        snprintf(out->reason, sizeof(out->reason), "no sample");
        return;
    }
    const struct judge_point *now = &pts[n - 1];
    if (now->lag == 0) {
        snprintf(out->reason, sizeof(out->reason), "no lag");
        return;
    }
    if (n == 1) {
        judge_one_sample(now, time_lag_s, rules, out);
        return;
    }
    size_t from = window_start(pts, n, rules->window_ms);
    size_t back = rewind_at(pts, n, from);
    int64_t idle = now->at_ms - last_fine_ms(pts, n);
    out->idle_ms = idle;
    if (back > 0) {
        out->status = JUDGE_REWIND;
        snprintf(out->reason, sizeof(out->reason), "committed offset went back from %lld to %lld",
                 (long long)pts[back - 1].committed, (long long)pts[back].committed);
    } else if (idle >= rules->stop_ms) {
        out->status = JUDGE_STOP;
        snprintf(out->reason, sizeof(out->reason), "no commit for %.0f s, lag %lld", idle / 1000.0,
                 (long long)now->lag);
    } else if (idle >= rules->window_ms) {
        out->status = JUDGE_STALL;
        snprintf(out->reason, sizeof(out->reason),
                 "committed offset %lld still for %.0f s, lag %lld", (long long)now->committed,
                 idle / 1000.0, (long long)now->lag);
    } else if (lag_growing(pts, n, from)) {
        out->status = JUDGE_WARN;
        snprintf(out->reason, sizeof(out->reason), "lag grew from %lld to %lld in %.0f s",
                 (long long)pts[from].lag, (long long)now->lag,
                 (now->at_ms - pts[from].at_ms) / 1000.0);
    } else {
        snprintf(out->reason, sizeof(out->reason), "committing, lag %lld", (long long)now->lag);
    }
}

void judge_history_add(struct judge_point *pts, size_t *n, size_t cap, const struct judge_point *p,
                       const struct judge_rules *rules)
{
    if (cap == 0) {
        return;
    }
    if (*n == cap && cap > 1) {
        /* drop the second oldest: the oldest anchors how long nothing moved */
        memmove(pts + 1, pts + 2, (cap - 2) * sizeof(*pts));
        (*n)--;
    } else if (*n == cap) {
        *n = 0;
    }
    pts[(*n)++] = *p;
    /* keep one sample at or before the horizon: it says what happened at its edge */
    int64_t horizon =
        p->at_ms - (rules->stop_ms > rules->window_ms ? rules->stop_ms : rules->window_ms);
    size_t drop = 0;
    while (drop + 1 < *n && pts[drop + 1].at_ms <= horizon) {
        drop++;
    }
    if (drop > 0) {
        memmove(pts, pts + drop, (*n - drop) * sizeof(*pts));
        *n -= drop;
    }
}
