/* db.c - the sink's PostgreSQL side. */
#include "db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "children.h"
#include "dead_letters.h"
#include "reportflow/buf.h"
#include "reportflow/clock.h"
#include "reportflow/log.h"

#define COMPONENT "db"

/* A text cast that treats "" and JSON null alike. */
#define TXT(expr) "NULLIF(" expr ", '')"

/* one SQL clause per line reads better than what the formatter makes of it */
/* clang-format off */
static const char upsert_documents_sql[] =
    "WITH up AS (INSERT INTO extractions AS d (doc_id, rules_hash, agency, region, region_code, level, year,"
    " title,"
    " published, doc_number, chars, file_name, file_name_raw, file_size, encoding, file_mtime,"
    " dropped_at, produced_at, media_type, converter, pages, ocr_pages, report_family,"
    " extracted_at, extractor_version, rules_name, rules_version, raw_topic, raw_partition,"
    " raw_offset, stored_at)"
    " SELECT e->>'doc_id', e->>'rules_hash', e->'document'->>'agency', e->'document'->>'region',"
    " " TXT("e->'document'->>'region_code'") ","
    " e->'document'->>'level', (e->'document'->>'year')::int, e->'document'->>'title',"
    " " TXT("e->'document'->>'published'") "::date, e->'document'->>'doc_number',"
    " (e->'document'->>'chars')::int, e->'source'->>'file_name',"
    " decode(e->>'file_name_raw', 'hex'),"
    " (e->'source'->>'size')::bigint, e->'source'->>'encoding',"
    " " TXT("e->'source'->>'mtime'") "::timestamptz,"
    " " TXT("e->'source'->>'dropped_at'") "::timestamptz,"
    " " TXT("e->'source'->>'produced_at'") "::timestamptz,"
    " e->'source'->>'media_type', e->'source'->>'converter', (e->'source'->>'pages')::int,"
    " (e->'source'->>'ocr')::int, e->'document'->>'report_family',"
    " (e->'source'->>'extracted_at')::timestamptz, e->'extractor'->>'version',"
    " e->'extractor'->>'rules_name', e->'extractor'->>'rules_version', e->'source'->>'topic',"
    " (e->'source'->>'partition')::int, (e->'source'->>'offset')::bigint, now()"
    " FROM jsonb_array_elements($1::jsonb) AS e"
    /* the same extraction again (a re-drop, a replay, a reprocess under the same rules):
       replaced, whatever the clocks say; the events topic's order decided which came last */
    " ON CONFLICT (doc_id, rules_hash) DO UPDATE SET agency = EXCLUDED.agency,"
    " region = EXCLUDED.region, region_code = EXCLUDED.region_code,"
    " level = EXCLUDED.level, year = EXCLUDED.year, title = EXCLUDED.title,"
    " published = EXCLUDED.published, doc_number = EXCLUDED.doc_number, chars = EXCLUDED.chars,"
    " file_name = EXCLUDED.file_name, file_name_raw = EXCLUDED.file_name_raw,"
    " file_size = EXCLUDED.file_size,"
    " encoding = EXCLUDED.encoding, file_mtime = EXCLUDED.file_mtime,"
    " dropped_at = EXCLUDED.dropped_at, produced_at = EXCLUDED.produced_at,"
    " media_type = EXCLUDED.media_type, converter = EXCLUDED.converter, pages = EXCLUDED.pages,"
    " ocr_pages = EXCLUDED.ocr_pages, report_family = EXCLUDED.report_family,"
    " extracted_at = EXCLUDED.extracted_at, extractor_version = EXCLUDED.extractor_version,"
    " rules_name = EXCLUDED.rules_name, rules_version = EXCLUDED.rules_version,"
    " raw_topic = EXCLUDED.raw_topic, raw_partition = EXCLUDED.raw_partition,"
    " raw_offset = EXCLUDED.raw_offset, stored_at = now()"
    /* the extractions stored before (xmax set by the update) have child rows to replace; the
       new ones, nearly all, have none, and looking for them grew with the tables */
    " RETURNING doc_id, rules_hash, xmax::text <> '0' AS replaced)"
    " SELECT coalesce(jsonb_agg(jsonb_build_object('doc_id', doc_id, 'rules_hash', rules_hash))"
    " FILTER (WHERE replaced), '[]')::text FROM up";

