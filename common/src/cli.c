/* cli.c - the command line every reportflow program shares. */
#include "reportflow/cli.h"

#include <stdio.h>
#include <stdlib.h>

#include <jansson.h>
#include <libpq-fe.h>
#include <librdkafka/rdkafka.h>

#include "reportflow/log.h"

extern char **environ;

enum { OPT_PRINT_CONFIG = 1000, OPT_VERSION };

static const struct option common_options[] = {
    {"print-config", no_argument, NULL, OPT_PRINT_CONFIG},
    {"version", no_argument, NULL, OPT_VERSION},
    {"help", no_argument, NULL, 'h'},
};
#define COMMON_CNT (sizeof(common_options) / sizeof(common_options[0]))

/* Every program takes these; its own usage text lists only its own. */
static const char common_usage[] =
    "Every reportflow program also takes:\n"
    "  -c FILE           configuration file (default $REPORTFLOW_CONFIG, else "
    "config/reportflow.conf)\n"
    "  -X key=value      set one configuration key (after the file and REPORTFLOW_* variables);\n"
    "                    a key this program does not read is an error\n"
    "  --print-config    print the keys this program reads, with their values (secrets masked)\n"
    "                    and descriptions, then exit\n"
    "  --version         print the versions of reportflow and of the libraries it runs on, then "
    "exit\n"
    "  -h, --help        print this help\n";

/* The shared options followed by the program's own, NULL-terminated; caller frees. */
static struct option *all_options(const struct option *extra)
{
    size_t n = 0;
    while (extra && extra[n].name) {
        n++;
    }
    struct option *all = calloc(COMMON_CNT + n + 1, sizeof(*all));
    if (all) {
        for (size_t i = 0; i < COMMON_CNT; i++) {
            all[i] = common_options[i];
        }
        for (size_t i = 0; i < n; i++) {
            all[COMMON_CNT + i] = extra[i];
        }
    }
    return all;
}

/* --version: ours, then the libraries' as loaded at run time (not as compiled against). */
static void print_versions(const struct rf_cli_program *prog, const struct rf_config *cfg)
{
    int pq = PQlibVersion();
    printf("reportflow-%s %s\n", prog->name, RF_VERSION);
    printf("librdkafka %s\n", rd_kafka_version_str());
    printf("libpq %d.%d\n", pq / 10000, pq % 10000);
    printf("jansson %s\n", jansson_version_str());
    if (prog->print_version) {
        prog->print_version(cfg, stdout);
    }
}

struct rf_config *rf_cli_start(const struct rf_cli_program *prog, int argc, char **argv,
                               int *exit_code, int *first_arg)
{
    const char *config_path = NULL;
    char **overrides = calloc((size_t)argc + 1, sizeof(char *));
    size_t override_cnt = 0;
    bool print_config = false, print_version = false;
    struct option *options = all_options(prog->extra);
    struct rf_config *cfg = NULL;
    *exit_code = 2;
    if (!overrides || !options) {
        fprintf(stderr, "%s: out of memory\n", prog->name);
        goto out;
    }
    optind = 1;
    int opt;
    while ((opt = getopt_long(argc, argv, "c:X:h", options, NULL)) != -1) {
        if (opt == 'c') {
            config_path = optarg;
        } else if (opt == 'X') {
            overrides[override_cnt++] = optarg;
        } else if (opt == OPT_PRINT_CONFIG) {
            print_config = true;
        } else if (opt == OPT_VERSION) {
            print_version = true;
        } else if (opt == 'h') {
            fputs(prog->usage, stdout);
            fputs(common_usage, stdout);
            *exit_code = 0;
            goto out;
        } else if (opt < 256 || !prog->on_option || prog->on_option(prog->ctx, opt, optarg) != 0) {
            fputs(prog->usage, stderr);
            fputs(common_usage, stderr);
            goto out;
        }
    }
    *first_arg = optind;
    char errstr[1024];
    cfg = rf_config_build(prog->program, config_path, overrides, override_cnt, environ, errstr,
                          sizeof(errstr));
    if (!cfg) {
        fprintf(stderr, "%s: %s\n", prog->name, errstr);
        goto out;
    }
    rf_log_init(prog->name, (enum rf_log_level)rf_log_level_parse(cfg->log_level),
                cfg->log_format[0] == 'j');
    if (print_version) {
        print_versions(prog, cfg);
        rf_config_free(cfg);
        cfg = NULL;
        *exit_code = 0;
    } else if (print_config) {
        rf_config_print(cfg, stdout); /* a dry run: show what would be used, then stop */
        rf_config_free(cfg);
        cfg = NULL;
        *exit_code = 0;
    }
out:
    free(overrides);
    free(options);
    return cfg;
}
