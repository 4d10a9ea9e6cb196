/*
 * bench_extract.c - single-core extraction throughput: the whole
 * bytes-to-envelope path (decode, normalise, outline, fields, citations,
 * quantities, metrics, JSON serialisation) over the given reports, repeated
 * for a fixed time. The baseline, run in the same go, is decode + normalise
 * only, so the ratio shows what the extraction itself costs.
 * usage: bench_extract RULES SECONDS FILE...
 *
 * With --per-file, each file is timed on its own under the worker's envelope
 * limit (no time limit, so the real cost shows): seconds per extraction, MB/s
 * and the verdict, then for every NAME-1m.txt with a NAME-4m.txt beside it the
 * time ratio, which is about 4 when the work is linear in the size.
 * usage: bench_extract --per-file RULES SECONDS_PER_FILE FILE...
 */
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "extractor.h"
#include "reportflow/clock.h"
#include "reportflow/fs.h"
#include "text.h"

struct input {
    char *data;
    size_t len;
};

static void extract_once(struct extractor *ex, const struct input *in)
{
    struct envelope env;
    const char *reason = NULL;
    char errstr[256];
    if (extractor_run_limited(ex, in->data, in->len, NULL, NULL, &env, &reason, errstr,
                              sizeof(errstr)) == EXTRACT_OK) {
        extractor_envelope_release(&env);
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
    do { /* at least one round: SECONDS 0 is one extraction per file, for callgrind */
        for (size_t i = 0; i < n; i++) {
            fn(ex, &inputs[i]);
            bytes += (double)inputs[i].len;
            docs++;
        }
    } while (rf_clock_mono_ms() < deadline);
    double elapsed = (rf_clock_mono_ms() - start) / 1000.0;
    *docs_per_s = docs / elapsed;
    return bytes / elapsed;
}

/* The worker's default envelope limit (worker.max_envelope_bytes). */
#define BENCH_MAX_ENVELOPE_BYTES 8388608

struct timing {
    const char *name; /* file name without folders (borrowed from argv) */
    size_t bytes;
    double seconds; /* per extraction */
    const char *verdict;
    size_t envelope_bytes; /* compact JSON, as the worker sends it; 0 without an envelope */
};

static const char *verdict_name(enum extract_status st, const char *reason)
{
    return st == EXTRACT_OK ? "envelope" : reason ? reason : "out-of-memory";
}

/*
 * Extract @p in repeatedly for about @p seconds (at least once); @returns seconds per run, with
 * the verdict and the envelope's compact size.
 */
static double time_one(struct extractor *ex, const struct input *in, double seconds,
                       const char **verdict, size_t *envelope_bytes)
{
    const struct extract_limits limits = {0, BENCH_MAX_ENVELOPE_BYTES, NULL, 0, false};
    int64_t start = rf_clock_mono_ms(), deadline = start + (int64_t)(seconds * 1000);
    size_t runs = 0;
    do {
        struct envelope env;
        const char *reason = NULL;
        char errstr[256];
        enum extract_status st = extractor_run_limited(ex, in->data, in->len, NULL, &limits, &env,
                                                       &reason, errstr, sizeof(errstr));
        *envelope_bytes = 0;
        if (st == EXTRACT_OK) {
            *envelope_bytes = env.len;
            extractor_envelope_release(&env);
        }
        *verdict = verdict_name(st, reason);
        runs++;
    } while (rf_clock_mono_ms() < deadline);
    return (rf_clock_mono_ms() - start) / 1000.0 / (double)runs;
}

/* The time ratio of NAME-4m.txt to NAME-1m.txt, for every such pair. */
static void print_ratios(const struct timing *t, size_t n)
{
    printf("  %-24s %10s %10s %8s  (linear: about 4)\n", "shape", "1 MB s", "4 MB s", "ratio");
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(t[i].name);
        if (len < 7 || strcmp(t[i].name + len - 7, "-1m.txt") != 0) {
            continue;
        }
        for (size_t k = 0; k < n; k++) {
            if (strlen(t[k].name) == len && strncmp(t[k].name, t[i].name, len - 7) == 0 &&
                strcmp(t[k].name + len - 7, "-4m.txt") == 0) {
                printf("  %-24.*s %10.3f %10.3f %8.2f\n", (int)(len - 7), t[i].name, t[i].seconds,
                       t[k].seconds, t[k].seconds / t[i].seconds);
            }
        }
    }
}

