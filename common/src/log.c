/* log.c - one-line structured logging shared by every reportflow program. */
#include "reportflow/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "reportflow/fsutil.h"

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

size_t rf_utf8_seq_len(const char *s, size_t avail)
{
    const unsigned char *u = (const unsigned char *)s;
    if (avail == 0) {
        return 0;
    }
    if (u[0] < 0x80) {
        return 1;
    }
    size_t need;
    unsigned lo = 0x80, hi = 0xBF; /* range of the second byte */
    if (u[0] >= 0xC2 && u[0] <= 0xDF) {
        need = 2;
    } else if (u[0] >= 0xE0 && u[0] <= 0xEF) {
        need = 3;
        lo = u[0] == 0xE0 ? 0xA0 : 0x80; /* no overlongs */
        hi = u[0] == 0xED ? 0x9F : 0xBF; /* no surrogates */
    } else if (u[0] >= 0xF0 && u[0] <= 0xF4) {
        need = 4;
        lo = u[0] == 0xF0 ? 0x90 : 0x80;
        hi = u[0] == 0xF4 ? 0x8F : 0xBF; /* nothing past U+10FFFF */
    } else {
        return 0;
    }
    if (avail < need || u[1] < lo || u[1] > hi) {
        return 0;
    }
    for (size_t i = 2; i < need; i++) {
        if ((u[i] & 0xC0) != 0x80) {
            return 0;
        }
    }
    return need;
}

size_t rf_utf8_encode(uint32_t cp, char *out)
{
    if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
        cp = 0xfffd;
    }
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    /* lead byte: as many high bits set as the sequence has bytes */
    size_t n = cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    static const unsigned char lead[] = {0, 0, 0xc0, 0xe0, 0xf0};
    for (size_t i = n - 1; i > 0; i--) {
        out[i] = (char)(0x80 | (cp & 0x3f));
        cp >>= 6;
    }
    out[0] = (char)(lead[n] | cp);
    return n;
}

size_t rf_utf8_cut(const char *s, size_t len, size_t max)
{
    if (len <= max) {
        return len;
    }
    /* a cut inside a character lands on a continuation byte: back up to its lead byte */
    size_t at = max;
    for (int back = 0; back < 3 && at > 0 && ((unsigned char)s[at] & 0xC0) == 0x80; back++) {
        at--;
    }
    return ((unsigned char)s[at] & 0xC0) == 0x80 ? max : at; /* not UTF-8 there: any cut */
}

bool rf_utf8_lossy(const char *in, size_t len, char *out, size_t out_size)
{
    static const char replacement[] = "\xEF\xBF\xBD"; /* U+FFFD */
    size_t o = 0, i = 0;
    if (out_size == 0) {
        return len == 0;
    }
    while (i < len) {
        size_t n = rf_utf8_seq_len(in + i, len - i);
        const char *piece = n ? in + i : replacement;
        size_t piece_len = n ? n : 3;
        if (o + piece_len >= out_size) {
            break;
        }
        memcpy(out + o, piece, piece_len);
        o += piece_len;
        i += n ? n : 1;
    }
    out[o] = '\0';
    return i == len;
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

/* @p len without a character cut short at its end. */
static size_t trim_partial_tail(const char *s, size_t len)
{
    for (size_t back = 1; back <= 3 && back <= len; back++) {
        unsigned char c = (unsigned char)s[len - back];
        if ((c & 0xC0) == 0x80) {
            continue; /* continuation: look further back for its lead byte */
        }
        bool lead = c >= 0xC0;
        return lead && rf_utf8_seq_len(s + len - back, back) == 0 ? len - back : len;
    }
    return len;
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
        len = trim_partial_tail(msg, len); /* cut by bytes: end on a character */
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
