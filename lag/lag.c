/* lag.c - samples of each group's offsets and owners, judged per partition over their history. */
#include "lag.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cluster.h"
#include "reportflow/utf8.h"
#include "reportflow/clock.h"
#include "reportflow/jobs.h"
#include "reportflow/vec.h"

#define HISTORY_CAP 256    /* samples per partition; judge_history_add() keeps the oldest */
#define AGE_BUDGET_MS 2000 /* time to fetch the oldest unconsumed record of each partition */

struct group_spec {
    char name[128];
    char topics[256]; /* comma-separated; empty: the topics it committed or is assigned */
};

struct history {
    char group[128];
    char topic[128];
    int partition;
    int64_t last_ms; /* time of the latest sample, to forget partitions that went away */
    size_t n;
    struct judge_point pts[HISTORY_CAP];
};

struct lag_monitor {
    const struct rf_config *cfg;
    struct cluster *cluster;
    struct group_spec *specs; /* lag.groups; NULL with every_group */
    size_t spec_cnt, spec_cap;
    bool every_group; /* lag.groups empty or "all": ListGroups on each sample */
    struct judge_rules rules;
    struct history **hist; /* owned, one per partition seen */
    size_t hist_cnt, hist_cap;
};

static void append_note(char *note, size_t size, const char *text)
{
    size_t used = strlen(note);
    if (strstr(note, text) || used + 3 >= size) {
        return;
    }
    if (used > 0) {
        memcpy(note + used, "; ", 3);
        used += 2;
    }
    rf_utf8_copy_str(note + used, size - used, text);
}

/* Our own groups map to their topics; others are named group=topic1+topic2 or discovered. */
static void spec_for(const struct rf_config *cfg, const char *spec, size_t len,
                     struct group_spec *out)
{
    memset(out, 0, sizeof(*out));
    const char *eq = memchr(spec, '=', len);
    snprintf(out->name, sizeof(out->name), "%.*s", (int)(eq ? (size_t)(eq - spec) : len), spec);
    rf_utf8_trim_str(out->name);
    if (eq) {
        snprintf(out->topics, sizeof(out->topics), "%.*s", (int)(len - (size_t)(eq - spec) - 1),
                 eq + 1);
        rf_utf8_trim_str(out->topics);
        for (char *p = out->topics; *p; p++) {
            *p = *p == '+' ? ',' : *p;
        }
    } else if (strcmp(out->name, cfg->worker_group) == 0) {
        snprintf(out->topics, sizeof(out->topics), "%s", cfg->topic_raw);
    } else if (strcmp(out->name, cfg->sink_group) == 0) {
        snprintf(out->topics, sizeof(out->topics), "%s,%s", cfg->topic_events, cfg->topic_dlq);
    }
}

static int add_spec(struct lag_monitor *m, const char *spec, size_t len)
{
    struct group_spec *grown =
        rf_vec_reserve(m->specs, &m->spec_cap, m->spec_cnt, 1, sizeof(*grown));
    if (!grown) {
        return -1;
    }
    m->specs = grown;
    spec_for(m->cfg, spec, len, &m->specs[m->spec_cnt++]);
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
    m->rules.window_ms = (int64_t)cfg->lag_window_s * 1000;
    m->rules.stop_ms =
        (int64_t)(cfg->lag_stop_s > cfg->lag_window_s ? cfg->lag_stop_s : cfg->lag_window_s) * 1000;
    m->every_group = cfg->lag_groups[0] == '\0' || strcmp(cfg->lag_groups, "all") == 0;
    for (const char *p = cfg->lag_groups; !m->every_group && *p;) {
        size_t n = strcspn(p, ",");
        if (n > 0 && add_spec(m, p, n) != 0) {
            snprintf(errstr, errstr_size, "out of memory");
            lag_monitor_free(m);
            return NULL;
        }
        p += n + (p[n] == ',');
    }
    m->cluster = cluster_new(cfg, errstr, errstr_size);
    if (!m->cluster) {
        lag_monitor_free(m);
        return NULL;
    }
    return m;
}

