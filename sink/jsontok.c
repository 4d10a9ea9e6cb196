/* jsontok.c - a JSON text checked and indexed in one pass, without a tree. */
#include "jsontok.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reportflow/hex.h"
#include "reportflow/utf8.h"
#include "reportflow/vec.h"

/* A number's text longer than this is refused: the workers write at most 24 bytes. */
#define NUMBER_MAX_BYTES 128
/* Member names compared after decoding fit here; a longer one matches none of ours. */
#define NAME_MAX_BYTES 256

struct parser {
    struct jsontok *j;
    const char *s;
    size_t len, pos;
    char *why;
    size_t why_size;
    bool fresh; /* the innermost container was just opened: its closer may come at once */
    size_t depth;
    uint32_t open[JSONTOK_MAX_DEPTH]; /* the containers being read, outermost first */
};

static int fail(struct parser *p, const char *what)
{
    snprintf(p->why, p->why_size, "invalid JSON at byte %zu: %s", p->pos, what);
    return -1;
}

static void skip_space(struct parser *p)
{
    while (p->pos < p->len) {
        char c = p->s[p->pos];
        if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
            return;
        }
        p->pos++;
    }
}

/* A new token of @p type starting at the current byte. @returns its index, or -2 on ENOMEM. */
static long push(struct parser *p, enum jsontok_type type)
{
    struct jsontok *j = p->j;
    if (j->cnt == j->cap) {
        struct jsontok_token *grown =
            rf_vec_reserve(j->tok, &j->cap, j->cnt, 1, sizeof(struct jsontok_token));
        if (!grown) {
            snprintf(p->why, p->why_size, "out of memory indexing %zu bytes of JSON", p->len);
            return -2;
        }
        j->tok = grown;
    }
    struct jsontok_token *t = &j->tok[j->cnt];
    memset(t, 0, sizeof(*t));
    t->type = (uint8_t)type;
    t->start = (uint32_t)p->pos;
    t->next = (uint32_t)j->cnt + 1;
    return (long)j->cnt++;
}

/* The four hex digits of a \u escape at @p s (at least 4 bytes), or -1. */
static long hex4(const char *s)
{
    long v = 0;
    for (int i = 0; i < 4; i++) {
        int d = rf_hex_value(s[i]);
        if (d < 0) {
            return -1;
        }
        v = v * 16 + d;
    }
    return v;
}

/*
 * The code point of the \u escape at @p s (its backslash; @p avail bytes there),
 * a surrogate pair taken whole, into @p cp; the bytes it took into @p used.
 * @returns NULL, or what is wrong with it.
 */
static const char *unicode_escape(const char *s, size_t avail, uint32_t *cp, size_t *used)
{
    long hi = avail >= 6 ? hex4(s + 2) : -1;
    if (hi < 0) {
        return "a \\u escape needs four hex digits";
    }
    *used = 6;
    if (hi >= 0xDC00 && hi <= 0xDFFF) {
        return "a low surrogate without its high one";
    }
    if (hi >= 0xD800 && hi <= 0xDBFF) {
        long lo = avail >= 12 && s[6] == '\\' && s[7] == 'u' ? hex4(s + 8) : -1;
        if (lo < 0xDC00 || lo > 0xDFFF) {
            return "a high surrogate without its low one";
        }
        *cp = 0x10000 + (((uint32_t)hi - 0xD800) << 10) + ((uint32_t)lo - 0xDC00);
        *used = 12;
        return NULL;
    }
    if (hi == 0) {
        return "\\u0000 (PostgreSQL text cannot hold it)";
    }
    *cp = (uint32_t)hi;
    return NULL;
}

