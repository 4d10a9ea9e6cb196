/* dead_letters.c - dead letters into PostgreSQL, once each, none able to stop the sink. */
#include "dead_letters.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db_conn.h"
#include "reportflow/buf.h"
#include "reportflow/log.h"
#include "reportflow/sha256.h"

#define COMPONENT "db"

/* A replay of a record already stored has its letter_key: stored once (sql/002). */
static const char insert_dead_letter_sql[] =
    "INSERT INTO dead_letters (stage, error_code, error_text, attempt, file_name, doc_id, size,"
    " payload, source_topic, source_partition, source_offset, letter_key, file_name_raw)"
    " VALUES ($1, $2, $3, $4::int, $5, $6, $7::bigint, $8::bytea, $9, $10::int, $11::bigint,"
    " $12, $13::bytea)"
    " ON CONFLICT (letter_key) DO NOTHING";

/* Longest texts of a dead letter, in bytes (cut at a character boundary). */
#define LETTER_SHORT_MAX 256
#define LETTER_TEXT_MAX 8192

int dead_letters_key(const char *topic, int partition, long long offset, long long timestamp,
                     const void *payload, size_t len, char hex[65])
{
    char coords[320];
    int n = snprintf(coords, sizeof(coords), "%s\n%d\n%lld\n%lld\n", topic, partition, offset,
                     timestamp);
    const struct rf_sha256_part parts[] = {
        {coords, n > 0 && (size_t)n < sizeof(coords) ? (size_t)n : 0}, {payload, len}};
    return rf_sha256_hex_parts(parts, 2, hex);
}

/* A dead letter's texts made safe for PostgreSQL (pgtext.h); NULL stays NULL. */
struct letter_text {
    struct rf_buf stage, code, text, file_name, key;
};

static void letter_text_release(struct letter_text *t)
{
    rf_buf_release(&t->stage);
    rf_buf_release(&t->code);
    rf_buf_release(&t->text);
    rf_buf_release(&t->file_name);
    rf_buf_release(&t->key);
}

/* @p in as safe text in @p out, or NULL (SQL NULL) when absent. @returns -1 on ENOMEM. */
static int safe_text(struct rf_buf *out, struct pgtext_bytes in, size_t max, const char **value)
{
    *value = NULL;
    if (!in.data) {
        return 0;
    }
    int rc = pgtext_append_lossy(out, in.data, in.len, max) | rf_buf_append(out, "", 0);
    *value = out->data;
    return rc;
}

/*
 * Insert one dead letter. @p stripped: PostgreSQL refused it as it was, so
 * keep only what cannot be refused (stage, coordinates, payload) and say why
 * in the text.
 */
