/* lag.c - consumer lag of reportflow's groups and their status. */
#include "lag.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <librdkafka/rdkafka.h>

#include "reportflow/fsutil.h"
#include "reportflow/kafka.h"
#include "reportflow/log.h"

#define COMPONENT "lag"
#define TIMEOUT_MS 5000

struct monitored {
    char name[128];
    char topics[256];         /* comma-separated */
    rd_kafka_t *rk;           /* a consumer with this group.id that never subscribes */
    bool seen;                /* a sample was taken before */
    int64_t last_committed;   /* total committed offsets at the last sample */
    int64_t last_move_ms;     /* when the committed offsets last moved */
    int64_t window_lag[64];   /* total lag of recent samples (ring), for growth */
    int64_t window_at[64];
    size_t window_next, window_cnt;
};

struct lag_monitor {
    const struct rf_config *cfg;
    rd_kafka_t *reader;       /* watermarks and record timestamps; no group membership */
    struct monitored *groups;
    size_t cnt;
};

const char *lag_status_name(enum lag_status s)
{
    static const char *const names[] = {"OK", "WARN", "STALL", "STOP", "ERR"};
    return names[s];
}

static rd_kafka_t *consumer_for(const struct rf_config *cfg, const char *group, char *errstr,
                                size_t errstr_size)
{
    const char *const defaults[] = {"group.id", group, "enable.auto.commit", "false",
                                    "enable.auto.offset.store", "false", "auto.offset.reset",
                                    "earliest", "enable.partition.eof", "false", NULL};
    rd_kafka_conf_t *conf = rf_kafka_conf_new(cfg, defaults, errstr, errstr_size);
    return conf ? rf_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, errstr_size) : NULL;
}

/* "group" uses our own topic mapping; "group=topic1+topic2" names its topics. */
static int add_group(struct lag_monitor *m, const char *spec, size_t len, char *errstr,
                     size_t errstr_size)
{
    struct monitored g;
    memset(&g, 0, sizeof(g));
    const char *eq = memchr(spec, '=', len);
    snprintf(g.name, sizeof(g.name), "%.*s", (int)(eq ? (size_t)(eq - spec) : len), spec);
    if (eq) {
        snprintf(g.topics, sizeof(g.topics), "%.*s", (int)(len - (size_t)(eq - spec) - 1), eq + 1);
        for (char *p = g.topics; *p; p++) {
            *p = *p == '+' ? ',' : *p;
        }
    } else if (strcmp(g.name, m->cfg->worker_group) == 0) {
        snprintf(g.topics, sizeof(g.topics), "%s", m->cfg->topic_raw);
    } else if (strcmp(g.name, m->cfg->sink_group) == 0) {
        snprintf(g.topics, sizeof(g.topics), "%s,%s", m->cfg->topic_events, m->cfg->topic_dlq);
    } else {
        snprintf(errstr, errstr_size,
                 "lag.groups: no topics known for group '%s'; write it as %s=topic1+topic2",
                 g.name, g.name);
        return -1;
    }
    g.rk = consumer_for(m->cfg, g.name, errstr, errstr_size);
    if (!g.rk) {
        return -1;
    }
    struct monitored *grown = realloc(m->groups, (m->cnt + 1) * sizeof(*grown));
    if (!grown) {
        rd_kafka_destroy(g.rk);
        snprintf(errstr, errstr_size, "out of memory");
        return -1;
    }
    m->groups = grown;
    m->groups[m->cnt++] = g;
    return 0;
}

struct lag_monitor *lag_monitor_new(const struct rf_config *cfg, char *errstr, size_t errstr_size)
{
    struct lag_monitor *m = calloc(1, sizeof(*m));
    if (!m) {
        snprintf(errstr, errstr_size, "out of memory");
        return NULL;
    }
    m->cfg = cfg;
    m->reader = consumer_for(cfg, "reportflow-lag-reader", errstr, errstr_size);
    if (!m->reader) {
        lag_monitor_free(m);
        return NULL;
    }
    const char *p = cfg->lag_groups;
    while (*p) {
        size_t n = strcspn(p, ",");
        if (n > 0 && add_group(m, p, n, errstr, errstr_size) != 0) {
            lag_monitor_free(m);
            return NULL;
        }
        p += n + (p[n] == ',');
    }
    return m;
}

void lag_monitor_free(struct lag_monitor *m)
{
    if (!m) {
        return;
    }
    for (size_t i = 0; i < m->cnt; i++) {
        rd_kafka_destroy(m->groups[i].rk);
    }
    free(m->groups);
    if (m->reader) {
        rd_kafka_destroy(m->reader);
    }
    free(m);
}

