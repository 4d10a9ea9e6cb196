/*
 * test_watch.c - the inbox watcher: what each kind of entry becomes (regular
 * file, symlink, FIFO, folder), ignore patterns, subfolders when not
 * recursive (logged once, counted), and IN_IGNORED when a watched folder goes;
 * and when a regular file is complete: quiet for the quiet period with no
 * writer known (a file written in two opens is reported once, whole; one held
 * open by a stalled writer never, until closed; a file found by a scan only
 * after two looks a quiet period apart).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "watch.h"

#define MAX_SEEN 16
/* short, so the tests are quick; long enough that a loaded machine keeps to it */
#define QUIET_MS 200

struct seen {
    char rel[MAX_SEEN][64];
    enum rf_fs_kind kind[MAX_SEEN];
    long long size[MAX_SEEN]; /* of the version reported; -1 when none was given */
    size_t cnt;
};

static void record(void *ctx, const char *rel, enum rf_fs_kind kind, const struct stat *st)
{
    struct seen *s = ctx;
    assert_true(s->cnt < MAX_SEEN);
    snprintf(s->rel[s->cnt], sizeof(s->rel[0]), "%s", rel);
    s->kind[s->cnt] = kind;
    s->size[s->cnt] = st ? (long long)st->st_size : -1;
    s->cnt++;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0) {
    }
}

/* What the producer's loop does for @p ms: read events and claim complete files. */
static void run_for(struct watch *w, long ms, struct seen *s)
{
    for (long waited = 0; waited < ms; waited += 10) {
        assert_int_equal(watch_read_events(w, record, s), 0);
        watch_claim(w, SIZE_MAX, record, s);
        sleep_ms(10);
    }
    assert_int_equal(watch_read_events(w, record, s), 0);
    watch_claim(w, SIZE_MAX, record, s);
}

/* How often @p rel was reported; its kind in @p kind. */
static int reported(const struct seen *s, const char *rel, enum rf_fs_kind *kind)
{
    int n = 0;
    for (size_t i = 0; i < s->cnt; i++) {
        if (strcmp(s->rel[i], rel) == 0) {
            *kind = s->kind[i];
            n++;
        }
    }
    return n;
}

struct dirs {
    char root[64];
    char inbox[96];
};

static void make_dirs(struct dirs *d)
{
    snprintf(d->root, sizeof(d->root), "/tmp/test_watch.XXXXXX");
    assert_non_null(mkdtemp(d->root));
    snprintf(d->inbox, sizeof(d->inbox), "%s/inbox", d->root);
}

static void remove_dirs(const struct dirs *d)
{
    char cmd[160];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", d->root);
    assert_int_equal(system(cmd), 0);
}

static void touch(const char *dir, const char *name, const char *text)
{
    char path[512]; /* room for any dir of the other buffers here, and a name */
    int n = snprintf(path, sizeof(path), "%s/%s", dir, name);
    assert_true(n > 0 && (size_t)n < sizeof(path));
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
}

static void in_inbox(const struct dirs *d, const char *name, char *out, size_t out_size)
{
    snprintf(out, out_size, "%s/%s", d->inbox, name);
}

/* A fresh temporary root with a watch on its inbox/ (not made yet: watch_new() makes it). */
static struct watch *watch_fresh_inbox(struct dirs *d, bool recursive, const char *ignore)
{
    make_dirs(d);
    char err[256];
    struct watch *w = watch_new(d->inbox, recursive, ignore, QUIET_MS, err, sizeof(err));
    if (!w) {
        fail_msg("watch_new(%s): %s", d->inbox, err);
    }
    return w;
}

static void unwatch(struct watch *w, const struct dirs *d)
{
    watch_free(w);
    remove_dirs(d);
}

/* Make folder @p name in the inbox; its path into @p path. */
static void mkdir_in_inbox(const struct dirs *d, const char *name, char *path, size_t path_size)
{
    in_inbox(d, name, path, path_size);
    assert_int_equal(mkdir(path, 0755), 0);
}

