/* strset.c - a set of strings with open addressing. */
#include "reportflow/strset.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static char tombstone_mark;
#define TOMBSTONE (&tombstone_mark)

static uint64_t hash_string(const char *s)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ULL;
    }
    return h;
}

void rf_strset_init(struct rf_strset *s)
{
    memset(s, 0, sizeof(*s));
}

void rf_strset_release(struct rf_strset *s)
{
    for (size_t i = 0; i < s->cap; i++) {
        if (s->slots[i] && s->slots[i] != TOMBSTONE) {
            free(s->slots[i]);
        }
    }
    free(s->slots);
    memset(s, 0, sizeof(*s));
}

/* Slot holding @p key, or the first free slot for it. */
static size_t find_slot(const struct rf_strset *s, const char *key, bool *found)
{
    size_t mask = s->cap - 1;
    size_t i = (size_t)hash_string(key) & mask;
    size_t first_free = SIZE_MAX;
    for (;;) {
        char *slot = s->slots[i];
        if (!slot) {
            *found = false;
            return first_free != SIZE_MAX ? first_free : i;
        }
        if (slot == TOMBSTONE) {
            if (first_free == SIZE_MAX) {
                first_free = i;
            }
        } else if (strcmp(slot, key) == 0) {
            *found = true;
            return i;
        }
        i = (i + 1) & mask;
    }
}

/* Rebuild into @p cap slots, dropping tombstones. */
static int rehash(struct rf_strset *s, size_t cap)
{
    char **slots = calloc(cap, sizeof(char *));
    if (!slots) {
        return -1;
    }
    struct rf_strset fresh = {slots, cap, 0, 0};
    for (size_t i = 0; i < s->cap; i++) {
        if (s->slots[i] && s->slots[i] != TOMBSTONE) {
            bool found;
            size_t at = find_slot(&fresh, s->slots[i], &found);
            fresh.slots[at] = s->slots[i];
            fresh.used++;
            fresh.filled++;
        }
    }
    free(s->slots);
    *s = fresh;
    return 0;
}

/*
 * Tombstones make probes longer, so they count towards the load; but a table
 * whose live entries are few only needs its tombstones swept, not doubling:
 * otherwise endless add/remove churn grows it forever.
 */
static int make_room(struct rf_strset *s)
{
    if ((s->filled + 1) * 4 < s->cap * 3) {
        return 0;
    }
    if (s->cap == 0) {
        return rehash(s, 64);
    }
    return rehash(s, (s->used + 1) * 2 < s->cap ? s->cap : s->cap * 2);
}

int rf_strset_add(struct rf_strset *s, const char *key)
{
    if (make_room(s) != 0) {
        return -1;
    }
    bool found;
    size_t at = find_slot(s, key, &found);
    if (found) {
        return 0;
    }
    char *copy = strdup(key);
    if (!copy) {
        return -1;
    }
    if (s->slots[at] != TOMBSTONE) {
        s->filled++;
    }
    s->slots[at] = copy;
    s->used++;
    return 1;
}

bool rf_strset_has(const struct rf_strset *s, const char *key)
{
    if (s->cap == 0) {
        return false;
    }
    bool found;
    find_slot(s, key, &found);
    return found;
}

bool rf_strset_remove(struct rf_strset *s, const char *key)
{
    if (s->cap == 0) {
        return false;
    }
    bool found;
    size_t at = find_slot(s, key, &found);
    if (!found) {
        return false;
    }
    free(s->slots[at]);
    s->slots[at] = TOMBSTONE;
    s->used--;
    return true;
}

const char *rf_strset_next(const struct rf_strset *s, size_t *pos)
{
    for (; *pos < s->cap; (*pos)++) {
        const char *key = s->slots[*pos];
        if (key && key != TOMBSTONE) {
            (*pos)++;
            return key;
        }
    }
    return NULL;
}
