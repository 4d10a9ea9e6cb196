/* xmlguard.c - XML bytes counted before libxml2 parses them: see xmlguard.h. */
#include "xmlguard.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

enum state {
    IN_TEXT,
    AFTER_LT,   /* "<" */
    AFTER_BANG, /* "<!" */
    AFTER_BANG_DASH,
    IN_COMMENT, /* to "-->" */
    IN_CDATA,   /* to "]]>" */
    IN_PI,      /* to "?>" */
    IN_DECL,    /* <!DOCTYPE ...>: the reader refuses it; the guard only passes it */
    IN_END_TAG,
    IN_TAG, /* a start tag: its name and attributes */
    IN_QUOTE,
    REFUSED,
};

void xmlguard_init(struct xmlguard *g, unsigned max_attributes, unsigned max_in_scope,
                   unsigned max_depth)
{
    *g = (struct xmlguard){
        .state = IN_TEXT,
        .max_attributes = max_attributes < 65535 ? max_attributes : 65535, /* declared_at */
        .max_in_scope = max_in_scope,
        .max_depth = max_depth < XMLGUARD_MAX_DEPTH ? max_depth : XMLGUARD_MAX_DEPTH,
    };
}

__attribute__((format(printf, 2, 3))) static void refuse(struct xmlguard *g, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(g->why, sizeof(g->why), fmt, ap);
    va_end(ap);
    g->state = REFUSED;
}

static void start_tag(struct xmlguard *g)
{
    g->state = IN_TAG;
    g->attributes = g->declared = 0;
    g->name_len = 0;
    g->name_done = false;
    g->last_in_tag = '<';
}

/* '=' in a start tag: one more attribute, and a namespace declaration when it is xmlns or
   xmlns:prefix. */
static void attribute_seen(struct xmlguard *g)
{
    bool xmlns = g->name_len >= 5 && memcmp(g->name, "xmlns", 5) == 0 &&
                 (g->name_len == 5 || g->name[5] == ':');
    g->declared += xmlns;
    g->name_done = true; /* the value comes, then another name */
    if (++g->attributes > g->max_attributes) {
        refuse(g, "an element with more than %u attributes", g->max_attributes);
    }
}

/* A byte of a name in a start tag: the element's, then each attribute's. */
static void name_byte(struct xmlguard *g, char c)
{
    if (g->name_done) {
        g->name_len = 0;
        g->name_done = false;
    }
    if (g->name_len < sizeof(g->name)) {
        g->name[g->name_len] = c;
    }
    g->name_len++;
}

/* '>' of a start tag: an element opens, its declarations in scope until its end tag;
   an empty element's go out of scope at once. */
static void end_start_tag(struct xmlguard *g)
{
    g->state = IN_TEXT;
    if (g->last_in_tag == '/') {
        return;
    }
    if (g->depth > g->max_depth) { /* the new element's depth, the root's 0 */
        refuse(g, "elements nested deeper than %u", g->max_depth);
        return;
    }
    g->declared_at[g->depth++] = (unsigned short)g->declared;
    g->in_scope += g->declared;
    if (g->in_scope > g->max_in_scope) {
        refuse(g, "more than %u namespace declarations in scope", g->max_in_scope);
    }
}

static void end_tag(struct xmlguard *g)
{
    g->state = IN_TEXT;
    if (g->depth > 0) {
        g->in_scope -= g->declared_at[--g->depth];
    }
}

static void in_tag(struct xmlguard *g, char c)
{
    switch (c) {
    case '"':
    case '\'':
        g->state = IN_QUOTE;
        g->quote = c;
        break;
    case '=':
        attribute_seen(g);
        break;
    case '>':
        end_start_tag(g);
        break;
    case ' ':
    case '\t':
    case '\r':
    case '\n':
        g->name_done = true;
        break;
    default:
        name_byte(g, c);
        break;
    }
    g->last_in_tag = c;
}

/* A run skipped to its end mark: "-->" (@p mark '-', 2), "]]>" (']', 2), "?>" ('?', 1). */
static void skip_to(struct xmlguard *g, char c, char mark, unsigned marks_needed)
{
    if (c == '>' && g->marks >= marks_needed) {
        g->state = IN_TEXT;
    }
    g->marks = c == mark ? g->marks + 1 : 0;
}

static void after_lt(struct xmlguard *g, char c)
{
    g->marks = 0;
    if (c == '!') {
        g->state = AFTER_BANG;
    } else if (c == '?') {
        g->state = IN_PI;
    } else if (c == '/') {
        g->state = IN_END_TAG;
    } else {
        start_tag(g);
        in_tag(g, c);
    }
}

static void step(struct xmlguard *g, char c)
{
    switch ((enum state)g->state) {
    case IN_TEXT:
        g->state = c == '<' ? AFTER_LT : IN_TEXT;
        break;
    case AFTER_LT:
        after_lt(g, c);
        break;
    case AFTER_BANG:
        g->state = c == '-' ? AFTER_BANG_DASH : c == '[' ? IN_CDATA : c == '>' ? IN_TEXT : IN_DECL;
        break;
    case AFTER_BANG_DASH:
        g->state = c == '-' ? IN_COMMENT : c == '>' ? IN_TEXT : IN_DECL;
        break;
    case IN_COMMENT:
        skip_to(g, c, '-', 2);
        break;
    case IN_CDATA:
        skip_to(g, c, ']', 2);
        break;
    case IN_PI:
        skip_to(g, c, '?', 1);
        break;
    case IN_DECL:
        g->state = c == '>' ? IN_TEXT : IN_DECL;
        break;
    case IN_END_TAG:
        if (c == '>') {
            end_tag(g);
        }
        break;
    case IN_TAG:
        in_tag(g, c);
        break;
    case IN_QUOTE:
        if (c == g->quote) {
            g->state = IN_TAG;
            g->last_in_tag = c;
        }
        break;
    case REFUSED:
        break;
    }
}

const char *xmlguard_scan(struct xmlguard *g, const char *bytes, size_t n)
{
    if (g->state != REFUSED && memchr(bytes, '\0', n)) {
        refuse(g, "a NUL byte: not XML in UTF-8 (UTF-16 and UTF-32 are refused)");
    }
    for (size_t i = 0; i < n && g->state != REFUSED; i++) {
        if (g->state == IN_TEXT) {
            /* most bytes are text: on to the next '<' at once, not a step per byte */
            const char *lt = memchr(bytes + i, '<', n - i);
            if (!lt) {
                break;
            }
            i = (size_t)(lt - bytes);
        }
        step(g, bytes[i]);
    }
    return g->state == REFUSED ? g->why : NULL;
}
