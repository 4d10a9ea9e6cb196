/* lexicon.c - the keyer's word lists, indexed by the bytes a word ends and starts with. */
#include "lexicon.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmp_last_byte(const void *a, const void *b)
{
    const struct name_pair *x = a, *y = b;
    unsigned char lx = (unsigned char)x->word[x->len - 1], ly = (unsigned char)y->word[y->len - 1];
    return lx < ly ? -1 : lx > ly ? 1 : strcmp(x->word, y->word);
}

int lexicon_load(json_t *lex, const char *field, struct lexicon *out, const char *path,
                 char *errstr, size_t errstr_size)
{
    if (rulefile_pairs(lex, field, &out->words, &out->cnt, path, errstr, errstr_size) != 0) {
        return -1;
    }
    for (size_t i = 0; i < out->cnt; i++) {
        if (out->words[i].len < 2) {
            snprintf(errstr, errstr_size, "%s: keyer_lexicon \"%s\" item %zu: '%s' is too short",
                     path, field, i + 1, out->words[i].word);
            return -1;
        }
    }
    qsort(out->words, out->cnt, sizeof(*out->words), cmp_last_byte);
    out->by_second = calloc(out->cnt + 1, sizeof(size_t));
    if (!out->by_second) {
        snprintf(errstr, errstr_size, "%s: out of memory", path);
        return -1;
    }
    size_t counts[257] = {0};
    for (size_t i = 0; i < out->cnt; i++) {
        counts[(unsigned char)out->words[i].word[out->words[i].len - 1] + 1]++;
    }
    for (size_t b = 0; b < 256; b++) {
        counts[b + 1] += counts[b];
    }
    memcpy(out->by_last, counts, sizeof(out->by_last));
    size_t n = 0;
    for (size_t b = 0; b < 256; b++) {
        out->second_at[b] = n;
        for (size_t i = 0; i < out->cnt; i++) {
            if ((unsigned char)out->words[i].word[1] == b) {
                out->by_second[n++] = i;
            }
        }
    }
    out->second_at[256] = n;
    return 0;
}

void lexicon_release(struct lexicon *lex)
{
    rulefile_free_pairs(lex->words, lex->cnt);
    free(lex->by_second);
    *lex = (struct lexicon){0};
}

static bool word_fits(const struct name_pair *w, const char *s, size_t a, size_t b, size_t at,
                      bool before)
{
    if (before ? at < a + w->len : at + w->len > b) {
        return false;
    }
    return memcmp(s + (before ? at - w->len : at), w->word, w->len) == 0;
}

/* The longest lexicon word that ends at (@p before) or starts at byte @p at of [a, b). */
static const char *word_at(const struct lexicon *lex, const char *s, size_t a, size_t b, size_t at,
                           bool before)
{
    const struct name_pair *best = NULL;
    if (before) {
        unsigned char last = (unsigned char)s[at - 1];
        for (size_t i = lex->by_last[last]; i < lex->by_last[last + 1]; i++) {
            const struct name_pair *w = &lex->words[i];
            if ((!best || w->len > best->len) && word_fits(w, s, a, b, at, true)) {
                best = w;
            }
        }
    } else if (at + 1 < b) {
        unsigned char second = (unsigned char)s[at + 1];
        for (size_t i = lex->second_at[second]; i < lex->second_at[second + 1]; i++) {
            const struct name_pair *w = &lex->words[lex->by_second[i]];
            if ((!best || w->len > best->len) && word_fits(w, s, a, b, at, false)) {
                best = w;
            }
        }
    }
    return best ? best->label : NULL;
}

const char *lexicon_nearest(const struct lexicon *lex, const char *s, size_t a, size_t b,
                            bool before)
{
    for (size_t d = 0; lex->cnt && d < b - a; d++) {
        size_t at = before ? b - d : a + d;
        /* words start and end on character boundaries */
        if (at != b && ((unsigned char)s[at] & 0xc0) == 0x80) {
            continue;
        }
        const char *c = word_at(lex, s, a, b, at, before);
        if (c) {
            return c;
        }
    }
    return NULL;
}
