/*
 * pkcs15-acos5.c: pkcs15init operations for ACS ACOS5 (card driver
 * acos5_ext). Lays a blank card out in ACS's native layout (acos5-card.md §4.1)
 * as the profile acos5_ext.profile describes it; PINs in PIN-file records,
 * RSA keys generated on the card (or, on the original ACOS5, imported with
 * PUT KEY) into ACS-style key file pairs.
 *
 * Life cycle: files are created with LCSI 01 (access conditions not
 * enforced), written, then activated (LCSI 05).
 *
 * Copyright (C) 2026 pkicards contributors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libopensc/cardctl.h"
#include "libopensc/log.h"
#include "libopensc/opensc.h"
#include "libopensc/pkcs15.h"
#include "acos5-parse.h"
#include "pk-card.h"
#include "pk-compat.h"
#include "pk-cardctl.h"
#include "pk-p15init.h"
#include "pk-cmdline.h"
#include "pk-profile.h"

#define ACOS5_PRIV_TO_PUB 0xC0 /* public key FID = private key FID - C0 (§3.9) */
#define ACOS5_MAX_KEYS 14
#define ACOS5_MAX_FILES 16     /* certificates / data objects per prototype */

/* What the layout does differently per generation (acos5-card.md §3.6, §6).
 * The original ACOS5 keeps no PUK in a PIN record: the PUK is the next
 * record of the same PIN file (PIN ID + 1), and a blocked PIN is unblocked
 * by verifying the PUK and rewriting the PIN record. So its PIN files may
 * also be updated by the PUK: SE record "SO PIN or PUK" of the MF (PUK 02)
 * and of the application DF (PUK 82), both in the profile. */
struct p15_gen {
	int type;
	int puk_is_next_pin;
	unsigned int pin_update_se_mf, pin_update_se_df; /* 0: as the profile says */
	int can_import;         /* PUT KEY (acos5-card.md §2.1) */
};

static const struct p15_gen p15_gens[] = {
	{PK_CARD_TYPE_ACOS5_V1, 1, 2, 5, 1},
	{PK_CARD_TYPE_ACOS5_64_V2, 0, 0, 0, 0},
	{PK_CARD_TYPE_ACOS5_64_V3, 0, 0, 0, 0},
};

static const struct p15_gen *
p15_gen(struct sc_card *card)
{
	static const struct p15_gen none = {0, 0, 0, 0, 0};
	size_t i;

	for (i = 0; i < sizeof(p15_gens) / sizeof(p15_gens[0]); i++) {
		if (p15_gens[i].type == card->type)
			return &p15_gens[i];
	}
	return &none;
}

/* ---- helpers --------------------------------------------------------- */

static int
p15_is_v1(struct sc_card *card)
{
	return card->type == PK_CARD_TYPE_ACOS5_V1;
}

static const struct sc_path *
p15_app_path(struct sc_profile *profile)
{
	return &profile->df_info->file->path;
}

/* 1 if the file exists, 0 if not, or an error */
static int
p15_exists(struct sc_card *card, const struct sc_path *path)
{
	int r = sc_select_file(card, path, NULL);

	if (r == SC_ERROR_FILE_NOT_FOUND)
		return 0;
	return r < 0 ? r : 1;
}

/* ACTIVATE the file at @p path (from its parent DF) */
static int
p15_activate(struct sc_card *card, const struct sc_path *path)
{
	struct sc_path parent = *path;
	unsigned int fid;
	int r;

	if (path->len < 2)
		return SC_ERROR_INVALID_ARGUMENTS;
	fid = (unsigned int)path->value[path->len - 2] << 8 | path->value[path->len - 1];
	if (parent.len > 2)
		parent.len -= 2;
	r = sc_select_file(card, &parent, NULL);
	LOG_TEST_RET(card->ctx, r, "cannot select the parent DF");
	r = sc_card_ctl(card, PK_CARDCTL_ACOS5_ACTIVATE, &fid);
	LOG_TEST_RET(card->ctx, r, "cannot activate the file");
	return 0;
}

/* Delete a file created by this module; errors only logged (cleanup) */
static void
p15_remove(struct sc_profile *profile, struct sc_pkcs15_card *p15card, const struct sc_path *path)
{
	int r = sc_pkcs15init_delete_by_path(profile, p15card, path);

	if (r < 0)
		sc_log(p15card->card->ctx, "could not remove %s: %s", sc_print_path(path), sc_strerror(r));
}

/* After the key files were written (@p r = 0): activate both; on any
 * failure remove both again, so that no half key pair is left */
static int
p15_key_pair_done(struct sc_profile *profile, struct sc_pkcs15_card *p15card,
		const struct sc_path *priv, const struct sc_path *pub, int r)
{
	if (r == 0)
		r = p15_activate(p15card->card, priv);
	if (r == 0)
		r = p15_activate(p15card->card, pub);
	if (r < 0) {
		p15_remove(profile, p15card, priv);
		p15_remove(profile, p15card, pub);
	}
	return r;
}

/* SE file content: records "80 01 id ...", written with UPDATE RECORD 1.. */
static int
p15_write_se_records(struct sc_card *card, const struct sc_file *file)
{
	const u8 *p = file->encoded_content;
	size_t len = file->encoded_content_len, off = 0;
	unsigned int n = 1;
	int r;

	r = sc_select_file(card, &file->path, NULL);
	LOG_TEST_RET(card->ctx, r, "cannot select the SE file");
	while ((r = acos5_se_next_record(p, len, off)) > 0) {
		int w = pk_update_record(card, n++, p + off, (size_t)r, SC_RECORD_BY_REC_NR);

		LOG_TEST_RET(card->ctx, w, "cannot write an SE record");
		off += (size_t)r;
	}
	LOG_TEST_RET(card->ctx, r, "malformed SE records in the profile ('content')");
	return 0;
}

/* A PIN file the PUK must be able to rewrite (see struct p15_gen) */
static int
p15_fix_pin_file_acl(struct sc_card *card, struct sc_file *file)
{
	const struct p15_gen *g = p15_gen(card);
	unsigned int se = file->path.len <= 4 ? g->pin_update_se_mf : g->pin_update_se_df;

	if (!g->puk_is_next_pin || !file->prop_attr_len || file->prop_attr[0] != ACOS5_FDB_CHV || !se)
		return 0;
	sc_file_clear_acl_entries(file, SC_AC_OP_UPDATE);
	return sc_file_add_acl_entry(file, SC_AC_OP_UPDATE, SC_AC_SEN, se);
}

/* Create one profile file (not yet activated) and write its profile
 * content; a file that exists already (an interrupted --create-pkcs15) is
 * kept and written again */
