/* sink.c - reportflow-sink's Kafka loop. */
#include "sink.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <librdkafka/rdkafka.h>

#include "batch.h"
#include "children.h"
#include "db.h"
#include "reportflow/clock.h"
#include "reportflow/http.h"
#include "reportflow/kafka.h"
#include "reportflow/log.h"
#include "reportflow/run.h"
#include "writer.h"

#define COMPONENT "sink"
/* A transaction in hand longer than this is an outage or a stall, not a busy writer:
   pause the partitions and keep polling, so the group keeps us. */
#define SINK_STALL_MS 5000
/* How long a poll waits: briefly while a batch waits for the writer, longer when idle. */
#define SINK_WAITING_POLL_MS 5
#define SINK_IDLE_POLL_MS 50

struct sink {
    const struct rf_config *cfg;
    rd_kafka_t *consumer;
    struct db db;            /* until the writer takes the connection over */
    struct children_sql sql; /* lent to db, and with it to the writer, which stops first */
    struct writer *writer;
    struct batch batches[2];
    struct batch *filling; /* the one the Kafka loop adds to */
    struct batch probe; /* always empty: a transaction that only asks whether PostgreSQL answers */
    bool in_flight;     /* the other one (or the probe) is in the writer's hands */
    int64_t submitted_ms;
    bool paused;
    bool lost_batch; /* a batch was not committed: no later offset may be stored */
    bool warned_overflow;
    bool abandoning; /* the writer was told to give up its batch: leave the group when it has */
    /* out of the group until PostgreSQL answers (sink.max_outage_ms passed); atomic, as
       sink_in_group() may be asked from another thread */
    _Atomic bool left;
    int64_t down_since_ms; /* before the writer runs: when the first connection began failing */
    struct sink_stats stats;
    int64_t next_progress_ms;
    uint64_t last_logged_records;
};

static void set_paused(struct sink *s, bool paused)
{
    rd_kafka_topic_partition_list_t *parts = NULL;
    if (rd_kafka_assignment(s->consumer, &parts) != RD_KAFKA_RESP_ERR_NO_ERROR || !parts) {
        return;
    }
    rd_kafka_resp_err_t err = paused ? rd_kafka_pause_partitions(s->consumer, parts)
                                     : rd_kafka_resume_partitions(s->consumer, parts);
    if (err) {
        rf_warn(COMPONENT, "cannot %s partitions: %s", paused ? "pause" : "resume",
                rd_kafka_err2str(err));
    }
    rd_kafka_topic_partition_list_destroy(parts);
    s->paused = paused;
}

static bool filling_full(const struct sink *s)
{
    return batch_full(s->filling, (size_t)s->cfg->sink_batch_docs,
                      (size_t)s->cfg->sink_batch_bytes);
}

/*
 * Poll once; a record goes into the filling batch. A full batch takes no more:
 * its partitions are paused first, so polling only keeps the group membership.
 * @returns 1 if one came, 0 if none, -1 ENOMEM.
 */
static int poll_once(struct sink *s, int timeout_ms)
{
    if (filling_full(s) && !s->paused && !s->left) {
        rf_info(COMPONENT,
                "batch full (%zu records, %zu bytes): paused consuming until it is stored",
                s->filling->cnt, s->filling->bytes);
        set_paused(s, true);
    }
    rd_kafka_message_t *m = rd_kafka_consumer_poll(s->consumer, timeout_ms);
    if (!m) {
        return 0;
    }
    if (s->left) {
        /* out of the group: a record fetched before the partitions went is dropped unstored;
           its offset was never stored, so it comes again */
        rd_kafka_message_destroy(m);
        return 0;
    }
    if (m->err) {
        if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
            rf_warn(COMPONENT, "consumer: %s", rd_kafka_message_errstr(m));
        }
        rd_kafka_message_destroy(m);
        return 0;
    }
    if (filling_full(s)) {
        /* a partition assigned during the pause: keep the record (dropping it would lose it
           once a later offset is stored) and pause the new assignment too */
        if (!s->warned_overflow) {
            rf_warn(COMPONENT, "a record of %s/%d arrived while paused; pausing it too",
                    rd_kafka_topic_name(m->rkt), (int)m->partition);
            s->warned_overflow = true;
        }
        set_paused(s, true);
    }
    s->stats.records++;
    return batch_add(s->filling, m, s->cfg->topic_dlq) == 0 ? 1 : -1;
}

