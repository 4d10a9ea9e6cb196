/* quiet.c - inbox files waiting to be complete: a table by name, a queue by due time. */
#include "quiet.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "reportflow/clock.h"
#include "reportflow/log.h"
#include "reportflow/vec.h"

#define COMPONENT "watch"
/* a writer holding a file this long is worth one line in the log (it is still not sent) */
#define WRITER_WARN_MS (10 * 60 * 1000)

/* One waiting file. */
struct pending {
    char *rel;                /* path relative to the inbox, owned */
    struct stat look;         /* the version at the last look */
    bool have_look;           /* false while it could not be looked at */
    int64_t writing_since_ms; /* monotonic; 0: no writer known */
    bool written;             /* a write was seen (IN_MODIFY) since the writer became known */
    bool stale;               /* changed after its last look while queued: look again */
    bool queued;              /* in the due queue */
    bool dropped;             /* forgotten while queued: freed when it leaves the queue */
    bool warned;              /* the long-writer line was logged */
};

struct due {
    struct pending *e;
    int64_t at_ms; /* monotonic; non-decreasing from head to tail */
};

struct quiet {
    char *dir;
    int64_t quiet_ms;
    struct pending **slots; /* open addressing by name; NULL empty, &tombstone removed */
    size_t cap, used, filled;
    size_t max;    /* names waiting at most: the table's bytes have a bound */
    struct due *q; /* FIFO: every push is due quiet_ms from now, so it stays in order */
    size_t q_head, q_tail, q_cap;
};

static struct pending tombstone;

static uint64_t hash_name(const char *s)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    for (; *s; s++) {
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    }
    return h;
}

/* The slot holding @p rel, or else the first free one on its probe path. */
static size_t find_slot(const struct quiet *q, const char *rel, bool *found)
{
    size_t mask = q->cap - 1, i = (size_t)hash_name(rel) & mask, free_slot = SIZE_MAX;
    for (;; i = (i + 1) & mask) {
        struct pending *e = q->slots[i];
        if (!e) {
            *found = false;
            return free_slot != SIZE_MAX ? free_slot : i;
        }
        if (e == &tombstone) {
            if (free_slot == SIZE_MAX) {
                free_slot = i;
            }
        } else if (strcmp(e->rel, rel) == 0) {
            *found = true;
            return i;
        }
    }
}

static struct pending *lookup(const struct quiet *q, const char *rel)
{
    bool found = false;
    if (q->cap == 0) {
        return NULL;
    }
    size_t i = find_slot(q, rel, &found);
    return found ? q->slots[i] : NULL;
}

/*
 * Room for one more name: when 70% of the slots are live or removed, rehash
 * into a table sized for the live names alone (at most 35% full), so removed
 * names never make it grow, however many files pass through.
 */
static int reserve_slot(struct quiet *q)
{
    if ((q->filled + 1) * 10 <= q->cap * 7) {
        return 0;
    }
    size_t cap = 64;
    while ((q->used + 1) * 20 > cap * 7) {
        cap *= 2;
    }
    struct pending **old = q->slots;
    size_t old_cap = q->cap;
    q->slots = calloc(cap, sizeof(*q->slots));
    if (!q->slots) {
        q->slots = old;
        return -1;
    }
    q->cap = cap;
    q->filled = q->used;
    for (size_t i = 0; i < old_cap; i++) {
        if (old[i] && old[i] != &tombstone) {
            bool found;
            q->slots[find_slot(q, old[i]->rel, &found)] = old[i];
        }
    }
    free(old);
    return 0;
}

/* A new name. @returns it, or NULL with *@p rc -1 (ENOMEM) or QUIET_FULL. */
static struct pending *insert(struct quiet *q, const char *rel, int *rc)
{
    *rc = -1;
    if (q->used >= q->max) {
        *rc = QUIET_FULL;
        return NULL;
    }
    if (reserve_slot(q) != 0) {
        return NULL;
    }
    struct pending *e = calloc(1, sizeof(*e));
    if (!e || !(e->rel = strdup(rel))) {
        free(e);
        return NULL;
    }
    bool found;
    size_t i = find_slot(q, rel, &found);
    if (!q->slots[i]) {
        q->filled++;
    }
    q->slots[i] = e;
    q->used++;
    return e;
}

static void free_entry(struct pending *e)
{
    free(e->rel);
    free(e);
}

