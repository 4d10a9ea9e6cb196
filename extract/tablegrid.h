/*
 * tablegrid.h - a text's tables as rows and cells, so a rule can read a cell
 * by its row and its column. A table is a run of lines of cells between bars
 * ("| 行政许可 | 36 | 0 | 412 |"), as html.c, officetext and pdftext write them.
 * A row without numbers is a header row; a row with numbers is a data row,
 * whose text cells are its labels. A column is named by a cell of the nearest
 * header row above that has it, counted from the right (labels sit at the left,
 * where spanned cells make the counts differ), or by its place among the row's
 * values (its numbers and blank cells after its labels: a blank total is no total). A row that a
 * spanned cell leaves without its first labels
 * (| (二)部分公开 | 2 | under | 三、办理结果 | (一)予以公开 | 5 |) takes them from
 * the row above when its own numbering is of the same kind. A short line of text
 * right above a table is its caption, which every row's label starts with
 * ("### (三) 不予公开" above rows "1. 属于国家秘密" ...).
 * Rows of tables whose cells lost their borders come from runcells.h; their
 * cells are derived values, not quantities.
 */
#ifndef RF_TABLEGRID_H
#define RF_TABLEGRID_H
#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>
#include "rulefile.h"
#include "runcells.h"
#include "text.h"

/* The labels a row keeps from itself and the rows above (三、 > (三) > 1.). */
#define TABLEGRID_MAX_DEPTH 4
/* The longest row label matched, in bytes (cut at a character boundary). */
#define TABLEGRID_LABEL_BYTES 600
/* The longest line taken for a table's caption, in bytes (40 characters): a heading, not a
   paragraph that happens to precede the table. */
#define TABLEGRID_CAPTION_BYTES 120

/* What a rule's "table" object says (config/rules, docs/quality.md). */
struct table_spec {
    pcre2_code *header; /* some header row of the table, above the cell, matches; or NULL */
    pcre2_code *row;    /* the row's caption and labels match; NULL: a row without labels */
    pcre2_code *column; /* a header cell names the column; NULL: column_index */
    int column_index;   /* the cell's place among the row's numbers: 0 the first, -1 the last */
    int numbers;        /* the row has exactly this many numbers (0: any) */
    bool run_rows;      /* only rows of run-together cells ("run_together" of the rule set) */
    bool sum;           /* the fact is the sum of the cells of every matching row */
    double scale;       /* the cell times this (a table in 万元: 10000) */
    double confidence;  /* the facts' confidence (rule facts by column skip the keyer) */
};

/**
 * Read the "table" object @p obj of a rule named @p what in errors.
 * @returns 0, or -1 with @p errstr.
 */
int tablegrid_spec_load(struct table_spec *s, json_t *obj, const char *what, char *errstr,
                        size_t errstr_size);
void tablegrid_spec_release(struct table_spec *s);

/** A cell that is one number and nothing else: 36, 1,200, 5949.09, and the signed changes of
    the 2019 template (+3, -183). */
bool tablegrid_is_number(const char *s, size_t len);

/** A label that starts with a numbering of its own: 一、 (一) 1. (1) */
bool tablegrid_is_numbered(const char *s, size_t len);

struct tablegrid_cell {
    size_t start, end; /* norm bytes, spaces trimmed (a derived cell: its run of digits) */
    bool number;       /* the cell is one number and nothing else */
    bool blank;        /* empty, or only dashes: it holds a place, not a value */
    bool derived;      /* split from digits run together: value holds it, no quantity does */
    double value;
};

struct tablegrid_row {
    size_t table;      /* tables are numbered in text order */
    size_t first_cell; /* its cells: cells[first_cell .. first_cell + cell_cnt) */
    size_t cell_cnt;
    size_t number_cnt;
    size_t value_cnt; /* numbers and blanks after its last label: the cells columns count */
    bool header;
    size_t path[TABLEGRID_MAX_DEPTH]; /* its labels' cells, inherited ones first */
    size_t depth;
    size_t caption_start, caption_end; /* its table's caption (norm bytes; empty: none) */
    bool run;                          /* split from digits run together */
};

struct tablegrid {
    struct tablegrid_cell *cells;
    size_t cell_cnt, cell_cap;
    struct tablegrid_row *rows;
    size_t row_cnt, row_cap;
};

/**
 * The tables of @p t into @p g (release with tablegrid_release()), with the tables of
 * run-together cells that @p runs (@p run_cnt, matched with @p md) place.
 * @returns 0 or -1 on ENOMEM.
 */
int tablegrid_build(struct tablegrid *g, const struct text *t, const struct table_run_spec *runs,
                    size_t run_cnt, pcre2_match_data *md);
void tablegrid_release(struct tablegrid *g);

/* One cell a spec reads: *@p cell of @p g. @returns 0 to go on, -1 to stop with an error. */
typedef int (*tablegrid_found_fn)(void *ctx, const struct tablegrid_cell *cell);

/**
 * Call @p found for each cell of @p g that @p spec names, in text order,
 * matching with @p md (any size). @returns 0, or what @p found returned.
 */
int tablegrid_match(const struct tablegrid *g, const struct table_spec *spec, const struct text *t,
                    pcre2_match_data *md, tablegrid_found_fn found, void *ctx);
#endif
