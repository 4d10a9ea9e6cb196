/*
 * ocrtext.h - the text tesseract reads off a page of Chinese, made like typed
 * text so the rules read it as they read a PDF's text layer. Tesseract spaces
 * out groups of glyphs (指导 , 深入; 2024 年; 1 .坚持; 1. 6万) and reads full-width
 * punctuation as ASCII (,:;() and a closing quote as "): spaces next to a
 * non-ASCII character, before closing punctuation or inside a number go, and ASCII punctuation
 * next to a Chinese character takes its full-width form, as does the 〔2024〕
 * of a document number, read as [2024]. Latin words keep their spaces.
 * Linear in the text's size.
 */
#ifndef RF_OCRTEXT_H
#define RF_OCRTEXT_H

#include <stddef.h>

/**
 * @p len bytes of tesseract's UTF-8 output as typed text. @returns a new
 * NUL-terminated string (at most 3 * @p len bytes) and its length in
 * @p out_len (caller frees), or NULL on ENOMEM.
 */
char *ocrtext_clean(const char *s, size_t len, size_t *out_len);

#endif
