/* print.c - a lag sample as a table, JSON or Prometheus text. */
#include "print.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "reportflow/buf.h"
#include "reportflow/clock.h"
#include "reportflow/http.h"
#include "reportflow/utf8.h"

/* Reprocess runs, apart from the groups; their names and hosts escaped as the groups' are. */
static void print_jobs_table(const struct lag_jobs *js, FILE *out)
{
    if (js->cnt == 0) {
        return;
    }
    struct rf_utf8_escapes ss = {{NULL}, 0};
    fprintf(out, "\n%-16s %-28s %-12s %-10s %15s %7s %9s %8s %8s %7s %s\n", "REPROCESS", "RULES",
            "KIND", "STATE", "DONE/SELECTED", "FAILED", "IN-FLIGHT", "QUEUED", "RATE/S", "ETA-S",
            "HOST");
    for (size_t i = 0; i < js->cnt; i++) {
        const struct lag_job *j = &js->items[i];
        char done[48], queued[24] = "-", eta[24] = "-";
        snprintf(done, sizeof(done), "%lld/%lld", j->st.total - j->st.todo, j->st.total);
        if (j->queued >= 0) {
            snprintf(queued, sizeof(queued), "%lld", (long long)j->queued);
        }
        if (j->st.eta_s >= 0 && strcmp(j->state, "running") == 0) {
            snprintf(eta, sizeof(eta), "%lld", j->st.eta_s);
        }
        fprintf(out, "%-16s %-28s %-12s %-10s %15s %7lld %9lld %8s %8.1f %7s %s%s\n",
                rf_utf8_escaped(&ss, j->st.hash), rf_utf8_escaped(&ss, j->st.rules),
                rf_utf8_escaped(&ss, j->st.kind), rf_utf8_escaped(&ss, j->state), done,
                j->st.failed, j->st.in_flight, queued, j->st.rate, eta,
                rf_utf8_escaped(&ss, j->st.host), j->st.yielding ? " (yielding to live)" : "");
        rf_utf8_escapes_release(&ss);
    }
}

/*
 * The table goes to a terminal, and group names, client ids, hosts and the reasons that
 * quote them are whatever a client chose: each is shown escaped (rf_utf8_escape_terminal()),
 * so an escape sequence in a client id cannot move the cursor, recolour or retitle the
 * terminal. At most RF_UTF8_ESCAPES_MAX are held at a time (rf_utf8_escapes_release()).
 */
void print_table(const struct lag_sample *s, FILE *out)
{
    struct rf_utf8_escapes ss = {{NULL}, 0};
    fprintf(out, "%-20s %-16s %9s %14s %14s %8s %10s %-6s %-46s %-16s %s\n", "GROUP", "TOPIC",
            "PARTITION", "CURRENT-OFFSET", "LOG-END-OFFSET", "LAG", "TIME-LAG-S", "STATUS",
            "CONSUMER-ID", "HOST", "CLIENT-ID");
    for (size_t i = 0; i < s->cnt; i++) {
        const struct lag_group *g = &s->groups[i];
        for (size_t k = 0; k < g->cnt; k++) {
            const struct lag_partition *p = &g->parts[k];
            char committed[24];
            snprintf(committed, sizeof(committed), "%lld", (long long)p->committed);
            fprintf(out, "%-20s %-16s %9d %14s %14lld %8lld %10.1f %-6s %-46s %-16s %s\n",
                    rf_utf8_escaped(&ss, g->name), rf_utf8_escaped(&ss, p->topic), p->partition,
                    p->committed >= 0 ? committed : "-", (long long)p->log_end, (long long)p->lag,
                    p->time_lag_s, judge_status_name(p->status),
                    rf_utf8_escaped(&ss, p->consumer_id), rf_utf8_escaped(&ss, p->host),
                    rf_utf8_escaped(&ss, p->client_id));
            rf_utf8_escapes_release(&ss);
        }
        char members[24] = "?";
        if (g->members >= 0) {
            snprintf(members, sizeof(members), "%d", g->members);
        }
        fprintf(out,
                "%-20s state %s, %s members, total lag %lld, max time lag %.1f s, status %s (%s)\n",
                rf_utf8_escaped(&ss, g->name), rf_utf8_escaped(&ss, g->state), members,
                (long long)g->total_lag, g->max_time_lag_s, judge_status_name(g->status),
                rf_utf8_escaped(&ss, g->reason));
        rf_utf8_escapes_release(&ss);
    }
    print_jobs_table(&s->jobs, out);
    if (s->note[0]) {
        fprintf(out, "note: %s\n", rf_utf8_escaped(&ss, s->note));
        rf_utf8_escapes_release(&ss);
    }
}

