/* decode.c - raw report bytes to UTF-8 text. */
#include "decode.h"

#include <errno.h>
#include <iconv.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "html.h"
#include "reportflow/utf8.h"
#include "text.h"

/* iconv from @p from to UTF-8; NULL when the input is not valid in that encoding. */
static char *convert_to_utf8(const char *from, const char *in, size_t in_len, size_t *out_len)
{
    iconv_t cd = iconv_open("UTF-8", from);
    if (cd == (iconv_t)-1) {
        return NULL;
    }
    size_t cap = in_len * 2 + 16;
    char *out = malloc(cap);
    char *src = (char *)in;
    size_t src_left = in_len;
    size_t used = 0;
    while (out) {
        char *dst = out + used;
        size_t dst_left = cap - used - 1;
        size_t rc = iconv(cd, &src, &src_left, &dst, &dst_left);
        used = (size_t)(dst - out);
        if (rc != (size_t)-1) {
            break;
        }
        if (errno != E2BIG) {
            free(out);
            out = NULL;
            break;
        }
        cap *= 2;
        char *grown = realloc(out, cap);
        if (!grown) {
            free(out);
            out = NULL;
        }
        out = grown;
    }
    iconv_close(cd);
    if (out) {
        out[used] = '\0';
        *out_len = used;
    }
    return out;
}

/*
 * UTF-8 with a few broken sequences (a file cut mid-character, a stray byte):
 * replace each with U+FFFD rather than lose the report. NULL when more than
 * @p max_repairs sequences are broken: then it is not UTF-8 at all.
 */
#define MAX_REPAIRS 8
static char *repair_utf8(const char *in, size_t len, size_t max_repairs, size_t *out_len)
{
    size_t repairs = 0, used = 0;
    char *out = malloc(len * 3 + 1);
    if (!out) {
        return NULL;
    }
    for (size_t i = 0; i < len;) {
        size_t n = rf_utf8_seq_len(in + i, len - i);
        if (n > 0) {
            memcpy(out + used, in + i, n);
            used += n;
            i += n;
            continue;
        }
        if (++repairs > max_repairs) {
            free(out);
            return NULL;
        }
        memcpy(out + used, "\xef\xbf\xbd", 3);
        used += 3;
        i++;
        while (i < len && ((unsigned char)in[i] & 0xc0) == 0x80) {
            i++; /* the rest of the broken sequence */
        }
    }
    out[used] = '\0';
    *out_len = used;
    return out;
}

char *decode_utf8_lossy(const char *s, size_t len, size_t *out_len)
{
    return repair_utf8(s, len, SIZE_MAX, out_len);
}

/* Code points a report's text is made of: ASCII, Latin-1, punctuation, CJK, full-width forms. */
static bool is_text_codepoint(uint32_t cp)
{
    if (cp < 0x80) {
        return cp >= 0x20 ? cp != 0x7f : cp == '\n' || cp == '\r' || cp == '\t';
    }
    return (cp >= 0xa0 && cp <= 0xff) || (cp >= 0x2000 && cp <= 0x206f) ||
           (cp >= 0x3000 && cp <= 0x303f) || (cp >= 0x3400 && cp <= 0x4dbf) ||
           (cp >= 0x4e00 && cp <= 0x9fff) || (cp >= 0xff00 && cp <= 0xffef);
}

/*
 * True when at least 95% of the code points of UTF-8 @p s are text. Decoding
 * random bytes or GBK as UTF-16 gives code points spread over the whole
 * plane (Hangul, private use, symbols); a report does not.
 */
static bool clearly_text(const char *s, size_t len)
{
    size_t total = 0, text = 0;
    for (size_t i = 0; i < len;) {
        size_t n = rf_utf8_seq_len(s + i, len - i);
        if (n == 0) {
            return false;
        }
        total++;
        text += is_text_codepoint(text_codepoint(s, i, &n));
        i += n;
    }
    return total > 0 && text * 100 >= total * 95;
}

