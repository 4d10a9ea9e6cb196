/*
 * test_config.c - configuration: defaults, file lines, environment, -X, and errors that name
 * things.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "reportflow/config.h"

static char *write_temp(const char *content)
{
    char *path = strdup("/tmp/rf-test-config-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, content, strlen(content)), (ssize_t)strlen(content));
    close(fd);
    return path;
}

static void test_config_defaults(void **state)
{
    (void)state;
    struct rf_config *cfg = rf_config_new(RF_PROG_ALL);
    assert_non_null(cfg);
    assert_string_equal(cfg->topic_raw, "reports.raw");
    assert_int_equal(cfg->raw_partitions, 12);
    assert_int_equal(cfg->dlq_partitions, 3);
    assert_int_equal(cfg->max_file_bytes, 8 * 1024 * 1024);
    assert_false(cfg->watch_recursive);
    rf_config_free(cfg);
}

static void test_config_file_env_and_flags_layer(void **state)
{
    (void)state;
    char *path = write_temp("# comment\n\nwatch.dir = /data/in\nsink.batch_docs=10\n"
                            "kafka.bootstrap.servers=k1:9092\n");
    char *envp[] = {"REPORTFLOW_SINK_BATCH_DOCS=20", "REPORTFLOW_KAFKA_SASL_USERNAME=bob",
                    "OTHER=1", NULL};
    char *flags[] = {"sink.batch_docs=30", "watch.recursive=true"};
    char errstr[256];
    struct rf_config *cfg =
        rf_config_build(RF_PROG_ALL, path, flags, 2, envp, errstr, sizeof(errstr));
    assert_non_null(cfg);
    assert_string_equal(cfg->watch_dir, "/data/in");
    assert_int_equal(cfg->sink_batch_docs, 30); /* -X beats env beats file */
    assert_true(cfg->watch_recursive);
    assert_string_equal(rf_config_kafka_get(cfg, "bootstrap.servers"), "k1:9092");
    assert_string_equal(rf_config_kafka_get(cfg, "sasl.username"), "bob");
    rf_config_free(cfg);
    unlink(path);
    free(path);
}

static void test_config_unknown_key_names_file_line_and_key(void **state)
{
    (void)state;
    char *path = write_temp("watch.dir=in\nwatch.dri=oops\n");
    char errstr[512];
    struct rf_config *cfg =
        rf_config_build(RF_PROG_WORKER, path, NULL, 0, NULL, errstr, sizeof(errstr));
    assert_null(cfg);
    char want[600];
    snprintf(want, sizeof(want), "%s:2: unknown key 'watch.dri'", path);
    assert_string_equal(errstr, want);
    unlink(path);
    free(path);
}

static void test_config_bad_values_are_named(void **state)
{
    (void)state;
    struct rf_config *cfg = rf_config_new(RF_PROG_ALL);
    char errstr[512];
    assert_int_equal(rf_config_set(cfg, "sink.batch_docs", "many", "-X", errstr, sizeof(errstr)),
                     -1);
    assert_non_null(strstr(errstr, "bad value 'many' for 'sink.batch_docs'"));
    assert_int_equal(rf_config_set(cfg, "topic.raw.partitions", "0", "-X", errstr, sizeof(errstr)),
                     -1);
    assert_non_null(strstr(errstr, "from 1 to 1024"));
    assert_int_equal(rf_config_set(cfg, "archive.mode", "shred", "-X", errstr, sizeof(errstr)), -1);
    assert_non_null(strstr(errstr, "move|delete"));
    assert_int_equal(rf_config_set(cfg, "watch.recursive", "maybe", "-X", errstr, sizeof(errstr)),
                     -1);
    assert_int_equal(rf_config_set(cfg, "log.level", "debug", "-X", errstr, sizeof(errstr)), 0);
    assert_string_equal(cfg->log_level, "debug");
    rf_config_free(cfg);
}

static void test_config_env_unknown_key_is_an_error(void **state)
{
    (void)state;
    char *envp[] = {"REPORTFLOW_WATCH_DRI=x", NULL};
    char errstr[256];
    struct rf_config *cfg =
        rf_config_build(RF_PROG_PRODUCER, NULL, NULL, 0, envp, errstr, sizeof(errstr));
    assert_null(cfg);
    assert_non_null(strstr(errstr, "REPORTFLOW_WATCH_DRI"));
}

static void test_config_flag_without_equals(void **state)
{
    (void)state;
    char *flags[] = {"watch.dir"};
    char errstr[256];
    assert_null(rf_config_build(RF_PROG_PRODUCER, NULL, flags, 1, NULL, errstr, sizeof(errstr)));
    assert_non_null(strstr(errstr, "expected key=value"));
}

