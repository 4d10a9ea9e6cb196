/*
 * test_publisher.c - the publisher's state machine against librdkafka's mock
 * cluster, for files that are sent: in flight -> delivered -> archived;
 * replaced while in flight -> sent again; what is not a regular file -> failed/,
 * never read; sidecars that never replace a file; names that are not UTF-8;
 * EXDEV. Sent once: changed after it was found complete -> not sent, handed
 * back. What cannot be sent, or not now: test_publisher_faults.c.
 */
#include "publisher_fixture.h"
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
    char *side = failed_with(fx, "link.txt", "not-regular-file");
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
    free(failed_with(fx, "x.1", "empty-file"));
    fixture_free(fx);
}

static void test_newline_in_name_cannot_split_the_sidecar(void **state)
{
    (void)state;
    struct fixture *fx = fixture_new(NULL, NULL);
    write_file(fx->inbox, "n\nerror=forged", "", 0);
    publisher_offer(fx->p, "n\nerror=forged");
    settle_all(fx);
    char *side = failed_with(fx, "n\nerror=forged", "empty-file");
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_delivered_then_archived),
        cmocka_unit_test(test_replaced_in_flight_is_sent_again),
        cmocka_unit_test(test_symlink_and_fifo_fail_unread),
        cmocka_unit_test(test_sidecar_never_replaces_a_file),
        cmocka_unit_test(test_newline_in_name_cannot_split_the_sidecar),
        cmocka_unit_test(test_non_utf8_name_is_sent),
        cmocka_unit_test(test_archive_across_file_systems),
        cmocka_unit_test(test_symlink_to_failed_across_file_systems),
        cmocka_unit_test(test_changed_after_claim_is_not_sent),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
