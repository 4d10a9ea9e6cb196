/*
 * reprocess.c - reportflow-reprocess: extract stored reports again with a rule
 * set (all, or those a condition selects), re-drive dead letters, and promote
 * the version analysts see. docs/reprocessing.md tells the whole story.
 *
 * A run: the backlog (PostgreSQL) names the documents without an extraction
 * under the rule set's hash; the feeder copies their raw records from the raw
 * topic onto a work topic of the rule set; workers of the run's own consumer
 * group (the fleet, plus any started elsewhere) extract them and the sink
 * stores them as a version beside the shown one. The run waits for each
 * document to settle (stored under the version, or dead-lettered), at most a
 * window of them at a time, and feeds no more while the live groups lag. Run
 * again after a crash, it does only what is missing.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "backlog.h"
#include "feeder.h"
#include "fleet.h"
#include "reportflow/cli.h"
#include "reportflow/clock.h"
#include "reportflow/jobs.h"
#include "reportflow/log.h"
#include "reportflow/run.h"
#include "reportflow/utf8.h"
#include "catalogue.h"
#include "versions.h"

#define COMPONENT "reprocess"
#define WINDOW_MAX 10000
#define CHUNK 100
/* Passes over the backlog at most: the second finds what committed behind the first */
#define MAX_PASSES 3

static const char usage[] =
    "usage: reportflow-reprocess [-c FILE] [-X key=value]... [--rules FILE] [--where SQL]\n"
    "                            [--rate DOCS_PER_S] [--promote] [--workers N] [--window N]\n"
    "       reportflow-reprocess --dead-letters [--code CODE] [options as above]\n"
    "       reportflow-reprocess promote VERSION [--where SQL]\n"
    "Extracts the stored reports again with a rule set (default worker.rules) and waits\n"
    "until each has an extraction under it or a dead letter; the version shown to analysts\n"
    "changes only with --promote (when all are done) or 'promote'.\n"
    "  --where SQL       a condition over the documents view, e.g. \"year = 2023\" (default all)\n"
    "  --rate N          at most N documents per second (default: as fast as the workers go)\n"
    "  --promote         show the new version for the selected documents once all are done\n"
    "  --workers N       workers this run starts, at a lower CPU priority (default: none when\n"
    "                    workers of the rule set already serve its group, e.g. started with\n"
    "                    'stack.sh add-worker --rules FILE' or -X worker.reprocess=true; else 1)\n"
    "  --window N        documents in flight at most (default 500)\n"
    "  --max-idle-s N    give up when nothing settles for N seconds (default 600)\n"
    "  --dead-letters    re-drive open dead letters of stage extract through the rule set\n"
    "  --code CODE       only letters with this error code (e.g. extract-timeout)\n"
    "  promote VERSION   show VERSION (2.1.0, name@2.1.0 or a rules_hash prefix) for the\n"
    "                    selected documents that have it, in one transaction\n"
    "Exit status: 0 done, 1 some document has neither (or a promotion found nothing),\n"
    "2 bad usage or configuration, 3 PostgreSQL or Kafka failed.\n";

enum {
    OPT_RULES = 256,
    OPT_WHERE,
    OPT_RATE,
    OPT_PROMOTE,
    OPT_WORKERS,
    OPT_WINDOW,
    OPT_IDLE,
    OPT_LETTERS,
    OPT_CODE
};

struct options {
    const char *rules, *where, *code;
    double rate;
    bool promote, letters;
    long workers, window, max_idle_s;
};

static int number(const char *arg, const char *name, long lo, long hi, long *out)
{
    char *end = NULL;
    long v = strtol(arg, &end, 10);
    if (!*arg || *end || v < lo || v > hi) {
        fprintf(stderr, "reprocess: bad %s '%s': expected %ld to %ld\n", name, arg, lo, hi);
        return -1;
    }
    *out = v;
    return 0;
}

