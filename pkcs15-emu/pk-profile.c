/*
 * pk-profile.c: profile walking for the pkcs15init modules, see pk-profile.h
 *
 * Copyright (C) 2026 pkicards contributors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "libopensc/errors.h"
#include "pk-profile.h"
#include "pk-buf.h"
#include "pk-cardctl.h"

struct file_info *
pk_profile_find(struct sc_profile *profile, const char *ident)
{
	struct file_info *fi;

	for (fi = profile->ef_list; fi; fi = fi->next) {
		if (fi->ident && fi->file && strcasecmp(fi->ident, ident) == 0)
			return fi;
	}
	return NULL;
}

int
pk_profile_file(struct sc_profile *profile, const char *ident, unsigned int fid,
		struct sc_file **out)
{
	struct file_info *fi = pk_profile_find(profile, ident);
	struct sc_file *f;

	*out = NULL;
	if (!fi)
		return SC_ERROR_FILE_NOT_FOUND;
	sc_file_dup(&f, fi->file);
	if (!f)
		return SC_ERROR_OUT_OF_MEMORY;
	if (fid && f->path.len >= 2) {
		f->id = (int)fid;
		f->path.value[f->path.len - 2] = (u8)(fid >> 8);
		f->path.value[f->path.len - 1] = (u8)fid;
	}
	*out = f;
	return 0;
}

struct file_info *
pk_profile_next_child(struct sc_profile *profile, const struct file_info *parent,
		struct file_info *prev)
{
	struct file_info *fi = prev ? prev->next : profile->ef_list;

	while (fi && (fi->parent != parent || !fi->file))
		fi = fi->next;
	return fi;
}

/* Size of a DER TLV with a value of @p vlen bytes (lengths below 64 KiB) */
static size_t
der_size(size_t vlen)
{
	return 1 + (vlen < 0x80 ? 1 : vlen < 0x100 ? 2 : 3) + vlen;
}

/* A positive DER INTEGER from a big-endian number */
static void
der_uint(struct pk_buf *b, const u8 *p, size_t len)
{
	int pad = len && (p[0] & 0x80);

	pk_buf_tag_len(b, 0x02, len + (size_t)pad);
	if (pad)
		pk_buf_u8(b, 0x00);
	pk_buf_bytes(b, p, len);
}

/* OpenSC's decoder allocates the numbers, so that OpenSC frees memory of
 * its own C runtime (on Windows our DLLs may have another heap) */
int
pk_p15_pubkey_from_card(struct sc_context *ctx, struct sc_pkcs15_pubkey *pubkey,
		const struct pk_rsa_pubkey *pub)
{
	u8 mem[16 + 2 * (PK_RSA_MAX_BYTES + 8)];
	size_t nlen, elen;
	struct pk_buf b;
	int r;

	if (!pub->modulus_len || !pub->exponent_len)
		return SC_ERROR_INVALID_DATA;
	nlen = der_size(pub->modulus_len + (pub->modulus[0] >> 7));
	elen = der_size(pub->exponent_len + (pub->exponent[0] >> 7));
	pk_buf_init(&b, mem, sizeof(mem));
	pk_buf_tag_len(&b, 0x30, nlen + elen);
	der_uint(&b, pub->modulus, pub->modulus_len);
	der_uint(&b, pub->exponent, pub->exponent_len);
	r = pk_buf_result(&b);
	if (r < 0)
		return r;
	pubkey->algorithm = SC_ALGORITHM_RSA;
	return sc_pkcs15_decode_pubkey_rsa(ctx, &pubkey->u.rsa, b.data, b.len);
}
