/* docfields.h - the document block of docs/TAXONOMY.md section 1. */
#ifndef RF_DOCFIELDS_H
#define RF_DOCFIELDS_H

#include <stdbool.h>
#include <stddef.h>

#include "budget.h"
#include "gazetteer.h"
#include "rules.h"
#include "text.h"

struct docfields {
    char *agency;      /* shortest full name of the reporting body, or NULL */
    char *region;      /* the place it governs, as written, or NULL */
    const char *level; /* province/city/district/county (borrowed from rules), or NULL */
    char region_code[GAZETTEER_CODE_LEN + 1]; /* the region's division code, or "" */
    int year;                                 /* the year reported on, 0 when unknown */
    char *title;                              /* title line, or NULL */
    char published[11];                       /* YYYY-MM-DD, or "" */
    char *doc_number;                         /* 文号 with full-width forms folded, or NULL */
    char warning[160]; /* a value found but dropped (an impossible date), or "" */
};

/** True when @p y-@p m-@p d is a day of the calendar (and 1949 <= y <= 2100). */
bool docfields_valid_date(int y, int m, int d);

/**
 * Fill @p out from @p t, whose norm text is folded to simplified script
 * (fold_apply(), as extractor_run() does), within @p budget (may be
 * NULL). @returns 0, or -1 on ENOMEM or a spent budget (budget_state() says
 * which). Release with docfields_release().
 */
int docfields_extract(const struct text *t, const struct rules *rules, struct budget *budget,
                      struct docfields *out);
void docfields_release(struct docfields *d);

/**
 * Index the rule set's date and document-number labels once, for one pass over each head
 * line (r->head_labels). @returns 0, or -1 with @p errstr set (out of memory);
 * docfields_labels_release() frees what was made either way.
 */
int docfields_labels_index(struct rules *r, const char *path, char *errstr, size_t errstr_size);
void docfields_labels_release(struct rules *r);

#endif
