/*
 * fuzz_extract.c - libFuzzer target over decode + extract: any bytes must give
 * an envelope or a rejection, never a crash, a leak or undefined behaviour.
 * Built and run by tests/integration/9001-fuzz-extract.sh (clang, ASan, UBSan).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "extractor.h"
#include "rules.h"

/* libFuzzer's entry points take no context: the rule set is loaded once per process. */
static struct catalogue *fuzz_rules;
static struct extractor fuzz_extractor;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    char errstr[1024];
    const char *path = getenv("RF_FUZZ_RULES");
    fuzz_rules = catalogue_load(path ? path : "config/rules", errstr, sizeof(errstr));
    if (!fuzz_rules || extractor_init(&fuzz_extractor, fuzz_rules) != 0) {
        fprintf(stderr, "fuzz: %s\n", errstr);
        abort();
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *env = NULL;
    const char *reason = NULL;
    char errstr[256];
    enum extract_status st = extractor_run(&fuzz_extractor, (const char *)data, size, NULL, &env,
                                           &reason, errstr, sizeof(errstr));
    if (st == EXTRACT_OK) {
        char *text = json_dumps(env, JSON_COMPACT);
        if (!text) {
            abort(); /* an envelope that cannot be serialised is a bug */
        }
        free(text);
        json_decref(env);
    }
    return 0;
}
