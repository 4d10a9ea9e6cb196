/*
 * jsonout.h - the envelope's many small objects (a quantity, a fact, an
 * excerpt), built without json_pack()'s format parsing and without a UTF-8
 * check per string: every string given here is valid UTF-8 already (the
 * decoded text cut at character boundaries, or the rule set's own strings,
 * which jansson read). A failure (ENOMEM, a NULL value) sticks, so a builder
 * sets every key and checks once, at jsonout_end().
 */
#ifndef RF_JSONOUT_H
#define RF_JSONOUT_H

#include <stdbool.h>

#include <jansson.h>

struct jsonout {
    json_t *obj;
    bool failed;
};

/** Start an object. */
void jsonout_begin(struct jsonout *o);

/** @p key to @p value (stolen; NULL is a failure). @p key is a literal of ASCII. */
void jsonout_set(struct jsonout *o, const char *key, json_t *value);

/** @p key to the string @p s (valid UTF-8), or to null when @p s is NULL. */
void jsonout_str(struct jsonout *o, const char *key, const char *s);

void jsonout_int(struct jsonout *o, const char *key, json_int_t v);
void jsonout_bool(struct jsonout *o, const char *key, bool v);

/** The object, or NULL (freed) when anything failed. */
json_t *jsonout_end(struct jsonout *o);

#endif
