/* watch.c - the inbox watcher. */
#include "watch.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "reportflow/clock.h"
#include "reportflow/fs.h"
#include "reportflow/log.h"
#include "reportflow/strset.h"
#include "reportflow/vec.h"
#include "quiet.h"

#define COMPONENT "watch"
/*
 * IN_CREATE: a FIFO, socket or symlink made in place is never closed after
 * writing, and a regular file made in place is open for writing until its
 * IN_CLOSE_WRITE; IN_MODIFY: a writer is at a file (until IN_CLOSE_WRITE);
 * IN_MOVED_TO: a file renamed in, complete (unless it was renamed within the
 * inbox while its writer held it open); IN_DELETE, IN_MOVED_FROM: a name that left.
 */
#define FILE_EVENTS                                                                                \
    (IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_MODIFY | IN_DELETE | IN_MOVED_FROM)

/*
 * A file's IN_MOVED_FROM, kept until its IN_MOVED_TO: renames in two watched
 * folders may interleave their events, so a few are kept, not the last alone.
 */
#define MOVES_KEPT 16
struct moved_from {
    uint32_t cookie;
    bool writer; /* a writer was known to hold it open */
    bool pending;
};

struct watched_dir {
    int wd;    /* inotify watch descriptor */
    char *rel; /* path relative to the inbox; "" for the inbox itself */
};

struct watch {
    char *dir;      /* inbox path */
    bool recursive; /* also watch subdirectories */
    char **globs;   /* ignore patterns */
    size_t glob_cnt, glob_cap;
    int fd;                   /* inotify */
    struct watched_dir *dirs; /* one per watched directory */
    size_t dir_cnt, dir_cap;
    struct rf_strset skipped;            /* subfolders already logged as left alone */
    struct quiet *quiet;                 /* regular files waiting to be complete */
    struct moved_from moves[MOVES_KEPT]; /* the last files moved from a name, a ring */
    size_t moves_next;
    bool overflowed; /* a file was not tracked since the last scan: WATCH_MAX_WAITING wait */
    struct watch_stats stats;
};

static int split_globs(struct watch *w, const char *list)
{
    const char *p = list;
    while (*p) {
        const char *comma = strchr(p, ',');
        size_t n = comma ? (size_t)(comma - p) : strlen(p);
        while (n > 0 && *p == ' ') {
            p++;
            n--;
        }
        if (n > 0) {
            char **grown = rf_vec_reserve(w->globs, &w->glob_cap, w->glob_cnt, 1, sizeof(*grown));
            if (!grown) {
                return -1;
            }
            w->globs = grown;
            w->globs[w->glob_cnt] = strndup(p, n);
            if (!w->globs[w->glob_cnt]) {
                return -1;
            }
            w->glob_cnt++;
        }
        p += n + (comma ? 1 : 0);
    }
    return 0;
}

bool watch_ignored(const struct watch *w, const char *name)
{
    for (size_t i = 0; i < w->glob_cnt; i++) {
        if (fnmatch(w->globs[i], name, 0) == 0) {
            return true;
        }
    }
    return false;
}

/* The folder @p rel of the inbox ("" for the inbox itself). */
static int dir_path(const struct watch *w, const char *rel, char *out, size_t out_size)
{
    int n = snprintf(out, out_size, "%s%s%s", w->dir, rel[0] ? "/" : "", rel);
    if (n < 0 || (size_t)n >= out_size) {
        rf_warn(COMPONENT, "'%s' in '%s': path longer than %zu bytes, left alone", rel, w->dir,
                out_size - 1);
        return -1;
    }
    return 0;
}

static int add_dir_watch(struct watch *w, const char *rel)
{
    char path[PATH_MAX];
    if (dir_path(w, rel, path, sizeof(path)) != 0) {
        return -1;
    }
    /* a subfolder swapped for a symlink after we looked must not lead outside the inbox */
    uint32_t mask = FILE_EVENTS | IN_ONLYDIR | (rel[0] ? IN_DONT_FOLLOW : 0);
    int wd = inotify_add_watch(w->fd, path, mask);
    if (wd < 0) {
        rf_error(COMPONENT, "cannot watch '%s': %s", path, strerror(errno));
        return -1;
    }
    for (size_t i = 0; i < w->dir_cnt; i++) {
        if (w->dirs[i].wd == wd) {
            return 0; /* already watched */
        }
    }
    struct watched_dir *grown = rf_vec_reserve(w->dirs, &w->dir_cap, w->dir_cnt, 1, sizeof(*grown));
    if (!grown) {
        return -1;
    }
    w->dirs = grown;
    w->dirs[w->dir_cnt].wd = wd;
    w->dirs[w->dir_cnt].rel = strdup(rel);
    if (!w->dirs[w->dir_cnt].rel) {
        return -1;
    }
    w->dir_cnt++;
    return 0;
}

