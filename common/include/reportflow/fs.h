/* fs.h - file helpers the producer and tools share: whole-file reads, mkdir -p, safe moves. */
#ifndef RF_FS_H
#define RF_FS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct stat;

enum rf_read_result {
    RF_READ_OK = 0,
    RF_READ_ERROR = -1,       /* errno-style failure, message in errstr */
    RF_READ_TOO_BIG = -2,     /* larger than max_bytes */
    RF_READ_GONE = -3,        /* no such file (any more) */
    RF_READ_NOT_REGULAR = -4, /* a symlink, FIFO, socket, device or folder: never opened */
    RF_READ_RETRY = -5,       /* a passing failure (rf_fs_error_passes()): try again later */
    RF_READ_CHANGED = -6,     /* rf_fs_read_regular(): the file changed while it was read */
};

/** What a directory entry is, from lstat (a symlink is a symlink, never its target). */
enum rf_fs_kind {
    RF_FS_REGULAR = 0,
    RF_FS_DIR,
    RF_FS_SYMLINK,
    RF_FS_FIFO,
    RF_FS_SOCKET,
    RF_FS_DEVICE,
    RF_FS_GONE, /* vanished before it could be looked at */
};

/** The kind of a st_mode. */
enum rf_fs_kind rf_fs_kind_of_mode(mode_t mode);

/** lstat @p path and classify it; RF_FS_GONE when it does not exist or cannot be looked at. */
enum rf_fs_kind rf_fs_kind_of(const char *path);

/** "regular file", "symlink", "FIFO", ... for messages. */
const char *rf_fs_kind_name(enum rf_fs_kind kind);

/**
 * Read all of @p path, at most @p max_bytes, following symlinks (tools and
 * configuration). On RF_READ_OK, *data is malloc'd (caller frees;
 * NUL-terminated for convenience) and *len its size.
 */
enum rf_read_result rf_fs_read_file(const char *path, size_t max_bytes, char **data, size_t *len,
                                    char *errstr, size_t errstr_size);

/**
 * True when a failure with errno @p err says nothing about the file itself and
 * may pass: no file descriptors (EMFILE, ENFILE) or memory (ENOMEM, ENOBUFS)
 * left, an I/O error or a stale or slow network file system (EIO, ESTALE,
 * ETIMEDOUT), or an interrupted or would-block call (EINTR, EAGAIN).
 */
bool rf_fs_error_passes(int err);

/**
 * Read inbox file @p rel of folder @p dir: a regular file only, never through a
 * symlink, neither its own name nor a folder on its way below @p dir (a folder
 * that is not one any more is RF_READ_GONE, errno ELOOP), and never blocking (O_NOFOLLOW |
 * O_NONBLOCK; anything but a regular file is refused before it is opened for
 * reading, and checked again on the descriptor).
 * Hands back the descriptor's status in @p st_out (also for RF_READ_TOO_BIG),
 * so a caller can tell later whether the path still holds the same file.
 * RF_READ_CHANGED when the file's size, mtime or ctime moved while it was read
 * (a writer is still at it: the bytes may be half old, half new);
 * RF_READ_RETRY, with errno set, for a failure that rf_fs_error_passes().
 * Otherwise as rf_fs_read_file().
 */
enum rf_read_result rf_fs_read_regular(const char *dir, const char *rel, size_t max_bytes,
                                       char **data, size_t *len, struct stat *st_out, char *errstr,
                                       size_t errstr_size);

/**
 * True when @p a and @p b describe the same version of one file: device,
 * inode, size, mtime and ctime.
 */
bool rf_fs_same_version(const struct stat *a, const struct stat *b);

/** "@p dir/@p name" into @p out. @returns 0, or -1 with errno ENAMETOOLONG when it does not fit. */
int rf_fs_join(char *out, size_t out_size, const char *dir, const char *name);

/** mkdir -p with mode 0755. @returns 0 or -1 (errno set). */
int rf_fs_mkdir_p(const char *path);

/** fsync the directory holding @p path, so a rename or unlink there survives a crash. */
int rf_fs_sync_parent(const char *path);

/** fsync directory @p dir. @returns 0 or -1 (errno set). */
int rf_fs_sync_dir(const char *dir);

/**
 * Move @p src into directory @p dir (created when missing) as @p name, never replacing an existing
 * file: on a clash, "name.1", "name.2", ... are tried. Across file systems
 * (EXDEV) it copies, fsyncs and unlinks instead; a symlink is moved as a
 * symlink, never followed. The rename itself is not fsynced: the caller
 * fsyncs both folders (rf_fs_sync_dir()), once for a whole batch of moves.
 * Writes the final path to @p out. @returns 0 or -1 (errno set;
 * ENAMETOOLONG when a path does not fit).
 */
int rf_fs_move_unique(const char *src, const char *dir, const char *name, char *out,
                      size_t out_size);

/**
 * rf_fs_move_unique() plus a sidecar: the final name N is chosen so that N and
 * "N@p suffix" are both new, and "N@p suffix" receives @p side (@p side_len
 * bytes) before @p src moves, so a sidecar never replaces another file, even
 * one literally named "x.error", and its temporary file is new as in
 * rf_fs_write_atomic(). Both folders are fsynced before it returns.
 */
int rf_fs_move_unique_with_sidecar(const char *src, const char *dir, const char *name,
                                   const char *suffix, const void *side, size_t side_len, char *out,
                                   size_t out_size);

/**
 * Write @p len bytes to @p path atomically (temporary file, fsync, rename,
 * folder fsync). The temporary file is always a new one (O_EXCL): a file or a
 * link already at its name ("PATH.tmp.PID") is neither written, followed nor
 * removed; the next name ("PATH.tmp.PID.1", ...) is taken instead.
 */
int rf_fs_write_atomic(const char *path, const void *data, size_t len);

/**
 * A file name's raw bytes in an escaped form that is plain ASCII: bytes
 * outside printable ASCII, and '%', as %XX. @returns true when it fit in
 * @p out_size; otherwise cut before an escape, never inside one.
 */
bool rf_fs_name_escape(const char *name, char *out, size_t out_size);

#endif
