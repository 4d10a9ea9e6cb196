/* jobs.c - the latest status of each reprocess run, judged. */
#include "jobs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reportflow/log.h"
#include "reportflow/vec.h"

#define COMPONENT "lag"
/* A status record is a few hundred bytes; a bigger one is not ours. */
#define STATUS_MAX_BYTES 4096
#define READ_BUDGET_MS 2000

static struct lag_job *job_of(struct lag_jobs *js, const char *key, size_t key_len)
{
    for (size_t i = 0; i < js->cnt; i++) {
        if (strlen(js->items[i].st.key) == key_len &&
            memcmp(js->items[i].st.key, key, key_len) == 0) {
            return &js->items[i];
        }
    }
    return NULL;
}

int jobs_take(struct lag_jobs *js, const char *key, size_t key_len, const void *value, size_t len)
{
    struct lag_job *old = key ? job_of(js, key, key_len) : NULL;
    if (!value) {
        if (old) {
            *old = js->items[--js->cnt];
        }
        return 0;
    }
    struct lag_job job = {.queued = -1};
    char why[256];
    if (len > STATUS_MAX_BYTES ||
        rf_jobs_status_decode(value, len, &job.st, why, sizeof(why)) != 0) {
        js->unreadable++;
        return 0;
    }
    if (!old) {
        /* keyed by what the record says: a record whose key differs still lands once */
        old = job_of(js, job.st.key, strlen(job.st.key));
    }
    if (old) {
        *old = job;
        return 0;
    }
    struct lag_job *grown = rf_vec_reserve(js->items, &js->cap, js->cnt, 1, sizeof(*grown));
    if (!grown) {
        return -1;
    }
    js->items = grown;
    js->items[js->cnt++] = job;
    return 0;
}

static int newest_first(const void *a, const void *b)
{
    int64_t x = ((const struct lag_job *)a)->st.updated_ms;
    int64_t y = ((const struct lag_job *)b)->st.updated_ms;
    return (x < y) - (x > y);
}

void jobs_settle(struct lag_jobs *js, int64_t now_ms)
{
    size_t kept = 0;
    for (size_t i = 0; i < js->cnt; i++) {
        struct lag_job *j = &js->items[i];
        bool running = strcmp(j->st.state, "running") == 0;
        int64_t silent_ms = now_ms - j->st.updated_ms;
        if (!running && silent_ms > JOBS_SHOWN_AFTER_END_MS) {
            continue;
        }
        /* killed with -9 or its host lost: it cannot say so, its silence does */
        bool stale = running && silent_ms > 3 * RF_JOBS_STATUS_INTERVAL_MS + 5000;
        snprintf(j->state, sizeof(j->state), "%s", stale ? "stale" : j->st.state);
        js->items[kept++] = *j;
    }
    js->cnt = kept;
    if (js->cnt > 1) { /* qsort wants an array, even of nothing */
        qsort(js->items, js->cnt, sizeof(*js->items), newest_first);
    }
    js->cnt = js->cnt < JOBS_MAX ? js->cnt : JOBS_MAX;
}

struct reading {
    struct lag_jobs *js;
    bool out_of_memory;
};

static void on_status(void *ctx, const rd_kafka_message_t *m)
{
    struct reading *r = ctx;
    if (jobs_take(r->js, m->key, m->key_len, m->payload, m->len) != 0) {
        r->out_of_memory = true;
    }
}

int jobs_read(struct cluster *c, const struct rf_config *cfg, int64_t now_ms, struct lag_jobs *js,
              char *err, size_t err_size)
{
    char topic[256];
    rf_jobs_status_topic(cfg, topic, sizeof(topic));
    struct reading r = {js, false};
    int rc = cluster_read_tail(c, topic, JOBS_TAIL, READ_BUDGET_MS, on_status, &r, err, err_size);
    if (r.out_of_memory) {
        snprintf(err, err_size, "out of memory reading '%s'", topic);
        rc = -1;
    }
    if (js->unreadable > 0) {
        rf_debug(COMPONENT, "%lld record(s) of '%s' are not reprocess status", js->unreadable,
                 topic);
    }
    jobs_settle(js, now_ms);
    return rc;
}

void jobs_release(struct lag_jobs *js)
{
    free(js->items);
    memset(js, 0, sizeof(*js));
}
