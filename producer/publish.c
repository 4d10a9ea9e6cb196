/* publish.c - send inbox files to Kafka, archive after the delivery report. */
#include "publish.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <librdkafka/rdkafka.h>

#include "reportflow/fsutil.h"
#include "reportflow/headers.h"
#include "reportflow/kafka.h"
#include "reportflow/log.h"
#include "reportflow/run.h"
#include "reportflow/sha256.h"
#include "reportflow/strset.h"

#define COMPONENT "publish"

enum send_kind { SEND_RAW, SEND_FAILED };

/* One file between produce and its delivery report; the message's opaque. */
struct inflight {
    struct publisher *p;   /* back pointer for the delivery callback */
    enum send_kind kind;   /* raw record, or the DLQ record of a failed file */
    char *rel;             /* path relative to the inbox, owned */
    size_t size;           /* bytes sent */
    int64_t started_ms;    /* monotonic time of the read */
    char code[32];         /* SEND_FAILED: error code */
    char reason[512];      /* SEND_FAILED: error text */
};

struct publisher {
    const struct rf_config *cfg; /* borrowed */
    rd_kafka_t *rk;              /* idempotent producer */
    struct rf_strset known;      /* queued or in flight, by relative path */
    char **queue;                /* FIFO of relative paths (owned) */
    size_t q_head, q_tail, q_cap;
    struct publish_stats stats;
};

static void inbox_path(const struct publisher *p, const char *rel, char *out, size_t out_size)
{
    snprintf(out, out_size, "%s/%s", p->cfg->watch_dir, rel);
}

/* done/2026-11-22/sub/a.txt: a dated folder, the inbox's subfolders kept. */
static int archive_file(struct publisher *p, const char *rel)
{
    char src[PATH_MAX], dir[PATH_MAX], final[PATH_MAX * 2];
    inbox_path(p, rel, src, sizeof(src));
    if (strcmp(p->cfg->archive_mode, "delete") == 0) {
        return unlink(src);
    }
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    char day[16];
    strftime(day, sizeof(day), "%Y-%m-%d", &tm);
    const char *slash = strrchr(rel, '/');
    if (slash) {
        snprintf(dir, sizeof(dir), "%s/%s/%.*s", p->cfg->archive_dir, day, (int)(slash - rel), rel);
    } else {
        snprintf(dir, sizeof(dir), "%s/%s", p->cfg->archive_dir, day);
    }
    return rf_fs_move_unique(src, dir, slash ? slash + 1 : rel, final, sizeof(final));
}

static int fail_file(struct publisher *p, const struct inflight *f)
{
    char src[PATH_MAX], final[PATH_MAX * 2], sidecar[PATH_MAX * 2 + 8], when[40];
    inbox_path(p, f->rel, src, sizeof(src));
    const char *slash = strrchr(f->rel, '/');
    char dir[PATH_MAX];
    if (slash) {
        snprintf(dir, sizeof(dir), "%s/%.*s", p->cfg->failed_dir, (int)(slash - f->rel), f->rel);
    } else {
        snprintf(dir, sizeof(dir), "%s", p->cfg->failed_dir);
    }
    if (rf_fs_move_unique(src, dir, slash ? slash + 1 : f->rel, final, sizeof(final)) != 0) {
        return -1;
    }
    rf_clock_format(rf_clock_now_ms(), when, sizeof(when));
    char body[1024];
    int n = snprintf(body, sizeof(body), "stage=producer\nerror=%s\nreason=%s\ntime=%s\n", f->code,
                     f->reason, when);
    snprintf(sidecar, sizeof(sidecar), "%s.error", final);
    return rf_fs_write_atomic(sidecar, body, (size_t)n);
}

static void requeue(struct publisher *p, const char *rel);

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *msg, void *opaque)
{
    (void)rk;
    (void)opaque;
    struct inflight *f = msg->_private;
    struct publisher *p = f->p;
    p->stats.inflight--;
    p->stats.inflight_bytes -= f->size;
    if (msg->err) {
        /* with message.timeout.ms=0 only permanent errors get here, e.g. a record too large */
        rf_error(COMPONENT, "'%s' not delivered: %s", f->rel, rd_kafka_err2str(msg->err));
        if (msg->err == RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE && f->kind == SEND_RAW) {
            /* leave it for an operator: the broker rejects its size */
            rf_strset_remove(&p->known, f->rel);
        } else {
            p->stats.retried++;
            requeue(p, f->rel);
        }
    } else if (f->kind == SEND_RAW) {
        if (archive_file(p, f->rel) != 0) {
            rf_error(COMPONENT, "'%s' delivered but cannot be archived: %s", f->rel,
                     strerror(errno));
        }
        int64_t latency = rf_clock_mono_ms() - f->started_ms;
        p->stats.sent++;
        p->stats.bytes_sent += f->size;
        p->stats.latency_ms_total += (uint64_t)latency;
        if ((uint64_t)latency > p->stats.latency_ms_max) {
            p->stats.latency_ms_max = (uint64_t)latency;
        }
        rf_debug(COMPONENT, "'%s' delivered to partition %d offset %lld", f->rel, msg->partition,
                 (long long)msg->offset);
        rf_strset_remove(&p->known, f->rel);
    } else {
        if (fail_file(p, f) != 0) {
            rf_error(COMPONENT, "cannot move '%s' to '%s': %s", f->rel, p->cfg->failed_dir,
                     strerror(errno));
        }
        p->stats.failed++;
        rf_strset_remove(&p->known, f->rel);
    }
    free(f->rel);
    free(f);
}

