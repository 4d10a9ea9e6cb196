/* fs.c - file helpers: whole-file reads, mkdir -p, moves that never overwrite. */
#define _GNU_SOURCE
#include "reportflow/fs.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum rf_fs_kind rf_fs_kind_of_mode(mode_t mode)
{
    if (S_ISREG(mode)) {
        return RF_FS_REGULAR;
    }
    if (S_ISDIR(mode)) {
        return RF_FS_DIR;
    }
    if (S_ISLNK(mode)) {
        return RF_FS_SYMLINK;
    }
    if (S_ISFIFO(mode)) {
        return RF_FS_FIFO;
    }
    if (S_ISSOCK(mode)) {
        return RF_FS_SOCKET;
    }
    return RF_FS_DEVICE;
}

enum rf_fs_kind rf_fs_kind_of(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0) {
        return RF_FS_GONE;
    }
    return rf_fs_kind_of_mode(st.st_mode);
}

const char *rf_fs_kind_name(enum rf_fs_kind kind)
{
    static const char *const names[] = {"regular file", "folder", "symlink", "FIFO",
                                        "socket",       "device", "vanished"};
    return (size_t)kind < sizeof(names) / sizeof(names[0]) ? names[kind] : "unknown";
}

bool rf_fs_error_passes(int err)
{
    switch (err) {
    case EMFILE:
    case ENFILE:
    case ENOMEM:
    case ENOBUFS:
    case EIO:
    case ESTALE:
    case ETIMEDOUT:
    case EINTR:
    case EAGAIN:
        return true;
    default:
        return false;
    }
}

/* A failed call with errno @p err on @p path: RF_READ_RETRY when it may pass. Keeps errno. */
static enum rf_read_result read_failed(int err, const char *what, const char *path, char *errstr,
                                       size_t errstr_size)
{
    snprintf(errstr, errstr_size, "cannot %s '%s': %s", what, path, strerror(err));
    errno = err;
    if (err == ENOENT) {
        return RF_READ_GONE;
    }
    return rf_fs_error_passes(err) ? RF_READ_RETRY : RF_READ_ERROR;
}

/* Same size, mtime and ctime: nothing wrote to the file between the two looks. */
static bool unchanged(const struct stat *a, const struct stat *b)
{
    return a->st_size == b->st_size && a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
           a->st_mtim.tv_nsec == b->st_mtim.tv_nsec && a->st_ctim.tv_sec == b->st_ctim.tv_sec &&
           a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

/*
 * Read what @p fd holds (its size from @p st), at most max_bytes. Closes fd.
 * With @p check, a file whose size or times moved while it was read is
 * RF_READ_CHANGED: a writer is still at it.
 */
static enum rf_read_result read_fd_all(int fd, const char *path, const struct stat *st,
                                       size_t max_bytes, bool check, char **data, size_t *len,
                                       char *errstr, size_t errstr_size)
{
    if ((size_t)st->st_size > max_bytes) {
        snprintf(errstr, errstr_size, "'%s' is %lld bytes, over the limit of %zu", path,
                 (long long)st->st_size, max_bytes);
        close(fd);
        return RF_READ_TOO_BIG;
    }
    char *buf = malloc((size_t)st->st_size + 1);
    if (!buf) {
        close(fd);
        return read_failed(ENOMEM, "read", path, errstr, errstr_size);
    }
    size_t got = 0;
    while (got < (size_t)st->st_size) {
        ssize_t n = read(fd, buf + got, (size_t)st->st_size - got);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            int err = errno;
            free(buf);
            close(fd);
            return read_failed(err, "read", path, errstr, errstr_size);
        }
        if (n == 0) {
            break; /* truncated while we read */
        }
        got += (size_t)n;
    }
    struct stat after;
    if (check &&
        (fstat(fd, &after) != 0 || !unchanged(st, &after) || got != (size_t)after.st_size)) {
        snprintf(errstr, errstr_size, "'%s' changed while it was read", path);
        free(buf);
        close(fd);
        return RF_READ_CHANGED;
    }
    close(fd);
    buf[got] = '\0';
    *data = buf;
    *len = got;
    return RF_READ_OK;
}

enum rf_read_result rf_fs_read_file(const char *path, size_t max_bytes, char **data, size_t *len,
                                    char *errstr, size_t errstr_size)
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
    return read_fd_all(fd, path, &st, max_bytes, false, data, len, errstr, errstr_size);
}

static enum rf_read_result refuse_kind(const char *path, enum rf_fs_kind kind, char *errstr,
                                       size_t errstr_size)
{
    snprintf(errstr, errstr_size, "'%s' is a %s, not a regular file; it is never opened", path,
             rf_fs_kind_name(kind));
    return RF_READ_NOT_REGULAR;
}