static int
p15_create_profile_file(struct sc_profile *profile, struct sc_pkcs15_card *p15card,
		const struct sc_file *tmpl)
{
	struct sc_card *card = p15card->card;
	struct sc_file *file = NULL;
	int r;

	sc_file_dup(&file, tmpl);
	if (!file)
		return SC_ERROR_OUT_OF_MEMORY;
	r = p15_fix_pin_file_acl(card, file);
	if (r == 0)
		r = p15_exists(card, &file->path);
	if (r == 0)
		r = sc_pkcs15init_create_file(profile, p15card, file);
	else if (r == 1)
		r = 0;
	if (r == 0 && file->encoded_content_len) {
		if (file->prop_attr_len && file->prop_attr[0] == ACOS5_FDB_SE)
			r = p15_write_se_records(card, file);
		else
			r = sc_pkcs15init_update_file(profile, p15card, file, file->encoded_content,
					(unsigned int)file->encoded_content_len);
	}
	sc_file_free(file);
	LOG_TEST_RET(card->ctx, r, "cannot create a file of the profile");
	return 0;
}

/* Profile entries created on their own, or never (prototypes) */
static int
p15_skip(const struct file_info *fi)
{
	return fi->file->type == SC_FILE_TYPE_DF || strncmp(fi->ident, "proto-", 6) == 0 ||
	       strcmp(fi->ident, "PKCS15-UnusedSpace") == 0;
}

static int
p15_create_children(struct sc_profile *profile, struct sc_pkcs15_card *p15card,
		const struct file_info *parent)
{
	struct file_info *fi = NULL;
	int r;

	while ((fi = pk_profile_next_child(profile, parent, fi)) != NULL) {
		if (p15_skip(fi))
			continue;
		sc_log(p15card->card->ctx, "creating %s (%s)", fi->ident, sc_print_path(&fi->file->path));
		r = p15_create_profile_file(profile, p15card, fi->file);
		LOG_TEST_RET(p15card->card->ctx, r, fi->ident);
	}
	return 0;
}

static int
p15_activate_children(struct sc_profile *profile, struct sc_card *card,
		const struct file_info *parent)
{
	struct file_info *fi = NULL;
	int r;

	while ((fi = pk_profile_next_child(profile, parent, fi)) != NULL) {
		if (p15_skip(fi))
			continue;
		r = p15_activate(card, &fi->file->path);
		LOG_TEST_RET(card->ctx, r, fi->ident);
	}
	return 0;
}

/* The PIN file (FDB 0A) among the profile children of @p df */
static struct file_info *
p15_pin_file(struct sc_profile *profile, const struct file_info *df)
{
	struct file_info *fi = NULL;

	while ((fi = pk_profile_next_child(profile, df, fi)) != NULL) {
		if (fi->file->prop_attr_len && fi->file->prop_attr[0] == ACOS5_FDB_CHV)
			return fi;
	}
	return NULL;
}

static int
p15_has_so_pin(struct sc_pkcs15_card *p15card)
{
	struct sc_pkcs15_object *objs[8];
	int i, n = sc_pkcs15_get_objects(p15card, SC_PKCS15_TYPE_AUTH_PIN, objs, 8);

	for (i = 0; i < n; i++) {
		const struct sc_pkcs15_auth_info *a = objs[i]->data;

		if (a->attrs.pin.flags & SC_PKCS15_PIN_FLAG_SO_PIN)
			return 1;
	}
	return 0;
}

/* ---- card and application -------------------------------------------- */

/* ZEROIZE after the SO PIN (global 01) was verified: the card is blank */
static int
acos5_p15_erase_card(struct sc_profile *profile, struct sc_pkcs15_card *p15card)
{
	struct sc_card *card = p15card->card;
	struct sc_path mf;
	int r;

	LOG_FUNC_CALLED(card->ctx);
	sc_format_path("3F00", &mf);
	r = p15_exists(card, &mf);
	LOG_TEST_RET(card->ctx, r, "cannot select the MF");
	if (r == 0) {
		sc_log(card->ctx, "the card is blank already");
		LOG_FUNC_RETURN(card->ctx, SC_SUCCESS);
	}
	r = pk_p15_verify_so_pin(profile, p15card, 0x01);
	LOG_TEST_RET(card->ctx, r, "erasing an ACOS5 needs its SO PIN (--so-pin or --secret @02=...); nothing erased");
	r = sc_card_ctl(card, PK_CARDCTL_ACOS5_ZEROIZE, NULL);
	LOG_TEST_RET(card->ctx, r, "ZEROIZE failed");
	sc_free_apps(card);
	LOG_FUNC_RETURN(card->ctx, SC_SUCCESS);
}

/* An activated MF whose PKCS#15 application DF exists but has no TokenInfo
 * (written last of all): a --create-pkcs15 interrupted after the SO PIN */
static int
p15_unfinished(struct sc_profile *profile, struct sc_card *card)
{
	return p15_exists(card, &profile->df_info->file->path) == 1 &&
	       pk_p15_tokeninfo_missing(profile, card) == 1;
}

/* An MF still in creation state (LCSI 01): this module activates the MF
 * last, after the SO PIN is stored, so this is a --create-pkcs15 that was
 * interrupted (card pulled, process killed); or one interrupted after the
 * SO PIN (p15_unfinished): it is completed, with the SO PIN verified first
 * if it is stored already. */
static int
p15_resume(struct sc_profile *profile, struct sc_pkcs15_card *p15card)
{
	struct sc_card *card = p15card->card;
	struct file_info *dir = pk_profile_find(profile, "DIR");
	struct sc_file *file = NULL;
	u8 *zero;
	int r;

	sc_log(card->ctx, "completing an interrupted --create-pkcs15");
	r = sc_pkcs15init_verify_secret(profile, p15card, NULL, SC_AC_CHV, 0x01);
	if (r == SC_ERROR_DATA_OBJECT_NOT_FOUND || r == SC_ERROR_REF_DATA_NOT_USABLE ||
			r == SC_ERROR_RECORD_NOT_FOUND || r == SC_ERROR_SECURITY_STATUS_NOT_SATISFIED)
		r = 0; /* no SO PIN stored yet: the card ignores access conditions */
	LOG_TEST_RET(card->ctx, r, "the SO PIN of the interrupted personalisation does not verify");
	/* EF.DIR is written just before the TokenInfo and may be torn: emptied,
	 * OpenSC writes it again */
	if (!dir || p15_exists(card, &dir->file->path) != 1)
		return 0;
	sc_file_dup(&file, dir->file);
	zero = file && file->size ? calloc(1, file->size) : NULL;
	r = zero ? sc_pkcs15init_update_file(profile, p15card, file, zero, (unsigned int)file->size) : 0;
	free(zero);
	sc_file_free(file);
	LOG_TEST_RET(card->ctx, r < 0 ? r : 0, "cannot empty EF.DIR of the interrupted personalisation");
	return 0;
}

