/*
 * test_sink_faults.c - every database failure of the sink has an end
 * (sink.c, writer.c against the scripted PostgreSQL of sink_fixture.h): a batch
 * failing twice for its size is split down to the record that fails alone,
 * which becomes a dead letter; an outage longer than sink.max_outage_ms leaves
 * the group, which is joined again when PostgreSQL answers; PQcancel is sent
 * outside the writer's lock; a statement the server never answers has its
 * connection dropped.
 */
#include "sink_fixture.h"

/*
 * A batch that fails twice for its size (a statement timeout) is stored in
 * halves, down to single records; the one record that fails even alone becomes
 * a dead letter with that reason. Every record is stored once, and the
 * offsets are committed past all of them.
 */
static int scenario_split_on_size_failures(void)
{
    record_kind = RECORDS_ENVELOPES;
    struct running r = {0};
    CHECK(start_sink(&r, FAKE_PG_SIZE_LIMIT) == 0, "sink not started");
    bool all = wait_until(all_records_stored, 90);
    rf_run_request_stop();
    pthread_join(r.thread, NULL);
    sink_free(r.args.sink);
    long long committed = committed_offset(&r.cluster);
    stop_cluster(&r);
    CHECK(all, "not every record was stored: a batch failing for its size was retried for ever");
    CHECK(strcmp(fake.poison_code, "db-statement-timeout") == 0,
          "the record that fails alone was stored as '%s', not as a dead letter with its reason",
          fake.poison_code);
    for (int i = 0; i < RECORDS; i++) {
        CHECK(atomic_load(&fake.stored[i]) == 1, "record %d stored %d times", i,
              atomic_load(&fake.stored[i]));
    }
    CHECK(committed == RECORDS, "committed offset %lld, want %d", committed, RECORDS);
    return 0;
}

static struct sink *watched;

static bool out_of_group(void)
{
    return !sink_in_group(watched);
}

static bool back_and_all_stored(void)
{
    return sink_in_group(watched) && all_records_stored();
}

/*
 * PostgreSQL unreachable for longer than sink.max_outage_ms: the sink gives up
 * its batch and leaves the group (another sink may take the partitions); when
 * PostgreSQL answers, it joins again and every record is stored.
 */
static int scenario_leaves_group_in_long_outage(void)
{
    static const char *const flags[] = {"sink.max_outage_ms=1000", NULL};
    extra_flags = flags;
    atomic_store(&fake.away, 1);
    struct running r = {0};
    CHECK(start_sink(&r, FAKE_PG_AWAY) == 0, "sink not started");
    watched = r.args.sink;
    bool left = wait_until(out_of_group, 30);
    int failed = atomic_load(&fake.failed_stores);
    atomic_store(&fake.away, 0);
    bool back = left && wait_until(back_and_all_stored, 60);
    rf_run_request_stop();
    pthread_join(r.thread, NULL);
    sink_free(r.args.sink);
    long long committed = committed_offset(&r.cluster);
    stop_cluster(&r);
    CHECK(failed > 0, "no batch failed: the test proves nothing");
    CHECK(left, "PostgreSQL away past sink.max_outage_ms and the sink is still in its group");
    CHECK(back, "the sink did not join again and store every record once PostgreSQL answered");
    CHECK(committed == RECORDS, "committed offset %lld, want %d", committed, RECORDS);
    return 0;
}

static int64_t cancel_call_ms;

static void *send_cancel(void *arg)
{
    int64_t t0 = rf_clock_mono_ms();
    writer_cancel(arg);
    cancel_call_ms = rf_clock_mono_ms() - t0;
    return NULL;
}

/*
 * A cancel is sent outside the writer's lock: while PQcancel takes its time (a
 * server slow to take the cancel request), the writer's status still answers
 * at once, and so does the caller of writer_cancel().
 */
