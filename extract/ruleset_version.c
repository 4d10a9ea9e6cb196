/* ruleset_version.c - the --version line of programs that extract. */
#include "ruleset_version.h"

#include "rules.h"

void ruleset_version_print(const struct rf_config *cfg, FILE *out)
{
    char errstr[512];
    struct rules *r = rules_load(cfg->rules_path, errstr, sizeof(errstr));
    if (!r) {
        fprintf(out, "rules: cannot load: %s\n", errstr);
        return;
    }
    fprintf(out, "rules %s %s (%s)\n", r->name, r->version, cfg->rules_path);
    rules_free(r);
}
