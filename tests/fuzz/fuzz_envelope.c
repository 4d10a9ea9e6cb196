/*
 * fuzz_envelope.c - libFuzzer target over the sink's reading of an envelope (sink/jsontok.c,
 * sink/rows.c): any bytes must be refused with a reason, or checked and turned into rows,
 * never a crash, a leak or undefined behaviour, and in time linear in their size. The
 * reading is also held to jansson's, which the sink used before: the same texts are JSON
 * objects for both, save the limits jsontok.h states (nesting, a number's length) and a NUL
 * byte, which jansson takes after a number and the reader refuses anywhere (RFC 8259).
 * Built and run by tests/integration/9001-fuzz-extract.sh (clang, ASan, UBSan).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "rows.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A refusal jansson would not make: the limits jsontok.h states. */
static bool own_limit(const char *why)
{
    return strstr(why, "nested deeper than") || strstr(why, "longer than 128 bytes");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    struct rows_env env = {0};
    char why[256] = "";
    int rc = rows_env_read(&env, text, size, why, sizeof(why));
    json_error_t err;
    json_t *theirs = json_loadb(text, size, 0, &err);
    bool object = theirs && json_is_object(theirs);
    json_decref(theirs);
    /* a NUL byte is JSON nowhere; jansson takes one right after a number for its end */
    bool nul = memchr(data, 0, size) != NULL;
    if (rc == -2 || (nul ? rc == 0 : (rc == 0) != object)) {
        if (!(rc == -1 && object && own_limit(why))) {
            abort(); /* jsontok and jansson disagree on these bytes */
        }
    }
    for (int version = 1; rc == 0 && version <= 2; version++) {
        if (rows_check(&env, version, why, sizeof(why)) != 0) {
            continue;
        }
        struct rows rows = ROWS_INIT;
        struct rows_doc at;
        static const char id[] = "0000000000000000000000000000000000000000000000000000000000000000";
        if (rows_add(&rows, &env, id, "0123456789abcdef", &at) != 0) {
            abort(); /* out of memory on a small input is a bug */
        }
        rows_release(&rows);
    }
    rows_env_release(&env);
    return 0;
}
