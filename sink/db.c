/* db.c - the sink's PostgreSQL side. */
#include "db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "migrate.h"
#include "reportflow/buf.h"
#include "reportflow/fsutil.h"
#include "reportflow/log.h"

#define COMPONENT "db"

/* A text cast that treats "" and JSON null alike. */
#define TXT(expr) "NULLIF(" expr ", '')"

static const char upsert_documents_sql[] =
    "INSERT INTO documents AS d (doc_id, agency, region, level, year, title, published,"
    " doc_number, chars, file_name, file_size, encoding, file_mtime, dropped_at, produced_at,"
    " extracted_at, extractor_version, rules_name, rules_version, raw_topic, raw_partition,"
    " raw_offset, stored_at)"
    " SELECT e->>'doc_id', e->'document'->>'agency', e->'document'->>'region',"
    " e->'document'->>'level', (e->'document'->>'year')::int, e->'document'->>'title',"
    " " TXT("e->'document'->>'published'") "::date, e->'document'->>'doc_number',"
    " (e->'document'->>'chars')::int, e->'source'->>'file_name',"
    " (e->'source'->>'size')::bigint, e->'source'->>'encoding',"
    " " TXT("e->'source'->>'mtime'") "::timestamptz,"
    " " TXT("e->'source'->>'dropped_at'") "::timestamptz,"
    " " TXT("e->'source'->>'produced_at'") "::timestamptz,"
    " (e->'source'->>'extracted_at')::timestamptz, e->'extractor'->>'version',"
    " e->'extractor'->>'rules_name', e->'extractor'->>'rules_version', e->'source'->>'topic',"
    " (e->'source'->>'partition')::int, (e->'source'->>'offset')::bigint, now()"
    " FROM jsonb_array_elements($1::jsonb) AS e"
    " ON CONFLICT (doc_id) DO UPDATE SET agency = EXCLUDED.agency, region = EXCLUDED.region,"
    " level = EXCLUDED.level, year = EXCLUDED.year, title = EXCLUDED.title,"
    " published = EXCLUDED.published, doc_number = EXCLUDED.doc_number, chars = EXCLUDED.chars,"
    " file_name = EXCLUDED.file_name, file_size = EXCLUDED.file_size,"
    " encoding = EXCLUDED.encoding, file_mtime = EXCLUDED.file_mtime,"
    " dropped_at = EXCLUDED.dropped_at, produced_at = EXCLUDED.produced_at,"
    " extracted_at = EXCLUDED.extracted_at, extractor_version = EXCLUDED.extractor_version,"
    " rules_name = EXCLUDED.rules_name, rules_version = EXCLUDED.rules_version,"
    " raw_topic = EXCLUDED.raw_topic, raw_partition = EXCLUDED.raw_partition,"
    " raw_offset = EXCLUDED.raw_offset, stored_at = now()"
    /* an older extraction never overwrites a newer one */
    " WHERE d.extracted_at <= EXCLUDED.extracted_at"
    " RETURNING doc_id";

static const char delete_children_sql[] =
    "WITH s AS (DELETE FROM sections WHERE doc_id = ANY($1::text[])),"
    " c AS (DELETE FROM citations WHERE doc_id = ANY($1::text[])),"
    " q AS (DELETE FROM quantities WHERE doc_id = ANY($1::text[]))"
    " DELETE FROM metrics WHERE doc_id = ANY($1::text[])";

/* Child tables, filled with COPY from the parsed envelopes: column, envelope key, kind. */
enum copy_kind { COPY_TEXT, COPY_INT, COPY_NUM };

struct copy_column {
    const char *key;     /* field of the array element */
    enum copy_kind kind; /* how it is written */
};

struct copy_table {
    const char *array;                /* envelope array */
    const char *sql;                  /* COPY ... FROM STDIN, columns after doc_id and ord */
    const struct copy_column *cols;   /* in the order of the COPY column list */
    size_t ncols;
};

static const struct copy_column section_cols[] = {
    {"path", COPY_TEXT},    {"level", COPY_INT}, {"number", COPY_TEXT}, {"heading", COPY_TEXT},
    {"category", COPY_TEXT}, {"start", COPY_INT}, {"end", COPY_INT}};
static const struct copy_column citation_cols[] = {
    {"title", COPY_TEXT}, {"normalized", COPY_TEXT}, {"kind", COPY_TEXT},
    {"start", COPY_INT},  {"end", COPY_INT},         {"section", COPY_TEXT}};
