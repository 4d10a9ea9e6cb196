/* tablegrid.c - tables of a text as rows and cells, and the cells a rule names. */
#include "tablegrid.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reportflow/vec.h"

/* Optional pattern @p name of @p obj into *@p out (NULL when absent). */
static int load_pattern(json_t *obj, const char *name, pcre2_code **out, const char *what,
                        char *errstr, size_t errstr_size)
{
    json_t *v = json_object_get(obj, name);
    *out = NULL;
    if (!v) {
        return 0;
    }
    char where[600];
    snprintf(where, sizeof(where), "%s: \"table\" \"%s\"", what, name);
    if (!json_is_string(v)) {
        snprintf(errstr, errstr_size, "%s: must be a pattern string", where);
        return -1;
    }
    *out = rulefile_regex(json_string_value(v), 0, where, errstr, errstr_size);
    return *out ? 0 : -1;
}

int tablegrid_spec_load(struct table_spec *s, json_t *obj, const char *what, char *errstr,
                        size_t errstr_size)
{
    memset(s, 0, sizeof(*s));
    json_t *column = json_object_get(obj, "column");
    json_t *scale = json_object_get(obj, "scale");
    json_t *confidence = json_object_get(obj, "confidence");
    if (!json_is_object(obj) || !(json_is_string(column) || json_is_integer(column)) ||
        (scale && !json_is_number(scale)) || !json_is_number(confidence)) {
        snprintf(errstr, errstr_size,
                 "%s: \"table\" must be an object with \"column\" (a pattern or a place among the "
                 "row's numbers), \"confidence\" and optionally \"row\", \"header\", \"sum\", "
                 "\"scale\"",
                 what);
        return -1;
    }
    s->scale = scale ? json_number_value(scale) : 1.0;
    s->confidence = json_number_value(confidence);
    s->sum = json_is_true(json_object_get(obj, "sum"));
    s->run_rows = json_is_true(json_object_get(obj, "run_rows"));
    json_t *numbers = json_object_get(obj, "numbers");
    s->numbers = (int)json_integer_value(numbers);
    if ((numbers && (!json_is_integer(numbers) || s->numbers < 0)) ||
        (json_is_integer(column) && json_integer_value(column) < -64)) {
        snprintf(errstr, errstr_size,
                 "%s: \"table\" \"numbers\" must be 0 or more, \"column\" -64 or more", what);
        return -1;
    }
    s->column_index = (int)json_integer_value(column);
    if ((json_is_string(column) &&
         load_pattern(obj, "column", &s->column, what, errstr, errstr_size) != 0) ||
        load_pattern(obj, "row", &s->row, what, errstr, errstr_size) != 0 ||
        load_pattern(obj, "header", &s->header, what, errstr, errstr_size) != 0) {
        tablegrid_spec_release(s);
        return -1;
    }
    return 0;
}

void tablegrid_spec_release(struct table_spec *s)
{
    pcre2_code_free(s->header);
    pcre2_code_free(s->row);
    pcre2_code_free(s->column);
    memset(s, 0, sizeof(*s));
}

/* ---- building ---- */

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

bool tablegrid_is_number(const char *s, size_t len)
{
    size_t i = len > 1 && (s[0] == '+' || s[0] == '-') ? 1 : 0;
    if (i >= len || s[i] < '0' || s[i] > '9') {
        return false;
    }
    bool dot = false;
    for (; i < len; i++) {
        if (s[i] == '.' && !dot && i + 1 < len) {
            dot = true;
        } else if (!(s[i] >= '0' && s[i] <= '9') && !(s[i] == ',' && !dot)) {
            return false;
        }
    }
    return true;
}

/* A cell that says nothing: empty, or only dashes and slashes. */
static bool is_blank(const char *s, size_t len)
{
    static const char *const fillers[] = {"-", "/", "—", "－", "–"};
    for (size_t i = 0; i < len;) {
        size_t k = 0;
        for (; k < sizeof(fillers) / sizeof(fillers[0]); k++) {
            size_t n = strlen(fillers[k]);
            if (n <= len - i && memcmp(s + i, fillers[k], n) == 0) {
                i += n;
                break;
            }
        }
        if (k == sizeof(fillers) / sizeof(fillers[0])) {
            return false;
        }
    }
    return true;
}