static void test_scan_classifies_every_kind(void **state)
{
    (void)state;
    struct dirs d;
    struct watch *w = watch_fresh_inbox(&d, false, ".*,*.part");
    char path[256], outside[256];
    touch(d.inbox, "a.txt", "report");
    touch(d.inbox, ".hidden", "x");
    touch(d.inbox, "b.part", "x");
    touch(d.root, "secret", "outside the inbox");
    snprintf(outside, sizeof(outside), "%s/secret", d.root);
    in_inbox(&d, "link.txt", path, sizeof(path));
    assert_int_equal(symlink(outside, path), 0);
    in_inbox(&d, "pipe.txt", path, sizeof(path));
    assert_int_equal(mkfifo(path, 0644), 0);
    mkdir_in_inbox(&d, "sub", path, sizeof(path));
    touch(path, "inner.txt", "x");

    struct seen s = {0};
    enum rf_fs_kind kind;
    assert_int_equal(watch_scan(w, record, &s), 3);
    assert_int_equal(reported(&s, "a.txt", &kind), 0); /* a regular file waits for quiet */
    assert_int_equal(watch_waiting(w), 1);
    assert_int_equal(reported(&s, "link.txt", &kind), 1);
    assert_int_equal(kind, RF_FS_SYMLINK); /* the link, not its target */
    assert_int_equal(reported(&s, "pipe.txt", &kind), 1);
    assert_int_equal(kind, RF_FS_FIFO);
    assert_int_equal(reported(&s, "sub", &kind), 0);
    assert_int_equal(reported(&s, "sub/inner.txt", &kind), 0);
    assert_int_equal(reported(&s, ".hidden", &kind), 0);
    assert_int_equal(reported(&s, "b.part", &kind), 0);
    assert_int_equal(watch_stats(w)->skipped_folders, 1);
    run_for(w, 2 * QUIET_MS + 50, &s);
    assert_int_equal(reported(&s, "a.txt", &kind), 1);
    assert_int_equal(kind, RF_FS_REGULAR);
    assert_int_equal(reported(&s, "sub/inner.txt", &kind), 0);
    /* a rescan reports again but counts (and logs) the folder once */
    struct seen again = {0};
    watch_scan(w, record, &again);
    assert_int_equal(watch_stats(w)->skipped_folders, 1);
    unwatch(w, &d);
}

static void test_recursive_scan_descends(void **state)
{
    (void)state;
    struct dirs d;
    struct watch *w = watch_fresh_inbox(&d, true, ".*");
    char path[256];
    mkdir_in_inbox(&d, "2024", path, sizeof(path));
    touch(path, "c.txt", "x");
    struct seen s = {0};
    enum rf_fs_kind kind;
    assert_int_equal(watch_scan(w, record, &s), 1);
    run_for(w, 2 * QUIET_MS + 50, &s);
    assert_int_equal(reported(&s, "2024/c.txt", &kind), 1);
    assert_int_equal(watch_stats(w)->skipped_folders, 0);
    assert_int_equal(watch_folder_count(w), 2);
    unwatch(w, &d);
}

/* Folders deeper than WATCH_MAX_DEPTH are left alone, as a folder is when not recursive; a
   file at the deepest level entered is found. */
static void test_recursive_scan_stops_at_its_depth(void **state)
{
    (void)state;
    struct dirs d;
    struct watch *w = watch_fresh_inbox(&d, true, ".*");
    char path[512], rel[512] = "";
    snprintf(path, sizeof(path), "%s", d.inbox);
    for (int level = 1; level <= WATCH_MAX_DEPTH + 3; level++) {
        size_t n = strlen(path), r = strlen(rel);
        snprintf(path + n, sizeof(path) - n, "/d");
        snprintf(rel + r, sizeof(rel) - r, "%sd", r ? "/" : "");
        assert_int_equal(mkdir(path, 0755), 0);
        if (level == WATCH_MAX_DEPTH || level == WATCH_MAX_DEPTH + 1) {
            touch(path, "f.txt", "x");
        }
    }
    struct seen s = {0};
    assert_int_equal(watch_scan(w, record, &s), 1); /* the file at the deepest level entered */
    assert_int_equal(watch_stats(w)->skipped_folders, 1);
    assert_int_equal(watch_folder_count(w), WATCH_MAX_DEPTH + 1); /* the inbox and its 32 */
    unwatch(w, &d);
}