struct watch *watch_new(const char *dir, bool recursive, const char *ignore_globs, int64_t quiet_ms,
                        char *errstr, size_t errstr_size)
{
    struct watch *w = calloc(1, sizeof(*w));
    if (!w) {
        snprintf(errstr, errstr_size, "out of memory");
        return NULL;
    }
    w->fd = -1;
    w->recursive = recursive;
    rf_strset_init(&w->skipped);
    w->dir = strdup(dir);
    w->quiet = w->dir ? quiet_new(dir, quiet_ms, WATCH_MAX_WAITING) : NULL;
    if (!w->quiet || split_globs(w, ignore_globs) != 0) {
        snprintf(errstr, errstr_size, "out of memory");
        goto out_fail;
    }
    if (rf_fs_mkdir_p(dir) != 0) {
        snprintf(errstr, errstr_size, "cannot create inbox '%s': %s", dir, strerror(errno));
        goto out_fail;
    }
    w->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (w->fd < 0) {
        snprintf(errstr, errstr_size, "inotify_init1: %s", strerror(errno));
        goto out_fail;
    }
    if (add_dir_watch(w, "") != 0) {
        snprintf(errstr, errstr_size, "cannot watch inbox '%s': %s", dir, strerror(errno));
        goto out_fail;
    }
    return w;
out_fail:
    watch_free(w);
    return NULL;
}

void watch_free(struct watch *w)
{
    if (!w) {
        return;
    }
    if (w->fd >= 0) {
        close(w->fd);
    }
    for (size_t i = 0; i < w->dir_cnt; i++) {
        free(w->dirs[i].rel);
    }
    for (size_t i = 0; i < w->glob_cnt; i++) {
        free(w->globs[i]);
    }
    free(w->dirs);
    free(w->globs);
    rf_strset_release(&w->skipped);
    quiet_free(w->quiet);
    free(w->dir);
    free(w);
}

int watch_fd(const struct watch *w)
{
    return w->fd;
}

/* "rel/name" (or "name" at the top); -1 when it does not fit (logged). */
static int join_rel(const struct watch *w, char *out, size_t out_size, const char *rel,
                    const char *name)
{
    int n = snprintf(out, out_size, "%s%s%s", rel, rel[0] ? "/" : "", name);
    if (n < 0 || (size_t)n >= out_size) {
        rf_warn(COMPONENT, "'%s/%s' in '%s': path longer than %zu bytes, left alone", rel, name,
                w->dir, out_size - 1);
        return -1;
    }
    return 0;
}

static enum rf_fs_kind kind_of_dtype(unsigned char d_type, bool *known)
{
    *known = true;
    switch (d_type) {
    case DT_REG:
        return RF_FS_REGULAR;
    case DT_DIR:
        return RF_FS_DIR;
    case DT_LNK:
        return RF_FS_SYMLINK;
    case DT_FIFO:
        return RF_FS_FIFO;
    case DT_SOCK:
        return RF_FS_SOCKET;
    case DT_CHR:
    case DT_BLK:
        return RF_FS_DEVICE;
    default:
        *known = false;
        return RF_FS_GONE;
    }
}

/* A subfolder when not recursive, or too deep: logged once, counted, left where it is. */
static void skip_folder(struct watch *w, const char *rel)
{
    int added = rf_strset_add(&w->skipped, rel);
    if (added == 0) {
        return;
    }
    w->stats.skipped_folders++;
    if (!w->recursive) {
        rf_warn(COMPONENT,
                "'%s' is a folder and watch.recursive is off: left in the inbox, its files are "
                "not sent",
                rel);
    } else {
        rf_warn(COMPONENT,
                "'%s' lies more than %d folders deep in the inbox: left there, its files are not "
                "sent",
                rel, WATCH_MAX_DEPTH);
    }
}