enum numbering {
    NUMBERING_NONE,
    NUMBERING_HAN,
    NUMBERING_HAN_PAREN,
    NUMBERING_DIGIT,
    NUMBERING_DIGIT_PAREN
};

static size_t han_numerals(const char *s, size_t len)
{
    static const char numerals[] = "一二三四五六七八九十";
    size_t i = 0;
    while (i + 3 <= len) {
        const char *hit = strstr(numerals, (char[4]){s[i], s[i + 1], s[i + 2], '\0'});
        if (!hit || (hit - numerals) % 3 != 0) {
            break;
        }
        i += 3;
    }
    return i;
}

static bool starts(const char *s, size_t len, const char *prefix)
{
    size_t n = strlen(prefix);
    return len >= n && memcmp(s, prefix, n) == 0;
}

/* How a row label is numbered: 一、 (一) 1. (1), or not. */
static enum numbering numbering_of(const char *s, size_t len)
{
    size_t open = starts(s, len, "(") ? 1 : starts(s, len, "（") ? 3 : 0;
    size_t han = han_numerals(s + open, len - open);
    size_t digits = strspn(s + open, "0123456789");
    digits = digits > len - open ? len - open : digits;
    const char *after = s + open + (han ? han : digits);
    size_t rest = len - open - (han ? han : digits);
    if (open && (han || digits) && (starts(after, rest, ")") || starts(after, rest, "）"))) {
        return han ? NUMBERING_HAN_PAREN : NUMBERING_DIGIT_PAREN;
    }
    if (!open && han && starts(after, rest, "、")) {
        return NUMBERING_HAN;
    }
    if (!open && digits &&
        (starts(after, rest, ".") || starts(after, rest, "、") || starts(after, rest, "．"))) {
        return NUMBERING_DIGIT;
    }
    return NUMBERING_NONE;
}

bool tablegrid_is_numbered(const char *s, size_t len)
{
    return numbering_of(s, len) != NUMBERING_NONE;
}

static int push_cell(struct tablegrid *g, const char *norm, size_t a, size_t b)
{
    while (a < b && is_space(norm[a])) {
        a++;
    }
    while (b > a && is_space(norm[b - 1])) {
        b--;
    }
    struct tablegrid_cell *grown =
        rf_vec_reserve(g->cells, &g->cell_cap, g->cell_cnt, 1, sizeof(*grown));
    if (!grown) {
        return -1;
    }
    g->cells = grown;
    g->cells[g->cell_cnt++] = (struct tablegrid_cell){
        a, b, tablegrid_is_number(norm + a, b - a), is_blank(norm + a, b - a), false, 0};
    return 0;
}

/* The labels of @p row: its text cells, after those it inherits from @p above (or NULL). */
static void set_path(const struct tablegrid *g, const char *norm, struct tablegrid_row *row,
                     const struct tablegrid_row *above)
{
    size_t own[TABLEGRID_MAX_DEPTH], own_cnt = 0;
    for (size_t c = row->first_cell; c < row->first_cell + row->cell_cnt; c++) {
        if (!g->cells[c].number && !g->cells[c].blank) {
            if (own_cnt == TABLEGRID_MAX_DEPTH) {
                memmove(own, own + 1, sizeof(own[0]) * (TABLEGRID_MAX_DEPTH - 1));
                own_cnt--;
            }
            own[own_cnt++] = c;
        }
    }
    row->depth = 0;
    if (above && own_cnt > 0 && own_cnt < above->depth) {
        const struct tablegrid_cell *mine = &g->cells[own[0]];
        const struct tablegrid_cell *theirs = &g->cells[above->path[above->depth - own_cnt]];
        enum numbering kind = numbering_of(norm + mine->start, mine->end - mine->start);
        if (kind != NUMBERING_NONE &&
            kind == numbering_of(norm + theirs->start, theirs->end - theirs->start)) {
            row->depth = above->depth - own_cnt;
            memcpy(row->path, above->path, sizeof(row->path[0]) * row->depth);
        }
    }
    memcpy(row->path + row->depth, own, sizeof(own[0]) * own_cnt);
    row->depth += own_cnt;
}

/*
 * A row of numbers alone right under a row of text whose last cell is a numbered label
 * (| 予公开 | 2.其他法律行政 | over | 2 | 0 | 2 |): a PDF's layout set the label on its own
 * line, above the numbers, and the row takes that line's cells as its labels.
 */
