/* cli.h - the command-line flags every reportflow program shares: -c FILE, -X key=value, -h. */
#ifndef RF_CLI_H
#define RF_CLI_H

#include <stdbool.h>
#include <stddef.h>

#include "reportflow/cfg.h"

struct rf_cli {
    const char *config_path; /* -c FILE, or NULL */
    char **overrides;        /* -X key=value, in order (points into argv) */
    size_t override_cnt;
    bool print_config;       /* --print-config: print the resolved keys and exit 0 */
};

/**
 * Load the configuration the usual way (rf_config_build()) from @p cli and
 * set the logger up from it. On error prints "PROGRAM: message" to stderr and
 * returns NULL; main() exits 2 then (bad configuration).
 */
struct rf_config *rf_cli_load(const char *program, const struct rf_cli *cli);

/** Record one -X value. @returns 0 or -1 on ENOMEM. Free with rf_cli_release(). */
int rf_cli_add_override(struct rf_cli *cli, char *kv);
void rf_cli_release(struct rf_cli *cli);

#endif
