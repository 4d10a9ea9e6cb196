/* writer.c - the sink's database thread. */
#include "writer.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "reportflow/log.h"
#include "reportflow/run.h"

#define COMPONENT "sink"

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
    PGcancel *cancel; /* cancels the statement of the connection in use, or NULL */
    bool outage;
    bool connected;
    uint64_t retries;
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

/* A backoff sleep is cut in slices this long, so a stop signal is seen at once. */
#define SLICE_MS 100

/* Sleep @p ms unless quit is asked or a stop signal comes first. @returns true if so. */
static bool backoff_sleep(struct writer *w, int64_t ms)
{
    struct timespec until = deadline_in(ms);
    pthread_mutex_lock(&w->lock);
    int rc = 0;
    while (!w->quit && rc != ETIMEDOUT && !rf_run_stopping()) {
        struct timespec slice = deadline_in(SLICE_MS);
        bool last = slice.tv_sec > until.tv_sec ||
                    (slice.tv_sec == until.tv_sec && slice.tv_nsec >= until.tv_nsec);
        rc = pthread_cond_timedwait(&w->changed, &w->lock, last ? &until : &slice);
        if (rc == ETIMEDOUT && !last) {
            rc = 0;
        }
    }
    bool quit = w->quit || rf_run_stopping();
    pthread_mutex_unlock(&w->lock);
    return quit;
}

/* Connect, and make the new connection's statements cancellable from the Kafka loop. */
static enum db_result connect_db(struct writer *w, char *errstr, size_t errstr_size)
{
    enum db_result r = db_conn_open(&w->db, w->cfg->pg_conninfo, errstr, errstr_size);
    PGcancel *cancel = r == DB_OK ? db_conn_cancel_new(&w->db) : NULL;
    pthread_mutex_lock(&w->lock);
    w->cancel = cancel;
    pthread_mutex_unlock(&w->lock);
    return r;
}

static void close_db(struct writer *w)
{
    pthread_mutex_lock(&w->lock);
    db_conn_cancel_free(w->cancel);
    w->cancel = NULL;
    pthread_mutex_unlock(&w->lock);
    db_conn_close(&w->db);
}

static void set_state(struct writer *w, bool outage, bool failed_attempt)
{
    pthread_mutex_lock(&w->lock);
    w->outage = outage;
    w->connected = w->db.conn != NULL;
    w->retries += failed_attempt;
    pthread_mutex_unlock(&w->lock);
}

/* Store @p b, retrying through outages. */
static struct writer_done store(struct writer *w, struct batch *b)
{
    char errstr[1024];
    int64_t backoff = WRITER_BACKOFF_FIRST_MS;
    int failures = 0;
    struct writer_done done;
    memset(&done, 0, sizeof(done));
    done.outcome = WRITER_STORED;
    for (;;) {
        enum db_result r = DB_OK;
        if (!w->db.conn) {
            r = connect_db(w, errstr, sizeof(errstr));
        }
        if (r == DB_OK) {
            r = db_store(&w->db, b->items, b->nitems, &done.counts, errstr, sizeof(errstr));
        }
        if (r == DB_OK) {
            if (failures > 0) {
                rf_info(COMPONENT, "PostgreSQL is back after %d failed attempt(s)", failures);
            }
            set_state(w, false, false);
            return done;
        }
        if (r == DB_FATAL) {
            rf_error(COMPONENT, "cannot store: %s", errstr);
            done.outcome = WRITER_FATAL;
            return done;
        }
        failures++;
        rf_warn(COMPONENT, "storing %zu record(s) failed, retrying in %lld ms: %s", b->nitems,
                (long long)backoff, errstr);
        close_db(w);
        set_state(w, true, true);
        if (backoff_sleep(w, backoff)) {
            done.outcome = WRITER_GAVE_UP; /* nothing committed: Kafka hands these out again */
            return done;
        }
        backoff = writer_backoff_next(backoff, w->cfg->sink_retry_max_ms);
    }
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
    w->connected = db->conn != NULL;
    w->cancel = db_conn_cancel_new(&w->db);
    db->conn = NULL;
    pthread_condattr_t attr;
    int rc = pthread_condattr_init(&attr);
    rc = rc ? rc : pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    rc = rc ? rc : pthread_cond_init(&w->changed, &attr);
    pthread_condattr_destroy(&attr);
    rc = rc ? rc : pthread_mutex_init(&w->lock, NULL);
    rc = rc ? rc : pthread_create(&w->thread, NULL, writer_main, w);
    if (rc != 0) {
        snprintf(errstr, errstr_size, "cannot start the database thread: %s", strerror(rc));
        db_conn_cancel_free(w->cancel);
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

void writer_cancel(struct writer *w)
{
    pthread_mutex_lock(&w->lock);
    db_conn_cancel_send(w->cancel);
    pthread_mutex_unlock(&w->lock);
}

struct writer_status writer_status(struct writer *w)
{
    pthread_mutex_lock(&w->lock);
    struct writer_status st = {w->outage, w->connected, w->retries};
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
    db_conn_cancel_free(w->cancel);
    db_conn_close(&w->db);
    free(w);
}