static void adopt_labels(const struct tablegrid *g, const char *norm, struct tablegrid_row *row,
                         const struct tablegrid_row *text_row)
{
    if (!text_row->header || text_row->cell_cnt == 0) {
        return;
    }
    const struct tablegrid_cell *last = &g->cells[text_row->first_cell + text_row->cell_cnt - 1];
    if (last->blank ||
        numbering_of(norm + last->start, last->end - last->start) == NUMBERING_NONE) {
        return;
    }
    for (size_t c = text_row->first_cell;
         c < text_row->first_cell + text_row->cell_cnt && row->depth < TABLEGRID_MAX_DEPTH; c++) {
        if (!g->cells[c].blank) {
            row->path[row->depth++] = c;
        }
    }
}

/* The line [a, b) of cells between bars, as a row of table @p table. */
static int push_row(struct tablegrid *g, const char *norm, size_t a, size_t b, size_t table,
                    bool first_of_table, const size_t caption[2])
{
    size_t first = g->cell_cnt;
    size_t bar = a;
    for (size_t i = a + 1; i < b; i++) {
        if (norm[i] == '|') {
            if (push_cell(g, norm, bar + 1, i) != 0) {
                return -1;
            }
            bar = i;
        }
    }
    if (bar + 1 < b && push_cell(g, norm, bar + 1, b) != 0) { /* a last cell without its bar */
        return -1;
    }
    bool says_something = false;
    for (size_t c = first; c < g->cell_cnt; c++) {
        says_something |= !g->cells[c].blank;
    }
    if (!says_something) { /* |---|---| under a header, or an empty row */
        g->cell_cnt = first;
        return 0;
    }
    struct tablegrid_row *grown =
        rf_vec_reserve(g->rows, &g->row_cap, g->row_cnt, 1, sizeof(*grown));
    if (!grown) {
        return -1;
    }
    g->rows = grown;
    struct tablegrid_row *row = &g->rows[g->row_cnt];
    memset(row, 0, sizeof(*row));
    row->table = table;
    row->first_cell = first;
    row->cell_cnt = g->cell_cnt - first;
    for (size_t c = first; c < g->cell_cnt; c++) {
        row->number_cnt += g->cells[c].number;
        bool text = !g->cells[c].number && !g->cells[c].blank;
        row->value_cnt = text ? 0 : row->value_cnt + 1;
    }
    row->header = row->number_cnt == 0;
    row->caption_start = caption[0];
    row->caption_end = caption[1];
    const struct tablegrid_row *above =
        !first_of_table && g->row_cnt > 0 && !g->rows[g->row_cnt - 1].header
            ? &g->rows[g->row_cnt - 1]
            : NULL;
    if (!row->header) {
        set_path(g, norm, row, above);
    }
    if (!row->header && row->depth == 0 && !first_of_table) {
        adopt_labels(g, norm, row, &g->rows[g->row_cnt - 1]);
    }
    g->row_cnt++;
    return 0;
}

/* ---- rows of run-together cells (runcells.h) ---- */

/* A cell of a number split from digits run together, over the digits [a, b); one that the
   splits disagree on holds its place, as a blank one does. */
static int push_derived(struct tablegrid *g, size_t a, size_t b, double value, bool known)
{
    struct tablegrid_cell *grown =
        rf_vec_reserve(g->cells, &g->cell_cap, g->cell_cnt, 1, sizeof(*grown));
    if (!grown) {
        return -1;
    }
    g->cells = grown;
    g->cells[g->cell_cnt++] = (struct tablegrid_cell){a, b, known, !known, known, value};
    return 0;
}

static int push_run_row(struct tablegrid *g, const struct text *t, const struct runcells_row *r)
{
    size_t first = g->cell_cnt;
    if (r->label_end > r->label_start && push_cell(g, t->norm, r->label_start, r->label_end) != 0) {
        return -1;
    }
    for (int i = 0; i < r->cells; i++) {
        if (push_derived(g, r->digits_start, r->digits_end, r->value[i], r->known[i]) != 0) {
            return -1;
        }
    }
    struct tablegrid_row *grown =
        rf_vec_reserve(g->rows, &g->row_cap, g->row_cnt, 1, sizeof(*grown));
    if (!grown) {
        return -1;
    }
    g->rows = grown;
    struct tablegrid_row *row = &g->rows[g->row_cnt++];
    memset(row, 0, sizeof(*row));
    row->table = r->table;
    row->first_cell = first;
    row->cell_cnt = g->cell_cnt - first;
    row->number_cnt = row->value_cnt = (size_t)r->cells;
    row->run = true;
    set_path(g, t->norm, row, NULL);
    return 0;
}