/* A folder left alone that goes is forgotten, so one made per upload cannot grow the set. */
static void test_skipped_folder_forgotten_when_gone(void **state)
{
    (void)state;
    struct dirs d;
    struct watch *w = watch_fresh_inbox(&d, false, ".*");
    struct seen s = {0};
    char path[256];
    for (int i = 0; i < 2; i++) {
        mkdir_in_inbox(&d, "upload", path, sizeof(path));
        run_for(w, 50, &s);
        assert_int_equal(watch_stats(w)->skipped_folders, (uint64_t)i + 1);
        assert_int_equal(rmdir(path), 0);
        run_for(w, 50, &s);
    }
    /* a folder that stays is counted once, however often the inbox is scanned */
    mkdir_in_inbox(&d, "upload", path, sizeof(path));
    run_for(w, 50, &s);
    watch_scan(w, record, &s);
    assert_int_equal(watch_stats(w)->skipped_folders, 3);
    unwatch(w, &d);
}

/* Past WATCH_MAX_WAITING files waiting, the rest stay in the inbox, said once; a scan after
   the first have gone finds them. */
static void test_backlog_past_the_bound_waits_for_a_later_scan(void **state)
{
    (void)state;
    struct dirs d;
    struct watch *w = watch_fresh_inbox(&d, false, ".*");
    char name[32];
    for (int i = 0; i < WATCH_MAX_WAITING + 5; i++) {
        snprintf(name, sizeof(name), "r%d.txt", i);
        touch(d.inbox, name, "x");
    }
    struct seen s = {0};
    watch_scan(w, record, &s);
    assert_int_equal(watch_waiting(w), WATCH_MAX_WAITING);
    assert_true(watch_overflowed(w));
    /* the claim takes at most what it is asked for; the files it gives are sent and go, and a
       scan then tracks as many of the rest, never one twice */
    sleep_ms(2 * QUIET_MS);
    assert_int_equal(watch_claim(w, 0, record, &s), 0);
    for (int round = 0; round < 2; round++) {
        size_t from = s.cnt;
        assert_int_equal(watch_claim(w, 3, record, &s), 3);
        for (size_t i = from; i < s.cnt; i++) {
            char path[256];
            in_inbox(&d, s.rel[i], path, sizeof(path));
            assert_int_equal(unlink(path), 0);
        }
        watch_scan(w, record, &s);
        /* 5 were left: 3 found after the first round, the last 2 after the second */
        assert_int_equal(watch_waiting(w), round == 0 ? WATCH_MAX_WAITING : WATCH_MAX_WAITING - 1);
        assert_int_equal(watch_overflowed(w), round == 0);
    }
    unwatch(w, &d);
}

static void test_ignore_patterns(void **state)
{
    (void)state;
    struct dirs d;
    struct watch *w = watch_fresh_inbox(&d, false, ".*, *.tmp,*.part,*~");
    assert_true(watch_ignored(w, ".a.txt.part"));
    assert_true(watch_ignored(w, "a.tmp")); /* space after the comma */
    assert_true(watch_ignored(w, "a.txt~"));
    assert_false(watch_ignored(w, "a.txt"));
    assert_false(watch_ignored(w, "a.tmp.txt"));
    unwatch(w, &d);
}

