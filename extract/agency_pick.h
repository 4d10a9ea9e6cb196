/*
 * agency_pick.h - choosing the agency among the candidates agency.c finds:
 * written forms of one body merged, a body named without its place
 * (市应急管理局) counted for its named twin, the candidates ranked, and the
 * chosen one completed with its place when the text never names it beside it.
 */
#ifndef RF_AGENCY_PICK_H
#define RF_AGENCY_PICK_H

#include <stdbool.h>
#include <stddef.h>

#include "docscan.h"
#include "rules.h"
#include "text.h"

#define AGENCY_PICK_MAX 32             /* candidates kept per document */
#define AGENCY_PLACE_SEARCH_BYTES 6000 /* an abbreviated agency's place is named near the top */

struct agency_candidate {
    char name[128];    /* 福田区应急管理局 */
    char region[96];   /* 深圳市福田区 */
    const char *level; /* district */
    bool unnamed;      /* 市应急管理局: the place is named elsewhere */
    bool titled;       /* the title names it (or a form merged into it) */
    bool published;    /* the page head says it published the page (byline.h) */
    int count;         /* occurrences */
    size_t first;      /* first norm offset */
};

/**
 * Add @p c to @p cands (@p cnt of them), or count one more mention of the one named alike,
 * which takes @p c's marks (titled, published) and its region when fuller.
 */
void agency_pick_add(struct agency_candidate *cands, size_t *cnt, const struct agency_candidate *c);

/**
 * Merge the written forms of one body (深圳市罗湖区应急管理局 into 罗湖区应急管理局) and
 * the bodies named without their place into their named twins, in place.
 */
void agency_pick_merge(const struct rules *rules, struct agency_candidate *cands, size_t *cnt);

/** The best-ranked candidate, or NULL when there is none. */
const struct agency_candidate *agency_pick_best(const struct rules *rules,
                                                const struct agency_candidate *cands, size_t cnt);

/**
 * @p best, a body named without its place, given its place: from a named
 * twin among @p cands, else the places the top of @p t names, else the page's
 * credit code (orgcode.h, in the head lines @p ls), else the place the text
 * names most. Left unnamed when none of them tells.
 */
void agency_pick_complete(const struct text *t, const struct rules *rules,
                          const struct docscan_lines *ls, const struct agency_candidate *cands,
                          size_t cnt, struct agency_candidate *best);

#endif
