/* writer.c - the sink's database thread. */
#include "writer.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "reportflow/clock.h"
#include "reportflow/log.h"
#include "reportflow/run.h"

#define COMPONENT "sink"

/*
 * A connection's cancel handle, shared by the writer and the threads that send
 * a cancel with it: the last one to let go frees it, so a cancel in progress
 * never holds the writer's lock, and the writer may reconnect meanwhile.
 */
struct cancel_ref {
    PGcancel *pg;
    atomic_int refs;
};

struct writer {
    const struct rf_config *cfg;
    struct db db; /* the writer thread's alone once started */
    pthread_t thread;
    pthread_mutex_t lock;   /* guards everything below */
    pthread_cond_t changed; /* a batch was handed over, finished, or quit was asked */
    struct batch *in_hand;  /* submitted and not collected yet */
    bool finished;          /* in_hand is done; result says how */
    struct writer_done result;
    bool quit;
    bool abandon;               /* give up in_hand at the next wait */
    struct cancel_ref *cancel;  /* of the connection in use, or NULL */
    int sock;                   /* the connection's socket, -1 when none */
    bool dropped;               /* sock was shut down already */
    _Atomic int64_t busy_since; /* db.busy_since points here; read without the lock */
    int64_t failing_since;      /* start of the first failed attempt of an outage, 0: none */
    int failures;               /* failed attempts since the last success */
    bool connected;
    uint64_t retries;
    uint64_t splits;
    uint64_t drops;
};

int64_t writer_backoff_next(int64_t current_ms, int64_t max_ms)
{
    return current_ms * 2 > max_ms ? max_ms : current_ms * 2;
}

/* An absolute CLOCK_MONOTONIC time @p ms from now, for pthread_cond_timedwait. */
static struct timespec deadline_in(int64_t ms)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    ts.tv_sec += (time_t)(ms / 1000);
    ts.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    return ts;
}

static struct cancel_ref *cancel_ref_new(struct db *db)
{
    PGcancel *pg = db_conn_cancel_new(db);
    struct cancel_ref *c = pg ? malloc(sizeof(*c)) : NULL;
    if (!c) {
        db_conn_cancel_free(pg);
        return NULL; /* no cancel for this connection: dropping it still frees the writer */
    }
    c->pg = pg;
    atomic_init(&c->refs, 1);
    return c;
}

static void cancel_ref_drop(struct cancel_ref *c)
{
    if (c && atomic_fetch_sub(&c->refs, 1) == 1) {
        db_conn_cancel_free(c->pg);
        free(c);
    }
}

/* A backoff sleep is cut in slices this long, so a stop signal is seen at once. */
#define SLICE_MS 100

static bool giving_up(const struct writer *w)
{
    return w->quit || w->abandon || rf_run_stopping();
}

/* Asked to give up? Checked between the parts of a split batch, which wait for nothing. */
static bool stop_asked(struct writer *w)
{
    pthread_mutex_lock(&w->lock);
    bool stop = giving_up(w);
    pthread_mutex_unlock(&w->lock);
    return stop;
}

/* Sleep @p ms unless quit or abandon is asked or a stop signal comes first. @returns true if so. */
static bool backoff_sleep(struct writer *w, int64_t ms)
{
    struct timespec until = deadline_in(ms);
    pthread_mutex_lock(&w->lock);
    int rc = 0;
    while (!giving_up(w) && rc != ETIMEDOUT) {
        struct timespec slice = deadline_in(SLICE_MS);
        bool last = slice.tv_sec > until.tv_sec ||
                    (slice.tv_sec == until.tv_sec && slice.tv_nsec >= until.tv_nsec);
        rc = pthread_cond_timedwait(&w->changed, &w->lock, last ? &until : &slice);
        if (rc == ETIMEDOUT && !last) {
            rc = 0;
        }
    }
    bool quit = giving_up(w);
    pthread_mutex_unlock(&w->lock);
    return quit;
}

/* Make the connection in db cancellable and watchable from the Kafka loop. */
static void publish_connection(struct writer *w)
{
    struct cancel_ref *c = w->db.conn ? cancel_ref_new(&w->db) : NULL;
    pthread_mutex_lock(&w->lock);
    w->cancel = c;
    w->sock = db_conn_socket(&w->db);
    w->dropped = false;
    w->connected = w->db.conn != NULL;
    pthread_mutex_unlock(&w->lock);
}

