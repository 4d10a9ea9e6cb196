/*
 * test_fs.c - files written whole: atomic replace, and the sidecar that
 * reserves a name; temporary files that never touch a file already there;
 * inbox reads that tell a passing failure from a lasting one.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "reportflow/fs.h"

/* Each test gets a fresh folder (its state), removed with all in it afterwards. */
static int make_folder(void **state)
{
    static char dir[64];
    snprintf(dir, sizeof(dir), "/tmp/rf-test-fs-XXXXXX");
    if (!mkdtemp(dir)) {
        return -1;
    }
    *state = dir;
    return 0;
}

static int remove_folder(void **state)
{
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", (const char *)*state);
    return system(cmd) == 0 ? 0 : -1;
}

/* "@p dir/@p name" into @p out. */
static void in_folder(const char *dir, const char *name, char *out, size_t out_size)
{
    assert_int_equal(rf_fs_join(out, out_size, dir, name), 0);
}

/* The whole of file @p path, compared with @p expected. */
static void assert_file_holds(const char *path, const char *expected)
{
    char got[256] = {0};
    FILE *f = fopen(path, "rb");
    if (!f) {
        fail_msg("%s: cannot open", path);
    }
    size_t n = fread(got, 1, sizeof(got) - 1, f);
    fclose(f);
    assert_int_equal(n, strlen(expected));
    assert_string_equal(got, expected);
}

/* Exactly @p want entries in @p dir: no temporary file left behind. */
static void assert_entries(const char *dir, int want)
{
    char cmd[512];
    snprintf(cmd, sizeof(cmd), "test $(ls -A '%s' | wc -l) -eq %d", dir, want);
    if (system(cmd) != 0) {
        fail_msg("%s does not hold exactly %d entries", dir, want);
    }
}

static void test_write_atomic_replaces_and_leaves_no_temporary(void **state)
{
    char path[256];
    in_folder(*state, "state", path, sizeof(path));
    assert_int_equal(rf_fs_write_atomic(path, "first", 5), 0);
    assert_int_equal(rf_fs_write_atomic(path, "second", 6), 0);
    assert_file_holds(path, "second");
    assert_entries(*state, 1);
}

/* A link where the temporary file goes is not followed, nor removed: another name is taken. */
static void test_write_atomic_does_not_follow_a_planted_link(void **state)
{
    char path[256], tmp[300], victim[256], target[256];
    in_folder(*state, "state", path, sizeof(path));
    in_folder(*state, "victim", victim, sizeof(victim));
    snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid());
    assert_int_equal(rf_fs_write_atomic(victim, "keep", 4), 0);
    assert_int_equal(symlink(victim, tmp), 0);
    assert_int_equal(rf_fs_write_atomic(path, "new", 3), 0);
    assert_file_holds(victim, "keep");
    assert_file_holds(path, "new");
    ssize_t n = readlink(tmp, target, sizeof(target) - 1);
    assert_true(n > 0);
    target[n] = '\0';
    assert_string_equal(target, victim);
    assert_entries(*state, 3); /* state, victim, the link: no temporary file left */
}

/*
 * A file whose name is the sidecar's temporary name (a failed report called
 * "x.error.tmp.PID": PID 1 under Docker) is neither truncated nor removed.
 */
static void test_sidecar_temporary_never_touches_a_namesake(void **state)
{
    char src[256], dead[256], namesake[300], out[256], side[300];
    in_folder(*state, "in", src, sizeof(src));
    in_folder(*state, "dead", dead, sizeof(dead));
    assert_int_equal(rf_fs_mkdir_p(dead), 0);
    assert_int_equal(rf_fs_write_atomic(src, "report", 6), 0);
    snprintf(namesake, sizeof(namesake), "%s/x.error.tmp.%d", dead, (int)getpid());
    FILE *f = fopen(namesake, "wb");
    assert_non_null(f);
    fputs("the only copy of a failed report", f);
    assert_int_equal(fclose(f), 0);
    assert_int_equal(
        rf_fs_move_unique_with_sidecar(src, dead, "x", ".error", "why", 3, out, sizeof(out)), 0);
    snprintf(side, sizeof(side), "%s.error", out);
    assert_file_holds(namesake, "the only copy of a failed report");
    assert_file_holds(out, "report");
    assert_file_holds(side, "why");
    assert_entries(dead, 3);
}

/* Out of descriptors is a passing failure (RF_READ_RETRY, errno EMFILE); no permission is not. */
static void test_read_regular_tells_passing_failures(void **state)
{
    char path[256], why[512];
    char *data = NULL;
    size_t len = 0;
    struct stat st;
    in_folder(*state, "r.txt", path, sizeof(path));
    assert_int_equal(rf_fs_write_atomic(path, "report", 6), 0);
    struct rlimit saved, low;
    assert_int_equal(getrlimit(RLIMIT_NOFILE, &saved), 0);
    low = saved;
    low.rlim_cur = 0;
    while (fcntl((int)low.rlim_cur, F_GETFD) != -1) {
        low.rlim_cur++; /* the lowest free descriptor: the next open() fails */
    }
    assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
    enum rf_read_result rr =
        rf_fs_read_regular(*state, "r.txt", 100, &data, &len, &st, why, sizeof(why));
    int err = errno;
    assert_int_equal(setrlimit(RLIMIT_NOFILE, &saved), 0);
    assert_int_equal(rr, RF_READ_RETRY);
    assert_int_equal(err, EMFILE);
    assert_null(data);
    assert_true(rf_fs_error_passes(EIO));
    assert_false(rf_fs_error_passes(EACCES));
    assert_int_equal(rf_fs_read_regular(*state, "r.txt", 100, &data, &len, &st, why, sizeof(why)),
                     RF_READ_OK);
    assert_int_equal(len, 6);
    free(data);
}

