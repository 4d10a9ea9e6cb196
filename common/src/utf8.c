/* utf8.c - validating, writing and cutting UTF-8. */
#include "reportflow/utf8.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

size_t rf_utf8_seq_len(const char *s, size_t avail)
{
    const unsigned char *u = (const unsigned char *)s;
    if (avail == 0) {
        return 0;
    }
    if (u[0] < 0x80) {
        return 1;
    }
    size_t need;
    unsigned lo = 0x80, hi = 0xBF; /* range of the second byte */
    if (u[0] >= 0xC2 && u[0] <= 0xDF) {
        need = 2;
    } else if (u[0] >= 0xE0 && u[0] <= 0xEF) {
        need = 3;
        lo = u[0] == 0xE0 ? 0xA0 : 0x80; /* no overlongs */
        hi = u[0] == 0xED ? 0x9F : 0xBF; /* no surrogates */
    } else if (u[0] >= 0xF0 && u[0] <= 0xF4) {
        need = 4;
        lo = u[0] == 0xF0 ? 0x90 : 0x80;
        hi = u[0] == 0xF4 ? 0x8F : 0xBF; /* nothing past U+10FFFF */
    } else {
        return 0;
    }
    if (avail < need || u[1] < lo || u[1] > hi) {
        return 0;
    }
    for (size_t i = 2; i < need; i++) {
        if ((u[i] & 0xC0) != 0x80) {
            return 0;
        }
    }
    return need;
}

bool rf_utf8_valid(const char *s, size_t len)
{
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < len;) {
        /* ASCII, and the three-byte characters whose second byte may take any continuation
           value (E1-EC, EE-EF: Han among them), inline; the rest by the full rules */
        if (u[i] < 0x80) {
            i++;
            continue;
        }
        if (((u[i] >= 0xe1 && u[i] <= 0xec) || u[i] >= 0xee) && u[i] <= 0xef && len - i >= 3 &&
            (u[i + 1] & 0xc0) == 0x80 && (u[i + 2] & 0xc0) == 0x80) {
            i += 3;
            continue;
        }
        size_t n = rf_utf8_seq_len(s + i, len - i);
        if (n == 0) {
            return false;
        }
        i += n;
    }
    return true;
}

size_t rf_utf8_encode(uint32_t cp, char *out)
{
    if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
        cp = 0xfffd;
    }
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    /* lead byte: as many high bits set as the sequence has bytes */
    size_t n = cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    static const unsigned char lead[] = {0, 0, 0xc0, 0xe0, 0xf0};
    for (size_t i = n - 1; i > 0; i--) {
        out[i] = (char)(0x80 | (cp & 0x3f));
        cp >>= 6;
    }
    out[0] = (char)(lead[n] | cp);
    return n;
}

size_t rf_utf8_cut(const char *s, size_t len, size_t max)
{
    if (len <= max) {
        return len;
    }
    /* a cut inside a character lands on a continuation byte: back up to its lead byte */
    size_t at = max;
    for (int back = 0; back < 3 && at > 0 && ((unsigned char)s[at] & 0xC0) == 0x80; back++) {
        at--;
    }
    return ((unsigned char)s[at] & 0xC0) == 0x80 ? max : at; /* not UTF-8 there: any cut */
}

size_t rf_utf8_trim_partial(const char *s, size_t len)
{
    for (size_t back = 1; back <= 3 && back <= len; back++) {
        unsigned char c = (unsigned char)s[len - back];
        if ((c & 0xC0) == 0x80) {
            continue; /* continuation: look further back for its lead byte */
        }
        bool lead = c >= 0xC0;
        return lead && rf_utf8_seq_len(s + len - back, back) == 0 ? len - back : len;
    }
    return len;
}

bool rf_utf8_copy(char *out, size_t out_size, const char *s, size_t len)
{
    if (out_size == 0) {
        return len > 0;
    }
    size_t n = rf_utf8_cut(s, len, out_size - 1);
    memcpy(out, s, n);
    out[n] = '\0';
    return n < len;
}

bool rf_utf8_lossy(const char *in, size_t len, char *out, size_t out_size)
{
    static const char replacement[] = "\xEF\xBF\xBD"; /* U+FFFD */
    size_t o = 0, i = 0;
    if (out_size == 0) {
        return len == 0;
    }
    while (i < len) {
        size_t n = rf_utf8_seq_len(in + i, len - i);
        const char *piece = n ? in + i : replacement;
        size_t piece_len = n ? n : 3;
        if (o + piece_len >= out_size) {
            break;
        }
        memcpy(out + o, piece, piece_len);
        o += piece_len;
        i += n ? n : 1;
    }
    out[o] = '\0';
    return i == len;
}

void rf_utf8_trim_str(char *s)
{
    s[rf_utf8_trim_partial(s, strlen(s))] = '\0';
}

void rf_utf8_copy_str(char *dst, size_t size, const char *src)
{
    rf_utf8_copy(dst, size, src, strlen(src));
    rf_utf8_trim_str(dst);
}

/* The code point of the valid sequence of @p n bytes at @p s. */
static uint32_t decode_valid(const unsigned char *s, size_t n)
{
    static const unsigned char lead_bits[] = {0, 0x7f, 0x1f, 0x0f, 0x07};
    uint32_t cp = s[0] & lead_bits[n];
    for (size_t i = 1; i < n; i++) {
        cp = (cp << 6) | (s[i] & 0x3f);
    }
    return cp;
}

/* Characters a terminal acts on or that change how the text around them reads. */
static bool hides_or_controls(uint32_t cp)
{
    return (cp >= 0x80 && cp <= 0x9f) || cp == 0x61c || (cp >= 0x200b && cp <= 0x200f) ||
           (cp >= 0x2028 && cp <= 0x202e) || (cp >= 0x2060 && cp <= 0x2069) || cp == 0xfeff;
}

char *rf_utf8_escape_terminal(const char *s, bool double_backslash)
{
    size_t len = strlen(s);
    /* the most a byte grows: 4 (\xNN); a 2-byte C1 control 6 (\uXXXX) */
    char *out = malloc(len * 4 + 1);
    if (!out) {
        return NULL;
    }
    size_t o = 0;
    for (size_t i = 0; i < len;) {
        unsigned char c = (unsigned char)s[i];
        size_t n = rf_utf8_seq_len(s + i, len - i);
        if (n == 0 || c < 0x20 || c == 0x7f) {
            o += (size_t)snprintf(out + o, 5, "\\x%02X", c);
            i++;
            continue;
        }
        uint32_t cp = decode_valid((const unsigned char *)s + i, n);
        if (hides_or_controls(cp)) {
            o += (size_t)snprintf(out + o, 7, "\\u%04X", (unsigned)cp);
        } else if (c == '\\' && double_backslash) {
            out[o++] = '\\';
            out[o++] = '\\';
        } else {
            memcpy(out + o, s + i, n);
            o += n;
        }
        i += n;
    }
    out[o] = '\0';
    return out;
}

const char *rf_utf8_escaped(struct rf_utf8_escapes *e, const char *text)
{
    char *escaped = e->cnt < RF_UTF8_ESCAPES_MAX ? rf_utf8_escape_terminal(text, true) : NULL;
    if (!escaped) {
        return "?";
    }
    e->held[e->cnt++] = escaped;
    return escaped;
}

void rf_utf8_escapes_release(struct rf_utf8_escapes *e)
{
    for (size_t i = 0; i < e->cnt; i++) {
        free(e->held[i]);
    }
    e->cnt = 0;
}
