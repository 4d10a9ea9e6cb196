/* log.c - one-line structured logging shared by every reportflow program. */
#include "reportflow/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "reportflow/clock.h"
#include "reportflow/utf8.h"

#define RF_LOG_MSG_MAX 2048 /* bytes of one formatted message */

/* Set once in rf_log_init() before threads start, read-only afterwards. */
static struct {
    char program[32];
    enum rf_log_level level;
    bool json;
} log_state = {"reportflow", RF_LOG_INFO, false};

static const char *const level_names[] = {"error", "warn", "info", "debug", "trace"};

const char *rf_log_program(void)
{
    return log_state.program;
}

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

/* The escape of one input unit (a character or an invalid byte) into @p esc; its input length. */
static size_t escape_unit(const char *in, size_t avail, char esc[8], size_t *esc_len)
{
    unsigned char c = (unsigned char)in[0];
    const char *simple = c == '"'    ? "\\\""
                         : c == '\\' ? "\\\\"
                         : c == '\n' ? "\\n"
                         : c == '\r' ? "\\r"
                         : c == '\t' ? "\\t"
                                     : NULL;
    if (simple) {
        *esc_len = 2;
        memcpy(esc, simple, 2);
        return 1;
    }
    size_t n = rf_utf8_seq_len(in, avail);
    if (n == 0 || c < 0x20 || c == 0x7F) {
        snprintf(esc, 8, "\\x%02X", c);
        *esc_len = 4;
        return 1;
    }
    memcpy(esc, in, n);
    *esc_len = n;
    return n;
}

bool rf_log_escape(const char *in, size_t len, char *out, size_t out_size)
{
    static const char marker[] = "...";
    size_t o = 0, i = 0;
    if (out_size < sizeof(marker)) {
        if (out_size > 0) {
            out[0] = '\0';
        }
        return len == 0;
    }
    while (i < len) {
        char esc[8];
        size_t esc_len;
        size_t used = escape_unit(in + i, len - i, esc, &esc_len);
        /* keep room for the marker unless this is the last unit */
        size_t reserve = i + used < len ? sizeof(marker) - 1 : 0;
        if (o + esc_len + reserve >= out_size) {
            memcpy(out + o, marker, sizeof(marker));
            return false;
        }
        memcpy(out + o, esc, esc_len);
        o += esc_len;
        i += used;
    }
    out[o] = '\0';
    return true;
}

/* JSON lines; false when jansson cannot build one (out of memory). */
static bool write_json_line(const char *when, enum rf_log_level level, const char *component,
                            const char *msg, size_t msg_len)
{
    char safe[RF_LOG_MSG_MAX * 3 + 1];
    /* jansson takes UTF-8 only, and escapes the rest itself */
    rf_utf8_lossy(msg, msg_len, safe, sizeof(safe));
    json_t *line = json_pack("{s:s, s:s, s:s, s:s, s:s}", "ts", when, "level", level_names[level],
                             "program", log_state.program, "component", component, "msg", safe);
    char *text = line ? json_dumps(line, JSON_COMPACT) : NULL;
    bool written = text != NULL;
    if (written) {
        fprintf(stderr, "%s\n", text);
    }
    free(text);
    json_decref(line);
    return written;
}

void rf_log_write(enum rf_log_level level, const char *component, const char *fmt, ...)
{
    char msg[RF_LOG_MSG_MAX];
    char when[40];
    va_list ap;

    va_start(ap, fmt);
    int n = vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    size_t len = n < 0 ? 0 : (size_t)n < sizeof(msg) ? (size_t)n : sizeof(msg) - 1;
    if (n > 0 && (size_t)n >= sizeof(msg)) {
        len = rf_utf8_trim_partial(msg, len); /* cut by bytes: end on a character */
    }
    msg[len] = '\0';
    rf_clock_format(rf_clock_now_ms(), when, sizeof(when));

    if (log_state.json && write_json_line(when, level, component, msg, len)) {
        return;
    }
    /* a message may carry anything a file name holds: quoted and escaped, one line per event */
    char safe[RF_LOG_MSG_MAX * 4 + 4];
    rf_log_escape(msg, len, safe, sizeof(safe));
    fprintf(stderr, "ts=%s level=%s program=%s component=%s msg=\"%s\"\n", when, level_names[level],
            log_state.program, component, safe);
}