/* A folder of the inbox replaced by a symlink is not followed: the file is gone, not read. */
static void test_read_regular_follows_no_folder_symlink(void **state)
{
    char inbox[256], sub[256], outside[256], file[300], kept[300], why[512];
    char *data = NULL;
    size_t len = 0;
    struct stat st;
    in_folder(*state, "inbox", inbox, sizeof(inbox));
    in_folder(inbox, "d", sub, sizeof(sub));
    in_folder(*state, "outside", outside, sizeof(outside));
    assert_int_equal(mkdir(inbox, 0755), 0);
    assert_int_equal(mkdir(sub, 0755), 0);
    assert_int_equal(mkdir(outside, 0755), 0);
    in_folder(sub, "r.txt", file, sizeof(file));
    assert_int_equal(rf_fs_write_atomic(file, "report", 6), 0);
    in_folder(outside, "r.txt", file, sizeof(file));
    assert_int_equal(rf_fs_write_atomic(file, "secret", 6), 0);
    assert_int_equal(rf_fs_read_regular(inbox, "d/r.txt", 100, &data, &len, &st, why, sizeof(why)),
                     RF_READ_OK);
    assert_memory_equal(data, "report", 6);
    free(data);
    /* the folder renamed away and a symlink to the outside put in its place */
    in_folder(inbox, "kept", kept, sizeof(kept));
    assert_int_equal(rename(sub, kept), 0);
    assert_int_equal(symlink(outside, sub), 0);
    assert_int_equal(rf_fs_read_regular(inbox, "d/r.txt", 100, &data, &len, &st, why, sizeof(why)),
                     RF_READ_GONE);
    assert_int_equal(errno, ELOOP);
    assert_null(data);
    assert_non_null(strstr(why, "not followed"));
    /* nor a way out by "..", nor a file where a folder was */
    assert_int_equal(rf_fs_read_regular(inbox, "kept/../../outside/r.txt", 100, &data, &len, &st,
                                        why, sizeof(why)),
                     RF_READ_GONE);
    assert_int_equal(unlink(sub), 0);
    assert_int_equal(rf_fs_write_atomic(sub, "file", 4), 0);
    assert_int_equal(rf_fs_read_regular(inbox, "d/r.txt", 100, &data, &len, &st, why, sizeof(why)),
                     RF_READ_GONE);
    assert_null(data);
    /* the inbox itself may be a symlink: that is configuration */
    in_folder(*state, "inbox-link", file, sizeof(file));
    assert_int_equal(symlink(inbox, file), 0);
    assert_int_equal(
        rf_fs_read_regular(file, "kept/r.txt", 100, &data, &len, &st, why, sizeof(why)),
        RF_READ_OK);
    free(data);
}

static void test_move_with_sidecar_takes_a_free_name_pair(void **state)
{
    char src[256], sub[256], taken[300], out[256], side[300], expected[300];
    in_folder(*state, "in", src, sizeof(src));
    in_folder(*state, "dead", sub, sizeof(sub));
    assert_int_equal(rf_fs_write_atomic(src, "report", 6), 0);
    /* only the sidecar name of the first choice is taken: the pair moves on to ".1" */
    assert_int_equal(rf_fs_mkdir_p(sub), 0);
    snprintf(taken, sizeof(taken), "%s/r.pdf.error", sub);
    assert_int_equal(rf_fs_write_atomic(taken, "older", 5), 0);
    assert_int_equal(
        rf_fs_move_unique_with_sidecar(src, sub, "r.pdf", ".error", "why", 3, out, sizeof(out)), 0);
    snprintf(expected, sizeof(expected), "%s/r.pdf.1", sub);
    assert_string_equal(out, expected);
    snprintf(side, sizeof(side), "%s.error", out);
    assert_file_holds(out, "report");
    assert_file_holds(side, "why");
    assert_file_holds(taken, "older");
    assert_entries(sub, 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_write_atomic_replaces_and_leaves_no_temporary,
                                        make_folder, remove_folder),
        cmocka_unit_test_setup_teardown(test_write_atomic_does_not_follow_a_planted_link,
                                        make_folder, remove_folder),
        cmocka_unit_test_setup_teardown(test_read_regular_follows_no_folder_symlink, make_folder,
                                        remove_folder),
        cmocka_unit_test_setup_teardown(test_move_with_sidecar_takes_a_free_name_pair, make_folder,
                                        remove_folder),
        cmocka_unit_test_setup_teardown(test_sidecar_temporary_never_touches_a_namesake,
                                        make_folder, remove_folder),
        cmocka_unit_test_setup_teardown(test_read_regular_tells_passing_failures, make_folder,
                                        remove_folder),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