void lag_monitor_free(struct lag_monitor *m)
{
    if (!m) {
        return;
    }
    for (size_t i = 0; i < m->hist_cnt; i++) {
        free(m->hist[i]);
    }
    free(m->hist);
    free(m->specs);
    cluster_free(m->cluster);
    free(m);
}

/* The history of one partition of a group, created on first sight; NULL out of memory. */
static struct history *history_of(struct lag_monitor *m, const char *group,
                                  const struct lag_partition *p)
{
    for (size_t i = 0; i < m->hist_cnt; i++) {
        struct history *h = m->hist[i];
        if (h->partition == p->partition && strcmp(h->topic, p->topic) == 0 &&
            strcmp(h->group, group) == 0) {
            return h;
        }
    }
    struct history **grown = rf_vec_reserve(m->hist, &m->hist_cap, m->hist_cnt, 1, sizeof(*grown));
    struct history *h = grown ? calloc(1, sizeof(*h)) : NULL;
    if (grown) {
        m->hist = grown;
    }
    if (!h) {
        return NULL;
    }
    snprintf(h->group, sizeof(h->group), "%s", group);
    snprintf(h->topic, sizeof(h->topic), "%s", p->topic);
    h->partition = p->partition;
    m->hist[m->hist_cnt++] = h;
    return h;
}

/* Forget partitions not seen for two stop windows (a deleted group or topic). */
static void history_prune(struct lag_monitor *m, int64_t now_ms)
{
    size_t kept = 0;
    for (size_t i = 0; i < m->hist_cnt; i++) {
        if (now_ms - m->hist[i]->last_ms > 2 * m->rules.stop_ms) {
            free(m->hist[i]);
        } else {
            m->hist[kept++] = m->hist[i];
        }
    }
    m->hist_cnt = kept;
}

/* Add @p topic to the comma-separated @p topics unless there. */
static void add_topic(char *topics, size_t size, const char *topic)
{
    size_t len = strlen(topic), used = strlen(topics);
    for (const char *t = topics; *t; t += strcspn(t, ",") + (t[strcspn(t, ",")] == ',')) {
        if (strcspn(t, ",") == len && strncmp(t, topic, len) == 0) {
            return;
        }
    }
    if (used + len + 2 <= size) {
        snprintf(topics + used, size - used, "%s%s", used ? "," : "", topic);
    }
}

/* A group we know no topics of consumes what it committed and what it is assigned. */
static int discover_topics(struct lag_monitor *m, struct lag_group *g,
                           const struct cluster_group_info *info)
{
    char err[512];
    rd_kafka_topic_partition_list_t *all =
        cluster_committed(m->cluster, g->name, NULL, err, sizeof(err));
    if (!all) {
        rf_utf8_copy_str(g->reason, sizeof(g->reason), err);
        return -1;
    }
    for (int i = 0; i < all->cnt; i++) {
        add_topic(g->topics, sizeof(g->topics), all->elems[i].topic);
    }
    rd_kafka_topic_partition_list_destroy(all);
    for (size_t i = 0; i < info->owner_cnt; i++) {
        add_topic(g->topics, sizeof(g->topics), info->owners[i].topic);
    }
    return 0;
}