static const struct copy_column quantity_cols[] = {
    {"value", COPY_NUM}, {"unit", COPY_TEXT}, {"approx", COPY_TEXT}, {"text", COPY_TEXT},
    {"clause", COPY_TEXT}, {"start", COPY_INT}, {"end", COPY_INT}, {"section", COPY_TEXT}};
static const struct copy_column metric_cols[] = {
    {"key", COPY_TEXT},     {"value", COPY_NUM},   {"approx", COPY_TEXT}, {"unit", COPY_TEXT},
    {"evidence", COPY_TEXT}, {"start", COPY_INT},  {"end", COPY_INT},     {"section", COPY_TEXT},
    {"category", COPY_TEXT}, {"as_of", COPY_TEXT}, {"yoy_pct", COPY_NUM}, {"rule", COPY_TEXT}};

#define COLS(a) a, sizeof(a) / sizeof(a[0])
static const struct copy_table copy_tables[] = {
    {"sections",
     "COPY sections (doc_id, ord, path, level, number, heading, category, start_char, end_char)"
     " FROM STDIN",
     COLS(section_cols)},
    {"citations",
     "COPY citations (doc_id, ord, title, normalized, kind, start_char, end_char, section_path)"
     " FROM STDIN",
     COLS(citation_cols)},
    {"quantities",
     "COPY quantities (doc_id, ord, value, unit, approx, text, clause, start_char, end_char,"
     " section_path) FROM STDIN",
     COLS(quantity_cols)},
    {"metrics",
     "COPY metrics (doc_id, ord, key, value, approx, unit, evidence, start_char, end_char,"
     " section_path, category, as_of, yoy_pct, rule_id) FROM STDIN",
     COLS(metric_cols)},
};

static const char insert_dead_letter_sql[] =
    "INSERT INTO dead_letters (stage, error_code, error_text, attempt, file_name, doc_id, size,"
    " payload, source_topic, source_partition, source_offset)"
    " VALUES ($1, $2, $3, $4::int, $5, $6, $7::bigint, $8::bytea, $9, $10::int, $11::bigint)"
    " ON CONFLICT (source_topic, source_partition, source_offset) DO NOTHING";

static void copy_error(char *errstr, size_t errstr_size, const char *what, PGconn *conn)
{
    snprintf(errstr, errstr_size, "%s: %s", what, conn ? PQerrorMessage(conn) : "not connected");
    size_t n = strlen(errstr);
    while (n > 0 && (errstr[n - 1] == '\n' || errstr[n - 1] == ' ')) {
        errstr[--n] = '\0';
    }
}

enum db_result db_classify(PGconn *conn, const PGresult *res)
{
    if (!conn || PQstatus(conn) == CONNECTION_BAD) {
        return DB_RETRY;
    }
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    if (!state) {
        return DB_RETRY; /* no SQLSTATE: the client lost the server */
    }
    if (strncmp(state, "22", 2) == 0 || strncmp(state, "23", 2) == 0 ||
        strcmp(state, "54000") == 0) {
        return DB_REJECT; /* data exception, integrity violation, value too large */
    }
    if (strncmp(state, "42", 2) == 0 || strncmp(state, "0A", 2) == 0) {
        return DB_FATAL; /* our SQL or the schema is wrong: retrying cannot help */
    }
    /* 08 connection, 40 serialization, 53 resources, 57 operator intervention, the rest */
    return DB_RETRY;
}

enum db_result db_connect(struct db *db, const char *conninfo, char *errstr, size_t errstr_size)
{
    db_close(db);
    db->conninfo = conninfo;
    db->conn = PQconnectdb(conninfo);
    if (!db->conn || PQstatus(db->conn) != CONNECTION_OK) {
        copy_error(errstr, errstr_size, "cannot connect to PostgreSQL", db->conn);
        db_close(db);
        return DB_RETRY;
    }
    int applied = migrate_apply(db->conn, errstr, errstr_size);
    if (applied < 0) {
        enum db_result r = PQstatus(db->conn) == CONNECTION_BAD ? DB_RETRY : DB_FATAL;
        db_close(db);
        return r;
    }
    rf_info(COMPONENT, "connected to PostgreSQL %d (%d migration(s) applied)",
            PQserverVersion(db->conn), applied);
    return DB_OK;
}

void db_close(struct db *db)
{
    if (db->conn) {
        PQfinish(db->conn);
        db->conn = NULL;
    }
}