/*
 * UTF-16 without a byte-order mark: the byte order whose decoding is clearly
 * text. @returns the text (caller frees) and sets *encoding, or NULL.
 */
static char *utf16_without_bom(const char *bytes, size_t len, size_t *out_len,
                               const char **encoding)
{
    static const struct {
        const char *charset;
        const char *name;
    } orders[] = {{"UTF-16BE", "utf-16be"}, {"UTF-16LE", "utf-16le"}};
    if (len < 2 || len % 2 != 0) {
        return NULL;
    }
    for (size_t i = 0; i < sizeof(orders) / sizeof(orders[0]); i++) {
        char *text = convert_to_utf8(orders[i].charset, bytes, len, out_len);
        if (text && clearly_text(text, *out_len)) {
            *encoding = orders[i].name;
            return text;
        }
        free(text);
    }
    return NULL;
}

static size_t count_nul(const char *s, size_t len)
{
    size_t n = 0;
    for (const char *p = memchr(s, '\0', len); p;
         p = memchr(p + 1, '\0', len - (size_t)(p + 1 - s))) {
        n++;
    }
    return n;
}

/* At most 1 byte in 100 may be a stray NUL; more is binary, or UTF-16. */
static bool few_nul(size_t nul, size_t len)
{
    return nul * 100 <= len;
}

/* Drop stray NUL bytes in place (offsets then count characters of the text without them). */
static size_t drop_nul(char *s, size_t len)
{
    size_t out = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] != '\0') {
            s[out++] = s[i];
        }
    }
    s[out] = '\0';
    return out;
}

static bool only_space(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
            continue;
        }
        /* U+3000 ideographic space and U+00A0 no-break space */
        if (c == 0xe3 && i + 2 < len && (unsigned char)s[i + 1] == 0x80 &&
            (unsigned char)s[i + 2] == 0x80) {
            i += 2;
            continue;
        }
        if (c == 0xc2 && i + 1 < len && (unsigned char)s[i + 1] == 0xa0) {
            i += 1;
            continue;
        }
        return false;
    }
    return true;
}

/* Treat the text as HTML when its first tag-like token looks like markup. */
static bool looks_like_html(const char *s, size_t len)
{
    size_t probe = len < 2048 ? len : 2048;
    static const char *const markers[] = {"<html", "<!doctype", "<body", "<div",  "<p>",   "<p ",
                                          "<br",   "<head",     "<meta", "<span", "<table"};
    for (size_t i = 0; i < probe; i++) {
        if (s[i] != '<') {
            continue;
        }
        for (size_t m = 0; m < sizeof(markers) / sizeof(markers[0]); m++) {
            size_t ml = strlen(markers[m]);
            if (i + ml <= len && strncasecmp(s + i, markers[m], ml) == 0) {
                return true;
            }
        }
    }
    return false;
}

/* A NUL-terminated copy of @p len bytes that may hold NULs (strndup would stop at one). */
static char *dup_bytes(const char *s, size_t len)
{
    char *out = malloc(len + 1);
    if (out) {
        memcpy(out, s, len);
        out[len] = '\0';
    }
    return out;
}

/*
 * UTF-8 once its few stray NUL bytes are dropped (a NUL may sit inside a
 * character, as a broken copy leaves it). @returns a new string, or NULL when
 * the rest is not UTF-8 (or on ENOMEM: the caller then tries other encodings).
 */
static char *utf8_without_nul(const char *bytes, size_t len, size_t *out_len)
{
    char *out = malloc(len + 1);
    if (!out) {
        return NULL;
    }
    size_t n = 0;
    for (const char *p = bytes, *end = bytes + len; p < end;) {
        const char *nul = memchr(p, '\0', (size_t)(end - p));
        size_t run = nul ? (size_t)(nul - p) : (size_t)(end - p);
        memcpy(out + n, p, run);
        n += run;
        p += run + (nul ? 1 : 0);
    }
    out[n] = '\0';
    if (!rf_utf8_valid(out, n)) {
        free(out);
        return NULL;
    }
    *out_len = n;
    return out;
}