/*
 * After the rows: a document's first extraction is the one shown (promoted); a later
 * version waits for a promotion (reportflow-reprocess). A document now stored resolves
 * its open dead letters (a re-drive, or the same file dropped again, succeeded).
 */
static const char promote_first_sql[] =
    "WITH e AS (SELECT x->>'doc_id' AS doc_id, x->>'rules_hash' AS rules_hash"
    " FROM jsonb_array_elements($1::jsonb) AS x),"
    " resolved AS (UPDATE dead_letters SET resolved_at = now(), resolved_doc_id = doc_id"
    " WHERE resolved_at IS NULL AND doc_id = ANY(ARRAY(SELECT doc_id FROM e)))"
    " INSERT INTO promotions (doc_id, rules_hash) SELECT doc_id, rules_hash FROM e"
    " ON CONFLICT (doc_id) DO NOTHING";
/* clang-format on */

static size_t count_envelopes(const struct db_item *items, size_t cnt)
{
    size_t n = 0;
    for (size_t i = 0; i < cnt; i++) {
        n += !items[i].dead_letter;
    }
    return n;
}

/* "[head,head,...]" of the envelopes among @p items (all, or only @p only). */
static int documents_json(const struct db_item *items, size_t cnt, const struct db_item *only,
                          struct rf_buf *out)
{
    int rc = rf_buf_append(out, "[", 1);
    bool first = true;
    for (size_t i = 0; i < cnt && rc == 0; i++) {
        const struct db_item *it = &items[i];
        if (it->dead_letter || (only && it != only)) {
            continue;
        }
        rc |= first ? 0 : rf_buf_append(out, ",", 1);
        rc |= rf_buf_append(out, it->rows->head.data + it->at.head.off, it->at.head.len);
        first = false;
    }
    return rc | rf_buf_append(out, "]", 1);
}

/* Send @p len bytes in pieces, so libpq's output buffer stays small. */
static bool put_copy_data(PGconn *conn, const char *data, size_t len)
{
    const size_t piece = 1 << 20;
    for (size_t sent = 0; sent < len; sent += piece) {
        size_t n = len - sent < piece ? len - sent : piece;
        if (PQputCopyData(conn, data + sent, (int)n) != 1) {
            return false;
        }
    }
    return true;
}

/* COPY one child table's rows of the extractions; runs of neighbours go as one piece. */
static enum db_result copy_children(struct db *db, size_t table, const struct db_item *items,
                                    size_t cnt, const struct db_item *only, char *errstr,
                                    size_t errstr_size)
{
    const struct children_table *t = children_at(table);
    const char *sql = db->sql->copy[table];
    db_conn_busy(db, true); /* until the COPY's result: the server's statement_timeout counts
                               the same span */
    PGresult *res = PQexec(db->conn, sql);
    if (PQresultStatus(res) != PGRES_COPY_IN) {
        db_conn_busy(db, false);
        enum db_result r = db_conn_failed(db, res, sql, errstr, errstr_size);
        PQclear(res);
        return r;
    }
    PQclear(res);
    bool ok = true;
    const char *run = NULL; /* bytes not sent yet, contiguous */
    size_t run_len = 0;
    for (size_t i = 0; i < cnt && ok; i++) {
        const struct db_item *it = &items[i];
        if (it->dead_letter || (only && it != only)) {
            continue;
        }
        const char *data = it->rows->table[table].data + it->at.table[table].off;
        if (run && run + run_len == data) {
            run_len += it->at.table[table].len;
            continue;
        }
        ok = !run || put_copy_data(db->conn, run, run_len);
        run = data;
        run_len = it->at.table[table].len;
    }
    ok = ok && (!run || put_copy_data(db->conn, run, run_len));
    if (PQputCopyEnd(db->conn, ok ? NULL : "reportflow-sink could not send its rows") != 1) {
        ok = false; /* the results below say why, or the check after them */
    }
    enum db_result r = DB_OK;
    while ((res = PQgetResult(db->conn)) != NULL) {
        if (PQresultStatus(res) != PGRES_COMMAND_OK && r == DB_OK) {
            r = db_conn_failed(db, res, t->name, errstr, errstr_size);
        }
        PQclear(res);
    }
    db_conn_busy(db, false);
    if (!ok) {
        /* our rows did not all go (the server then reports the COPY as cancelled, 57014, which
           is no statement timeout): the connection is the trouble, whatever came back */
        if (r == DB_OK) {
            snprintf(errstr, errstr_size, "COPY %s: connection lost", t->name);
        }
        r = DB_RETRY;
    }
    return r;
}

