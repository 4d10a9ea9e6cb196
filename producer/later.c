/* later.c - things to try again at a given time. */
#include "later.h"

#include <stdlib.h>

#include "reportflow/vec.h"

void later_init(struct later *l)
{
    l->items = NULL;
    l->cnt = l->cap = 0;
    l->next_ms = INT64_MAX;
}

void later_release(struct later *l)
{
    free(l->items);
    later_init(l);
}

int later_add(struct later *l, void *item, int64_t due_ms)
{
    struct later_item *grown = rf_vec_reserve(l->items, &l->cap, l->cnt, 1, sizeof(*grown));
    if (!grown) {
        return -1;
    }
    l->items = grown;
    l->items[l->cnt].item = item;
    l->items[l->cnt].due_ms = due_ms;
    l->cnt++;
    if (due_ms < l->next_ms) {
        l->next_ms = due_ms;
    }
    return 0;
}

void *later_take(struct later *l, int64_t now_ms)
{
    if (now_ms < l->next_ms) {
        return NULL;
    }
    int64_t next = INT64_MAX;
    for (size_t i = 0; i < l->cnt; i++) {
        if (l->items[i].due_ms <= now_ms) {
            void *item = l->items[i].item;
            l->items[i] = l->items[--l->cnt];
            /* the items not looked at yet may be due too: the next take looks again */
            l->next_ms = l->cnt ? now_ms : INT64_MAX;
            return item;
        }
        next = l->items[i].due_ms < next ? l->items[i].due_ms : next;
    }
    l->next_ms = next;
    return NULL;
}

void later_hurry(struct later *l)
{
    for (size_t i = 0; i < l->cnt; i++) {
        l->items[i].due_ms = INT64_MIN;
    }
    l->next_ms = l->cnt ? INT64_MIN : INT64_MAX;
}

int64_t later_backoff_ms(unsigned tries, int64_t first_ms, int64_t max_ms)
{
    int64_t ms = first_ms;
    for (unsigned i = 1; i < tries && ms < max_ms; i++) {
        ms *= 2;
    }
    return ms < max_ms ? ms : max_ms;
}