static int on_option(void *ctx, int opt, const char *arg)
{
    struct options *o = ctx;
    long v = 0;
    switch (opt) {
    case OPT_RULES:
        o->rules = arg;
        return 0;
    case OPT_WHERE:
        o->where = arg;
        return 0;
    case OPT_CODE:
        o->code = arg;
        return 0;
    case OPT_PROMOTE:
        o->promote = true;
        return 0;
    case OPT_LETTERS:
        o->letters = true;
        return 0;
    case OPT_RATE:
        if (number(arg, "--rate", 1, 1000000, &v) != 0) {
            return -1;
        }
        o->rate = (double)v;
        return 0;
    case OPT_WORKERS:
        return number(arg, "--workers", 0, FLEET_MAX, &o->workers);
    case OPT_WINDOW:
        return number(arg, "--window", 1, WINDOW_MAX, &o->window);
    default:
        return number(arg, "--max-idle-s", 1, 86400, &o->max_idle_s);
    }
}

/* The -c and -X flags of @p argv a worker reads, to hand on (strings borrowed). */
static char **worker_flags(int argc, char **argv)
{
    char **out = calloc((size_t)argc + 1, sizeof(*out));
    size_t n = 0;
    for (int i = 1; out && i + 1 < argc; i++) {
        bool config = strcmp(argv[i], "-c") == 0;
        bool set = strcmp(argv[i], "-X") == 0;
        if (set) {
            char key[256];
            snprintf(key, sizeof(key), "%.*s", (int)strcspn(argv[i + 1], "="), argv[i + 1]);
            set = rf_config_reads(RF_PROG_WORKER, key);
        }
        if (config || set) {
            out[n++] = argv[i];
            out[n++] = argv[++i];
        }
    }
    return out;
}

/* What a run has done so far. */
struct run {
    struct options *o;
    struct backlog *b;
    struct feeder *f;
    struct fleet *fleet;
    char (*inflight)[65];
    size_t inflight_cnt;
    long long total, before, fed, stored, failed, missing_raw;
    long long left; /* what the database says is left at the end; -1 before */
    bool feeding_done, yielding, tty;
    int64_t started_ms, last_settle_ms, last_lag_ms, last_progress_ms, last_lost_log_ms;
    int64_t started_wall_ms, last_status_ms;
    const struct catalogue *rules;
    char rules_named[256]; /* "name version" of each rule set */
    char group[256];
    struct backlog_cursor cursor;
    char letter_after[65];
};

/* One line, or a bar redrawn in place on a terminal. */
static void progress(struct run *r, bool last)
{
    int64_t now = rf_clock_mono_ms();
    if (!last && now - r->last_progress_ms < (r->tty ? 250 : r->f->cfg->progress_ms)) {
        return;
    }
    r->last_progress_ms = now;
    long long done = r->stored + r->failed;
    long long todo = r->total - r->before;
    double secs = (double)(now - r->started_ms) / 1000.0;
    double rate = secs > 0 ? (double)done / secs : 0;
    long long eta = rate > 0 && todo > done ? (long long)((double)(todo - done) / rate) : 0;
    char line[256];
    snprintf(line, sizeof(line),
             "%lld/%lld documents, %.1f/s, ETA %llds, %lld failed, %zu in flight%s", done, todo,
             rate, eta, r->failed, r->inflight_cnt,
             r->yielding ? ", yielding to live traffic" : "");
    if (r->tty) {
        int filled = todo > 0 ? (int)(30 * done / todo) : 30;
        fprintf(stderr, "\r[%-30.*s] %s\033[K%s", filled, "##############################", line,
                last ? "\n" : "");
    } else {
        rf_info(COMPONENT, "progress: %s", line);
    }
}

/*
 * The run as reportflow-lag shows it, published every RF_JOBS_STATUS_INTERVAL_MS while it
 * runs and once with its outcome (@p state other than "running").
 */
