/*
 * quantity.h - numbers with a measure word: "1.6万项", "210多万人次", "近千人次",
 * "十余次", "两宗", "9.2%". Years, dates, document numbers, ordinals and names
 * are not quantities (docs/TAXONOMY.md section 4).
 */
#ifndef RF_QUANTITY_H
#define RF_QUANTITY_H

#include <stdbool.h>
#include <stddef.h>

#include "budget.h"
#include "text.h"

enum approx { APPROX_EXACT = 0, APPROX_AT_LEAST, APPROX_ABOUT };

/*
 * What a number with a measure word stands for. Only a count can be a metric: a
 * duration or a deadline (10个工作日, 2天内), a rate or a norm (每月至少检查2家) and
 * the value before a change (由原来的12份精简为4份) and the size of a list or a
 * catalogue (明确212家检查企业清单, 事项清单(...共188项)) count nothing that happened.
 */
enum quantity_role { ROLE_COUNT = 0, ROLE_DURATION, ROLE_RATE, ROLE_BEFORE_CHANGE, ROLE_INVENTORY };

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
    enum quantity_role role;
};

struct quantity_list {
    struct quantity *items; /* sorted by num_start */
    size_t cnt;
    size_t cap;
};

/* A word that qualifies a count: 近 (about), 超过 (at least). */
struct quantity_word {
    const char *word;
    enum approx approx;
};

/*
 * The words the finder reads, all from the rule set ("measure_words" and the
 * vocabulary's "number_words"), so that another report family can bring its
 * own. Borrowed; each list longest word first.
 */
struct quantity_vocab {
    const char *const *units; /* measure words: 家次, 家, 项 */
    size_t unit_cnt;
    const struct quantity_word *before; /* before the number: 超过, 近, 约 */
    size_t before_cnt;
    const struct quantity_word *after; /* after the measure word: 左右, 以上, 余 */
    size_t after_cnt;
    const char *const *more; /* inside the number, at least: 230余场, 8千多家 */
    size_t more_cnt;
    const char *const *word_starts; /* a numeral after these is part of a word: 统一, 进一步 */
    size_t word_start_cnt;
    const char *const *round_openers; /* a bare 百/千/万 counts after these: 近千人次, 上万 */
    size_t round_opener_cnt;
    const char *const *durations; /* as or right after the measure word: 天, 工作日 */
    size_t duration_cnt;
    const char *const *rates; /* earlier in the clause, a rate or a norm: 每, 人均 */
    size_t rate_cnt;
    const char *const *totals; /* ... unless one of these follows it: 共, 累计 */
    size_t total_cnt;
    const char *const *change_from; /* right before the number, the value before a change: 由 */
    size_t change_from_cnt;
    const char *const *inventories; /* a list the number sizes: 清单, 名单 (after it, or 清单(…) */
    size_t inventory_cnt;
    const char *const *names; /* names that start with a numeral: 七台河 (sorted by bytes) */
    size_t name_cnt;
};

/** "count", "duration", "rate", "before_change" or "inventory". */
const char *quantity_role_name(enum quantity_role r);

const char *quantity_approx_name(enum approx a);

/**
 * Parse a number at @p s (Arabic with optional decimals and thousands commas,
 * or Chinese numerals), with @p v's "more" words (余, 多) and 万/千/亿/百 after it.
 * @returns bytes consumed (0 when no number starts here), the value and approx.
 */
size_t quantity_parse_number(const char *s, size_t len, const struct quantity_vocab *v,
                             double *value, enum approx *approx);

/**
 * A plain decimal at @p s (@p len bytes): Arabic digits, commas between groups
 * of three, one decimal point, at most a number's length; never an exponent,
 * "inf" or "nan", so the value is always finite. @returns bytes read, 0 when
 * none.
 */
size_t quantity_parse_decimal(const char *s, size_t len, double *value);

/**
 * Find every quantity in the normalised text, with the words of @p v, within
 * @p budget (may be NULL).
 * @returns 0, or -1 on ENOMEM or a spent budget (budget_state() says which).
 */
int quantity_find_all(const struct text *t, const struct quantity_vocab *v, struct budget *budget,
                      struct quantity_list *out);
void quantity_list_release(struct quantity_list *l);

/** The quantity whose number starts at @p num_start, or NULL. */
const struct quantity *quantity_at(const struct quantity_list *l, size_t num_start);

#endif
