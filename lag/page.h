/*
 * page.h - the status page reportflow-lag --serve answers at /: each group's
 * status and reason, a chart of its lag and time lag over the last minutes
 * (inline SVG, no external assets), its stuck partitions with their owners,
 * and the dead-letter count. The page reloads itself.
 */
#ifndef RF_PAGE_H
#define RF_PAGE_H

#include "lag.h"

struct rf_buf;
struct page;

/** An empty chart history. @returns NULL out of memory. */
struct page *page_new(void);
void page_free(struct page *pg);

/** Remember each group's total lag and time lag of @p s for the charts. @returns 0, -1 ENOMEM. */
int page_record(struct page *pg, const struct lag_sample *s);

/** Append the HTML page for @p s (reloading every @p refresh_s seconds). @returns 0, -1 ENOMEM. */
int page_render(const struct page *pg, const struct lag_sample *s, int refresh_s,
                struct rf_buf *out);

#endif
