/*
 * db_conn.h - the sink's connection to PostgreSQL: connect (and migrate), run a
 * statement, decide what a failure means (retry, reject the data, or stop),
 * and cancel a statement from another thread. db.c and dead_letters.c both
 * stand on it.
 */
#ifndef RF_DB_CONN_H
#define RF_DB_CONN_H

#include <stddef.h>

#include <libpq-fe.h>

#include "children.h"

/* What to do after a failed statement (one place decides it); decided in db_conn_classify() only.
 */
enum db_result {
    DB_OK = 0,
    DB_RETRY,  /* connection or server trouble: reconnect, back off, try the batch again */
    DB_REJECT, /* this data can never be stored: dead-letter it, store the rest */
    DB_FATAL,  /* our SQL or schema is wrong: stop and tell the operator */
};

struct db {
    PGconn *conn;                   /* NULL while disconnected */
    const char *conninfo;           /* borrowed */
    const struct children_sql *sql; /* borrowed: built once by whoever sets the db up */
};

/** Connect and apply migrations. @returns DB_OK, DB_RETRY (server unreachable) or DB_FATAL. */
enum db_result db_conn_open(struct db *db, const char *conninfo, char *errstr, size_t errstr_size);
void db_conn_close(struct db *db);

/**
 * A handle that cancels the statement running on @p db's connection from
 * another thread (PQcancel is thread-safe), or NULL. Free with db_conn_cancel_free().
 */
PGcancel *db_conn_cancel_new(struct db *db);
/** Ask the server to cancel what the connection runs now; errors are only logged. */
void db_conn_cancel_send(PGcancel *cancel);
void db_conn_cancel_free(PGcancel *cancel);

/** Map a failed result (or a broken connection) to what the caller should do. */
enum db_result db_conn_classify(PGconn *conn, const PGresult *res);

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

/** Run @p sql (no parameters, no rows kept); on failure the reason in @p errstr. */
enum db_result db_conn_exec(struct db *db, const char *sql, char *errstr, size_t errstr_size);

#endif