/* Forget @p e; a queued entry is only marked, and freed when it leaves the queue. */
static void forget(struct quiet *q, struct pending *e)
{
    bool found;
    size_t i = find_slot(q, e->rel, &found);
    if (found && q->slots[i] == e) {
        q->slots[i] = &tombstone;
        q->used--;
    }
    if (e->queued) {
        e->dropped = true;
    } else {
        free_entry(e);
    }
}

static struct pending *lookup_or_insert(struct quiet *q, const char *rel, int *rc)
{
    struct pending *e = lookup(q, rel);
    return e ? e : insert(q, rel, rc);
}

/* Queue @p e for a look quiet_ms from now. @returns -1 on ENOMEM. */
static int push(struct quiet *q, struct pending *e)
{
    if (e->queued) {
        return 0;
    }
    if (q->q_tail == q->q_cap && q->q_head > 0) {
        memmove(q->q, q->q + q->q_head, (q->q_tail - q->q_head) * sizeof(*q->q));
        q->q_tail -= q->q_head;
        q->q_head = 0;
    }
    struct due *grown = rf_vec_reserve(q->q, &q->q_cap, q->q_tail, 1, sizeof(*grown));
    if (!grown) {
        return -1;
    }
    q->q = grown;
    q->q[q->q_tail].e = e;
    q->q[q->q_tail].at_ms = rf_clock_mono_ms() + q->quiet_ms;
    q->q_tail++;
    e->queued = true;
    return 0;
}

/*
 * Look at @p e now, into @p st. @returns 0 looked, 1 gone (the caller forgets
 * it), -1 cannot be looked at now (logged; looked at again later).
 */
static int look(struct quiet *q, struct pending *e, struct stat *st)
{
    char path[PATH_MAX];
    if (rf_fs_join(path, sizeof(path), q->dir, e->rel) != 0) {
        return 1; /* cannot be named: the watcher logged it */
    }
    if (lstat(path, st) != 0) {
        if (errno == ENOENT || errno == ENOTDIR) {
            return 1;
        }
        rf_warn(COMPONENT, "cannot look at '%s': %s; looking again later", path, strerror(errno));
        return -1;
    }
    return 0;
}

/* The outcome of look(): kept as the version to compare the next look with. */
static void keep_look(struct pending *e, int looked, const struct stat *st)
{
    e->have_look = looked == 0;
    if (looked == 0) {
        e->look = *st;
    }
    e->stale = false;
}

/* A fresh wait: look now and queue; or, while queued, look again when it comes out. */
static int wait_fresh(struct quiet *q, struct pending *e)
{
    if (e->queued) {
        e->stale = true;
        return 0;
    }
    struct stat st;
    int looked = look(q, e, &st);
    if (looked == 1) {
        forget(q, e);
        return 0;
    }
    keep_look(e, looked, &st);
    return push(q, e);
}

/*
 * A file made in place (IN_CREATE) has a writer until its close, but a name given to a file
 * written elsewhere (link() then unlink() of its first name, as mail deliveries do) has none,
 * and no close will come. Seen again by a scan with no write since, not empty, and named
 * longer than a quiet period ago: no writer was there, and it waits for quiet like any file.
 */
static int writer_guessed(struct quiet *q, struct pending *e)
{
    struct stat st;
    if (rf_clock_mono_ms() - e->writing_since_ms < q->quiet_ms || look(q, e, &st) != 0 ||
        st.st_size == 0) {
        return 0; /* a writer that opened it and has not written yet keeps it */
    }
    e->writing_since_ms = 0;
    return wait_fresh(q, e);
}

int quiet_track(struct quiet *q, const char *rel)
{
    struct pending *e = lookup(q, rel);
    if (e) {
        int64_t open_ms = e->writing_since_ms ? rf_clock_mono_ms() - e->writing_since_ms : 0;
        if (open_ms > WRITER_WARN_MS && !e->warned) {
            e->warned = true;
            rf_warn(COMPONENT,
                    "'%s' has been open for writing for %lld s; it is sent once its writer "
                    "closes it",
                    rel, (long long)(open_ms / 1000));
        }
        if (e->writing_since_ms && !e->written) {
            return writer_guessed(q, e); /* a scan: its writer may never have been */
        }
        return 0; /* already waiting: its wait goes on */
    }
    int rc;
    e = insert(q, rel, &rc);
    return e ? wait_fresh(q, e) : rc;
}

/* A writer holds @p rel from now on (if none was known); @p written: it was seen writing. */
static int mark_writer(struct quiet *q, const char *rel, bool written)
{
    int rc;
    struct pending *e = lookup_or_insert(q, rel, &rc);
    if (!e) {
        return rc;
    }
    if (e->writing_since_ms == 0) {
        int64_t now = rf_clock_mono_ms();
        e->writing_since_ms = now > 0 ? now : 1;
        e->warned = false;
    }
    e->written = written;
    return 0;
}

