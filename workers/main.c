/*
 * main.c - reportflow-worker: extraction workers. Start as many as you like, on any machine:
 * they share reports.raw's partitions as one group.
 * Exit status: 0 clean stop, 1 fatal Kafka error, 2 bad configuration or rules.
 */
#include <stdlib.h>

#include "reportflow/daemon.h"
#include "reportflow/jobs.h"
#include "reportflow/log.h"
#include "catalogue.h"
#include "ruleset_version.h"
#include "worker.h"

static const char usage[] =
    "usage: reportflow-worker [-c FILE] [-X key=value]...\n"
    "Extracts every record of topic.raw with the rule sets of worker.rules (a\n"
    "rule file, or a folder of them: one per report family); with\n"
    "worker.reprocess=true, the reprocess runs of those rule sets.\n";

/* The worker and the rule set it borrows, freed together. */
struct worker_app {
    struct catalogue *rules;
    struct worker *worker;
    /* with worker.reprocess: the configuration with its rule set's work topic and group */
    struct rf_config served;
    char topic[256], group[256];
};

static void destroy(void *p)
{
    struct worker_app *app = p;
    worker_free(app->worker);
    catalogue_free(app->rules);
    free(app);
}

static void *create(const struct rf_config *cfg, char *errstr, size_t errstr_size)
{
    struct worker_app *app = calloc(1, sizeof(*app));
    if (!app) {
        snprintf(errstr, errstr_size, "out of memory");
        return NULL;
    }
    if (!(app->rules = catalogue_load(cfg->rules_path, errstr, errstr_size))) {
        destroy(app);
        return NULL;
    }
    for (size_t i = 0; i < app->rules->cnt; i++) {
        const struct rules *r = app->rules->sets[i];
        rf_info("worker", "rules '%s' version %s: %zu metric rules%s", r->name, r->version, r->cnt,
                r->family.present ? "" : ", for any report family");
    }
    app->served = *cfg; /* shallow: the strings stay the caller's, but for these two */
    if (cfg->worker_reprocess) {
        rf_jobs_work_topic(cfg, app->rules->hash, app->topic, sizeof(app->topic));
        rf_jobs_group(app->rules->hash, app->group, sizeof(app->group));
        app->served.topic_raw = app->topic;
        app->served.worker_group = app->group;
        rf_info("worker", "serving reprocess runs of rules_hash %s", app->rules->hash);
    }
    if (!(app->worker = worker_new(&app->served, app->rules, errstr, errstr_size))) {
        destroy(app);
        return NULL;
    }
    return app;
}

static int run(void *p, struct rf_http *http)
{
    return worker_run(((struct worker_app *)p)->worker, http);
}

int main(int argc, char **argv)
{
    const struct rf_daemon d = {
        {"worker", RF_PROG_WORKER, usage, NULL, NULL, NULL, ruleset_version_print},
        create,
        run,
        destroy};
    return rf_daemon_main(&d, argc, argv);
}
