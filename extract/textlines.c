/* textlines.c - paragraphs and table rows written as lines: see textlines.h. */
#include "textlines.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define FULLWIDTH_BAR "\xef\xbd\x9c" /* U+FF5C, for '|' in a cell */
#define CELL_OPEN_LEN 2              /* "| " */

void textlines_init(struct textlines *t, FILE *out, size_t max_output)
{
    *t = (struct textlines){.out = out, .max_output = max_output};
}

void textlines_release(struct textlines *t)
{
    free(t->row);
    t->row = NULL;
    t->row_len = t->row_cap = 0;
}

/* Whether @p n more bytes keep the text within its cap (the row held counts as written). */
static bool room_for(struct textlines *t, size_t n)
{
    if (n > t->max_output - t->written - t->row_len) {
        t->failed = TEXTLINES_TOO_LARGE;
        return false;
    }
    return true;
}

static void write_out(struct textlines *t, const char *s, size_t n)
{
    if (t->failed || !room_for(t, n)) {
        return;
    }
    if (n > 0 && fwrite(s, 1, n, t->out) != n) {
        t->failed = TEXTLINES_WRITE_FAILED;
        t->write_errno = errno;
        return;
    }
    t->written += n;
}

/* Room for @p n more bytes in the row. */
static bool row_reserve(struct textlines *t, size_t n)
{
    if (t->failed || !room_for(t, n)) {
        return false;
    }
    if (t->row_cap - t->row_len >= n) {
        return true;
    }
    size_t cap = t->row_cap ? t->row_cap : 256;
    while (cap - t->row_len < n) {
        cap *= 2; /* cannot overflow: the row stays under max_output */
    }
    char *grown = realloc(t->row, cap);
    if (!grown) {
        t->failed = TEXTLINES_NOMEM;
        return false;
    }
    t->row = grown;
    t->row_cap = cap;
    return true;
}

static void row_append(struct textlines *t, const char *s, size_t n)
{
    if (row_reserve(t, n)) {
        memcpy(t->row + t->row_len, s, n);
        t->row_len += n;
    }
}

/* The row's bytes [start, start + n) once more at its end: a repeated cell. */
static void row_repeat_span(struct textlines *t, size_t start, size_t n)
{
    if (row_reserve(t, n)) {
        memcpy(t->row + t->row_len, t->row + start, n);
        t->row_len += n;
    }
}

/* Bytes of the document: into the row inside a table, else straight out. */
static void put(struct textlines *t, const char *s, size_t n)
{
    if (t->tables_open > 0) {
        row_append(t, s, n);
    } else {
        write_out(t, s, n);
        t->line_has_text = t->line_has_text || n > 0;
    }
}

static void end_line(struct textlines *t)
{
    write_out(t, "\n", 1);
    t->line_has_text = false;
    t->space_pending = false;
}

static void close_cell(struct textlines *t)
{
    if (!t->in_cell) {
        return;
    }
    t->in_cell = false;
    t->space_pending = false;
    if (t->cell_merged) {
        t->row_len = t->cell_start;
        return;
    }
    row_append(t, " ", 1);
    size_t span = t->row_len - t->cell_start;
    for (unsigned i = 1; i < t->cell_repeat; i++) {
        row_repeat_span(t, t->cell_start, span);
    }
    t->cells += t->cell_repeat;
}

/* The row written (repeat times) once its cells are known; a row without cells is not. */
static void close_row(struct textlines *t)
{
    if (!t->in_row) {
        return;
    }
    close_cell(t);
    t->in_row = false;
    if (t->cells > 0) {
        row_append(t, "|\n", 2);
    }
    size_t len = t->row_len;
    t->row_len = 0; /* written now: no longer held */
    for (unsigned i = 0; t->cells > 0 && i < t->row_repeat; i++) {
        write_out(t, t->row, len);
    }
}

static void open_row(struct textlines *t, unsigned repeat)
{
    close_row(t);
    t->in_row = true;
    t->cells = 0;
    t->row_len = 0;
    t->row_repeat = repeat;
}

/* A cell is "| " + its text + " "; the row's end adds the last "|". */
static void open_cell(struct textlines *t, unsigned repeat)
{
    if (!t->in_row) {
        open_row(t, 1);
    }
    close_cell(t);
    t->in_cell = true;
    t->cell_merged = false;
    t->cell_repeat = repeat;
    t->cell_start = t->row_len;
    t->space_pending = false;
    row_append(t, "| ", CELL_OPEN_LEN);
}

/* Whether the line, or in a table the cell, has something written. */
static bool has_text(const struct textlines *t)
{
    return t->tables_open > 0 ? t->in_cell && t->row_len > t->cell_start + CELL_OPEN_LEN
                              : t->line_has_text;
}

/* Before anything visible: a cell to hold it in a table (text a table holds outside its
   cells is a cell of its own), and the space pending after earlier text. */
