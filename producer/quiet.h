/*
 * quiet.h - inbox files waiting to be complete, and the rule that claims them.
 *
 * A regular file is claimed (handed on to be read and sent) only when
 *   - no writer is known to hold it open: inotify's IN_MODIFY (or the
 *     IN_CREATE of a new file) marks it written, and only its IN_CLOSE_WRITE
 *     (or a rename onto its name) ends that; and
 *   - two looks at it, at least the quiet period apart, found the same
 *     version: device, inode, size, mtime and ctime.
 * A file seen only by a scan (at start, after an inotify overflow, the
 * periodic rescan) has no writer known, so the two looks decide alone.
 * A file renamed into the inbox does not wait here at all (watch.c): the
 * rename is its writer's word that it is complete.
 *
 * Each waiting file costs one lstat per quiet period; files are kept in the
 * order of their next look, so a claim round looks only at files that are due.
 */
#ifndef RF_QUIET_H
#define RF_QUIET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "reportflow/fs.h"

struct quiet;

/** A claimed file: its path relative to the inbox, its kind, and the version claimed. */
typedef void (*quiet_claim_fn)(void *ctx, const char *rel, enum rf_fs_kind kind,
                               const struct stat *st);

/* What the calls below that may start a wait return besides 0 and -1 (ENOMEM): */
#define QUIET_FULL 1 /* max_files wait already: not tracked (a later scan finds it) */

/** Files of inbox @p dir, claimed after @p quiet_ms, at most @p max_files waiting at once.
    @returns NULL on ENOMEM. */
struct quiet *quiet_new(const char *dir, int64_t quiet_ms, size_t max_files);
void quiet_free(struct quiet *q);

/** @p rel is there (a scan): it starts waiting unless it already waits. @returns -1 on ENOMEM,
    or QUIET_FULL. */
int quiet_track(struct quiet *q, const char *rel);

/** @p rel is being written (IN_MODIFY): never claimed until closed. */
int quiet_writing(struct quiet *q, const char *rel);

/** @p rel was made in place (IN_CREATE): a writer is taken to hold it until its close, or, with
    no write seen, until a scan finds it not empty a quiet period later (a link). */
int quiet_created(struct quiet *q, const char *rel);

/** @p rel was closed after writing, or renamed onto: no writer known, a fresh wait. */
int quiet_closed(struct quiet *q, const char *rel);

/** @p rel changed after it was claimed: a fresh wait; a writer known stays known. */
int quiet_again(struct quiet *q, const char *rel);

/** Whether a writer is known to hold @p rel open. */
bool quiet_has_writer(const struct quiet *q, const char *rel);

/** @p rel left (deleted, moved away): forget it. */
void quiet_drop(struct quiet *q, const char *rel);

/**
 * inotify lost events (overflow, a folder's watch dropped): a close may have
 * been missed, so no writer is known any more; every file waits on its looks.
 */
void quiet_forget_writers(struct quiet *q);

/** Claim the files that are due and quiet, at most @p max; each is forgotten here (the others
    due stay first in line). @returns files claimed. */
size_t quiet_claim(struct quiet *q, size_t max, quiet_claim_fn fn, void *ctx);

/** Files waiting (including those being written). */
size_t quiet_count(const struct quiet *q);

#endif
