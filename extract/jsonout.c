/* jsonout.c - the envelope's JSON text, written as it is built: see jsonout.h. */
#include "jsonout.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reportflow/utf8.h"

void jsonout_init(struct jsonout *o)
{
    o->buf = (struct rf_buf)RF_BUF_INIT;
    o->failed = false;
    o->comma = false;
}

void jsonout_release(struct jsonout *o)
{
    rf_buf_release(&o->buf);
}

/* Most writes are a few bytes into room there is: only a full buffer calls out to grow. */
static inline void put(struct jsonout *o, const char *s, size_t len)
{
    struct rf_buf *b = &o->buf;
    if (b->len + len < b->cap) {
        memcpy(b->data + b->len, s, len);
        b->len += len;
        b->data[b->len] = '\0';
        return;
    }
    if (!o->failed && rf_buf_append(b, s, len) != 0) {
        o->failed = true;
    }
}

/* The ',' before a member and its "key": (none for an element or the top value). */
static void member(struct jsonout *o, const char *key)
{
    if (o->comma) {
        put(o, ",", 1);
    }
    o->comma = true;
    if (key) {
        put(o, "\"", 1);
        put(o, key, strlen(key));
        put(o, "\":", 2);
    }
}

void jsonout_object(struct jsonout *o, const char *key)
{
    member(o, key);
    put(o, "{", 1);
    o->comma = false;
}

void jsonout_array(struct jsonout *o, const char *key)
{
    member(o, key);
    put(o, "[", 1);
    o->comma = false;
}

void jsonout_close_object(struct jsonout *o)
{
    put(o, "}", 1);
    o->comma = true;
}

void jsonout_close_array(struct jsonout *o)
{
    put(o, "]", 1);
    o->comma = true;
}

/* The escape of byte @p c, or NULL when it stands as it is (as jansson escapes). */
static const char *escape_of(unsigned char c, char spare[8])
{
    switch (c) {
    case '"':
        return "\\\"";
    case '\\':
        return "\\\\";
    case '\b':
        return "\\b";
    case '\f':
        return "\\f";
    case '\n':
        return "\\n";
    case '\r':
        return "\\r";
    case '\t':
        return "\\t";
    default:
        break;
    }
    if (c >= 0x20) {
        return NULL;
    }
    static const char hex[] = "0123456789ABCDEF";
    memcpy(spare, "\\u00", 4);
    spare[4] = hex[c >> 4];
    spare[5] = hex[c & 15];
    spare[6] = '\0';
    return spare;
}

void jsonout_strn(struct jsonout *o, const char *key, const char *s, size_t len)
{
    assert(rf_utf8_valid(s, len)); /* see jsonout.h */
    member(o, key);
    put(o, "\"", 1);
    size_t run = 0; /* bytes of s from here on that need no escape are copied at once */
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\') {
            continue;
        }
        char spare[8];
        put(o, s + run, i - run);
        const char *esc = escape_of(c, spare);
        put(o, esc, strlen(esc));
        run = i + 1;
    }
    put(o, s + run, len - run);
    put(o, "\"", 1);
}

void jsonout_str(struct jsonout *o, const char *key, const char *s)
{
    if (!s) {
        jsonout_null(o, key);
        return;
    }
    jsonout_strn(o, key, s, strlen(s));
}

void jsonout_int(struct jsonout *o, const char *key, long long v)
{
    char digits[24];
    size_t n = sizeof(digits);
    unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
    do {
        digits[--n] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0) {
        digits[--n] = '-';
    }
    member(o, key);
    put(o, digits + n, sizeof(digits) - n);
}

/* @p v in the fewest significant digits (15 to 17) that read back as @p v. */
static int shortest(double v, char *out, size_t size)
{
    int n = 0;
    for (int prec = 15; prec <= 17; prec++) {
        n = snprintf(out, size, "%.*g", prec, v);
        if (strtod(out, NULL) == v) {
            break;
        }
    }
    return n;
}

void jsonout_number(struct jsonout *o, const char *key, double v)
{
    if (isfinite(v) && fabs(v) < 9e15 && v == floor(v)) {
        jsonout_int(o, key, (long long)v);
        return;
    }
    jsonout_real(o, key, v);
}

void jsonout_real(struct jsonout *o, const char *key, double v)
{
    if (!isfinite(v)) { /* JSON has no such number: the caller's fault, said by a failure */
        o->failed = true;
        return;
    }
    char text[40];
    int n = shortest(v, text, sizeof(text) - 2);
    if (n <= 0 || (size_t)n >= sizeof(text) - 2) {
        o->failed = true;
        return;
    }
    if (!strpbrk(text, ".e")) { /* a real reads as a real, as jansson writes it */
        memcpy(text + n, ".0", 3);
        n += 2;
    }
    member(o, key);
    put(o, text, (size_t)n);
}

void jsonout_bool(struct jsonout *o, const char *key, bool v)
{
    member(o, key);
    put(o, v ? "true" : "false", v ? 4 : 5);
}

void jsonout_null(struct jsonout *o, const char *key)
{
    member(o, key);
    put(o, "null", 4);
}

char *jsonout_take(struct jsonout *o, size_t *len)
{
    if (o->failed) {
        jsonout_release(o);
        jsonout_init(o);
        return NULL;
    }
    *len = o->buf.len;
    char *text = rf_buf_detach(&o->buf);
    jsonout_init(o);
    return text;
}
