/* buf.h - a growable byte buffer, always NUL-terminated. */
#ifndef RF_BUF_H
#define RF_BUF_H

#include <stddef.h>

struct rf_buf {
    char *data; /* owned; NULL until the first append */
    size_t len; /* bytes used, not counting the NUL */
    size_t cap; /* bytes allocated */
};

#define RF_BUF_INIT                                                                                \
    {                                                                                              \
        NULL, 0, 0                                                                                 \
    }

/** Append bytes. @returns 0, or -1 on ENOMEM (the buffer is unchanged). */
int rf_buf_append(struct rf_buf *b, const void *data, size_t len);
int rf_buf_append_str(struct rf_buf *b, const char *s);
int rf_buf_printf(struct rf_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int rf_buf_reserve(struct rf_buf *b, size_t extra);

/** Forget the bytes, keep the memory. */
void rf_buf_clear(struct rf_buf *b);
/** Hand the bytes to the caller (free() them) and reset the buffer. */
char *rf_buf_detach(struct rf_buf *b);
void rf_buf_release(struct rf_buf *b);

#endif