/*
 * Upsert the extractions among @p items (or only @p only), replace their children
 * (delete, then COPY), then promote the firsts and resolve dead letters.
 */
static enum db_result store_envelopes(struct db *db, const struct db_item *items, size_t cnt,
                                      const struct db_item *only, char *errstr, size_t errstr_size)
{
    struct rf_buf json = RF_BUF_INIT;
    if (documents_json(items, cnt, only, &json) != 0) {
        rf_buf_release(&json);
        snprintf(errstr, errstr_size, "out of memory");
        return DB_RETRY;
    }
    const char *params[1] = {json.data};
    PGresult *replaced = NULL;
    int64_t t0 = rf_clock_mono_ms();
    enum db_result r = db_conn_run(db, upsert_documents_sql, 1, params, &replaced,
                                   "upsert extractions", errstr, errstr_size);
    int64_t t1 = rf_clock_mono_ms();
    if (r == DB_OK && PQntuples(replaced) == 1 && strcmp(PQgetvalue(replaced, 0, 0), "[]") != 0) {
        const char *keys[1] = {PQgetvalue(replaced, 0, 0)};
        r = db_conn_run(db, db->sql->delete_all, 1, keys, NULL, "delete old rows", errstr,
                        errstr_size);
    }
    PQclear(replaced);
    int64_t t2 = rf_clock_mono_ms();
    for (size_t t = 0; r == DB_OK && t < children_count(); t++) {
        r = copy_children(db, t, items, cnt, only, errstr, errstr_size);
    }
    int64_t t3 = rf_clock_mono_ms();
    if (r == DB_OK) {
        r = db_conn_run(db, promote_first_sql, 1, params, NULL, "promote", errstr, errstr_size);
    }
    rf_buf_release(&json);
    rf_debug(COMPONENT,
             "%zu extraction(s) written: upsert %lld ms, delete %lld ms, copy %lld ms, "
             "promote %lld ms",
             only ? 1 : count_envelopes(items, cnt), (long long)(t1 - t0), (long long)(t2 - t1),
             (long long)(t3 - t2), (long long)(rf_clock_mono_ms() - t3));
    return r;
}

/* Turn a refused envelope into a dead letter of stage "sink". */
static void reject_envelope(struct db_item *it, const char *why)
{
    pgtext_copy(it->reject_reason, sizeof(it->reject_reason), why);
    it->dead_letter = true;
    it->stage = (struct pgtext_bytes){"sink", 4};
    it->error_code = (struct pgtext_bytes){"db-rejected", 11};
    it->error_text = (struct pgtext_bytes){it->reject_reason, strlen(it->reject_reason)};
    it->key = (struct pgtext_bytes){it->doc_id, strlen(it->doc_id)};
    it->file_name = (struct pgtext_bytes){NULL, 0};
    it->file_name_raw = (struct pgtext_bytes){NULL, 0};
    it->attempt = 1; /* payload and payload_len already hold the record's bytes */
}

