/*
 * test-crypto.c: PIN and security operations of both drivers through the
 * fake reader, with the exact C-APDUs the cards document (acos5.md §2.3-2.6,
 * starcos.md §2.1-2.4).
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
#define ATR_SPK23 "3B B7 94 00 81 31 FE 65 53 50 4B 32 33 90 00 D1"
#define ATR_34 "3B D8 18 FF 81 B1 FE 45 1F 03 80 64 04 1A B4 03 81 05 61"
#define ATR_35 "3B 9B 96 C0 0A 31 FE 45 80 67 04 1E B5 01 00 89 4C 81 05 45"

static const struct fr_step init_v2[] = {
	{"80 14 05 00 00", "95 40"},
	{"80 14 06 00 08", "41 43 4F 53 05 02 00 40 90 00"},
	FR_END};

/* Scratch hex strings built per test (long data) */
static char hx[8][2400];

/* hex of: prefix, n times byte b, suffix */
static const char *
hexfill(int slot, const char *prefix, unsigned int b, size_t n, const char *suffix)
{
	size_t used;

	snprintf(hx[slot], sizeof(hx[slot]), "%s", prefix);
	used = strlen(hx[slot]);
	while (n-- && used + 4 < sizeof(hx[slot]))
		used += (size_t)snprintf(hx[slot] + used, sizeof(hx[slot]) - used, " %02X", b);
	snprintf(hx[slot] + used, sizeof(hx[slot]) - used, " %s", suffix);
	return hx[slot];
}

static const char *
hexbytes(int slot, const char *prefix, const u8 *p, size_t n, const char *suffix)
{
	char body[2048];

	unit_tohex(p, n, body, sizeof(body));
	snprintf(hx[slot], sizeof(hx[slot]), "%s %s %s", prefix, body, suffix);
	return hx[slot];
}

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

static void
env_file(struct sc_security_env *env, int op, unsigned long flags, const char *path)
{
	memset(env, 0, sizeof(*env));
	env->operation = op;
	env->algorithm = SC_ALGORITHM_RSA;
	env->algorithm_flags = (unsigned int)flags;
	env->flags = SC_SEC_ENV_FILE_REF_PRESENT;
	sc_format_path(path, &env->file_ref);
}

static void
env_key(struct sc_security_env *env, int op, unsigned long flags, u8 ref)
{
	memset(env, 0, sizeof(*env));
	env->operation = op;
	env->algorithm = SC_ALGORITHM_RSA;
	env->algorithm_flags = (unsigned int)flags;
	env->flags = SC_SEC_ENV_KEY_REF_PRESENT;
	env->key_ref[0] = ref;
	env->key_ref_len = 1;
}

/* ---- ACOS5-64 V2 (T=0) ---------------------------------------------------- */

#define MSE_SIGN_41F1 "00 22 01 B6 0A 80 01 10 81 02 41 F1 95 01 40"
#define MSE_CT_41F1 "00 22 01 B8 0A 80 01 12 81 02 41 F1 95 01 40"

static void
test_acos5_sign_sha256(void **state)
{
	struct fr f;
	struct sc_security_env env;
	u8 hash[32], sig[64];
	struct fr_step steps[] = {
		{MSE_SIGN_41F1, "90 00"},
		{hexfill(0, "00 2A 9E 9A 20", 0x11, 32, ""), "61 40"},
		{"00 C0 00 00 40", hexfill(1, "", 0x5A, 64, "90 00")},
		FR_END};

	open_card(&f, pk_get_acos5_driver(), ATR_V2, SC_PROTO_T0, init_v2);
	fr_expect(&f, steps);
	memset(hash, 0x11, sizeof(hash));
	env_file(&env, SC_SEC_OPERATION_SIGN, SC_ALGORITHM_RSA_PAD_PKCS1 | SC_ALGORITHM_RSA_HASH_SHA256,
			"3F00410041F1");
	assert_int_equal(sc_set_security_env(f.card, &env, 0), 0);
	assert_int_equal(sc_compute_signature(f.card, hash, sizeof(hash), sig, sizeof(sig)), 64);
	assert_hex_equal(sig, 4, "5A 5A 5A 5A");
	fr_close(&f);
}

