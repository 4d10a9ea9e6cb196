/* test_topics.c - the topics' specs: the raw topic is the record (compacted, kept forever),
   what counts as a mismatch, and the full set of settings an alteration carries. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "reportflow/topics.h"

static int setup(void **state)
{
    struct rf_config *cfg = rf_config_new(RF_PROG_ALL);
    assert_non_null(cfg);
    *state = cfg;
    return 0;
}

static int teardown(void **state)
{
    rf_config_free(*state);
    return 0;
}

static const char *value_of(const struct rf_topic_config *set, size_t cnt, const char *name)
{
    const char *found = NULL;
    for (size_t i = 0; i < cnt; i++) {
        if (strcmp(set[i].name, name) == 0) {
            assert_null(found); /* each setting once */
            found = set[i].value;
        }
    }
    return found;
}

static void test_topics_only_raw_is_compacted(void **state)
{
    const struct rf_config *cfg = *state;
    assert_true(rf_topics_spec(cfg, RF_TOPIC_RAW).compacted);
    assert_false(rf_topics_spec(cfg, RF_TOPIC_EVENTS).compacted);
    assert_false(rf_topics_spec(cfg, RF_TOPIC_DLQ).compacted);
    assert_string_equal(
        value_of(rf_topics_record_configs, RF_TOPICS_RECORD_CONFIG_CNT, "cleanup.policy"),
        "compact");
    assert_string_equal(
        value_of(rf_topics_record_configs, RF_TOPICS_RECORD_CONFIG_CNT, "retention.ms"), "-1");
}

static void test_topics_record_mismatch(void **state)
{
    const struct rf_config *cfg = *state;
    struct rf_topic_spec raw = rf_topics_spec(cfg, RF_TOPIC_RAW);
    struct rf_topic_spec events = rf_topics_spec(cfg, RF_TOPIC_EVENTS);
    const struct rf_topic_config old[] = {{"max.message.bytes", "16000000"},
                                          {"cleanup.policy", "delete"},
                                          {"retention.ms", "604800000"}};
    const struct rf_topic_config half[] = {{"cleanup.policy", "compact"},
                                           {"retention.ms", "604800000"}};
    const struct rf_topic_config both[] = {{"cleanup.policy", "compact,delete"},
                                           {"retention.ms", "-1"}};
    const struct rf_topic_config good[] = {
        {"retention.ms", "-1"}, {"cleanup.policy", "compact"}, {"segment.bytes", "1073741824"}};
    assert_string_equal(rf_topics_record_mismatch(&raw, old, 3)->name, "cleanup.policy");
    assert_string_equal(rf_topics_record_mismatch(&raw, half, 2)->name, "retention.ms");
    assert_string_equal(rf_topics_record_mismatch(&raw, both, 2)->name, "cleanup.policy");
    assert_string_equal(rf_topics_record_mismatch(&raw, NULL, 0)->name, "cleanup.policy");
    assert_null(rf_topics_record_mismatch(&raw, good, 3));
    assert_null(rf_topics_record_mismatch(&events, old, 3)); /* not ours to compact */
}

static void test_topics_altered_configs_carry_the_rest(void **state)
{
    const struct rf_config *cfg = *state;
    struct rf_topic_spec raw = rf_topics_spec(cfg, RF_TOPIC_RAW);
    const struct rf_topic_config own[] = {{"max.message.bytes", "16000000"},
                                          {"min.insync.replicas", "2"},
                                          {"retention.ms", "604800000"},
                                          {"cleanup.policy", "delete"},
                                          {"segment.ms", "3600000"}};
    struct rf_topic_config out[8];
    size_t n = rf_topics_altered_configs(&raw, own, 5, out, 8);
    assert_int_equal(n, 5);
    assert_string_equal(value_of(out, n, "max.message.bytes"), "16000000");
    assert_string_equal(value_of(out, n, "min.insync.replicas"), "2");
    assert_string_equal(value_of(out, n, "segment.ms"), "3600000");
    assert_string_equal(value_of(out, n, "cleanup.policy"), "compact");
    assert_string_equal(value_of(out, n, "retention.ms"), "-1");

    /* a topic with nothing of its own (made by hand with broker defaults) */
    n = rf_topics_altered_configs(&raw, NULL, 0, out, 8);
    assert_int_equal(n, 2);
    assert_string_equal(value_of(out, n, "cleanup.policy"), "compact");
    assert_string_equal(value_of(out, n, "retention.ms"), "-1");

    /* no room for all: nothing, rather than a set that would reset the rest */
    assert_int_equal(rf_topics_altered_configs(&raw, own, 5, out, 4), 0);
    assert_int_equal(rf_topics_altered_configs(&raw, own, 5, out, 2), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_topics_only_raw_is_compacted),
        cmocka_unit_test(test_topics_record_mismatch),
        cmocka_unit_test(test_topics_altered_configs_carry_the_rest),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
