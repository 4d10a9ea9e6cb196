/* pinyin.c - reading past the pinyin that converted pages print after a character. */
#define _GNU_SOURCE /* memmem */
#include "pinyin.h"

#include <stdlib.h>
#include <string.h>

/* The tone-marked vowels of pinyin, two bytes each. */
static const char TONE_VOWELS[] = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü";

#define MAX_READING_LETTERS 6 /* zhuang, shuang: the longest syllables */

static bool tone_vowel_at(const char *s, size_t len)
{
    /* lead bytes sit at even offsets of TONE_VOWELS, so a match is a whole vowel */
    return len >= 2 && ((unsigned char)s[0] & 0xe0) == 0xc0 &&
           memmem(TONE_VOWELS, sizeof(TONE_VOWELS) - 1, s, 2) != NULL;
}

/* At @p s: a pinyin reading in parentheses, (huán). @returns its length in bytes, or 0. */
static size_t reading_at(const char *s, size_t len)
{
    if (len < 4 || s[0] != '(') {
        return 0;
    }
    size_t i = 1, letters = 0;
    bool toned = false;
    while (i < len && letters < MAX_READING_LETTERS) {
        if (s[i] >= 'a' && s[i] <= 'z') {
            i++;
        } else if (tone_vowel_at(s + i, len - i)) {
            i += 2;
            toned = true;
        } else {
            break;
        }
        letters++;
    }
    /* a tone mark tells a reading from a parenthesised word, (app) */
    return toned && i < len && s[i] == ')' ? i + 1 : 0;
}

char *pinyin_strip_readings(const char *s, size_t len, size_t *out_len, bool *nomem)
{
    char *out = NULL;
    size_t o = 0;
    *nomem = false;
    for (size_t i = 0; i < len;) {
        if (!out) { /* nothing cut yet: on to the next '(' at once */
            const char *open = memchr(s + i, '(', len - i);
            if (!open) {
                break;
            }
            i = (size_t)(open - s);
        }
        size_t skip = i >= 3 && ((unsigned char)s[i - 3] & 0xf0) == 0xe0 && s[i] == '('
                          ? reading_at(s + i, len - i)
                          : 0;
        if (skip && !out) {
            if (!(out = malloc(len + 1))) {
                *nomem = true;
                return NULL;
            }
            memcpy(out, s, i);
            o = i;
        }
        if (!skip && out) {
            out[o++] = s[i];
        }
        i += skip ? skip : 1;
    }
    if (out) {
        out[o] = '\0';
        *out_len = o;
    }
    return out;
}
