/* sha256.h - SHA-256 (FIPS 180-4), used for document ids. */
#ifndef RF_SHA256_H
#define RF_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define RF_SHA256_HEX_LEN 64

struct rf_sha256 {
    uint32_t state[8];  /* running hash */
    uint64_t total;     /* bytes hashed so far */
    uint8_t block[64];  /* partial input block */
    size_t block_len;   /* bytes in block */
};

void rf_sha256_init(struct rf_sha256 *ctx);
void rf_sha256_update(struct rf_sha256 *ctx, const void *data, size_t len);
void rf_sha256_final(struct rf_sha256 *ctx, uint8_t digest[32]);

/** Hash @p data and write 64 lowercase hex digits plus NUL into @p hex. */
void rf_sha256_hex(const void *data, size_t len, char hex[RF_SHA256_HEX_LEN + 1]);

#endif
