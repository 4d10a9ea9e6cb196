/*
 * dead_letters.h - dead letters into PostgreSQL (the table dead_letters): each
 * known by its letter key, so a replay is stored once; its texts made safe
 * (pgtext.h), a file name that is not UTF-8 also kept as bytes; one that
 * PostgreSQL still refuses stored stripped to its payload, then skipped with an
 * error in the log: no single record can stop the sink.
 */
#ifndef RF_DEAD_LETTERS_H
#define RF_DEAD_LETTERS_H

#include <stdbool.h>
#include <stddef.h>

#include "db.h"

/**
 * The key that tells a replayed dead letter from a new one (64 hex digits and
 * a NUL in @p hex): SHA-256 of the record's topic, partition, offset and
 * @p timestamp (ms, -1 when the record has none) and its payload. Replaying a
 * record gives its key again; a new record at an offset reused after the topic
 * was recreated has another timestamp. (A record without a timestamp at a
 * reused offset, with the same payload, would be taken for a replay.)
 * @returns 0, or -1 when libcrypto failed.
 */
int dead_letters_key(const char *topic, int partition, long long offset, long long timestamp,
                     const void *payload, size_t len, char hex[65]);

/**
 * Insert the dead letters among @p items within the transaction open on @p db.
 * @p one_by_one: each under a savepoint, so one refused is stripped or skipped
 * rather than failing the batch. Adds to counts->dead_letters (new rows) and
 * counts->unstorable. @returns DB_OK, or what db_conn_classify() said of a failure.
 */
enum db_result dead_letters_store(struct db *db, const struct db_item *items, size_t cnt,
                                  bool one_by_one, struct db_counts *counts, char *errstr,
                                  size_t errstr_size);

#endif
