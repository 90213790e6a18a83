/*
 * pk-buf.h: the one bounded builder for APDU data and TLV encodings.
 *
 * Every put is bounded by the capacity given at init. A put that does not
 * fit marks the buffer failed (sticky) and writes nothing past the capacity
 * (a TLV header may be left partly written); check once with
 * pk_buf_result() before using the data.
 *
 * Copyright (C) 2026 pkicards contributors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef PK_BUF_H
#define PK_BUF_H

#include <stddef.h>

typedef unsigned char u8;

struct pk_buf {
	u8 *data;
	size_t cap;
	size_t len;
	int failed;
};

/** @param[out] b builder over @p mem, @p cap bytes */
void pk_buf_init(struct pk_buf *b, u8 *mem, size_t cap);
void pk_buf_u8(struct pk_buf *b, unsigned int v);
/** big-endian 16 bit */
void pk_buf_u16(struct pk_buf *b, unsigned int v);
void pk_buf_bytes(struct pk_buf *b, const u8 *p, size_t n);
/** BER tag (1..3 bytes, as written) and definite length (short, 81, 82) */
void pk_buf_tag_len(struct pk_buf *b, unsigned int tag, size_t len);
void pk_buf_tlv(struct pk_buf *b, unsigned int tag, const u8 *p, size_t n);
/** @return 0, or SC_ERROR_BUFFER_TOO_SMALL if any put did not fit */
int pk_buf_result(const struct pk_buf *b);

#endif
