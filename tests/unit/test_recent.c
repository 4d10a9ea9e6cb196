/* test_recent.c - documents sent lately: found with the file that carried each first; bounded. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "recent.h"
#include "reportflow/sha256.h"

/* The document id of @p text. */
static void id_of(const char *text, char id[RF_SHA256_HEX_LEN + 1])
{
    assert_int_equal(rf_sha256_hex(text, strlen(text), id), 0);
}

static void test_recent_finds_the_first_file(void **state)
{
    (void)state;
    struct recent r;
    char a[RF_SHA256_HEX_LEN + 1], b[RF_SHA256_HEX_LEN + 1];
    id_of("report a", a);
    id_of("report b", b);
    recent_init(&r, RECENT_SLOTS);
    assert_null(recent_find(&r, a)); /* empty: no table yet */
    assert_int_equal(recent_note(&r, a, "a.txt"), 0);
    assert_string_equal(recent_find(&r, a), "a.txt");
    assert_null(recent_find(&r, b));
    assert_int_equal(recent_note(&r, a, "copy-of-a.txt"), 0); /* keeps the first name */
    assert_string_equal(recent_find(&r, a), "a.txt");
    assert_int_equal(recent_note(&r, "not-an-id", "x.txt"), 0); /* ignored */
    assert_null(recent_find(&r, "not-an-id"));
    recent_release(&r);
    recent_release(&r); /* twice: a no-op */
}

/* Bounded: a small table holds at most its slots, and always the latest document. */
static void test_recent_is_bounded(void **state)
{
    (void)state;
    struct recent r;
    recent_init(&r, 8);
    char id[RF_SHA256_HEX_LEN + 1], name[32];
    for (int i = 0; i < 100; i++) {
        char text[32];
        snprintf(text, sizeof(text), "report %d", i);
        snprintf(name, sizeof(name), "r%d.txt", i);
        id_of(text, id);
        assert_int_equal(recent_note(&r, id, name), 0);
        assert_string_equal(recent_find(&r, id), name);
    }
    int remembered = 0;
    for (int i = 0; i < 100; i++) {
        char text[32];
        snprintf(text, sizeof(text), "report %d", i);
        id_of(text, id);
        remembered += recent_find(&r, id) != NULL;
    }
    assert_true(remembered >= 1 && remembered <= 8);
    recent_release(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_recent_finds_the_first_file),
        cmocka_unit_test(test_recent_is_bounded),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
