/*
 * diff.h - reportflow-report diff: what a rule change changes, on the stored history.
 * Two versions of the extractions of the same documents, compared fact by fact (a
 * fact: a document, a metric key, a value), per key, in SQL.
 */
#ifndef RF_TOOLS_DIFF_H
#define RF_TOOLS_DIFF_H

#include <libpq-fe.h>

/* The exit statuses of reportflow-report diff. */
enum diff_status {
    DIFF_SAME = 0,     /* no fact differs */
    DIFF_DIFFERS = 1,  /* some fact was added, removed or changed */
    DIFF_USAGE = 2,    /* bad arguments, or a version unknown or ambiguous */
    DIFF_DB_ERROR = 3, /* PostgreSQL could not be reached or refused a query */
};

struct diff_args {
    const char *old_name; /* "2.1.0", "name@2.1.0" or a rules_hash prefix (4+ hex digits) */
    const char *new_name; /* the same forms */
    const char *where;    /* a condition over the view documents, or NULL for all documents */
};

/**
 * Compare the two versions @p args names on @p conn (connected; left open), in one
 * read-only snapshot, and print the counts per key and a few examples to stdout;
 * messages go to stderr. @returns a diff_status.
 */
int diff_run(PGconn *conn, const struct diff_args *args);

#endif