/* The escape at the current byte (a backslash): checked and stepped over. */
static int step_escape(struct parser *p)
{
    if (p->pos + 1 >= p->len) {
        return fail(p, "the text ends inside an escape");
    }
    char c = p->s[p->pos + 1];
    if (c == 'u') {
        uint32_t cp;
        size_t used;
        const char *bad = unicode_escape(p->s + p->pos, p->len - p->pos, &cp, &used);
        if (bad) {
            return fail(p, bad);
        }
        p->pos += used;
        return 0;
    }
    if (!strchr("\"\\/bfnrt", c) || c == '\0') {
        return fail(p, "an unknown escape");
    }
    p->pos += 2;
    return 0;
}

/* The string whose opening quote is the current byte, into a token of @p type (a name or value). */
static int string(struct parser *p)
{
    long at = push(p, JSONTOK_STRING);
    if (at < 0) {
        return (int)at;
    }
    p->pos++;
    bool escaped = false;
    while (p->pos < p->len) {
        unsigned char c = (unsigned char)p->s[p->pos];
        if (c == '"') {
            struct jsontok_token *t = &p->j->tok[at];
            t->start++;
            t->len = (uint32_t)(p->pos - t->start);
            t->escaped = escaped;
            p->pos++;
            return 0;
        }
        if (c == '\\') {
            escaped = true;
            if (step_escape(p) != 0) {
                return -1;
            }
        } else if (c < 0x20) {
            return fail(p, "a control character inside a string");
        } else if (c < 0x80) {
            p->pos++;
        } else {
            size_t n = rf_utf8_seq_len(p->s + p->pos, p->len - p->pos);
            if (n == 0) {
                return fail(p, "a string that is not UTF-8");
            }
            p->pos += n;
        }
    }
    return fail(p, "the text ends inside a string");
}

static size_t digits(const struct parser *p, size_t from)
{
    size_t i = from;
    while (i < p->len && p->s[i] >= '0' && p->s[i] <= '9') {
        i++;
    }
    return i - from;
}

/* A checked integer's text as a value; false when it does not fit in 64 bits (as jansson). */
static bool integer_value(const char *s, size_t len, long long *out)
{
    bool negative = *s == '-';
    unsigned long long limit = negative ? (unsigned long long)LLONG_MAX + 1 : LLONG_MAX;
    unsigned long long v = 0;
    for (size_t i = negative; i < len; i++) {
        unsigned d = (unsigned)(s[i] - '0');
        if (v > (limit - d) / 10) {
            return false;
        }
        v = v * 10 + d;
    }
    if (negative) {
        *out = v == (unsigned long long)LLONG_MAX + 1 ? LLONG_MIN : -(long long)v;
    } else {
        *out = (long long)v;
    }
    return true;
}

static bool real_finite(const char *s, size_t len)
{
    char copy[NUMBER_MAX_BYTES + 1];
    memcpy(copy, s, len);
    copy[len] = '\0';
    return isfinite(strtod(copy, NULL));
}

/* The number at the current byte: RFC 8259's grammar, an integer within 64 bits, a finite real. */
static int number(struct parser *p)
{
    size_t from = p->pos, i = p->pos;
    if (i < p->len && p->s[i] == '-') {
        i++;
    }
    size_t whole = digits(p, i);
    if (whole == 0 || (whole > 1 && p->s[i] == '0')) {
        return fail(p, "a number without digits, or with a leading zero");
    }
    i += whole;
    bool real = false;
    if (i < p->len && p->s[i] == '.') {
        size_t frac = digits(p, i + 1);
        if (frac == 0) {
            return fail(p, "a number with no digit after its point");
        }
        i += 1 + frac;
        real = true;
    }
    if (i < p->len && (p->s[i] == 'e' || p->s[i] == 'E')) {
        i++;
        if (i < p->len && (p->s[i] == '+' || p->s[i] == '-')) {
            i++;
        }
        size_t exp = digits(p, i);
        if (exp == 0) {
            return fail(p, "a number with no digit in its exponent");
        }
        i += exp;
        real = true;
    }
    size_t len = i - from;
    if (len > NUMBER_MAX_BYTES) {
        return fail(p, "a number longer than 128 bytes");
    }
    long long ignored;
    if (real ? !real_finite(p->s + from, len) : !integer_value(p->s + from, len, &ignored)) {
        return fail(p, real ? "a real out of range" : "an integer out of 64 bits");
    }
    long at = push(p, real ? JSONTOK_REAL : JSONTOK_INTEGER);
    if (at < 0) {
        return (int)at;
    }
    p->j->tok[at].len = (uint32_t)len;
    p->pos = i;
    return 0;
}

