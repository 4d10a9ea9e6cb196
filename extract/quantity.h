/*
 * quantity.h - numbers with a measure word: "1.6万项", "210多万人次", "近千人次",
 * "十余次", "两宗", "9.2%". Years, dates, document numbers, ordinals and names
 * are not quantities (TAXONOMY.md section 4).
 */
#ifndef RF_QUANTITY_H
#define RF_QUANTITY_H

#include <stdbool.h>
#include <stddef.h>

#include "budget.h"
#include "text.h"

enum approx { APPROX_EXACT = 0, APPROX_AT_LEAST, APPROX_ABOUT };

struct quantity {
    double value;        /* in the unit's base: 万 and 千 multiplied out */
    enum approx approx;  /* from 余/多/超/以上/逾 or 约/近/左右 */
    size_t start;        /* norm byte offset of the whole mention, qualifier included */
    size_t num_start;    /* norm byte offset of the first digit or numeral */
    size_t end;          /* norm byte offset just past the unit and any suffix */
    size_t clause_start; /* norm byte range of the clause holding it */
    size_t clause_end;
    char unit[32]; /* measure word as written ("项", "人次", "%") */
    bool cell;     /* a bare number filling a table cell (| 行政许可 | 44 |): unit "" */
};

struct quantity_list {
    struct quantity *items; /* sorted by num_start */
    size_t cnt;
    size_t cap;
};

/** Measure words, longest first; borrowed from the rule set. */
struct unit_table {
    const char *const *words;
    size_t cnt;
};

const char *approx_name(enum approx a);

/**
 * Parse a number at @p s (Arabic with optional decimals and thousands commas,
 * or Chinese numerals), with 余/多 and 万/千/亿/百 after it.
 * @returns bytes consumed (0 when no number starts here), the value and approx.
 */
size_t quantity_parse_number(const char *s, size_t len, double *value, enum approx *approx);

/**
 * Find every quantity in the normalised text, within @p budget (may be NULL).
 * @returns 0, or -1 on ENOMEM or a spent budget (budget_state() says which).
 */
int quantity_find_all(const struct text *t, const struct unit_table *units, struct budget *budget,
                      struct quantity_list *out);
void quantity_list_release(struct quantity_list *l);

/** The quantity whose number starts at @p num_start, or NULL. */
const struct quantity *quantity_at(const struct quantity_list *l, size_t num_start);

#endif