/* The body of rf_fs_read_regular(): @p name in folder @p at, @p path in messages. */
static enum rf_read_result read_regular_at(int at, const char *name, const char *path,
                                           size_t max_bytes, char **data, size_t *len,
                                           struct stat *st_out, char *errstr, size_t errstr_size)
{
    struct stat st;
    /* look first: opening a device or FIFO at all can have effects */
    if (fstatat(at, name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
        return read_failed(errno, "look at", path, errstr, errstr_size);
    }
    if (!S_ISREG(st.st_mode)) {
        return refuse_kind(path, rf_fs_kind_of_mode(st.st_mode), errstr, errstr_size);
    }
    /* it may be swapped between the look and the open: O_NOFOLLOW and O_NONBLOCK keep a
       symlink or FIFO put there from being followed or blocking us; fstat tells */
    int fd = openat(at, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ELOOP) {
            return refuse_kind(path, RF_FS_SYMLINK, errstr, errstr_size);
        }
        return read_failed(errno, "open", path, errstr, errstr_size);
    }
    if (fstat(fd, &st) != 0) {
        int err = errno;
        close(fd);
        return read_failed(err, "look at", path, errstr, errstr_size);
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        return refuse_kind(path, rf_fs_kind_of_mode(st.st_mode), errstr, errstr_size);
    }
    int flags = fcntl(fd, F_GETFL);
    if (flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) != 0) {
        int err = errno;
        close(fd);
        return read_failed(err, "set blocking reads on", path, errstr, errstr_size);
    }
    if (st_out) {
        *st_out = st;
    }
    return read_fd_all(fd, path, &st, max_bytes, true, data, len, errstr, errstr_size);
}

/*
 * The folder that holds @p rel below folder @p dir (opened as it is: a configured path may be
 * a symlink), each folder on the way opened without following a symlink: O_NOFOLLOW holds for
 * a path's last part only. @returns its descriptor, *leaf the last part of @p rel; or -1 with
 * errno (ELOOP, ENOTDIR: a part on the way is no folder; EINVAL: a part is "." or "..").
 */
static int open_folder_beneath(const char *dir, const char *rel, const char **leaf)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    for (const char *p = rel, *slash; fd >= 0; p = slash + 1) {
        slash = strchr(p, '/');
        if (!slash) {
            *leaf = p;
            return fd;
        }
        char part[NAME_MAX + 1];
        size_t n = (size_t)(slash - p);
        int next = -1, err = EINVAL;
        if (n > 0 && n <= NAME_MAX) {
            memcpy(part, p, n);
            part[n] = '\0';
            bool dots = strcmp(part, ".") == 0 || strcmp(part, "..") == 0;
            next = dots ? -1 : openat(fd, part, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            err = dots ? EINVAL : errno;
        }
        close(fd);
        fd = next;
        errno = err;
    }
    return -1;
}

enum rf_read_result rf_fs_read_regular(const char *dir, const char *rel, size_t max_bytes,
                                       char **data, size_t *len, struct stat *st_out, char *errstr,
                                       size_t errstr_size)
{
    *data = NULL;
    *len = 0;
    char path[PATH_MAX];
    if (rf_fs_join(path, sizeof(path), dir, rel) != 0) {
        return read_failed(ENAMETOOLONG, "name", rel, errstr, errstr_size);
    }
    const char *leaf = rel;
    int at = open_folder_beneath(dir, rel, &leaf);
    if (at < 0) {
        int err = errno;
        if (err == ELOOP || err == ENOTDIR || err == EINVAL) {
            /* a symlink put where a folder of the inbox was: nothing outside is read */
            snprintf(errstr, errstr_size,
                     "a folder on the way to '%s' is no folder of the inbox (a symlink or a file "
                     "took its place); not followed",
                     path);
            errno = ELOOP;
            return RF_READ_GONE;
        }
        return read_failed(err, "open the folder of", path, errstr, errstr_size);
    }
    enum rf_read_result r =
        read_regular_at(at, leaf, path, max_bytes, data, len, st_out, errstr, errstr_size);
    int err = errno;
    close(at);
    errno = err;
    return r;
}

bool rf_fs_same_version(const struct stat *a, const struct stat *b)
{
    return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_size == b->st_size &&
           a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec &&
           a->st_ctim.tv_sec == b->st_ctim.tv_sec && a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

int rf_fs_join(char *out, size_t out_size, const char *dir, const char *name)
{
    int n = snprintf(out, out_size, "%s/%s", dir, name);
    if (n < 0 || (size_t)n >= out_size) {
        errno = ENAMETOOLONG;
        return -1;
    }
    return 0;
}

int rf_fs_mkdir_p(const char *path)
{
    char tmp[PATH_MAX];
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

int rf_fs_sync_parent(const char *path)
{
    char dir[PATH_MAX];
    const char *slash = strrchr(path, '/');
    if (!slash) {
        snprintf(dir, sizeof(dir), ".");
    } else if (slash == path) {
        snprintf(dir, sizeof(dir), "/");
    } else if ((size_t)(slash - path) < sizeof(dir)) {
        snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
    } else {
        errno = ENAMETOOLONG;
        return -1;
    }
    return rf_fs_sync_dir(dir);
}

int rf_fs_sync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        return -1;
    }
    int rc = fsync(fd);
    int err = errno;
    close(fd);
    errno = err;
    return rc;
}

