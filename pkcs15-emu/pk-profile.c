/*
 * pk-profile.c: profile walking for the pkcs15init modules, see pk-profile.h
 *
 * Copyright (C) 2026 pkicards contributors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "libopensc/errors.h"
#include "libopensc/log.h"
#include "pk-profile.h"
#include "pk-buf.h"
#include "pk-cardctl.h"
#include "pk-cmdline.h"
#include "pk-text.h"

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
pk_profile_by_path(struct sc_profile *profile, const struct sc_path *path)
{
	struct file_info *fi;

	for (fi = profile->ef_list; fi; fi = fi->next) {
		if (fi->file && sc_compare_path(&fi->file->path, path))
			return fi;
	}
	return NULL;
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

int
pk_p15_refuse(struct sc_context *ctx, int code, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	sc_log(ctx, "refused: %s", msg);
	fprintf(stderr, "pkicards: %s; nothing was written to the card\n", msg);
	return code;
}

int
pk_p15_login_needed(struct sc_context *ctx, int r, const char *what)
{
	u8 v[64];
	size_t n = sizeof(v);
	int given;

	if (r != SC_ERROR_INVALID_PIN_LENGTH)
		return r;
	given = pk_cmdline_secret(ctx, "pin", v, &n) == 0; /* pkcs15-init --pin: a real length error */
	sc_mem_clear(v, sizeof(v));
	if (given)
		return r;
	return pk_p15_refuse(ctx, SC_ERROR_SECURITY_STATUS_NOT_SATISFIED,
			"%s needs the user PIN, which this program did not give: log in first "
			"(PKCS#11 C_Login: pkcs11-tool --login; NSS's certutil -A and -D do not, doc/clients.md)",
			what);
}

int
pk_p15_second_user_pin(struct sc_pkcs15_card *p15card, const struct sc_pkcs15_auth_info *auth)
{
	const unsigned int other = SC_PKCS15_PIN_FLAG_SO_PIN | SC_PKCS15_PIN_FLAG_UNBLOCKING_PIN;
	struct sc_context *ctx = p15card->card->ctx;
	struct sc_pkcs15_object *objs[16];
	int n, i;

	if (!ctx->app_name || strcmp(ctx->app_name, "opensc-pkcs11") != 0 ||
			auth->auth_type != SC_PKCS15_PIN_AUTH_TYPE_PIN || (auth->attrs.pin.flags & other))
		return 0;
	n = sc_pkcs15_get_objects(p15card, SC_PKCS15_TYPE_AUTH_PIN, objs, 16);
	for (i = 0; i < n; i++) {
		const struct sc_pkcs15_auth_info *a = objs[i]->data;

		if (a && a->auth_type == SC_PKCS15_PIN_AUTH_TYPE_PIN && !(a->attrs.pin.flags & other))
			/* --auth-id: without it pkcs15-tool takes the first PIN, the SO PIN in our layouts */
			return pk_p15_refuse(ctx, SC_ERROR_NOT_SUPPORTED,
					"this token has its user PIN already (\"%.*s\"): C_InitPIN would add a "
					"second PIN that guards no key. Change the user PIN with C_SetPIN "
					"(pkcs11-tool --login --change-pin), or unblock it with its PUK "
					"(pkcs15-tool --unblock-pin --auth-id %s)",
					(int)strnlen(objs[i]->label, sizeof(objs[i]->label)), objs[i]->label,
					sc_pkcs15_print_id(&a->auth_id));
	}
	return 0;
}

/* Two big-endian numbers equal, leading zero bytes ignored */
static int
p15_bn_equal(const struct sc_pkcs15_bignum *a, const struct sc_pkcs15_bignum *b)
{
	const u8 *pa = a->data, *pb = b->data;
	size_t la = pa ? a->len : 0, lb = pb ? b->len : 0;

	for (; la && !*pa; la--)
		pa++;
	for (; lb && !*pb; lb--)
		pb++;
	return la == lb && (la == 0 || memcmp(pa, pb, la) == 0);
}

/* RSA and EC public numbers of @p a and @p b: 1 equal, 0 not, -1 another
 * kind of key */
