/* archive.c - done/ after delivery, failed/ with a sidecar; folder fsyncs batched. */
#include "archive.h"

#include <errno.h>
#include <stdbool.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "reportflow/clock.h"
#include "reportflow/fs.h"
#include "reportflow/log.h"
#include "reportflow/strset.h"

#define COMPONENT "publish"

/* The longest reason a sidecar carries (the publisher's reasons are shorter). */
#define REASON_MAX 1024

struct archive {
    const struct rf_config *cfg; /* borrowed */
    struct rf_strset dirty;      /* folders with renames not yet fsynced */
};

struct archive *archive_new(const struct rf_config *cfg)
{
    struct archive *a = calloc(1, sizeof(*a));
    if (!a) {
        return NULL;
    }
    a->cfg = cfg;
    rf_strset_init(&a->dirty);
    return a;
}

/* Whether real path @p path is @p top or lies below it. */
static bool path_within(const char *path, const char *top)
{
    size_t n = strlen(top);
    return strncmp(path, top, n) == 0 &&
           (path[n] == '\0' || path[n] == '/' || (n > 0 && top[n - 1] == '/'));
}

int archive_check_places(const struct rf_config *cfg, char *errstr, size_t errstr_size)
{
    if (!cfg->watch_recursive) {
        return 0; /* a folder in the inbox is left alone */
    }
    char inbox[PATH_MAX], place[PATH_MAX];
    if (!realpath(cfg->watch_dir, inbox)) {
        snprintf(errstr, errstr_size, "watch.dir '%s': %s", cfg->watch_dir, strerror(errno));
        return -1;
    }
    const char *const keys[] = {"archive.dir", "failed.dir"};
    const char *const dirs[] = {cfg->archive_dir, cfg->failed_dir};
    for (size_t i = 0; i < 2; i++) {
        if (rf_fs_mkdir_p(dirs[i]) != 0 || !realpath(dirs[i], place)) {
            snprintf(errstr, errstr_size, "%s '%s' cannot be made: %s", keys[i], dirs[i],
                     strerror(errno));
            return -1;
        }
        if (path_within(place, inbox)) {
            snprintf(errstr, errstr_size,
                     "%s '%s' lies inside watch.dir '%s' and watch.recursive is on: every file "
                     "put there would be found and sent again; choose a folder outside the inbox",
                     keys[i], dirs[i], cfg->watch_dir);
            return -1;
        }
    }
    return 0;
}

void archive_free(struct archive *a)
{
    if (!a) {
        return;
    }
    archive_sync(a);
    rf_strset_release(&a->dirty);
    free(a);
}

