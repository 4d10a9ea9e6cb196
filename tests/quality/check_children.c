/*
 * check_children.c - the facts declared once, checked against the places
 * that must agree with them (tests/quality/check-children.sh runs it against
 * a private PostgreSQL):
 *  - sink/children.c (the child tables) against the schema the migrations
 *    build (information_schema: each table's real columns and their types;
 *    every table with a rules_hash is a child table, and the trigger that
 *    deletes an extraction's rows deletes from each) and against
 *    schema/envelope.schema.json (each array and its items' properties; the
 *    array of excerpts, CHILDREN_CLAUSES, is no child table);
 *  - the rule set's "core_keys" against the view report_summary: its columns
 *    after "metrics", in order, and each column showing its own key's value.
 * usage: check_children CONNINFO ENVELOPE_SCHEMA RULE_SET
 * Exit status: 0 all agree, 1 a mismatch (each one printed), 2 cannot check.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <libpq-fe.h>

#include "children.h"
#include "migrate.h"
#include "catalogue.h"

#define DOC_ID "c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00"

/* What the checks found so far. */
struct check {
    int mismatches;
};

__attribute__((format(printf, 2, 3))) static void mismatch(struct check *ck, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    printf("MISMATCH: ");
    vprintf(fmt, ap);
    printf("\n");
    va_end(ap);
    ck->mismatches++;
}

/* Rows of @p sql with up to three text parameters; NULL (and a message) when it fails. */
static PGresult *query(PGconn *conn, const char *sql, const char *p1, const char *p2,
                       const char *p3)
{
    const char *params[3] = {p1, p2, p3};
    int n = p3 ? 3 : p2 ? 2 : p1 ? 1 : 0;
    PGresult *res = PQexecParams(conn, sql, n, NULL, params, NULL, NULL, 0);
    if (PQresultStatus(res) != PGRES_TUPLES_OK && PQresultStatus(res) != PGRES_COMMAND_OK) {
        fprintf(stderr, "check_children: %s: %s", sql, PQerrorMessage(conn));
        PQclear(res);
        return NULL;
    }
    return res;
}

static const char columns_sql[] =
    "SELECT column_name, data_type FROM information_schema.columns"
    " WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position";

/* Does PostgreSQL type @p type hold what the sink writes for @p kind? */
static bool type_fits(enum children_kind kind, const char *type)
{
    switch (kind) {
    case CHILDREN_TEXT:
    case CHILDREN_CLAUSE:
        return strcmp(type, "text") == 0;
    case CHILDREN_INT:
        return strcmp(type, "integer") == 0 || strcmp(type, "bigint") == 0;
    case CHILDREN_NUM:
        return strcmp(type, "numeric") == 0 || strcmp(type, "double precision") == 0;
    }
    return false;
}

static const struct children_column *column_named(const struct children_table *t, const char *c)
{
    for (size_t i = 0; i < t->ncols; i++) {
        if (strcmp(t->cols[i].column, c) == 0) {
            return &t->cols[i];
        }
    }
    return NULL;
}

/* The table's real columns are doc_id, rules_hash, ord and the descriptor's, of fitting types. */
static int check_table_columns(struct check *ck, PGconn *conn, const struct children_table *t)
{
    PGresult *res = query(conn, columns_sql, t->table, NULL, NULL);
    if (!res) {
        return -1;
    }
    if (PQntuples(res) == 0) {
        mismatch(ck, "child table %s: no such table after the migrations", t->table);
    }
    for (int i = 0; i < PQntuples(res); i++) {
        const char *name = PQgetvalue(res, i, 0), *type = PQgetvalue(res, i, 1);
        const struct children_column *c = column_named(t, name);
        if (strcmp(name, "doc_id") == 0 || strcmp(name, "rules_hash") == 0 ||
            strcmp(name, "ord") == 0) {
            continue;
        }
        if (!c) {
            mismatch(ck, "table %s: column %s is not in sink/children.c", t->table, name);
        } else if (!type_fits(c->kind, type)) {
            mismatch(ck, "table %s: column %s is %s, which does not hold what the sink writes",
                     t->table, name, type);
        }
    }
    for (size_t k = 0; k < t->ncols; k++) {
        bool found = false;
        for (int i = 0; i < PQntuples(res) && !found; i++) {
            found = strcmp(PQgetvalue(res, i, 0), t->cols[k].column) == 0;
        }
        if (!found && PQntuples(res) > 0) {
            mismatch(ck, "table %s: sink/children.c copies into %s, which the migrations lack",
                     t->table, t->cols[k].column);
        }
    }
    PQclear(res);
    return 0;
}

/* The child table of an envelope array or of a SQL table. */
static const struct children_table *child_named(const char *name)
{
    for (size_t i = 0; i < children_count(); i++) {
        if (strcmp(children_at(i)->name, name) == 0 || strcmp(children_at(i)->table, name) == 0) {
            return children_at(i);
        }
    }
    return NULL;
}

/*
 * Every table whose rows belong to an extraction (it has rules_hash) is a child table the sink
 * deletes and copies, and every child table is emptied of an extraction's rows when the
 * extraction is deleted: the trigger that stands for the foreign keys names it (sql/018).
 */
