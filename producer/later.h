/*
 * later.h - things to try again at a given time: an unordered list that keeps
 * its earliest due time, so asking "is anything due?" costs nothing when
 * nothing is. Meant for few items (retries): each take is O(n).
 */
#ifndef RF_LATER_H
#define RF_LATER_H

#include <stddef.h>
#include <stdint.h>

struct later_item {
    void *item;     /* borrowed */
    int64_t due_ms; /* monotonic */
};

struct later {
    struct later_item *items;
    size_t cnt, cap;
    int64_t next_ms; /* no item is due before this; INT64_MAX when empty */
};

void later_init(struct later *l);

/** Free the list (not its items). */
void later_release(struct later *l);

/** Keep @p item until @p due_ms. @returns 0, or -1 on ENOMEM. */
int later_add(struct later *l, void *item, int64_t due_ms);

/** One item due at @p now_ms, taken off the list; NULL when none is. */
void *later_take(struct later *l, int64_t now_ms);

/** Make every item due now (at shutdown: one last try for each). */
void later_hurry(struct later *l);

/** The wait before try @p tries + 1: @p first_ms, doubling per try, at most @p max_ms. */
int64_t later_backoff_ms(unsigned tries, int64_t first_ms, int64_t max_ms);

#endif