static void publish_status(struct run *r, const char *state)
{
    int64_t now = rf_clock_mono_ms();
    bool running = strcmp(state, "running") == 0;
    if (running && now - r->last_status_ms < RF_JOBS_STATUS_INTERVAL_MS) {
        return;
    }
    r->last_status_ms = now;
    struct rf_job_status st = {.pid = getpid(),
                               .total = r->total,
                               .before = r->before,
                               .done = r->stored + r->failed,
                               .failed = r->failed,
                               .in_flight = (long long)r->inflight_cnt,
                               .eta_s = -1,
                               .yielding = r->yielding,
                               .started_ms = r->started_wall_ms,
                               .updated_ms = rf_clock_now_ms()};
    snprintf(st.key, sizeof(st.key), "%s%s", r->rules->hash, r->o->letters ? "/dead-letters" : "");
    snprintf(st.hash, sizeof(st.hash), "%s", r->rules->hash);
    rf_utf8_copy_str(st.rules, sizeof(st.rules), r->rules_named);
    snprintf(st.kind, sizeof(st.kind), "%s", r->o->letters ? "dead-letters" : "documents");
    snprintf(st.state, sizeof(st.state), "%s", state);
    if (gethostname(st.host, sizeof(st.host) - 1) != 0) {
        snprintf(st.host, sizeof(st.host), "?");
    }
    double secs = (double)(now - r->started_ms) / 1000.0;
    /* while running, an estimate: documents can settle that this run did not feed (those
       in flight when a run before it was killed) */
    long long todo = r->left >= 0 ? r->left : r->total - r->before - st.done;
    st.todo = todo > 0 ? todo : 0;
    st.rate = secs > 0 ? (double)st.done / secs : 0;
    st.eta_s = st.rate > 0 && todo > 0 ? (long long)((double)todo / st.rate) : (todo > 0 ? -1 : 0);
    if (feeder_publish_status(r->f, &st) != 0) {
        rf_debug(COMPONENT, "status not published (queue full); the next one will be");
    }
}

/* True while the live groups lag more than reprocess.max_live_lag (checked once a second). */
static bool live_busy(struct run *r)
{
    long long max = r->f->cfg->reprocess_max_live_lag;
    int64_t now = rf_clock_mono_ms();
    if (max <= 0 || now - r->last_lag_ms < 1000) {
        return max > 0 && r->yielding;
    }
    r->last_lag_ms = now;
    long long lag = feeder_live_lag(r->f);
    bool busy = lag > max;
    if (busy != r->yielding) {
        rf_info(COMPONENT, "%s: live lag %lld records (reprocess.max_live_lag %lld)",
                busy ? "yielding to live traffic" : "live traffic caught up, feeding again", lag,
                max);
    }
    r->yielding = busy;
    return busy;
}

static void add_inflight(struct run *r, const char *doc_id)
{
    memcpy(r->inflight[r->inflight_cnt++], doc_id, 65);
    r->fed++;
}

/* Copy the next chunk of documents; a report whose raw record is gone becomes a dead letter. */
static int feed_documents(struct run *r, size_t room, char *errstr, size_t errstr_size)
{
    struct backlog_doc docs[CHUNK];
    bool found[CHUNK];
    long long n =
        backlog_next(r->b, &r->cursor, docs, room < CHUNK ? room : CHUNK, errstr, errstr_size);
    if (n <= 0) {
        r->feeding_done = n == 0;
        return (int)(n < 0 ? -1 : 0);
    }
    if (feeder_copy(r->f, docs, (size_t)n, found, errstr, errstr_size) != 0) {
        return -1;
    }
    for (long long i = 0; i < n; i++) {
        if (!found[i]) {
            char why[512];
            snprintf(why, sizeof(why),
                     "the raw record of this report (%s [%d] offset %lld) is not in the raw "
                     "topic any more",
                     docs[i].topic[0] ? docs[i].topic : "?", docs[i].partition, docs[i].offset);
            rf_warn(COMPONENT, "%s: %s", docs[i].doc_id, why);
            r->missing_raw++;
            if (feeder_dead_letter(r->f, docs[i].doc_id, "raw-missing", why, errstr, errstr_size) !=
                0) {
                return -1;
            }
        }
        add_inflight(r, docs[i].doc_id);
    }
    return 0;
}

