/*
 * item.h - one inbox file on its way through the publisher: offered, queued,
 * read, in flight, waiting for a retry, delivered; with the version claimed
 * complete (then the version read) and, once it failed, why.
 */
#ifndef RF_ITEM_H
#define RF_ITEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

struct publisher;

enum item_kind { ITEM_RAW, ITEM_FAILED };

struct item {
    struct publisher *p; /* back pointer for the delivery callback */
    enum item_kind kind; /* raw record, or the DLQ record of a failed file */
    char *rel;           /* path relative to the inbox, owned */
    size_t size;         /* bytes sent */
    struct stat st;      /* queued: the version claimed complete; then the version read */
    bool have_st;        /* st is known */
    bool delivered;      /* its record was acknowledged: only putting it away is left */
    unsigned tries;      /* failed reads, then failed tries to put it away */
    int64_t started_ms;  /* monotonic time of the read */
    int32_t partition;   /* where the record landed */
    int64_t offset;
    char code[32]; /* ITEM_FAILED: error code */
    char *reason;  /* ITEM_FAILED: why, valid UTF-8, owned (NULL: the code says it) */
};

/** A new item for @p rel. @returns NULL on ENOMEM. */
struct item *item_new(struct publisher *p, const char *rel);
void item_free(struct item *f);

/** f->reason from a format: valid UTF-8, cut at a character boundary (kept as it was on ENOMEM). */
void item_set_reason(struct item *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/** Why it failed: the reason, or the code when there is none. */
const char *item_reason(const struct item *f);

#endif
