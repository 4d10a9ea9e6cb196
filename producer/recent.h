/*
 * recent.h - the documents this producer sent lately, by id, each with the
 * file that carried it first: a file whose content was sent before is told
 * apart from a new one. A fixed table the id picks the slot of (ids are
 * SHA-256, so slots fill evenly): it remembers up to RECENT_SLOTS documents,
 * a new one taking the slot of an older one it collides with. Memory for the
 * table is taken at the first note.
 */
#ifndef RF_RECENT_H
#define RF_RECENT_H

#include <stddef.h>

#include "reportflow/sha256.h"

/** Slots of the table (80 bytes each, 5 MiB, plus the file names kept). */
#define RECENT_SLOTS 65536

struct recent_slot {
    char id[RF_SHA256_HEX_LEN + 1]; /* document id; "" = empty */
    char *name;                     /* the file that carried it first, owned */
};

struct recent {
    struct recent_slot *slots; /* NULL until the first note */
    size_t cnt;                /* slots, a power of two */
};

/** An empty table of @p slots slots (a power of two; RECENT_SLOTS in the producer). */
void recent_init(struct recent *r, size_t slots);

/** Free the table and the names. */
void recent_release(struct recent *r);

/**
 * The name of the file that carried document @p id, when it is remembered;
 * NULL when not. Borrowed: valid until the next recent_note() or recent_release().
 */
const char *recent_find(const struct recent *r, const char *id);

/**
 * Remember that file @p name carried document @p id (@p id of
 * RF_SHA256_HEX_LEN characters). An id remembered already keeps its first
 * name. @returns 0, or -1 on ENOMEM (the table is as it was).
 */
int recent_note(struct recent *r, const char *id, const char *name);

#endif