static int scenario_cancel_outside_the_lock(void)
{
    fake.mode = FAKE_PG_HANGS;
    atomic_store(&fake.cancel_ms, 1500);
    struct rf_config *cfg = NULL;
    struct writer *w = fake_writer(&cfg, NULL, NULL);
    CHECK(w, "writer not started");
    struct batch b;
    memset(&b, 0, sizeof(b));
    batch_seal(&b);
    writer_submit(w, &b);
    CHECK(wait_until(storing, 10), "the batch did not reach the database");
    pthread_t t;
    CHECK(pthread_create(&t, NULL, send_cancel, w) == 0, "thread");
    usleep(200 * 1000); /* the cancel is being sent now */
    int64_t t0 = rf_clock_mono_ms();
    (void)writer_status(w);
    int64_t status_ms = rf_clock_mono_ms() - t0;
    pthread_join(t, NULL);
    bool sent = wait_until(cancelled, 5);
    rf_run_request_stop();
    struct writer_done done;
    struct batch *back = writer_collect(w, 5000, &done);
    writer_stop(w);
    rf_config_free(cfg);
    CHECK(sent, "the cancel was never sent");
    CHECK(status_ms < 100, "writer_status() waited %lld ms while a cancel was being sent",
          (long long)status_ms);
    CHECK(cancel_call_ms < 100, "writer_cancel() took %lld ms: it waited for PQcancel",
          (long long)cancel_call_ms);
    CHECK(back == &b && done.outcome == WRITER_GAVE_UP, "the cancelled batch did not come back");
    return 0;
}

/*
 * A server that takes a statement and never answers (frozen: its kernel keeps
 * the TCP connection alive, so no TCP timeout fires): once the statement has
 * waited pg.statement_timeout_ms + 5 s, writer_watch() drops the connection;
 * the writer reconnects and stores the batch.
 */
static int scenario_unanswered_statement_dropped(void)
{
    CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, fake.socks) == 0, "socketpair");
    fake.mode = FAKE_PG_SILENT;
    struct rf_config *cfg = NULL;
    struct writer *w = fake_writer(&cfg, "pg.statement_timeout_ms", "10");
    CHECK(w, "writer not started");
    struct batch b;
    memset(&b, 0, sizeof(b));
    batch_seal(&b);
    int64_t t0 = rf_clock_mono_ms();
    writer_submit(w, &b);
    struct writer_done done;
    struct batch *back = NULL;
    while (!back && rf_clock_mono_ms() - t0 < 15000) {
        writer_watch(w);
        back = writer_collect(w, 50, &done);
    }
    int64_t took = rf_clock_mono_ms() - t0;
    if (!back) {
        /* the watchdog failed: close the server's end, so the writer (and the test) can end */
        close(fake.socks[1]);
        fake.socks[1] = -1;
    }
    struct writer_status st = writer_status(w);
    writer_stop(w);
    rf_config_free(cfg);
    close(fake.socks[0]);
    if (fake.socks[1] >= 0) {
        close(fake.socks[1]);
    }
    CHECK(back == &b && done.outcome == WRITER_STORED,
          "the batch never came back from a server that does not answer (%lld ms)",
          (long long)took);
    CHECK(st.dropped == 1, "%llu connections dropped, want 1", (unsigned long long)st.dropped);
    CHECK(took >= WRITER_ANSWER_GRACE_MS && took < WRITER_ANSWER_GRACE_MS + 3000,
          "dropped after %lld ms, want about %d", (long long)took, WRITER_ANSWER_GRACE_MS);
    return 0;
}

CHILD_TEST(split_on_size_failures)
CHILD_TEST(leaves_group_in_long_outage)
CHILD_TEST(cancel_outside_the_lock)
CHILD_TEST(unanswered_statement_dropped)

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_split_on_size_failures),
        cmocka_unit_test(test_leaves_group_in_long_outage),
        cmocka_unit_test(test_cancel_outside_the_lock),
        cmocka_unit_test(test_unanswered_statement_dropped),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
