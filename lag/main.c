/*
 * main.c - reportflow-lag: how far behind each consumer group is, in records
 * and seconds, who owns each partition, and whether it is moving. Data on
 * stdout, diagnostics on stderr. Exit status of a single sample: 0 every
 * group OK, WARN or REWIND, 3 a group is STALL, STOP or ERR; 2 bad
 * configuration; --watch and --serve exit 0 when stopped by SIGTERM or SIGINT.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "lag.h"
#include "page.h"
#include "print.h"
#include "reportflow/buf.h"
#include "reportflow/cli.h"
#include "reportflow/http.h"
#include "reportflow/log.h"
#include "reportflow/run.h"

enum output { OUT_TABLE, OUT_JSON, OUT_PROMETHEUS };

static const char usage[] =
    "usage: reportflow-lag [-c FILE] [-X key=value]... [--json | --prometheus]\n"
    "                      [--watch SECONDS] [--serve HOST:PORT]\n"
    "Groups come from lag.groups (default: the workers' and the sink's; empty or\n"
    "'all': every group of the cluster). --serve answers /metrics, /healthz and a\n"
    "status page at /.\n"
    "Exit status: 0 all OK, WARN or REWIND, 3 some group STALL, STOP or ERR;\n"
    "--watch and --serve exit 0 when stopped by a signal.\n";

struct lag_options {
    enum output out;
    int watch_s;
    const char *serve;
};

enum { OPT_JSON = 256, OPT_PROMETHEUS, OPT_WATCH, OPT_SERVE };

static int on_option(void *ctx, int opt, const char *arg)
{
    struct lag_options *o = ctx;
    switch (opt) {
    case OPT_JSON:
        o->out = OUT_JSON;
        return 0;
    case OPT_PROMETHEUS:
        o->out = OUT_PROMETHEUS;
        return 0;
    case OPT_WATCH:
        o->watch_s = atoi(arg);
        if (o->watch_s <= 0) {
            fprintf(stderr, "lag: --watch takes a number of seconds above 0\n");
            return -1;
        }
        return 0;
    case OPT_SERVE:
        o->serve = arg;
        return 0;
    }
    return -1;
}

/* Metrics at /metrics and the page at /, both from this sample. */
static void publish(struct rf_http *http, struct page *pg, const struct lag_sample *s,
                    int refresh_s)
{
    if (!http) {
        return;
    }
    struct rf_buf text = RF_BUF_INIT, html = RF_BUF_INIT;
    if (print_prometheus(s, true, &text) == 0 && text.data) {
        rf_http_publish(http, text.data, text.len);
    } else {
        fprintf(stderr, "lag: out of memory rendering /metrics\n");
    }
    if (page_record(pg, s) == 0 && page_render(pg, s, refresh_s, &html) == 0 && html.data) {
        rf_http_publish_page(http, html.data, html.len);
    } else {
        fprintf(stderr, "lag: out of memory rendering the status page\n");
    }
    rf_buf_release(&text);
    rf_buf_release(&html);
}

static void print_sample(const struct lag_sample *s, enum output out, bool watching)
{
    if (out == OUT_JSON) {
        print_json(s, stdout);
    } else if (out == OUT_PROMETHEUS) {
        struct rf_buf text = RF_BUF_INIT;
        if (print_prometheus(s, false, &text) == 0 && text.data) {
            fwrite(text.data, 1, text.len, stdout);
        }
        rf_buf_release(&text);
    } else {
        print_table(s, stdout);
        if (watching) {
            printf("\n");
        }
    }
    fflush(stdout);
}

static int run(struct lag_monitor *m, enum output out, int watch_s, struct rf_http *http)
{
    int rc = 0;
    struct page *pg = http ? page_new() : NULL;
    if (http && !pg) {
        fprintf(stderr, "lag: out of memory\n");
        return 1;
    }
    do {
        struct lag_sample s;
        if (lag_monitor_sample(m, &s) != 0) {
            fprintf(stderr, "lag: out of memory taking a sample\n");
            lag_sample_release(&s);
            page_free(pg);
            return 1;
        }
        print_sample(&s, out, watch_s > 0);
        publish(http, pg, &s, watch_s > 0 ? watch_s : 5);
        rc = lag_exit_status(&s);
        lag_sample_release(&s);
        for (int i = 0; i < watch_s * 10 && !rf_run_stopping(); i++) {
            usleep(100000);
        }
    } while (watch_s > 0 && !rf_run_stopping());
    page_free(pg);
    /* a watch stopped on purpose is a clean stop; the status was on the output all along */
    return watch_s > 0 && rf_run_stopping() ? 0 : rc;
}

int main(int argc, char **argv)
{
    struct lag_options o = {OUT_TABLE, 0, NULL};
    static const struct option extra[] = {{"json", no_argument, NULL, OPT_JSON},
                                          {"prometheus", no_argument, NULL, OPT_PROMETHEUS},
                                          {"watch", required_argument, NULL, OPT_WATCH},
                                          {"serve", required_argument, NULL, OPT_SERVE},
                                          {NULL, 0, NULL, 0}};
    const struct rf_cli_program prog = {"lag", RF_PROG_LAG, usage, extra, on_option, &o, NULL};
    int rc, first_arg;
    struct rf_config *cfg = rf_cli_start(&prog, argc, argv, &rc, &first_arg);
    if (!cfg) {
        return rc;
    }
    enum output out = o.out;
    int watch_s = o.watch_s;
    const char *serve = o.serve;
    char errstr[1024];
    rc = 2;
    struct rf_http *http = NULL;
    struct lag_monitor *m = lag_monitor_new(cfg, errstr, sizeof(errstr));
    if (!m || rf_run_init() != 0) {
        fprintf(stderr, "lag: %s\n", m ? "cannot install signal handlers" : errstr);
        goto out;
    }
    if (serve && !(http = rf_http_start(serve, errstr, sizeof(errstr)))) {
        fprintf(stderr, "lag: %s\n", errstr);
        goto out;
    }
    if (serve && watch_s == 0) {
        watch_s = 5; /* serving means staying up */
    }
    rc = run(m, out, watch_s, http);
out:
    rf_http_stop(http);
    lag_monitor_free(m);
    rf_config_free(cfg);
    rf_log_term();
    return rc;
}