/* Poll while waiting, so the group keeps us and no record is lost; keep what arrives. */
static int wait_polling(struct sink *s, int64_t ms)
{
    int64_t until = rf_clock_mono_ms() + ms;
    while (rf_clock_mono_ms() < until && !rf_run_stopping()) {
        if (poll_once(s, 100) < 0) {
            return -1;
        }
    }
    return 0;
}

/* Hand the filling batch to the writer and start filling the other one. */
static void submit(struct sink *s)
{
    batch_seal(s->filling);
    writer_submit(s->writer, s->filling);
    s->in_flight = true;
    s->submitted_ms = rf_clock_mono_ms();
    s->filling = s->filling == &s->batches[0] ? &s->batches[1] : &s->batches[0];
}

/*
 * Out of the group while PostgreSQL cannot take anything: another sink may
 * take the partitions (and this one does not hold them for nothing). Nothing
 * in hand was stored, so nothing of it is lost: Kafka hands it out again.
 */
static void leave_group(struct sink *s)
{
    if (s->paused) {
        set_paused(s, false); /* a partition assigned again later must not come back paused */
    }
    rd_kafka_resp_err_t err = rd_kafka_unsubscribe(s->consumer);
    if (err) {
        rf_warn(COMPONENT, "cannot leave the group: %s", rd_kafka_err2str(err));
    }
    batch_clear(s->filling);
    s->left = true;
    s->paused = false;
    rf_warn(COMPONENT,
            "PostgreSQL has taken nothing for %lld ms (sink.max_outage_ms): left group '%s' "
            "until it answers; the records in hand come again",
            s->cfg->sink_max_outage_ms, s->cfg->sink_group);
}

/* PostgreSQL answers again: subscribe, and consume from the committed offsets. */
static void rejoin_group(struct sink *s)
{
    const char *const topics[] = {s->cfg->topic_events, s->cfg->topic_dlq};
    rd_kafka_topic_partition_list_t *list = rd_kafka_topic_partition_list_new(2);
    for (size_t i = 0; i < 2; i++) {
        rd_kafka_topic_partition_list_add(list, topics[i], RD_KAFKA_PARTITION_UA);
    }
    rd_kafka_resp_err_t err = rd_kafka_subscribe(s->consumer, list);
    rd_kafka_topic_partition_list_destroy(list);
    if (err) {
        rf_warn(COMPONENT, "cannot join group '%s' again: %s; trying again", s->cfg->sink_group,
                rd_kafka_err2str(err));
        return;
    }
    s->left = false;
    s->lost_batch = false; /* the partitions restart at their committed offsets */
    s->down_since_ms = 0;
    rf_info(COMPONENT, "PostgreSQL answers again: joined group '%s' again", s->cfg->sink_group);
}

/* The probe came back: stored means PostgreSQL answers. */
static int finish_probe(struct sink *s, const struct writer_done *done)
{
    if (done->outcome == WRITER_STORED) {
        rejoin_group(s);
    }
    return done->outcome == WRITER_FATAL ? -1 : 0;
}

/*
 * What the writer did with a batch: offsets after a commit only, and never
 * past a batch that was not committed (storing a later offset of the same
 * partition would commit the lost batch's records as done).
 * @returns -1 on fatal.
 */
static int finish(struct sink *s, struct batch *b, const struct writer_done *done)
{
    s->in_flight = false;
    if (b == &s->probe) {
        return finish_probe(s, done);
    }
    if (done->outcome != WRITER_STORED) {
        s->lost_batch = true;
    }
    if (done->outcome == WRITER_STORED && !s->lost_batch) {
        rf_kafka_store_offsets(s->consumer, b->msgs, b->cnt, COMPONENT);
        s->stats.written += done->counts.written;
        s->stats.stale += b->stale;
        s->stats.dead_letters += done->counts.dead_letters;
        s->stats.unstorable += done->counts.unstorable;
        s->stats.batches++;
        if (s->paused) {
            set_paused(s, false);
            rf_info(COMPONENT, "resumed consuming");
        }
    }
    batch_clear(b);
    if (s->abandoning) {
        s->abandoning = false;
        /* stored after all (PostgreSQL came back meanwhile): stay in the group */
        if (done->outcome == WRITER_GAVE_UP) {
            leave_group(s);
        }
    }
    return done->outcome == WRITER_FATAL ? -1 : 0;
}

