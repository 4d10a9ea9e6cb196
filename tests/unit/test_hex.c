/* test_hex.c - hexadecimal digits read and written. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "reportflow/hex.h"

static void test_hex_value_of_every_byte(void **state)
{
    (void)state;
    for (int c = 0; c < 256; c++) {
        int want = c >= '0' && c <= '9'   ? c - '0'
                   : c >= 'a' && c <= 'f' ? c - 'a' + 10
                   : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                          : -1;
        assert_int_equal(rf_hex_value((char)c), want);
    }
}

static void test_hex_encode_lowercase_pairs(void **state)
{
    (void)state;
    const unsigned char bytes[] = {0x00, 0x0f, 0xab, 0xff};
    char out[9];
    memset(out, 'x', sizeof(out));
    rf_hex_encode(bytes, sizeof(bytes), out);
    assert_memory_equal(out, "000fabff", 8);
    assert_int_equal(out[8], 'x'); /* no NUL written */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hex_value_of_every_byte),
        cmocka_unit_test(test_hex_encode_lowercase_pairs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