static void test_events_report_what_appears(void **state)
{
    (void)state;
    struct dirs d;
    struct watch *w = watch_fresh_inbox(&d, false, ".*");
    char path[256], from[256];
    touch(d.inbox, "closed.txt", "x"); /* IN_CREATE then IN_CLOSE_WRITE */
    in_inbox(&d, "made.fifo", path, sizeof(path));
    assert_int_equal(mkfifo(path, 0644), 0); /* IN_CREATE only */
    snprintf(from, sizeof(from), "%s/l", d.root);
    assert_int_equal(symlink("/etc/passwd", from), 0);
    in_inbox(&d, "moved.lnk", path, sizeof(path));
    assert_int_equal(rename(from, path), 0); /* IN_MOVED_TO */
    mkdir_in_inbox(&d, "newdir", path, sizeof(path));
    struct seen s = {0};
    enum rf_fs_kind kind;
    assert_int_equal(watch_read_events(w, record, &s), 0);
    assert_int_equal(reported(&s, "closed.txt", &kind), 0); /* closed, not yet quiet */
    run_for(w, 2 * QUIET_MS + 50, &s);
    assert_int_equal(reported(&s, "closed.txt", &kind), 1); /* once */
    assert_int_equal(kind, RF_FS_REGULAR);
    assert_int_equal(reported(&s, "made.fifo", &kind), 1);
    assert_int_equal(kind, RF_FS_FIFO);
    assert_int_equal(reported(&s, "moved.lnk", &kind), 1);
    assert_int_equal(kind, RF_FS_SYMLINK);
    assert_int_equal(reported(&s, "newdir", &kind), 0);
    assert_int_equal(watch_stats(w)->skipped_folders, 1);
    unwatch(w, &d);
}

/* A file renamed in is complete: reported at its event, without the quiet period, and once. */
static void test_renamed_in_is_reported_at_once(void **state)
{
    (void)state;
    struct dirs d;
    struct watch *w = watch_fresh_inbox(&d, false, ".*");
    char from[256], path[256];
    touch(d.root, "ready.txt", "whole");
    snprintf(from, sizeof(from), "%s/ready.txt", d.root);
    in_inbox(&d, "ready.txt", path, sizeof(path));
    assert_int_equal(rename(from, path), 0);
    touch(d.inbox, ".staged.part", "whole too"); /* the usual way: a temporary name, then */
    char staged[256], renamed[256];
    in_inbox(&d, ".staged.part", staged, sizeof(staged));
    in_inbox(&d, "staged.txt", renamed, sizeof(renamed));
    assert_int_equal(rename(staged, renamed), 0);
    struct seen s = {0};
    enum rf_fs_kind kind;
    assert_int_equal(watch_read_events(w, record, &s), 0);
    assert_int_equal(reported(&s, "ready.txt", &kind), 1);
    assert_int_equal(kind, RF_FS_REGULAR);
    assert_int_equal(reported(&s, "staged.txt", &kind), 1);
    assert_int_equal(s.size[s.cnt - 1], 9);
    run_for(w, 3 * QUIET_MS, &s);
    assert_int_equal(s.cnt, 2); /* not again after the quiet period */
    assert_int_equal(watch_waiting(w), 0);
    unwatch(w, &d);
}

/* A file renamed within the inbox while its writer holds it open waits for the close. */
static void test_renamed_while_open_keeps_its_writer(void **state)
{
    (void)state;
    struct dirs d;
    struct watch *w = watch_fresh_inbox(&d, false, ".*");
    char a[256], b[256];
    in_inbox(&d, "a.txt", a, sizeof(a));
    in_inbox(&d, "b.txt", b, sizeof(b));
    int fd = open(a, O_WRONLY | O_CREAT | O_EXCL, 0644);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "first ", 6), 6);
    struct seen s = {0};
    enum rf_fs_kind kind;
    run_for(w, 50, &s);
    assert_int_equal(rename(a, b), 0);
    run_for(w, 3 * QUIET_MS, &s);
    assert_int_equal(reported(&s, "b.txt", &kind), 0);
    assert_int_equal(write(fd, "second", 6), 6);
    assert_int_equal(close(fd), 0);
    run_for(w, 3 * QUIET_MS, &s);
    assert_int_equal(reported(&s, "b.txt", &kind), 1);
    assert_int_equal(s.size[0], 12);
    assert_int_equal(reported(&s, "a.txt", &kind), 0);
    unwatch(w, &d);
}

