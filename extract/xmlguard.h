/*
 * xmlguard.h - a lexical pass over XML bytes before libxml2 parses them, refusing what
 * would make libxml2 2.9 slow beyond the size of its input: its check for duplicate
 * attributes compares every pair of an element's attributes, and it finds a prefix's
 * namespace by walking every declaration in scope. So the guard counts, as the bytes go
 * by, the attributes of each start tag, the namespace declarations in scope, and the
 * nesting, and refuses a NUL byte (no XML in UTF-8 or another ASCII-based encoding has
 * one, so UTF-16 and UTF-32 are refused too: their bytes would hide tags from the guard).
 * Comments, CDATA sections, processing instructions and quoted values are skipped as the
 * parser skips them, so nothing can hide a tag from the count. One state machine step per
 * byte, no allocation.
 */
#ifndef RF_XMLGUARD_H
#define RF_XMLGUARD_H

#include <stdbool.h>
#include <stddef.h>

#define XMLGUARD_MAX_DEPTH 256 /* libxml2's own limit without XML_PARSE_HUGE */

/* The guard's state between chunks; its fields are this module's. */
struct xmlguard {
    int state;
    char quote;          /* the quote that opened the value being skipped */
    unsigned marks;      /* '-' or ']' or '?' just seen, toward an end of a skipped run */
    char name[6];        /* the attribute name's start, to tell an xmlns declaration */
    size_t name_len;     /* bytes of it seen (may pass sizeof(name)) */
    bool name_done;      /* white space ended the name: the next name byte starts one */
    int last_in_tag;     /* the previous unquoted byte of the tag ('/' before '>': empty) */
    unsigned attributes; /* of the start tag being read */
    unsigned declared;   /* namespace declarations of the start tag being read */
    unsigned in_scope;   /* declarations of the open elements */
    unsigned depth;      /* open elements: the depth of the next one */
    unsigned max_attributes, max_in_scope, max_depth;
    unsigned short declared_at[XMLGUARD_MAX_DEPTH + 1]; /* each open element's declarations */
    char why[96];                                       /* the reason, once refused */
};

/**
 * Start a guard: at most @p max_attributes attributes a start tag, @p max_in_scope
 * namespace declarations in scope, elements at most @p max_depth deep (the root at depth 0;
 * at most XMLGUARD_MAX_DEPTH).
 */
void xmlguard_init(struct xmlguard *g, unsigned max_attributes, unsigned max_in_scope,
                   unsigned max_depth);

/**
 * Pass the next @p n bytes of the document. @returns NULL, or the reason they are refused
 * ("an element with more than 256 attributes"); once refused, refused for good.
 */
const char *xmlguard_scan(struct xmlguard *g, const char *bytes, size_t n);

#endif
