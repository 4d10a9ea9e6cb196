/*
 * main.c - reportflow-sink: envelopes and dead letters into PostgreSQL.
 * Exit status: 0 clean stop, 1 fatal error, 2 bad configuration.
 */
#include "reportflow/daemon.h"
#include "sink.h"

static const char usage[] = "usage: reportflow-sink [-c FILE] [-X key=value]...\n"
                            "PostgreSQL comes from pg.conninfo, or the standard PG* variables.\n";

static void *create(const struct rf_config *cfg, char *errstr, size_t errstr_size)
{
    return sink_new(cfg, errstr, errstr_size);
}

static int run(void *s, struct rf_http *http)
{
    return sink_run(s, http);
}

static void destroy(void *s)
{
    sink_free(s);
}

int main(int argc, char **argv)
{
    const struct rf_daemon d = {
        {"sink", RF_PROG_SINK, usage, NULL, NULL, NULL, NULL}, create, run, destroy};
    return rf_daemon_main(&d, argc, argv);
}
