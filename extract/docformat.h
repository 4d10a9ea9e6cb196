/*
 * docformat.h - what a report's bytes are, told by their content (magic bytes
 * and structure), never by the file name: plain text or HTML (decode.c reads
 * them), or a document that a converter must turn into text first (PDF, Word's
 * OOXML and OLE files, OpenDocument, RTF).
 */
#ifndef RF_DOCFORMAT_H
#define RF_DOCFORMAT_H

#include <stddef.h>

enum docformat {
    DOCFORMAT_TEXT = 0, /* text or HTML: decode.c */
    DOCFORMAT_PDF,
    DOCFORMAT_DOCX, /* Office Open XML word processing (Word, WPS Office) */
    DOCFORMAT_ODT,  /* OpenDocument text */
    DOCFORMAT_DOC,  /* an OLE compound file with a WordDocument stream (Word 97-2003, .wps) */
    DOCFORMAT_RTF,
    DOCFORMAT_OTHER, /* a container no converter reads: another ZIP, another OLE file */
};

/** The format of @p bytes (@p len of them). */
enum docformat docformat_detect(const char *bytes, size_t len);

/** Its media type ("application/pdf"; "text/plain" for DOCFORMAT_TEXT). */
const char *docformat_media_type(enum docformat f);

/** A short name for messages and files: "pdf", "docx", "text" ... */
const char *docformat_name(enum docformat f);

#endif
