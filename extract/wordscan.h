/*
 * wordscan.h - the words of several lists (a rule set's [word, label] pairs)
 * found in one pass over a text: each position is tried only where the first
 * character of some word stands (a bit per character) and then only where its
 * first two do (a bit per pair of characters, hashed), and
 * then only the words that start with its character. One pass for all the
 * words, instead of one per word: the agency finder's body words and
 * self-references are some 170 words. Words start with a three-byte character
 * (Han, 。); others are never found.
 */
#ifndef RF_WORDSCAN_H
#define RF_WORDSCAN_H

#include <stddef.h>
#include <stdint.h>

#include "rulefile.h"

struct wordscan_word {
    uint32_t first; /* code point of its first character */
    const struct name_pair *pair;
    unsigned list; /* which of the lists given to wordscan_init() */
};

struct wordscan {
    uint8_t firsts[0x10000 / 8]; /* the first characters of the words (three-byte: < 0x10000) */
    uint8_t bits[0x10000 / 8];   /* pairs of first characters, hashed */
    struct wordscan_word *words; /* sorted by first character */
    size_t cnt;
};

/* Where a scan is: the position tried and the words of its character left to try. */
struct wordscan_cursor {
    size_t at;
    size_t next, end; /* words[next .. end) start with the character at @p at */
};

/**
 * Index @p list_cnt lists of words (@p lists[i] holds @p counts[i] pairs) into @p s.
 * @returns 0, or -1 on ENOMEM; wordscan_release() frees @p s either way.
 */
int wordscan_init(struct wordscan *s, const struct name_pair *const lists[], const size_t counts[],
                  size_t list_cnt);
void wordscan_release(struct wordscan *s);

/** wordscan_init() into a new one on the heap. @returns it (free with wordscan_free()), or NULL
 *  on ENOMEM. */
struct wordscan *wordscan_new(const struct name_pair *const lists[], const size_t counts[],
                              size_t list_cnt);
/** Release and free one from wordscan_new(); NULL is ignored. */
void wordscan_free(struct wordscan *s);

/** A cursor at byte @p from of a text. */
static inline struct wordscan_cursor wordscan_from(size_t from)
{
    return (struct wordscan_cursor){from, 0, 0};
}

/**
 * The next word of @p s in @p text (@p len bytes, valid UTF-8, though @p len may
 * cut a character: no word is found across the cut) at or after the
 * cursor, positions ascending, the words at one position one by one; *at gets
 * its byte offset. @returns NULL past the end.
 */
const struct wordscan_word *wordscan_next(const struct wordscan *s, const char *text, size_t len,
                                          struct wordscan_cursor *c, size_t *at);

#endif
