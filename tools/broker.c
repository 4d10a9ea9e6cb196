/*
 * broker.c - reportflow-broker: an in-memory Kafka-protocol broker for a laptop,
 * the tests and CI, built on librdkafka's mock cluster. Production runs on real
 * Kafka; nothing else in reportflow knows the difference.
 */
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include "reportflow/cli.h"
#include "reportflow/fs.h"
#include "reportflow/kafka.h"
#include "reportflow/log.h"
#include "reportflow/run.h"

#define COMPONENT "broker"

/* Fault-test controls: SIGUSR1 takes every broker down, SIGUSR2 brings them back. */
static volatile sig_atomic_t want_down;
static volatile sig_atomic_t control_pending;

static void on_control_signal(int sig)
{
    want_down = sig == SIGUSR1;
    control_pending = 1;
}

static int install_control_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_control_signal;
    sigemptyset(&sa.sa_mask);
    return sigaction(SIGUSR1, &sa, NULL) == 0 && sigaction(SIGUSR2, &sa, NULL) == 0 ? 0 : -1;
}

static void apply_control(rd_kafka_mock_cluster_t *mcluster, long long broker_count)
{
    control_pending = 0;
    bool down = want_down;
    for (int id = 1; id <= (int)broker_count; id++) {
        rd_kafka_resp_err_t err = down ? rd_kafka_mock_broker_set_down(mcluster, id)
                                       : rd_kafka_mock_broker_set_up(mcluster, id);
        if (err) {
            rf_error(COMPONENT, "cannot set broker %d %s: %s", id, down ? "down" : "up",
                     rd_kafka_err2str(err));
        }
    }
    rf_info(COMPONENT, "all brokers %s (SIGUSR1 down, SIGUSR2 up)", down ? "DOWN" : "UP");
}

static const char usage[] =
    "usage: reportflow-broker [-c FILE] [-X key=value]... [--address-file PATH]\n"
    "Runs an in-memory Kafka broker (librdkafka mock cluster) until SIGTERM/SIGINT,\n"
    "creates the configured topics and writes its bootstrap address to PATH\n"
    "(broker.address_file) and stdout. For fault tests, SIGUSR1 takes the\n"
    "brokers down (connections refused) and SIGUSR2 brings them back.\n";

enum { OPT_ADDRESS_FILE = 256 };

static int on_option(void *ctx, int opt, const char *arg)
{
    if (opt == OPT_ADDRESS_FILE) {
        *(const char **)ctx = arg;
    }
    return 0;
}

static int create_topics(rd_kafka_mock_cluster_t *mcluster, const struct rf_config *cfg)
{
    const struct {
        const char *name;
        long long partitions;
    } topics[] = {
        {cfg->topic_raw, cfg->raw_partitions},
        {cfg->topic_events, cfg->events_partitions},
        {cfg->topic_dlq, cfg->dlq_partitions},
    };
    for (size_t i = 0; i < sizeof(topics) / sizeof(topics[0]); i++) {
        int replicas = cfg->broker_count < 3 ? (int)cfg->broker_count : 3;
        rd_kafka_resp_err_t err = rd_kafka_mock_topic_create(mcluster, topics[i].name,
                                                             (int)topics[i].partitions, replicas);
        if (err) {
            rf_error(COMPONENT, "cannot create topic '%s': %s", topics[i].name,
                     rd_kafka_err2str(err));
            return -1;
        }
        rf_info(COMPONENT, "topic '%s' created with %lld partitions", topics[i].name,
                topics[i].partitions);
    }
    return 0;
}

static int run_broker(const struct rf_config *cfg, const char *address_file)
{
    char errstr[512];
    /* Not rf_kafka_conf_new(): this client connects nowhere, it only hosts the cluster. */
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rf_kafka_conf_route_logs(conf);
    /* The mock cluster needs a client handle to live in; it serves on its own threads. */
    rd_kafka_t *rk = rf_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
    if (!rk) {
        rf_error(COMPONENT, "cannot create the client that hosts the mock cluster: %s", errstr);
        return 1;
    }
    int rc = 1;
    rd_kafka_mock_cluster_t *mcluster = rd_kafka_mock_cluster_new(rk, (int)cfg->broker_count);
    if (!mcluster) {
        rf_error(COMPONENT, "cannot start the mock cluster");
        goto out_destroy_client;
    }
    if (create_topics(mcluster, cfg) != 0) {
        goto out_destroy_cluster;
    }
    const char *bootstraps = rd_kafka_mock_cluster_bootstraps(mcluster);
    if (address_file && *address_file) {
        char line[1024];
        int n = snprintf(line, sizeof(line), "%s\n", bootstraps);
        if (rf_fs_write_atomic(address_file, line, (size_t)n) != 0) {
            rf_error(COMPONENT, "cannot write address file '%s': %m", address_file);
            goto out_destroy_cluster;
        }
    }
    printf("%s\n", bootstraps);
    fflush(stdout);
    rf_info(COMPONENT, "listening on %s (%lld broker(s)); stop with SIGTERM", bootstraps,
            cfg->broker_count);
    while (!rf_run_stopping()) {
        rd_kafka_poll(rk, 200);
        if (control_pending) {
            apply_control(mcluster, cfg->broker_count);
        }
    }
    rf_info(COMPONENT, "stopping");
    if (address_file && *address_file) {
        unlink(address_file);
    }
    rc = 0;
out_destroy_cluster:
    rd_kafka_mock_cluster_destroy(mcluster);
out_destroy_client:
    rd_kafka_destroy(rk);
    return rc;
}

int main(int argc, char **argv)
{
    const char *address_file = NULL;
    static const struct option extra[] = {
        {"address-file", required_argument, NULL, OPT_ADDRESS_FILE}, {NULL, 0, NULL, 0}};
    const struct rf_cli_program prog = {"broker",  RF_PROG_BROKER, usage, extra,
                                        on_option, &address_file,  NULL};
    int rc, first_arg;
    struct rf_config *cfg = rf_cli_start(&prog, argc, argv, &rc, &first_arg);
    if (!cfg) {
        return rc;
    }
    if (!address_file) {
        address_file = cfg->broker_address_file;
    }
    if (rf_run_init() != 0 || install_control_signals() != 0) {
        rf_error(COMPONENT, "cannot install signal handlers");
        rf_config_free(cfg);
        return 1;
    }
    rc = run_broker(cfg, address_file);
    rf_config_free(cfg);
    rf_log_term();
    return rc;
}
