/* text.c - original and normalised text with shared character offsets. */
#include "text.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "reportflow/utf8.h"
#include "reportflow/vec.h"

uint32_t text_codepoint(const char *s, size_t byte, size_t *len)
{
    const unsigned char *p = (const unsigned char *)s + byte;
    if (p[0] < 0x80) {
        *len = 1;
        return p[0];
    }
    if ((p[0] & 0xe0) == 0xc0) {
        *len = 2;
        return (uint32_t)(p[0] & 0x1f) << 6 | (p[1] & 0x3f);
    }
    if ((p[0] & 0xf0) == 0xe0) {
        *len = 3;
        return (uint32_t)(p[0] & 0x0f) << 12 | (uint32_t)(p[1] & 0x3f) << 6 | (p[2] & 0x3f);
    }
    *len = 4;
    return (uint32_t)(p[0] & 0x07) << 18 | (uint32_t)(p[1] & 0x3f) << 12 |
           (uint32_t)(p[2] & 0x3f) << 6 | (p[3] & 0x3f);
}

/* Full-width ASCII forms and odd spaces to ASCII; everything else unchanged. */
static uint32_t fold_codepoint(uint32_t cp)
{
    if (cp >= 0xff01 && cp <= 0xff5e) {
        return cp - 0xff01 + 0x21;
    }
    if (cp == 0x3000 || cp == 0x00a0 || cp == '\t') {
        return ' ';
    }
    if (cp == '\r') {
        return '\n';
    }
    return cp;
}

/* Only called where text_clause_break() found a break. */
static bool sentence_break(const char *s, size_t i, size_t len)
{
    return s[i] == '\n' || (i + 3 <= len && (unsigned char)s[i] == 0xe3 &&
                            (unsigned char)s[i + 1] == 0x80 && (unsigned char)s[i + 2] == 0x82);
}

/* Append @p v to a growable array. @returns 0 or -1 on ENOMEM. */
static int push_offset(uint32_t **v, size_t *cnt, size_t *cap, size_t value)
{
    if (*cnt == *cap) { /* called per character: the call only when the array is full */
        uint32_t *grown = rf_vec_reserve(*v, cap, *cnt, 1, sizeof(*grown));
        if (!grown) {
            return -1;
        }
        *v = grown;
    }
    (*v)[(*cnt)++] = (uint32_t)value;
    return 0;
}

/* Bytes that can start a clause break (see text_clause_break()). */
static bool may_break(unsigned char c)
{
    return c == ',' || c == ';' || c == '!' || c == '?' || c == ':' || c == '\n' || c == 0xe3 ||
           c == 0xef;
}

/* Record where every clause and sentence starts. @returns 0 or -1 on ENOMEM. */
static int scan_breaks(struct text *t, size_t *clause_cap, size_t *sentence_cap)
{
    const char *s = t->norm;
    size_t len = t->norm_len, w;
    if (push_offset(&t->clause_at, &t->clause_cnt, clause_cap, 0) != 0 ||
        push_offset(&t->sentence_at, &t->sentence_cnt, sentence_cap, 0) != 0) {
        return -1;
    }
    for (size_t i = 0; i < len; i++) {
        if (!may_break((unsigned char)s[i]) || !text_clause_break(s, i, len, &w)) {
            continue;
        }
        if (push_offset(&t->clause_at, &t->clause_cnt, clause_cap, i + w) != 0 ||
            (sentence_break(s, i, len) &&
             push_offset(&t->sentence_at, &t->sentence_cnt, sentence_cap, i + w) != 0)) {
            return -1;
        }
        i += w - 1;
    }
    return 0;
}

/* A clause's body starts past its leading spaces, but never past its end. */
static void index_bodies(struct text *t)
{
    for (size_t k = 0; k < t->clause_cnt; k++) {
        size_t end = k + 1 < t->clause_cnt ? t->clause_at[k + 1] : t->norm_len;
        size_t a = t->clause_at[k];
        while (a < end && t->norm[a] == ' ') {
            a++;
        }
        t->clause_body[k] = (uint32_t)a;
    }
}