static enum db_result connect_db(struct writer *w, char *errstr, size_t errstr_size)
{
    enum db_result r = db_conn_open(&w->db, w->cfg->pg_conninfo, errstr, errstr_size);
    publish_connection(w);
    return r;
}

/* Forget the connection where other threads see it (under the lock), then close it: its
   socket is never shut down after it was closed (and perhaps reused). */
static void close_db(struct writer *w)
{
    pthread_mutex_lock(&w->lock);
    struct cancel_ref *c = w->cancel;
    w->cancel = NULL;
    w->sock = -1;
    w->connected = false;
    pthread_mutex_unlock(&w->lock);
    cancel_ref_drop(c);
    db_conn_close(&w->db);
}

/* Bookkeeping after an attempt that began at @p started_ms. */
static void note_attempt(struct writer *w, enum db_result r, int64_t started_ms)
{
    if (r == DB_OK && w->failures > 0) {
        rf_info(COMPONENT, "PostgreSQL is back after %d failed attempt(s)", w->failures);
    }
    pthread_mutex_lock(&w->lock);
    if (r == DB_RETRY) {
        /* from the start of the attempt: a statement that hung until dropped counts whole */
        w->failing_since = w->failing_since ? w->failing_since : started_ms;
        w->failures++;
    } else {
        w->failing_since = 0; /* the server answered, even with a refusal */
        w->failures = 0;
    }
    w->retries += r == DB_RETRY || r == DB_SMALLER;
    w->connected = w->db.conn != NULL;
    pthread_mutex_unlock(&w->lock);
}

static enum db_result attempt(struct writer *w, struct db_item *items, size_t n,
                              struct db_counts *counts, char *errstr, size_t errstr_size)
{
    memset(counts, 0, sizeof(*counts));
    enum db_result r = w->db.conn ? DB_OK : connect_db(w, errstr, errstr_size);
    return r == DB_OK ? db_store(&w->db, items, n, counts, errstr, errstr_size) : r;
}

static void add_counts(struct db_counts *sum, const struct db_counts *c)
{
    sum->written += c->written;
    sum->rejected += c->rejected;
    sum->dead_letters += c->dead_letters;
    sum->unstorable += c->unstorable;
}

/* The dead-letter code of a record that fails alone, by the SQLSTATE it failed with. */
static const char *limit_code(const char *sqlstate)
{
    static const char *const codes[][2] = {{"57014", "db-statement-timeout"},
                                           {"53200", "db-out-of-memory"},
                                           {"54001", "db-too-complex"},
                                           {"55P03", "db-lock-timeout"}};
    for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
        if (strcmp(sqlstate, codes[i][0]) == 0) {
            return codes[i][1];
        }
    }
    return "db-limit";
}

/*
 * What a record that fails alone for its size becomes: an envelope a dead
 * letter of stage sink with the reason (its bytes kept as payload); a dead
 * letter the same without its payload. @returns false when nothing is left to try.
 */
static bool demote(struct db_item *it, const char *code, const char *why)
{
    if (!it->dead_letter) {
        pgtext_copy(it->reject_reason, sizeof(it->reject_reason), why);
        it->dead_letter = true;
        it->stage = (struct pgtext_bytes){"sink", 4};
        it->error_code = (struct pgtext_bytes){code, strlen(code)};
        it->error_text = (struct pgtext_bytes){it->reject_reason, strlen(it->reject_reason)};
        it->key = (struct pgtext_bytes){it->doc_id, strlen(it->doc_id)};
        it->attempt = 1;
        return true;
    }
    if (!it->no_payload) {
        it->no_payload = true;
        return true;
    }
    return false;
}

static enum writer_outcome store_range(struct writer *w, struct db_item *items, size_t n,
                                       struct db_counts *sum);

/* @p n records failed twice for their size: halves, or the one record demoted. */
static enum writer_outcome store_smaller(struct writer *w, struct db_item *items, size_t n,
                                         struct db_counts *sum, const char *why)
{
    if (stop_asked(w)) {
        return WRITER_GAVE_UP; /* parts may have committed: the whole batch comes again */
    }
    pthread_mutex_lock(&w->lock);
    w->splits++;
    pthread_mutex_unlock(&w->lock);
    if (n > 1) {
        size_t half = n / 2;
        rf_warn(COMPONENT,
                "%zu record(s) failed twice for their size (%s); storing them as %zu + %zu", n, why,
                half, n - half);
        enum writer_outcome o = store_range(w, items, half, sum);
        return o == WRITER_STORED ? store_range(w, items + half, n - half, sum) : o;
    }
    bool was_envelope = !items->dead_letter;
    const char *code = limit_code(w->db.sqlstate);
    if (!demote(items, code, why)) {
        rf_error(COMPONENT,
                 "dead letter from %s/%d@%lld cannot be stored even without its "
                 "payload (%s); skipped",
                 items->topic, items->partition, items->offset, why);
        sum->unstorable++;
        return WRITER_STORED;
    }
    if (was_envelope) {
        rf_warn(COMPONENT, "document %s fails alone (%s): stored as a dead letter (%s)",
                items->doc_id, why, code);
        sum->rejected++;
    } else {
        rf_warn(COMPONENT,
                "dead letter from %s/%d@%lld fails alone (%s): stored without its "
                "payload",
                items->topic, items->partition, items->offset, why);
    }
    return store_range(w, items, 1, sum);
}

