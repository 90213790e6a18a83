/*
 * pkcs15-starcos.c: pkcs15init operations for G+D StarCOS SPK 2.3 / 2.4
 * (card driver starcos_ext), OpenSC's StarCOS layout (starcos-card.md §4.1) as
 * starcos_ext.profile describes it.
 *
 * Life cycle: the MF and DF 5015 are in creation state (access conditions
 * not enforced) until CREATE END, which --create-pkcs15 sends as soon as
 * the SO PIN and PUK are stored ("pkcs15-init --finalize" sends it again
 * for cards personalised before). Every change verifies the SO PIN first,
 * so that the same commands work before and after finalisation. StarCOS
 * 3.x issuer cards: the driver refuses all 2.x commands with a message;
 * nothing here is sent to them.
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
#include "pk-buf.h"
#include "pk-card.h"
#include "pk-compat.h"
#include "pk-cardctl.h"
#include "pk-p15init.h"
#include "pk-cmdline.h"
#include "pk-profile.h"
#include "starcos-parse.h"

#define SC2_SO_PIN 0x01        /* global, MF ISF; its PUK 02 */
#define SC2_MIN_LPIN 0x83      /* user PINs 83, 85 .. 8F (odd), PUK = PIN + 1 */
#define SC2_MAX_LPIN 0x8F
#define SC2_MIN_KEY 0x91       /* private keys 91 .. 9F in the 5015 ISF */
#define SC2_MAX_KEY 0x9F
#define SC2_KEY_LEN 370        /* ISF record of a private key (starcos-card.md §3.1.4) */
#define SC2_MF_ISF 256
#define SC2_DF_ISF 2560
#define SC2_BLOB_GAP 16
#define SC2_SLOTS 4            /* key records 91..94 prepared for the first user PIN */

/* ---- helpers --------------------------------------------------------- */

static const struct sc_path *
sc2_app_path(struct sc_profile *profile)
{
	return &profile->df_info->file->path;
}

static int
sc2_select(struct sc_card *card, const struct sc_path *path)
{
	return sc_select_file(card, path, NULL);
}

static int
sc2_select_mf(struct sc_card *card)
{
	struct sc_path mf;

	sc_format_path("3F00", &mf);
	return sc2_select(card, &mf);
}

static int
sc2_has_so_pin(struct sc_pkcs15_card *p15card)
{
	struct sc_pkcs15_object *obj = NULL;

	return sc_pkcs15_find_so_pin(p15card, &obj) == 0;
}

/* VERIFY the SO PIN (global 01): every change to the card needs it once the
 * card is finalised. The SO PIN comes from --so-pin or the terminal. */
static int
sc2_so_login(struct sc_profile *profile, struct sc_pkcs15_card *p15card)
{
	int r;

	if (!sc2_has_so_pin(p15card))
		return 0; /* still being personalised: no SO PIN yet */
	r = sc_pkcs15init_verify_secret(profile, p15card, NULL, SC_AC_CHV, SC2_SO_PIN);
	if (r == SC_ERROR_DATA_OBJECT_NOT_FOUND)
		return 0; /* 6A 88: the SO PIN is not on the card yet (--create-pkcs15) */
	LOG_TEST_RET(p15card->card->ctx, r, "this change needs the SO PIN (--so-pin)");
	return 0;
}

/* The SO PIN before a data object: a program that gives none (OpenSC's
 * PKCS#11 module: C_CreateObject) has OpenSC try an empty one, refused as
 * "Invalid PIN length" (CKR_PIN_LEN_RANGE); it is told instead that the SO
 * is not logged in (CKR_USER_NOT_LOGGED_IN), and why. */
static int
sc2_so_login_for_data(struct sc_profile *profile, struct sc_pkcs15_card *p15card)
{
	u8 v[64];
	size_t n = sizeof(v);
	int given = pk_cmdline_secret(p15card->card->ctx, "so-pin", v, &n) == 0;
	int r;

	sc_mem_clear(v, sizeof(v));
	r = sc2_so_login(profile, p15card);
	if (r == SC_ERROR_INVALID_PIN_LENGTH && !given)
		return pk_p15_refuse(p15card->card->ctx, SC_ERROR_SECURITY_STATUS_NOT_SATISFIED,
				"a data object on this card needs the SO PIN, which this program did not give "
				"(pkcs15-init --store-data FILE --so-pin SOPIN)");
	return r;
}

/*
 * Key generation and import, public keys, certificates and deleting them:
 * the layout gives these to the user PIN (key records prepared at
 * personalisation, directory files with UPDATE=$PIN), so OpenSC's
 * minidriver, which never has the SO PIN, can enrol. The SO PIN is still
 * verified when it is at hand (pkcs15-init --so-pin): cards personalised
 * before this layout need it. Without it the card decides.
 */
static int
sc2_so_login_if_given(struct sc_profile *profile, struct sc_pkcs15_card *p15card)
{
	u8 v[64];
	size_t n = sizeof(v);
	int r = pk_cmdline_secret(p15card->card->ctx, "so-pin", v, &n);

	sc_mem_clear(v, sizeof(v));
	if (r == SC_ERROR_OBJECT_NOT_FOUND) {
		sc_log(p15card->card->ctx, "no SO PIN given: the user PIN's rights apply");
		return 0;
	}
	return sc2_so_login(profile, p15card);
}

static int
sc2_select_app(struct sc_profile *profile, struct sc_card *card)
{
	return sc2_select(card, sc2_app_path(profile));
}

/* VERIFY the PIN with KID @p ref (from OpenSC's PIN cache or pkcs15-init's
 * --pin): a DF-local PIN's state is lost when the MF is selected, so this
 * comes right before the command that needs it, in the selected DF */
static int
sc2_pin_login(struct sc_profile *profile, struct sc_pkcs15_card *p15card, int ref)
{
	int r;

	if (ref <= 0)
		return 0;
	r = sc_pkcs15init_verify_secret(profile, p15card, profile->df_info->file, SC_AC_CHV, ref);
	LOG_TEST_RET(p15card->card->ctx, r, "the key's PIN");
	return 0;
}

static u8
sc2_ac_of(const struct sc_file *file, unsigned int op)
{
	const struct sc_acl_entry *e = sc_file_get_acl_entry(file, op);

	if (!e || e->method == SC_AC_NONE)
		return PK_STARCOS_AC_ALWAYS;
	if (e->method == SC_AC_NEVER)
		return PK_STARCOS_AC_NEVER;
	return starcos2_ac_for_pin(SC2_SO_PIN); /* $SOPIN, as the profile says */
}

