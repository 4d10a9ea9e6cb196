/*
 * report.c - reportflow-report: the analyst's summary from PostgreSQL, one
 * line per report (file, agency, year, counts) and under it the core metrics
 * it states, then the dead letters. --count prints only the number of
 * documents (for scripts). The core metrics are the view report_summary's
 * columns after "metrics", whatever they are: the rule set declares the core
 * keys ("core_keys") and the view's columns are checked against it
 * (tests/quality/check-children.sh), so this file names none.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "reportflow/cli.h"
#include "reportflow/log.h"
#include "reportflow/utf8.h"

static const char summary_sql[] = "SELECT * FROM report_summary ORDER BY agency, year, file_name";

static const char dead_letters_sql[] =
    "SELECT stage, coalesce(error_code, ''), coalesce(file_name, ''), coalesce(error_text, '')"
    " FROM dead_letters ORDER BY id";

static int fail(PGconn *conn, const char *what)
{
    char *msg = strdup(PQerrorMessage(conn));
    if (msg) {
        msg[strcspn(msg, "\n")] = '\0'; /* its first line */
    }
    char *shown = msg ? rf_utf8_escape_terminal(msg, true) : NULL;
    fprintf(stderr, "report: %s: %s\n", what, shown ? shown : "?");
    free(shown);
    free(msg);
    PQfinish(conn);
    return 1;
}

/*
 * Everything printed from the database is text someone else wrote (a file name, an
 * agency, an error text quoting either): each value goes through rf_utf8_escaped(), which shows
 * control characters and invalid bytes as \xNN (rf_utf8_escape_terminal()), so no
 * value can send an escape sequence to the terminal. At most RF_UTF8_ESCAPES_MAX values are held at
 * a time, freed by rf_utf8_escapes_release().
 */
/* Column @p col of row @p row, escaped, or @p none when the row has no value there. */
static const char *value_or(struct rf_utf8_escapes *ss, const PGresult *res, int row, int col,
                            const char *none)
{
    return col < 0 || PQgetisnull(res, row, col) ? none
                                                 : rf_utf8_escaped(ss, PQgetvalue(res, row, col));
}

/* Agency names are CJK, two columns wide each: pad by characters, not bytes. */
static void print_padded_wide(const char *s, int width)
{
    int chars = 0;
    for (const char *p = s; *p; p++) {
        chars += ((unsigned char)*p & 0xc0) != 0x80;
    }
    int pad = width - 2 * chars;
    printf("%s%*s", s, pad > 0 ? pad : 0, "");
}

/* The core metrics of row @p row that it states: the view's columns after "metrics". */
static void print_core_metrics(const PGresult *res, int row, int first_core)
{
    struct rf_utf8_escapes ss = {{NULL}, 0};
    int shown = 0;
    fputs("   ", stdout);
    for (int c = first_core; c < PQnfields(res); c++) {
        if (!PQgetisnull(res, row, c)) {
            printf(" %s %s", rf_utf8_escaped(&ss, PQfname(res, c)),
                   rf_utf8_escaped(&ss, PQgetvalue(res, row, c)));
            rf_utf8_escapes_release(&ss);
            shown++;
        }
    }
    puts(shown ? "" : " (no core metric)");
}

static int print_summary(const PGresult *res)
{
    int file = PQfnumber(res, "file_name"), doc = PQfnumber(res, "doc_id");
    int agency = PQfnumber(res, "agency"), year = PQfnumber(res, "year");
    int sections = PQfnumber(res, "sections"), citations = PQfnumber(res, "citations");
    int metrics = PQfnumber(res, "metrics");
    if (doc < 0 || metrics < 0) {
        fprintf(stderr, "report: the view report_summary has no doc_id or metrics column\n");
        return 1;
    }
    printf("%-28s %-20s %-5s %8s %9s %7s\n", "report", "agency", "year", "sections", "citations",
           "metrics");
    struct rf_utf8_escapes ss = {{NULL}, 0};
    for (int i = 0; i < PQntuples(res); i++) {
        char id[13];
        snprintf(id, sizeof(id), "%s", PQgetvalue(res, i, doc));
        printf("%-28s ", value_or(&ss, res, i, file, rf_utf8_escaped(&ss, id)));
        print_padded_wide(value_or(&ss, res, i, agency, "?"), 20);
        printf(" %-5s %8s %9s %7s\n", value_or(&ss, res, i, year, "?"),
               value_or(&ss, res, i, sections, "-"), value_or(&ss, res, i, citations, "-"),
               value_or(&ss, res, i, metrics, "-"));
        rf_utf8_escapes_release(&ss);
        print_core_metrics(res, i, metrics + 1);
    }
    printf("%d report(s)\n", PQntuples(res));
    return 0;
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
    const struct rf_cli_program prog = {"report",  RF_PROG_REPORT, usage, extra,
                                        on_option, &count_only,    NULL};
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
    int failed = 0;
    if (count_only) {
        printf("%s\n", PQgetvalue(res, 0, 0));
    } else {
        failed = print_summary(res);
    }
    PQclear(res);
    if (failed) {
        PQfinish(conn);
        return 1;
    }
    if (!count_only) {
        res = PQexecParams(conn, dead_letters_sql, 0, NULL, NULL, NULL, NULL, 0);
        if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) > 0) {
            printf("\n%d dead letter(s):\n", PQntuples(res));
            struct rf_utf8_escapes ss = {{NULL}, 0};
            for (int i = 0; i < PQntuples(res); i++) {
                printf("  [%s] %s %s: %s\n", rf_utf8_escaped(&ss, PQgetvalue(res, i, 0)),
                       rf_utf8_escaped(&ss, PQgetvalue(res, i, 1)),
                       rf_utf8_escaped(&ss, PQgetvalue(res, i, 2)),
                       rf_utf8_escaped(&ss, PQgetvalue(res, i, 3)));
                rf_utf8_escapes_release(&ss);
            }
        }
        PQclear(res);
    }
    PQfinish(conn);
    return 0;
}
