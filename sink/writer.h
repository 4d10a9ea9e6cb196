/*
 * writer.h - the sink's database thread. It stores one batch at a time in
 * PostgreSQL (db.h), while the Kafka loop parses and formats the next batch:
 * parsing and the database round trip overlap instead of taking turns. Only
 * the Kafka loop touches Kafka; only the writer touches PostgreSQL once it runs.
 *
 * Every failure has an end. Through an outage the writer retries with backoff
 * and says for how long it has failed (the loop leaves the group after
 * sink.max_outage_ms and abandons the batch). A batch that fails twice for a
 * reason tied to its size (DB_SMALLER: statement or lock timeout, out of
 * memory, too complex) is stored in halves, down to one record, which becomes a
 * dead letter with that reason (a dead letter then loses its payload, then is
 * skipped and counted as unstorable). A statement the server has not answered
 * for pg.statement_timeout_ms plus WRITER_ANSWER_GRACE_MS has its connection
 * shut down by writer_watch(), since a frozen server's kernel keeps the TCP
 * connection alive. A cancel (a second stop signal) is sent outside every lock.
 */
#ifndef RF_WRITER_H
#define RF_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "batch.h"
#include "db.h"
#include "reportflow/config.h"

enum writer_outcome {
    WRITER_STORED,  /* committed: the batch's offsets may be stored */
    WRITER_GAVE_UP, /* stopping during an outage, cancelled or abandoned: maybe not all
                       committed, Kafka hands it out again, and no later offset may be stored */
    WRITER_FATAL,   /* our SQL or schema is wrong (logged): stop */
};

struct writer_done {
    enum writer_outcome outcome;
    struct db_counts counts; /* when stored */
};

struct writer;

/* Reconnect backoff: the first wait, then doubled up to sink.retry_max_ms (default 2 s,
   so a PostgreSQL that returns is found within seconds of its return). */
#define WRITER_BACKOFF_FIRST_MS 200

/* How long past pg.statement_timeout_ms a statement may wait for its answer before its
   connection is dropped: the server cancels it at the timeout and answers at once, unless
   it does not run at all. */
#define WRITER_ANSWER_GRACE_MS 5000

/** The wait after one of @p current_ms: doubled, at most @p max_ms. */
int64_t writer_backoff_next(int64_t current_ms, int64_t max_ms);

/**
 * Start the thread on @p db's connection, which it takes over (@p db is left
 * disconnected). @returns NULL with a reason in @p errstr.
 */
struct writer *writer_start(const struct rf_config *cfg, struct db *db, char *errstr,
                            size_t errstr_size);

/** Hand @p b (sealed) over until writer_collect() gives it back; one batch at a time. */
void writer_submit(struct writer *w, struct batch *b);

/**
 * Wait up to @p timeout_ms (-1: until done) for the batch in hand. @returns it,
 * with what became of it in @p done, or NULL while it is still being stored.
 */
struct batch *writer_collect(struct writer *w, int timeout_ms, struct writer_done *done);

/**
 * Cancel the statement the thread is running (a second stop signal: exit now)
 * and drop its connection; the batch then comes back as WRITER_GAVE_UP.
 * Returns at once: PQcancel runs in a thread of its own, outside every lock (it
 * may wait on a server that stopped answering). Any thread.
 */
void writer_cancel(struct writer *w);

/**
 * Give up the batch in hand at the next wait between attempts (the loop leaves
 * its group during a long outage): it comes back as WRITER_GAVE_UP.
 */
void writer_abandon(struct writer *w);

/**
 * Drop the connection when a statement has waited for its answer longer than
 * pg.statement_timeout_ms + WRITER_ANSWER_GRACE_MS (the writer then reconnects
 * and retries). Called often, from the Kafka loop; cheap.
 */
void writer_watch(struct writer *w);

struct writer_status {
    bool outage;       /* PostgreSQL is failing and the batch in hand waits for a retry */
    bool connected;    /* connected to PostgreSQL */
    uint64_t retries;  /* failed attempts at a batch so far */
    int64_t outage_ms; /* how long the writer has been unable to write (0: it can) */
    uint64_t splits;   /* batches (or parts) split after failing for their size */
    uint64_t dropped;  /* connections dropped because the server stopped answering */
};

/** A snapshot of what the thread is doing, for the Kafka loop and metrics. */
struct writer_status writer_status(struct writer *w);

/**
 * Stop the thread, after the attempt it is making (collect the batch in hand
 * first to learn its fate), and close the connection. NULL is fine.
 */
void writer_stop(struct writer *w);

#endif
