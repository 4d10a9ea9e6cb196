/* citations.h - every title in 《》 with a normalised form and a kind. */
#ifndef RF_CITATIONS_H
#define RF_CITATIONS_H

#include <stdbool.h>
#include <stddef.h>

#include "budget.h"
#include "jsonout.h"
#include "outline.h"
#include "rules.h"
#include "text.h"

/**
 * Normalise a cited title: full-width forms already folded by text.c, a
 * leading @p prefix (the rule set's citation_prefix, 中华人民共和国; NULL: none)
 * removed, spaces dropped. @returns a new string.
 */
char *citations_normalise(const char *title, size_t len, const char *prefix);

/** The kind of a normalised title from its ending (rules' citation_kinds), or "other". */
const char *citations_kind(const struct rules *rules, const char *normalised);

/**
 * The next cited title at or after norm byte @p from: its bytes between 《 and
 * 》 in [*@p start, *@p end). A 《 pairs with the first 》 after it unless another
 * 《 comes first; a pair over 600 bytes apart is no title. Calls that go on
 * from *@p end read the text once. @returns false when there is none.
 */
bool citations_next(const struct text *t, size_t from, size_t *start, size_t *end);

/**
 * All citations of @p t, written to @p out as the array of @p key (see jsonout.h) of {title,
 * normalized, kind, start, end, section}, in one pass whatever the marks (a 《 pairs with the first
 * 》 after it unless another 《 comes first). After each, @p budget (may be NULL) is told the
 * output's length. @returns 0, or -1 on ENOMEM or a spent budget (see budget_state()).
 */
int citations_write(const struct text *t, const struct rules *rules, const struct outline *outline,
                    struct jsonout *out, const char *key, struct budget *budget);

#endif
