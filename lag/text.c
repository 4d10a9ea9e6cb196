/* text.c - UTF-8-safe cuts for the fixed buffers of a lag sample. */
#include "text.h"

#include <string.h>

#include "reportflow/utf8.h"

void text_trim_partial(char *s)
{
    s[rf_utf8_trim_partial(s, strlen(s))] = '\0';
}

void text_copy(char *dst, size_t size, const char *src)
{
    rf_utf8_copy(dst, size, src, strlen(src));
    text_trim_partial(dst); /* also a sequence that an earlier cut left at the end of src */
}