/* SHA-384: DigestInfo and type-1 padding on the host, then raw RSA */
static void
test_acos5_sign_sha384_raw(void **state)
{
	static const u8 di384[] = {0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65,
			0x03, 0x04, 0x02, 0x02, 0x05, 0x00, 0x04, 0x30};
	struct fr f;
	struct sc_security_env env;
	u8 hash[48], block[128], sig[128];
	struct fr_step steps[] = {
		{MSE_SIGN_41F1, "90 00"},
		{MSE_CT_41F1, "90 00"},
		{NULL, "61 80"},
		{"00 C0 00 00 80", hexfill(1, "", 0x77, 128, "90 00")},
		FR_END};

	memset(hash, 0x22, sizeof(hash));
	block[0] = 0x00;
	block[1] = 0x01;
	memset(block + 2, 0xFF, 128 - 3 - 67);
	block[128 - 68] = 0x00;
	memcpy(block + 128 - 67, di384, sizeof(di384));
	memcpy(block + 128 - 48, hash, 48);
	steps[2].capdu = hexbytes(0, "00 2A 80 84 80", block, sizeof(block), "");
	open_card(&f, pk_get_acos5_driver(), ATR_V2, SC_PROTO_T0, init_v2);
	fr_expect(&f, steps);
	env_file(&env, SC_SEC_OPERATION_SIGN, SC_ALGORITHM_RSA_PAD_PKCS1 | SC_ALGORITHM_RSA_HASH_SHA384,
			"3F00410041F1");
	assert_int_equal(sc_set_security_env(f.card, &env, 0), 0);
	assert_int_equal(sc_compute_signature(f.card, hash, sizeof(hash), sig, sizeof(sig)), 128);
	assert_hex_equal(sig, 2, "77 77");
	fr_close(&f);
}

/* A sign-only key refuses raw RSA (6A 80): a clear error, no output */
static void
test_acos5_sign_only_key(void **state)
{
	struct fr f;
	struct sc_security_env env;
	u8 data[128], sig[128];
	struct fr_step steps[] = {
		{MSE_SIGN_41F1, "90 00"},
		{MSE_CT_41F1, "90 00"},
		{hexfill(0, "00 2A 80 84 80", 0x01, 128, ""), "6A 80"},
		FR_END};

	memset(data, 0x01, sizeof(data));
	open_card(&f, pk_get_acos5_driver(), ATR_V2, SC_PROTO_T0, init_v2);
	fr_expect(&f, steps);
	env_file(&env, SC_SEC_OPERATION_SIGN, SC_ALGORITHM_RSA_RAW, "3F00410041F1");
	assert_int_equal(sc_set_security_env(f.card, &env, 0), 0);
	assert_int_equal(sc_compute_signature(f.card, data, sizeof(data), sig, sizeof(sig)),
			SC_ERROR_INCORRECT_PARAMETERS);
	fr_close(&f);
}

static void
test_acos5_decipher_pkcs1(void **state)
{
	struct fr f;
	struct sc_security_env env;
	u8 in[64], out[64];
	char block[400];
	struct fr_step steps[] = {
		{MSE_CT_41F1, "90 00"},
		{hexfill(0, "00 2A 80 84 40", 0x33, 64, ""), "61 40"},
		{"00 C0 00 00 40", NULL},
		FR_END};

	/* 00 02 <53 x AB> 00 "hello" */
	snprintf(block, sizeof(block), "%s", hexfill(1, "00 02", 0xAB, 56, "00 68 65 6C 6C 6F 90 00"));
	steps[2].rapdu = block;
	memset(in, 0x33, sizeof(in));
	open_card(&f, pk_get_acos5_driver(), ATR_V2, SC_PROTO_T0, init_v2);
	fr_expect(&f, steps);
	env_file(&env, SC_SEC_OPERATION_DECIPHER, SC_ALGORITHM_RSA_PAD_PKCS1, "3F00410041F1");
	assert_int_equal(sc_set_security_env(f.card, &env, 0), 0);
	assert_int_equal(sc_decipher(f.card, in, sizeof(in), out, sizeof(out)), 5);
	assert_hex_equal(out, 5, "68 65 6C 6C 6F");
	fr_close(&f);
}

