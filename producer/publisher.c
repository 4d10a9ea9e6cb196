/* publisher.c - send inbox files to Kafka, archive after the delivery report. */
#include "publisher.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <librdkafka/rdkafka.h>

#include "reportflow/clock.h"
#include "reportflow/fs.h"
#include "reportflow/headers.h"
#include "reportflow/kafka.h"
#include "reportflow/log.h"
#include "reportflow/utf8.h"
#include "reportflow/run.h"
#include "reportflow/sha256.h"
#include "reportflow/strset.h"
#include "reportflow/vec.h"

#define COMPONENT "publish"

/* Longest text header value: the worker and the sink read headers into 512-byte buffers. */
#define HEADER_TEXT_MAX 500

enum send_kind { SEND_RAW, SEND_FAILED };

/* One file between produce and its delivery report; the message's opaque. */
struct inflight {
    struct publisher *p; /* back pointer for the delivery callback */
    enum send_kind kind; /* raw record, or the DLQ record of a failed file */
    char *rel;           /* path relative to the inbox, owned */
    size_t size;         /* bytes sent */
    struct stat st;      /* the version read (lstat for what was never opened) */
    bool have_st;        /* st is known */
    int64_t started_ms;  /* monotonic time of the read */
    char code[32];       /* SEND_FAILED: error code */
    char reason[512];    /* SEND_FAILED: error text, valid UTF-8 */
};

struct publisher {
    const struct rf_config *cfg; /* borrowed */
    rd_kafka_t *rk;              /* idempotent producer */
    struct rf_strset known;      /* queued or in flight, by relative path */
    char **queue;                /* FIFO of relative paths (owned) */
    size_t q_head, q_tail, q_cap;
    struct inflight **refused; /* refused by the broker, their dead letters not yet produced */
    size_t refused_cnt, refused_cap;
    struct rf_strset dirty; /* folders with renames not yet fsynced */
    struct publish_stats stats;
};

static int inbox_path(const struct publisher *p, const char *rel, char *out, size_t out_size)
{
    if (rf_fs_join(out, out_size, p->cfg->watch_dir, rel) != 0) {
        rf_error(COMPONENT, "path of '%s' in '%s' is longer than %zu bytes", rel, p->cfg->watch_dir,
                 out_size - 1);
        return -1;
    }
    return 0;
}

/* Where a file of the inbox lands under @p base: its subfolders kept, @p day between. */
static int target_dir(const char *base, const char *day, const char *rel, char *out,
                      size_t out_size)
{
    const char *slash = strrchr(rel, '/');
    int n = snprintf(out, out_size, "%s%s%s%s%.*s", base, day ? "/" : "", day ? day : "",
                     slash ? "/" : "", slash ? (int)(slash - rel) : 0, rel);
    if (n < 0 || (size_t)n >= out_size) {
        rf_error(COMPONENT, "cannot archive '%s': the path under '%s' is longer than %zu bytes",
                 rel, base, out_size - 1);
        errno = ENAMETOOLONG;
        return -1;
    }
    return 0;
}

static const char *base_name(const char *rel)
{
    const char *slash = strrchr(rel, '/');
    return slash ? slash + 1 : rel;
}

/* Remember the folder holding @p path for the next sync_dirty(). */
static void mark_dirty(struct publisher *p, const char *path)
{
    char dir[PATH_MAX];
    const char *slash = strrchr(path, '/');
    size_t len = slash ? (size_t)(slash - path) : 0;
    if (len == 0 || len >= sizeof(dir)) {
        return;
    }
    memcpy(dir, path, len);
    dir[len] = '\0';
    if (rf_strset_add(&p->dirty, dir) < 0) {
        rf_fs_sync_dir(dir); /* no room to batch it: sync it now */
    }
}

/*
 * fsync every folder a rename touched since the last call: once per batch of
 * delivery reports, not twice per file. A rename lost in a crash before this
 * leaves the file in the inbox, to be sent again (idempotent), never lost.
 */
