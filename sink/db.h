/*
 * db.h - the sink's PostgreSQL side: connect (and migrate), and store a batch
 * of envelopes and dead letters in one transaction. Document rows are upserted
 * from one JSONB parameter (an older extraction never wins); their child rows
 * (sections, citations, quantities, metrics), formatted beforehand (rows.h),
 * stream in with COPY FROM STDIN.
 * No value is ever spliced into SQL.
 */
#ifndef RF_DB_H
#define RF_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "rows.h"

/* What to do after a failed statement (STYLE.md E6); decided in db_classify() only. */
enum db_result {
    DB_OK = 0,
    DB_RETRY,  /* connection or server trouble: reconnect, back off, try the batch again */
    DB_REJECT, /* this data can never be stored: dead-letter it, store the rest */
    DB_FATAL,  /* our SQL or schema is wrong: stop and tell the operator */
};

struct db_item {
    bool dead_letter;        /* false: an envelope; true: a dead letter */
    const char *doc_id;      /* envelope: its id; dead letter: the record key, or NULL */
    const struct rows *rows; /* envelope: its batch's formatted bytes (borrowed) */
    struct rows_doc at;      /* envelope: where its bytes are in rows */
    const char *stage;       /* dead letter: producer, extract or sink */
    const char *error_code;  /* dead letter */
    const char *error_text;  /* dead letter */
    const char *file_name;   /* dead letter, or NULL */
    int attempt;             /* dead letter */
    const void *payload;     /* the record's original bytes (borrowed) */
    size_t payload_len;
    const char *topic;       /* Kafka coordinates of the record it came from */
    int partition;
    long long offset;
    char reject_reason[256]; /* out: why an envelope was turned into a dead letter */
};

struct db_counts {
    size_t written;  /* documents inserted or replaced */
    size_t stale;    /* envelopes older than the stored extraction: ignored */
    size_t rejected; /* envelopes PostgreSQL refused: now dead letters */
    size_t dead_letters; /* dead-letter rows written (new ones) */
};

struct db {
    PGconn *conn;          /* NULL while disconnected */
    const char *conninfo;  /* borrowed */
};

/* Reconnect backoff: the first wait, then doubled up to sink.retry_max_ms. */
#define DB_BACKOFF_FIRST_MS 200

/** The wait after one of @p current_ms: doubled, at most @p max_ms. */
int64_t db_backoff_next(int64_t current_ms, int64_t max_ms);

/** Connect and apply migrations. @returns DB_OK, DB_RETRY (server unreachable) or DB_FATAL. */
enum db_result db_connect(struct db *db, const char *conninfo, char *errstr, size_t errstr_size);
void db_close(struct db *db);

/** Map a failed result (or a broken connection) to what the caller should do. */
enum db_result db_classify(PGconn *conn, const PGresult *res);

/**
 * Store @p items in one transaction. Envelopes with the same doc_id must not
 * repeat within a batch (the caller keeps the newest). An envelope that
 * PostgreSQL rejects becomes a dead letter and the rest still land.
 * @returns DB_OK (committed), DB_RETRY or DB_FATAL (nothing committed).
 */
enum db_result db_store(struct db *db, struct db_item *items, size_t cnt, struct db_counts *counts,
                        char *errstr, size_t errstr_size);

#endif
