/*
 * extractor.h - one raw report to one envelope (docs/DESIGN.md "The envelope"):
 * decode, normalise, then document fields, sections, citations, quantities
 * and metrics. The same code serves reportflow-worker, reportflow-extract,
 * reportflow-eval and the fuzz target.
 */
#ifndef RF_EXTRACTOR_H
#define RF_EXTRACTOR_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "convert.h"
#include "reportflow/sha256.h"
#include "decode.h"
#include "catalogue.h"
#include "rules.h"
#include "text.h"

#define EXTRACT_SCHEMA "reportflow.envelope"
#define EXTRACT_SCHEMA_VERSION 2

/*
 * The longest excerpt of a clause (the envelope's "clauses", which quantities
 * and metrics refer to by index), in characters; a longer clause is shown
 * through windows of this many characters, with "…" where it goes on and
 * "cut" set (excerpts.h). Real clauses are shorter (99% under 90 characters
 * in the samples); run-on text is not.
 */
#define EXTRACT_EXCERPT_MAX_CHARS 160
/* The longest section heading copied, in characters, marked the same way. */
#define EXTRACT_HEADING_MAX_CHARS 160
/* A fact read from a page of OCR text has its confidence times this (docs/quality.md says
   how OCR's facts compare with the same pages' text layer) */
#define EXTRACT_OCR_CONFIDENCE 0.8

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
    const char *file_name_raw; /* the name's bytes, %-escaped (file.name.raw), or NULL */
};

/** Per-thread extraction state over a shared, read-only rule set. */
#define EXTRACTOR_CONVERTER_LEN 80

struct extractor {
    const struct catalogue *rules; /* borrowed: every family's rule set */
    struct rules_matcher matcher;
    /* the converters with their versions, asked once per extractor (convert_version()) */
    char converters[CONVERT_TOOLS][EXTRACTOR_CONVERTER_LEN];
};

enum extract_status {
    EXTRACT_OK = 0,
    EXTRACT_REJECT, /* not a report we can read: goes to the DLQ with a reason */
    EXTRACT_NOMEM,
    EXTRACT_TIMEOUT,   /* past max_ms: reason "extract-timeout" */
    EXTRACT_TOO_LARGE, /* the envelope would pass max_envelope_bytes: reason "envelope-too-large" */
    EXTRACT_STOPPED,   /* stop_requested() said so: no verdict, hand the record back */
    EXTRACT_INTERNAL,  /* our fault, not the report's: reason "internal", errstr says what */
};

/** What one document may cost. Zero / NULL members mean no limit. */
struct extract_limits {
    long long max_ms;             /* CPU time of the extracting thread for the whole extraction */
    size_t max_envelope_bytes;    /* serialised envelope size (checked while building it too) */
    bool (*stop_requested)(void); /* polled with the clock, e.g. rf_run_stopping */
    long long max_convert_ms;     /* wall clock for a document's converter (0: the default) */
    bool ocr_off;                 /* worker.ocr=false: a PDF's scanned pages are not read */
};

/** One envelope as the worker sends it: compact JSON text, one line. */
struct envelope {
    char *json; /* owned: extractor_envelope_release() */
    size_t len;
    char doc_id[RF_SHA256_HEX_LEN + 1]; /* its doc_id, the record's key */
};

void extractor_envelope_release(struct envelope *e);

int extractor_init(struct extractor *ex, const struct catalogue *rules);
void extractor_release(struct extractor *ex);

/**
 * Extract @p len bytes within @p limits (NULL: none). On EXTRACT_OK, @p envelope
 * holds the envelope's text (the caller releases it); otherwise it is empty. On EXTRACT_REJECT,
 * EXTRACT_TIMEOUT and EXTRACT_TOO_LARGE, *reason_code ("invalid-encoding", "no-report-text",
 * "extract-timeout", "envelope-too-large", ...) and @p errstr say why.
 * The time limit is checked inside every loop whose length depends on the
 * content, so the overshoot is a few milliseconds, not the document's size.
 */
enum extract_status extractor_run_limited(struct extractor *ex, const char *bytes, size_t len,
                                          const struct source_info *src,
                                          const struct extract_limits *limits,
                                          struct envelope *envelope, const char **reason_code,
                                          char *errstr, size_t errstr_size);

/**
 * The first steps of every extraction: decode @p bytes into @p d and build
 * their normalised text @p t, folded to one script, as the rules read it.
 * On EXTRACT_OK the caller releases @p t, then @p d; on EXTRACT_REJECT
 * @p reason_code and @p errstr say why, and nothing is held.
 */
enum extract_status extractor_text(const struct extractor *ex, const char *bytes, size_t len,
                                   struct decoded *d, struct text *t, const char **reason_code,
                                   char *errstr, size_t errstr_size);

/**
 * extractor_run_limited() without limits, the envelope read back into a new JSON
 * reference, for readers of its values (reportflow-eval, the tests).
 */
enum extract_status extractor_run(struct extractor *ex, const char *bytes, size_t len,
                                  const struct source_info *src, json_t **envelope,
                                  const char **reason_code, char *errstr, size_t errstr_size);

/**
 * The text the rules read from @p len bytes (converted, decoded, normalised, folded to one
 * script), within @p limits' conversion deadline, for tools that show it (reportflow-extract
 * --text). @returns EXTRACT_OK with *@p norm a new string (the caller frees it), or the
 * status, *@p reason_code and @p errstr of a rejection.
 */
enum extract_status extractor_read_text(struct extractor *ex, const char *bytes, size_t len,
                                        const struct extract_limits *limits, char **norm,
                                        const char **reason_code, char *errstr, size_t errstr_size);
#endif
