/*
 * test_sink_loop.c - the sink's Kafka loop and database thread (sink.c,
 * writer.c, batch.c) against librdkafka's mock cluster and a scripted
 * PostgreSQL: this file stands in for db.c, so each case says when the
 * database is up and sees what was stored. Each case runs in a child process,
 * since a stop signal is process-wide.
 */
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include "db.h"
#include "reportflow/clock.h"
#include "reportflow/config.h"
#include "reportflow/run.h"
#include "sink.h"
#include "writer.h"

/* ---- the scripted PostgreSQL (replaces db.c) ---- */

enum fake_pg_mode {
    FAKE_PG_DOWN,         /* nothing connects */
    FAKE_PG_BACK_AT_STOP, /* connects; fails every batch until a stop signal came */
    FAKE_PG_HANGS,        /* connects; a batch takes 20 s unless cancelled */
};

static struct {
    enum fake_pg_mode mode;
    atomic_int failed_stores;  /* read by the test while the writer runs */
    atomic_int storing;        /* a batch is in db_store() */
    atomic_int cancelled;      /* db_conn_cancel_send() was called */
    long long stored_below[1]; /* partition 0: every offset below this was stored */
    bool stored_gap;           /* a batch was stored although one before it was not */
} fake;

static char fake_conn; /* a non-NULL PGconn for the sink to hold */

enum db_result db_conn_open(struct db *db, const char *conninfo, char *errstr, size_t errstr_size)
{
    db->conninfo = conninfo;
    if (fake.mode == FAKE_PG_DOWN) {
        snprintf(errstr, errstr_size, "fake: PostgreSQL is down");
        return DB_RETRY;
    }
    db->conn = (PGconn *)&fake_conn;
    return DB_OK;
}

void db_conn_close(struct db *db)
{
    db->conn = NULL;
}

enum db_result db_store(struct db *db, struct db_item *items, size_t cnt, struct db_counts *counts,
                        char *errstr, size_t errstr_size)
{
    (void)db;
    memset(counts, 0, sizeof(*counts));
    if (fake.mode == FAKE_PG_HANGS) {
        atomic_store(&fake.storing, 1);
        for (int i = 0; i < 2000 && !atomic_load(&fake.cancelled); i++) {
            usleep(10 * 1000);
        }
        snprintf(errstr, errstr_size, "fake: canceling statement due to user request");
        return DB_RETRY;
    }
    if (!rf_run_stopping()) {
        atomic_fetch_add(&fake.failed_stores, 1);
        snprintf(errstr, errstr_size, "fake: connection lost");
        return DB_RETRY;
    }
    for (size_t i = 0; i < cnt; i++) {
        if (items[i].offset != fake.stored_below[0]) {
            fake.stored_gap = true;
        }
        fake.stored_below[0] = items[i].offset + 1;
    }
    return DB_OK;
}

PGcancel *db_conn_cancel_new(struct db *db)
{
    (void)db;
    return NULL;
}

void db_conn_cancel_send(PGcancel *cancel)
{
    (void)cancel;
    atomic_store(&fake.cancelled, 1);
}

void db_conn_cancel_free(PGcancel *cancel)
{
    (void)cancel;
}

/* ---- a mock cluster with RECORDS envelopes-to-be in reports.events partition 0 ---- */

#define RECORDS 200
#define BATCH_DOCS "10"

struct cluster {
    rd_kafka_t *host;
    rd_kafka_mock_cluster_t *mock;
    char bootstraps[256];
};

static int cluster_start(struct cluster *c)
{
    char errstr[256];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    c->host = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
    c->mock = c->host ? rd_kafka_mock_cluster_new(c->host, 1) : NULL;
    if (!c->mock || rd_kafka_mock_topic_create(c->mock, "reports.events", 1, 1) ||
        rd_kafka_mock_topic_create(c->mock, "reports.dlq", 1, 1)) {
        return -1;
    }
    snprintf(c->bootstraps, sizeof(c->bootstraps), "%s", rd_kafka_mock_cluster_bootstraps(c->mock));
    rd_kafka_conf_t *pconf = rd_kafka_conf_new();
    if (rd_kafka_conf_set(pconf, "bootstrap.servers", c->bootstraps, errstr, sizeof(errstr))) {
        return -1;
    }
    rd_kafka_t *producer = rd_kafka_new(RD_KAFKA_PRODUCER, pconf, errstr, sizeof(errstr));
    if (!producer) {
        return -1;
    }
    for (int i = 0; i < RECORDS; i++) {
        char value[32];
        snprintf(value, sizeof(value), "not an envelope %d", i);
        if (rd_kafka_producev(producer, RD_KAFKA_V_TOPIC("reports.events"), RD_KAFKA_V_PARTITION(0),
                              RD_KAFKA_V_VALUE(value, strlen(value)),
                              RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END)) {
            return -1;
        }
    }
    int left = rd_kafka_flush(producer, 10000) == RD_KAFKA_RESP_ERR_NO_ERROR ? 0 : -1;
    rd_kafka_destroy(producer);
    return left;
}