static void test_in_ignored_drops_the_watch(void **state)
{
    (void)state;
    struct dirs d;
    struct watch *w = watch_fresh_inbox(&d, true, ".*");
    char path[256];
    mkdir_in_inbox(&d, "sub", path, sizeof(path));
    struct seen s = {0};
    assert_int_equal(watch_read_events(w, record, &s), 0);
    assert_int_equal(watch_folder_count(w), 2);
    assert_int_equal(rmdir(path), 0);
    assert_int_equal(watch_read_events(w, record, &s), 0);
    assert_int_equal(watch_folder_count(w), 1);
    assert_int_equal(watch_stats(w)->lost_watches, 1);
    /* the inbox itself goes: the next scan makes and watches it again */
    assert_int_equal(rmdir(d.inbox), 0);
    assert_int_equal(watch_read_events(w, record, &s), 0);
    assert_int_equal(watch_folder_count(w), 0);
    watch_scan(w, record, &s);
    assert_int_equal(watch_folder_count(w), 1);
    touch(d.inbox, "back.txt", "x");
    struct seen after = {0};
    enum rf_fs_kind kind;
    run_for(w, 2 * QUIET_MS + 50, &after);
    assert_int_equal(reported(&after, "back.txt", &kind), 1);
    unwatch(w, &d);
}

/* A folder renamed in the inbox is watched under its new name; one moved out, not at all. */
static void test_renamed_folder_keeps_no_old_path(void **state)
{
    (void)state;
    struct dirs d;
    struct watch *w = watch_fresh_inbox(&d, true, ".*");
    char old_path[256], new_path[256], outside[256];
    mkdir_in_inbox(&d, "a", old_path, sizeof(old_path));
    struct seen s = {0};
    run_for(w, 50, &s);
    in_inbox(&d, "b", new_path, sizeof(new_path));
    assert_int_equal(rename(old_path, new_path), 0);
    run_for(w, 50, &s);
    touch(new_path, "x.txt", "x");
    struct seen after = {0};
    enum rf_fs_kind kind;
    run_for(w, 2 * QUIET_MS + 100, &after);
    assert_int_equal(reported(&after, "b/x.txt", &kind), 1);
    assert_int_equal(reported(&after, "a/x.txt", &kind), 0);
    /* moved out of the inbox: nothing there is watched or reported */
    snprintf(outside, sizeof(outside), "%s/gone", d.root);
    assert_int_equal(rename(new_path, outside), 0);
    run_for(w, 50, &after);
    assert_int_equal(watch_folder_count(w), 1);
    touch(outside, "y.txt", "y");
    struct seen late = {0};
    run_for(w, 2 * QUIET_MS + 100, &late);
    assert_int_equal(late.cnt, 0);
    unwatch(w, &d);
}

/* Append @p text to inbox file @p name in one open and close, as `printf TEXT >> f` does. */
static void append(const struct dirs *d, const char *name, const char *text)
{
    char path[256];
    in_inbox(d, name, path, sizeof(path));
    FILE *f = fopen(path, "a");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
}

/* A file written in two opens, the second before the quiet period ran out: one report, whole. */
static void test_split_write_is_reported_once_whole(void **state)
{
    (void)state;
    struct dirs d;
    struct watch *w = watch_fresh_inbox(&d, false, ".*");
    struct seen s = {0};
    enum rf_fs_kind kind;
    touch(d.inbox, "f", "HEAD");
    run_for(w, QUIET_MS / 2, &s);
    append(&d, "f", "BODY");
    run_for(w, 3 * QUIET_MS, &s);
    assert_int_equal(reported(&s, "f", &kind), 1);
    assert_int_equal(s.size[0], 8); /* HEAD and BODY */
    unwatch(w, &d);
}

