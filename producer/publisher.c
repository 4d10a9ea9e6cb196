/*
 * publisher.c - send inbox files to Kafka, archive after the delivery report.
 * Long because: it is one state machine over one struct publisher, a file's way from the
 * queue through its read, the delivery report and the retries to done/ or failed/; its
 * self-contained parts (the archive, the retry schedule, the record and its headers, the
 * documents sent lately) live in their own modules.
 */
#include "publisher.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <librdkafka/rdkafka.h>

#include "archive.h"
#include "item.h"
#include "later.h"
#include "recent.h"
#include "record.h"
#include "reportflow/clock.h"
#include "reportflow/fs.h"
#include "reportflow/kafka.h"
#include "reportflow/log.h"
#include "reportflow/run.h"
#include "reportflow/strset.h"
#include "reportflow/vec.h"

#define COMPONENT "publish"

struct publisher {
    const struct rf_config *cfg; /* borrowed */
    rd_kafka_t *rk;              /* idempotent producer */
    struct archive *archive;     /* done/ and failed/ */
    struct publisher_timing timing;
    publisher_changed_fn changed_fn; /* where a file that changed before it was sent goes */
    void *changed_ctx;
    struct rf_strset known; /* queued, in flight, waiting for a retry, or delivered */
    bool overflowed;        /* a file was offered into a full queue (publisher_take_overflow()) */
    bool overflow_said;     /* logged; said again once the queue has drained to half */
    struct item **queue;    /* FIFO of files to read and send */
    size_t q_head, q_tail, q_cap;
    struct item **refused; /* refused by the broker, their dead letters not yet produced */
    size_t refused_cnt, refused_cap;
    struct later later;     /* waiting for a retry: a read, or putting a delivered file away */
    size_t later_reads;     /* of them, reads */
    int64_t pause_until_ms; /* no reads before this: the process ran out of descriptors or memory */
    struct recent sent;     /* documents sent lately, and the file that carried each first */
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

/* What is at f->rel in the inbox now, compared with the version f read. */
enum inbox_look { INBOX_SAME, INBOX_CHANGED, INBOX_GONE };

/* One lstat answers both questions: is it still there, and is it what was read? */
static enum inbox_look inbox_look(const struct publisher *p, const struct item *f)
{
    char path[PATH_MAX];
    struct stat now;
    if (inbox_path(p, f->rel, path, sizeof(path)) != 0 || lstat(path, &now) != 0) {
        return INBOX_GONE;
    }
    return f->have_st && rf_fs_same_version(&f->st, &now) ? INBOX_SAME : INBOX_CHANGED;
}

/* Forget a file: no longer queued, in flight or waiting. */
static void settle(struct publisher *p, struct item *f)
{
    rf_strset_remove(&p->known, f->rel);
    item_free(f);
}

/*
 * The file changed after it was found complete: it is not sent now. The
 * watcher waits until it is quiet again and offers it anew.
 */
static void hand_back(struct publisher *p, struct item *f)
{
    rf_strset_remove(&p->known, f->rel);
    if (p->changed_fn) {
        p->changed_fn(p->changed_ctx, f->rel);
    }
    item_free(f);
}

static int64_t backoff_ms(const struct publisher *p, unsigned tries)
{
    return later_backoff_ms(tries, p->timing.retry_first_ms, p->timing.retry_max_ms);
}

/* Wait @p delay_ms before trying @p f again. @returns -1 on ENOMEM (f untouched). */
static int defer(struct publisher *p, struct item *f, int64_t delay_ms)
{
    if (later_add(&p->later, f, rf_clock_mono_ms() + delay_ms) != 0) {
        return -1;
    }
    p->later_reads += f->delivered ? 0 : 1;
    return 0;
}

/* Read and send @p f again in @p delay_ms; out of memory, it is forgotten (the next scan
   finds it). */
static void read_again_in(struct publisher *p, struct item *f, int64_t delay_ms)
{
    if (defer(p, f, delay_ms) != 0) {
        rf_error(COMPONENT, "out of memory: '%s' waits for the next scan", f->rel);
        settle(p, f);
    }
}

static int queue_push(struct publisher *p, struct item *f)
{
    if (p->q_tail == p->q_cap && p->q_head > 0) {
        memmove(p->queue, p->queue + p->q_head, (p->q_tail - p->q_head) * sizeof(*p->queue));
        p->q_tail -= p->q_head;
        p->q_head = 0;
    }
    struct item **grown = rf_vec_reserve(p->queue, &p->q_cap, p->q_tail, 1, sizeof(*grown));
    if (!grown) {
        return -1;
    }
    p->queue = grown;
    p->queue[p->q_tail++] = f;
    return 0;
}

/* Send @p f again from the start (its read). */
static void requeue(struct publisher *p, struct item *f)
{
    if (queue_push(p, f) != 0) {
        rf_error(COMPONENT, "out of memory queueing '%s'; it stays in the inbox", f->rel);
        settle(p, f);
    }
}

/* The counts of publish_stats that follow from the lists. */
static void count_waiting(struct publisher *p)
{
    p->stats.queued = (p->q_tail - p->q_head) + p->refused_cnt + p->later_reads;
    p->stats.archive_waiting = p->later.cnt - p->later_reads;
}

/*
 * The broker refused the record for good (too large): the file becomes a
 * failure with a dead letter, produced from publisher_pump() (not from inside
 * the delivery callback); sending it again would fail again at every rescan.
 */
static void refuse(struct publisher *p, struct item *f, const char *code, const char *why)
{
    struct item **grown =
        rf_vec_reserve(p->refused, &p->refused_cap, p->refused_cnt, 1, sizeof(*grown));
    if (!grown) {
        rf_error(COMPONENT, "out of memory recording '%s' as refused; it stays in the inbox",
                 f->rel);
        settle(p, f);
        return;
    }
    p->refused = grown;
    f->kind = ITEM_FAILED;
    snprintf(f->code, sizeof(f->code), "%s", code);
    item_set_reason(f, "'%s' (%zu bytes) cannot be sent: %s", f->rel, f->size, why);
    rf_warn(COMPONENT, "'%s' cannot be sent (%s): %s", f->rel, f->code, item_reason(f));
    f->size = 0;
    p->refused[p->refused_cnt++] = f;
}

/* One try at putting a delivered file where it belongs. @returns 0, or -1 (errno). */
static int try_put_away(struct publisher *p, struct item *f)
{
    if (f->kind == ITEM_FAILED) {
        return archive_failed(p->archive, f->rel, f->code, item_reason(f));
    }
    char where[256];
    snprintf(where, sizeof(where), "%s (partition %d, offset %lld)", p->cfg->topic_raw,
             (int)f->partition, (long long)f->offset);
    int rc = archive_delivered(p->archive, f->rel, f->tries + 1, p->timing.archive_tries, where);
    if (rc == 1) {
        p->stats.unarchived++;
    }
    return rc < 0 ? -1 : 0;
}

/*
 * Put a delivered file away (done/, deleted, or failed/ for a dead letter's
 * file), but only if the inbox still holds the version that was sent. When
 * that fails, the file stays delivered: only the move is tried again, with
 * backoff; it is never sent again.
 */
static void put_away(struct publisher *p, struct item *f)
{
    enum inbox_look look = inbox_look(p, f);
    if (look == INBOX_GONE) {
        rf_info(COMPONENT, "'%s' left the inbox after it was sent; nothing to archive", f->rel);
        settle(p, f);
        return;
    }
    if (look == INBOX_CHANGED) {
        /* replaced or rewritten since it was read: what was sent is safe; the new
           version waits until it is complete, then is sent too */
        rf_info(COMPONENT, "'%s' changed after it was read; the new version is sent too", f->rel);
        p->stats.replaced++;
        hand_back(p, f);
        return;
    }
    /* a replacement renamed in between this look and the rename below (microseconds)
       would be archived unsent; closing that needs a staging rename, not done yet */
    if (try_put_away(p, f) == 0) {
        if (f->tries > 0) {
            rf_info(COMPONENT, "'%s' put away after %u failed tries", f->rel, f->tries);
        }
        settle(p, f);
        return;
    }
    int err = errno;
    f->tries++;
    int64_t delay = backoff_ms(p, f->tries);
    p->stats.archive_retries++;
    rf_error(COMPONENT,
             "'%s' was delivered but cannot be moved to '%s': %s; it is not sent again, "
             "trying the move again in %lld ms",
             f->rel, f->kind == ITEM_RAW ? p->cfg->archive_dir : p->cfg->failed_dir, strerror(err),
             (long long)delay);
    if (defer(p, f, delay) != 0) {
        /* still known, so never offered again: it stays in the inbox until a restart */
        rf_error(COMPONENT, "out of memory: '%s' stays in the inbox, delivered", f->rel);
        item_free(f);
    }
}

/*
 * Say when a delivered file carried a document this producer sent before (its
 * id, the record's key, is the SHA-256 of the bytes): the sink stores it again
 * in its place, and no new document appears. Only what this process sent is
 * known (see recent.h); whether PostgreSQL holds it, the producer cannot know.
 */
static void tell_same_content(struct publisher *p, const struct item *f,
                              const rd_kafka_message_t *msg)
{
    char id[RF_SHA256_HEX_LEN + 1];
    if (!msg->key || msg->key_len != RF_SHA256_HEX_LEN) {
        return;
    }
    memcpy(id, msg->key, RF_SHA256_HEX_LEN);
    id[RF_SHA256_HEX_LEN] = '\0';
    const char *first = recent_find(&p->sent, id);
    if (first) {
        p->stats.same_content++;
        rf_info(COMPONENT,
                "'%s' sent: stored again (same content as '%s', sent before): document %.12s, "
                "not a new one",
                f->rel, first, id);
        return;
    }
    rf_debug(COMPONENT, "'%s' sent: document %.12s, new to this producer", f->rel, id);
    if (recent_note(&p->sent, id, f->rel) != 0) {
        rf_debug(COMPONENT, "out of memory: document %.12s not remembered", id);
    }
}

static void raw_delivered(struct publisher *p, struct item *f, const rd_kafka_message_t *msg)
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
    tell_same_content(p, f, msg);
    f->delivered = true;
    f->partition = msg->partition;
    f->offset = msg->offset;
    f->tries = 0;
    put_away(p, f);
}

