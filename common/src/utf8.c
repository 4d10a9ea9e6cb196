/* utf8.c - validating, writing and cutting UTF-8. */
#include "reportflow/utf8.h"

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
    for (size_t i = 0; i < len;) {
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
