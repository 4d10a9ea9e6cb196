/*
 * diff.c - reportflow-report diff OLD NEW [--where SQL]: per metric key, the facts
 * that a second rule set adds, removes and changes on the documents both versions
 * extracted, and a few examples with their evidence, so a rule change is reviewed on
 * the whole history before it is promoted.
 *
 * A fact is (document, key, value); a document states the same fact more than once
 * when two sentences give it, so facts are multisets: the k-th copy of a value in OLD
 * pairs with the k-th copy in NEW (FULL JOIN on the copy number). The document's
 * agency, year, published and title are facts of the pseudo-keys document.*. All the
 * set arithmetic runs in PostgreSQL; this file only prints what it answers.
 */
#include "diff.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reportflow/buf.h"
#include "reportflow/utf8.h"
#include "versions.h"

#define EXAMPLE_DOCS 3    /* documents shown per key */
#define EXAMPLE_LINES 6   /* facts shown per key and document */
#define EXAMPLE_ROWS 3000 /* all example lines: the memory bound of the example query */
#define EVIDENCE_CHARS 80 /* an evidence sentence is cut to this many characters */
#define STR_(x) #x
#define STR(x) STR_(x) /* a limit above as text: a literal in SQL, or a parameter */

/* A version as the operator named it, resolved to one rules_hash. */
struct version {
    const char *role; /* "OLD" or "NEW" */
    const char *name; /* as given */
    char *hash;       /* owned */
    char *label;      /* owned: "rules_name@rules_version" */
};

/*
 * The operator's --where goes between select_head and the rest, on lines of its own (a
 * trailing "--" comment in it ends there). $1 and $2 are the OLD and NEW rules_hash.
 */
static const char select_head[] = "WITH sel AS (SELECT doc_id FROM documents WHERE (\n";

static const char counts_tail[] =
    "\n)),\n"
    "has AS (SELECT s.doc_id,"
    "   EXISTS (SELECT 1 FROM extractions x WHERE x.doc_id = s.doc_id"
    "           AND x.rules_hash = $1::text) AS o,"
    "   EXISTS (SELECT 1 FROM extractions x WHERE x.doc_id = s.doc_id"
    "           AND x.rules_hash = $2::text) AS n"
    " FROM sel s)"
    " SELECT count(*), count(*) FILTER (WHERE o AND n), count(*) FILTER (WHERE NOT o),"
    "        count(*) FILTER (WHERE NOT n)"
    " FROM has";

/* facts: every fact in one version only, with its side ('-' OLD, '+' NEW) and evidence */
static const char facts_tail[] =
    "\n)),\n"
    "pairs AS (SELECT s.doc_id, n.file_name FROM sel s"
    "  JOIN extractions o ON o.doc_id = s.doc_id AND o.rules_hash = $1::text"
    "  JOIN extractions n ON n.doc_id = s.doc_id AND n.rules_hash = $2::text),\n"
    "fields AS (SELECT p.doc_id, f.key, f.old, f.new FROM pairs p"
    "  JOIN extractions o ON o.doc_id = p.doc_id AND o.rules_hash = $1::text"
    "  JOIN extractions n ON n.doc_id = p.doc_id AND n.rules_hash = $2::text"
    "  CROSS JOIN LATERAL (VALUES ('document.agency', o.agency, n.agency),"
    "    ('document.year', o.year::text, n.year::text),"
    "    ('document.published', o.published::text, n.published::text),"
    "    ('document.title', o.title, n.title)) f(key, old, new)"
    "  WHERE f.old IS DISTINCT FROM f.new),\n"
    "om AS (SELECT m.doc_id, m.key, m.value, m.evidence,"
    "    row_number() OVER (PARTITION BY m.doc_id, m.key, m.value ORDER BY m.ord) AS k"
    "  FROM extraction_metrics m JOIN pairs p ON p.doc_id = m.doc_id"
    "  WHERE m.rules_hash = $1::text),\n"
    "nm AS (SELECT m.doc_id, m.key, m.value, m.evidence,"
    "    row_number() OVER (PARTITION BY m.doc_id, m.key, m.value ORDER BY m.ord) AS k"
    "  FROM extraction_metrics m JOIN pairs p ON p.doc_id = m.doc_id"
    "  WHERE m.rules_hash = $2::text),\n"
    "facts AS ("
    "  SELECT coalesce(om.doc_id, nm.doc_id) AS doc_id, coalesce(om.key, nm.key) AS key,"
    "    CASE WHEN om.doc_id IS NULL THEN '+' ELSE '-' END AS side,"
    "    coalesce(om.value, nm.value)::text AS value,"
    "    coalesce(om.evidence, nm.evidence) AS evidence"
    "  FROM om FULL JOIN nm ON nm.doc_id = om.doc_id AND nm.key = om.key"
    "    AND nm.value = om.value AND nm.k = om.k"
    "  WHERE om.doc_id IS NULL OR nm.doc_id IS NULL"
    "  UNION ALL SELECT doc_id, key, '-', old, NULL FROM fields WHERE old IS NOT NULL"
    "  UNION ALL SELECT doc_id, key, '+', new, NULL FROM fields WHERE new IS NOT NULL),\n"
    "per_doc AS (SELECT key, doc_id, count(*) FILTER (WHERE side = '+') AS added,"
    "    count(*) FILTER (WHERE side = '-') AS removed"
    "  FROM facts GROUP BY key, doc_id)\n";

