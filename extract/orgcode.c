/* orgcode.c - unified social credit codes in a page head: see orgcode.h. */
#include "orgcode.h"

#include <string.h>

/* GB 32100-2015: the code's alphabet (no I, O, S, V, Z) and the weights of its check. */
static const char ALPHABET[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
static const int WEIGHTS[ORGCODE_LEN - 1] = {1,  3,  9,  27, 19, 26, 16, 17, 20,
                                             29, 25, 13, 8,  24, 10, 30, 28};

static int alphabet_index(char c)
{
    const char *at = c ? strchr(ALPHABET, c) : NULL;
    return at ? (int)(at - ALPHABET) : -1;
}

bool orgcode_valid(const char *code)
{
    int sum = 0;
    for (size_t i = 0; i < ORGCODE_LEN - 1; i++) {
        int v = alphabet_index(code[i]);
        if (v < 0) {
            return false;
        }
        sum += v * WEIGHTS[i];
    }
    int check = (31 - sum % 31) % 31;
    return code[ORGCODE_LEN - 1] == ALPHABET[check];
}

static bool is_code_char(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z');
}

static bool digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return false;
        }
    }
    return true;
}

/* A valid code of exactly ORGCODE_LEN characters at @p s[at] of a line [a, b). */
static bool code_at(const char *s, size_t a, size_t b, size_t at)
{
    if (at + ORGCODE_LEN > b || (at > a && is_code_char(s[at - 1])) ||
        (at + ORGCODE_LEN < b && is_code_char(s[at + ORGCODE_LEN]))) {
        return false;
    }
    /* the division part is six digits */
    return digits(s + at + 2, ORGCODE_DIVISION_LEN) && orgcode_valid(s + at);
}

bool orgcode_find_division(const struct text *t, const struct docscan_lines *ls,
                           char division[ORGCODE_DIVISION_LEN + 1])
{
    for (size_t i = 0; i < ls->cnt && i < DOCSCAN_HEAD_LINES; i++) {
        size_t a = ls->items[i].start, b = ls->items[i].end;
        for (size_t at = a; at + ORGCODE_LEN <= b; at++) {
            if (code_at(t->norm, a, b, at)) {
                memcpy(division, t->norm + at + 2, ORGCODE_DIVISION_LEN);
                division[ORGCODE_DIVISION_LEN] = '\0';
                return true;
            }
        }
    }
    return false;
}
