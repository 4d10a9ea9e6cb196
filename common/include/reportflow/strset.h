/* strset.h - a set of strings (open addressing, linear probing), for paths in flight. */
#ifndef RF_STRSET_H
#define RF_STRSET_H

#include <stdbool.h>
#include <stddef.h>

struct rf_strset {
    char **slots;  /* owned copies; NULL = empty; RF_STRSET_TOMBSTONE = removed */
    size_t cap;    /* power of two */
    size_t used;   /* live entries */
    size_t filled; /* live entries plus tombstones */
};

void rf_strset_init(struct rf_strset *s);
void rf_strset_release(struct rf_strset *s);

/** Add a copy of @p key. @returns 1 if added, 0 if already present, -1 on ENOMEM. */
int rf_strset_add(struct rf_strset *s, const char *key);
bool rf_strset_has(const struct rf_strset *s, const char *key);
/** @returns true if it was present. */
bool rf_strset_remove(struct rf_strset *s, const char *key);

/**
 * Visit every key, in no particular order: start with *@p pos = 0, call until
 * NULL. The set must not change meanwhile. @returns the next key (borrowed).
 */
const char *rf_strset_next(const struct rf_strset *s, size_t *pos);

#endif
