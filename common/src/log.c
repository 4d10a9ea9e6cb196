/* log.c - one-line structured logging shared by every reportflow program. */
#include "reportflow/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "reportflow/fsutil.h"

/* Set once in rf_log_init() before threads start, read-only afterwards. */
static struct {
    char program[32];
    enum rf_log_level level;
    bool json;
} log_state = {"reportflow", RF_LOG_INFO, false};

static const char *const level_names[] = {"error", "warn", "info", "debug", "trace"};

void rf_log_init(const char *program, enum rf_log_level level, bool json)
{
    snprintf(log_state.program, sizeof(log_state.program), "%s", program);
    log_state.level = level;
    log_state.json = json;
}

void rf_log_term(void)
{
    fflush(stderr);
}

int rf_log_level_parse(const char *name)
{
    for (size_t i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++) {
        if (strcmp(name, level_names[i]) == 0) {
            return (int)i;
        }
    }
    return -1;
}

bool rf_log_enabled(enum rf_log_level level)
{
    return level <= log_state.level;
}

void rf_log_write(enum rf_log_level level, const char *component, const char *fmt, ...)
{
    char msg[2048];
    char when[40];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    rf_clock_format(rf_clock_now_ms(), when, sizeof(when));

    if (log_state.json) {
        json_t *line = json_pack("{s:s, s:s, s:s, s:s, s:s}", "ts", when, "level",
                                 level_names[level], "program", log_state.program, "component",
                                 component, "msg", msg);
        char *text = line ? json_dumps(line, JSON_COMPACT) : NULL;
        fprintf(stderr, "%s\n", text ? text : msg);
        free(text);
        json_decref(line);
    } else {
        fprintf(stderr, "%s %-5s [%s:%s] %s\n", when, level_names[level], log_state.program,
                component, msg);
    }
}