/* Store items[0, n) in one transaction, retrying through outages; smaller when it must. */
static enum writer_outcome store_range(struct writer *w, struct db_item *items, size_t n,
                                       struct db_counts *sum)
{
    char errstr[1024];
    int64_t backoff = WRITER_BACKOFF_FIRST_MS;
    int size_failures = 0;
    for (;;) {
        struct db_counts counts;
        int64_t started = rf_clock_mono_ms();
        enum db_result r = attempt(w, items, n, &counts, errstr, sizeof(errstr));
        note_attempt(w, r, started);
        if (r == DB_OK) {
            add_counts(sum, &counts);
            return WRITER_STORED;
        }
        if (r == DB_FATAL) {
            rf_error(COMPONENT, "cannot store: %s", errstr);
            return WRITER_FATAL;
        }
        if (r == DB_SMALLER && n > 0 && ++size_failures >= 2) {
            return store_smaller(w, items, n, sum, errstr);
        }
        if (r == DB_SMALLER && n > 0 && stop_asked(w)) {
            return WRITER_GAVE_UP;
        }
        if (r == DB_SMALLER && n > 0) {
            /* the server answered: once more at once (a passing load, a lock let go), then
               smaller */
            rf_warn(COMPONENT, "storing %zu record(s) failed, trying once more: %s", n, errstr);
            continue;
        }
        rf_warn(COMPONENT, "storing %zu record(s) failed, retrying in %lld ms: %s", n,
                (long long)backoff, errstr);
        if (r != DB_SMALLER) {
            close_db(w); /* the connection is the trouble, or may be */
        }
        if (backoff_sleep(w, backoff)) {
            return WRITER_GAVE_UP; /* Kafka hands these out again */
        }
        backoff = writer_backoff_next(backoff, w->cfg->sink_retry_max_ms);
    }
}

static struct writer_done store(struct writer *w, struct batch *b)
{
    struct writer_done done;
    memset(&done, 0, sizeof(done));
    done.outcome = store_range(w, b->items, b->nitems, &done.counts);
    return done;
}

static void *writer_main(void *arg)
{
    struct writer *w = arg;
    pthread_mutex_lock(&w->lock);
    for (;;) {
        while (!w->quit && (!w->in_hand || w->finished)) {
            pthread_cond_wait(&w->changed, &w->lock);
        }
        if (!w->in_hand || w->finished) {
            break; /* quit, with nothing in hand */
        }
        struct batch *b = w->in_hand;
        pthread_mutex_unlock(&w->lock);
        struct writer_done done = store(w, b);
        pthread_mutex_lock(&w->lock);
        w->result = done;
        w->finished = true;
        pthread_cond_broadcast(&w->changed);
    }
    pthread_mutex_unlock(&w->lock);
    return NULL;
}

struct writer *writer_start(const struct rf_config *cfg, struct db *db, char *errstr,
                            size_t errstr_size)
{
    struct writer *w = calloc(1, sizeof(*w));
    if (!w) {
        snprintf(errstr, errstr_size, "out of memory");
        return NULL;
    }
    w->cfg = cfg;
    w->db = *db;
    atomic_init(&w->busy_since, 0);
    w->db.busy_since = &w->busy_since;
    w->sock = -1;
    db->conn = NULL;
    pthread_condattr_t attr;
    int rc = pthread_condattr_init(&attr);
    rc = rc ? rc : pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    rc = rc ? rc : pthread_cond_init(&w->changed, &attr);
    pthread_condattr_destroy(&attr);
    rc = rc ? rc : pthread_mutex_init(&w->lock, NULL);
    if (rc == 0) {
        publish_connection(w); /* before the thread runs: nobody else touches w yet */
        rc = pthread_create(&w->thread, NULL, writer_main, w);
    }
    if (rc != 0) {
        snprintf(errstr, errstr_size, "cannot start the database thread: %s", strerror(rc));
        cancel_ref_drop(w->cancel);
        db_conn_close(&w->db);
        free(w);
        return NULL;
    }
    return w;
}

