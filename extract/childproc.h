/*
 * childproc.h - a converter's program run as a limited child process: its own
 * process group, a private temporary folder as its only working place and
 * home, no network when the kernel lets it have a namespace of its own, a
 * seccomp filter (sandbox.h), and limits on CPU time, address space, file size
 * and open files. The parent waits for it until a wall-clock deadline or a
 * stop, then kills its whole group, so that nothing it started outlives it;
 * a parent killed outright takes the child with it (its parent-death signal).
 */
#ifndef RF_CHILDPROC_H
#define RF_CHILDPROC_H

#include <stdbool.h>
#include <stddef.h>

#define CHILDPROC_ADDRESS_SPACE (4ull << 30) /* LibreOffice maps much it never touches */
#define CHILDPROC_MAX_FILE_BYTES (64u << 20) /* any file the child writes */
#define CHILDPROC_MAX_FILES 256              /* open files of the child */

struct sandbox;

/* The exit status of a child that could not be set up to run its program (its limits, its
   folder, its files, its sandbox): the host's fault, not the document's. */
#define CHILDPROC_SETUP_FAILED 126

/* Where and until when children run. */
struct childproc_run {
    const char *dir;               /* the private folder: home, temporary folder, working dir */
    long long deadline;            /* monotonic ms (childproc_now_ms()) */
    bool (*stop_requested)(void);  /* polled while a child runs; may be NULL */
    const struct sandbox *sandbox; /* every child enters it */
};

long long childproc_now_ms(void);

/**
 * Run @p program with @p argv for @p r, its output in r->dir's stdout.txt and err.txt, until
 * it ends, r->deadline passes or a stop is asked. @returns its wait status (with *timed_out
 * or *stopped), or -1 when it could not be started (errno says why).
 */
int childproc_spawn(const char *program, const char *const argv[], const struct childproc_run *r,
                    bool *timed_out, bool *stopped);

/** @p name's path: ours (reportflow-*) beside the running program first, then $PATH. */
bool childproc_find(const char *name, char *out, size_t out_size);

/** A new private folder under $TMPDIR (or /tmp), into @p dir. @returns false on failure. */
bool childproc_workdir(char *dir, size_t dir_size);

/** Remove @p dir and everything in it, links not followed. */
void childproc_remove_tree(const char *dir);

/** Write @p len bytes to @p path, created new (0600). @returns 0, or -1 with errno. */
int childproc_write_file(const char *path, const char *bytes, size_t len);

/** The first line (at most 200 bytes) of @p dir/@p file, or "" (a child's err.txt). */
void childproc_first_line(const char *dir, const char *file, char *out, size_t out_size);

#endif
