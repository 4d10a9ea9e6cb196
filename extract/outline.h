/*
 * outline.h - a report's section tree: level 1 "一、", level 2 "(一)", level 3
 * "1." / "1、" / "(3)", each with its heading, span and category.
 */
#ifndef RF_OUTLINE_H
#define RF_OUTLINE_H

#include <stddef.h>

#include "budget.h"
#include "rules.h"
#include "text.h"

struct section {
    int level;            /* 1, 2 or 3 */
    char number[24];      /* as written, without punctuation: "一", "三", "2" */
    char path[32];        /* ordinal path: "2.1.3" */
    size_t start;         /* norm byte offset of the heading line */
    size_t end;           /* norm byte offset where the section ends */
    size_t heading_start; /* norm byte range of the heading text */
    size_t heading_end;
    const char *category; /* from the level-1 ancestor's heading (borrowed from rules) */
};

struct outline {
    struct section *items; /* in text order */
    size_t cnt;
};

/**
 * Find the sections of @p t, within @p budget (may be NULL).
 * @returns 0, or -1 on ENOMEM or a spent budget (see budget_state()).
 */
int outline_build(const struct text *t, const struct rules *rules, struct budget *budget,
                  struct outline *out);
void outline_release(struct outline *o);

/** The deepest section containing norm byte @p at, or NULL. O(log n). */
const struct section *outline_find(const struct outline *o, size_t at);

#endif
