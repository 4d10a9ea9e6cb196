/*
 * metrics.h - taxonomy facts: quantities the rule set can name with a key.
 * One mention gives at most one fact: the rule with the highest priority wins,
 * and between equals the one whose wording starts first ("the first decides").
 */
#ifndef RF_METRICS_H
#define RF_METRICS_H

#include <stdbool.h>
#include <stddef.h>

#include "quantity.h"
#include "rules.h"
#include "text.h"

struct fact {
    const struct rule *rule; /* the rule that named it (borrowed from the rule set) */
    double value;            /* in the key's base unit */
    enum approx approx;
    char unit[32];           /* as written */
    size_t start, end;       /* norm bytes of the mention (quantity, or the 无 wording) */
    size_t clause_start;     /* norm bytes of the clause holding it: the evidence */
    size_t clause_end;
    char as_of[64];          /* "截至11月" period limit as written (norm), or "" */
    bool has_yoy;
    double yoy_pct;          /* year-on-year change in percent, signed */
    double confidence;       /* the keyer model's probability for the key, or -1 (rule only) */
};

struct fact_list {
    struct fact *items; /* in text order */
    size_t cnt;
};

/** Name every quantity the rules cover. @returns 0 or -1 on ENOMEM / match error. */
int metrics_extract(const struct rules *rules, struct rules_matcher *m, const struct text *t,
                    const struct quantity_list *qs, struct fact_list *out);
void fact_list_release(struct fact_list *l);

#endif
