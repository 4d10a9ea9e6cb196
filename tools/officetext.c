/*
 * officetext.c - reportflow-officetext IN OUT: the text of the DOCX or ODT IN written to
 * OUT (extract/officetext.h), one line per paragraph and one per table row. The worker
 * runs it as a limited child in place of LibreOffice for these two formats: it starts in
 * a millisecond, as it loads nothing but libzip and libxml2.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "officetext.h"

static const char usage[] =
    "usage: reportflow-officetext IN OUT\n"
    "Writes the text of the DOCX or ODT IN to OUT (- for stdout): one line per paragraph,\n"
    "one line \"| a | b |\" per table row. Exit status: 0 written; 1 the document could not\n"
    "be read, its reason on stderr and OUT removed; 2 usage; 3 the document passed a size\n"
    "limit (its XML or its text), as 1 otherwise.\n";

/* the exit status of a document past a limit: the worker calls it convert-too-large */
#define EXIT_TOO_LARGE 3

static int failed(enum officetext_result r, const char *why)
{
    fprintf(stderr, "reportflow-officetext: %s: %s\n", officetext_result_code(r), why);
    return r == OFFICETEXT_TOO_LARGE ? EXIT_TOO_LARGE : 1;
}

/* Whether @p out is a regular file: only such a file is removed after a failure, never a
   device or a pipe it was asked to write to (/dev/full, /dev/stdout). */
static bool is_regular_file(FILE *out)
{
    struct stat st;
    return fstat(fileno(out), &st) == 0 && S_ISREG(st.st_mode);
}

/* Convert @p in into @p out_path; a failure leaves no part of a text behind. */
static int convert(const char *in, const char *out_path)
{
    bool to_stdout = strcmp(out_path, "-") == 0;
    FILE *out = to_stdout ? stdout : fopen(out_path, "w");
    if (!out) {
        char why[512];
        snprintf(why, sizeof(why), "cannot create %s: %s", out_path, strerror(errno));
        return failed(OFFICETEXT_WRITE_FAILED, why);
    }
    bool removable = !to_stdout && is_regular_file(out);
    char why[512] = "";
    enum officetext_result r = officetext_convert(in, out, why, sizeof(why));
    if (!to_stdout && fclose(out) != 0 && r == OFFICETEXT_OK) {
        r = OFFICETEXT_WRITE_FAILED;
        snprintf(why, sizeof(why), "cannot write %s: %s", out_path, strerror(errno));
    }
    if (r != OFFICETEXT_OK) {
        if (removable) {
            remove(out_path);
        }
        return failed(r, why);
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "--version") == 0) {
        printf("reportflow-officetext %s\n", RF_VERSION);
        return 0;
    }
    if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        fputs(usage, stdout);
        return 0;
    }
    if (argc != 3) {
        fputs(usage, stderr);
        return 2;
    }
    return convert(argv[1], argv[2]);
}
