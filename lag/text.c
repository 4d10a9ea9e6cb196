/* text.c - UTF-8-safe cuts for the fixed buffers of a lag sample. */
#include "text.h"

#include <stdio.h>
#include <string.h>

void text_trim_partial(char *s)
{
    size_t end = strlen(s), cont = 0;
    while (end > 0 && cont < 3 && ((unsigned char)s[end - 1] & 0xC0) == 0x80) {
        end--;
        cont++;
    }
    if (end == 0) {
        return;
    }
    unsigned char lead = (unsigned char)s[end - 1];
    size_t need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
    if (need > 1 && cont + 1 < need) {
        s[end - 1] = '\0';
    }
}

void text_copy(char *dst, size_t size, const char *src)
{
    snprintf(dst, size, "%s", src);
    text_trim_partial(dst); /* also a sequence that an earlier cut left at the end of src */
}
