/*
 * acos5-parse.c: pure parsers of ACOS5 responses, see acos5-parse.h
 *
 * Copyright (C) 2026 pkicards contributors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>

#include "libopensc/errors.h"
#include "acos5-parse.h"
#include "pk-tlv.h"

int
acos5_fdb_is_df(unsigned int fdb)
{
	return fdb == ACOS5_FDB_DF || fdb == ACOS5_FDB_MF;
}

/* 82: FDB [DCB [00 MRL NOR | 00 MRL 00 NOR]] */
static int
acos5_parse_fdb(const struct pk_tlv *t, struct acos5_fci *out)
{
	struct pk_cur c;
	unsigned int skip;

	pk_cur_init(&c, t->value, t->len);
	if (pk_cur_u8(&c, &out->fdb) < 0)
		return SC_ERROR_INVALID_DATA;
	if (t->len >= 2 && pk_cur_u8(&c, &out->dcb) < 0)
		return SC_ERROR_INVALID_DATA;
	if (t->len == 5)
		return (pk_cur_u8(&c, &skip) || pk_cur_u8(&c, &out->mrl) ||
					pk_cur_u8(&c, &out->nor))
				? SC_ERROR_INVALID_DATA : 0;
	if (t->len == 6)
		return (pk_cur_u8(&c, &skip) || pk_cur_u8(&c, &out->mrl) ||
					pk_cur_u8(&c, &skip) || pk_cur_u8(&c, &out->nor))
				? SC_ERROR_INVALID_DATA : 0;
	return t->len <= 2 ? 0 : SC_ERROR_INVALID_DATA;
}

/* 8C: AM byte, then one SCB per AM bit set, bit 6 first (acos5-card.md §3.3) */
static int
acos5_parse_sac(const struct pk_tlv *t, struct acos5_fci *out)
{
	struct pk_cur c;
	unsigned int am, scb;
	int bit;

	memset(out->scb, 0, sizeof(out->scb));
	out->flags |= ACOS5_FCI_HAS_SAC;
	if (t->len == 0)
		return 0;
	pk_cur_init(&c, t->value, t->len);
	if (pk_cur_u8(&c, &am) < 0 || (am & 0x80))
		return SC_ERROR_INVALID_DATA;
	for (bit = ACOS5_SCB_COUNT - 1; bit >= 0; bit--) {
		if (!(am & (1u << bit)))
			continue;
		if (pk_cur_u8(&c, &scb) < 0)
			return SC_ERROR_INVALID_DATA;
		out->scb[bit] = (u8)scb;
	}
	return c.left == 0 ? 0 : SC_ERROR_INVALID_DATA;
}

static int
acos5_parse_u16(const struct pk_tlv *t, unsigned int *v)
{
	if (t->len != 2)
		return SC_ERROR_INVALID_DATA;
	return pk_tlv_uint(t, v);
}

static int
acos5_parse_u8(const struct pk_tlv *t, unsigned int *v)
{
	if (t->len != 1)
		return SC_ERROR_INVALID_DATA;
	return pk_tlv_uint(t, v);
}

static int
acos5_parse_fci_item(const struct pk_tlv *t, struct acos5_fci *out)
{
	unsigned int v;
	int r;

	switch (t->tag) {
	case 0x83:
		return acos5_parse_u16(t, &out->fid);
	case 0x82:
		return acos5_parse_fdb(t, out);
	case 0x80:
		out->flags |= ACOS5_FCI_HAS_SIZE;
		r = acos5_parse_u16(t, &v);
		out->size = v;
		return r;
	case 0x88:
		out->flags |= ACOS5_FCI_HAS_SFI;
		return t->len == 0 ? 0 : acos5_parse_u8(t, &out->sfi);
	case 0x8A:
		out->flags |= ACOS5_FCI_HAS_LCSI;
		return acos5_parse_u8(t, &out->lcsi);
	case 0x8C:
		return acos5_parse_sac(t, out);
	case 0x8D:
		out->flags |= ACOS5_FCI_HAS_SE;
		return acos5_parse_u16(t, &out->se_fid);
	case 0x84:
		if (t->len > sizeof(out->name))
			return SC_ERROR_INVALID_DATA;
		memcpy(out->name, t->value, t->len);
		out->name_len = t->len;
		return 0;
	default: /* AB (SAE) and anything else: not needed here */
		return 0;
	}
}

