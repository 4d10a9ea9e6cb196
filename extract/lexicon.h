/*
 * lexicon.h - the keyer's word lists ("keyer_lexicon" of the rule set: action
 * and object words with their concepts, 检查 -> inspect), indexed so that the
 * word ending or starting at any position of a window is found at once.
 */
#ifndef RF_LEXICON_H
#define RF_LEXICON_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "rulefile.h"

/*
 * Words tried at every position of a window: indexed by their last byte (a
 * word ending where the window ends) and by their second byte (one starting
 * where it starts). Both are continuation bytes of a Han character, so a
 * bucket holds one or two words.
 */
struct lexicon {
    struct name_pair *words; /* sorted by last byte */
    size_t cnt;
    size_t by_last[257];   /* words[by_last[b] .. by_last[b + 1]) end with byte b */
    size_t *by_second;     /* word indexes grouped by second byte */
    size_t second_at[257]; /* by_second[second_at[b] .. second_at[b + 1]) */
};

/**
 * Read the [word, concept] pairs of @p field of @p lex into @p out (zeroed),
 * @p path naming the rule file in errors. @returns 0, or -1 with the reason in
 * @p errstr; lexicon_release() frees @p out either way.
 */
int lexicon_load(json_t *lex, const char *field, struct lexicon *out, const char *path,
                 char *errstr, size_t errstr_size);
void lexicon_release(struct lexicon *lex);

/**
 * The concept of the lexicon word nearest to a number in bytes [a, b) of
 * @p s: the one ending closest to @p b (@p before) or starting closest to
 * @p a. Walks outward from the number and stops at the first word.
 * @returns the concept, or NULL when no word is there.
 */
const char *lexicon_nearest(const struct lexicon *lex, const char *s, size_t a, size_t b,
                            bool before);

#endif