struct publisher *publisher_new(const struct rf_config *cfg, char *errstr, size_t errstr_size)
{
    struct publisher *p = calloc(1, sizeof(*p));
    if (!p) {
        snprintf(errstr, errstr_size, "out of memory");
        return NULL;
    }
    p->cfg = cfg;
    rf_strset_init(&p->known);
    p->rk = rf_kafka_producer_new(cfg, p, on_delivery, errstr, errstr_size);
    if (!p->rk) {
        publisher_free(p);
        return NULL;
    }
    const char *const topics[] = {cfg->topic_raw, cfg->topic_dlq};
    rf_kafka_warm_topics(p->rk, topics, 2, 5000);
    return p;
}

static int queue_push(struct publisher *p, const char *rel)
{
    if (p->q_tail == p->q_cap) {
        if (p->q_head > 0) {
            memmove(p->queue, p->queue + p->q_head, (p->q_tail - p->q_head) * sizeof(char *));
            p->q_tail -= p->q_head;
            p->q_head = 0;
        }
        if (p->q_tail == p->q_cap) {
            size_t cap = p->q_cap ? p->q_cap * 2 : 256;
            char **grown = realloc(p->queue, cap * sizeof(char *));
            if (!grown) {
                return -1;
            }
            p->queue = grown;
            p->q_cap = cap;
        }
    }
    p->queue[p->q_tail] = strdup(rel);
    if (!p->queue[p->q_tail]) {
        return -1;
    }
    p->q_tail++;
    p->stats.queued++;
    return 0;
}

static void requeue(struct publisher *p, const char *rel)
{
    if (queue_push(p, rel) != 0) {
        rf_error(COMPONENT, "out of memory queueing '%s'; it stays in the inbox", rel);
        rf_strset_remove(&p->known, rel);
    }
}

void publisher_offer(struct publisher *p, const char *rel_path)
{
    int added = rf_strset_add(&p->known, rel_path);
    if (added <= 0) {
        return; /* already queued or in flight (or ENOMEM: a later scan finds it) */
    }
    p->stats.seen++;
    if (queue_push(p, rel_path) != 0) {
        rf_strset_remove(&p->known, rel_path);
    }
}

static void add_header(rd_kafka_headers_t *h, const char *name, const char *value)
{
    rd_kafka_header_add(h, name, -1, value, -1);
}

/* Produce @p data (taken: freed by librdkafka or here). @returns 0, 1 queue full, -1 error. */
static int produce_file(struct publisher *p, struct inflight *f, const char *topic, char *data,
                        size_t len, rd_kafka_headers_t *hdrs)
{
    char key[RF_SHA256_HEX_LEN + 1];
    if (rf_sha256_hex(data, len, key) != 0) {
        rf_error(COMPONENT, "cannot hash '%s': libcrypto's SHA-256 failed", f->rel);
        free(data);
        rd_kafka_headers_destroy(hdrs);
        return -1;
    }
    rd_kafka_resp_err_t err = rd_kafka_producev(
        p->rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_KEY(key, RF_SHA256_HEX_LEN),
        RD_KAFKA_V_VALUE(data, len), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_FREE),
        RD_KAFKA_V_HEADERS(hdrs), RD_KAFKA_V_OPAQUE(f), RD_KAFKA_V_END);
    if (err) {
        free(data);
        rd_kafka_headers_destroy(hdrs);
        if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
            return 1;
        }
        rf_error(COMPONENT, "cannot produce '%s': %s", f->rel, rd_kafka_err2str(err));
        return -1;
    }
    p->stats.inflight++;
    p->stats.inflight_bytes += len;
    return 0;
}

static rd_kafka_headers_t *raw_headers(const char *rel, size_t size, const struct stat *st)
{
    char num[32], mtime[40], dropped[40];
    rd_kafka_headers_t *h = rd_kafka_headers_new(4);
    snprintf(num, sizeof(num), "%zu", size);
    rf_clock_format((int64_t)st->st_mtim.tv_sec * 1000 + st->st_mtim.tv_nsec / 1000000, mtime,
                    sizeof(mtime));
    rf_clock_format(rf_clock_now_ms(), dropped, sizeof(dropped));
    add_header(h, RF_HDR_FILE_NAME, rel);
    add_header(h, RF_HDR_FILE_SIZE, num);
    add_header(h, RF_HDR_FILE_MTIME, mtime);
    add_header(h, RF_HDR_DROPPED_AT, dropped);
    return h;
}

