/*
 * secret.h - which configuration keys hold a secret (also when misspelt), and
 * values made fit for a screen or a log: --print-config, errors and logs all
 * show a value only through rf_secret_mask().
 */
#ifndef RF_SECRET_H
#define RF_SECRET_H

#include <stdbool.h>

/* What a withheld value shows as. */
#define RF_SECRET_MASK "***"

/**
 * True when @p key (dotted, with its "kafka." prefix if any) names a secret. The
 * name is read in lower case with '_' and '-' as '.'; it names a secret when it
 * holds pass, pwd, secret, token, credential, jaas, private.key, privatekey,
 * apikey, api.key, oauthbearer.config or key.pem anywhere, or when one of its
 * words is a misspelling of password (two edits), passwd, secret, token (one),
 * credential(s) (two): kafka.sasl.pasword, kafka.SASL_PASSWD, client.secert. A
 * name longer than 255 bytes counts as a secret.
 */
bool rf_secret_key(const char *key);

/**
 * @p value of @p key made fit for a screen or a log: the whole value of a
 * secret key becomes "***"; in any other value, every password of a libpq
 * key/value string ("password=...", "sslpassword = '...'") and the password
 * of a URI ("postgresql://user:PASSWORD@host", "?password=...") become "***".
 * @p key may be NULL (a value of unknown origin: only the inner passwords).
 * @returns a new string (free() it), or NULL when out of memory.
 */
char *rf_secret_mask(const char *key, const char *value);

#endif
