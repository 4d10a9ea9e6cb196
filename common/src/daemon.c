/* daemon.c - the skeleton every long-running program shares. */
#include "reportflow/daemon.h"

#include "reportflow/log.h"
#include "reportflow/run.h"

int rf_daemon_main(const struct rf_daemon *d, int argc, char **argv)
{
    const char *name = d->cli.name;
    int rc, first_arg;
    struct rf_config *cfg = rf_cli_start(&d->cli, argc, argv, &rc, &first_arg);
    if (!cfg) {
        return rc;
    }
    char errstr[1024];
    void *app = NULL;
    struct rf_http *http = NULL;
    rc = 1;
    if (rf_run_init() != 0) {
        rf_error(name, "cannot install signal handlers");
        goto out;
    }
    rc = 2;
    if (!(app = d->create(cfg, errstr, sizeof(errstr)))) {
        rf_error(name, "%s", errstr);
        goto out;
    }
    if (cfg->metrics_listen[0] &&
        !(http = rf_http_start(cfg->metrics_listen, errstr, sizeof(errstr)))) {
        rf_error(name, "%s", errstr);
        goto out;
    }
    rc = d->run(app, http) == 0 ? 0 : 1;
    rf_info(name, "stopped");
out:
    rf_http_stop(http);
    if (app) {
        d->destroy(app);
    }
    rf_config_free(cfg);
    rf_log_term();
    return rc;
}
