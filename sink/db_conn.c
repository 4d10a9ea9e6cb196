/* db_conn.c - the sink's connection to PostgreSQL. */
#include "db_conn.h"

#include <stdio.h>
#include <string.h>

#include "migrate.h"
#include "pgtext.h"
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

enum db_result db_conn_classify(PGconn *conn, const PGresult *res)
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

enum db_result db_conn_open(struct db *db, const char *conninfo, char *errstr, size_t errstr_size)
{
    db_conn_close(db);
    db->conninfo = conninfo;
    db->conn = PQconnectdb(conninfo);
    if (!db->conn || PQstatus(db->conn) != CONNECTION_OK) {
        db_conn_error(errstr, errstr_size, "cannot connect to PostgreSQL", db->conn);
        db_conn_close(db);
        return DB_RETRY;
    }
    int applied = migrate_apply(db->conn, errstr, errstr_size);
    if (applied < 0) {
        enum db_result r = PQstatus(db->conn) == CONNECTION_BAD ? DB_RETRY : DB_FATAL;
        db_conn_close(db);
        return r;
    }
    rf_info(COMPONENT, "connected to PostgreSQL %d (%d migration(s) applied)",
            PQserverVersion(db->conn), applied);
    return DB_OK;
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

enum db_result db_conn_run(struct db *db, const char *sql, int nparams, const char *const *values,
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
    enum db_result r = db_conn_classify(db->conn, res);
    db_conn_error(errstr, errstr_size, what, db->conn);
    PQclear(res);
    return r;
}

enum db_result db_conn_exec(struct db *db, const char *sql, char *errstr, size_t errstr_size)
{
    return db_conn_run(db, sql, 0, NULL, NULL, sql, errstr, errstr_size);
}