/* The IPF (type A1) of the current DF, with "no keys" in byte 0 */
static int
sc2_create_ipf(struct sc_profile *profile, struct sc_card *card, const char *ident)
{
	struct file_info *fi = pk_profile_find(profile, ident);
	struct pk_starcos_ef ef;
	u8 none = 0x00;
	int r;

	if (!fi)
		LOG_TEST_RET(card->ctx, SC_ERROR_FILE_NOT_FOUND, ident);
	memset(&ef, 0, sizeof(ef));
	ef.fid = (unsigned int)fi->file->id;
	ef.ac_read = PK_STARCOS_AC_ALWAYS;
	ef.ac_write = sc2_ac_of(fi->file, SC_AC_OP_UPDATE);
	ef.ac_erase = PK_STARCOS_AC_NEVER;
	ef.type = PK_STARCOS_EF_IPF;
	ef.size = (unsigned int)fi->file->size;
	r = sc_card_ctl(card, PK_CARDCTL_STARCOS_CREATE_EF, &ef);
	LOG_TEST_RET(card->ctx, r, "cannot create the IPF");
	r = sc2_select(card, &fi->file->path);
	if (r == 0)
		r = sc_update_binary(card, 0, &none, 1, 0);
	LOG_TEST_RET(card->ctx, r < 0 ? r : 0, "cannot initialise the IPF");
	return 0;
}

/* ---- card and application -------------------------------------------- */

/* ERASE CARD (test cards, starcos-card.md §2.2) after the SO PIN was verified */
static int
sc2_erase_card(struct sc_profile *profile, struct sc_pkcs15_card *p15card)
{
	struct sc_card *card = p15card->card;
	int r;

	LOG_FUNC_CALLED(card->ctx);
	r = sc2_select_mf(card);
	if (r == SC_ERROR_FILE_NOT_FOUND || r == SC_ERROR_NOT_ALLOWED) {
		sc_log(card->ctx, "the card is blank already");
		LOG_FUNC_RETURN(card->ctx, SC_SUCCESS);
	}
	LOG_TEST_RET(card->ctx, r, "cannot select the MF");
	if (!sc2_has_so_pin(p15card)) {
		/* OpenSC erases also when it could not read the card's objects:
		 * a card lost then is named, not taken for a foreign card */
		r = sc_card_ctl(card, PK_CARDCTL_LOST, NULL);
		if (r == SC_ERROR_CARD_REMOVED || r == SC_ERROR_CARD_RESET)
			LOG_TEST_RET(card->ctx, r, "the card was lost while its objects were read; nothing erased");
		LOG_TEST_RET(card->ctx, SC_ERROR_NOT_ALLOWED,
				"no SO PIN found on the card: refusing to erase a card this module did not "
				"personalise");
	}
	r = pk_p15_verify_so_pin(profile, p15card, SC2_SO_PIN);
	LOG_TEST_RET(card->ctx, r, "erasing needs the SO PIN (--so-pin or --secret @02=...); nothing erased");
	r = sc_card_ctl(card, PK_CARDCTL_STARCOS_ERASE_CARD, NULL);
	LOG_TEST_RET(card->ctx, r, "ERASE CARD failed");
	sc_free_apps(card);
	LOG_FUNC_RETURN(card->ctx, SC_SUCCESS);
}

/* Is the card's MF the skeleton of a --create-pkcs15 that did not finish?
 * This module writes the PKCS#15 TokenInfo last of all, and before it
 * nothing but its own layout: an MF whose application DF (if any) has no
 * TokenInfo, and no other application in EF.DIR, is that skeleton. A card
 * personalised by anyone else has a TokenInfo or other applications and is
 * left alone. */
static int
sc2_unfinished(struct sc_profile *profile, struct sc_card *card)
{
	int r = pk_p15_tokeninfo_missing(profile, card);

	if (r != 1)
		return 0; /* a TokenInfo (or an error: not touched) */
	/* EF.DIR: nothing, or only our application */
	r = sc_enum_apps(card);
	if (r == 0 && card->app_count > 0) {
		int ours = card->app_count == 1 && card->app[0]->aid.len == profile->df_info->file->namelen &&
			   !memcmp(card->app[0]->aid.value, profile->df_info->file->name,
					   card->app[0]->aid.len);

		sc_free_apps(card);
		return ours;
	}
	sc_free_apps(card);
	return r == 0 || r == SC_ERROR_FILE_NOT_FOUND || r == SC_ERROR_INVALID_ASN1_OBJECT ||
	       r == SC_ERROR_ASN1_END_OF_CONTENTS;
}

/* Blank card: CREATE MF (ACs: SO PIN) and the MF's IPF */
static int
sc2_init_card(struct sc_profile *profile, struct sc_pkcs15_card *p15card)
{
	struct sc_card *card = p15card->card;
	struct pk_starcos_mf mf;
	u8 so = starcos2_ac_for_pin(SC2_SO_PIN);
	int r;

	LOG_FUNC_CALLED(card->ctx);
	r = pk_p15_check_profile_options(card->ctx, profile, "StarCOS");
	LOG_TEST_RET(card->ctx, r, "profile option");
	if (!sc2_has_so_pin(p15card)) {
		/* before: MF and DF 5015 created, then "Invalid arguments"; and a
		 * card without SO PIN would never leave its creation state */
		r = pk_p15_refuse(card->ctx, SC_ERROR_INVALID_ARGUMENTS,
				"a StarCOS SPK card is personalised with an SO PIN, which ends its creation state "
				"(until then it enforces no PIN): give --so-pin SOPIN and --so-puk SOPUK "
				"(not --no-so-pin)");
		LOG_FUNC_RETURN(card->ctx, r);
	}
	r = pk_p15_check_create_args(card->ctx);
	LOG_TEST_RET(card->ctx, r, "token label or SO PIN");
	r = sc2_select_mf(card);
	if (r == 0 && sc2_unfinished(profile, card)) {
		sc_log(card->ctx, "an interrupted --create-pkcs15 (MF, no PKCS#15 application yet): erased, "
				"created again");
		r = sc_card_ctl(card, PK_CARDCTL_STARCOS_ERASE_CARD, NULL);
		LOG_TEST_RET(card->ctx, r, "cannot erase the interrupted personalisation");
		r = SC_ERROR_FILE_NOT_FOUND;
	}
	if (r == 0)
		LOG_FUNC_RETURN(card->ctx, pk_p15_refuse(card->ctx, SC_ERROR_NOT_ALLOWED,
				"the card is not blank: erase it first (pkcs15-init --erase-card --so-pin ...)"));
	memset(&mf, 0, sizeof(mf));
	mf.size = (unsigned int)profile->mf_info->file->size;
	mf.isf_size = SC2_MF_ISF;
	mf.ac_create_ef = mf.ac_create_key = mf.ac_create_df = mf.ac_register_df = so;
	r = sc_card_ctl(card, PK_CARDCTL_STARCOS_CREATE_MF, &mf);
	LOG_TEST_RET(card->ctx, r, "CREATE MF failed");
	r = sc2_select_mf(card);
	if (r == 0)
		r = sc2_create_ipf(profile, card, "MF-IPF");
	LOG_FUNC_RETURN(card->ctx, r);
}

/* The directory files the user PIN updates (PrKDF, PuKDF, CDF; the profile
 * gives them UPDATE=$PIN and room for several entries) are created now,
 * empty, and listed in the ODF with the others: creating a file in 5015
 * later needs the SO PIN, and the user PIN alone must be able to add a key
 * and its certificate (Windows enrolment through OpenSC's minidriver). */