static int literal(struct parser *p, const char *word, enum jsontok_type type)
{
    size_t n = strlen(word);
    if (p->len - p->pos < n || memcmp(p->s + p->pos, word, n) != 0) {
        return fail(p, "an unexpected character");
    }
    long at = push(p, type);
    if (at < 0) {
        return (int)at;
    }
    p->j->tok[at].len = (uint32_t)n;
    p->pos += n;
    return 0;
}

static int open_container(struct parser *p, enum jsontok_type type)
{
    if (p->depth == JSONTOK_MAX_DEPTH) {
        return fail(p, "nested deeper than 64");
    }
    long at = push(p, type);
    if (at < 0) {
        return (int)at;
    }
    p->open[p->depth++] = (uint32_t)at;
    p->pos++;
    p->fresh = true;
    return 0;
}

/* A value at the current byte: a scalar read whole, or a container opened. */
static int begin_value(struct parser *p)
{
    if (p->pos >= p->len) {
        return fail(p, "the text ends where a value should be");
    }
    switch (p->s[p->pos]) {
    case '{':
        return open_container(p, JSONTOK_OBJECT);
    case '[':
        return open_container(p, JSONTOK_ARRAY);
    case '"':
        return string(p);
    case 't':
        return literal(p, "true", JSONTOK_TRUE);
    case 'f':
        return literal(p, "false", JSONTOK_FALSE);
    case 'n':
        return literal(p, "null", JSONTOK_NULL);
    default:
        return number(p);
    }
}

/* The innermost container's closer is the current byte. */
static void close_container(struct parser *p)
{
    struct jsontok_token *t = &p->j->tok[p->open[--p->depth]];
    t->next = (uint32_t)p->j->cnt;
    p->pos++;
    t->len = (uint32_t)(p->pos - t->start);
    p->fresh = false;
}

/* The next element of the innermost container (after a comma, or first): a name and ':' too. */
static int element(struct parser *p, struct jsontok_token *c)
{
    c->count++;
    if (c->type == JSONTOK_OBJECT) {
        if (p->pos >= p->len || p->s[p->pos] != '"') {
            return fail(p, "a member name should be here");
        }
        int rc = string(p);
        if (rc != 0) {
            return rc;
        }
        skip_space(p);
        if (p->pos >= p->len || p->s[p->pos] != ':') {
            return fail(p, "':' should follow a member name");
        }
        p->pos++;
        skip_space(p);
    }
    return begin_value(p);
}

/* One step inside the innermost container: its closer, or its next element. */
static int step(struct parser *p)
{
    struct jsontok_token *c = &p->j->tok[p->open[p->depth - 1]];
    char closer = c->type == JSONTOK_OBJECT ? '}' : ']';
    skip_space(p);
    if (p->pos < p->len && p->s[p->pos] == closer) {
        close_container(p);
        return 0;
    }
    if (!p->fresh) {
        if (p->pos >= p->len || p->s[p->pos] != ',') {
            return fail(p, c->type == JSONTOK_OBJECT ? "',' or '}' should be here"
                                                     : "',' or ']' should be here");
        }
        p->pos++;
        skip_space(p);
    }
    p->fresh = false;
    return element(p, c);
}

