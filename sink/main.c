/*
 * main.c - reportflow-sink: envelopes and dead letters into PostgreSQL.
 * Exit status: 0 clean stop, 1 fatal error, 2 bad configuration.
 */
#include <stdio.h>

#include "reportflow/cli.h"
#include "reportflow/http.h"
#include "reportflow/log.h"
#include "reportflow/run.h"
#include "sink.h"

static const char usage[] = "usage: reportflow-sink [-c FILE] [-X key=value]... [--print-config]\n"
                            "PostgreSQL comes from pg.conninfo, or the standard PG* variables.\n";

int main(int argc, char **argv)
{
    const struct rf_cli_program prog = {"sink", usage, NULL, NULL, NULL, NULL};
    int rc, first_arg;
    struct rf_config *cfg = rf_cli_start(&prog, argc, argv, &rc, &first_arg);
    if (!cfg) {
        return rc;
    }
    char errstr[1024];
    rc = 1;
    if (rf_run_init() != 0) {
        rf_error("sink", "cannot install signal handlers");
        goto out;
    }
    struct sink *s = sink_new(cfg, errstr, sizeof(errstr));
    if (!s) {
        rf_error("sink", "%s", errstr);
        rc = 2;
        goto out;
    }
    struct rf_http *http = NULL;
    if (cfg->metrics_listen[0] &&
        !(http = rf_http_start(cfg->metrics_listen, errstr, sizeof(errstr)))) {
        rf_error("sink", "%s", errstr);
        sink_free(s);
        rc = 2;
        goto out;
    }
    rc = sink_run(s, http) == 0 ? 0 : 1;
    sink_free(s);
    rf_http_stop(http);
    rf_info("sink", "stopped");
out:
    rf_config_free(cfg);
    rf_log_term();
    return rc;
}
