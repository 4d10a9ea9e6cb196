/*
 * sink_fixture.h - what the sink's loop tests share (test_sink_loop.c,
 * test_sink_faults.c): a scripted PostgreSQL that stands in for db.c and
 * db_conn.c, so each case says when the database is up and sees what was
 * stored; librdkafka's mock cluster with RECORDS records in reports.events
 * partition 0 (and two dead letters on reports.dlq); a sink running in a thread
 * of its own; each case in a child process, since a stop signal is
 * process-wide. Included by one test file per executable.
 */
#ifndef RF_SINK_FIXTURE_H
#define RF_SINK_FIXTURE_H
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
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
    FAKE_PG_SIZE_LIMIT,   /* connects; more than SIZE_LIMIT records, or the envelope at
                             offset POISON, fail with a statement timeout (57014) */
    FAKE_PG_AWAY,         /* connects; fails every batch while fake.away is set */
    FAKE_PG_SILENT,       /* connects; a batch waits on a socket the server never answers */
    FAKE_PG_STORES,       /* connects; stores everything */
};

#define SIZE_LIMIT 3
#define POISON 7
#define RECORDS 200

static struct {
    enum fake_pg_mode mode;
    atomic_int failed_stores;   /* read by the test while the writer runs */
    atomic_int storing;         /* a batch is in db_store() */
    atomic_int cancelled;       /* db_conn_cancel_send() was called */
    atomic_int cancel_ms;       /* how long db_conn_cancel_send() takes */
    atomic_int away;            /* FAKE_PG_AWAY: PostgreSQL is unreachable */
    long long stored_below[1];  /* partition 0: every offset below this was stored */
    bool stored_gap;            /* a batch was stored although one before it was not */
    atomic_int stored[RECORDS]; /* times each offset of partition 0 was stored */
    atomic_int stored_records;  /* records stored, all partitions and topics */
    char poison_code[64];       /* the dead-letter code the record at POISON was stored with */
    char raw_names[2][64];      /* file_name_raw of the dead letters at offsets 0 and 1, hex */
    atomic_int letters_named;   /* of those two, how many were stored (raw_names set first) */
    int socks[2];               /* FAKE_PG_SILENT: the writer's end and the silent server's */
} fake;

static char fake_conn;   /* a non-NULL PGconn for the sink to hold */
static char fake_cancel; /* a non-NULL PGcancel */

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

static bool is_event(const struct db_item *it)
{
    return strcmp(it->topic, "reports.events") == 0;
}

static void note_stored(const struct db_item *items, size_t cnt)
{
    for (size_t i = 0; i < cnt; i++) {
        const struct db_item *it = &items[i];
        atomic_fetch_add(&fake.stored_records, 1);
        if (!is_event(it)) {
            continue;
        }
        if (it->partition == 0 && it->offset >= 0 && it->offset < RECORDS) {
            atomic_fetch_add(&fake.stored[it->offset], 1);
        }
        if (it->offset == POISON && it->dead_letter) {
            snprintf(fake.poison_code, sizeof(fake.poison_code), "%.*s", (int)it->error_code.len,
                     it->error_code.data);
        }
    }
    for (size_t i = 0; i < cnt; i++) {
        const struct db_item *it = &items[i];
        if (!is_event(it) && it->offset >= 0 && it->offset < 2) {
            char *hex = fake.raw_names[it->offset];
            for (size_t k = 0; k < it->file_name_raw.len && 2 * k + 2 < 64; k++) {
                snprintf(hex + 2 * k, 3, "%02x", (unsigned char)it->file_name_raw.data[k]);
            }
            atomic_fetch_add(&fake.letters_named, 1);
        }
    }
}

