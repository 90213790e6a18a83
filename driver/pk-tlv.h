/*
 * pk-tlv.h: the one cursor for reading card responses.
 *
 * Pure functions over byte buffers (no card, no context), so every parser
 * built on them can be fuzzed. Lengths are checked against what remains;
 * nothing reads past the buffer.
 *
 * Copyright (C) 2026 pkicards contributors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef PK_TLV_H
#define PK_TLV_H

#include <stddef.h>

#include "pk-buf.h"

struct pk_cur {
	const u8 *p;
	size_t left;
};

struct pk_tlv {
	unsigned int tag; /* as written, up to 3 bytes: 0x5A, 0x5F20, 0x1F8101 ... */
	const u8 *value;
	size_t len;
};

void pk_cur_init(struct pk_cur *c, const u8 *p, size_t len);
/** @return 0 ok, SC_ERROR_INVALID_DATA if fewer than @p n bytes remain */
int pk_cur_u8(struct pk_cur *c, unsigned int *v);
int pk_cur_u16(struct pk_cur *c, unsigned int *v);
int pk_cur_bytes(struct pk_cur *c, size_t n, const u8 **out);
/**
 * Read one BER-TLV.
 * @return 1 item read, 0 at end of data, SC_ERROR_INVALID_ASN1_OBJECT if
 *         the header is malformed or the value runs past the data.
 */
int pk_cur_tlv(struct pk_cur *c, struct pk_tlv *t);
/**
 * Find @p tag among the TLVs of one level of @p p.
 * @return 1 found (in @p out), 0 absent, or a negative error if the level
 *         is malformed before the tag is reached.
 */
int pk_tlv_find(const u8 *p, size_t len, unsigned int tag, struct pk_tlv *out);
/** Unsigned big-endian integer value of up to 4 bytes (0 bytes = 0). */
int pk_tlv_uint(const struct pk_tlv *t, unsigned int *v);

#endif
