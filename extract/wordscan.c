/* wordscan.c - several lists of words found in one pass: see wordscan.h. */
#include "wordscan.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"

/* The bit of a pair of code points (the second is 0 for a word of one character). */
static uint32_t pair_bit(uint32_t first, uint32_t second)
{
    return (first * 40503u ^ second) & 0xffffu;
}

static bool bit_set(const struct wordscan *s, uint32_t bit)
{
    return s->bits[bit >> 3] >> (bit & 7) & 1;
}

static int by_first(const void *a, const void *b)
{
    const struct wordscan_word *x = a, *y = b;
    return x->first < y->first ? -1 : x->first > y->first;
}

int wordscan_init(struct wordscan *s, const struct name_pair *const lists[], const size_t counts[],
                  size_t list_cnt)
{
    memset(s, 0, sizeof(*s));
    size_t total = 0;
    for (size_t l = 0; l < list_cnt; l++) {
        total += counts[l];
    }
    s->words = malloc((total + 1) * sizeof(*s->words));
    if (!s->words) {
        return -1;
    }
    for (size_t l = 0; l < list_cnt; l++) {
        for (size_t k = 0; k < counts[l]; k++) {
            const struct name_pair *p = &lists[l][k];
            uint32_t first = text_three_byte_cp(p->word, p->len);
            if (!first) {
                continue;
            }
            uint32_t second = p->len > 3 ? text_three_byte_cp(p->word + 3, p->len - 3) : 0;
            uint32_t bit = pair_bit(first, second);
            s->bits[bit >> 3] |= (uint8_t)(1u << (bit & 7));
            s->firsts[first >> 3] |= (uint8_t)(1u << (first & 7));
            s->words[s->cnt++] = (struct wordscan_word){first, p, (unsigned)l};
        }
    }
    qsort(s->words, s->cnt, sizeof(*s->words), by_first);
    return 0;
}

void wordscan_release(struct wordscan *s)
{
    free(s->words);
    s->words = NULL;
    s->cnt = 0;
}

struct wordscan *wordscan_new(const struct name_pair *const lists[], const size_t counts[],
                              size_t list_cnt)
{
    struct wordscan *s = malloc(sizeof(*s));
    if (s && wordscan_init(s, lists, counts, list_cnt) != 0) {
        wordscan_free(s);
        return NULL;
    }
    return s;
}

void wordscan_free(struct wordscan *s)
{
    if (s) {
        wordscan_release(s);
        free(s);
    }
}

/* The first of the words that start with @p cp (a lower bound), or s->cnt. */
static size_t first_word(const struct wordscan *s, uint32_t cp)
{
    size_t lo = 0, hi = s->cnt;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->words[mid].first < cp) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo;
}

/* From byte @p at, the next position where a marked pair of characters stands, or @p len. */
static size_t next_candidate(const struct wordscan *s, const char *text, size_t len, size_t at,
                             uint32_t *cp)
{
    while (at < len) {
        *cp = text_three_byte_cp(text + at, len - at);
        /* most characters start no word: one test, without reading the next one */
        if (*cp && s->firsts[*cp >> 3] >> (*cp & 7) & 1) {
            uint32_t second = text_three_byte_cp(text + at + 3, len - at - 3);
            if (bit_set(s, pair_bit(*cp, second)) || bit_set(s, pair_bit(*cp, 0))) {
                return at;
            }
        }
        at += *cp ? 3 : 1; /* a continuation byte is never a character's start: no false hit */
    }
    return len;
}

const struct wordscan_word *wordscan_next(const struct wordscan *s, const char *text, size_t len,
                                          struct wordscan_cursor *c, size_t *at)
{
    for (;;) {
        while (c->next < c->end) {
            const struct wordscan_word *w = &s->words[c->next++];
            if (w->pair->len <= len - c->at &&
                memcmp(text + c->at, w->pair->word, w->pair->len) == 0) {
                *at = c->at;
                return w;
            }
        }
        if (c->end > 0) { /* the words of this position are tried: on to the next character */
            c->at += 3;
            c->end = 0;
        }
        uint32_t cp = 0;
        c->at = next_candidate(s, text, len, c->at, &cp);
        if (c->at >= len) {
            return NULL;
        }
        c->next = first_word(s, cp);
        c->end = c->next;
        while (c->end < s->cnt && s->words[c->end].first == cp) {
            c->end++;
        }
        if (c->end == c->next) { /* a hash collision: no word starts here */
            c->at += 3;
            c->next = c->end = 0;
        }
    }
}