static int check_no_other_children(struct check *ck, PGconn *conn)
{
    PGresult *res =
        query(conn,
              "SELECT c.table_name FROM information_schema.columns c"
              " JOIN information_schema.tables t USING (table_schema, table_name)"
              " WHERE c.table_schema = current_schema() AND c.column_name = 'rules_hash'"
              " AND t.table_type = 'BASE TABLE'"
              " AND c.table_name NOT IN ('extractions', 'promotions')",
              NULL, NULL, NULL);
    PGresult *trigger = res ? query(conn,
                                    "SELECT prosrc FROM pg_proc"
                                    " WHERE proname = 'extractions_delete_children'",
                                    NULL, NULL, NULL)
                            : NULL;
    if (!trigger) {
        PQclear(res);
        return -1;
    }
    for (int i = 0; i < PQntuples(res); i++) {
        if (!child_named(PQgetvalue(res, i, 0))) {
            mismatch(ck, "table %s holds rows of extractions but is not in sink/children.c",
                     PQgetvalue(res, i, 0));
        }
    }
    const char *body = PQntuples(trigger) == 1 ? PQgetvalue(trigger, 0, 0) : "";
    for (size_t i = 0; i < children_count(); i++) {
        char statement[160];
        snprintf(statement, sizeof(statement), "DELETE FROM %s ", children_at(i)->table);
        if (!strstr(body, statement)) {
            mismatch(ck, "extractions_delete_children() does not delete from %s",
                     children_at(i)->table);
        }
    }
    PQclear(trigger);
    PQclear(res);
    return 0;
}

static bool is_field(const struct children_table *t, const char *field)
{
    if (t->via && strcmp(t->via, field) == 0) {
        return true;
    }
    for (size_t i = 0; i < t->ncols; i++) {
        if (strcmp(t->cols[i].field, field) == 0) {
            return true;
        }
    }
    for (const char *const *u = t->unstored; *u; u++) {
        if (strcmp(*u, field) == 0) {
            return true;
        }
    }
    return false;
}

/* The envelope's arrays are the child tables; their items' properties the fields. */
static void check_envelope_schema(struct check *ck, json_t *schema)
{
    json_t *props = json_object_get(schema, "properties");
    const char *name;
    json_t *prop;
    json_object_foreach(props, name, prop)
    {
        const char *type = json_string_value(json_object_get(prop, "type"));
        if (type && strcmp(type, "array") == 0 && !child_named(name) &&
            strcmp(name, CHILDREN_CLAUSES) != 0) {
            mismatch(ck, "envelope array %s is not in sink/children.c", name);
        }
    }
    for (size_t i = 0; i < children_count(); i++) {
        const struct children_table *t = children_at(i);
        json_t *items = json_object_get(json_object_get(props, t->name), "items");
        json_t *fields = json_object_get(items, "properties");
        if (!json_is_object(fields)) {
            mismatch(ck, "child table %s: the envelope schema has no array %s of objects", t->name,
                     t->name);
            continue;
        }
        json_object_foreach(fields, name, prop)
        {
            if (!is_field(t, name)) {
                mismatch(ck,
                         "envelope %s item property %s is neither a column nor unstored in "
                         "sink/children.c",
                         t->table, name);
            }
        }
        for (size_t k = 0; k < t->ncols; k++) {
            if (!json_object_get(fields, t->cols[k].field)) {
                mismatch(ck, "sink/children.c reads %s.%s, which the envelope schema lacks",
                         t->name, t->cols[k].field);
            }
        }
    }
}

/* hazards.found -> hazards_found, the view's column for that key. */
static void column_of_key(const char *key, char *out, size_t size)
{
    snprintf(out, size, "%s", key);
    for (char *p = out; *p; p++) {
        *p = *p == '.' ? '_' : *p;
    }
}

/* The view's columns after "metrics" are the core keys, in the rule set's order. */
static int check_core_columns(struct check *ck, PGconn *conn, const struct rules *rules)
{
    const char *view = rules->summary_view;
    PGresult *res = query(conn, columns_sql, view, NULL, NULL);
    if (!res) {
        return -1;
    }
    int first = -1;
    for (int i = 0; i < PQntuples(res) && first < 0; i++) {
        first = strcmp(PQgetvalue(res, i, 0), "metrics") == 0 ? i + 1 : -1;
    }
    if (first < 0) {
        mismatch(ck, "view %s has no column metrics", view);
        PQclear(res);
        return 0;
    }
    size_t shown = (size_t)(PQntuples(res) - first);
    for (size_t k = 0; k < rules->core_key_cnt || k < shown; k++) {
        char want[128] = "(none)";
        if (k < rules->core_key_cnt) {
            column_of_key(rules->core_keys[k], want, sizeof(want));
        }
        const char *got = k < shown ? PQgetvalue(res, first + (int)k, 0) : "(none)";
        if (strcmp(want, got) != 0) {
            mismatch(ck, "%s core column: the rule set %s wants %s, the view has %s", view,
                     rules->name, want, got);
        }
    }
    PQclear(res);
    return 0;
}