static int
p15_pubkey_equal(const struct sc_pkcs15_pubkey *a, const struct sc_pkcs15_pubkey *b)
{
	if (a->algorithm != b->algorithm)
		return 0;
	switch (a->algorithm) {
	case SC_ALGORITHM_RSA:
		return p15_bn_equal(&a->u.rsa.modulus, &b->u.rsa.modulus) &&
		       p15_bn_equal(&a->u.rsa.exponent, &b->u.rsa.exponent);
	case SC_ALGORITHM_EC:
		return a->u.ec.ecpointQ.len == b->u.ec.ecpointQ.len && a->u.ec.ecpointQ.value &&
		       b->u.ec.ecpointQ.value &&
		       memcmp(a->u.ec.ecpointQ.value, b->u.ec.ecpointQ.value, a->u.ec.ecpointQ.len) == 0;
	default:
		return -1;
	}
}

int
pk_p15_check_cert_key(struct sc_pkcs15_card *p15card, const struct sc_pkcs15_object *obj,
		const struct sc_pkcs15_der *der)
{
	struct sc_context *ctx = p15card->card->ctx;
	const struct sc_pkcs15_cert_info *cert = obj->data;
	struct sc_pkcs15_object *pub_obj = NULL;
	struct sc_pkcs15_pubkey *in_cert = NULL, *on_card = NULL;
	struct sc_pkcs15_der blob;
	char id[2 * SC_PKCS15_MAX_ID_SIZE + 1];
	int r;

	if ((obj->type & SC_PKCS15_TYPE_CLASS_MASK) != SC_PKCS15_TYPE_CERT || !cert || cert->authority ||
			!der || !der->value || !der->len || !cert->id.len ||
			sc_pkcs15_find_prkey_by_id(p15card, &cert->id, NULL) != 0 ||
			sc_pkcs15_find_pubkey_by_id(p15card, &cert->id, &pub_obj) != 0)
		return 0;
	blob = *der;
	if (sc_pkcs15_pubkey_from_cert(ctx, &blob, &in_cert) < 0)
		return 0;
	r = sc_pkcs15_read_pubkey(p15card, pub_obj, &on_card);
	if (r < 0) { /* not checked: the store goes on and meets the card's error, if any */
		sc_log(ctx, "the public key %s is not readable (%s): certificate not checked",
				sc_pkcs15_print_id(&cert->id), sc_strerror(r));
		sc_pkcs15_free_pubkey(in_cert);
		return 0;
	}
	r = p15_pubkey_equal(in_cert, on_card);
	sc_pkcs15_free_pubkey(in_cert);
	sc_pkcs15_free_pubkey(on_card);
	if (r != 0)
		return 0;
	snprintf(id, sizeof(id), "%s", sc_pkcs15_print_id(&cert->id));
	return pk_p15_refuse(ctx, SC_ERROR_INVALID_ARGUMENTS,
			"the certificate is not for key %s on this card (its public key differs): store it "
			"with the ID of the key it was issued for (pkcs15-tool --list-public-keys), or request "
			"a certificate for this key (pkcs15-tool --read-public-key %s)",
			id, id);
}

/* a new PIN or PUK of printable ASCII (pk_text_pin_len) */
static int
p15_check_pin_chars(struct sc_context *ctx, const u8 *v, size_t len, const char *what)
{
	size_t ok = v ? pk_text_pin_len(v, len) : len;

	if (ok == len)
		return 0;
	return pk_p15_refuse(ctx, SC_ERROR_INVALID_ARGUMENTS,
			"the %s has a character outside ASCII (character %zu), which Linux and Windows send as "
			"different bytes: it would not be accepted on the other system. Use letters a-z and A-Z, "
			"digits and punctuation only",
			what, ok + 1);
}