static rd_kafka_headers_t *dlq_headers(const struct inflight *f)
{
    rd_kafka_headers_t *h = rd_kafka_headers_new(5);
    add_header(h, RF_HDR_STAGE, "producer");
    add_header(h, RF_HDR_ERROR_CODE, f->code);
    add_header(h, RF_HDR_ERROR_TEXT, f->reason);
    add_header(h, RF_HDR_ATTEMPT, "1");
    add_header(h, RF_HDR_FILE_NAME, f->rel);
    return h;
}

/* Read and send one file. @returns 0 sent or dropped, 1 queue full (retry later), -1 fatal. */
static int send_one(struct publisher *p, const char *rel)
{
    char path[PATH_MAX];
    inbox_path(p, rel, path, sizeof(path));
    struct stat st;
    memset(&st, 0, sizeof(st));
    struct inflight *f = calloc(1, sizeof(*f));
    if (!f || !(f->rel = strdup(rel))) {
        free(f);
        return -1;
    }
    f->p = p;
    f->started_ms = rf_clock_mono_ms();
    char *data = NULL;
    size_t len = 0;
    enum rf_read_result rr = rf_fs_read_file_stat(path, (size_t)p->cfg->max_file_bytes, &data,
                                                  &len, &st, f->reason, sizeof(f->reason));
    int rc;
    if (rr == RF_READ_GONE) {
        rf_debug(COMPONENT, "'%s' vanished before it was read", rel);
        rf_strset_remove(&p->known, rel);
        free(f->rel);
        free(f);
        return 0;
    }
    if (rr == RF_READ_OK && len > 0) {
        f->kind = SEND_RAW;
        f->size = len;
        rc = produce_file(p, f, p->cfg->topic_raw, data, len, raw_headers(rel, len, &st));
    } else {
        f->kind = SEND_FAILED;
        snprintf(f->code, sizeof(f->code), "%s",
                 rr == RF_READ_TOO_BIG ? "too-large" : rr == RF_READ_OK ? "empty-file" : "unreadable");
        if (rr == RF_READ_OK) {
            snprintf(f->reason, sizeof(f->reason), "'%s' is empty", rel);
        }
        rf_warn(COMPONENT, "'%s' cannot be sent (%s): %s", rel, f->code, f->reason);
        free(data); /* the DLQ record carries no bytes: none, or too many */
        rc = produce_file(p, f, p->cfg->topic_dlq, NULL, 0, dlq_headers(f));
    }
    if (rc != 0) {
        free(f->rel);
        free(f);
    }
    return rc;
}

int publisher_pump(struct publisher *p)
{
    while (p->q_head < p->q_tail && !rf_kafka_fatal(p->rk)) {
        if (p->stats.inflight >= (size_t)p->cfg->max_inflight_files ||
            p->stats.inflight_bytes >= (size_t)p->cfg->max_inflight_bytes) {
            /* at the bound: wait for delivery reports instead of spinning */
            rd_kafka_poll(p->rk, 5);
            return 0;
        }
        char *rel = p->queue[p->q_head];
        int rc = send_one(p, rel);
        if (rc == 1) {
            rd_kafka_poll(p->rk, 100); /* local queue full: let deliveries drain */
            return 0;
        }
        p->q_head++;
        p->stats.queued--;
        free(rel);
        if (rc < 0) {
            return -1;
        }
    }
    return rf_kafka_fatal(p->rk) ? -1 : 0;
}

void publisher_poll(struct publisher *p, int timeout_ms)
{
    rd_kafka_poll(p->rk, timeout_ms);
}

size_t publisher_drain(struct publisher *p, int64_t timeout_ms)
{
    int64_t deadline = rf_clock_mono_ms() + timeout_ms;
    while (p->stats.inflight > 0 && rf_clock_mono_ms() < deadline && !rf_run_hurry()) {
        rd_kafka_poll(p->rk, 100);
    }
    return p->stats.inflight;
}

bool publisher_failed(const struct publisher *p)
{
    return rf_kafka_fatal(p->rk);
}

const struct publish_stats *publisher_stats(const struct publisher *p)
{
    return &p->stats;
}

void publisher_free(struct publisher *p)
{
    if (!p) {
        return;
    }
    if (p->rk) {
        /* unacknowledged files stay in the inbox; purge so destroy does not wait */
        rd_kafka_purge(p->rk, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
        rd_kafka_poll(p->rk, 0);
        rd_kafka_destroy(p->rk);
    }
    for (size_t i = p->q_head; i < p->q_tail; i++) {
        free(p->queue[i]);
    }
    free(p->queue);
    rf_strset_release(&p->known);
    free(p);
}
