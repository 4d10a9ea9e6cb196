/*
 * watch.h - the inbox: inotify (files written, closed after writing, moved in,
 * removed, or created as something other than a regular file) plus full scans
 * (at start, after an inotify overflow, and every watch.rescan_ms). Hidden and
 * temporary names are ignored by glob (watch.ignore).
 *
 * A regular file is reported only once it is complete: no writer known to hold
 * it open, and unchanged over the quiet period (quiet.h has the rule). The
 * same rule holds however the file was found, by an event or by any scan.
 * Anything else that is not a folder is reported at once with its kind (from
 * lstat: a symlink is reported as a symlink, never followed), so the publisher
 * can move what it will not send to failed/. Folders are watched when
 * recursive; otherwise each is logged once, counted and left where it is.
 */
#ifndef RF_WATCH_H
#define RF_WATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "reportflow/fs.h"

struct watch;

/* Folders below the inbox a recursive watch goes into; deeper ones are left alone (logged,
   counted as skipped): a scan recurses a level per folder. */
#define WATCH_MAX_DEPTH 32

/* Files waiting to be complete at most, so a backlog of any size is held in bounded memory
   (some 300 bytes and the name each): the rest stay in the inbox, found by a later scan once
   these have gone (watch_overflowed()). */
#define WATCH_MAX_WAITING 20000

/**
 * Called with a path relative to the inbox, e.g. "a.txt" or "2024/b.txt", what
 * it is, and for a regular file the version found complete (NULL when unknown).
 */
typedef void (*watch_found_fn)(void *ctx, const char *rel_path, enum rf_fs_kind kind,
                               const struct stat *st);

struct watch_stats {
    uint64_t skipped_folders; /* subfolders left alone (not recursive, or too deep), once each */
    uint64_t lost_watches;    /* IN_IGNORED: a watched folder was removed or unmounted */
};

/**
 * Watch @p dir (created if missing); a regular file is complete once quiet for
 * @p quiet_ms. @returns NULL with errstr on failure.
 */
struct watch *watch_new(const char *dir, bool recursive, const char *ignore_globs, int64_t quiet_ms,
                        char *errstr, size_t errstr_size);
void watch_free(struct watch *w);

/** The inotify descriptor, for poll(). */
int watch_fd(const struct watch *w);

/**
 * Find every entry that is not a folder: regular files of any age start
 * waiting to be complete (watch_claim() reports them), anything else is
 * reported now. Re-watches the inbox if its watch was lost. @returns entries found.
 */
size_t watch_scan(struct watch *w, watch_found_fn fn, void *ctx);

/** Drain pending inotify events. @returns 0, or -1 on a read error (logged). */
int watch_read_events(struct watch *w, watch_found_fn fn, void *ctx);

/** Report the regular files that are complete now, at most @p max. @returns files reported. */
size_t watch_claim(struct watch *w, size_t max, watch_found_fn fn, void *ctx);

/** Whether a file was left untracked since the last scan (WATCH_MAX_WAITING waited): the
    caller scans again once there is room. */
bool watch_overflowed(const struct watch *w);

/** @p rel changed after it was reported (seen when it was read): wait until it is quiet again. */
void watch_wait_again(struct watch *w, const char *rel);

/** Regular files waiting to be complete. */
size_t watch_waiting(const struct watch *w);

/** True when @p name (a base name) matches one of the ignore globs. */
bool watch_ignored(const struct watch *w, const char *name);

/** Number of folders watched now (the inbox and, when recursive, its subfolders). */
size_t watch_folder_count(const struct watch *w);

const struct watch_stats *watch_stats(const struct watch *w);

#endif
