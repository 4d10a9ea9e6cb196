/* backlog.c - the reprocess's side of PostgreSQL. */
#include "backlog.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reportflow/buf.h"

/* The first line of libpq's message, after @p what. */
static void db_error(PGconn *conn, const char *what, char *errstr, size_t errstr_size)
{
    snprintf(errstr, errstr_size, "%s: %s", what, PQerrorMessage(conn));
    errstr[strcspn(errstr, "\n")] = '\0';
}

/*
 * @p head, then the operator's condition on lines of its own (a trailing "--"
 * comment in it cannot swallow what follows), then @p tail. NULL on ENOMEM.
 */
static char *with_where(const struct backlog *b, const char *head, const char *tail)
{
    struct rf_buf sql = RF_BUF_INIT;
    int rc = rf_buf_append_str(&sql, head);
    rc |= rf_buf_printf(&sql, " (\n%s\n) ", b->where && *b->where ? b->where : "true");
    rc |= rf_buf_append_str(&sql, tail);
    if (rc != 0) {
        rf_buf_release(&sql);
        return NULL;
    }
    return rf_buf_detach(&sql);
}

/* Run @p sql with @p n text parameters; NULL with a message when it did not return rows. */
static PGresult *run(struct backlog *b, const char *sql, int n, const char *const *params,
                     int result_format, const char *what, char *errstr, size_t errstr_size)
{
    if (!sql) {
        snprintf(errstr, errstr_size, "%s: out of memory", what);
        return NULL;
    }
    PGresult *res = PQexecParams(b->conn, sql, n, NULL, params, NULL, NULL, result_format);
    if (PQstatus(b->conn) == CONNECTION_BAD) {
        /* the server restarted or the network dropped: the run's state is all in PostgreSQL
           and Kafka, so one new connection and the same statement again lose nothing */
        PQclear(res);
        PQreset(b->conn);
        res = PQexecParams(b->conn, sql, n, NULL, params, NULL, NULL, result_format);
    }
    ExecStatusType st = PQresultStatus(res);
    if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
        db_error(b->conn, what, errstr, errstr_size);
        PQclear(res);
        return NULL;
    }
    return res;
}

/* A count from a one-row result; -1 (message in errstr) when the query failed. */
static long long count_of(struct backlog *b, char *sql, int n, const char *const *params,
                          const char *what, char *errstr, size_t errstr_size)
{
    PGresult *res = run(b, sql, n, params, 0, what, errstr, errstr_size);
    free(sql);
    long long v = res && PQntuples(res) == 1 ? strtoll(PQgetvalue(res, 0, 0), NULL, 10) : -1;
    PQclear(res);
    return v;
}

int backlog_open(struct backlog *b, const char *conninfo, const char *where, const char *hash,
                 char *errstr, size_t errstr_size)
{
    memset(b, 0, sizeof(*b));
    b->where = where;
    snprintf(b->hash, sizeof(b->hash), "%s", hash);
    b->conn = PQconnectdb(conninfo);
    if (PQstatus(b->conn) != CONNECTION_OK) {
        db_error(b->conn, "cannot connect to PostgreSQL (pg.conninfo)", errstr, errstr_size);
        backlog_close(b);
        return -1;
    }
    PGresult *res = run(b,
                        "SELECT to_regclass('promotions') IS NOT NULL,"
                        " to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.USZ')",
                        0, NULL, 0, "reading the schema", errstr, errstr_size);
    bool versioned = res && PQntuples(res) == 1 && PQgetvalue(res, 0, 0)[0] == 't';
    if (res && !versioned) {
        snprintf(errstr, errstr_size,
                 "the database has no versioned extractions (table promotions): start "
                 "reportflow-sink once, it applies the migrations");
    } else if (res) {
        snprintf(b->started, sizeof(b->started), "%s", PQgetvalue(res, 0, 1));
    }
    PQclear(res);
    if (!versioned) {
        backlog_close(b);
        return -1;
    }
    return 0;
}

bool backlog_lost(const struct backlog *b)
{
    return PQstatus(b->conn) == CONNECTION_BAD;
}

void backlog_close(struct backlog *b)
{
    PQfinish(b->conn);
    b->conn = NULL;
}

/*
 * A run selects the documents stored before it began: reports arriving meanwhile are the
 * live workers' (and the next run's), so a run under steady traffic still ends.
 */
