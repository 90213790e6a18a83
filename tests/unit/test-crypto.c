/*
 * test-crypto.c: PIN and security operations of both drivers through the
 * fake reader, with the exact C-APDUs the cards document (acos5-card.md §2.3-2.6,
 * starcos-card.md §2.1-2.4).
 *
 * Copyright (C) 2026 pkicards contributors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "unit.h"

#include <stdio.h>

#include "libopensc/opensc.h"
#include "fake-reader.h"
#include "pk-card.h"
#include "pk-cardctl.h"

#define ATR_V2 "3B BE 96 00 00 41 05 20 00 00 00 00 00 00 00 00 00 90 00"
#define ATR_V3 "3B BE 96 00 00 41 05 30 00 00 00 00 00 00 00 00 00 90 00"
#define ATR_SPK23 "3B B7 94 00 81 31 FE 65 53 50 4B 32 33 90 00 D1"
#define ATR_34 "3B D8 18 FF 81 B1 FE 45 1F 03 80 64 04 1A B4 03 81 05 61"
#define ATR_35 "3B 9B 96 C0 0A 31 FE 45 80 67 04 1E B5 01 00 89 4C 81 05 45"

static const struct fr_step init_v2[] = {
	{"80 14 06 00 08", "41 43 4F 53 05 02 00 40 90 00"},
	FR_END};
static const struct fr_step init_v3[] = {
	{"80 14 06 00 08", "41 43 4F 53 05 03 01 40 90 00"},
	{"80 14 09 00 00", "90 02"},
	FR_END};

static void
open_card(struct fr *f, struct sc_card_driver *drv, const char *atr, unsigned int proto,
		const struct fr_step *init)
{
	memset(f, 0, sizeof(*f));
	fr_open(f, drv, atr, proto);
	if (init)
		fr_expect(f, init);
	assert_int_equal(fr_connect(f), SC_SUCCESS);
}

/* ---- ACOS5-64 V2 (T=0) ---------------------------------------------------- */

static void
test_acos5_pin_info_and_logout(void **state)
{
	struct fr f;
	struct sc_pin_cmd_data d;
	int tries = -1;
	static const struct fr_step steps[] = {
		{"00 20 00 81 00", "63 C5"},
		{"00 20 00 81 08 31 32 33 34 FF FF FF FF", "90 00"},
		{"80 2E 00 81 00", "90 00"},
		FR_END};

	open_card(&f, pk_get_acos5_driver(), ATR_V2, SC_PROTO_T0, init_v2);
	fr_expect(&f, steps);
	memset(&d, 0, sizeof(d));
	d.cmd = SC_PIN_CMD_GET_INFO;
	d.pin_type = SC_AC_CHV;
	d.pin_reference = 0x81;
	assert_int_equal(sc_pin_cmd(f.card, &d, &tries), 0);
	assert_int_equal(d.pin1.tries_left, 5);
	assert_int_equal(d.pin1.logged_in, SC_PIN_STATE_LOGGED_OUT);
	memset(&d, 0, sizeof(d));
	d.cmd = SC_PIN_CMD_VERIFY;
	d.pin_type = SC_AC_CHV;
	d.pin_reference = 0x81;
	d.flags = SC_PIN_CMD_NEED_PADDING;
	d.pin1.data = (const u8 *)"1234";
	d.pin1.len = 4;
	d.pin1.pad_length = 8;
	d.pin1.pad_char = 0xFF;
	assert_int_equal(sc_pin_cmd(f.card, &d, NULL), 0);
	assert_int_equal(sc_logout(f.card), 0);
	fr_close(&f);
}

/* PIN status on a V3 is VERIFY without data alone, before and after a
 * login (no GET CARD INFO 0B: an APDU for each of PKCS#11's status
 * queries); logged in is what this driver verified */
static void
pin_info(struct fr *f, int ref, int tries, int logged_in)
{
	struct sc_pin_cmd_data d;

	memset(&d, 0, sizeof(d));
	d.cmd = SC_PIN_CMD_GET_INFO;
	d.pin_type = SC_AC_CHV;
	d.pin_reference = ref;
	assert_int_equal(sc_pin_cmd(f->card, &d, NULL), 0);
	assert_int_equal(d.pin1.tries_left, tries);
	assert_int_equal(d.pin1.logged_in, logged_in);
}

/* VERIFY of PIN @p ref with @p pin as it is (no padding asked) */
static int
verify(struct fr *f, int ref, const char *pin)
{
	struct sc_pin_cmd_data d;

	memset(&d, 0, sizeof(d));
	d.cmd = SC_PIN_CMD_VERIFY;
	d.pin_type = SC_AC_CHV;
	d.pin_reference = ref;
	d.pin1.data = (const u8 *)pin;
	d.pin1.len = strlen(pin);
	return sc_pin_cmd(f->card, &d, NULL);
}