/* Blank card: create the MF and its files (PIN, key and SE file, EF.DIR) */
static int
acos5_p15_init_card(struct sc_profile *profile, struct sc_pkcs15_card *p15card)
{
	struct sc_card *card = p15card->card;
	struct sc_file *mf = NULL;
	int r;

	LOG_FUNC_CALLED(card->ctx);
	r = pk_p15_check_profile_options(card->ctx, profile, "ACOS5");
	LOG_TEST_RET(card->ctx, r, "profile option");
	if (!p15_has_so_pin(p15card)) {
		r = pk_p15_refuse(card->ctx, SC_ERROR_INVALID_ARGUMENTS,
				"an ACOS5 is personalised with an SO PIN: give --so-pin SOPIN and --so-puk SOPUK "
				"(not --no-so-pin)");
		LOG_FUNC_RETURN(card->ctx, r);
	}
	r = pk_p15_check_create_args(card->ctx);
	LOG_TEST_RET(card->ctx, r, "token label or SO PIN");
	r = sc_select_file(card, &profile->mf_info->file->path, &mf);
	if (r == 0 && mf->status != SC_FILE_STATUS_CREATION && !p15_unfinished(profile, card)) {
		sc_file_free(mf);
		LOG_FUNC_RETURN(card->ctx, pk_p15_refuse(card->ctx, SC_ERROR_NOT_ALLOWED,
				"the card is not blank: erase it first (pkcs15-init --erase-card --so-pin ...)"));
	}
	sc_file_free(mf);
	mf = NULL;
	if (r == 0) {
		r = p15_resume(profile, p15card);
		LOG_TEST_RET(card->ctx, r, "cannot complete the interrupted personalisation");
		LOG_FUNC_RETURN(card->ctx, p15_create_children(profile, p15card, profile->mf_info));
	}
	if (r != SC_ERROR_FILE_NOT_FOUND)
		LOG_TEST_RET(card->ctx, r, "cannot select the MF");
	sc_file_dup(&mf, profile->mf_info->file);
	if (!mf)
		LOG_FUNC_RETURN(card->ctx, SC_ERROR_OUT_OF_MEMORY);
	r = sc_create_file(card, mf);
	sc_file_free(mf);
	LOG_TEST_RET(card->ctx, r, "cannot create the MF");
	r = p15_create_children(profile, p15card, profile->mf_info);
	LOG_FUNC_RETURN(card->ctx, r);
}

/* The application DF 4100 with its PIN, key and SE files and the PKCS#15
 * files; activated with the MF once the SO PIN is stored (create_pin) */
static int
acos5_p15_create_dir(struct sc_profile *profile, struct sc_pkcs15_card *p15card,
		struct sc_file *df)
{
	struct sc_card *card = p15card->card;
	struct sc_file *file = NULL;
	int r;

	LOG_FUNC_CALLED(card->ctx);
	if (df != profile->df_info->file)
		LOG_TEST_RET(card->ctx, SC_ERROR_NOT_SUPPORTED, "only the PKCS#15 application DF");
	r = p15_exists(card, &df->path);
	if (r == 0) {
		sc_file_dup(&file, df);
		if (!file)
			LOG_FUNC_RETURN(card->ctx, SC_ERROR_OUT_OF_MEMORY);
		r = sc_pkcs15init_create_file(profile, p15card, file);
		sc_file_free(file);
	}
	LOG_TEST_RET(card->ctx, r < 0 ? r : 0, "cannot create the application DF");
	r = p15_create_children(profile, p15card, profile->df_info);
	LOG_FUNC_RETURN(card->ctx, r);
}

/* ---- PINs (acos5-card.md §2.3, §3.6) -------------------------------------- */

/* SO PIN: global 01..1F in 3F00/0001; others: local 81..9F in the DF.
 * OpenSC skips the references of PIN objects only; on the original ACOS5
 * a PIN's PUK is the next record, no object of its own, so a new PIN
 * starts a pair there (a second PIN, pkcs15-init --store-pin, took the
 * PUK's record and overwrote the PUK; PKCS#11 C_InitPIN over a user PIN is
 * refused before, pk_p15_second_user_pin). A PIN
 * (and its PUK) must fit the profile's PIN file. */
static int
acos5_p15_select_pin_reference(struct sc_profile *profile, struct sc_pkcs15_card *p15card,
		struct sc_pkcs15_auth_info *auth)
{
	struct sc_context *ctx = p15card->card->ctx;
	struct sc_pkcs15_pin_attributes *a = &auth->attrs.pin;
	int global = !(a->flags & SC_PKCS15_PIN_FLAG_LOCAL);
	int lo = global ? 0x01 : 0x81, hi = global ? 0x1F : 0x9F, r;
	int pair = p15_gen(p15card->card)->puk_is_next_pin;
	const struct file_info *pf = p15_pin_file(profile, global ? profile->mf_info : profile->df_info);
	size_t recs = pf && pf->file->record_length ? pf->file->size / pf->file->record_length : 0;

	r = pk_p15_second_user_pin(p15card, auth);
	LOG_TEST_RET(ctx, r, "PKCS#11 C_InitPIN on a token with a user PIN");
	if (a->reference < lo)
		a->reference = lo;
	if (pair && ((a->reference - lo) & 1))
		a->reference++;
	if (a->reference <= hi && (!recs || (size_t)(a->reference - lo + 1 + pair) <= recs))
		return 0;
	r = pk_p15_refuse(ctx, SC_ERROR_TOO_MANY_OBJECTS,
			"the %s PIN file has no record left for another PIN%s: "
			"change or unblock the PIN there is instead",
			global ? "MF's" : "application's", pair ? " and its PUK" : "");
	LOG_FUNC_RETURN(ctx, r);
}

static unsigned int
p15_tries(const struct sc_pkcs15_auth_info *a)
{
	int t = a->max_tries > 0 ? a->max_tries : a->tries_left;

	return t > 0 && t <= 15 ? (unsigned int)t : 8;
}

/* VERIFY the PIN just written (also proves the record is right) */
static int
p15_verify_new(struct sc_card *card, int ref, const u8 *pin, size_t len, u8 pad)
{
	struct sc_pin_cmd_data data;
	u8 buf[8];
	int r;

	if (len > sizeof(buf))
		return SC_ERROR_INVALID_ARGUMENTS;
	memset(buf, pad, sizeof(buf));
	memcpy(buf, pin, len);
	memset(&data, 0, sizeof(data));
	data.cmd = SC_PIN_CMD_VERIFY;
	data.pin_type = SC_AC_CHV;
	data.pin_reference = ref;
	data.pin1.data = buf;
	data.pin1.len = sizeof(buf);
	r = sc_pin_cmd(card, &data, NULL);
	sc_mem_clear(buf, sizeof(buf));
	return r;
}

