/*
 * test_sink_loop.c - the sink's Kafka loop and database thread (sink.c,
 * writer.c, batch.c) against librdkafka's mock cluster and a scripted
 * PostgreSQL (sink_fixture.h): batches bounded in records and in bytes before
 * the first connection; no offset past a batch that was lost; a second signal
 * cancels at once; dead letters keep a file name's bytes from file.name.raw.
 * The failure cases (split, outage, cancel, unanswered statement) are in
 * test_sink_faults.c.
 */
#include "sink_fixture.h"

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
 * The same, bounded in bytes: with room for 1000 records but 1024 bytes, the
 * batch closes after four records of some 300 bytes (the fourth crosses the
 * bound; two small dead letters may come first), not after a thousand.
 */
static int scenario_bounded_in_bytes(void)
{
    static const char *const flags[] = {"sink.batch_docs=1000", "sink.batch_bytes=1024", NULL};
    extra_flags = flags;
    record_kind = RECORDS_LARGE;
    struct running r = {0};
    CHECK(start_sink(&r, FAKE_PG_DOWN) == 0, "sink not started");
    sleep(8);
    rf_run_request_stop();
    pthread_join(r.thread, NULL);
    struct sink_stats st = sink_get_stats(r.args.sink);
    size_t bytes = sink_filling_bytes(r.args.sink);
    size_t filling = sink_filling_records(r.args.sink);
    sink_free(r.args.sink);
    stop_cluster(&r);
    CHECK(st.records > 0, "the sink took no record at all: the test proves nothing");
    CHECK(filling <= 6 && bytes < 1024 + 320,
          "PostgreSQL down at start: %zu records of %zu bytes in the batch (bound 1024 bytes)",
          filling, bytes);
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

/* Every event and both dead letters: the letters may land in a batch after the events. */
static bool records_and_letters_stored(void)
{
    return all_records_stored() && atomic_load(&fake.letters_named) >= 2;
}

/* Dead letters keep a file name's bytes, from the producer's file.name.raw, when not UTF-8. */
static int scenario_dead_letters_keep_raw_names(void)
{
    struct running r = {0};
    CHECK(start_sink(&r, FAKE_PG_STORES) == 0, "sink not started");
    bool all = wait_until(records_and_letters_stored, 30);
    rf_run_request_stop();
    pthread_join(r.thread, NULL);
    sink_free(r.args.sink);
    stop_cluster(&r);
    CHECK(all, "not every record and dead letter was stored");
    CHECK(strcmp(fake.raw_names[0], "b2e2cad42e747874") == 0,
          "the GBK name's bytes were not kept from file.name.raw: '%s'", fake.raw_names[0]);
    CHECK(fake.raw_names[1][0] == '\0', "a UTF-8 name needs no bytes kept, got '%s'",
          fake.raw_names[1]);
    return 0;
}

CHILD_TEST(bounded_in_bytes)
CHILD_TEST(dead_letters_keep_raw_names)

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
        cmocka_unit_test(test_bounded_in_bytes),
        cmocka_unit_test(test_dead_letters_keep_raw_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
