/*
 * extract.c - reportflow-extract FILE...: the worker's extraction without
 * Kafka; one envelope per line on stdout (--pretty for people).
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "extractor.h"
#include "reportflow/cli.h"
#include "ruleset_version.h"
#include "reportflow/clock.h"
#include "reportflow/fs.h"
#include "reportflow/log.h"

static const char usage[] =
    "usage: reportflow-extract [-c FILE] [-X key=value]... [--pretty | --text] FILE...\n"
    "Prints one envelope (JSON) per report; --text prints instead the text the rules read\n"
    "(converted, decoded, normalised), for writing rules. Exit status: 0 all extracted,\n"
    "1 some file was rejected or unreadable, 2 bad configuration or rules.\n";

enum { OPT_PRETTY = 256, OPT_TEXT };

/* How the envelopes are printed. */
struct extract_opts {
    bool pretty;
    bool text; /* the text the rules read, not the envelope */
};

static int on_option(void *ctx, int opt, const char *arg)
{
    (void)arg;
    struct extract_opts *o = ctx;
    o->pretty |= opt == OPT_PRETTY;
    o->text |= opt == OPT_TEXT;
    return 0;
}

/* The text the rules read from @p data, on stdout. */
static int print_text(struct extractor *ex, const char *path, const char *data, size_t len,
                      const struct extract_limits *limits)
{
    char errstr[512] = "";
    const char *reason = NULL;
    char *norm = NULL;
    if (extractor_read_text(ex, data, len, limits, &norm, &reason, errstr, sizeof(errstr)) !=
        EXTRACT_OK) {
        rf_error("extract", "'%s' rejected (%s): %s", path, reason ? reason : "unknown", errstr);
        return 1;
    }
    int rc = puts(norm) < 0 ? 1 : 0;
    free(norm);
    return rc;
}

static int extract_file(struct extractor *ex, const char *path, const struct rf_config *cfg,
                        const struct extract_opts *o)
{
    size_t max_bytes = (size_t)cfg->max_file_bytes;
    char errstr[512] = "";
    char *data = NULL;
    size_t len = 0;
    if (rf_fs_read_file(path, max_bytes, &data, &len, errstr, sizeof(errstr)) != RF_READ_OK) {
        rf_error("extract", "%s", errstr);
        return 1;
    }
    struct stat st;
    char mtime[40] = "";
    if (stat(path, &st) == 0) {
        rf_clock_format((int64_t)st.st_mtime * 1000, mtime, sizeof(mtime));
    }
    const char *base = strrchr(path, '/');
    struct source_info src = {
        base ? base + 1 : path, (long long)len, mtime, NULL, NULL, NULL, -1, -1, NULL};
    struct envelope env;
    const char *reason = NULL;
    /* the worker's limits, so this tool's verdict on a file is the worker's */
    const struct extract_limits limits = {cfg->worker_max_extract_ms,
                                          (size_t)cfg->worker_max_envelope_bytes, NULL,
                                          cfg->worker_max_convert_ms, !cfg->worker_ocr};
    if (o->text) {
        int rc = print_text(ex, path, data, len, &limits);
        free(data);
        return rc;
    }
    enum extract_status st_ex =
        extractor_run_limited(ex, data, len, &src, &limits, &env, &reason, errstr, sizeof(errstr));
    free(data);
    if (st_ex != EXTRACT_OK) {
        rf_error("extract", "'%s' rejected (%s): %s", path, reason ? reason : "unknown", errstr);
        return 1;
    }
    /* within worker.max_envelope_bytes to the byte: the budget counted all of it */
    if (!o->pretty) {
        int rc = puts(env.json) < 0 ? 1 : 0;
        extractor_envelope_release(&env);
        return rc;
    }
    json_error_t error;
    json_t *tree = json_loadb(env.json, env.len, 0, &error);
    extractor_envelope_release(&env);
    bool parsed = tree != NULL;
    char *text = parsed ? json_dumps(tree, JSON_INDENT(2)) : NULL;
    json_decref(tree);
    if (!text) {
        rf_error("extract", "'%s': cannot print the envelope indented: %s", path,
                 parsed ? "out of memory" : error.text);
        return 1;
    }
    int rc = puts(text) < 0 ? 1 : 0;
    free(text);
    return rc;
}

int main(int argc, char **argv)
{
    struct extract_opts opts = {false, false};
    static const struct option extra[] = {{"pretty", no_argument, NULL, OPT_PRETTY},
                                          {"text", no_argument, NULL, OPT_TEXT},
                                          {NULL, 0, NULL, 0}};
    const struct rf_cli_program prog = {"extract", RF_PROG_EXTRACT,      usage, extra, on_option,
                                        &opts,     ruleset_version_print};
    int rc, optind_files;
    struct rf_config *cfg = rf_cli_start(&prog, argc, argv, &rc, &optind_files);
    if (!cfg) {
        return rc;
    }
    if (optind_files >= argc) {
        fputs(usage, stderr);
        rf_config_free(cfg);
        return 2;
    }
    char errstr[1024];
    struct catalogue *rules = catalogue_load(cfg->rules_path, errstr, sizeof(errstr));
    if (!rules) {
        fprintf(stderr, "extract: %s\n", errstr);
        rf_config_free(cfg);
        return 2;
    }
    struct extractor ex;
    rc = 0;
    if (extractor_init(&ex, rules) != 0) {
        rc = 1;
    } else {
        for (int i = optind_files; i < argc; i++) {
            rc |= extract_file(&ex, argv[i], cfg, &opts);
        }
        extractor_release(&ex);
    }
    catalogue_free(rules);
    rf_config_free(cfg);
    return rc;
}
