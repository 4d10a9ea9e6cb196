/*
 * metrics.h - taxonomy facts: quantities the rule set can name with a key.
 * One mention gives at most one fact: the rule with the highest priority wins,
 * and between equals the one whose wording starts first ("the first decides").
 */
#ifndef RF_METRICS_H
#define RF_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "budget.h"
#include "quantity.h"
#include "rules.h"
#include "text.h"

struct fact {
    const struct rule *rule; /* the rule that named it (borrowed from the rule set) */
    double value;            /* in the key's base unit */
    enum approx approx;
    char unit[32];       /* as written */
    size_t start, end;   /* norm bytes of the mention (quantity, or the 无 wording) */
    size_t clause_start; /* norm bytes of the clause holding it: the evidence */
    size_t clause_end;
    char as_of[64]; /* "截至11月" limit as written (norm), or "": whole characters, <= 40 bytes */
    bool has_yoy;
    double yoy_pct;    /* year-on-year change in percent, signed */
    double confidence; /* the keyer model's probability for the key, or -1 (rule only) */
    size_t quantity;   /* index of the quantity it names, or METRICS_NO_QUANTITY (a stated zero) */
};

/* struct fact's quantity when the fact is a stated zero (无 wording), not a quantity. */
#define METRICS_NO_QUANTITY SIZE_MAX

struct fact_list {
    struct fact *items; /* in text order */
    size_t cnt;
};

/*
 * How far from its number a rule's wording may lie, in bytes of normalised
 * text (120 Chinese characters). Rules and the planned-number veto look no
 * further, so the work per quantity is bounded whatever the clause's length;
 * the longest reach in config/rules/ is about 45 characters.
 */
#define METRICS_REACH_BYTES 360

/*
 * The longest stretch of text one PCRE2 call is given. PCRE2's JIT takes more
 * than linear time on one long subject (a pattern over 4 MB of numbers took
 * 6 times as long as over 1 MB); chunks keep it linear. Chunks overlap by
 * METRICS_REACH_BYTES, and a match belongs to the chunk it starts in.
 */
#define METRICS_SCAN_CHUNK_BYTES 65536

/**
 * Name every quantity the rules cover, within @p budget (may be NULL).
 * @returns 0, or -1 on ENOMEM, a match error or a spent budget (see budget_state()).
 */
int metrics_extract(const struct rules *rules, struct rules_matcher *m, const struct text *t,
                    const struct quantity_list *qs, struct budget *budget, struct fact_list *out);
void metrics_facts_release(struct fact_list *l);

#endif
