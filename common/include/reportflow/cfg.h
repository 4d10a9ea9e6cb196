/*
 * cfg.h - the old name of config.h, kept only because extract/ruleset_version.h still
 * includes it (extract/ is being edited elsewhere); delete once that line names config.h.
 */
#include "reportflow/config.h"
