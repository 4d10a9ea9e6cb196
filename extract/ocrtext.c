/* ocrtext.c - tesseract's Chinese as typed text: see ocrtext.h. */
#include "ocrtext.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* ASCII punctuation and its full-width form, as typed Chinese writes it */
static const struct {
    char ascii;
    const char *wide;
} WIDE_FORMS[] = {{',', "，"}, {':', "："}, {';', "；"}, {'(', "（"},
                  {')', "）"}, {'?', "？"}, {'!', "！"}};

static bool is_wide(unsigned char b)
{
    return b >= 0x80; /* a byte of a non-ASCII character: Chinese text, in a report */
}

/* A space before these closes up: 1 .坚持, 指导 , 深入, 100 % */
static bool closes_up(char c)
{
    return c != '\0' && strchr(",.:;)%", c) != NULL;
}

static const char *wide_form(char c)
{
    for (size_t i = 0; i < sizeof(WIDE_FORMS) / sizeof(WIDE_FORMS[0]); i++) {
        if (WIDE_FORMS[i].ascii == c) {
            return WIDE_FORMS[i].wide;
        }
    }
    return NULL;
}

static bool is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

/* 1. 6万, 2024- 12- 19: a space inside a number or a date, after its separator. */
static bool inside_number(const char *out, size_t n, unsigned char next)
{
    return n >= 2 && strchr(".-/:", out[n - 1]) != NULL && is_digit((unsigned char)out[n - 2]) &&
           is_digit(next);
}

/* The byte after the run of spaces from @p i, or 0 at the end. */
static unsigned char after_spaces(const char *s, size_t len, size_t i)
{
    while (i < len && s[i] == ' ') {
        i++;
    }
    return i < len ? (unsigned char)s[i] : 0;
}

/* [2024] at @p i: a year in square brackets, as OCR reads a document number's 〔2024〕. */
static bool bracketed_year(const char *s, size_t len, size_t i)
{
    if (i + 6 > len || s[i] != '[' || s[i + 5] != ']') {
        return false;
    }
    for (size_t k = 1; k <= 4; k++) {
        if (s[i + k] < '0' || s[i + k] > '9') {
            return false;
        }
    }
    return true;
}

char *ocrtext_clean(const char *s, size_t len, size_t *out_len)
{
    char *out = malloc(3 * len + 1);
    if (!out) {
        return NULL;
    }
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        char c = s[i] == '\f' ? '\n' : s[i]; /* tesseract ends its page with a form feed */
        unsigned char prev = n > 0 ? (unsigned char)out[n - 1] : '\n';
        if (c == ' ') {
            unsigned char next = after_spaces(s, len, i);
            if (is_wide(prev) || is_wide(next) || closes_up((char)next) || prev == '(' ||
                inside_number(out, n, next) || prev == '\n' || next == '\n' || next == '\f' ||
                next == 0) {
                continue; /* the rest of the run is dropped by the same test */
            }
            out[n++] = c;
            continue;
        }
        if (bracketed_year(s, len, i)) {
            memcpy(out + n, "〔", 3);
            memcpy(out + n + 3, s + i + 1, 4);
            memcpy(out + n + 7, "〕", 3);
            n += 10;
            i += 5;
            continue;
        }
        unsigned char next = after_spaces(s, len, i + 1);
        const char *wide = wide_form(c);
        if (c == '"' && (is_wide(prev) || is_wide(next))) {
            wide = is_wide(prev) ? "”" : "“";
        }
        if (wide && (is_wide(prev) || is_wide(next))) {
            size_t wl = strlen(wide);
            memcpy(out + n, wide, wl);
            n += wl;
            continue;
        }
        out[n++] = c;
    }
    out[n] = '\0';
    *out_len = n;
    return out;
}