static int
sc2_create_user_dfs(struct sc_profile *profile, struct sc_pkcs15_card *p15card)
{
	static const struct {
		const char *ident;
		unsigned int type;
	} dfs[] = {{"PKCS15-PrKDF", SC_PKCS15_PRKDF}, {"PKCS15-PuKDF", SC_PKCS15_PUKDF},
			{"PKCS15-CDF", SC_PKCS15_CDF}};
	struct sc_card *card = p15card->card;
	size_t i;
	int r;

	for (i = 0; i < sizeof(dfs) / sizeof(dfs[0]); i++) {
		struct file_info *fi = pk_profile_find(profile, dfs[i].ident);

		if (!fi)
			LOG_TEST_RET(card->ctx, SC_ERROR_FILE_NOT_FOUND, dfs[i].ident);
		r = sc_pkcs15init_create_file(profile, p15card, fi->file);
		if (r == SC_ERROR_FILE_ALREADY_EXISTS)
			r = 0;
		LOG_TEST_RET(card->ctx, r, "cannot create a PKCS#15 directory file");
		r = sc_pkcs15_add_df(p15card, dfs[i].type, &fi->file->path);
		LOG_TEST_RET(card->ctx, r, "cannot list a PKCS#15 directory file");
	}
	return 0;
}

/* The PKCS#15 DF 5015 (REGISTER DF + CREATE DF) and its IPF */
static int
sc2_create_dir(struct sc_profile *profile, struct sc_pkcs15_card *p15card, struct sc_file *df)
{
	struct sc_card *card = p15card->card;
	struct pk_starcos_df d;
	int r;

	LOG_FUNC_CALLED(card->ctx);
	if (df != profile->df_info->file || df->id <= 0 || df->namelen > sizeof(d.aid))
		LOG_TEST_RET(card->ctx, SC_ERROR_NOT_SUPPORTED, "only the PKCS#15 application DF");
	r = sc2_so_login(profile, p15card);
	LOG_TEST_RET(card->ctx, r, "SO PIN");
	memset(&d, 0, sizeof(d));
	d.fid = (unsigned int)df->id;
	d.size = (unsigned int)df->size;
	d.isf_size = SC2_DF_ISF;
	memcpy(d.aid, df->name, df->namelen);
	d.aid_len = df->namelen;
	d.ac_create_ef = d.ac_create_key = starcos2_ac_for_pin(SC2_SO_PIN);
	r = sc2_select_mf(card);
	if (r == 0)
		r = sc_card_ctl(card, PK_CARDCTL_STARCOS_CREATE_DF, &d);
	LOG_TEST_RET(card->ctx, r, "cannot create the application DF");
	r = sc2_select(card, &df->path);
	if (r == 0)
		r = sc2_create_ipf(profile, card, "P15-IPF");
	LOG_TEST_RET(card->ctx, r, "cannot create the IPF");
	r = sc2_create_user_dfs(profile, p15card);
	LOG_FUNC_RETURN(card->ctx, r);
}

/* CREATE END of 5015 and the MF: from now on the card enforces the ACs */
static int
sc2_finalize_card(struct sc_card *card)
{
	static const unsigned int fids[] = {0x5015, 0x3F00};
	size_t i;
	int r;

	LOG_FUNC_CALLED(card->ctx);
	for (i = 0; i < sizeof(fids) / sizeof(fids[0]); i++) {
		r = sc2_select_mf(card);
		LOG_TEST_RET(card->ctx, r, "cannot select the MF");
		r = sc_card_ctl(card, PK_CARDCTL_STARCOS_CREATE_END, (void *)&fids[i]);
		if (r == SC_ERROR_NOT_ALLOWED) {
			sc_log(card->ctx, "%04X is finalised already", fids[i]);
			r = 0;
		}
		LOG_TEST_RET(card->ctx, r, "CREATE END failed");
	}
	LOG_FUNC_RETURN(card->ctx, SC_SUCCESS);
}

/* ---- PINs (starcos-card.md §3.1.3, §3.1.4) -------------------------------- */

static int
sc2_select_pin_reference(struct sc_profile *profile, struct sc_pkcs15_card *p15card,
		struct sc_pkcs15_auth_info *auth)
{
	struct sc_pkcs15_pin_attributes *a = &auth->attrs.pin;
	int r;

	if (auth->auth_type != SC_PKCS15_PIN_AUTH_TYPE_PIN)
		return SC_ERROR_OBJECT_NOT_VALID;
	r = pk_p15_second_user_pin(p15card, auth);
	LOG_TEST_RET(p15card->card->ctx, r, "PKCS#11 C_InitPIN on a token with a user PIN");
	if (a->flags & SC_PKCS15_PIN_FLAG_SO_PIN) {
		a->reference = SC2_SO_PIN;
		a->flags &= ~SC_PKCS15_PIN_FLAG_LOCAL;
		return 0;
	}
	if (!(a->flags & SC_PKCS15_PIN_FLAG_LOCAL))
		LOG_TEST_RET(p15card->card->ctx, SC_ERROR_NOT_SUPPORTED,
				"user PINs are local to the PKCS#15 DF (KID 83..8F)");
	if (a->reference < SC2_MIN_LPIN)
		a->reference = SC2_MIN_LPIN;
	if (!(a->reference & 1))
		a->reference++; /* PINs odd, their PUKs even */
	if (a->reference > SC2_MAX_LPIN)
		LOG_TEST_RET(p15card->card->ctx, SC_ERROR_TOO_MANY_OBJECTS, "no PIN reference left");
	return 0;
}

static unsigned int
sc2_tries(int max_tries, unsigned int def)
{
	return max_tries > 0 && max_tries <= 15 ? (unsigned int)max_tries : def;
}

/* 12-byte headers of a PIN and of its PUK */
static void
sc2_pin_header(u8 *h, unsigned int kid, unsigned int tries, size_t min_len)
{
	const u8 v[12] = {(u8)kid, 0x00, 0x08, PK_STARCOS_AC_ALWAYS, starcos2_pin_state(kid),
			PK_STARCOS_AC_ALWAYS, (u8)(tries << 4 | tries), 0x00, 0x00,
			(u8)(0x08 | ((min_len ? min_len : 1) - 1)), 0x00, 0x81};

	memcpy(h, v, sizeof(v));
}

static void
sc2_puk_header(u8 *h, unsigned int pin_kid, unsigned int tries)
{
	const u8 v[12] = {(u8)(pin_kid + 1), 0x00, 0x08, PK_STARCOS_AC_ALWAYS,
			(u8)(((pin_kid & 0x1F) << 3) | 0x05), starcos2_ac_for_pin(SC2_SO_PIN),
			(u8)(tries << 4 | tries), 0x00, 0x00, 0x00, 0x00, 0x02};

	memcpy(h, v, sizeof(v));
}