static void
test_acos5_decipher_bad_padding(void **state)
{
	struct fr f;
	struct sc_security_env env;
	u8 in[64], out[64];
	struct fr_step steps[] = {
		{MSE_CT_41F1, "90 00"},
		{hexfill(0, "00 2A 80 84 40", 0x33, 64, ""), "61 40"},
		{"00 C0 00 00 40", hexfill(1, "00 01", 0xAB, 62, "90 00")},
		FR_END};

	memset(in, 0x33, sizeof(in));
	open_card(&f, pk_get_acos5_driver(), ATR_V2, SC_PROTO_T0, init_v2);
	fr_expect(&f, steps);
	env_file(&env, SC_SEC_OPERATION_DECIPHER, SC_ALGORITHM_RSA_PAD_PKCS1, "3F00410041F1");
	assert_int_equal(sc_set_security_env(f.card, &env, 0), 0);
	assert_int_equal(sc_decipher(f.card, in, sizeof(in), out, sizeof(out)), SC_ERROR_WRONG_PADDING);
	fr_close(&f);
}

/* 2048 bits: command chaining with CLA 10 (255 + 1 bytes), 61 00 */
static void
test_acos5_decipher_chaining(void **state)
{
	struct fr f;
	struct sc_security_env env;
	u8 in[256], out[256];
	struct fr_step steps[] = {
		{MSE_CT_41F1, "90 00"},
		{hexfill(0, "10 2A 80 84 FF", 0x44, 255, ""), "90 00"},
		{"00 2A 80 84 01 44", "61 00"},
		{"00 C0 00 00 00", hexfill(1, "", 0x66, 256, "90 00")},
		FR_END};

	memset(in, 0x44, sizeof(in));
	open_card(&f, pk_get_acos5_driver(), ATR_V2, SC_PROTO_T0, init_v2);
	fr_expect(&f, steps);
	env_file(&env, SC_SEC_OPERATION_DECIPHER, SC_ALGORITHM_RSA_RAW, "3F00410041F1");
	assert_int_equal(sc_set_security_env(f.card, &env, 0), 0);
	assert_int_equal(sc_decipher(f.card, in, sizeof(in), out, sizeof(out)), 256);
	assert_hex_equal(out + 254, 2, "66 66");
	fr_close(&f);
}

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

