/*
 * db.h - the sink's PostgreSQL side: connect (and migrate), and store a batch
 * of envelopes and dead letters in one transaction. Extraction rows are upserted
 * from one JSONB parameter (keyed by doc_id and rules_hash); their child rows
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
#include "db_conn.h"
#include "pgtext.h"
#include "rows.h"

struct db_item {
    bool dead_letter;        /* false: an envelope; true: a dead letter */
    const char *doc_id;      /* envelope: its id (64 hex digits) */
    const struct rows *rows; /* envelope: its batch's formatted bytes (borrowed) */
    struct rows_doc at;      /* envelope: where its bytes are in rows */
    /* dead letter: bytes as they came (any bytes; db_store() makes them safe text) */
    struct pgtext_bytes stage; /* producer, extract or sink */
    struct pgtext_bytes error_code;
    struct pgtext_bytes error_text;
    struct pgtext_bytes file_name;     /* .data NULL: none */
    struct pgtext_bytes file_name_raw; /* the name's bytes when not UTF-8; .data NULL: none */
    struct pgtext_bytes key;           /* the record key (a document id), .data NULL: none */
    int attempt;
    const void *payload; /* the record's original bytes (borrowed) */
    size_t payload_len;
    bool no_payload;   /* dead letter: store it without its payload (it failed alone with it) */
    const char *topic; /* Kafka coordinates of the record it came from */
    int partition;
    long long offset;
    long long timestamp;     /* of the record (ms), -1 when none: part of a dead letter's key */
    char reject_reason[256]; /* out: why an envelope was turned into a dead letter */
};

struct db_counts {
    size_t written;      /* extractions inserted or replaced */
    size_t rejected;     /* envelopes PostgreSQL refused: now dead letters */
    size_t dead_letters; /* dead-letter rows written (new ones) */
    size_t unstorable;   /* dead letters PostgreSQL refused even made safe: logged, skipped */
};

/**
 * Store @p items in one transaction. Envelopes of the same extraction (doc_id and
 * rules_hash) must not repeat within a batch (the caller keeps the later). The
 * first extraction stored of a document is promoted (shown); later versions
 * wait for reportflow-reprocess promote. Open dead letters of a written
 * document are marked resolved. An envelope that
 * PostgreSQL rejects becomes a dead letter and the rest still land; a dead
 * letter's text is made safe (pgtext.h), a file name that is not UTF-8 also
 * kept as bytes, and one PostgreSQL still refuses is stored stripped to its
 * payload, so no single record can stop the sink. A dead letter already
 * stored (same letter_key: a replay) is not stored again.
 * The transaction runs under db->statement_timeout_ms (SET LOCAL).
 * @returns DB_OK (committed), DB_RETRY, DB_SMALLER (a limit a smaller batch may
 * not meet: the SQLSTATE is in db->sqlstate) or DB_FATAL (the database is
 * unusable: our SQL or schema is wrong; nothing committed).
 */
enum db_result db_store(struct db *db, struct db_item *items, size_t cnt, struct db_counts *counts,
                        char *errstr, size_t errstr_size);

#endif
