/*
 * starcos-parse.h: pure parsers of StarCOS card responses (no card, no
 * context). Fuzz targets call these directly.
 *
 * Copyright (C) 2026 pkicards contributors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef STARCOS_PARSE_H
#define STARCOS_PARSE_H

#include <stddef.h>

#include "pk-buf.h"

enum starcos_ftype {
	STARCOS_FT_UNKNOWN = 0,
	STARCOS_FT_DF,
	STARCOS_FT_TRANSPARENT,
	STARCOS_FT_LINEAR_FIXED,
	STARCOS_FT_LINEAR_VARIABLE,
	STARCOS_FT_CYCLIC,
};

struct starcos_fci {
	enum starcos_ftype type;
	unsigned int fid;
	int has_fid;
	size_t size;
	unsigned int record_len, record_count;
	unsigned int lcs;
	int has_lcs;
	u8 name[16];
	size_t name_len;
};

/** SPK 2.x FCI "6F L ..." (starcos-card.md §3.1.1): 82 01|11 or 3-byte record form, 80 size */
int starcos2_parse_fci(const u8 *buf, size_t len, struct starcos_fci *out);
/** 3.x FCP "62 L ..." or DF FCI "6F L ..." (starcos-card.md §3.2) */
int starcos3_parse_fcp(const u8 *buf, size_t len, struct starcos_fci *out);
/**
 * One record of EF.PWDD (3.4, PIN reference in tag 83) or EF.KEYD (3.5,
 * tag 88): if it describes PIN @p ref, the transmission format byte found
 * under 7B / A4 / 89 (starcos-card.md §1.3).
 * @return 1 found (format in @p fmt), 0 another object, <0 malformed
 */
int starcos3_parse_pin_format(const u8 *rec, size_t len, unsigned int ref_tag,
		unsigned int ref, unsigned int *fmt);
/**
 * EF.ATR: maximum command APDU length from 7F66 (two INTEGERs: command,
 * response; @p max_resp, if not NULL, the second or 0),
 * @return 0 or SC_ERROR_OBJECT_NOT_FOUND / INVALID_DATA
 */
int starcos_parse_ef_atr(const u8 *buf, size_t len, size_t *max_cmd, size_t *max_resp);
/** EF.GDO content: the ICCSN (tag 5A) */
int starcos_parse_gdo_serial(const u8 *buf, size_t len, const u8 **sn, size_t *sn_len);

/** SPK 2.x READ PUBLIC KEY answer / IPF entry (starcos-card.md §2.2, §3.1.1),
 * pointers into the parsed buffer; components are LSB first */
struct starcos2_pubkey {
	unsigned int kid;
	const u8 *n_le;
	size_t n_len;
	const u8 *e_le;
	size_t e_len;
};

/**
 * KID len(2) 9F 0F 00 09 4A tlen(2) | 06 01 01 10 |n| 13 |e|+1 KID | n e 00 |
 * 04 KID: every length is checked against the data, nothing at fixed offsets.
 * @return 0 or SC_ERROR_INVALID_DATA
 */
int starcos2_parse_pubkey(const u8 *buf, size_t len, struct starcos2_pubkey *out);

/**
 * SPK 2.x access-condition byte (starcos-card.md §3.1.2) for "PIN @p ref
 * verified": SO PIN 01/81 -> state 1, PIN KID k -> state 0F - ((k & 0F) >> 1);
 * bit 10 for a DF-local KID (8x). @return the AC byte
 */
u8 starcos2_ac_for_pin(unsigned int ref);
/** state a successful VERIFY of PIN @p ref sets (key header byte 4) */
u8 starcos2_pin_state(unsigned int ref);

#endif
