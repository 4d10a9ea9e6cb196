/*
 * agency.h - the reporting agency of a report, the region it governs and its
 * level, read from the text alone (agency.c says how).
 */
#ifndef RF_AGENCY_H
#define RF_AGENCY_H

#include "budget.h"
#include "docscan.h"
#include "gazetteer.h"
#include "rules.h"
#include "text.h"

struct agency_result {
    char *agency;      /* shortest full name of the reporting body, or NULL */
    char *region;      /* the place it governs, as written, or NULL */
    const char *level; /* province/city/district/county (borrowed from rules), or NULL */
    char region_code[GAZETTEER_CODE_LEN + 1]; /* its division code (440304), or "" */
};

/**
 * Find the agency of @p t (norm text folded to simplified script), whose
 * lines are @p ls and title @p title (original text, or NULL), within
 * @p budget (may be NULL; a spent one leaves fewer candidates). @returns 0
 * (fields NULL when none is found), or -1 on ENOMEM. Release with
 * agency_release().
 */
int agency_find(const struct text *t, const struct rules *rules, const struct docscan_lines *ls,
                const char *title, struct budget *budget, struct agency_result *out);
void agency_release(struct agency_result *a);

/**
 * Index the finder's words of @p r (agency_suffixes and national_bodies, self_references)
 * into r->agency_bodies and r->agency_selfs, once, when the rules are loaded. @returns 0, or
 * -1 with @p errstr naming @p path; agency_words_release() frees them either way.
 */
int agency_words_index(struct rules *r, const char *path, char *errstr, size_t errstr_size);
void agency_words_release(struct rules *r);

#endif
