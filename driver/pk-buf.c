/*
 * pk-buf.c: bounded builder, see pk-buf.h
 *
 * Copyright (C) 2026 pkicards contributors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>

#include "libopensc/errors.h"
#include "pk-buf.h"

void
pk_buf_init(struct pk_buf *b, u8 *mem, size_t cap)
{
	b->data = mem;
	b->cap = mem ? cap : 0;
	b->len = 0;
	b->failed = 0;
}

static int
pk_buf_room(struct pk_buf *b, size_t n)
{
	if (b->failed || n > b->cap - b->len) {
		b->failed = 1;
		return 0;
	}
	return 1;
}

void
pk_buf_bytes(struct pk_buf *b, const u8 *p, size_t n)
{
	if (n == 0 || !pk_buf_room(b, n))
		return;
	memcpy(b->data + b->len, p, n);
	b->len += n;
}

void
pk_buf_u8(struct pk_buf *b, unsigned int v)
{
	u8 c = (u8)(v & 0xFF);

	if (v > 0xFF) {
		b->failed = 1;
		return;
	}
	pk_buf_bytes(b, &c, 1);
}

void
pk_buf_u16(struct pk_buf *b, unsigned int v)
{
	u8 c[2] = {(u8)((v >> 8) & 0xFF), (u8)(v & 0xFF)};

	if (v > 0xFFFF) {
		b->failed = 1;
		return;
	}
	pk_buf_bytes(b, c, 2);
}

void
pk_buf_tag_len(struct pk_buf *b, unsigned int tag, size_t len)
{
	if (tag > 0xFFFF)
		pk_buf_u8(b, (tag >> 16) & 0xFF);
	if (tag > 0xFF)
		pk_buf_u8(b, (tag >> 8) & 0xFF);
	pk_buf_u8(b, tag & 0xFF);
	if (len < 0x80) {
		pk_buf_u8(b, (unsigned int)len);
	} else if (len <= 0xFF) {
		pk_buf_u8(b, 0x81);
		pk_buf_u8(b, (unsigned int)len);
	} else if (len <= 0xFFFF) {
		pk_buf_u8(b, 0x82);
		pk_buf_u16(b, (unsigned int)len);
	} else {
		b->failed = 1;
	}
}

void
pk_buf_tlv(struct pk_buf *b, unsigned int tag, const u8 *p, size_t n)
{
	pk_buf_tag_len(b, tag, n);
	pk_buf_bytes(b, p, n);
}

int
pk_buf_result(const struct pk_buf *b)
{
	return b->failed ? SC_ERROR_BUFFER_TOO_SMALL : 0;
}
