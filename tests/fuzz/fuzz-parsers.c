/*
 * fuzz-parsers.c: one libFuzzer target over every parser of card
 * responses. The first input byte picks the parser, the rest is the card's
 * answer. The parsers are pure functions over byte buffers (driver/ *-parse.c,
 * pk-tlv.c, pk-rsa.c, and pk-fcache.c's reader of card files and of the
 * persisted cache file; pk-text.c's check of what users type), so nothing
 * else is needed.
 *
 * Copyright (C) 2026 pkicards contributors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stddef.h>
#include <stdint.h>

#include "acos5-parse.h"
#include "pk-fcache.h"
#include "pk-rsa.h"
#include "pk-text.h"
#include "pk-tlv.h"
#include "starcos-parse.h"

#define PK_FUZZ_MAX 512

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
walk_tlv(const u8 *p, size_t n, int depth)
{
	struct pk_cur c;
	struct pk_tlv t;

	pk_cur_init(&c, p, n);
	while (pk_cur_tlv(&c, &t) == 1) {
		if (depth < 4 && (t.tag & 0x20))
			walk_tlv(t.value, t.len, depth + 1);
	}
}

static void
parse_acos5(unsigned int which, const u8 *p, size_t n)
{
	struct acos5_fci fci;
	struct acos5_file_info fi;
	struct acos5_os_version os;
	u8 mod[PK_FUZZ_MAX], exp[16];
	size_t mlen, elen;

	switch (which) {
	case 0:
		acos5_parse_fci(p, n, &fci);
		break;
	case 1:
		acos5_parse_file_info(p, n, &fi);
		break;
	case 2:
		acos5_parse_os_version(p, n, &os);
		break;
	case 3:
		acos5_parse_public_key(p, n, 16, 0, mod, &mlen, exp, &elen);
		break;
	default:
		acos5_parse_public_key(p, n, 8, 1, mod, &mlen, exp, &elen);
		break;
	}
}

static void
parse_starcos(unsigned int which, const u8 *p, size_t n)
{
	struct starcos_fci fci;
	struct starcos2_pubkey pub;
	const u8 *sn;
	size_t len;
	unsigned int fmt;

	switch (which) {
	case 0:
		starcos2_parse_fci(p, n, &fci);
		break;
	case 1:
		starcos3_parse_fcp(p, n, &fci);
		break;
	case 2:
		starcos_parse_gdo_serial(p, n, &sn, &len);
		break;
	case 3:
		starcos_parse_ef_atr(p, n, &len, &len);
		break;
	case 5:
		starcos2_parse_pubkey(p, n, &pub);
		break;
	default:
		starcos3_parse_pin_format(p, n, 0x88, 0x06, &fmt);
		starcos3_parse_pin_format(p, n, 0x83, 0x01, &fmt);
		break;
	}
}

static void
parse_rsa(const u8 *p, size_t n)
{
	u8 out[PK_FUZZ_MAX];
	size_t olen = sizeof(out);
	const u8 *h;
	size_t hlen;

	pk_digest_info_split(p, n, &h, &hlen);
	pk_pkcs1_strip_02(p, n, out, &olen);
}

static void
parse_fcache(unsigned int which, const u8 *p, size_t n)
{
	static const u8 odfpath[] = {0x3F, 0x00, 0x50, 0x15, 0x50, 0x31};
	struct pk_fcache fc = {0};
	u8 paths[8][SC_MAX_PATH_SIZE];
	size_t end, lens[8];

	if (which == 0) {
		pk_fcache_content_end(p, n, &end);
	} else if (which == 2) {
		pk_fcache_odf_paths(p, n, odfpath, sizeof(odfpath), paths, lens, 8);
	} else if (which == 3) {
		pk_fcache_last_update(p, n, &end);
	} else {
		pk_fcache_parse(&fc, p, n);
		pk_fcache_free(&fc);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned int sel;

	if (size < 1)
		return 0;
	sel = data[0];
	data++;
	size--;
	if (sel < 0x10)
		walk_tlv(data, size, 0);
	else if (sel < 0x20)
		parse_acos5(sel & 0x0F, data, size);
	else if (sel < 0x30)
		parse_starcos(sel & 0x0F, data, size);
	else if (sel < 0x40)
		parse_rsa(data, size);
	else if (sel < 0x50)
		parse_fcache(sel & 0x0F, data, size);
	else {
		pk_text_valid_len(data, size);
		pk_text_pin_len(data, size);
	}
	return 0;
}
