/*
 * hex.h - the one home of hexadecimal digits: reading one (escapes in JSON, %XX in
 * file names) and writing bytes as lowercase pairs (digests, raw names).
 */
#ifndef RF_HEX_H
#define RF_HEX_H

#include <stddef.h>

/** The value of hex digit @p c (either case), or -1 when it is none. */
int rf_hex_value(char c);

/** @p len bytes at @p bytes as 2 * @p len lowercase hex digits at @p out (no NUL added). */
void rf_hex_encode(const void *bytes, size_t len, char *out);

#endif
