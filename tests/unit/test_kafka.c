/* test_kafka.c - the group consumer's settings that depend on what the program does. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <librdkafka/rdkafka.h>

#include "reportflow/config.h"
#include "reportflow/kafka.h"

/* The max.poll.interval.ms of a consumer made for records of @p record_ms, with @p flag (a
   -X key=value, or NULL) set; nothing listens at its bootstrap address. */
static long long max_poll_of(long long record_ms, const char *flag)
{
    struct rf_config *cfg = rf_config_new(RF_PROG_WORKER);
    assert_non_null(cfg);
    char errstr[512];
    assert_int_equal(
        rf_config_set(cfg, "kafka.bootstrap.servers", "127.0.0.1:1", "-X", errstr, sizeof(errstr)),
        0);
    if (flag) {
        char key[128];
        const char *eq = strchr(flag, '=');
        snprintf(key, sizeof(key), "%.*s", (int)(eq - flag), flag);
        assert_int_equal(rf_config_set(cfg, key, eq + 1, "-X", errstr, sizeof(errstr)), 0);
    }
    const char *const topics[] = {"t"};
    rd_kafka_t *rk =
        rf_kafka_group_consumer_new(cfg, "g", topics, 1, record_ms, errstr, sizeof(errstr));
    if (!rk) {
        fail_msg("consumer: %s", errstr);
    }
    char value[32];
    size_t size = sizeof(value);
    assert_int_equal(rd_kafka_conf_get(rd_kafka_conf(rk), "max.poll.interval.ms", value, &size),
                     RD_KAFKA_CONF_OK);
    rd_kafka_destroy_flags(rk, RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE);
    rf_config_free(cfg);
    return strtoll(value, NULL, 10);
}

static void test_kafka_group_keeps_a_member_through_its_longest_record(void **state)
{
    (void)state;
    assert_int_equal(max_poll_of(0, NULL), 600000); /* the sink: polls all the time */
    /* the worker's defaults (120 s to convert, 3 s to extract) stay under 10 minutes */
    assert_int_equal(max_poll_of(123000, NULL), 600000);
    /* an hour for a long scan: the group waits over two */
    assert_int_equal(max_poll_of(3603000, NULL), 2 * 3603000 + 60000);
    /* no CPU limit: librdkafka's largest, a day */
    assert_int_equal(max_poll_of(RF_KAFKA_RECORD_UNBOUNDED, NULL), 86400000);
    assert_int_equal(max_poll_of(100000000, NULL), 86400000); /* past the ceiling */
    /* the operator's kafka.* key still wins */
    assert_int_equal(max_poll_of(3603000, "kafka.max.poll.interval.ms=900000"), 900000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kafka_group_keeps_a_member_through_its_longest_record),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