/* The rows of tables of run-together cells @p runs place in @p t. */
static int read_runs(struct tablegrid *g, const struct text *t, const struct table_run_spec *runs,
                     size_t run_cnt, pcre2_match_data *md)
{
    struct runcells_rows found = {NULL, 0, 0};
    int rc = runcells_find(t, runs, run_cnt, md, &found);
    for (size_t i = 0; rc == 0 && i < found.cnt; i++) {
        rc = push_run_row(g, t, &found.items[i]);
    }
    free(found.items);
    return rc;
}

int tablegrid_build(struct tablegrid *g, const struct text *t, const struct table_run_spec *runs,
                    size_t run_cnt, pcre2_match_data *md)
{
    memset(g, 0, sizeof(*g));
    if (run_cnt > 0 && read_runs(g, t, runs, run_cnt, md) != 0) {
        tablegrid_release(g);
        return -1;
    }
    size_t table = 0;
    bool in_table = false;
    size_t line[2] = {0, 0}, caption[2] = {0, 0}; /* the last line of text; the table's caption */
    for (size_t at = 0; at < t->norm_len;) {
        const char *nl = memchr(t->norm + at, '\n', t->norm_len - at);
        size_t end = nl ? (size_t)(nl - t->norm) : t->norm_len;
        size_t s = at;
        while (s < end && is_space(t->norm[s])) {
            s++;
        }
        if (s < end && t->norm[s] == '|') {
            if (!in_table) {
                table++;
                bool short_line = line[1] - line[0] <= TABLEGRID_CAPTION_BYTES;
                caption[0] = short_line ? line[0] : 0;
                caption[1] = short_line ? line[1] : 0;
            }
            if (push_row(g, t->norm, s, end, table, !in_table, caption) != 0) {
                tablegrid_release(g);
                return -1;
            }
            in_table = true;
        } else if (s < end) {
            in_table = false; /* a line of text ends the table; an empty one does not */
            line[0] = s;
            line[1] = end;
        }
        at = end + 1;
    }
    return 0;
}

void tablegrid_release(struct tablegrid *g)
{
    free(g->cells);
    free(g->rows);
    memset(g, 0, sizeof(*g));
}

/* ---- matching ---- */

static bool matches(pcre2_code *re, const char *s, size_t len, pcre2_match_data *md)
{
    return pcre2_match(re, (PCRE2_SPTR)s, len, 0, PCRE2_NO_UTF_CHECK, md, NULL) >= 0;
}

/* The place from the right of the first cell of header @p row that @p column matches, or -1. */
/* A cell's text without its spaces (本年新  制作数量: a line broken inside the cell) into @p out
   of @p cap bytes, cut at a character; @returns its length. */
static size_t cell_text(const char *s, size_t len, char *out, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; i < len && n + 1 < cap; i++) {
        if (s[i] == ' ') {
            continue;
        }
        size_t k = 1; /* the whole character, or none of it */
        while (i + k < len && ((unsigned char)s[i + k] & 0xC0) == 0x80) {
            k++;
        }
        if (n + k + 1 > cap) {
            break;
        }
        memcpy(out + n, s + i, k);
        n += k;
        i += k - 1;
    }
    out[n] = '\0';
    return n;
}

static long column_from_right(const struct tablegrid *g, const struct tablegrid_row *row,
                              const struct text *t, pcre2_code *column, pcre2_match_data *md)
{
    char text[TABLEGRID_LABEL_BYTES];
    for (size_t c = 0; c < row->cell_cnt; c++) {
        const struct tablegrid_cell *cell = &g->cells[row->first_cell + c];
        size_t n = cell_text(t->norm + cell->start, cell->end - cell->start, text, sizeof(text));
        if (matches(column, text, n, md)) {
            return (long)(row->cell_cnt - 1 - c);
        }
    }
    return -1;
}

/*
 * Whether @p row sits under its table's caption: not when its own numbering is the caption's
 * kind or the top one (a (七) after the caption (六), or 四、 further down the same table).
 */
