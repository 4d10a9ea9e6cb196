/*
 * main.c - reportflow-sink: envelopes and dead letters into PostgreSQL.
 * Exit status: 0 clean stop, 1 fatal error, 2 bad configuration.
 */
#include <getopt.h>
#include <stdio.h>

#include "reportflow/cli.h"
#include "reportflow/http.h"
#include "reportflow/log.h"
#include "reportflow/run.h"
#include "sink.h"

static void usage(FILE *out)
{
    fprintf(out, "usage: reportflow-sink [-c FILE] [-X key=value]... [--print-config]\n"
                 "PostgreSQL comes from pg.conninfo, or the standard PG* variables.\n");
}

int main(int argc, char **argv)
{
    struct rf_cli cli = {0};
    static const struct option longopts[] = {{"print-config", no_argument, NULL, 'P'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    int opt;
    while ((opt = getopt_long(argc, argv, "c:X:h", longopts, NULL)) != -1) {
        switch (opt) {
        case 'c':
            cli.config_path = optarg;
            break;
        case 'X':
            if (rf_cli_add_override(&cli, optarg) != 0) {
                return 1;
            }
            break;
        case 'P':
            cli.print_config = true;
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    struct rf_config *cfg = rf_cli_load("sink", &cli);
    rf_cli_release(&cli);
    if (!cfg) {
        return 2;
    }
    if (cli.print_config) {
        rf_config_free(cfg); /* printed by rf_cli_load(): a dry run of the configuration */
        return 0;
    }
    char errstr[1024];
    int rc = 1;
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
