/*
 * sha256.c - SHA-256 through OpenSSL's EVP interface. libcrypto is already loaded by
 * librdkafka, picks the CPU's SHA instructions where there are any, and is kept up to date by
 * the distribution: nothing here to maintain but the hex.
 */
#include "reportflow/sha256.h"

#include <openssl/evp.h>

#include "reportflow/hex.h"

static void to_hex(const unsigned char *digest, unsigned int digest_len, char *hex)
{
    rf_hex_encode(digest, digest_len, hex);
    hex[RF_SHA256_HEX_LEN] = '\0';
}

int rf_sha256_hex_parts(const struct rf_sha256_part *parts, size_t cnt,
                        char hex[RF_SHA256_HEX_LEN + 1])
{
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int digest_len = 0;
    hex[0] = '\0';
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    int ok = ctx && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
    for (size_t i = 0; ok && i < cnt; i++) {
        ok = parts[i].len == 0 || EVP_DigestUpdate(ctx, parts[i].data, parts[i].len);
    }
    ok = ok && EVP_DigestFinal_ex(ctx, digest, &digest_len) && digest_len == RF_SHA256_HEX_LEN / 2;
    EVP_MD_CTX_free(ctx);
    if (!ok) {
        return -1;
    }
    to_hex(digest, digest_len, hex);
    return 0;
}

int rf_sha256_hex(const void *data, size_t len, char hex[RF_SHA256_HEX_LEN + 1])
{
    const struct rf_sha256_part one = {data, len};
    return rf_sha256_hex_parts(&one, 1, hex);
}