int
pk_p15_check_create_args(struct sc_context *ctx)
{
	static const char *const so[][2] = {{"so-pin", "SO PIN"}, {"so-puk", "SO PUK"}};
	unsigned char label[256], v[64];
	size_t len = sizeof(label), text, i, n;
	int r = pk_cmdline_secret(ctx, "label", label, &len);

	if (r == SC_ERROR_BUFFER_TOO_SMALL || (r == 0 && len > 32))
		return pk_p15_refuse(ctx, SC_ERROR_INVALID_ARGUMENTS,
				"the token label has at most 32 bytes (PKCS#11 shows no more), not %s",
				r == 0 ? "more" : "more than 255");
	/* the card keeps it as a UTF8String, and PKCS#11 hands it on as UTF-8 */
	text = r == 0 ? pk_text_valid_len(label, len) : len;
	if (text != len)
		return pk_p15_refuse(ctx, SC_ERROR_INVALID_ARGUMENTS,
				"the token label is not UTF-8 text without control characters (byte %zu is %s): "
				PK_TEXT_ARG_HINT,
				text + 1, label[text] < 0x80 ? "a control character" : "not UTF-8");
	/* the SO PIN is stored after the MF and the application DF are made */
	for (i = 0, r = 0; i < sizeof(so) / sizeof(so[0]) && r == 0; i++) {
		n = sizeof(v);
		if (pk_cmdline_secret(ctx, so[i][0], v, &n) == 0)
			r = p15_check_pin_chars(ctx, v, n, so[i][1]);
	}
	sc_mem_clear(v, sizeof(v));
	return r;
}

int
pk_p15_check_new_pins(struct sc_context *ctx, const struct sc_pkcs15_auth_info *auth, const u8 *pin,
		size_t pin_len, const struct sc_pkcs15_auth_info *puk_info, const u8 *puk, size_t puk_len,
		size_t card_max)
{
	int so = (auth->attrs.pin.flags & SC_PKCS15_PIN_FLAG_SO_PIN) != 0;
	size_t min = auth->attrs.pin.min_length ? auth->attrs.pin.min_length : 1;
	size_t max = auth->attrs.pin.max_length && auth->attrs.pin.max_length < card_max ?
			     auth->attrs.pin.max_length : card_max;
	int r;

	if (pin_len < min || pin_len > max)
		return pk_p15_refuse(ctx, SC_ERROR_INVALID_PIN_LENGTH,
				"the %s must have %zu to %zu characters, not %zu", so ? "SO PIN" : "PIN", min,
				max, pin_len);
	r = p15_check_pin_chars(ctx, pin, pin_len, so ? "SO PIN" : "PIN");
	if (r < 0 || !puk_len)
		return r;
	if (puk_info && puk_info->attrs.pin.min_length)
		min = puk_info->attrs.pin.min_length;
	if (puk_len < min || puk_len > card_max)
		return pk_p15_refuse(ctx, SC_ERROR_INVALID_PIN_LENGTH,
				"the %s must have %zu to %zu characters, not %zu", so ? "SO PUK" : "PUK", min,
				card_max, puk_len);
	return p15_check_pin_chars(ctx, puk, puk_len, so ? "SO PUK" : "PUK");
}

int
pk_p15_check_profile_options(struct sc_context *ctx, const struct sc_profile *profile, const char *family)
{
	const char *opt = profile->options[0];

	if (!opt)
		return 0;
	if (!strcmp(opt, "onepin"))
		return pk_p15_refuse(ctx, SC_ERROR_NOT_SUPPORTED,
				"%s cards are personalised with an SO PIN and a user PIN, not with one PIN "
				"('+onepin'): pkcs15-init --create-pkcs15 --so-pin SOPIN --so-puk SOPUK, then "
				"pkcs15-init --store-pin --auth-id 01 --pin PIN --puk PUK --so-pin SOPIN",
				family);
	return pk_p15_refuse(ctx, SC_ERROR_NOT_SUPPORTED,
			"the %s profile has no option '%s': give --profile %s without '+%s'", family, opt,
			profile->name ? profile->name : "pkcs15", opt);
}

int
pk_p15_tokeninfo_missing(struct sc_profile *profile, struct sc_card *card)
{
	struct file_info *ti = pk_profile_find(profile, "PKCS15-TokenInfo");
	struct sc_pkcs15_tokeninfo *info;
	struct sc_file *file = NULL;
	u8 buf[1024];
	int r, missing = 1;

	if (!ti)
		return 0;
	r = sc_select_file(card, &ti->file->path, &file);
	if (r == SC_ERROR_FILE_NOT_FOUND)
		return 1;
	if (r < 0)
		return r;
	r = sc_read_binary(card, 0, buf, file->size && file->size < sizeof(buf) ? file->size : sizeof(buf), 0);
	sc_file_free(file);
	if (r == SC_ERROR_CARD_REMOVED || r == SC_ERROR_CARD_RESET)
		return r;
	info = r > 0 ? sc_pkcs15_tokeninfo_new() : NULL;
	if (info) {
		missing = sc_pkcs15_parse_tokeninfo(card->ctx, info, buf, (size_t)r) != 0;
		sc_pkcs15_free_tokeninfo(info);
	}
	return missing;
}

