/*
 * jsontok.h - a JSON text checked and indexed in one pass, without a tree.
 *
 * The sink reads each envelope once to write its rows: a tree of objects (one
 * allocation per value, a hash table per object) cost it three quarters of its
 * time (issue 22). Here the text stays where it is; the index is a flat list of
 * tokens in document order, each value's bytes and the index just past it, in
 * one array reused from record to record.
 *
 * The text is held to what jansson, the workers' writer and PostgreSQL's jsonb
 * accept: RFC 8259 grammar, one value and nothing after it, UTF-8 without
 * overlong forms or surrogates, escapes that make valid characters (no \u0000),
 * integers within 64 bits, finite reals, nesting at most JSONTOK_MAX_DEPTH. Of
 * an object's members with the same name, the last counts, as in jansson.
 */
#ifndef RF_JSONTOK_H
#define RF_JSONTOK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "reportflow/buf.h"

/* Envelopes nest four deep; anything near this is not one. */
#define JSONTOK_MAX_DEPTH 64

enum jsontok_type {
    JSONTOK_OBJECT,
    JSONTOK_ARRAY,
    JSONTOK_STRING,
    JSONTOK_INTEGER,
    JSONTOK_REAL,
    JSONTOK_TRUE,
    JSONTOK_FALSE,
    JSONTOK_NULL,
};

/* Index of a token; JSONTOK_NONE: no such value. */
typedef uint32_t jsontok_at;
#define JSONTOK_NONE UINT32_MAX

struct jsontok_token {
    uint8_t type;   /* enum jsontok_type */
    bool escaped;   /* a string with backslash escapes: decode it to read it */
    uint32_t start; /* the value's bytes; a string's without its quotes */
    uint32_t len;   /* one past the value's bytes, from start */
    uint32_t next;  /* the token after this value and everything it holds */
    uint32_t count; /* an object's members or an array's elements */
};

/* An object's member is two tokens: its name (a string), then its value. */
struct jsontok {
    const char *text; /* borrowed: the caller keeps it alive while the index is used */
    size_t len;
    struct jsontok_token *tok; /* owned */
    size_t cnt, cap;
};

#define JSONTOK_INIT                                                                               \
    {                                                                                              \
        NULL, 0, NULL, 0, 0                                                                        \
    }

/**
 * Check and index @p text (@p len bytes, at most 4 GiB) into @p j, reusing its
 * memory. @returns 0; -1 with the first fault and its byte offset in @p why;
 * -2 when out of memory (@p why says so).
 */
int jsontok_parse(struct jsontok *j, const char *text, size_t len, char *why, size_t why_size);

/** Free the index's memory. */
void jsontok_release(struct jsontok *j);

/** The root value (JSONTOK_NONE before a successful parse). */
jsontok_at jsontok_root(const struct jsontok *j);

/** The type of @p at, or -1 for JSONTOK_NONE. */
int jsontok_type(const struct jsontok *j, jsontok_at at);

/** Member @p name of object @p obj (the last of that name), or JSONTOK_NONE. */
jsontok_at jsontok_get(const struct jsontok *j, jsontok_at obj, const char *name);

/**
 * Members @p names[0..n) of object @p obj into @p out (JSONTOK_NONE where
 * absent; the last of a name counts), in one pass over its members.
 */
void jsontok_get_many(const struct jsontok *j, jsontok_at obj, const char *const *names, size_t n,
                      jsontok_at *out);

/** The first element of array @p arr (JSONTOK_NONE when empty or not an array). */
jsontok_at jsontok_first(const struct jsontok *j, jsontok_at arr);

/** The element after @p el in array @p arr, or JSONTOK_NONE. */
jsontok_at jsontok_after(const struct jsontok *j, jsontok_at arr, jsontok_at el);

/** An array's elements or an object's members; 0 for anything else. */
size_t jsontok_count(const struct jsontok *j, jsontok_at at);

/** The value's whole JSON text, quotes included, for copying it as it is ("null" for none). */
const char *jsontok_json(const struct jsontok *j, jsontok_at at, size_t *len);

/**
 * String @p at decoded into @p out (@p out_size bytes, NUL-terminated).
 * @returns its length, or -1 when it is not a string or does not fit.
 */
long jsontok_string(const struct jsontok *j, jsontok_at at, char *out, size_t out_size);

/**
 * Append string @p at decoded to @p b, through @p escape when not NULL (nothing
 * when @p at is no string). @returns -1 on ENOMEM.
 */
typedef int (*jsontok_escape_fn)(struct rf_buf *b, const char *s, size_t len);
int jsontok_append_string(const struct jsontok *j, jsontok_at at, struct rf_buf *b,
                          jsontok_escape_fn escape);

/** Integer @p at into @p out. @returns false when it is not an integer. */
bool jsontok_int(const struct jsontok *j, jsontok_at at, long long *out);

/** Number @p at (integer or real) as a double. @returns false when it is not a number. */
bool jsontok_number(const struct jsontok *j, jsontok_at at, double *out);

#endif