/* Collect the batch in flight if it is done (waiting up to @p timeout_ms, -1: until it is).
   @returns -1 on fatal. */
static int collect(struct sink *s, int timeout_ms)
{
    struct writer_done done;
    struct batch *b = s->in_flight ? writer_collect(s->writer, timeout_ms, &done) : NULL;
    return b ? finish(s, b, &done) : 0;
}

/*
 * The filling batch is full and the writer busy: wait for it. In an outage or a
 * stall, pause the partitions and keep polling (what already arrived is kept).
 */
static int wait_for_writer(struct sink *s)
{
    int rc = collect(s, 100);
    if (rc != 0 || !s->in_flight) {
        return rc;
    }
    bool stalled = rf_clock_mono_ms() - s->submitted_ms > SINK_STALL_MS;
    if (!s->paused && (stalled || writer_status(s->writer).outage)) {
        set_paused(s, true);
        rf_info(COMPONENT, "paused consuming until PostgreSQL takes the batch in hand");
    }
    return s->paused ? (poll_once(s, 0) < 0 ? -1 : 0) : 0;
}

/* The writer's status; before it runs, what the first connection says. */
static struct writer_status db_status(struct sink *s)
{
    struct writer_status st = {false, s->db.conn != NULL, 0, 0, 0, 0};
    return s->writer ? writer_status(s->writer) : st;
}

/*
 * The writer has been unable to write for sink.max_outage_ms: have it give up
 * its batch; the group is left when the batch comes back (finish()).
 */
static void check_outage(struct sink *s)
{
    if (s->left || s->abandoning || !s->in_flight) {
        return;
    }
    struct writer_status st = writer_status(s->writer);
    if (st.outage_ms >= s->cfg->sink_max_outage_ms) {
        s->abandoning = true;
        writer_abandon(s->writer);
    }
}

/* Out of the group: the probe (an empty transaction the writer retries until PostgreSQL
   answers) is in flight; poll, so the rebalance is served and nothing is held. */
static int step_left(struct sink *s)
{
    if (!s->in_flight) {
        batch_seal(&s->probe);
        writer_submit(s->writer, &s->probe);
        s->in_flight = true;
        s->submitted_ms = rf_clock_mono_ms();
    }
    poll_once(s, 100);
    return collect(s, 0);
}

static void log_progress(struct sink *s, bool force)
{
    int64_t now = rf_clock_mono_ms();
    if (!force && now < s->next_progress_ms) {
        return;
    }
    s->next_progress_ms = now + s->cfg->progress_ms;
    if (!force && s->stats.records == s->last_logged_records) {
        return; /* idle: nothing new to say */
    }
    s->last_logged_records = s->stats.records;
    rf_info(COMPONENT,
            "progress: records=%llu documents_written=%llu stale=%llu dead_letters=%llu "
            "transactions=%llu retries=%llu",
            (unsigned long long)s->stats.records, (unsigned long long)s->stats.written,
            (unsigned long long)s->stats.stale, (unsigned long long)s->stats.dead_letters,
            (unsigned long long)s->stats.batches, (unsigned long long)db_status(s).retries);
}

struct sink *sink_new(const struct rf_config *cfg, char *errstr, size_t errstr_size)
{
    struct sink *s = calloc(1, sizeof(*s));
    if (!s) {
        snprintf(errstr, errstr_size, "out of memory");
        return NULL;
    }
    s->cfg = cfg;
    s->filling = &s->batches[0];
    if (children_sql_build(&s->sql) != 0) {
        snprintf(errstr, errstr_size, "out of memory");
        sink_free(s);
        return NULL;
    }
    s->db.sql = &s->sql;
    s->db.statement_timeout_ms = cfg->pg_statement_timeout_ms;
    const char *const topics[] = {cfg->topic_events, cfg->topic_dlq};
    s->consumer =
        rf_kafka_group_consumer_new(cfg, cfg->sink_group, topics, 2, 0, errstr, errstr_size);
    if (!s->consumer || rf_kafka_check_topics(s->consumer, cfg, errstr, errstr_size) != 0) {
        sink_free(s);
        return NULL;
    }
    return s;
}