/* Every partition of the group's topics with committed and log-end offsets. */
static int read_offsets(struct lag_monitor *m, struct lag_group *g)
{
    char topics[256], err[512] = "";
    rd_kafka_topic_partition_list_t *parts = rd_kafka_topic_partition_list_new(16);
    int rc = parts ? 0 : -1;
    snprintf(topics, sizeof(topics), "%s", g->topics);
    for (char *save = NULL, *t = strtok_r(topics, ",", &save); rc == 0 && t;
         t = strtok_r(NULL, ",", &save)) {
        rc = cluster_partitions(m->cluster, t, parts, err, sizeof(err));
    }
    if (rc == 0 && parts->cnt == 0) {
        /* a group with no topic known: nothing to read (an empty list means "all" to OffsetFetch)
         */
        rd_kafka_topic_partition_list_destroy(parts);
        g->parts = calloc(1, sizeof(*g->parts));
        if (!g->parts) {
            snprintf(g->reason, sizeof(g->reason), "out of memory");
        }
        return g->parts ? 0 : -1;
    }
    rd_kafka_topic_partition_list_t *committed =
        rc == 0 ? cluster_committed(m->cluster, g->name, parts, err, sizeof(err)) : NULL;
    rc = committed ? 0 : -1;
    g->parts = rc == 0 ? calloc((size_t)committed->cnt + 1, sizeof(*g->parts)) : NULL;
    for (int i = 0; g->parts && i < committed->cnt; i++) {
        struct lag_partition *p = &g->parts[g->cnt++];
        rf_utf8_copy_str(p->topic, sizeof(p->topic), committed->elems[i].topic);
        p->partition = committed->elems[i].partition;
        p->committed = committed->elems[i].offset >= 0 ? committed->elems[i].offset : -1;
        snprintf(p->consumer_id, sizeof(p->consumer_id), "-");
        snprintf(p->host, sizeof(p->host), "-");
        snprintf(p->client_id, sizeof(p->client_id), "-");
        if (cluster_partition_lag(m->cluster, p->topic, p->partition, p->committed, &p->log_end,
                                  &p->lag, err, sizeof(err)) != 0) {
            rc = -1;
            break;
        }
        g->total_lag += p->lag;
    }
    if (rc == 0 && !g->parts) {
        snprintf(err, sizeof(err), "out of memory");
        rc = -1;
    }
    if (rc != 0) {
        rf_utf8_copy_str(g->reason, sizeof(g->reason), err[0] ? err : "out of memory");
    }
    if (committed) {
        rd_kafka_topic_partition_list_destroy(committed);
    }
    if (parts) {
        rd_kafka_topic_partition_list_destroy(parts);
    }
    return rc;
}

static void set_owners(struct lag_group *g, const struct cluster_group_info *info)
{
    for (size_t k = 0; k < info->owner_cnt; k++) {
        const struct cluster_owner *o = &info->owners[k];
        for (size_t i = 0; i < g->cnt; i++) {
            struct lag_partition *p = &g->parts[i];
            if (p->partition == o->partition && strcmp(p->topic, o->topic) == 0) {
                rf_utf8_copy_str(p->consumer_id, sizeof(p->consumer_id), o->consumer_id);
                rf_utf8_copy_str(p->host, sizeof(p->host), o->host);
                rf_utf8_copy_str(p->client_id, sizeof(p->client_id), o->client_id);
            }
        }
    }
}

/* Age of the first unconsumed record of each lagging partition. */
static void measure_time_lag(struct lag_monitor *m, struct lag_group *g, int64_t now_ms)
{
    rd_kafka_topic_partition_list_t *at = rd_kafka_topic_partition_list_new((int)g->cnt + 1);
    double *age = calloc(g->cnt + 1, sizeof(*age));
    size_t *index = calloc(g->cnt + 1, sizeof(*index));
    if (at && age && index) {
        for (size_t i = 0; i < g->cnt; i++) {
            if (g->parts[i].lag > 0) {
                index[at->cnt] = i;
                rd_kafka_topic_partition_list_add(at, g->parts[i].topic, g->parts[i].partition)
                    ->offset = g->parts[i].committed;
            }
        }
        cluster_record_ages(m->cluster, at, now_ms, AGE_BUDGET_MS, age);
        for (int k = 0; k < at->cnt; k++) {
            struct lag_partition *p = &g->parts[index[k]];
            p->time_lag_s = age[k];
            g->max_time_lag_s = age[k] > g->max_time_lag_s ? age[k] : g->max_time_lag_s;
        }
    }
    if (at) {
        rd_kafka_topic_partition_list_destroy(at);
    }
    free(age);
    free(index);
}

