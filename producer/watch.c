/* watch.c - the inbox watcher. */
#include "watch.h"

#include <dirent.h>
#include <errno.h>
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

#include "reportflow/fsutil.h"
#include "reportflow/log.h"

#define COMPONENT "watch"
#define FILE_EVENTS (IN_CLOSE_WRITE | IN_MOVED_TO)
#define DIR_EVENTS (IN_CREATE | IN_MOVED_TO)

struct watched_dir {
    int wd;        /* inotify watch descriptor */
    char *rel;     /* path relative to the inbox; "" for the inbox itself */
};

struct watch {
    char *dir;                 /* inbox path */
    bool recursive;            /* also watch subdirectories */
    char **globs;              /* ignore patterns */
    size_t glob_cnt;
    int fd;                    /* inotify */
    struct watched_dir *dirs;  /* one per watched directory */
    size_t dir_cnt;
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
            char **grown = realloc(w->globs, (w->glob_cnt + 1) * sizeof(char *));
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

static int add_dir_watch(struct watch *w, const char *rel)
{
    char path[PATH_MAX];
    snprintf(path, sizeof(path), "%s%s%s", w->dir, rel[0] ? "/" : "", rel);
    uint32_t mask = FILE_EVENTS | (w->recursive ? DIR_EVENTS : 0) | IN_ONLYDIR;
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
    struct watched_dir *grown = realloc(w->dirs, (w->dir_cnt + 1) * sizeof(*grown));
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

struct watch *watch_new(const char *dir, bool recursive, const char *ignore_globs, char *errstr,
                        size_t errstr_size)
{
    struct watch *w = calloc(1, sizeof(*w));
    if (!w) {
        snprintf(errstr, errstr_size, "out of memory");
        return NULL;
    }
    w->fd = -1;
    w->recursive = recursive;
    w->dir = strdup(dir);
    if (!w->dir || split_globs(w, ignore_globs) != 0) {
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
    free(w->dir);
    free(w);
}

int watch_fd(const struct watch *w)
{
    return w->fd;
}

static void join_rel(char *out, size_t out_size, const char *rel, const char *name)
{
    snprintf(out, out_size, "%s%s%s", rel, rel[0] ? "/" : "", name);
}

static size_t scan_dir(struct watch *w, const char *rel, int64_t cutoff_ms, watch_found_fn fn,
                       void *ctx)
{
    char path[PATH_MAX];
    snprintf(path, sizeof(path), "%s%s%s", w->dir, rel[0] ? "/" : "", rel);
    DIR *d = opendir(path);
    if (!d) {
        rf_warn(COMPONENT, "cannot scan '%s': %s", path, strerror(errno));
        return 0;
    }
    size_t found = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (watch_ignored(w, e->d_name) || !strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) {
            continue;
        }
        char child_rel[PATH_MAX], child[PATH_MAX * 2];
        join_rel(child_rel, sizeof(child_rel), rel, e->d_name);
        snprintf(child, sizeof(child), "%s/%s", w->dir, child_rel);
        bool is_dir = e->d_type == DT_DIR, is_reg = e->d_type == DT_REG;
        int64_t mtime_ms = 0;
        /* a stat per file only when the type is unknown or the age matters (rescans) */
        if (e->d_type == DT_UNKNOWN || (is_reg && cutoff_ms < rf_clock_now_ms())) {
            struct stat st;
            if (lstat(child, &st) != 0) {
                continue;
            }
            is_dir = S_ISDIR(st.st_mode);
            is_reg = S_ISREG(st.st_mode);
            mtime_ms = (int64_t)st.st_mtim.tv_sec * 1000 + st.st_mtim.tv_nsec / 1000000;
        }
        if (is_dir && w->recursive) {
            add_dir_watch(w, child_rel);
            found += scan_dir(w, child_rel, cutoff_ms, fn, ctx);
        } else if (is_reg && mtime_ms <= cutoff_ms) {
            fn(ctx, child_rel);
            found++;
        }
    }
    closedir(d);
    return found;
}

size_t watch_scan(struct watch *w, int64_t min_age_ms, watch_found_fn fn, void *ctx)
{
    /* min_age_ms == 0: every file, whatever its age (INT64_MAX skips the stat) */
    return scan_dir(w, "", min_age_ms > 0 ? rf_clock_now_ms() - min_age_ms : INT64_MAX, fn, ctx);
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

static void handle_event(struct watch *w, const struct inotify_event *ev, watch_found_fn fn,
                         void *ctx)
{
    if (ev->mask & IN_Q_OVERFLOW) {
        rf_warn(COMPONENT, "inotify queue overflowed; rescanning the inbox");
        watch_scan(w, 0, fn, ctx);
        return;
    }
    const char *rel = rel_of_wd(w, ev->wd);
    if (!rel || ev->len == 0 || watch_ignored(w, ev->name)) {
        return;
    }
    char child_rel[PATH_MAX];
    join_rel(child_rel, sizeof(child_rel), rel, ev->name);
    if (ev->mask & IN_ISDIR) {
        if (w->recursive && add_dir_watch(w, child_rel) == 0) {
            /* files may have landed before the watch existed */
            scan_dir(w, child_rel, INT64_MAX, fn, ctx);
        }
        return;
    }
    if (ev->mask & FILE_EVENTS) {
        fn(ctx, child_rel);
    }
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
