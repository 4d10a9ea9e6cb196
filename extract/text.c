/* text.c - original and normalised text with shared character offsets. */
#include "text.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

uint32_t text_codepoint(const char *s, size_t byte, size_t *len)
{
    const unsigned char *p = (const unsigned char *)s + byte;
    if (p[0] < 0x80) {
        *len = 1;
        return p[0];
    }
    if ((p[0] & 0xe0) == 0xc0) {
        *len = 2;
        return (uint32_t)(p[0] & 0x1f) << 6 | (p[1] & 0x3f);
    }
    if ((p[0] & 0xf0) == 0xe0) {
        *len = 3;
        return (uint32_t)(p[0] & 0x0f) << 12 | (uint32_t)(p[1] & 0x3f) << 6 | (p[2] & 0x3f);
    }
    *len = 4;
    return (uint32_t)(p[0] & 0x07) << 18 | (uint32_t)(p[1] & 0x3f) << 12 |
           (uint32_t)(p[2] & 0x3f) << 6 | (p[3] & 0x3f);
}

/* Full-width ASCII forms and odd spaces to ASCII; everything else unchanged. */
static uint32_t fold_codepoint(uint32_t cp)
{
    if (cp >= 0xff01 && cp <= 0xff5e) {
        return cp - 0xff01 + 0x21;
    }
    if (cp == 0x3000 || cp == 0x00a0 || cp == '\t') {
        return ' ';
    }
    if (cp == '\r') {
        return '\n';
    }
    return cp;
}

static size_t put_utf8(char *out, uint32_t cp)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xc0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xe0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        out[2] = (char)(0x80 | (cp & 0x3f));
        return 3;
    }
    out[0] = (char)(0xf0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
    out[3] = (char)(0x80 | (cp & 0x3f));
    return 4;
}

int text_init(struct text *t, const char *orig, size_t len)
{
    memset(t, 0, sizeof(*t));
    if (len >= UINT32_MAX) {
        return -1;
    }
    t->orig = orig;
    t->orig_len = len;
    t->norm = malloc(len + 1);
    t->orig_off = malloc((len + 1) * sizeof(uint32_t));
    t->norm_off = malloc((len + 1) * sizeof(uint32_t));
    if (!t->norm || !t->orig_off || !t->norm_off) {
        text_release(t);
        return -1;
    }
    size_t in = 0, out = 0, c = 0;
    while (in < len) {
        size_t n;
        uint32_t cp = text_codepoint(orig, in, &n);
        t->orig_off[c] = (uint32_t)in;
        t->norm_off[c] = (uint32_t)out;
        out += put_utf8(t->norm + out, fold_codepoint(cp)); /* never longer than the input */
        in += n;
        c++;
    }
    t->orig_off[c] = (uint32_t)len;
    t->norm_off[c] = (uint32_t)out;
    t->norm[out] = '\0';
    t->norm_len = out;
    t->nchars = c;
    return 0;
}

void text_release(struct text *t)
{
    free(t->norm);
    free(t->orig_off);
    free(t->norm_off);
    t->norm = NULL;
    t->orig_off = t->norm_off = NULL;
}

size_t text_char_at(const struct text *t, size_t byte)
{
    size_t lo = 0, hi = t->nchars;
    while (lo < hi) {
        size_t mid = lo + (hi - lo + 1) / 2;
        if (t->norm_off[mid] <= byte) {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    return lo;
}

char *text_orig_dup(const struct text *t, size_t from, size_t to)
{
    if (to > t->nchars) {
        to = t->nchars;
    }
    if (from > to) {
        from = to;
    }
    size_t a = t->orig_off[from], b = t->orig_off[to];
    return strndup(t->orig + a, b - a);
}

bool text_clause_break(const char *s, size_t i, size_t len, size_t *width)
{
    char c = s[i];
    if (c == ',' || c == ';' || c == '!' || c == '?' || c == ':' || c == '\n') {
        *width = 1;
        return true;
    }
    if (i + 3 <= len && (memcmp(s + i, "。", 3) == 0 || memcmp(s + i, "；", 3) == 0)) {
        *width = 3;
        return true;
    }
    return false;
}

void text_clause(const struct text *t, size_t at, size_t *start, size_t *end)
{
    const char *s = t->norm;
    size_t len = t->norm_len, w;
    size_t a = at;
    while (a > 0) {
        size_t prev = a - 1;
        while (prev > 0 && ((unsigned char)s[prev] & 0xc0) == 0x80) {
            prev--;
        }
        if (text_clause_break(s, prev, len, &w)) {
            break;
        }
        a = prev;
    }
    size_t b = at;
    while (b < len && !text_clause_break(s, b, len, &w)) {
        b++;
    }
    while (a < b && s[a] == ' ') {
        a++;
    }
    *start = a;
    *end = b;
}
