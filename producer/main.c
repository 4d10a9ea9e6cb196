/*
 * main.c - reportflow-producer: watch the inbox, send each finished file to
 * reports.raw, archive it after Kafka acknowledged it.
 * Exit status: 0 clean stop, 1 fatal error, 2 bad configuration.
 */
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "archive.h"
#include "publisher.h"
#include "reportflow/http.h"
#include "reportflow/daemon.h"
#include "reportflow/clock.h"
#include "reportflow/fs.h"
#include "reportflow/log.h"
#include "reportflow/run.h"
#include "watch.h"

#define COMPONENT "producer"

static const char usage[] = "usage: reportflow-producer [-c FILE] [-X key=value]...\n"
                            "Watches watch.dir and sends every finished file to topic.raw.\n";

static void offer(void *ctx, const char *rel, enum rf_fs_kind kind, const struct stat *st)
{
    (void)kind; /* the publisher classifies again, on what it opens */
    publisher_offer_claimed(ctx, rel, st);
}

/* The publisher found a file changed after it was claimed: the watcher waits for quiet again. */
static void wait_again(void *ctx, const char *rel)
{
    watch_wait_again(ctx, rel);
}

struct progress {
    int64_t next_ms;    /* when to log next */
    int64_t last_ms;    /* when we logged last */
    uint64_t last_sent; /* files sent at the last line */
    uint64_t last_bytes;
};

static void log_progress(const struct rf_config *cfg, const struct publisher *p,
                         struct progress *pr, bool force)
{
    int64_t now = rf_clock_mono_ms();
    if (!force && now < pr->next_ms) {
        return;
    }
    const struct publish_stats *s = publisher_stats(p);
    double secs = (now - pr->last_ms) / 1000.0;
    if (secs <= 0) {
        secs = 1e-3;
    }
    if (force || s->sent != pr->last_sent || s->queued || s->inflight) {
        rf_info(COMPONENT,
                "progress: seen=%llu sent=%llu same_content=%llu failed=%llu queued=%zu "
                "in_flight=%zu files_per_s=%.1f mb_per_s=%.2f",
                (unsigned long long)s->seen, (unsigned long long)s->sent,
                (unsigned long long)s->same_content, (unsigned long long)s->failed, s->queued,
                s->inflight, (s->sent - pr->last_sent) / secs,
                (s->bytes_sent - pr->last_bytes) / secs / 1e6);
    }
    pr->next_ms = now + cfg->progress_ms;
    pr->last_ms = now;
    pr->last_sent = s->sent;
    pr->last_bytes = s->bytes_sent;
}

static void publish_metrics(struct rf_http *http, const struct publisher *p, const struct watch *w)
{
    const struct publish_stats *s = publisher_stats(p);
    const struct watch_stats *ws = watch_stats(w);
    const struct rf_metric metrics[] = {
        {"reportflow_producer_files_seen_total", "counter", "Files found in the inbox.",
         (double)s->seen},
        {"reportflow_producer_files_sent_total", "counter",
         "Files acknowledged by Kafka (each once, archived or not).", (double)s->sent},
        {"reportflow_producer_files_same_content_total", "counter",
         "Files sent whose content this producer had sent before: the same document, stored "
         "again, not a new one.",
         (double)s->same_content},
        {"reportflow_producer_files_failed_total", "counter",
         "Files moved to failed/ with a dead-letter record.", (double)s->failed},
        {"reportflow_producer_files_replaced_total", "counter",
         "Files changed while in flight; the new version was sent too.", (double)s->replaced},
        {"reportflow_producer_files_changed_total", "counter",
         "Files that changed between found complete and read; not sent, waiting again.",
         (double)s->changed},
        {"reportflow_producer_read_retries_total", "counter",
         "Reads that failed for a passing reason (descriptors, memory, I/O), tried again later.",
         (double)s->read_retries},
        {"reportflow_producer_archive_retries_total", "counter",
         "Failed moves of delivered files to done/ (or unlinks), tried again later.",
         (double)s->archive_retries},
        {"reportflow_producer_files_unarchived_total", "counter",
         "Delivered files done/ never took: moved to failed/ (error=not-archived).",
         (double)s->unarchived},
        {"reportflow_producer_skipped_folders_total", "counter",
         "Subfolders left in the inbox because watch.recursive is off.",
         (double)ws->skipped_folders},
        {"reportflow_producer_lost_watches_total", "counter",
         "Watched folders removed or unmounted (inotify IN_IGNORED).", (double)ws->lost_watches},
        {"reportflow_producer_retries_total", "counter",
         "Deliveries that failed and were sent again.", (double)s->retried},
        {"reportflow_producer_bytes_sent_total", "counter", "Bytes acknowledged by Kafka.",
         (double)s->bytes_sent},
        {"reportflow_producer_waiting_files", "gauge",
         "Files in the inbox waiting to be complete (quiet, no writer known).",
         (double)watch_waiting(w)},
        {"reportflow_producer_queued_files", "gauge", "Files waiting to be read and sent.",
         (double)s->queued},
        {"reportflow_producer_archive_waiting_files", "gauge",
         "Delivered files whose move to done/ is to be tried again.", (double)s->archive_waiting},
        {"reportflow_producer_inflight_files", "gauge", "Files sent and not yet acknowledged.",
         (double)s->inflight},
        {"reportflow_producer_inflight_bytes", "gauge", "Bytes sent and not yet acknowledged.",
         (double)s->inflight_bytes},
        {"reportflow_producer_delivery_latency_seconds_sum", "summary",
         "Read-to-acknowledgement latency of sent files.", s->latency_ms_total / 1000.0},
        {"reportflow_producer_delivery_latency_seconds_count", "summary",
         "Read-to-acknowledgement latency of sent files.", (double)s->sent},
    };
    rf_http_publish_metrics(http, metrics, sizeof(metrics) / sizeof(metrics[0]));
}

