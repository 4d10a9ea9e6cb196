/* pgtext.c - any bytes made into text PostgreSQL accepts. */
#include "pgtext.h"

#include <stdint.h>
#include <string.h>

static const char replacement[] = "\xEF\xBF\xBD"; /* U+FFFD */

/*
 * Length of the valid UTF-8 sequence at @p s (at most @p len bytes), or 0:
 * no overlong forms, no surrogates, nothing past U+10FFFF, no NUL.
 */
static size_t sequence_len(const unsigned char *s, size_t len)
{
    unsigned char c = s[0];
    if (c == 0) {
        return 0;
    }
    if (c < 0x80) {
        return 1;
    }
    size_t n;
    uint32_t min, cp;
    if ((c & 0xE0) == 0xC0) {
        n = 2, min = 0x80, cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
        n = 3, min = 0x800, cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
        n = 4, min = 0x10000, cp = c & 0x07;
    } else {
        return 0;
    }
    if (len < n) {
        return 0;
    }
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80) {
            return 0;
        }
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
        return 0;
    }
    return n;
}

bool pgtext_is_clean(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    for (size_t i = 0; i < len;) {
        size_t n = sequence_len(p + i, len - i);
        if (n == 0) {
            return false;
        }
        i += n;
    }
    return true;
}

int pgtext_append_lossy(struct rf_buf *out, const char *s, size_t len, size_t max)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t used = 0;
    size_t run = 0; /* start of the valid bytes not appended yet */
    int rc = 0;
    size_t i = 0;
    while (i < len && rc == 0) {
        size_t n = sequence_len(p + i, len - i);
        size_t width = n ? n : sizeof(replacement) - 1;
        if (used + width > max) {
            break; /* the next character does not fit whole */
        }
        used += width;
        if (n) {
            i += n;
            continue;
        }
        rc |= rf_buf_append(out, s + run, i - run);
        rc |= rf_buf_append(out, replacement, sizeof(replacement) - 1);
        run = ++i;
    }
    return rc | rf_buf_append(out, s + run, i - run);
}

void pgtext_copy(char *dst, size_t dst_size, const char *src)
{
    if (dst_size == 0) {
        return;
    }
    size_t n = strlen(src);
    if (n >= dst_size) {
        n = dst_size - 1;
        /* back off continuation bytes, then the lead byte of the character they belong to */
        size_t k = n;
        while (k > 0 && ((unsigned char)src[k] & 0xC0) == 0x80) {
            k--;
        }
        n = k;
    }
    memcpy(dst, src, n);
    dst[n] = '\0';
}
