/*
 * confusion.h - report families told apart: for reportflow-eval, the family the
 * gold names for a document (rows) against the family the extraction found
 * (columns, "none" for none), printed as a table with the share right.
 */
#ifndef RF_CONFUSION_H
#define RF_CONFUSION_H
#include <jansson.h>

#include "catalogue.h"

#define CONFUSION_MAX_FAMILIES (CATALOGUE_MAX_SETS + 2)

struct confusion {
    char names[CONFUSION_MAX_FAMILIES][64]; /* copied: an envelope's strings go with it */
    size_t cnt;
    int counts[CONFUSION_MAX_FAMILIES][CONFUSION_MAX_FAMILIES];
    int right, labelled;
};

void confusion_init(struct confusion *c);
/** Count a document whose gold names family @p gold (NULL: not labelled) and whose
    envelope's "document" is @p doc (NULL: not extracted, counted as "none"). */
void confusion_add(struct confusion *c, const char *gold, json_t *doc);
/** The table on stdout, when some document was labelled. */
void confusion_print(const struct confusion *c);
/** The share of labelled documents whose family was found (1 when none was labelled). */
double confusion_share(const struct confusion *c);
#endif