int
acos5_parse_fci(const u8 *buf, size_t len, struct acos5_fci *out)
{
	struct pk_cur outer, c;
	struct pk_tlv t;
	int r;

	memset(out, 0, sizeof(*out));
	pk_cur_init(&outer, buf, len);
	if (pk_cur_tlv(&outer, &t) != 1 || (t.tag != 0x6F && t.tag != 0x62))
		return SC_ERROR_INVALID_DATA;
	pk_cur_init(&c, t.value, t.len);
	while ((r = pk_cur_tlv(&c, &t)) == 1) {
		r = acos5_parse_fci_item(&t, out);
		if (r < 0)
			return r;
	}
	if (r < 0)
		return SC_ERROR_INVALID_DATA;
	return out->fdb != 0 ? 0 : SC_ERROR_INVALID_DATA;
}

int
acos5_parse_file_info(const u8 *buf, size_t len, struct acos5_file_info *out)
{
	struct pk_cur c;

	pk_cur_init(&c, buf, len);
	if (pk_cur_u8(&c, &out->fdb) || pk_cur_u8(&c, &out->dcb) ||
			pk_cur_u16(&c, &out->fid) || pk_cur_u16(&c, &out->size_or_mrl_nor) ||
			pk_cur_u8(&c, &out->sfi) || pk_cur_u8(&c, &out->lcsi) || c.left != 0)
		return SC_ERROR_INVALID_DATA;
	return 0;
}

int
acos5_parse_os_version(const u8 *buf, size_t len, struct acos5_os_version *out)
{
	static const u8 magic[5] = {'A', 'C', 'O', 'S', 0x05};
	const u8 *p;
	struct pk_cur c;

	pk_cur_init(&c, buf, len);
	if (pk_cur_bytes(&c, sizeof(magic), &p) || memcmp(p, magic, sizeof(magic)) != 0)
		return SC_ERROR_INVALID_CARD;
	if (pk_cur_u8(&c, &out->major) || pk_cur_u8(&c, &out->minor) ||
			pk_cur_u8(&c, &out->cap) || c.left != 0)
		return SC_ERROR_INVALID_DATA;
	return 0;
}

static void
acos5_copy_be(u8 *dst, const u8 *src, size_t n, int little_endian)
{
	size_t i;

	for (i = 0; i < n; i++)
		dst[i] = little_endian ? src[n - 1 - i] : src[i];
}

int
acos5_parse_public_key(const u8 *buf, size_t len, size_t exp_len, int little_endian,
		u8 *mod, size_t *mod_len, u8 *exp, size_t *exp_len_out)
{
	struct pk_cur c;
	const u8 *e, *m;
	unsigned int zero, len_code, partner, flags;
	size_t n, skip = 0;

	pk_cur_init(&c, buf, len);
	if (pk_cur_u8(&c, &zero) || pk_cur_u8(&c, &len_code) || pk_cur_u16(&c, &partner) ||
			pk_cur_u8(&c, &flags) || zero != 0 || len_code == 0 || len_code > 32)
		return SC_ERROR_INVALID_DATA;
	n = (size_t)len_code * 16;
	if (pk_cur_bytes(&c, exp_len, &e) || pk_cur_bytes(&c, n, &m) || c.left != 0)
		return SC_ERROR_INVALID_DATA;
	acos5_copy_be(mod, m, n, little_endian);
	*mod_len = n;
	acos5_copy_be(exp, e, exp_len, little_endian);
	while (skip < exp_len && exp[skip] == 0)
		skip++;
	if (skip == exp_len)
		return SC_ERROR_INVALID_DATA;
	memmove(exp, exp + skip, exp_len - skip);
	*exp_len_out = exp_len - skip;
	return 0;
}

int
acos5_public_key_partner(const u8 *buf, size_t len, unsigned int *fid)
{
	struct pk_cur c;
	unsigned int zero, len_code, partner;

	pk_cur_init(&c, buf, len);
	if (pk_cur_u8(&c, &zero) || pk_cur_u8(&c, &len_code) || pk_cur_u16(&c, &partner) || zero != 0)
		return SC_ERROR_INVALID_DATA;
	*fid = partner;
	return 0;
}

int
acos5_fdb_is_record(unsigned int fdb)
{
	switch (fdb) {
	case ACOS5_FDB_LINEAR_FIXED:
	case ACOS5_FDB_LINEAR_VARIABLE:
	case ACOS5_FDB_CYCLIC:
	case ACOS5_FDB_CHV:
	case ACOS5_FDB_SYM_KEY:
	case ACOS5_FDB_PURSE:
	case ACOS5_FDB_SE:
		return 1;
	default:
		return 0;
	}
}

