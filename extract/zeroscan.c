/* zeroscan.c - where a stated zero can start: the first characters of its words. */
#include "zeroscan.h"

#include <stdlib.h>
#include <string.h>

#include "reportflow/utf8.h"
#include "reportflow/vec.h"
#include "text.h"

#define GROUP_OPEN "(?<zero>"

/*
 * Could a match start anywhere but at the group? Yes when a quantifier makes
 * the group optional, or an alternative at the top of the pattern follows it.
 */
static bool rest_may_start_elsewhere(const char *p)
{
    if (*p == '?' || *p == '*' || *p == '{') {
        return true;
    }
    size_t depth = 0;
    while (*p) {
        if (*p == '\\') {
            p += p[1] ? 2 : 1;
        } else if (*p == '[') {
            p++;
            p += *p == '^' ? 1 : 0;
            p += *p == ']' ? 1 : 0; /* a ']' first is a member */
            while (*p && *p != ']') {
                p += *p == '\\' && p[1] ? 2 : 1;
            }
            p += *p ? 1 : 0;
        } else {
            depth += *p == '(';
            if (*p == ')' && depth > 0) {
                depth--;
            } else if (*p == '|' && depth == 0) {
                return true;
            }
            p++;
        }
    }
    return false;
}

static bool add_first(uint32_t cp, uint32_t *out, size_t *n, size_t max)
{
    for (size_t i = 0; i < *n; i++) {
        if (out[i] == cp) {
            return true;
        }
    }
    if (*n == max) {
        return false;
    }
    out[(*n)++] = cp;
    return true;
}

size_t zeroscan_firsts(const char *pattern, uint32_t *out, size_t max)
{
    if (strncmp(pattern, GROUP_OPEN, strlen(GROUP_OPEN)) != 0) {
        return 0;
    }
    const char *p = pattern + strlen(GROUP_OPEN);
    size_t n = 0;
    bool word_start = true;
    for (;;) {
        if (*p == ')' || *p == '|') {
            if (word_start) {
                return 0; /* an empty word: a match could start anywhere */
            }
            if (*p++ == ')') {
                return rest_may_start_elsewhere(p) ? 0 : n;
            }
            word_start = true;
            continue;
        }
        if (*p == '\0' || strchr("\\.[](*+?{}^$", *p)) {
            return 0;
        }
        size_t len = rf_utf8_seq_len(p, strlen(p));
        if (len == 0 ||
            (word_start && (len != 3 || !add_first(text_codepoint(p, 0, &len), out, &n, max)))) {
            return 0; /* zeroscan_positions() looks for three-byte characters only */
        }
        word_start = false;
        p += len;
    }
}

void zeroscan_mark(uint8_t set[ZEROSCAN_SET_BYTES], const uint32_t *firsts, size_t cnt)
{
    for (size_t i = 0; i < cnt; i++) {
        if (firsts[i] < 0x10000) {
            set[firsts[i] >> 3] |= (uint8_t)(1u << (firsts[i] & 7));
        }
    }
}

int zeroscan_positions(const char *text, size_t len, const uint8_t set[ZEROSCAN_SET_BYTES],
                       size_t **out, size_t *out_cnt)
{
    size_t *at = NULL, n = 0, cap = 0;
    for (size_t i = 0, w; i < len; i += w) {
        uint32_t cp = text_codepoint(text, i, &w);
        if (w != 3 || !(set[cp >> 3] & (1u << (cp & 7)))) {
            continue;
        }
        size_t *grown = rf_vec_reserve(at, &cap, n, 1, sizeof(*grown));
        if (!grown) {
            free(at);
            return -1;
        }
        at = grown;
        at[n++] = i;
    }
    *out = at;
    *out_cnt = n;
    return 0;
}

bool zeroscan_starts_with(const char *text, size_t len, size_t at, const uint32_t *firsts,
                          size_t cnt)
{
    for (size_t f = 0; f < cnt; f++) {
        char word[4];
        size_t w = rf_utf8_encode(firsts[f], word);
        if (at <= len && len - at >= w && memcmp(text + at, word, w) == 0) {
            return true;
        }
    }
    return false;
}
