/*
 * bench_extract.c - single-core extraction throughput: the whole
 * bytes-to-envelope path (decode, normalise, outline, fields, citations,
 * quantities, metrics, JSON serialisation) over the given reports, repeated
 * for a fixed time. The baseline, run in the same go, is decode + normalise
 * only, so the ratio shows what the extraction itself costs.
 * usage: bench_extract RULES SECONDS FILE...
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "extract.h"
#include "reportflow/fsutil.h"
#include "text.h"

struct input {
    char *data;
    size_t len;
};

static void extract_once(struct extractor *ex, const struct input *in)
{
    json_t *env = NULL;
    const char *reason = NULL;
    char errstr[256];
    if (extractor_run(ex, in->data, in->len, NULL, &env, &reason, errstr, sizeof(errstr)) ==
        EXTRACT_OK) {
        char *text = json_dumps(env, JSON_COMPACT);
        free(text);
        json_decref(env);
    }
}

static void decode_once(struct extractor *ex, const struct input *in)
{
    (void)ex;
    struct decoded d;
    struct text t;
    if (decode_report(in->data, in->len, &d) == DECODE_OK) {
        if (text_init(&t, d.text, d.len) == 0) {
            text_release(&t);
        }
        decode_release(&d);
    }
}

/* Run @p fn over the inputs round-robin for @p seconds; @returns bytes/s and sets *docs_per_s. */
static double run(void (*fn)(struct extractor *, const struct input *), struct extractor *ex,
                  const struct input *inputs, size_t n, double seconds, double *docs_per_s)
{
    int64_t start = rf_clock_mono_ms(), deadline = start + (int64_t)(seconds * 1000);
    size_t docs = 0;
    double bytes = 0;
    while (rf_clock_mono_ms() < deadline) {
        for (size_t i = 0; i < n; i++) {
            fn(ex, &inputs[i]);
            bytes += (double)inputs[i].len;
            docs++;
        }
    }
    double elapsed = (rf_clock_mono_ms() - start) / 1000.0;
    *docs_per_s = docs / elapsed;
    return bytes / elapsed;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: bench_extract RULES SECONDS FILE...\n");
        return 2;
    }
    char errstr[1024];
    struct rules *rules = rules_load(argv[1], errstr, sizeof(errstr));
    if (!rules) {
        fprintf(stderr, "bench: %s\n", errstr);
        return 2;
    }
    double seconds = atof(argv[2]);
    size_t n = (size_t)(argc - 3);
    struct input *inputs = calloc(n, sizeof(*inputs));
    double total = 0;
    for (size_t i = 0; i < n; i++) {
        if (rf_fs_read_file(argv[3 + i], 64u << 20, &inputs[i].data, &inputs[i].len, errstr,
                            sizeof(errstr)) != RF_READ_OK) {
            fprintf(stderr, "bench: %s\n", errstr);
            return 2;
        }
        total += (double)inputs[i].len;
    }
    struct extractor ex;
    extractor_init(&ex, rules);
    double docs_full, docs_base = 0;
    double full = run(extract_once, &ex, inputs, n, seconds, &docs_full);
    /* RF_BENCH_ONLY_FULL=1 skips the baseline, for profiling the extraction alone */
    double base = getenv("RF_BENCH_ONLY_FULL") ? full
                                                : run(decode_once, &ex, inputs, n, seconds, &docs_base);
    printf("extraction benchmark: %zu report(s), %.1f KB, %.0f s per run, one core\n", n,
           total / 1024, seconds);
    printf("  full extraction     %8.2f MB/s  %9.1f reports/s\n", full / 1e6, docs_full);
    printf("  baseline (decode)   %8.2f MB/s  %9.1f reports/s\n", base / 1e6, docs_base);
    printf("  ratio full/baseline %8.3f\n", full / base);
    printf("  target: >= 10 MB/s per core: %s\n", full / 1e6 >= 10 ? "met" : "NOT met");
    extractor_release(&ex);
    for (size_t i = 0; i < n; i++) {
        free(inputs[i].data);
    }
    free(inputs);
    rules_free(rules);
    return 0;
}
