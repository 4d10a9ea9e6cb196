/* migrate.c - apply the embedded migrations once, in order, under an advisory lock. */
#include "migrate.h"

#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reportflow/clock.h"
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

/*
 * @p sql with @p nparams text @p params, its last result waited for at most @p timeout_ms.
 * A server that stalls after the login (an I/O stall; a frozen process, whose kernel still
 * answers for it) would otherwise hold a reconnecting sink in its checks for ever, where
 * nothing watches it: past the bound, NULL with @p errstr (and no SQLSTATE: the caller drops
 * the connection and tries again).
 */
static PGresult *run(PGconn *conn, const char *sql, int nparams, const char *const *params,
                     int timeout_ms, const char *what, char *errstr, size_t errstr_size)
{
    /* without parameters, the simple protocol, which takes several statements */
    int sent = nparams == 0 ? PQsendQuery(conn, sql)
                            : PQsendQueryParams(conn, sql, nparams, NULL, params, NULL, NULL, 0);
    if (!sent) {
        snprintf(errstr, errstr_size, "%s: %s", what, PQerrorMessage(conn));
        strip_newline(errstr);
        return NULL;
    }
    int64_t deadline = rf_clock_mono_ms() + timeout_ms;
    while (PQisBusy(conn)) {
        int64_t left = deadline - rf_clock_mono_ms();
        struct pollfd p = {PQsocket(conn), POLLIN, 0};
        int n = left > 0 ? poll(&p, 1, (int)left) : 0;
        if (n == 0) {
            snprintf(errstr, errstr_size, "%s: PostgreSQL did not answer within %d ms", what,
                     timeout_ms);
            return NULL;
        }
        if ((n < 0 && errno != EINTR) || (n > 0 && !PQconsumeInput(conn))) {
            snprintf(errstr, errstr_size, "%s: %s", what, PQerrorMessage(conn));
            strip_newline(errstr);
            return NULL;
        }
    }
    PGresult *last = NULL;
    for (PGresult *r; (r = PQgetResult(conn)) != NULL;) {
        PQclear(last);
        last = r;
    }
    return last;
}

/* Roll back, unless a statement is still unanswered (past its bound): then the caller drops
   the connection, and that rolls back too, where a ROLLBACK would wait for the answer first. */
static void rollback(PGconn *conn, int timeout_ms)
{
    char ignored[64];
    if (!PQisBusy(conn)) {
        PQclear(run(conn, "ROLLBACK", 0, NULL, timeout_ms, "rollback", ignored, sizeof(ignored)));
    }
}

/* Judge and free @p res (NULL: no answer, errstr set). @returns 0, or -1 with @p state and
   @p errstr. */
static int succeeded(PGconn *conn, PGresult *res, const char *what, char state[6], char *errstr,
                     size_t errstr_size)
{
    if (!res) {
        return -1;
    }
    ExecStatusType st = PQresultStatus(res);
    int rc = 0;
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
        failed(conn, res, what, state, errstr, errstr_size);
        rc = -1;
    }
    PQclear(res);
    return rc;
}

/* @returns 0, or -1 with @p state and @p errstr. */
static int exec_simple(PGconn *conn, const char *sql, int timeout_ms, const char *what,
                       char state[6], char *errstr, size_t errstr_size)
{
    PGresult *res = run(conn, sql, 0, NULL, timeout_ms, what, errstr, errstr_size);
    return succeeded(conn, res, what, state, errstr, errstr_size);
}

/* Whether migration @p version is recorded, into *@p applied. @returns 0, or -1 with @p state
   and @p errstr. */
static int is_applied(PGconn *conn, int timeout_ms, int version, int *applied, char state[6],
                      char *errstr, size_t errstr_size)
{
    char v[16];
    snprintf(v, sizeof(v), "%d", version);
    const char *params[1] = {v};
    PGresult *res = run(conn, "SELECT 1 FROM schema_migrations WHERE version = $1::int", 1, params,
                        timeout_ms, "reading schema_migrations", errstr, errstr_size);
    if (!res) {
        return -1;
    }
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
static int apply_one(PGconn *conn, int timeout_ms, const struct migration *m, char state[6],
                     char *errstr, size_t errstr_size)
{
    char what[128];
    snprintf(what, sizeof(what), "migration %s", m->name);
    if (exec_simple(conn, "BEGIN", timeout_ms, what, state, errstr, errstr_size) != 0) {
        return -1;
    }
    /* the migration itself (its file's statements, by the simple protocol) as long as it
       takes: a new index on a large table may take long */
    if (succeeded(conn, PQexec(conn, m->sql), what, state, errstr, errstr_size) != 0) {
        rollback(conn, timeout_ms);
        return -1;
    }
    char v[16];
    snprintf(v, sizeof(v), "%d", m->version);
    const char *params[2] = {v, m->name};
    char recording[160];
    snprintf(recording, sizeof(recording), "migration %s: cannot record it", m->name);
    PGresult *res = run(conn, "INSERT INTO schema_migrations (version, name) VALUES ($1::int, $2)",
                        2, params, timeout_ms, recording, errstr, errstr_size);
    if (succeeded(conn, res, recording, state, errstr, errstr_size) != 0 ||
        exec_simple(conn, "COMMIT", timeout_ms, what, state, errstr, errstr_size) != 0) {
        rollback(conn, timeout_ms);
        return -1;
    }
    rf_info("migrate", "applied %s", m->name);
    return 0;
}

int migrate_apply(PGconn *conn, int timeout_ms, char state[6], char *errstr, size_t errstr_size)
{
    state[0] = '\0';
    /* every lock a migration waits for (the advisory lock another sink holds while it migrates,
       a table a reader holds) has an end: past it, the caller judges the SQLSTATE */
    int rc = exec_simple(conn, "SET lock_timeout = '" MIGRATION_LOCK_TIMEOUT "'", timeout_ms,
                         "lock_timeout", state, errstr, errstr_size);
    rc = rc ? rc
            : exec_simple(conn, "SELECT pg_advisory_lock(" MIGRATION_LOCK_KEY ")", timeout_ms,
                          "migration lock", state, errstr, errstr_size);
    if (rc != 0) {
        return -1;
    }
    int applied_now = 0;
    rc = exec_simple(conn,
                     "CREATE TABLE IF NOT EXISTS schema_migrations ("
                     " version integer PRIMARY KEY, name text NOT NULL,"
                     " applied_at timestamptz NOT NULL DEFAULT now())",
                     timeout_ms, "schema_migrations", state, errstr, errstr_size);
    for (size_t i = 0; rc == 0 && i < migrate_count; i++) {
        int applied = 0;
        rc = is_applied(conn, timeout_ms, migrate_all[i].version, &applied, state, errstr,
                        errstr_size);
        if (rc == 0 && !applied) {
            rc = apply_one(conn, timeout_ms, &migrate_all[i], state, errstr, errstr_size);
            applied_now += rc == 0;
        }
    }
    if (rc != 0) {
        return -1; /* the caller drops the connection, and with it the lock */
    }
    char ignored[6];
    rc = exec_simple(conn, "SELECT pg_advisory_unlock(" MIGRATION_LOCK_KEY ")", timeout_ms,
                     "migration unlock", ignored, errstr, errstr_size);
    rc = rc ? rc
            : exec_simple(conn, "RESET lock_timeout", timeout_ms, "lock_timeout", ignored, errstr,
                          errstr_size);
    return rc == 0 ? applied_now : -1;
}