/* The DF of @p type: its encoding now and the size of its file */
static int
df_room(struct sc_profile *profile, struct sc_pkcs15_card *p15card, unsigned int type,
		size_t *used, size_t *size)
{
	struct sc_pkcs15_df *df;
	struct sc_file *file = NULL;
	u8 *buf = NULL;
	int r;

	*used = 0;
	*size = 0;
	for (df = p15card->df_list; df && df->type != type; df = df->next)
		;
	if (df) {
		r = sc_pkcs15_encode_df(p15card->card->ctx, p15card, df, &buf, used);
		free(buf);
		if (r < 0)
			return r;
		if (sc_select_file(p15card->card, &df->path, &file) == 0)
			*size = file->size;
		sc_file_free(file);
	}
	if (!*size && type < SC_PKCS15_DF_TYPE_COUNT && profile->df[type])
		*size = profile->df[type]->size;
	return 0;
}

/* Room in the directory file of @p type for an entry of @p entry bytes */
static int
p15_check_room(struct sc_profile *profile, struct sc_pkcs15_card *p15card, unsigned int type,
		size_t entry, const char *what)
{
	size_t used, size;
	int r = df_room(profile, p15card, type, &used, &size);

	if (r < 0)
		return r;
	if (size && used + entry + 1 > size)
		return pk_p15_refuse(p15card->card->ctx, SC_ERROR_NOT_ENOUGH_MEMORY,
				"the %s file has %zu bytes and %zu are used; the new %s's entry needs %zu (a "
				"shorter label helps)", type == SC_PKCS15_PRKDF ? "PrKDF" : type == SC_PKCS15_PUKDF ?
				"PuKDF" : type == SC_PKCS15_CDF ? "CDF" : type == SC_PKCS15_DODF ? "DODF" :
				type == SC_PKCS15_AODF ? "AODF" : "directory", size, used, what, entry);
	return 0;
}

/* The encoding length of @p obj's entry in its kind of directory file */
static int
p15_entry_len(struct sc_context *ctx, const struct sc_pkcs15_object *obj, size_t *len)
{
	u8 *buf = NULL;
	int r;

	switch (obj->type & SC_PKCS15_TYPE_CLASS_MASK) {
	case SC_PKCS15_TYPE_PRKEY:
		r = sc_pkcs15_encode_prkdf_entry(ctx, obj, &buf, len);
		break;
	case SC_PKCS15_TYPE_PUBKEY:
		r = sc_pkcs15_encode_pukdf_entry(ctx, obj, &buf, len);
		break;
	case SC_PKCS15_TYPE_CERT:
		r = sc_pkcs15_encode_cdf_entry(ctx, obj, &buf, len);
		break;
	case SC_PKCS15_TYPE_DATA_OBJECT:
		r = sc_pkcs15_encode_dodf_entry(ctx, obj, &buf, len);
		break;
	default:
		r = SC_ERROR_NOT_SUPPORTED;
	}
	free(buf);
	return r;
}

int
pk_p15_check_entry(struct sc_profile *profile, struct sc_pkcs15_card *p15card,
		const struct sc_pkcs15_object *obj, unsigned int type, size_t extra, const char *what)
{
	struct sc_context *ctx = p15card->card->ctx;
	size_t label = strnlen(obj->label, sizeof(obj->label));
	size_t text = pk_text_valid_len((const u8 *)obj->label, label), len = 0;

	/* a UTF8String on the card, and UTF-8 in PKCS#11's CKA_LABEL */
	if (text != label)
		return pk_p15_refuse(ctx, SC_ERROR_INVALID_ARGUMENTS,
				"the %s's label is not UTF-8 text without control characters (byte %zu is %s): "
				PK_TEXT_ARG_HINT,
				what, text + 1, (u8)obj->label[text] < 0x80 ? "a control character" : "not UTF-8");
	if (p15_entry_len(ctx, obj, &len) < 0)
		return 0; /* no estimate: the directory write says it */
	return p15_check_room(profile, p15card, type, len + extra, what);
}
