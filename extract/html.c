/* html.c - a web page to plain text. */
#include "html.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/HTMLparser.h>

#include "reportflow/buf.h"
#include "reportflow/utf8.h"

struct html_out {
    struct rf_buf buf;  /* text so far */
    bool space_pending; /* collapse white space: emit one space before the next text */
    bool failed;        /* an append ran out of memory */
    bool in_row;        /* inside a table row: cells become | a | b | */
    bool in_cell;       /* inside one of its cells: blocks are spaces, not lines */
    size_t cells;       /* cells of the row so far */
};

static void put(struct html_out *o, const char *s, size_t n)
{
    if (o->space_pending) {
        o->space_pending = false;
        char last = o->buf.len > 0 ? o->buf.data[o->buf.len - 1] : '\n';
        if (last != '\n' && last != ' ' && rf_buf_append(&o->buf, " ", 1) != 0) {
            o->failed = true;
        }
    }
    if (rf_buf_append(&o->buf, s, n) != 0) {
        o->failed = true;
    }
}

static void put_newline(struct html_out *o)
{
    o->space_pending = false;
    /* one line break between blocks, however many tags close and open there */
    if (o->buf.len == 0 || o->buf.data[o->buf.len - 1] == '\n') {
        return;
    }
    if (rf_buf_append(&o->buf, "\n", 1) != 0) {
        o->failed = true;
    }
}

static void put_codepoint(struct html_out *o, uint32_t cp)
{
    char u[4];
    /* a character reference to NUL is a parse error HTML answers with U+FFFD */
    put(o, u, rf_utf8_encode(cp == 0 ? 0xfffd : cp, u));
}

/* Decode the entity at @p s (just after '&'); @returns bytes consumed, 0 when not an entity. */
static size_t decode_entity(struct html_out *o, const char *s, size_t left)
{
    const char *semi = memchr(s, ';', left < 12 ? left : 12);
    if (!semi) {
        return 0;
    }
    size_t n = (size_t)(semi - s);
    if (n >= 2 && s[0] == '#') {
        bool hex = s[1] == 'x' || s[1] == 'X';
        char digits[12];
        size_t dn = n - (hex ? 2 : 1);
        if (dn == 0 || dn >= sizeof(digits)) {
            return 0;
        }
        memcpy(digits, s + (hex ? 2 : 1), dn);
        digits[dn] = '\0';
        char *end = NULL;
        unsigned long cp = strtoul(digits, &end, hex ? 16 : 10);
        if (*end != '\0') {
            return 0;
        }
        put_codepoint(o, cp == 0xa0 ? ' ' : (uint32_t)cp);
        return n + 1;
    }
    /* HTML 4's 253 named entities, from libxml2's table (&deg; &reg; &sup2; ...) */
    char name[16];
    if (n == 0 || n >= sizeof(name)) {
        return 0;
    }
    memcpy(name, s, n);
    name[n] = '\0';
    const htmlEntityDesc *e = htmlEntityLookup((const xmlChar *)name);
    if (!e) {
        return 0;
    }
    put_codepoint(o, e->value == 0xa0 ? ' ' : e->value);
    return n + 1;
}

static bool is_block_tag(const char *name, size_t n)
{
    static const char *const blocks[] = {"p",      "div",    "br",         "li",      "tr", "h1",
                                         "h2",     "h3",     "h4",         "h5",      "h6", "table",
                                         "ul",     "ol",     "section",    "article", "hr", "title",
                                         "header", "footer", "blockquote", "pre",     "dd", "dt"};
    for (size_t i = 0; i < sizeof(blocks) / sizeof(blocks[0]); i++) {
        if (strlen(blocks[i]) == n && strncasecmp(blocks[i], name, n) == 0) {
            return true;
        }
    }
    return false;
}

/* Skip past the closing tag of a raw-text element such as script or style. */
static size_t skip_raw_element(const char *s, size_t i, size_t len, const char *name)
{
    size_t nl = strlen(name);
    for (; i + 2 + nl <= len; i++) {
        if (s[i] == '<' && s[i + 1] == '/' && strncasecmp(s + i + 2, name, nl) == 0) {
            const char *gt = memchr(s + i, '>', len - i);
            return gt ? (size_t)(gt - s) + 1 : len;
        }
    }
    return len;
}

/* The row so far ends: " |" after its last cell, then a line break. */
static void end_row(struct html_out *o)
{
    if (o->in_row && o->cells > 0) {
        o->space_pending = false;
        put(o, " |", 2);
    }
    o->in_row = o->in_cell = false;
    o->cells = 0;
    put_newline(o);
}

