/*
 * pk-tlv.c: bounded reading of card responses, see pk-tlv.h
 *
 * Copyright (C) 2026 pkicards contributors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "libopensc/errors.h"
#include "pk-tlv.h"

void
pk_cur_init(struct pk_cur *c, const u8 *p, size_t len)
{
	c->p = p;
	c->left = p ? len : 0;
}

int
pk_cur_bytes(struct pk_cur *c, size_t n, const u8 **out)
{
	if (n > c->left)
		return SC_ERROR_INVALID_DATA;
	*out = c->p;
	c->p += n;
	c->left -= n;
	return 0;
}

int
pk_cur_u8(struct pk_cur *c, unsigned int *v)
{
	const u8 *p;
	int r = pk_cur_bytes(c, 1, &p);

	if (r == 0)
		*v = p[0];
	return r;
}

int
pk_cur_u16(struct pk_cur *c, unsigned int *v)
{
	const u8 *p;
	int r = pk_cur_bytes(c, 2, &p);

	if (r == 0)
		*v = (unsigned int)p[0] << 8 | p[1];
	return r;
}

static int
pk_cur_tag(struct pk_cur *c, unsigned int *tag)
{
	unsigned int b, t, n;

	if (pk_cur_u8(c, &b) < 0)
		return SC_ERROR_INVALID_ASN1_OBJECT;
	t = b;
	if ((b & 0x1F) != 0x1F) {
		*tag = t;
		return 0;
	}
	for (n = 0; n < 2; n++) {
		if (pk_cur_u8(c, &b) < 0)
			return SC_ERROR_INVALID_ASN1_OBJECT;
		t = t << 8 | b;
		if (!(b & 0x80)) {
			*tag = t;
			return 0;
		}
	}
	return SC_ERROR_INVALID_ASN1_OBJECT;
}

static int
pk_cur_len(struct pk_cur *c, size_t *len)
{
	unsigned int b, n, v = 0;

	if (pk_cur_u8(c, &b) < 0)
		return SC_ERROR_INVALID_ASN1_OBJECT;
	if (b < 0x80) {
		*len = b;
		return 0;
	}
	n = b & 0x7F;
	if (n == 0 || n > 3)
		return SC_ERROR_INVALID_ASN1_OBJECT;
	while (n--) {
		if (pk_cur_u8(c, &b) < 0)
			return SC_ERROR_INVALID_ASN1_OBJECT;
		v = v << 8 | b;
	}
	*len = v;
	return 0;
}

int
pk_cur_tlv(struct pk_cur *c, struct pk_tlv *t)
{
	struct pk_cur save = *c;
	size_t len;

	if (c->left == 0)
		return 0;
	if (pk_cur_tag(c, &t->tag) < 0 || pk_cur_len(c, &len) < 0 ||
			pk_cur_bytes(c, len, &t->value) < 0) {
		*c = save;
		return SC_ERROR_INVALID_ASN1_OBJECT;
	}
	t->len = len;
	return 1;
}

int
pk_tlv_find(const u8 *p, size_t len, unsigned int tag, struct pk_tlv *out)
{
	struct pk_cur c;
	struct pk_tlv t;
	int r;

	pk_cur_init(&c, p, len);
	while ((r = pk_cur_tlv(&c, &t)) == 1) {
		if (t.tag == tag) {
			*out = t;
			return 1;
		}
	}
	return r;
}

int
pk_tlv_uint(const struct pk_tlv *t, unsigned int *v)
{
	size_t i;

	if (t->len > 4)
		return SC_ERROR_INVALID_DATA;
	*v = 0;
	for (i = 0; i < t->len; i++)
		*v = *v << 8 | t->value[i];
	return 0;
}