static void failed_delivered(struct publisher *p, struct item *f)
{
    if (f->have_st && inbox_look(p, f) == INBOX_CHANGED) {
        /* a new version took its place: that one gets its own chance */
        rf_info(COMPONENT, "'%s' changed after it failed; trying the new version", f->rel);
        p->stats.replaced++;
        hand_back(p, f);
        return;
    }
    p->stats.failed++;
    f->delivered = true;
    f->tries = 0;
    put_away(p, f);
}

/* The dead-letter code of an error the broker gives a record for its bytes (too large, a
   topic's policy, a record it cannot read): sent again, it would be refused again. NULL for
   the others. */
static const char *refused_for_its_bytes(rd_kafka_resp_err_t err)
{
    switch (err) {
    case RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE:
        return "too-large";
    case RD_KAFKA_RESP_ERR_INVALID_RECORD:
    case RD_KAFKA_RESP_ERR_POLICY_VIOLATION:
    case RD_KAFKA_RESP_ERR_INVALID_MSG_SIZE:
    case RD_KAFKA_RESP_ERR_RECORD_LIST_TOO_LARGE:
        return "rejected";
    default:
        return NULL;
    }
}

/*
 * A delivery that failed for good (with message.timeout.ms=0 librdkafka retries everything
 * else): a file the broker refuses for its bytes becomes a failure (a dead letter, failed/),
 * once; any other error (an ACL, a topic deleted) is the broker's, and the file is sent again
 * after a backoff, as a read that fails, for as long as it lasts: it stays in the inbox.
 */