void writer_submit(struct writer *w, struct batch *b)
{
    pthread_mutex_lock(&w->lock);
    w->in_hand = b;
    w->finished = false;
    w->abandon = false;
    pthread_cond_broadcast(&w->changed);
    pthread_mutex_unlock(&w->lock);
}

struct batch *writer_collect(struct writer *w, int timeout_ms, struct writer_done *done)
{
    struct timespec until = deadline_in(timeout_ms < 0 ? 0 : timeout_ms);
    pthread_mutex_lock(&w->lock);
    int rc = 0;
    while (w->in_hand && !w->finished && rc != ETIMEDOUT) {
        rc = timeout_ms < 0 ? pthread_cond_wait(&w->changed, &w->lock)
                            : pthread_cond_timedwait(&w->changed, &w->lock, &until);
    }
    struct batch *b = NULL;
    if (w->in_hand && w->finished) {
        b = w->in_hand;
        *done = w->result;
        w->in_hand = NULL;
        w->finished = false;
    }
    pthread_mutex_unlock(&w->lock);
    return b;
}

/* Shut the connection's socket down (under the lock): whatever libpq waits for returns. */
static void drop_connection_locked(struct writer *w)
{
    if (w->sock >= 0 && !w->dropped && shutdown(w->sock, SHUT_RDWR) == 0) {
        w->dropped = true;
        w->drops++;
    }
}

static void *cancel_main(void *arg)
{
    struct cancel_ref *c = arg;
    db_conn_cancel_send(c->pg);
    cancel_ref_drop(c);
    return NULL;
}

void writer_cancel(struct writer *w)
{
    pthread_mutex_lock(&w->lock);
    struct cancel_ref *c = w->dropped ? NULL : w->cancel; /* once per connection */
    if (c) {
        atomic_fetch_add(&c->refs, 1);
    }
    /* the server stops the statement when the cancel arrives; the writer is free at once */
    drop_connection_locked(w);
    pthread_mutex_unlock(&w->lock);
    pthread_t t;
    if (c && pthread_create(&t, NULL, cancel_main, c) == 0) {
        pthread_detach(t);
    } else if (c) {
        cancel_main(c); /* no thread to spare: send it here, still outside the lock */
    }
}

void writer_abandon(struct writer *w)
{
    pthread_mutex_lock(&w->lock);
    w->abandon = true;
    pthread_cond_broadcast(&w->changed);
    pthread_mutex_unlock(&w->lock);
}

void writer_watch(struct writer *w)
{
    int64_t since = atomic_load(&w->busy_since);
    int64_t limit = w->cfg->pg_statement_timeout_ms + WRITER_ANSWER_GRACE_MS;
    if (since == 0 || rf_clock_mono_ms() - since <= limit) {
        return;
    }
    pthread_mutex_lock(&w->lock);
    bool first = w->sock >= 0 && !w->dropped;
    drop_connection_locked(w);
    pthread_mutex_unlock(&w->lock);
    if (first) {
        rf_warn(COMPONENT,
                "PostgreSQL has not answered a statement for %lld ms (pg.statement_timeout_ms "
                "%lld): dropping the connection",
                (long long)(rf_clock_mono_ms() - since), w->cfg->pg_statement_timeout_ms);
    }
}

struct writer_status writer_status(struct writer *w)
{
    int64_t now = rf_clock_mono_ms();
    pthread_mutex_lock(&w->lock);
    struct writer_status st = {w->failing_since != 0,
                               w->connected,
                               w->retries,
                               w->failing_since ? now - w->failing_since : 0,
                               w->splits,
                               w->drops};
    pthread_mutex_unlock(&w->lock);
    return st;
}

void writer_stop(struct writer *w)
{
    if (!w) {
        return;
    }
    pthread_mutex_lock(&w->lock);
    w->quit = true;
    pthread_cond_broadcast(&w->changed);
    pthread_mutex_unlock(&w->lock);
    pthread_join(w->thread, NULL);
    pthread_cond_destroy(&w->changed);
    pthread_mutex_destroy(&w->lock);
    cancel_ref_drop(w->cancel);
    db_conn_close(&w->db);
    free(w);
}