static void publish_metrics(struct rf_http *http, struct sink *s)
{
    struct writer_status st = db_status(s);
    const struct rf_metric metrics[] = {
        {"reportflow_sink_records_total", "counter", "Kafka records handled.",
         (double)s->stats.records},
        {"reportflow_sink_documents_written_total", "counter", "Documents inserted or replaced.",
         (double)s->stats.written},
        {"reportflow_sink_stale_total", "counter",
         "Earlier records of an extraction replaced in the same batch.", (double)s->stats.stale},
        {"reportflow_sink_dead_letters_total", "counter", "Dead-letter rows written.",
         (double)s->stats.dead_letters},
        {"reportflow_sink_unstorable_dead_letters_total", "counter",
         "Dead letters PostgreSQL refused even stripped to their payload (logged, skipped).",
         (double)s->stats.unstorable},
        {"reportflow_sink_transactions_total", "counter", "Transactions committed.",
         (double)s->stats.batches},
        {"reportflow_sink_retries_total", "counter",
         "Failed attempts at a batch (PostgreSQL unreachable).", (double)st.retries},
        {"reportflow_sink_postgres_up", "gauge", "1 while connected to PostgreSQL.",
         st.connected ? 1 : 0},
        {"reportflow_sink_outage_seconds", "gauge",
         "How long the sink has been unable to write (0 while it can).",
         (double)st.outage_ms / 1000.0},
        {"reportflow_sink_in_group", "gauge",
         "1 while a member of the sink's group; 0 after sink.max_outage_ms without PostgreSQL.",
         s->left ? 0 : 1},
        {"reportflow_sink_splits_total", "counter",
         "Batches (or parts) stored in halves after failing twice for their size.",
         (double)st.splits},
        {"reportflow_sink_dropped_connections_total", "counter",
         "Connections dropped: a statement unanswered past pg.statement_timeout_ms + 5 s.",
         (double)st.dropped},
        {"reportflow_sink_filling_bytes", "gauge",
         "Bytes held by the batch being filled (bounded by sink.batch_bytes).",
         (double)s->filling->bytes},
    };
    rf_http_publish_metrics(http, metrics, sizeof(metrics) / sizeof(metrics[0]));
}

/*
 * Connect and migrate before consuming, so a schema problem shows at once;
 * out of the group while it takes longer than sink.max_outage_ms. @returns -1 fatal.
 */
static int connect_first(struct sink *s)
{
    char errstr[1024];
    int64_t backoff = WRITER_BACKOFF_FIRST_MS;
    s->down_since_ms = rf_clock_mono_ms();
    while (!s->db.conn && !rf_run_stopping()) {
        enum db_result r = db_conn_open(&s->db, s->cfg->pg_conninfo, errstr, sizeof(errstr));
        if (r == DB_FATAL) {
            rf_error(COMPONENT, "%s", errstr);
            return -1;
        }
        if (r != DB_OK && !s->left &&
            rf_clock_mono_ms() - s->down_since_ms >= s->cfg->sink_max_outage_ms) {
            leave_group(s);
        }
        if (r != DB_OK) {
            rf_warn(COMPONENT, "%s; retrying in %lld ms", errstr, (long long)backoff);
            if (wait_polling(s, backoff) != 0) {
                return -1;
            }
            backoff = writer_backoff_next(backoff, s->cfg->sink_retry_max_ms);
        }
    }
    if (s->db.conn && s->left) {
        rejoin_group(s);
    }
    return 0;
}

/*
 * One turn of the loop: wait for the writer, or poll, and hand over a batch when due. Group
 * commit: while the writer is idle, what has arrived is written at once (after
 * sink.batch_ms, 0 by default); while it is busy the next batch fills, so batches grow with
 * the backlog and not with a timer.
 */
