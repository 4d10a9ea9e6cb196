/* page.c - the HTML status page with inline SVG charts of lag over the last minutes. */
#include "page.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "reportflow/buf.h"
#include "reportflow/clock.h"
#include "reportflow/vec.h"

#define CHART_SPAN_MS (10 * 60 * 1000) /* what the charts show */
#define CHART_POINTS 600               /* per group; the oldest goes first */
#define CHART_W 560
#define CHART_H 120
/* "lag.groups=all" sees every group of the cluster: the page keeps at most this many charts */
#define MAX_CHARTS 64

struct chart_point {
    int64_t at_ms;
    double lag;
    double time_lag_s;
};

struct chart {
    char group[128];
    struct chart_point pts[CHART_POINTS];
    size_t n;
};

struct page {
    struct chart *charts; /* owned, one per group seen in the chart span, at most MAX_CHARTS */
    size_t cnt, cap;
};

struct page *page_new(void)
{
    return calloc(1, sizeof(struct page));
}

void page_free(struct page *pg)
{
    if (pg) {
        free(pg->charts);
        free(pg);
    }
}

/* Forget the charts of groups not seen within the chart span: nothing of them would show. */
static void drop_stale_charts(struct page *pg, int64_t now_ms)
{
    size_t kept = 0;
    for (size_t i = 0; i < pg->cnt; i++) {
        const struct chart *c = &pg->charts[i];
        if (c->n > 0 && c->pts[c->n - 1].at_ms >= now_ms - CHART_SPAN_MS) {
            if (kept != i) {
                pg->charts[kept] = *c;
            }
            kept++;
        }
    }
    pg->cnt = kept;
}

size_t page_chart_cnt(const struct page *pg)
{
    return pg->cnt;
}

/* The chart of @p group, a new one while there is room, else NULL (*@p full says which). */
static struct chart *chart_of(struct page *pg, const char *group, bool *full)
{
    *full = false;
    for (size_t i = 0; i < pg->cnt; i++) {
        if (strcmp(pg->charts[i].group, group) == 0) {
            return &pg->charts[i];
        }
    }
    if (pg->cnt >= MAX_CHARTS) {
        *full = true;
        return NULL;
    }
    struct chart *grown = rf_vec_reserve(pg->charts, &pg->cap, pg->cnt, 1, sizeof(*grown));
    if (!grown) {
        return NULL;
    }
    pg->charts = grown;
    struct chart *c = &pg->charts[pg->cnt++];
    memset(c, 0, sizeof(*c));
    snprintf(c->group, sizeof(c->group), "%s", group);
    return c;
}

int page_record(struct page *pg, const struct lag_sample *s)
{
    drop_stale_charts(pg, s->at_ms);
    for (size_t i = 0; i < s->cnt; i++) {
        const struct lag_group *g = &s->groups[i];
        bool full;
        struct chart *c = chart_of(pg, g->name, &full);
        if (full) {
            continue; /* its row still shows; only the chart is left out */
        }
        if (!c) {
            return -1;
        }
        size_t drop = 0;
        while (drop < c->n &&
               (c->pts[drop].at_ms < s->at_ms - CHART_SPAN_MS || c->n - drop >= CHART_POINTS)) {
            drop++;
        }
        memmove(c->pts, c->pts + drop, (c->n - drop) * sizeof(c->pts[0]));
        c->n -= drop;
        c->pts[c->n++] = (struct chart_point){s->at_ms, (double)g->total_lag, g->max_time_lag_s};
    }
    return 0;
}

/* The entity for @p c where HTML text or an attribute value needs one, else NULL. */
static const char *html_entity(char c)
{
    static const struct {
        char c;
        const char *entity;
    } entities[] = {{'&', "&amp;"}, {'<', "&lt;"}, {'>', "&gt;"}, {'"', "&quot;"}, {'\'', "&#39;"}};
    for (size_t i = 0; i < sizeof(entities) / sizeof(entities[0]); i++) {
        if (entities[i].c == c) {
            return entities[i].entity;
        }
    }
    return NULL;
}

/* Append @p text escaped for HTML text and attribute values. */
static int html(struct rf_buf *out, const char *text)
{
    int rc = 0;
    for (const char *p = text; rc == 0 && *p; p++) {
        const char *entity = html_entity(*p);
        rc = entity ? rf_buf_append_str(out, entity) : rf_buf_append(out, p, 1);
    }
    return rc;
}

static const char *status_color(enum judge_status s)
{
    static const char *const colors[] = {"#2e7d32", "#f9a825", "#6a1b9a",
                                         "#e65100", "#c62828", "#424242"};
    return colors[s <= JUDGE_ERR ? s : JUDGE_ERR];
}