/* Re-drive the next open dead letter. */
static int feed_letter(struct run *r, char *errstr, size_t errstr_size)
{
    struct backlog_letter l;
    int got = backlog_next_letter(r->b, r->o->code ? r->o->code : "", r->letter_after, &l, errstr,
                                  errstr_size);
    if (got <= 0) {
        r->feeding_done = got == 0;
        return got;
    }
    memcpy(r->letter_after, l.doc_id, sizeof(r->letter_after));
    int rc = feeder_redrive(r->f, &l, errstr, errstr_size);
    free(l.payload);
    if (rc == 0) {
        add_inflight(r, l.doc_id);
    }
    return rc;
}

/* How many more documents the rate allows now. */
static size_t rate_room(const struct run *r)
{
    if (r->o->rate <= 0) {
        return WINDOW_MAX;
    }
    double secs = (double)(rf_clock_mono_ms() - r->started_ms) / 1000.0;
    double allowed = r->o->rate * secs + 1 - (double)r->fed;
    return allowed > 0 ? (size_t)allowed : 0;
}

static int feed(struct run *r, char *errstr, size_t errstr_size)
{
    size_t room = (size_t)r->o->window - r->inflight_cnt;
    size_t allowed = rate_room(r);
    room = room < allowed ? room : allowed;
    if (r->feeding_done || room == 0 || live_busy(r)) {
        return 0;
    }
    return r->o->letters ? feed_letter(r, errstr, errstr_size)
                         : feed_documents(r, room, errstr, errstr_size);
}

/* Drop the documents that settled from the window, counting them. */
static int settle(struct run *r, char *errstr, size_t errstr_size)
{
    if (r->inflight_cnt == 0) {
        return 0;
    }
    bool *stored = calloc(r->inflight_cnt, sizeof(bool));
    bool *failed = calloc(r->inflight_cnt, sizeof(bool));
    int rc = stored && failed
                 ? backlog_settled(r->b, (const char(*)[65])r->inflight, r->inflight_cnt, stored,
                                   failed, errstr, errstr_size)
                 : -1;
    size_t kept = 0;
    for (size_t i = 0; rc == 0 && i < r->inflight_cnt; i++) {
        if (stored[i] || failed[i]) {
            r->stored += stored[i];
            r->failed += !stored[i];
            r->last_settle_ms = rf_clock_mono_ms();
        } else {
            memmove(r->inflight[kept++], r->inflight[i], 65);
        }
    }
    if (rc == 0) {
        r->inflight_cnt = kept;
    }
    free(stored);
    free(failed);
    return rc;
}

/* Feed, wait and count until every selected document settled. @returns 0, or -1 (errstr). */
/*
 * After a pass over the backlog: 1 to go over it again, 0 when nothing is left, -1 on error.
 * A document can join the selection behind the scan: the sink stamps stored_at when its
 * transaction began, and one that began before the run and committed after the scan went
 * past that document's place holds a document the scan could not see.
 */
static int another_pass(struct run *r, int *passes, char *errstr, size_t errstr_size)
{
    if (r->o->letters) {
        return 0; /* letters are read one at a time; a late one waits for the next run */
    }
    long long left = backlog_missing(r->b, errstr, errstr_size);
    if (left <= 0 || ++*passes > MAX_PASSES) {
        return left < 0 ? -1 : 0;
    }
    rf_info(COMPONENT, "%lld document(s) committed behind the scan: pass %d over the backlog", left,
            *passes + 1);
    r->cursor = (struct backlog_cursor)BACKLOG_CURSOR_START;
    r->feeding_done = false;
    return 1;
}

/*
 * True when PostgreSQL could not be reached (@p why says so): the run waits for it, as
 * the sink does, within --max-idle-s, and says so once in a while.
 */