/* Run @p sql; on success hand back the result when @p keep, else clear it. */
static enum db_result run(struct db *db, const char *sql, int nparams, const char *const *values,
                          PGresult **keep, const char *what, char *errstr, size_t errstr_size)
{
    PGresult *res = PQexecParams(db->conn, sql, nparams, NULL, values, NULL, NULL, 0);
    ExecStatusType st = PQresultStatus(res);
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) {
        if (keep) {
            *keep = res;
        } else {
            PQclear(res);
        }
        return DB_OK;
    }
    enum db_result r = db_classify(db->conn, res);
    copy_error(errstr, errstr_size, what, db->conn);
    PQclear(res);
    return r;
}

static enum db_result run_plain(struct db *db, const char *sql, char *errstr, size_t errstr_size)
{
    return run(db, sql, 0, NULL, NULL, sql, errstr, errstr_size);
}

/*
 * "[{doc_id, source, extractor, document}, ...]" of the envelopes among @p items
 * (all, or only @p only): what the documents upsert needs, without the arrays.
 */
static int documents_json(const struct db_item *items, size_t cnt, const struct db_item *only,
                          struct rf_buf *out)
{
    int rc = rf_buf_append(out, "[", 1);
    bool first = true;
    for (size_t i = 0; i < cnt && rc == 0; i++) {
        if (items[i].dead_letter || (only && &items[i] != only)) {
            continue;
        }
        json_t *e = items[i].env;
        json_t *head = json_pack("{s:O, s:O, s:O, s:O}", "doc_id", json_object_get(e, "doc_id"),
                                 "source", json_object_get(e, "source"), "extractor",
                                 json_object_get(e, "extractor"), "document",
                                 json_object_get(e, "document"));
        char *text = head ? json_dumps(head, JSON_COMPACT) : NULL;
        json_decref(head);
        rc |= !text;
        rc |= first ? 0 : rf_buf_append(out, ",", 1);
        rc |= text ? rf_buf_append_str(out, text) : -1;
        free(text);
        first = false;
    }
    return rc | rf_buf_append(out, "]", 1);
}

/* "{id,id}" from the RETURNING rows: hex ids need no quoting inside an array literal. */
static int ids_array(PGresult *res, struct rf_buf *out)
{
    int rc = rf_buf_append(out, "{", 1);
    for (int i = 0; i < PQntuples(res) && rc == 0; i++) {
        rc |= rf_buf_printf(out, "%s%s", i ? "," : "", PQgetvalue(res, i, 0));
    }
    return rc | rf_buf_append(out, "}", 1);
}

/* One value in COPY text format: backslash escapes, \N for null. */
static int copy_value(struct rf_buf *row, json_t *v, enum copy_kind kind)
{
    if (!v || json_is_null(v)) {
        return rf_buf_append(row, "\\N", 2);
    }
    if (kind == COPY_INT || (kind == COPY_NUM && json_is_integer(v))) {
        return rf_buf_printf(row, "%lld", (long long)json_integer_value(v));
    }
    if (kind == COPY_NUM) {
        return rf_buf_printf(row, "%.15g", json_number_value(v));
    }
    const char *s = json_string_value(v);
    size_t len = json_string_length(v);
    int rc = 0;
    for (size_t i = 0; i < len && rc == 0; i++) {
        switch (s[i]) {
        case '\\':
            rc = rf_buf_append(row, "\\\\", 2);
            break;
        case '\t':
            rc = rf_buf_append(row, "\\t", 2);
            break;
        case '\n':
            rc = rf_buf_append(row, "\\n", 2);
            break;
        case '\r':
            rc = rf_buf_append(row, "\\r", 2);
            break;
        default:
            rc = rf_buf_append(row, s + i, 1); /* a NUL here makes PostgreSQL refuse the row */
        }
    }
    return rc;
}

static bool id_written(PGresult *written, const char *doc_id)
{
    for (int i = 0; i < PQntuples(written); i++) {
        if (strcmp(PQgetvalue(written, i, 0), doc_id) == 0) {
            return true;
        }
    }
    return false;
}