/* FAKE_PG_SIZE_LIMIT: a statement timeout for large batches and for the poison envelope. */
static enum db_result size_limited(struct db *db, struct db_item *items, size_t cnt, char *errstr,
                                   size_t errstr_size)
{
    bool poison = false;
    for (size_t i = 0; i < cnt; i++) {
        poison |= is_event(&items[i]) && items[i].offset == POISON && !items[i].dead_letter;
    }
    if (cnt > SIZE_LIMIT || poison) {
        snprintf(db->sqlstate, sizeof(db->sqlstate), "57014");
        snprintf(errstr, errstr_size, "fake: canceling statement due to statement timeout");
        return DB_SMALLER;
    }
    note_stored(items, cnt);
    return DB_OK;
}

/* FAKE_PG_SILENT: wait for an answer that never comes, as libpq would, until the socket is
   shut down. */
static enum db_result silent(struct db *db, char *errstr, size_t errstr_size)
{
    atomic_store(db->busy_since, rf_clock_mono_ms());
    atomic_store(&fake.storing, 1);
    char byte;
    ssize_t n = recv(fake.socks[0], &byte, 1, 0);
    atomic_store(db->busy_since, 0);
    snprintf(errstr, errstr_size, "fake: server closed the connection (recv %zd)", n);
    db->conn = NULL;
    return DB_RETRY;
}

enum db_result db_store(struct db *db, struct db_item *items, size_t cnt, struct db_counts *counts,
                        char *errstr, size_t errstr_size)
{
    memset(counts, 0, sizeof(*counts));
    if (fake.mode == FAKE_PG_SIZE_LIMIT) {
        return size_limited(db, items, cnt, errstr, errstr_size);
    }
    if (fake.mode == FAKE_PG_SILENT && atomic_load(&fake.storing) == 0) {
        return silent(db, errstr, errstr_size);
    }
    if (fake.mode == FAKE_PG_STORES || fake.mode == FAKE_PG_SILENT ||
        (fake.mode == FAKE_PG_AWAY && !atomic_load(&fake.away))) {
        note_stored(items, cnt);
        return DB_OK;
    }
    if (fake.mode == FAKE_PG_AWAY) {
        atomic_fetch_add(&fake.failed_stores, 1);
        snprintf(errstr, errstr_size, "fake: connection lost");
        return DB_RETRY;
    }
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
        if (!is_event(&items[i])) {
            continue;
        }
        if (items[i].offset != fake.stored_below[0]) {
            fake.stored_gap = true;
        }
        fake.stored_below[0] = items[i].offset + 1;
    }
    return DB_OK;
}

PGcancel *db_conn_cancel_new(struct db *db)
{
    return db->conn ? (PGcancel *)&fake_cancel : NULL;
}

void db_conn_cancel_send(PGcancel *cancel)
{
    (void)cancel;
    usleep((useconds_t)atomic_load(&fake.cancel_ms) * 1000);
    atomic_store(&fake.cancelled, 1);
}

int db_conn_socket(struct db *db)
{
    return db->conn && fake.mode == FAKE_PG_SILENT ? fake.socks[0] : -1;
}

void db_conn_cancel_free(PGcancel *cancel)
{
    (void)cancel;
}

/* ---- a mock cluster with RECORDS envelopes-to-be in reports.events partition 0 ---- */

#define BATCH_DOCS "10"

enum record_kind {
    RECORDS_INVALID,   /* "not an envelope N": each a dead letter (invalid-envelope) */
    RECORDS_ENVELOPES, /* valid envelopes, distinct ids */
    RECORDS_LARGE,     /* invalid, 300 bytes each */
};

static enum record_kind record_kind;

/* Record @p i of the kind asked for, in @p value. */
static void record_value(int i, char *value, size_t size)
{
    if (record_kind == RECORDS_ENVELOPES) {
        snprintf(value, size,
                 "{\"schema\":\"reportflow.envelope\",\"schema_version\":1,\"doc_id\":\"%064d\","
                 "\"source\":{\"extracted_at\":\"2026-01-01T00:00:00.000Z\"},\"extractor\":{},"
                 "\"document\":{},\"sections\":[],\"citations\":[],\"quantities\":[],"
                 "\"metrics\":[]}",
                 i);
    } else if (record_kind == RECORDS_LARGE) {
        snprintf(value, size, "not an envelope %d %0280d", i, 0);
    } else {
        snprintf(value, size, "not an envelope %d", i);
    }
}

