/*
 * http.h - /metrics (Prometheus text) and /healthz for a program, when
 * metrics.listen is set. The program renders its metrics in its own thread
 * and publishes the text; the server thread only hands out the latest copy,
 * so no counter is ever shared between threads.
 */
#ifndef RF_HTTP_H
#define RF_HTTP_H

#include <stddef.h>

struct rf_http;

/**
 * Serve on @p listen ("host:port" or ":port"). @returns a server (stop with
 * rf_http_stop()), or NULL with a message naming the address in @p errstr.
 */
struct rf_http *rf_http_start(const char *listen, char *errstr, size_t errstr_size);

/** Replace the text served at /metrics; /healthz answers 200 while publishes keep coming. */
void rf_http_publish(struct rf_http *http, const char *text, size_t len);

/** Stop serving and free. NULL-safe. */
void rf_http_stop(struct rf_http *http);

/** One unlabelled metric of a program. */
struct rf_metric {
    const char *name;  /* reportflow_... */
    const char *type;  /* "counter" or "gauge" */
    const char *help;  /* one line */
    double value;
};

/** Render @p metrics as Prometheus text (HELP, TYPE, value) and publish it. NULL @p http: no-op. */
void rf_http_publish_metrics(struct rf_http *http, const struct rf_metric *metrics, size_t cnt);

#endif
