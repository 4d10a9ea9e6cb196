/*
 * sha256.c - SHA-256 through OpenSSL's EVP interface. libcrypto is already loaded by
 * librdkafka, picks the CPU's SHA instructions where there are any, and is kept up to date by
 * the distribution: nothing here to maintain but the hex.
 */
#include "reportflow/sha256.h"

#include <openssl/evp.h>

int rf_sha256_hex(const void *data, size_t len, char hex[RF_SHA256_HEX_LEN + 1])
{
    static const char digits[] = "0123456789abcdef";
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int digest_len = 0;
    hex[0] = '\0';
    if (!EVP_Digest(len ? data : "", len, digest, &digest_len, EVP_sha256(), NULL) ||
        digest_len != RF_SHA256_HEX_LEN / 2) {
        return -1;
    }
    for (unsigned int i = 0; i < digest_len; i++) {
        hex[2 * i] = digits[digest[i] >> 4];
        hex[2 * i + 1] = digits[digest[i] & 0x0f];
    }
    hex[RF_SHA256_HEX_LEN] = '\0';
    return 0;
}
