/*
 * pkcs15-starcos-emu.c: PKCS#15 emulation of StarCOS 3.4/3.5 issuer cards
 * that carry no PKCS#15 application of their own: certificates at fixed
 * FIDs, keys by reference, PINs global or local to an application.
 *
 * The layouts are data (starcos-card.md §3.2, "Known application layouts"); the
 * emulator tries them in order and binds to the first whose application
 * and first certificate are on the card.
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
#include "pk-emu.h"
#include "starcos-emu.h"

#define AID_ESIGN "A000000167455349474E"     /* eSign / eUserPKI */
#define AID_QES "D27600006601"               /* qualified signature */
#define AID_BNOTK_PKI "A000000525655573657201"
#define AID_BA_ESIGN "A0000002455369676E"

/* BNotK 3.5: two QES keys and an authentication key (starcos-card.md §3.2) */
static const struct starcos_emu_pin bnotk_pins[] = {
	{"QES PIN 1", 0x81, AID_ESIGN, 6, 12, 0x01},
	{"QES PIN 2", 0x86, AID_ESIGN, 6, 12, 0x02},
	{"User PIN", 0x06, NULL, 6, 12, 0x03},
	{NULL, 0, NULL, 0, 0, 0}};
static const struct starcos_emu_key bnotk_keys[] = {
	{"Signature key 1", 0x84, AID_ESIGN, 0x01, 0x01, "C001", SC_PKCS15_PRKEY_USAGE_NONREPUDIATION},
	{"Signature key 2", 0x85, AID_ESIGN, 0x02, 0x02, "C002", SC_PKCS15_PRKEY_USAGE_NONREPUDIATION},
	{"Authentication key", 0x82, AID_BNOTK_PKI, 0x03, 0x03, "C003",
			SC_PKCS15_PRKEY_USAGE_SIGN | SC_PKCS15_PRKEY_USAGE_DECRYPT},
	{NULL, 0, NULL, 0, 0, NULL, 0}};

/* DGN HBA 3.5: QES app plus eUserPKI with authentication and encryption keys */
static const struct starcos_emu_pin dgn_pins[] = {
	{"QES PIN", 0x81, AID_QES, 6, 12, 0x01},
	{"User PIN", 0x06, NULL, 6, 12, 0x02},
	{NULL, 0, NULL, 0, 0, 0}};
static const struct starcos_emu_key dgn_keys[] = {
	{"Signature key", 0x84, AID_QES, 0x01, 0x01, "C000", SC_PKCS15_PRKEY_USAGE_NONREPUDIATION},
	{"Authentication key", 0x82, AID_ESIGN, 0x02, 0x02, "C500", SC_PKCS15_PRKEY_USAGE_SIGN},
	{"Encryption key", 0x83, AID_ESIGN, 0x02, 0x03, "C200", SC_PKCS15_PRKEY_USAGE_DECRYPT},
	{NULL, 0, NULL, 0, 0, NULL, 0}};

/* BA eSign 3.4/3.5: eSign app with AUT and ENC keys, QES app */
static const struct starcos_emu_pin ba_pins[] = {
	{"User PIN", 0x01, NULL, 6, 16, 0x01},
	{"Signature PIN", 0x81, AID_QES, 6, 16, 0x02},
	{NULL, 0, NULL, 0, 0, 0}};
static const struct starcos_emu_key ba_keys[] = {
	{"Authentication key", 0x81, AID_BA_ESIGN, 0x01, 0x01, "43F1", SC_PKCS15_PRKEY_USAGE_SIGN},
	{"Encryption key", 0x83, AID_BA_ESIGN, 0x01, 0x02, "4301", SC_PKCS15_PRKEY_USAGE_DECRYPT},
	{"Signature key", 0x84, AID_QES, 0x02, 0x03, "4301", SC_PKCS15_PRKEY_USAGE_NONREPUDIATION},
	{NULL, 0, NULL, 0, 0, NULL, 0}};

const struct starcos_emu_layout starcos_emu_layouts[] = {
	{"BNotK signature card", bnotk_pins, bnotk_keys},
	{"DGN health professional card", dgn_pins, dgn_keys},
	{"BA eSign card", ba_pins, ba_keys},
	{NULL, NULL, NULL}};

