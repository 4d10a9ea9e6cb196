/*
 * watch.h - the inbox: inotify for files closed after writing, moved in or
 * created as something other than a regular file, plus full scans (at start,
 * after an inotify overflow, and periodically for files older than the rescan
 * interval). Hidden and temporary names are ignored by glob (watch.ignore).
 *
 * Every entry that is not a folder is reported with its kind (from lstat: a
 * symlink is reported as a symlink, never followed), so the publisher can
 * move what it will not send to failed/. Folders are watched when recursive;
 * otherwise each is logged once, counted and left where it is.
 */
#ifndef RF_WATCH_H
#define RF_WATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "reportflow/fs.h"

struct watch;

/** Called with a path relative to the inbox, e.g. "a.txt" or "2024/b.txt", and what it is. */
typedef void (*watch_found_fn)(void *ctx, const char *rel_path, enum rf_fs_kind kind);

struct watch_stats {
    uint64_t skipped_folders; /* distinct subfolders left alone (not recursive) */
    uint64_t lost_watches;    /* IN_IGNORED: a watched folder was removed or unmounted */
};

/** Watch @p dir (created if missing). @returns NULL with errstr on failure. */
struct watch *watch_new(const char *dir, bool recursive, const char *ignore_globs, char *errstr,
                        size_t errstr_size);
void watch_free(struct watch *w);

/** The inotify descriptor, for poll(). */
int watch_fd(const struct watch *w);

/**
 * Report every entry that is not a folder: regular files not modified in the
 * last @p min_age_ms, anything else at once. Re-watches the inbox if its
 * watch was lost. @returns entries found.
 */
size_t watch_scan(struct watch *w, int64_t min_age_ms, watch_found_fn fn, void *ctx);

/** Drain pending inotify events. @returns 0, or -1 on a read error (logged). */
int watch_read_events(struct watch *w, watch_found_fn fn, void *ctx);

/** True when @p name (a base name) matches one of the ignore globs. */
bool watch_ignored(const struct watch *w, const char *name);

/** Number of folders watched now (the inbox and, when recursive, its subfolders). */
size_t watch_folder_count(const struct watch *w);

const struct watch_stats *watch_stats(const struct watch *w);

#endif