static int
p15_write_pin(struct sc_profile *profile, struct sc_pkcs15_card *p15card,
		const struct sc_file *pinfile, const struct acos5_pin_record *rec)
{
	struct sc_card *card = p15card->card;
	struct sc_file *file = NULL;
	struct pk_buf b;
	u8 mem[32];
	int r;

	pk_buf_init(&b, mem, sizeof(mem));
	r = acos5_build_pin_record(rec, p15_is_v1(card), &b);
	LOG_TEST_RET(card->ctx, r, "PIN or PUK does not fit the card's PIN record (1-8 characters)");
	r = sc_select_file(card, &pinfile->path, &file);
	if (r == 0)
		r = sc_pkcs15init_authenticate(profile, p15card, file, SC_AC_OP_UPDATE);
	sc_file_free(file);
	if (r == 0)
		r = sc_select_file(card, &pinfile->path, NULL);
	if (r == 0)
		r = pk_update_record(card, rec->ref & 0x1F, b.data, b.len, SC_RECORD_BY_REC_NR);
	sc_mem_clear(mem, sizeof(mem));
	LOG_TEST_RET(card->ctx, r, "cannot write the PIN record");
	return 0;
}

static int
acos5_p15_create_pin(struct sc_profile *profile, struct sc_pkcs15_card *p15card,
		struct sc_file *df, struct sc_pkcs15_object *pin_obj,
		const u8 *pin, size_t pin_len, const u8 *puk, size_t puk_len)
{
	struct sc_card *card = p15card->card;
	struct sc_pkcs15_auth_info *auth = pin_obj->data, puk_info;
	int global = !(auth->attrs.pin.flags & SC_PKCS15_PIN_FLAG_LOCAL);
	int so = (auth->attrs.pin.flags & SC_PKCS15_PIN_FLAG_SO_PIN) != 0;
	struct file_info *pf = p15_pin_file(profile, global ? profile->mf_info : profile->df_info);
	struct acos5_pin_record rec;
	int r;

	LOG_FUNC_CALLED(card->ctx);
	if (auth->attrs.pin.flags & SC_PKCS15_PIN_FLAG_UNBLOCKING_PIN)
		LOG_FUNC_RETURN(card->ctx, pk_p15_refuse(card->ctx, SC_ERROR_NOT_SUPPORTED,
				"an ACOS5 PUK lives in its PIN's record: give --puk with --store-pin, "
				"not a PUK object of its own (--puk-auth-id)"));
	if (!pf || !pin)
		LOG_TEST_RET(card->ctx, SC_ERROR_INVALID_ARGUMENTS, "no PIN file in the profile, or no PIN");
	sc_pkcs15init_get_pin_info(profile, so ? SC_PKCS15INIT_SO_PUK : SC_PKCS15INIT_USER_PUK, &puk_info);
	r = pk_p15_check_new_pins(card->ctx, auth, pin, pin_len, &puk_info, puk, puk ? puk_len : 0, 8);
	LOG_TEST_RET(card->ctx, r, "PIN or PUK");
	memset(&rec, 0, sizeof(rec));
	rec.ref = (unsigned int)auth->attrs.pin.reference;
	rec.tries = p15_tries(auth);
	rec.pin = pin;
	rec.pin_len = pin_len;
	rec.puk = puk_len ? puk : NULL;
	rec.puk_len = puk_len;
	rec.puk_tries = p15_tries(&puk_info);
	rec.pad = (u8)auth->attrs.pin.pad_char;
	r = p15_write_pin(profile, p15card, pf->file, &rec);
	LOG_TEST_RET(card->ctx, r, "cannot store the PIN");
	if (puk_len && p15_gen(card)->puk_is_next_pin) {
		struct acos5_pin_record prec = rec;

		if ((rec.ref & 0x1F) >= 0x1F)
			LOG_TEST_RET(card->ctx, SC_ERROR_TOO_MANY_OBJECTS, "no PIN record left for the PUK");
		prec.ref = rec.ref + 1;
		prec.tries = rec.puk_tries;
		prec.pin = puk;
		prec.pin_len = puk_len;
		prec.puk = NULL;
		prec.puk_len = 0;
		r = p15_write_pin(profile, p15card, pf->file, &prec);
		LOG_TEST_RET(card->ctx, r, "cannot store the PUK (the PIN's next record)");
	}
	r = p15_verify_new(card, auth->attrs.pin.reference, pin, pin_len, rec.pad);
	LOG_TEST_RET(card->ctx, r, "the PIN just written does not verify");
	if (global && profile->mf_info->file->path.len == 2) {
		/* the SO PIN is in place: now the access conditions may apply,
		 * the MF last (an MF in creation state marks an unfinished
		 * --create-pkcs15, acos5_p15_init_card) */
		r = p15_activate_children(profile, card, profile->df_info);
		if (r == 0)
			r = p15_activate(card, &profile->df_info->file->path);
		if (r == 0)
			r = p15_activate_children(profile, card, profile->mf_info);
		if (r == 0)
			r = p15_activate(card, &profile->mf_info->file->path);
	}
	LOG_FUNC_RETURN(card->ctx, r);
}

/* ---- keys (acos5-card.md §2.6, §3.8) -------------------------------------- */

/* Key pair n: private proto FID + n - 1, public = private - C0 */
static void
p15_key_paths(struct sc_profile *profile, unsigned int base, int n,
		struct sc_path *priv, struct sc_path *pub)
{
	unsigned int fid = base + (unsigned int)n - 1;

	*priv = *p15_app_path(profile);
	sc_append_path_id(priv, (const u8[]){(u8)(fid >> 8), (u8)fid}, 2);
	*pub = *p15_app_path(profile);
	fid -= ACOS5_PRIV_TO_PUB;
	sc_append_path_id(pub, (const u8[]){(u8)(fid >> 8), (u8)fid}, 2);
}

static int
p15_proto_fid(struct sc_profile *profile, const char *ident, unsigned int *fid)
{
	struct file_info *fi = pk_profile_find(profile, ident);

	if (!fi)
		return SC_ERROR_FILE_NOT_FOUND;
	*fid = (unsigned int)fi->file->id;
	return 0;
}

/* First key pair index from key_reference on whose two files are both
 * absent, or left by an interrupted key generation (files that no object
 * lists: removed here, so that no card memory is lost) */
static int
acos5_p15_select_key_reference(struct sc_profile *profile, struct sc_pkcs15_card *p15card,
		struct sc_pkcs15_prkey_info *key)
{
	struct sc_card *card = p15card->card;
	struct sc_path priv, pub;
	unsigned int base;
	int n, r, rp, ru;