/* One polyline of @p field scaled to @p max over the chart's span ending at @p now_ms. */
static int polyline(struct rf_buf *out, const struct chart *c, int64_t now_ms, bool time_lag,
                    double max, const char *color)
{
    int rc = rf_buf_printf(
        out, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"", color);
    for (size_t i = 0; rc == 0 && i < c->n; i++) {
        double v = time_lag ? c->pts[i].time_lag_s : c->pts[i].lag;
        double x = CHART_W * (1.0 - (double)(now_ms - c->pts[i].at_ms) / CHART_SPAN_MS);
        double y = CHART_H - (max > 0 ? v / max : 0) * (CHART_H - 10);
        rc = rf_buf_printf(out, "%.1f,%.1f ", x < 0 ? 0 : x, y);
    }
    return rc ? rc : rf_buf_append_str(out, "\"/>");
}

static int chart_svg(struct rf_buf *out, const struct chart *c, int64_t now_ms)
{
    double max_lag = 0, max_age = 0;
    for (size_t i = 0; c && i < c->n; i++) {
        max_lag = c->pts[i].lag > max_lag ? c->pts[i].lag : max_lag;
        max_age = c->pts[i].time_lag_s > max_age ? c->pts[i].time_lag_s : max_age;
    }
    int rc = rf_buf_printf(out,
                           "<svg class=\"chart\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
                           "role=\"img\"><rect width=\"100%%\" height=\"100%%\" fill=\"#fafafa\" "
                           "stroke=\"#ccc\"/>",
                           CHART_W, CHART_H + 20, CHART_W, CHART_H + 20);
    if (rc == 0 && c && c->n > 0) {
        rc = polyline(out, c, now_ms, false, max_lag, "#1565c0");
        rc = rc ? rc : polyline(out, c, now_ms, true, max_age, "#e65100");
    }
    return rc ? rc
              : rf_buf_printf(out,
                              "<text x=\"4\" y=\"%d\" font-size=\"11\" fill=\"#1565c0\">lag (max "
                              "%.0f records)</text><text x=\"200\" y=\"%d\" font-size=\"11\" "
                              "fill=\"#e65100\">time lag (max %.1f s)</text><text x=\"%d\" "
                              "y=\"%d\" font-size=\"11\" fill=\"#666\">last 10 min</text></svg>",
                              CHART_H + 15, max_lag, CHART_H + 15, max_age, CHART_W - 70,
                              CHART_H + 15);
}

static int stuck_table(struct rf_buf *out, const struct lag_group *g)
{
    size_t stuck = 0;
    int rc = 0;
    for (size_t k = 0; rc == 0 && k < g->cnt; k++) {
        const struct lag_partition *p = &g->parts[k];
        if (p->status == JUDGE_OK) {
            continue;
        }
        if (stuck++ == 0) {
            rc = rf_buf_append_str(out, "<table class=\"stuck\"><tr><th>topic</th><th>partition"
                                        "</th><th>status</th><th>lag</th><th>consumer id</th>"
                                        "<th>host</th><th>client id</th><th>why</th></tr>");
        }
        rc = rc ? rc : rf_buf_append_str(out, "<tr><td>");
        rc = rc ? rc : html(out, p->topic);
        rc = rc ? rc
                : rf_buf_printf(out,
                                "</td><td>%d</td><td style=\"color:%s\">%s</td><td>%lld</td><td>",
                                p->partition, status_color(p->status), judge_status_name(p->status),
                                (long long)p->lag);
        rc = rc ? rc : html(out, p->consumer_id);
        rc = rc ? rc : rf_buf_append_str(out, "</td><td>");
        rc = rc ? rc : html(out, p->host);
        rc = rc ? rc : rf_buf_append_str(out, "</td><td>");
        rc = rc ? rc : html(out, p->client_id);
        rc = rc ? rc : rf_buf_append_str(out, "</td><td>");
        rc = rc ? rc : html(out, p->reason);
        rc = rc ? rc : rf_buf_append_str(out, "</td></tr>");
    }
    if (rc == 0) {
        rc = rf_buf_append_str(out, stuck ? "</table>" : "<p>No stuck partitions.</p>");
    }
    return rc;
}