/* Folder @p rel (relative to the inbox) is one the watch goes into: recursive, and not so deep
   that a scan's recursion (two paths on the stack a level) could run out of stack. */
static bool folder_entered(const struct watch *w, const char *rel)
{
    int depth = 1;
    for (const char *c = rel; *c; c++) {
        depth += *c == '/';
    }
    return w->recursive && depth <= WATCH_MAX_DEPTH;
}

static size_t scan_dir(struct watch *w, const char *rel, watch_found_fn fn, void *ctx);

/* What became of tracking @p rel (a quiet_* call's @p rc): on ENOMEM or a full table it is left
   to a later scan, the first time said in the log. */
static void tracked(struct watch *w, const char *rel, int rc)
{
    if (rc < 0) {
        rf_error(COMPONENT, "out of memory tracking '%s'; the next scan finds it again", rel);
    } else if (rc == QUIET_FULL && !w->overflowed) {
        w->overflowed = true;
        rf_warn(COMPONENT,
                "%d files wait to be sent: '%s' and the files after it stay in the inbox until "
                "those have gone, then a scan finds them",
                WATCH_MAX_WAITING, rel);
    }
}

/* A regular file waits for quiet; @returns 1 (it counts as found). */
static size_t track(struct watch *w, const char *rel)
{
    tracked(w, rel, quiet_track(w->quiet, rel));
    return 1;
}

/* One entry of folder @p rel: report it, track it, descend, or skip it. @returns entries found. */
static size_t visit(struct watch *w, const char *rel, const char *name, unsigned char d_type,
                    watch_found_fn fn, void *ctx)
{
    char child_rel[PATH_MAX], child[PATH_MAX];
    if (join_rel(w, child_rel, sizeof(child_rel), rel, name) != 0 ||
        dir_path(w, child_rel, child, sizeof(child)) != 0) {
        return 0;
    }
    bool known;
    enum rf_fs_kind kind = kind_of_dtype(d_type, &known);
    if (!known) {
        kind = rf_fs_kind_of(child); /* a stat only when readdir cannot tell */
    }
    if (kind == RF_FS_GONE) {
        return 0;
    }
    if (kind == RF_FS_DIR) {
        if (!folder_entered(w, child_rel)) {
            skip_folder(w, child_rel);
            return 0;
        }
        add_dir_watch(w, child_rel);
        return scan_dir(w, child_rel, fn, ctx);
    }
    if (kind == RF_FS_REGULAR) {
        return track(w, child_rel); /* of any age: quiet decides when it is complete */
    }
    fn(ctx, child_rel, kind, NULL);
    return 1;
}

static size_t scan_dir(struct watch *w, const char *rel, watch_found_fn fn, void *ctx)
{
    char path[PATH_MAX];
    if (dir_path(w, rel, path, sizeof(path)) != 0) {
        return 0;
    }
    /* the inbox itself may be a symlink (configuration); a subfolder never is followed */
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | (rel[0] ? O_NOFOLLOW : 0));
    DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
    if (!d) {
        rf_warn(COMPONENT, "cannot scan '%s': %s", path, strerror(errno));
        if (fd >= 0) {
            close(fd);
        }
        return 0;
    }
    size_t found = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (watch_ignored(w, e->d_name) || !strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) {
            continue;
        }
        found += visit(w, rel, e->d_name, e->d_type, fn, ctx);
    }
    closedir(d);
    return found;
}

static bool inbox_watched(const struct watch *w)
{
    for (size_t i = 0; i < w->dir_cnt; i++) {
        if (w->dirs[i].rel[0] == '\0') {
            return true;
        }
    }
    return false;
}

size_t watch_scan(struct watch *w, watch_found_fn fn, void *ctx)
{
    if (!inbox_watched(w)) {
        /* lost (IN_IGNORED): the inbox was removed or replaced; watch it again */
        if (rf_fs_mkdir_p(w->dir) != 0 || add_dir_watch(w, "") != 0) {
            rf_error(COMPONENT, "inbox '%s' is gone and cannot be watched again: %s", w->dir,
                     strerror(errno));
            return 0;
        }
        rf_info(COMPONENT, "watching inbox '%s' again", w->dir);
    }
    w->overflowed = false; /* what this scan cannot track sets it again */
    return scan_dir(w, "", fn, ctx);
}

size_t watch_claim(struct watch *w, size_t max, watch_found_fn fn, void *ctx)
{
    return quiet_claim(w->quiet, max, fn, ctx);
}

