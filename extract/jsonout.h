/*
 * jsonout.h - the envelope written as JSON text while it is built, with no
 * tree in between (a tree of jansson values and its json_dumps() were two
 * fifths of an extraction's work). Every string given here is valid UTF-8
 * already (the decoded text cut at character boundaries, or the rule set's own
 * strings, which jansson read), so strings are only escaped, not checked.
 *
 * The text is what jansson's json_dumps(JSON_COMPACT) would write for the same
 * values, except that a real is written in the fewest digits that read back as
 * the same double (0.9925, not 0.99250000000000005).
 *
 * (The test build checks that each string is UTF-8, so a caller that breaks the promise
 * fails its tests instead of sending Kafka a line no reader takes.)
 *
 * A @p key is a literal of ASCII (written as it is), or NULL for an element of
 * an array or the top value. A failure (ENOMEM) sticks, so a writer writes
 * everything and checks once, with jsonout_failed().
 */
#ifndef RF_JSONOUT_H
#define RF_JSONOUT_H

#include <stdbool.h>
#include <stddef.h>

#include "reportflow/buf.h"

struct jsonout {
    struct rf_buf buf; /* the text so far (owned) */
    bool failed;       /* ENOMEM at some point: the text is not whole */
    bool comma;        /* the open object or array has a member: the next needs a ',' */
};

void jsonout_init(struct jsonout *o);
void jsonout_release(struct jsonout *o);

/** Open an object or an array, as the value of @p key. */
void jsonout_object(struct jsonout *o, const char *key);
void jsonout_array(struct jsonout *o, const char *key);
/** Close the innermost open object or array. */
void jsonout_close_object(struct jsonout *o);
void jsonout_close_array(struct jsonout *o);

/** The string @p s (valid UTF-8), or null when @p s is NULL. */
void jsonout_str(struct jsonout *o, const char *key, const char *s);
void jsonout_strn(struct jsonout *o, const char *key, const char *s, size_t len);
void jsonout_int(struct jsonout *o, const char *key, long long v);
/** A finite double in its shortest form; an integer up to 9e15 is written as one. */
void jsonout_number(struct jsonout *o, const char *key, double v);
/** A finite double in its shortest form, always read back as a real (5.0, not 5). */
void jsonout_real(struct jsonout *o, const char *key, double v);
void jsonout_bool(struct jsonout *o, const char *key, bool v);
void jsonout_null(struct jsonout *o, const char *key);

/** Bytes written so far. */
static inline size_t jsonout_len(const struct jsonout *o)
{
    return o->buf.len;
}

/** The text so far (NUL-terminated; NULL before the first write), owned by @p o. */
static inline const char *jsonout_text(const struct jsonout *o)
{
    return o->buf.data;
}

static inline bool jsonout_failed(const struct jsonout *o)
{
    return o->failed;
}

/** Mark the text as not whole: a value its caller could not make (ENOMEM). */
static inline void jsonout_fail(struct jsonout *o)
{
    o->failed = true;
}

/** Hand the text to the caller (free() it), or NULL when anything failed; @p o is emptied. */
char *jsonout_take(struct jsonout *o, size_t *len);

#endif