/* A writer that stalls longer than the quiet period, its file open: never reported until closed. */
static void test_open_writer_is_waited_for(void **state)
{
    (void)state;
    struct dirs d;
    struct watch *w = watch_fresh_inbox(&d, false, ".*");
    char path[256];
    in_inbox(&d, "slow.txt", path, sizeof(path));
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "first half ", 11), 11);
    struct seen s = {0};
    enum rf_fs_kind kind;
    run_for(w, 3 * QUIET_MS, &s);
    watch_scan(w, record, &s); /* a rescan meanwhile changes nothing */
    run_for(w, 2 * QUIET_MS, &s);
    assert_int_equal(reported(&s, "slow.txt", &kind), 0);
    assert_int_equal(write(fd, "second half", 11), 11);
    assert_int_equal(close(fd), 0);
    run_for(w, 3 * QUIET_MS, &s);
    assert_int_equal(reported(&s, "slow.txt", &kind), 1);
    assert_int_equal(s.size[0], 22);
    unwatch(w, &d);
}

/* A file found by a scan (no events): reported after two looks a quiet period apart agree. */
static void test_scanned_file_needs_two_equal_looks(void **state)
{
    (void)state;
    struct dirs d;
    make_dirs(&d);
    assert_int_equal(mkdir(d.inbox, 0755), 0);
    touch(d.inbox, "old.txt", "there before the watch");
    char err[256], path[256];
    struct watch *w = watch_new(d.inbox, false, ".*", QUIET_MS, err, sizeof(err));
    assert_non_null(w);
    struct seen s = {0};
    enum rf_fs_kind kind;
    assert_int_equal(watch_scan(w, record, &s), 1);
    run_for(w, QUIET_MS / 2, &s);
    /* a change no event tells of (times set by hand, a remote writer): the next look sees it */
    in_inbox(&d, "old.txt", path, sizeof(path));
    struct timespec times[2] = {{0, UTIME_NOW}, {12345, 0}};
    assert_int_equal(utimensat(AT_FDCWD, path, times, 0), 0);
    run_for(w, QUIET_MS, &s);
    assert_int_equal(reported(&s, "old.txt", &kind), 0);
    run_for(w, 2 * QUIET_MS, &s);
    assert_int_equal(reported(&s, "old.txt", &kind), 1);
    unwatch(w, &d);
}

/* A hard link made in the inbox has no writer: reported once quiet, without a close. */
static void test_hard_link_is_reported(void **state)
{
    (void)state;
    struct dirs d;
    struct watch *w = watch_fresh_inbox(&d, false, ".*");
    char from[256], to[256];
    touch(d.root, "original", "linked in");
    snprintf(from, sizeof(from), "%s/original", d.root);
    in_inbox(&d, "linked.txt", to, sizeof(to));
    assert_int_equal(link(from, to), 0);
    struct seen s = {0};
    enum rf_fs_kind kind;
    run_for(w, 3 * QUIET_MS, &s);
    assert_int_equal(reported(&s, "linked.txt", &kind), 1);
    unwatch(w, &d);
}

/* A link whose first name is gone by the time its event is read (mail-style delivery: link,
   then unlink) looks like a file made in place, whose close never comes: a scan finds it
   written, with no write seen, and it is reported. A file opened and not yet written is not. */
