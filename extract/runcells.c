/* runcells.c - tables whose cells run together: see runcells.h. */
#include "runcells.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reportflow/vec.h"

static int load_run(json_t *item, size_t index, void *elem, void *ctx, const char *what,
                    char *errstr, size_t errstr_size)
{
    (void)ctx;
    struct table_run_spec *r = elem;
    char where[600];
    snprintf(where, sizeof(where), "%s item %zu", what, index + 1);
    json_t *from = json_object_get(item, "from"), *to = json_object_get(item, "to");
    json_t *cells = json_object_get(item, "cells"), *group = json_object_get(item, "group");
    if (!json_is_string(from) || !json_is_string(to) || !json_is_integer(cells) ||
        (group && !json_is_integer(group))) {
        snprintf(errstr, errstr_size,
                 "%s: needs \"from\" and \"to\" patterns and \"cells\" (and \"group\")", where);
        return -1;
    }
    r->cells = (int)json_integer_value(cells);
    r->group = group ? (int)json_integer_value(group) : r->cells > 1 ? r->cells : 0;
    if (r->cells < 1 || r->cells > 32 || r->group < 0 || r->group == 1 ||
        (r->group && r->cells % r->group != 0)) {
        snprintf(errstr, errstr_size,
                 "%s: \"cells\" must be 1 to 32, a multiple of \"group\" (2 or more; 0: no sums)",
                 where);
        return -1;
    }
    r->from = rulefile_regex(json_string_value(from), 0, where, errstr, errstr_size);
    r->to = r->from ? rulefile_regex(json_string_value(to), 0, where, errstr, errstr_size) : NULL;
    return r->to ? 0 : -1;
}

int runcells_specs_load(json_t *root, const char *path, struct table_run_spec **out, size_t *cnt,
                        char *errstr, size_t errstr_size)
{
    char what[512];
    snprintf(what, sizeof(what), "%s: \"run_together\"", path);
    return rulefile_array(json_object_get(root, "run_together"), false, what,
                          "an array of {from, to, cells, group}", sizeof(**out), (void **)out, cnt,
                          load_run, NULL, errstr, errstr_size);
}

void runcells_specs_release(struct table_run_spec *runs, size_t cnt)
{
    for (size_t i = 0; runs && i < cnt; i++) {
        pcre2_code_free(runs[i].from);
        pcre2_code_free(runs[i].to);
    }
    free(runs);
}

/* The search for the splits of a run of digits into numbers whose groups add up. */
struct split {
    char d[RUNCELLS_MAX_DIGITS];       /* the digits, spaces taken out */
    bool cut[RUNCELLS_MAX_DIGITS + 1]; /* a space stood before this digit: a cell begins */
    size_t len;
    int cells, group; /* group 0: no sums, the shape alone decides */
    double found[RUNCELLS_MAX_CELLS], now[RUNCELLS_MAX_CELLS];
    bool agreed[RUNCELLS_MAX_CELLS]; /* every split found gives this cell the same number */
    int solutions;
    long steps, max_steps;
};

/* Numbers from digit @p at on, the current group's own sum so far in @p sum. */
static void split_from(struct split *sp, size_t at, int cell, double sum)
{
    if (++sp->steps > sp->max_steps) {
        return;
    }
    if (cell == sp->cells) {
        for (int c = 0; at == sp->len && c < sp->cells; c++) {
            sp->agreed[c] = sp->solutions == 0 || (sp->agreed[c] && sp->found[c] == sp->now[c]);
            sp->found[c] = sp->now[c];
        }
        sp->solutions += at == sp->len;
        return;
    }
    bool last_of_group = sp->group && (cell + 1) % sp->group == 0;
    size_t left_cells = (size_t)(sp->cells - cell);
    /* a number has no leading zero, at most 9 digits, and no space inside */
    size_t max = sp->d[at] == '0' ? 1 : 9;
    double v = 0;
    for (size_t n = 1; n <= max && at + n + (left_cells - 1) <= sp->len; n++) {
        if (n > 1 && sp->cut[at + n - 1]) {
            break;
        }
        v = v * 10 + (sp->d[at + n - 1] - '0');
        if (last_of_group && v != sum) {
            continue;
        }
        sp->now[cell] = v;
        split_from(sp, at + n, cell + 1, last_of_group ? 0 : sum + v);
    }
}

/* Split the digits [da, db) of @p s (single spaces between some) as @p r says into @p sp.
   @returns whether any split adds up, within the steps allowed. */
