/* migrate.h - numbered SQL migrations (sql/NNN_name.sql), embedded at build time. */
#ifndef RF_MIGRATE_H
#define RF_MIGRATE_H

#include <stddef.h>

#include <libpq-fe.h>

struct migration {
    int version;      /* from the file name's number */
    const char *name; /* file name */
    const char *sql;  /* its text */
};

extern const struct migration migrate_all[];
extern const size_t migrate_count;

/* How long the client waits for the answer to a statement of the checks (all but a migration's
   own SQL, which takes as long as it takes): the lock's 5 s and a slow server's, with room. */
#define MIGRATE_CHECK_TIMEOUT_MS 30000

/**
 * Apply every migration not yet recorded in schema_migrations, each in its own
 * transaction, under an advisory lock so that sinks starting together do not
 * race; no lock is waited for longer than 5 s (lock_timeout), and no answer to
 * the checks longer than @p check_timeout_ms (a server that stalls after the
 * login: nothing else watches a connection while it migrates). @returns the
 * number applied, or -1 with @p errstr and the failing statement's SQLSTATE in
 * @p state ("" when there was none: the caller drops the connection), which the
 * caller judges (db_conn.h).
 */
int migrate_apply(PGconn *conn, int check_timeout_ms, char state[6], char *errstr,
                  size_t errstr_size);

#endif
