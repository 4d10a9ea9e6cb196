/* pgtext.c - any bytes made into text PostgreSQL accepts. */
#include "pgtext.h"

#include <string.h>

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
