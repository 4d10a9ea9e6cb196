/*
 * db.h - the sink's PostgreSQL side: connect (and migrate), and store a batch
 * of envelopes and dead letters in one transaction. Document rows are upserted
 * from one JSONB parameter (an older extraction never wins); their child rows
 * (sections, citations, quantities, metrics), formatted beforehand (rows.h),
 * stream in with COPY FROM STDIN; dead letters go in by dead_letters.h.
 * No value is ever spliced into SQL.
 */
#ifndef RF_DB_H
#define RF_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "children.h"
#include "pgtext.h"
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
    const char *doc_id;      /* envelope: its id (64 hex digits) */
    const struct rows *rows; /* envelope: its batch's formatted bytes (borrowed) */
    struct rows_doc at;      /* envelope: where its bytes are in rows */
    /* dead letter: bytes as they came (any bytes; db_store() makes them safe text) */
    struct pgtext_bytes stage; /* producer, extract or sink */
    struct pgtext_bytes error_code;
    struct pgtext_bytes error_text;
    struct pgtext_bytes file_name; /* .data NULL: none */
    struct pgtext_bytes key;       /* the record key (a document id), .data NULL: none */
    int attempt;
    const void *payload; /* the record's original bytes (borrowed) */
    size_t payload_len;
    const char *topic; /* Kafka coordinates of the record it came from */
    int partition;
    long long offset;
    long long timestamp;     /* of the record (ms), -1 when none: part of a dead letter's key */
    char reject_reason[256]; /* out: why an envelope was turned into a dead letter */
};

struct db_counts {
    size_t written;      /* documents inserted or replaced */
    size_t stale;        /* envelopes older than the stored extraction: ignored */
    size_t rejected;     /* envelopes PostgreSQL refused: now dead letters */
    size_t dead_letters; /* dead-letter rows written (new ones) */
    size_t unstorable;   /* dead letters PostgreSQL refused even made safe: logged, skipped */
};

struct db {
    PGconn *conn;                   /* NULL while disconnected */
    const char *conninfo;           /* borrowed */
    const struct children_sql *sql; /* borrowed: built once by whoever sets the db up */
};

/** Connect and apply migrations. @returns DB_OK, DB_RETRY (server unreachable) or DB_FATAL. */
enum db_result db_connect(struct db *db, const char *conninfo, char *errstr, size_t errstr_size);
void db_close(struct db *db);

/**
 * A handle that cancels the statement running on @p db's connection from
 * another thread (PQcancel is thread-safe), or NULL. Free with db_cancel_free().
 */
PGcancel *db_cancel_new(struct db *db);
/** Ask the server to cancel what the connection runs now; errors are only logged. */
void db_cancel_send(PGcancel *cancel);
void db_cancel_free(PGcancel *cancel);

/** Map a failed result (or a broken connection) to what the caller should do. */
enum db_result db_classify(PGconn *conn, const PGresult *res);

/**
 * @p what and PostgreSQL's message on @p conn, on one line in @p errstr (cut
 * between characters: the message may quote the data refused).
 */
void db_error(char *errstr, size_t errstr_size, const char *what, PGconn *conn);

/** Run @p sql (no parameters, no rows kept); on failure the reason in @p errstr. */
enum db_result db_exec(struct db *db, const char *sql, char *errstr, size_t errstr_size);

/**
 * Store @p items in one transaction. Envelopes with the same doc_id must not
 * repeat within a batch (the caller keeps the newest). An envelope that
 * PostgreSQL rejects becomes a dead letter and the rest still land; a dead
 * letter's text is made safe (pgtext.h), a file name that is not UTF-8 also
 * kept as bytes, and one PostgreSQL still refuses is stored stripped to its
 * payload, so no single record can stop the sink. A dead letter already
 * stored (same letter_key: a replay) is not stored again.
 * @returns DB_OK (committed), DB_RETRY or DB_FATAL (the database is unusable:
 * our SQL or schema is wrong; nothing committed).
 */
enum db_result db_store(struct db *db, struct db_item *items, size_t cnt, struct db_counts *counts,
                        char *errstr, size_t errstr_size);

#endif