/* Install one ISF record with an 8-byte value, 00-padded */
static int
sc2_write_secret(struct sc_card *card, const u8 *hdr, const u8 *val, size_t len)
{
	struct pk_starcos_wkey wk;
	u8 buf[8];
	int r;

	if (len == 0 || len > sizeof(buf))
		LOG_TEST_RET(card->ctx, SC_ERROR_INVALID_PIN_LENGTH, "StarCOS PINs and PUKs have 1-8 characters");
	memset(buf, 0x00, sizeof(buf));
	memcpy(buf, val, len);
	memset(&wk, 0, sizeof(wk));
	wk.header = hdr;
	wk.kid = hdr[0];
	wk.data = buf;
	wk.len = sizeof(buf);
	r = sc_card_ctl(card, PK_CARDCTL_STARCOS_WRITE_KEY, &wk);
	if (r == SC_ERROR_FILE_ALREADY_EXISTS) {
		/* the record is there (an interrupted store of this PIN, which
		 * no AODF entry lists): its value is written again */
		sc_log(card->ctx, "ISF record %02X exists: value rewritten", hdr[0]);
		wk.header = NULL;
		wk.update = 1;
		r = sc_card_ctl(card, PK_CARDCTL_STARCOS_WRITE_KEY, &wk);
	}
	sc_mem_clear(buf, sizeof(buf));
	return r;
}

/*
 * Key records 91..94 for the first user PIN (83), installed while the SO
 * PIN is verified (personalisation): used and changed with the user PIN,
 * for signing, authentication and deciphering. GENERATE KEY into such a
 * record needs only the user PIN, which is what lets OpenSC's minidriver
 * (which never has the SO PIN) create a key container on Windows. The
 * first key personalised goes into 91 like any other. An existing record
 * is left as it is.
 */
static int
sc2_prepare_slots(struct sc_card *card, unsigned int pin_kid)
{
	u8 ac = starcos2_ac_for_pin(pin_kid);
	struct pk_starcos_wkey wk;
	int i, r;

	for (i = 0; i < SC2_SLOTS; i++) {
		const u8 h[12] = {(u8)(SC2_MIN_KEY + i), SC2_KEY_LEN >> 8, SC2_KEY_LEN & 0xFF, ac, 0x8F, ac,
				0x33, 0x00, 0x09, 0x33, 0x03, 0xA0};

		memset(&wk, 0, sizeof(wk));
		wk.header = h;
		wk.kid = h[0];
		r = sc_card_ctl(card, PK_CARDCTL_STARCOS_WRITE_KEY, &wk);
		if (r == SC_ERROR_FILE_ALREADY_EXISTS)
			continue;
		LOG_TEST_RET(card->ctx, r, "WRITE KEY of a key record failed");
	}
	return 0;
}

static int
sc2_create_pin(struct sc_profile *profile, struct sc_pkcs15_card *p15card, struct sc_file *df,
		struct sc_pkcs15_object *pin_obj, const u8 *pin, size_t pin_len,
		const u8 *puk, size_t puk_len)
{
	struct sc_card *card = p15card->card;
	struct sc_pkcs15_auth_info *auth = pin_obj->data, puk_info;
	int so = (auth->attrs.pin.flags & SC_PKCS15_PIN_FLAG_SO_PIN) != 0;
	unsigned int kid = (unsigned int)auth->attrs.pin.reference;
	u8 hdr[12];
	int r;

	LOG_FUNC_CALLED(card->ctx);
	if (auth->attrs.pin.flags & SC_PKCS15_PIN_FLAG_UNBLOCKING_PIN)
		LOG_FUNC_RETURN(card->ctx, pk_p15_refuse(card->ctx, SC_ERROR_NOT_SUPPORTED,
				"a StarCOS PUK is stored with its PIN: give --puk with --store-pin, not a PUK "
				"object of its own (--puk-auth-id)"));
	if (!pin || !pin_len)
		LOG_TEST_RET(card->ctx, SC_ERROR_INVALID_ARGUMENTS, "no PIN value");
	sc_pkcs15init_get_pin_info(profile, so ? SC_PKCS15INIT_SO_PUK : SC_PKCS15INIT_USER_PUK, &puk_info);
	r = pk_p15_check_new_pins(card->ctx, auth, pin, pin_len, &puk_info, puk, puk ? puk_len : 0, 8);
	LOG_TEST_RET(card->ctx, r, "PIN or PUK");
	r = sc2_so_login(profile, p15card);
	LOG_TEST_RET(card->ctx, r, "SO PIN");
	r = so ? sc2_select_mf(card) : sc2_select(card, &df->path);
	LOG_TEST_RET(card->ctx, r, "cannot select the PIN's DF");
	sc2_pin_header(hdr, kid, sc2_tries(auth->max_tries, 3), auth->attrs.pin.min_length);
	r = sc2_write_secret(card, hdr, pin, pin_len);
	LOG_TEST_RET(card->ctx, r, "cannot store the PIN");
	if (puk && puk_len) {
		sc2_puk_header(hdr, kid, sc2_tries(puk_info.max_tries, 10));
		r = sc2_write_secret(card, hdr, puk, puk_len);
		LOG_TEST_RET(card->ctx, r, "cannot store the PUK");
	}
	if (!so && kid == SC2_MIN_LPIN) {
		r = sc2_prepare_slots(card, kid);
		LOG_TEST_RET(card->ctx, r, "cannot prepare the key records of the user PIN");
	}
	if (so) {
		/* The SO PIN is in place: the card enforces the ACs from now on,
		 * as OpenSC's own StarCOS module does it. Left in creation state,
		 * the card would let anyone use its keys and write its files
		 * until somebody thought of --finalize. */
		r = sc2_finalize_card(card);
		LOG_TEST_RET(card->ctx, r, "cannot finalise the card after storing the SO PIN");
		/* the rest of --create-pkcs15 creates files in 5015 */
		r = sc_pkcs15init_verify_secret(profile, p15card, NULL, SC_AC_CHV, SC2_SO_PIN);
		LOG_TEST_RET(card->ctx, r, "the SO PIN just stored does not verify");
	}
	auth->path = so ? profile->mf_info->file->path : df->path;
	LOG_FUNC_RETURN(card->ctx, SC_SUCCESS);
}

/* ---- keys (starcos-card.md §2.2, §3.1.4) ---------------------------------- */

static int
sc2_key_in_use(struct sc_pkcs15_card *p15card, int kid)
{
	struct sc_pkcs15_object *objs[32];
	int i, n = sc_pkcs15_get_objects(p15card, SC_PKCS15_TYPE_PRKEY, objs, 32);

	for (i = 0; i < n; i++) {
		const struct sc_pkcs15_prkey_info *k = objs[i]->data;

		if (k->key_reference == kid)
			return 1;
	}
	return 0;
}

/* The modulus length in bytes of KID's public key in the application's IPF,
 * 0 if it has none. The card replaces an IPF entry only by one of the same
 * size (entries are appended, never moved: starcos-card.md §3.1.1), so a
 * record whose earlier key had another size cannot take this one. */
