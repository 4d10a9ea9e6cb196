/*
 * officetext.h - the text of a DOCX (OOXML, as Word and WPS write it) or an ODT,
 * read natively: the document part of the ZIP (word/document.xml, content.xml)
 * is inflated as a stream into libxml2's streaming reader, and its paragraphs are
 * written as lines of UTF-8 text, its tables as rows "| a | b |". No converter
 * starts, so a document costs milliseconds instead of LibreOffice's second.
 *
 * Hostile input costs bounded work: the XML read is capped in bytes whatever the
 * ZIP claims, the text written is capped, elements nest to a fixed depth, no DTD
 * is read, no entity is expanded, nothing is fetched, and every failure comes back
 * as a result and a reason, never as a crash. reportflow-officetext runs this in
 * the worker's limited child (extract/convert.c).
 */
#ifndef RF_OFFICETEXT_H
#define RF_OFFICETEXT_H

#include <stddef.h>
#include <stdio.h>

#define OFFICETEXT_MAX_XML_BYTES (256u << 20) /* inflated XML read from the document part */
#define OFFICETEXT_MAX_OUTPUT                                                                      \
    (64u << 20)                    /* text written, as childproc.h's CHILDPROC_MAX_FILE_BYTES */
#define OFFICETEXT_MAX_DEPTH 128   /* element nesting; Word's own stays under 40 */
#define OFFICETEXT_MAX_REPEAT 64   /* ODT's repeated cells and rows honoured up to */
#define OFFICETEXT_MAX_SPACES 1024 /* ODT's <text:s text:c="N"/> honoured up to */

enum officetext_result {
    OFFICETEXT_OK = 0,
    OFFICETEXT_UNREADABLE,   /* the file cannot be opened or read */
    OFFICETEXT_BAD_ZIP,      /* not a ZIP, or a damaged one: cut short, a bad CRC, encrypted */
    OFFICETEXT_NO_DOCUMENT,  /* a ZIP, but neither a DOCX nor an ODF text document */
    OFFICETEXT_BAD_XML,      /* not well-formed, a DTD, or nested past OFFICETEXT_MAX_DEPTH */
    OFFICETEXT_TOO_LARGE,    /* more XML than max_xml_bytes, or more text than max_output_bytes */
    OFFICETEXT_WRITE_FAILED, /* the output refused the text */
    OFFICETEXT_NOMEM,
};

/* What one conversion may cost; officetext_convert() uses the OFFICETEXT_MAX_* values. */
struct officetext_limits {
    size_t max_xml_bytes;    /* inflated bytes read from the document part */
    size_t max_output_bytes; /* bytes of text written to the output */
};

/**
 * Write the text of the DOCX or ODT at @p path to @p out (the caller's, left open):
 * one line per paragraph (headings and list items are paragraphs; a DOCX list paragraph's
 * generated number, "一、", starts its line: numbering.h), a tab for a tab, a
 * line break where the document breaks a line; one line per table row, "| a | b |",
 * a cell's paragraphs joined by a space and '|' in a cell written as U+FF5C. Deleted
 * text, field codes, headers, footers, notes and comments are left out. On failure
 * @p errstr says why ("word/document.xml: XML error at line 3: ...") and @p out may
 * hold part of the text, which the caller throws away.
 */
enum officetext_result officetext_convert(const char *path, FILE *out, char *errstr,
                                          size_t errstr_size);

/** officetext_convert() within @p limits instead of the default ones. */
enum officetext_result officetext_convert_limited(const char *path, FILE *out,
                                                  const struct officetext_limits *limits,
                                                  char *errstr, size_t errstr_size);

/** A result as a short code for logs and dead letters: "ok", "bad-zip", "too-large", ... */
const char *officetext_result_code(enum officetext_result r);

#endif