/* COPY one child table's rows of the written documents. */
static enum db_result copy_children(struct db *db, const struct copy_table *t,
                                    const struct db_item *items, size_t cnt,
                                    const struct db_item *only, PGresult *written, char *errstr,
                                    size_t errstr_size)
{
    PGresult *res = PQexec(db->conn, t->sql);
    if (PQresultStatus(res) != PGRES_COPY_IN) {
        enum db_result r = db_classify(db->conn, res);
        copy_error(errstr, errstr_size, t->sql, db->conn);
        PQclear(res);
        return r;
    }
    PQclear(res);
    struct rf_buf buf = RF_BUF_INIT;
    bool failed = false;
    for (size_t i = 0; i < cnt && !failed; i++) {
        const struct db_item *it = &items[i];
        if (it->dead_letter || (only && it != only) || !id_written(written, it->doc_id)) {
            continue;
        }
        size_t k;
        json_t *el;
        json_array_foreach(json_object_get(it->env, t->array), k, el)
        {
            failed |= rf_buf_printf(&buf, "%s\t%zu", it->doc_id, k + 1) != 0;
            for (size_t c = 0; c < t->ncols; c++) {
                failed |= rf_buf_append(&buf, "\t", 1) != 0;
                failed |= copy_value(&buf, json_object_get(el, t->cols[c].key), t->cols[c].kind) != 0;
            }
            failed |= rf_buf_append(&buf, "\n", 1) != 0;
        }
        if (buf.len >= 256 * 1024 || i + 1 == cnt) {
            failed |= PQputCopyData(db->conn, buf.data ? buf.data : "", (int)buf.len) != 1;
            buf.len = 0;
        }
    }
    if (!failed && buf.len > 0) {
        failed |= PQputCopyData(db->conn, buf.data, (int)buf.len) != 1;
    }
    rf_buf_release(&buf);
    PQputCopyEnd(db->conn, failed ? "reportflow-sink could not build the rows" : NULL);
    enum db_result r = DB_OK;
    while ((res = PQgetResult(db->conn)) != NULL) {
        if (PQresultStatus(res) != PGRES_COMMAND_OK && r == DB_OK) {
            r = db_classify(db->conn, res);
            copy_error(errstr, errstr_size, t->array, db->conn);
        }
        PQclear(res);
    }
    if (failed && r == DB_OK) {
        snprintf(errstr, errstr_size, "COPY %s: out of memory or connection lost", t->array);
        r = DB_RETRY;
    }
    return r;
}

/*
 * Upsert the documents among @p items (or only @p only), then replace the
 * children of those that won: delete, then COPY.
 */
static enum db_result store_envelopes(struct db *db, const struct db_item *items, size_t cnt,
                                      const struct db_item *only, size_t *written, char *errstr,
                                      size_t errstr_size)
{
    struct rf_buf json = RF_BUF_INIT;
    if (documents_json(items, cnt, only, &json) != 0) {
        rf_buf_release(&json);
        snprintf(errstr, errstr_size, "out of memory");
        return DB_RETRY;
    }
    PGresult *upserted = NULL;
    const char *params[1] = {json.data};
    int64_t t0 = rf_clock_mono_ms();
    enum db_result r = run(db, upsert_documents_sql, 1, params, &upserted, "upsert documents",
                           errstr, errstr_size);
    rf_buf_release(&json);
    if (r != DB_OK) {
        return r;
    }
    int64_t t1 = rf_clock_mono_ms();
    *written = (size_t)PQntuples(upserted);
    struct rf_buf ids = RF_BUF_INIT;
    if (*written > 0 && ids_array(upserted, &ids) == 0) {
        params[0] = ids.data;
        r = run(db, delete_children_sql, 1, params, NULL, "delete old rows", errstr, errstr_size);
    } else if (*written > 0) {
        snprintf(errstr, errstr_size, "out of memory");
        r = DB_RETRY;
    }
    rf_buf_release(&ids);
    int64_t t2 = rf_clock_mono_ms();
    for (size_t i = 0; *written > 0 && r == DB_OK && i < sizeof(copy_tables) / sizeof(copy_tables[0]);
         i++) {
        r = copy_children(db, &copy_tables[i], items, cnt, only, upserted, errstr, errstr_size);
    }
    rf_debug(COMPONENT, "%zu document(s) written: upsert %lld ms, delete %lld ms, copy %lld ms",
             *written, (long long)(t1 - t0), (long long)(t2 - t1),
             (long long)(rf_clock_mono_ms() - t2));
    PQclear(upserted);
    return r;
}