static size_t
sc2_ipf_modulus(struct sc_profile *profile, struct sc_card *card, int kid)
{
	struct file_info *fi = pk_profile_find(profile, "P15-IPF");
	struct sc_file *file = NULL;
	struct starcos2_pubkey k;
	u8 buf[2048];
	size_t pos = 1, size, n = 0;
	unsigned int i, cnt;
	int r;

	if (!fi || sc_select_file(card, &fi->file->path, &file) < 0)
		return 0;
	size = file->size < sizeof(buf) ? file->size : sizeof(buf);
	sc_file_free(file);
	r = size ? sc_read_binary(card, 0, buf, size, PK_NO_RB_FLAGS) : 0;
	if (r <= 0 || buf[0] == 0xFF)
		return 0;
	size = (size_t)r;
	cnt = buf[0];
	for (i = 0; i < cnt && pos + 3 <= size; i++) {
		size_t len = 12 + ((size_t)buf[pos + 1] << 8 | buf[pos + 2]);

		if (len > size - pos || starcos2_parse_pubkey(buf + pos, len, &k) < 0)
			break;
		if ((int)k.kid == kid)
			n = k.n_len;
		pos += len;
	}
	return n;
}

static int
sc2_select_key_reference(struct sc_profile *profile, struct sc_pkcs15_card *p15card,
		struct sc_pkcs15_prkey_info *key)
{
	int kid = key->key_reference < SC2_MIN_KEY ? SC2_MIN_KEY : key->key_reference;
	size_t want = key->modulus_length / 8, had;
	struct sc_pkcs15_object *pub = NULL;
	int r = 0;

	if (key->id.len && sc_pkcs15_find_pubkey_by_id(p15card, &key->id, &pub) == 0 &&
			sc_pkcs15_find_prkey_by_id(p15card, &key->id, NULL) != 0) {
		/* an interrupted key generation left the public key listed alone:
		 * its entry goes (the PuKDF is updated with the user PIN) */
		r = sc2_select_app(profile, p15card->card);
		if (r == 0)
			r = sc2_pin_login(profile, p15card, SC2_MIN_LPIN);
		if (r == 0)
			r = pk_p15_drop_lone_pubkey(profile, p15card, &key->id);
	}
	LOG_TEST_RET(p15card->card->ctx, r < 0 ? r : 0,
			"cannot remove a public key left without its private key");

	while (kid <= SC2_MAX_KEY && (sc2_key_in_use(p15card, kid) ||
			((had = sc2_ipf_modulus(profile, p15card->card, kid)) && want && had != want)))
		kid++;
	if (kid > SC2_MAX_KEY)
		return pk_p15_refuse(p15card->card->ctx, SC_ERROR_NOT_ENOUGH_MEMORY,
				"all 15 key slots of the card (91 to 9F) are in use: delete a key first "
				"(pkcs15-init --delete-objects privkey,pubkey --id ID)");
	key->key_reference = kid;
	key->path = *sc2_app_path(profile);
	return 0;
}

static u8
sc2_key_usage(unsigned int usage)
{
	int sign = (usage & (SC_PKCS15_PRKEY_USAGE_SIGN | SC_PKCS15_PRKEY_USAGE_NONREPUDIATION |
				SC_PKCS15_PRKEY_USAGE_SIGNRECOVER)) != 0;
	int dec = (usage & (SC_PKCS15_PRKEY_USAGE_DECRYPT | SC_PKCS15_PRKEY_USAGE_UNWRAP)) != 0;

	return (u8)((sign || !dec ? 0x31 : 0x00) | (dec ? 0x02 : 0x00));
}

/* The user PIN that guards the key: its KID gives the use condition */
static int
sc2_key_pin_ref(struct sc_pkcs15_card *p15card, const struct sc_pkcs15_object *obj)
{
	struct sc_pkcs15_object *pin = NULL;
	const struct sc_pkcs15_auth_info *a;

	if (sc_pkcs15_find_pin_by_auth_id(p15card, &obj->auth_id, &pin) < 0)
		return -1;
	a = pin->data;
	return a->attrs.pin.reference;
}

/* Private-key record header: use and change = the key's PIN (the user
 * generates and replaces the keys of the PIN's slots, also without the SO
 * PIN: Windows enrolment). A key whose auth ID names no PIN is refused: it
 * would be usable by anyone. */
static int
sc2_key_header(struct sc_pkcs15_card *p15card, const struct sc_pkcs15_object *obj, u8 *h)
{
	const struct sc_pkcs15_prkey_info *key = obj->data;
	int ref = obj->auth_id.len ? sc2_key_pin_ref(p15card, obj) : 0;
	u8 use = ref > 0 ? starcos2_ac_for_pin((unsigned int)ref) : PK_STARCOS_AC_ALWAYS;

	if (ref < 0)
		return SC_ERROR_OBJECT_NOT_FOUND;
	const u8 v[12] = {(u8)key->key_reference, SC2_KEY_LEN >> 8, SC2_KEY_LEN & 0xFF, use, 0x8F,
			ref > 0 ? use : starcos2_ac_for_pin(SC2_SO_PIN), 0x33, 0x00, 0x09,
			sc2_key_usage(key->usage), 0x03, 0xA0};

	memcpy(h, v, sizeof(v));
	return 0;
}

/* The layout's keys belong to the first user PIN (83): its key records
 * 91..94 are used with it, and the PrKDF and PuKDF are written with it. A
 * key of a second user PIN (85..8F) would be listed under that PIN and
 * then be usable with PIN 83 only, or not be listed at all on a finalised
 * card: refused before anything is written. */
static int
sc2_check_key_pin(struct sc_pkcs15_card *p15card, const struct sc_pkcs15_object *obj)
{
	struct sc_pkcs15_object *pin = NULL, *user = NULL;
	int ref = obj->auth_id.len ? sc2_key_pin_ref(p15card, obj) : 0;
	char id[2 * SC_PKCS15_MAX_ID_SIZE + 1];

	if (ref <= SC2_MIN_LPIN || sc_pkcs15_find_pin_by_auth_id(p15card, &obj->auth_id, &pin) != 0 ||
			sc_pkcs15_find_pin_by_reference(p15card, NULL, SC2_MIN_LPIN, &user) != 0 || !user)
		return 0;
	snprintf(id, sizeof(id), "%s",
			sc_pkcs15_print_id(&((const struct sc_pkcs15_auth_info *)user->data)->auth_id));
	return pk_p15_refuse(p15card->card->ctx, SC_ERROR_NOT_SUPPORTED,
			"on this card's layout private keys belong to PIN %02X (\"%.*s\", auth-id %s): a key "
			"for \"%.*s\" (auth-id %s) would be usable with PIN %02X only. Generate or store it "
			"with --auth-id %s",
			SC2_MIN_LPIN, (int)strnlen(user->label, sizeof(user->label)), user->label, id,
			(int)strnlen(pin->label, sizeof(pin->label)), pin->label,
			sc_pkcs15_print_id(&obj->auth_id), SC2_MIN_LPIN, id);
}

/* WRITE KEY header of the key's record; a record left by a deleted key
 * (6A 89, no PrKDF entry) is reused: generation or import overwrite it. */
static int
sc2_create_key(struct sc_profile *profile, struct sc_pkcs15_card *p15card,
		struct sc_pkcs15_object *obj)
{
	struct sc_card *card = p15card->card;
	struct sc_pkcs15_prkey_info *key = obj->data;
	struct pk_starcos_wkey wk;
	u8 hdr[12];
	int r;