bool watch_overflowed(const struct watch *w)
{
    return w->overflowed;
}

void watch_wait_again(struct watch *w, const char *rel)
{
    tracked(w, rel, quiet_again(w->quiet, rel));
}

size_t watch_waiting(const struct watch *w)
{
    return quiet_count(w->quiet);
}

size_t watch_folder_count(const struct watch *w)
{
    return w->dir_cnt;
}

const struct watch_stats *watch_stats(const struct watch *w)
{
    return &w->stats;
}

/* IN_IGNORED: the kernel dropped the watch (folder removed, moved away or unmounted). */
static void forget_watch(struct watch *w, int wd)
{
    for (size_t i = 0; i < w->dir_cnt; i++) {
        if (w->dirs[i].wd == wd) {
            w->stats.lost_watches++;
            if (w->dirs[i].rel[0] == '\0') {
                rf_error(COMPONENT,
                         "the inbox '%s' was removed or unmounted; watching it again "
                         "at the next scan",
                         w->dir);
            } else {
                rf_info(COMPONENT, "folder '%s' left the inbox; no longer watched", w->dirs[i].rel);
            }
            free(w->dirs[i].rel);
            w->dirs[i] = w->dirs[w->dir_cnt - 1];
            w->dir_cnt--;
            /* closes in that folder can no longer be seen: its files wait on their looks */
            quiet_forget_writers(w->quiet);
            return;
        }
    }
}

static const char *rel_of_wd(const struct watch *w, int wd)
{
    for (size_t i = 0; i < w->dir_cnt; i++) {
        if (w->dirs[i].wd == wd) {
            return w->dirs[i].rel;
        }
    }
    return NULL;
}

/* True when folder @p rel is @p top or inside it. */
static bool within(const char *rel, const char *top)
{
    size_t n = strlen(top);
    return strncmp(rel, top, n) == 0 && (rel[n] == '\0' || rel[n] == '/');
}

/*
 * Folder @p child_rel was renamed away (IN_MOVED_FROM): its watch and those of
 * its subfolders go now. The kernel keeps a watch on a moved folder, so it
 * would go on reporting under the old name, or from outside the inbox; a folder
 * moved within the inbox comes back with its new name by IN_MOVED_TO.
 */
static void drop_folder(struct watch *w, const char *child_rel)
{
    for (size_t i = 0; i < w->dir_cnt;) {
        if (w->dirs[i].rel[0] == '\0' || !within(w->dirs[i].rel, child_rel)) {
            i++;
            continue;
        }
        if (inotify_rm_watch(w->fd, w->dirs[i].wd) != 0) {
            rf_warn(COMPONENT, "cannot stop watching '%s': %s", w->dirs[i].rel, strerror(errno));
        }
        rf_info(COMPONENT, "folder '%s' was renamed; its files are found under the new name",
                w->dirs[i].rel);
        free(w->dirs[i].rel);
        w->dirs[i] = w->dirs[--w->dir_cnt];
    }
    /* closes in that folder can no longer be seen: its files wait on their looks */
    quiet_forget_writers(w->quiet);
}

/* A new subfolder: watched and scanned when recursive, else logged once and left alone. */
static void new_folder(struct watch *w, const char *child_rel, watch_found_fn fn, void *ctx)
{
    if (!folder_entered(w, child_rel)) {
        skip_folder(w, child_rel);
    } else if (add_dir_watch(w, child_rel) == 0) {
        /* files may have landed before the watch existed */
        scan_dir(w, child_rel, fn, ctx);
    }
}

/* Did the IN_MOVED_FROM of @p cookie leave a name a writer held open? Each pairs once. */
static bool moved_with_writer(struct watch *w, uint32_t cookie)
{
    for (size_t i = 0; i < MOVES_KEPT; i++) {
        struct moved_from *m = &w->moves[i];
        if (m->pending && m->cookie == cookie) {
            m->pending = false;
            return m->writer;
        }
    }
    return false;
}

/*
 * A name that appeared (IN_CREATE, IN_MOVED_TO): anything but a regular file is
 * reported now. A regular file made in place is open for writing until its
 * close, unless it is a hard link (no writer: only a name), and then waits for
 * quiet. One renamed in is reported now: writing to a temporary name and
 * renaming is how a writer says a file is complete, and the quiet period would
 * only delay it (2 s of every drop). The publisher still sends only the version
 * claimed here, unchanged while it is read. A file renamed within the inbox
 * keeps the writer it had.
 */
