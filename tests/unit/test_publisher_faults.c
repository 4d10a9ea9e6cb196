/*
 * test_publisher_faults.c - the publisher on librdkafka's mock cluster, for files
 * that cannot be sent, or not now: too large (before sending, or refused by the
 * broker) and refused for their bytes -> failed/ with a dead letter, once; a
 * broker's error -> sent again after a backoff; a read out of descriptors -> tried
 * again, never failed/; a delivered file done/ refuses -> never sent again,
 * archived once done/ takes it, or failed/ (not-archived) after the tries; done/ or
 * failed/ inside a recursive inbox -> refused at start; a full queue -> files left
 * behind.
 */
#include "publisher_fixture.h"

static void test_too_large_before_sending_fails_with_dead_letter(void **state)
{
    (void)state;
    struct fixture *fx = fixture_new(NULL, "2000");
    char big[5000];
    memset(big, 'x', sizeof(big));
    write_file(fx->inbox, "big.txt", big, sizeof(big));
    publisher_offer(fx->p, "big.txt");
    settle_all(fx);
    free(failed_with(fx, "big.txt", "too-large"));
    assert_int_equal(publisher_stats(fx->p)->failed, 1);
    assert_int_equal(publisher_stats(fx->p)->sent, 0);
    char code[64];
    first_header(fx, "reports.dlq", RF_HDR_ERROR_CODE, code, sizeof(code));
    assert_string_equal(code, "too-large");
    fixture_free(fx);
}

/* @p name was refused by the broker for good: in failed/ with a sidecar saying @p code and
   why, a dead letter of @p code, and never sent again. */
static void assert_refused_once(struct fixture *fx, const char *name, const char *code)
{
    char got[64];
    assert_false(publisher_failed(fx->p));
    char *side = failed_with(fx, name, code);
    assert_non_null(strstr(side, "the broker refused it"));
    free(side);
    assert_int_equal(publisher_stats(fx->p)->failed, 1);
    assert_int_equal(publisher_stats(fx->p)->retried, 0); /* not sent again and again */
    first_header(fx, "reports.dlq", RF_HDR_ERROR_CODE, got, sizeof(got));
    assert_string_equal(got, code);
}

/* A record the broker refuses for its bytes (too large for it, or against a topic's policy)
   would be refused again: a dead letter, once. */
static void test_broker_refuses_for_its_bytes_fails_once(void **state)
{
    (void)state;
    const struct {
        rd_kafka_resp_err_t err;
        const char *code;
    } cases[] = {{RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE, "too-large"},
                 {RD_KAFKA_RESP_ERR_INVALID_RECORD, "rejected"}};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct fixture *fx = fixture_new(NULL, NULL);
        offer_against_errors(fx, 1, cases[i].err, "c.txt", "refused by the broker");
        settle_all(fx);
        assert_refused_once(fx, "c.txt", cases[i].code);
        fixture_free(fx);
    }
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
    offer_against_errors(fx, 3, RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED, "d.txt",
                         "not yet allowed");
    run_for(fx, 500);
    const struct publish_stats *s = publisher_stats(fx->p);
    assert_int_equal(s->retried, 1); /* one failure, then a wait of a minute */
    assert_int_equal(s->sent, 0);
    assert_int_equal(s->failed, 0);
    assert_int_equal(s->queued, 1); /* waiting for its next try */
    assert_true(exists_at(fx->inbox, "d.txt"));
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
    char *side = failed_with(fx, "b.txt", "not-archived");
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
        cmocka_unit_test(test_too_large_before_sending_fails_with_dead_letter),
        cmocka_unit_test(test_broker_refuses_for_its_bytes_fails_once),
        cmocka_unit_test(test_broker_error_sent_again_after_a_backoff),
        cmocka_unit_test(test_archive_inside_a_recursive_inbox_refused),
        cmocka_unit_test(test_queue_past_the_bound_leaves_files_behind),
        cmocka_unit_test(test_read_out_of_descriptors_is_retried),
        cmocka_unit_test(test_archive_failure_is_retried_never_resent),
        cmocka_unit_test(test_archive_failure_gives_up_to_failed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