	LOG_FUNC_CALLED(card->ctx);
	if (obj->type != SC_PKCS15_TYPE_PRKEY_RSA)
		LOG_TEST_RET(card->ctx, SC_ERROR_NOT_SUPPORTED, "StarCOS SPK 2.x keys are RSA keys");
	if (!sc_card_find_rsa_alg(card, (unsigned int)key->modulus_length))
		LOG_TEST_RET(card->ctx, SC_ERROR_NOT_SUPPORTED,
				"StarCOS SPK 2.x holds RSA keys of 512, 768 and 1024 bits only");
	r = sc2_check_key_pin(p15card, obj);
	LOG_TEST_RET(card->ctx, r, "the key's PIN");
	r = pk_p15_check_entry(profile, p15card, obj, SC_PKCS15_PRKDF, 0, "private key");
	if (r == 0) /* the public key's entry: the private key's and the modulus (direct value) */
		r = pk_p15_check_entry(profile, p15card, obj, SC_PKCS15_PUKDF, key->modulus_length / 8 + 16,
				"public key");
	LOG_TEST_RET(card->ctx, r, "no room for the key pair");
	r = sc2_so_login_if_given(profile, p15card);
	LOG_TEST_RET(card->ctx, r, "SO PIN");
	r = sc2_select_app(profile, card);
	LOG_TEST_RET(card->ctx, r, "cannot select the application DF");
	r = sc2_key_header(p15card, obj, hdr);
	LOG_TEST_RET(card->ctx, r, "no PIN with the key's --auth-id on the card");
	memset(&wk, 0, sizeof(wk));
	wk.header = hdr;
	wk.kid = hdr[0];
	r = sc_card_ctl(card, PK_CARDCTL_STARCOS_WRITE_KEY, &wk);
	if (r == SC_ERROR_FILE_ALREADY_EXISTS) {
		sc_log(card->ctx, "key record %02X exists (prepared, or a deleted key's): using it", hdr[0]);
		r = 0;
	} else if (r == SC_ERROR_SECURITY_STATUS_NOT_SATISFIED) {
		/* no SO PIN: only a prepared record can take the key, which
		 * GENERATE KEY or the import finds (or not) */
		sc_log(card->ctx, "no new key record without the SO PIN: key %02X must be a prepared one",
				hdr[0]);
		r = 0;
	}
	LOG_TEST_RET(card->ctx, r, "cannot install the key record");
	LOG_FUNC_RETURN(card->ctx, SC_SUCCESS);
}

/* GENERATE KEY or WRITE KEY found no record @p kid: without the SO PIN
 * only the 4 records prepared at personalisation take keys (sc2_create_key
 * could not install one), and nothing has been written. Said to the user
 * (before: "Data object not found" alone). Other results pass through. */
static int
sc2_no_record(struct sc_context *ctx, int r, unsigned int kid)
{
	if (r != SC_ERROR_REF_DATA_NOT_USABLE && r != SC_ERROR_DATA_OBJECT_NOT_FOUND)
		return r;
	return pk_p15_refuse(ctx, SC_ERROR_NOT_ENOUGH_MEMORY,
			"key slot %02X has no key record: the user PIN alone fills only the %d slots "
			"prepared at personalisation (%02X to %02X), and they are in use. Delete a key first "
			"(pkcs15-init --delete-objects privkey,pubkey --id ID), or give the SO PIN "
			"(pkcs15-init --so-pin), which makes new slots",
			kid, SC2_SLOTS, SC2_MIN_KEY, SC2_MIN_KEY + SC2_SLOTS - 1);
}

static int
sc2_generate_key(struct sc_profile *profile, struct sc_pkcs15_card *p15card,
		struct sc_pkcs15_object *obj, struct sc_pkcs15_pubkey *pubkey)
{
	struct sc_card *card = p15card->card;
	struct sc_pkcs15_prkey_info *key = obj->data;
	struct pk_starcos_keygen kg;
	int r;

	LOG_FUNC_CALLED(card->ctx);
	if (obj->type != SC_PKCS15_TYPE_PRKEY_RSA || !pubkey)
		LOG_TEST_RET(card->ctx, SC_ERROR_NOT_SUPPORTED, "StarCOS generates RSA key pairs only");
	r = sc2_select_app(profile, card);
	LOG_TEST_RET(card->ctx, r, "cannot select the application DF");
	r = pk_p15_login_needed(card->ctx, sc2_pin_login(profile, p15card, sc2_key_pin_ref(p15card, obj)),
			"generating a key");
	LOG_TEST_RET(card->ctx, r, "GENERATE KEY needs the key's PIN");
	pk_p15_keygen_started(p15card, obj);
	memset(&kg, 0, sizeof(kg));
	kg.kid = (u8)key->key_reference;
	kg.bits = (unsigned int)key->modulus_length;
	r = sc_card_ctl(card, PK_CARDCTL_STARCOS_GENERATE_KEY, &kg);
	r = sc2_no_record(card->ctx, r, kg.kid);
	LOG_TEST_RET(card->ctx, r, "key generation failed");
	r = pk_p15_pubkey_from_card(card->ctx, pubkey, &kg.pub);
	LOG_FUNC_RETURN(card->ctx, r);
}

/* @p n bytes of big-endian @p be as LSB first, zero-extended to @p width */
static void
sc2_put_le(struct pk_buf *b, const struct sc_pkcs15_bignum *be, size_t width)
{
	size_t i;

	if (be->len > width) {
		b->failed = 1;
		return;
	}
	for (i = 0; i < width; i++)
		pk_buf_u8(b, i < be->len ? be->data[be->len - 1 - i] : 0x00);
}

/* CRT key blob (starcos-card.md §3.1.4): header, q, p, 16 x 00 dq, 16 x 00 dp, qinv */
static int
sc2_key_blob(const struct sc_pkcs15_prkey_rsa *k, size_t bits, struct pk_buf *b)
{
	size_t h = bits / 16;
	const u8 zero[SC2_BLOB_GAP] = {0};

	if (!k->p.len || !k->q.len || !k->dmp1.len || !k->dmq1.len || !k->iqmp.len ||
			h + SC2_BLOB_GAP > 255)
		return SC_ERROR_INVALID_ARGUMENTS;
	pk_buf_bytes(b, (const u8[]){0x0C, 0x91, (u8)h, 0x92, (u8)h, 0x94, (u8)(h + SC2_BLOB_GAP), 0x95,
			(u8)(h + SC2_BLOB_GAP), 0x97, (u8)h, 0x00}, 12);
	pk_buf_u8(b, (unsigned int)(SC2_KEY_LEN - (13 + 5 * h + 2 * SC2_BLOB_GAP)));
	sc2_put_le(b, &k->q, h);
	sc2_put_le(b, &k->p, h);
	pk_buf_bytes(b, zero, sizeof(zero));
	sc2_put_le(b, &k->dmq1, h);
	pk_buf_bytes(b, zero, sizeof(zero));
	sc2_put_le(b, &k->dmp1, h);
	sc2_put_le(b, &k->iqmp, h);
	while (!b->failed && b->len < SC2_KEY_LEN)
		pk_buf_u8(b, 0x00);
	return pk_buf_result(b);
}