static int index_clauses(struct text *t)
{
    size_t clause_cap = 0, sentence_cap = 0;
    if (scan_breaks(t, &clause_cap, &sentence_cap) != 0) {
        return -1;
    }
    t->clause_body = malloc(t->clause_cnt * sizeof(uint32_t));
    if (!t->clause_body) {
        return -1;
    }
    index_bodies(t);
    return 0;
}

/* text_codepoint(), with ASCII and three-byte characters (Han), nearly all of a report,
   decoded inline. */
static inline uint32_t decode_fast(const char *s, size_t len, size_t at, size_t *n)
{
    unsigned char b = (unsigned char)s[at];
    if (b < 0x80) {
        *n = 1;
        return b;
    }
    uint32_t cp = text_three_byte_cp(s + at, len - at);
    if (cp) {
        *n = 3;
        return cp;
    }
    return text_codepoint(s, at, n);
}

/* block_char: the binary search over norm_off that text_char_at() did per call was 4% of an
   extraction (it runs for every offset the envelope gives). */
static int index_blocks(struct text *t)
{
    t->block_char = malloc((t->norm_len / TEXT_BLOCK_BYTES + 1) * sizeof(uint32_t));
    if (!t->block_char) {
        return -1;
    }
    size_t k = 0;
    for (size_t c = 0; c < t->nchars; c++) {
        for (; k * TEXT_BLOCK_BYTES < t->norm_off[c + 1]; k++) {
            t->block_char[k] = (uint32_t)c;
        }
    }
    return 0;
}

int text_init(struct text *t, const char *orig, size_t len)
{
    memset(t, 0, sizeof(*t));
    if (len >= UINT32_MAX) {
        return -1;
    }
    t->orig = orig;
    t->orig_len = len;
    t->norm = malloc(len + 1);
    t->orig_off = malloc((len + 1) * sizeof(uint32_t));
    t->norm_off = malloc((len + 1) * sizeof(uint32_t));
    if (!t->norm || !t->orig_off || !t->norm_off) {
        text_release(t);
        return -1;
    }
    size_t in = 0, out = 0, c = 0;
    while (in < len) {
        size_t n;
        uint32_t cp = decode_fast(orig, len, in, &n);
        t->orig_off[c] = (uint32_t)in;
        t->norm_off[c] = (uint32_t)out;
        uint32_t folded = fold_codepoint(cp);
        if (folded == cp) {
            for (size_t k = 0; k < n; k++) { /* most characters: no re-encoding */
                t->norm[out + k] = orig[in + k];
            }
            out += n;
        } else {
            out += rf_utf8_encode(folded, t->norm + out); /* never longer than the input */
        }
        in += n;
        c++;
    }
    t->orig_off[c] = (uint32_t)len;
    t->norm_off[c] = (uint32_t)out;
    t->norm[out] = '\0';
    t->norm_len = out;
    t->nchars = c;
    if (index_blocks(t) != 0 || index_clauses(t) != 0) {
        text_release(t);
        return -1;
    }
    return 0;
}

void text_release(struct text *t)
{
    free(t->norm);
    free(t->orig_off);
    free(t->norm_off);
    free(t->block_char);
    free(t->clause_at);
    free(t->clause_body);
    free(t->sentence_at);
    t->norm = NULL;
    t->orig_off = t->norm_off = t->block_char = NULL;
    t->clause_at = t->clause_body = t->sentence_at = NULL;
    t->clause_cnt = t->sentence_cnt = 0;
}

size_t text_char_at(const struct text *t, size_t byte)
{
    if (byte >= t->norm_len) {
        return t->nchars;
    }
    /* the block's char, then one more for each character that starts after the block's
       first byte, up to @p byte: a byte that is no UTF-8 continuation byte starts one */
    size_t from = byte / TEXT_BLOCK_BYTES * TEXT_BLOCK_BYTES;
    size_t c = t->block_char[byte / TEXT_BLOCK_BYTES];
    for (size_t i = from + 1; i <= byte; i++) {
        c += ((unsigned char)t->norm[i] & 0xc0) != 0x80;
    }
    return c;
}

char *text_orig_dup(const struct text *t, size_t from, size_t to)
{
    if (to > t->nchars) {
        to = t->nchars;
    }
    if (from > to) {
        from = to;
    }
    size_t a = t->orig_off[from], b = t->orig_off[to];
    return strndup(t->orig + a, b - a);
}

