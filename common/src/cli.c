/* cli.c - the command-line flags every reportflow program shares. */
#include "reportflow/cli.h"

#include <stdio.h>
#include <stdlib.h>

#include "reportflow/log.h"

extern char **environ;

struct rf_config *rf_cli_load(const char *program, const struct rf_cli *cli)
{
    char errstr[1024];
    struct rf_config *cfg = rf_config_build(cli->config_path, cli->overrides, cli->override_cnt,
                                            environ, errstr, sizeof(errstr));
    if (!cfg) {
        fprintf(stderr, "%s: %s\n", program, errstr);
        return NULL;
    }
    rf_log_init(program, (enum rf_log_level)rf_log_level_parse(cfg->log_level),
                cfg->log_format[0] == 'j');
    if (cli->print_config) {
        rf_config_print(cfg, stdout);
    }
    return cfg;
}

int rf_cli_add_override(struct rf_cli *cli, char *kv)
{
    char **grown = realloc(cli->overrides, (cli->override_cnt + 1) * sizeof(*grown));
    if (!grown) {
        return -1;
    }
    grown[cli->override_cnt++] = kv;
    cli->overrides = grown;
    return 0;
}

void rf_cli_release(struct rf_cli *cli)
{
    free(cli->overrides);
    cli->overrides = NULL;
    cli->override_cnt = 0;
}
