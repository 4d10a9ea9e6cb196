/*
 * sink.h - reportflow-sink's loop: consume reports.events and reports.dlq in
 * the sink's group, store batches in PostgreSQL (db.h), and store the Kafka
 * offsets only after the transaction that holds them committed. While
 * PostgreSQL is unreachable the partitions are paused, the group membership
 * kept alive, and the same batch retried with backoff.
 */
#ifndef RF_SINK_H
#define RF_SINK_H

#include <stdint.h>

#include <jansson.h>

#include "reportflow/cfg.h"

struct sink_stats {
    uint64_t records;      /* Kafka records handled */
    uint64_t written;      /* documents inserted or replaced */
    uint64_t stale;        /* older or duplicate envelopes ignored */
    uint64_t dead_letters; /* dead-letter rows written */
    uint64_t batches;      /* transactions committed */
    uint64_t retries;      /* failed attempts at a batch */
};

struct sink;

struct sink *sink_new(const struct rf_config *cfg, char *errstr, size_t errstr_size);
struct rf_http;
/** Run until stopped, publishing metrics to @p http (may be NULL). @returns 0 clean, -1 fatal. */
int sink_run(struct sink *s, struct rf_http *http);
void sink_free(struct sink *s);

/**
 * Parse and check an envelope this sink understands (schema, version, doc_id,
 * extracted_at, the four arrays). @returns the parsed envelope (a new
 * reference), or NULL with a reason in @p why. Fills @p doc_id (65 bytes) and
 * @p extracted_at (64 bytes).
 */
json_t *sink_validate_envelope(const char *json, size_t len, char *doc_id, char *extracted_at,
                               char *why, size_t why_size);

#endif