/* 82: FDB DCB, and "00 MRL 00 NOR" for record files */
static void
acos5_build_fdb(const struct acos5_fci *in, struct pk_buf *b)
{
	if (acos5_fdb_is_record(in->fdb)) {
		pk_buf_tag_len(b, 0x82, 6);
		pk_buf_u8(b, in->fdb);
		pk_buf_u8(b, 0x00);
		pk_buf_u8(b, 0x00);
		pk_buf_u8(b, in->mrl);
		pk_buf_u8(b, 0x00);
		pk_buf_u8(b, in->nor);
		return;
	}
	pk_buf_tag_len(b, 0x82, 2);
	pk_buf_u8(b, in->fdb);
	pk_buf_u8(b, 0x00);
}

int
acos5_build_fcp(const struct acos5_fci *in, struct pk_buf *out)
{
	u8 mem[64];
	struct pk_buf b;
	int bit;

	if (in->fid > 0xFFFF || in->fdb == 0 || in->fdb > 0xFF || in->name_len > sizeof(in->name) ||
			(acos5_fdb_is_record(in->fdb) && (in->mrl == 0 || in->mrl > 0xFF ||
					in->nor == 0 || in->nor > 0xFF)) ||
			((in->flags & ACOS5_FCI_HAS_SIZE) && in->size > 0xFFFF))
		return SC_ERROR_INVALID_ARGUMENTS;
	pk_buf_init(&b, mem, sizeof(mem));
	pk_buf_tag_len(&b, 0x83, 2);
	pk_buf_u16(&b, in->fid);
	acos5_build_fdb(in, &b);
	if (in->flags & ACOS5_FCI_HAS_SIZE) {
		pk_buf_tag_len(&b, 0x80, 2);
		pk_buf_u16(&b, (unsigned int)in->size);
	}
	if (in->flags & ACOS5_FCI_HAS_SE) {
		pk_buf_tag_len(&b, 0x8D, 2);
		pk_buf_u16(&b, in->se_fid);
	}
	if (in->name_len)
		pk_buf_tlv(&b, 0x84, in->name, in->name_len);
	pk_buf_tag_len(&b, 0x8C, 1 + ACOS5_SCB_COUNT);
	pk_buf_u8(&b, 0x7F);
	for (bit = ACOS5_SCB_COUNT - 1; bit >= 0; bit--)
		pk_buf_u8(&b, in->scb[bit]);
	if (pk_buf_result(&b) < 0)
		return SC_ERROR_BUFFER_TOO_SMALL;
	pk_buf_tlv(out, 0x62, b.data, b.len);
	return pk_buf_result(out);
}

/* AT (A4): 83 01 ref ... [95 01 UQB]; PIN references when UQB has bit 08 or is absent */
static int
acos5_at_chv(const struct pk_tlv *at, struct acos5_se_chv *out)
{
	struct pk_cur c;
	struct pk_tlv t;
	unsigned int uqb = 0x08;
	int r;

	pk_cur_init(&c, at->value, at->len);
	while ((r = pk_cur_tlv(&c, &t)) == 1) {
		if (t.tag == 0x83 && t.len == 1 && out->count < ACOS5_SE_MAX_REFS)
			out->refs[out->count++] = t.value[0];
		else if (t.tag == 0x95 && t.len == 1)
			uqb = t.value[0];
	}
	if (r < 0)
		return SC_ERROR_INVALID_DATA;
	if (!(uqb & 0x08))
		out->count = 0;
	return out->count ? 1 : 0;
}

int
acos5_se_record_chv(const u8 *rec, size_t len, unsigned int se_id, struct acos5_se_chv *out)
{
	struct pk_cur c;
	struct pk_tlv t;
	int r;

	memset(out, 0, sizeof(*out));
	pk_cur_init(&c, rec, len);
	r = pk_cur_tlv(&c, &t);
	if (r != 1 || t.tag != 0x80 || t.len != 1)
		return SC_ERROR_INVALID_DATA;
	if (t.value[0] != se_id)
		return 0;
	while ((r = pk_cur_tlv(&c, &t)) == 1) {
		if (t.tag == 0xA4)
			return acos5_at_chv(&t, out);
	}
	return r < 0 ? SC_ERROR_INVALID_DATA : 0;
}

unsigned int
acos5_se_convention(int in_mf, unsigned int se_id)
{
	if (in_mf)
		return se_id == 1 ? 0x01 : 0;
	switch (se_id) {
	case 1:
	case 4:
		return 0x81;
	case 3:
		return 0x01;
	default:
		return 0;
	}
}

