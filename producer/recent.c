/* recent.c - the documents this producer sent lately, and the file that carried each first. */
#include "recent.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

void recent_init(struct recent *r, size_t slots)
{
    r->slots = NULL;
    r->cnt = slots;
}

void recent_release(struct recent *r)
{
    if (r->slots) {
        for (size_t i = 0; i < r->cnt; i++) {
            free(r->slots[i].name);
        }
        free(r->slots);
    }
    r->slots = NULL;
}

/* The slot of @p id: FNV-1a of its text (any text; ids are hex and spread evenly). */
static size_t slot_of(const struct recent *r, const char *id)
{
    uint64_t h = 1469598103934665603ULL;
    for (const unsigned char *p = (const unsigned char *)id; *p; p++) {
        h = (h ^ *p) * 1099511628211ULL;
    }
    return (size_t)(h & (r->cnt - 1));
}

const char *recent_find(const struct recent *r, const char *id)
{
    if (!r->slots) {
        return NULL;
    }
    const struct recent_slot *s = &r->slots[slot_of(r, id)];
    return s->id[0] != '\0' && strcmp(s->id, id) == 0 ? s->name : NULL;
}

int recent_note(struct recent *r, const char *id, const char *name)
{
    if (strlen(id) != RF_SHA256_HEX_LEN) {
        return 0; /* not a document id: nothing to tell it by */
    }
    if (!r->slots && !(r->slots = calloc(r->cnt, sizeof(*r->slots)))) {
        return -1;
    }
    struct recent_slot *s = &r->slots[slot_of(r, id)];
    if (s->id[0] != '\0' && strcmp(s->id, id) == 0) {
        return 0;
    }
    char *copy = strdup(name);
    if (!copy) {
        return -1;
    }
    free(s->name);
    s->name = copy;
    memcpy(s->id, id, RF_SHA256_HEX_LEN + 1);
    return 0;
}
