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

/** Replace the HTML page served at / (404 until the first call). NULL @p http: no-op. */
void rf_http_publish_page(struct rf_http *http, const char *html, size_t len);

/** Stop serving and free. NULL-safe. */
void rf_http_stop(struct rf_http *http);

/**
 * One unlabelled metric of a program. A summary without quantiles is two
 * entries in a row, NAME_sum and NAME_count, both of type "summary": they
 * share one HELP and TYPE line for NAME.
 */
struct rf_metric {
    const char *name; /* reportflow_...; counters end in _total */
    const char *type; /* "counter", "gauge" or "summary" */
    const char *help; /* one line; escaped when rendered */
    double value;
};

/**
 * Render @p metrics as Prometheus text (HELP, TYPE, value), add the process_*
 * metrics (rf_http_render_process()) and publish it. NULL @p http: no-op.
 */
void rf_http_publish_metrics(struct rf_http *http, const struct rf_metric *metrics, size_t cnt);

struct rf_buf;

/** Append @p metrics as rf_http_publish_metrics() publishes them. @returns 0, -1 ENOMEM. */
int rf_http_render_metrics(struct rf_buf *out, const struct rf_metric *metrics, size_t cnt);

/** Append @p value escaped for a label value in Prometheus text: backslash, quote, newline. */
int rf_http_escape_label(struct rf_buf *out, const char *value);

/** Append "# HELP" (with @p help escaped: backslash, newline) and "# TYPE" lines for @p name. */
int rf_http_render_family(struct rf_buf *out, const char *name, const char *type, const char *help);

/**
 * Append the process_* metrics client libraries export, read from /proc/self:
 * process_cpu_seconds_total, process_resident_memory_bytes,
 * process_virtual_memory_bytes, process_start_time_seconds, process_open_fds,
 * process_max_fds. A value that cannot be read is left out. @returns 0, -1 ENOMEM.
 */
int rf_http_render_process(struct rf_buf *out);

#endif
