/*
 * test_db_conn.c - the sink's connection settings and error classes
 * (sink/db_conn.c): keepalives, a TCP user timeout and a connect timeout are
 * added unless the user's conninfo or the PG* environment sets them, and the
 * failures a smaller transaction may not meet are told from the rest; and the
 * migrations' checks (sink/migrate.c) give up on a server that never answers.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "db_conn.h"
#include "migrate.h"

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

/* Read exactly @p len bytes from @p fd. @returns false at its end. */
static bool read_all(int fd, void *buf, size_t len)
{
    for (size_t got = 0; got < len;) {
        ssize_t n = read(fd, (char *)buf + got, len - got);
        if (n <= 0) {
            return false;
        }
        got += (size_t)n;
    }
    return true;
}

/* A PostgreSQL that lets a client log in (no password asked) and then answers nothing: a
   server stalled after the login. Serves one connection on the listening socket it is given,
   until the client goes. */
static void *silent_server(void *arg)
{
    int listener = *(int *)arg;
    int fd = accept(listener, NULL, NULL);
    if (fd < 0) {
        return NULL;
    }
    unsigned char head[8];
    for (;;) { /* an SSL or GSS request first is answered 'N', then the startup packet comes */
        if (!read_all(fd, head, 8)) {
            close(fd);
            return NULL;
        }
        uint32_t len = (uint32_t)head[0] << 24 | head[1] << 16 | head[2] << 8 | head[3];
        uint32_t code = (uint32_t)head[4] << 24 | head[5] << 16 | head[6] << 8 | head[7];
        if (code == 80877103 || code == 80877104) {
            if (write(fd, "N", 1) != 1) {
                break;
            }
            continue;
        }
        char rest[1024];
        if (len < 8 || len - 8 > sizeof(rest) || !read_all(fd, rest, len - 8)) {
            break;
        }
        /* AuthenticationOk, ReadyForQuery (idle) */
        static const unsigned char ready[] = {'R', 0, 0, 0, 8, 0, 0, 0, 0, 'Z', 0, 0, 0, 5, 'I'};
        if (write(fd, ready, sizeof(ready)) != (ssize_t)sizeof(ready)) {
            break;
        }
        char sink[256];
        while (read(fd, sink, sizeof(sink)) > 0) {
            /* every query is read, none answered */
        }
        break;
    }
    close(fd);
    return NULL;
}

static void test_migrate_gives_up_on_a_server_that_never_answers(void **state)
{
    (void)state;
    int listener = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(listener >= 0);
    struct sockaddr_in addr = {0};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t addr_len = sizeof(addr);
    assert_int_equal(bind(listener, (struct sockaddr *)&addr, sizeof(addr)), 0);
    assert_int_equal(listen(listener, 1), 0);
    assert_int_equal(getsockname(listener, (struct sockaddr *)&addr, &addr_len), 0);
    pthread_t server;
    assert_int_equal(pthread_create(&server, NULL, silent_server, &listener), 0);
    char conninfo[256];
    snprintf(conninfo, sizeof(conninfo),
             "host=127.0.0.1 port=%d user=rf dbname=rf sslmode=disable gssencmode=disable "
             "connect_timeout=10",
             ntohs(addr.sin_port));
    PGconn *conn = PQconnectdb(conninfo);
    assert_int_equal(PQstatus(conn), CONNECTION_OK);
    char sqlstate[6] = "x", errstr[256] = "";
    assert_int_equal(migrate_apply(conn, 300, sqlstate, errstr, sizeof(errstr)), -1);
    assert_string_equal(sqlstate, ""); /* no answer: the connection is dropped and tried again */
    assert_non_null(strstr(errstr, "lock_timeout: PostgreSQL did not answer within 300 ms"));
    assert_int_equal(db_conn_classify_state(sqlstate[0] ? sqlstate : NULL), DB_RETRY);
    PQfinish(conn);
    assert_int_equal(pthread_join(server, NULL), 0);
    close(listener);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_db_conn_adds_timeouts_and_keepalives),
        cmocka_unit_test(test_db_conn_user_settings_win),
        cmocka_unit_test(test_db_conn_environment_wins_over_defaults),
        cmocka_unit_test(test_db_conn_size_failures_are_their_own_class),
        cmocka_unit_test(test_migrate_gives_up_on_a_server_that_never_answers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
