/* versions.c - resolve a version's name to its rules_hash. */
#include "versions.h"

#include <stdio.h>
#include <string.h>

#include "reportflow/buf.h"

/* clang-format off */
/* name@version of a row of extractions, and the forms a name may take */
#define LABEL_SQL "coalesce(rules_name, '?') || '@' || coalesce(rules_version, '?')"
static const char resolve_sql[] =
    "SELECT rules_hash, string_agg(DISTINCT " LABEL_SQL ", ', '), count(*)"
    " FROM extractions"
    " WHERE rules_version = $1::text OR " LABEL_SQL " = $1::text OR rules_hash = $1::text"
    "    OR (lower($1::text) ~ '^[0-9a-f]{4,}$'"
    "        AND left(rules_hash, length($1::text)) = lower($1::text))"
    " GROUP BY rules_hash ORDER BY 2, 1 LIMIT 20";

static const char known_sql[] =
    "SELECT rules_hash, string_agg(DISTINCT " LABEL_SQL ", ', '), count(*)"
    " FROM extractions GROUP BY rules_hash ORDER BY 2, 1 LIMIT 50";
/* clang-format on */

/* "name@version (rules_hash H, N documents)" for each row of @p res, after @p lead. */
static void list_rows(const PGresult *res, const char *lead, char *errstr, size_t errstr_size)
{
    struct rf_buf out = RF_BUF_INIT;
    int rc = rf_buf_append_str(&out, lead);
    for (int i = 0; i < PQntuples(res) && rc == 0; i++) {
        rc = rf_buf_printf(&out, "%s%s (rules_hash %s, %s documents)", i ? "; " : "",
                           PQgetvalue(res, i, 1), PQgetvalue(res, i, 0), PQgetvalue(res, i, 2));
    }
    snprintf(errstr, errstr_size, "%s", rc == 0 && out.data ? out.data : lead);
    rf_buf_release(&out);
}

static PGresult *query(PGconn *conn, const char *sql, const char *param, char *errstr,
                       size_t errstr_size)
{
    const char *params[1] = {param};
    PGresult *res =
        PQexecParams(conn, sql, param ? 1 : 0, NULL, param ? params : NULL, NULL, NULL, 0);
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        snprintf(errstr, errstr_size, "%s", PQerrorMessage(conn));
        errstr[strcspn(errstr, "\n")] = '\0';
        PQclear(res);
        return NULL;
    }
    return res;
}

enum versions_result versions_resolve(PGconn *conn, const char *name, char hash[VERSIONS_HASH_SIZE],
                                      char *label, size_t label_size, char *errstr,
                                      size_t errstr_size)
{
    PGresult *res = query(conn, resolve_sql, name, errstr, errstr_size);
    if (!res) {
        return VERSIONS_DB_ERROR;
    }
    enum versions_result r = VERSIONS_FOUND;
    if (PQntuples(res) == 1) {
        snprintf(hash, VERSIONS_HASH_SIZE, "%s", PQgetvalue(res, 0, 0));
        snprintf(label, label_size, "%s", PQgetvalue(res, 0, 1));
    } else if (PQntuples(res) > 1) {
        char lead[256];
        snprintf(lead, sizeof(lead),
                 "'%s' names %d rule sets with different hashes (a rule file edited without a "
                 "version bump?); name one by its hash: ",
                 name, PQntuples(res));
        list_rows(res, lead, errstr, errstr_size);
        r = VERSIONS_AMBIGUOUS;
    } else {
        PQclear(res);
        res = query(conn, known_sql, NULL, errstr, errstr_size);
        if (!res) {
            return VERSIONS_DB_ERROR;
        }
        char lead[256];
        snprintf(lead, sizeof(lead),
                 "no extraction has the version '%s'; stored (name a version, name@version or "
                 "a hash prefix): ",
                 name);
        list_rows(res, lead, errstr, errstr_size);
        r = VERSIONS_UNKNOWN;
    }
    PQclear(res);
    return r;
}