int
acos5_se_next_record(const u8 *buf, size_t len, size_t off)
{
	struct pk_cur c;
	struct pk_tlv t;
	size_t start;
	int r;

	if (off >= len)
		return 0;
	pk_cur_init(&c, buf + off, len - off);
	start = c.left;
	r = pk_cur_tlv(&c, &t);
	if (r != 1 || t.tag != 0x80)
		return SC_ERROR_INVALID_DATA;
	for (;;) {
		struct pk_cur peek = c;

		r = pk_cur_tlv(&peek, &t);
		if (r < 0)
			return SC_ERROR_INVALID_DATA;
		if (r == 0 || t.tag == 0x80)
			break;
		c = peek;
	}
	return (int)(start - c.left);
}

static void
acos5_put_padded(struct pk_buf *b, const u8 *p, size_t n, u8 pad)
{
	size_t i;

	pk_buf_bytes(b, p, n);
	for (i = n; i < 8; i++)
		pk_buf_u8(b, pad);
}

int
acos5_build_pin_record(const struct acos5_pin_record *in, int v1, struct pk_buf *out)
{
	unsigned int id = in->ref & 0x1F;

	if (!id || (in->ref & 0x60) || !in->pin || in->pin_len == 0 || in->pin_len > 8 ||
			in->tries == 0 || in->tries > 15 ||
			(in->puk && (in->puk_len == 0 || in->puk_len > 8 ||
					in->puk_tries == 0 || in->puk_tries > 15)))
		return SC_ERROR_INVALID_ARGUMENTS;
	pk_buf_u8(out, 0x80 | ((in->puk && !v1) ? 0x40 : 0) | id);
	pk_buf_u8(out, in->tries << 4 | in->tries);
	if (v1) {
		acos5_put_padded(out, in->pin, in->pin_len, in->pad);
		return pk_buf_result(out);
	}
	pk_buf_u8(out, 8);
	acos5_put_padded(out, in->pin, in->pin_len, in->pad);
	if (in->puk) {
		pk_buf_u8(out, in->puk_tries << 4 | in->puk_tries);
		pk_buf_u8(out, 8);
		acos5_put_padded(out, in->puk, in->puk_len, in->pad);
	} else {
		pk_buf_u8(out, 0x00);
		pk_buf_u8(out, 8);
		acos5_put_padded(out, NULL, 0, in->pad);
	}
	return pk_buf_result(out);
}

/* @p v right-aligned in @p width bytes (leading zeros of @p v dropped),
 * LSB first when @p le; 0, or SC_ERROR_INVALID_ARGUMENTS if it does not fit */
static int
acos5_put_num(struct pk_buf *b, const struct pk_bn *v, size_t width, int le)
{
	const u8 *p = v->data;
	size_t n = p ? v->len : 0, i;

	while (n && *p == 0) {
		p++;
		n--;
	}
	if (n > width)
		return SC_ERROR_INVALID_ARGUMENTS;
	if (le) {
		for (i = n; i > 0; i--)
			pk_buf_u8(b, p[i - 1]);
	}
	for (i = n; i < width; i++)
		pk_buf_u8(b, 0x00);
	if (!le)
		pk_buf_bytes(b, p, n);
	return 0;
}

static int
acos5_key_header(const struct pk_acos5_import *k, u8 type, unsigned int partner, struct pk_buf *out)
{
	if (k->bits < 512 || k->bits > 4096 || k->bits % 128 != 0 || partner > 0xFFFF)
		return SC_ERROR_INVALID_ARGUMENTS;
	pk_buf_u8(out, type);
	pk_buf_u8(out, k->bits / 128);
	pk_buf_u16(out, partner);
	pk_buf_u8(out, ACOS5_KEY_COMPLETE);
	return 0;
}

int
acos5_build_public_key(const struct pk_acos5_import *k, size_t exp_len, int le, struct pk_buf *out)
{
	int r = acos5_key_header(k, 0x00, k->priv_fid, out);

	if (r == 0)
		r = acos5_put_num(out, &k->e, exp_len, le);
	if (r == 0)
		r = acos5_put_num(out, &k->n, k->bits / 8, le);
	return r < 0 ? r : pk_buf_result(out);
}

int
acos5_build_private_key(const struct pk_acos5_import *k, u8 type, int le, struct pk_buf *out)
{
	const struct pk_bn *parts[5] = {&k->p, &k->q, &k->dp, &k->dq, &k->qinv};
	size_t i;
	int r = acos5_key_header(k, type, k->pub_fid, out);

	for (i = 0; r == 0 && i < 5; i++)
		r = acos5_put_num(out, parts[i], k->bits / 16, le);
	return r < 0 ? r : pk_buf_result(out);
}
