/*
 * test_watch.c - the inbox watcher: what each kind of entry becomes (regular
 * file, symlink, FIFO, folder), ignore patterns, subfolders when not
 * recursive (logged once, counted), and IN_IGNORED when a watched folder goes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "watch.h"

#define MAX_SEEN 16

struct seen {
    char rel[MAX_SEEN][64];
    enum rf_fs_kind kind[MAX_SEEN];
    size_t cnt;
};

static void record(void *ctx, const char *rel, enum rf_fs_kind kind)
{
    struct seen *s = ctx;
    assert_true(s->cnt < MAX_SEEN);
    snprintf(s->rel[s->cnt], sizeof(s->rel[0]), "%s", rel);
    s->kind[s->cnt] = kind;
    s->cnt++;
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
    struct watch *w = watch_new(d->inbox, recursive, ignore, err, sizeof(err));
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
    assert_int_equal(watch_scan(w, 0, record, &s), 3);
    assert_int_equal(reported(&s, "a.txt", &kind), 1);
    assert_int_equal(kind, RF_FS_REGULAR);
    assert_int_equal(reported(&s, "link.txt", &kind), 1);
    assert_int_equal(kind, RF_FS_SYMLINK); /* the link, not its target */
    assert_int_equal(reported(&s, "pipe.txt", &kind), 1);
    assert_int_equal(kind, RF_FS_FIFO);
    assert_int_equal(reported(&s, "sub", &kind), 0);
    assert_int_equal(reported(&s, "sub/inner.txt", &kind), 0);
    assert_int_equal(reported(&s, ".hidden", &kind), 0);
    assert_int_equal(reported(&s, "b.part", &kind), 0);
    assert_int_equal(watch_stats(w)->skipped_folders, 1);
    /* a rescan reports again but counts (and logs) the folder once */
    struct seen again = {0};
    watch_scan(w, 0, record, &again);
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
    assert_int_equal(watch_scan(w, 0, record, &s), 1);
    assert_int_equal(reported(&s, "2024/c.txt", &kind), 1);
    assert_int_equal(watch_stats(w)->skipped_folders, 0);
    assert_int_equal(watch_folder_count(w), 2);
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
    assert_int_equal(reported(&s, "closed.txt", &kind), 1); /* once: at its close */
    assert_int_equal(kind, RF_FS_REGULAR);
    assert_int_equal(reported(&s, "made.fifo", &kind), 1);
    assert_int_equal(kind, RF_FS_FIFO);
    assert_int_equal(reported(&s, "moved.lnk", &kind), 1);
    assert_int_equal(kind, RF_FS_SYMLINK);
    assert_int_equal(reported(&s, "newdir", &kind), 0);
    assert_int_equal(watch_stats(w)->skipped_folders, 1);
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
    watch_scan(w, 0, record, &s);
    assert_int_equal(watch_folder_count(w), 1);
    touch(d.inbox, "back.txt", "x");
    struct seen after = {0};
    enum rf_fs_kind kind;
    assert_int_equal(watch_read_events(w, record, &after), 0);
    assert_int_equal(reported(&after, "back.txt", &kind), 1);
    unwatch(w, &d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scan_classifies_every_kind),
        cmocka_unit_test(test_recursive_scan_descends),
        cmocka_unit_test(test_ignore_patterns),
        cmocka_unit_test(test_events_report_what_appears),
        cmocka_unit_test(test_in_ignored_drops_the_watch),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
