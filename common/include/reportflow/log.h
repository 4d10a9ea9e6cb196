/* log.h - one-line structured logging shared by every reportflow program. */
#ifndef RF_LOG_H
#define RF_LOG_H

#include <stdbool.h>
#include <stddef.h>

enum rf_log_level {
    RF_LOG_ERROR = 0,
    RF_LOG_WARN,
    RF_LOG_INFO,
    RF_LOG_DEBUG,
    RF_LOG_TRACE,
};

/**
 * Set the process-wide logger up: @p program prefixes every line, lines below
 * @p level are dropped, @p json picks JSON lines over logfmt-style text.
 * Call once from main() before any thread starts; pairs with rf_log_term().
 */
void rf_log_init(const char *program, enum rf_log_level level, bool json);
void rf_log_term(void);

/** The program name given to rf_log_init() ("" before it). Borrowed. */
const char *rf_log_program(void);

/** Parse "error", "warn", "info", "debug" or "trace"; -1 when unknown. */
int rf_log_level_parse(const char *name);

bool rf_log_enabled(enum rf_log_level level);

/*
 * Text made safe for one line. Lines are logfmt: ts=... level=... program=...
 * component=... msg="..."; the message is quoted and escaped, so a file name
 * holding a newline or a quote cannot forge a line or a key.
 */

/**
 * Escape @p len bytes of @p in for a logfmt quoted value (without the quotes):
 * \" \\ \n \r \t, other control bytes and invalid UTF-8 bytes as \xNN;
 * valid UTF-8 stays as it is. Never cuts a character or an escape: when
 * @p out_size is too small the text ends with "..." . @returns true when all fit.
 */
bool rf_log_escape(const char *in, size_t len, char *out, size_t out_size);

/** Write one line to stderr. Use the RF_LOG_* macros, which skip formatting when disabled. */
void rf_log_write(enum rf_log_level level, const char *component, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define RF_LOG(level, component, ...)                                                              \
    do {                                                                                           \
        if (rf_log_enabled(level)) {                                                               \
            rf_log_write(level, component, __VA_ARGS__);                                           \
        }                                                                                          \
    } while (0)

#define rf_error(component, ...) RF_LOG(RF_LOG_ERROR, component, __VA_ARGS__)
#define rf_warn(component, ...) RF_LOG(RF_LOG_WARN, component, __VA_ARGS__)
#define rf_info(component, ...) RF_LOG(RF_LOG_INFO, component, __VA_ARGS__)
#define rf_debug(component, ...) RF_LOG(RF_LOG_DEBUG, component, __VA_ARGS__)

#endif
