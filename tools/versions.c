/* versions.c - resolve a version's name to its rules_hash. */
#include "versions.h"

#include <stdio.h>
#include <string.h>

#include "reportflow/buf.h"

/* clang-format off */
static const char resolve_sql[] =
    "SELECT rules_hash, coalesce(rules_name, '?'), coalesce(rules_version, '?'), count(*)"
    " FROM extractions"
    " WHERE rules_version = $1 OR rules_name || '@' || rules_version = $1"
    " OR (length($1) >= 4 AND left(rules_hash, length($1)) = $1)"
    " GROUP BY 1, 2, 3 ORDER BY 1 LIMIT 20";

static const char known_sql[] =
    "SELECT rules_hash, coalesce(rules_name, '?'), coalesce(rules_version, '?'), count(*)"
    " FROM extractions GROUP BY 1, 2, 3 ORDER BY 3, 1 LIMIT 20";
/* clang-format on */

/* "name version (hash, N documents)" for each row of @p res, after @p lead. */
static void list_rows(const PGresult *res, const char *lead, char *errstr, size_t errstr_size)
{
    struct rf_buf out = RF_BUF_INIT;
    int rc = rf_buf_append_str(&out, lead);
    for (int i = 0; i < PQntuples(res) && rc == 0; i++) {
        rc = rf_buf_printf(&out, "%s%s %s (rules_hash %s, %s documents)", i ? "; " : "",
                           PQgetvalue(res, i, 1), PQgetvalue(res, i, 2), PQgetvalue(res, i, 0),
                           PQgetvalue(res, i, 3));
    }
    snprintf(errstr, errstr_size, "%s", rc == 0 && out.data ? out.data : lead);
    rf_buf_release(&out);
}

static PGresult *query(PGconn *conn, const char *sql, const char *param, char *errstr,
                       size_t errstr_size)
{
    const char *params[1] = {param};
    PGresult *res = PQexecParams(conn, sql, param ? 1 : 0, NULL, param ? params : NULL, NULL,
                                 NULL, 0);
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        snprintf(errstr, errstr_size, "%s", PQerrorMessage(conn));
        errstr[strcspn(errstr, "\n")] = '\0';
        PQclear(res);
        return NULL;
    }
    return res;
}

enum versions_result versions_resolve(PGconn *conn, const char *name,
                                      char hash[VERSIONS_HASH_SIZE], char *errstr,
                                      size_t errstr_size)
{
    PGresult *res = query(conn, resolve_sql, name, errstr, errstr_size);
    if (!res) {
        return VERSIONS_DB_ERROR;
    }
    enum versions_result r = VERSIONS_FOUND;
    if (PQntuples(res) == 1) {
        snprintf(hash, VERSIONS_HASH_SIZE, "%s", PQgetvalue(res, 0, 0));
    } else if (PQntuples(res) > 1) {
        char lead[256];
        snprintf(lead, sizeof(lead),
                 "version '%s' names more than one rule set (a rule file edited without a new "
                 "version?); name one by its rules_hash: ",
                 name);
        list_rows(res, lead, errstr, errstr_size);
        r = VERSIONS_AMBIGUOUS;
    } else {
        PQclear(res);
        res = query(conn, known_sql, NULL, errstr, errstr_size);
        if (!res) {
            return VERSIONS_DB_ERROR;
        }
        char lead[256];
        snprintf(lead, sizeof(lead), "no extractions of version '%s'; stored versions: ", name);
        list_rows(res, lead, errstr, errstr_size);
        r = VERSIONS_UNKNOWN;
    }
    PQclear(res);
    return r;
}
