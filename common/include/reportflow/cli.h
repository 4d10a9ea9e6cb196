/*
 * cli.h - the command line every reportflow program shares: -c FILE, -X key=value, -h,
 * --print-config, --version.
 */
#ifndef RF_CLI_H
#define RF_CLI_H

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "reportflow/config.h"

/** A program's own option: @returns 0, or -1 when its argument is bad (message printed). */
typedef int (*rf_cli_option_fn)(void *ctx, int opt, const char *arg);

struct rf_cli_program {
    const char *name;           /* "worker": prefixes messages and log lines */
    enum rf_program program;    /* RF_PROG_WORKER: which keys it reads (config.c) */
    const char *usage;          /* printed by -h, and on a bad flag */
    const struct option *extra; /* the program's own long options (val >= 256), or NULL */
    rf_cli_option_fn on_option; /* called for each of them */
    void *ctx;                  /* passed to on_option */
    /* --version: lines of the program's own after the libraries' (e.g. its rule set), or NULL */
    void (*print_version)(const struct rf_config *cfg, FILE *out);
};

/**
 * Parse the shared flags and the program's own, load the configuration (file,
 * environment, -X) and set logging up. @returns the configuration (free with
 * rf_config_free()), or NULL with *exit_code set: 0 after --help, --version or
 * --print-config, 2 for a bad flag or a bad configuration (message printed).
 * *first_arg is the index of the first non-option argument.
 */
struct rf_config *rf_cli_start(const struct rf_cli_program *prog, int argc, char **argv,
                               int *exit_code, int *first_arg);

#endif