static int
emu_path(struct sc_path *path, const char *aid, const char *fid)
{
	size_t len = sizeof(path->aid.value);
	int r;

	memset(path, 0, sizeof(*path));
	if (aid) {
		r = sc_hex_to_bin(aid, path->aid.value, &len);
		if (r < 0)
			return r;
		path->aid.len = len;
	}
	if (fid) {
		sc_format_path(fid, path);
		if (aid) { /* sc_format_path cleared the AID */
			len = sizeof(path->aid.value);
			sc_hex_to_bin(aid, path->aid.value, &len);
			path->aid.len = len;
		}
		path->type = SC_PATH_TYPE_FILE_ID;
	} else {
		path->type = SC_PATH_TYPE_DF_NAME;
		memcpy(path->value, path->aid.value, path->aid.len);
		path->len = path->aid.len;
		path->aid.len = 0;
	}
	return 0;
}

/* A layout matches when its first key's application and certificate exist */
static int
emu_probe(struct sc_card *card, const struct starcos_emu_layout *l)
{
	struct sc_path path;
	int r;

	r = emu_path(&path, l->keys[0].aid, l->keys[0].cert_fid);
	if (r == 0)
		r = sc_select_file(card, &path, NULL);
	return r;
}

static int
emu_add_pin(struct sc_pkcs15_card *p15card, const struct starcos_emu_pin *p)
{
	struct sc_pkcs15_auth_info info;
	struct sc_pkcs15_object obj;

	memset(&info, 0, sizeof(info));
	memset(&obj, 0, sizeof(obj));
	info.auth_id.len = 1;
	info.auth_id.value[0] = p->auth_id;
	info.auth_type = SC_PKCS15_PIN_AUTH_TYPE_PIN;
	info.auth_method = SC_AC_CHV;
	info.attrs.pin.reference = p->ref;
	info.attrs.pin.min_length = p->min_len;
	info.attrs.pin.max_length = p->max_len;
	info.attrs.pin.stored_length = p->max_len;
	info.attrs.pin.type = SC_PKCS15_PIN_TYPE_UTF8;
	info.attrs.pin.flags = SC_PKCS15_PIN_FLAG_INITIALIZED | SC_PKCS15_PIN_FLAG_CASE_SENSITIVE;
	if (p->ref & 0x80)
		info.attrs.pin.flags |= SC_PKCS15_PIN_FLAG_LOCAL;
	info.tries_left = -1;
	if (emu_path(&info.path, p->aid, NULL) < 0 || !p->aid)
		sc_format_path("3F00", &info.path);
	snprintf(obj.label, sizeof(obj.label), "%s", p->label);
	obj.flags = SC_PKCS15_CO_FLAG_PRIVATE;
	return sc_pkcs15emu_add_pin_obj(p15card, &obj, &info);
}

/* The certificate gives the key's modulus length */
static int
emu_add_cert(struct sc_pkcs15_card *p15card, const struct starcos_emu_key *k, size_t *bits)
{
	struct sc_pkcs15_cert_info info;
	struct sc_pkcs15_object obj;
	struct sc_pkcs15_cert *cert = NULL;
	int r;

	memset(&info, 0, sizeof(info));
	memset(&obj, 0, sizeof(obj));
	info.id.len = 1;
	info.id.value[0] = k->id;
	r = emu_path(&info.path, k->aid, k->cert_fid);
	if (r < 0)
		return r;
	r = sc_pkcs15_read_certificate(p15card, &info, 0, &cert);
	if (r < 0)
		return r;
	*bits = cert->key && cert->key->algorithm == SC_ALGORITHM_RSA
			? cert->key->u.rsa.modulus.len * 8 : 0;
	sc_pkcs15_free_certificate(cert);
	snprintf(obj.label, sizeof(obj.label), "%s certificate", k->label);
	return sc_pkcs15emu_add_x509_cert(p15card, &obj, &info);
}

