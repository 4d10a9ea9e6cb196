/* jobs.c - names of a reprocess run's topics and group, and its status record as JSON. */
#include "reportflow/jobs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "reportflow/utf8.h"

void rf_jobs_work_topic(const struct rf_config *cfg, const char *hash, char *out, size_t size)
{
    snprintf(out, size, "%s.reprocess.%s", cfg->topic_raw, hash);
}

void rf_jobs_group(const char *hash, char *out, size_t size)
{
    snprintf(out, size, RF_JOBS_GROUP_PREFIX "%s", hash);
}

void rf_jobs_status_topic(const struct rf_config *cfg, char *out, size_t size)
{
    /* a rules_hash is hex, so no work topic can take this name */
    snprintf(out, size, "%s.reprocess.status", cfg->topic_raw);
}

bool rf_jobs_is_group(const char *group)
{
    return strncmp(group, RF_JOBS_GROUP_PREFIX, strlen(RF_JOBS_GROUP_PREFIX)) == 0;
}

char *rf_jobs_status_encode(const struct rf_job_status *s)
{
    json_t *doc = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I, "
                            "s:f, s:I, s:b, s:I, s:I}",
                            "key", s->key, "rules_hash", s->hash, "rules", s->rules, "kind",
                            s->kind, "state", s->state, "host", s->host, "pid", (json_int_t)s->pid,
                            "total", (json_int_t)s->total, "before", (json_int_t)s->before, "done",
                            (json_int_t)s->done, "failed", (json_int_t)s->failed, "in_flight",
                            (json_int_t)s->in_flight, "todo", (json_int_t)s->todo, "rate", s->rate,
                            "eta_s", (json_int_t)s->eta_s, "yielding", s->yielding, "started_ms",
                            (json_int_t)s->started_ms, "updated_ms", (json_int_t)s->updated_ms);
    char *text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
    json_decref(doc);
    return text;
}

int rf_jobs_status_decode(const void *data, size_t len, struct rf_job_status *out, char *errstr,
                          size_t errstr_size)
{
    memset(out, 0, sizeof(*out));
    json_error_t jerr;
    json_t *doc = json_loadb(data, len, 0, &jerr);
    if (!doc) {
        snprintf(errstr, errstr_size, "not JSON: %s", jerr.text);
        return -1;
    }
    const char *key, *hash, *rules, *kind, *state, *host;
    json_int_t pid, total, before, done, failed, in_flight, todo, eta_s, started, updated;
    double rate;
    int yielding;
    int rc = json_unpack_ex(
        doc, &jerr, 0,
        "{s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:F, "
        "s:I, s:b, s:I, s:I}",
        "key", &key, "rules_hash", &hash, "rules", &rules, "kind", &kind, "state", &state, "host",
        &host, "pid", &pid, "total", &total, "before", &before, "done", &done, "failed", &failed,
        "in_flight", &in_flight, "todo", &todo, "rate", &rate, "eta_s", &eta_s, "yielding",
        &yielding, "started_ms", &started, "updated_ms", &updated);
    if (rc != 0) {
        snprintf(errstr, errstr_size, "not a reprocess status: %s", jerr.text);
    } else {
        /* numbers first: the literal clears the strings */
        *out = (struct rf_job_status){.pid = pid,
                                      .total = total,
                                      .before = before,
                                      .done = done,
                                      .failed = failed,
                                      .in_flight = in_flight,
                                      .todo = todo,
                                      .rate = rate,
                                      .eta_s = eta_s,
                                      .yielding = yielding != 0,
                                      .started_ms = started,
                                      .updated_ms = updated};
        rf_utf8_copy_str(out->key, sizeof(out->key), key);
        rf_utf8_copy_str(out->hash, sizeof(out->hash), hash);
        rf_utf8_copy_str(out->rules, sizeof(out->rules), rules);
        rf_utf8_copy_str(out->kind, sizeof(out->kind), kind);
        rf_utf8_copy_str(out->state, sizeof(out->state), state);
        rf_utf8_copy_str(out->host, sizeof(out->host), host);
    }
    json_decref(doc);
    return rc == 0 ? 0 : -1;
}
