/*
 * sandbox.h - a seccomp filter for the converters' children (convert.c). A
 * converter parses hostile files with a large parser (Poppler, LibreOffice,
 * tesseract); the filter takes from it what no converter needs and an exploit
 * would: sockets other than local ones, tracing and reading other processes,
 * mounting, namespaces, loading kernel modules or BPF programs, keys, setting
 * the clock. Each such call fails with EPERM (EACCES for a socket), and the
 * child cannot gain privileges (no_new_privs). Where the kernel has Landlock,
 * the child writes nowhere but beneath its private folder (and to devices such
 * as /dev/null): creating, removing or writing a file elsewhere fails with
 * EACCES. (LibreOffice binds its single-instance socket in /tmp whatever
 * TMPDIR says: its sandbox lets it make and remove a socket there.) Both are built in the parent,
 * where allocating is safe, and entered in the child between fork and exec with a few system calls.
 */
#ifndef RF_SANDBOX_H
#define RF_SANDBOX_H

#include <stdbool.h>
#include <stddef.h>

struct sock_filter;

struct sandbox {
    struct sock_filter *prog; /* the filter as the kernel takes it (sandbox_release() frees) */
    unsigned short len;       /* instructions */
    int writes_fd;            /* the Landlock ruleset (close-on-exec), or -1 without Landlock */
};

/**
 * Build the filter for this machine's architecture, and the rule that the child writes only
 * beneath @p writable_dir; beneath @p socket_dir (NULL: nowhere else) it may also make and
 * remove local sockets. @returns 0, or -1 with @p errstr.
 */
int sandbox_build(struct sandbox *sb, const char *writable_dir, const char *socket_dir,
                  char *errstr, size_t errstr_size);

/**
 * Enter @p sb in the calling process, for good (async-signal-safe: for a child between fork
 * and exec). @returns false when the kernel refused it.
 */
bool sandbox_enter(const struct sandbox *sb);

void sandbox_release(struct sandbox *sb);

#endif
