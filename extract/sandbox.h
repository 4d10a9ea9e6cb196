/*
 * sandbox.h - a seccomp filter for the converters' children (convert.c). A
 * converter parses hostile files with a large parser (Poppler, LibreOffice,
 * tesseract); the filter takes from it what no converter needs and an exploit
 * would: sockets other than local ones, tracing and reading other processes,
 * mounting, namespaces, loading kernel modules or BPF programs, keys, setting
 * the clock. Each such call fails with EPERM (EACCES for a socket), and the
 * child cannot gain privileges (no_new_privs). The filter is built in the
 * parent, where allocating is safe, and entered in the child between fork and
 * exec with two system calls.
 */
#ifndef RF_SANDBOX_H
#define RF_SANDBOX_H

#include <stdbool.h>
#include <stddef.h>

struct sock_filter;

struct sandbox {
    struct sock_filter *prog; /* the filter as the kernel takes it (sandbox_release() frees) */
    unsigned short len;       /* instructions */
};

/** Build the filter for this machine's architecture. @returns 0, or -1 with @p errstr. */
int sandbox_build(struct sandbox *sb, char *errstr, size_t errstr_size);

/**
 * Enter @p sb in the calling process, for good (async-signal-safe: for a child between fork
 * and exec). @returns false when the kernel refused it.
 */
bool sandbox_enter(const struct sandbox *sb);

void sandbox_release(struct sandbox *sb);

#endif