/* one row per key, then the total (GROUPING(key) = 1) */
static const char summary_sql[] =
    "SELECT GROUPING(key), key, coalesce(sum(added), 0), coalesce(sum(removed), 0),"
    "  count(DISTINCT doc_id) FILTER (WHERE added > 0 AND removed > 0),"
    "  count(DISTINCT doc_id)"
    " FROM per_doc GROUP BY GROUPING SETS ((key), ()) ORDER BY 1, 2";

/* $3 documents per key, $4 lines per document, $5 lines in all */
static const char examples_sql[] =
    ", picked AS (SELECT key, doc_id FROM ("
    "    SELECT d.key, d.doc_id,"
    "      row_number() OVER (PARTITION BY d.key ORDER BY p.file_name, d.doc_id) AS i"
    "    FROM per_doc d JOIN pairs p ON p.doc_id = d.doc_id) r"
    "  WHERE i <= $3::int),\n"
    "lines AS (SELECT f.*, row_number() OVER (PARTITION BY f.key, f.doc_id"
    "    ORDER BY f.side = '-' DESC, f.value) AS j"
    "  FROM facts f JOIN picked USING (key, doc_id))\n"
    "SELECT l.key, l.doc_id, p.file_name, l.side, l.value, l.evidence"
    " FROM lines l JOIN pairs p ON p.doc_id = l.doc_id"
    " WHERE l.j <= $4::int"
    " ORDER BY l.key, p.file_name, l.doc_id, l.side = '-' DESC, l.value"
    " LIMIT $5::int";

/* Print PostgreSQL's error (its first line, escaped) after @p what. */
static int db_error(PGconn *conn, const char *what)
{
    char *msg = strdup(PQerrorMessage(conn));
    if (msg) {
        msg[strcspn(msg, "\n")] = '\0';
    }
    char *shown = msg ? rf_utf8_escape_terminal(msg, true) : NULL;
    fprintf(stderr, "report diff: %s: %s\n", what, shown ? shown : "?");
    free(shown);
    free(msg);
    return DIFF_DB_ERROR;
}

/* Run @p sql with @p n text parameters; NULL (message printed) unless it returned rows. */
static PGresult *query(PGconn *conn, const char *sql, int n, const char *const *params,
                       const char *what)
{
    PGresult *res = PQexecParams(conn, sql, n, NULL, params, NULL, NULL, 0);
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        PQclear(res);
        db_error(conn, what);
        return NULL;
    }
    return res;
}

static int command(PGconn *conn, const char *sql)
{
    PGresult *res = PQexec(conn, sql);
    bool ok = PQresultStatus(res) == PGRES_COMMAND_OK;
    PQclear(res);
    return ok ? 0 : db_error(conn, sql);
}

