/*
 * publisher.h - send inbox files to reports.raw and archive each one only after
 * its delivery report. Files that can never be sent (empty, unreadable, over
 * producer.max_file_bytes) go to reports.dlq and, once that record is
 * acknowledged, to failed/ with a NAME.error sidecar. Bytes and files in
 * flight are bounded, so a backlog of any size streams in bounded memory.
 */
#ifndef RF_PUBLISHER_H
#define RF_PUBLISHER_H

#include <stddef.h>
#include <stdint.h>

#include "reportflow/config.h"

struct publish_stats {
    uint64_t seen;             /* files offered */
    uint64_t sent;             /* files acknowledged by Kafka and archived */
    uint64_t failed;           /* files moved to failed/ */
    uint64_t retried;          /* transient delivery failures, sent again */
    uint64_t replaced;         /* changed while in flight: the new version is sent too */
    uint64_t bytes_sent;       /* acknowledged bytes */
    uint64_t latency_ms_total; /* sum of read-to-ack latencies of sent files */
    uint64_t latency_ms_max;
    size_t queued;   /* waiting to be read and sent (or their dead letters sent) */
    size_t inflight; /* sent, not yet acknowledged */
    size_t inflight_bytes;
};

struct publisher;

struct publisher *publisher_new(const struct rf_config *cfg, char *errstr, size_t errstr_size);
void publisher_free(struct publisher *p);

/** Queue an inbox file (relative path) unless it is already queued or in flight. */
void publisher_offer(struct publisher *p, const char *rel_path);

/** Send queued files while the in-flight bounds allow. @returns -1 on a fatal error. */
int publisher_pump(struct publisher *p);

/** Serve delivery reports for up to @p timeout_ms. */
void publisher_poll(struct publisher *p, int timeout_ms);

/**
 * Wait up to @p timeout_ms for everything in flight (archiving what is
 * acknowledged); unacknowledged files simply stay in the inbox.
 * @returns files still unacknowledged.
 */
size_t publisher_drain(struct publisher *p, int64_t timeout_ms);

/** The producer handle (borrowed), for tests that inject broker errors. */
typedef struct rd_kafka_s rd_kafka_t;
rd_kafka_t *publisher_kafka(struct publisher *p);

/** True after a fatal Kafka error. */
bool publisher_failed(const struct publisher *p);

const struct publish_stats *publisher_stats(const struct publisher *p);

#endif
