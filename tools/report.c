/*
 * report_main.c - reportflow-report: the analyst's summary from PostgreSQL,
 * one line per report (agency, year, counts, core metrics), and the dead
 * letters. --count prints only the number of documents (for scripts).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "reportflow/cli.h"
#include "reportflow/log.h"

static const char summary_sql[] =
    "SELECT coalesce(file_name, left(doc_id, 12)), coalesce(agency, '?'),"
    " coalesce(year::text, '?'), sections, citations, metrics,"
    " coalesce(inspection_enterprises::text, '-'), coalesce(hazards_found::text, '-'),"
    " coalesce(cases_filed::text, '-'), coalesce(penalties_decisions::text, '-'),"
    " coalesce(penalties_fines_cny::text, '-')"
    " FROM report_summary ORDER BY agency, year, file_name";

static const char dead_letters_sql[] =
    "SELECT stage, coalesce(error_code, ''), coalesce(file_name, ''), coalesce(error_text, '')"
    " FROM dead_letters ORDER BY id";

static int fail(PGconn *conn, const char *what)
{
    const char *msg = PQerrorMessage(conn);
    fprintf(stderr, "report: %s: %.*s\n", what, (int)strcspn(msg, "\n"), msg);
    PQfinish(conn);
    return 1;
}

static void print_summary(PGresult *res)
{
    printf("%-28s %-20s %-5s %8s %9s %7s | %10s %8s %8s %9s %12s\n", "report", "agency", "year",
           "sections", "citations", "metrics", "inspected", "hazards", "filed", "penalties",
           "fines_cny");
    for (int i = 0; i < PQntuples(res); i++) {
        /* agency names are CJK: pad by bytes would misalign, so pad by characters */
        const char *agency = PQgetvalue(res, i, 1);
        int chars = 0;
        for (const char *p = agency; *p; p++) {
            chars += ((unsigned char)*p & 0xc0) != 0x80;
        }
        int pad = 20 - 2 * chars;
        printf("%-28s %s%*s %-5s %8s %9s %7s | %10s %8s %8s %9s %12s\n", PQgetvalue(res, i, 0),
               agency, pad > 0 ? pad : 0, "", PQgetvalue(res, i, 2), PQgetvalue(res, i, 3),
               PQgetvalue(res, i, 4), PQgetvalue(res, i, 5), PQgetvalue(res, i, 6),
               PQgetvalue(res, i, 7), PQgetvalue(res, i, 8), PQgetvalue(res, i, 9),
               PQgetvalue(res, i, 10));
    }
    printf("%d report(s)\n", PQntuples(res));
}

static const char usage[] = "usage: reportflow-report [-c FILE] [-X key=value]... [--count]\n";

enum { OPT_COUNT = 256 };

static int on_option(void *ctx, int opt, const char *arg)
{
    (void)arg;
    if (opt == OPT_COUNT) {
        *(bool *)ctx = true;
    }
    return 0;
}

int main(int argc, char **argv)
{
    bool count_only = false;
    static const struct option extra[] = {{"count", no_argument, NULL, OPT_COUNT},
                                          {NULL, 0, NULL, 0}};
    const struct rf_cli_program prog = {"report", usage, extra, on_option, &count_only, NULL};
    int rc, first_arg;
    struct rf_config *cfg = rf_cli_start(&prog, argc, argv, &rc, &first_arg);
    if (!cfg) {
        return rc;
    }
    PGconn *conn = PQconnectdb(cfg->pg_conninfo);
    rf_config_free(cfg);
    if (PQstatus(conn) != CONNECTION_OK) {
        return fail(conn, "cannot connect to PostgreSQL");
    }
    PGresult *res = PQexecParams(conn, count_only ? "SELECT count(*) FROM documents" : summary_sql,
                                 0, NULL, NULL, NULL, NULL, 0);
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        PQclear(res);
        return fail(conn, "cannot read the summary (has reportflow-sink created the schema?)");
    }
    if (count_only) {
        printf("%s\n", PQgetvalue(res, 0, 0));
    } else {
        print_summary(res);
    }
    PQclear(res);
    if (!count_only) {
        res = PQexecParams(conn, dead_letters_sql, 0, NULL, NULL, NULL, NULL, 0);
        if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) > 0) {
            printf("\n%d dead letter(s):\n", PQntuples(res));
            for (int i = 0; i < PQntuples(res); i++) {
                printf("  [%s] %s %s: %s\n", PQgetvalue(res, i, 0), PQgetvalue(res, i, 1),
                       PQgetvalue(res, i, 2), PQgetvalue(res, i, 3));
            }
        }
        PQclear(res);
    }
    PQfinish(conn);
    return 0;
}
