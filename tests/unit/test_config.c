/*
 * test_config.c - configuration: defaults, file lines, environment, -X, and errors that name
 * things.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "reportflow/config.h"
#include "reportflow/secret.h"

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
    assert_int_equal(cfg->max_file_bytes, 64 * 1024 * 1024);
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
    /* the file serves every program, but no program reads watch.dri */
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

/* A conninfo libpq cannot parse stops the program at start, and libpq's reason, which quotes
   the token at fault (here the password), is not shown. */
static void test_config_bad_conninfo_refused_password_hidden(void **state)
{
    (void)state;
    struct rf_config *cfg = rf_config_new(RF_PROG_ALL);
    char errstr[512];
    const char *bad[] = {"postgresql://rf:Pa%ss@db/rf", "host=db password=two words",
                         "host=db password='unclosed"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(rf_config_set(cfg, "pg.conninfo", bad[i], "-X", errstr, sizeof(errstr)),
                         -1);
        assert_non_null(strstr(errstr, "-X: bad value for 'pg.conninfo'"));
        assert_null(strstr(errstr, "Pa%ss"));
        assert_null(strstr(errstr, "words"));
        assert_null(strstr(errstr, "unclosed"));
    }
    const char *good[] = {"", "host=/tmp dbname=rf password=s3cret",
                          "postgresql://rf:Pa%25ss@db:5432/rf?sslmode=require"};
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        assert_int_equal(rf_config_set(cfg, "pg.conninfo", good[i], "-X", errstr, sizeof(errstr)),
                         0);
        assert_string_equal(cfg->pg_conninfo, good[i]);
    }
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

/* What rf_config_print() prints for @p cfg; free() it. */
static char *print_of(const struct rf_config *cfg)
{
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    assert_non_null(out);
    rf_config_print(cfg, out);
    assert_int_equal(fclose(out), 0);
    assert_non_null(text);
    return text;
}

/*
 * With @p key set to @p value, the sink's rf_config_print() must not show @p secret
 * anywhere and must show the line @p shown.
 */