static void
test_acos5_generate_key(void **state)
{
	struct fr f;
	struct pk_acos5_keygen kg;
	struct fr_step steps[] = {
		{"00 22 01 B6 0A 80 01 10 81 02 41 F1 95 01 40", "90 00"},
		{"00 22 01 B6 0A 80 01 10 81 02 41 31 95 01 80", "90 00"},
		{"00 46 00 00 02 04 06", "90 00"},
		{"00 A4 00 00 02 41 31", "61 14"},
		{"00 C0 00 00 14", "6F 12 83 02 41 31 88 01 00 8A 01 05 82 02 09 00 80 02 00 55 90 00"},
		{"80 CA 00 00 55", hexfill(0, "00 04 41 F1 03 00 00 00 00 00 00 00 00 00 00 00 00 00 01 00 01",
				0xC3, 64, "90 00")},
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
	assert_int_equal(sc_pin_cmd(f.card, &d, NULL), 0);
	assert_true(f.card->caps & SC_CARD_CAP_APDU_EXT); /* EF.ATR: 1024-byte commands */
	fr_close(&f);
}

static void
test_starcos35_sign_pkcs1(void **state)
{
	static const u8 di256[] = {0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65,
			0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20};
	struct fr f;
	struct sc_security_env env;
	u8 data[51], sig[64];
	struct fr_step steps[] = {
		{"00 22 41 B6 07 84 01 84 89 02 13 23", "90 00"},
		{NULL, hexfill(1, "", 0x99, 64, "90 00")},
		FR_END};

	memcpy(data, di256, sizeof(di256));
	memset(data + sizeof(di256), 0x55, 32);
	steps[1].capdu = hexbytes(0, "00 2A 9E 9A 33", data, sizeof(data), "00");
	open_card(&f, pk_get_starcos_driver(), ATR_35, SC_PROTO_T1, NULL);
	fr_expect(&f, steps);
	env_key(&env, SC_SEC_OPERATION_SIGN, SC_ALGORITHM_RSA_PAD_PKCS1 | SC_ALGORITHM_RSA_HASH_NONE, 0x84);
	assert_int_equal(sc_set_security_env(f.card, &env, 0), 0);
	assert_int_equal(sc_compute_signature(f.card, data, sizeof(data), sig, sizeof(sig)), 64);
	fr_close(&f);
}

static void
test_starcos35_sign_pss(void **state)
{
	struct fr f;
	struct sc_security_env env;
	u8 hash[32], sig[64];
	struct fr_step steps[] = {
		{"00 22 41 B6 08 84 01 84 89 03 13 33 30", "90 00"},
		{hexfill(0, "00 2A 9E 9A 20", 0x55, 32, "00"), hexfill(1, "", 0x98, 64, "90 00")},
		FR_END};

	memset(hash, 0x55, sizeof(hash));
	open_card(&f, pk_get_starcos_driver(), ATR_35, SC_PROTO_T1, NULL);
	fr_expect(&f, steps);
	env_key(&env, SC_SEC_OPERATION_SIGN, SC_ALGORITHM_RSA_PAD_PSS | SC_ALGORITHM_MGF1_SHA256, 0x84);
	assert_int_equal(sc_set_security_env(f.card, &env, 0), 0);
	assert_int_equal(sc_compute_signature(f.card, hash, sizeof(hash), sig, sizeof(sig)), 64);
	fr_close(&f);
}

/* 3.5 decipher with padding indicator 81; the card answers the plaintext */
static void
test_starcos35_decipher(void **state)
{
	struct fr f;
	struct sc_security_env env;
	u8 in[64], out[64];
	struct fr_step steps[] = {
		{"00 22 41 B8 07 84 01 83 89 02 11 31", "90 00"},
		{hexfill(0, "00 2A 80 86 41 81", 0x21, 64, "00"), "68 65 6C 6C 6F 90 00"},
		FR_END};

	memset(in, 0x21, sizeof(in));
	open_card(&f, pk_get_starcos_driver(), ATR_35, SC_PROTO_T1, NULL);
	fr_expect(&f, steps);
	env_key(&env, SC_SEC_OPERATION_DECIPHER, SC_ALGORITHM_RSA_PAD_PKCS1, 0x83);
	assert_int_equal(sc_set_security_env(f.card, &env, 0), 0);
	assert_int_equal(sc_decipher(f.card, in, sizeof(in), out, sizeof(out)), 5);
	assert_hex_equal(out, 5, "68 65 6C 6C 6F");
	fr_close(&f);
}

/* 3.4: RSA-2048 needs 257 bytes; EF.ATR allows no extended APDU: refused */
static void
test_starcos34_decipher_needs_ext(void **state)
{
	struct fr f;
	struct sc_security_env env;
	u8 in[256], out[256];
	static const struct fr_step steps[] = {
		{"00 A4 00 0C 02 3F 00", "90 00"},
		{"00 A4 02 04 02 2F 01 00", "62 0A 82 01 01 83 02 2F 01 80 01 0B 90 00"},
		{"00 B0 00 00 40", "7F 66 08 02 02 01 00 02 02 01 00 90 00"},
		FR_END};

	memset(in, 0x21, sizeof(in));
	open_card(&f, pk_get_starcos_driver(), ATR_34, SC_PROTO_T1, NULL);
	fr_expect(&f, steps);
	env_key(&env, SC_SEC_OPERATION_DECIPHER, SC_ALGORITHM_RSA_PAD_PKCS1, 0x83);
	assert_int_equal(sc_set_security_env(f.card, &env, 0), 0);
	assert_int_equal(sc_decipher(f.card, in, sizeof(in), out, sizeof(out)), SC_ERROR_NOT_SUPPORTED);
	fr_close(&f);
}

/* SPK 2.x SHA-1: PSO HASH, then COMPUTE SIGNATURE as case 2 */
static void
test_spk23_sign_sha1(void **state)
{
	static const u8 di1[] = {0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a,
			0x05, 0x00, 0x04, 0x14};
	struct fr f;
	struct sc_security_env env;
	u8 data[35], sig[128];
	struct fr_step steps[] = {
		{"00 22 41 B6 06 84 01 91 80 01 12", "90 00"},
		{hexfill(0, "00 2A 90 81 14", 0x0F, 20, ""), "90 00"},
		{"00 2A 9E 9A 00", hexfill(1, "", 0x42, 128, "90 00")},
		FR_END};

	memcpy(data, di1, sizeof(di1));
	memset(data + sizeof(di1), 0x0F, 20);
	open_card(&f, pk_get_starcos_driver(), ATR_SPK23, SC_PROTO_T1, NULL);
	fr_expect(&f, steps);
	env_key(&env, SC_SEC_OPERATION_SIGN, SC_ALGORITHM_RSA_PAD_PKCS1 | SC_ALGORITHM_RSA_HASH_NONE, 0x91);
	assert_int_equal(sc_set_security_env(f.card, &env, 0), 0);
	assert_int_equal(sc_compute_signature(f.card, data, sizeof(data), sig, sizeof(sig)), 128);
	fr_close(&f);
}

/* SPK 2.x other hashes: INTERNAL AUTHENTICATE with the DigestInfo */
static void
test_spk23_sign_internal_auth(void **state)
{
	struct fr f;
	struct sc_security_env env;
	u8 data[40], sig[128];
	struct fr_step steps[] = {
		{"00 22 41 A4 06 84 01 91 80 01 01", "90 00"},
		{hexfill(0, "00 88 10 00 28", 0x3C, 40, "00"), hexfill(1, "", 0x43, 128, "90 00")},
		FR_END};

	memset(data, 0x3C, sizeof(data));
	open_card(&f, pk_get_starcos_driver(), ATR_SPK23, SC_PROTO_T1, NULL);
	fr_expect(&f, steps);
	env_key(&env, SC_SEC_OPERATION_SIGN, SC_ALGORITHM_RSA_PAD_PKCS1 | SC_ALGORITHM_RSA_HASH_NONE, 0x91);
	assert_int_equal(sc_set_security_env(f.card, &env, 0), 0);
	assert_int_equal(sc_compute_signature(f.card, data, sizeof(data), sig, sizeof(sig)), 128);
	fr_close(&f);
}

/* SPK 2.x decipher: 129 bytes (indicator 00) in one short APDU */
static void
test_spk23_decipher_1024(void **state)
{
	struct fr f;
	struct sc_security_env env;
	u8 in[128], out[128];
	struct fr_step steps[] = {
		{"00 22 81 B8 06 84 01 91 80 01 02", "90 00"},
		{hexfill(0, "00 2A 80 86 81 00", 0x5D, 128, "00"), "61 62 63 90 00"},
		FR_END};

	memset(in, 0x5D, sizeof(in));
	open_card(&f, pk_get_starcos_driver(), ATR_SPK23, SC_PROTO_T1, NULL);
	fr_expect(&f, steps);
	env_key(&env, SC_SEC_OPERATION_DECIPHER, SC_ALGORITHM_RSA_PAD_PKCS1, 0x91);
	assert_int_equal(sc_set_security_env(f.card, &env, 0), 0);
	assert_int_equal(sc_decipher(f.card, in, sizeof(in), out, sizeof(out)), 3);
	assert_hex_equal(out, 3, "61 62 63");
	fr_close(&f);
}

int
main(void)
{
	const struct CMUnitTest acos5[] = {
		cmocka_unit_test(test_acos5_sign_sha256),
		cmocka_unit_test(test_acos5_sign_sha384_raw),
		cmocka_unit_test(test_acos5_sign_only_key),
		cmocka_unit_test(test_acos5_decipher_pkcs1),
		cmocka_unit_test(test_acos5_decipher_bad_padding),
		cmocka_unit_test(test_acos5_decipher_chaining),
		cmocka_unit_test(test_acos5_pin_info_and_logout),
		cmocka_unit_test(test_acos5_generate_key),
		cmocka_unit_test(test_acos5_generate_bad_size),
	};
	const struct CMUnitTest starcos[] = {
		cmocka_unit_test(test_starcos35_verify_format2),
		cmocka_unit_test(test_starcos35_sign_pkcs1),
		cmocka_unit_test(test_starcos35_sign_pss),
		cmocka_unit_test(test_starcos35_decipher),
		cmocka_unit_test(test_starcos34_decipher_needs_ext),
		cmocka_unit_test(test_spk23_sign_sha1),
		cmocka_unit_test(test_spk23_sign_internal_auth),
		cmocka_unit_test(test_spk23_decipher_1024),
	};
	int r = 0;

	setenv("OPENSC_CONF", "/dev/null", 1);
	r |= cmocka_run_group_tests_name("acos5 crypto", acos5, NULL, NULL);
	r |= cmocka_run_group_tests_name("starcos crypto", starcos, NULL, NULL);
	return r;
}
