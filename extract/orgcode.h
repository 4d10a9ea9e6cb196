/*
 * orgcode.h - the unified social credit code (统一社会信用代码, GB 32100-2015)
 * that many government portals print in a page's index number (索引号:
 * 113310247793773537/2022-117418). Its third to eighth characters are the
 * division code of the body that registered it (331024: 仙居县), which names
 * the place of a report whose text never writes it.
 */
#ifndef RF_ORGCODE_H
#define RF_ORGCODE_H

#include <stdbool.h>
#include <stddef.h>

#include "docscan.h"
#include "text.h"

#define ORGCODE_LEN 18
#define ORGCODE_DIVISION_LEN 6

/** True when @p code (ORGCODE_LEN bytes) is a credit code whose check character is right. */
bool orgcode_valid(const char *code);

/**
 * The division code (six digits and a NUL, into @p division) of the first
 * valid credit code standing alone (not inside a longer run of letters and
 * digits) in the head lines of @p t. @returns false when there is none.
 */
bool orgcode_find_division(const struct text *t, const struct docscan_lines *ls,
                           char division[ORGCODE_DIVISION_LEN + 1]);

#endif
