/* test_fsutil.c - files written whole: atomic replace, and the sidecar that reserves a name. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "reportflow/fsutil.h"

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

/* Only @p want entries (besides . and ..) in @p dir: no temporary file left behind. */
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
    (void)state;
    char dir[] = "/tmp/rf-test-fsutil-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[256];
    assert_int_equal(rf_fs_join(path, sizeof(path), dir, "state"), 0);
    assert_int_equal(rf_fs_write_atomic(path, "first", 5), 0);
    assert_int_equal(rf_fs_write_atomic(path, "second", 6), 0);
    assert_file_holds(path, "second");
    assert_entries(dir, 1);
    unlink(path);
    rmdir(dir);
}

/* A link where the temporary file goes is not followed: nothing is written through it. */
static void test_write_atomic_does_not_follow_a_planted_link(void **state)
{
    (void)state;
    char dir[] = "/tmp/rf-test-fsutil-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[256], tmp[300], victim[256];
    assert_int_equal(rf_fs_join(path, sizeof(path), dir, "state"), 0);
    assert_int_equal(rf_fs_join(victim, sizeof(victim), dir, "victim"), 0);
    snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid());
    assert_int_equal(rf_fs_write_atomic(victim, "keep", 4), 0);
    assert_int_equal(symlink(victim, tmp), 0);
    assert_int_equal(rf_fs_write_atomic(path, "new", 3), -1);
    assert_file_holds(victim, "keep");
    unlink(tmp);
    unlink(victim);
    rmdir(dir);
}

static void test_move_with_sidecar_takes_a_free_name_pair(void **state)
{
    (void)state;
    char dir[] = "/tmp/rf-test-fsutil-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char src[256], taken[256], out[256], side[300];
    assert_int_equal(rf_fs_join(src, sizeof(src), dir, "in"), 0);
    assert_int_equal(rf_fs_write_atomic(src, "report", 6), 0);
    /* only the sidecar name of the first choice is taken: the pair moves on to ".1" */
    snprintf(taken, sizeof(taken), "%s/dead/r.pdf.error", dir);
    char sub[256];
    assert_int_equal(rf_fs_join(sub, sizeof(sub), dir, "dead"), 0);
    assert_int_equal(rf_fs_mkdir_p(sub), 0);
    assert_int_equal(rf_fs_write_atomic(taken, "older", 5), 0);
    assert_int_equal(
        rf_fs_move_unique_with_sidecar(src, sub, "r.pdf", ".error", "why", 3, out, sizeof(out)), 0);
    char expected[300];
    snprintf(expected, sizeof(expected), "%s/r.pdf.1", sub);
    assert_string_equal(out, expected);
    snprintf(side, sizeof(side), "%s.error", out);
    assert_file_holds(out, "report");
    assert_file_holds(side, "why");
    assert_file_holds(taken, "older");
    assert_entries(sub, 3);
    unlink(out);
    unlink(side);
    unlink(taken);
    rmdir(sub);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_write_atomic_replaces_and_leaves_no_temporary),
        cmocka_unit_test(test_write_atomic_does_not_follow_a_planted_link),
        cmocka_unit_test(test_move_with_sidecar_takes_a_free_name_pair),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
