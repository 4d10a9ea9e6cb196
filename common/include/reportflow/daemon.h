/*
 * daemon.h - the skeleton every long-running program shares: command line and configuration,
 * signals, the program's own object, the /metrics endpoint, its loop, and the teardown in
 * the reverse order. A program supplies what differs.
 */
#ifndef RF_DAEMON_H
#define RF_DAEMON_H

#include <stddef.h>

#include "reportflow/config.h"
#include "reportflow/cli.h"
#include "reportflow/http.h"

struct rf_daemon {
    struct rf_cli_program cli; /* name, usage, options, --version lines */
    /* Build the program's object from @p cfg (borrowed until free). NULL with errstr: the
     * program exits 2, a configuration or set-up error the user must fix. */
    void *(*create)(const struct rf_config *cfg, char *errstr, size_t errstr_size);
    /* The loop, until rf_run_stopping(); @p http may be NULL. 0 clean stop, else fatal. */
    int (*run)(void *app, struct rf_http *http);
    void (*destroy)(void *app);
};

/**
 * Run the program described by @p d: @returns the exit status (0 clean stop, 1 fatal error,
 * 2 bad flags, configuration or set-up), for main() to return.
 */
int rf_daemon_main(const struct rf_daemon *d, int argc, char **argv);

#endif