/*
 * A table's structure as the rules read tables (| 行政许可 | 44 |): <tr> opens a row
 * (@p opens_row), </td> closes a cell (@p closes_cell), anything else (</tr>, <table>,
 * </table>) ends the row.
 */
static void table_tag(struct html_out *o, bool opens_row, bool closes_cell)
{
    if (closes_cell) {
        o->in_cell = false;
        return;
    }
    end_row(o);
    o->in_row = opens_row;
}

/* <td> or <th>: a cell of the row, or a space outside a row, as a browser shows it. */
static void open_cell(struct html_out *o)
{
    if (!o->in_row) {
        o->space_pending = true;
        return;
    }
    o->space_pending = false;
    put(o, o->cells == 0 ? "| " : " | ", o->cells == 0 ? 2 : 3);
    o->cells++;
    o->in_cell = true;
}

/* Handle the tag starting at s[i] == '<'; @returns the index after it. */
static size_t handle_tag(struct html_out *o, const char *s, size_t i, size_t len)
{
    if (i + 4 <= len && strncmp(s + i, "<!--", 4) == 0) {
        for (size_t k = i + 4; k + 3 <= len; k++) {
            if (strncmp(s + k, "-->", 3) == 0) {
                return k + 3;
            }
        }
        return len;
    }
    size_t k = i + 1;
    if (k < len && s[k] == '/') {
        k++;
    }
    size_t name_start = k;
    /* a tag name starts with a letter: "3 <5" is text, as in a browser */
    while (k < len &&
           (k > name_start ? isalnum((unsigned char)s[k]) : isalpha((unsigned char)s[k]))) {
        k++;
    }
    size_t name_len = k - name_start;
    if (name_len == 0 && !(k < len && (s[k] == '!' || s[k] == '?'))) {
        put(o, "<", 1); /* a lone '<' in text */
        return i + 1;
    }
    const char *gt = memchr(s + k, '>', len - k);
    size_t after = gt ? (size_t)(gt - s) + 1 : len;
    bool closing = s[i + 1] == '/';
    if (!closing && ((name_len == 6 && strncasecmp(s + name_start, "script", 6) == 0) ||
                     (name_len == 5 && strncasecmp(s + name_start, "style", 5) == 0))) {
        char name[8];
        memcpy(name, s + name_start, name_len);
        name[name_len] = '\0';
        return skip_raw_element(s, after, len, name);
    }
    const char *name = s + name_start;
    bool cell =
        name_len == 2 && (strncasecmp(name, "td", 2) == 0 || strncasecmp(name, "th", 2) == 0);
    bool row = name_len == 2 && strncasecmp(name, "tr", 2) == 0;
    bool table = name_len == 5 && strncasecmp(name, "table", 5) == 0;
    if (row || table || (cell && closing)) {
        table_tag(o, row && !closing, cell && closing);
    } else if (cell) {
        open_cell(o);
    } else if (is_block_tag(name, name_len)) {
        if (o->in_cell) {
            o->space_pending = o->buf.len > 0; /* a paragraph inside a cell stays in its row */
        } else {
            put_newline(o);
        }
    }
    return after;
}

char *html_to_text(const char *html, size_t len, size_t *out_len)
{
    struct html_out o = {RF_BUF_INIT, false, false, false, false, 0};
    size_t i = 0;
    while (i < len && !o.failed) {
        char c = html[i];
        if (c == '<') {
            i = handle_tag(&o, html, i, len);
        } else if (c == '&') {
            size_t used = decode_entity(&o, html + i + 1, len - i - 1);
            if (used == 0) {
                put(&o, "&", 1);
            }
            i += 1 + used;
        } else if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
            o.space_pending = o.buf.len > 0;
            i++;
        } else {
            size_t run = i + 1;
            while (run < len && html[run] != '<' && html[run] != '&' && html[run] != ' ' &&
                   html[run] != '\t' && html[run] != '\r' && html[run] != '\n') {
                run++;
            }
            put(&o, html + i, run - i);
            i = run;
        }
    }
    end_row(&o); /* a table left open at the end */
    if (o.failed) {
        rf_buf_release(&o.buf);
        return NULL;
    }
    while (o.buf.len > 0 && o.buf.data[o.buf.len - 1] == '\n') {
        o.buf.data[--o.buf.len] = '\0';
    }
    *out_len = o.buf.len;
    return rf_buf_detach(&o.buf);
}