static enum decode_result decode_charset(const char *bytes, size_t len, struct decoded *out)
{
    const unsigned char *b = (const unsigned char *)bytes;
    bool utf8 = false;
    if (len >= 3 && b[0] == 0xef && b[1] == 0xbb && b[2] == 0xbf) {
        if (!rf_utf8_valid(bytes + 3, len - 3)) {
            return DECODE_BAD_BYTES;
        }
        out->text = dup_bytes(bytes + 3, len - 3);
        out->len = len - 3;
        out->encoding = "utf-8-bom";
    } else if (len >= 2 && ((b[0] == 0xff && b[1] == 0xfe) || (b[0] == 0xfe && b[1] == 0xff))) {
        bool le = b[0] == 0xff;
        out->text = convert_to_utf8(le ? "UTF-16LE" : "UTF-16BE", bytes + 2, len - 2, &out->len);
        out->encoding = le ? "utf-16le" : "utf-16be";
        if (!out->text) {
            return DECODE_BAD_BYTES;
        }
    } else if (few_nul(count_nul(bytes, len), len) &&
               (out->text = utf8_without_nul(bytes, len, &out->len))) {
        out->encoding = "utf-8";
    } else if ((out->text = utf16_without_bom(bytes, len, &out->len, &out->encoding))) {
        /* NUL-heavy "UTF-8" is ASCII in UTF-16; invalid UTF-8 may be CJK in UTF-16 */
    } else if ((utf8 = rf_utf8_valid(bytes, len))) {
        return DECODE_BAD_BYTES; /* NULs everywhere: binary */
    } else {
        /* almost UTF-8 first: iconv would read cut UTF-8 as valid GB18030 mojibake, while
           real GB18030 text breaks UTF-8 at nearly every character */
        out->text = repair_utf8(bytes, len, MAX_REPAIRS, &out->len);
        out->encoding = "utf-8-lossy";
        if (!out->text) {
            out->text = convert_to_utf8("GB18030", bytes, len, &out->len);
            out->encoding = "gb18030";
        }
        if (!out->text) {
            return DECODE_BAD_BYTES;
        }
    }
    if (!out->text) {
        return DECODE_NOMEM;
    }
    size_t nul = count_nul(out->text, out->len);
    if (nul > 0) {
        if (!few_nul(nul, out->len)) {
            return DECODE_BAD_BYTES; /* NUL inside text: binary, not a report */
        }
        out->len = drop_nul(out->text, out->len);
    }
    return DECODE_OK;
}

enum decode_result decode_report(const char *bytes, size_t len, struct decoded *out)
{
    memset(out, 0, sizeof(*out));
    enum decode_result r = decode_charset(bytes, len, out);
    if (r != DECODE_OK) {
        decode_release(out);
        return r;
    }
    if (looks_like_html(out->text, out->len)) {
        size_t plain_len = 0;
        char *plain = html_to_text(out->text, out->len, &plain_len);
        if (!plain) {
            decode_release(out);
            return DECODE_NOMEM;
        }
        free(out->text);
        out->text = plain;
        out->len = plain_len;
        out->html = true;
    }
    if (only_space(out->text, out->len)) {
        decode_release(out);
        return DECODE_EMPTY;
    }
    return DECODE_OK;
}

void decode_release(struct decoded *d)
{
    free(d->text);
    d->text = NULL;
    d->len = 0;
}

const char *decode_result_code(enum decode_result r)
{
    switch (r) {
    case DECODE_OK:
        return "ok";
    case DECODE_EMPTY:
        return "no-text";
    case DECODE_BAD_BYTES:
        return "invalid-encoding";
    case DECODE_NOMEM:
        return "out-of-memory";
    }
    return "unknown";
}