static void
test_acos5_v3_pin_info(void **state)
{
	struct fr f;
	static const struct fr_step steps[] = {
		{"00 20 00 01 00", "63 C8"},
		{"00 20 00 01 08 31 32 33 34 35 36 37 38", "90 00"},
		{"00 20 00 01 00", "63 C8"},
		{"00 20 00 01 08 31 32 33 34 35 36 37 39", "63 C7"},
		{"00 20 00 01 00", "63 C7"},
		FR_END};

	(void)state;
	open_card(&f, pk_get_acos5_driver(), ATR_V3, SC_PROTO_T0, init_v3);
	fr_expect(&f, steps);
	pin_info(&f, 0x01, 8, SC_PIN_STATE_LOGGED_OUT);
	assert_int_equal(verify(&f, 0x01, "12345678"), 0);
	pin_info(&f, 0x01, 8, SC_PIN_STATE_LOGGED_IN);
	assert_int_equal(verify(&f, 0x01, "12345679"), SC_ERROR_PIN_CODE_INCORRECT);
	pin_info(&f, 0x01, 7, SC_PIN_STATE_LOGGED_OUT);
	fr_assert_done(&f);
	fr_close(&f);
}

static void
test_acos5_generate_key(void **state)
{
	struct fr f;
	struct pk_acos5_keygen kg;
	static const struct fr_step steps[] = {
		{"00 22 01 B6 0A 80 01 10 81 02 41 F1 95 01 40", "90 00"},
		{"00 22 01 B6 0A 80 01 10 81 02 41 31 95 01 80", "90 00"},
		{"00 46 00 00 02 04 06", "90 00"},
		{"00 A4 00 00 02 41 31", "61 14"},
		{"00 C0 00 00 14", "6F 12 83 02 41 31 88 01 00 8A 01 05 82 02 09 00 80 02 00 55 90 00"},
		{"80 CA 00 00 55", "00 04 41 F1 03 00 00 00 00 00 00 00 00 00 00 00 00 00 01 00 01 C3*64 "
				"90 00"},
		FR_END};

	open_card(&f, pk_get_acos5_driver(), ATR_V2, SC_PROTO_T0, init_v2);
	fr_expect(&f, steps);
	memset(&kg, 0, sizeof(kg));
	kg.priv_fid = 0x41F1;
	kg.pub_fid = 0x4131;
	kg.bits = 512;
	kg.type = PK_ACOS5_KEY_BOTH;
	assert_int_equal(sc_card_ctl(f.card, PK_CARDCTL_ACOS5_GENERATE_KEY, &kg), 0);
	assert_int_equal(kg.pub.modulus_len, 64);
	assert_hex_equal(kg.pub.exponent, kg.pub.exponent_len, "01 00 01");
	assert_hex_equal(kg.pub.modulus, 2, "C3 C3");
	fr_close(&f);
}

static void
test_acos5_generate_bad_size(void **state)
{
	struct fr f;
	struct pk_acos5_keygen kg;

	open_card(&f, pk_get_acos5_driver(), ATR_V2, SC_PROTO_T0, init_v2);
	memset(&kg, 0, sizeof(kg));
	kg.bits = 1000; /* not a multiple of 256 from 512: no APDU */
	assert_int_equal(sc_card_ctl(f.card, PK_CARDCTL_ACOS5_GENERATE_KEY, &kg), SC_ERROR_NOT_SUPPORTED);
	fr_close(&f);
}

/* ---- StarCOS (T=1) -------------------------------------------------------- */

/* 3.5: the PIN format comes from EF.KEYD (record with 88 01 ref), format
 * 12 = ISO 9564 format-2 block */
