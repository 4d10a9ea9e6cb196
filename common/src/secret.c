/* secret.c - which configuration keys hold a secret, and values made fit to show. */
#include "reportflow/secret.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "reportflow/buf.h"

/*
 * Which keys hold a secret. A key is read in lower case with '_' and '-' as '.', so
 * "kafka.SASL_PASSWORD" and "kafka.sasl.password" are one name. Its whole value is a
 * secret when the name holds one of secret_key_parts anywhere, or when one of its
 * words (a run of letters and digits) is a misspelling of a secret word: at most
 * secret_words[].edits letters added, dropped, changed or two swapped. A misspelt key
 * is unknown to every program and refused, but its value must not show in the error
 * that says so, nor in --print-config.
 */
static const char *const secret_key_parts[] = {
    "pass",        "pwd",        "secret", "token",   "credential",         "jaas",
    "private.key", "privatekey", "apikey", "api.key", "oauthbearer.config", "key.pem",
};

static const struct {
    const char *word;
    size_t edits;
} secret_words[] = {
    {"password", 2}, {"passwd", 1},     {"secret", 1},
    {"token", 1},    {"credential", 2}, {"credentials", 2},
};

/* Lower case, '_' and '-' as '.': the form every rule reads. */
static void key_fold(const char *key, char *out, size_t out_size)
{
    size_t i = 0;
    for (; key[i] && i + 1 < out_size; i++) {
        char c = (char)tolower((unsigned char)key[i]);
        out[i] = c == '_' || c == '-' ? '.' : c;
    }
    out[i] = '\0';
}

/*
 * Edits (insert, delete, substitute, swap of neighbours) from @p a[0..an) to @p b, a
 * short word; more than @p most is reported as most + 1.
 */
static size_t edit_distance(const char *a, size_t an, const char *b, size_t most)
{
    enum { WORD_MAX = 24 };
    size_t bn = strlen(b);
    if (an > WORD_MAX || bn > WORD_MAX) {
        return most + 1;
    }
    size_t d[WORD_MAX + 1][WORD_MAX + 1];
    for (size_t i = 0; i <= an; i++) {
        for (size_t j = 0; j <= bn; j++) {
            if (i == 0 || j == 0) {
                d[i][j] = i + j;
                continue;
            }
            size_t best = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
            best = d[i - 1][j] + 1 < best ? d[i - 1][j] + 1 : best;
            best = d[i][j - 1] + 1 < best ? d[i][j - 1] + 1 : best;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                d[i - 2][j - 2] + 1 < best) {
                best = d[i - 2][j - 2] + 1;
            }
            d[i][j] = best;
        }
    }
    return d[an][bn] > most ? most + 1 : d[an][bn];
}

/* Whether a word of folded key @p k is a misspelt secret word. */
static bool has_misspelt_secret_word(const char *k)
{
    for (const char *p = k; *p;) {
        size_t n = 0;
        while (isalnum((unsigned char)p[n])) {
            n++;
        }
        for (size_t i = 0; n > 0 && i < sizeof(secret_words) / sizeof(secret_words[0]); i++) {
            if (edit_distance(p, n, secret_words[i].word, secret_words[i].edits) <=
                secret_words[i].edits) {
                return true;
            }
        }
        p += n ? n : 1;
    }
    return false;
}

bool rf_secret_key(const char *key)
{
    char k[256];
    if (strlen(key) >= sizeof(k)) {
        return true; /* no such key; its value stays hidden */
    }
    key_fold(key, k, sizeof(k));
    for (size_t i = 0; i < sizeof(secret_key_parts) / sizeof(secret_key_parts[0]); i++) {
        if (strstr(k, secret_key_parts[i])) {
            return true;
        }
    }
    return has_misspelt_secret_word(k);
}

/*
 * Where the value of a "...password = value" pair starts and ends, from @p p
 * just past the word "password": libpq's key/value syntax (spaces around '=',
 * single quotes with backslash escapes) or a URI query ("&" ends the value).
 * @returns false when no '=' follows (the word was something else).
 */
static bool password_value(const char *p, bool in_uri, const char **start, const char **end)
{
    while (*p == ' ' || *p == '\t') {
        p++;
    }
    if (*p != '=') {
        return false;
    }
    p++;
    while (!in_uri && (*p == ' ' || *p == '\t')) {
        p++;
    }
    *start = p;
    if (!in_uri && *p == '\'') {
        for (p++; *p && *p != '\''; p++) {
            if (*p == '\\' && p[1]) {
                p++;
            }
        }
        *end = *p ? p + 1 : p;
        return true;
    }
    while (*p && (in_uri ? (*p != '&' && *p != '#') : !isspace((unsigned char)*p))) {
        p++;
    }
    *end = p;
    return true;
}

/* In a URI "scheme://user:password@host", where the password is. @returns false if none. */
static bool uri_password(const char *v, const char **start, const char **end)
{
    const char *auth = strstr(v, "://");
    if (!auth) {
        return false;
    }
    auth += 3;
    size_t auth_len = strcspn(auth, "?#");
    const char *at = NULL;
    for (const char *p = auth; p < auth + auth_len; p++) {
        if (*p == '@') {
            at = p; /* the last '@': an unencoded '@' in a password stays masked */
        }
    }
    const char *colon = at ? memchr(auth, ':', (size_t)(at - auth)) : NULL;
    if (!colon) {
        return false;
    }
    *start = colon + 1;
    *end = at;
    return true;
}

char *rf_secret_mask(const char *key, const char *value)
{
    struct rf_buf out = RF_BUF_INIT;
    if (key && rf_secret_key(key)) {
        return strdup(value && *value ? RF_SECRET_MASK : "");
    }
    if (!value) {
        return NULL;
    }
    const char *uri_start = NULL, *uri_end = NULL;
    bool is_uri = uri_password(value, &uri_start, &uri_end);
    int rc = 0;
    const char *p = value;
    while (*p && rc == 0) {
        const char *start, *end;
        if (is_uri && p == uri_start) {
            rc |= rf_buf_append_str(&out, RF_SECRET_MASK);
            p = uri_end;
            continue;
        }
        if (strncasecmp(p, "password", 8) == 0 &&
            password_value(p + 8, strstr(value, "://") != NULL, &start, &end)) {
            rc |= rf_buf_append(&out, p, (size_t)(start - p));
            rc |= rf_buf_append_str(&out, start == end ? "" : RF_SECRET_MASK);
            p = end;
            continue;
        }
        rc |= rf_buf_append(&out, p, 1);
        p++;
    }
    rc |= rf_buf_append(&out, "", 0);
    if (rc != 0) {
        rf_buf_release(&out);
        return NULL;
    }
    return rf_buf_detach(&out);
}
