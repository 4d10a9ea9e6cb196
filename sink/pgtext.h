/*
 * pgtext.h - bytes of unknown origin (Kafka headers, record keys, error texts)
 * made into text PostgreSQL accepts: valid UTF-8 with no NUL, cut only at a
 * character boundary. What cannot be kept is replaced, never refused, so no
 * header can make a dead letter unstorable.
 */
#ifndef RF_PGTEXT_H
#define RF_PGTEXT_H

#include <stdbool.h>
#include <stddef.h>

#include "reportflow/buf.h"

/** Bytes that may hold anything: NUL, invalid UTF-8. Borrowed. */
struct pgtext_bytes {
    const char *data;
    size_t len;
};

/** True when @p s[0..len) is valid UTF-8 (as PostgreSQL checks it) with no NUL. */
bool pgtext_is_clean(const char *s, size_t len);

/**
 * Append @p s[0..len) to @p out as clean text: each NUL and each byte of an
 * invalid sequence becomes U+FFFD. Appends at most @p max bytes, cut at a
 * character boundary (a cut adds nothing: the caller knows @p max).
 * @returns 0, or -1 when out of memory.
 */
int pgtext_append_lossy(struct rf_buf *out, const char *s, size_t len, size_t max);

/**
 * The bytes of a file name as the producer sends them in its file.name.raw
 * header (every byte outside printable ASCII, and '%', as %XX), appended to
 * @p out only when they are not clean text: a UTF-8 name is exact in
 * file.name already, and only another name (GBK, Latin-1) needs its bytes kept.
 * @returns 1 when bytes were appended, 0 when none are needed or @p escaped is
 * not such a header (a stray '%', a byte outside printable ASCII, a cut
 * escape), -1 when out of memory.
 */
int pgtext_name_raw(struct rf_buf *out, const char *escaped, size_t len);

/**
 * Copy the NUL-terminated @p src into @p dst (@p dst_size bytes), cut at a
 * character boundary when it does not fit (snprintf would cut inside one).
 */
void pgtext_copy(char *dst, size_t dst_size, const char *src);

#endif
