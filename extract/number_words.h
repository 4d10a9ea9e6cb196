/*
 * number_words.h - the vocabulary's "number_words": qualifiers before and
 * after a number (约, 以上), "more" words (余, 多), word starts and round
 * openers. They become the quantity finder's view (struct quantity_vocab,
 * with the measure words) and {Q}'s optional words in the metric patterns.
 */
#ifndef RF_NUMBER_WORDS_H
#define RF_NUMBER_WORDS_H

#include <stddef.h>

#include <jansson.h>

#include "rules.h"

/**
 * Read "number_words" of vocabulary @p v (optional, like @p v: without them a
 * count takes no qualifier) into @p r, whose measure words are loaded.
 * @p path names the rule file in errors. @returns 0, or -1 with the reason in
 * @p errstr; rules_free() frees what was read either way.
 */
int number_words_load(struct rules *r, json_t *v, const char *path, char *errstr,
                      size_t errstr_size);

#endif