/* select_head, the operator's condition (all documents without one), @p tail, @p more. */
static char *with_where(const char *where, const char *tail, const char *more)
{
    struct rf_buf b = RF_BUF_INIT;
    if (rf_buf_append_str(&b, select_head) != 0 ||
        rf_buf_append_str(&b, where ? where : "true") != 0 || rf_buf_append_str(&b, tail) != 0 ||
        rf_buf_append_str(&b, more ? more : "") != 0) {
        rf_buf_release(&b);
        fprintf(stderr, "report diff: out of memory\n");
        return NULL;
    }
    return rf_buf_detach(&b);
}

/* Resolve @p v->name to one rules_hash (versions.h). @returns 0, or a diff_status. */
static int resolve(PGconn *conn, struct version *v)
{
    if (!v->name[0]) {
        fprintf(stderr, "report diff: the %s version is empty\n", v->role);
        return DIFF_USAGE;
    }
    char hash[VERSIONS_HASH_SIZE], label[256], errstr[4096];
    enum versions_result r =
        versions_resolve(conn, v->name, hash, label, sizeof(label), errstr, sizeof(errstr));
    if (r != VERSIONS_FOUND) {
        char *shown = rf_utf8_escape_terminal(errstr, true);
        fprintf(stderr, "report diff: %s: %s\n", v->role, shown ? shown : errstr);
        free(shown);
        return r == VERSIONS_DB_ERROR ? DIFF_DB_ERROR : DIFF_USAGE;
    }
    v->hash = strdup(hash);
    v->label = strdup(label);
    if (!v->hash || !v->label) {
        fprintf(stderr, "report diff: out of memory\n");
        return DIFF_USAGE;
    }
    return 0;
}

static void print_version(const struct version *v)
{
    struct rf_utf8_escapes ss = {{NULL}, 0};
    printf("%s  %s  %s\n", v->role, rf_utf8_escaped(&ss, v->label), rf_utf8_escaped(&ss, v->hash));
    rf_utf8_escapes_release(&ss);
}

/* How many selected documents have both versions, and how many lack one. */
static int print_counts(PGconn *conn, const char *where, const char *const *hashes, long *both)
{
    char *sql = with_where(where, counts_tail, NULL);
    if (!sql) {
        return DIFF_DB_ERROR;
    }
    PGresult *res = query(conn, sql, 2, hashes,
                          where ? "cannot select the documents (is --where a condition over the "
                                  "view documents?)"
                                : "cannot count the documents");
    free(sql);
    if (!res) {
        return DIFF_DB_ERROR;
    }
    *both = strtol(PQgetvalue(res, 0, 1), NULL, 10);
    printf("%s selected document(s): %s with both versions, %s without OLD, %s without NEW\n",
           PQgetvalue(res, 0, 0), PQgetvalue(res, 0, 1), PQgetvalue(res, 0, 2),
           PQgetvalue(res, 0, 3));
    PQclear(res);
    return 0;
}

/* The table: one row per key that differs, then the total. @returns true when any does. */
static bool print_summary(const PGresult *res)
{
    struct rf_utf8_escapes ss = {{NULL}, 0};
    bool differs = false;
    printf("\n%-32s %7s %7s %12s %6s\n", "key", "added", "removed", "changed_docs", "docs");
    for (int i = 0; i < PQntuples(res); i++) {
        bool total = strcmp(PQgetvalue(res, i, 0), "1") == 0;
        const char *key = total ? "total" : rf_utf8_escaped(&ss, PQgetvalue(res, i, 1));
        printf("%-32s %7s %7s %12s %6s\n", key, PQgetvalue(res, i, 2), PQgetvalue(res, i, 3),
               PQgetvalue(res, i, 4), PQgetvalue(res, i, 5));
        rf_utf8_escapes_release(&ss);
        differs |= total && strcmp(PQgetvalue(res, i, 5), "0") != 0;
    }
    return differs;
}

/* @p s cut to @p max characters (an invalid byte counts as one), "..." marking a cut. */
static char *cut_chars(const char *s, size_t max)
{
    size_t len = strlen(s), at = 0;
    for (size_t chars = 0; at < len && chars < max; chars++) {
        size_t n = rf_utf8_seq_len(s + at, len - at);
        at += n ? n : 1;
    }
    char *out = malloc(at + 4);
    if (out) {
        memcpy(out, s, at);
        strcpy(out + at, at < len ? "..." : "");
    }
    return out;
}