static bool split_digits(const char *s, size_t da, size_t db, const struct table_run_spec *r,
                         long max_steps, struct split *sp)
{
    memset(sp, 0, sizeof(*sp));
    sp->max_steps = max_steps;
    sp->cells = r->cells;
    sp->group = r->group;
    for (size_t k = da; k < db; k++) {
        if (s[k] == ' ') {
            sp->cut[sp->len] = true;
        } else if (sp->len < RUNCELLS_MAX_DIGITS && s[k] >= '0' && s[k] <= '9') {
            sp->d[sp->len++] = s[k];
        } else {
            return false; /* too long, or a decimal point: not cells run together */
        }
    }
    if (sp->len < (size_t)r->cells) {
        return false;
    }
    split_from(sp, 0, 0, 0);
    return sp->solutions > 0 && sp->steps <= sp->max_steps;
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

/* "." or "、" after a sub-item's number. */
static bool is_numbering_mark(const char *s, size_t len)
{
    return (len >= 1 && s[0] == '.') || (len >= 3 && memcmp(s, "、", 3) == 0);
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Where the digits from @p i end: at a non-digit, before a sub-item's number (0000002.其他:
   the 2 is the next label's), or past single spaces between cells already apart. */
static size_t digits_end(const char *s, size_t i, size_t end, bool *spaced)
{
    size_t j = i;
    *spaced = false;
    while (j < end && (is_digit(s[j]) || ((s[j] == ' ' || s[j] == '.') && j + 1 < end &&
                                          is_digit(s[j + 1]) && is_digit(s[j - 1])))) {
        *spaced |= s[j] == ' ';
        j++;
    }
    if (!*spaced && j - i >= 2 && j < end && is_numbering_mark(s + j, end - j)) {
        j--;
    }
    return j;
}

/* What a search shares: the rows found, and the steps the document has left. */
struct finder {
    const struct text *t;
    struct runcells_rows *out;
    long steps_left;
};

/* A row of label [la, lb) and the digits [da, db) split as @p r says (a row of one cell takes a
   decimal number too: 5949.088667); none when no split adds up. */
static int add_row(struct finder *f, size_t la, size_t lb, size_t da, size_t db,
                   const struct table_run_spec *r, size_t table)
{
    const char *s = f->t->norm;
    struct split sp;
    memset(&sp, 0, sizeof(sp));
    if (r->cells == 1) {
        char number[RUNCELLS_MAX_DIGITS + 1];
        if (db - da > RUNCELLS_MAX_DIGITS) {
            return 0;
        }
        memcpy(number, s + da, db - da);
        number[db - da] = '\0';
        if (strchr(number, ' ') || (number[0] == '0' && number[1] && number[1] != '.')) {
            return 0;
        }
        sp.cells = 1;
        sp.found[0] = strtod(number, NULL);
        sp.agreed[0] = true;
    } else {
        long cap = f->steps_left < RUNCELLS_MAX_STEPS ? f->steps_left : RUNCELLS_MAX_STEPS;
        bool split = cap > 0 && split_digits(s, da, db, r, cap, &sp);
        f->steps_left -= cap > 0 ? sp.steps : 0;
        if (!split) {
            return 0;
        }
    }
    struct runcells_row *grown =
        rf_vec_reserve(f->out->items, &f->out->cap, f->out->cnt, 1, sizeof(*grown));
    if (!grown) {
        return -1;
    }
    f->out->items = grown;
    struct runcells_row *row = &f->out->items[f->out->cnt++];
    while (la < lb && is_space(s[la])) {
        la++;
    }
    while (lb > la && is_space(s[lb - 1])) {
        lb--;
    }
    *row = (struct runcells_row){la, lb, da, db, table, sp.cells, {0}, {0}};
    memcpy(row->value, sp.found, sizeof(row->value));
    memcpy(row->known, sp.agreed, sizeof(row->known));
    return 0;
}

/* One table of run-together cells in [from, to) of the text. */
static int find_in_span(struct finder *f, size_t from, size_t to, const struct table_run_spec *r,
                        size_t table)
{
    const char *s = f->t->norm;
    size_t label = from;
    for (size_t i = from; i < to;) {
        if (s[i] == '|' && (i == 0 || s[i - 1] == '\n')) {
            /* a row of cells between bars: tablegrid.c reads it */
            const char *nl = memchr(s + i, '\n', to - i);
            i = nl ? (size_t)(nl - s) + 1 : to;
            label = i;
            continue;
        }
        if (!is_digit(s[i])) {
            i++;
            continue;
        }
        bool spaced;
        size_t j = digits_end(s, i, to, &spaced);
        if (!spaced && j - i == 1 && is_numbering_mark(s + j, to - j)) {
            i = j; /* a label's own number (1.属于国家秘密): part of it */
            continue;
        }
        if (add_row(f, label, i, i, j, r, table) != 0) {
            return -1;
        }
        label = j;
        i = j;
    }
    return 0;
}

int runcells_find(const struct text *t, const struct table_run_spec *runs, size_t run_cnt,
                  pcre2_match_data *md, struct runcells_rows *out)
{
    struct finder f = {t, out, RUNCELLS_DOC_STEPS};
    size_t tables = 0;
    for (size_t k = 0; k < run_cnt; k++) {
        const struct table_run_spec *r = &runs[k];
        PCRE2_SIZE at = 0;
        /* each table from a match of "from" to the next match of "to": they never overlap */
        while (at < t->norm_len && pcre2_match(r->from, (PCRE2_SPTR)t->norm, t->norm_len, at,
                                               PCRE2_NO_UTF_CHECK, md, NULL) >= 0) {
            PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
            size_t from = ov[1] > at ? ov[1] : at + 1;
            size_t limit =
                from + RUNCELLS_MAX_BYTES < t->norm_len ? from + RUNCELLS_MAX_BYTES : t->norm_len;
            size_t to = limit;
            if (pcre2_match(r->to, (PCRE2_SPTR)t->norm, limit, from, PCRE2_NO_UTF_CHECK, md,
                            NULL) >= 0) {
                to = pcre2_get_ovector_pointer(md)[0];
            }
            /* numbered from the top: never the number of a table of bars */
            if (find_in_span(&f, from, to, r, SIZE_MAX - tables++) != 0) {
                return -1;
            }
            at = to > from ? to : from;
        }
    }
    return 0;
}
