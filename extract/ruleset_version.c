/* ruleset_version.c - the --version line of programs that extract. */
#include "ruleset_version.h"

#include "catalogue.h"

void ruleset_version_print(const struct rf_config *cfg, FILE *out)
{
    char errstr[512];
    struct catalogue *c = catalogue_load(cfg->rules_path, errstr, sizeof(errstr));
    if (!c) {
        fprintf(out, "rules: cannot load: %s\n", errstr);
        return;
    }
    for (size_t i = 0; i < c->cnt; i++) {
        fprintf(out, "rules %s %s (%s)\n", c->sets[i]->name, c->sets[i]->version, cfg->rules_path);
    }
    catalogue_free(c);
}
