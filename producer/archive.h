/*
 * archive.h - where an inbox file goes once the publisher is done with it:
 * done/YYYY-MM-DD/ (or deleted, archive.mode=delete) after its delivery
 * report, or failed/ with a NAME.error sidecar. Neither ever replaces a file.
 * The folders a rename touched are fsynced once per batch (archive_sync()).
 */
#ifndef RF_ARCHIVE_H
#define RF_ARCHIVE_H

#include "reportflow/config.h"

struct archive;

/** @returns NULL on ENOMEM. */
struct archive *archive_new(const struct rf_config *cfg);

/**
 * With watch.recursive on, archive.dir and failed.dir (made if missing) must lie outside
 * watch.dir: a file archived there would be found and sent again, each time one folder
 * deeper. @returns 0, or -1 with a message naming the key in @p errstr.
 */
int archive_check_places(const struct rf_config *cfg, char *errstr, size_t errstr_size);
void archive_free(struct archive *a);

/** Move inbox file @p rel to done/, its subfolders kept, or delete it. @returns 0, or -1 (errno).
 */
int archive_done(struct archive *a, const char *rel);

/**
 * Move inbox file @p rel to failed/ with a sidecar NAME.error in logfmt
 * (stage, error @p code, reason @p reason, file, time). @returns 0, or -1 (errno).
 */
int archive_failed(struct archive *a, const char *rel, const char *code, const char *reason);

/**
 * A delivered file to done/ (or deleted), try @p tries of @p max_tries. When
 * that fails on the last try, it goes to failed/ with a sidecar
 * (error=not-archived) saying it was delivered to @p delivered_to and not sent
 * again: no dead letter, since nothing was lost. @returns 0 done/ (or
 * deleted), 1 failed/, -1 neither (errno of the done/ try; logged).
 */
int archive_delivered(struct archive *a, const char *rel, unsigned tries, unsigned max_tries,
                      const char *delivered_to);

/**
 * fsync every folder a rename touched since the last call: once per batch of
 * delivery reports, not twice per file.
 */
void archive_sync(struct archive *a);

#endif