static void not_delivered(struct publisher *p, struct item *f, rd_kafka_resp_err_t err)
{
    const char *code = f->kind == ITEM_RAW ? refused_for_its_bytes(err) : NULL;
    if (code) {
        char why[256];
        snprintf(why, sizeof(why), "the broker refused it: %s", rd_kafka_err2str(err));
        refuse(p, f, code, why);
        return;
    }
    p->stats.retried++;
    int64_t delay = backoff_ms(p, ++f->tries);
    rf_error(COMPONENT, "'%s' not delivered: %s; sending it again in %lld ms", f->rel,
             rd_kafka_err2str(err), (long long)delay);
    read_again_in(p, f, delay);
}

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *msg, void *opaque)
{
    (void)rk;
    (void)opaque;
    struct item *f = msg->_private;
    struct publisher *p = f->p;
    p->stats.inflight--;
    p->stats.inflight_bytes -= f->size;
    if (msg->err == RD_KAFKA_RESP_ERR__PURGE_QUEUE ||
        msg->err == RD_KAFKA_RESP_ERR__PURGE_INFLIGHT) {
        requeue(p, f); /* stopping: handed back, it stays in the inbox */
    } else if (msg->err) {
        not_delivered(p, f, msg->err);
    } else if (f->kind == ITEM_RAW) {
        raw_delivered(p, f, msg);
    } else {
        failed_delivered(p, f);
    }
}