static json_t *partition_json(const struct lag_partition *p)
{
    return json_pack("{s:s, s:i, s:I, s:I, s:I, s:f, s:s, s:s, s:s, s:s, s:s}", "topic", p->topic,
                     "partition", p->partition, "committed", (json_int_t)p->committed, "log_end",
                     (json_int_t)p->log_end, "lag", (json_int_t)p->lag, "time_lag_s", p->time_lag_s,
                     "status", judge_status_name(p->status), "reason", p->reason, "consumer_id",
                     p->consumer_id, "host", p->host, "client_id", p->client_id);
}

static json_t *group_json(const struct lag_group *g)
{
    json_t *parts = json_array();
    for (size_t k = 0; parts && k < g->cnt; k++) {
        json_array_append_new(parts, partition_json(&g->parts[k]));
    }
    return json_pack("{s:s, s:s, s:s, s:s, s:i, s:I, s:f, s:o}", "group", g->name, "status",
                     judge_status_name(g->status), "reason", g->reason, "state", g->state,
                     "members", g->members, "total_lag", (json_int_t)g->total_lag, "max_time_lag_s",
                     g->max_time_lag_s, "partitions", parts);
}

static json_t *job_json(const struct lag_job *j)
{
    char started[40], updated[40];
    rf_clock_format(j->st.started_ms, started, sizeof(started));
    rf_clock_format(j->st.updated_ms, updated, sizeof(updated));
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:f, s:I, "
                     "s:b, s:s, s:I, s:s, s:s}",
                     "job", j->st.key, "rules_hash", j->st.hash, "rules", j->st.rules, "kind",
                     j->st.kind, "state", j->state, "selected", (json_int_t)j->st.total,
                     "already_done", (json_int_t)j->st.before, "done", (json_int_t)j->st.done,
                     "todo", (json_int_t)j->st.todo, "failed", (json_int_t)j->st.failed,
                     "in_flight", (json_int_t)j->st.in_flight, "queued", (json_int_t)j->queued,
                     "rate", j->st.rate, "eta_s", (json_int_t)j->st.eta_s, "yielding",
                     j->st.yielding, "host", j->st.host, "pid", (json_int_t)j->st.pid, "started",
                     started, "updated", updated);
}

void print_json(const struct lag_sample *s, FILE *out)
{
    char when[40];
    rf_clock_format(s->at_ms, when, sizeof(when));
    json_t *groups = json_array();
    for (size_t i = 0; groups && i < s->cnt; i++) {
        json_array_append_new(groups, group_json(&s->groups[i]));
    }
    json_t *jobs = json_array();
    for (size_t i = 0; jobs && i < s->jobs.cnt; i++) {
        json_array_append_new(jobs, job_json(&s->jobs.items[i]));
    }
    json_t *doc =
        json_pack("{s:s, s:o, s:o, s:I, s:s}", "time", when, "groups", groups, "reprocess", jobs,
                  "dead_letters", (json_int_t)s->dead_letters, "note", s->note);
    char *text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
    if (text) {
        fprintf(out, "%s\n", text);
    } else {
        fprintf(stderr, "lag: cannot render the sample as JSON (out of memory?)\n");
    }
    free(text);
    json_decref(doc);
}

