/*
 * starcos-parse.c: pure parsers of StarCOS responses, see starcos-parse.h
 *
 * Copyright (C) 2026 pkicards contributors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>

#include "libopensc/errors.h"
#include "pk-tlv.h"
#include "starcos-parse.h"

typedef int (*starcos_fdb_fn)(const struct pk_tlv *t, struct starcos_fci *out);

/* 2.x: 01 transparent, 11 object EF, {02|07|17} 21 reclen records */
static int
starcos2_fdb(const struct pk_tlv *t, struct starcos_fci *out)
{
	struct pk_cur c;
	unsigned int fdb, x;

	pk_cur_init(&c, t->value, t->len);
	if (pk_cur_u8(&c, &fdb) < 0)
		return SC_ERROR_INVALID_DATA;
	if (t->len == 1 && (fdb == 0x01 || fdb == 0x11)) {
		out->type = STARCOS_FT_TRANSPARENT;
		return 0;
	}
	if (t->len != 3 || pk_cur_u8(&c, &x) < 0 || pk_cur_u8(&c, &out->record_len) < 0)
		return SC_ERROR_INVALID_DATA;
	if (fdb == 0x02 || fdb == 0x17)
		out->type = STARCOS_FT_LINEAR_FIXED;
	else if (fdb == 0x07)
		out->type = STARCOS_FT_CYCLIC;
	else
		return SC_ERROR_INVALID_DATA;
	return 0;
}

/* 3.x: 38 DF; low 3 bits 1 transparent, 2 linear fixed, 4 linear variable,
 * 6 cyclic; record files "xx 41 reclen(2) nrec" */
static int
starcos3_fdb(const struct pk_tlv *t, struct starcos_fci *out)
{
	static const enum starcos_ftype by_bits[8] = {
		STARCOS_FT_UNKNOWN, STARCOS_FT_TRANSPARENT, STARCOS_FT_LINEAR_FIXED,
		STARCOS_FT_LINEAR_FIXED, STARCOS_FT_LINEAR_VARIABLE,
		STARCOS_FT_LINEAR_VARIABLE, STARCOS_FT_CYCLIC, STARCOS_FT_CYCLIC};
	struct pk_cur c;
	unsigned int fdb, dcb;

	pk_cur_init(&c, t->value, t->len);
	if (pk_cur_u8(&c, &fdb) < 0)
		return SC_ERROR_INVALID_DATA;
	out->type = (fdb & 0x38) == 0x38 ? STARCOS_FT_DF : by_bits[fdb & 0x07];
	if (t->len == 1)
		return out->type == STARCOS_FT_UNKNOWN ? SC_ERROR_INVALID_DATA : 0;
	if (t->len != 5 || pk_cur_u8(&c, &dcb) < 0 || pk_cur_u16(&c, &out->record_len) < 0 ||
			pk_cur_u8(&c, &out->record_count) < 0)
		return SC_ERROR_INVALID_DATA;
	return out->type == STARCOS_FT_UNKNOWN ? SC_ERROR_INVALID_DATA : 0;
}

static int
starcos_parse_item(const struct pk_tlv *t, struct starcos_fci *out, starcos_fdb_fn fdb)
{
	unsigned int v;
	int r;

	switch (t->tag) {
	case 0x82:
		return fdb(t, out);
	case 0x83:
		out->has_fid = 1;
		return t->len == 2 ? pk_tlv_uint(t, &out->fid) : SC_ERROR_INVALID_DATA;
	case 0x80:
	case 0xC5:
		if (t->len == 0 || t->len > 2)
			return SC_ERROR_INVALID_DATA;
		r = pk_tlv_uint(t, &v);
		if (t->tag == 0x80 || out->size == 0)
			out->size = v;
		return r;
	case 0x84:
		if (t->len > sizeof(out->name))
			return SC_ERROR_INVALID_DATA;
		memcpy(out->name, t->value, t->len);
		out->name_len = t->len;
		return 0;
	case 0x8A:
		out->has_lcs = 1;
		return t->len == 1 ? pk_tlv_uint(t, &out->lcs) : SC_ERROR_INVALID_DATA;
	default:
		return 0;
	}
}

static int
starcos_parse(const u8 *buf, size_t len, struct starcos_fci *out, starcos_fdb_fn fdb)
{
	struct pk_cur outer, c;
	struct pk_tlv t;
	int r, is_fci;

	memset(out, 0, sizeof(*out));
	pk_cur_init(&outer, buf, len);
	if (pk_cur_tlv(&outer, &t) != 1 || (t.tag != 0x6F && t.tag != 0x62))
		return SC_ERROR_INVALID_DATA;
	is_fci = t.tag == 0x6F;
	pk_cur_init(&c, t.value, t.len);
	while ((r = pk_cur_tlv(&c, &t)) == 1) {
		r = starcos_parse_item(&t, out, fdb);
		if (r < 0)
			return r;
	}
	if (r < 0)
		return SC_ERROR_INVALID_DATA;
	if (out->record_len && out->record_count && out->size == 0)
		out->size = (size_t)out->record_len * out->record_count;
	if (out->type == STARCOS_FT_UNKNOWN && is_fci && fdb == starcos3_fdb)
		out->type = STARCOS_FT_DF; /* 3.x DFs answer a bare FCI */
	return out->type == STARCOS_FT_UNKNOWN ? SC_ERROR_INVALID_DATA : 0;
}