static void begin_visible(struct textlines *t)
{
    if (t->tables_open > 0 && !t->in_cell) {
        open_cell(t, 1);
    }
    if (t->space_pending && has_text(t)) {
        put(t, " ", 1);
    }
    t->space_pending = false;
}

void textlines_literal(struct textlines *t, const char *s, size_t n)
{
    begin_visible(t);
    put(t, s, n);
}

/* Whether text byte @p ch is written as something else. */
static bool is_special(const struct textlines *t, char ch, bool collapse_space)
{
    return ch == '\n' || ch == '\r' || (ch == '|' && t->tables_open > 0) ||
           (collapse_space && (ch == ' ' || ch == '\t'));
}

void textlines_text(struct textlines *t, const char *s, size_t n, bool collapse_space)
{
    size_t i = 0;
    while (i < n && !t->failed) {
        size_t end = i;
        while (end < n && !is_special(t, s[end], collapse_space)) {
            end++;
        }
        if (end > i) {
            textlines_literal(t, s + i, end - i);
        }
        if (end == n) {
            break;
        }
        if (s[end] == '|') {
            textlines_literal(t, FULLWIDTH_BAR, sizeof(FULLWIDTH_BAR) - 1);
        } else if (collapse_space) {
            t->space_pending = true;
        } else {
            textlines_literal(t, " ", 1);
        }
        i = end + 1;
    }
}

void textlines_spaces(struct textlines *t, unsigned n)
{
    static const char spaces[] = "                                "; /* 32 */
    begin_visible(t);
    for (unsigned left = n; left > 0 && !t->failed;) {
        unsigned chunk = left < sizeof(spaces) - 1 ? left : (unsigned)sizeof(spaces) - 1;
        put(t, spaces, chunk);
        left -= chunk;
    }
}

void textlines_line_break(struct textlines *t, bool hard)
{
    if (t->tables_open > 0) {
        t->space_pending = true; /* the row stays one line */
    } else if (hard || t->line_has_text) {
        end_line(t);
    }
}

void textlines_paragraph_begin(struct textlines *t)
{
    t->paragraphs_open++;
    if (t->tables_open > 0) {
        return;
    }
    if (t->paragraphs_open == 1) {
        t->nested_paragraph_ended = false;
    } else if (t->line_has_text) {
        end_line(t); /* a text box's paragraph is a line of its own */
    }
}

/* The paragraph's line ends; an empty paragraph is an empty line, unless its lines were a
   text box's inside it. In a table a cell's paragraphs are joined by a space. */
void textlines_paragraph_end(struct textlines *t)
{
    t->paragraphs_open -= t->paragraphs_open > 0;
    if (t->tables_open > 0) {
        t->space_pending = true;
        return;
    }
    bool outermost = t->paragraphs_open == 0;
    if (t->line_has_text || (outermost && !t->nested_paragraph_ended)) {
        end_line(t);
    }
    if (!outermost) {
        t->nested_paragraph_ended = true;
    }
}

bool textlines_in_paragraph(const struct textlines *t)
{
    return t->paragraphs_open > 0;
}

void textlines_table_begin(struct textlines *t)
{
    if (t->tables_open == 0 && t->line_has_text) {
        end_line(t);
    }
    t->space_pending = t->tables_open > 0; /* a nested table's text goes on in its cell */
    t->tables_open++;
}

void textlines_table_end(struct textlines *t)
{
    if (t->tables_open == 1) {
        close_row(t);
    }
    t->tables_open -= t->tables_open > 0;
    t->space_pending = t->tables_open > 0;
}

/* Rows and cells of a nested table are spaces in the outer table's cell. */
void textlines_row_begin(struct textlines *t, unsigned repeat)
{
    if (t->tables_open == 1) {
        open_row(t, repeat);
    } else {
        t->space_pending = true;
    }
}

void textlines_row_end(struct textlines *t)
{
    if (t->tables_open == 1) {
        close_row(t);
    } else {
        t->space_pending = true;
    }
}

void textlines_cell_begin(struct textlines *t, unsigned repeat)
{
    if (t->tables_open == 1) {
        open_cell(t, repeat);
    } else {
        t->space_pending = true;
    }
}

void textlines_cell_end(struct textlines *t)
{
    if (t->tables_open == 1) {
        close_cell(t);
    } else {
        t->space_pending = true;
    }
}

void textlines_cell_merged(struct textlines *t)
{
    if (t->tables_open == 1 && t->in_cell) {
        t->cell_merged = true;
    }
}

enum textlines_result textlines_finish(struct textlines *t)
{
    if (t->line_has_text) {
        end_line(t); /* text after the last paragraph's end */
    }
    if (!t->failed && fflush(t->out) != 0) {
        t->failed = TEXTLINES_WRITE_FAILED;
        t->write_errno = errno;
    }
    return t->failed;
}
