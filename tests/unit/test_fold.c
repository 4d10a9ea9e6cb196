/* test_fold.c - the script fold table file, the rule set's own pairs, and credit codes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "fold.h"
#include "orgcode.h"

/* A table file with @p body in a fresh temporary folder: its path (static storage). */
static const char *write_table(const char *body)
{
    static char path[64];
    snprintf(path, sizeof(path), "/tmp/rf-test-fold.XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, body, strlen(body)), (ssize_t)strlen(body));
    close(fd);
    return path;
}

static void test_fold_table_and_own_pairs(void **state)
{
    (void)state;
    const char *path = write_table("# comment\n堅\t坚\n鎮\t镇\n\n於\t於\n");
    struct script_fold f = {0};
    char err[256] = "";
    /* the rule file's own pair for 於 wins over the table's */
    assert_int_equal(fold_load(&f, path, "於于", "rules.json", err, sizeof(err)), 0);
    assert_int_equal(f.cnt, 3);
    assert_int_equal(strlen(f.table_sha256), 64);
    char s[] = "三張鎮堅持於ok";
    fold_apply(&f, s, strlen(s));
    assert_string_equal(s, "三張镇坚持于ok"); /* 張 is in neither */
    fold_release(&f);
    unlink(path);
}

static void test_fold_bad_table_line_named(void **state)
{
    (void)state;
    const char *path = write_table("堅\t坚\n鎮 镇\n");
    struct script_fold f = {0};
    char err[256] = "";
    assert_int_equal(fold_load(&f, path, NULL, "rules.json", err, sizeof(err)), -1);
    char want[96];
    snprintf(want, sizeof(want), "%s:2:", path);
    assert_non_null(strstr(err, want));
    fold_release(&f);
    unlink(path);
    assert_int_equal(fold_load(&f, "/nonexistent/t2s.tsv", NULL, "rules.json", err, sizeof(err)),
                     -1);
    assert_non_null(strstr(err, "/nonexistent/t2s.tsv"));
    fold_release(&f);
}

static void test_orgcode_check_character(void **state)
{
    (void)state;
    assert_true(orgcode_valid("113310247793773537"));
    assert_false(orgcode_valid("113310247793773538")); /* the check is off by one */
    assert_false(orgcode_valid("113310247793773I37")); /* I is not in the alphabet */
    assert_true(orgcode_valid("11330800002618736G"));  /* a letter as the check */
}

static void test_orgcode_found_alone_in_the_head(void **state)
{
    (void)state;
    const char *s = "索引号: 11330800002618736G/2021-12124\n正文\n";
    struct text t;
    assert_int_equal(text_init(&t, s, strlen(s)), 0);
    struct docscan_lines ls = {NULL, 0};
    assert_int_equal(docscan_lines_split(&t, &ls), 0);
    char division[ORGCODE_DIVISION_LEN + 1] = "";
    assert_true(orgcode_find_division(&t, &ls, division));
    assert_string_equal(division, "330800");
    docscan_lines_release(&ls);
    text_release(&t);
    /* inside a longer run it is no code */
    s = "编号 X11330800002618736G\n";
    assert_int_equal(text_init(&t, s, strlen(s)), 0);
    assert_int_equal(docscan_lines_split(&t, &ls), 0);
    assert_false(orgcode_find_division(&t, &ls, division));
    docscan_lines_release(&ls);
    text_release(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fold_table_and_own_pairs),
        cmocka_unit_test(test_fold_bad_table_line_named),
        cmocka_unit_test(test_orgcode_check_character),
        cmocka_unit_test(test_orgcode_found_alone_in_the_head),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
