/*
 * print.h - a lag sample as a table like kafka-consumer-groups --describe,
 * as one JSON line, or as Prometheus text.
 */
#ifndef RF_PRINT_H
#define RF_PRINT_H

#include <stdio.h>

#include "lag.h"

struct rf_buf;

/** The table: one row per partition with its owner and status, then one line per group. */
void print_table(const struct lag_sample *s, FILE *out);

/** One JSON object on one line. */
void print_json(const struct lag_sample *s, FILE *out);

/** Prometheus text, labels escaped, process_* included. @returns 0, -1 out of memory. */
int print_prometheus(const struct lag_sample *s, struct rf_buf *out);

#endif