static bool database_lost(struct run *r, const char *why)
{
    int64_t now = rf_clock_mono_ms();
    if (!backlog_lost(r->b) || now - r->last_settle_ms > r->o->max_idle_s * 1000) {
        return false;
    }
    if (now - r->last_lost_log_ms >= 5000) {
        rf_warn(COMPONENT, "waiting for PostgreSQL: %s", why);
        r->last_lost_log_ms = now;
    }
    return true;
}

static int run_loop(struct run *r, char *errstr, size_t errstr_size)
{
    int64_t last_settle_check = 0;
    int passes = 0;
    while (!rf_run_stopping()) {
        if (r->feeding_done && r->inflight_cnt == 0) {
            int again = another_pass(r, &passes, errstr, errstr_size);
            if (again < 0 && database_lost(r, errstr)) {
                feeder_poll(r->f, 500);
                continue;
            }
            if (again <= 0) {
                return again;
            }
        }
        if (r->fleet->cnt > 0 && fleet_tend(r->fleet) < 0) {
            snprintf(errstr, errstr_size,
                     "its workers stopped %lld times: see their messages above (run again once "
                     "fixed)",
                     r->fleet->restarts);
            return -1;
        }
        if (feed(r, errstr, errstr_size) != 0 && !database_lost(r, errstr)) {
            return -1;
        }
        feeder_poll(r->f, 100);
        if (r->f->failed > 0) {
            snprintf(errstr, errstr_size, "%lld record(s) could not be written to Kafka",
                     r->f->failed);
            return -1;
        }
        int64_t now = rf_clock_mono_ms();
        if (now - last_settle_check >= 1000) {
            last_settle_check = now;
            if (settle(r, errstr, errstr_size) != 0 && !database_lost(r, errstr)) {
                return -1;
            }
        }
        if (r->inflight_cnt > 0 && now - r->last_settle_ms > r->o->max_idle_s * 1000) {
            snprintf(errstr, errstr_size,
                     "nothing settled for %ld s with %zu document(s) in flight: are "
                     "reportflow-sink and the workers running? (run again to resume)",
                     r->o->max_idle_s, r->inflight_cnt);
            return -1;
        }
        progress(r, false);
        publish_status(r, "running");
    }
    return rf_run_stopping() ? -1 : 0;
}

/* The rule sets' hash, names and versions: what the run's extractions are stored under. */
static struct catalogue *load_rules(const char *path, char *named, size_t named_size, char *errstr,
                                    size_t errstr_size)
{
    struct catalogue *rules = catalogue_load(path, errstr, errstr_size);
    if (rules) {
        catalogue_describe(rules, named, named_size);
        rf_info(COMPONENT, "rule sets %s (rules_hash %s) from %s", named, rules->hash, path);
    }
    return rules;
}

static int finish(struct run *r, const struct catalogue *rules, char *errstr, size_t errstr_size)
{
    long long missing =
        r->o->letters ? (long long)r->inflight_cnt : backlog_missing(r->b, errstr, errstr_size);
    if (missing < 0) {
        return 3;
    }
    r->left = missing;
    double secs = (double)(rf_clock_mono_ms() - r->started_ms) / 1000.0;
    printf("reprocess: %s (rules_hash %s): %lld stored, %lld dead-lettered (%lld raw "
           "missing), %lld already done, %lld left; %.1f s, %.1f documents/s\n",
           r->rules_named, rules->hash, r->stored, r->failed, r->missing_raw, r->before, missing,
           secs, secs > 0 ? (double)(r->stored + r->failed) / secs : 0);
    if (missing > 0) {
        return 1;
    }
    if (r->o->promote && !r->o->letters) {
        long long without = 0;
        long long changed = backlog_promote(r->b, &without, errstr, errstr_size);
        if (changed < 0) {
            return 3;
        }
        printf("promoted %s (rules_hash %s) for %lld document(s); %lld selected document(s) "
               "lack it (dead letters)\n",
               r->rules_named, rules->hash, changed, without);
    }
    char why[512];
    int serving = feeder_group_members(r->f, r->group);
    if (serving != 0) {
        /* workers of the rule set serve it (or Kafka did not say): theirs to keep */
        rf_info(COMPONENT,
                "work topic %s kept: %d worker(s) serve group %s (-1: Kafka did not say)",
                r->f->work_topic, serving, r->group);
    } else if (feeder_delete_work_topic(r->f, why, sizeof(why)) != 0) {
        rf_warn(COMPONENT, "%s (the next run of this rule set uses it again)", why);
    }
    return 0;
}