static void
test_starcos35_verify_format2(void **state)
{
	struct fr f;
	struct sc_pin_cmd_data d;
	static const struct fr_step steps[] = {
		/* EF.ATR first (extended APDUs?), then EF.KEYD: both in the MF */
		{"00 A4 00 0C 02 3F 00", "90 00"},
		{"00 A4 02 04 02 2F 01 00", "62 0A 82 01 01 83 02 2F 01 80 01 0B 90 00"},
		{"00 B0 00 00 40", "7F 66 08 02 02 04 00 02 02 04 00 90 00"},
		{"00 A4 02 04 02 00 13 00", "62 0B 82 05 04 41 00 40 08 83 02 00 13 90 00"},
		{"00 B2 01 04 00", "84 01 82 8A 01 05 90 00"},
		{"00 B2 02 04 00", "88 01 06 7B 05 A4 03 89 01 12 90 00"},
		{"00 20 00 06 08 26 12 34 56 FF FF FF FF", "90 00"},
		FR_END};

	open_card(&f, pk_get_starcos_driver(), ATR_35, SC_PROTO_T1, NULL);
	fr_expect(&f, steps);
	memset(&d, 0, sizeof(d));
	d.cmd = SC_PIN_CMD_VERIFY;
	d.pin_type = SC_AC_CHV;
	d.pin_reference = 0x06;
	d.pin1.data = (const u8 *)"123456";
	d.pin1.len = 6;
	/* one card transaction, as OpenSC's callers hold it (in a new one the
	 * driver would select the remembered DF again: test-starcos) */
	assert_int_equal(sc_lock(f.card), 0);
	assert_int_equal(sc_pin_cmd(f.card, &d, NULL), 0);
	sc_unlock(f.card);
	assert_true(f.card->caps & SC_CARD_CAP_APDU_EXT); /* EF.ATR: 1024-byte commands */
	fr_close(&f);
}

/* 3.4, a PIN local to an application DF: the first PIN command reads EF.ATR
 * and EF.PWDD in the MF, then selects the PIN's DF again before VERIFY (a
 * local PIN is not found in the MF: 6A 88, starcos-card.md §3.2) */
static void
test_starcos34_verify_local_pin_back_in_df(void **state)
{
	struct fr f;
	struct sc_path path;
	static const struct fr_step steps[] = {
		{"00 A4 00 0C 02 3F 00", "90 00"},
		{"00 A4 02 04 02 DF 02 00", "6A 82"},
		{"00 A4 01 00 02 DF 02 00", "6F 08 84 06 D2 76 00 00 66 01 90 00"},
		/* the PIN command: EF.ATR and EF.PWDD in the MF */
		{"00 A4 00 0C 02 3F 00", "90 00"},
		{"00 A4 02 04 02 2F 01 00", "62 0A 82 01 01 83 02 2F 01 80 01 0B 90 00"},
		{"00 B0 00 00 40", "7F 66 08 02 02 01 00 02 02 01 00 90 00"},
		{"00 A4 02 04 02 00 15 00", "62 0B 82 05 04 41 00 40 08 83 02 00 15 90 00"},
		{"00 B2 01 04 00", "83 01 81 7B 05 A4 03 89 01 12 90 00"},
		/* back to the QES DF (a DF by its first SELECT: no EF tried),
		 * then VERIFY of its local PIN 81 */
		{"00 A4 01 00 02 DF 02 00", "6F 08 84 06 D2 76 00 00 66 01 90 00"},
		{"00 20 00 81 08 26 65 43 21 FF FF FF FF", "90 00"},
		FR_END};

	open_card(&f, pk_get_starcos_driver(), ATR_34, SC_PROTO_T1, NULL);
	fr_expect(&f, steps);
	/* one card transaction, as OpenSC's pkcs15 layer holds it */
	assert_int_equal(sc_lock(f.card), 0);
	sc_format_path("3F00DF02", &path);
	assert_int_equal(sc_select_file(f.card, &path, NULL), 0);
	assert_int_equal(verify(&f, 0x81, "654321"), 0);
	sc_unlock(f.card);
	fr_close(&f);
}

/* ---- sign and decipher, one row each ------------------------------------------ */

enum card_kind { V2, SPK23, S34, S35 };

static void
open_kind(struct fr *f, enum card_kind k)
{
	switch (k) {
	case V2:
		open_card(f, pk_get_acos5_driver(), ATR_V2, SC_PROTO_T0, init_v2);
		break;
	case SPK23:
		open_card(f, pk_get_starcos_driver(), ATR_SPK23, SC_PROTO_T1, NULL);
		break;
	case S34:
		open_card(f, pk_get_starcos_driver(), ATR_34, SC_PROTO_T1, NULL);
		break;
	default:
		open_card(f, pk_get_starcos_driver(), ATR_35, SC_PROTO_T1, NULL);
		break;
	}
}

#define SIGN SC_SEC_OPERATION_SIGN
#define DECIPHER SC_SEC_OPERATION_DECIPHER
#define PKCS1 SC_ALGORITHM_RSA_PAD_PKCS1

struct op_row {
	const char *name;
	enum card_kind card;
	int op;
	unsigned long flags;
	const char *key_path; /* ACOS5: the key file; NULL: key reference key_ref */
	u8 key_ref;
	const char *in;       /* hex ("AB*56": byte AB 56 times) */
	size_t outlen;
	struct fr_step steps[5];
	int rc;               /* output length or error */
	const char *out;      /* the whole output */
};

