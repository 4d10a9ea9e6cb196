/* sha256.h - SHA-256 of a byte string, for document ids (OpenSSL's libcrypto does the work). */
#ifndef RF_SHA256_H
#define RF_SHA256_H

#include <stddef.h>

#define RF_SHA256_HEX_LEN 64

/**
 * Hash @p data and write 64 lowercase hex digits plus NUL into @p hex.
 * @returns 0, or -1 when libcrypto failed (hex is then empty).
 */
int rf_sha256_hex(const void *data, size_t len, char hex[RF_SHA256_HEX_LEN + 1]);

#endif