	r = pk_p15_drop_lone_pubkey(profile, p15card, &key->id);
	LOG_TEST_RET(card->ctx, r < 0 ? r : 0, "cannot remove a public key left without its private key");
	r = p15_proto_fid(profile, "proto-private-key", &base);
	LOG_TEST_RET(card->ctx, r, "profile has no proto-private-key");
	for (n = key->key_reference < 1 ? 1 : key->key_reference; n <= ACOS5_MAX_KEYS; n++) {
		p15_key_paths(profile, base, n, &priv, &pub);
		rp = p15_exists(card, &priv);
		ru = rp < 0 ? rp : p15_exists(card, &pub);
		LOG_TEST_RET(card->ctx, ru < 0 ? ru : 0, "cannot look for free key files");
		if ((rp || ru) && (pk_p15_path_used(p15card, &priv) || pk_p15_path_used(p15card, &pub)))
			continue;
		if (rp || ru) {
			sc_log(card->ctx, "key files %s left by an interrupted key generation: reused",
					sc_print_path(&priv));
			r = rp ? sc_pkcs15init_delete_by_path(profile, p15card, &priv) : 0;
			if (r == 0 && ru)
				r = sc_pkcs15init_delete_by_path(profile, p15card, &pub);
			LOG_TEST_RET(card->ctx, r, "cannot remove key files left by an interrupted generation");
		}
		key->key_reference = n;
		key->path = priv;
		return 0;
	}
	return pk_p15_refuse(card->ctx, SC_ERROR_NOT_ENOUGH_MEMORY,
			"all %d key file pairs of the layout are in use: delete a key first (pkcs15-init "
			"--delete-objects privkey,pubkey --id ID)",
			ACOS5_MAX_KEYS);
}

/* EEPROM for @p files new files of @p bytes in all (file headers of 32
 * bytes each, doc/simulator.md), refused up front with the numbers; the
 * original ACOS5 reports no free space and is not checked */
static int
p15_check_free(struct sc_card *card, size_t bytes, unsigned int files, const char *what)
{
	unsigned int avail = 0;
	size_t need = bytes + 32 * (size_t)files;

	if (sc_card_ctl(card, PK_CARDCTL_ACOS5_FREE_SPACE, &avail) < 0)
		return 0;
	if (need > avail)
		return pk_p15_refuse(card->ctx, SC_ERROR_NOT_ENOUGH_MEMORY,
				"the card has %u bytes of EEPROM free; the %s needs %zu", avail, what, need);
	return 0;
}

/* File sizes of an RSA key pair (acos5-card.md §3.8): CRT private key */
static void
p15_key_sizes(struct sc_card *card, size_t bits, size_t *priv, size_t *pub)
{
	size_t n = bits / 8;

	*priv = 5 + 5 * n / 2;
	*pub = (p15_is_v1(card) ? 13 : 21) + n;
}

static int
p15_create_key_file(struct sc_profile *profile, struct sc_pkcs15_card *p15card,
		const char *proto, const struct sc_path *path, size_t size)
{
	struct sc_file *file = NULL;
	unsigned int fid = (unsigned int)path->value[path->len - 2] << 8 | path->value[path->len - 1];
	int r = pk_profile_file(profile, proto, fid, &file);

	if (r < 0)
		return r;
	file->size = size;
	file->type = SC_FILE_TYPE_INTERNAL_EF;
	file->ef_structure = SC_FILE_EF_TRANSPARENT;
	r = sc_pkcs15init_create_file(profile, p15card, file);
	sc_file_free(file);
	return r;
}

static int
p15_key_usage_type(unsigned int usage)
{
	int sign = (usage & (SC_PKCS15_PRKEY_USAGE_SIGN | SC_PKCS15_PRKEY_USAGE_NONREPUDIATION |
				SC_PKCS15_PRKEY_USAGE_SIGNRECOVER)) != 0;
	int dec = (usage & (SC_PKCS15_PRKEY_USAGE_DECRYPT | SC_PKCS15_PRKEY_USAGE_UNWRAP)) != 0;

	if (sign && !dec)
		return PK_ACOS5_KEY_SIGN;
	if (dec && !sign)
		return PK_ACOS5_KEY_DECRYPT;
	return PK_ACOS5_KEY_BOTH;
}

/* The PIN that uses a private key is the one its file's CRYPTO condition
 * names (the profile's proto-private-key: an SE record of the application
 * DF, the user PIN in our layout). A key for another PIN (pkcs15-init
 * --auth-id 03 after a second --store-pin, or PKCS#11 key generation in
 * that PIN's slot) would be listed under that PIN but refused by the card
 * after a login with it: refused before anything is written. */
static int
p15_check_key_pin(struct sc_profile *profile, struct sc_pkcs15_card *p15card,
		const struct sc_pkcs15_object *obj)
{
	struct sc_card *card = p15card->card;
	struct file_info *proto = pk_profile_find(profile, "proto-private-key");
	struct sc_pkcs15_object *pin = NULL, *user = NULL;
	const struct sc_pkcs15_auth_info *auth;
	const struct sc_acl_entry *acl;
	char id[2 * SC_PKCS15_MAX_ID_SIZE + 1];
	int ref, r;

	if (!obj->auth_id.len || !proto || !profile->df_info || !profile->df_info->file ||
			sc_pkcs15_find_pin_by_auth_id(p15card, &obj->auth_id, &pin) != 0)
		return 0;
	acl = sc_file_get_acl_entry(proto->file, SC_AC_OP_CRYPTO);
	if (!acl || acl->method != SC_AC_SEN)
		return 0;
	ref = (int)acl->key_ref;
	r = sc_select_file(card, &profile->df_info->file->path, NULL);
	if (r == 0) /* the PIN's reference is the answer */
		r = sc_card_ctl(card, SC_CARDCTL_GET_CHV_REFERENCE_IN_SE, &ref);
	auth = pin->data;
	if (r <= 0 || r == auth->attrs.pin.reference)
		return 0;
	ref = r;
	/* an SE record that also accepts the SO PIN names it once it is
	 * verified (the driver names a verified PIN first): nothing to tell */
	if (sc_pkcs15_find_pin_by_reference(p15card, NULL, ref, &user) != 0 || !user ||
			(((const struct sc_pkcs15_auth_info *)user->data)->attrs.pin.flags & SC_PKCS15_PIN_FLAG_SO_PIN))
		return 0;
	snprintf(id, sizeof(id), "%s",
			sc_pkcs15_print_id(&((const struct sc_pkcs15_auth_info *)user->data)->auth_id));
	return pk_p15_refuse(card->ctx, SC_ERROR_NOT_SUPPORTED,
			"on this card's layout private keys are used with PIN %02X (\"%.*s\", auth-id %s): a "
			"key for \"%.*s\" (auth-id %s) would be refused by the card after a login with that "
			"PIN. Generate or store it with --auth-id %s",
			(unsigned int)ref, (int)strnlen(user->label, sizeof(user->label)), user->label, id,
			(int)strnlen(pin->label, sizeof(pin->label)), pin->label,
			sc_pkcs15_print_id(&obj->auth_id), id);
}