bool text_clause_break(const char *s, size_t i, size_t len, size_t *width)
{
    /* called on every byte when the index is built: no library calls */
    const unsigned char *p = (const unsigned char *)s + i;
    switch (p[0]) {
    case ',':
    case ';':
    case '!':
    case '?':
    case ':':
    case '\n':
        *width = 1;
        return true;
    case 0xe3: /* 。 is e3 80 82 */
        if (i + 3 <= len && p[1] == 0x80 && p[2] == 0x82) {
            *width = 3;
            return true;
        }
        return false;
    case 0xef: /* ； is ef bc 9b (folded to ';' in norm, but callers may pass orig) */
        if (i + 3 <= len && p[1] == 0xbc && p[2] == 0x9b) {
            *width = 3;
            return true;
        }
        return false;
    default:
        return false;
    }
}

/* Index of the last entry of ascending @p v[0..cnt) that is <= @p at (v[0] is 0). */
static size_t last_at_or_before(const uint32_t *v, size_t cnt, size_t at)
{
    size_t lo = 0, hi = cnt - 1;
    while (lo < hi) {
        size_t mid = lo + (hi - lo + 1) / 2;
        if (v[mid] <= at) {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    return lo;
}

void text_clause(const struct text *t, size_t at, size_t *start, size_t *end)
{
    size_t k = last_at_or_before(t->clause_at, t->clause_cnt, at);
    size_t b = t->norm_len;
    if (k + 1 < t->clause_cnt) {
        /* the clause ends where the break before the next one starts: 1 byte or 。/； */
        size_t next = t->clause_at[k + 1];
        b = next - (((unsigned char)t->norm[next - 1] & 0x80) ? 3 : 1);
    }
    *start = t->clause_body[k] < b ? t->clause_body[k] : b;
    *end = b;
}

size_t text_sentence_start(const struct text *t, size_t at)
{
    return t->sentence_at[last_at_or_before(t->sentence_at, t->sentence_cnt, at)];
}

#define ELLIPSIS "…"

void text_excerpt_range(size_t cf, size_t ct, size_t mf, size_t mt, size_t max_chars, size_t *a,
                        size_t *b)
{
    if (ct <= cf || ct - cf <= max_chars) {
        *a = cf;
        *b = ct < cf ? cf : ct;
        return;
    }
    mf = mf < cf ? cf : mf > ct ? ct : mf;
    mt = mt < mf ? mf : mt > ct ? ct : mt;
    if (mt - mf >= max_chars) {
        *a = mf;
        *b = mf + max_chars;
        return;
    }
    /* the wording before a number says what it counts: give it two thirds */
    size_t spare = max_chars - (mt - mf);
    size_t before = spare * 2 / 3, after = spare - before;
    if (mf - cf < before) {
        after += before - (mf - cf);
        before = mf - cf;
    } else if (ct - mt < after) {
        before += after - (ct - mt);
        after = ct - mt;
    }
    *a = mf - before;
    *b = mt + after;
}

char *text_orig_marked(const struct text *t, size_t a, size_t b, bool lead, bool trail)
{
    b = b > t->nchars ? t->nchars : b;
    a = a > b ? b : a;
    size_t oa = t->orig_off[a], ob = t->orig_off[b];
    size_t el = strlen(ELLIPSIS);
    char *out = malloc(ob - oa + 2 * el + 1);
    if (!out) {
        return NULL;
    }
    size_t n = 0;
    if (lead) {
        memcpy(out, ELLIPSIS, el);
        n += el;
    }
    memcpy(out + n, t->orig + oa, ob - oa);
    n += ob - oa;
    if (trail) {
        memcpy(out + n, ELLIPSIS, el);
        n += el;
    }
    out[n] = '\0';
    return out;
}

char *text_excerpt(const struct text *t, size_t from, size_t to, size_t m_from, size_t m_to,
                   size_t max_chars, bool *cut)
{
    size_t cf = text_char_at(t, from), ct = text_char_at(t, to);
    size_t a, b;
    text_excerpt_range(cf, ct, text_char_at(t, m_from), text_char_at(t, m_to), max_chars, &a, &b);
    *cut = a > cf || b < ct;
    return text_orig_marked(t, a, b, a > cf, b < ct);
}