static void assert_print_masks(const char *key, const char *value, const char *secret,
                               const char *shown)
{
    struct rf_config *cfg = rf_config_new(RF_PROG_SINK);
    assert_non_null(cfg);
    set_flag(cfg, key, value);
    char *text = print_of(cfg);
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

/* The keys of the key=value lines of @p text, in order, each followed by one space. */
static void keys_of(const char *text, char *keys, size_t keys_size)
{
    size_t used = 0;
    keys[0] = '\0';
    for (const char *line = text; *line;) {
        size_t len = strcspn(line, "\n");
        if (*line != '#') {
            int n = snprintf(keys + used, keys_size - used, "%.*s ", (int)strcspn(line, "="), line);
            assert_true(n > 0 && (size_t)n < keys_size - used);
            used += (size_t)n;
        }
        line += len + (line[len] == '\n');
    }
}

/* Whether the space-separated list @p keys holds @p key. */
static bool has_key(const char *keys, const char *key)
{
    size_t n = strlen(key);
    for (const char *p = keys; *p;) {
        size_t len = strcspn(p, " ");
        if (len == n && strncmp(p, key, n) == 0) {
            return true;
        }
        p += len + (p[len] == ' ');
    }
    return false;
}

/* The keys --print-config shows for @p programs, with their defaults (no kafka.* set). */
static void printed_keys(unsigned programs, char *keys, size_t keys_size)
{
    struct rf_config *cfg = rf_config_new(programs);
    assert_non_null(cfg);
    char *text = print_of(cfg);
    keys_of(text, keys, keys_size);
    free(text);
    rf_config_free(cfg);
}

/* What each program reads, as its code does: the tag table of config.c, spelt out. */
static const struct {
    unsigned program;
    const char *keys;
} reads[] = {
    {RF_PROG_PRODUCER,
     "log.level log.format metrics.listen topic.raw topic.events topic.dlq topic.raw.partitions "
     "topic.events.partitions topic.dlq.partitions topic.replication_factor "
     "topic.min_insync_replicas topic.check watch.dir watch.recursive watch.ignore "
     "watch.quiet_ms watch.rescan_ms archive.mode archive.dir failed.dir producer.max_file_bytes "
     "producer.max_inflight_bytes producer.max_inflight_files producer.flush_timeout_ms "
     "progress.interval_ms worker.max_envelope_bytes broker.address_file "},
    {RF_PROG_WORKER,
     "log.level log.format metrics.listen topic.raw topic.events topic.dlq topic.raw.partitions "
     "topic.events.partitions topic.dlq.partitions topic.replication_factor "
     "topic.min_insync_replicas topic.check producer.max_file_bytes progress.interval_ms "
     "worker.group worker.rules worker.reprocess worker.batch_bytes worker.batch_size "
     "worker.max_extract_ms worker.max_convert_ms worker.ocr worker.max_envelope_bytes "
     "broker.address_file "},
    {RF_PROG_SINK,
     "log.level log.format metrics.listen topic.raw topic.events topic.dlq topic.raw.partitions "
     "topic.events.partitions topic.dlq.partitions topic.replication_factor "
     "topic.min_insync_replicas topic.check producer.max_file_bytes progress.interval_ms "
     "worker.max_envelope_bytes sink.group pg.conninfo sink.batch_docs sink.batch_ms "
     "sink.retry_max_ms sink.batch_bytes sink.max_outage_ms pg.statement_timeout_ms "
     "broker.address_file "},
    {RF_PROG_LAG, "log.level log.format topic.raw topic.events topic.dlq worker.group sink.group "
                  "broker.address_file lag.groups lag.window_s lag.stop_s "},
    {RF_PROG_TOPICS, "log.level log.format topic.raw topic.events topic.dlq topic.raw.partitions "
                     "topic.events.partitions topic.dlq.partitions topic.replication_factor "
                     "topic.min_insync_replicas producer.max_file_bytes worker.max_envelope_bytes "
                     "broker.address_file "},
    {RF_PROG_BROKER, "log.level log.format topic.raw topic.events topic.dlq topic.raw.partitions "
                     "topic.events.partitions topic.dlq.partitions broker.address_file "
                     "broker.count "},
    {RF_PROG_EVAL, "log.level log.format worker.rules "},
    {RF_PROG_EXTRACT,
     "log.level log.format producer.max_file_bytes worker.rules "
     "worker.max_extract_ms worker.max_convert_ms worker.ocr worker.max_envelope_bytes "},
    {RF_PROG_REPORT, "log.level log.format pg.conninfo "},
    {RF_PROG_REPROCESS,
     "log.level log.format topic.raw topic.events topic.dlq topic.raw.partitions "
     "topic.events.partitions topic.dlq.partitions topic.replication_factor "
     "topic.min_insync_replicas producer.max_file_bytes progress.interval_ms worker.group "
     "worker.rules worker.batch_bytes worker.batch_size worker.max_extract_ms "
     "worker.max_convert_ms worker.ocr worker.max_envelope_bytes sink.group pg.conninfo "
     "reprocess.max_live_lag "
     "broker.address_file "},
};

#define READS_CNT (sizeof(reads) / sizeof(reads[0]))

/* The worker's --print-config shows its keys and not the sink's pg.conninfo nor lag.*. */
static void test_config_worker_prints_only_its_keys(void **state)
{
    (void)state;
    char keys[2048];
    printed_keys(RF_PROG_WORKER, keys, sizeof(keys));
    assert_true(has_key(keys, "worker.rules"));
    assert_false(has_key(keys, "pg.conninfo"));
    assert_null(strstr(keys, "lag."));
    assert_false(has_key(keys, "watch.dir"));
}

/* The producer's shows watch.* and not lag.* (nor the sink's keys). */
static void test_config_producer_prints_only_its_keys(void **state)
{
    (void)state;
    char keys[2048];
    printed_keys(RF_PROG_PRODUCER, keys, sizeof(keys));
    assert_true(has_key(keys, "watch.dir"));
    assert_null(strstr(keys, "lag."));
    assert_false(has_key(keys, "pg.conninfo"));
    assert_false(has_key(keys, "sink.batch_docs"));
}

/* Each program prints exactly the keys its code reads. */
static void test_config_each_program_prints_what_it_reads(void **state)
{
    (void)state;
    char keys[2048];
    for (size_t i = 0; i < READS_CNT; i++) {
        printed_keys(reads[i].program, keys, sizeof(keys));
        if (strcmp(keys, reads[i].keys) != 0) {
            fail_msg("program bit %u prints\n  %s\nwhere it reads\n  %s", reads[i].program, keys,
                     reads[i].keys);
        }
    }
}

/* No key of the table is read by no program: each is in some program's print. */
static void test_config_every_key_has_a_reader(void **state)
{
    (void)state;
    char all[4096], key[128];
    printed_keys(RF_PROG_ALL, all, sizeof(all));
    size_t cnt = 0;
    for (const char *p = all; *p; p += strlen(key) + 1, cnt++) {
        snprintf(key, sizeof(key), "%.*s", (int)strcspn(p, " "), p);
        bool found = false;
        for (size_t i = 0; i < READS_CNT; i++) {
            found = found || has_key(reads[i].keys, key);
        }
        if (!found) {
            fail_msg("no program reads '%s'", key);
        }
    }
    assert_int_equal(cnt, 48); /* a key tagged with no program would not even print here */
}

/* kafka.* shows only for the programs that make a Kafka client. */
static void test_config_kafka_keys_print_for_kafka_clients(void **state)
{
    (void)state;
    char *path = write_temp("kafka.bootstrap.servers=k1:9092\nkafka.sasl.password=hunter2\n");
    char errstr[512];
    struct rf_config *lag =
        rf_config_build(RF_PROG_LAG, path, NULL, 0, NULL, errstr, sizeof(errstr));
    struct rf_config *report =
        rf_config_build(RF_PROG_REPORT, path, NULL, 0, NULL, errstr, sizeof(errstr));
    assert_non_null(lag);
    assert_non_null(report);
    char *lag_text = print_of(lag), *report_text = print_of(report);
    assert_non_null(strstr(lag_text, "\nkafka.bootstrap.servers=k1:9092\n"));
    assert_non_null(strstr(lag_text, "\nkafka.sasl.password=***\n"));
    assert_null(strstr(lag_text, "hunter2"));
    assert_null(strstr(report_text, "kafka."));
    free(lag_text);
    free(report_text);
    rf_config_free(lag);
    rf_config_free(report);
    unlink(path);
    free(path);
}

/* An unknown key on the command line is refused with its name. */
static void test_config_unknown_flag_names_the_key(void **state)
{
    (void)state;
    char *flags[] = {"worker.rulez=x.json"};
    char errstr[512];
    assert_null(
        rf_config_build(RF_PROG_WORKER, "/dev/null", flags, 1, NULL, errstr, sizeof(errstr)));
    assert_string_equal(errstr, "-X: unknown key 'worker.rulez'");
}

/* -X addresses one program: another program's key is refused, naming both. */
static void test_config_flag_of_another_program_is_refused(void **state)
{
    (void)state;
    char *flags[] = {"pg.conninfo=host=db"};
    char errstr[512];
    assert_null(
        rf_config_build(RF_PROG_WORKER, "/dev/null", flags, 1, NULL, errstr, sizeof(errstr)));
    assert_string_equal(errstr, "-X: reportflow-worker does not read 'pg.conninfo' "
                                "(reportflow-sink, reportflow-report and reportflow-reprocess do)");
    char *lag_flags[] = {"lag.window_s=5"};
    assert_null(
        rf_config_build(RF_PROG_PRODUCER, "/dev/null", lag_flags, 1, NULL, errstr, sizeof(errstr)));
    assert_string_equal(
        errstr, "-X: reportflow-producer does not read 'lag.window_s' (reportflow-lag does)");
    char *kafka_flags[] = {"kafka.bootstrap.servers=k1:9092"};
    assert_null(
        rf_config_build(RF_PROG_REPORT, "/dev/null", kafka_flags, 1, NULL, errstr, sizeof(errstr)));
    assert_non_null(
        strstr(errstr, "-X: reportflow-report does not read 'kafka.bootstrap.servers'"));
    /* the programs that read them take the same flags */
    struct rf_config *sink =
        rf_config_build(RF_PROG_SINK, "/dev/null", flags, 1, NULL, errstr, sizeof(errstr));
    assert_non_null(sink);
    assert_string_equal(sink->pg_conninfo, "host=db");
    rf_config_free(sink);
}

/* One file and one environment serve every program: other programs' keys pass there. */
static void test_config_shared_file_and_env_take_every_programs_keys(void **state)
{
    (void)state;
    char *path = write_temp("worker.rules=/r.json\npg.conninfo=host=db password=pw\n"
                            "lag.window_s=5\nwatch.dir=/in\n");
    char *envp[] = {"REPORTFLOW_SINK_BATCH_DOCS=20", "REPORTFLOW_LAG_GROUPS=all", NULL};
    char errstr[512];
    struct rf_config *cfg =
        rf_config_build(RF_PROG_WORKER, path, NULL, 0, envp, errstr, sizeof(errstr));
    if (!cfg) {
        fail_msg("the worker refused the shared file: %s", errstr);
    }
    assert_string_equal(cfg->rules_path, "/r.json");
    char *text = print_of(cfg);
    assert_null(strstr(text, "pg.conninfo"));
    assert_null(strstr(text, "password"));
    assert_null(strstr(text, "\nlag."));
    free(text);
    rf_config_free(cfg);
    unlink(path);
    free(path);
}

/* A bad value in the shared file is an error for every program, as an unknown key is. */
static void test_config_shared_file_bad_value_is_an_error(void **state)
{
    (void)state;
    char *path = write_temp("worker.rules=/r.json\nsink.batch_docs=many\n");
    char errstr[512], want[600];
    assert_null(rf_config_build(RF_PROG_WORKER, path, NULL, 0, NULL, errstr, sizeof(errstr)));
    snprintf(want, sizeof(want), "%s:2: bad value 'many' for 'sink.batch_docs'", path);
    assert_non_null(strstr(errstr, want));
    unlink(path);
    free(path);
}

/* rf_secret_mask(key, value) must equal @p want. */
static void assert_masked(const char *key, const char *value, const char *want)
{
    char *got = rf_secret_mask(key, value);
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
    assert_false(rf_secret_key("kafka.sasl.username"));
    assert_false(rf_secret_key("pg.conninfo"));
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

/* A misspelt or unknown secret-like key is masked whole, however it is spelt. */
static void test_config_mask_misspelt_secret_keys(void **state)
{
    (void)state;
    static const char *const secret[] = {
        "kafka.sasl.pasword",
        "kafka.sasl.passwort",
        "kafka.sasl.pssword",
        "kafka.sasl.psasword",
        "kafka.sasl.paswrd",
        "kafka.sasl.pwd",
        "kafka.ssl.keystore.pasword",
        "kafka.sasl.oauthbearer.client.secert",
        "kafka.sasl.oauthbearer.clientSecret",
        "kafka.SASL_PASSWD",
        "kafka.sasl.scret",
        "some.api_key",
        "some.apikey",
        "x.credentails",
        "x.tokn",
        "x.access-token",
        "kafka.ssl.private.key",
        "kafka.sasl.passphrase",
    };
    for (size_t i = 0; i < sizeof(secret) / sizeof(secret[0]); i++) {
        if (!rf_secret_key(secret[i])) {
            fail_msg("'%s' is not taken for a secret", secret[i]);
        }
        assert_masked(secret[i], "hunter2", "***");
    }
    /* words near a secret word that are not one */
    static const char *const plain[] = {
        "kafka.sasl.username",
        "kafka.ssl.key.location",
        "kafka.bootstrap.servers",
        "kafka.socket.timeout.ms",
        "kafka.enable.sasl.oauthbearer.unsecure.jwt",
        "kafka.session.timeout.ms",
        "topic.raw",
        "broker.count",
    };
    for (size_t i = 0; i < sizeof(plain) / sizeof(plain[0]); i++) {
        if (rf_secret_key(plain[i])) {
            fail_msg("'%s' is taken for a secret", plain[i]);
        }
    }
}

/* No key of the table is a secret by the misspelling rule unless its name says so. */
static void test_config_no_table_key_is_taken_for_a_secret(void **state)
{
    (void)state;
    char all[4096], key[128];
    printed_keys(RF_PROG_ALL, all, sizeof(all));
    for (const char *p = all; *p; p += strlen(key) + 1) {
        snprintf(key, sizeof(key), "%.*s", (int)strcspn(p, " "), p);
        if (rf_secret_key(key)) {
            fail_msg("the table key '%s' is taken for a secret", key);
        }
    }
}

/* An unknown kafka.* key is refused wherever it comes from, naming it, never showing its value. */
static void test_config_unknown_kafka_key_refused_value_hidden(void **state)
{
    (void)state;
    char errstr[512];
    char *path = write_temp("kafka.bootstrap.servers=k1:9092\nkafka.sasl.pasword=hunter2\n");
    assert_null(rf_config_build(RF_PROG_SINK, path, NULL, 0, NULL, errstr, sizeof(errstr)));
    char want[600];
    snprintf(want, sizeof(want), "%s:2: unknown librdkafka property 'kafka.sasl.pasword'", path);
    assert_non_null(strstr(errstr, want));
    assert_null(strstr(errstr, "hunter2"));
    /* a program that makes no Kafka client reads the same file: refused there too */
    assert_null(rf_config_build(RF_PROG_REPORT, path, NULL, 0, NULL, errstr, sizeof(errstr)));
    assert_null(strstr(errstr, "hunter2"));
    unlink(path);
    free(path);

    char *envp[] = {"REPORTFLOW_KAFKA_SASL_PASWORD=hunter2", NULL};
    assert_null(rf_config_build(RF_PROG_SINK, "/dev/null", NULL, 0, envp, errstr, sizeof(errstr)));
    assert_non_null(strstr(errstr, "REPORTFLOW_KAFKA_SASL_PASWORD"));
    assert_null(strstr(errstr, "hunter2"));

    char *flags[] = {"kafka.sasl.oauthbearer.client.secert=hunter2", "kafka.ssl.key.pme=hunter2"};
    for (size_t i = 0; i < 2; i++) {
        assert_null(
            rf_config_build(RF_PROG_SINK, "/dev/null", &flags[i], 1, NULL, errstr, sizeof(errstr)));
        assert_non_null(strstr(errstr, "-X: unknown librdkafka property"));
        assert_null(strstr(errstr, "hunter2"));
    }
    /* librdkafka's own names, client and topic properties and aliases, pass */
    char *known[] = {"kafka.sasl.password=p", "kafka.message.timeout.ms=0",
                     "kafka.metadata.broker.list=k1:9092", "kafka.ssl.key.pem=x"};
    struct rf_config *cfg =
        rf_config_build(RF_PROG_SINK, "/dev/null", known, 4, NULL, errstr, sizeof(errstr));
    if (!cfg) {
        fail_msg("a librdkafka property was refused: %s", errstr);
    }
    char *text = print_of(cfg);
    assert_non_null(strstr(text, "\nkafka.sasl.password=***\n"));
    assert_non_null(strstr(text, "\nkafka.ssl.key.pem=***\n"));
    free(text);
    rf_config_free(cfg);
}

/* A malformed line is named by file and line, never quoted (it may be a pasted secret). */
static void test_config_malformed_line_not_quoted(void **state)
{
    (void)state;
    char *path = write_temp("watch.dir=in\nkafka.sasl.password hunter2\n");
    char errstr[512], want[600];
    assert_null(rf_config_build(RF_PROG_SINK, path, NULL, 0, NULL, errstr, sizeof(errstr)));
    snprintf(want, sizeof(want), "%s:2: expected 'key=value'", path);
    assert_non_null(strstr(errstr, want));
    assert_null(strstr(errstr, "hunter2"));
    unlink(path);
    free(path);
    char *flags[] = {"kafka.sasl.password:hunter2"};
    assert_null(rf_config_build(RF_PROG_SINK, "/dev/null", flags, 1, NULL, errstr, sizeof(errstr)));
    assert_non_null(strstr(errstr, "-X: expected key=value"));
    assert_null(strstr(errstr, "hunter2"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_config_defaults),
        cmocka_unit_test(test_config_file_env_and_flags_layer),
        cmocka_unit_test(test_config_unknown_key_names_file_line_and_key),
        cmocka_unit_test(test_config_bad_values_are_named),
        cmocka_unit_test(test_config_bad_conninfo_refused_password_hidden),
        cmocka_unit_test(test_config_env_unknown_key_is_an_error),
        cmocka_unit_test(test_config_flag_without_equals),
        cmocka_unit_test(test_config_print_masks_secrets),
        cmocka_unit_test(test_config_worker_prints_only_its_keys),
        cmocka_unit_test(test_config_producer_prints_only_its_keys),
        cmocka_unit_test(test_config_each_program_prints_what_it_reads),
        cmocka_unit_test(test_config_every_key_has_a_reader),
        cmocka_unit_test(test_config_kafka_keys_print_for_kafka_clients),
        cmocka_unit_test(test_config_unknown_flag_names_the_key),
        cmocka_unit_test(test_config_flag_of_another_program_is_refused),
        cmocka_unit_test(test_config_shared_file_and_env_take_every_programs_keys),
        cmocka_unit_test(test_config_shared_file_bad_value_is_an_error),
        cmocka_unit_test(test_config_mask_secret_keys_whole),
        cmocka_unit_test(test_config_mask_conninfo_key_value),
        cmocka_unit_test(test_config_mask_conninfo_uri),
        cmocka_unit_test(test_config_mask_misspelt_secret_keys),
        cmocka_unit_test(test_config_no_table_key_is_taken_for_a_secret),
        cmocka_unit_test(test_config_unknown_kafka_key_refused_value_hidden),
        cmocka_unit_test(test_config_malformed_line_not_quoted),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