static int group_section(struct rf_buf *out, const struct page *pg, const struct lag_group *g,
                         int64_t now_ms)
{
    const struct chart *c = NULL;
    for (size_t i = 0; pg && i < pg->cnt; i++) {
        c = strcmp(pg->charts[i].group, g->name) == 0 ? &pg->charts[i] : c;
    }
    int rc = rf_buf_append_str(out, "<section class=\"group\"><h2>");
    rc = rc ? rc : html(out, g->name);
    rc = rc ? rc
            : rf_buf_printf(out,
                            " <span class=\"status\" style=\"background:%s\">%s</span></h2>"
                            "<p class=\"reason\">",
                            status_color(g->status), judge_status_name(g->status));
    rc = rc ? rc : html(out, g->reason);
    rc = rc ? rc : rf_buf_append_str(out, "</p><p>state ");
    rc = rc ? rc : html(out, g->state);
    char members[24] = "n/a";
    if (g->members >= 0) {
        snprintf(members, sizeof(members), "%d", g->members);
    }
    rc = rc ? rc
            : rf_buf_printf(out, ", members %s, total lag %lld, max time lag %.1f s</p>", members,
                            (long long)g->total_lag, g->max_time_lag_s);
    rc = rc ? rc : chart_svg(out, c, now_ms);
    rc = rc ? rc : stuck_table(out, g);
    return rc ? rc : rf_buf_append_str(out, "</section>");
}

/* One row per reprocess run: apart from the live groups, with its progress as a bar. */
static int jobs_section(struct rf_buf *out, const struct lag_jobs *js)
{
    if (js->cnt == 0) {
        return 0;
    }
    int rc = rf_buf_append_str(
        out, "<section id=\"reprocess\"><h2>Reprocess runs</h2><table><tr><th>rules</th>"
             "<th>rules_hash</th><th>kind</th><th>state</th><th>progress</th><th>done / "
             "selected</th><th>failed</th><th>in flight</th><th>queued</th><th>rate/s</th>"
             "<th>ETA s</th><th>host</th></tr>");
    for (size_t i = 0; rc == 0 && i < js->cnt; i++) {
        const struct lag_job *j = &js->items[i];
        long long done = j->st.total - j->st.todo;
        int pct = j->st.total > 0 ? (int)(100 * done / j->st.total) : 100;
        rc = rf_buf_append_str(out, "<tr><td>");
        rc = rc ? rc : html(out, j->st.rules);
        rc = rc ? rc : rf_buf_append_str(out, "</td><td>");
        rc = rc ? rc : html(out, j->st.hash);
        rc = rc ? rc : rf_buf_append_str(out, "</td><td>");
        rc = rc ? rc : html(out, j->st.kind);
        rc = rc ? rc
                : rf_buf_printf(out, "</td><td style=\"color:%s\">",
                                strcmp(j->state, "stale") == 0 || strcmp(j->state, "failed") == 0
                                    ? status_color(JUDGE_STALL)
                                    : status_color(JUDGE_OK));
        rc = rc ? rc : html(out, j->state);
        rc = rc ? rc
                : rf_buf_printf(out,
                                "%s</td><td><progress max=\"100\" value=\"%d\"></progress> "
                                "%d%%</td><td>%lld / %lld</td><td>%lld</td><td>%lld</td>"
                                "<td>%lld</td><td>%.1f</td><td>%lld</td><td>",
                                j->st.yielding ? " (yielding to live)" : "", pct, pct, done,
                                j->st.total, j->st.failed, j->st.in_flight, (long long)j->queued,
                                j->st.rate, j->st.eta_s);
        rc = rc ? rc : html(out, j->st.host);
        rc = rc ? rc : rf_buf_append_str(out, "</td></tr>");
    }
    return rc ? rc : rf_buf_append_str(out, "</table></section>");
}

int page_render(const struct page *pg, const struct lag_sample *s, int refresh_s,
                struct rf_buf *out)
{
    char when[40];
    rf_clock_format(s->at_ms, when, sizeof(when));
    int rc = rf_buf_printf(
        out,
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta http-equiv=\"refresh\" content=\"%d\"><title>reportflow lag</title><style>"
        "body{font:14px sans-serif;margin:1.5em;color:#222}"
        ".status{color:#fff;padding:2px 8px;border-radius:4px;font-size:14px}"
        "table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:2px 6px;"
        "text-align:left}.group{margin-bottom:1.5em}.note{color:#8a6d3b}"
        "</style></head><body><h1>reportflow lag</h1><p>sampled %s; dead letters: ",
        refresh_s, when);
    if (rc == 0 && s->dead_letters >= 0) {
        rc = rf_buf_printf(out, "<b id=\"dead-letters\">%lld</b></p>", (long long)s->dead_letters);
    } else if (rc == 0) {
        rc = rf_buf_append_str(out, "<b id=\"dead-letters\">n/a</b></p>");
    }
    if (rc == 0 && s->note[0]) {
        rc = rf_buf_append_str(out, "<p class=\"note\">note: ");
        rc = rc ? rc : html(out, s->note);
        rc = rc ? rc : rf_buf_append_str(out, "</p>");
    }
    for (size_t i = 0; rc == 0 && i < s->cnt; i++) {
        rc = group_section(out, pg, &s->groups[i], s->at_ms);
    }
    rc = rc ? rc : jobs_section(out, &s->jobs);
    return rc ? rc : rf_buf_append_str(out, "</body></html>\n");
}
