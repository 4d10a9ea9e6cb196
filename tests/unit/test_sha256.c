/* test_sha256.c - SHA-256 against the FIPS 180-4 example vectors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "reportflow/sha256.h"

static void assert_sha256(const void *data, size_t len, const char *want)
{
    char hex[RF_SHA256_HEX_LEN + 1];
    assert_int_equal(rf_sha256_hex(data, len, hex), 0);
    assert_string_equal(hex, want);
}

static void test_sha256_empty(void **state)
{
    (void)state;
    assert_sha256("", 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    assert_sha256(NULL, 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

static void test_sha256_abc(void **state)
{
    (void)state;
    assert_sha256("abc", 3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

static void test_sha256_two_blocks(void **state)
{
    (void)state;
    const char *msg = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    assert_sha256(msg, strlen(msg),
                  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

static void test_sha256_896_bits(void **state)
{
    (void)state;
    const char *msg = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmno"
                      "ijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";
    assert_sha256(msg, strlen(msg),
                  "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
}

static void test_sha256_million_a(void **state)
{
    (void)state;
    size_t len = 1000000;
    char *a = malloc(len);
    assert_non_null(a);
    memset(a, 'a', len);
    assert_sha256(a, len, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    free(a);
}

/* Hashed in parts, the message hashes as the whole does. */
static void test_sha256_parts_equal_whole(void **state)
{
    (void)state;
    const char *msg = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    const struct rf_sha256_part parts[] = {{msg, 5}, {NULL, 0}, {msg + 5, strlen(msg) - 5}};
    char hex[RF_SHA256_HEX_LEN + 1];
    assert_int_equal(rf_sha256_hex_parts(parts, 3, hex), 0);
    assert_string_equal(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sha256_empty),      cmocka_unit_test(test_sha256_abc),
        cmocka_unit_test(test_sha256_two_blocks), cmocka_unit_test(test_sha256_896_bits),
        cmocka_unit_test(test_sha256_million_a),  cmocka_unit_test(test_sha256_parts_equal_whole),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
