/*
 * convert.h - a document (PDF, DOCX, ODT, DOC/WPS, RTF) to text, by a converter
 * run as a child process with limits: Poppler's pdftotext for PDF; our own
 * reportflow-officetext for DOCX and ODT (a millisecond where LibreOffice takes a
 * second; LibreOffice again for what it cannot read); LibreOffice (headless) for
 * DOC, WPS and RTF, written as XHTML so that tables keep their rows. Each runs
 * as a limited child (childproc.h: its own group and folder, no network, a
 * seccomp filter, limits, a deadline). A malformed or hostile document
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

#define CONVERT_DEFAULT_MS 120000 /* LibreOffice's start alone takes a second */
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
    CONVERT_TOO_LARGE,   /* its output passed CHILDPROC_MAX_FILE_BYTES, or its scans the time */
    CONVERT_UNAVAILABLE, /* no converter for the format is installed */
    CONVERT_STOPPED,     /* the caller asked to stop: the child was killed */
    CONVERT_NOMEM,
    CONVERT_HOST, /* the worker's host could not run a converter (its folder, a process, the
                     document's copy: a full /tmp, a process limit): no verdict on the document */
};

struct convert_request {
    long long max_ms;             /* wall clock for the whole document (0: CONVERT_DEFAULT_MS) */
    bool ocr;                     /* read scanned PDF pages by OCR, when tesseract is installed */
    bool (*stop_requested)(void); /* polled while a child runs; may be NULL */
};

/* The converters: pdftotext, LibreOffice, reportflow-officetext (convert_tool()). */
#define CONVERT_TOOLS 3

struct converted {
    char *bytes; /* the converter's output, NUL-terminated */
    size_t len;
    bool html;               /* XHTML (LibreOffice) */
    bool paged;              /* a PDF's text, pages ended by form feeds: pdftext.h reflows it */
    int pages;               /* PDF: its pages, their texts separated by form feeds; 0: unknown */
    unsigned char *page_ocr; /* PDF: per page, 1 when its text was read by OCR; NULL if none was */
    int ocr_pages;           /* pages read by OCR */
    int scanned_pages;       /* pages with no text layer left unread (OCR off or not installed) */
    size_t tool;             /* the converter that made it (convert_version() names it) */
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

/** The converter tried first for format @p f (DOCX and ODT: ours, then LibreOffice). */
size_t convert_tool(enum docformat f);

/**
 * Converter @p tool (below CONVERT_TOOLS) with its version ("pdftotext 22.12.0", "libreoffice
 * 7.4.7.2"), asked of the tool in a limited child; its name alone when it does not say.
 */
void convert_version(size_t tool, char *out, size_t out_size);

/** The DLQ code of a result: "convert-failed", "convert-timeout", ... */
const char *convert_result_code(enum convert_result r);

#endif