static bool under_caption(const struct tablegrid *g, const struct tablegrid_row *row,
                          const struct text *t)
{
    size_t a = row->caption_start, b = row->caption_end;
    while (a < b && (t->norm[a] == '#' || t->norm[a] == ' ')) {
        a++; /* a markdown heading's marks */
    }
    if (a == b) {
        return false;
    }
    if (row->depth == 0) {
        return true;
    }
    const struct tablegrid_cell *own = &g->cells[row->path[0]];
    enum numbering mine = numbering_of(t->norm + own->start, own->end - own->start);
    return mine != NUMBERING_HAN && mine != numbering_of(t->norm + a, b - a);
}

/* @p row's labels joined by spaces into @p out (TABLEGRID_LABEL_BYTES), cut at a character. */
static size_t row_label(const struct tablegrid *g, const struct tablegrid_row *row,
                        const struct text *t, char *out)
{
    size_t n = 0;
    bool captioned = under_caption(g, row, t);
    for (size_t i = 0; i <= row->depth; i++) {
        /* the caption first, then the labels */
        struct tablegrid_cell caption = {row->caption_start,
                                         captioned ? row->caption_end : row->caption_start,
                                         false,
                                         false,
                                         false,
                                         0};
        const struct tablegrid_cell *c = i == 0 ? &caption : &g->cells[row->path[i - 1]];
        if (c->end == c->start || n + 2 >= TABLEGRID_LABEL_BYTES) {
            continue;
        }
        if (n > 0) {
            out[n++] = ' ';
        }
        n += cell_text(t->norm + c->start, c->end - c->start, out + n, TABLEGRID_LABEL_BYTES - n);
    }
    out[n] = '\0';
    return n;
}

/* The numbered cell of data @p row that @p spec reads, given the column's place from the
   right (-1: none known), or NULL. */
static const struct tablegrid_cell *cell_of(const struct tablegrid *g,
                                            const struct tablegrid_row *row,
                                            const struct table_spec *spec, long from_right)
{
    size_t want, n = row->value_cnt;
    if (spec->column) {
        if (from_right < 0 || (size_t)from_right >= n) {
            return NULL;
        }
        want = n - 1 - (size_t)from_right;
    } else if (spec->column_index < 0) {
        size_t back = (size_t)-spec->column_index;
        if (back > n) {
            return NULL;
        }
        want = n - back;
    } else {
        want = (size_t)spec->column_index;
        if (want >= n) {
            return NULL;
        }
    }
    /* the values are the row's last value_cnt cells; a blank one holds no fact */
    const struct tablegrid_cell *cell = &g->cells[row->first_cell + row->cell_cnt - n + want];
    return cell->number ? cell : NULL;
}

int tablegrid_match(const struct tablegrid *g, const struct table_spec *spec, const struct text *t,
                    pcre2_match_data *md, tablegrid_found_fn found, void *ctx)
{
    /* one pass: what the header rows above said so far in this table */
    size_t table = 0;
    bool header_seen = false;
    long from_right = -1;
    char label[TABLEGRID_LABEL_BYTES];
    for (size_t r = 0; r < g->row_cnt; r++) {
        const struct tablegrid_row *row = &g->rows[r];
        if (row->table != table) {
            table = row->table;
            header_seen = false;
            from_right = -1;
        }
        if (row->header) {
            for (size_t c = 0; spec->header && !header_seen && c < row->cell_cnt; c++) {
                const struct tablegrid_cell *cell = &g->cells[row->first_cell + c];
                header_seen =
                    matches(spec->header, t->norm + cell->start, cell->end - cell->start, md);
            }
            long place = spec->column ? column_from_right(g, row, t, spec->column, md) : -1;
            from_right = place >= 0 ? place : from_right;
            continue;
        }
        if ((spec->header && !header_seen) || (!spec->row && row->depth > 0) ||
            (spec->run_rows && !row->run) ||
            (spec->numbers && row->value_cnt != (size_t)spec->numbers)) {
            continue;
        }
        if (spec->row) {
            size_t n = row_label(g, row, t, label); /* caption and labels */
            if (n == 0 || !matches(spec->row, label, n, md)) {
                continue;
            }
        }
        const struct tablegrid_cell *cell = cell_of(g, row, spec, from_right);
        int rc = cell ? found(ctx, cell) : 0;
        if (rc != 0) {
            return rc;
        }
    }
    return 0;
}
