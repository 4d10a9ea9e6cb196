/* pgtext.c - any bytes made into text PostgreSQL accepts. */
#include "pgtext.h"

#include <stdlib.h>
#include <string.h>

#include "reportflow/hex.h"
#include "reportflow/utf8.h"

static const char replacement[] = "\xEF\xBF\xBD"; /* U+FFFD */

/* A valid UTF-8 sequence as PostgreSQL takes it: text columns hold no NUL. */
static size_t sequence_len(const char *s, size_t len)
{
    return s[0] == '\0' ? 0 : rf_utf8_seq_len(s, len);
}

bool pgtext_is_clean(const char *s, size_t len)
{
    return rf_utf8_valid(s, len) && memchr(s, '\0', len) == NULL;
}

int pgtext_append_lossy(struct rf_buf *out, const char *s, size_t len, size_t max)
{
    size_t used = 0;
    size_t run = 0; /* start of the valid bytes not appended yet */
    int rc = 0;
    size_t i = 0;
    while (i < len && rc == 0) {
        size_t n = sequence_len(s + i, len - i);
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
    rf_utf8_copy(dst, dst_size, src, strlen(src));
}

/* Decode %XX escapes of @p s into @p bytes (at least @p len long). @returns the length, or -1
   when @p s is not what the producer writes. */
static long unescape(const char *s, size_t len, char *bytes)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c >= 0x7F) {
            return -1;
        }
        if (c != '%') {
            bytes[n++] = (char)c;
            continue;
        }
        int hi = i + 2 < len ? rf_hex_value(s[i + 1]) : -1;
        int lo = hi >= 0 ? rf_hex_value(s[i + 2]) : -1;
        if (lo < 0) {
            return -1; /* a stray '%', or an escape cut short */
        }
        bytes[n++] = (char)(hi << 4 | lo);
        i += 2;
    }
    return (long)n;
}

int pgtext_name_raw(struct rf_buf *out, const char *escaped, size_t len)
{
    if (!escaped || len == 0) {
        return 0;
    }
    char *bytes = malloc(len);
    if (!bytes) {
        return -1;
    }
    long n = unescape(escaped, len, bytes);
    int rc = 0;
    if (n > 0 && !pgtext_is_clean(bytes, (size_t)n)) {
        rc = rf_buf_append(out, bytes, (size_t)n) == 0 ? 1 : -1;
    }
    free(bytes);
    return rc;
}