/* Both key files, empty and not activated; removed again on failure */
static int
acos5_p15_create_key(struct sc_profile *profile, struct sc_pkcs15_card *p15card,
		struct sc_pkcs15_object *obj)
{
	struct sc_card *card = p15card->card;
	struct sc_pkcs15_prkey_info *key = obj->data;
	struct sc_path priv = key->path, pub = key->path;
	unsigned int fid;
	size_t priv_size, pub_size;
	int r;

	LOG_FUNC_CALLED(card->ctx);
	if (obj->type != SC_PKCS15_TYPE_PRKEY_RSA)
		LOG_TEST_RET(card->ctx, SC_ERROR_NOT_SUPPORTED, "ACOS5 keys are RSA keys");
	if (obj->content.len && !p15_gen(card)->can_import)
		LOG_FUNC_RETURN(card->ctx, pk_p15_refuse(card->ctx, SC_ERROR_NOT_SUPPORTED,
				"an ACOS5-64 cannot import RSA private keys: its key files are written only by "
				"the card's own key generation (no PUT KEY; UPDATE BINARY of a key file is "
				"refused). Generate the key on the card (--generate-key)"));
	if (!sc_card_find_rsa_alg(card, (unsigned int)key->modulus_length))
		LOG_TEST_RET(card->ctx, SC_ERROR_NOT_SUPPORTED, "this card cannot hold keys of that size");
	if (priv.len < 2)
		LOG_TEST_RET(card->ctx, SC_ERROR_INTERNAL, "no key file chosen");
	fid = ((unsigned int)priv.value[priv.len - 2] << 8 | priv.value[priv.len - 1]) - ACOS5_PRIV_TO_PUB;
	pub.value[pub.len - 2] = (u8)(fid >> 8);
	pub.value[pub.len - 1] = (u8)fid;
	p15_key_sizes(card, key->modulus_length, &priv_size, &pub_size);
	r = p15_check_free(card, priv_size + pub_size, 2, "key pair");
	if (r == 0)
		r = pk_p15_check_entry(profile, p15card, obj, SC_PKCS15_PRKDF, 0, "private key");
	if (r == 0) /* the public key's entry is about as long */
		r = pk_p15_check_entry(profile, p15card, obj, SC_PKCS15_PUKDF, 0, "public key");
	LOG_TEST_RET(card->ctx, r, "no room for the key pair");
	r = p15_check_key_pin(profile, p15card, obj);
	LOG_TEST_RET(card->ctx, r, "key of a PIN the layout's key files do not accept");
	r = pk_p15_login_needed(card->ctx,
			p15_create_key_file(profile, p15card, "proto-private-key", &priv, priv_size),
			obj->content.len ? "importing a key" : "generating a key");
	LOG_TEST_RET(card->ctx, r, "cannot create the private key file");
	r = p15_create_key_file(profile, p15card, "proto-public-key", &pub, pub_size);
	if (r < 0)
		p15_remove(profile, p15card, &priv);
	LOG_TEST_RET(card->ctx, r, "cannot create the public key file");
	LOG_FUNC_RETURN(card->ctx, SC_SUCCESS);
}

/* GENERATE into the key files of @p key; the public key comes back */
static int
p15_generate(struct sc_card *card, const struct sc_pkcs15_prkey_info *key,
		struct pk_acos5_keygen *kg)
{
	struct sc_path df = key->path;
	int r;

	memset(kg, 0, sizeof(*kg));
	kg->priv_fid = (unsigned int)df.value[df.len - 2] << 8 | df.value[df.len - 1];
	kg->pub_fid = kg->priv_fid - ACOS5_PRIV_TO_PUB;
	kg->bits = (unsigned int)key->modulus_length;
	kg->type = (enum pk_acos5_key_type)p15_key_usage_type(key->usage);
	df.len -= 2;
	r = sc_select_file(card, &df, NULL);
	LOG_TEST_RET(card->ctx, r, "cannot select the key's DF");
	return sc_card_ctl(card, PK_CARDCTL_ACOS5_GENERATE_KEY, kg);
}

static int
acos5_p15_generate_key(struct sc_profile *profile, struct sc_pkcs15_card *p15card,
		struct sc_pkcs15_object *obj, struct sc_pkcs15_pubkey *pubkey)
{
	struct sc_card *card = p15card->card;
	struct sc_pkcs15_prkey_info *key = obj->data;
	struct sc_path pub = key->path;
	struct pk_acos5_keygen kg;
	int r;

	LOG_FUNC_CALLED(card->ctx);
	if (obj->type != SC_PKCS15_TYPE_PRKEY_RSA || !pubkey || key->path.len < 4)
		LOG_TEST_RET(card->ctx, SC_ERROR_NOT_SUPPORTED, "ACOS5 generates RSA key pairs only");
	pk_p15_keygen_started(p15card, obj);
	r = p15_generate(card, key, &kg);
	pub.value[pub.len - 2] = (u8)(kg.pub_fid >> 8);
	pub.value[pub.len - 1] = (u8)kg.pub_fid;
	r = p15_key_pair_done(profile, p15card, &key->path, &pub, r);
	LOG_TEST_RET(card->ctx, r, "key generation failed; key files removed");
	r = pk_p15_pubkey_from_card(card->ctx, pubkey, &kg.pub);
	LOG_FUNC_RETURN(card->ctx, r);
}

static struct pk_bn
p15_bn(const struct sc_pkcs15_bignum *b)
{
	struct pk_bn v = {b->data, b->data ? b->len : 0};

	return v;
}

/* Import (original ACOS5 only; create_key refuses the others before any
 * file is made): PUT KEY into the two files create_key made, then
 * activate them; both removed again on failure. */
static int
acos5_p15_store_key(struct sc_profile *profile, struct sc_pkcs15_card *p15card,
		struct sc_pkcs15_object *obj, struct sc_pkcs15_prkey *prkey)
{
	struct sc_card *card = p15card->card;
	struct sc_pkcs15_prkey_info *key = obj->data;
	const struct sc_pkcs15_prkey_rsa *rsa = &prkey->u.rsa;
	struct sc_path df = key->path, pub = key->path;
	struct pk_acos5_import imp;
	int r;