/* Open what a run needs; @returns 0, or -1 with @p errstr. */
static int run_open(struct run *r, const struct rf_config *cfg, char **pass, const char *path,
                    const struct catalogue *rules, char *errstr, size_t errstr_size)
{
    const struct options *o = r->o;
    char topic[256], group[256];
    rf_jobs_work_topic(cfg, rules->hash, topic, sizeof(topic));
    rf_jobs_group(rules->hash, group, sizeof(group));
    if (backlog_open(r->b, cfg->pg_conninfo, o->where, rules->hash, errstr, errstr_size) != 0) {
        return -1;
    }
    const char *code = o->code ? o->code : "";
    r->total = o->letters ? backlog_letters_open(r->b, code, errstr, errstr_size)
                          : backlog_selected(r->b, errstr, errstr_size);
    long long missing = o->letters ? r->total : backlog_missing(r->b, errstr, errstr_size);
    if (r->total < 0 || missing < 0) {
        return -1;
    }
    r->before = r->total - missing;
    rf_info(COMPONENT, "%lld %s selected, %lld to do; work topic %s, group %s", r->total,
            o->letters ? "dead-lettered document(s)" : "document(s)", missing, topic, group);
    if (feeder_open(r->f, cfg, topic, errstr, errstr_size) != 0 ||
        (missing > 0 && feeder_create_work_topic(r->f, errstr, errstr_size) != 0)) {
        return -1;
    }
    char why[512];
    if (feeder_create_status_topic(r->f, why, sizeof(why)) != 0) {
        rf_warn(COMPONENT, "%s: reportflow-lag will not show this run", why);
    }
    long workers = o->workers;
    if (workers < 0 && missing > 0) {
        int serving = feeder_group_members(r->f, group);
        workers = serving > 0 ? 0 : 1;
        if (serving > 0) {
            rf_info(COMPONENT, "%d worker(s) already serve group %s: starting none", serving,
                    group);
        }
    }
    snprintf(r->group, sizeof(r->group), "%s", group);
    return fleet_init(r->fleet, missing > 0 ? (size_t)workers : 0, pass, path, topic, group, 10,
                      errstr, errstr_size);
}

static int reprocess(const struct rf_config *cfg, struct options *o, char **pass)
{
    char errstr[1024] = "";
    const char *path = o->rules ? o->rules : cfg->rules_path;
    struct run r = {.o = o, .tty = isatty(2), .left = -1};
    struct catalogue *rules =
        load_rules(path, r.rules_named, sizeof(r.rules_named), errstr, sizeof(errstr));
    if (!rules) {
        fprintf(stderr, "reprocess: %s\n", errstr);
        return 2;
    }
    struct backlog b = {0};
    struct feeder f = {0};
    struct fleet fleet = {0};
    r.b = &b;
    r.f = &f;
    r.fleet = &fleet;
    r.rules = rules;
    r.cursor = (struct backlog_cursor)BACKLOG_CURSOR_START;
    r.inflight = calloc((size_t)o->window, 65);
    int rc = 3;
    if (!r.inflight) {
        snprintf(errstr, sizeof(errstr), "out of memory");
    } else if (run_open(&r, cfg, pass, path, rules, errstr, sizeof(errstr)) == 0) {
        r.started_ms = r.last_settle_ms = r.last_progress_ms = rf_clock_mono_ms();
        r.started_wall_ms = rf_clock_now_ms();
        int looped = run_loop(&r, errstr, sizeof(errstr));
        progress(&r, true);
        /* before the work topic goes: a worker commits its offsets there as it leaves */
        fleet_stop(&fleet, 10000);
        rc = looped != 0 ? (rf_run_stopping() ? 1 : 3) : finish(&r, rules, errstr, sizeof(errstr));
        if (rf_run_stopping()) {
            errstr[0] = '\0'; /* stopped on request: nothing went wrong */
        }
        publish_status(&r, rf_run_stopping() ? "stopped"
                           : rc == 0         ? "done"
                           : rc == 1         ? "incomplete"
                                             : "failed");
    }
    if (rc == 3 && errstr[0]) {
        fprintf(stderr, "reprocess: %s\n", errstr);
    }
    fleet_release(&fleet);
    feeder_close(&f);
    backlog_close(&b);
    free(r.inflight);
    catalogue_free(rules);
    return rc;
}

