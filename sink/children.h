/*
 * children.h - the child tables of a document, declared once: each is an
 * envelope array and the SQL table its elements land in, with the columns
 * (after doc_id and ord) and the element field each comes from. The COPY
 * statements, the delete that precedes them, the envelope check and the
 * quality test (tests/quality/check-children.sh, against the migrations and
 * schema/envelope.schema.json) all read this table.
 * Adding a child table: one entry in children.c and a migration that creates it.
 */
#ifndef RF_CHILDREN_H
#define RF_CHILDREN_H

#include <stddef.h>

/*
 * How a field is written in COPY text format (and which SQL types may hold it).
 * CHILDREN_CLAUSE is text given by reference: in an envelope of schema_version 2
 * the index of an excerpt in its array CHILDREN_CLAUSES, whose "text" is written;
 * in one of schema_version 1 the text itself.
 */
enum children_kind { CHILDREN_TEXT, CHILDREN_INT, CHILDREN_NUM, CHILDREN_CLAUSE };

/* The envelope's array of excerpts that CHILDREN_CLAUSE fields index (schema_version 2). */
#define CHILDREN_CLAUSES "clauses"

struct children_column {
    const char *field;  /* member of the envelope array's element */
    const char *column; /* SQL column */
    enum children_kind kind;
    const char *via_field; /* when the element lacks field but has its table's via member:
                              this field of the element that names; NULL: no such fallback */
};

struct children_table {
    const char *name;  /* the envelope array, and the view analysts read (sql/012) */
    const char *table; /* the SQL table that keeps every version's rows */
    const struct children_column *cols; /* in COPY order, after doc_id, rules_hash and ord */
    size_t ncols;
    const char *const *unstored; /* element members deliberately not stored; NULL-terminated */
    const char *via;             /* member holding the index of an element of via_array whose fields
                                    fill in the columns this element lacks (a metric's "quantity"), or
                                    NULL; never stored itself */
    const char *via_array;       /* the envelope array via indexes ("quantities") */
};

/* Room for child tables in per-batch structures (struct rows), and for one table's columns;
   children.c checks both. */
enum { CHILDREN_MAX = 8, CHILDREN_COLS_MAX = 16 };

/** How many child tables there are (at most CHILDREN_MAX). */
size_t children_count(void);

/** Child table @p i (0 <= i < children_count()), in the order they are copied. */
const struct children_table *children_at(size_t i);

/*
 * The SQL text of the child tables, built once when the sink starts (it only
 * depends on the table above) and lent to every store.
 */
struct children_sql {
    char *copy[CHILDREN_MAX]; /* "COPY <table> (doc_id, rules_hash, ord, ...) FROM STDIN" */
    char *delete_all;         /* one statement deleting the child rows of the extractions whose
                                 heads (rows.h) are the elements of $1, a JSON array */
};

/** Build @p out (release with children_sql_release()). @returns 0, or -1 on ENOMEM. */
int children_sql_build(struct children_sql *out);
void children_sql_release(struct children_sql *sql);

#endif