int quiet_created(struct quiet *q, const char *rel)
{
    return mark_writer(q, rel, false); /* a guess until a write is seen */
}

int quiet_writing(struct quiet *q, const char *rel)
{
    return mark_writer(q, rel, true);
}

int quiet_closed(struct quiet *q, const char *rel)
{
    int rc;
    struct pending *e = lookup_or_insert(q, rel, &rc);
    if (!e) {
        return rc;
    }
    e->writing_since_ms = 0;
    return wait_fresh(q, e);
}

int quiet_again(struct quiet *q, const char *rel)
{
    int rc;
    struct pending *e = lookup_or_insert(q, rel, &rc);
    if (!e) {
        return rc;
    }
    return e->writing_since_ms ? 0 : wait_fresh(q, e);
}

bool quiet_has_writer(const struct quiet *q, const char *rel)
{
    const struct pending *e = lookup(q, rel);
    return e && e->writing_since_ms != 0;
}

void quiet_drop(struct quiet *q, const char *rel)
{
    struct pending *e = lookup(q, rel);
    if (e) {
        forget(q, e);
    }
}

void quiet_forget_writers(struct quiet *q)
{
    /* forget() only leaves tombstones, so the table can be walked while it runs */
    for (size_t i = 0; i < q->cap; i++) {
        struct pending *e = q->slots[i];
        if (e && e != &tombstone && e->writing_since_ms) {
            e->writing_since_ms = 0;
            if (wait_fresh(q, e) != 0) {
                rf_error(COMPONENT, "out of memory: '%s' waits for the next scan", e->rel);
            }
        }
    }
}

/* One due entry out of the queue: claim it, look again, or let it wait for its writer. */
static size_t come_due(struct quiet *q, struct pending *e, quiet_claim_fn fn, void *ctx)
{
    e->queued = false;
    if (e->dropped) {
        free_entry(e);
        return 0;
    }
    if (e->writing_since_ms) {
        return 0; /* its close queues it again */
    }
    struct stat now;
    int looked = look(q, e, &now);
    if (looked == 1) {
        forget(q, e);
        return 0;
    }
    if (looked == 0 && e->have_look && !e->stale && rf_fs_same_version(&e->look, &now)) {
        fn(ctx, e->rel, rf_fs_kind_of_mode(now.st_mode), &now);
        forget(q, e);
        return 1;
    }
    /* new, changed, or seen to change: this look starts the quiet period again */
    keep_look(e, looked, &now);
    if (push(q, e) != 0) {
        rf_error(COMPONENT, "out of memory: '%s' waits for the next scan", e->rel);
        forget(q, e);
    }
    return 0;
}

size_t quiet_claim(struct quiet *q, size_t max, quiet_claim_fn fn, void *ctx)
{
    int64_t now = rf_clock_mono_ms();
    size_t claimed = 0;
    /* what is pushed meanwhile is due quiet_ms (>= 1) after now, so the loop ends */
    while (claimed < max && q->q_head < q->q_tail && q->q[q->q_head].at_ms <= now) {
        struct pending *e = q->q[q->q_head++].e;
        claimed += come_due(q, e, fn, ctx);
    }
    if (q->q_head == q->q_tail) {
        q->q_head = q->q_tail = 0;
    }
    return claimed;
}

size_t quiet_count(const struct quiet *q)
{
    return q->used;
}

struct quiet *quiet_new(const char *dir, int64_t quiet_ms, size_t max_files)
{
    struct quiet *q = calloc(1, sizeof(*q));
    if (!q || !(q->dir = strdup(dir))) {
        free(q);
        return NULL;
    }
    q->quiet_ms = quiet_ms > 0 ? quiet_ms : 1;
    q->max = max_files;
    return q;
}

void quiet_free(struct quiet *q)
{
    if (!q) {
        return;
    }
    for (size_t i = q->q_head; i < q->q_tail; i++) {
        if (q->q[i].e->dropped) {
            free_entry(q->q[i].e); /* no longer in the table */
        }
    }
    for (size_t i = 0; i < q->cap; i++) {
        if (q->slots[i] && q->slots[i] != &tombstone) {
            free_entry(q->slots[i]);
        }
    }
    free(q->slots);
    free(q->q);
    free(q->dir);
    free(q);
}