/*
 * A label value: escaped for the text format, and its control characters and invalid
 * bytes shown as text (\x1B), as the table shows them: the format has no escape for
 * them, and the one-shot --prometheus output lands on a terminal.
 */
static int label_value(struct rf_buf *out, const char *value)
{
    char *shown = rf_utf8_escape_terminal(value, false);
    int rc = shown ? rf_http_escape_label(out, shown) : -1;
    free(shown);
    return rc;
}

/* name{group="..",topic="..",partition=".."} value, labels escaped. */
static int partition_line(struct rf_buf *out, const char *name, const struct lag_group *g,
                          const struct lag_partition *p, double v)
{
    int rc = rf_buf_printf(out, "%s{group=\"", name);
    rc = rc ? rc : label_value(out, g->name);
    rc = rc ? rc : rf_buf_append_str(out, "\",topic=\"");
    rc = rc ? rc : label_value(out, p->topic);
    return rc ? rc : rf_buf_printf(out, "\",partition=\"%d\"} %.15g\n", p->partition, v);
}

static double partition_value(size_t metric, const struct lag_partition *p)
{
    switch (metric) {
    case 0:
        return (double)p->lag;
    case 1:
        return (double)p->committed;
    case 2:
        return (double)p->log_end;
    default:
        return p->time_lag_s;
    }
}

static int group_status_lines(struct rf_buf *out, const struct lag_sample *s)
{
    int rc = rf_http_render_family(out, "reportflow_consumer_group_status", "gauge",
                                   "1 for the group's current status, 0 for the others.");
    for (size_t i = 0; rc == 0 && i < s->cnt; i++) {
        for (int st = JUDGE_OK; rc == 0 && st <= JUDGE_ERR; st++) {
            rc = rf_buf_append_str(out, "reportflow_consumer_group_status{group=\"");
            rc = rc ? rc : label_value(out, s->groups[i].name);
            rc = rc ? rc
                    : rf_buf_printf(out, "\",status=\"%s\"} %d\n",
                                    judge_status_name((enum judge_status)st),
                                    s->groups[i].status == (enum judge_status)st);
        }
    }
    rc = rc ? rc
            : rf_http_render_family(out, "reportflow_consumer_partition_status", "gauge",
                                    "Partition status: 0 OK, 1 WARN, 2 REWIND, 3 STALL, 4 STOP.");
    for (size_t i = 0; rc == 0 && i < s->cnt; i++) {
        for (size_t k = 0; rc == 0 && k < s->groups[i].cnt; k++) {
            rc = partition_line(out, "reportflow_consumer_partition_status", &s->groups[i],
                                &s->groups[i].parts[k], (double)s->groups[i].parts[k].status);
        }
    }
    return rc;
}

/* name{job="..",rules_hash="..",rules="..",kind=".."} value */
static int job_line(struct rf_buf *out, const char *name, const struct lag_job *j,
                    const char *extra_label, const char *extra_value, double v)
{
    int rc = rf_buf_printf(out, "%s{job=\"", name);
    rc = rc ? rc : label_value(out, j->st.key);
    rc = rc ? rc : rf_buf_append_str(out, "\",rules_hash=\"");
    rc = rc ? rc : label_value(out, j->st.hash);
    rc = rc ? rc : rf_buf_append_str(out, "\",rules=\"");
    rc = rc ? rc : label_value(out, j->st.rules);
    rc = rc ? rc : rf_buf_append_str(out, "\",kind=\"");
    rc = rc ? rc : label_value(out, j->st.kind);
    if (extra_label) {
        rc = rc ? rc : rf_buf_printf(out, "\",%s=\"", extra_label);
        rc = rc ? rc : label_value(out, extra_value);
    }
    return rc ? rc : rf_buf_printf(out, "\"} %.15g\n", v);
}

