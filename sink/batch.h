/*
 * batch.h - the Kafka records of one sink transaction, made ready for db_store()
 * as they arrive: each envelope is parsed, checked and formatted (rows.h) once,
 * each dead-letter record read from its headers. It counts the bytes it holds
 * (messages and formatted rows), so the loop can close it by size as well as by
 * count: a few dense envelopes weigh more than hundreds of plain ones. The batch owns its messages
 * until batch_clear(); the Kafka loop fills one batch while the database writer
 * stores the previous one.
 */
#ifndef RF_BATCH_H
#define RF_BATCH_H

#include <stdbool.h>
#include <stddef.h>

#include <librdkafka/rdkafka.h>

#include "db.h"
#include "rows.h"

struct batch_record; /* what one message became; private to batch.c */

struct batch {
    rd_kafka_message_t **msgs; /* owned, in arrival order */
    struct batch_record *recs; /* one per message */
    size_t cnt, cap;
    struct rows rows;    /* the envelopes' bytes */
    struct rows_env env; /* the envelope being read (its index reused) */
    struct rf_buf names; /* dead letters' file names as bytes, decoded from file.name.raw */
    size_t bytes;        /* what the records and their rows hold: bounded by sink.batch_bytes */
    int64_t started_ms;  /* when its first record arrived (monotonic) */
    /* set by batch_seal(): what goes to PostgreSQL */
    struct db_item *items; /* points into recs and rows */
    size_t nitems;
    size_t stale; /* earlier records of an extraction replaced within the batch, dropped */
};

/**
 * Take @p m into the batch (@p m is the batch's even on failure); records of
 * @p dlq_topic are dead letters, others envelopes. A bad envelope becomes a
 * dead letter with the reason. @returns 0, or -1 when out of memory.
 */
int batch_add(struct batch *b, rd_kafka_message_t *m, const char *dlq_topic);

/**
 * True when @p b takes no more records: @p max_docs of them, or @p max_bytes
 * held. A batch always takes its first record, however large: one record over
 * the bound is stored alone.
 */
bool batch_full(const struct batch *b, size_t max_docs, size_t max_bytes);

/** Drop earlier records of an extraction (doc_id, rules_hash) and lay out items. */
void batch_seal(struct batch *b);

/** Destroy the messages and forget the records; the memory is kept for reuse. */
void batch_clear(struct batch *b);
void batch_release(struct batch *b);

/**
 * Read and check an envelope this sink understands into @p env (schema, version
 * 1 or 2, doc_id, extracted_at, the rules' hash or version, the document object,
 * the child tables' arrays and their columns' kinds: children.h; in version 2
 * every reference to an excerpt or a quantity: rows_check()). Fills @p doc_id
 * (65 bytes) and @p rules_hash (the version it is stored under: rows_rules_hash()).
 * @returns 0; -1 with a reason in @p why; -2 when out of memory.
 */
int batch_validate_envelope(struct rows_env *env, const char *json, size_t len, char *doc_id,
                            char rules_hash[ROWS_RULES_HASH_SIZE], char *why, size_t why_size);

#endif
