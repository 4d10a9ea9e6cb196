/*
 * print.h - a lag sample as a table like kafka-consumer-groups --describe,
 * as one JSON line, or as Prometheus text.
 */
#ifndef RF_PRINT_H
#define RF_PRINT_H

#include <stdbool.h>
#include <stdio.h>

#include "lag.h"

struct rf_buf;

/** The table: one row per partition with its owner and status, then one line per group. */
void print_table(const struct lag_sample *s, FILE *out);

/** One JSON object on one line. */
void print_json(const struct lag_sample *s, FILE *out);

/**
 * Prometheus text, labels escaped; with @p with_process the process_* metrics
 * of this process too (for /metrics, not for a one-shot run's output).
 * @returns 0, -1 out of memory.
 */
int print_prometheus(const struct lag_sample *s, bool with_process, struct rf_buf *out);

#endif
