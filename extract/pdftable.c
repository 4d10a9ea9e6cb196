/* pdftable.c - a PDF page's tables from its words' boxes: see pdftable.h. */
#include "pdftable.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pdflines.h"
#include "tablegrid.h"
#include "reportflow/vec.h"

/* More columns than this is no table of a report: its lines are left as text. */
#define TABLE_MAX_COLUMNS 64
/* Shares of a line's height. */
#define WRAP_GAP 0.3f    /* a wrapped value's line starts this close under its row */
#define LABEL_REACH 2.5f /* a label line this far from its row's middle, at most */
/* A wrapped value's end holds this many digits at most. */
#define WRAP_DIGITS 3

/* A line's role in a table, in struct pdfline's role. */
enum line_role {
    LINE_TEXT,     /* written as it is */
    LINE_ROW,      /* holds values */
    LINE_WRAP,     /* the wrapped ends of the values of the row above (owner) */
    LINE_LABEL,    /* label text of row owner */
    LINE_BLANK_ROW /* label text of a row with no values */
};

struct column {
    float x0, x1;
};

/* ---- the reading-order text ---- */

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

/* The line of @p page (@p len bytes) from *@p at, spaces trimmed, into [*a, *b); *@p at moves
   past it. */
static void next_line(const char *page, size_t len, size_t *at, size_t *a, size_t *b)
{
    const char *nl = memchr(page + *at, '\n', len - *at);
    size_t end = nl ? (size_t)(nl - page) : len;
    *a = *at;
    *b = end;
    while (*a < *b && is_blank(page[*a])) {
        (*a)++;
    }
    while (*b > *a && is_blank(page[*b - 1])) {
        (*b)--;
    }
    *at = end + 1;
}

bool pdftable_page_is_tabular(const char *page, size_t len)
{
    size_t lone_numbers = 0;
    for (size_t at = 0, a, b; at < len;) {
        next_line(page, len, &at, &a, &b);
        lone_numbers += b > a && tablegrid_is_number(page + a, b - a);
        if (lone_numbers >= PDFTABLE_MIN_NUMBER_LINES) {
            return true;
        }
    }
    return false;
}

/* ---- one table: its columns, rows and labels ---- */

static float line_middle(const struct pdfline *l)
{
    return (l->y0 + l->y1) / 2;
}

static float token_middle(const struct pdftoken *t)
{
    return (t->x0 + t->x1) / 2;
}

static int by_x0(const void *a, const void *b)
{
    const struct column *x = a, *y = b;
    return (x->x0 > y->x0) - (x->x0 < y->x0);
}

/*
 * The columns of lines [a, b): the values' boxes, those that overlap merged. @returns how many
 * into @p cols (TABLE_MAX_COLUMNS + 1: too many; SIZE_MAX on ENOMEM).
 */
static size_t columns_of(const struct pdfpage *p, size_t a, size_t b, struct column *cols)
{
    size_t n = 0;
    struct column *boxes = NULL;
    size_t box_cnt = 0, box_cap = 0;
    for (size_t i = a; i < b; i++) {
        const struct pdfline *l = &p->lines[i];
        for (size_t k = l->first + l->count - l->values; k < l->first + l->count; k++) {
            struct column *grown = rf_vec_reserve(boxes, &box_cap, box_cnt, 1, sizeof(*grown));
            if (!grown) {
                free(boxes);
                return SIZE_MAX;
            }
            boxes = grown;
            boxes[box_cnt++] = (struct column){p->tokens[k].x0, p->tokens[k].x1};
        }
    }
    if (box_cnt > 0) {
        qsort(boxes, box_cnt, sizeof(*boxes), by_x0);
    }
    for (size_t i = 0; i < box_cnt && n <= TABLE_MAX_COLUMNS; i++) {
        if (n > 0 && boxes[i].x0 < cols[n - 1].x1) {
            cols[n - 1].x1 = boxes[i].x1 > cols[n - 1].x1 ? boxes[i].x1 : cols[n - 1].x1;
        } else if (n < TABLE_MAX_COLUMNS) {
            cols[n++] = boxes[i];
        } else {
            n++;
        }
    }
    free(boxes);
    return n;
}

/* The column of @p cols (@p n) whose middle is nearest the token's. */
static size_t nearest_column(const struct column *cols, size_t n, const struct pdftoken *t)
{
    size_t best = 0;
    float best_d = -1;
    for (size_t c = 0; c < n; c++) {
        float d = (cols[c].x0 + cols[c].x1) / 2 - token_middle(t);
        d = d < 0 ? -d : d;
        if (best_d < 0 || d < best_d) {
            best = c;
            best_d = d;
        }
    }
    return best;
}

