/* http.c - /metrics, /healthz and an optional page at / on libmicrohttpd. */
#include "reportflow/http.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <stdbool.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <microhttpd.h>

#include "reportflow/buf.h"
#include "reportflow/clock.h"

/* Bounds of the metrics server: it serves a few scrapers, never a crowd. */
#define HTTP_IDLE_TIMEOUT_S 10
#define HTTP_MAX_CONNECTIONS 32
#define HTTP_MAX_PER_IP 8

#define STALE_AFTER_MS 30000 /* /healthz fails when the program stopped publishing */

struct rf_http {
    struct MHD_Daemon *daemon;
    pthread_mutex_t lock; /* guards text, len, page, page_len, published_ms */
    char *text;           /* the latest /metrics body */
    size_t len;
    char *page; /* the latest / body (HTML); NULL: no page */
    size_t page_len;
    int64_t published_ms; /* monotonic time of the latest publish */
};

static enum MHD_Result respond(struct MHD_Connection *conn, unsigned status, const char *type,
                               char *body, size_t len)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
    if (!r) {
        free(body);
        return MHD_NO;
    }
    MHD_add_response_header(r, "Content-Type", type);
    enum MHD_Result ret = MHD_queue_response(conn, status, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *conn, const char *url,
                              const char *method, const char *version, const char *upload,
                              size_t *upload_size, void **con_cls)
{
    (void)version, (void)upload, (void)upload_size, (void)con_cls;
    struct rf_http *http = cls;
    if (strcmp(method, "GET") != 0) {
        return respond(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain", strdup("GET only\n"), 9);
    }
    bool is_metrics = strcmp(url, "/metrics") == 0, is_page = strcmp(url, "/") == 0;
    pthread_mutex_lock(&http->lock);
    bool fresh = http->text && rf_clock_mono_ms() - http->published_ms < STALE_AFTER_MS;
    char *copy = is_metrics && http->text ? strndup(http->text, http->len)
                 : is_page && http->page  ? strndup(http->page, http->page_len)
                                          : NULL;
    size_t len = copy ? strlen(copy) : 0;
    pthread_mutex_unlock(&http->lock);
    if (is_metrics) {
        return copy ? respond(conn, MHD_HTTP_OK, "text/plain; version=0.0.4; charset=utf-8", copy,
                              len)
                    : respond(conn, MHD_HTTP_SERVICE_UNAVAILABLE, "text/plain",
                              strdup("starting\n"), 9);
    }
    if (is_page && copy) {
        return respond(conn, MHD_HTTP_OK, "text/html; charset=utf-8", copy, len);
    }
    if (strcmp(url, "/healthz") == 0) {
        return fresh ? respond(conn, MHD_HTTP_OK, "text/plain", strdup("ok\n"), 3)
                     : respond(conn, MHD_HTTP_SERVICE_UNAVAILABLE, "text/plain", strdup("stale\n"),
                               6);
    }
    return respond(conn, MHD_HTTP_NOT_FOUND, "text/plain", strdup("not found\n"), 10);
}

static int parse_listen(const char *listen, struct sockaddr_in *addr)
{
    char host[64] = "0.0.0.0";
    const char *colon = strrchr(listen, ':');
    if (!colon) {
        return -1;
    }
    if (colon > listen) {
        snprintf(host, sizeof(host), "%.*s", (int)(colon - listen), listen);
    }
    if (strcmp(host, "localhost") == 0) {
        snprintf(host, sizeof(host), "127.0.0.1");
    }
    char *end = NULL;
    long port = strtol(colon + 1, &end, 10);
    memset(addr, 0, sizeof(*addr));
    addr->sin_family = AF_INET;
    addr->sin_port = htons((uint16_t)port);
    if (*end || port <= 0 || port > 65535 || inet_pton(AF_INET, host, &addr->sin_addr) != 1) {
        return -1;
    }
    return 0;
}

struct rf_http *rf_http_start(const char *listen, char *errstr, size_t errstr_size)
{
    struct sockaddr_in addr;
    if (parse_listen(listen, &addr) != 0) {
        snprintf(errstr, errstr_size, "metrics.listen: bad address '%s' (want host:port)", listen);
        return NULL;
    }
    struct rf_http *http = calloc(1, sizeof(*http));
    if (!http) {
        snprintf(errstr, errstr_size, "out of memory");
        return NULL;
    }
    pthread_mutex_init(&http->lock, NULL);
    http->daemon = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD, ntohs(addr.sin_port), NULL, NULL, handle, http,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
        /* a scraper that connects and says nothing must not hold a slot */
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)HTTP_IDLE_TIMEOUT_S,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned int)HTTP_MAX_CONNECTIONS,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned int)HTTP_MAX_PER_IP, MHD_OPTION_END);
    if (!http->daemon) {
        snprintf(errstr, errstr_size, "metrics.listen: cannot listen on '%s' (in use?)", listen);
        rf_http_stop(http);
        return NULL;
    }
    return http;
}