static void test_link_then_unlink_is_reported_after_a_scan(void **state)
{
    (void)state;
    struct dirs d;
    struct watch *w = watch_fresh_inbox(&d, false, ".*");
    char from[256], to[256], empty[256];
    touch(d.root, "original", "linked in");
    snprintf(from, sizeof(from), "%s/original", d.root);
    in_inbox(&d, "linked.txt", to, sizeof(to));
    assert_int_equal(link(from, to), 0);
    assert_int_equal(unlink(from), 0); /* before the event is read: one link left */
    in_inbox(&d, "open.txt", empty, sizeof(empty));
    int fd = open(empty, O_WRONLY | O_CREAT | O_EXCL, 0644); /* a writer that has not written */
    assert_true(fd >= 0);
    struct seen s = {0};
    enum rf_fs_kind kind;
    run_for(w, 3 * QUIET_MS, &s);
    assert_int_equal(reported(&s, "linked.txt", &kind), 0); /* taken for a writer's */
    watch_scan(w, record, &s);
    run_for(w, 3 * QUIET_MS, &s);
    assert_int_equal(reported(&s, "linked.txt", &kind), 1);
    assert_int_equal(reported(&s, "open.txt", &kind), 0);
    assert_int_equal(close(fd), 0);
    run_for(w, 3 * QUIET_MS, &s);
    assert_int_equal(reported(&s, "open.txt", &kind), 1); /* its close came */
    unwatch(w, &d);
}

/* Handed back (it changed after it was reported): reported again once quiet again. */
static void test_wait_again_reports_again(void **state)
{
    (void)state;
    struct dirs d;
    struct watch *w = watch_fresh_inbox(&d, false, ".*");
    touch(d.inbox, "r.txt", "v1");
    struct seen s = {0};
    enum rf_fs_kind kind;
    run_for(w, 3 * QUIET_MS, &s);
    assert_int_equal(reported(&s, "r.txt", &kind), 1);
    watch_wait_again(w, "r.txt");
    run_for(w, QUIET_MS / 2, &s);
    assert_int_equal(reported(&s, "r.txt", &kind), 1);
    run_for(w, 2 * QUIET_MS, &s);
    assert_int_equal(reported(&s, "r.txt", &kind), 2);
    assert_int_equal(watch_waiting(w), 0);
    unwatch(w, &d);
}

/* A file deleted while it waits is forgotten, never reported. */
static void test_deleted_while_waiting_is_forgotten(void **state)
{
    (void)state;
    struct dirs d;
    struct watch *w = watch_fresh_inbox(&d, false, ".*");
    char path[256];
    touch(d.inbox, "gone.txt", "x");
    struct seen s = {0};
    enum rf_fs_kind kind;
    run_for(w, QUIET_MS / 2, &s);
    in_inbox(&d, "gone.txt", path, sizeof(path));
    assert_int_equal(unlink(path), 0);
    run_for(w, 3 * QUIET_MS, &s);
    assert_int_equal(reported(&s, "gone.txt", &kind), 0);
    assert_int_equal(watch_waiting(w), 0);
    unwatch(w, &d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scan_classifies_every_kind),
        cmocka_unit_test(test_recursive_scan_descends),
        cmocka_unit_test(test_recursive_scan_stops_at_its_depth),
        cmocka_unit_test(test_skipped_folder_forgotten_when_gone),
        cmocka_unit_test(test_backlog_past_the_bound_waits_for_a_later_scan),
        cmocka_unit_test(test_renamed_folder_keeps_no_old_path),
        cmocka_unit_test(test_ignore_patterns),
        cmocka_unit_test(test_events_report_what_appears),
        cmocka_unit_test(test_renamed_in_is_reported_at_once),
        cmocka_unit_test(test_renamed_while_open_keeps_its_writer),
        cmocka_unit_test(test_in_ignored_drops_the_watch),
        cmocka_unit_test(test_split_write_is_reported_once_whole),
        cmocka_unit_test(test_open_writer_is_waited_for),
        cmocka_unit_test(test_scanned_file_needs_two_equal_looks),
        cmocka_unit_test(test_hard_link_is_reported),
        cmocka_unit_test(test_link_then_unlink_is_reported_after_a_scan),
        cmocka_unit_test(test_wait_again_reports_again),
        cmocka_unit_test(test_deleted_while_waiting_is_forgotten),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