static int write_all(int fd, const void *data, size_t len)
{
    const char *p = data;
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            return -1;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Bytes of regular file @p src into new file @p dst (O_EXCL), fsynced. */
static int copy_regular(const char *src, const char *dst, mode_t mode)
{
    int in = open(src, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (in < 0) {
        return -1;
    }
    int out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode & 0777);
    if (out < 0) {
        int err = errno;
        close(in);
        errno = err;
        return -1;
    }
    char buf[65536];
    int rc = 0;
    for (;;) {
        ssize_t n = read(in, buf, sizeof(buf));
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0 || write_all(out, buf, (size_t)n) != 0) {
            rc = n < 0 ? -1 : n == 0 ? 0 : -1;
            break;
        }
    }
    if (rc == 0 && fsync(out) != 0) {
        rc = -1;
    }
    int err = errno;
    close(in);
    if (close(out) != 0 && rc == 0) {
        err = errno;
        rc = -1;
    }
    if (rc != 0) {
        unlink(dst);
    }
    errno = err;
    return rc;
}

/*
 * rename() across file systems: make the same entry at @p dst (never replacing
 * one), then unlink @p src. A symlink is recreated, never followed; a FIFO or
 * socket is recreated empty, since it holds no bytes.
 */
static int move_across(const char *src, const char *dst)
{
    struct stat st;
    if (lstat(src, &st) != 0) {
        return -1;
    }
    int rc;
    if (S_ISREG(st.st_mode)) {
        rc = copy_regular(src, dst, st.st_mode);
    } else if (S_ISLNK(st.st_mode)) {
        char target[PATH_MAX];
        ssize_t n = readlink(src, target, sizeof(target) - 1);
        if (n < 0) {
            return -1;
        }
        target[n] = '\0';
        rc = symlink(target, dst);
    } else {
        rc = mknod(dst, st.st_mode, st.st_rdev);
    }
    if (rc != 0) {
        return -1;
    }
    if (rf_fs_sync_parent(dst) != 0 || unlink(src) != 0) {
        int err = errno;
        unlink(dst); /* the original stays where it was: better than two copies */
        errno = err;
        return -1;
    }
    return 0;
}

/* Move @p src to @p dst unless @p dst exists (EEXIST then). */
static int move_noreplace(const char *src, const char *dst)
{
    /* RENAME_NOREPLACE makes "never overwrite" atomic, unlike a stat-then-rename. */
    if (renameat2(AT_FDCWD, src, AT_FDCWD, dst, RENAME_NOREPLACE) == 0) {
        return 0;
    }
    if (errno == EINVAL || errno == ENOSYS) {
        /* a file system without RENAME_NOREPLACE: link() refuses to replace too */
        if (link(src, dst) == 0) {
            if (unlink(src) == 0) {
                return 0;
            }
            int saved = errno; /* never leave the file under both names */
            unlink(dst);
            errno = saved;
            return -1;
        }
    }
    if (errno == EXDEV) {
        return move_across(src, dst);
    }
    return -1;
}

/*
 * A new file beside @p path, its name in @p tmp: "PATH.tmp.PID", or when that
 * name is taken "PATH.tmp.PID.1", ... O_EXCL makes it ours alone: a file
 * already there under that name (a failed report of that very name, or a
 * planted link) is never truncated, written through, or later unlinked.
 * @returns the descriptor, or -1 with errno set.
 */
static int open_new_temp(const char *path, char *tmp, size_t tmp_size)
{
    for (int attempt = 0; attempt < 1000; attempt++) {
        int n = attempt == 0
                    ? snprintf(tmp, tmp_size, "%s.tmp.%d", path, (int)getpid())
                    : snprintf(tmp, tmp_size, "%s.tmp.%d.%d", path, (int)getpid(), attempt);
        if (n < 0 || (size_t)n >= tmp_size) {
            errno = ENAMETOOLONG;
            return -1;
        }
        int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (fd >= 0 || errno != EEXIST) {
            return fd;
        }
    }
    errno = EEXIST;
    return -1;
}

/*
 * Write @p data to a new temporary file beside @p path, named in @p tmp, and
 * fsync it, so that a link or rename publishes all of it or nothing.
 * @returns 0, or -1 with errno set and no temporary file left.
 */
