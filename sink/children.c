/* children.c - the one table of a document's child tables. */
#include "children.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "reportflow/buf.h"

#define COLS(a) a, sizeof(a) / sizeof(a[0])

static const struct children_column section_cols[] = {
    {"path", "path", CHILDREN_TEXT, NULL},         {"level", "level", CHILDREN_INT, NULL},
    {"number", "number", CHILDREN_TEXT, NULL},     {"heading", "heading", CHILDREN_TEXT, NULL},
    {"category", "category", CHILDREN_TEXT, NULL}, {"start", "start_char", CHILDREN_INT, NULL},
    {"end", "end_char", CHILDREN_INT, NULL}};
static const struct children_column citation_cols[] = {
    {"title", "title", CHILDREN_TEXT, NULL}, {"normalized", "normalized", CHILDREN_TEXT, NULL},
    {"kind", "kind", CHILDREN_TEXT, NULL},   {"start", "start_char", CHILDREN_INT, NULL},
    {"end", "end_char", CHILDREN_INT, NULL}, {"section", "section_path", CHILDREN_TEXT, NULL}};
static const struct children_column quantity_cols[] = {
    {"value", "value", CHILDREN_NUM, NULL},      {"unit", "unit", CHILDREN_TEXT, NULL},
    {"approx", "approx", CHILDREN_TEXT, NULL},   {"text", "text", CHILDREN_TEXT, NULL},
    {"clause", "clause", CHILDREN_CLAUSE, NULL}, {"start", "start_char", CHILDREN_INT, NULL},
    {"end", "end_char", CHILDREN_INT, NULL},     {"section", "section_path", CHILDREN_TEXT, NULL},
    {"page", "page", CHILDREN_INT, NULL}};
/* a metric that names its quantity (schema_version 2) takes where it was read from it */
static const struct children_column metric_cols[] = {
    {"key", "key", CHILDREN_TEXT, NULL},
    {"value", "value", CHILDREN_NUM, NULL},
    {"approx", "approx", CHILDREN_TEXT, NULL},
    {"unit", "unit", CHILDREN_TEXT, "unit"},
    {"evidence", "evidence", CHILDREN_CLAUSE, "clause"},
    {"start", "start_char", CHILDREN_INT, "start"},
    {"end", "end_char", CHILDREN_INT, "end"},
    {"section", "section_path", CHILDREN_TEXT, "section"},
    {"category", "category", CHILDREN_TEXT, NULL},
    {"as_of", "as_of", CHILDREN_TEXT, NULL},
    {"yoy_pct", "yoy_pct", CHILDREN_NUM, NULL},
    {"rule", "rule_id", CHILDREN_TEXT, NULL},
    {"confidence", "confidence", CHILDREN_NUM, NULL},
    {"page", "page", CHILDREN_INT, "page"}};

/*
 * The *_cut flags of schema_version 1 said an excerpt was shortened; the stored text
 * shows it already (…), as does an excerpt's own "cut" in version 2.
 */
static const char *const section_unstored[] = {"heading_cut", NULL};
static const char *const citation_unstored[] = {NULL};
static const char *const quantity_unstored[] = {"clause_cut", NULL};
static const char *const metric_unstored[] = {"evidence_cut", NULL};

static const struct children_table tables[] = {
    {"sections", "extraction_sections", COLS(section_cols), section_unstored, NULL, NULL},
    {"citations", "extraction_citations", COLS(citation_cols), citation_unstored, NULL, NULL},
    {"quantities", "extraction_quantities", COLS(quantity_cols), quantity_unstored, NULL, NULL},
    {"metrics", "extraction_metrics", COLS(metric_cols), metric_unstored, "quantity", "quantities"},
};

#define TABLE_CNT (sizeof(tables) / sizeof(tables[0]))
_Static_assert(TABLE_CNT <= CHILDREN_MAX, "raise CHILDREN_MAX in children.h");
_Static_assert(sizeof(metric_cols) / sizeof(metric_cols[0]) <= CHILDREN_COLS_MAX &&
                   sizeof(quantity_cols) / sizeof(quantity_cols[0]) <= CHILDREN_COLS_MAX &&
                   sizeof(section_cols) / sizeof(section_cols[0]) <= CHILDREN_COLS_MAX &&
                   sizeof(citation_cols) / sizeof(citation_cols[0]) <= CHILDREN_COLS_MAX,
               "raise CHILDREN_COLS_MAX in children.h");

size_t children_count(void)
{
    return TABLE_CNT;
}

const struct children_table *children_at(size_t i)
{
    return i < TABLE_CNT ? &tables[i] : NULL;
}

/* "COPY <table> (doc_id, rules_hash, ord, ...) FROM STDIN". @returns NULL on ENOMEM. */
static char *copy_sql(const struct children_table *t)
{
    struct rf_buf out = RF_BUF_INIT;
    int rc = rf_buf_printf(&out, "COPY %s (doc_id, rules_hash, ord", t->table);
    for (size_t c = 0; c < t->ncols; c++) {
        rc |= rf_buf_printf(&out, ", %s", t->cols[c].column);
    }
    rc |= rf_buf_append_str(&out, ") FROM STDIN");
    if (rc != 0) {
        rf_buf_release(&out);
        return NULL;
    }
    return rf_buf_detach(&out);
}

/* One statement, so the deletes cost one round trip: the last table's DELETE is the main one. */
static char *delete_sql(void)
{
    struct rf_buf out = RF_BUF_INIT;
    int rc = 0;
    /* doc_id = ANY(ARRAY(...)) lets the primary key find the rows: the pair alone made
       PostgreSQL read the whole table for every batch (a hash join against its rows) */
    static const char which[] =
        "doc_id = ANY(ARRAY(SELECT e->>'doc_id' FROM jsonb_array_elements($1::jsonb) AS e))"
        " AND (doc_id, rules_hash) IN (SELECT e->>'doc_id', e->>'rules_hash'"
        " FROM jsonb_array_elements($1::jsonb) AS e)";
    for (size_t i = 0; i + 1 < TABLE_CNT; i++) {
        rc |= rf_buf_printf(&out, "%s d%zu AS (DELETE FROM %s WHERE %s) ", i == 0 ? "WITH" : ",", i,
                            tables[i].table, which);
    }
    rc |= rf_buf_printf(&out, "DELETE FROM %s WHERE %s", tables[TABLE_CNT - 1].table, which);
    if (rc != 0) {
        rf_buf_release(&out);
        return NULL;
    }
    return rf_buf_detach(&out);
}

int children_sql_build(struct children_sql *out)
{
    memset(out, 0, sizeof(*out));
    bool ok = (out->delete_all = delete_sql()) != NULL;
    for (size_t i = 0; i < TABLE_CNT && ok; i++) {
        ok = (out->copy[i] = copy_sql(&tables[i])) != NULL;
    }
    if (!ok) {
        children_sql_release(out);
        return -1;
    }
    return 0;
}

void children_sql_release(struct children_sql *sql)
{
    for (size_t i = 0; i < TABLE_CNT; i++) {
        free(sql->copy[i]);
        sql->copy[i] = NULL;
    }
    free(sql->delete_all);
    sql->delete_all = NULL;
}
