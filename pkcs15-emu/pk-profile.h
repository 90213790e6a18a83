/*
 * pk-profile.h: what pkcs15init modules need from struct sc_profile.
 * libopensc.so.8 does not export sc_profile_* (opensc-plugin.md §1.4), so
 * these walk the structure of OpenSC's profile.h themselves.
 *
 * Copyright (C) 2026 pkicards contributors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef PK_PROFILE_H
#define PK_PROFILE_H

#include "libopensc/log.h"
#include "libopensc/opensc.h"
#include "pkcs15init/pkcs15-init.h"
#include "pkcs15init/profile.h"

/** The profile entry named @p ident (case-insensitive), or NULL */
struct file_info *pk_profile_find(struct sc_profile *profile, const char *ident);

/**
 * A copy of the file of profile entry @p ident, with file ID @p fid (0: as
 * in the profile) in the same DF. @return 0, SC_ERROR_FILE_NOT_FOUND (not
 * in the profile) or SC_ERROR_OUT_OF_MEMORY
 */
int pk_profile_file(struct sc_profile *profile, const char *ident, unsigned int fid,
		struct sc_file **out);

/** The next entry after @p prev (NULL: first) whose parent is @p parent */
/** The profile entry of the file at @p path, or NULL */
struct file_info *pk_profile_by_path(struct sc_profile *profile, const struct sc_path *path);
struct file_info *pk_profile_next_child(struct sc_profile *profile,
		const struct file_info *parent, struct file_info *prev);

struct sc_pkcs15_pubkey;
struct pk_rsa_pubkey;
/** The RSA public key a card_ctl returned, as a PKCS#15 public key whose
 * numbers OpenSC allocated (shared by the pkcs15init modules).
 * @return 0, SC_ERROR_INVALID_DATA or an error of OpenSC's decoder */
int pk_p15_pubkey_from_card(struct sc_context *ctx, struct sc_pkcs15_pubkey *pubkey,
		const struct pk_rsa_pubkey *pub);

/**
 * Refuse a parameter the card cannot take, before anything is written: the
 * reason with the limit goes to stderr (OpenSC's tools print only the
 * error's name) and to the debug log. @return @p code
 */
int pk_p15_refuse(struct sc_context *ctx, int code, const char *fmt, ...)
#ifdef __GNUC__
	__attribute__((format(SC_PRINTF_FORMAT, 3, 4))) /* OpenSC's: gnu_printf on mingw */
#endif
	;

/**
 * A write or deletion that OpenSC's pkcs15init could not authenticate because
 * it was given no user PIN: OpenSC's PKCS#11 module (and minidriver) hands it
 * the PIN only after a login, otherwise it verifies an empty one
 * (SC_ERROR_INVALID_PIN_LENGTH, CKR_PIN_LEN_RANGE, which NSS reports as
 * SEC_ERROR_ADDING_CERT or, deleting, SEC_ERROR_EXTENSION_NOT_FOUND). Refused
 * as not logged in (CKR_USER_NOT_LOGGED_IN, SEC_ERROR_TOKEN_NOT_LOGGED_IN),
 * saying what to do; a pkcs15-init --pin of the wrong length stays a length
 * error. @p what names the action ("storing a certificate").
 * @return @p r, or SC_ERROR_SECURITY_STATUS_NOT_SATISFIED
 */
int pk_p15_login_needed(struct sc_context *ctx, int r, const char *what);
/**
 * OpenSC's PKCS#11 C_InitPIN (pkcs11-tool --init-pin in an SO session, with
 * OpenSC's default pin_unblock_style) stores a new "User PIN" through
 * pkcs15init whether or not the token has one: on a token that has its user
 * PIN that is a second PIN, guarding no key, while the tool reports the user
 * PIN initialised and the old one stays. Refused there (before anything is
 * written), saying what to do; pkcs15-init --store-pin and a token without
 * a user PIN are not concerned.
 * @return 0, or SC_ERROR_NOT_SUPPORTED (CKR_FUNCTION_NOT_SUPPORTED)
 */
int pk_p15_second_user_pin(struct sc_pkcs15_card *p15card, const struct sc_pkcs15_auth_info *auth);
/**
 * A certificate stored with the ID of a key pair on the card must carry
 * that key's public key (pkcs15-init --store-certificate --id, PKCS#11
 * C_CreateObject with a CKA_ID, the minidriver's container certificate):
 * otherwise applications pair it with a key that cannot make its
 * signatures. Checked against the key's public key object before anything
 * is written; a certificate OpenSC cannot parse, a CA certificate, an ID
 * without a public key object, or one whose public key is not readable is
 * not checked.
 * @return 0, or SC_ERROR_INVALID_ARGUMENTS (refused, saying what to do)
 */
int pk_p15_check_cert_key(struct sc_pkcs15_card *p15card, const struct sc_pkcs15_object *obj,
		const struct sc_pkcs15_der *der);
/** A new PIN (and PUK, if @p puk_len): lengths against the PIN's limits
 * from the profile and the card's record (@p card_max bytes), characters
 * printable ASCII (the same bytes on every system); refused with the limit
 * named */
int pk_p15_check_new_pins(struct sc_context *ctx, const struct sc_pkcs15_auth_info *auth, const u8 *pin,
		size_t pin_len, const struct sc_pkcs15_auth_info *puk_info, const u8 *puk, size_t puk_len,
		size_t card_max);
/** 1 if the profile's TokenInfo is absent or does not parse (written last by
 * --create-pkcs15, so such a card's personalisation did not finish), 0 if
 * it is there, or an error */
int pk_p15_tokeninfo_missing(struct sc_profile *profile, struct sc_card *card);
/** pkcs15-init --profile NAME+OPTION: our profiles define no option, and
 * OpenSC ignores an option a profile lacks ('+onepin' would make the one
 * PIN an SO PIN and no key could be made): refused, saying what to give */
int pk_p15_check_profile_options(struct sc_context *ctx, const struct sc_profile *profile,
		const char *family);
/** pkcs15-init --create-pkcs15, before anything is written: a token label
 * (--label) PKCS#11 would cut (over 32 bytes) or that is not UTF-8 text,
 * and an SO PIN or PUK (--so-pin, --so-puk) with a character outside ASCII,
 * are refused */
int pk_p15_check_create_args(struct sc_context *ctx);
/** A new object @p obj (a @p what, e.g. "private key") before anything of it
 * is written: its label is UTF-8 text, and its entry, @p extra bytes more,
 * fits in the room left in the directory file of @p type (no estimate of
 * the entry: left to the directory write) */
int pk_p15_check_entry(struct sc_profile *profile, struct sc_pkcs15_card *p15card,
		const struct sc_pkcs15_object *obj, unsigned int type, size_t extra, const char *what);

#endif
