/*
 * test_publisher.c - the publisher's state machine against librdkafka's mock
 * cluster: in flight -> delivered -> archived; replaced while in flight ->
 * sent again; too large (before sending, or refused by the broker) -> failed/
 * with a dead letter; what is not a regular file -> failed/, never read;
 * sidecars that never replace a file; names that are not UTF-8; EXDEV.
 * Sent once: changed after it was found complete -> not sent, handed back;
 * a read out of descriptors -> tried again, never failed/; a delivered file
 * done/ refuses -> never sent again, archived once done/ takes it, or failed/
 * (not-archived) after the tries. A broker's error -> sent again after a backoff;
 * a record refused for its bytes -> failed/ (rejected), once; done/ or failed/
 * inside a recursive inbox -> refused at start; a full queue -> left behind.
 * Long because: one case per transition of that state machine, each against the one
 * mock cluster fixture.
 */
#include <setjmp.h>
#include <stdarg.h>
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

static void set(struct rf_config *cfg, const char *key, const char *value)
{
    char err[256];
    assert_int_equal(rf_config_set(cfg, key, value, "test", err, sizeof(err)), 0);
}

static struct fixture *fixture_new_in(const char *done_dir, const char *failed_dir,
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

static struct fixture *fixture_new(const char *done_dir, const char *max_message_bytes)
{
    return fixture_new_in(done_dir, NULL, max_message_bytes);
}

static void fixture_free(struct fixture *fx)
{
    char cmd[512];
    publisher_free(fx->p);
    rf_config_free(fx->cfg);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s' '%s' '%s'", fx->root, fx->done, fx->failed);
    assert_int_equal(system(cmd), 0);
    free(fx);
}

static void write_file(const char *dir, const char *name, const char *text, size_t len)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

/* Pump and poll until nothing is queued, in flight or waiting for a retry. */
static void settle_all(struct fixture *fx)
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
static void run_for(struct fixture *fx, int ms)
{
    for (int waited = 0; waited < ms; waited += 10) {
        assert_int_equal(publisher_pump(fx->p), 0);
        publisher_poll(fx->p, 10);
    }
}

/* Short waits: the retries of a test take milliseconds, not minutes. */
static void quick_retries(struct fixture *fx, unsigned archive_tries)
{
    const struct publisher_timing t = {20, 100, archive_tries};
    publisher_set_timing(fx->p, &t);
}

static bool exists_at(const char *dir, const char *name)
{
    char path[512];
    struct stat st;
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    return lstat(path, &st) == 0;
}

static char *read_text(const char *dir, const char *name)
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

static void today(char *out, size_t out_size, const char *base)
{
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    char day[16];
    strftime(day, sizeof(day), "%Y-%m-%d", &tm);
    snprintf(out, out_size, "%s/%s", base, day);
}

/*
 * The headers of the first record on @p topic, read back from the mock
 * cluster by an independent consumer: the value of header @p name into @p out.
 */
static void first_header(struct fixture *fx, const char *topic, const char *name, char *out,
                         size_t out_size)
{
    rd_kafka_mock_cluster_t *mc = rd_kafka_handle_mock_cluster(publisher_kafka(fx->p));
    assert_non_null(mc);
    char err[256];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    assert_int_equal(rd_kafka_conf_set(conf, "bootstrap.servers",
                                       rd_kafka_mock_cluster_bootstraps(mc), err, sizeof(err)),
                     RD_KAFKA_CONF_OK);
    assert_int_equal(rd_kafka_conf_set(conf, "group.id", "test", err, sizeof(err)),
                     RD_KAFKA_CONF_OK);
    assert_int_equal(rd_kafka_conf_set(conf, "auto.offset.reset", "earliest", err, sizeof(err)),
                     RD_KAFKA_CONF_OK);
    assert_int_equal(rd_kafka_conf_set(conf, "enable.auto.commit", "false", err, sizeof(err)),
                     RD_KAFKA_CONF_OK); /* every read starts at the beginning */
    rd_kafka_t *c = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof(err));
    assert_non_null(c);
    rd_kafka_poll_set_consumer(c);
    /* every partition from the start, no group to join: quick and independent */
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(c, topic, NULL);
    const struct rd_kafka_metadata *md = NULL;
    assert_int_equal(rd_kafka_metadata(c, 0, rkt, &md, 5000), 0);
    assert_int_equal(md->topic_cnt, 1);
    rd_kafka_topic_partition_list_t *parts = rd_kafka_topic_partition_list_new(8);
    for (int i = 0; i < md->topics[0].partition_cnt; i++) {
        rd_kafka_topic_partition_list_add(parts, topic, i)->offset = RD_KAFKA_OFFSET_BEGINNING;
    }
    rd_kafka_metadata_destroy(md);
    rd_kafka_topic_destroy(rkt);
    assert_int_equal(rd_kafka_assign(c, parts), 0);
    rd_kafka_topic_partition_list_destroy(parts);
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
static int count_records(struct fixture *fx, const char *topic)
{
    rd_kafka_mock_cluster_t *mc = rd_kafka_handle_mock_cluster(publisher_kafka(fx->p));
    char err[256];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    assert_int_equal(rd_kafka_conf_set(conf, "bootstrap.servers",
                                       rd_kafka_mock_cluster_bootstraps(mc), err, sizeof(err)),
                     RD_KAFKA_CONF_OK);
    assert_int_equal(rd_kafka_conf_set(conf, "group.id", "count", err, sizeof(err)),
                     RD_KAFKA_CONF_OK);
    assert_int_equal(rd_kafka_conf_set(conf, "enable.partition.eof", "true", err, sizeof(err)),
                     RD_KAFKA_CONF_OK);
    rd_kafka_t *c = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof(err));
    assert_non_null(c);
    rd_kafka_poll_set_consumer(c);
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(c, topic, NULL);
    const struct rd_kafka_metadata *md = NULL;
    assert_int_equal(rd_kafka_metadata(c, 0, rkt, &md, 5000), 0);
    int partitions = md->topics[0].partition_cnt;
    rd_kafka_topic_partition_list_t *parts = rd_kafka_topic_partition_list_new(partitions);
    for (int i = 0; i < partitions; i++) {
        rd_kafka_topic_partition_list_add(parts, topic, i)->offset = RD_KAFKA_OFFSET_BEGINNING;
    }
    rd_kafka_metadata_destroy(md);
    rd_kafka_topic_destroy(rkt);
    assert_int_equal(rd_kafka_assign(c, parts), 0);
    rd_kafka_topic_partition_list_destroy(parts);
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

static void test_delivered_then_archived(void **state)
{
    (void)state;
    struct fixture *fx = fixture_new(NULL, NULL);
    write_file(fx->inbox, "a.txt", "report a", 8);
    publisher_offer(fx->p, "a.txt");
    publisher_offer(fx->p, "a.txt"); /* already queued: once */
    assert_int_equal(publisher_stats(fx->p)->queued, 1);
    assert_int_equal(publisher_pump(fx->p), 0);
    assert_int_equal(publisher_stats(fx->p)->inflight, 1);
    assert_true(exists_at(fx->inbox, "a.txt")); /* not before its delivery report */
    settle_all(fx);
    char day[256];
    today(day, sizeof(day), fx->done);
    assert_true(exists_at(day, "a.txt"));
    assert_false(exists_at(fx->inbox, "a.txt"));
    assert_int_equal(publisher_stats(fx->p)->sent, 1);
    fixture_free(fx);
}

/* The watcher's part, done at once: a file handed back is offered again as it is now. */
static void offer_again(void *ctx, const char *rel)
{
    publisher_offer(ctx, rel);
}

static void test_replaced_in_flight_is_sent_again(void **state)
{
    (void)state;
    struct fixture *fx = fixture_new(NULL, NULL);
    publisher_on_changed(fx->p, offer_again, fx->p);
    write_file(fx->inbox, "b.txt", "version one", 11);
    publisher_offer(fx->p, "b.txt");
    assert_int_equal(publisher_pump(fx->p), 0); /* read and in flight, report not served */
    write_file(fx->root, "b.new", "version two, longer", 19);
    char from[256], to[256];
    snprintf(from, sizeof(from), "%s/b.new", fx->root);
    snprintf(to, sizeof(to), "%s/b.txt", fx->inbox);
    assert_int_equal(rename(from, to), 0);
    settle_all(fx);
    const struct publish_stats *s = publisher_stats(fx->p);
    assert_int_equal(s->replaced, 1);
    assert_int_equal(s->sent, 2); /* both versions */
    char day[256];
    today(day, sizeof(day), fx->done);
    char *archived = read_text(day, "b.txt");
    assert_non_null(archived);
    assert_string_equal(archived, "version two, longer"); /* the version that was sent last */
    free(archived);
    assert_false(exists_at(day, "b.txt.1"));
    fixture_free(fx);
}

static void test_too_large_before_sending_fails_with_dead_letter(void **state)
{
    (void)state;
    struct fixture *fx = fixture_new(NULL, "2000");
    char big[5000];
    memset(big, 'x', sizeof(big));
    write_file(fx->inbox, "big.txt", big, sizeof(big));
    publisher_offer(fx->p, "big.txt");
    settle_all(fx);
    assert_true(exists_at(fx->failed, "big.txt"));
    char *side = read_text(fx->failed, "big.txt.error");
    assert_non_null(side);
    assert_non_null(strstr(side, "error=too-large\n"));
    free(side);
    assert_int_equal(publisher_stats(fx->p)->failed, 1);
    assert_int_equal(publisher_stats(fx->p)->sent, 0);
    char code[64];
    first_header(fx, "reports.dlq", RF_HDR_ERROR_CODE, code, sizeof(code));
    assert_string_equal(code, "too-large");
    fixture_free(fx);
}

static void test_broker_refuses_too_large_fails_once(void **state)
{
    (void)state;
    struct fixture *fx = fixture_new(NULL, NULL);
    rd_kafka_mock_cluster_t *mc = rd_kafka_handle_mock_cluster(publisher_kafka(fx->p));
    assert_non_null(mc);
    rd_kafka_mock_push_request_errors(mc, 0 /* ApiKey Produce */, 1,
                                      RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE);
    write_file(fx->inbox, "c.txt", "refused by the broker", 21);
    publisher_offer(fx->p, "c.txt");
    settle_all(fx);
    assert_false(publisher_failed(fx->p));
    assert_true(exists_at(fx->failed, "c.txt"));
    char *side = read_text(fx->failed, "c.txt.error");
    assert_non_null(side);
    assert_non_null(strstr(side, "error=too-large\n"));
    assert_non_null(strstr(side, "the broker refused it"));
    free(side);
    assert_int_equal(publisher_stats(fx->p)->failed, 1);
    assert_int_equal(publisher_stats(fx->p)->retried, 0); /* not sent again and again */
    char code[64];
    first_header(fx, "reports.dlq", RF_HDR_ERROR_CODE, code, sizeof(code));
    assert_string_equal(code, "too-large");
    fixture_free(fx);
}

/* An error of the broker's (here an ACL) is waited out: the file is sent again after a backoff,
   not at once and again and again, and stays in the inbox meanwhile. (librdkafka then refuses
   the topic's next produce call at once: the producer stops, to be restarted, as at start.) */
static void test_broker_error_sent_again_after_a_backoff(void **state)
{
    (void)state;
    struct fixture *fx = fixture_new(NULL, NULL);
    const struct publisher_timing slow = {60000, 60000, PUBLISHER_ARCHIVE_TRIES};
    publisher_set_timing(fx->p, &slow);
    rd_kafka_mock_cluster_t *mc = rd_kafka_handle_mock_cluster(publisher_kafka(fx->p));
    assert_non_null(mc);
    rd_kafka_mock_push_request_errors(
        mc, 0 /* ApiKey Produce */, 3, RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED,
        RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED, RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED);
    write_file(fx->inbox, "d.txt", "not yet allowed", 15);
    publisher_offer(fx->p, "d.txt");
    run_for(fx, 500);
    const struct publish_stats *s = publisher_stats(fx->p);
    assert_int_equal(s->retried, 1); /* one failure, then a wait of a minute */
    assert_int_equal(s->sent, 0);
    assert_int_equal(s->failed, 0);
    assert_int_equal(s->queued, 1); /* waiting for its next try */
    assert_true(exists_at(fx->inbox, "d.txt"));
    fixture_free(fx);
}

/* A record the broker refuses for its bytes would be refused again: a dead letter, once. */
static void test_broker_rejects_record_fails_once(void **state)
{
    (void)state;
    struct fixture *fx = fixture_new(NULL, NULL);
    rd_kafka_mock_cluster_t *mc = rd_kafka_handle_mock_cluster(publisher_kafka(fx->p));
    assert_non_null(mc);
    rd_kafka_mock_push_request_errors(mc, 0 /* ApiKey Produce */, 1,
                                      RD_KAFKA_RESP_ERR_INVALID_RECORD);
    write_file(fx->inbox, "e.txt", "against the topic's policy", 26);
    publisher_offer(fx->p, "e.txt");
    settle_all(fx);
    assert_true(exists_at(fx->failed, "e.txt"));
    char *side = read_text(fx->failed, "e.txt.error");
    assert_non_null(side);
    assert_non_null(strstr(side, "error=rejected\n"));
    free(side);
    assert_int_equal(publisher_stats(fx->p)->failed, 1);
    assert_int_equal(publisher_stats(fx->p)->retried, 0);
    char code[64];
    first_header(fx, "reports.dlq", RF_HDR_ERROR_CODE, code, sizeof(code));
    assert_string_equal(code, "rejected");
    fixture_free(fx);
}

/* With watch.recursive, done/ or failed/ inside the inbox would send every archived file again:
   refused at start, naming the key; outside the inbox, or not recursive, taken. */
static void test_archive_inside_a_recursive_inbox_refused(void **state)
{
    (void)state;
    char root[] = "/tmp/test_places.XXXXXX", path[256], errstr[512];
    assert_non_null(mkdtemp(root));
    struct rf_config *cfg = rf_config_new(RF_PROG_PRODUCER);
    snprintf(path, sizeof(path), "%s/inbox", root);
    assert_int_equal(mkdir(path, 0755), 0);
    set(cfg, "watch.dir", path);
    set(cfg, "watch.recursive", "true");
    snprintf(path, sizeof(path), "%s/inbox/../inbox/done", root); /* inside, spelt otherwise */
    set(cfg, "archive.dir", path);
    snprintf(path, sizeof(path), "%s/failed", root);
    set(cfg, "failed.dir", path);
    assert_int_equal(archive_check_places(cfg, errstr, sizeof(errstr)), -1);
    assert_non_null(strstr(errstr, "archive.dir '"));
    assert_non_null(strstr(errstr, "lies inside watch.dir"));
    set(cfg, "archive.dir", path);
    snprintf(path, sizeof(path), "%s/inbox/failed", root);
    set(cfg, "failed.dir", path);
    assert_int_equal(archive_check_places(cfg, errstr, sizeof(errstr)), -1);
    assert_non_null(strstr(errstr, "failed.dir '"));
    set(cfg, "watch.recursive", "false"); /* a folder in the inbox is then left alone */
    assert_int_equal(archive_check_places(cfg, errstr, sizeof(errstr)), 0);
    set(cfg, "watch.recursive", "true");
    snprintf(path, sizeof(path), "%s/inbox-done", root); /* a name that starts alike */
    set(cfg, "failed.dir", path);
    assert_int_equal(archive_check_places(cfg, errstr, sizeof(errstr)), 0);
    rf_config_free(cfg);
    snprintf(path, sizeof(path), "rm -rf '%s'", root);
    assert_int_equal(system(path), 0);
}

/* At most PUBLISHER_MAX_QUEUED files queued: one more stays in the inbox and is said to have,
   once; a file already queued is no overflow. */
static void test_queue_past_the_bound_leaves_files_behind(void **state)
{
    (void)state;
    struct fixture *fx = fixture_new(NULL, NULL);
    char name[32];
    for (int i = 0; i < PUBLISHER_MAX_QUEUED; i++) {
        snprintf(name, sizeof(name), "q%d.txt", i);
        publisher_offer(fx->p, name);
    }
    assert_int_equal(publisher_room(fx->p), 0);
    assert_false(publisher_take_overflow(fx->p));
    publisher_offer(fx->p, "q0.txt"); /* queued already */
    assert_false(publisher_take_overflow(fx->p));
    publisher_offer(fx->p, "one-more.txt");
    assert_true(publisher_take_overflow(fx->p));
    assert_false(publisher_take_overflow(fx->p)); /* taken */
    assert_int_equal(publisher_stats(fx->p)->seen, PUBLISHER_MAX_QUEUED);
    fixture_free(fx);
}

static void test_symlink_and_fifo_fail_unread(void **state)
{
    (void)state;
    struct fixture *fx = fixture_new(NULL, NULL);
    char secret[256], link_path[256], fifo[256];
    write_file(fx->root, "secret", "TOP-SECRET", 10);
    snprintf(secret, sizeof(secret), "%s/secret", fx->root);
    snprintf(link_path, sizeof(link_path), "%s/link.txt", fx->inbox);
    snprintf(fifo, sizeof(fifo), "%s/pipe.txt", fx->inbox);
    assert_int_equal(symlink(secret, link_path), 0);
    assert_int_equal(mkfifo(fifo, 0644), 0);
    publisher_offer(fx->p, "link.txt");
    publisher_offer(fx->p, "pipe.txt"); /* would block forever if opened for reading */
    settle_all(fx);
    struct stat st;
    snprintf(link_path, sizeof(link_path), "%s/link.txt", fx->failed);
    assert_int_equal(lstat(link_path, &st), 0);
    assert_true(S_ISLNK(st.st_mode)); /* the link itself moved, its target untouched */
    snprintf(fifo, sizeof(fifo), "%s/pipe.txt", fx->failed);
    assert_int_equal(lstat(fifo, &st), 0);
    assert_true(S_ISFIFO(st.st_mode));
    char *side = read_text(fx->failed, "link.txt.error");
    assert_non_null(side);
    assert_non_null(strstr(side, "error=not-regular-file\n"));
    assert_non_null(strstr(side, "symlink"));
    assert_null(strstr(side, "TOP-SECRET"));
    free(side);
    side = read_text(fx->failed, "pipe.txt.error");
    assert_non_null(side);
    assert_non_null(strstr(side, "FIFO"));
    free(side);
    assert_true(exists_at(fx->root, "secret"));
    assert_int_equal(publisher_stats(fx->p)->sent, 0);
    assert_int_equal(publisher_stats(fx->p)->failed, 2);
    fixture_free(fx);
}

static void test_sidecar_never_replaces_a_file(void **state)
{
    (void)state;
    struct fixture *fx = fixture_new(NULL, NULL);
    assert_int_equal(mkdir(fx->failed, 0755), 0);
    write_file(fx->failed, "x.error", "an earlier failed file named x.error", 36);
    write_file(fx->inbox, "x", "", 0);
    publisher_offer(fx->p, "x");
    settle_all(fx);
    char *kept = read_text(fx->failed, "x.error");
    assert_non_null(kept);
    assert_string_equal(kept, "an earlier failed file named x.error");
    free(kept);
    assert_true(exists_at(fx->failed, "x.1"));
    char *side = read_text(fx->failed, "x.1.error");
    assert_non_null(side);
    assert_non_null(strstr(side, "error=empty-file\n"));
    free(side);
    fixture_free(fx);
}

static void test_newline_in_name_cannot_split_the_sidecar(void **state)
{
    (void)state;
    struct fixture *fx = fixture_new(NULL, NULL);
    write_file(fx->inbox, "n\nerror=forged", "", 0);
    publisher_offer(fx->p, "n\nerror=forged");
    settle_all(fx);
    char *side = read_text(fx->failed, "n\nerror=forged.error");
    assert_non_null(side);
    assert_non_null(strstr(side, "error=empty-file\n"));
    assert_null(strstr(side, "\nerror=forged"));
    assert_non_null(strstr(side, "file=\"n\\nerror=forged\"\n"));
    free(side);
    fixture_free(fx);
}

static void test_non_utf8_name_is_sent(void **state)
{
    (void)state;
    struct fixture *fx = fixture_new(NULL, NULL);
    const char gbk[] = "\xb1\xa8\xb8\xe6.txt"; /* 报告 in GBK */
    write_file(fx->inbox, gbk, "report", 6);
    publisher_offer(fx->p, gbk);
    settle_all(fx);
    assert_int_equal(publisher_stats(fx->p)->sent, 1);
    assert_int_equal(publisher_stats(fx->p)->failed, 0);
    char day[256];
    today(day, sizeof(day), fx->done);
    assert_true(exists_at(day, gbk));
    char name[64], raw[64];
    first_header(fx, "reports.raw", RF_HDR_FILE_NAME, name, sizeof(name));
    /* each GBK byte as U+FFFD */
    assert_string_equal(name, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd.txt");
    first_header(fx, "reports.raw", RF_HDR_FILE_NAME_RAW, raw, sizeof(raw));
    assert_string_equal(raw, "%B1%A8%B8%E6.txt");
    fixture_free(fx);
}

static void test_archive_across_file_systems(void **state)
{
    (void)state;
    struct stat tmp_st, shm_st;
    if (stat("/tmp", &tmp_st) != 0 || stat("/dev/shm", &shm_st) != 0 ||
        tmp_st.st_dev == shm_st.st_dev) {
        skip(); /* needs /tmp and /dev/shm on different file systems */
    }
    char done[64];
    snprintf(done, sizeof(done), "/dev/shm/test_publish_done.%d", (int)getpid());
    struct fixture *fx = fixture_new(done, NULL);
    write_file(fx->inbox, "d.txt", "crosses a mount", 15);
    publisher_offer(fx->p, "d.txt");
    settle_all(fx);
    char day[256];
    today(day, sizeof(day), fx->done);
    char *archived = read_text(day, "d.txt");
    assert_non_null(archived);
    assert_string_equal(archived, "crosses a mount");
    free(archived);
    assert_false(exists_at(fx->inbox, "d.txt"));
    assert_int_equal(publisher_stats(fx->p)->sent, 1);
    fixture_free(fx);
}

/* failed/ on another mount (docker-compose volumes): a symlink stays a symlink, never followed */
static void test_symlink_to_failed_across_file_systems(void **state)
{
    (void)state;
    struct stat tmp_st, shm_st;
    if (stat("/tmp", &tmp_st) != 0 || stat("/dev/shm", &shm_st) != 0 ||
        tmp_st.st_dev == shm_st.st_dev) {
        skip();
    }
    char failed[64];
    snprintf(failed, sizeof(failed), "/dev/shm/test_publish_failed.%d", (int)getpid());
    struct fixture *fx = fixture_new_in(NULL, failed, NULL);
    char secret[256], link_path[256], target[256];
    write_file(fx->root, "secret", "TOP-SECRET", 10);
    snprintf(secret, sizeof(secret), "%s/secret", fx->root);
    snprintf(link_path, sizeof(link_path), "%s/link.txt", fx->inbox);
    assert_int_equal(symlink(secret, link_path), 0);
    publisher_offer(fx->p, "link.txt");
    settle_all(fx);
    snprintf(link_path, sizeof(link_path), "%s/link.txt", fx->failed);
    struct stat st;
    assert_int_equal(lstat(link_path, &st), 0);
    assert_true(S_ISLNK(st.st_mode));
    ssize_t n = readlink(link_path, target, sizeof(target) - 1);
    assert_true(n > 0);
    target[n] = '\0';
    assert_string_equal(target, secret);
    assert_false(exists_at(fx->inbox, "link.txt"));
    assert_true(exists_at(fx->failed, "link.txt.error"));
    fixture_free(fx);
}

struct handed_back {
    char rel[64];
    int cnt;
};

static void note_changed(void *ctx, const char *rel)
{
    struct handed_back *h = ctx;
    snprintf(h->rel, sizeof(h->rel), "%s", rel);
    h->cnt++;
}

/* Found complete, then written again before it was read: not sent, handed back to wait. */
static void test_changed_after_claim_is_not_sent(void **state)
{
    (void)state;
    struct fixture *fx = fixture_new(NULL, NULL);
    struct handed_back h = {{0}, 0};
    publisher_on_changed(fx->p, note_changed, &h);
    write_file(fx->inbox, "c.txt", "HEAD", 4);
    char path[256];
    struct stat claimed;
    snprintf(path, sizeof(path), "%s/c.txt", fx->inbox);
    assert_int_equal(lstat(path, &claimed), 0);
    FILE *f = fopen(path, "a");
    assert_non_null(f);
    fputs("BODY", f);
    assert_int_equal(fclose(f), 0);
    publisher_offer_claimed(fx->p, "c.txt", &claimed);
    settle_all(fx);
    assert_int_equal(publisher_stats(fx->p)->sent, 0);
    assert_int_equal(publisher_stats(fx->p)->changed, 1);
    assert_int_equal(h.cnt, 1);
    assert_string_equal(h.rel, "c.txt");
    assert_true(exists_at(fx->inbox, "c.txt"));
    /* offered again as it is now: sent, whole */
    assert_int_equal(lstat(path, &claimed), 0);
    publisher_offer_claimed(fx->p, "c.txt", &claimed);
    settle_all(fx);
    assert_int_equal(publisher_stats(fx->p)->sent, 1);
    assert_int_equal(publisher_stats(fx->p)->bytes_sent, 8);
    fixture_free(fx);
}

/* The lowest free descriptor: with the soft limit there, the next open() fails with EMFILE. */
static rlim_t lowest_free_fd(void)
{
    rlim_t fd = 0;
    while (fcntl((int)fd, F_GETFD) != -1) {
        fd++;
    }
    return fd;
}

/* Out of file descriptors when it is read: tried again later, never failed/. */
static void test_read_out_of_descriptors_is_retried(void **state)
{
    (void)state;
    struct fixture *fx = fixture_new(NULL, NULL);
    quick_retries(fx, 5);
    write_file(fx->inbox, "warm.txt", "connections up first", 20);
    publisher_offer(fx->p, "warm.txt");
    settle_all(fx);
    write_file(fx->inbox, "e.txt", "a good report", 13);
    struct rlimit saved, low;
    assert_int_equal(getrlimit(RLIMIT_NOFILE, &saved), 0);
    low = saved;
    low.rlim_cur = lowest_free_fd();
    publisher_offer(fx->p, "e.txt");
    assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
    int rc = publisher_pump(fx->p); /* its open() fails with EMFILE */
    assert_int_equal(setrlimit(RLIMIT_NOFILE, &saved), 0);
    assert_int_equal(rc, 0);
    assert_int_equal(publisher_stats(fx->p)->read_retries, 1);
    settle_all(fx);
    assert_false(exists_at(fx->failed, "e.txt"));
    assert_int_equal(publisher_stats(fx->p)->failed, 0);
    assert_int_equal(publisher_stats(fx->p)->sent, 2);
    fixture_free(fx);
}

/* done/ cannot be made: a regular file sits where its folder would be (ENOTDIR, even for root). */
static void block_done(struct fixture *fx)
{
    write_file(fx->root, "done", "not a folder", 12);
}

static void unblock_done(struct fixture *fx)
{
    char path[256];
    snprintf(path, sizeof(path), "%s/done", fx->root);
    assert_int_equal(unlink(path), 0);
}

/* Delivered, done/ refuses it: never sent again (a rescan offers it again); archived once it can.
 */
static void test_archive_failure_is_retried_never_resent(void **state)
{
    (void)state;
    struct fixture *fx = fixture_new(NULL, NULL);
    quick_retries(fx, 1000);
    block_done(fx);
    write_file(fx->inbox, "a.txt", "report a", 8);
    publisher_offer(fx->p, "a.txt");
    run_for(fx, 500);
    assert_int_equal(publisher_stats(fx->p)->sent, 1);
    assert_int_equal(publisher_stats(fx->p)->archive_waiting, 1);
    assert_true(publisher_stats(fx->p)->archive_retries >= 2);
    publisher_offer(fx->p, "a.txt"); /* what a rescan does: it is still in the inbox */
    run_for(fx, 200);
    assert_true(exists_at(fx->inbox, "a.txt"));
    unblock_done(fx);
    settle_all(fx);
    char day[256];
    today(day, sizeof(day), fx->done);
    assert_true(exists_at(day, "a.txt"));
    assert_false(exists_at(fx->inbox, "a.txt"));
    assert_false(exists_at(fx->failed, "a.txt"));
    assert_int_equal(publisher_stats(fx->p)->sent, 1);
    assert_int_equal(count_records(fx, "reports.raw"), 1);
    fixture_free(fx);
}

/* done/ never takes it: after the tries, failed/ with a sidecar saying it was delivered. */
static void test_archive_failure_gives_up_to_failed(void **state)
{
    (void)state;
    struct fixture *fx = fixture_new(NULL, NULL);
    quick_retries(fx, 3);
    block_done(fx);
    write_file(fx->inbox, "b.txt", "report b", 8);
    publisher_offer(fx->p, "b.txt");
    settle_all(fx);
    assert_false(exists_at(fx->inbox, "b.txt"));
    assert_true(exists_at(fx->failed, "b.txt"));
    char *side = read_text(fx->failed, "b.txt.error");
    assert_non_null(side);
    assert_non_null(strstr(side, "error=not-archived\n"));
    assert_non_null(strstr(side, "delivered to reports.raw (partition "));
    assert_non_null(strstr(side, "after 3 tries"));
    free(side);
    const struct publish_stats *s = publisher_stats(fx->p);
    assert_int_equal(s->sent, 1);
    assert_int_equal(s->unarchived, 1);
    assert_int_equal(s->archive_retries, 2);
    assert_int_equal(s->failed, 0); /* no dead letter: it was delivered */
    assert_int_equal(count_records(fx, "reports.raw"), 1);
    assert_int_equal(count_records(fx, "reports.dlq"), 0);
    fixture_free(fx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_delivered_then_archived),
        cmocka_unit_test(test_replaced_in_flight_is_sent_again),
        cmocka_unit_test(test_too_large_before_sending_fails_with_dead_letter),
        cmocka_unit_test(test_broker_refuses_too_large_fails_once),
        cmocka_unit_test(test_broker_error_sent_again_after_a_backoff),
        cmocka_unit_test(test_broker_rejects_record_fails_once),
        cmocka_unit_test(test_archive_inside_a_recursive_inbox_refused),
        cmocka_unit_test(test_queue_past_the_bound_leaves_files_behind),
        cmocka_unit_test(test_symlink_and_fifo_fail_unread),
        cmocka_unit_test(test_sidecar_never_replaces_a_file),
        cmocka_unit_test(test_newline_in_name_cannot_split_the_sidecar),
        cmocka_unit_test(test_non_utf8_name_is_sent),
        cmocka_unit_test(test_archive_across_file_systems),
        cmocka_unit_test(test_symlink_to_failed_across_file_systems),
        cmocka_unit_test(test_changed_after_claim_is_not_sent),
        cmocka_unit_test(test_read_out_of_descriptors_is_retried),
        cmocka_unit_test(test_archive_failure_is_retried_never_resent),
        cmocka_unit_test(test_archive_failure_gives_up_to_failed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