static int inbox_path(const struct archive *a, const char *rel, char *out, size_t out_size)
{
    if (rf_fs_join(out, out_size, a->cfg->watch_dir, rel) != 0) {
        rf_error(COMPONENT, "path of '%s' in '%s' is longer than %zu bytes", rel, a->cfg->watch_dir,
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

/* Remember the folder holding @p path for the next archive_sync(). */
static void mark_dirty(struct archive *a, const char *path)
{
    char dir[PATH_MAX];
    const char *slash = strrchr(path, '/');
    size_t len = slash ? (size_t)(slash - path) : 0;
    if (len == 0 || len >= sizeof(dir)) {
        return;
    }
    memcpy(dir, path, len);
    dir[len] = '\0';
    if (rf_strset_add(&a->dirty, dir) < 0) {
        rf_fs_sync_dir(dir); /* no room to batch it: sync it now */
    }
}

/*
 * A rename lost in a crash before this leaves the file in the inbox, to be
 * sent again (idempotent), never lost.
 */
void archive_sync(struct archive *a)
{
    size_t pos = 0;
    for (const char *dir = rf_strset_next(&a->dirty, &pos); dir;
         dir = rf_strset_next(&a->dirty, &pos)) {
        if (rf_fs_sync_dir(dir) != 0) {
            rf_warn(COMPONENT, "cannot fsync folder '%s': %s", dir, strerror(errno));
        }
    }
    rf_strset_release(&a->dirty);
    rf_strset_init(&a->dirty);
}

/* done/2026-11-22/sub/a.txt: a dated folder, the inbox's subfolders kept. */
int archive_done(struct archive *a, const char *rel)
{
    char src[PATH_MAX], dir[PATH_MAX], final[PATH_MAX];
    if (inbox_path(a, rel, src, sizeof(src)) != 0) {
        errno = ENAMETOOLONG;
        return -1;
    }
    if (strcmp(a->cfg->archive_mode, "delete") == 0) {
        if (unlink(src) != 0) {
            return -1;
        }
        mark_dirty(a, src);
        return 0;
    }
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    char day[16];
    strftime(day, sizeof(day), "%Y-%m-%d", &tm);
    if (target_dir(a->cfg->archive_dir, day, rel, dir, sizeof(dir)) != 0 ||
        rf_fs_move_unique(src, dir, base_name(rel), final, sizeof(final)) != 0) {
        return -1;
    }
    mark_dirty(a, src);
    mark_dirty(a, final);
    return 0;
}

/* The .error sidecar: logfmt lines, values quoted and escaped like log lines. */
static size_t sidecar_text(const char *rel, const char *code, const char *why, char *out,
                           size_t out_size)
{
    char when[40], name[PATH_MAX * 4 + 4], reason[REASON_MAX * 4 + 4];
    rf_clock_format(rf_clock_now_ms(), when, sizeof(when));
    rf_log_escape(rel, strlen(rel), name, sizeof(name));
    rf_log_escape(why, strnlen(why, REASON_MAX), reason, sizeof(reason));
    int n =
        snprintf(out, out_size, "stage=producer\nerror=%s\nreason=\"%s\"\nfile=\"%s\"\ntime=%s\n",
                 code, reason, name, when);
    return n < 0 ? 0 : (size_t)n < out_size ? (size_t)n : out_size - 1;
}

int archive_failed(struct archive *a, const char *rel, const char *code, const char *reason)
{
    char src[PATH_MAX], dir[PATH_MAX], final[PATH_MAX];
    if (inbox_path(a, rel, src, sizeof(src)) != 0 ||
        target_dir(a->cfg->failed_dir, NULL, rel, dir, sizeof(dir)) != 0) {
        errno = ENAMETOOLONG;
        return -1;
    }
    size_t body_size = PATH_MAX * 4 + REASON_MAX * 4 + 4096;
    char *body = malloc(body_size);
    if (!body) {
        errno = ENOMEM;
        return -1;
    }
    size_t len = sidecar_text(rel, code, reason, body, body_size);
    int rc = rf_fs_move_unique_with_sidecar(src, dir, base_name(rel), ".error", body, len, final,
                                            sizeof(final));
    int err = errno;
    free(body);
    errno = err;
    return rc;
}

int archive_delivered(struct archive *a, const char *rel, unsigned tries, unsigned max_tries,
                      const char *delivered_to)
{
    if (archive_done(a, rel) == 0) {
        return 0;
    }
    int err = errno;
    if (tries < max_tries) {
        errno = err;
        return -1;
    }
    char reason[REASON_MAX];
    bool delete = strcmp(a->cfg->archive_mode, "delete") == 0;
    snprintf(reason, sizeof(reason),
             "delivered to %s but could not be %s after %u tries: %s; it was not sent again",
             delivered_to, delete ? "deleted" : "moved to done/", tries, strerror(err));
    if (archive_failed(a, rel, "not-archived", reason) != 0) {
        rf_error(COMPONENT, "'%s' cannot be moved to '%s' either: %s", rel, a->cfg->failed_dir,
                 strerror(errno));
        errno = err;
        return -1;
    }
    rf_warn(COMPONENT, "'%s' moved to '%s': %s", rel, a->cfg->failed_dir, reason);
    return 1;
}
