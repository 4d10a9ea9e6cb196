/* http.c - /metrics and /healthz on libmicrohttpd. */
#include "reportflow/http.h"

#include <arpa/inet.h>
#include <stdbool.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>

#include "reportflow/buf.h"
#include "reportflow/fsutil.h"

#define STALE_AFTER_MS 30000 /* /healthz fails when the program stopped publishing */

struct rf_http {
    struct MHD_Daemon *daemon;
    pthread_mutex_t lock;   /* guards text, len, published_ms */
    char *text;             /* the latest /metrics body */
    size_t len;
    int64_t published_ms;   /* monotonic time of the latest publish */
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
    pthread_mutex_lock(&http->lock);
    bool fresh = http->text && rf_clock_mono_ms() - http->published_ms < STALE_AFTER_MS;
    char *copy = strcmp(url, "/metrics") == 0 && http->text ? strndup(http->text, http->len) : NULL;
    size_t len = copy ? http->len : 0;
    pthread_mutex_unlock(&http->lock);
    if (strcmp(url, "/metrics") == 0) {
        return copy ? respond(conn, MHD_HTTP_OK, "text/plain; version=0.0.4", copy, len)
                    : respond(conn, MHD_HTTP_SERVICE_UNAVAILABLE, "text/plain",
                              strdup("starting\n"), 9);
    }
    if (strcmp(url, "/healthz") == 0) {
        return fresh ? respond(conn, MHD_HTTP_OK, "text/plain", strdup("ok\n"), 3)
                     : respond(conn, MHD_HTTP_SERVICE_UNAVAILABLE, "text/plain",
                               strdup("stale\n"), 6);
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
    http->daemon = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, ntohs(addr.sin_port), NULL,
                                    NULL, handle, http, MHD_OPTION_SOCK_ADDR,
                                    (struct sockaddr *)&addr, MHD_OPTION_END);
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
    free(http);
}

void rf_http_publish_metrics(struct rf_http *http, const struct rf_metric *metrics, size_t cnt)
{
    if (!http) {
        return;
    }
    struct rf_buf out = RF_BUF_INIT;
    for (size_t i = 0; i < cnt; i++) {
        const struct rf_metric *m = &metrics[i];
        rf_buf_printf(&out, "# HELP %s %s\n# TYPE %s %s\n%s %.15g\n", m->name, m->help, m->name,
                      m->type, m->name, m->value);
    }
    if (out.data) {
        rf_http_publish(http, out.data, out.len);
    }
    rf_buf_release(&out);
}