static enum db_result store_dead_letter(struct db *db, const struct db_item *it, bool stripped,
                                        const char *why, bool *inserted, char *errstr,
                                        size_t errstr_size)
{
    char attempt[16], size[32], partition[16], offset[32];
    snprintf(attempt, sizeof(attempt), "%d", it->attempt);
    snprintf(size, sizeof(size), "%zu", it->payload_len);
    snprintf(partition, sizeof(partition), "%d", it->partition);
    snprintf(offset, sizeof(offset), "%lld", it->offset);
    struct letter_text t = {RF_BUF_INIT, RF_BUF_INIT, RF_BUF_INIT, RF_BUF_INIT, RF_BUF_INIT};
    const char *values[13] = {NULL};
    int lengths[13] = {0};
    int formats[13] = {0};
    struct pgtext_bytes reason = {why, why ? strlen(why) : 0};
    int rc = safe_text(&t.stage, it->stage, LETTER_SHORT_MAX, &values[0]);
    rc |= safe_text(&t.code, stripped ? (struct pgtext_bytes){"unstorable", 10} : it->error_code,
                    LETTER_SHORT_MAX, &values[1]);
    rc |= safe_text(&t.text, stripped ? reason : it->error_text, LETTER_TEXT_MAX, &values[2]);
    if (!stripped) {
        rc |= safe_text(&t.file_name, it->file_name, LETTER_TEXT_MAX, &values[4]);
        rc |= safe_text(&t.key, it->key, LETTER_SHORT_MAX, &values[5]);
    }
    if (rc != 0) {
        letter_text_release(&t);
        snprintf(errstr, errstr_size, "out of memory");
        return DB_RETRY;
    }
    values[3] = attempt;
    values[6] = size;
    values[7] = it->no_payload ? NULL : it->payload; /* size still says how large it was */
    lengths[7] = it->no_payload ? 0 : (int)it->payload_len;
    formats[7] = 1; /* the payload goes as binary: any bytes, verbatim */
    values[8] = it->topic;
    values[9] = partition;
    values[10] = offset;
    char letter_key[65];
    if (dead_letters_key(it->topic, it->partition, it->offset, it->timestamp, it->payload,
                         it->payload_len, letter_key) != 0) {
        /* libcrypto failed: the coordinates alone still tell a replay from a new letter
           unless the topic was recreated */
        snprintf(letter_key, sizeof(letter_key), "at:%d/%lld/%lld", it->partition, it->offset,
                 it->timestamp);
    }
    values[11] = letter_key;
    if (!stripped && it->file_name_raw.data) {
        values[12] = it->file_name_raw.data; /* the name's bytes as they were, beside the text */
        lengths[12] = (int)it->file_name_raw.len;
        formats[12] = 1;
    }
    PGresult *res = NULL;
    enum db_result r = db_conn_run_binary(db, insert_dead_letter_sql, 13, values, lengths, formats,
                                          &res, "insert dead letter", errstr, errstr_size);
    letter_text_release(&t);
    if (r == DB_OK) {
        *inserted = strcmp(PQcmdTuples(res), "1") == 0;
        PQclear(res);
    }
    return r;
}

/*
 * One dead letter under a savepoint: as it is, else stripped, else skipped
 * with an error in the log. No single dead letter can stop the sink.
 */
static enum db_result store_dead_letter_guarded(struct db *db, const struct db_item *it,
                                                struct db_counts *counts, char *errstr,
                                                size_t errstr_size)
{
    char why[512] = "";
    for (int stripped = 0; stripped < 2; stripped++) {
        enum db_result r = db_conn_exec(db, "SAVEPOINT one_letter", errstr, errstr_size);
        bool inserted = false;
        if (r == DB_OK) {
            r = store_dead_letter(db, it, stripped, why, &inserted, errstr, errstr_size);
        }
        if (r == DB_OK) {
            counts->dead_letters += inserted;
            return db_conn_exec(db, "RELEASE SAVEPOINT one_letter", errstr, errstr_size);
        }
        if (r != DB_REJECT) {
            return r;
        }
        rf_warn(COMPONENT, "dead letter from %s/%d@%lld refused%s: %s", it->topic, it->partition,
                it->offset, stripped ? " even stripped to its payload" : "", errstr);
        char full[1200];
        snprintf(full, sizeof(full), "PostgreSQL refused this dead letter: %s", errstr);
        pgtext_copy(why, sizeof(why), full);
        r = db_conn_exec(db, "ROLLBACK TO SAVEPOINT one_letter", errstr, errstr_size);
        if (r != DB_OK) {
            return r;
        }
    }
    rf_error(COMPONENT, "dead letter from %s/%d@%lld cannot be stored; skipped", it->topic,
             it->partition, it->offset);
    counts->unstorable++;
    return DB_OK;
}

enum db_result dead_letters_store(struct db *db, const struct db_item *items, size_t cnt,
                                  bool one_by_one, struct db_counts *counts, char *errstr,
                                  size_t errstr_size)
{
    for (size_t i = 0; i < cnt; i++) {
        if (!items[i].dead_letter) {
            continue;
        }
        enum db_result r;
        if (one_by_one) {
            r = store_dead_letter_guarded(db, &items[i], counts, errstr, errstr_size);
        } else {
            bool inserted = false;
            r = store_dead_letter(db, &items[i], false, NULL, &inserted, errstr, errstr_size);
            counts->dead_letters += r == DB_OK && inserted;
        }
        if (r != DB_OK) {
            return r;
        }
    }
    return DB_OK;
}
