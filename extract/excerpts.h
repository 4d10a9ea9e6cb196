/*
 * excerpts.h - the wording quantities and facts came from, each stored once
 * (the envelope's "clauses", docs/DESIGN.md "The envelope"): a quantity or a
 * fact refers to its excerpt by index instead of carrying a copy.
 *
 * A clause of at most max_chars characters is one excerpt, whole. A longer
 * (run-on) clause is shown through windows of max_chars characters that start
 * every max_chars / 2 characters from the clause's start: the windows do not
 * depend on any number, so the mentions near one another share one, and a
 * run-on clause is stored about twice, not once per number in it. A mention
 * takes the window that leaves it at least max_chars / 4 characters of wording
 * before it (the words before a number say what it counts), or the first one.
 * A mention that does not fit its window (one longer than max_chars / 4) gets
 * an excerpt cut around it, as text_excerpt_range() cuts. "…" marks where a
 * clause goes on. Every mention lies inside its excerpt (its first max_chars
 * characters when it is longer than that).
 */
#ifndef RF_EXCERPTS_H
#define RF_EXCERPTS_H

#include <stdbool.h>
#include <stddef.h>

#include "budget.h"
#include "jsonout.h"
#include "text.h"

/** One excerpt: characters [from, to) of the original text. */
struct excerpt {
    size_t from, to;
    bool lead, trail; /* the clause goes on before / after it: shown with "…" */
};

/** A document's excerpts, in the order first asked for, without duplicates. */
struct excerpts {
    size_t max_chars;      /* the longest excerpt, "…" marks aside */
    struct excerpt *items; /* index = the envelope's reference */
    size_t cnt, cap;
    size_t *slots; /* hash of (from, to) to index + 1; 0: empty. Half full at most */
    size_t nslots; /* a power of two, or 0 */
};

/** An empty set of excerpts of at most @p max_chars (> 3) characters each. */
void excerpts_init(struct excerpts *x, size_t max_chars);
void excerpts_release(struct excerpts *x);

/**
 * The excerpt for the mention at norm bytes [@p m_from, @p m_to) of the clause at
 * norm bytes [@p clause_from, @p clause_to) of @p t, added when it is new, into
 * *@p index. O(1) on average. @returns 0, or -1 on ENOMEM.
 */
int excerpts_add(struct excerpts *x, const struct text *t, size_t clause_from, size_t clause_to,
                 size_t m_from, size_t m_to, size_t *index);

/**
 * The envelope's "clauses": one {"text", "start", "end", "cut"} per excerpt, in
 * index order; text with "…" where the clause goes on, start and end its
 * characters in the original text, written to @p out as the array of @p key. After each,
 * @p budget (may be NULL) is told the output's length. @returns 0, or -1 on ENOMEM or a
 * spent budget.
 */
int excerpts_write(const struct excerpts *x, const struct text *t, struct jsonout *out,
                   const char *key, struct budget *budget);

#endif
