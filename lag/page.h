/*
 * page.h - the status page reportflow-lag --serve answers at /: each group's
 * status and reason, a chart of its lag and time lag over the last minutes
 * (inline SVG, no external assets), its stuck partitions with their owners,
 * and the dead-letter count. The page reloads itself.
 */
#ifndef RF_PAGE_H
#define RF_PAGE_H

#include <stddef.h>

#include "lag.h"

struct rf_buf;
struct page;

/** An empty chart history. @returns NULL out of memory. */
struct page *page_new(void);
void page_free(struct page *pg);

/** Remember each group's total lag and time lag of @p s for the charts. @returns 0, -1 ENOMEM. */
int page_record(struct page *pg, const struct lag_sample *s);

/** Groups with a chart now (at most 64; a group unseen for the chart span loses its chart). */
size_t page_chart_cnt(const struct page *pg);

/** Append the HTML page for @p s (reloading every @p refresh_s seconds). @returns 0, -1 ENOMEM. */
int page_render(const struct page *pg, const struct lag_sample *s, int refresh_s,
                struct rf_buf *out);

#endif
