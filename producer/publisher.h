/*
 * publisher.h - send inbox files to reports.raw and archive each one only after
 * its delivery report. Files that can never be sent (empty, unreadable, over
 * producer.max_file_bytes) go to reports.dlq and, once that record is
 * acknowledged, to failed/ with a NAME.error sidecar. Bytes and files in
 * flight are bounded, so a backlog of any size streams in bounded memory.
 *
 * Each file is sent once: a file that changed after it was found complete is
 * not sent but handed back to wait again (publisher_on_changed()); a read that
 * fails for a passing reason (no descriptors or memory, an I/O error) is tried
 * again later, never a failure; a delivered file whose move to done/ (or
 * unlink) fails stays delivered and only the move is tried again, and after
 * publisher_timing.archive_tries it goes to failed/ with a sidecar saying so.
 */
#ifndef RF_PUBLISHER_H
#define RF_PUBLISHER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "reportflow/config.h"

struct publish_stats {
    uint64_t seen;             /* files offered */
    uint64_t sent;             /* files acknowledged by Kafka (once each, archived or not) */
    uint64_t same_content;     /* of them, the content of a file sent before: the same document */
    uint64_t failed;           /* files sent to reports.dlq, for failed/ */
    uint64_t retried;          /* transient delivery failures, sent again */
    uint64_t replaced;         /* changed while in flight: the new version is sent too */
    uint64_t changed;          /* changed between found complete and read: not sent, waiting */
    uint64_t read_retries;     /* reads that failed for a passing reason, tried again later */
    uint64_t archive_retries;  /* failed moves of delivered files, tried again later */
    uint64_t unarchived;       /* delivered, never archived: moved to failed/ (not-archived) */
    uint64_t bytes_sent;       /* acknowledged bytes */
    uint64_t latency_ms_total; /* sum of read-to-ack latencies of sent files */
    uint64_t latency_ms_max;
    size_t queued;          /* waiting to be read and sent (or their dead letters sent) */
    size_t inflight;        /* sent, not yet acknowledged */
    size_t inflight_bytes;  /* their bytes */
    size_t archive_waiting; /* delivered, their move to be tried again */
};

/** How long the publisher waits before it tries again. */
struct publisher_timing {
    int64_t retry_first_ms; /* the first wait after a failed read or move; doubles each time */
    int64_t retry_max_ms;   /* the longest wait */
    unsigned archive_tries; /* moves of a delivered file to done/ before it goes to failed/ */
};

/** The defaults publisher_new() takes. */
#define PUBLISHER_RETRY_FIRST_MS 1000
#define PUBLISHER_RETRY_MAX_MS 60000
#define PUBLISHER_ARCHIVE_TRIES 5

/** Called with a file that changed after it was found complete (not sent): wait again. */
typedef void (*publisher_changed_fn)(void *ctx, const char *rel_path);

struct publisher;

/* Files queued to be read at most (besides those in flight, which producer.max_inflight_files
   bounds): a file offered past it is left in the inbox, for a later scan. */
#define PUBLISHER_MAX_QUEUED 10000

struct publisher *publisher_new(const struct rf_config *cfg, char *errstr, size_t errstr_size);
void publisher_free(struct publisher *p);

/**
 * Queue an inbox file (relative path) unless it is already queued, in flight
 * or delivered and not yet archived, or PUBLISHER_MAX_QUEUED are queued (then
 * publisher_take_overflow() says so). With @p claimed (the version found
 * complete), a file that is not that version when read is not sent.
 */
void publisher_offer_claimed(struct publisher *p, const char *rel_path, const struct stat *claimed);

/** How many more files publisher_offer_claimed() queues now. */
size_t publisher_room(const struct publisher *p);

/** Whether a file was offered into a full queue since the last call (which clears it). */
bool publisher_take_overflow(struct publisher *p);

/** publisher_offer_claimed() without a claimed version. */
void publisher_offer(struct publisher *p, const char *rel_path);

/** Where files that changed after they were found complete go; without it they are dropped. */
void publisher_on_changed(struct publisher *p, publisher_changed_fn fn, void *ctx);

/** Change the waits (tests use short ones). */
void publisher_set_timing(struct publisher *p, const struct publisher_timing *t);

/** True when publisher_pump() has work now (not only retries that are not due yet). */
bool publisher_ready(const struct publisher *p);

/** Send queued files while the in-flight bounds allow. @returns -1 on a fatal error. */
int publisher_pump(struct publisher *p);

/** Serve delivery reports for up to @p timeout_ms. */
void publisher_poll(struct publisher *p, int timeout_ms);

/**
 * Wait up to @p timeout_ms for everything in flight (archiving what is
 * acknowledged), then try once more to archive what was delivered;
 * unacknowledged files simply stay in the inbox. @returns files still unacknowledged.
 */
size_t publisher_drain(struct publisher *p, int64_t timeout_ms);

/** The producer handle (borrowed), for tests that inject broker errors. */
typedef struct rd_kafka_s rd_kafka_t;
rd_kafka_t *publisher_kafka(struct publisher *p);

/** True after a fatal Kafka error. */
bool publisher_failed(const struct publisher *p);

const struct publish_stats *publisher_stats(const struct publisher *p);

#endif