static double job_value(size_t metric, const struct lag_job *j)
{
    switch (metric) {
    case 0:
        return (double)j->st.total;
    case 1:
        return (double)(j->st.total - j->st.todo);
    case 2:
        return (double)j->st.todo;
    case 3:
        return (double)j->st.failed;
    case 4:
        return (double)j->st.in_flight;
    case 5:
        return (double)j->queued;
    case 6:
        return j->st.rate;
    default:
        return (double)j->st.eta_s;
    }
}

static int job_lines(struct rf_buf *out, const struct lag_jobs *js)
{
    static const char *const help[][2] = {
        {"reportflow_reprocess_selected_documents", "Documents the run selected."},
        {"reportflow_reprocess_done_documents",
         "Selected documents with an extraction under the run's rules, or a dead letter."},
        {"reportflow_reprocess_todo_documents", "Selected documents still to do."},
        {"reportflow_reprocess_failed_documents", "Documents the run dead-lettered."},
        {"reportflow_reprocess_in_flight_documents", "Fed to the workers, not yet settled."},
        {"reportflow_reprocess_queued_records",
         "Records on the run's work topic its workers have yet to take; -1 unknown."},
        {"reportflow_reprocess_rate_documents_per_second", "Documents settled per second."},
        {"reportflow_reprocess_eta_seconds", "Estimated time left; -1 unknown."},
    };
    int rc = 0;
    for (size_t h = 0; rc == 0 && js->cnt > 0 && h < sizeof(help) / sizeof(help[0]); h++) {
        rc = rf_http_render_family(out, help[h][0], "gauge", help[h][1]);
        for (size_t i = 0; rc == 0 && i < js->cnt; i++) {
            rc = job_line(out, help[h][0], &js->items[i], NULL, NULL, job_value(h, &js->items[i]));
        }
    }
    static const char *const states[] = {"running",    "stale",  "done",
                                         "incomplete", "failed", "stopped"};
    if (rc == 0 && js->cnt > 0) {
        rc = rf_http_render_family(out, "reportflow_reprocess_state", "gauge",
                                   "1 for the run's state (stale: running but silent), 0 others.");
    }
    for (size_t i = 0; rc == 0 && i < js->cnt; i++) {
        for (size_t k = 0; rc == 0 && k < sizeof(states) / sizeof(states[0]); k++) {
            rc = job_line(out, "reportflow_reprocess_state", &js->items[i], "state", states[k],
                          strcmp(js->items[i].state, states[k]) == 0);
        }
    }
    return rc;
}

int print_prometheus(const struct lag_sample *s, bool with_process, struct rf_buf *out)
{
    static const char *const help[][2] = {
        {"reportflow_consumer_lag", "Records between the committed offset and the log end."},
        {"reportflow_consumer_committed_offset",
         "Next offset the group will read; -1 never committed."},
        {"reportflow_log_end_offset", "High watermark of the partition."},
        {"reportflow_consumer_time_lag_seconds", "Age of the oldest unconsumed record."},
    };
    int rc = 0;
    for (size_t h = 0; rc == 0 && h < 4; h++) {
        rc = rf_http_render_family(out, help[h][0], "gauge", help[h][1]);
        for (size_t i = 0; rc == 0 && i < s->cnt; i++) {
            const struct lag_group *g = &s->groups[i];
            for (size_t k = 0; rc == 0 && k < g->cnt; k++) {
                rc = partition_line(out, help[h][0], g, &g->parts[k],
                                    partition_value(h, &g->parts[k]));
            }
        }
    }
    rc = rc ? rc : group_status_lines(out, s);
    if (rc == 0 && s->dead_letters >= 0) {
        rc = rf_http_render_family(out, "reportflow_dead_letter_records", "gauge",
                                   "Records ever written to the dead-letter topic (its log ends).");
        rc = rc ? rc
                : rf_buf_printf(out, "reportflow_dead_letter_records %lld\n",
                                (long long)s->dead_letters);
    }
    rc = rc ? rc : job_lines(out, &s->jobs);
    return rc || !with_process ? rc : rf_http_render_process(out);
}
