/* html.h - a web page to plain text: tags, scripts and styles removed, entities decoded. */
#ifndef RF_HTML_H
#define RF_HTML_H

#include <stddef.h>

/**
 * Strip markup from UTF-8 @p html. Block elements (p, div, br, li, tr, h1-h6,
 * ...) become line breaks; other white space collapses as a browser would.
 * @returns a malloc'd NUL-terminated string (caller frees) and its length in
 * @p out_len, or NULL on ENOMEM.
 */
char *html_to_text(const char *html, size_t len, size_t *out_len);

#endif