static int
emu_add_key(struct sc_pkcs15_card *p15card, const struct starcos_emu_key *k)
{
	struct sc_pkcs15_prkey_info info;
	struct sc_pkcs15_object obj;
	size_t bits = 0;
	int r;

	r = emu_add_cert(p15card, k, &bits);
	if (r == SC_ERROR_FILE_NOT_FOUND)
		return 0; /* this card was issued without that key */
	if (r < 0)
		return r;
	memset(&info, 0, sizeof(info));
	memset(&obj, 0, sizeof(obj));
	info.id.len = 1;
	info.id.value[0] = k->id;
	info.usage = k->usage;
	info.native = 1;
	info.key_reference = k->ref;
	info.modulus_length = bits;
	r = emu_path(&info.path, k->aid, NULL);
	if (r < 0)
		return r;
	snprintf(obj.label, sizeof(obj.label), "%s", k->label);
	obj.flags = SC_PKCS15_CO_FLAG_PRIVATE;
	obj.auth_id.len = 1;
	obj.auth_id.value[0] = k->auth_id;
	return sc_pkcs15emu_add_rsa_prkey(p15card, &obj, &info);
}

/* TokenInfo (PKCS#15): version 0, the card's serial, manufacturer, label,
 * token flags "readOnly": an issuer layout is fixed (no PKCS#15 application
 * to add keys or certificates to), and OpenSC's minidriver offers Windows
 * enrolment exactly when this flag is clear. Parsed by OpenSC into a new
 * object, so that every string lives on OpenSC's heap (on Windows our DLL
 * may have another C runtime). */
static int
emu_tokeninfo(struct sc_pkcs15_card *p15card, const struct starcos_emu_layout *l)
{
	static const char mfr[] = "Giesecke+Devrient";
	struct sc_card *card = p15card->card;
	struct sc_pkcs15_tokeninfo *ti;
	struct sc_serial_number sn;
	char label[96];
	u8 body[256], der[260];
	struct pk_buf b, t;
	int r;

	snprintf(label, sizeof(label), "%s (%s)", l->name, card->name);
	pk_buf_init(&b, body, sizeof(body));
	pk_buf_tlv(&b, 0x02, (const u8 *)"\0", 1);
	if (sc_card_ctl(card, SC_CARDCTL_GET_SERIALNR, &sn) == 0 && sn.len)
		pk_buf_tlv(&b, 0x04, sn.value, sn.len);
	pk_buf_tlv(&b, 0x0C, (const u8 *)mfr, strlen(mfr));
	pk_buf_tlv(&b, 0x80, (const u8 *)label, strlen(label));
	pk_buf_tlv(&b, 0x03, (const u8 *)"\x07\x80", 2); /* BIT STRING: bit 0 readOnly */
	pk_buf_init(&t, der, sizeof(der));
	pk_buf_tlv(&t, 0x30, b.data, b.len);
	r = pk_buf_result(&b) < 0 ? pk_buf_result(&b) : pk_buf_result(&t);
	LOG_TEST_RET(card->ctx, r, "token info too long");
	ti = sc_pkcs15_tokeninfo_new();
	if (!ti)
		LOG_FUNC_RETURN(card->ctx, SC_ERROR_OUT_OF_MEMORY);
	r = sc_pkcs15_parse_tokeninfo(card->ctx, ti, t.data, t.len);
	if (r < 0) {
		sc_pkcs15_free_tokeninfo(ti);
		LOG_TEST_RET(card->ctx, r, "cannot build the token info");
	}
	sc_pkcs15_free_tokeninfo(p15card->tokeninfo);
	p15card->tokeninfo = ti;
	return 0;
}

/* OpenSC's own copy of @p len bytes: memory that OpenSC frees with its
 * free() must come from its malloc() (on Windows it may have another C
 * runtime than our DLL); sc_der_copy() allocates inside OpenSC. */
static void *
emu_opensc_dup(const void *p, size_t len)
{
	struct sc_pkcs15_der src, dst;

	src.value = (u8 *)p;
	src.len = len;
	if (sc_der_copy(&dst, &src) < 0)
		return NULL;
	return dst.value;
}

/* p15card->app, the application the card is bound to: the layout's first
 * key's application. The minidriver of OpenSC 0.24 reads it without a
 * check (OpenSC issue 3084); OpenSC frees it with sc_pkcs15_free_app(),
 * so it and its label are allocated by OpenSC. An application an earlier
 * bind attempt found (EF.DIR) is kept. */