static bool all_digits(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return false;
        }
    }
    return len > 0;
}

/* The columns of @p row's values written in digits alone, as bits. */
static uint64_t digit_columns(const struct pdfpage *p, const struct pdfline *row)
{
    uint64_t mask = 0;
    for (size_t k = row->first + row->count - row->values; k < row->first + row->count; k++) {
        const struct pdftoken *v = &p->tokens[k];
        mask |= all_digits(p->text.data + v->at, v->len) ? (uint64_t)1 << v->column : 0;
    }
    return mask;
}

/* Whether line @p l (values and all) is the wrapped end of the values of row @p row: fewer
   values, close under it, each a few digits under a value of digits. */
static bool wraps_row(const struct pdfpage *p, const struct pdfline *l, const struct pdfline *row)
{
    float h = row->y1 - row->y0;
    if (l->values >= row->values || l->y0 - row->y1 > WRAP_GAP * h) {
        return false;
    }
    uint64_t above = digit_columns(p, row);
    for (size_t k = l->first + l->count - l->values; k < l->first + l->count; k++) {
        const struct pdftoken *t = &p->tokens[k];
        if (t->len > WRAP_DIGITS || !all_digits(p->text.data + t->at, t->len) ||
            !(above & (uint64_t)1 << t->column)) {
            return false;
        }
    }
    return true;
}

/* ---- writing ---- */

static const struct pdftoken *own_label(const struct pdfpage *p, const struct pdfline *row)
{
    return row->count > row->values ? &p->tokens[row->first + row->count - row->values - 1] : NULL;
}

/* Append token @p t, with a space when it would join two ASCII words. */
static int append_token(struct rf_buf *out, const struct pdfpage *p, const struct pdftoken *t)
{
    const char *s = p->text.data + t->at;
    bool space = out->len > 0 && t->len > 0 && pdflines_is_latin(out->data[out->len - 1]) &&
                 pdflines_is_latin(s[0]);
    int rc = space ? rf_buf_append(out, " ", 1) : 0;
    return rc ? rc : rf_buf_append(out, s, t->len);
}

static int write_text_line(const struct pdfpage *p, const struct pdfline *l, struct rf_buf *out)
{
    int rc = 0;
    for (size_t k = l->first; k < l->first + l->count && rc == 0; k++) {
        rc = k > l->first ? rf_buf_append(out, " ", 1) : 0;
        rc = rc ? rc : rf_buf_append(out, p->text.data + p->tokens[k].at, p->tokens[k].len);
    }
    return rc ? rc : rf_buf_append(out, "\n", 1);
}

/* Cells between bars: @p cells (@p n of them) each ended by a bar. */
static int write_cells(struct rf_buf *out, struct rf_buf *cells, size_t n)
{
    int rc = rf_buf_append(out, "|", 1);
    for (size_t c = 0; c < n && rc == 0; c++) {
        rc = rf_buf_append(out, " ", 1);
        rc = rc ? rc : rf_buf_append(out, cells[c].data ? cells[c].data : "", cells[c].len);
        rc = rc ? rc : rf_buf_append(out, " |", 2);
    }
    return rc ? rc : rf_buf_append(out, "\n", 1);
}

static void release_cells(struct rf_buf *cells, size_t n)
{
    for (size_t c = 0; c < n; c++) {
        rf_buf_release(&cells[c]);
    }
}

/* Whether line @p l reaches past the labels: a header, when no value is in it. */
static bool reaches_values(const struct pdfpage *p, const struct pdfline *l, float label_right)
{
    for (size_t k = l->first; k < l->first + l->count; k++) {
        if (p->tokens[k].x1 > label_right) {
            return true;
        }
    }
    return false;
}

/* Whether line @p l above a table of columns @p cols (@p n) is a heading, not a header: a word
   over the middles of two columns, or one phrase standing over fewer than two of them. */
