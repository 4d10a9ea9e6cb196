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
 * race. @returns the number applied; MIGRATE_AGAIN with errstr when a migration lost to
 * another session's locks (a deadlock, a lock not granted: the caller tries again later);
 * -1 with errstr.
 */
#define MIGRATE_AGAIN (-2)

int migrate_apply(PGconn *conn, char *errstr, size_t errstr_size);

#endif
