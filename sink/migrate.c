/* migrate.c - apply the embedded migrations once, in order, under an advisory lock. */
#include "migrate.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reportflow/log.h"

/* pg_advisory_lock key: any constant the sinks agree on ("rfmg"). */
#define MIGRATION_LOCK_KEY "1919313767"
/* How long a migration waits for any lock before the sink tries again later. */
#define MIGRATION_LOCK_TIMEOUT "5s"

static void strip_newline(char *s)
{
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == ' ')) {
        s[--n] = '\0';
    }
}

/* A failed @p res: its message into @p errstr and its SQLSTATE into @p state ("" if none). */
static void failed(PGconn *conn, const PGresult *res, const char *what, char state[6], char *errstr,
                   size_t errstr_size)
{
    const char *code = PQresultErrorField(res, PG_DIAG_SQLSTATE);
    snprintf(state, 6, "%s", code ? code : "");
    snprintf(errstr, errstr_size, "%s: %s", what, PQerrorMessage(conn));
    strip_newline(errstr);
}

/* @returns 0, or -1 with @p state and @p errstr. */
static int exec_simple(PGconn *conn, const char *sql, const char *what, char state[6], char *errstr,
                       size_t errstr_size)
{
    PGresult *res = PQexec(conn, sql);
    ExecStatusType st = PQresultStatus(res);
    int rc = 0;
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
        failed(conn, res, what, state, errstr, errstr_size);
        rc = -1;
    }
    PQclear(res);
    return rc;
}

/* Whether migration @p version is recorded, into *@p applied. @returns 0, or -1 with @p state
   and @p errstr. */
static int is_applied(PGconn *conn, int version, int *applied, char state[6], char *errstr,
                      size_t errstr_size)
{
    char v[16];
    snprintf(v, sizeof(v), "%d", version);
    const char *params[1] = {v};
    PGresult *res = PQexecParams(conn, "SELECT 1 FROM schema_migrations WHERE version = $1::int", 1,
                                 NULL, params, NULL, NULL, 0);
    int rc = 0;
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        failed(conn, res, "reading schema_migrations", state, errstr, errstr_size);
        rc = -1;
    }
    *applied = rc == 0 && PQntuples(res) > 0;
    PQclear(res);
    return rc;
}

/* @returns 0, or -1 with @p state and @p errstr. */
static int apply_one(PGconn *conn, const struct migration *m, char state[6], char *errstr,
                     size_t errstr_size)
{
    char what[128];
    snprintf(what, sizeof(what), "migration %s", m->name);
    if (exec_simple(conn, "BEGIN", what, state, errstr, errstr_size) != 0) {
        return -1;
    }
    if (exec_simple(conn, m->sql, what, state, errstr, errstr_size) != 0) {
        PQclear(PQexec(conn, "ROLLBACK"));
        return -1;
    }
    char v[16];
    snprintf(v, sizeof(v), "%d", m->version);
    const char *params[2] = {v, m->name};
    PGresult *res =
        PQexecParams(conn, "INSERT INTO schema_migrations (version, name) VALUES ($1::int, $2)", 2,
                     NULL, params, NULL, NULL, 0);
    int rc = 0;
    if (PQresultStatus(res) != PGRES_COMMAND_OK) {
        snprintf(what, sizeof(what), "migration %s: cannot record it", m->name);
        failed(conn, res, what, state, errstr, errstr_size);
        rc = -1;
    }
    PQclear(res);
    if (rc != 0 || exec_simple(conn, "COMMIT", what, state, errstr, errstr_size) != 0) {
        PQclear(PQexec(conn, "ROLLBACK"));
        return -1;
    }
    rf_info("migrate", "applied %s", m->name);
    return 0;
}

int migrate_apply(PGconn *conn, char state[6], char *errstr, size_t errstr_size)
{
    state[0] = '\0';
    /* every lock a migration waits for (the advisory lock another sink holds while it migrates,
       a table a reader holds) has an end: past it, the caller judges the SQLSTATE */
    int rc = exec_simple(conn, "SET lock_timeout = '" MIGRATION_LOCK_TIMEOUT "'", "lock_timeout",
                         state, errstr, errstr_size);
    rc = rc ? rc
            : exec_simple(conn, "SELECT pg_advisory_lock(" MIGRATION_LOCK_KEY ")", "migration lock",
                          state, errstr, errstr_size);
    if (rc != 0) {
        return -1;
    }
    int applied_now = 0;
    rc = exec_simple(conn,
                     "CREATE TABLE IF NOT EXISTS schema_migrations ("
                     " version integer PRIMARY KEY, name text NOT NULL,"
                     " applied_at timestamptz NOT NULL DEFAULT now())",
                     "schema_migrations", state, errstr, errstr_size);
    for (size_t i = 0; rc == 0 && i < migrate_count; i++) {
        int applied = 0;
        rc = is_applied(conn, migrate_all[i].version, &applied, state, errstr, errstr_size);
        if (rc == 0 && !applied) {
            rc = apply_one(conn, &migrate_all[i], state, errstr, errstr_size);
            applied_now += rc == 0;
        }
    }
    PQclear(PQexec(conn, "SELECT pg_advisory_unlock(" MIGRATION_LOCK_KEY ")"));
    PQclear(PQexec(conn, "RESET lock_timeout"));
    return rc == 0 ? applied_now : -1;
}