static int promote(const struct rf_config *cfg, const struct options *o, const char *version)
{
    char errstr[2048], hash[VERSIONS_HASH_SIZE], label[256];
    struct backlog b;
    if (backlog_open(&b, cfg->pg_conninfo, o->where, "", errstr, sizeof(errstr)) != 0) {
        fprintf(stderr, "reprocess: %s\n", errstr);
        return 3;
    }
    enum versions_result v =
        versions_resolve(b.conn, version, hash, label, sizeof(label), errstr, sizeof(errstr));
    int rc = 0;
    if (v != VERSIONS_FOUND) {
        fprintf(stderr, "reprocess: %s\n", errstr);
        rc = v == VERSIONS_DB_ERROR ? 3 : 2;
    } else {
        snprintf(b.hash, sizeof(b.hash), "%s", hash);
        long long without = 0;
        long long changed = backlog_promote(&b, &without, errstr, sizeof(errstr));
        if (changed < 0) {
            fprintf(stderr, "reprocess: %s\n", errstr);
            rc = 3;
        } else {
            printf("promoted %s (rules_hash %s) for %lld document(s); %lld selected "
                   "document(s) lack it\n",
                   label, hash, changed, without);
        }
    }
    backlog_close(&b);
    return rc;
}

int main(int argc, char **argv)
{
    struct options o = {.workers = -1, .window = 500, .max_idle_s = 600};
    static const struct option extra[] = {{"rules", required_argument, NULL, OPT_RULES},
                                          {"where", required_argument, NULL, OPT_WHERE},
                                          {"rate", required_argument, NULL, OPT_RATE},
                                          {"promote", no_argument, NULL, OPT_PROMOTE},
                                          {"workers", required_argument, NULL, OPT_WORKERS},
                                          {"window", required_argument, NULL, OPT_WINDOW},
                                          {"max-idle-s", required_argument, NULL, OPT_IDLE},
                                          {"dead-letters", no_argument, NULL, OPT_LETTERS},
                                          {"code", required_argument, NULL, OPT_CODE},
                                          {NULL, 0, NULL, 0}};
    const struct rf_cli_program prog = {"reprocess", RF_PROG_REPROCESS, usage, extra, on_option, &o,
                                        NULL};
    char **pass = worker_flags(argc, argv); /* before getopt reorders argv */
    int rc, first;
    struct rf_config *cfg = pass ? rf_cli_start(&prog, argc, argv, &rc, &first) : NULL;
    if (!cfg) {
        free(pass);
        return pass ? rc : 3;
    }
    bool promoting = first < argc && strcmp(argv[first], "promote") == 0;
    if ((promoting && first + 2 != argc) || (!promoting && first != argc) || rf_run_init() != 0) {
        fputs(usage, stderr);
        rc = 2;
    } else {
        rc = promoting ? promote(cfg, &o, argv[first + 1]) : reprocess(cfg, &o, pass);
    }
    free(pass);
    rf_config_free(cfg);
    return rc;
}
