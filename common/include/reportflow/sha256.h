/* sha256.h - SHA-256 (FIPS 180-4), used for document ids. */
#ifndef RF_SHA256_H
#define RF_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define RF_SHA256_HEX_LEN 64

struct rf_sha256 {
    uint32_t state[8];  /* running hash */
    int hw;             /* 1: use the CPU's SHA instructions */
    uint64_t total;     /* bytes hashed so far */
    uint8_t block[64];  /* partial input block */
    size_t block_len;   /* bytes in block */
};

/**
 * True when this CPU has the x86 SHA extensions (and SSSE3/SSE4.1). CPUID is
 * slow in a virtual machine (it traps to the hypervisor): ask once at start and
 * keep the answer with the object that hashes.
 */
int rf_sha256_hw_available(void);

/** Start a hash; @p hw (from rf_sha256_hw_available()) picks the SHA-NI path. */
void rf_sha256_init(struct rf_sha256 *ctx, int hw);
void rf_sha256_update(struct rf_sha256 *ctx, const void *data, size_t len);
void rf_sha256_final(struct rf_sha256 *ctx, uint8_t digest[32]);

/** Hash @p data and write 64 lowercase hex digits plus NUL into @p hex. */
void rf_sha256_hex(const void *data, size_t len, int hw, char hex[RF_SHA256_HEX_LEN + 1]);

#endif