long long backlog_selected(struct backlog *b, char *errstr, size_t errstr_size)
{
    const char *params[1] = {b->started};
    return count_of(b,
                    with_where(b, "SELECT count(*) FROM documents d WHERE",
                               "AND d.stored_at < $1::timestamptz"),
                    1, params, "counting the selected documents (--where)", errstr, errstr_size);
}

/* clang-format off */
#define LACKS_TARGET \
    " AND NOT EXISTS (SELECT 1 FROM extractions x WHERE x.doc_id = d.doc_id AND x.rules_hash = $1)"
/* clang-format on */

long long backlog_missing(struct backlog *b, char *errstr, size_t errstr_size)
{
    const char *params[2] = {b->hash, b->started};
    return count_of(b,
                    with_where(b, "SELECT count(*) FROM documents d WHERE",
                               LACKS_TARGET " AND d.stored_at < $2::timestamptz"
                                            " AND NOT EXISTS (SELECT 1 FROM dead_letters l"
                                            " WHERE l.doc_id = d.doc_id"
                                            " AND l.failed_at >= $2::timestamptz)"),
                    2, params, "counting what is left", errstr, errstr_size);
}

long long backlog_next(struct backlog *b, struct backlog_cursor *cur, struct backlog_doc *out,
                       size_t max, char *errstr, size_t errstr_size)
{
    char part[16], off[24], limit[24];
    snprintf(part, sizeof(part), "%d", cur->partition);
    snprintf(off, sizeof(off), "%lld", cur->offset);
    snprintf(limit, sizeof(limit), "%zu", max);
    const char *params[6] = {b->hash, part, off, cur->doc_id, limit, b->started};
    char *sql = with_where(
        b,
        "SELECT d.doc_id, coalesce(d.raw_topic, ''), coalesce(d.raw_partition, -1),"
        " coalesce(d.raw_offset, -1) FROM documents d WHERE",
        LACKS_TARGET " AND d.stored_at < $6::timestamptz"
                     " AND (coalesce(d.raw_partition, -1), coalesce(d.raw_offset, -1), d.doc_id)"
                     " > ($2::int, $3::bigint, $4) ORDER BY 3, 4, 1 LIMIT $5::int");
    PGresult *res = run(b, sql, 6, params, 0, "selecting documents", errstr, errstr_size);
    free(sql);
    if (!res) {
        return -1;
    }
    int n = PQntuples(res);
    for (int i = 0; i < n; i++) {
        snprintf(out[i].doc_id, sizeof(out[i].doc_id), "%s", PQgetvalue(res, i, 0));
        snprintf(out[i].topic, sizeof(out[i].topic), "%s", PQgetvalue(res, i, 1));
        out[i].partition = atoi(PQgetvalue(res, i, 2));
        out[i].offset = strtoll(PQgetvalue(res, i, 3), NULL, 10);
    }
    if (n > 0) {
        cur->partition = out[n - 1].partition;
        cur->offset = out[n - 1].offset;
        memcpy(cur->doc_id, out[n - 1].doc_id, sizeof(cur->doc_id));
    }
    PQclear(res);
    return n;
}

/* "{id,id}": hex ids need no quoting in an array literal. NULL on ENOMEM. */
static char *id_array(const char (*ids)[65], size_t cnt)
{
    struct rf_buf out = RF_BUF_INIT;
    int rc = rf_buf_append(&out, "{", 1);
    for (size_t i = 0; i < cnt && rc == 0; i++) {
        rc = rf_buf_printf(&out, "%s%s", i ? "," : "", ids[i]);
    }
    rc |= rf_buf_append(&out, "}", 1);
    if (rc != 0) {
        rf_buf_release(&out);
        return NULL;
    }
    return rf_buf_detach(&out);
}

int backlog_settled(struct backlog *b, const char (*ids)[65], size_t cnt, bool *stored,
                    bool *failed, char *errstr, size_t errstr_size)
{
    char *array = id_array(ids, cnt);
    const char *params[3] = {b->hash, b->started, array};
    PGresult *res = array ? run(b,
                                "SELECT EXISTS (SELECT 1 FROM extractions x"
                                " WHERE x.doc_id = i.id AND x.rules_hash = $1),"
                                " EXISTS (SELECT 1 FROM dead_letters l WHERE l.doc_id = i.id"
                                " AND l.failed_at >= $2::timestamptz)"
                                " FROM unnest($3::text[]) WITH ORDINALITY AS i(id, n) ORDER BY n",
                                3, params, 0, "checking what was stored", errstr, errstr_size)
                          : NULL;
    free(array);
    if (!res || (size_t)PQntuples(res) != cnt) {
        if (res) {
            snprintf(errstr, errstr_size, "checking what was stored: %d rows for %zu ids",
                     PQntuples(res), cnt);
        }
        PQclear(res);
        return -1;
    }
    for (size_t i = 0; i < cnt; i++) {
        stored[i] = PQgetvalue(res, (int)i, 0)[0] == 't';
        failed[i] = PQgetvalue(res, (int)i, 1)[0] == 't';
    }
    PQclear(res);
    return 0;
}

