/*
 * pinyin.h - some converted pages print a character's pinyin reading after it
 * (重慶市環(huán)保局); the agency finder reads the text without them.
 */
#ifndef RF_PINYIN_H
#define RF_PINYIN_H

#include <stdbool.h>
#include <stddef.h>

/**
 * A copy of @p s (@p len bytes) without the readings in parentheses that follow
 * a Han character, NUL-terminated, its length in *@p out_len (the caller frees
 * it); or NULL when @p s has none. *@p nomem tells a failed allocation from none.
 * A tone mark tells a reading from a parenthesised word: (app) stays.
 */
char *pinyin_strip_readings(const char *s, size_t len, size_t *out_len, bool *nomem);

#endif