	LOG_FUNC_CALLED(card->ctx);
	if (!p15_gen(card)->can_import || obj->type != SC_PKCS15_TYPE_PRKEY_RSA ||
			prkey->algorithm != SC_ALGORITHM_RSA || key->path.len < 4)
		LOG_TEST_RET(card->ctx, SC_ERROR_NOT_SUPPORTED, "ACOS5: no import of this key here");
	if (!rsa->p.len || !rsa->q.len || !rsa->dmp1.len || !rsa->dmq1.len || !rsa->iqmp.len)
		LOG_TEST_RET(card->ctx, SC_ERROR_INVALID_ARGUMENTS,
				"the ACOS5 stores CRT keys: the key needs p, q, dP, dQ and qInv");
	memset(&imp, 0, sizeof(imp));
	imp.priv_fid = (unsigned int)key->path.value[key->path.len - 2] << 8 |
		       key->path.value[key->path.len - 1];
	imp.pub_fid = imp.priv_fid - ACOS5_PRIV_TO_PUB;
	imp.bits = (unsigned int)key->modulus_length;
	imp.n = p15_bn(&rsa->modulus);
	imp.e = p15_bn(&rsa->exponent);
	imp.p = p15_bn(&rsa->p);
	imp.q = p15_bn(&rsa->q);
	imp.dp = p15_bn(&rsa->dmp1);
	imp.dq = p15_bn(&rsa->dmq1);
	imp.qinv = p15_bn(&rsa->iqmp);
	pub.value[pub.len - 2] = (u8)(imp.pub_fid >> 8);
	pub.value[pub.len - 1] = (u8)imp.pub_fid;
	df.len -= 2;
	r = sc_select_file(card, &df, NULL);
	if (r == 0)
		r = sc_card_ctl(card, PK_CARDCTL_ACOS5_PUT_KEY, &imp);
	r = p15_key_pair_done(profile, p15card, &key->path, &pub, r);
	LOG_TEST_RET(card->ctx, r, "key import failed; key files removed");
	LOG_FUNC_RETURN(card->ctx, SC_SUCCESS);
}

/* Delete the object's file if it exists (OpenSC's fallback crashes when the
 * file is gone); other objects of the same file are the caller's business. */
static int
acos5_p15_delete_object(struct sc_profile *profile, struct sc_pkcs15_card *p15card,
		struct sc_pkcs15_object *obj, const struct sc_path *path)
{
	struct sc_card *card = p15card->card;
	int r;

	LOG_FUNC_CALLED(card->ctx);
	if (!path || path->len < 4)
		LOG_FUNC_RETURN(card->ctx, SC_SUCCESS);
	r = p15_exists(card, path);
	LOG_TEST_RET(card->ctx, r, "cannot select the object's file");
	if (r == 1)
		r = pk_p15_login_needed(card->ctx, sc_pkcs15init_delete_by_path(profile, p15card, path),
				"deleting an object");
	LOG_FUNC_RETURN(card->ctx, r);
}

/* ---- object data: certificates, data objects, public keys ------------- */

static const char *
p15_proto_of(const struct sc_pkcs15_object *obj)
{
	switch (obj->type & SC_PKCS15_TYPE_CLASS_MASK) {
	case SC_PKCS15_TYPE_CERT:
		return "proto-certificate";
	case SC_PKCS15_TYPE_DATA_OBJECT:
		return (obj->flags & SC_PKCS15_CO_FLAG_PRIVATE) ? "proto-privdata" : "proto-data";
	default:
		return NULL;
	}
}

/* A new transparent EF for @p der: first free FID from the prototype's on,
 * created, written, activated; removed again if writing fails. */
static struct sc_path *
p15_object_path(struct sc_pkcs15_object *obj)
{
	switch (obj->type & SC_PKCS15_TYPE_CLASS_MASK) {
	case SC_PKCS15_TYPE_CERT:
		return &((struct sc_pkcs15_cert_info *)obj->data)->path;
	case SC_PKCS15_TYPE_DATA_OBJECT:
		return &((struct sc_pkcs15_data_info *)obj->data)->path;
	default:
		return NULL;
	}
}

static int
p15_store_in_new_file(struct sc_profile *profile, struct sc_pkcs15_card *p15card,
		struct sc_pkcs15_object *obj, const char *proto, const struct sc_pkcs15_der *der,
		struct sc_path *path)
{
	struct sc_card *card = p15card->card;
	int cert = (obj->type & SC_PKCS15_TYPE_CLASS_MASK) == SC_PKCS15_TYPE_CERT;
	const char *obj_kind = cert ? "certificate" : "data object";
	unsigned int df_type = cert ? SC_PKCS15_CDF : SC_PKCS15_DODF;
	struct sc_file *file = NULL;
	unsigned int base, i;
	int r;

	r = p15_proto_fid(profile, proto, &base);
	LOG_TEST_RET(card->ctx, r, "prototype missing in the profile");
	for (i = 0, r = 1; i < ACOS5_MAX_FILES && r == 1; i++) {
		sc_file_free(file);
		r = pk_profile_file(profile, proto, base + i, &file);
		if (r == 0)
			r = p15_exists(card, &file->path);
		if (r == 1 && !pk_p15_path_used(p15card, &file->path)) {
			/* a file that no object lists: an interrupted store */
			sc_log(card->ctx, "%s left by an interrupted store: reused", sc_print_path(&file->path));
			r = sc_pkcs15init_delete_by_path(profile, p15card, &file->path);
		}
	}
	if (r != 0) {
		sc_file_free(file);
		if (r == 1)
			r = pk_p15_refuse(card->ctx, SC_ERROR_NOT_ENOUGH_MEMORY,
					"the layout has room for %d %ss and all are in use: delete one first "
					"(pkcs15-init --delete-objects %s)",
					ACOS5_MAX_FILES, obj_kind, cert ? "cert --id ID" : "data");
		LOG_TEST_RET(card->ctx, r, "no free file ID");
	}
	r = p15_check_free(card, der->len, 1, obj_kind);
	if (r == 0) {
		struct sc_path *opath = p15_object_path(obj);
		struct sc_path keep;

		if (opath) { /* the entry as it will be, with its path */
			keep = *opath;
			*opath = file->path;
		}
		r = pk_p15_check_entry(profile, p15card, obj, df_type, 0, obj_kind);
		if (opath)
			*opath = keep;
	}
	if (r < 0) {
		sc_file_free(file);
		LOG_TEST_RET(card->ctx, r, "no room for the object");
	}
	file->size = der->len;
	file->ef_structure = SC_FILE_EF_TRANSPARENT;
	r = pk_p15_login_needed(card->ctx, sc_pkcs15init_create_file(profile, p15card, file),
			cert ? "storing a certificate" : "storing a data object");
	if (r == 0) {
		r = sc_pkcs15init_update_file(profile, p15card, file, der->value, (unsigned int)der->len);
		if (r >= 0) /* the bytes written: activate (before, r > 0 skipped it) */
			r = p15_activate(card, &file->path);
		if (r < 0)
			p15_remove(profile, p15card, &file->path);
	}
	*path = file->path;
	path->index = 0;
	path->count = -1;
	sc_file_free(file);
	LOG_TEST_RET(card->ctx, r, "cannot store the object in a new file");
	return 0;
}

/* A generated key's public key stays in its key file (GET KEY, read with
 * the driver's read_public_key) */
