/* ruleset_version.h - the --version line of programs that extract: which rule set they load. */
#ifndef RF_RULESET_VERSION_H
#define RF_RULESET_VERSION_H

#include <stdio.h>

#include "reportflow/config.h"

/** Print "rules NAME VERSION (PATH)" for worker.rules, or why it cannot be loaded. */
void ruleset_version_print(const struct rf_config *cfg, FILE *out);

#endif