static int step(struct sink *s)
{
    writer_watch(s->writer);
    check_outage(s);
    if (s->left) {
        return step_left(s);
    }
    struct batch *b = s->filling;
    bool full = filling_full(s);
    if (full && s->in_flight) {
        return wait_for_writer(s);
    }
    if (full) {
        submit(s);
        return 0;
    }
    /* a batch waiting for the writer: poll briefly, so the writer's end is seen soon */
    int got = poll_once(s, s->in_flight && b->cnt > 0 ? SINK_WAITING_POLL_MS : SINK_IDLE_POLL_MS);
    while (got > 0 && !filling_full(s)) {
        got = poll_once(s, 0); /* take in what has already arrived */
    }
    if (got < 0 || collect(s, 0) != 0) {
        return -1;
    }
    bool due = b->cnt > 0 && rf_clock_mono_ms() - b->started_ms >= s->cfg->sink_batch_ms;
    if (due && !s->in_flight) {
        submit(s);
    }
    return 0;
}

/*
 * Wait for the batch in flight; after a second signal, cancel its statement
 * instead (again every 100 ms: a cancel that falls between two statements
 * cancels nothing).
 */
static int collect_or_cancel(struct sink *s)
{
    int rc = 0;
    bool told = false;
    while (s->in_flight && rc == 0) {
        writer_watch(s->writer); /* a first signal waits for an answer, not for ever */
        rc = collect(s, 100);
        if (s->in_flight && rf_run_hurry()) {
            if (!told) {
                rf_info(COMPONENT, "second signal: cancelling the transaction in progress");
                told = true;
            }
            writer_cancel(s->writer);
        }
    }
    return rc;
}

/*
 * Stopping: finish the batch in flight, then the one filling, unless in a
 * hurry or a batch was lost (its records come again, so nothing after them
 * may be marked done).
 */
static int drain(struct sink *s, int rc)
{
    rc |= collect_or_cancel(s);
    if (rc == 0 && s->filling->cnt > 0 && !rf_run_hurry() && !s->lost_batch && !s->left) {
        submit(s);
        rc |= collect_or_cancel(s);
    }
    return rc;
}

int sink_run(struct sink *s, struct rf_http *http)
{
    char errstr[1024];
    if (connect_first(s) != 0) {
        return -1;
    }
    if (rf_run_stopping()) {
        return 0;
    }
    s->writer = writer_start(s->cfg, &s->db, errstr, sizeof(errstr));
    if (!s->writer) {
        rf_error(COMPONENT, "%s", errstr);
        return -1;
    }
    rf_info(COMPONENT, "consuming '%s' and '%s' as group '%s'", s->cfg->topic_events,
            s->cfg->topic_dlq, s->cfg->sink_group);
    s->next_progress_ms = rf_clock_mono_ms() + s->cfg->progress_ms;
    int64_t next_metrics = 0;
    int rc = 0;
    while (!rf_run_stopping() && rc == 0) {
        rc = step(s);
        log_progress(s, false);
        if (rf_clock_mono_ms() >= next_metrics) {
            publish_metrics(http, s);
            next_metrics = rf_clock_mono_ms() + 1000;
        }
    }
    rc = drain(s, rc);
    log_progress(s, true);
    return rc != 0 || rf_kafka_fatal(s->consumer) ? -1 : 0;
}

struct sink_stats sink_get_stats(const struct sink *s)
{
    return s->stats;
}

size_t sink_filling_records(const struct sink *s)
{
    return s->filling->cnt;
}

size_t sink_filling_bytes(const struct sink *s)
{
    return s->filling->bytes;
}

bool sink_in_group(const struct sink *s)
{
    return !s->left;
}

void sink_free(struct sink *s)
{
    if (!s) {
        return;
    }
    writer_stop(s->writer); /* before the batches it may hold go */
    batch_release(&s->batches[0]);
    batch_release(&s->batches[1]);
    batch_release(&s->probe);
    if (s->consumer) {
        rd_kafka_consumer_close(s->consumer);
        rd_kafka_destroy(s->consumer);
    }
    db_conn_close(&s->db);
    children_sql_release(&s->sql);
    free(s);
}