int jsontok_parse(struct jsontok *j, const char *text, size_t len, char *why, size_t why_size)
{
    j->text = text;
    j->len = len;
    j->cnt = 0;
    struct parser p = {.j = j, .s = text, .len = len, .why = why, .why_size = why_size};
    if (len >= UINT32_MAX) {
        snprintf(why, why_size, "a JSON text of %zu bytes: at most 4 GiB", len);
        return -1;
    }
    skip_space(&p);
    int rc = begin_value(&p);
    while (rc == 0 && p.depth > 0) {
        rc = step(&p);
    }
    if (rc == 0) {
        skip_space(&p);
        if (p.pos != len) {
            rc = fail(&p, "text after the value");
        }
    }
    if (rc != 0) {
        j->cnt = 0;
    }
    return rc;
}

void jsontok_release(struct jsontok *j)
{
    free(j->tok);
    memset(j, 0, sizeof(*j));
}

jsontok_at jsontok_root(const struct jsontok *j)
{
    return j->cnt > 0 ? 0 : JSONTOK_NONE;
}

int jsontok_type(const struct jsontok *j, jsontok_at at)
{
    return at < j->cnt ? j->tok[at].type : -1;
}

/*
 * The name of member token @p at, in @p buf when it has escapes (decoded once,
 * not for every name it is compared with); NULL when it is longer than any of
 * ours. Its length in *@p len.
 */
static const char *member_name(const struct jsontok *j, jsontok_at at, char *buf, size_t *len)
{
    const struct jsontok_token *t = &j->tok[at];
    if (!t->escaped) {
        *len = t->len;
        return j->text + t->start;
    }
    long n = t->len <= 6 * NAME_MAX_BYTES ? jsontok_string(j, at, buf, NAME_MAX_BYTES) : -1;
    *len = n < 0 ? 0 : (size_t)n;
    return n < 0 ? NULL : buf;
}

void jsontok_get_many(const struct jsontok *j, jsontok_at obj, const char *const *names, size_t n,
                      jsontok_at *out)
{
    for (size_t i = 0; i < n; i++) {
        out[i] = JSONTOK_NONE;
    }
    if (jsontok_type(j, obj) != JSONTOK_OBJECT) {
        return;
    }
    char buf[NAME_MAX_BYTES];
    for (jsontok_at k = obj + 1; k < j->tok[obj].next; k = j->tok[k + 1].next) {
        size_t len;
        const char *s = member_name(j, k, buf, &len);
        for (size_t i = 0; s && i < n; i++) {
            /* most names differ in their first byte: no strlen() of ours */
            if (names[i][0] == (len ? s[0] : '\0') && strncmp(names[i], s, len) == 0 &&
                names[i][len] == '\0') {
                out[i] = k + 1; /* the last of that name counts */
                break;
            }
        }
    }
}

jsontok_at jsontok_get(const struct jsontok *j, jsontok_at obj, const char *name)
{
    jsontok_at found;
    jsontok_get_many(j, obj, &name, 1, &found);
    return found;
}

jsontok_at jsontok_first(const struct jsontok *j, jsontok_at arr)
{
    return jsontok_type(j, arr) == JSONTOK_ARRAY && j->tok[arr].count > 0 ? arr + 1 : JSONTOK_NONE;
}

jsontok_at jsontok_after(const struct jsontok *j, jsontok_at arr, jsontok_at el)
{
    if (arr >= j->cnt || el >= j->cnt) {
        return JSONTOK_NONE;
    }
    jsontok_at next = j->tok[el].next;
    return next < j->tok[arr].next ? next : JSONTOK_NONE;
}

size_t jsontok_count(const struct jsontok *j, jsontok_at at)
{
    int type = jsontok_type(j, at);
    return type == JSONTOK_OBJECT || type == JSONTOK_ARRAY ? j->tok[at].count : 0;
}

const char *jsontok_json(const struct jsontok *j, jsontok_at at, size_t *len)
{
    if (at >= j->cnt) {
        *len = 4;
        return "null";
    }
    const struct jsontok_token *t = &j->tok[at];
    bool quoted = t->type == JSONTOK_STRING;
    *len = t->len + (quoted ? 2 : 0);
    return j->text + t->start - (quoted ? 1 : 0);
}