void rf_http_publish(struct rf_http *http, const char *text, size_t len)
{
    if (!http) {
        return;
    }
    char *copy = strndup(text, len);
    pthread_mutex_lock(&http->lock);
    if (copy) {
        free(http->text);
        http->text = copy;
        http->len = len;
    }
    http->published_ms = rf_clock_mono_ms();
    pthread_mutex_unlock(&http->lock);
}

void rf_http_publish_page(struct rf_http *http, const char *html, size_t len)
{
    if (!http) {
        return;
    }
    char *copy = strndup(html, len);
    if (!copy) {
        return; /* keep serving the previous page */
    }
    pthread_mutex_lock(&http->lock);
    free(http->page);
    http->page = copy;
    http->page_len = len;
    pthread_mutex_unlock(&http->lock);
}

void rf_http_stop(struct rf_http *http)
{
    if (!http) {
        return;
    }
    if (http->daemon) {
        MHD_stop_daemon(http->daemon);
    }
    pthread_mutex_destroy(&http->lock);
    free(http->text);
    free(http->page);
    free(http);
}

/* Append @p text with backslash and newline escaped, and quotes too when @p quote. */
static int append_escaped(struct rf_buf *out, const char *text, bool quote)
{
    int rc = 0;
    for (const char *p = text; rc == 0 && *p; p++) {
        if (*p == '\\') {
            rc = rf_buf_append(out, "\\\\", 2);
        } else if (*p == '\n') {
            rc = rf_buf_append(out, "\\n", 2);
        } else if (*p == '"' && quote) {
            rc = rf_buf_append(out, "\\\"", 2);
        } else {
            rc = rf_buf_append(out, p, 1);
        }
    }
    return rc;
}

int rf_http_escape_label(struct rf_buf *out, const char *value)
{
    return append_escaped(out, value, true);
}

int rf_http_render_family(struct rf_buf *out, const char *name, const char *type, const char *help)
{
    int rc = rf_buf_printf(out, "# HELP %s ", name);
    rc = rc == 0 ? append_escaped(out, help, false) : rc;
    return rc == 0 ? rf_buf_printf(out, "\n# TYPE %s %s\n", name, type) : rc;
}

/* Length of @p name without a summary's _sum or _count suffix. */
static size_t family_len(const struct rf_metric *m)
{
    size_t len = strlen(m->name);
    if (strcmp(m->type, "summary") != 0) {
        return len;
    }
    if (len > 4 && strcmp(m->name + len - 4, "_sum") == 0) {
        return len - 4;
    }
    if (len > 6 && strcmp(m->name + len - 6, "_count") == 0) {
        return len - 6;
    }
    return len;
}

/* Fields 14 (utime), 15 (stime), 22 (starttime), 23 (vsize), 24 (rss) of /proc/self/stat. */
static int read_self_stat(double *cpu_s, double *start_ticks, double *vsize, double *rss_pages)
{
    char text[1024];
    FILE *f = fopen("/proc/self/stat", "r");
    size_t n = f ? fread(text, 1, sizeof(text) - 1, f) : 0;
    if (f) {
        fclose(f);
    }
    text[n] = '\0';
    char *after_comm = strrchr(text, ')'); /* the command name may hold spaces and parens */
    unsigned long utime, stime, vsz;
    unsigned long long start;
    long rss;
    if (!after_comm || sscanf(after_comm + 2,
                              "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu %*d %*d %*d "
                              "%*d %*d %*d %llu %lu %ld",
                              &utime, &stime, &start, &vsz, &rss) != 5) {
        return -1;
    }
    double ticks = (double)sysconf(_SC_CLK_TCK);
    *cpu_s = (double)(utime + stime) / ticks;
    *start_ticks = (double)start / ticks;
    *vsize = (double)vsz;
    *rss_pages = (double)rss;
    return 0;
}

