/*
 * byline.h - who published a page, as its head says: a labelled line
 * (发布机构: 区市场监管局, or the label on one line and the body on the next, as
 * portals print their metadata lists) or a byline, a line that is a name and
 * nothing but a date after it (清水县人民政府 2024年01月08日). The spans found
 * are where agency.c looks for the publishing body.
 */
#ifndef RF_BYLINE_H
#define RF_BYLINE_H

#include <stdbool.h>
#include <stddef.h>

#include "docscan.h"
#include "rules.h"
#include "text.h"

#define BYLINE_MAX_SPANS 8

struct byline_span {
    size_t start, end; /* norm bytes of the value */
    bool alone;        /* a byline: the body must fill the span, not just lie in it */
};

/**
 * The publisher spans of the head lines of @p t, labelled ones by the rule
 * set's "publisher_labels", in text order, at most BYLINE_MAX_SPANS into
 * @p out. @returns how many.
 */
size_t byline_find(const struct text *t, const struct rules *rules, const struct docscan_lines *ls,
                   struct byline_span *out);

#endif