static void judge_partitions(struct lag_monitor *m, struct lag_group *g, int64_t now_ms)
{
    for (size_t i = 0; i < g->cnt; i++) {
        struct lag_partition *p = &g->parts[i];
        struct history *h = history_of(m, g->name, p);
        struct judge_result r;
        struct judge_point now = {now_ms, p->committed, p->lag};
        if (h) {
            judge_history_add(h->pts, &h->n, HISTORY_CAP, &now, &m->rules);
            h->last_ms = now_ms;
            judge_partition(h->pts, h->n, p->time_lag_s, &m->rules, &r);
        } else {
            judge_partition(&now, 1, p->time_lag_s, &m->rules, &r);
        }
        p->status = r.status;
        snprintf(p->reason, sizeof(p->reason), "%s", r.reason);
    }
}

/* The group is its worst partition: name every partition in that state with its owner. */
static void roll_up(struct lag_group *g)
{
    enum judge_status worst = JUDGE_OK;
    size_t first = 0, named = 0;
    for (size_t i = 0; i < g->cnt; i++) {
        if (g->parts[i].status > worst) {
            worst = g->parts[i].status;
            first = i;
        }
    }
    g->status = worst;
    if (worst == JUDGE_OK) {
        if (g->total_lag) {
            snprintf(g->reason, sizeof(g->reason), "committing, lag %lld", (long long)g->total_lag);
        } else {
            snprintf(g->reason, sizeof(g->reason), "no lag");
        }
        return;
    }
    size_t used = 0;
    for (size_t i = first; i < g->cnt && used + 1 < sizeof(g->reason); i++) {
        const struct lag_partition *p = &g->parts[i];
        if (p->status == worst) {
            int n = snprintf(g->reason + used, sizeof(g->reason) - used, "%s%s/%d (owner %s)",
                             named ? ", " : "", p->topic, p->partition, p->consumer_id);
            used += n > 0 ? (size_t)n : 0;
            named++;
        }
    }
    if (used + 1 < sizeof(g->reason)) {
        snprintf(g->reason + used, sizeof(g->reason) - used, ": %s", g->parts[first].reason);
    }
    rf_utf8_trim_str(g->reason);
}

static void sample_group(struct lag_monitor *m, const struct group_spec *spec, struct lag_group *g,
                         int64_t now_ms, char *note, size_t note_size)
{
    rf_utf8_copy_str(g->name, sizeof(g->name), spec->name);
    rf_utf8_copy_str(g->topics, sizeof(g->topics), spec->topics);
    snprintf(g->state, sizeof(g->state), "n/a");
    g->members = -1;
    struct cluster_group_info info;
    char err[512];
    if (cluster_describe_group(m->cluster, g->name, &info, err, sizeof(err)) == 0) {
        snprintf(g->state, sizeof(g->state), "%s", info.state);
        g->members = info.members;
    } else {
        append_note(note, note_size, err);
        append_note(note, note_size, "no owners or group state");
    }
    if ((!g->topics[0] && discover_topics(m, g, &info) != 0) || read_offsets(m, g) != 0) {
        g->status = JUDGE_ERR;
    } else {
        set_owners(g, &info);
        measure_time_lag(m, g, now_ms);
        judge_partitions(m, g, now_ms);
        roll_up(g);
    }
    cluster_group_info_release(&info);
}

/* Records ever written to the dead-letter topic: the sum of its log ends. */
static int64_t dead_letters(struct lag_monitor *m)
{
    char err[512];
    int64_t total = 0;
    rd_kafka_topic_partition_list_t *parts = rd_kafka_topic_partition_list_new(4);
    int rc =
        parts ? cluster_partitions(m->cluster, m->cfg->topic_dlq, parts, err, sizeof(err)) : -1;
    for (int i = 0; rc == 0 && i < parts->cnt; i++) {
        int64_t low = 0, high = 0;
        rc = cluster_watermarks(m->cluster, parts->elems[i].topic, parts->elems[i].partition, &low,
                                &high, err, sizeof(err));
        total += high;
    }
    if (parts) {
        rd_kafka_topic_partition_list_destroy(parts);
    }
    return rc == 0 ? total : -1;
}