/* Every partition of the group's topics, from metadata. */
static int list_partitions(struct lag_monitor *m, const struct monitored *g,
                           rd_kafka_topic_partition_list_t *out, char *err, size_t err_size)
{
    char topics[256];
    snprintf(topics, sizeof(topics), "%s", g->topics);
    for (char *save = NULL, *t = strtok_r(topics, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        rd_kafka_topic_t *rkt = rd_kafka_topic_new(m->reader, t, NULL);
        const struct rd_kafka_metadata *md = NULL;
        rd_kafka_resp_err_t e = rkt ? rd_kafka_metadata(m->reader, 0, rkt, &md, TIMEOUT_MS)
                                    : rd_kafka_last_error();
        if (rkt) {
            rd_kafka_topic_destroy(rkt);
        }
        if (e || md->topic_cnt != 1 || md->topics[0].err) {
            snprintf(err, err_size, "no metadata for topic '%s': %s", t,
                     rd_kafka_err2str(e ? e : md->topics[0].err));
            if (md) {
                rd_kafka_metadata_destroy(md);
            }
            return -1;
        }
        for (int p = 0; p < md->topics[0].partition_cnt; p++) {
            rd_kafka_topic_partition_list_add(out, t, md->topics[0].partitions[p].id);
        }
        rd_kafka_metadata_destroy(md);
    }
    return 0;
}

/* Age of the first unconsumed record of each lagging partition. */
static void measure_time_lag(struct lag_monitor *m, struct lag_group *g, int64_t now_ms)
{
    rd_kafka_topic_partition_list_t *at = rd_kafka_topic_partition_list_new((int)g->cnt);
    size_t wanted = 0;
    for (size_t i = 0; i < g->cnt; i++) {
        struct lag_partition *p = &g->parts[i];
        if (p->lag > 0) {
            rd_kafka_topic_partition_list_add(at, p->topic, p->partition)->offset =
                p->committed >= 0 ? p->committed : RD_KAFKA_OFFSET_BEGINNING;
            wanted++;
        }
    }
    if (wanted > 0 && rd_kafka_assign(m->reader, at) == RD_KAFKA_RESP_ERR_NO_ERROR) {
        int64_t deadline = rf_clock_mono_ms() + 2000;
        size_t got = 0;
        while (got < wanted && rf_clock_mono_ms() < deadline) {
            rd_kafka_message_t *msg = rd_kafka_consumer_poll(m->reader, 100);
            if (!msg) {
                continue;
            }
            for (size_t i = 0; !msg->err && i < g->cnt; i++) {
                struct lag_partition *p = &g->parts[i];
                if (p->lag > 0 && p->time_lag_s == 0 && p->partition == msg->partition &&
                    strcmp(p->topic, rd_kafka_topic_name(msg->rkt)) == 0) {
                    int64_t ts = rd_kafka_message_timestamp(msg, NULL);
                    p->time_lag_s = ts > 0 && now_ms > ts ? (now_ms - ts) / 1000.0 : 0.001;
                    got++;
                }
            }
            rd_kafka_message_destroy(msg);
        }
        rd_kafka_assign(m->reader, NULL);
    }
    rd_kafka_topic_partition_list_destroy(at);
    for (size_t i = 0; i < g->cnt; i++) {
        if (g->parts[i].time_lag_s > g->max_time_lag_s) {
            g->max_time_lag_s = g->parts[i].time_lag_s;
        }
    }
}

static int read_offsets(struct lag_monitor *m, struct monitored *mg, struct lag_group *g)
{
    rd_kafka_topic_partition_list_t *parts = rd_kafka_topic_partition_list_new(16);
    int rc = list_partitions(m, mg, parts, g->error, sizeof(g->error));
    if (rc == 0) {
        rd_kafka_resp_err_t e = rd_kafka_committed(mg->rk, parts, TIMEOUT_MS);
        if (e) {
            snprintf(g->error, sizeof(g->error), "cannot read committed offsets: %s",
                     rd_kafka_err2str(e));
            rc = -1;
        }
    }
    g->parts = rc == 0 ? calloc((size_t)parts->cnt + 1, sizeof(*g->parts)) : NULL;
    for (int i = 0; rc == 0 && g->parts && i < parts->cnt; i++) {
        struct lag_partition *p = &g->parts[g->cnt++];
        int64_t low = 0, high = 0;
        snprintf(p->topic, sizeof(p->topic), "%s", parts->elems[i].topic);
        p->partition = parts->elems[i].partition;
        p->committed = parts->elems[i].offset >= 0 ? parts->elems[i].offset : -1;
        rd_kafka_resp_err_t e = rd_kafka_query_watermark_offsets(
            m->reader, p->topic, p->partition, &low, &high, TIMEOUT_MS);
        if (e) {
            snprintf(g->error, sizeof(g->error), "cannot read the log end of %s/%d: %s", p->topic,
                     p->partition, rd_kafka_err2str(e));
            rc = -1;
            break;
        }
        p->log_end = high;
        int64_t from = p->committed >= 0 ? p->committed : low;
        p->lag = high > from ? high - from : 0;
        g->total_lag += p->lag;
        g->total_committed += p->committed > 0 ? p->committed : 0;
    }
    rd_kafka_topic_partition_list_destroy(parts);
    return rc;
}

/* The status rule of lag.h, against this group's history. */
static void judge(const struct rf_config *cfg, struct monitored *mg, struct lag_group *g,
                  int64_t now_ms)
{
    int64_t window_ms = cfg->lag_window_s * 1000, stop_ms = cfg->lag_stop_s * 1000;
    if (!mg->seen || g->total_committed != mg->last_committed) {
        mg->last_move_ms = now_ms;
    }
    bool had_history = mg->seen;
    mg->seen = true;
    mg->last_committed = g->total_committed;
    /* lag of the oldest sample still inside the window, before adding this one */
    int64_t oldest_lag = g->total_lag, oldest_at = now_ms;
    for (size_t k = 0; k < mg->window_cnt; k++) {
        size_t idx = (mg->window_next + 64 - mg->window_cnt + k) % 64;
        if (now_ms - mg->window_at[idx] <= window_ms && mg->window_at[idx] < oldest_at) {
            oldest_at = mg->window_at[idx];
            oldest_lag = mg->window_lag[idx];
        }
    }
    mg->window_lag[mg->window_next] = g->total_lag;
    mg->window_at[mg->window_next] = now_ms;
    mg->window_next = (mg->window_next + 1) % 64;
    mg->window_cnt += mg->window_cnt < 64;

    double idle_s = (now_ms - mg->last_move_ms) / 1000.0;
    if (g->total_lag == 0) {
        g->status = LAG_OK;
        snprintf(g->reason, sizeof(g->reason), "no lag");
    } else if (!had_history) {
        double age_ms = g->max_time_lag_s * 1000;
        g->status = age_ms >= stop_ms ? LAG_STOP : age_ms >= window_ms ? LAG_STALL : LAG_OK;
        snprintf(g->reason, sizeof(g->reason), "one sample: oldest unconsumed record %.1f s old",
                 g->max_time_lag_s);
    } else if (now_ms - mg->last_move_ms >= stop_ms) {
        g->status = LAG_STOP;
        snprintf(g->reason, sizeof(g->reason), "no commit for %.0f s with lag %lld", idle_s,
                 (long long)g->total_lag);
    } else if (now_ms - mg->last_move_ms >= window_ms) {
        g->status = LAG_STALL;
        snprintf(g->reason, sizeof(g->reason), "committed offsets still for %.0f s with lag %lld",
                 idle_s, (long long)g->total_lag);
    } else if (g->total_lag > oldest_lag && oldest_at < now_ms) {
        g->status = LAG_WARN;
        snprintf(g->reason, sizeof(g->reason), "lag grew from %lld to %lld in %.0f s",
                 (long long)oldest_lag, (long long)g->total_lag, (now_ms - oldest_at) / 1000.0);
    } else {
        g->status = LAG_OK;
        snprintf(g->reason, sizeof(g->reason), "committing (last move %.0f s ago), lag %lld",
                 idle_s, (long long)g->total_lag);
    }
}

int lag_monitor_sample(struct lag_monitor *m, struct lag_sample *out)
{
    memset(out, 0, sizeof(*out));
    out->at_ms = rf_clock_now_ms();
    out->groups = calloc(m->cnt + 1, sizeof(*out->groups));
    if (!out->groups) {
        return -1;
    }
    for (size_t i = 0; i < m->cnt; i++) {
        struct lag_group *g = &out->groups[out->cnt++];
        snprintf(g->name, sizeof(g->name), "%s", m->groups[i].name);
        snprintf(g->topics, sizeof(g->topics), "%s", m->groups[i].topics);
        if (read_offsets(m, &m->groups[i], g) != 0) {
            g->status = LAG_ERR;
            snprintf(g->reason, sizeof(g->reason), "%s", g->error);
            continue;
        }
        measure_time_lag(m, g, out->at_ms);
        judge(m->cfg, &m->groups[i], g, out->at_ms);
    }
    return 0;
}

void lag_sample_release(struct lag_sample *s)
{
    for (size_t i = 0; i < s->cnt; i++) {
        free(s->groups[i].parts);
    }
    free(s->groups);
    memset(s, 0, sizeof(*s));
}

void lag_print_table(const struct lag_sample *s, FILE *out)
{
    fprintf(out, "%-20s %-16s %9s %14s %14s %8s %10s\n", "GROUP", "TOPIC", "PARTITION",
            "CURRENT-OFFSET", "LOG-END-OFFSET", "LAG", "TIME-LAG-S");
    for (size_t i = 0; i < s->cnt; i++) {
        const struct lag_group *g = &s->groups[i];
        for (size_t k = 0; k < g->cnt; k++) {
            const struct lag_partition *p = &g->parts[k];
            char committed[24];
            snprintf(committed, sizeof(committed), "%lld", (long long)p->committed);
            fprintf(out, "%-20s %-16s %9d %14s %14lld %8lld %10.1f\n", g->name, p->topic,
                    p->partition, p->committed >= 0 ? committed : "-", (long long)p->log_end,
                    (long long)p->lag, p->time_lag_s);
        }
        fprintf(out, "%-20s total lag %lld, max time lag %.1f s, status %s (%s)\n", g->name,
                (long long)g->total_lag, g->max_time_lag_s, lag_status_name(g->status), g->reason);
    }
}

void lag_print_json(const struct lag_sample *s, FILE *out)
{
    char when[40];
    rf_clock_format(s->at_ms, when, sizeof(when));
    json_t *groups = json_array();
    for (size_t i = 0; i < s->cnt; i++) {
        const struct lag_group *g = &s->groups[i];
        json_t *parts = json_array();
        for (size_t k = 0; k < g->cnt; k++) {
            const struct lag_partition *p = &g->parts[k];
            json_array_append_new(
                parts, json_pack("{s:s, s:i, s:I, s:I, s:I, s:f}", "topic", p->topic, "partition",
                                 p->partition, "committed", (json_int_t)p->committed, "log_end",
                                 (json_int_t)p->log_end, "lag", (json_int_t)p->lag, "time_lag_s",
                                 p->time_lag_s));
        }
        json_array_append_new(
            groups, json_pack("{s:s, s:s, s:s, s:I, s:f, s:o}", "group", g->name, "status",
                              lag_status_name(g->status), "reason", g->reason, "total_lag",
                              (json_int_t)g->total_lag, "max_time_lag_s", g->max_time_lag_s,
                              "partitions", parts));
    }
    json_t *doc = json_pack("{s:s, s:o}", "time", when, "groups", groups);
    char *text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
    if (text) {
        fprintf(out, "%s\n", text);
    }
    free(text);
    json_decref(doc);
}

void lag_print_prometheus(const struct lag_sample *s, FILE *out)
{
    static const char *const help[][2] = {
        {"reportflow_consumer_lag", "Records between the committed offset and the log end."},
        {"reportflow_consumer_committed_offset", "Next offset the group will read."},
        {"reportflow_log_end_offset", "High watermark of the partition."},
        {"reportflow_consumer_time_lag_seconds", "Age of the oldest unconsumed record."},
    };
    for (size_t h = 0; h < 4; h++) {
        fprintf(out, "# HELP %s %s\n# TYPE %s gauge\n", help[h][0], help[h][1], help[h][0]);
        for (size_t i = 0; i < s->cnt; i++) {
            const struct lag_group *g = &s->groups[i];
            for (size_t k = 0; k < g->cnt; k++) {
                const struct lag_partition *p = &g->parts[k];
                double v = h == 0 ? (double)p->lag
                           : h == 1 ? (double)p->committed
                           : h == 2 ? (double)p->log_end
                                    : p->time_lag_s;
                fprintf(out, "%s{group=\"%s\",topic=\"%s\",partition=\"%d\"} %.15g\n", help[h][0],
                        g->name, p->topic, p->partition, v);
            }
        }
    }
    fprintf(out, "# HELP reportflow_consumer_group_status 1 for the group's current status.\n"
                 "# TYPE reportflow_consumer_group_status gauge\n");
    for (size_t i = 0; i < s->cnt; i++) {
        for (int st = LAG_OK; st <= LAG_ERR; st++) {
            fprintf(out, "reportflow_consumer_group_status{group=\"%s\",status=\"%s\"} %d\n",
                    s->groups[i].name, lag_status_name((enum lag_status)st),
                    s->groups[i].status == (enum lag_status)st);
        }
    }
}
