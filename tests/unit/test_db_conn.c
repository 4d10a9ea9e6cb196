/*
 * test_db_conn.c - the sink's connection settings and error classes
 * (sink/db_conn.c): keepalives, a TCP user timeout and a connect timeout are
 * added unless the user's conninfo or the PG* environment sets them, and the
 * failures a smaller transaction may not meet are told from the rest.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "db_conn.h"

/* The value libpq would connect with for @p keyword, given our keywords for @p conninfo. */
static char *effective(const char *conninfo, const char *keyword)
{
    const char *keys[16], *values[16];
    db_conn_keywords(conninfo, keys, values, 16);
    /* PQconnectStartParams parses everything and starts nothing that blocks: the host is a
       socket folder that does not exist */
    PGconn *conn = PQconnectStartParams(keys, values, 1);
    assert_non_null(conn);
    char *found = NULL;
    PQconninfoOption *opts = PQconninfo(conn);
    for (PQconninfoOption *o = opts; o && o->keyword; o++) {
        if (strcmp(o->keyword, keyword) == 0 && o->val) {
            found = strdup(o->val);
        }
    }
    PQconninfoFree(opts);
    PQfinish(conn);
    return found;
}

static void assert_effective(const char *conninfo, const char *keyword, const char *want)
{
    char *got = effective(conninfo, keyword);
    assert_non_null(got);
    assert_string_equal(got, want);
    free(got);
}

static void test_db_conn_adds_timeouts_and_keepalives(void **state)
{
    (void)state;
    const char *conninfo = "host=/nonexistent-rf-test dbname=x";
    assert_effective(conninfo, "tcp_user_timeout", "30000");
    assert_effective(conninfo, "keepalives", "1");
    assert_effective(conninfo, "keepalives_idle", "30");
    assert_effective(conninfo, "keepalives_interval", "10");
    assert_effective(conninfo, "keepalives_count", "3");
    assert_effective(conninfo, "connect_timeout", "10");
    assert_effective(conninfo, "dbname", "x");
}

static void test_db_conn_user_settings_win(void **state)
{
    (void)state;
    const char *conninfo = "host=/nonexistent-rf-test tcp_user_timeout=1234 keepalives_idle=7 "
                           "connect_timeout=2";
    assert_effective(conninfo, "tcp_user_timeout", "1234");
    assert_effective(conninfo, "keepalives_idle", "7");
    assert_effective(conninfo, "connect_timeout", "2");
    assert_effective(conninfo, "keepalives_count", "3");
    /* a URI is expanded the same way */
    assert_effective("postgresql:///x?host=/nonexistent-rf-test&keepalives_count=9",
                     "keepalives_count", "9");
    assert_effective("postgresql:///x?host=/nonexistent-rf-test&keepalives_count=9",
                     "tcp_user_timeout", "30000");
}

static void test_db_conn_environment_wins_over_defaults(void **state)
{
    (void)state;
    assert_int_equal(setenv("PGCONNECT_TIMEOUT", "4", 1), 0);
    assert_effective("host=/nonexistent-rf-test", "connect_timeout", "4");
    unsetenv("PGCONNECT_TIMEOUT");
    /* an empty conninfo means the PG* variables, with our defaults */
    assert_int_equal(setenv("PGHOST", "/nonexistent-rf-test", 1), 0);
    assert_effective("", "host", "/nonexistent-rf-test");
    assert_effective("", "tcp_user_timeout", "30000");
    unsetenv("PGHOST");
}

static void test_db_conn_size_failures_are_their_own_class(void **state)
{
    (void)state;
    assert_int_equal(db_conn_classify_state("57014"), DB_SMALLER); /* statement timeout */
    assert_int_equal(db_conn_classify_state("53200"), DB_SMALLER); /* out of memory */
    assert_int_equal(db_conn_classify_state("54001"), DB_SMALLER); /* too complex */
    assert_int_equal(db_conn_classify_state("55P03"), DB_SMALLER); /* lock timeout */
    assert_int_equal(db_conn_classify_state(NULL), DB_RETRY);      /* connection lost */
    assert_int_equal(db_conn_classify_state("08006"), DB_RETRY);
    assert_int_equal(db_conn_classify_state("53300"), DB_RETRY); /* too many connections */
    assert_int_equal(db_conn_classify_state("57P01"), DB_RETRY); /* admin shutdown */
    assert_int_equal(db_conn_classify_state("22007"), DB_REJECT);
    assert_int_equal(db_conn_classify_state("54000"), DB_REJECT);
    assert_int_equal(db_conn_classify_state("42P01"), DB_FATAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_db_conn_adds_timeouts_and_keepalives),
        cmocka_unit_test(test_db_conn_user_settings_win),
        cmocka_unit_test(test_db_conn_environment_wins_over_defaults),
        cmocka_unit_test(test_db_conn_size_failures_are_their_own_class),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