/* Boot time in seconds since the epoch, from /proc/stat's btime; -1 unknown. */
static double boot_time(void)
{
    char line[256];
    double btime = -1;
    FILE *f = fopen("/proc/stat", "r");
    while (f && btime < 0 && fgets(line, sizeof(line), f)) {
        unsigned long long v;
        if (sscanf(line, "btime %llu", &v) == 1) {
            btime = (double)v;
        }
    }
    if (f) {
        fclose(f);
    }
    return btime;
}

static double open_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    if (!d) {
        return -1;
    }
    double n = 0;
    for (struct dirent *e; (e = readdir(d));) {
        n += e->d_name[0] != '.';
    }
    closedir(d);
    return n - 1; /* the directory stream itself */
}

static int render_gauge(struct rf_buf *out, const char *name, const char *type, const char *help,
                        double value)
{
    if (value < 0) {
        return 0;
    }
    int rc = rf_http_render_family(out, name, type, help);
    return rc == 0 ? rf_buf_printf(out, "%s %.15g\n", name, value) : rc;
}

int rf_http_render_process(struct rf_buf *out)
{
    double cpu = -1, start = -1, vsize = -1, rss = -1, boot = boot_time();
    struct rlimit lim;
    double max_fds = getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur != RLIM_INFINITY
                         ? (double)lim.rlim_cur
                         : -1;
    if (read_self_stat(&cpu, &start, &vsize, &rss) == 0) {
        rss *= (double)sysconf(_SC_PAGESIZE);
        start = boot >= 0 ? boot + start : -1;
    }
    int rc = render_gauge(out, "process_cpu_seconds_total", "counter",
                          "Total user and system CPU time spent in seconds.", cpu);
    rc = rc ? rc
            : render_gauge(out, "process_resident_memory_bytes", "gauge",
                           "Resident memory size in bytes.", rss);
    rc = rc ? rc
            : render_gauge(out, "process_virtual_memory_bytes", "gauge",
                           "Virtual memory size in bytes.", vsize);
    rc = rc ? rc
            : render_gauge(out, "process_start_time_seconds", "gauge",
                           "Start time of the process since unix epoch in seconds.", start);
    rc = rc ? rc
            : render_gauge(out, "process_open_fds", "gauge", "Number of open file descriptors.",
                           open_fds());
    return rc ? rc
              : render_gauge(out, "process_max_fds", "gauge",
                             "Maximum number of open file descriptors.", max_fds);
}

int rf_http_render_metrics(struct rf_buf *out, const struct rf_metric *metrics, size_t cnt)
{
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < cnt; i++) {
        const struct rf_metric *m = &metrics[i];
        size_t fam = family_len(m);
        bool same_family = i > 0 && family_len(&metrics[i - 1]) == fam &&
                           strncmp(metrics[i - 1].name, m->name, fam) == 0 &&
                           strcmp(metrics[i - 1].type, m->type) == 0;
        if (!same_family) {
            char family[256];
            snprintf(family, sizeof(family), "%.*s", (int)fam, m->name);
            rc = rf_http_render_family(out, family, m->type, m->help);
        }
        rc = rc ? rc : rf_buf_printf(out, "%s %.15g\n", m->name, m->value);
    }
    return rc ? rc : rf_http_render_process(out);
}

void rf_http_publish_metrics(struct rf_http *http, const struct rf_metric *metrics, size_t cnt)
{
    if (!http) {
        return;
    }
    struct rf_buf out = RF_BUF_INIT;
    if (rf_http_render_metrics(&out, metrics, cnt) == 0 && out.data) {
        rf_http_publish(http, out.data, out.len);
    }
    rf_buf_release(&out);
}
