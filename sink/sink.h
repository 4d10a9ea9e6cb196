/*
 * sink.h - reportflow-sink's loop: consume reports.events and reports.dlq in
 * the sink's group, store batches in PostgreSQL (db.h), and store the Kafka
 * offsets only after the transaction that holds them committed. Two batches
 * take turns: one is parsed and formatted here while the database thread
 * (writer.h) stores the other. A batch never takes more than sink.batch_docs
 * records nor holds more than sink.batch_bytes (its first record excepted,
 * stored alone), whatever the state (before the first connection too): a full
 * batch pauses the partitions before the next poll. While PostgreSQL is
 * unreachable the writer retries its batch with backoff (capped by
 * sink.retry_max_ms), the partitions are paused and the group membership kept
 * alive; after sink.max_outage_ms without writing, the batch is given up and
 * the group left (another sink may take the partitions), and joined again
 * when PostgreSQL answers an empty transaction. Once a batch was not
 * committed, no later offset is stored until the group is joined again. A
 * second stop signal cancels the transaction in progress and exits.
 */
#ifndef RF_SINK_H
#define RF_SINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "reportflow/config.h"

struct sink_stats {
    uint64_t records;      /* Kafka records handled */
    uint64_t written;      /* documents inserted or replaced */
    uint64_t stale;        /* earlier records of an extraction replaced in the same batch */
    uint64_t dead_letters; /* dead-letter rows written */
    uint64_t unstorable;   /* dead letters PostgreSQL refused even made safe: logged, skipped */
    uint64_t batches;      /* transactions committed */
};

struct sink;

struct sink *sink_new(const struct rf_config *cfg, char *errstr, size_t errstr_size);
struct rf_http;
/** Run until stopped, publishing metrics to @p http (may be NULL). @returns 0 clean, -1 fatal. */
int sink_run(struct sink *s, struct rf_http *http);
void sink_free(struct sink *s);

/** What the loop has done so far (call it from the thread that runs sink_run(), or after). */
struct sink_stats sink_get_stats(const struct sink *s);
/**
 * Records in the batch being filled: at most sink.batch_docs (plus, in a rare
 * race, one record per partition assigned while consumption was paused).
 */
size_t sink_filling_records(const struct sink *s);
/** Bytes the batch being filled holds: below sink.batch_bytes, or one record alone. */
size_t sink_filling_bytes(const struct sink *s);
/** False while out of the group (sink.max_outage_ms without PostgreSQL). */
bool sink_in_group(const struct sink *s);

#endif
