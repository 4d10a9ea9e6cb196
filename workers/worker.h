/*
 * worker.h - the extraction worker's Kafka loop: consume reports.raw in the
 * workers' group, extract, produce one envelope to reports.events (or the
 * original bytes to reports.dlq), and store each raw offset only after that
 * record was acknowledged. Offsets are committed by librdkafka's auto-commit,
 * which commits stored offsets only.
 */
#ifndef RF_WORKER_H
#define RF_WORKER_H

#include <stdint.h>

#include "extractor.h"
#include "reportflow/config.h"

struct worker_stats {
    uint64_t consumed;  /* raw records processed */
    uint64_t extracted; /* envelopes produced and acknowledged */
    uint64_t rejected;  /* records sent to the DLQ */
    uint64_t bytes;     /* raw bytes processed */
    uint64_t timeouts;  /* records past worker.max_extract_ms (also counted in rejected) */
};

struct worker;

/** Connect to Kafka and subscribe. @returns NULL with errstr on failure. */
struct worker *worker_new(const struct rf_config *cfg, const struct catalogue *rules, char *errstr,
                          size_t errstr_size);

/**
 * Run until rf_run_stopping(), publishing metrics to @p http (may be NULL)
 * about once a second. @returns 0 on a clean stop, -1 on a fatal Kafka error
 * (logged); nothing unacknowledged is ever committed.
 */
struct rf_http;
int worker_run(struct worker *w, struct rf_http *http);

/** Close the consumer (commits stored offsets, leaves the group) and free. NULL-safe. */
void worker_free(struct worker *w);

#endif