/* Set @p key to @p value as a -X flag would; the test fails with the error when it is refused. */
static void set_flag(struct rf_config *cfg, const char *key, const char *value)
{
    char errstr[256];
    if (rf_config_set(cfg, key, value, "-X", errstr, sizeof(errstr)) != 0) {
        fail_msg("%s=%s: %s", key, value, errstr);
    }
}

/*
 * With @p key set to @p value, rf_config_print() must not show @p secret
 * anywhere and must show the line @p shown.
 */
static void assert_print_masks(const char *key, const char *value, const char *secret,
                               const char *shown)
{
    struct rf_config *cfg = rf_config_new(RF_PROG_ALL);
    assert_non_null(cfg);
    set_flag(cfg, key, value);
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    assert_non_null(out);
    rf_config_print(cfg, out);
    assert_int_equal(fclose(out), 0);
    rf_config_free(cfg);
    if (strstr(text, secret) || !strstr(text, shown)) {
        fail_msg("%s=%s printed without hiding '%s' or without the line '%s'", key, value, secret,
                 shown);
    }
    free(text);
}

static void test_config_print_masks_secrets(void **state)
{
    (void)state;
    assert_print_masks("kafka.sasl.password", "hunter2", "hunter2", "kafka.sasl.password=***\n");
    assert_print_masks("pg.conninfo", "host=x password=pw", "password=pw",
                       "pg.conninfo=host=x password=***\n");
    assert_print_masks("pg.conninfo", "postgresql://u:s3cr3t@db/rf", "s3cr3t",
                       "pg.conninfo=postgresql://u:***@db/rf\n");
    assert_print_masks("kafka.sasl.oauthbearer.config", "principal=admin extension_x=t0ps3cr3t",
                       "t0ps3cr3t", "kafka.sasl.oauthbearer.config=***\n");
}

/* rf_config_mask_value(key, value) must equal @p want. */
static void assert_masked(const char *key, const char *value, const char *want)
{
    char *got = rf_config_mask_value(key, value);
    assert_non_null(got);
    assert_string_equal(got, want);
    free(got);
}

static void test_config_mask_secret_keys_whole(void **state)
{
    (void)state;
    assert_masked("kafka.sasl.password", "hunter2", "***");
    assert_masked("kafka.ssl.keystore.password", "k", "***");
    assert_masked("kafka.sasl.oauthbearer.config", "principal=u clientSecret=s", "***");
    assert_masked("kafka.sasl.jaas.config", "x required password=\"p\";", "***");
    assert_masked("kafka.sasl.oauthbearer.client.secret", "s", "***");
    assert_masked("kafka.ssl.key.pem", "-----BEGIN", "***");
    assert_masked("some.API_TOKEN", "t0k", "***");
    assert_masked("kafka.sasl.password", "", ""); /* unset stays visibly unset */
    assert_false(rf_config_key_is_secret("kafka.sasl.username"));
    assert_false(rf_config_key_is_secret("pg.conninfo"));
}

static void test_config_mask_conninfo_key_value(void **state)
{
    (void)state;
    assert_masked("pg.conninfo", "host=db password=pw user=u", "host=db password=*** user=u");
    assert_masked("pg.conninfo", "host=db password = 'a b\\' c' user=u",
                  "host=db password = *** user=u");
    assert_masked("pg.conninfo", "PASSWORD=x sslpassword=y", "PASSWORD=*** sslpassword=***");
    assert_masked("pg.conninfo", "host=db passfile=/s/pgpass", "host=db passfile=/s/pgpass");
    assert_masked("pg.conninfo", "host=db password=", "host=db password=");
    assert_masked(NULL, "dbname=x password=s3", "dbname=x password=***");
}

static void test_config_mask_conninfo_uri(void **state)
{
    (void)state;
    assert_masked("pg.conninfo", "postgresql://u:secret@db:5432/rf",
                  "postgresql://u:***@db:5432/rf");
    assert_masked("pg.conninfo", "postgres://u:p@ss@db/rf", "postgres://u:***@db/rf");
    assert_masked("pg.conninfo", "postgresql://u@db/rf?password=s&sslmode=require",
                  "postgresql://u@db/rf?password=***&sslmode=require");
    assert_masked("pg.conninfo", "postgresql://db/rf", "postgresql://db/rf");
    assert_masked("kafka.bootstrap.servers", "SASL_SSL://k1:9093", "SASL_SSL://k1:9093");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_config_defaults),
        cmocka_unit_test(test_config_file_env_and_flags_layer),
        cmocka_unit_test(test_config_unknown_key_names_file_line_and_key),
        cmocka_unit_test(test_config_bad_values_are_named),
        cmocka_unit_test(test_config_env_unknown_key_is_an_error),
        cmocka_unit_test(test_config_flag_without_equals),
        cmocka_unit_test(test_config_print_masks_secrets),
        cmocka_unit_test(test_config_mask_secret_keys_whole),
        cmocka_unit_test(test_config_mask_conninfo_key_value),
        cmocka_unit_test(test_config_mask_conninfo_uri),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
