/*
 * watch.h - the inbox: inotify for files closed after writing or moved in,
 * plus full scans (at start, after an inotify overflow, and periodically for
 * files older than the rescan interval). Hidden and temporary names are
 * ignored by glob (watch.ignore).
 */
#ifndef RF_WATCH_H
#define RF_WATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct watch;

/** Called with a path relative to the inbox, e.g. "a.txt" or "2024/b.txt". */
typedef void (*watch_found_fn)(void *ctx, const char *rel_path);

/** Watch @p dir (created if missing). @returns NULL with errstr on failure. */
struct watch *watch_new(const char *dir, bool recursive, const char *ignore_globs, char *errstr,
                        size_t errstr_size);
void watch_free(struct watch *w);

/** The inotify descriptor, for poll(). */
int watch_fd(const struct watch *w);

/** Report every regular file not modified in the last @p min_age_ms. @returns files found. */
size_t watch_scan(struct watch *w, int64_t min_age_ms, watch_found_fn fn, void *ctx);

/** Drain pending inotify events. @returns 0, or -1 on a read error (logged). */
int watch_read_events(struct watch *w, watch_found_fn fn, void *ctx);

/** True when @p name (a base name) matches one of the ignore globs. */
bool watch_ignored(const struct watch *w, const char *name);

#endif
