/*
 * catalogue.h - the rule sets a worker runs (worker.rules): one rule file, or
 * every rule file of a folder, one per report family. Each document goes to
 * the family whose "family" object scores it highest (family.h); a rule set
 * without one takes any document no family claims. A document no rule set
 * takes gets its outline, citations and quantities with the first set's
 * vocabulary, and no facts. The catalogue's hash names what it extracts
 * (envelope "rules_hash", sql/012): a single file keeps its own hash.
 */
#ifndef RF_CATALOGUE_H
#define RF_CATALOGUE_H
#include <stddef.h>
#include "rules.h"
#include "text.h"

/* The most rule files read from one folder. */
#define CATALOGUE_MAX_SETS 64

struct catalogue {
    struct rules **sets; /* sorted by file name; at least one */
    size_t cnt;
    char hash[RULES_HASH_LEN + 1];
    size_t max_captures; /* the most any set's patterns need (rules_matcher_init()) */
};

/**
 * Load @p path: a rule file, or a folder whose *.json files (but *.model.json)
 * are rule files. @returns a new catalogue (free with catalogue_free()), or
 * NULL with @p errstr naming the file and what is wrong with it.
 */
struct catalogue *catalogue_load(const char *path, char *errstr, size_t errstr_size);
void catalogue_free(struct catalogue *c);

/** A catalogue of the one set @p r, which it takes (NULL @p r or ENOMEM: NULL, @p r freed). */
struct catalogue *catalogue_of_one(struct rules *r);

/** "name version" of each set, joined by ", ", into @p out (cut to fit). */
void catalogue_describe(const struct catalogue *c, char *out, size_t out_size);

/** The set whose vocabulary decodes and reads every document: the first. */
const struct rules *catalogue_base(const struct catalogue *c);

/**
 * The rule set of @p t's family, matched with @p m, or NULL when no set takes
 * it. Ties go to the set first in file order.
 */
const struct rules *catalogue_pick(const struct catalogue *c, const struct text *t,
                                   struct rules_matcher *m);

/** A matcher big enough for every set of @p c. @returns 0 or -1 on ENOMEM. */
int catalogue_matcher_init(struct rules_matcher *m, const struct catalogue *c);
#endif