static bool is_heading(const struct pdfpage *p, const struct pdfline *l, const struct column *cols,
                       size_t n)
{
    const struct pdfword *w0 = &p->words[l->word], *w1 = &p->words[l->word + l->words - 1];
    size_t over = 0; /* columns whose middles the line stands over */
    for (size_t c = 0; c < n; c++) {
        float mid = (cols[c].x0 + cols[c].x1) / 2;
        over += w0->x0 <= mid && mid <= w1->x1;
        for (size_t k = l->word; c + 1 < n && k < l->word + l->words; k++) {
            float next = (cols[c + 1].x0 + cols[c + 1].x1) / 2;
            if (p->words[k].x0 <= mid && next <= p->words[k].x1) {
                return true;
            }
        }
    }
    return l->count < 2 && (l->words < 2 || over < (n < 2 ? n : 2));
}

/* Lines [a, b) above a table's first row, columns @p cols (@p n): a line of cells set apart, or
   of words over two columns or more, is a header row, one cell per word (header cells may
   stand as close as words, and tablegrid.h counts them from the right); the others are text. */
static int write_header(const struct pdfpage *p, const char *tsv, size_t a, size_t b,
                        const struct column *cols, size_t n, struct rf_buf *out)
{
    int rc = 0;
    for (size_t i = a; i < b && rc == 0; i++) {
        const struct pdfline *l = &p->lines[i];
        if (is_heading(p, l, cols, n)) {
            rc = write_text_line(p, l, out);
            continue;
        }
        float h = l->y1 - l->y0;
        rc = rf_buf_append(out, "|", 1);
        for (size_t k = l->word; k < l->word + l->words && rc == 0; k++) {
            const struct pdfword *w = &p->words[k];
            const struct pdfword *prev = k > l->word ? &p->words[k - 1] : NULL;
            float gap = prev ? w->x0 - prev->x1 : 0;
            /* two words of Chinese apart are two cells; a number or a Latin word is spaced */
            bool latin = prev && (pdflines_is_latin(tsv[w->at]) ||
                                  pdflines_is_latin(tsv[prev->at + prev->len - 1]));
            bool glued =
                prev && (gap < PDFLINES_WORD_SPACE * h || (latin && gap < PDFLINES_CELL_GAP * h));
            rc = glued && gap >= PDFLINES_WORD_SPACE * h ? rf_buf_append(out, " ", 1) : 0;
            rc = rc || glued ? rc : rf_buf_append(out, prev ? " | " : " ", prev ? 3 : 1);
            rc = rc ? rc : rf_buf_append(out, tsv + w->at, w->len);
        }
        rc = rc ? rc : rf_buf_append(out, " |\n", 3);
    }
    return rc;
}

static bool is_mine(const struct pdfline *l, size_t i, size_t row)
{
    return i == row || ((l->role == LINE_LABEL || l->role == LINE_WRAP) && l->owner == row);
}

/* The row of line @p row: its labels from the lines of [lo, hi) that it owns (those left of its
   own label as a cell of their own), its @p n values with their wrapped ends. */
static int write_row(const struct pdfpage *p, size_t row, size_t lo, size_t hi, size_t n,
                     struct rf_buf *out)
{
    struct rf_buf cells[TABLE_MAX_COLUMNS + 2]; /* outer label, label, values */
    memset(cells, 0, sizeof(cells));
    const struct pdftoken *own = own_label(p, &p->lines[row]);
    int rc = 0;
    for (size_t i = lo; i < hi && rc == 0; i++) {
        const struct pdfline *l = &p->lines[i];
        for (size_t k = l->first; is_mine(l, i, row) && k < l->first + l->count && rc == 0; k++) {
            const struct pdftoken *t = &p->tokens[k];
            size_t c = t->value ? 2 + t->column : own && t->x1 <= own->x0 + 1 ? 0 : 1;
            rc = t->value ? rf_buf_append(&cells[c], p->text.data + t->at, t->len)
                          : append_token(&cells[c], p, t);
        }
    }
    size_t skip = cells[0].len == 0 ? (cells[1].len == 0 ? 2 : 1) : 0;
    rc = rc ? rc : write_cells(out, cells + skip, n + 2 - skip);
    release_cells(cells, n + 2);
    return rc;
}

/* ---- tables ---- */

/* The row nearer label line @p i, @p above or @p below (SIZE_MAX: none), if near enough. */
static size_t nearer_row(const struct pdfpage *p, size_t i, size_t above, size_t below)
{
    const struct pdfline *l = &p->lines[i];
    float reach = LABEL_REACH * (l->y1 - l->y0);
    float d_above = above != SIZE_MAX ? line_middle(l) - line_middle(&p->lines[above]) : -1;
    float d_below = below != SIZE_MAX ? line_middle(&p->lines[below]) - line_middle(l) : -1;
    if (d_above >= 0 && d_above <= reach && (d_below < 0 || d_above <= d_below)) {
        return above;
    }
    return d_below >= 0 && d_below <= reach ? below : SIZE_MAX;
}