/* ACOS5-64 V2 key 41F1 (acos5-card.md §2.5) */
#define MSE_SIGN_41F1 {"00 22 01 B6 0A 80 01 10 81 02 41 F1 95 01 40", "90 00"}
#define MSE_CT_41F1 {"00 22 01 B8 0A 80 01 12 81 02 41 F1 95 01 40", "90 00"}
#define K41F1 "3F00410041F1"
/* DigestInfo prefixes (RFC 8017) */
#define DI_SHA1 "30 21 30 09 06 05 2B 0E 03 02 1A 05 00 04 14"
#define DI_SHA256 "30 31 30 0D 06 09 60 86 48 01 65 03 04 02 01 05 00 04 20"
#define DI_SHA384 "30 41 30 0D 06 09 60 86 48 01 65 03 04 02 02 05 00 04 30"

static const struct op_row op_rows[] = {
	/* ACOS5-64 V2 (T=0: 61 xx, GET RESPONSE) */
	{"acos5: SHA-256 by the card's hash-only signature", V2, SIGN,
			PKCS1 | SC_ALGORITHM_RSA_HASH_SHA256, K41F1, 0, "11*32", 64,
			{MSE_SIGN_41F1, {"00 2A 9E 9A 20 11*32", "61 40"}, {"00 C0 00 00 40", "5A*64 90 00"}},
			64, "5A*64"},
	{"acos5: SHA-384 padded on the host, raw RSA by decipher", V2, SIGN,
			PKCS1 | SC_ALGORITHM_RSA_HASH_SHA384, K41F1, 0, "22*48", 128,
			{MSE_SIGN_41F1, MSE_CT_41F1,
			 {"00 2A 80 84 80 00 01 FF*58 00 " DI_SHA384 " 22*48", "61 80"},
			 {"00 C0 00 00 80", "77*128 90 00"}},
			128, "77*128"},
	{"acos5: a sign-only key refuses raw RSA (6A 80)", V2, SIGN, SC_ALGORITHM_RSA_RAW, K41F1, 0,
			"01*128", 128,
			{MSE_SIGN_41F1, MSE_CT_41F1, {"00 2A 80 84 80 01*128", "6A 80"}},
			SC_ERROR_INCORRECT_PARAMETERS},
	{"acos5: decipher, PKCS#1 padding removed on the host", V2, DECIPHER, PKCS1, K41F1, 0,
			"33*64", 64,
			{MSE_CT_41F1, {"00 2A 80 84 40 33*64", "61 40"},
			 {"00 C0 00 00 40", "00 02 AB*56 00 68 65 6C 6C 6F 90 00"}},
			5, "68 65 6C 6C 6F"},
	{"acos5: decipher, block type 1 is wrong padding", V2, DECIPHER, PKCS1, K41F1, 0, "33*64", 64,
			{MSE_CT_41F1, {"00 2A 80 84 40 33*64", "61 40"},
			 {"00 C0 00 00 40", "00 01 AB*62 90 00"}},
			SC_ERROR_WRONG_PADDING},
	{"acos5: 2048-bit decipher chains with CLA 10 (255 + 1), 61 00", V2, DECIPHER,
			SC_ALGORITHM_RSA_RAW, K41F1, 0, "44*256", 256,
			{MSE_CT_41F1, {"10 2A 80 84 FF 44*255", "90 00"}, {"00 2A 80 84 01 44", "61 00"},
			 {"00 C0 00 00 00", "66*256 90 00"}},
			256, "66*256"},
	/* StarCOS 3.x (T=1) */
	{"3.5: PKCS#1 signature over a DigestInfo, 89 02 13 23", S35, SIGN,
			PKCS1 | SC_ALGORITHM_RSA_HASH_NONE, NULL, 0x84, DI_SHA256 " 55*32", 64,
			{{"00 22 41 B6 07 84 01 84 89 02 13 23", "90 00"},
			 {"00 2A 9E 9A 33 " DI_SHA256 " 55*32 00", "99*64 90 00"}},
			64, "99*64"},
	{"3.5: PSS-SHA-256 over the bare hash, 89 03 13 33 30", S35, SIGN,
			SC_ALGORITHM_RSA_PAD_PSS | SC_ALGORITHM_MGF1_SHA256, NULL, 0x84, "55*32", 64,
			{{"00 22 41 B6 08 84 01 84 89 03 13 33 30", "90 00"},
			 {"00 2A 9E 9A 20 55*32 00", "98*64 90 00"}},
			64, "98*64"},
	{"3.5: decipher with padding indicator 81, the card removes the padding", S35, DECIPHER,
			PKCS1, NULL, 0x83, "21*64", 64,
			{{"00 22 41 B8 07 84 01 83 89 02 11 31", "90 00"},
			 {"00 2A 80 86 41 81 21*64 00", "68 65 6C 6C 6F 90 00"}},
			5, "68 65 6C 6C 6F"},
	{"3.4: 2048-bit decipher needs 257 bytes, EF.ATR allows no extended APDU", S34, DECIPHER,
			PKCS1, NULL, 0x83, "21*256", 256,
			{{"00 A4 00 0C 02 3F 00", "90 00"},
			 {"00 A4 02 04 02 2F 01 00", "62 0A 82 01 01 83 02 2F 01 80 01 0B 90 00"},
			 {"00 B0 00 00 40", "7F 66 08 02 02 01 00 02 02 01 00 90 00"}},
			SC_ERROR_NOT_SUPPORTED},
	/* StarCOS SPK 2.3 (T=1) */
	{"2.3: SHA-1 by PSO HASH, then COMPUTE SIGNATURE as case 2", SPK23, SIGN,
			PKCS1 | SC_ALGORITHM_RSA_HASH_NONE, NULL, 0x91, DI_SHA1 " 0F*20", 128,
			{{"00 22 41 B6 06 84 01 91 80 01 12", "90 00"}, {"00 2A 90 81 14 0F*20", "90 00"},
			 {"00 2A 9E 9A 00", "42*128 90 00"}},
			128, "42*128"},
	{"2.3: other DigestInfos by INTERNAL AUTHENTICATE", SPK23, SIGN,
			PKCS1 | SC_ALGORITHM_RSA_HASH_NONE, NULL, 0x91, "3C*40", 128,
			{{"00 22 41 A4 06 84 01 91 80 01 01", "90 00"},
			 {"00 88 10 00 28 3C*40 00", "43*128 90 00"}},
			128, "43*128"},
	{"2.3: 1024-bit decipher, 129 bytes (indicator 00) in one short APDU", SPK23, DECIPHER,
			PKCS1, NULL, 0x91, "5D*128", 128,
			{{"00 22 81 B8 06 84 01 91 80 01 02", "90 00"},
			 {"00 2A 80 86 81 00 5D*128 00", "61 62 63 90 00"}},
			3, "61 62 63"},
};