/* Take the files whose retry is due: reads go back to the queue, moves are tried again. */
static void pump_later(struct publisher *p)
{
    int64_t now = rf_clock_mono_ms();
    struct item *f;
    /* put_away() may defer again: due later than now, so not taken again here */
    while ((f = later_take(&p->later, now)) != NULL) {
        if (f->delivered) {
            put_away(p, f);
        } else {
            p->later_reads--;
            requeue(p, f);
        }
    }
}

/* Count what librdkafka took. @returns the enum record_result as an int. */
static int sent_to_kafka(struct publisher *p, enum record_result rc, size_t len)
{
    if (rc == RECORD_QUEUED) {
        p->stats.inflight++;
        p->stats.inflight_bytes += len;
    }
    return (int)rc;
}

static int produce_dead_letter(struct publisher *p, struct item *f)
{
    return sent_to_kafka(
        p, record_send_dead_letter(p->rk, p->cfg->topic_dlq, f->rel, f->code, item_reason(f), f),
        0);
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

/* Read and send @p f, which changed after it was claimed: it is not sent now. */
static void changed_before_send(struct publisher *p, struct item *f, const char *when)
{
    p->stats.changed++;
    rf_info(COMPONENT, "'%s' changed %s; not sent, waiting until it is quiet again", f->rel, when);
    hand_back(p, f);
}

/*
 * A read that failed for a passing reason: tried again later, with backoff,
 * never a failure. Short of descriptors or memory, every read would fail now,
 * so reading pauses for as long.
 */
static void read_later(struct publisher *p, struct item *f, int err, const char *why)
{
    p->stats.read_retries++;
    int64_t delay = backoff_ms(p, ++f->tries);
    rf_warn(COMPONENT, "'%s' cannot be read now (%s); trying again in %lld ms", f->rel, why,
            (long long)delay);
    if (err == EMFILE || err == ENFILE || err == ENOMEM || err == ENOBUFS) {
        p->pause_until_ms = rf_clock_mono_ms() + delay;
    }
    read_again_in(p, f, delay);
}

/* @returns 0 f taken (in flight or refused), 1 queue full (f stays queued), -1 fatal. */
static int send_raw(struct publisher *p, struct item *f, char *data, size_t len)
{
    f->kind = ITEM_RAW;
    f->size = len;
    int rc = sent_to_kafka(
        p, record_send_file(p->rk, p->cfg->topic_raw, f->rel, data, len, &f->st, f), len);
    if (rc == RECORD_TOO_LARGE) {
        refuse(p, f, "too-large", "over kafka.message.max.bytes, not sent");
        return 0;
    }
    if (rc < 0) {
        settle(p, f);
    }
    return rc;
}

/* A file that can never be sent: its dead letter. Same returns as send_raw(). */
static int send_failure(struct publisher *p, struct item *f, const char *path,
                        enum rf_read_result rr, const char *why)
{
    f->kind = ITEM_FAILED;
    f->size = 0;
    snprintf(f->code, sizeof(f->code), "%s", read_error_code(rr));
    if (rr == RF_READ_OK) {
        item_set_reason(f, "'%s' is empty", path);
    } else {
        item_set_reason(f, "%s", why);
    }
    rf_warn(COMPONENT, "'%s' cannot be sent (%s): %s", f->rel, f->code, item_reason(f));
    int rc = produce_dead_letter(p, f);
    if (rc < 0) {
        settle(p, f);
    }
    return rc;
}

/*
 * Read and send one file, if it is still the version claimed complete.
 * @returns 0 f taken (in flight, refused, waiting or forgotten), 1 local queue
 * full (f stays queued), -1 fatal.
 */
static int send_one(struct publisher *p, struct item *f)
{
    char path[PATH_MAX];
    if (inbox_path(p, f->rel, path, sizeof(path)) != 0) {
        settle(p, f); /* logged; a name this long cannot be moved either */
        return 0;
    }
    struct stat claimed = f->st;
    bool have_claim = f->have_st;
    f->started_ms = rf_clock_mono_ms();
    char *data = NULL;
    size_t len = 0;
    char why[PATH_MAX + 512];
    enum rf_read_result rr =
        rf_fs_read_regular(p->cfg->watch_dir, f->rel, (size_t)p->cfg->max_file_bytes, &data, &len,
                           &f->st, why, sizeof(why));
    int err = errno;
    if (rr == RF_READ_GONE) {
        if (err == ELOOP) {
            rf_warn(COMPONENT, "'%s' not read: %s", f->rel, why);
        } else {
            rf_debug(COMPONENT, "'%s' vanished before it was read", f->rel);
        }
        settle(p, f);
        return 0;
    }
    if (rr == RF_READ_RETRY) {
        read_later(p, f, err, why);
        return 0;
    }
    bool read_st = rr == RF_READ_OK || rr == RF_READ_TOO_BIG;
    if (rr == RF_READ_CHANGED) {
        changed_before_send(p, f, "while it was read");
        return 0;
    }
    if (read_st && have_claim && !rf_fs_same_version(&claimed, &f->st)) {
        free(data);
        changed_before_send(p, f, "after it was found complete");
        return 0;
    }
    f->tries = 0;
    f->have_st = read_st || lstat(path, &f->st) == 0;
    if (rr == RF_READ_OK && len > 0) {
        return send_raw(p, f, data, len);
    }
    free(data);
    return send_failure(p, f, path, rr, why);
}

/* Dead letters of files the broker refused. @returns 0, or -1 on a fatal error. */
static int pump_refused(struct publisher *p)
{
    while (p->refused_cnt > 0) {
        struct item *f = p->refused[p->refused_cnt - 1];
        int rc = produce_dead_letter(p, f);
        if (rc == 1) {
            return 0; /* queue full: next pump */
        }
        p->refused_cnt--;
        if (rc != 0) {
            settle(p, f);
            return -1;
        }
    }
    return 0;
}

static int pump_queue(struct publisher *p)
{
    if (p->overflow_said && publisher_room(p) >= PUBLISHER_MAX_QUEUED / 2) {
        p->overflow_said = false; /* a next overflow is said again */
    }
    while (p->q_head < p->q_tail && !rf_kafka_fatal(p->rk)) {
        if (rf_clock_mono_ms() < p->pause_until_ms) {
            return 0; /* out of descriptors or memory a moment ago */
        }
        if (p->stats.inflight >= (size_t)p->cfg->max_inflight_files ||
            p->stats.inflight_bytes >= (size_t)p->cfg->max_inflight_bytes) {
            /* at the bound: wait for delivery reports instead of spinning */
            rd_kafka_poll(p->rk, 5);
            return 0;
        }
        int rc = send_one(p, p->queue[p->q_head]);
        if (rc == 1) {
            rd_kafka_poll(p->rk, 100); /* local queue full: let deliveries drain */
            return 0;
        }
        p->q_head++;
        if (rc < 0) {
            return -1;
        }
    }
    return 0;
}

int publisher_pump(struct publisher *p)
{
    int rc = pump_refused(p);
    if (rc == 0) {
        pump_later(p);
        rc = pump_queue(p);
    }
    count_waiting(p);
    return rc != 0 || rf_kafka_fatal(p->rk) ? -1 : 0;
}

bool publisher_ready(const struct publisher *p)
{
    return p->refused_cnt > 0 || (p->q_head < p->q_tail && rf_clock_mono_ms() >= p->pause_until_ms);
}

void publisher_poll(struct publisher *p, int timeout_ms)
{
    rd_kafka_poll(p->rk, timeout_ms);
    archive_sync(p->archive);
    count_waiting(p);
}

/* At shutdown: one more try for every delivered file waiting to be put away. */
static void last_tries(struct publisher *p)
{
    later_hurry(&p->later);
    pump_later(p);
    count_waiting(p);
    if (p->stats.archive_waiting > 0) {
        rf_warn(COMPONENT,
                "%zu delivered file(s) could not be archived; they stay in the inbox and are "
                "sent again at the next start",
                p->stats.archive_waiting);
    }
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
    last_tries(p);
    archive_sync(p->archive);
    return p->stats.inflight;
}

struct publisher *publisher_new(const struct rf_config *cfg, char *errstr, size_t errstr_size)
{
    struct publisher *p = calloc(1, sizeof(*p));
    if (!p) {
        snprintf(errstr, errstr_size, "out of memory");
        return NULL;
    }
    p->cfg = cfg;
    p->timing = (struct publisher_timing){PUBLISHER_RETRY_FIRST_MS, PUBLISHER_RETRY_MAX_MS,
                                          PUBLISHER_ARCHIVE_TRIES};
    rf_strset_init(&p->known);
    later_init(&p->later);
    recent_init(&p->sent, RECENT_SLOTS);
    p->archive = archive_new(cfg);
    if (!p->archive) {
        snprintf(errstr, errstr_size, "out of memory");
        publisher_free(p);
        return NULL;
    }
    p->rk = rf_kafka_producer_new(cfg, p, on_delivery, errstr, errstr_size);
    if (!p->rk) {
        publisher_free(p);
        return NULL;
    }
    const char *const topics[] = {cfg->topic_raw, cfg->topic_dlq};
    rf_kafka_warm_topics(p->rk, topics, 2, 5000);
    return p;
}

void publisher_on_changed(struct publisher *p, publisher_changed_fn fn, void *ctx)
{
    p->changed_fn = fn;
    p->changed_ctx = ctx;
}

void publisher_set_timing(struct publisher *p, const struct publisher_timing *t)
{
    p->timing = *t;
    if (p->timing.retry_first_ms < 1) {
        p->timing.retry_first_ms = 1;
    }
    if (p->timing.archive_tries < 1) {
        p->timing.archive_tries = 1;
    }
}

size_t publisher_room(const struct publisher *p)
{
    size_t queued = p->q_tail - p->q_head;
    return queued < PUBLISHER_MAX_QUEUED ? PUBLISHER_MAX_QUEUED - queued : 0;
}

bool publisher_take_overflow(struct publisher *p)
{
    bool was = p->overflowed;
    p->overflowed = false;
    return was;
}

void publisher_offer_claimed(struct publisher *p, const char *rel_path, const struct stat *claimed)
{
    if (publisher_room(p) == 0 && !rf_strset_has(&p->known, rel_path)) {
        p->overflowed = true; /* it stays in the inbox: a later scan offers it again */
        if (!p->overflow_said) {
            p->overflow_said = true;
            rf_warn(COMPONENT,
                    "%d files are queued to be sent: '%s' and the files after it stay in the "
                    "inbox until those have gone, then a scan finds them",
                    PUBLISHER_MAX_QUEUED, rel_path);
        }
        return;
    }
    int added = rf_strset_add(&p->known, rel_path);
    if (added <= 0) {
        return; /* already queued, in flight or delivered (or ENOMEM: a later scan finds it) */
    }
    p->stats.seen++;
    struct item *f = item_new(p, rel_path);
    if (!f || queue_push(p, f) != 0) {
        rf_strset_remove(&p->known, rel_path);
        item_free(f);
        return;
    }
    if (claimed) {
        f->st = *claimed;
        f->have_st = true;
    }
    count_waiting(p);
}

void publisher_offer(struct publisher *p, const char *rel_path)
{
    publisher_offer_claimed(p, rel_path, NULL);
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

static void free_all(struct item **items, size_t from, size_t to)
{
    for (size_t i = from; i < to; i++) {
        item_free(items[i]);
    }
    free(items);
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
    free_all(p->queue, p->q_head, p->q_tail);
    free_all(p->refused, 0, p->refused_cnt);
    struct item *f;
    while ((f = later_take(&p->later, INT64_MAX)) != NULL) {
        item_free(f);
    }
    later_release(&p->later);
    recent_release(&p->sent);
    archive_free(p->archive);
    rf_strset_release(&p->known);
    free(p);
}
