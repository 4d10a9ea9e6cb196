/*
 * versions.h - a version of the extractions as people name it ("2.1.0",
 * "emergency-management-annual@2.1.0", or a prefix of its rules_hash) turned into
 * the rules_hash PostgreSQL keeps it under (sql/012). Shared by
 * reportflow-reprocess promote and reportflow-report diff.
 */
#ifndef RF_VERSIONS_H
#define RF_VERSIONS_H

#include <stddef.h>

#include <libpq-fe.h>

/* Room for a rules_hash: 16 hex digits, or "legacy-" and a rules_version (sql/012). */
#define VERSIONS_HASH_SIZE 80

enum versions_result {
    VERSIONS_FOUND = 0,
    VERSIONS_UNKNOWN,   /* no extraction has that name: @p errstr lists those that exist */
    VERSIONS_AMBIGUOUS, /* several hashes (a rule file edited without a new version): listed */
    VERSIONS_DB_ERROR,  /* the query failed: @p errstr has PostgreSQL's message */
};

/**
 * Resolve @p name to the rules_hash of the extractions it names, into @p hash, and
 * their "rules_name@rules_version" into @p label. On anything but VERSIONS_FOUND,
 * @p errstr says what to do (it holds text from the database: escape it to print).
 */
enum versions_result versions_resolve(PGconn *conn, const char *name, char hash[VERSIONS_HASH_SIZE],
                                      char *label, size_t label_size, char *errstr,
                                      size_t errstr_size);

#endif