static bool is_anchor(const struct pdfline *l, bool blank_rows)
{
    return l->role == LINE_ROW || (blank_rows && l->role == LINE_BLANK_ROW);
}

/* Into the owner of each line of label text in [a, b): the next row below it, or SIZE_MAX. */
static void note_row_below(struct pdfpage *p, size_t a, size_t b, bool blank_rows)
{
    size_t below = SIZE_MAX;
    for (size_t i = b; i-- > a;) {
        struct pdfline *l = &p->lines[i];
        if (is_anchor(l, blank_rows)) {
            below = i;
        } else if (l->values == 0) {
            l->owner = below;
        }
    }
}

static bool token_numbered(const struct pdfpage *p, const struct pdftoken *t)
{
    return t && tablegrid_is_numbered(p->text.data + t->at, t->len);
}

/*
 * Lines [a, b) of a table, its first row at @p first_row: rows and the wrapped ends of their
 * values; then rows of blank cells (a numbered label whose nearest row has a numbered label of
 * its own, or none near); then each other line of label text to its nearest row.
 */
static void classify(struct pdfpage *p, size_t a, size_t first_row, size_t b)
{
    size_t row = SIZE_MAX;
    for (size_t i = first_row; i < b; i++) {
        struct pdfline *l = &p->lines[i];
        if (l->values > 0) {
            bool wrap = row != SIZE_MAX && p->lines[i - 1].role != LINE_WRAP &&
                        wraps_row(p, l, &p->lines[row]);
            l->role = wrap ? LINE_WRAP : LINE_ROW;
            l->owner = row;
            row = wrap ? row : i;
        }
    }
    note_row_below(p, a, b, false);
    size_t above = SIZE_MAX;
    for (size_t i = a; i < b; i++) {
        struct pdfline *l = &p->lines[i];
        above = l->role == LINE_ROW ? i : above;
        if (l->values > 0 || !token_numbered(p, &p->tokens[l->first])) {
            continue;
        }
        size_t near = nearer_row(p, i, above, l->owner);
        bool between = above != SIZE_MAX && l->owner != SIZE_MAX;
        if ((near == SIZE_MAX && between) ||
            (near != SIZE_MAX && token_numbered(p, own_label(p, &p->lines[near])))) {
            l->role = LINE_BLANK_ROW;
        }
    }
    note_row_below(p, a, b, true);
    above = SIZE_MAX;
    for (size_t i = a; i < b; i++) {
        struct pdfline *l = &p->lines[i];
        if (is_anchor(l, true)) {
            above = i;
        } else if (l->values == 0) {
            size_t near = nearer_row(p, i, above, l->owner);
            l->role = near == SIZE_MAX ? LINE_TEXT : LINE_LABEL;
            l->owner = near;
        }
    }
}

static int write_lines(const struct pdfpage *p, size_t a, size_t b, struct rf_buf *out)
{
    int rc = 0;
    for (size_t i = a; i < b && rc == 0; i++) {
        rc = write_text_line(p, &p->lines[i], out);
    }
    return rc;
}

/* The columns of lines [a, b), if they hold a table: columns within bounds; two rows, a row of
   two values, or a row under a header. @returns how many, 0 for no table, SIZE_MAX on ENOMEM. */
static size_t table_columns(const struct pdfpage *p, size_t a, size_t b, struct column *cols)
{
    size_t rows = 0, widest = 0;
    bool header = false; /* a line of cells above the first row */
    for (size_t i = a; i < b; i++) {
        header |= rows == 0 && p->lines[i].values == 0 && p->lines[i].count >= 2;
        rows += p->lines[i].values > 0;
        widest = p->lines[i].values > widest ? p->lines[i].values : widest;
    }
    if (widest > TABLE_MAX_COLUMNS || (rows < 2 && widest < 2 && !header)) {
        return 0;
    }
    size_t n = columns_of(p, a, b, cols);
    return n <= TABLE_MAX_COLUMNS || n == SIZE_MAX ? n : 0;
}

