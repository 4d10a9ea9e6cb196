/* item.c - one inbox file on its way through the publisher. */
#include "item.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reportflow/utf8.h"

/* Longest reason kept for a dead letter or a sidecar. */
#define REASON_MAX 512

struct item *item_new(struct publisher *p, const char *rel)
{
    struct item *f = calloc(1, sizeof(*f));
    if (!f || !(f->rel = strdup(rel))) {
        free(f);
        return NULL;
    }
    f->p = p;
    return f;
}

void item_free(struct item *f)
{
    if (f) {
        free(f->rel);
        free(f->reason);
        free(f);
    }
}

void item_set_reason(struct item *f, const char *fmt, ...)
{
    char text[PATH_MAX + 1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    char *reason = malloc(REASON_MAX);
    if (!reason) {
        return;
    }
    rf_utf8_lossy(text, strlen(text), reason, REASON_MAX);
    free(f->reason);
    f->reason = reason;
}

const char *item_reason(const struct item *f)
{
    return f->reason ? f->reason : f->code;
}
