/*
 * convert.h - a document (PDF, DOCX, ODT, DOC/WPS, RTF) to text, by a converter
 * from Debian run as a child process with limits: Poppler's pdftotext for PDF,
 * LibreOffice (headless) for the word processors' formats, which it writes as
 * XHTML so that tables keep their rows. The child gets its own process group,
 * a private temporary folder as its only working place and home, no network
 * when the kernel lets it have a namespace of its own, and limits on CPU time,
 * address space, file size and open files; the parent gives it a wall-clock
 * deadline and kills its whole group past it; a seccomp filter (sandbox.h) takes
 * from it the system calls an exploit would want. A malformed or hostile document
 * costs at most the limits and comes back as a reason, never as a crash.
 *
 * A PDF page without a text layer (a scan) is read by OCR: Poppler's pdftoppm
 * renders it, tesseract (chi_sim) reads it, each in the same kind of child,
 * all within the document's one deadline.
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
/* a page with fewer Chinese characters in its text layer is a scan (a page number or a
   scanner app's stamp may be all it has) */
#define CONVERT_SCAN_MAX_HAN 10
/* rendered for OCR with its long side this many pixels (A4 at 300 dpi), whatever the page's
   size says: a page of 5 m by 5 m costs what an A4 page costs */
#define CONVERT_OCR_PIXELS 3508
/* no page is read faster than this (7 s on this project's machine): more pages than the
   deadline can hold at this pace are refused at once */
#define CONVERT_OCR_MIN_MS_PER_PAGE 1000

enum convert_result {
    CONVERT_OK = 0,
    CONVERT_FAILED,      /* the converter refused the document: errstr says what it said */
    CONVERT_TIMEOUT,     /* past the deadline or its CPU time */
    CONVERT_TOO_LARGE,   /* its output passed CONVERT_MAX_OUTPUT */
    CONVERT_UNAVAILABLE, /* no converter for the format is installed */
    CONVERT_STOPPED,     /* the caller asked to stop: the child was killed */
    CONVERT_NOMEM,
};

struct convert_request {
    long long max_ms;             /* wall clock for the whole document (0: CONVERT_DEFAULT_MS) */
    bool ocr;                     /* read scanned PDF pages by OCR, when tesseract is installed */
    bool (*stop_requested)(void); /* polled while a child runs; may be NULL */
};

struct converted {
    char *bytes; /* the converter's output, NUL-terminated */
    size_t len;
    bool html;               /* XHTML (the office formats), else plain text (PDF) */
    int pages;               /* PDF: its pages, their texts separated by form feeds; 0: unknown */
    unsigned char *page_ocr; /* PDF: per page, 1 when its text was read by OCR; NULL if none was */
    int ocr_pages;           /* pages read by OCR */
    int scanned_pages;       /* pages with no text layer left unread (OCR off or not installed) */
};

/**
 * Convert @p len bytes of format @p f as @p req says. On CONVERT_OK fills @p out (released by
 * converted_release()); otherwise @p errstr says why (the converter's first line of errors, the
 * limit passed). @p converter gets the tool's name ("pdftotext", "libreoffice") in any case.
 */
enum convert_result convert_document(enum docformat f, const char *bytes, size_t len,
                                     const struct convert_request *req, struct converted *out,
                                     const char **converter, char *errstr, size_t errstr_size);

void converted_release(struct converted *c);

/** Whether scanned pages can be read here: pdftoppm and tesseract are installed. */
bool convert_ocr_available(void);

/**
 * The converter of format @p f with its version ("pdftotext 22.12.0", "libreoffice
 * 7.4.7.2"), asked of the tool in a limited child; its name alone when it does not say.
 */
void convert_version(enum docformat f, char *out, size_t out_size);

/** The DLQ code of a result: "convert-failed", "convert-timeout", ... */
const char *convert_result_code(enum convert_result r);

#endif