static void cluster_stop(struct cluster *c)
{
    if (c->mock) {
        rd_kafka_mock_cluster_destroy(c->mock);
    }
    if (c->host) {
        rd_kafka_destroy(c->host);
    }
}

/* The offset the sink's group committed on partition 0 (-1001 when none). */
static long long committed_offset(const struct cluster *c)
{
    char errstr[256];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "bootstrap.servers", c->bootstraps, errstr, sizeof(errstr));
    rd_kafka_conf_set(conf, "group.id", "reportflow-sink", errstr, sizeof(errstr));
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof(errstr));
    rd_kafka_topic_partition_list_t *parts = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(parts, "reports.events", 0);
    long long off = -2;
    if (rd_kafka_committed(rk, parts, 10000) == RD_KAFKA_RESP_ERR_NO_ERROR) {
        off = parts->elems[0].offset;
    }
    rd_kafka_topic_partition_list_destroy(parts);
    rd_kafka_destroy(rk);
    return off;
}

struct run_args {
    struct sink *sink;
    int rc;
};

static void *run_sink(void *arg)
{
    struct run_args *a = arg;
    a->rc = sink_run(a->sink, NULL);
    return NULL;
}

static struct rf_config *sink_config(const struct cluster *c)
{
    char bootstrap[300];
    snprintf(bootstrap, sizeof(bootstrap), "kafka.bootstrap.servers=%s", c->bootstraps);
    /* the mock's topics have one partition: the sink checks the topics it is given */
    char *flags[] = {bootstrap,
                     "sink.batch_docs=" BATCH_DOCS,
                     "sink.batch_ms=50",
                     "log.level=warn",
                     "topic.events.partitions=1",
                     "topic.dlq.partitions=1",
                     "topic.raw.partitions=1",
                     "topic.check=false"};
    char errstr[256];
    char *envp[] = {NULL};
    return rf_config_build(RF_PROG_SINK, "/dev/null", flags, 8, envp, errstr, sizeof(errstr));
}

/* Poll @p done every 100 ms for up to @p seconds. */
static bool wait_until(bool (*done)(void), int seconds)
{
    for (int i = 0; i < seconds * 10; i++) {
        if (done()) {
            return true;
        }
        usleep(100 * 1000);
    }
    return false;
}

static bool two_failed_stores(void)
{
    return atomic_load(&fake.failed_stores) >= 2;
}

/* Run @p scenario in a child process; it returns 0 when its checks held. */
static void run_in_child(int (*scenario)(void))
{
    fflush(stderr);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        _exit(scenario());
    }
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
}

#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "check failed: " __VA_ARGS__);                                         \
            fprintf(stderr, "\n");                                                                 \
            return 1;                                                                              \
        }                                                                                          \
    } while (0)

/* A sink on the mock cluster, with the fake PostgreSQL in a given mode, in a thread of its own. */
struct running {
    struct cluster cluster;
    struct rf_config *cfg;
    struct run_args args;
    pthread_t thread;
};

/* @returns 0, or 1 having said on stderr what failed; stop_cluster() after sink_free() in both. */
static int start_sink(struct running *r, enum fake_pg_mode mode)
{
    CHECK(cluster_start(&r->cluster) == 0, "mock cluster");
    r->cfg = sink_config(&r->cluster);
    CHECK(r->cfg, "config");
    fake.mode = mode;
    char errstr[256];
    r->args.sink = sink_new(r->cfg, errstr, sizeof(errstr));
    CHECK(r->args.sink, "sink_new: %s", errstr);
    CHECK(pthread_create(&r->thread, NULL, run_sink, &r->args) == 0, "thread");
    return 0;
}

static void stop_cluster(struct running *r)
{
    rf_config_free(r->cfg);
    cluster_stop(&r->cluster);
}

