/*
 * report.c - reportflow-report: the analyst's summary from PostgreSQL, one
 * line per report (file, agency, year, counts) and under it the core metrics
 * it states, then the dead letters. --count prints only the number of
 * documents (for scripts). The core metrics are the view report_summary's
 * columns after "metrics", whatever they are: the rule set declares the core
 * keys ("core_keys") and the view's columns are checked against it
 * (tests/quality/check-children.sh), so this file names none.
 * "diff OLD NEW" compares two rule versions' extractions (diff.c).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "reportflow/cli.h"
#include "reportflow/log.h"
#include "reportflow/utf8.h"

#include "diff.h"

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

static const char usage[] =
    "usage: reportflow-report [-c FILE] [-X key=value]... [--count]\n"
    "       reportflow-report [-c FILE] [-X key=value]... diff OLD NEW [--where SQL]\n"
    "  (no command)   the summary: one line per report with its core metrics, then the dead\n"
    "                 letters\n"
    "  --count        print only the number of documents\n"
    "  diff OLD NEW   per metric key (and document.agency, .year, .published, .title), the\n"
    "                 facts NEW adds, removes and changes against OLD on the documents that\n"
    "                 have both, with a few examples and their evidence. OLD and NEW: a\n"
    "                 rules_version (2.1.0), rules_name@rules_version, or a prefix of a\n"
    "                 rules_hash (4 hex digits or more)\n"
    "  --where SQL    diff only the documents of the view documents matching SQL, e.g.\n"
    "                 \"year = 2023 AND agency LIKE '%应急%'\"\n"
    "Exit status of diff: 0 nothing differs, 1 something differs, 2 usage or configuration\n"
    "error (a version unknown, or a name with two hashes), 3 database error.\n";

struct report_opts {
    bool count_only;   /* --count */
    const char *where; /* --where SQL, for diff */
};

enum { OPT_COUNT = 256, OPT_WHERE };

static int on_option(void *ctx, int opt, const char *arg)
{
    struct report_opts *o = ctx;
    if (opt == OPT_COUNT) {
        o->count_only = true;
    } else if (opt == OPT_WHERE) {
        o->where = arg;
    }
    return 0;
}

/* diff OLD NEW: the arguments checked (2 when wrong), then the comparison. */
static int run_diff(const char *conninfo, const struct report_opts *o, int argc, char **argv)
{
    if (argc != 3 || o->count_only) {
        fprintf(stderr, "report: diff takes two versions, OLD and NEW, and no --count\n%s", usage);
        return DIFF_USAGE;
    }
    PGconn *conn = PQconnectdb(conninfo);
    if (PQstatus(conn) != CONNECTION_OK) {
        fail(conn, "cannot connect to PostgreSQL");
        return DIFF_DB_ERROR;
    }
    const struct diff_args args = {argv[1], argv[2], o->where};
    int rc = diff_run(conn, &args);
    PQfinish(conn);
    return rc;
}

int main(int argc, char **argv)
{
    struct report_opts opts = {false, NULL};
    static const struct option extra[] = {{"count", no_argument, NULL, OPT_COUNT},
                                          {"where", required_argument, NULL, OPT_WHERE},
                                          {NULL, 0, NULL, 0}};
    const struct rf_cli_program prog = {"report",  RF_PROG_REPORT, usage, extra,
                                        on_option, &opts,          NULL};
    int rc, first_arg;
    struct rf_config *cfg = rf_cli_start(&prog, argc, argv, &rc, &first_arg);
    if (!cfg) {
        return rc;
    }
    if (first_arg < argc && strcmp(argv[first_arg], "diff") == 0) {
        rc = run_diff(cfg->pg_conninfo, &opts, argc - first_arg, argv + first_arg);
        rf_config_free(cfg);
        return rc;
    }
    if (first_arg < argc || opts.where) {
        fprintf(stderr, "report: %s\n%s",
                first_arg < argc ? "unknown command (diff is the only one)"
                                 : "--where goes with diff",
                usage);
        rf_config_free(cfg);
        return 2;
    }
    bool count_only = opts.count_only;
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
