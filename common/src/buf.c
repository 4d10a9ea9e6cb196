/* buf.c - a growable byte buffer, always NUL-terminated. */
#include "reportflow/buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int rf_buf_reserve(struct rf_buf *b, size_t extra)
{
    if (b->len + extra + 1 <= b->cap) {
        return 0;
    }
    size_t cap = b->cap ? b->cap : 64;
    while (cap < b->len + extra + 1) {
        cap *= 2;
    }
    char *grown = realloc(b->data, cap);
    if (!grown) {
        return -1;
    }
    b->data = grown;
    b->cap = cap;
    return 0;
}

int rf_buf_append(struct rf_buf *b, const void *data, size_t len)
{
    if (rf_buf_reserve(b, len) != 0) {
        return -1;
    }
    if (len) {
        memcpy(b->data + b->len, data, len);
    }
    b->len += len;
    b->data[b->len] = '\0';
    return 0;
}

int rf_buf_append_str(struct rf_buf *b, const char *s)
{
    return rf_buf_append(b, s, strlen(s));
}

int rf_buf_printf(struct rf_buf *b, const char *fmt, ...)
{
    /* most callers format a few bytes: try the room there is before measuring */
    if (rf_buf_reserve(b, 64) != 0) {
        return -1;
    }
    va_list ap;
    va_start(ap, fmt);
    int need = vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap);
    va_end(ap);
    if (need < 0) {
        b->data[b->len] = '\0';
        return -1;
    }
    if ((size_t)need >= b->cap - b->len) {
        if (rf_buf_reserve(b, (size_t)need) != 0) {
            b->data[b->len] = '\0';
            return -1;
        }
        va_start(ap, fmt);
        vsnprintf(b->data + b->len, (size_t)need + 1, fmt, ap);
        va_end(ap);
    }
    b->len += (size_t)need;
    return 0;
}

char *rf_buf_detach(struct rf_buf *b)
{
    char *data = b->data;
    if (!data) {
        data = calloc(1, 1);
    }
    b->data = NULL;
    b->len = b->cap = 0;
    return data;
}

void rf_buf_release(struct rf_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

void rf_buf_clear(struct rf_buf *b)
{
    b->len = 0;
    if (b->data) {
        b->data[0] = '\0';
    }
}