static int run(const struct rf_config *cfg, struct watch *w, struct publisher *p,
               struct rf_http *http)
{
    int64_t next_metrics = 0;
    struct progress pr = {0, rf_clock_mono_ms(), 0, 0};
    pr.next_ms = pr.last_ms + cfg->progress_ms;
    /* files already there wait to be complete like any other: a writer may be at one */
    size_t found = watch_scan(w, offer, p);
    rf_info(COMPONENT, "watching '%s': %zu file(s) already there", cfg->watch_dir, found);
    int64_t next_rescan = rf_clock_mono_ms() + cfg->watch_rescan_ms;
    bool left_behind = false; /* files were left in the inbox for want of room: scan for them */
    while (!rf_run_stopping()) {
        if (publisher_pump(p) != 0) {
            return 1;
        }
        /* wait where the next event comes from: delivery reports while files are in
           flight, the inbox otherwise; never block while files are queued */
        const struct publish_stats *st = publisher_stats(p);
        bool busy = publisher_ready(p);
        bool waiting_for_acks = st->inflight > 0;
        struct pollfd pfd = {watch_fd(w), POLLIN, 0};
        int n = poll(&pfd, 1, busy || waiting_for_acks ? 0 : 50);
        if (n > 0 && watch_read_events(w, offer, p) != 0) {
            return 1;
        }
        publisher_poll(p, !busy && waiting_for_acks ? 10 : 0);
        watch_claim(w, publisher_room(p), offer, p);
        left_behind |= publisher_take_overflow(p) || watch_overflowed(w);
        bool room = watch_waiting(w) < WATCH_MAX_WAITING / 2 &&
                    publisher_room(p) >= PUBLISHER_MAX_QUEUED / 2;
        if (rf_clock_mono_ms() >= next_rescan || (left_behind && room)) {
            /* missed events are rare; what it finds waits to be complete like the rest */
            left_behind = false;
            watch_scan(w, offer, p);
            next_rescan = rf_clock_mono_ms() + cfg->watch_rescan_ms;
        }
        log_progress(cfg, p, &pr, false);
        if (rf_clock_mono_ms() >= next_metrics) {
            publish_metrics(http, p, w);
            next_metrics = rf_clock_mono_ms() + 1000;
        }
    }
    rf_info(COMPONENT, "stopping: waiting up to %lld ms for %zu delivery report(s)",
            cfg->flush_timeout_ms, publisher_stats(p)->inflight);
    size_t left = publisher_drain(p, cfg->flush_timeout_ms);
    if (left > 0) {
        rf_warn(COMPONENT,
                "%zu file(s) unacknowledged; they stay in the inbox and are sent "
                "again at the next start",
                left);
    }
    log_progress(cfg, p, &pr, true);
    return publisher_failed(p) ? 1 : 0;
}

/* The watcher and the publisher, made and freed together. */
struct producer_app {
    const struct rf_config *cfg;
    struct watch *watch;
    struct publisher *publisher;
};

static void destroy(void *p)
{
    struct producer_app *app = p;
    publisher_free(app->publisher);
    watch_free(app->watch);
    free(app);
}

static void *create(const struct rf_config *cfg, char *errstr, size_t errstr_size)
{
    struct producer_app *app = calloc(1, sizeof(*app));
    if (!app) {
        snprintf(errstr, errstr_size, "out of memory");
        return NULL;
    }
    app->cfg = cfg;
    if (!(app->watch = watch_new(cfg->watch_dir, cfg->watch_recursive, cfg->watch_ignore,
                                 cfg->watch_quiet_ms, errstr, errstr_size)) ||
        archive_check_places(cfg, errstr, errstr_size) != 0 ||
        !(app->publisher = publisher_new(cfg, errstr, errstr_size))) {
        destroy(app);
        return NULL;
    }
    publisher_on_changed(app->publisher, wait_again, app->watch);
    return app;
}

static int run_app(void *p, struct rf_http *http)
{
    struct producer_app *app = p;
    return run(app->cfg, app->watch, app->publisher, http);
}

int main(int argc, char **argv)
{
    const struct rf_daemon d = {
        {"producer", RF_PROG_PRODUCER, usage, NULL, NULL, NULL, NULL}, create, run_app, destroy};
    return rf_daemon_main(&d, argc, argv);
}
