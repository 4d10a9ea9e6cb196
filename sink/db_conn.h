/*
 * db_conn.h - the sink's connection to PostgreSQL: connect (and migrate), run a
 * statement, decide what a failure means (retry, retry smaller, reject the
 * data, or stop), and cancel a statement from another thread. db.c and
 * dead_letters.c both stand on it.
 *
 * Every failure has an end. A connection gets TCP keepalives, a TCP user
 * timeout and a connect timeout unless the user's conninfo (or the PG*
 * environment) sets them, so a server host that vanishes without a reset is
 * noticed in about a minute, not the kernel's two hours. While a statement
 * waits for its answer, the time it started is published (busy_since), so the
 * writer can drop a connection whose server stopped answering altogether (a
 * frozen server's kernel still acknowledges every packet: no TCP timeout fires).
 */
#ifndef RF_DB_CONN_H
#define RF_DB_CONN_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "children.h"

/* What to do after a failed statement (one place decides it); decided in db_conn_classify() only.
 */
enum db_result {
    DB_OK = 0,
    DB_RETRY,   /* connection or server trouble: reconnect, back off, try the batch again */
    DB_SMALLER, /* a limit the transaction's size may cause (statement or lock timeout, out of
                   memory, too complex): try again, then in smaller transactions */
    DB_REJECT,  /* this data can never be stored: dead-letter it, store the rest */
    DB_FATAL,   /* our SQL or schema is wrong: stop and tell the operator */
};

struct db {
    PGconn *conn;                   /* NULL while disconnected */
    const char *conninfo;           /* borrowed */
    const struct children_sql *sql; /* borrowed: built once by whoever sets the db up */
    long long statement_timeout_ms; /* per transaction (db.c sets it after BEGIN); 0: none */
    /* when the statement waiting for its answer started (monotonic ms), 0 when none; owned by
       whoever watches the connection from another thread, NULL when nobody does */
    _Atomic int64_t *busy_since;
    char sqlstate[6]; /* of the last failure, "" when it had none (connection lost) */
};

/* The connection settings added to the user's conninfo unless it (or the PG* environment)
   sets them: keyword, value pairs. Dead idle connections show within 30 + 3 x 10 s,
   unacknowledged data within 30 s, a server that does not answer a connect within 10 s. */
#define DB_CONN_DEFAULTS                                                                           \
    "connect_timeout", "10", "keepalives", "1", "keepalives_idle", "30", "keepalives_interval",    \
        "10", "keepalives_count", "3", "tcp_user_timeout", "30000"

/**
 * The keywords and values to connect with, for PQconnectdbParams(..., 1): the
 * defaults above that the environment does not set, then "dbname" = @p conninfo,
 * which libpq expands last, so whatever the user's conninfo sets wins.
 * @p keys and @p values have room for @p cap entries and end with NULL.
 * @returns the number of entries (without the NULL).
 */
size_t db_conn_keywords(const char *conninfo, const char **keys, const char **values, size_t cap);

/** Connect and apply migrations. @returns DB_OK, DB_RETRY (server unreachable) or DB_FATAL. */
enum db_result db_conn_open(struct db *db, const char *conninfo, char *errstr, size_t errstr_size);
void db_conn_close(struct db *db);

/** The connection's socket (for shutdown() from a watchdog), or -1. */
int db_conn_socket(struct db *db);

/**
 * A handle that cancels the statement running on @p db's connection from
 * another thread (PQcancel is thread-safe), or NULL. Free with db_conn_cancel_free().
 */
PGcancel *db_conn_cancel_new(struct db *db);
/** Ask the server to cancel what the connection runs now; errors are only logged. */
void db_conn_cancel_send(PGcancel *cancel);
void db_conn_cancel_free(PGcancel *cancel);

/** What a failure with SQLSTATE @p state (NULL: none, the connection was lost) means. */
enum db_result db_conn_classify_state(const char *state);

/** Map a failed result (or a broken connection) to what the caller should do. */
enum db_result db_conn_classify(PGconn *conn, const PGresult *res);

/**
 * A failed result @p res of @p what: classified, its SQLSTATE kept in
 * db->sqlstate, the reason in @p errstr. Does not clear @p res.
 */
enum db_result db_conn_failed(struct db *db, const PGresult *res, const char *what, char *errstr,
                              size_t errstr_size);

/** Mark the start (@p waiting) or the end of a wait for the server's answer. */
void db_conn_busy(struct db *db, bool waiting);

/**
 * @p what and PostgreSQL's message on @p conn, on one line in @p errstr (cut
 * between characters: the message may quote the data refused).
 */
void db_conn_error(char *errstr, size_t errstr_size, const char *what, PGconn *conn);

/**
 * Run @p sql with @p nparams text parameters @p values; on success hand back
 * the result in @p keep (the caller clears it) or, with @p keep NULL, clear it.
 * On failure @p what and the reason in @p errstr.
 */
enum db_result db_conn_run(struct db *db, const char *sql, int nparams, const char *const *values,
                           PGresult **keep, const char *what, char *errstr, size_t errstr_size);

/** As db_conn_run(), with each parameter's length and format (binary where @p formats says 1). */
enum db_result db_conn_run_binary(struct db *db, const char *sql, int nparams,
                                  const char *const *values, const int *lengths, const int *formats,
                                  PGresult **keep, const char *what, char *errstr,
                                  size_t errstr_size);

/** Run @p sql (no parameters, no rows kept); on failure the reason in @p errstr. */
enum db_result db_conn_exec(struct db *db, const char *sql, char *errstr, size_t errstr_size);

#endif