static int write_temp(const char *path, const void *data, size_t len, char *tmp, size_t tmp_size)
{
    int fd = open_new_temp(path, tmp, tmp_size);
    if (fd < 0) {
        return -1;
    }
    if (write_all(fd, data, len) != 0 || fsync(fd) != 0) {
        int err = errno;
        close(fd);
        unlink(tmp); /* ours: O_EXCL made it */
        errno = err;
        return -1;
    }
    if (close(fd) != 0) {
        int err = errno;
        unlink(tmp);
        errno = err;
        return -1;
    }
    return 0;
}

/* Write @p data to new file @p path (never replacing one): temporary, fsync, link. */
static int write_new(const char *path, const void *data, size_t len)
{
    char tmp[PATH_MAX];
    if (write_temp(path, data, len, tmp, sizeof(tmp)) != 0) {
        return -1;
    }
    int rc = link(tmp, path);
    int err = errno;
    unlink(tmp);
    errno = err;
    return rc;
}

static int candidate_name(char *out, size_t out_size, const char *dir, const char *name,
                          int attempt)
{
    int n = attempt == 0 ? snprintf(out, out_size, "%s/%s", dir, name)
                         : snprintf(out, out_size, "%s/%s.%d", dir, name, attempt);
    if (n < 0 || (size_t)n >= out_size) {
        errno = ENAMETOOLONG;
        return -1;
    }
    return 0;
}

static int move_unique(const char *src, const char *dir, const char *name, const char *suffix,
                       const void *side, size_t side_len, bool sync_dirs, char *out,
                       size_t out_size)
{
    bool made_dir = false;
    char sidecar[PATH_MAX];
    for (int attempt = 0; attempt < 10000; attempt++) {
        if (candidate_name(out, out_size, dir, name, attempt) != 0) {
            return -1;
        }
        if (suffix) {
            if (snprintf(sidecar, sizeof(sidecar), "%s%s", out, suffix) >= (int)sizeof(sidecar)) {
                errno = ENAMETOOLONG;
                return -1;
            }
            /* the sidecar first: it reserves the name pair */
            if (write_new(sidecar, side, side_len) != 0) {
                if (errno == ENOENT && !made_dir) {
                    if (rf_fs_mkdir_p(dir) != 0) {
                        return -1;
                    }
                    made_dir = true;
                    attempt--;
                    continue;
                }
                if (errno == EEXIST) {
                    continue;
                }
                return -1;
            }
        }
        if (move_noreplace(src, out) == 0) {
            if (sync_dirs && (rf_fs_sync_parent(out) != 0 || rf_fs_sync_parent(src) != 0)) {
                return -1;
            }
            return 0;
        }
        int err = errno;
        if (suffix) {
            unlink(sidecar);
        }
        if (err == ENOENT && !made_dir && access(src, F_OK) == 0) {
            /* the folder is missing (a new day): make it once, then try again */
            if (rf_fs_mkdir_p(dir) != 0) {
                return -1;
            }
            made_dir = true;
            attempt--;
            continue;
        }
        if (err != EEXIST) {
            errno = err;
            return -1;
        }
    }
    errno = EEXIST;
    return -1;
}

int rf_fs_move_unique(const char *src, const char *dir, const char *name, char *out,
                      size_t out_size)
{
    return move_unique(src, dir, name, NULL, NULL, 0, false, out, out_size);
}

int rf_fs_move_unique_with_sidecar(const char *src, const char *dir, const char *name,
                                   const char *suffix, const void *side, size_t side_len, char *out,
                                   size_t out_size)
{
    return move_unique(src, dir, name, suffix, side, side_len, true, out, out_size);
}

int rf_fs_write_atomic(const char *path, const void *data, size_t len)
{
    char tmp[PATH_MAX];
    if (write_temp(path, data, len, tmp, sizeof(tmp)) != 0) {
        return -1;
    }
    if (rename(tmp, path) != 0) {
        int err = errno;
        unlink(tmp);
        errno = err;
        return -1;
    }
    return rf_fs_sync_parent(path);
}

bool rf_fs_name_escape(const char *name, char *out, size_t out_size)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t o = 0;
    if (out_size == 0) {
        return false;
    }
    for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
        bool plain = *p >= 0x20 && *p < 0x7F && *p != '%';
        size_t need = plain ? 1 : 3;
        if (o + need >= out_size) {
            out[o] = '\0';
            return false;
        }
        if (plain) {
            out[o++] = (char)*p;
        } else {
            out[o++] = '%';
            out[o++] = hex[*p >> 4];
            out[o++] = hex[*p & 0x0F];
        }
    }
    out[o] = '\0';
    return true;
}