/* PostgreSQL down from the start: the sink polls to keep its group, but takes one batch only. */
static int scenario_bounded_before_first_connection(void)
{
    struct running r = {0};
    CHECK(start_sink(&r, FAKE_PG_DOWN) == 0, "sink not started");
    sleep(8); /* the group is joined and all records fetched within a few seconds */
    rf_run_request_stop();
    pthread_join(r.thread, NULL);
    struct sink_stats st = sink_get_stats(r.args.sink);
    size_t filling = sink_filling_records(r.args.sink);
    sink_free(r.args.sink);
    stop_cluster(&r);
    CHECK(st.records > 0, "the sink took no record at all: the test proves nothing");
    CHECK(st.records <= 10 && filling <= 10,
          "PostgreSQL down at start: %llu records taken, %zu in the batch (at most " BATCH_DOCS ")",
          (unsigned long long)st.records, filling);
    return 0;
}

/*
 * PostgreSQL fails the batch in flight until a stop signal, then would take
 * the next one: the batch after a lost one must not be stored, or its offsets
 * would mark the lost records as done.
 */
static int scenario_no_offset_past_an_uncommitted_batch(void)
{
    struct running r = {0};
    CHECK(start_sink(&r, FAKE_PG_BACK_AT_STOP) == 0, "sink not started");
    bool failing = wait_until(two_failed_stores, 30);
    sleep(3); /* the next batch fills meanwhile, and the backoff grows to its cap */
    int64_t stop_ms = rf_clock_mono_ms();
    rf_run_request_stop();
    pthread_join(r.thread, NULL);
    int64_t stopping_ms = rf_clock_mono_ms() - stop_ms;
    size_t filling_at_stop = sink_filling_records(r.args.sink);
    sink_free(r.args.sink); /* closes the consumer: auto-commit commits what was stored */
    long long committed = committed_offset(&r.cluster);
    stop_cluster(&r);
    CHECK(failing, "the writer never failed a batch: the test proves nothing");
    CHECK(!fake.stored_gap, "a batch was stored after one that was lost");
    CHECK(stopping_ms < 500, "stopping during an outage took %lld ms", (long long)stopping_ms);
    CHECK(committed < 0 || committed <= fake.stored_below[0],
          "committed offset %lld is past the records stored (below %lld); %zu were filling",
          committed, fake.stored_below[0], filling_at_stop);
    return 0;
}

static bool storing(void)
{
    return atomic_load(&fake.storing) != 0;
}

/* A first signal waits for the transaction in progress; a second cancels it and exits. */
static int scenario_second_signal_exits_at_once(void)
{
    CHECK(rf_run_init() == 0, "signal handlers");
    struct running r = {0};
    CHECK(start_sink(&r, FAKE_PG_HANGS) == 0, "sink not started");
    CHECK(wait_until(storing, 30), "no batch reached the database");
    raise(SIGTERM);
    usleep(500 * 1000);
    CHECK(!atomic_load(&fake.cancelled), "a first signal cancelled the transaction in progress");
    int64_t second_ms = rf_clock_mono_ms();
    raise(SIGTERM);
    pthread_join(r.thread, NULL);
    int64_t exit_ms = rf_clock_mono_ms() - second_ms;
    sink_free(r.args.sink);
    long long committed = committed_offset(&r.cluster);
    stop_cluster(&r);
    CHECK(atomic_load(&fake.cancelled), "a second signal did not cancel the transaction");
    CHECK(exit_ms < 1000, "the sink took %lld ms to stop after a second signal",
          (long long)exit_ms);
    CHECK(committed < 0, "offset %lld committed for a batch that was cancelled", committed);
    return 0;
}

static void test_sink_second_signal_exits_at_once(void **state)
{
    (void)state;
    run_in_child(scenario_second_signal_exits_at_once);
}

static void test_sink_batch_bounded_before_first_connection(void **state)
{
    (void)state;
    run_in_child(scenario_bounded_before_first_connection);
}

static void test_sink_no_offset_past_an_uncommitted_batch(void **state)
{
    (void)state;
    run_in_child(scenario_no_offset_past_an_uncommitted_batch);
}

/* While PostgreSQL is down it is probed at least every 2 s, with the default configuration. */
static void test_sink_probe_interval_capped(void **state)
{
    (void)state;
    struct rf_config *cfg = rf_config_new(RF_PROG_SINK);
    assert_non_null(cfg);
    int64_t wait = WRITER_BACKOFF_FIRST_MS, longest = 0;
    for (int attempt = 0; attempt < 30; attempt++) {
        longest = wait > longest ? wait : longest;
        wait = writer_backoff_next(wait, cfg->sink_retry_max_ms);
    }
    assert_true(longest <= 2000);
    assert_true(longest >= 1000); /* and not hammering a server that is down */
    rf_config_free(cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sink_probe_interval_capped),
        cmocka_unit_test(test_sink_batch_bounded_before_first_connection),
        cmocka_unit_test(test_sink_no_offset_past_an_uncommitted_batch),
        cmocka_unit_test(test_sink_second_signal_exits_at_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
