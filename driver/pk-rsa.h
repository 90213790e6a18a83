/*
 * pk-rsa.h: RSA padding helpers libopensc does not export (pure functions).
 *
 * Copyright (C) 2026 pkicards contributors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef PK_RSA_H
#define PK_RSA_H

#include <stddef.h>

#include "pk-buf.h"

enum pk_hash { PK_HASH_NONE, PK_HASH_SHA1, PK_HASH_SHA224, PK_HASH_SHA256,
	PK_HASH_SHA384, PK_HASH_SHA512 };

/**
 * Recognise a DER DigestInfo ‖ hash.
 * @return the hash algorithm (and the hash in @p hash), PK_HASH_NONE if
 *         @p in is no DigestInfo of a known hash
 */
enum pk_hash pk_digest_info_split(const u8 *in, size_t len, const u8 **hash, size_t *hash_len);
/**
 * DigestInfo of @p hash for @p alg into @p b.
 * @return 0, or SC_ERROR_INVALID_ARGUMENTS for an unknown hash or length
 */
int pk_digest_info_build(enum pk_hash alg, const u8 *hash, size_t len, struct pk_buf *b);
/** PKCS#1 v1.5 type 1 block of @p n bytes around @p in. @return 0 or error */
int pk_pkcs1_pad_01(const u8 *in, size_t len, u8 *out, size_t n);
/**
 * Remove PKCS#1 v1.5 type 2 padding from an @p n byte block. The check runs
 * in time independent of where the padding ends.
 * @param[in,out] outlen capacity in, message length out
 * @return 0, SC_ERROR_WRONG_PADDING or SC_ERROR_BUFFER_TOO_SMALL
 */
int pk_pkcs1_strip_02(const u8 *in, size_t n, u8 *out, size_t *outlen);

#endif