static int write_table(struct pdfpage *p, const char *tsv, size_t a, size_t b, float label_right,
                       struct rf_buf *out)
{
    struct column cols[TABLE_MAX_COLUMNS];
    size_t n = table_columns(p, a, b, cols);
    if (n == SIZE_MAX) {
        return -1;
    }
    if (n == 0) {
        return write_lines(p, a, b, out);
    }
    for (size_t i = a; i < b; i++) {
        const struct pdfline *l = &p->lines[i];
        for (size_t k = l->first + l->count - l->values; k < l->first + l->count; k++) {
            p->tokens[k].column = (unsigned)nearest_column(cols, n, &p->tokens[k]);
        }
    }
    size_t first_row = a;
    while (p->lines[first_row].values == 0) {
        first_row++;
    }
    size_t labels = first_row; /* label text right above the first row, no gap between */
    while (labels > a && !reaches_values(p, &p->lines[labels - 1], label_right) &&
           p->lines[labels].y0 - p->lines[labels - 1].y1 <
               WRAP_GAP * (p->lines[labels].y1 - p->lines[labels].y0)) {
        labels--;
    }
    classify(p, labels, first_row, b);
    int rc = write_header(p, tsv, a, labels, cols, n, out);
    size_t lo = labels;
    for (size_t i = labels; i < b && rc == 0; i++) {
        const struct pdfline *l = &p->lines[i];
        if (is_anchor(l, true)) {
            size_t hi = i + 1;
            while (hi < b && !is_anchor(&p->lines[hi], true)) {
                hi++;
            }
            rc = write_row(p, i, lo, hi, n, out);
            lo = i + 1;
        } else if (l->role == LINE_TEXT) {
            rc = write_text_line(p, l, out);
        }
    }
    return rc;
}

/* Lines [a, b), none of them prose: its tables, each from its header to the next header. */
static int by_value(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;
    return (x > y) - (x < y);
}

/* Where the labels of lines [a, b) end: the median left edge of their rows' first values (a row
   whose cells shifted left does not move it). @returns -1 on ENOMEM, 0 without rows, else 1. */
static int labels_end(const struct pdfpage *p, size_t a, size_t b, float *label_right)
{
    if (b == a) {
        return 0;
    }
    float *firsts = malloc((b - a) * sizeof(*firsts));
    size_t n = 0;
    if (!firsts) {
        return -1;
    }
    for (size_t i = a; i < b; i++) {
        const struct pdfline *l = &p->lines[i];
        if (l->values > 0) {
            firsts[n++] = p->tokens[l->first + l->count - l->values].x0;
        }
    }
    if (n > 0) {
        qsort(firsts, n, sizeof(*firsts), by_value);
        *label_right = firsts[n / 2];
    }
    free(firsts);
    return n > 0;
}

static int write_segment(struct pdfpage *p, const char *tsv, size_t a, size_t b, struct rf_buf *out)
{
    float label_right = 0;
    int values = labels_end(p, a, b, &label_right);
    if (values < 0) {
        return -1;
    }
    if (!values) {
        return write_lines(p, a, b, out);
    }
    size_t start = a, ends = a; /* the table's first line; past its last row and lines close */
    bool rows = false;
    int rc = 0;
    for (size_t i = a; i < b && rc == 0; i++) {
        const struct pdfline *l = &p->lines[i];
        if (rows && l->values == 0 && reaches_values(p, l, label_right)) {
            /* a header starts the next table, and so do the lines set apart above it */
            rc = write_table(p, tsv, start, ends, label_right, out);
            start = ends;
            rows = false;
        }
        bool close = i > a && l->y0 - p->lines[i - 1].y1 < WRAP_GAP * (l->y1 - l->y0);
        ends = l->values > 0 || (rows && close && ends == i) ? i + 1 : ends;
        rows |= l->values > 0;
    }
    if (rc == 0 && start < ends && ends < b) { /* lines set apart after the last table */
        rc = write_table(p, tsv, start, ends, label_right, out);
        start = ends;
    }
    return rc ? rc : write_table(p, tsv, start, b, label_right, out);
}

int pdftable_rows(const char *tsv, const struct pdfword *words, size_t n, struct rf_buf *out)
{
    struct pdfpage p;
    int rc = pdflines_read(&p, tsv, words, n);
    for (size_t a = 0; rc == 0 && a < p.line_cnt;) {
        size_t b = a;
        while (b < p.line_cnt && !p.lines[b].prose) {
            b++;
        }
        rc = write_segment(&p, tsv, a, b, out);
        rc = rc == 0 && b < p.line_cnt ? write_text_line(&p, &p.lines[b], out) : rc;
        a = b + 1;
    }
    pdflines_release(&p);
    return rc;
}
