/*
 * runcells.h - tables whose cells lost their borders. A page copied as text
 * runs a row's numbers together after its label (申请数量801000081). Where a
 * rule set says such a table lies ("run_together") and how many numbers a row
 * holds, each group of which ends in the sum of the others, a run of digits is
 * split where the sums allow: a cell every split that adds up agrees on is
 * known (80 1 0 0 0 0 81; 22 0 0 0 0 0 22 and 2 20 0 0 0 0 22 agree on the
 * total alone), the others are not. tablegrid.c makes rows of what this finds.
 * The search is bounded per run and per document, so the work is linear.
 */
#ifndef RF_RUNCELLS_H
#define RF_RUNCELLS_H
#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>
#include "rulefile.h"
#include "text.h"

/* The longest run of digits split into cells, and the most ways tried before giving up. */
#define RUNCELLS_MAX_DIGITS 48
#define RUNCELLS_MAX_STEPS 200000
/* ... and in one document: past it, no more runs are split, whatever the text holds */
#define RUNCELLS_DOC_STEPS 4000000
/* The longest stretch of text read as one table of run-together cells, in bytes. */
#define RUNCELLS_MAX_BYTES (64u << 10)
#define RUNCELLS_MAX_CELLS 32

/* A rule set's "run_together" item: where such a table lies, and the shape of its rows. */
struct table_run_spec {
    pcre2_code *from; /* the table begins after its match */
    pcre2_code *to;   /* ... and ends before the next match after that */
    int cells;        /* numbers in a row */
    int group;        /* each this many numbers end in the sum of the others (0: no sums) */
};

/** The optional "run_together" array of rule file @p root (@p path in errors) into *@p out
    (free with runcells_specs_release()). @returns 0, or -1 with @p errstr. */
int runcells_specs_load(json_t *root, const char *path, struct table_run_spec **out, size_t *cnt,
                        char *errstr, size_t errstr_size);
void runcells_specs_release(struct table_run_spec *runs, size_t cnt);

/* A row found: its label and digits (norm bytes) and its cells. */
struct runcells_row {
    size_t label_start, label_end; /* trimmed; may be empty */
    size_t digits_start, digits_end;
    size_t table; /* one number per table found, counted down from SIZE_MAX */
    int cells;
    double value[RUNCELLS_MAX_CELLS];
    bool known[RUNCELLS_MAX_CELLS]; /* every split that adds up gives the cell this value */
};

struct runcells_rows {
    struct runcells_row *items;
    size_t cnt, cap;
};

/**
 * The rows of the tables @p runs (@p run_cnt) place in @p t, matched with @p md, appended to
 * @p out (free its items). Rows between bars are left to tablegrid.c. @returns 0 or -1 on
 * ENOMEM.
 */
int runcells_find(const struct text *t, const struct table_run_spec *runs, size_t run_cnt,
                  pcre2_match_data *md, struct runcells_rows *out);
#endif