/* One savepoint per envelope, so a bad one cannot take its batch down. */
static enum db_result store_one_by_one(struct db *db, struct db_item *items, size_t cnt,
                                       struct db_counts *counts, char *errstr, size_t errstr_size)
{
    for (size_t i = 0; i < cnt; i++) {
        if (items[i].dead_letter) {
            continue;
        }
        enum db_result r = db_conn_exec(db, "SAVEPOINT one_document", errstr, errstr_size);
        if (r != DB_OK) {
            return r;
        }
        r = store_envelopes(db, items, cnt, &items[i], errstr, errstr_size);
        if (r == DB_REJECT) {
            rf_warn(COMPONENT, "document %s refused, stored as a dead letter: %s", items[i].doc_id,
                    errstr);
            reject_envelope(&items[i], errstr);
            counts->rejected++;
            r = db_conn_exec(db, "ROLLBACK TO SAVEPOINT one_document", errstr, errstr_size);
        } else if (r == DB_OK) {
            counts->written++;
            /* released, so a batch does not hold hundreds of open subtransactions */
            r = db_conn_exec(db, "RELEASE SAVEPOINT one_document", errstr, errstr_size);
        }
        if (r != DB_OK) {
            return r;
        }
    }
    return DB_OK;
}

/*
 * BEGIN, and the transaction's statement_timeout (SET LOCAL, as a parameter): no
 * statement of a batch may run for ever, whatever the server's own setting.
 */
static enum db_result begin(struct db *db, char *errstr, size_t errstr_size)
{
    enum db_result r = db_conn_exec(db, "BEGIN", errstr, errstr_size);
    if (r == DB_OK && db->statement_timeout_ms > 0) {
        char ms[24];
        snprintf(ms, sizeof(ms), "%lld", db->statement_timeout_ms);
        const char *params[1] = {ms};
        r = db_conn_run(db, "SELECT set_config('statement_timeout', $1, true)", 1, params, NULL,
                        "set statement_timeout", errstr, errstr_size);
    }
    return r;
}

/* BEGIN, the whole batch, dead letters, COMMIT; or per document when PostgreSQL refuses one. */
static enum db_result store_transaction(struct db *db, struct db_item *items, size_t cnt,
                                        bool one_by_one, struct db_counts *counts, char *errstr,
                                        size_t errstr_size)
{
    memset(counts, 0, sizeof(*counts));
    enum db_result r = begin(db, errstr, errstr_size);
    size_t envelopes = count_envelopes(items, cnt);
    if (r == DB_OK && envelopes > 0 && !one_by_one) {
        r = store_envelopes(db, items, cnt, NULL, errstr, errstr_size);
        counts->written = r == DB_OK ? envelopes : 0;
    } else if (r == DB_OK && envelopes > 0) {
        r = store_one_by_one(db, items, cnt, counts, errstr, errstr_size);
    }
    if (r == DB_OK) {
        r = dead_letters_store(db, items, cnt, one_by_one, counts, errstr, errstr_size);
    }
    if (r == DB_OK) {
        r = db_conn_exec(db, "COMMIT", errstr, errstr_size);
    }
    if (r != DB_OK && db->conn && PQstatus(db->conn) == CONNECTION_OK) {
        db_conn_busy(db, true); /* a server that stops answering here is dropped as well */
        PQclear(PQexec(db->conn, "ROLLBACK"));
        db_conn_busy(db, false);
    }
    return r;
}

enum db_result db_store(struct db *db, struct db_item *items, size_t cnt, struct db_counts *counts,
                        char *errstr, size_t errstr_size)
{
    if (!db->conn) {
        snprintf(errstr, errstr_size, "not connected to PostgreSQL");
        return DB_RETRY;
    }
    enum db_result r = store_transaction(db, items, cnt, false, counts, errstr, errstr_size);
    if (r == DB_REJECT) {
        rf_warn(COMPONENT, "batch refused (%s); storing it document by document", errstr);
        r = store_transaction(db, items, cnt, true, counts, errstr, errstr_size);
    }
    if (r == DB_REJECT) {
        /* every row had its own savepoint: what is refused now is no single row */
        rf_error(COMPONENT, "the batch is refused even document by document: %s", errstr);
        r = DB_FATAL;
    }
    return r;
}
