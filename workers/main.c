/*
 * worker_main.c - reportflow-worker: extraction workers. Start as many as you
 * like, on any machine: they share reports.raw's partitions as one group.
 * Exit status: 0 clean stop, 1 fatal Kafka error, 2 bad configuration or rules.
 */
#include <stdio.h>

#include "reportflow/cli.h"
#include "ruleset_version.h"
#include "reportflow/http.h"
#include "reportflow/log.h"
#include "reportflow/run.h"
#include "rules.h"
#include "worker.h"

static const char usage[] = "usage: reportflow-worker [-c FILE] [-X key=value]... [--print-config]\n";

int main(int argc, char **argv)
{
    const struct rf_cli_program prog = {"worker", usage, NULL, NULL, NULL, ruleset_print_version};
    int rc, first_arg;
    struct rf_config *cfg = rf_cli_start(&prog, argc, argv, &rc, &first_arg);
    if (!cfg) {
        return rc;
    }
    char errstr[1024];
    struct rules *rules = rules_load(cfg->rules_path, errstr, sizeof(errstr));
    if (!rules) {
        rf_error("worker", "%s", errstr);
        rf_config_free(cfg);
        return 2;
    }
    rf_info("worker", "rules '%s' version %s: %zu metric rules", rules->name, rules->version,
            rules->cnt);
    rc = 1;
    if (rf_run_init() != 0) {
        rf_error("worker", "cannot install signal handlers");
        goto out_free;
    }
    struct worker *w = worker_new(cfg, rules, errstr, sizeof(errstr));
    if (!w) {
        rf_error("worker", "%s", errstr);
        rc = 2;
        goto out_free;
    }
    struct rf_http *http = NULL;
    if (cfg->metrics_listen[0] &&
        !(http = rf_http_start(cfg->metrics_listen, errstr, sizeof(errstr)))) {
        rf_error("worker", "%s", errstr);
        worker_free(w);
        rc = 2;
        goto out_free;
    }
    rc = worker_run(w, http) == 0 ? 0 : 1;
    worker_free(w);
    rf_http_stop(http);
    rf_info("worker", "stopped");
out_free:
    rules_free(rules);
    rf_config_free(cfg);
    rf_log_term();
    return rc;
}
