/*
 * publisher_fixture.h - what the publisher's tests share (test_publisher.c,
 * test_publisher_faults.c): an inbox, done/ and failed/ under /tmp, a publisher on
 * librdkafka's mock cluster, and readers of what it sent. Included by one test file per
 * executable.
 */
#ifndef RF_PUBLISHER_FIXTURE_H
#define RF_PUBLISHER_FIXTURE_H
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include "archive.h"
#include "publisher.h"
#include "reportflow/config.h"
#include "reportflow/fs.h"
#include "reportflow/headers.h"

struct fixture {
    char root[64]; /* under /tmp */
    char inbox[128];
    char done[160]; /* done/ or, for EXDEV, a folder on /dev/shm */
    char failed[128];
    struct rf_config *cfg;
    struct publisher *p;
};

static inline void set(struct rf_config *cfg, const char *key, const char *value)
{
    char err[256];
    assert_int_equal(rf_config_set(cfg, key, value, "test", err, sizeof(err)), 0);
}

static inline struct fixture *fixture_new_in(const char *done_dir, const char *failed_dir,
                                             const char *max_message_bytes)
{
    struct fixture *fx = calloc(1, sizeof(*fx));
    assert_non_null(fx);
    snprintf(fx->root, sizeof(fx->root), "/tmp/test_publisher.XXXXXX");
    assert_non_null(mkdtemp(fx->root));
    snprintf(fx->inbox, sizeof(fx->inbox), "%s/inbox", fx->root);
    if (failed_dir) {
        snprintf(fx->failed, sizeof(fx->failed), "%s", failed_dir);
    } else {
        snprintf(fx->failed, sizeof(fx->failed), "%s/failed", fx->root);
    }
    if (done_dir) {
        snprintf(fx->done, sizeof(fx->done), "%s", done_dir);
    } else {
        snprintf(fx->done, sizeof(fx->done), "%s/done", fx->root);
    }
    assert_int_equal(mkdir(fx->inbox, 0755), 0);
    fx->cfg = rf_config_new(RF_PROG_PRODUCER);
    assert_non_null(fx->cfg);
    set(fx->cfg, "watch.dir", fx->inbox);
    set(fx->cfg, "archive.dir", fx->done);
    set(fx->cfg, "failed.dir", fx->failed);
    set(fx->cfg, "producer.max_file_bytes", "100000");
    set(fx->cfg, "kafka.test.mock.num.brokers", "1");
    set(fx->cfg, "topic.check", "false"); /* the mock has no admin calls */
    set(fx->cfg, "kafka.linger.ms", "0");
    if (max_message_bytes) {
        set(fx->cfg, "kafka.message.max.bytes", max_message_bytes);
    }
    char err[512];
    fx->p = publisher_new(fx->cfg, err, sizeof(err));
    assert_non_null(fx->p);
    return fx;
}

static inline struct fixture *fixture_new(const char *done_dir, const char *max_message_bytes)
{
    return fixture_new_in(done_dir, NULL, max_message_bytes);
}

static inline void fixture_free(struct fixture *fx)
{
    char cmd[512];
    publisher_free(fx->p);
    rf_config_free(fx->cfg);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s' '%s' '%s'", fx->root, fx->done, fx->failed);
    assert_int_equal(system(cmd), 0);
    free(fx);
}

static inline void write_file(const char *dir, const char *name, const char *text, size_t len)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

/* Pump and poll until nothing is queued, in flight or waiting for a retry. */
static inline void settle_all(struct fixture *fx)
{
    for (int i = 0; i < 400; i++) {
        assert_int_equal(publisher_pump(fx->p), 0);
        publisher_poll(fx->p, 25);
        const struct publish_stats *s = publisher_stats(fx->p);
        if (s->queued == 0 && s->inflight == 0 && s->archive_waiting == 0) {
            return;
        }
    }
    fail_msg("the publisher did not settle");
}

/* Pump and poll for about @p ms, whatever happens. */
static inline void run_for(struct fixture *fx, int ms)
{
    for (int waited = 0; waited < ms; waited += 10) {
        assert_int_equal(publisher_pump(fx->p), 0);
        publisher_poll(fx->p, 10);
    }
}

/* Short waits: the retries of a test take milliseconds, not minutes. */
static inline void quick_retries(struct fixture *fx, unsigned archive_tries)
{
    const struct publisher_timing t = {20, 100, archive_tries};
    publisher_set_timing(fx->p, &t);
}

static inline bool exists_at(const char *dir, const char *name)
{
    char path[512];
    struct stat st;
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    return lstat(path, &st) == 0;
}

static inline char *read_text(const char *dir, const char *name)
{
    char path[512], err[256];
    char *data = NULL;
    size_t len = 0;
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    if (rf_fs_read_file(path, 1 << 20, &data, &len, err, sizeof(err)) != RF_READ_OK) {
        return NULL;
    }
    return data;
}

static inline void today(char *out, size_t out_size, const char *base)
{
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    char day[16];
    strftime(day, sizeof(day), "%Y-%m-%d", &tm);
    snprintf(out, out_size, "%s/%s", base, day);
}

