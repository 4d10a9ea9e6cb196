/* fold.c - traditional to simplified characters, in place. */
#include "fold.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reportflow/utf8.h"
#include "text.h"

/* Insert @p from -> @p to, keeping the table sorted for the binary search; it is short. */
static void insert_sorted(struct script_fold *f, uint32_t from, uint32_t to)
{
    size_t k = f->cnt++;
    while (k > 0 && f->from[k - 1] > from) {
        f->from[k] = f->from[k - 1];
        f->to[k] = f->to[k - 1];
        k--;
    }
    f->from[k] = from;
    f->to[k] = to;
    f->bits[from >> 3] |= (uint8_t)(1u << (from & 7));
}

int fold_load(struct script_fold *f, const char *pairs, const char *path, char *errstr,
              size_t errstr_size)
{
    size_t len = strlen(pairs);
    if (len % 6 != 0) {
        snprintf(errstr, errstr_size,
                 "%s: \"script_fold\" must be pairs of three-byte characters (from, to)", path);
        return -1;
    }
    f->from = calloc(len / 6 + 1, sizeof(uint32_t));
    f->to = calloc(len / 6 + 1, sizeof(uint32_t));
    f->bits = calloc(0x10000 / 8, 1);
    if (!f->from || !f->to || !f->bits) {
        snprintf(errstr, errstr_size, "%s: out of memory", path);
        return -1;
    }
    for (size_t i = 0; i < len; i += 6) {
        uint32_t from = text_three_byte_cp(pairs + i, len - i),
                 to = text_three_byte_cp(pairs + i + 3, len - i - 3);
        if (!from || !to) {
            snprintf(errstr, errstr_size,
                     "%s: \"script_fold\" pair %zu is not two three-byte characters", path,
                     i / 6 + 1);
            return -1;
        }
        insert_sorted(f, from, to);
    }
    return 0;
}

void fold_release(struct script_fold *f)
{
    free(f->from);
    free(f->to);
    free(f->bits);
    *f = (struct script_fold){0};
}

/* Index of @p cp in the sorted table, or f->cnt when it is not listed. */
static size_t find(const struct script_fold *f, uint32_t cp)
{
    size_t lo = 0, hi = f->cnt;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (f->from[mid] < cp) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo < f->cnt && f->from[lo] == cp ? lo : f->cnt;
}

void fold_apply(const struct script_fold *f, char *s, size_t len)
{
    for (size_t i = 0; f->cnt && i < len;) {
        size_t n;
        uint32_t cp = text_codepoint(s, i, &n);
        /* only three-byte characters are listed, and one bit says whether this one is */
        if (n == 3 && (f->bits[cp >> 3] & (1u << (cp & 7)))) {
            size_t k = find(f, cp);
            if (k < f->cnt) {
                rf_utf8_encode(f->to[k], s + i); /* three bytes for three */
            }
        }
        i += n;
    }
}
