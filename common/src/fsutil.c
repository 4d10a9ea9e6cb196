/* fsutil.c - file helpers: whole-file reads, mkdir -p, moves that never overwrite. */
#define _GNU_SOURCE
#include "reportflow/fsutil.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

enum rf_read_result rf_fs_read_file(const char *path, size_t max_bytes, char **data, size_t *len,
                                    char *errstr, size_t errstr_size)
{
    return rf_fs_read_file_stat(path, max_bytes, data, len, NULL, errstr, errstr_size);
}

enum rf_read_result rf_fs_read_file_stat(const char *path, size_t max_bytes, char **data,
                                         size_t *len, struct stat *st_out, char *errstr,
                                         size_t errstr_size)
{
    *data = NULL;
    *len = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        int err = errno;
        snprintf(errstr, errstr_size, "cannot open '%s': %s", path, strerror(err));
        return err == ENOENT ? RF_READ_GONE : RF_READ_ERROR;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        snprintf(errstr, errstr_size, "'%s' is not a regular file", path);
        close(fd);
        return RF_READ_ERROR;
    }
    if (st_out) {
        *st_out = st;
    }
    if ((size_t)st.st_size > max_bytes) {
        snprintf(errstr, errstr_size, "'%s' is %lld bytes, over the limit of %zu", path,
                 (long long)st.st_size, max_bytes);
        close(fd);
        return RF_READ_TOO_BIG;
    }
    char *buf = malloc((size_t)st.st_size + 1);
    if (!buf) {
        snprintf(errstr, errstr_size, "cannot read '%s': out of memory", path);
        close(fd);
        return RF_READ_ERROR;
    }
    size_t got = 0;
    while (got < (size_t)st.st_size) {
        ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            snprintf(errstr, errstr_size, "cannot read '%s': %s", path, strerror(errno));
            free(buf);
            close(fd);
            return RF_READ_ERROR;
        }
        if (n == 0) {
            break; /* truncated while we read: send what is there */
        }
        got += (size_t)n;
    }
    close(fd);
    buf[got] = '\0';
    *data = buf;
    *len = got;
    return RF_READ_OK;
}

int rf_fs_mkdir_p(const char *path)
{
    char tmp[4096];
    if (snprintf(tmp, sizeof(tmp), "%s", path) >= (int)sizeof(tmp)) {
        errno = ENAMETOOLONG;
        return -1;
    }
    for (char *p = tmp + 1; *p; p++) {
        if (*p == '/') {
            *p = '\0';
            if (mkdir(tmp, 0755) != 0 && errno != EEXIST) {
                return -1;
            }
            *p = '/';
        }
    }
    if (mkdir(tmp, 0755) != 0 && errno != EEXIST) {
        return -1;
    }
    return 0;
}

int rf_fs_move_unique(const char *src, const char *dir, const char *name, char *out,
                      size_t out_size)
{
    bool made_dir = false;
    for (int attempt = 0; attempt < 10000; attempt++) {
        if (attempt == 0) {
            snprintf(out, out_size, "%s/%s", dir, name);
        } else {
            snprintf(out, out_size, "%s/%s.%d", dir, name, attempt);
        }
        /* RENAME_NOREPLACE makes "never overwrite" atomic, unlike a stat-then-rename. */
        if (renameat2(AT_FDCWD, src, AT_FDCWD, out, RENAME_NOREPLACE) == 0) {
            return 0;
        }
        if (errno == ENOENT && !made_dir && access(src, F_OK) == 0) {
            /* the folder is missing (a new day): make it once, then try again */
            if (rf_fs_mkdir_p(dir) != 0) {
                return -1;
            }
            made_dir = true;
            attempt--;
            continue;
        }
        if (errno == EINVAL || errno == ENOSYS) {
            if (link(src, out) == 0) {
                return unlink(src);
            }
        }
        if (errno != EEXIST) {
            return -1;
        }
    }
    errno = EEXIST;
    return -1;
}

int rf_fs_write_atomic(const char *path, const void *data, size_t len)
{
    char tmp[4096];
    snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        return -1;
    }
    const char *p = data;
    size_t left = len;
    while (left > 0) {
        ssize_t n = write(fd, p, left);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            close(fd);
            unlink(tmp);
            return -1;
        }
        p += n;
        left -= (size_t)n;
    }
    if (fsync(fd) != 0 || close(fd) != 0) {
        unlink(tmp);
        return -1;
    }
    return rename(tmp, path);
}

int64_t rf_clock_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t rf_clock_mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void rf_clock_format(int64_t ms, char *out, size_t out_size)
{
    time_t secs = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&secs, &tm);
    size_t n = strftime(out, out_size, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out + n, out_size - n, ".%03dZ", (int)(ms % 1000));
}