static int appeared(struct watch *w, const char *child_rel, const struct inotify_event *ev,
                    watch_found_fn fn, void *ctx)
{
    char path[PATH_MAX];
    struct stat st;
    if (dir_path(w, child_rel, path, sizeof(path)) != 0 || lstat(path, &st) != 0) {
        return 0; /* gone already */
    }
    enum rf_fs_kind kind = rf_fs_kind_of_mode(st.st_mode);
    if (kind == RF_FS_DIR) {
        return 0;
    }
    if (kind != RF_FS_REGULAR) {
        fn(ctx, child_rel, kind, &st);
        return 0;
    }
    if ((ev->mask & IN_CREATE) && st.st_nlink == 1) {
        return quiet_created(w->quiet, child_rel);
    }
    if (!(ev->mask & IN_MOVED_TO)) {
        return quiet_closed(w->quiet, child_rel); /* a hard link */
    }
    if (moved_with_writer(w, ev->cookie)) {
        return quiet_writing(w->quiet, child_rel);
    }
    quiet_drop(w->quiet, child_rel); /* whatever waited under this name was replaced */
    fn(ctx, child_rel, kind, &st);
    return 0;
}

static void handle_event(struct watch *w, const struct inotify_event *ev, watch_found_fn fn,
                         void *ctx)
{
    if (ev->mask & IN_Q_OVERFLOW) {
        rf_warn(COMPONENT, "inotify queue overflowed; rescanning the inbox");
        quiet_forget_writers(w->quiet); /* closes may have been lost with the rest */
        watch_scan(w, fn, ctx);
        return;
    }
    if (ev->mask & IN_IGNORED) {
        forget_watch(w, ev->wd);
        return;
    }
    const char *rel = rel_of_wd(w, ev->wd);
    if (!rel || ev->len == 0 || watch_ignored(w, ev->name)) {
        return;
    }
    char child_rel[PATH_MAX];
    if (join_rel(w, child_rel, sizeof(child_rel), rel, ev->name) != 0) {
        return;
    }
    int rc = 0;
    if (ev->mask & IN_ISDIR) {
        if (ev->mask & (IN_CREATE | IN_MOVED_TO)) {
            new_folder(w, child_rel, fn, ctx);
        } else if (ev->mask & IN_MOVED_FROM) {
            drop_folder(w, child_rel);
        }
        if (ev->mask & (IN_DELETE | IN_MOVED_FROM)) {
            /* a skipped folder that left is forgotten: a client making one per upload would
               otherwise grow the set for as long as the producer runs */
            rf_strset_remove(&w->skipped, child_rel);
        }
        return;
    } else if (ev->mask & (IN_DELETE | IN_MOVED_FROM)) {
        if (ev->mask & IN_MOVED_FROM) {
            w->moves[w->moves_next++ % MOVES_KEPT] =
                (struct moved_from){ev->cookie, quiet_has_writer(w->quiet, child_rel), true};
        }
        quiet_drop(w->quiet, child_rel);
    } else if (ev->mask & IN_MODIFY) {
        rc = quiet_writing(w->quiet, child_rel);
    } else if (ev->mask & IN_CLOSE_WRITE) {
        rc = quiet_closed(w->quiet, child_rel);
    } else if (ev->mask & (IN_CREATE | IN_MOVED_TO)) {
        rc = appeared(w, child_rel, ev, fn, ctx);
    }
    tracked(w, child_rel, rc);
}

int watch_read_events(struct watch *w, watch_found_fn fn, void *ctx)
{
    char buf[64 * (sizeof(struct inotify_event) + NAME_MAX + 1)]
        __attribute__((aligned(__alignof__(struct inotify_event))));
    for (;;) {
        ssize_t n = read(w->fd, buf, sizeof(buf));
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0 && errno == EAGAIN) {
            return 0;
        }
        if (n <= 0) {
            rf_error(COMPONENT, "reading inotify events: %s", strerror(errno));
            return -1;
        }
        for (char *p = buf; p < buf + n;) {
            const struct inotify_event *ev = (const struct inotify_event *)p;
            handle_event(w, ev, fn, ctx);
            p += sizeof(struct inotify_event) + ev->len;
        }
    }
}