/*
 * Each core column shows its own key: one document stating key k as k + 1,
 * inside a transaction rolled back afterwards.
 */
static int check_core_values(struct check *ck, PGconn *conn, const struct rules *rules)
{
    PGresult *res = query(conn, "BEGIN", NULL, NULL, NULL);
    PQclear(res);
    /* the shown version of a document: its extraction, and its promotion (sql/012) */
    res = query(conn,
                "WITH x AS (INSERT INTO extractions (doc_id, rules_hash, extracted_at,"
                " report_family) VALUES ($1, 'check', now(), $2) RETURNING doc_id, rules_hash)"
                " INSERT INTO promotions (doc_id, rules_hash) SELECT * FROM x",
                DOC_ID, rules->name, NULL);
    int rc = res ? 0 : -1;
    PQclear(res);
    for (size_t k = 0; rc == 0 && k < rules->core_key_cnt; k++) {
        char ord[24];
        snprintf(ord, sizeof(ord), "%zu", k + 1);
        res = query(conn,
                    "INSERT INTO extraction_metrics (doc_id, rules_hash, ord, key, value)"
                    " VALUES ($3, 'check', $1::int, $2, $1::int)",
                    ord, rules->core_keys[k], DOC_ID);
        rc = res ? 0 : -1;
        PQclear(res);
    }
    char select[160]; /* the view's name is checked by rules_load(): letters and '_' */
    snprintf(select, sizeof(select), "SELECT * FROM %s WHERE doc_id = $1", rules->summary_view);
    res = rc == 0 ? query(conn, select, DOC_ID, NULL, NULL) : NULL;
    if (res && PQntuples(res) != 1) {
        mismatch(ck, "%s shows no row for a document of %s", rules->summary_view, rules->name);
    }
    for (size_t k = 0; res && PQntuples(res) == 1 && k < rules->core_key_cnt; k++) {
        char column[128], want[24];
        column_of_key(rules->core_keys[k], column, sizeof(column));
        snprintf(want, sizeof(want), "%zu", k + 1);
        int c = PQfnumber(res, column);
        if (c >= 0 && strcmp(PQgetvalue(res, 0, c), want) != 0) {
            mismatch(ck, "%s column %s does not show the value of key %s", rules->summary_view,
                     column, rules->core_keys[k]);
        }
    }
    rc = res ? 0 : -1;
    PQclear(res);
    PQclear(PQexec(conn, "ROLLBACK"));
    return rc;
}

static json_t *load_json(const char *path)
{
    json_error_t err;
    json_t *j = json_load_file(path, 0, &err);
    if (!j) {
        fprintf(stderr, "check_children: %s:%d: %s\n", path, err.line, err.text);
    }
    return j;
}

static int check_database(struct check *ck, PGconn *conn, const struct catalogue *rules)
{
    char errstr[1024];
    char state[6];
    if (migrate_apply(conn, MIGRATE_CHECK_TIMEOUT_MS, state, errstr, sizeof(errstr)) < 0) {
        fprintf(stderr, "check_children: migrations: %s\n", errstr);
        return -1;
    }
    for (size_t i = 0; i < children_count(); i++) {
        if (check_table_columns(ck, conn, children_at(i)) != 0) {
            return -1;
        }
    }
    if (check_no_other_children(ck, conn) != 0) {
        return -1;
    }
    /* each family's core keys against its own summary view */
    for (size_t i = 0; i < rules->cnt; i++) {
        if (check_core_columns(ck, conn, rules->sets[i]) != 0 ||
            check_core_values(ck, conn, rules->sets[i]) != 0) {
            return -1;
        }
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr,
                "usage: check_children CONNINFO ENVELOPE_SCHEMA RULES (a file or folder)\n");
        return 2;
    }
    struct check ck = {0};
    char errstr[1024];
    struct catalogue *rules = catalogue_load(argv[3], errstr, sizeof(errstr));
    if (!rules) {
        fprintf(stderr, "check_children: %s\n", errstr);
        return 2;
    }
    size_t keys = 0;
    for (size_t i = 0; i < rules->cnt; i++) {
        keys += rules->sets[i]->core_key_cnt;
        if (rules->sets[i]->core_key_cnt == 0) {
            mismatch(&ck, "rule set %s declares no core_keys", rules->sets[i]->name);
        }
    }
    json_t *schema = load_json(argv[2]);
    PGconn *conn = PQconnectdb(argv[1]);
    int rc = 2;
    if (PQstatus(conn) != CONNECTION_OK) {
        fprintf(stderr, "check_children: cannot connect: %s", PQerrorMessage(conn));
    } else if (schema && check_database(&ck, conn, rules) == 0) {
        check_envelope_schema(&ck, schema);
        printf("%zu child tables, %zu core keys of %zu rule sets checked: %d mismatch(es)\n",
               children_count(), keys, rules->cnt, ck.mismatches);
        rc = ck.mismatches ? 1 : 0;
    }
    PQfinish(conn);
    json_decref(schema);
    catalogue_free(rules);
    return rc;
}
