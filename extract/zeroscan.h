/*
 * zeroscan.h - where a stated zero can start. A rule's pattern for a stated
 * zero begins with the words that say it, (?<zero>无|未发生|没有 ...), so a match
 * can only start where the first character of one of them stands. Tried there
 * alone, anchored, instead of from every byte of the text, the patterns of
 * stated zeros cost a few tries per report rather than a pass each over it
 * (they were a tenth of an extraction's time, issue 22).
 */
#ifndef RF_ZEROSCAN_H
#define RF_ZEROSCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A pattern's zero words may start with at most this many characters. */
#define ZEROSCAN_FIRSTS 8

/* A set of three-byte characters (U+0800 to U+FFFF, where Han stands), one bit each. */
#define ZEROSCAN_SET_BYTES (0x10000 / 8)

/**
 * The code points the words of @p pattern's leading (?<zero>...) group start
 * with, into @p out (at most @p max, no repeats). Only a group of plain words
 * between '|' counts (no escape, class, group or quantifier in it), each
 * starting with a three-byte character.
 * @returns how many, or 0 when the pattern does not start with such a group.
 */
size_t zeroscan_firsts(const char *pattern, uint32_t *out, size_t max);

/** Add @p firsts (@p cnt code points from zeroscan_firsts()) to @p set. */
void zeroscan_mark(uint8_t set[ZEROSCAN_SET_BYTES], const uint32_t *firsts, size_t cnt);

/**
 * The byte offsets in @p text (@p len bytes of valid UTF-8) where a character
 * of @p set stands, ascending, into *@p out (malloc'd, the caller frees it;
 * NULL when there are none): one pass over the text. @returns 0, or -1 on ENOMEM.
 */
int zeroscan_positions(const char *text, size_t len, const uint8_t set[ZEROSCAN_SET_BYTES],
                       size_t **out, size_t *out_cnt);

/** Does one of @p firsts (@p cnt code points) stand at byte @p at of @p text? */
bool zeroscan_starts_with(const char *text, size_t len, size_t at, const uint32_t *firsts,
                          size_t cnt);

#endif
