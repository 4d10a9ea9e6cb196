/* test_sha256.c - SHA-256 against the FIPS 180-4 example vectors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "reportflow/sha256.h"

static void test_sha256_empty(void **state)
{
    (void)state;
    char hex[65];
    rf_sha256_hex("", 0, 0, hex);
    assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

static void test_sha256_abc(void **state)
{
    (void)state;
    char hex[65];
    rf_sha256_hex("abc", 3, 0, hex);
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

static void test_sha256_two_blocks(void **state)
{
    (void)state;
    const char *msg = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    char hex[65];
    rf_sha256_hex(msg, strlen(msg), 0, hex);
    assert_string_equal(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

static void test_sha256_incremental_equals_one_shot(void **state)
{
    (void)state;
    char data[1000];
    for (size_t i = 0; i < sizeof(data); i++) {
        data[i] = (char)(i * 7);
    }
    struct rf_sha256 ctx;
    uint8_t a[32], b[32];
    rf_sha256_init(&ctx, rf_sha256_hw_available());
    for (size_t i = 0; i < sizeof(data); i += 33) {
        rf_sha256_update(&ctx, data + i, sizeof(data) - i < 33 ? sizeof(data) - i : 33);
    }
    rf_sha256_final(&ctx, a);
    rf_sha256_init(&ctx, 0);
    rf_sha256_update(&ctx, data, sizeof(data));
    rf_sha256_final(&ctx, b);
    assert_memory_equal(a, b, 32);
}

/* The SHA-NI path and the portable one agree on every length around block edges. */
static void test_sha256_hardware_matches_portable(void **state)
{
    (void)state;
    if (!rf_sha256_hw_available()) {
        skip();
    }
    uint8_t data[300];
    for (size_t i = 0; i < sizeof(data); i++) {
        data[i] = (uint8_t)(i * 131 + 7);
    }
    for (size_t len = 0; len <= sizeof(data); len++) {
        struct rf_sha256 hw, sw;
        uint8_t a[32], b[32];
        rf_sha256_init(&hw, 1);
        rf_sha256_init(&sw, 0);
        rf_sha256_update(&hw, data, len);
        rf_sha256_update(&sw, data, len);
        rf_sha256_final(&hw, a);
        rf_sha256_final(&sw, b);
        assert_memory_equal(a, b, 32);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sha256_empty),
        cmocka_unit_test(test_sha256_abc),
        cmocka_unit_test(test_sha256_two_blocks),
        cmocka_unit_test(test_sha256_incremental_equals_one_shot),
        cmocka_unit_test(test_sha256_hardware_matches_portable),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