static int
emu_app(struct sc_pkcs15_card *p15card, const struct starcos_emu_layout *l)
{
	struct sc_app_info app;
	struct sc_path path;
	struct sc_app_info *copy;
	int r;

	if (p15card->app)
		return 0;
	r = emu_path(&path, l->keys[0].aid, NULL);
	if (r < 0)
		return r;
	memset(&app, 0, sizeof(app));
	app.path = path;
	app.aid.len = path.len;
	memcpy(app.aid.value, path.value, path.len);
	app.rec_nr = -1;
	copy = emu_opensc_dup(&app, sizeof(app));
	if (!copy)
		return SC_ERROR_OUT_OF_MEMORY;
	/* from here on OpenSC frees it (and the label) when it unbinds */
	p15card->app = copy;
	copy->label = emu_opensc_dup(l->name, strlen(l->name) + 1);
	return copy->label ? 0 : SC_ERROR_OUT_OF_MEMORY;
}

static int
emu_bind(struct sc_pkcs15_card *p15card, const struct starcos_emu_layout *l)
{
	const struct starcos_emu_pin *p;
	const struct starcos_emu_key *k;
	int r;

	/* the certificates first: the probe left the card at the first one;
	 * the serial (EF.GDO, in the MF) last */
	r = emu_app(p15card, l);
	for (p = l->pins; r == 0 && p->label; p++)
		r = emu_add_pin(p15card, p);
	for (k = l->keys; r == 0 && k->label; k++)
		r = emu_add_key(p15card, k);
	if (r == 0)
		r = emu_tokeninfo(p15card, l);
	return r;
}

static int
emu_aid_is(const char *hex, const struct sc_aid *aid)
{
	u8 bin[SC_MAX_AID_SIZE];
	size_t len = sizeof(bin);

	return hex && sc_hex_to_bin(hex, bin, &len) == 0 && len == aid->len &&
			memcmp(bin, aid->value, len) == 0;
}

/* The layout has a PIN or a key in the application OpenSC is binding (an
 * application of EF.DIR), or OpenSC names none: a layout without it is not
 * probed (its probe would cost SELECTs that cannot match this application) */
static int
emu_layout_has_app(const struct starcos_emu_layout *l, const struct sc_aid *aid)
{
	const struct starcos_emu_pin *p;
	const struct starcos_emu_key *k;

	if (!aid || aid->len == 0)
		return 1;
	for (p = l->pins; p->label; p++)
		if (emu_aid_is(p->aid, aid))
			return 1;
	for (k = l->keys; k->label; k++)
		if (emu_aid_is(k->aid, aid))
			return 1;
	return 0;
}

/* OpenSC's PKCS#11 module asks each slot's PIN status itself when it needs
 * it (C_GetTokenInfo, the login state), and so does pkcs15-tool's PIN
 * listing from OpenSC 0.24 on (pk-compat.h, 5): read at bind time they
 * would only be asked twice. Other programs get what the bind found. */
static int
emu_wants_pin_status(const struct sc_card *card)
{
	const char *app = card->ctx->app_name;

	if (app && strcmp(app, "opensc-pkcs11") == 0)
		return 0;
	return !(pk_tools_ask_pin_status() && app && strcmp(app, "pkcs15-tool") == 0);
}

int
starcos_emu_init(struct sc_pkcs15_card *p15card, const struct sc_aid *aid)
{
	struct sc_card *card = p15card->card;
	const struct starcos_emu_layout *l;
	int r;

	if (strcmp(card->driver->short_name, PK_STARCOS_SHORT_NAME) != 0 ||
			(card->type != PK_CARD_TYPE_STARCOS_3_4 && card->type != PK_CARD_TYPE_STARCOS_3_5))
		return SC_ERROR_WRONG_CARD;
	LOG_FUNC_CALLED(card->ctx);
	for (l = starcos_emu_layouts; l->name; l++) {
		if (!emu_layout_has_app(l, aid) || emu_probe(card, l) < 0)
			continue;
		sc_log(card->ctx, "StarCOS issuer layout: %s", l->name);
		r = emu_bind(p15card, l);
		LOG_TEST_RET(card->ctx, r, "cannot expose the card's objects");
		if (emu_wants_pin_status(card))
			pk_emu_pin_status(p15card);
		LOG_FUNC_RETURN(card->ctx, SC_SUCCESS);
	}
	LOG_FUNC_RETURN(card->ctx, SC_ERROR_WRONG_CARD);
}