/* Key import: WRITE KEY data (update mode) with the CRT blob */
static int
sc2_store_key(struct sc_profile *profile, struct sc_pkcs15_card *p15card,
		struct sc_pkcs15_object *obj, struct sc_pkcs15_prkey *prkey)
{
	struct sc_card *card = p15card->card;
	struct sc_pkcs15_prkey_info *key = obj->data;
	struct pk_starcos_wkey wk;
	struct pk_buf b;
	u8 blob[SC2_KEY_LEN];
	int r;

	LOG_FUNC_CALLED(card->ctx);
	if (prkey->algorithm != SC_ALGORITHM_RSA)
		LOG_TEST_RET(card->ctx, SC_ERROR_NOT_SUPPORTED, "StarCOS SPK 2.x imports RSA keys only");
	pk_buf_init(&b, blob, sizeof(blob));
	r = sc2_key_blob(&prkey->u.rsa, key->modulus_length, &b);
	if (r < 0) {
		sc_mem_clear(blob, sizeof(blob));
		LOG_TEST_RET(card->ctx, SC_ERROR_NOT_SUPPORTED,
				"the key does not fit a StarCOS key record (CRT RSA up to 1024 bits)");
	}
	r = sc2_select_app(profile, card);
	if (r == 0)
		r = pk_p15_login_needed(card->ctx,
				sc2_pin_login(profile, p15card, sc2_key_pin_ref(p15card, obj)), "importing a key");
	if (r == 0) {
		memset(&wk, 0, sizeof(wk));
		wk.kid = (u8)key->key_reference;
		wk.update = 1;
		wk.data = blob;
		wk.len = b.len;
		r = sc2_no_record(card->ctx, sc_card_ctl(card, PK_CARDCTL_STARCOS_WRITE_KEY, &wk), wk.kid);
	}
	sc_mem_clear(blob, sizeof(blob));
	LOG_TEST_RET(card->ctx, r, "cannot write the key");
	LOG_FUNC_RETURN(card->ctx, SC_SUCCESS);
}

/* ---- delete, object data ----------------------------------------------- */

/* SPK 2.x has no DELETE FILE: a key record is overwritten with zeros (the
 * key is gone, the record is reused by the next key with its KID); a file
 * is overwritten with zeros and stays allocated. */
static int
sc2_wipe_key(struct sc_profile *profile, struct sc_card *card, const struct sc_pkcs15_prkey_info *key)
{
	static const u8 zero[SC2_KEY_LEN];
	struct pk_starcos_wkey wk;
	int r = sc2_select_app(profile, card);

	LOG_TEST_RET(card->ctx, r, "cannot select the application DF");
	memset(&wk, 0, sizeof(wk));
	wk.kid = (u8)key->key_reference;
	wk.update = 1;
	wk.data = zero;
	wk.len = sizeof(zero);
	return sc_card_ctl(card, PK_CARDCTL_STARCOS_WRITE_KEY, &wk);
}

static int
sc2_wipe_file(struct sc_card *card, const struct sc_path *path)
{
	struct sc_file *file = NULL;
	u8 *zero;
	int r = sc_select_file(card, path, &file);

	if (r == SC_ERROR_FILE_NOT_FOUND)
		return 0;
	LOG_TEST_RET(card->ctx, r, "cannot select the object's file");
	zero = file->size ? calloc(1, file->size) : NULL;
	r = !file->size ? 0 : zero ? sc_update_binary(card, 0, zero, file->size, 0) : SC_ERROR_OUT_OF_MEMORY;
	free(zero);
	sc_file_free(file);
	return r < 0 ? r : 0;
}

static int
sc2_delete_object(struct sc_profile *profile, struct sc_pkcs15_card *p15card,
		struct sc_pkcs15_object *obj, const struct sc_path *path)
{
	struct sc_card *card = p15card->card;
	unsigned int cls = obj->type & SC_PKCS15_TYPE_CLASS_MASK;
	int r;

	LOG_FUNC_CALLED(card->ctx);
	r = sc2_so_login_if_given(profile, p15card);
	LOG_TEST_RET(card->ctx, r, "SO PIN");
	if (cls == SC_PKCS15_TYPE_PRKEY) {
		r = sc2_select_app(profile, card);
		if (r == 0)
			r = sc2_pin_login(profile, p15card, sc2_key_pin_ref(p15card, obj));
		if (r == 0)
			r = sc2_wipe_key(profile, card, obj->data);
	} else if (cls == SC_PKCS15_TYPE_PUBKEY || cls == SC_PKCS15_TYPE_CERT) {
		/* OpenSC takes the entry out of the PuKDF or CDF next, without a
		 * VERIFY of its own (the card reports no ACs), and the SO PIN's
		 * SELECT MF above has ended the user PIN's DF-local state: the
		 * user PIN now, in 5015, as for storing them */
		r = sc2_select_app(profile, card);
		if (r == 0)
			r = pk_p15_login_needed(card->ctx, sc2_pin_login(profile, p15card, SC2_MIN_LPIN),
					cls == SC_PKCS15_TYPE_CERT ? "deleting a certificate" : "deleting a public key");
		if (r == 0 && path && path->len > 4)
			r = sc2_wipe_file(card, path); /* a file of a card personalised before direct values */
	} else if (path && path->len > 4) {
		r = sc2_wipe_file(card, path);
	}
	LOG_FUNC_RETURN(card->ctx, r);
}

/* The FID of a file of the profile's key-domain template (data, privdata) */
static const struct sc_file *
sc2_template_file(struct sc_profile *profile, const char *name)
{
	struct sc_template *t;
	struct file_info *fi;

	for (t = profile->template_list; t; t = t->next) {
		if (t->name && !strcmp(t->name, "key-domain") && t->data &&
				(fi = pk_profile_find(t->data, name)) != NULL)
			return fi->file;
	}
	return NULL;
}

/* A certificate or data object: room for its entry (with the path it will
 * have; none: a direct value) before anything of it is written */
static int
sc2_check_object_entry(struct sc_profile *profile, struct sc_pkcs15_card *p15card,
		struct sc_pkcs15_object *obj, const struct sc_path *path)
{
	static const struct sc_path none;
	struct sc_path *opath, keep;
	unsigned int type;
	int r;

	switch (obj->type & SC_PKCS15_TYPE_CLASS_MASK) {
	case SC_PKCS15_TYPE_CERT:
		opath = &((struct sc_pkcs15_cert_info *)obj->data)->path;
		type = SC_PKCS15_CDF;
		break;
	case SC_PKCS15_TYPE_DATA_OBJECT:
		opath = &((struct sc_pkcs15_data_info *)obj->data)->path;
		type = SC_PKCS15_DODF;
		break;
	default:
		return 0; /* public keys: checked with their private key */
	}
	keep = *opath;
	*opath = path ? *path : none;
	r = pk_p15_check_entry(profile, p15card, obj, type, 0,
			type == SC_PKCS15_CDF ? "certificate" : "data object");
	*opath = keep;
	return r;
}