static enum db_result store_dead_letter(struct db *db, const struct db_item *it, bool *inserted,
                                        char *errstr, size_t errstr_size)
{
    char attempt[16], size[32], partition[16], offset[32];
    snprintf(attempt, sizeof(attempt), "%d", it->attempt);
    snprintf(size, sizeof(size), "%zu", it->payload_len);
    snprintf(partition, sizeof(partition), "%d", it->partition);
    snprintf(offset, sizeof(offset), "%lld", it->offset);
    const char *values[11] = {it->stage,   it->error_code, it->error_text, attempt,
                              it->file_name, it->doc_id,   size,           it->payload,
                              it->topic,   partition,      offset};
    int lengths[11] = {0};
    int formats[11] = {0};
    lengths[7] = (int)it->payload_len;
    formats[7] = 1; /* the payload goes as binary: any bytes, verbatim */
    PGresult *res = PQexecParams(db->conn, insert_dead_letter_sql, 11, NULL, values, lengths,
                                 formats, 0);
    if (PQresultStatus(res) == PGRES_COMMAND_OK) {
        *inserted = strcmp(PQcmdTuples(res), "1") == 0;
        PQclear(res);
        return DB_OK;
    }
    enum db_result r = db_classify(db->conn, res);
    copy_error(errstr, errstr_size, "insert dead letter", db->conn);
    PQclear(res);
    return r;
}

/* Turn a refused envelope into a dead letter of stage "sink". */
static void reject_envelope(struct db_item *it, const char *why)
{
    snprintf(it->reject_reason, sizeof(it->reject_reason), "%s", why);
    it->dead_letter = true;
    it->stage = "sink";
    it->error_code = "db-rejected";
    it->error_text = it->reject_reason;
    it->attempt = 1; /* payload and payload_len already hold the record's bytes */
}

static enum db_result store_dead_letters(struct db *db, struct db_item *items, size_t cnt,
                                         struct db_counts *counts, char *errstr,
                                         size_t errstr_size)
{
    for (size_t i = 0; i < cnt; i++) {
        if (!items[i].dead_letter) {
            continue;
        }
        bool inserted = false;
        enum db_result r = store_dead_letter(db, &items[i], &inserted, errstr, errstr_size);
        if (r != DB_OK) {
            return r;
        }
        counts->dead_letters += inserted;
    }
    return DB_OK;
}

/* One savepoint per envelope, so a bad one cannot take its batch down. */
static enum db_result store_one_by_one(struct db *db, struct db_item *items, size_t cnt,
                                       struct db_counts *counts, char *errstr, size_t errstr_size)
{
    for (size_t i = 0; i < cnt; i++) {
        if (items[i].dead_letter) {
            continue;
        }
        enum db_result r = run_plain(db, "SAVEPOINT one_document", errstr, errstr_size);
        if (r != DB_OK) {
            return r;
        }
        size_t written = 0;
        r = store_envelopes(db, items, cnt, &items[i], &written, errstr, errstr_size);
        if (r == DB_REJECT) {
            rf_warn(COMPONENT, "document %s refused, stored as a dead letter: %s", items[i].doc_id,
                    errstr);
            reject_envelope(&items[i], errstr);
            counts->rejected++;
            r = run_plain(db, "ROLLBACK TO SAVEPOINT one_document", errstr, errstr_size);
        } else if (r == DB_OK) {
            counts->written += written;
            counts->stale += 1 - written;
        }
        if (r != DB_OK) {
            return r;
        }
    }
    return DB_OK;
}

static size_t count_envelopes(const struct db_item *items, size_t cnt)
{
    size_t n = 0;
    for (size_t i = 0; i < cnt; i++) {
        n += !items[i].dead_letter;
    }
    return n;
}

/* BEGIN, the whole batch, dead letters, COMMIT; or per document when PostgreSQL refuses one. */
static enum db_result store_transaction(struct db *db, struct db_item *items, size_t cnt,
                                        bool one_by_one, struct db_counts *counts, char *errstr,
                                        size_t errstr_size)
{
    memset(counts, 0, sizeof(*counts));
    enum db_result r = run_plain(db, "BEGIN", errstr, errstr_size);
    size_t envelopes = count_envelopes(items, cnt);
    if (r == DB_OK && envelopes > 0 && !one_by_one) {
        r = store_envelopes(db, items, cnt, NULL, &counts->written, errstr, errstr_size);
        counts->stale = envelopes - counts->written;
    } else if (r == DB_OK && envelopes > 0) {
        r = store_one_by_one(db, items, cnt, counts, errstr, errstr_size);
    }
    if (r == DB_OK) {
        r = store_dead_letters(db, items, cnt, counts, errstr, errstr_size);
    }
    if (r == DB_OK) {
        r = run_plain(db, "COMMIT", errstr, errstr_size);
    }
    if (r != DB_OK && db->conn && PQstatus(db->conn) == CONNECTION_OK) {
        PQclear(PQexec(db->conn, "ROLLBACK"));
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
        r = DB_FATAL; /* a dead letter itself was refused: nothing sane is left to do */
    }
    return r;
}
