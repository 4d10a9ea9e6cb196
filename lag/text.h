/* text.h - copying text from Kafka into fixed buffers without cutting a UTF-8 character. */
#ifndef RF_TEXT_H
#define RF_TEXT_H

#include <stddef.h>

/** Drop an incomplete UTF-8 sequence that a cut left at the end of @p s. */
void text_trim_partial(char *s);

/**
 * Copy @p src into @p dst (@p size > 0 bytes), cut at a character boundary when
 * too long; an incomplete sequence at the end of @p src is dropped too.
 */
void text_copy(char *dst, size_t size, const char *src);

#endif
