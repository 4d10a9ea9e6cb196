/*
 * extract.h - one raw report to one envelope (DESIGN.md "The envelope"):
 * decode, normalise, then document fields, sections, citations, quantities
 * and metrics. The same code serves reportflow-worker, reportflow-extract,
 * reportflow-eval and the fuzz target.
 */
#ifndef RF_EXTRACT_H
#define RF_EXTRACT_H

#include <stddef.h>

#include <jansson.h>

#include "rules.h"

#define EXTRACT_SCHEMA "reportflow.envelope"
#define EXTRACT_SCHEMA_VERSION 1

/** Where the bytes came from; any string may be NULL, partition -1 when not from Kafka. */
struct source_info {
    const char *file_name;
    long long size;
    const char *mtime;       /* RFC 3339 */
    const char *dropped_at;  /* when the producer saw the file */
    const char *produced_at; /* Kafka timestamp of the raw record */
    const char *topic;
    int partition;
    long long offset;
};

/** Per-thread extraction state over a shared, read-only rule set. */
struct extractor {
    const struct rules *rules;   /* borrowed */
    struct rules_matcher matcher;
};

enum extract_status {
    EXTRACT_OK = 0,
    EXTRACT_REJECT, /* not a report we can read: goes to the DLQ with a reason */
    EXTRACT_NOMEM,
};

int extractor_init(struct extractor *ex, const struct rules *rules);
void extractor_release(struct extractor *ex);

/**
 * Extract @p len bytes. On EXTRACT_OK, *envelope is a new JSON reference.
 * On EXTRACT_REJECT, *reason_code ("invalid-encoding", "no-report-text", ...)
 * and @p errstr say why.
 */
enum extract_status extractor_run(struct extractor *ex, const char *bytes, size_t len,
                                  const struct source_info *src, json_t **envelope,
                                  const char **reason_code, char *errstr, size_t errstr_size);

#endif