int
starcos2_parse_fci(const u8 *buf, size_t len, struct starcos_fci *out)
{
	return starcos_parse(buf, len, out, starcos2_fdb);
}

int
starcos3_parse_fcp(const u8 *buf, size_t len, struct starcos_fci *out)
{
	return starcos_parse(buf, len, out, starcos3_fdb);
}

int
starcos_parse_gdo_serial(const u8 *buf, size_t len, const u8 **sn, size_t *sn_len)
{
	struct pk_tlv t;
	int r = pk_tlv_find(buf, len, 0x5A, &t);

	if (r < 0)
		return SC_ERROR_INVALID_DATA;
	if (r == 0 || t.len == 0)
		return SC_ERROR_OBJECT_NOT_FOUND;
	*sn = t.value;
	*sn_len = t.len;
	return 0;
}

int
starcos3_parse_pin_format(const u8 *rec, size_t len, unsigned int ref_tag,
		unsigned int ref, unsigned int *fmt)
{
	struct pk_tlv t, a4, f;
	unsigned int v;
	int r;

	r = pk_tlv_find(rec, len, ref_tag, &t);
	if (r <= 0)
		return r < 0 ? SC_ERROR_INVALID_DATA : 0;
	if (pk_tlv_uint(&t, &v) < 0 || t.len != 1 || v != ref)
		return 0;
	if (pk_tlv_find(rec, len, 0x7B, &t) != 1 || pk_tlv_find(t.value, t.len, 0xA4, &a4) != 1 ||
			pk_tlv_find(a4.value, a4.len, 0x89, &f) != 1 || f.len != 1)
		return SC_ERROR_INVALID_DATA;
	return pk_tlv_uint(&f, fmt) < 0 ? SC_ERROR_INVALID_DATA : 1;
}

int
starcos_parse_ef_atr(const u8 *buf, size_t len, size_t *max_cmd, size_t *max_resp)
{
	struct pk_tlv t, i;
	struct pk_cur c;
	unsigned int v;
	int r = pk_tlv_find(buf, len, 0x7F66, &t);

	if (r <= 0)
		return r < 0 ? SC_ERROR_INVALID_DATA : SC_ERROR_OBJECT_NOT_FOUND;
	pk_cur_init(&c, t.value, t.len);
	if (pk_cur_tlv(&c, &i) != 1 || i.tag != 0x02 || pk_tlv_uint(&i, &v) < 0)
		return SC_ERROR_INVALID_DATA;
	*max_cmd = v;
	if (max_resp) /* the second INTEGER, 0 when absent */
		*max_resp = pk_cur_tlv(&c, &i) == 1 && i.tag == 0x02 && pk_tlv_uint(&i, &v) == 0 ? v : 0;
	return 0;
}

u8
starcos2_pin_state(unsigned int ref)
{
	return (ref & 0x7F) == 0x01 ? 0x01 : (u8)(0x0F - ((ref & 0x0F) >> 1));
}

u8
starcos2_ac_for_pin(unsigned int ref)
{
	return (u8)((ref & 0x80 ? 0x10 : 0x00) | starcos2_pin_state(ref));
}

/* 06 01 01 10 |n| 13 |e|+1 KID: the tags of the template header */
static int
starcos2_pubkey_template(struct pk_cur *c, size_t *n_len, size_t *e_len)
{
	unsigned int v[8];
	size_t i;

	for (i = 0; i < 8; i++) {
		if (pk_cur_u8(c, &v[i]) < 0)
			return SC_ERROR_INVALID_DATA;
	}
	if (v[0] != 0x06 || v[3] != 0x10 || v[5] != 0x13 || v[4] == 0 || v[6] < 2)
		return SC_ERROR_INVALID_DATA;
	*n_len = v[4];
	*e_len = v[6] - 1;
	return 0;
}

int
starcos2_parse_pubkey(const u8 *buf, size_t len, struct starcos2_pubkey *out)
{
	struct pk_cur c, t;
	const u8 *skip, *tmpl;
	unsigned int kid, elen, tlen;

	memset(out, 0, sizeof(*out));
	pk_cur_init(&c, buf, len);
	if (pk_cur_u8(&c, &kid) < 0 || pk_cur_u16(&c, &elen) < 0 || pk_cur_bytes(&c, 5, &skip) < 0 ||
			pk_cur_u16(&c, &tlen) < 0 || !(tlen & 0x8000))
		return SC_ERROR_INVALID_DATA;
	tlen &= 0x7FFF;
	if (pk_cur_bytes(&c, tlen, &tmpl) < 0)
		return SC_ERROR_INVALID_DATA;
	pk_cur_init(&t, tmpl, tlen);
	if (starcos2_pubkey_template(&t, &out->n_len, &out->e_len) < 0 ||
			pk_cur_bytes(&t, out->n_len, &out->n_le) < 0 ||
			pk_cur_bytes(&t, out->e_len, &out->e_le) < 0)
		return SC_ERROR_INVALID_DATA;
	out->kid = kid;
	return 0;
}