/* clang-format off */
#define OPEN_LETTERS \
    " FROM dead_letters l WHERE l.resolved_at IS NULL AND l.stage = 'extract'" \
    " AND l.doc_id ~ '^[0-9a-f]{64}$' AND octet_length(l.payload) > 0" \
    " AND l.failed_at < $1::timestamptz AND ($2 = '' OR l.error_code = $2)"
/* clang-format on */

long long backlog_letters_open(struct backlog *b, const char *code, char *errstr,
                               size_t errstr_size)
{
    const char *params[2] = {b->started, code};
    char *sql = strdup("SELECT count(DISTINCT l.doc_id)" OPEN_LETTERS);
    return count_of(b, sql, 2, params, "counting open dead letters", errstr, errstr_size);
}

/* Column @p col of a binary-format row as text into @p out (bounded). */
static void copy_column(const PGresult *res, int col, char *out, size_t size)
{
    size_t len = (size_t)PQgetlength(res, 0, col);
    len = len < size ? len : size - 1;
    memcpy(out, PQgetvalue(res, 0, col), len);
    out[len] = '\0';
}

int backlog_next_letter(struct backlog *b, const char *code, const char *after,
                        struct backlog_letter *out, char *errstr, size_t errstr_size)
{
    const char *params[3] = {b->started, code, after};
    /* binary results: the payload as its bytes; text columns are their bytes either way */
    PGresult *res = run(b,
                        "SELECT l.doc_id, coalesce(l.file_name, ''), coalesce(l.error_code, ''),"
                        " l.payload" OPEN_LETTERS " AND l.doc_id > $3"
                        " ORDER BY l.doc_id, l.id DESC LIMIT 1",
                        3, params, 1, "reading a dead letter", errstr, errstr_size);
    if (!res) {
        return -1;
    }
    if (PQntuples(res) == 0) {
        PQclear(res);
        return 0;
    }
    memset(out, 0, sizeof(*out));
    copy_column(res, 0, out->doc_id, sizeof(out->doc_id));
    copy_column(res, 1, out->file_name, sizeof(out->file_name));
    copy_column(res, 2, out->code, sizeof(out->code));
    out->len = (size_t)PQgetlength(res, 0, 3);
    out->payload = malloc(out->len ? out->len : 1);
    if (!out->payload) {
        snprintf(errstr, errstr_size, "out of memory for a dead letter of %zu bytes", out->len);
        PQclear(res);
        return -1;
    }
    memcpy(out->payload, PQgetvalue(res, 0, 3), out->len);
    PQclear(res);
    return 1;
}

long long backlog_promote(struct backlog *b, long long *without, char *errstr, size_t errstr_size)
{
    const char *params[1] = {b->hash};
    *without = count_of(b, with_where(b, "SELECT count(*) FROM documents d WHERE", LACKS_TARGET), 1,
                        params, "counting documents without the version", errstr, errstr_size);
    if (*without < 0) {
        return -1;
    }
    /* one statement: the switch is atomic, a reader sees the old version or the new */
    char *sql =
        with_where(b,
                   "INSERT INTO promotions AS p (doc_id, rules_hash)"
                   " SELECT x.doc_id, x.rules_hash FROM extractions x WHERE x.rules_hash = $1"
                   " AND x.doc_id IN (SELECT doc_id FROM documents WHERE",
                   ") ON CONFLICT (doc_id) DO UPDATE SET rules_hash = EXCLUDED.rules_hash,"
                   " promoted_at = now() WHERE p.rules_hash IS DISTINCT FROM EXCLUDED.rules_hash");
    PGresult *res = run(b, sql, 1, params, 0, "promoting", errstr, errstr_size);
    free(sql);
    long long changed = res ? strtoll(PQcmdTuples(res), NULL, 10) : -1;
    PQclear(res);
    return changed;
}