/*
 * Public keys and certificates are stored as direct values in the PuKDF and
 * the CDF (UPDATE=$PIN, created at personalisation): no file is created,
 * which on SPK 2.x needs the SO PIN, so the user PIN alone can add them
 * (Windows enrolment). The public key is also in the IPF, where the card
 * put it.
 *
 * Data objects: the SO PIN first, then a file of the template's FIDs
 * (template FID + 0..15). SPK 2.x has no DELETE FILE, so a file that no
 * object lists (its object deleted, or a store interrupted) is reused when
 * the new content fits; otherwise the next free FID is created. (OpenSC's
 * own way deletes the file first: 00 E4 answers 6E 00 on SPK 2.x, and a
 * reused file can be too small.)
 */
static int
sc2_emu_store_data(struct sc_pkcs15_card *p15card, struct sc_profile *profile,
		struct sc_pkcs15_object *obj, struct sc_pkcs15_der *der, struct sc_path *path)
{
	unsigned int cls = obj->type & SC_PKCS15_TYPE_CLASS_MASK;
	struct sc_card *card = p15card->card;
	const struct sc_file *tmpl;
	const char *name;
	struct sc_file *file = NULL, *cur = NULL;
	unsigned int i;
	int r;

	if (cls == SC_PKCS15_TYPE_PRKEY)
		return SC_ERROR_NOT_IMPLEMENTED;
	if (cls == SC_PKCS15_TYPE_PUBKEY || cls == SC_PKCS15_TYPE_CERT) {
		r = pk_p15_check_cert_key(p15card, obj, der);
		LOG_TEST_RET(card->ctx, r, "certificate refused");
		/* OpenSC updates the directory file next without a VERIFY of
		 * its own (the card reports no ACs): the user PIN now, in 5015 */
		r = sc2_select_app(profile, p15card->card);
		if (r == 0)
			r = pk_p15_login_needed(card->ctx, sc2_pin_login(profile, p15card, SC2_MIN_LPIN),
					cls == SC_PKCS15_TYPE_CERT ? "storing a certificate" : "storing a public key");
		LOG_TEST_RET(p15card->card->ctx, r, "adding a key's public key or certificate needs the user PIN");
		if (path)
			memset(path, 0, sizeof(*path));
		r = sc2_check_object_entry(profile, p15card, obj, NULL);
		LOG_TEST_RET(p15card->card->ctx, r, "no room for the certificate");
		sc_log(p15card->card->ctx, "%s stored in its directory file (direct value)",
				cls == SC_PKCS15_TYPE_CERT ? "certificate" : "public key");
		return SC_SUCCESS;
	}
	/* SPK 2.x reports no free space; no file can be larger than the
	 * application DF registered for it (profile) */
	if (der && profile->df_info && profile->df_info->file && profile->df_info->file->size &&
			der->len > profile->df_info->file->size)
		LOG_FUNC_RETURN(card->ctx, pk_p15_refuse(card->ctx, SC_ERROR_NOT_ENOUGH_MEMORY,
				"the PKCS#15 application DF of this card has %zu bytes; the data object needs %zu",
				profile->df_info->file->size, der->len));
	r = sc2_so_login_for_data(profile, p15card);
	LOG_TEST_RET(card->ctx, r, "SO PIN");
	name = (obj->flags & SC_PKCS15_CO_FLAG_PRIVATE) ? "privdata" : "data";
	tmpl = cls == SC_PKCS15_TYPE_DATA_OBJECT ? sc2_template_file(profile, name) : NULL;
	if (!tmpl || !der || !path || tmpl->id <= 0)
		return SC_ERROR_NOT_IMPLEMENTED;
	for (i = 0; i < 16; i++) {
		sc_file_free(file);
		sc_file_dup(&file, tmpl);
		if (!file)
			LOG_FUNC_RETURN(card->ctx, SC_ERROR_OUT_OF_MEMORY);
		file->id = tmpl->id + (int)i;
		file->path = *sc2_app_path(profile);
		sc_append_path_id(&file->path, (const u8[]){(u8)(file->id >> 8), (u8)file->id}, 2);
		if (pk_p15_path_used(p15card, &file->path))
			continue;
		r = sc_select_file(card, &file->path, &cur);
		if (r == 0 && cur->size < der->len) {
			sc_log(card->ctx, "%s: unused, but too small for %zu bytes", sc_print_path(&file->path),
					der->len);
			sc_file_free(cur);
			cur = NULL;
			continue;
		}
		/* a larger file reused: the entry gives the object's length */
		file->path.index = 0;
		file->path.count = r == 0 && cur->size > der->len ? (int)der->len : -1;
		sc_file_free(cur);
		cur = NULL;
		if (r != 0 && r != SC_ERROR_FILE_NOT_FOUND) {
			sc_file_free(file);
			LOG_TEST_RET(card->ctx, r, "cannot look for a free file");
		}
		file->size = der->len;
		r = sc2_check_object_entry(profile, p15card, obj, &file->path);
		if (r == 0)
			r = sc_pkcs15init_update_file(profile, p15card, file, der->value,
					(unsigned int)der->len);
		*path = file->path;
		sc_file_free(file);
		LOG_TEST_RET(card->ctx, r < 0 ? r : 0, "cannot store the object's file");
		return 0;
	}
	sc_file_free(file);
	return pk_p15_refuse(card->ctx, SC_ERROR_NOT_ENOUGH_MEMORY,
			"the layout's 16 files for %s data objects are in use or too small for %zu bytes: "
			"delete one first (pkcs15-init --delete-objects data --application-id OID)",
			(obj->flags & SC_PKCS15_CO_FLAG_PRIVATE) ? "private" : "public", der->len);
}

static struct sc_pkcs15init_operations sc2_p15_ops;

struct sc_pkcs15init_operations *
pk_get_starcos_p15init_ops(void)
{
	memset(&sc2_p15_ops, 0, sizeof(sc2_p15_ops));
	sc2_p15_ops.erase_card = sc2_erase_card;
	sc2_p15_ops.init_card = sc2_init_card;
	sc2_p15_ops.create_dir = sc2_create_dir;
	sc2_p15_ops.select_pin_reference = sc2_select_pin_reference;
	sc2_p15_ops.create_pin = sc2_create_pin;
	sc2_p15_ops.select_key_reference = sc2_select_key_reference;
	sc2_p15_ops.create_key = sc2_create_key;
	sc2_p15_ops.store_key = sc2_store_key;
	sc2_p15_ops.generate_key = sc2_generate_key;
	sc2_p15_ops.finalize_card = sc2_finalize_card;
	sc2_p15_ops.delete_object = sc2_delete_object;
	sc2_p15_ops.emu_store_data = sc2_emu_store_data;
	sc2_p15_ops.emu_update_any_df = pk_p15_update_any_df;
	sc2_p15_ops.emu_write_info = pk_p15_write_info;
	return &sc2_p15_ops;
}