static int per_file(struct catalogue *rules, double seconds, char **paths, size_t n)
{
    struct extractor ex;
    struct timing *t = calloc(n, sizeof(*t));
    if (!t || extractor_init(&ex, rules) != 0) {
        fprintf(stderr, "bench: out of memory\n");
        free(t);
        return 2;
    }
    printf("extraction per file, one core, envelope limit %d bytes, no time limit\n",
           BENCH_MAX_ENVELOPE_BYTES);
    /* env/in: envelope bytes per input byte, what Kafka, the sink and PostgreSQL move for it */
    printf("  %-28s %10s %10s %9s %7s  %s\n", "file", "bytes", "s/run", "MB/s", "env/in",
           "verdict");
    for (size_t i = 0; i < n; i++) {
        struct input in;
        char errstr[1024];
        if (rf_fs_read_file(paths[i], 64u << 20, &in.data, &in.len, errstr, sizeof(errstr)) !=
            RF_READ_OK) {
            fprintf(stderr, "bench: %s\n", errstr);
            continue;
        }
        t[i].name = basename(paths[i]);
        t[i].bytes = in.len;
        t[i].seconds = time_one(&ex, &in, seconds, &t[i].verdict, &t[i].envelope_bytes);
        printf("  %-28s %10zu %10.4f %9.2f %7.2f  %s\n", t[i].name, in.len, t[i].seconds,
               t[i].seconds > 0 ? in.len / 1e6 / t[i].seconds : 0.0,
               in.len ? (double)t[i].envelope_bytes / (double)in.len : 0.0, t[i].verdict);
        fflush(stdout);
        free(in.data);
    }
    print_ratios(t, n);
    extractor_release(&ex);
    free(t);
    return 0;
}

int main(int argc, char **argv)
{
    bool files_alone = argc > 1 && strcmp(argv[1], "--per-file") == 0;
    if (files_alone) {
        argv++;
        argc--;
    }
    if (argc < 4) {
        fprintf(stderr, "usage: bench_extract [--per-file] RULES SECONDS FILE...\n");
        return 2;
    }
    char errstr[1024];
    struct catalogue *rules = catalogue_load(argv[1], errstr, sizeof(errstr));
    if (!rules) {
        fprintf(stderr, "bench: %s\n", errstr);
        return 2;
    }
    double seconds = atof(argv[2]);
    size_t n = (size_t)(argc - 3);
    if (files_alone) {
        int rc = per_file(rules, seconds, argv + 3, n);
        catalogue_free(rules);
        return rc;
    }
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
    double base =
        getenv("RF_BENCH_ONLY_FULL") ? full : run(decode_once, &ex, inputs, n, seconds, &docs_base);
    printf("extraction benchmark: %zu report(s), %.1f KB, %.0f s per run, one core\n", n,
           total / 1024, seconds);
    printf("  full extraction     %8.2f MB/s  %9.1f reports/s\n", full / 1e6, docs_full);
    printf("  baseline (decode)   %8.2f MB/s  %9.1f reports/s\n", base / 1e6, docs_base);
    printf("  ratio full/baseline %8.3f\n", full / base);
    printf("  target: >= 15 MB/s per core (issue 22): %s\n", full / 1e6 >= 15 ? "met" : "NOT met");
    extractor_release(&ex);
    for (size_t i = 0; i < n; i++) {
        free(inputs[i].data);
    }
    free(inputs);
    catalogue_free(rules);
    return 0;
}
