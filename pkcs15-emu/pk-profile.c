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

static int
pk_copy_bignum(struct sc_pkcs15_bignum *bn, const u8 *p, size_t len)
{
	bn->data = malloc(len);
	if (!bn->data)
		return SC_ERROR_OUT_OF_MEMORY;
	memcpy(bn->data, p, len);
	bn->len = len;
	return 0;
}

int
pk_p15_pubkey_from_card(struct sc_pkcs15_pubkey *pubkey, const struct pk_rsa_pubkey *pub)
{
	int r;

	pubkey->algorithm = SC_ALGORITHM_RSA;
	r = pk_copy_bignum(&pubkey->u.rsa.modulus, pub->modulus, pub->modulus_len);
	if (r == 0)
		r = pk_copy_bignum(&pubkey->u.rsa.exponent, pub->exponent, pub->exponent_len);
	return r;
}