static void sync_dirty(struct publisher *p)
{
    size_t pos = 0;
    for (const char *dir = rf_strset_next(&p->dirty, &pos); dir;
         dir = rf_strset_next(&p->dirty, &pos)) {
        if (rf_fs_sync_dir(dir) != 0) {
            rf_warn(COMPONENT, "cannot fsync folder '%s': %s", dir, strerror(errno));
        }
    }
    rf_strset_release(&p->dirty);
    rf_strset_init(&p->dirty);
}

/* done/2026-11-22/sub/a.txt: a dated folder, the inbox's subfolders kept. */
static int archive_file(struct publisher *p, const char *rel)
{
    char src[PATH_MAX], dir[PATH_MAX], final[PATH_MAX];
    if (inbox_path(p, rel, src, sizeof(src)) != 0) {
        return -1;
    }
    if (strcmp(p->cfg->archive_mode, "delete") == 0) {
        if (unlink(src) != 0) {
            return -1;
        }
        mark_dirty(p, src);
        return 0;
    }
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    char day[16];
    strftime(day, sizeof(day), "%Y-%m-%d", &tm);
    if (target_dir(p->cfg->archive_dir, day, rel, dir, sizeof(dir)) != 0) {
        return -1;
    }
    if (rf_fs_move_unique(src, dir, base_name(rel), final, sizeof(final)) != 0) {
        return -1;
    }
    mark_dirty(p, src);
    mark_dirty(p, final);
    return 0;
}

/* The .error sidecar: logfmt lines, values quoted and escaped like log lines. */
static size_t sidecar_text(const struct inflight *f, char *out, size_t out_size)
{
    char when[40], name[PATH_MAX * 4 + 4], reason[sizeof(f->reason) * 4 + 4];
    rf_clock_format(rf_clock_now_ms(), when, sizeof(when));
    rf_log_escape(f->rel, strlen(f->rel), name, sizeof(name));
    rf_log_escape(f->reason, strlen(f->reason), reason, sizeof(reason));
    int n =
        snprintf(out, out_size, "stage=producer\nerror=%s\nreason=\"%s\"\nfile=\"%s\"\ntime=%s\n",
                 f->code, reason, name, when);
    return n < 0 ? 0 : (size_t)n < out_size ? (size_t)n : out_size - 1;
}

static int fail_file(struct publisher *p, const struct inflight *f)
{
    char src[PATH_MAX], dir[PATH_MAX], final[PATH_MAX];
    if (inbox_path(p, f->rel, src, sizeof(src)) != 0 ||
        target_dir(p->cfg->failed_dir, NULL, f->rel, dir, sizeof(dir)) != 0) {
        return -1;
    }
    char *body = malloc(PATH_MAX * 4 + 4096);
    if (!body) {
        return -1;
    }
    size_t len = sidecar_text(f, body, PATH_MAX * 4 + 4096);
    int rc = rf_fs_move_unique_with_sidecar(src, dir, base_name(f->rel), ".error", body, len, final,
                                            sizeof(final));
    free(body);
    return rc;
}

/* What is at f->rel in the inbox now, compared with the version f read. */
enum inbox_look { INBOX_SAME, INBOX_CHANGED, INBOX_GONE };

/* One lstat answers both questions: is it still there, and is it what was read? */
static enum inbox_look inbox_look(const struct publisher *p, const struct inflight *f)
{
    char path[PATH_MAX];
    struct stat now;
    if (inbox_path(p, f->rel, path, sizeof(path)) != 0 || lstat(path, &now) != 0) {
        return INBOX_GONE;
    }
    return f->have_st && rf_fs_same_version(&f->st, &now) ? INBOX_SAME : INBOX_CHANGED;
}

static void requeue(struct publisher *p, const char *rel);

