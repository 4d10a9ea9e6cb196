/*
 * backlog.h - what a reprocess still has to do, as PostgreSQL knows it: the
 * selected documents (a condition over the documents view) that have no
 * extraction under the target rules_hash yet, in the order their raw records
 * lie in Kafka; whether those sent have settled (stored under the target, or
 * dead-lettered since the run began); open dead letters to re-drive; and the
 * promotion of a version. The operator's --where text is SQL run with their
 * own credentials, placed in parentheses; every other value is a parameter.
 */
#ifndef RF_BACKLOG_H
#define RF_BACKLOG_H

#include <stdbool.h>
#include <stddef.h>

#include <libpq-fe.h>

#include "versions.h"

struct backlog {
    PGconn *conn;      /* owned */
    const char *where; /* borrowed: a condition over documents, or NULL for all */
    char hash[VERSIONS_HASH_SIZE];
    char started[64]; /* the server's clock when the run began: later letters are this run's */
};

/** Where the raw record of a document lies, as its shown extraction recorded it. */
struct backlog_doc {
    char doc_id[65];
    char topic[256]; /* "" when unknown */
    int partition;   /* -1 when unknown */
    long long offset;
};

/** Resumes backlog_next() after the last document it returned. */
struct backlog_cursor {
    int partition;
    long long offset;
    char doc_id[65];
};

#define BACKLOG_CURSOR_START                                                                       \
    {                                                                                              \
        -2, -2, ""                                                                                 \
    }

/** A dead letter to re-drive: the report's bytes (owned, free()) and its name. */
struct backlog_letter {
    char doc_id[65];
    char file_name[512];
    char code[64];
    char *payload;
    size_t len;
};

/**
 * Connect (@p conninfo, libpq's) and check the schema has versioned extractions.
 * @returns 0, or -1 with a message in @p errstr (b->conn is then NULL).
 */
int backlog_open(struct backlog *b, const char *conninfo, const char *where, const char *hash,
                 char *errstr, size_t errstr_size);
void backlog_close(struct backlog *b);

/**
 * True when the last call failed because PostgreSQL could not be reached (the next call
 * connects again): the caller may wait and retry rather than give up.
 */
bool backlog_lost(const struct backlog *b);

/** Documents the condition selects among those stored before the run began; -1 on error. */
long long backlog_selected(struct backlog *b, char *errstr, size_t errstr_size);

/** Selected documents with no extraction under the target and no dead letter of this run. */
long long backlog_missing(struct backlog *b, char *errstr, size_t errstr_size);

/**
 * Up to @p max documents after @p cur still lacking the target version, ordered by
 * raw partition and offset; advances @p cur. @returns how many, or -1 on error.
 */
long long backlog_next(struct backlog *b, struct backlog_cursor *cur, struct backlog_doc *out,
                       size_t max, char *errstr, size_t errstr_size);

/**
 * For each of @p cnt ids: @p stored[i], an extraction under the target exists;
 * @p failed[i], a dead letter arrived since the run began. @returns 0 or -1.
 */
int backlog_settled(struct backlog *b, const char (*ids)[65], size_t cnt, bool *stored,
                    bool *failed, char *errstr, size_t errstr_size);

/** Open dead letters of stage extract with their bytes (of @p code, or any when ""). */
long long backlog_letters_open(struct backlog *b, const char *code, char *errstr,
                               size_t errstr_size);

/**
 * The next open letter after document @p after (one per document, its latest).
 * @returns 1 and fills @p out, 0 when none is left, -1 on error.
 */
int backlog_next_letter(struct backlog *b, const char *code, const char *after,
                        struct backlog_letter *out, char *errstr, size_t errstr_size);

/**
 * Show the target version for the selected documents that have it, in one
 * statement. @p *without receives how many selected documents lack it.
 * @returns the documents whose shown version changed, or -1 on error.
 */
long long backlog_promote(struct backlog *b, long long *without, char *errstr, size_t errstr_size);

#endif
