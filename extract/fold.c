/* fold.c - traditional to simplified characters, in place. */
#include "fold.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reportflow/fs.h"
#include "reportflow/utf8.h"
#include "text.h"

#define FOLD_TABLE_MAX_BYTES (1u << 20) /* the OpenCC table is about 20 KB */

struct fold_pair {
    uint32_t from, to;
    size_t order; /* later entries win: the rule file's own pairs come after the table */
};

struct pair_list {
    struct fold_pair *items;
    size_t cnt, cap;
};

static int push_pair(struct pair_list *l, uint32_t from, uint32_t to)
{
    if (l->cnt == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 256;
        struct fold_pair *grown = realloc(l->items, cap * sizeof(*grown));
        if (!grown) {
            return -1;
        }
        l->items = grown;
        l->cap = cap;
    }
    l->items[l->cnt] = (struct fold_pair){from, to, l->cnt};
    l->cnt++;
    return 0;
}

/* One table line "繁\t简": its two code points, or false. */
static bool parse_table_line(const char *line, size_t len, uint32_t *from, uint32_t *to)
{
    if (len != 7 || line[3] != '\t') {
        return false;
    }
    *from = text_three_byte_cp(line, 3);
    *to = text_three_byte_cp(line + 4, 3);
    return *from && *to;
}

static int read_table(struct pair_list *l, struct script_fold *f, const char *path, char *errstr,
                      size_t errstr_size)
{
    char *data = NULL, why[256];
    size_t len = 0;
    if (rf_fs_read_file(path, FOLD_TABLE_MAX_BYTES, &data, &len, why, sizeof(why)) != RF_READ_OK) {
        snprintf(errstr, errstr_size, "script fold table: %s", why);
        return -1;
    }
    int rc = rf_sha256_hex(data, len, f->table_sha256) == 0 ? 0 : -1;
    if (rc != 0) {
        snprintf(errstr, errstr_size, "%s: cannot hash it: libcrypto failed", path);
    }
    size_t line_no = 0;
    for (size_t at = 0; rc == 0 && at < len;) {
        const char *nl = memchr(data + at, '\n', len - at);
        size_t end = nl ? (size_t)(nl - data) : len;
        uint32_t from, to;
        line_no++;
        if (end > at && data[at] != '#') {
            if (!parse_table_line(data + at, end - at, &from, &to)) {
                snprintf(errstr, errstr_size,
                         "%s:%zu: want one three-byte character, a tab and another", path, line_no);
                rc = -1;
            } else if (push_pair(l, from, to) != 0) {
                snprintf(errstr, errstr_size, "%s: out of memory", path);
                rc = -1;
            }
        }
        at = end + 1;
    }
    free(data);
    return rc;
}

static int read_inline(struct pair_list *l, const char *pairs, const char *path, char *errstr,
                       size_t errstr_size)
{
    size_t len = strlen(pairs);
    if (len % 6 != 0) {
        snprintf(errstr, errstr_size,
                 "%s: \"script_fold\" must be pairs of three-byte characters (from, to)", path);
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
        if (push_pair(l, from, to) != 0) {
            snprintf(errstr, errstr_size, "%s: out of memory", path);
            return -1;
        }
    }
    return 0;
}

static int by_from_then_order(const void *a, const void *b)
{
    const struct fold_pair *x = a, *y = b;
    if (x->from != y->from) {
        return x->from < y->from ? -1 : 1;
    }
    return x->order < y->order ? -1 : x->order > y->order;
}

/* Sorted, the last entry of each character kept, into @p f. */
static int build_table(struct script_fold *f, struct pair_list *l, const char *path, char *errstr,
                       size_t errstr_size)
{
    qsort(l->items, l->cnt, sizeof(*l->items), by_from_then_order);
    f->from = calloc(l->cnt + 1, sizeof(uint32_t));
    f->to = calloc(l->cnt + 1, sizeof(uint32_t));
    f->bits = calloc(0x10000 / 8, 1);
    if (!f->from || !f->to || !f->bits) {
        snprintf(errstr, errstr_size, "%s: out of memory", path);
        return -1;
    }
    for (size_t i = 0; i < l->cnt; i++) {
        const struct fold_pair *p = &l->items[i];
        if (i + 1 < l->cnt && l->items[i + 1].from == p->from) {
            continue; /* a later entry for the same character wins */
        }
        f->from[f->cnt] = p->from;
        f->to[f->cnt] = p->to;
        f->cnt++;
        f->bits[p->from >> 3] |= (uint8_t)(1u << (p->from & 7));
    }
    return 0;
}

int fold_load(struct script_fold *f, const char *table_path, const char *pairs,
              const char *rule_path, char *errstr, size_t errstr_size)
{
    struct pair_list l = {NULL, 0, 0};
    int rc = 0;
    if (table_path) {
        rc = read_table(&l, f, table_path, errstr, errstr_size);
    }
    if (rc == 0 && pairs) {
        rc = read_inline(&l, pairs, rule_path, errstr, errstr_size);
    }
    if (rc == 0 && l.cnt > 0) {
        rc = build_table(f, &l, rule_path, errstr, errstr_size);
    }
    free(l.items);
    return rc;
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