/* One example line: "- value  evidence" or "+ value  evidence". */
static void print_fact(const PGresult *res, int i)
{
    struct rf_utf8_escapes ss = {{NULL}, 0};
    char *evidence =
        PQgetisnull(res, i, 5) ? NULL : cut_chars(PQgetvalue(res, i, 5), EVIDENCE_CHARS);
    printf("    %s %s%s%s\n", PQgetvalue(res, i, 3), rf_utf8_escaped(&ss, PQgetvalue(res, i, 4)),
           evidence ? "  " : "", evidence ? rf_utf8_escaped(&ss, evidence) : "");
    free(evidence);
    rf_utf8_escapes_release(&ss);
}

/* Key, then file name (the document id when it has none), then its facts. */
static void print_examples(const PGresult *res)
{
    struct rf_utf8_escapes ss = {{NULL}, 0};
    printf("\nexamples (at most %d documents per key):\n", EXAMPLE_DOCS);
    for (int i = 0; i < PQntuples(res); i++) {
        bool new_key = i == 0 || strcmp(PQgetvalue(res, i, 0), PQgetvalue(res, i - 1, 0)) != 0;
        if (new_key) {
            printf("\n%s\n", rf_utf8_escaped(&ss, PQgetvalue(res, i, 0)));
        }
        if (new_key || strcmp(PQgetvalue(res, i, 1), PQgetvalue(res, i - 1, 1)) != 0) {
            const char *file =
                PQgetisnull(res, i, 2) ? PQgetvalue(res, i, 1) : PQgetvalue(res, i, 2);
            printf("  %s\n", rf_utf8_escaped(&ss, file));
        }
        rf_utf8_escapes_release(&ss);
        print_fact(res, i);
    }
}

/* The per-key table and, when anything differs, the examples. @returns a diff_status. */
static int compare(PGconn *conn, const char *where, const char *const *hashes)
{
    char *sql = with_where(where, facts_tail, summary_sql);
    if (!sql) {
        return DIFF_DB_ERROR;
    }
    PGresult *res = query(conn, sql, 2, hashes, "cannot compare the versions");
    free(sql);
    if (!res) {
        return DIFF_DB_ERROR;
    }
    bool differs = print_summary(res);
    PQclear(res);
    if (!differs) {
        printf("\nno fact differs\n");
        return DIFF_SAME;
    }
    sql = with_where(where, facts_tail, examples_sql);
    if (!sql) {
        return DIFF_DB_ERROR;
    }
    const char *params[] = {hashes[0], hashes[1], STR(EXAMPLE_DOCS), STR(EXAMPLE_LINES),
                            STR(EXAMPLE_ROWS)};
    res = query(conn, sql, 5, params, "cannot read the examples");
    free(sql);
    if (!res) {
        return DIFF_DB_ERROR;
    }
    print_examples(res);
    PQclear(res);
    return DIFF_DIFFERS;
}

/* Both versions resolved, then the counts and the comparison, in one snapshot. */
static int run(PGconn *conn, const struct diff_args *args, struct version *old, struct version *new)
{
    /* one snapshot for every query; read only, whatever the --where text does */
    if (command(conn, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY") != 0) {
        return DIFF_DB_ERROR;
    }
    int rc = resolve(conn, old);
    if (rc == 0) {
        rc = resolve(conn, new);
    }
    if (rc != 0) {
        return rc;
    }
    print_version(old);
    print_version(new);
    const char *hashes[] = {old->hash, new->hash};
    long both = 0;
    rc = print_counts(conn, args->where, hashes, &both);
    if (rc != 0) {
        return rc;
    }
    rc = both > 0 ? compare(conn, args->where, hashes) : DIFF_SAME;
    if (both == 0) {
        printf("no document has both versions: nothing to compare\n");
    }
    if (rc != DIFF_DB_ERROR && command(conn, "COMMIT") != 0) {
        return DIFF_DB_ERROR;
    }
    return rc;
}

int diff_run(PGconn *conn, const struct diff_args *args)
{
    struct version old = {"OLD", args->old_name, NULL, NULL};
    struct version new = {"NEW", args->new_name, NULL, NULL};
    int rc = run(conn, args, &old, &new);
    free(old.hash);
    free(old.label);
    free(new.hash);
    free(new.label);
    return rc;
}