/* The character an escape stands for, after its backslash (not 'u'). */
static char unescaped(char c)
{
    switch (c) {
    case 'b':
        return '\b';
    case 'f':
        return '\f';
    case 'n':
        return '\n';
    case 'r':
        return '\r';
    case 't':
        return '\t';
    default:
        return c; /* " \ / */
    }
}

/*
 * Decode the escapes of a checked string, handing @p emit each run of bytes:
 * plain runs as they are, each escape as the character it stands for.
 */
typedef int (*emit_fn)(void *ctx, const char *s, size_t len);

static int decode(const char *s, size_t len, emit_fn emit, void *ctx)
{
    size_t run = 0;
    for (size_t i = 0; i < len;) {
        if (s[i] != '\\') {
            i++;
            continue;
        }
        int rc = emit(ctx, s + run, i - run);
        char one[4];
        size_t n = 1;
        if (s[i + 1] == 'u') {
            uint32_t cp = 0;
            size_t used = 6;
            (void)unicode_escape(s + i, len - i, &cp, &used); /* checked when parsed */
            n = rf_utf8_encode(cp, one);
            i += used;
        } else {
            one[0] = unescaped(s[i + 1]);
            i += 2;
        }
        rc |= emit(ctx, one, n);
        if (rc != 0) {
            return rc;
        }
        run = i;
    }
    return emit(ctx, s + run, len - run);
}

struct fixed_out {
    char *out;
    size_t size, used;
};

static int emit_fixed(void *ctx, const char *s, size_t len)
{
    struct fixed_out *f = ctx;
    if (f->size - f->used <= len) {
        return -1;
    }
    memcpy(f->out + f->used, s, len);
    f->used += len;
    return 0;
}

long jsontok_string(const struct jsontok *j, jsontok_at at, char *out, size_t out_size)
{
    if (jsontok_type(j, at) != JSONTOK_STRING || out_size == 0) {
        return -1;
    }
    const struct jsontok_token *t = &j->tok[at];
    struct fixed_out f = {out, out_size, 0};
    if (decode(j->text + t->start, t->len, emit_fixed, &f) != 0) {
        return -1;
    }
    out[f.used] = '\0';
    return (long)f.used;
}

struct buf_out {
    struct rf_buf *b;
    jsontok_escape_fn escape;
};

static int emit_buf(void *ctx, const char *s, size_t len)
{
    struct buf_out *o = ctx;
    if (len == 0) {
        return 0;
    }
    return o->escape ? o->escape(o->b, s, len) : rf_buf_append(o->b, s, len);
}

int jsontok_append_string(const struct jsontok *j, jsontok_at at, struct rf_buf *b,
                          jsontok_escape_fn escape)
{
    if (jsontok_type(j, at) != JSONTOK_STRING) {
        return 0; /* nothing to append */
    }
    const struct jsontok_token *t = &j->tok[at];
    struct buf_out o = {b, escape};
    if (!t->escaped) {
        return emit_buf(&o, j->text + t->start, t->len);
    }
    return decode(j->text + t->start, t->len, emit_buf, &o);
}

bool jsontok_int(const struct jsontok *j, jsontok_at at, long long *out)
{
    if (jsontok_type(j, at) != JSONTOK_INTEGER) {
        return false;
    }
    const struct jsontok_token *t = &j->tok[at];
    return integer_value(j->text + t->start, t->len, out); /* it fit when parsed */
}

bool jsontok_number(const struct jsontok *j, jsontok_at at, double *out)
{
    int type = jsontok_type(j, at);
    if (type != JSONTOK_INTEGER && type != JSONTOK_REAL) {
        return false;
    }
    const struct jsontok_token *t = &j->tok[at];
    long long n;
    if (type == JSONTOK_INTEGER) {
        *out = integer_value(j->text + t->start, t->len, &n) ? (double)n : 0;
        return true;
    }
    char copy[NUMBER_MAX_BYTES + 1];
    memcpy(copy, j->text + t->start, t->len);
    copy[t->len] = '\0';
    *out = strtod(copy, NULL);
    return true;
}
