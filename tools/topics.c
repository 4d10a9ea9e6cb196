/*
 * topics.c - reportflow-topics: create reportflow's three topics when missing, with their
 * partitions, replicas and size limits (the raw one compacted and kept forever: the record of
 * every report), check those that exist, and alter a raw topic that is not yet compacted. The local
 * stack runs it before starting the programs; run it by hand against any cluster before the first
 * start.
 */
#include <stdio.h>
#include <stdlib.h>

#include "reportflow/cli.h"
#include "reportflow/kafka.h"
#include "reportflow/log.h"
#include "reportflow/topics.h"

#define COMPONENT "topics"

static const char usage[] =
    "usage: reportflow-topics [-c FILE] [-X key=value]... [--check] [--timeout-ms N]\n"
    "Creates topic.raw, topic.events and topic.dlq when missing (partitions from\n"
    "topic.*.partitions, replicas from topic.replication_factor, min.insync.replicas from\n"
    "topic.min_insync_replicas, max.message.bytes from producer.max_file_bytes and\n"
    "worker.max_envelope_bytes), then checks that each can carry what reportflow sends.\n"
    "topic.raw is the record of every report: cleanup.policy=compact, retention.ms=-1; an\n"
    "existing one that is not is altered in place (never recreated).\n"
    "  --check          only check; a missing topic or an uncompacted topic.raw is an error\n"
    "  --timeout-ms N   wait at most N ms for the cluster (default 30000)\n"
    "Exit status: 0 usable, 1 a topic cannot work (the message names topic and setting),\n"
    "3 the cluster did not answer or lacks the admin calls (the embedded broker).\n";

enum { OPT_CHECK = 256, OPT_TIMEOUT };

struct options {
    bool check_only;
    int timeout_ms;
};

static int on_option(void *ctx, int opt, const char *arg)
{
    struct options *o = ctx;
    if (opt == OPT_CHECK) {
        o->check_only = true;
        return 0;
    }
    char *end = NULL;
    long v = strtol(arg, &end, 10);
    if (!*arg || *end || v < 100 || v > 600000) {
        fprintf(stderr, "topics: bad --timeout-ms '%s': expected 100 to 600000\n", arg);
        return -1;
    }
    o->timeout_ms = (int)v;
    return 0;
}

int main(int argc, char **argv)
{
    struct options o = {false, 30000};
    static const struct option extra[] = {{"check", no_argument, NULL, OPT_CHECK},
                                          {"timeout-ms", required_argument, NULL, OPT_TIMEOUT},
                                          {NULL, 0, NULL, 0}};
    const struct rf_cli_program prog = {"topics", RF_PROG_TOPICS, usage, extra, on_option, &o,
                                        NULL};
    int rc, first_arg;
    struct rf_config *cfg = rf_cli_start(&prog, argc, argv, &rc, &first_arg);
    if (!cfg) {
        return rc;
    }
    char errstr[1024];
    rd_kafka_conf_t *conf = rf_kafka_conf_new(cfg, NULL, errstr, sizeof(errstr));
    rd_kafka_t *rk = conf ? rf_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr)) : NULL;
    if (!rk) {
        rf_error(COMPONENT, "%s", errstr);
        rf_config_free(cfg);
        return 1;
    }
    const enum rf_topic_role roles[] = {RF_TOPIC_RAW, RF_TOPIC_EVENTS, RF_TOPIC_DLQ};
    errstr[0] = '\0';
    enum rf_topics_result res =
        rf_topics_ensure(rk, cfg, roles, 3, !o.check_only, o.timeout_ms, errstr, sizeof(errstr));
    switch (res) {
    case RF_TOPICS_OK:
        for (size_t i = 0; i < 3; i++) {
            struct rf_topic_spec s = rf_topics_spec(cfg, roles[i]);
            printf("%s: ok (%d partitions wanted, max.message.bytes >= %lld%s)\n", s.name,
                   s.partitions, s.max_message_bytes,
                   s.compacted ? ", cleanup.policy=compact, retention.ms=-1" : "");
        }
        rc = 0;
        break;
    case RF_TOPICS_UNUSABLE:
        rf_error(COMPONENT, "%s", errstr);
        rc = 1;
        break;
    case RF_TOPICS_UNCHECKED:
    default:
        rf_warn(COMPONENT, "topics not checked: %s", errstr[0] ? errstr : "no answer");
        rc = 3;
        break;
    }
    rd_kafka_destroy(rk);
    rf_config_free(cfg);
    rf_log_term();
    return rc;
}
