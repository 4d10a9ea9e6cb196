/*
 * convert.h - a document (PDF, DOCX, ODT, DOC/WPS, RTF) to text, by a converter
 * from Debian run as a child process with limits: Poppler's pdftotext for PDF,
 * LibreOffice (headless) for the word processors' formats, which it writes as
 * XHTML so that tables keep their rows. The child gets its own process group,
 * a private temporary folder as its only working place and home, no network
 * when the kernel lets it have a namespace of its own, and limits on CPU time,
 * address space, file size and open files; the parent gives it a wall-clock
 * deadline and kills its whole group past it. A malformed or hostile document
 * costs at most the limits and comes back as a reason, never as a crash.
 */
#ifndef RF_CONVERT_H
#define RF_CONVERT_H

#include <stdbool.h>
#include <stddef.h>

#include "docformat.h"

#define CONVERT_DEFAULT_MS 120000          /* LibreOffice's start alone takes a second */
#define CONVERT_ADDRESS_SPACE (4ull << 30) /* LibreOffice maps much it never touches */
#define CONVERT_MAX_OUTPUT (64u << 20)     /* text (or XHTML) written by the converter */
#define CONVERT_MAX_FILES 256              /* open files of the child */

enum convert_result {
    CONVERT_OK = 0,
    CONVERT_FAILED,      /* the converter refused the document: errstr says what it said */
    CONVERT_TIMEOUT,     /* past the deadline or its CPU time */
    CONVERT_TOO_LARGE,   /* its output passed CONVERT_MAX_OUTPUT */
    CONVERT_UNAVAILABLE, /* no converter for the format is installed */
    CONVERT_STOPPED,     /* the caller asked to stop: the child was killed */
    CONVERT_NOMEM,
};

struct converted {
    char *bytes; /* the converter's output, NUL-terminated (caller frees) */
    size_t len;
    bool html; /* XHTML (the office formats), else plain text (PDF) */
    int pages; /* PDF: form feeds + 1; 0 when unknown */
};

/**
 * Convert @p len bytes of format @p f within @p max_ms of wall-clock time (0:
 * CONVERT_DEFAULT_MS), polling @p stop_requested (may be NULL) while it waits. On CONVERT_OK fills
 * @p out; otherwise @p errstr says why (the converter's first line of errors, the limit passed). @p
 * converter gets the tool's name ("pdftotext", "libreoffice") in any case.
 */
enum convert_result convert_document(enum docformat f, const char *bytes, size_t len,
                                     long long max_ms, bool (*stop_requested)(void),
                                     struct converted *out, const char **converter, char *errstr,
                                     size_t errstr_size);

/**
 * The converter of format @p f with its version ("pdftotext 22.12.0", "libreoffice
 * 7.4.7.2"), asked of the tool in a limited child; its name alone when it does not say.
 */
void convert_version(enum docformat f, char *out, size_t out_size);

/** The DLQ code of a result: "convert-failed", "convert-timeout", ... */
const char *convert_result_code(enum convert_result r);

#endif
