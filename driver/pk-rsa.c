/*
 * pk-rsa.c: RSA padding helpers, see pk-rsa.h
 *
 * Copyright (C) 2026 pkicards contributors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>

#include "libopensc/errors.h"
#include "pk-rsa.h"

/* DER DigestInfo prefixes (RFC 8017 §9.2 note 1) */
static const struct {
	enum pk_hash hash;
	size_t hash_len;
	u8 prefix[19];
	size_t prefix_len;
} pk_digest_infos[] = {
	{PK_HASH_SHA1, 20, {0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a, 0x05, 0x00, 0x04, 0x14}, 15},
	{PK_HASH_SHA224, 28, {0x30, 0x2d, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x04, 0x05, 0x00, 0x04, 0x1c}, 19},
	{PK_HASH_SHA256, 32, {0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20}, 19},
	{PK_HASH_SHA384, 48, {0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02, 0x05, 0x00, 0x04, 0x30}, 19},
	{PK_HASH_SHA512, 64, {0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03, 0x05, 0x00, 0x04, 0x40}, 19},
};

enum pk_hash
pk_digest_info_split(const u8 *in, size_t len, const u8 **hash, size_t *hash_len)
{
	size_t i;

	for (i = 0; i < sizeof(pk_digest_infos) / sizeof(pk_digest_infos[0]); i++) {
		size_t plen = pk_digest_infos[i].prefix_len;

		if (len != plen + pk_digest_infos[i].hash_len ||
				memcmp(in, pk_digest_infos[i].prefix, plen) != 0)
			continue;
		*hash = in + plen;
		*hash_len = pk_digest_infos[i].hash_len;
		return pk_digest_infos[i].hash;
	}
	return PK_HASH_NONE;
}

int
pk_digest_info_build(enum pk_hash alg, const u8 *hash, size_t len, struct pk_buf *b)
{
	size_t i;

	for (i = 0; i < sizeof(pk_digest_infos) / sizeof(pk_digest_infos[0]); i++) {
		if (pk_digest_infos[i].hash != alg)
			continue;
		if (len != pk_digest_infos[i].hash_len)
			return SC_ERROR_INVALID_ARGUMENTS;
		pk_buf_bytes(b, pk_digest_infos[i].prefix, pk_digest_infos[i].prefix_len);
		pk_buf_bytes(b, hash, len);
		return pk_buf_result(b);
	}
	return SC_ERROR_INVALID_ARGUMENTS;
}

int
pk_pkcs1_pad_01(const u8 *in, size_t len, u8 *out, size_t n)
{
	if (n < 11 || len > n - 11)
		return SC_ERROR_WRONG_LENGTH;
	out[0] = 0x00;
	out[1] = 0x01;
	memset(out + 2, 0xFF, n - len - 3);
	out[n - len - 1] = 0x00;
	memcpy(out + n - len, in, len);
	return 0;
}

/* all-ones if a == b, else 0, without branches */
static unsigned int
pk_ct_eq(unsigned int a, unsigned int b)
{
	unsigned int x = a ^ b;

	return (unsigned int)(((x | (0u - x)) >> (sizeof(unsigned int) * 8 - 1)) - 1u);
}

int
pk_pkcs1_strip_02(const u8 *in, size_t n, u8 *out, size_t *outlen)
{
	unsigned int good, found = 0, zero_at = 0, i;
	size_t mlen;

	if (n < 11 || n > 0xFFFF)
		return SC_ERROR_WRONG_PADDING;
	good = pk_ct_eq(in[0], 0) & pk_ct_eq(in[1], 2);
	for (i = 2; i < n; i++) {
		unsigned int is_zero = pk_ct_eq(in[i], 0);

		zero_at |= ~found & is_zero & i;
		found |= is_zero;
	}
	/* at least 8 padding bytes: the separator sits at index 10 or later */
	good &= found & ~(0u - (unsigned int)(zero_at < 10));
	if (!good)
		return SC_ERROR_WRONG_PADDING;
	mlen = n - zero_at - 1;
	if (mlen > *outlen)
		return SC_ERROR_BUFFER_TOO_SMALL;
	memcpy(out, in + zero_at + 1, mlen);
	*outlen = mlen;
	return 0;
}