/* f->reason from a format: valid UTF-8, cut at a character boundary. */
static void set_reason(struct inflight *f, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void set_reason(struct inflight *f, const char *fmt, ...)
{
    char text[PATH_MAX + 1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    rf_utf8_lossy(text, strlen(text), f->reason, sizeof(f->reason));
}

static void inflight_free(struct inflight *f)
{
    if (f) {
        free(f->rel);
        free(f);
    }
}

/* Forget a file: no longer queued or in flight. */
static void settle(struct publisher *p, struct inflight *f)
{
    rf_strset_remove(&p->known, f->rel);
    inflight_free(f);
}

/*
 * The broker refused the record for good (too large): the file becomes a
 * failure with a dead letter, produced from publisher_pump() (not from inside
 * the delivery callback); sending it again would fail again at every rescan.
 */
static void refuse(struct publisher *p, struct inflight *f, const char *code, const char *why)
{
    struct inflight **grown =
        rf_vec_reserve(p->refused, &p->refused_cap, p->refused_cnt, 1, sizeof(*grown));
    if (!grown) {
        rf_error(COMPONENT, "out of memory recording '%s' as refused; it stays in the inbox",
                 f->rel);
        settle(p, f);
        return;
    }
    p->refused = grown;
    f->kind = SEND_FAILED;
    snprintf(f->code, sizeof(f->code), "%s", code);
    set_reason(f, "'%s' (%zu bytes) cannot be sent: %s", f->rel, f->size, why);
    rf_warn(COMPONENT, "'%s' cannot be sent (%s): %s", f->rel, f->code, f->reason);
    f->size = 0;
    p->refused[p->refused_cnt++] = f;
    p->stats.queued++; /* its dead letter waits to be sent */
}

static void raw_delivered(struct publisher *p, struct inflight *f, const rd_kafka_message_t *msg)
{
    int64_t latency = rf_clock_mono_ms() - f->started_ms;
    p->stats.sent++;
    p->stats.bytes_sent += f->size;
    p->stats.latency_ms_total += (uint64_t)latency;
    if ((uint64_t)latency > p->stats.latency_ms_max) {
        p->stats.latency_ms_max = (uint64_t)latency;
    }
    rf_debug(COMPONENT, "'%s' delivered to partition %d offset %lld", f->rel, msg->partition,
             (long long)msg->offset);
    /* a replacement renamed in between this look and the rename below (microseconds)
       would be archived unsent; closing that needs a staging rename, not done yet */
    enum inbox_look look = inbox_look(p, f);
    if (look == INBOX_SAME) {
        if (archive_file(p, f->rel) != 0) {
            rf_error(COMPONENT, "'%s' delivered but cannot be archived: %s", f->rel,
                     strerror(errno));
        }
        settle(p, f);
    } else if (look == INBOX_CHANGED) {
        /* replaced or rewritten while in flight: what was sent is safe, send what is there now */
        rf_info(COMPONENT, "'%s' changed while in flight; sending the new version", f->rel);
        p->stats.replaced++;
        requeue(p, f->rel);
        inflight_free(f);
    } else {
        rf_info(COMPONENT, "'%s' left the inbox while in flight; nothing to archive", f->rel);
        settle(p, f);
    }
}

static void failed_delivered(struct publisher *p, struct inflight *f)
{
    if (f->have_st && inbox_look(p, f) == INBOX_CHANGED) {
        /* a new version took its place: that one gets its own chance */
        rf_info(COMPONENT, "'%s' changed after it failed; trying the new version", f->rel);
        p->stats.replaced++;
        requeue(p, f->rel);
        inflight_free(f);
        return;
    }
    if (fail_file(p, f) != 0) {
        rf_error(COMPONENT, "cannot move '%s' to '%s': %s", f->rel, p->cfg->failed_dir,
                 strerror(errno));
    }
    p->stats.failed++;
    settle(p, f);
}

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *msg, void *opaque)
{
    (void)rk;
    (void)opaque;
    struct inflight *f = msg->_private;
    struct publisher *p = f->p;
    p->stats.inflight--;
    p->stats.inflight_bytes -= f->size;
    if (msg->err == RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE && f->kind == SEND_RAW) {
        char why[256];
        snprintf(why, sizeof(why), "the broker refused it: %s", rd_kafka_err2str(msg->err));
        refuse(p, f, "too-large", why);
    } else if (msg->err) {
        /* with message.timeout.ms=0 only permanent errors get here */
        rf_error(COMPONENT, "'%s' not delivered: %s", f->rel, rd_kafka_err2str(msg->err));
        p->stats.retried++;
        requeue(p, f->rel);
        inflight_free(f);
    } else if (f->kind == SEND_RAW) {
        raw_delivered(p, f, msg);
    } else {
        failed_delivered(p, f);
    }
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
    rf_strset_init(&p->dirty);
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
        char **grown = rf_vec_reserve(p->queue, &p->q_cap, p->q_tail, 1, sizeof(*grown));
        if (!grown) {
            return -1;
        }
        p->queue = grown;
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

/* Text headers are valid UTF-8 (invalid bytes as U+FFFD), cut at a character boundary. */
static void add_text_header(rd_kafka_headers_t *h, const char *name, const char *value)
{
    char safe[HEADER_TEXT_MAX + 1];
    rf_utf8_lossy(value, strlen(value), safe, sizeof(safe));
    rd_kafka_header_add(h, name, -1, safe, -1);
}

/*
 * Produce @p data (taken: freed by librdkafka or here).
 * @returns 0, 1 queue full, 2 too large for message.max.bytes, -1 error.
 */
static int produce_file(struct publisher *p, struct inflight *f, const char *topic, char *data,
                        size_t len, rd_kafka_headers_t *hdrs)
{
    char key[RF_SHA256_HEX_LEN + 1];
    if (!hdrs) {
        free(data);
        rf_error(COMPONENT, "cannot produce '%s': out of memory for its headers", f->rel);
        return -1;
    }
    if (rf_sha256_hex(data, len, key) != 0) {
        rf_error(COMPONENT, "cannot hash '%s': libcrypto's SHA-256 failed", f->rel);
        free(data);
        rd_kafka_headers_destroy(hdrs);
        return -1;
    }
    rd_kafka_resp_err_t err =
        rd_kafka_producev(p->rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_KEY(key, RF_SHA256_HEX_LEN),
                          RD_KAFKA_V_VALUE(data, len), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_FREE),
                          RD_KAFKA_V_HEADERS(hdrs), RD_KAFKA_V_OPAQUE(f), RD_KAFKA_V_END);
    if (err) {
        free(data);
        rd_kafka_headers_destroy(hdrs);
        if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
            return 1;
        }
        if (err == RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE) {
            return 2; /* over message.max.bytes: refused before it left */
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
    char num[32], mtime[40], dropped[40], raw[PATH_MAX * 3 + 1];
    rd_kafka_headers_t *h = rd_kafka_headers_new(5);
    if (!h) {
        return NULL;
    }
    snprintf(num, sizeof(num), "%zu", size);
    rf_clock_format((int64_t)st->st_mtim.tv_sec * 1000 + st->st_mtim.tv_nsec / 1000000, mtime,
                    sizeof(mtime));
    rf_clock_format(rf_clock_now_ms(), dropped, sizeof(dropped));
    add_text_header(h, RF_HDR_FILE_NAME, rel);
    rf_fs_name_escape(rel, raw, sizeof(raw));
    rd_kafka_header_add(h, RF_HDR_FILE_NAME_RAW, -1, raw, -1);
    add_text_header(h, RF_HDR_FILE_SIZE, num);
    add_text_header(h, RF_HDR_FILE_MTIME, mtime);
    add_text_header(h, RF_HDR_DROPPED_AT, dropped);
    return h;
}

static rd_kafka_headers_t *dlq_headers(const struct inflight *f)
{
    char raw[PATH_MAX * 3 + 1];
    rd_kafka_headers_t *h = rd_kafka_headers_new(6);
    if (!h) {
        return NULL;
    }
    add_text_header(h, RF_HDR_STAGE, "producer");
    add_text_header(h, RF_HDR_ERROR_CODE, f->code);
    add_text_header(h, RF_HDR_ERROR_TEXT, f->reason);
    add_text_header(h, RF_HDR_ATTEMPT, "1");
    add_text_header(h, RF_HDR_FILE_NAME, f->rel);
    rf_fs_name_escape(f->rel, raw, sizeof(raw));
    rd_kafka_header_add(h, RF_HDR_FILE_NAME_RAW, -1, raw, -1);
    return h;
}

/* The dead letter of a file that cannot be sent; it carries no bytes (none, or too many). */
static int produce_dead_letter(struct publisher *p, struct inflight *f)
{
    return produce_file(p, f, p->cfg->topic_dlq, NULL, 0, dlq_headers(f));
}

static const char *read_error_code(enum rf_read_result rr)
{
    switch (rr) {
    case RF_READ_TOO_BIG:
        return "too-large";
    case RF_READ_NOT_REGULAR:
        return "not-regular-file";
    case RF_READ_OK:
        return "empty-file";
    default:
        return "unreadable";
    }
}

/* Read and send one file. @returns 0 sent or dropped, 1 queue full (retry later), -1 fatal. */
static int send_one(struct publisher *p, const char *rel)
{
    char path[PATH_MAX];
    struct inflight *f = calloc(1, sizeof(*f));
    if (!f || !(f->rel = strdup(rel))) {
        free(f);
        return -1;
    }
    f->p = p;
    f->started_ms = rf_clock_mono_ms();
    if (inbox_path(p, rel, path, sizeof(path)) != 0) {
        rf_strset_remove(&p->known, rel); /* logged; a name this long cannot be moved either */
        inflight_free(f);
        return 0;
    }
    char *data = NULL;
    size_t len = 0;
    char why[PATH_MAX + 512];
    enum rf_read_result rr = rf_fs_read_regular(path, (size_t)p->cfg->max_file_bytes, &data, &len,
                                                &f->st, why, sizeof(why));
    if (rr == RF_READ_GONE) {
        rf_debug(COMPONENT, "'%s' vanished before it was read", rel);
        rf_strset_remove(&p->known, rel);
        inflight_free(f);
        return 0;
    }
    f->have_st = rr == RF_READ_OK || rr == RF_READ_TOO_BIG || lstat(path, &f->st) == 0;
    int rc;
    if (rr == RF_READ_OK && len > 0) {
        f->kind = SEND_RAW;
        f->size = len;
        rc = produce_file(p, f, p->cfg->topic_raw, data, len, raw_headers(rel, len, &f->st));
        if (rc == 2) {
            refuse(p, f, "too-large", "over kafka.message.max.bytes, not sent");
            return 0;
        }
    } else {
        f->kind = SEND_FAILED;
        snprintf(f->code, sizeof(f->code), "%s", read_error_code(rr));
        if (rr == RF_READ_OK) {
            set_reason(f, "'%s' is empty", path);
        } else {
            set_reason(f, "%s", why);
        }
        rf_warn(COMPONENT, "'%s' cannot be sent (%s): %s", rel, f->code, f->reason);
        free(data);
        rc = produce_dead_letter(p, f);
    }
    if (rc != 0) {
        inflight_free(f);
    }
    return rc;
}

/* Dead letters of files the broker refused. @returns 0, or -1 on a fatal error. */
static int pump_refused(struct publisher *p)
{
    while (p->refused_cnt > 0) {
        struct inflight *f = p->refused[p->refused_cnt - 1];
        int rc = produce_dead_letter(p, f);
        if (rc == 1) {
            return 0; /* queue full: next pump */
        }
        p->refused_cnt--;
        p->stats.queued--;
        if (rc != 0) {
            settle(p, f);
            return -1;
        }
    }
    return 0;
}

int publisher_pump(struct publisher *p)
{
    if (pump_refused(p) != 0) {
        return -1;
    }
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
    sync_dirty(p);
}

size_t publisher_drain(struct publisher *p, int64_t timeout_ms)
{
    int64_t deadline = rf_clock_mono_ms() + timeout_ms;
    while ((p->stats.inflight > 0 || p->refused_cnt > 0) && rf_clock_mono_ms() < deadline &&
           !rf_run_hurry()) {
        if (pump_refused(p) != 0) {
            break;
        }
        rd_kafka_poll(p->rk, 100);
    }
    sync_dirty(p);
    return p->stats.inflight;
}

rd_kafka_t *publisher_kafka(struct publisher *p)
{
    return p->rk;
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
    for (size_t i = 0; i < p->refused_cnt; i++) {
        inflight_free(p->refused[i]);
    }
    free(p->refused);
    sync_dirty(p);
    rf_strset_release(&p->dirty);
    free(p->queue);
    rf_strset_release(&p->known);
    free(p);
}