/*
 * A consumer of group @p group reading every partition of @p topic from its start, with
 * partition ends reported when @p eof; the partition count into *@p partitions. An
 * independent reader, to see what the publisher sent.
 */
static inline rd_kafka_t *reader_from_start(struct fixture *fx, const char *topic,
                                            const char *group, bool eof, int *partitions)
{
    rd_kafka_mock_cluster_t *mc = rd_kafka_handle_mock_cluster(publisher_kafka(fx->p));
    assert_non_null(mc);
    char err[256];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    assert_int_equal(rd_kafka_conf_set(conf, "bootstrap.servers",
                                       rd_kafka_mock_cluster_bootstraps(mc), err, sizeof(err)),
                     RD_KAFKA_CONF_OK);
    assert_int_equal(rd_kafka_conf_set(conf, "group.id", group, err, sizeof(err)),
                     RD_KAFKA_CONF_OK);
    assert_int_equal(rd_kafka_conf_set(conf, "enable.auto.commit", "false", err, sizeof(err)),
                     RD_KAFKA_CONF_OK); /* every read starts at the beginning */
    assert_int_equal(
        rd_kafka_conf_set(conf, "enable.partition.eof", eof ? "true" : "false", err, sizeof(err)),
        RD_KAFKA_CONF_OK);
    rd_kafka_t *c = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof(err));
    assert_non_null(c);
    rd_kafka_poll_set_consumer(c);
    /* every partition from the start, no group to join: quick and independent */
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(c, topic, NULL);
    const struct rd_kafka_metadata *md = NULL;
    assert_int_equal(rd_kafka_metadata(c, 0, rkt, &md, 5000), 0);
    assert_int_equal(md->topic_cnt, 1);
    *partitions = md->topics[0].partition_cnt;
    rd_kafka_topic_partition_list_t *parts = rd_kafka_topic_partition_list_new(*partitions);
    for (int i = 0; i < *partitions; i++) {
        rd_kafka_topic_partition_list_add(parts, topic, i)->offset = RD_KAFKA_OFFSET_BEGINNING;
    }
    rd_kafka_metadata_destroy(md);
    rd_kafka_topic_destroy(rkt);
    assert_int_equal(rd_kafka_assign(c, parts), 0);
    rd_kafka_topic_partition_list_destroy(parts);
    return c;
}

/* The value of header @p name of the first record on @p topic, into @p out. */
static inline void first_header(struct fixture *fx, const char *topic, const char *name, char *out,
                                size_t out_size)
{
    int partitions;
    rd_kafka_t *c = reader_from_start(fx, topic, "test", false, &partitions);
    out[0] = '\0';
    for (int i = 0; i < 150 && !out[0]; i++) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(c, 100);
        rd_kafka_headers_t *h = NULL;
        const void *v = NULL;
        size_t len = 0;
        if (m && !m->err && rd_kafka_message_headers(m, &h) == 0 &&
            rd_kafka_header_get_last(h, name, &v, &len) == 0) {
            assert_true(len < out_size);
            memcpy(out, v, len);
            out[len] = '\0';
        }
        if (m) {
            rd_kafka_message_destroy(m);
        }
    }
    rd_kafka_destroy(c);
    assert_true(out[0] != '\0');
}

/* Records on @p topic, counted by an independent consumer reading every partition to its end. */
static inline int count_records(struct fixture *fx, const char *topic)
{
    int partitions;
    rd_kafka_t *c = reader_from_start(fx, topic, "count", true, &partitions);
    int records = 0, ends = 0;
    for (int i = 0; i < 300 && ends < partitions; i++) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(c, 100);
        if (m && m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
            ends++;
        } else if (m && !m->err) {
            records++;
        }
        if (m) {
            rd_kafka_message_destroy(m);
        }
    }
    rd_kafka_destroy(c);
    assert_int_equal(ends, partitions);
    return records;
}

/* @p name is in failed/ with a sidecar whose error= is @p code; @returns the sidecar's text
   (free it), for what else a case looks for in it. */
static inline char *failed_with(struct fixture *fx, const char *name, const char *code)
{
    char sidecar[256], want[64];
    assert_true(exists_at(fx->failed, name));
    snprintf(sidecar, sizeof(sidecar), "%s.error", name);
    char *side = read_text(fx->failed, sidecar);
    assert_non_null(side);
    snprintf(want, sizeof(want), "error=%s\n", code);
    assert_non_null(strstr(side, want));
    return side;
}

/* The broker fails the next @p cnt produce requests with @p err; then @p name, holding
   @p text, is put in the inbox and offered. */
static inline void offer_against_errors(struct fixture *fx, size_t cnt, rd_kafka_resp_err_t err,
                                        const char *name, const char *text)
{
    rd_kafka_mock_cluster_t *mc = rd_kafka_handle_mock_cluster(publisher_kafka(fx->p));
    assert_non_null(mc);
    rd_kafka_resp_err_t errs[8];
    assert_true(cnt <= 8);
    for (size_t i = 0; i < cnt; i++) {
        errs[i] = err;
    }
    rd_kafka_mock_push_request_errors_array(mc, 0 /* ApiKey Produce */, cnt, errs);
    write_file(fx->inbox, name, text, strlen(text));
    publisher_offer(fx->p, name);
}

#endif