static void
test_op_row(void **state)
{
	const struct op_row *row = *state;
	struct sc_security_env env;
	struct fr f;
	u8 in[512], out[512];
	size_t inlen = unit_hex(row->in, in, sizeof(in));
	int r;

	open_kind(&f, row->card);
	fr_expect(&f, row->steps);
	memset(&env, 0, sizeof(env));
	env.operation = row->op;
	env.algorithm = SC_ALGORITHM_RSA;
	env.algorithm_flags = (unsigned int)row->flags;
	if (row->key_path) {
		env.flags = SC_SEC_ENV_FILE_REF_PRESENT;
		sc_format_path(row->key_path, &env.file_ref);
	} else {
		env.flags = SC_SEC_ENV_KEY_REF_PRESENT;
		env.key_ref[0] = row->key_ref;
		env.key_ref_len = 1;
	}
	assert_int_equal(sc_set_security_env(f.card, &env, 0), 0);
	if (row->op == SIGN)
		r = sc_compute_signature(f.card, in, inlen, out, row->outlen);
	else
		r = sc_decipher(f.card, in, inlen, out, row->outlen);
	assert_int_equal(r, row->rc);
	fr_assert_done(&f);
	if (r > 0)
		assert_hex_equal(out, (size_t)r, row->out);
	fr_close(&f);
}

int
main(void)
{
	const struct CMUnitTest acos5[] = {
		cmocka_unit_test(test_acos5_pin_info_and_logout),
		cmocka_unit_test(test_acos5_v3_pin_info),
		cmocka_unit_test(test_acos5_generate_key),
		cmocka_unit_test(test_acos5_generate_bad_size),
	};
	const struct CMUnitTest starcos[] = {
		cmocka_unit_test(test_starcos35_verify_format2),
		cmocka_unit_test(test_starcos34_verify_local_pin_back_in_df),
	};
	int r = 0;

	setenv("OPENSC_CONF", "/dev/null", 1);
	r |= cmocka_run_group_tests_name("acos5 crypto", acos5, NULL, NULL);
	r |= cmocka_run_group_tests_name("starcos crypto", starcos, NULL, NULL);
	r |= UNIT_RUN_ROWS("sign and decipher", op_rows, test_op_row);
	return r;
}