/* Two dead letters on reports.dlq: a GBK name (测试.txt) and a UTF-8 one, as the producer
   sends them (file.name lossy UTF-8, file.name.raw the bytes %XX-escaped). */
static int produce_dead_letters(rd_kafka_t *producer)
{
    static const char *const raw[] = {"%B2%E2%CA%D4.txt", "%E6%B5%8B.txt"};
    static const char *const text[] = {"\xef\xbf\xbd\xef\xbf\xbd.txt", "\xe6\xb5\x8b.txt"};
    for (int i = 0; i < 2; i++) {
        if (rd_kafka_producev(producer, RD_KAFKA_V_TOPIC("reports.dlq"), RD_KAFKA_V_PARTITION(0),
                              RD_KAFKA_V_VALUE("", 0), RD_KAFKA_V_HEADER("stage", "producer", -1),
                              RD_KAFKA_V_HEADER("error.code", "empty-file", -1),
                              RD_KAFKA_V_HEADER("file.name", text[i], -1),
                              RD_KAFKA_V_HEADER("file.name.raw", raw[i], -1),
                              RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END)) {
            return -1;
        }
    }
    return 0;
}

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
    if (produce_dead_letters(producer) != 0) {
        return -1;
    }
    for (int i = 0; i < RECORDS; i++) {
        char value[512];
        record_value(i, value, sizeof(value));
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
static inline long long committed_offset(const struct cluster *c)
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

/* Flags a case adds to the configuration below (NULL-terminated), or NULL. */
static const char *const *extra_flags;

static struct rf_config *sink_config(const struct cluster *c)
{
    char bootstrap[300];
    snprintf(bootstrap, sizeof(bootstrap), "kafka.bootstrap.servers=%s", c->bootstraps);
    /* the mock's topics have one partition: the sink checks the topics it is given */
    char *flags[16] = {bootstrap,
                       "sink.batch_docs=" BATCH_DOCS,
                       "sink.batch_ms=50",
                       "log.level=warn",
                       "topic.events.partitions=1",
                       "topic.dlq.partitions=1",
                       "topic.raw.partitions=1",
                       "topic.check=false"};
    size_t n = 8;
    for (size_t i = 0; extra_flags && extra_flags[i] && n < 16; i++) {
        flags[n++] = (char *)extra_flags[i]; /* later flags win */
    }
    char errstr[256];
    char *envp[] = {NULL};
    struct rf_config *cfg =
        rf_config_build(RF_PROG_SINK, "/dev/null", flags, n, envp, errstr, sizeof(errstr));
    if (!cfg) {
        fprintf(stderr, "config: %s\n", errstr);
    }
    return cfg;
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

static inline bool two_failed_stores(void)
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

static inline bool storing(void)
{
    return atomic_load(&fake.storing) != 0;
}

static inline bool all_records_stored(void)
{
    for (int i = 0; i < RECORDS; i++) {
        if (atomic_load(&fake.stored[i]) == 0) {
            return false;
        }
    }
    return true;
}

static inline bool cancelled(void)
{
    return atomic_load(&fake.cancelled) != 0;
}

/* A writer on the fake connection, with the sink's default configuration plus @p key. */
static inline struct writer *fake_writer(struct rf_config **cfg, const char *key, const char *value)
{
    char errstr[256];
    *cfg = rf_config_new(RF_PROG_SINK);
    if (!*cfg || (key && rf_config_set(*cfg, key, value, "-X", errstr, sizeof(errstr)) != 0)) {
        return NULL;
    }
    struct db db;
    memset(&db, 0, sizeof(db));
    db.conn = (PGconn *)&fake_conn;
    return writer_start(*cfg, &db, errstr, sizeof(errstr));
}

#define CHILD_TEST(name)                                                                           \
    static void test_##name(void **state)                                                          \
    {                                                                                              \
        (void)state;                                                                               \
        run_in_child(scenario_##name);                                                             \
    }

#endif
