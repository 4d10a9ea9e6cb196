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

/**
 * Apply every migration not yet recorded in schema_migrations, each in its own
 * transaction, under an advisory lock so that sinks starting together do not
 * race; no lock is waited for longer than 5 s (lock_timeout). @returns the
 * number applied, or -1 with @p errstr and the failing statement's SQLSTATE in
 * @p state ("" when there was none), which the caller judges (db_conn.h).
 */
int migrate_apply(PGconn *conn, char state[6], char *errstr, size_t errstr_size);

#endif
