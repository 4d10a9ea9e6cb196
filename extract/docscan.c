/* docscan.c - small scans of a report's text that the document-field finders share. */
#define _GNU_SOURCE /* memmem */
#include "docscan.h"

#include <stdlib.h>
#include <string.h>
#include "reportflow/vec.h"

int docscan_lines_split(const struct text *t, struct docscan_lines *out)
{
    size_t cap = 0;
    *out = (struct docscan_lines){NULL, 0};
    size_t pos = 0;
    const char *s = t->norm;
    while (pos <= t->norm_len) {
        const char *nl = memchr(s + pos, '\n', t->norm_len - pos);
        size_t end = nl ? (size_t)(nl - s) : t->norm_len;
        size_t a = pos, b = end;
        while (a < b && s[a] == ' ') {
            a++;
        }
        while (b > a && s[b - 1] == ' ') {
            b--;
        }
        if (b > a) {
            struct docscan_line *grown =
                rf_vec_reserve(out->items, &cap, out->cnt, 1, sizeof(*grown));
            if (!grown) {
                return -1;
            }
            out->items = grown;
            out->items[out->cnt++] = (struct docscan_line){a, b};
        }
        if (!nl) {
            break;
        }
        pos = end + 1;
    }
    return 0;
}

bool docscan_contains(const char *s, size_t len, const char *word)
{
    return memmem(s, len, word, strlen(word)) != NULL;
}

bool docscan_ends_with(const char *s, size_t len, const char *word)
{
    size_t wl = strlen(word);
    return len >= wl && memcmp(s + len - wl, word, wl) == 0;
}

bool docscan_is_han(uint32_t cp)
{
    return cp >= 0x4e00 && cp <= 0x9fff;
}

/* A year starts at s[i]: 19dd or 20dd, not inside a longer number nor the end of a range. */
bool docscan_year_at(const char *s, size_t a, size_t i)
{
    bool digits = ((s[i] == '1' && s[i + 1] == '9') || (s[i] == '2' && s[i + 1] == '0')) &&
                  s[i + 2] >= '0' && s[i + 2] <= '9' && s[i + 3] >= '0' && s[i + 3] <= '9';
    if (!digits || (i > a && s[i - 1] >= '0' && s[i - 1] <= '9')) {
        return false;
    }
    /* "2015-2020年", "2021—2025年": the end of a period, not the year reported on */
    bool range_end =
        (i > a && (s[i - 1] == '-' || s[i - 1] == '~')) ||
        (i >= a + 3 && (memcmp(s + i - 3, "—", 3) == 0 || memcmp(s + i - 3, "至", 3) == 0));
    return !range_end;
}

void docscan_lines_release(struct docscan_lines *ls)
{
    free(ls->items);
    *ls = (struct docscan_lines){NULL, 0};
}