/* The groups of this sample: lag.groups, or every group the cluster lists. */
static int groups_to_sample(struct lag_monitor *m, struct group_spec **specs, size_t *cnt,
                            char *note, size_t note_size)
{
    if (!m->every_group) {
        *specs = m->specs;
        *cnt = m->spec_cnt;
        return 0;
    }
    char **names = NULL, err[512];
    size_t n = 0;
    if (cluster_list_groups(m->cluster, &names, &n, err, sizeof(err)) != 0) {
        char text[700];
        snprintf(text, sizeof(text), "%s; showing %s and %s", err, m->cfg->worker_group,
                 m->cfg->sink_group);
        append_note(note, note_size, text);
        const char *ours[] = {m->cfg->worker_group, m->cfg->sink_group};
        *specs = calloc(2, sizeof(**specs));
        for (size_t i = 0; *specs && i < 2; i++) {
            spec_for(m->cfg, ours[i], strlen(ours[i]), &(*specs)[i]);
        }
        *cnt = *specs ? 2 : 0;
        return *specs ? 0 : -1;
    }
    *specs = calloc(n + 1, sizeof(**specs));
    *cnt = 0;
    for (size_t i = 0; *specs && i < n; i++) {
        if (!rf_jobs_is_group(names[i])) { /* shown as jobs, apart from live lag */
            spec_for(m->cfg, names[i], strlen(names[i]), &(*specs)[(*cnt)++]);
        }
    }
    cluster_names_free(names, n);
    return *specs ? 0 : -1;
}

/* Records on a running job's work topic that its workers have yet to take. */
static int64_t job_queued(struct lag_monitor *m, const struct lag_job *j)
{
    struct lag_group g = {.total_lag = 0};
    rf_jobs_group(j->st.hash, g.name, sizeof(g.name));
    rf_jobs_work_topic(m->cfg, j->st.hash, g.topics, sizeof(g.topics));
    int64_t queued = read_offsets(m, &g) == 0 ? g.total_lag : -1;
    free(g.parts);
    return queued;
}

static void sample_jobs(struct lag_monitor *m, struct lag_sample *out)
{
    char err[512];
    if (jobs_read(m->cluster, m->cfg, out->at_ms, &out->jobs, err, sizeof(err)) != 0) {
        append_note(out->note, sizeof(out->note), err);
    }
    for (size_t i = 0; i < out->jobs.cnt; i++) {
        struct lag_job *j = &out->jobs.items[i];
        bool active = strcmp(j->state, "running") == 0 || strcmp(j->state, "stale") == 0;
        j->queued = active ? job_queued(m, j) : -1;
    }
}

int lag_monitor_sample(struct lag_monitor *m, struct lag_sample *out)
{
    memset(out, 0, sizeof(*out));
    out->at_ms = rf_clock_now_ms();
    struct group_spec *specs = NULL;
    size_t cnt = 0;
    if (groups_to_sample(m, &specs, &cnt, out->note, sizeof(out->note)) != 0) {
        return -1;
    }
    out->groups = calloc(cnt + 1, sizeof(*out->groups));
    for (size_t i = 0; out->groups && i < cnt; i++) {
        sample_group(m, &specs[i], &out->groups[out->cnt++], out->at_ms, out->note,
                     sizeof(out->note));
    }
    if (specs != m->specs) {
        free(specs);
    }
    if (!out->groups) {
        return -1;
    }
    out->dead_letters = dead_letters(m);
    sample_jobs(m, out);
    history_prune(m, out->at_ms);
    return 0;
}

void lag_sample_release(struct lag_sample *s)
{
    for (size_t i = 0; i < s->cnt; i++) {
        free(s->groups[i].parts);
    }
    free(s->groups);
    jobs_release(&s->jobs);
    memset(s, 0, sizeof(*s));
}

int lag_exit_status(const struct lag_sample *s)
{
    for (size_t i = 0; i < s->cnt; i++) {
        if (s->groups[i].status >= JUDGE_STALL) {
            return 3;
        }
    }
    return 0;
}
