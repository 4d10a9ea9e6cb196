/* fsutil.h - file helpers the producer and tools share: whole-file reads, mkdir -p, safe moves. */
#ifndef RF_FSUTIL_H
#define RF_FSUTIL_H

#include <stddef.h>
#include <stdint.h>

enum rf_read_result {
    RF_READ_OK = 0,
    RF_READ_ERROR = -1,   /* errno-style failure, message in errstr */
    RF_READ_TOO_BIG = -2, /* larger than max_bytes */
    RF_READ_GONE = -3,    /* no such file (any more) */
};

/**
 * Read all of @p path, at most @p max_bytes. On RF_READ_OK, *data is malloc'd
 * (caller frees; NUL-terminated for convenience) and *len its size.
 */
enum rf_read_result rf_fs_read_file(const char *path, size_t max_bytes, char **data, size_t *len,
                                    char *errstr, size_t errstr_size);

/** The same, also handing back the file's status (from the open descriptor) in @p st_out. */
struct stat;
enum rf_read_result rf_fs_read_file_stat(const char *path, size_t max_bytes, char **data,
                                         size_t *len, struct stat *st_out, char *errstr,
                                         size_t errstr_size);

/** mkdir -p with mode 0755. @returns 0 or -1 (errno set). */
int rf_fs_mkdir_p(const char *path);

/**
 * Move @p src into directory @p dir (created when missing) as @p name, never replacing an existing file:
 * on a clash, "name.1", "name.2", ... are tried. Writes the final path to @p out.
 * @returns 0 or -1 (errno set).
 */
int rf_fs_move_unique(const char *src, const char *dir, const char *name, char *out,
                      size_t out_size);

/** Write @p len bytes to @p path atomically (temporary file, fsync, rename). */
int rf_fs_write_atomic(const char *path, const void *data, size_t len);

/** Milliseconds since the epoch, and on a monotonic clock. */
int64_t rf_clock_now_ms(void);
int64_t rf_clock_mono_ms(void);

/** Format epoch milliseconds as RFC 3339 UTC ("2024-12-19T08:00:00.000Z"). */
void rf_clock_format(int64_t ms, char *out, size_t out_size);

#endif