static int
p15_pubkey_path(struct sc_pkcs15_card *p15card, struct sc_pkcs15_object *obj, struct sc_path *path)
{
	struct sc_pkcs15_pubkey_info *pub = obj->data;
	struct sc_pkcs15_object *prkey = NULL;
	const struct sc_pkcs15_prkey_info *info;
	unsigned int fid;

	if (sc_pkcs15_find_prkey_by_id(p15card, &pub->id, &prkey) < 0)
		LOG_FUNC_RETURN(p15card->card->ctx, pk_p15_refuse(p15card->card->ctx, SC_ERROR_NOT_SUPPORTED,
				"an ACOS5 public key is stored only with its private key, by --generate-key "
				"or (original ACOS5) --store-private-key"));
	info = prkey->data;
	if (info->path.len < 4)
		LOG_TEST_RET(p15card->card->ctx, SC_ERROR_NOT_SUPPORTED, "the private key has no file path");
	*path = info->path;
	fid = ((unsigned int)path->value[path->len - 2] << 8 | path->value[path->len - 1]) -
	      ACOS5_PRIV_TO_PUB;
	path->value[path->len - 2] = (u8)(fid >> 8);
	path->value[path->len - 1] = (u8)fid;
	return 0;
}

static int
acos5_p15_emu_store_data(struct sc_pkcs15_card *p15card, struct sc_profile *profile,
		struct sc_pkcs15_object *obj, struct sc_pkcs15_der *der, struct sc_path *path)
{
	const char *proto = p15_proto_of(obj);
	int r;

	LOG_FUNC_CALLED(p15card->card->ctx);
	if ((obj->type & SC_PKCS15_TYPE_CLASS_MASK) == SC_PKCS15_TYPE_PRKEY)
		return SC_ERROR_NOT_IMPLEMENTED; /* nothing to add for key files */
	if (!path || !der)
		return SC_ERROR_INVALID_ARGUMENTS;
	if ((obj->type & SC_PKCS15_TYPE_CLASS_MASK) == SC_PKCS15_TYPE_PUBKEY)
		LOG_FUNC_RETURN(p15card->card->ctx, p15_pubkey_path(p15card, obj, path));
	if (!proto)
		LOG_TEST_RET(p15card->card->ctx, SC_ERROR_NOT_SUPPORTED, "object type not supported");
	r = pk_p15_check_cert_key(p15card, obj, der);
	LOG_TEST_RET(p15card->card->ctx, r, "certificate refused");
	LOG_FUNC_RETURN(p15card->card->ctx, p15_store_in_new_file(profile, p15card, obj, proto, der, path));
}

/* pkcs15-init --update-certificate (sc_pkcs15init_update_certificate): a
 * certificate of another size goes into a file that OpenSC deletes and
 * creates anew, outside this module, and the card keeps a new file in
 * creation state, where it enforces no access condition: anyone could
 * overwrite or delete the certificate without a PIN. Once the certificate
 * is written OpenSC asks to update its directory entry (nothing to write:
 * its path and ID stay); the file is activated then, if it is not. */
static int
acos5_p15_update_any_df(struct sc_profile *profile, struct sc_pkcs15_card *p15card, unsigned op,
		struct sc_pkcs15_object *obj)
{
	struct sc_file *file = NULL;
	const struct sc_path *path;
	int r;

	if (op != SC_AC_OP_UPDATE || !obj || !obj->data ||
			(obj->type & SC_PKCS15_TYPE_CLASS_MASK) != SC_PKCS15_TYPE_CERT)
		return pk_p15_update_any_df(profile, p15card, op, obj);
	path = &((const struct sc_pkcs15_cert_info *)obj->data)->path;
	r = sc_select_file(p15card->card, path, &file);
	if (r == 0 && file->status == SC_FILE_STATUS_CREATION)
		r = p15_activate(p15card->card, path);
	sc_file_free(file);
	LOG_TEST_RET(p15card->card->ctx, r, "cannot activate the certificate's file");
	return pk_p15_update_any_df(profile, p15card, op, obj);
}

/* pkcs15-init --finalize (StarCOS SPK 2.x needs it for cards personalised
 * before 2026-12-05): an ACOS5 has nothing to finalise, since
 * --create-pkcs15 activates its files once the SO PIN is stored. An MF
 * still in creation state is a personalisation that did not finish. */
static int
acos5_p15_finalize_card(struct sc_card *card)
{
	struct sc_path mf;
	struct sc_file *file = NULL;
	int r;

	LOG_FUNC_CALLED(card->ctx);
	sc_format_path("3F00", &mf);
	r = sc_select_file(card, &mf, &file);
	if (r == SC_ERROR_FILE_NOT_FOUND || r == SC_ERROR_NOT_ALLOWED)
		r = pk_p15_refuse(card->ctx, SC_ERROR_NOT_ALLOWED,
				"the card is blank: personalise it (pkcs15-init --create-pkcs15 --so-pin SOPIN "
				"--so-puk SOPUK)");
	else if (r == 0 && file->status == SC_FILE_STATUS_CREATION)
		r = pk_p15_refuse(card->ctx, SC_ERROR_NOT_ALLOWED,
				"the card's personalisation did not finish: run pkcs15-init --create-pkcs15 "
				"again, it completes it");
	else if (r == 0)
		fprintf(stderr, "pkicards: nothing to finalise: this ACOS5 enforces its access "
				"conditions since --create-pkcs15\n");
	sc_file_free(file);
	LOG_FUNC_RETURN(card->ctx, r);
}

static struct sc_pkcs15init_operations acos5_p15_ops;

struct sc_pkcs15init_operations *
pk_get_acos5_p15init_ops(void)
{
	memset(&acos5_p15_ops, 0, sizeof(acos5_p15_ops));
	acos5_p15_ops.erase_card = acos5_p15_erase_card;
	acos5_p15_ops.init_card = acos5_p15_init_card;
	acos5_p15_ops.create_dir = acos5_p15_create_dir;
	acos5_p15_ops.select_pin_reference = acos5_p15_select_pin_reference;
	acos5_p15_ops.create_pin = acos5_p15_create_pin;
	acos5_p15_ops.select_key_reference = acos5_p15_select_key_reference;
	acos5_p15_ops.create_key = acos5_p15_create_key;
	acos5_p15_ops.store_key = acos5_p15_store_key;
	acos5_p15_ops.generate_key = acos5_p15_generate_key;
	acos5_p15_ops.delete_object = acos5_p15_delete_object;
	acos5_p15_ops.finalize_card = acos5_p15_finalize_card;
	acos5_p15_ops.emu_store_data = acos5_p15_emu_store_data;
	acos5_p15_ops.emu_update_any_df = acos5_p15_update_any_df;
	acos5_p15_ops.emu_write_info = pk_p15_write_info;
	return &acos5_p15_ops;
}
