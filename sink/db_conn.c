/* db_conn.c - the sink's connection to PostgreSQL. */
#include "db_conn.h"

#include <stdio.h>
#include <string.h>

#include "migrate.h"
#include "pgtext.h"
#include "reportflow/clock.h"
#include "reportflow/log.h"

#define COMPONENT "db"

void db_conn_error(char *errstr, size_t errstr_size, const char *what, PGconn *conn)
{
    char full[4096]; /* PostgreSQL quotes the data it refuses: cut only between characters */
    snprintf(full, sizeof(full), "%s: %s", what, conn ? PQerrorMessage(conn) : "not connected");
    pgtext_copy(errstr, errstr_size, full);
    size_t n = strlen(errstr);
    while (n > 0 && (errstr[n - 1] == '\n' || errstr[n - 1] == ' ')) {
        errstr[--n] = '\0';
    }
}

/* Failures a smaller transaction may not meet: retried once as they are, then split. */
static const char *const smaller_states[] = {
    "57014", /* query_canceled: statement_timeout (or a cancel) */
    "53200", /* out_of_memory */
    "54001", /* statement_too_complex */
    "55P03", /* lock_not_available: lock_timeout */
};

enum db_result db_conn_classify_state(const char *state)
{
    if (!state) {
        return DB_RETRY; /* no SQLSTATE: the client lost the server */
    }
    for (size_t i = 0; i < sizeof(smaller_states) / sizeof(smaller_states[0]); i++) {
        if (strcmp(state, smaller_states[i]) == 0) {
            return DB_SMALLER;
        }
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

enum db_result db_conn_classify(PGconn *conn, const PGresult *res)
{
    if (!conn || PQstatus(conn) == CONNECTION_BAD) {
        return DB_RETRY;
    }
    return db_conn_classify_state(res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL);
}

enum db_result db_conn_failed(struct db *db, const PGresult *res, const char *what, char *errstr,
                              size_t errstr_size)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    snprintf(db->sqlstate, sizeof(db->sqlstate), "%s", state ? state : "");
    db_conn_error(errstr, errstr_size, what, db->conn);
    return db_conn_classify(db->conn, res);
}

void db_conn_busy(struct db *db, bool waiting)
{
    if (db->busy_since) {
        atomic_store(db->busy_since, waiting ? rf_clock_mono_ms() : 0);
    }
}

/* Does the environment (PG* variables, a service file) already set @p keyword? */
static bool set_by_environment(const PQconninfoOption *env, const char *keyword)
{
    for (const PQconninfoOption *o = env; o && o->keyword; o++) {
        if (strcmp(o->keyword, keyword) == 0) {
            return o->val != NULL && o->val[0] != '\0';
        }
    }
    return false;
}

size_t db_conn_keywords(const char *conninfo, const char **keys, const char **values, size_t cap)
{
    static const char *const defaults[] = {DB_CONN_DEFAULTS};
    PQconninfoOption *env = PQconndefaults(); /* NULL on ENOMEM: add every default */
    size_t n = 0;
    for (size_t i = 0; i + 1 < sizeof(defaults) / sizeof(defaults[0]) && n + 2 < cap; i += 2) {
        if (!set_by_environment(env, defaults[i])) {
            keys[n] = defaults[i];
            values[n++] = defaults[i + 1];
        }
    }
    PQconninfoFree(env);
    /* last, so the user's conninfo overrides every default above (libpq expands it here) */
    keys[n] = "dbname";
    values[n++] = conninfo ? conninfo : "";
    keys[n] = NULL;
    values[n] = NULL;
    return n;
}

enum db_result db_conn_open(struct db *db, const char *conninfo, char *errstr, size_t errstr_size)
{
    const char *keys[16], *values[16];
    db_conn_close(db);
    db->conninfo = conninfo;
    db_conn_keywords(conninfo, keys, values, sizeof(keys) / sizeof(keys[0]));
    /* the conninfo is never logged: it may hold a password */
    db->conn = PQconnectdbParams(keys, values, 1);
    if (!db->conn || PQstatus(db->conn) != CONNECTION_OK) {
        db_conn_error(errstr, errstr_size, "cannot connect to PostgreSQL", db->conn);
        db_conn_close(db);
        return DB_RETRY;
    }
    char state[6];
    int applied = migrate_apply(db->conn, MIGRATE_CHECK_TIMEOUT_MS, state, errstr, errstr_size);
    if (applied < 0) {
        /* judged as any statement: a migration that lost to another session's locks (a
           deadlock with a reader of the views it replaces, lock_timeout) is tried again with
           the next connection; our SQL or the schema wrong stops the sink */
        enum db_result kind = db_conn_classify_state(state[0] ? state : NULL);
        enum db_result r =
            PQstatus(db->conn) == CONNECTION_BAD || kind == DB_RETRY || kind == DB_SMALLER
                ? DB_RETRY
                : DB_FATAL;
        db_conn_close(db);
        return r;
    }
    rf_info(COMPONENT, "connected to PostgreSQL %d (%d migration(s) applied)",
            PQserverVersion(db->conn), applied);
    return DB_OK;
}

int db_conn_socket(struct db *db)
{
    return db->conn ? PQsocket(db->conn) : -1;
}

PGcancel *db_conn_cancel_new(struct db *db)
{
    return db->conn ? PQgetCancel(db->conn) : NULL;
}

void db_conn_cancel_send(PGcancel *cancel)
{
    char err[256];
    if (cancel && !PQcancel(cancel, err, sizeof(err))) {
        rf_warn(COMPONENT, "cannot cancel the statement in progress: %s", err);
    }
}

void db_conn_cancel_free(PGcancel *cancel)
{
    if (cancel) {
        PQfreeCancel(cancel);
    }
}

void db_conn_close(struct db *db)
{
    if (db->conn) {
        PQfinish(db->conn);
        db->conn = NULL;
    }
}

enum db_result db_conn_run_binary(struct db *db, const char *sql, int nparams,
                                  const char *const *values, const int *lengths, const int *formats,
                                  PGresult **keep, const char *what, char *errstr,
                                  size_t errstr_size)
{
    db_conn_busy(db, true);
    PGresult *res = PQexecParams(db->conn, sql, nparams, NULL, values, lengths, formats, 0);
    db_conn_busy(db, false);
    ExecStatusType st = PQresultStatus(res);
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) {
        if (keep) {
            *keep = res;
        } else {
            PQclear(res);
        }
        return DB_OK;
    }
    enum db_result r = db_conn_failed(db, res, what, errstr, errstr_size);
    PQclear(res);
    return r;
}

enum db_result db_conn_run(struct db *db, const char *sql, int nparams, const char *const *values,
                           PGresult **keep, const char *what, char *errstr, size_t errstr_size)
{
    return db_conn_run_binary(db, sql, nparams, values, NULL, NULL, keep, what, errstr,
                              errstr_size);
}

enum db_result db_conn_exec(struct db *db, const char *sql, char *errstr, size_t errstr_size)
{
    return db_conn_run(db, sql, 0, NULL, NULL, sql, errstr, errstr_size);
}
