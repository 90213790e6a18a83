/*
 * card-starcos.c: Giesecke+Devrient StarCOS SPK 2.3/2.4 and 3.4/3.5
 *
 * Overrides the ISO 7816 operations only where the card differs. The
 * generations differ as data (struct starcos_gen), never as scattered
 * version checks. Source of the card behaviour: doc/starcos-card.md.
 *
 * Copyright (C) 2026 pkicards contributors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libopensc/cardctl.h"
#include "libopensc/internal.h"
#include "libopensc/log.h"
#include "pk-card.h"
#include "pk-compat.h"
#include "pk-fcache.h"
#include "pk-cardctl.h"
#include "pk-rsa.h"
#include "pk-tlv.h"
#include "starcos-parse.h"

struct starcos_gen;
typedef int (*starcos_select_fn)(struct sc_card *card, const u8 *fid, int last,
		struct sc_file **file_out);
typedef int (*starcos_serial_fn)(struct sc_card *card);
typedef int (*starcos_sign_fn)(struct sc_card *card, const u8 *data, size_t len,
		u8 *out, size_t outlen);
typedef int (*starcos_key_fn)(struct sc_card *card, u8 key);
typedef int (*starcos_logout_fn)(struct sc_card *card);

/* Per-generation data (starcos-card.md §1.3, §2.1-2.5, §4.3) */
struct starcos_gen {
	int type;
	const char *name;
	size_t max_send, max_recv;
	unsigned int rsa_max;
	unsigned long rsa_flags;
	starcos_select_fn select_fid;
	starcos_serial_fn read_serial;
	const unsigned short *probe_fids; /* documented FIDs probed by list_files */
	const char *pin_desc_path;        /* EF.PWDD / EF.KEYD, NULL on 2.x */
	unsigned int pin_ref_tag;         /* tag holding the PIN reference there */
	unsigned int pin_status : 1;      /* VERIFY without data answers the PIN status */
	starcos_sign_fn sign;
	starcos_key_fn decipher_mse;
	u8 dec_pad_indicator;
	starcos_logout_fn logout;
	unsigned int keep_df : 1;         /* walk on from the current DF: 2.x SELECT MF is the
	                                   * logout, 3.x loses DF-local PIN state on leaving
	                                   * the DF (starcos-card.md §2.1, §3.2) */
	const char *no_admin;             /* why creation/keys are refused, NULL: 2.x commands work */
};

static int starcos2_select_fid(struct sc_card *card, const u8 *fid, int last,
		struct sc_file **file_out);
static int starcos3_select_fid(struct sc_card *card, const u8 *fid, int last,
		struct sc_file **file_out);
static int starcos2_read_serial(struct sc_card *card);
static int starcos3_read_serial(struct sc_card *card);
static int starcos2_sign(struct sc_card *card, const u8 *data, size_t len, u8 *out, size_t outlen);
static int starcos3_sign(struct sc_card *card, const u8 *data, size_t len, u8 *out, size_t outlen);
static int starcos2_decipher_mse(struct sc_card *card, u8 key);
static int starcos34_decipher_mse(struct sc_card *card, u8 key);
static int starcos35_decipher_mse(struct sc_card *card, u8 key);
static int starcos2_logout(struct sc_card *card);

/* 2.x: PKCS#1 with the card's padding (SHA-1 on card, other DigestInfos by
 * INTERNAL AUTHENTICATE); 3.x adds PSS (starcos-card.md §1.3, §2.3, §2.4) */
#define STARCOS2_RSA (SC_ALGORITHM_RSA_PAD_PKCS1 | SC_ALGORITHM_RSA_HASH_NONE)
#define STARCOS2_RSA_GEN (STARCOS2_RSA | SC_ALGORITHM_ONBOARD_KEY_GEN) /* GENERATE KEY (§2.2) */
#define STARCOS3_RSA (STARCOS2_RSA | SC_ALGORITHM_RSA_PAD_PSS | SC_ALGORITHM_MGF1_SHA1 | \
		SC_ALGORITHM_MGF1_SHA224 | SC_ALGORITHM_MGF1_SHA256 | SC_ALGORITHM_MGF1_SHA384 | \
		SC_ALGORITHM_MGF1_SHA512)

/* StarCOS has no list-files command: list_files probes the FIDs that the
 * documented layouts use (starcos-card.md §3, §4.1). */
static const unsigned short starcos2_fids[] = {0x0010, 0x2F00, 0x5015, 0x5031, 0x5032,
		0x5033, 0x4401, 0x4402, 0x4403, 0x4404, 0x4405, 0xDF01, 0xFE13, 0xC000,
		0xC008, 0xC200, 0xC500, 0};
static const unsigned short starcos3_fids[] = {0x2F00, 0x2F01, 0x2F02, 0x0013, 0x0015,
		0x0016, 0x0101, 0x0102, 0x0604, 0x0608, 0x5015, 0x5031, 0x5032, 0x4300,
		0x4301, 0x43F0, 0x43F1, 0xC000, 0xC001, 0xC002, 0xC003, 0xC100, 0xC101,
		0xC102, 0xC103, 0xC104, 0xC105, 0xC200, 0xC500, 0};

/* 3.x file creation and key generation are not public (starcos-card.md §2.4, §8);
 * issued cards refuse them (69 82). No 2.x command is ever sent to them. */
#define STARCOS3_NO_ADMIN "key generation, key import and file creation are not supported on " \
		"StarCOS 3.x issuer cards (the card's issuer personalised it; only SPK 2.3/2.4 can be " \
		"personalised)"

/* 2.x: data of at most 128 bytes per command except PSO DECIPHER's 129,
 * so the send limit is 255 and UPDATE BINARY chunks itself. */
/* SPK 2.3 and 2.4 differ only in type and name (starcos-card.md §1.1) */
#define STARCOS2_GEN \
	.max_send = 255, .max_recv = 128, \
	.rsa_max = 1024, .rsa_flags = STARCOS2_RSA_GEN, \
	.select_fid = starcos2_select_fid, \
	.read_serial = starcos2_read_serial, \
	.probe_fids = starcos2_fids, \
	.sign = starcos2_sign, \
	.decipher_mse = starcos2_decipher_mse, \
	.dec_pad_indicator = 0x00, \
	.logout = starcos2_logout, \
	.keep_df = 1
#define STARCOS3_GEN \
	.max_send = 255, .max_recv = 256, \
	.rsa_flags = STARCOS3_RSA, \
	.select_fid = starcos3_select_fid, \
	.read_serial = starcos3_read_serial, \
	.probe_fids = starcos3_fids, \
	.pin_status = 1, \
	.sign = starcos3_sign, \
	.dec_pad_indicator = 0x81, \
	.keep_df = 1, \
	.no_admin = STARCOS3_NO_ADMIN

static const struct starcos_gen starcos_gens[] = {
	{.type = PK_CARD_TYPE_STARCOS_SPK23, .name = "StarCOS SPK 2.3", STARCOS2_GEN},
	{.type = PK_CARD_TYPE_STARCOS_SPK24, .name = "StarCOS SPK 2.4", STARCOS2_GEN},
	{
		.type = PK_CARD_TYPE_STARCOS_3_4,
		.name = "StarCOS 3.4",
		STARCOS3_GEN,
		.rsa_max = 2048,
		.pin_desc_path = "3F000015", /* EF.PWDD */
		.pin_ref_tag = 0x83,
		.decipher_mse = starcos34_decipher_mse,
	},
	{
		.type = PK_CARD_TYPE_STARCOS_3_5,
		.name = "StarCOS 3.5",
		STARCOS3_GEN,
		.rsa_max = 3072,
		.pin_desc_path = "3F000013", /* EF.KEYD */
		.pin_ref_tag = 0x88,
		.decipher_mse = starcos35_decipher_mse,
	},
};

/* Every StarCOS ATR of starcos-card.md §1.2, by generation */
static const struct sc_atr_table starcos_atrs[] = {
	{"3b:b7:94:00:c0:24:31:fe:65:53:50:4b:32:33:90:00:b4", NULL, "StarCOS SPK 2.3", PK_CARD_TYPE_STARCOS_SPK23, 0, NULL},
	{"3b:b7:94:00:81:31:fe:65:53:50:4b:32:33:90:00:d1", NULL, "StarCOS SPK 2.3", PK_CARD_TYPE_STARCOS_SPK23, 0, NULL},
	{"3b:be:94:00:81:31:fe:35:53:50:4b:32:33:20:57:45:35:30:31:36:4e:43:25", NULL, "StarCOS SPK 2.3", PK_CARD_TYPE_STARCOS_SPK23, 0, NULL},
	{"3b:b7:18:00:c0:3e:31:fe:65:53:50:4b:32:34:90:00:25", NULL, "StarCOS SPK 2.4", PK_CARD_TYPE_STARCOS_SPK24, 0, NULL},
	{"3b:b7:18:00:81:31:fe:65:53:50:4b:32:34:90:00:5a", NULL, "StarCOS SPK 2.4", PK_CARD_TYPE_STARCOS_SPK24, 0, NULL},
	{"3b:d8:18:ff:81:b1:fe:45:1f:03:80:64:04:1a:b4:03:81:05:61", NULL, "StarCOS 3.4", PK_CARD_TYPE_STARCOS_3_4, 0, NULL},
	{"3b:dd:96:ff:81:b1:fe:45:1f:03:80:31:b0:52:02:03:64:04:1b:b4:22:81:05:18", NULL, "StarCOS 3.4", PK_CARD_TYPE_STARCOS_3_4, 0, NULL},
	{"3b:d3:96:ff:81:b1:fe:45:1f:07:80:81:05:2d", NULL, "StarCOS 3.4", PK_CARD_TYPE_STARCOS_3_4, 0, NULL},
	{"3b:d0:97:ff:81:b1:fe:45:1f:07:2b", NULL, "StarCOS 3.4", PK_CARD_TYPE_STARCOS_3_4, 0, NULL},
	{"3b:d0:96:ff:81:b1:fe:45:1f:07:2a", NULL, "StarCOS 3.4", PK_CARD_TYPE_STARCOS_3_4, 0, NULL},
	{"3b:9b:96:c0:0a:31:fe:45:80:67:04:1e:b5:01:00:89:4c:81:05:45", NULL, "StarCOS 3.5", PK_CARD_TYPE_STARCOS_3_5, 0, NULL},
	{"3b:db:96:ff:81:31:fe:45:80:67:05:34:b5:02:01:c0:a1:81:05:3c", NULL, "StarCOS 3.5", PK_CARD_TYPE_STARCOS_3_5, 0, NULL},
	{"3b:d9:96:ff:81:31:fe:45:80:31:b8:73:86:01:c0:81:05:02", NULL, "StarCOS 3.5", PK_CARD_TYPE_STARCOS_3_5, 0, NULL},
	{"3b:d9:96:ff:81:31:fe:45:80:31:b8:73:86:01:e0:81:05:22", NULL, "StarCOS 3.5", PK_CARD_TYPE_STARCOS_3_5, 0, NULL},
	{"3b:df:96:ff:81:31:fe:45:80:5b:44:45:2e:42:4e:4f:54:4b:31:31:31:81:05:a0", NULL, "StarCOS 3.5", PK_CARD_TYPE_STARCOS_3_5, 0, NULL},
	{"3b:df:96:ff:81:31:fe:45:80:5b:44:45:2e:42:4e:4f:54:4b:31:30:30:81:05:a0", NULL, "StarCOS 3.5", PK_CARD_TYPE_STARCOS_3_5, 0, NULL},
	{"3b:df:96:ff:81:31:fe:45:80:5b:44:45:2e:42:41:5f:53:43:33:35:32:81:05:b5", NULL, "StarCOS 3.5", PK_CARD_TYPE_STARCOS_3_5, 0, NULL},
	{"3b:db:96:ff:81:31:fe:45:80:67:05:34:b5:02:01:06:40:81:05:1b", NULL, "StarCOS 3.5", PK_CARD_TYPE_STARCOS_3_5, 0, NULL},
	{"3b:dd:96:ff:81:31:fe:45:80:59:53:69:67:6e:74:72:75:73:74:81:05:a5", NULL, "StarCOS 3.5", PK_CARD_TYPE_STARCOS_3_5, 0, NULL},
	{"3b:da:96:ff:81:31:fe:45:80:56:31:b8:53:49:43:41:81:05:7b", NULL, "StarCOS 3.5", PK_CARD_TYPE_STARCOS_3_5, 0, NULL},
	{NULL, NULL, NULL, 0, 0, NULL}};

#define STARCOS_SW_DF_NO_FCI 0x6284 /* 2.x: a DF selected with P2 = 00 */

/* Status words (starcos-card.md §2.6) */
static const struct sc_card_error starcos_errors[] = {
	{STARCOS_SW_DF_NO_FCI, SC_SUCCESS, "DF selected, no FCI"},
	{0x6600, SC_ERROR_INCORRECT_PARAMETERS, "Error setting the security environment"},
	{0x66F0, SC_ERROR_INCORRECT_PARAMETERS, "No space left for padding"},
	{0x6700, SC_ERROR_WRONG_LENGTH, "Wrong length"},
	{0x6982, SC_ERROR_SECURITY_STATUS_NOT_SATISFIED, "Security status not satisfied"},
	{0x6983, SC_ERROR_AUTH_METHOD_BLOCKED, "PIN blocked"},
	{0x6984, SC_ERROR_REF_DATA_NOT_USABLE, "Reference data not usable (PIN not initialised or in transport state)"},
	{0x6985, SC_ERROR_NOT_ALLOWED, "Conditions of use not satisfied"},
	{0x6986, SC_ERROR_NOT_ALLOWED, "Command not allowed (no current EF)"},
	{0x69F0, SC_ERROR_NOT_ALLOWED, "Command not allowed (already finalised)"},
	{0x6A81, SC_ERROR_NOT_SUPPORTED, "Function not supported"},
	{0x6A82, SC_ERROR_FILE_NOT_FOUND, "File not found"},
	{0x6A86, SC_ERROR_INCORRECT_PARAMETERS, "Incorrect P1 or P2"},
	{0x6A88, SC_ERROR_DATA_OBJECT_NOT_FOUND, "Referenced data (key) not found"},
	{0x6A89, SC_ERROR_FILE_ALREADY_EXISTS, "File already exists"},
	{0x6A8A, SC_ERROR_FILE_ALREADY_EXISTS, "Application already exists"},
	{0x6F01, SC_ERROR_CARD_CMD_FAILED, "Public key not complete"},
	{0x6F02, SC_ERROR_CARD_CMD_FAILED, "Data overflow"},
	{0x6F03, SC_ERROR_CARD_CMD_FAILED, "Invalid command sequence"},
	{0x6F05, SC_ERROR_CARD_CMD_FAILED, "Security environment invalid"},
	{0x6F07, SC_ERROR_FILE_NOT_FOUND, "Key part not found"},
	{0x6F08, SC_ERROR_CARD_CMD_FAILED, "Signature failed"},
	{0x6F0A, SC_ERROR_INCORRECT_PARAMETERS, "Key format does not match key length"},
	{0x6F0B, SC_ERROR_INCORRECT_PARAMETERS, "Length of key component inconsistent"},
	{0x6F81, SC_ERROR_CARD_CMD_FAILED, "System error"},
	{0, 0, NULL}};

struct starcos_priv {
	const struct starcos_gen *gen;
	u8 cur_df[SC_MAX_PATH_SIZE]; /* absolute path of the DF last selected */
	size_t cur_df_len;
	int df_stale;                /* cur_df from before this card transaction */
	u8 pin_fmt_ref[256];         /* 3.x PIN transmission format by reference, 0 unknown */
	int env_op;                  /* SC_SEC_OPERATION_* set, 0 none */
	u8 env_key;
	unsigned long env_flags;
	int ext_probed;              /* EF.ATR read (3.x) */
	size_t ext_resp;             /* response data an extended APDU may carry (EF.ATR), 0 unknown */
	int as_df;                   /* the walk's last component is known to be a DF */
	struct pk_fcache fc;         /* FCIs and file content read (pk-fcache.h) */
	u8 fci[SC_MAX_APDU_RESP_SIZE]; /* the FCI/FCP the last SELECT of a path gave */
	size_t fcilen;
	u8 cur_ef[SC_MAX_PATH_SIZE]; /* absolute path of the EF current on the card */
	size_t cur_ef_len;           /* 0: none known (valid while cur_df is) */
	u8 sel[SC_MAX_PATH_SIZE];    /* what OpenSC selected last by absolute path */
	size_t sel_len;              /* 0: commands act where the card is */
	int sel_ef;                  /* sel is an EF */
	u8 cur_aid[16];              /* 3.x: the application the card was moved to by */
	size_t cur_aid_len;          /* its AID in this card transaction, 0 none */
	u8 app_name[16];             /* the name starcos_goto_app selected last */
	size_t app_name_len;
};

#define DRVDATA(card) ((struct starcos_priv *)((card)->drv_data))

/* Where the card is (its DF and EF) is no longer known */
static void
starcos_forget(struct sc_card *card)
{
	DRVDATA(card)->cur_df_len = 0;
	DRVDATA(card)->cur_ef_len = 0;
	DRVDATA(card)->cur_aid_len = 0;
}

static struct sc_card_operations starcos_ops;
static const struct sc_card_operations *iso_ops;
static struct sc_card_driver starcos_drv = {
	"G+D StarCOS (pkicards)", PK_STARCOS_SHORT_NAME, &starcos_ops, NULL, 0, NULL};

static const struct starcos_gen *
starcos_gen_of(int type)
{
	size_t i;

	for (i = 0; i < sizeof(starcos_gens) / sizeof(starcos_gens[0]); i++) {
		if (starcos_gens[i].type == type)
			return &starcos_gens[i];
	}
	return NULL;
}

static int
starcos_check_sw(struct sc_card *card, unsigned int sw1, unsigned int sw2)
{
	return pk_check_sw_table(card, starcos_errors, sw1, sw2);
}

static int
starcos_match_card(struct sc_card *card)
{
	int type = 0;

	if (_sc_match_atr(card, starcos_atrs, &type) < 0 || !starcos_gen_of(type))
		return 0;
	card->type = type;
	return 1;
}

static int
starcos_init(struct sc_card *card)
{
	struct starcos_priv *priv;
	unsigned int bits;

	LOG_FUNC_CALLED(card->ctx);
	priv = calloc(1, sizeof(*priv));
	if (!priv)
		LOG_FUNC_RETURN(card->ctx, SC_ERROR_OUT_OF_MEMORY);
	priv->gen = starcos_gen_of(card->type);
	if (!priv->gen) {
		free(priv);
		LOG_FUNC_RETURN(card->ctx, SC_ERROR_INVALID_CARD);
	}
	card->drv_data = priv;
	card->name = priv->gen->name;
	card->cla = 0x00;
	card->max_send_size = priv->gen->max_send;
	card->max_recv_size = priv->gen->max_recv;
	card->caps |= SC_CARD_CAP_RNG;
	if (priv->gen->pin_status)
		card->caps |= SC_CARD_CAP_ISO7816_PIN_INFO;
	for (bits = 512; bits <= priv->gen->rsa_max; bits += 256)
		_sc_card_add_rsa_alg(card, bits, priv->gen->rsa_flags, 0x10001);
	/* issuers also use 1728 and 1976 bits (starcos-card.md §1.3) */
	for (bits = 1728; bits <= priv->gen->rsa_max && bits <= 1976; bits += 248)
		_sc_card_add_rsa_alg(card, bits, priv->gen->rsa_flags, 0x10001);
	pk_guard_attach(card);
	if (priv->gen->no_admin && card->ctx->app_name && !strcmp(card->ctx->app_name, "pkcs15-init"))
		/* pkcs15-init would say "File not found" or "Not supported" */
		fprintf(stderr, "pkicards: this card (%s) was personalised by its issuer: pkcs15-init cannot add "
				"keys, certificates or data to it or erase it (its PINs change with pkcs15-tool "
				"--change-pin --auth-id ID, each PIN's ID as pkcs15-tool --list-pins shows it)\n",
				card->name ? card->name : "StarCOS 3.x");
	else
		pk_card_explain_keygen(card);
	LOG_FUNC_RETURN(card->ctx, SC_SUCCESS);
}

static int
starcos_finish(struct sc_card *card)
{
	struct starcos_priv *priv = DRVDATA(card);

	pk_guard_detach(card);
	if (priv)
		pk_fcache_free(&priv->fc);
	free(card->drv_data);
	card->drv_data = NULL;
	return 0;
}

/* ---- files ------------------------------------------------------------- */

static int
starcos_file_type(const struct starcos_fci *fci, struct sc_file *file)
{
	static const int structure[] = {
		[STARCOS_FT_TRANSPARENT] = SC_FILE_EF_TRANSPARENT,
		[STARCOS_FT_LINEAR_FIXED] = SC_FILE_EF_LINEAR_FIXED,
		[STARCOS_FT_LINEAR_VARIABLE] = SC_FILE_EF_LINEAR_VARIABLE,
		[STARCOS_FT_CYCLIC] = SC_FILE_EF_CYCLIC,
	};

	if (fci->type == STARCOS_FT_DF) {
		file->type = SC_FILE_TYPE_DF;
		return 0;
	}
	if (fci->type == STARCOS_FT_UNKNOWN)
		return SC_ERROR_INVALID_DATA;
	file->type = SC_FILE_TYPE_WORKING_EF;
	file->ef_structure = structure[fci->type];
	return 0;
}

static struct sc_file *
starcos_new_file(int id, const struct starcos_fci *fci)
{
	struct sc_file *file = sc_file_new();

	if (!file)
		return NULL;
	file->id = id;
	if (!fci) {
		file->type = SC_FILE_TYPE_DF;
		return file;
	}
	if (starcos_file_type(fci, file) < 0) {
		sc_file_free(file);
		return NULL;
	}
	file->size = fci->size;
	file->record_length = fci->record_len;
	file->record_count = fci->record_count;
	if (fci->name_len) {
		memcpy(file->name, fci->name, fci->name_len);
		file->namelen = fci->name_len;
	}
	return file;
}

/* The FCI/FCP the last SELECT of a path component gave, for the file cache.
 * A DF that answers none (2.x 62 84, 3.x MF with P2 = 0C) is kept as the
 * bare descriptor of a DF with its FID, which both parsers read as a DF. */
static void
starcos_keep_fci(struct sc_card *card, const u8 *fid, const u8 *resp, size_t len)
{
	struct starcos_priv *priv = DRVDATA(card);
	const u8 df[9] = {0x6F, 0x07, 0x82, 0x01, 0x38, 0x83, 0x02, fid[0], fid[1]};

	if (len == 0) {
		resp = df;
		len = sizeof(df);
	}
	priv->fcilen = len <= sizeof(priv->fci) ? len : 0;
	if (priv->fcilen)
		memcpy(priv->fci, resp, len);
}

static int
starcos_file_from_resp(struct sc_card *card, const u8 *fid, const struct sc_apdu *apdu,
		int (*parse)(const u8 *, size_t, struct starcos_fci *), struct sc_file **file_out)
{
	struct starcos_fci fci;
	int id = fid[0] << 8 | fid[1];
	int r;

	starcos_keep_fci(card, fid, apdu->resp, apdu->resplen);
	if (!file_out)
		return 0;
	if (apdu->resplen == 0) {
		*file_out = starcos_new_file(id, NULL);
	} else {
		r = parse(apdu->resp, apdu->resplen, &fci);
		LOG_TEST_RET(card->ctx, r, "malformed FCI/FCP");
		*file_out = starcos_new_file(id, &fci);
		if (!*file_out)
			LOG_TEST_RET(card->ctx, SC_ERROR_INVALID_DATA, "FCI names an unknown file type");
	}
	return *file_out ? 0 : SC_ERROR_OUT_OF_MEMORY;
}

static int
starcos_select_apdu(struct sc_card *card, struct sc_apdu *apdu, u8 p1, u8 p2,
		const u8 *id, size_t idlen, u8 *resp, size_t resplen)
{
	sc_format_apdu_ex(apdu, 0x00, 0xA4, p1, p2, id, idlen, resp, resplen);
	return pk_transmit(card, apdu);
}

/* A card without an MF answers every SELECT with 69 85 (starcos-card.md,
 * LOGOUT and status words): no file is there, so "not found", which is
 * what OpenSC's PKCS#15 binding and PKCS#11 take for a card without
 * PKCS#15 (a token not recognised) rather than a failure */
static int
starcos_blank_card(struct sc_card *card, const u8 *fid, int r)
{
	if (r == SC_ERROR_NOT_ALLOWED)
		r = SC_ERROR_FILE_NOT_FOUND;
	if (r == SC_ERROR_FILE_NOT_FOUND && fid[0] == 0x3F && fid[1] == 0x00)
		sc_log(card->ctx, "The card has no MF: it is blank. Initialise it with "
				  "'pkcs15-init --create-pkcs15'");
	return r;
}

/* SPK 2.x: 00 A4 00 00 FID; an EF answers its FCI, a DF 62 84 and no FCI */
static int
starcos2_select_fid(struct sc_card *card, const u8 *fid, int last, struct sc_file **file_out)
{
	struct sc_apdu apdu;
	u8 resp[SC_MAX_APDU_RESP_SIZE];
	unsigned int sw;
	int r;

	sc_format_apdu_ex(&apdu, 0x00, 0xA4, 0x00, 0x00, fid, 2, resp, sizeof(resp));
	r = pk_transmit_sw(card, &apdu, NULL, &sw); /* 62 84 is success (starcos_errors) */
	LOG_TEST_RET(card->ctx, starcos_blank_card(card, fid, r), "SELECT failed");
	if (sw == STARCOS_SW_DF_NO_FCI)
		apdu.resplen = 0;
	return starcos_file_from_resp(card, fid, &apdu, starcos2_parse_fci,
			last ? file_out : NULL);
}

/* FIDs that ISO reserves for EFs: EF.DIR, EF.ATR (ISO 7816-4), EF(ODF),
 * EF(TokenInfo), EF(UnusedSpace) (ISO 7816-15). OpenSC selects them only to
 * read them: "not found" as an EF is the answer, not a reason to look for a
 * DF of that FID (6A 82 twice for every application without PKCS#15). */
static int
starcos3_ef_only(const u8 *fid)
{
	static const unsigned int ids[] = {0x2F00, 0x2F01, 0x5031, 0x5032, 0x5033};
	unsigned int id = (unsigned int)(fid[0] << 8 | fid[1]);
	size_t i;

	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
		if (ids[i] == id)
			return 1;
	return 0;
}

/* 3.x: MF with 00 A4 00 0C; DFs on the way 00 A4 01 00; the last
 * component 00 A4 02 04 (EF, FCP), retried as a DF on 6A 82 unless ISO
 * reserves the FID for an EF. */
static int
starcos3_select_fid(struct sc_card *card, const u8 *fid, int last, struct sc_file **file_out)
{
	struct sc_apdu apdu;
	u8 resp[SC_MAX_APDU_RESP_SIZE];
	int r;

	if (fid[0] == 0x3F && fid[1] == 0x00) {
		r = starcos_select_apdu(card, &apdu, 0x00, 0x0C, fid, 2, NULL, 0);
		LOG_TEST_RET(card->ctx, starcos_blank_card(card, fid, r), "SELECT MF failed");
		return starcos_file_from_resp(card, fid, &apdu, starcos3_parse_fcp,
				last ? file_out : NULL);
	}
	if (last && !DRVDATA(card)->as_df) {
		r = starcos_select_apdu(card, &apdu, 0x02, 0x04, fid, 2, resp, sizeof(resp));
		if (r != SC_ERROR_FILE_NOT_FOUND || starcos3_ef_only(fid)) {
			LOG_TEST_RET(card->ctx, r, "SELECT EF failed");
			return starcos_file_from_resp(card, fid, &apdu, starcos3_parse_fcp, file_out);
		}
	}
	r = starcos_select_apdu(card, &apdu, 0x01, 0x00, fid, 2, resp, sizeof(resp));
	LOG_TEST_RET(card->ctx, r, "SELECT DF failed");
	return starcos_file_from_resp(card, fid, &apdu, starcos3_parse_fcp,
			last ? file_out : NULL);
}

static void
starcos_note_df(struct sc_card *card, const u8 *path, size_t len, const struct sc_file *file)
{
	struct starcos_priv *priv = DRVDATA(card);

	if (file && file->type != SC_FILE_TYPE_DF)
		len -= 2;
	memcpy(priv->cur_df, path, len);
	priv->cur_df_len = len;
	priv->df_stale = 0;
	priv->cur_aid_len = 0;
}

/*
 * A new card transaction (sc_lock from 0) or a reset: another process may
 * have moved the card to another DF in between, so the remembered DF is only
 * a guess until it is selected again (starcos_reselect_df). After a reset
 * the card is at the MF with no security state: nothing to remember.
 */
static int
starcos_reader_lock_obtained(struct sc_card *card, int was_reset)
{
	struct starcos_priv *priv = DRVDATA(card);

	if (!priv)
		return 0;
	priv->df_stale = 1;
	priv->cur_ef_len = 0; /* the DF is selected again by FID: no current EF */
	if (was_reset)
		starcos_forget(card);
	return 0;
}

/* Make the remembered DF (below the MF) current again by its FID, 00 A4 00
 * 0C: found from the MF, from the DF itself and from a sibling DF, with no
 * SELECT MF (which ends the DF-local security state, starcos-card.md §2.1, §3.2).
 * On failure the remembered DF is forgotten: the caller walks from the MF. */
static int
starcos_reselect_df(struct sc_card *card)
{
	struct starcos_priv *priv = DRVDATA(card);
	struct sc_apdu apdu;
	int r = SC_ERROR_FILE_NOT_FOUND;

	if (priv->cur_df_len >= 4)
		r = starcos_select_apdu(card, &apdu, 0x00, 0x0C, priv->cur_df + priv->cur_df_len - 2, 2,
				NULL, 0);
	if (r == 0) {
		priv->df_stale = 0;
		priv->cur_ef_len = 0;
		priv->cur_aid_len = 0;
	} else {
		starcos_forget(card);
	}
	return r;
}

/* Where the walk of @p path starts: 0 (at the MF), or after the current DF
 * where SELECT MF would end the security state (2.x, starcos-card.md §2.1) */
static size_t
starcos_walk_from(struct sc_card *card, const u8 *path, size_t len)
{
	struct starcos_priv *priv = DRVDATA(card);

	if (!priv->gen->keep_df || priv->cur_df_len == 0 || priv->cur_df_len > len ||
			memcmp(priv->cur_df, path, priv->cur_df_len) != 0)
		return 0;
	return priv->cur_df_len;
}

/* @p path is the current DF already: nothing to send */
static int
starcos_current_df(struct sc_card *card, const u8 *path, size_t len, struct sc_file **file_out)
{
	if (!file_out)
		return 0;
	*file_out = starcos_new_file(path[len - 2] << 8 | path[len - 1], NULL);
	if (!*file_out)
		return SC_ERROR_OUT_OF_MEMORY;
	memcpy((*file_out)->path.value, path, len);
	(*file_out)->path.len = len;
	(*file_out)->path.type = SC_PATH_TYPE_PATH;
	return 0;
}

static int starcos_check_ext_apdu(struct sc_card *card);
static int starcos_walk(struct sc_card *card, const u8 *path, size_t len, size_t i,
		struct sc_file **file_out);

/* A cached FCI/FCP; the descriptor kept for a DF without FCI (starcos_keep_fci)
 * is read as 3.x writes it */
static int
starcos_parse_fci(struct sc_card *card, const u8 *buf, size_t len, struct starcos_fci *fci)
{
	static const u8 df[5] = {0x6F, 0x07, 0x82, 0x01, 0x38};

	if (DRVDATA(card)->gen->select_fid == starcos2_select_fid &&
			!(len >= sizeof(df) && memcmp(buf, df, sizeof(df)) == 0))
		return starcos2_parse_fci(buf, len, fci);
	return starcos3_parse_fcp(buf, len, fci);
}

/* The FCI the walk's last SELECT gave is that of @p path: into the file
 * cache (content is kept for transparent EFs) */
static void
starcos_learn_fci_at(struct sc_card *card, const u8 *key, size_t len)
{
	struct starcos_priv *priv = DRVDATA(card);
	struct pk_fcache_entry *e;
	struct starcos_fci f;
	int transparent;

	if (!priv->fcilen || starcos_parse_fci(card, priv->fci, priv->fcilen, &f) < 0)
		return;
	e = pk_fcache_add(&priv->fc, key, len);
	if (!e)
		return;
	transparent = f.type == STARCOS_FT_TRANSPARENT;
	pk_fcache_set_fci(&priv->fc, e, priv->fci, priv->fcilen, transparent ? f.size : 0, 0);
}

static void
starcos_learn_fci(struct sc_card *card, const u8 *path, size_t len)
{
	if (len >= 2 && path[0] == 0x3F && path[1] == 0x00)
		starcos_learn_fci_at(card, path, len);
}

static int starcos_walk(struct sc_card *card, const u8 *path, size_t len, size_t i,
		struct sc_file **file_out);

/* @p path is an application's path in a record of EF.DIR read in this
 * process (tag 51 in the application template 61) */
static int
starcos_app_path(struct sc_card *card, const u8 *path, size_t len)
{
	static const u8 ef_dir[4] = {0x3F, 0x00, 0x2F, 0x00};
	const struct pk_fcache_entry *e;
	struct pk_tlv app, p;

	for (e = DRVDATA(card)->fc.head; e; e = e->next) {
		if (e->pathlen != sizeof(ef_dir) + 2 || memcmp(e->path, ef_dir, sizeof(ef_dir)) != 0 ||
				e->path[4] != 0xFF || !e->complete)
			continue;
		if (pk_tlv_find(e->data, e->datalen, 0x61, &app) == 1 &&
				pk_tlv_find(app.value, app.len, 0x51, &p) == 1 && p.len == len &&
				memcmp(p.value, path, len) == 0)
			return 1;
	}
	return 0;
}

/* @p path is a DF by the file cache, or an application by EF.DIR */
static int
starcos_known_df(struct sc_card *card, const u8 *path, size_t len)
{
	const struct pk_fcache_entry *e = pk_fcache_get(&DRVDATA(card)->fc, path, len);
	struct starcos_fci f;

	if (e && e->fcilen)
		return starcos_parse_fci(card, e->fci, e->fcilen, &f) == 0 && f.type == STARCOS_FT_DF;
	return !e && starcos_app_path(card, path, len);
}

/* SELECT of @p path answered "not found": asked again in this process, it
 * is answered so without an APDU (OpenSC's emulators probe the same paths
 * several times). Anything this process creates forgets it. */
static void
starcos_learn_missing(struct sc_card *card, const u8 *path, size_t len)
{
	struct pk_fcache_entry *e = pk_fcache_add(&DRVDATA(card)->fc, path, len);

	if (e && !e->fcilen)
		e->missing = 1;
}

static int
starcos_same(const u8 *a, size_t alen, const u8 *b, size_t blen)
{
	return alen && alen == blen && memcmp(a, b, alen) == 0;
}

/* The card is in the application @p aid, moved there by its AID in this
 * card transaction */
static int
starcos_in_app(struct sc_card *card, const u8 *aid, size_t len)
{
	struct starcos_priv *priv = DRVDATA(card);

	return !priv->df_stale && starcos_same(priv->cur_aid, priv->cur_aid_len, aid, len);
}

static void
starcos_set_app(struct sc_card *card, const u8 *aid, size_t len)
{
	struct starcos_priv *priv = DRVDATA(card);

	if (len == 0 || len > sizeof(priv->cur_aid))
		return;
	memcpy(priv->cur_aid, aid, len);
	priv->cur_aid_len = len;
	priv->df_stale = 0;
}

/* 3.x: the DF below the MF on @p path (3F00 DFxx ...) by its name, 00 A4 04
 * 0C, instead of SELECT MF and SELECT DF: one APDU, from wherever another
 * process left the card. Only a DF whose FCI this process saw with both its
 * FID and its name (tag 84): a DF name is unique on the card (ISO 7816-4),
 * and 3.x selects an application by AID from any DF (starcos-card.md §3.2:
 * OpenSC's eSign emulator and PR 3606 do so). Not when another DF known by
 * name has a longer name starting with it (partial name matching).
 * @return 0 the card is in the DF, <0 walk from the MF */
static int
starcos_goto_app(struct sc_card *card, const u8 *path, size_t len)
{
	struct starcos_priv *priv = DRVDATA(card);
	const struct pk_fcache_entry *e, *o;
	struct starcos_fci f, g;
	struct sc_apdu apdu;
	int r;

	if (len < 4 || priv->gen->select_fid != starcos3_select_fid || path[0] != 0x3F || path[1] != 0x00)
		return -1;
	e = pk_fcache_get(&priv->fc, path, 4);
	if (!e || !e->fcilen || starcos3_parse_fcp(e->fci, e->fcilen, &f) < 0 ||
			f.type != STARCOS_FT_DF || !f.has_fid || f.fid != (unsigned int)(path[2] << 8 | path[3]) ||
			f.name_len == 0 || f.name_len > sizeof(priv->app_name))
		return -1;
	for (o = priv->fc.head; o; o = o->next) {
		if (o != e && o->fcilen && starcos3_parse_fcp(o->fci, o->fcilen, &g) == 0 &&
				g.type == STARCOS_FT_DF && g.name_len > f.name_len &&
				memcmp(g.name, f.name, f.name_len) == 0)
			return -1;
	}
	r = starcos_select_apdu(card, &apdu, 0x04, 0x0C, f.name, f.name_len, NULL, 0);
	if (r == SC_ERROR_CARD_REMOVED || r == SC_ERROR_CARD_RESET || r == SC_ERROR_TRANSMIT_FAILED)
		return r;
	if (r < 0) {
		starcos_forget(card);
		return -1;
	}
	starcos_note_df(card, path, 4, NULL);
	priv->cur_ef_len = 0;
	priv->fcilen = 0; /* no FCI: the walk learns none for the DF */
	memcpy(priv->app_name, f.name, f.name_len);
	priv->app_name_len = f.name_len;
	starcos_set_app(card, f.name, f.name_len);
	return 0;
}

/* Move the card to the absolute @p path: one FID at a time from the MF or
 * from the current DF; nothing is sent when the card is there already
 * (within this card transaction) */
static int
starcos_goto(struct sc_card *card, const u8 *path, size_t len, struct sc_file **file_out)
{
	struct starcos_priv *priv = DRVDATA(card);
	size_t i;
	int r;

	if (len == 0 || len % 2 || len > SC_MAX_PATH_SIZE)
		return SC_ERROR_INVALID_ARGUMENTS;
	if (!file_out && !priv->df_stale && starcos_same(priv->cur_ef, priv->cur_ef_len, path, len))
		return 0;
	i = starcos_walk_from(card, path, len);
	if (i > 0 && priv->df_stale) {
		r = starcos_reselect_df(card);
		if (r == SC_ERROR_CARD_REMOVED || r == SC_ERROR_CARD_RESET || r == SC_ERROR_TRANSMIT_FAILED)
			LOG_TEST_RET(card->ctx, r, "cannot select the application DF again");
		if (r < 0)
			i = 0;
	}
	if (i == len)
		return starcos_current_df(card, path, len, file_out);
	if (i > 0) {
		/* without card transactions the remembered DF may be stale
		 * (another application used the card): on "not found" walk
		 * again from the MF, except where selecting the MF is the
		 * logout (2.x). In a transaction it was selected in this one. */
		r = starcos_walk(card, path, len, i, file_out);
		if (r != SC_ERROR_FILE_NOT_FOUND || priv->gen->logout ||
				(card->reader && card->reader->ops && card->reader->ops->lock))
			return r;
		starcos_forget(card);
	}
	if ((len > 4 || !file_out) && starcos_goto_app(card, path, len) == 0) {
		r = starcos_walk(card, path, len, 4, file_out);
		if (r == 0 && priv->cur_df_len == 4)
			starcos_set_app(card, priv->app_name, priv->app_name_len);
		return r;
	}
	return starcos_walk(card, path, len, 0, file_out);
}

static int
starcos_walk(struct sc_card *card, const u8 *path, size_t len, size_t i,
		struct sc_file **file_out)
{
	struct starcos_priv *priv = DRVDATA(card);
	const struct starcos_gen *gen = priv->gen;
	int absolute = path[0] == 0x3F && path[1] == 0x00;
	struct sc_file *file = NULL;
	int r;

	priv->cur_ef_len = 0;
	for (; i < len; i += 2) {
		int last = i + 2 == len;

		priv->fcilen = 0;
		/* a DF known as one is selected as a DF at once (3.x tries an EF first) */
		priv->as_df = last && absolute && starcos_known_df(card, path, len);
		r = gen->select_fid(card, path + i, last, last ? &file : NULL);
		priv->as_df = 0;
		if (r < 0 && i > 0 && absolute)
			starcos_note_df(card, path, i, NULL); /* the DF selected before */
		if (r == SC_ERROR_FILE_NOT_FOUND && absolute)
			starcos_learn_missing(card, path, i + 2);
		LOG_TEST_RET(card->ctx, r, "SELECT of a path component failed");
		if (!last && absolute) {
			starcos_note_df(card, path, i + 2, NULL);
			starcos_learn_fci(card, path, i + 2);
		}
	}
	if (absolute) {
		starcos_note_df(card, path, len, file);
		starcos_learn_fci(card, path, len);
		if (file && file->type != SC_FILE_TYPE_DF) {
			memcpy(priv->cur_ef, path, len);
			priv->cur_ef_len = len;
		}
	}
	if (file_out)
		*file_out = file;
	else
		sc_file_free(file);
	return 0;
}

/* A path whose FCI is in the file cache is selected without an APDU: the
 * card follows when a command needs it (starcos_sync). @return 0 done,
 * 1 not known */
static int
starcos_select_known(struct sc_card *card, const u8 *path, size_t len, struct sc_file **file_out)
{
	struct starcos_priv *priv = DRVDATA(card);
	const struct pk_fcache_entry *e = pk_fcache_get(&priv->fc, path, len);
	struct starcos_fci f;
	struct sc_file *file;

	if (len < 2 || len % 2 || path[0] != 0x3F || path[1] != 0x00 || !e)
		return 1;
	if (e->missing) {
		priv->sel_len = 0;
		return SC_ERROR_FILE_NOT_FOUND;
	}
	if (!e->fcilen || starcos_parse_fci(card, e->fci, e->fcilen, &f) < 0)
		return 1;
	if (file_out) {
		file = starcos_new_file(path[len - 2] << 8 | path[len - 1], f.type == STARCOS_FT_DF ? NULL : &f);
		if (!file)
			return 1;
		if (f.type == STARCOS_FT_DF && f.name_len) {
			memcpy(file->name, f.name, f.name_len);
			file->namelen = f.name_len;
		}
		*file_out = file;
	}
	memcpy(priv->sel, path, len);
	priv->sel_len = len;
	priv->sel_ef = f.type != STARCOS_FT_DF;
	return 0;
}

static int starcos_record(struct sc_card *card, unsigned int rec, u8 *buf, size_t count);

/* EF.DIR: OpenSC (sc_enum_apps) selects it and reads it in two card
 * transactions, so reading it later costs the walk again; it is read now,
 * while the card is there (a record EF.DIR, 3.x: every record) */
static void
starcos_prefetch(struct sc_card *card, const u8 *path, size_t len)
{
	static const u8 ef_dir[4] = {0x3F, 0x00, 0x2F, 0x00};
	struct starcos_priv *priv = DRVDATA(card);
	struct pk_fcache_entry *e = pk_fcache_get(&priv->fc, path, len);
	struct starcos_fci f;
	u8 buf[SC_MAX_APDU_RESP_SIZE];
	unsigned int rec;
	size_t n;
	int r;

	if (len != sizeof(ef_dir) || memcmp(path, ef_dir, len) != 0 || !e || !e->fcilen ||
			starcos_parse_fci(card, e->fci, e->fcilen, &f) < 0)
		return;
	if (f.type == STARCOS_FT_LINEAR_FIXED || f.type == STARCOS_FT_LINEAR_VARIABLE) {
		for (rec = 1; rec < 32 && starcos_record(card, rec, buf, sizeof(buf)) >= 0; rec++)
			;
	} else if (!e->datalen && e->size) {
		n = e->size < card->max_recv_size ? e->size : card->max_recv_size;
		n = n < sizeof(buf) ? n : sizeof(buf);
		r = iso_ops->read_binary(card, 0, buf, n, PK_NO_RB_FLAGS);
		if (r > 0)
			pk_fcache_learn(&priv->fc, e, 0, buf, (size_t)r);
	}
	/* 3.x: EF.ATR (extended APDUs for certificates, starcos_read_whole)
	 * is in the MF too, where the card is now */
	starcos_check_ext_apdu(card);
}

/* An absolute path as OpenSC selects it: from the file cache when its FCI
 * is known, else on the card */
static int
starcos_select_path(struct sc_card *card, const u8 *path, size_t len,
		struct sc_file **file_out)
{
	struct starcos_priv *priv = DRVDATA(card);
	int r;

	r = starcos_select_known(card, path, len, file_out);
	if (r <= 0)
		return r;
	priv->sel_len = 0;
	r = starcos_goto(card, path, len, file_out);
	if (r == 0 && len >= 2 && path[0] == 0x3F && path[1] == 0x00) {
		memcpy(priv->sel, path, len);
		priv->sel_len = len;
		priv->sel_ef = starcos_same(priv->cur_ef, priv->cur_ef_len, path, len);
		if (file_out)
			starcos_prefetch(card, path, len);
	}
	return r;
}

/* What OpenSC selected, kept across the driver's own reads (EF.GDO,
 * EF.ATR), which OpenSC does not know of */
struct starcos_sel {
	u8 path[SC_MAX_PATH_SIZE];
	size_t len;
	int ef;
};

static void
starcos_sel_save(struct sc_card *card, struct starcos_sel *sv)
{
	struct starcos_priv *priv = DRVDATA(card);

	memcpy(sv->path, priv->sel, sizeof(sv->path));
	sv->len = priv->sel_len;
	sv->ef = priv->sel_ef;
}

static void
starcos_sel_restore(struct sc_card *card, const struct starcos_sel *sv)
{
	struct starcos_priv *priv = DRVDATA(card);

	memcpy(priv->sel, sv->path, sizeof(sv->path));
	priv->sel_len = sv->len;
	priv->sel_ef = sv->ef;
}

/* An EF selected by AID and FID (the 3.5 emulator reads certificates so) is
 * cached under the key A1 ‖ AID length ‖ AID ‖ FID: no path starts with A1.
 * @return the key's length, 0 when the AID is too long for one */
#define STARCOS_AID_KEY 0xA1

static size_t
starcos_aid_key(const u8 *aid, size_t aidlen, const u8 *fid, u8 key[SC_MAX_PATH_SIZE])
{
	if (aidlen == 0 || aidlen + 4 > SC_MAX_PATH_SIZE)
		return 0;
	key[0] = STARCOS_AID_KEY;
	key[1] = (u8)aidlen;
	memcpy(key + 2, aid, aidlen);
	key[aidlen + 2] = fid[0];
	key[aidlen + 3] = fid[1];
	return aidlen + 4;
}

static int starcos_select_aid(struct sc_card *card, const u8 *aid, size_t len,
		struct sc_file **file_out);

/* SELECT of the application (unless this card transaction moved the card
 * there), then of the EF by FID (@p key: starcos_aid_key; the application
 * alone: A1 ‖ AID length ‖ AID) */
static int
starcos_goto_aid(struct sc_card *card, const u8 *key, size_t klen, struct sc_file **file_out)
{
	struct starcos_priv *priv = DRVDATA(card);
	struct sc_file *file = NULL;
	struct starcos_sel sv;
	int r;

	starcos_sel_save(card, &sv); /* the card moves; what OpenSC selected stays */
	r = starcos_select_aid(card, key + 2, key[1], NULL);
	starcos_sel_restore(card, &sv);
	if (r < 0 || klen == (size_t)key[1] + 2)
		return r;
	priv->fcilen = 0;
	r = priv->gen->select_fid(card, key + klen - 2, 1, &file);
	if (r == SC_ERROR_FILE_NOT_FOUND)
		starcos_learn_missing(card, key, klen);
	if (r < 0 || file->type == SC_FILE_TYPE_DF)
		priv->cur_aid_len = 0; /* in another DF, or not known to be in the application */
	if (r < 0)
		return r;
	starcos_learn_fci_at(card, key, klen);
	if (file->type != SC_FILE_TYPE_DF) {
		memcpy(priv->cur_ef, key, klen);
		priv->cur_ef_len = klen;
	}
	if (file_out)
		*file_out = file;
	else
		sc_file_free(file);
	return 0;
}

/* An EF of an application by AID and FID: from the file cache when known */
static int
starcos_select_aid_ef(struct sc_card *card, const struct sc_path *path, struct sc_file **file_out)
{
	struct starcos_priv *priv = DRVDATA(card);
	u8 key[SC_MAX_PATH_SIZE];
	size_t klen = starcos_aid_key(path->aid.value, path->aid.len, path->value, key);
	const struct pk_fcache_entry *e = pk_fcache_get(&priv->fc, key, klen);
	struct starcos_fci f;
	int r;

	priv->sel_len = 0;
	if (e && e->missing)
		return SC_ERROR_FILE_NOT_FOUND;
	if (e && e->fcilen && starcos_parse_fci(card, e->fci, e->fcilen, &f) == 0 &&
			f.type != STARCOS_FT_DF) {
		if (file_out) {
			*file_out = starcos_new_file(path->value[0] << 8 | path->value[1], &f);
			if (!*file_out)
				return SC_ERROR_OUT_OF_MEMORY;
		}
	} else {
		r = starcos_goto_aid(card, key, klen, file_out);
		if (r < 0 || !starcos_same(priv->cur_ef, priv->cur_ef_len, key, klen))
			return r; /* a DF: commands act where the card is */
	}
	memcpy(priv->sel, key, klen);
	priv->sel_len = klen;
	priv->sel_ef = 1;
	return 0;
}

/* Move the card to what OpenSC selected last, if it is not there: the file
 * itself (@p ef) or only its DF */
static int
starcos_sync(struct sc_card *card, int ef)
{
	struct starcos_priv *priv = DRVDATA(card);
	u8 path[SC_MAX_PATH_SIZE];
	size_t len = priv->sel_len;

	if (!len)
		return 0;
	if (priv->sel[0] == STARCOS_AID_KEY) { /* the application and the EF again */
		if (!priv->df_stale && starcos_same(priv->cur_ef, priv->cur_ef_len, priv->sel, len))
			return 0;
		if ((!ef || len == (size_t)priv->sel[1] + 2) &&
				starcos_in_app(card, priv->sel + 2, priv->sel[1]))
			return 0;
		return starcos_goto_aid(card, priv->sel, len, NULL);
	}
	memcpy(path, priv->sel, len);
	if (!ef && priv->sel_ef)
		len -= 2;
	if (!priv->df_stale && (starcos_same(priv->cur_ef, priv->cur_ef_len, path, len) ||
			(!(ef && priv->sel_ef) && starcos_same(priv->cur_df, priv->cur_df_len, path, len))))
		return 0;
	return starcos_goto(card, path, len, NULL);
}

/* The cache entry of the EF OpenSC selected by path, or NULL */
static struct pk_fcache_entry *
starcos_sel_entry(struct sc_card *card)
{
	struct starcos_priv *priv = DRVDATA(card);

	if (!priv->sel_len || !priv->sel_ef)
		return NULL;
	return pk_fcache_get(&priv->fc, priv->sel, priv->sel_len);
}


/* The part of the current EF @p e the file cache does not have yet, in
 * READ BINARY of at most what the card sends at once; stops at the first
 * failed or empty answer (OpenSC's own reads then ask the card) */
static void
starcos_read_rest(struct sc_card *card, struct pk_fcache_entry *e)
{
	u8 buf[SC_MAX_APDU_RESP_SIZE];
	size_t n;
	int r;

	while (!e->complete && e->datalen < e->size) {
		n = e->size - e->datalen;
		n = n < card->max_recv_size ? n : card->max_recv_size;
		n = n < sizeof(buf) ? n : sizeof(buf);
		r = iso_ops->read_binary(card, (unsigned int)e->datalen, buf, n, PK_NO_RB_FLAGS);
		if (r <= 0)
			break;
		pk_fcache_learn(&DRVDATA(card)->fc, e, e->datalen, buf, (size_t)r);
	}
}

/* EF(ODF) has been read: the object directories it names are read now, in
 * this card transaction. OpenSC reads each in a transaction of its own,
 * which costs the application DF's SELECT again every time. */
static void
starcos_prefetch_dfs(struct sc_card *card, const struct pk_fcache_entry *odf)
{
	struct starcos_priv *priv = DRVDATA(card);
	u8 paths[8][SC_MAX_PATH_SIZE];
	size_t lens[8], dflen = odf->pathlen - 2;
	struct pk_fcache_entry *e;
	struct starcos_sel sv;
	int i, count;

	if (odf->pathlen < 4 || odf->path[0] != 0x3F || odf->path[1] != 0x00 ||
			odf->path[dflen] != 0x50 || odf->path[dflen + 1] != 0x31 || card->lock_count == 0)
		return;
	count = pk_fcache_odf_paths(odf->data, odf->end, odf->path, odf->pathlen, paths, lens, 8);
	starcos_sel_save(card, &sv);
	for (i = 0; i < count; i++) {
		e = pk_fcache_get(&priv->fc, paths[i], lens[i]);
		if ((e && (e->complete || e->missing)) || starcos_goto(card, paths[i], lens[i], NULL) < 0)
			continue;
		e = pk_fcache_get(&priv->fc, paths[i], lens[i]);
		if (e && e->size)
			starcos_read_rest(card, e);
	}
	starcos_sel_restore(card, &sv);
}

static int starcos_read_whole(struct sc_card *card, struct pk_fcache_entry *e);

/* 3.x: a certificate has been read: the other certificates the certificate
 * directories name in its DF are read now, in this card transaction, while
 * the card is in that DF. OpenSC's PKCS#11 module reads every certificate
 * when it creates the token, each in a card transaction of its own, which
 * costs the DF's SELECT again every time. */
static void
starcos_prefetch_certs(struct sc_card *card, const struct pk_fcache_entry *cert)
{
	struct starcos_priv *priv = DRVDATA(card);
	u8 paths[16][SC_MAX_PATH_SIZE];
	size_t lens[16], count, i, df = cert->pathlen - 2;
	struct pk_fcache_entry *e;
	struct starcos_sel sv;
	int mine = 0;

	if (!priv->gen->pin_desc_path || card->lock_count == 0 || cert->pathlen < 6 ||
			cert->path[0] != 0x3F || cert->path[1] != 0x00)
		return;
	count = pk_fcache_cert_paths(&priv->fc, paths, lens, 16);
	for (i = 0; i < count; i++)
		mine |= starcos_same(paths[i], lens[i], cert->path, cert->pathlen);
	if (!mine)
		return;
	starcos_sel_save(card, &sv);
	for (i = 0; i < count; i++) {
		if (lens[i] != cert->pathlen || memcmp(paths[i], cert->path, df) != 0)
			continue; /* another DF */
		e = pk_fcache_get(&priv->fc, paths[i], lens[i]);
		if ((e && (e->complete || e->missing)) || starcos_goto(card, paths[i], lens[i], NULL) < 0)
			continue;
		e = pk_fcache_get(&priv->fc, paths[i], lens[i]);
		if (!e || !e->size || !starcos_same(priv->cur_ef, priv->cur_ef_len, paths[i], lens[i]))
			continue;
		memcpy(priv->sel, paths[i], lens[i]);
		priv->sel_len = lens[i];
		priv->sel_ef = 1;
		if (e->size > card->max_recv_size && starcos_read_whole(card, e) != -1)
			continue; /* read, or refused (a private certificate): OpenSC asks itself */
		starcos_read_rest(card, e);
	}
	starcos_sel_restore(card, &sv);
}

/* 3.x whose EF.ATR allows extended APDUs: a file larger than one short READ
 * BINARY (a certificate) is read whole in one extended READ BINARY
 * (starcos-card.md §1.3). @return 0 read into the file cache */
static int
starcos_read_whole(struct sc_card *card, struct pk_fcache_entry *e)
{
	struct starcos_priv *priv = DRVDATA(card);
	struct sc_apdu apdu;
	u8 *b;
	int r;

	if (!priv->gen->pin_desc_path || card->lock_count == 0 || starcos_check_ext_apdu(card) < 0 ||
			e->size > priv->ext_resp || e->size > PK_FCACHE_FILE_MAX)
		return -1;
	r = starcos_sync(card, 1);
	if (r < 0)
		return r;
	b = malloc(e->size);
	if (!b)
		return SC_ERROR_OUT_OF_MEMORY;
	sc_format_apdu_ex(&apdu, 0x00, 0xB0, 0x00, 0x00, NULL, 0, b, e->size);
	r = pk_transmit(card, &apdu);
	if (r == 0 && apdu.resplen == e->size)
		pk_fcache_learn(&priv->fc, e, 0, b, apdu.resplen);
	else if (r == 0)
		r = -1;
	free(b);
	return r;
}

static int
starcos_read_binary(struct sc_card *card, unsigned int idx, u8 *buf, size_t count, pk_rb_flags_t flags)
{
	struct starcos_priv *priv = DRVDATA(card);
	struct pk_fcache_entry *e = starcos_sel_entry(card);
	int r;

	if (e && (r = pk_fcache_read(e, idx, buf, count)) >= 0)
		return r;
	if (e && idx == 0 && !e->datalen && e->size > count && starcos_read_whole(card, e) == 0 &&
			(r = pk_fcache_read(e, idx, buf, count)) >= 0) {
		starcos_prefetch_certs(card, e);
		return r;
	}
	r = starcos_sync(card, 1);
	LOG_TEST_RET(card->ctx, r, "cannot select the file");
	r = iso_ops->read_binary(card, idx, buf, count, flags);
	if (r > 0 && e && e->size) {
		pk_fcache_learn(&priv->fc, e, idx, buf, (size_t)r);
		if (e->complete) {
			starcos_prefetch_dfs(card, e);
			starcos_prefetch_certs(card, e);
		}
	}
	return r;
}

/* The cache entry of record @p rec of the record EF OpenSC selected: its
 * path followed by FF rec (no file has a child below an EF) */
static struct pk_fcache_entry *
starcos_rec_entry(struct sc_card *card, unsigned int rec, int add)
{
	struct starcos_priv *priv = DRVDATA(card);
	u8 p[SC_MAX_PATH_SIZE];
	size_t len = priv->sel_len;

	if (!len || !priv->sel_ef || len + 2 > sizeof(p) || rec == 0 || rec > 0xFF)
		return NULL;
	memcpy(p, priv->sel, len);
	p[len] = 0xFF;
	p[len + 1] = (u8)rec;
	return add ? pk_fcache_add(&priv->fc, p, len + 2) : pk_fcache_get(&priv->fc, p, len + 2);
}

/* READ RECORD @p rec (by number) through the file cache */
static int
starcos_record(struct sc_card *card, unsigned int rec, u8 *buf, size_t count)
{
	struct pk_fcache_entry *e = starcos_rec_entry(card, rec, 0);
	int r;

	if (e && e->missing)
		return SC_ERROR_RECORD_NOT_FOUND;
	if (e && e->complete) {
		r = (int)(e->datalen < count ? e->datalen : count);
		memcpy(buf, e->data, (size_t)r);
		return r;
	}
	r = starcos_sync(card, 1);
	LOG_TEST_RET(card->ctx, r, "cannot select the file");
	r = pk_ops_read_record(iso_ops, card, rec, buf, count, SC_RECORD_BY_REC_NR);
	e = r >= 0 || r == SC_ERROR_RECORD_NOT_FOUND ? starcos_rec_entry(card, rec, 1) : NULL;
	if (e && r >= 0)
		pk_fcache_set_data(&DRVDATA(card)->fc, e, buf, (size_t)r);
	else if (e)
		e->missing = 1;
	return r;
}

/* Records by number come from the file cache. EF.DIR's are all read with
 * the first: OpenSC reads one record per card transaction, and each would
 * cost the walk to the file again. The rest of a record at an offset is not
 * asked of the card (pk-compat.h, PK_REC_IDX). */
static int
starcos_read_record(struct sc_card *card, unsigned int rec, PK_REC_IDX_PARAM u8 *buf, size_t count,
		unsigned long flags)
{
	static const u8 ef_dir[4] = {0x3F, 0x00, 0x2F, 0x00};
	struct starcos_priv *priv = DRVDATA(card);
	u8 more[SC_MAX_APDU_RESP_SIZE];
	unsigned int n;
	int r;

	if (PK_REC_IDX > 0)
		return 0;
	if ((flags & SC_RECORD_EF_ID_MASK) || (flags & ~SC_RECORD_EF_ID_MASK) != SC_RECORD_BY_REC_NR) {
		r = starcos_sync(card, 1);
		LOG_TEST_RET(card->ctx, r, "cannot select the file");
		return iso_ops->read_record(card, rec, PK_REC_IDX_ARG buf, count, flags);
	}
	r = sc_lock(card); /* OpenSC's sc_enum_apps holds none */
	LOG_TEST_RET(card->ctx, r, "cannot lock the card");
	r = starcos_record(card, rec, buf, count);
	if (r >= 0 && rec == 1 && starcos_same(priv->sel, priv->sel_len, ef_dir, sizeof(ef_dir))) {
		for (n = 2; n < 32 && starcos_record(card, n, more, sizeof(more)) >= 0; n++)
			;
	}
	sc_unlock(card);
	return r;
}


/* The card has an application @p aid: kept in the file cache under A1 ‖
 * AID length ‖ AID as the FCI of a DF with that name (starcos_select_app) */
static void
starcos_learn_app(struct sc_card *card, const u8 *aid, size_t len)
{
	struct starcos_priv *priv = DRVDATA(card);
	u8 key[SC_MAX_PATH_SIZE], fci[SC_MAX_PATH_SIZE + 7];
	struct pk_fcache_entry *e;

	if (len == 0 || len + 2 > sizeof(key))
		return;
	key[0] = STARCOS_AID_KEY;
	key[1] = (u8)len;
	memcpy(key + 2, aid, len);
	fci[0] = 0x6F;
	fci[1] = (u8)(len + 5);
	fci[2] = 0x82;
	fci[3] = 0x01;
	fci[4] = 0x38;
	fci[5] = 0x84;
	fci[6] = (u8)len;
	memcpy(fci + 7, aid, len);
	e = pk_fcache_add(&priv->fc, key, len + 2);
	if (e && !e->fcilen)
		pk_fcache_set_fci(&priv->fc, e, fci, len + 7, 0, 0);
}

/* SELECT by AID, 00 A4 04 0C; nothing is sent when this card transaction
 * moved the card to that application already */
static int
starcos_select_aid(struct sc_card *card, const u8 *aid, size_t len, struct sc_file **file_out)
{
	struct sc_apdu apdu;
	int r;

	DRVDATA(card)->sel_len = 0;
	if (!starcos_in_app(card, aid, len)) {
		r = starcos_select_apdu(card, &apdu, 0x04, 0x0C, aid, len, NULL, 0);
		starcos_forget(card);
		LOG_TEST_RET(card->ctx, r, "SELECT by AID failed");
		starcos_set_app(card, aid, len);
		starcos_learn_app(card, aid, len);
	}
	if (file_out) {
		*file_out = starcos_new_file(0, NULL);
		if (!*file_out)
			return SC_ERROR_OUT_OF_MEMORY;
		memcpy((*file_out)->name, aid, len);
		(*file_out)->namelen = len;
	}
	return 0;
}

/* An application by AID as OpenSC selects it (the emulator's PINs and
 * keys): one this process has selected before is only noted, and the card
 * follows when a command needs it (starcos_sync), so that a PIN command
 * whose format lookup moves the card to the MF selects it once, after the
 * lookup; any other is selected now. */
static int
starcos_select_app(struct sc_card *card, const u8 *aid, size_t len, struct sc_file **file_out)
{
	struct starcos_priv *priv = DRVDATA(card);
	u8 key[SC_MAX_PATH_SIZE];
	struct pk_fcache_entry *e;
	int r;

	if (len == 0 || len + 2 > sizeof(key))
		return starcos_select_aid(card, aid, len, file_out);
	key[0] = STARCOS_AID_KEY;
	key[1] = (u8)len;
	memcpy(key + 2, aid, len);
	e = pk_fcache_get(&priv->fc, key, len + 2);
	if (!e || !e->fcilen) {
		r = starcos_select_aid(card, aid, len, file_out);
		LOG_TEST_RET(card->ctx, r, "SELECT by AID failed");
	} else if (file_out) {
		*file_out = starcos_new_file(0, NULL);
		if (!*file_out)
			return SC_ERROR_OUT_OF_MEMORY;
		memcpy((*file_out)->name, aid, len);
		(*file_out)->namelen = len;
	}
	memcpy(priv->sel, key, len + 2);
	priv->sel_len = len + 2;
	priv->sel_ef = 0;
	return 0;
}

/* A FID alone: the MF as a path (the current DF is known then), anything
 * else relative to the card's current DF, which is unknown afterwards */
static int
starcos_select_file_id(struct sc_card *card, const struct sc_path *path, struct sc_file **file_out)
{
	int r;

	if (path->len != 2)
		return SC_ERROR_INVALID_ARGUMENTS;
	if (path->value[0] == 0x3F && path->value[1] == 0x00)
		return starcos_select_path(card, path->value, 2, file_out);
	r = starcos_sync(card, 0); /* the FID is looked for from the DF OpenSC selected */
	LOG_TEST_RET(card->ctx, r, "cannot select the DF");
	DRVDATA(card)->sel_len = 0;
	starcos_forget(card);
	return DRVDATA(card)->gen->select_fid(card, path->value, 1, file_out);
}

static int
starcos_select_any(struct sc_card *card, const struct sc_path *path, struct sc_file **file_out)
{
	int r;

	if (path->aid.len && path->type == SC_PATH_TYPE_FILE_ID && path->len == 2 &&
			path->aid.len + 4 <= SC_MAX_PATH_SIZE &&
			!(path->value[0] == 0x3F && path->value[1] == 0x00))
		return starcos_select_aid_ef(card, path, file_out);
	if (path->aid.len) {
		r = starcos_select_aid(card, path->aid.value, path->aid.len,
				path->len ? NULL : file_out);
		if (r < 0 || path->len == 0)
			return r;
	}
	switch (path->type) {
	case SC_PATH_TYPE_FILE_ID:
		r = starcos_select_file_id(card, path, file_out);
		break;
	case SC_PATH_TYPE_DF_NAME:
		r = starcos_select_app(card, path->value, path->len, file_out);
		break;
	case SC_PATH_TYPE_PATH:
		r = starcos_select_path(card, path->value, path->len, file_out);
		break;
	default:
		r = SC_ERROR_NOT_SUPPORTED;
	}
	return r;
}

/* One card transaction for the whole walk (OpenSC's sc_select_file holds
 * none): another process cannot move the card between its SELECTs, and the
 * remembered DF is selected again at most once */
static int
starcos_select_file(struct sc_card *card, const struct sc_path *path,
		struct sc_file **file_out)
{
	int r;

	LOG_FUNC_CALLED(card->ctx);
	if (file_out)
		*file_out = NULL;
	if (path->len == 0 && path->aid.len == 0) {
		pk_card_explain_update_cert(card); /* a certificate stored as a value */
		LOG_TEST_RET(card->ctx, SC_ERROR_INVALID_ARGUMENTS, "no path to select");
	}
	r = sc_lock(card);
	LOG_TEST_RET(card->ctx, r, "cannot lock the card");
	r = starcos_select_any(card, path, file_out);
	sc_unlock(card);
	LOG_FUNC_RETURN(card->ctx, r);
}

/* No list command: probe the documented FIDs below the current DF */
static int
starcos_list_files(struct sc_card *card, u8 *buf, size_t buflen)
{
	struct starcos_priv *priv = DRVDATA(card);
	u8 df[SC_MAX_PATH_SIZE], path[SC_MAX_PATH_SIZE];
	size_t dflen = priv->cur_df_len, n = 0;
	const unsigned short *fid;
	int r;

	LOG_FUNC_CALLED(card->ctx);
	r = starcos_sync(card, 0);
	LOG_TEST_RET(card->ctx, r, "cannot select the DF to list");
	dflen = priv->cur_df_len;
	if (dflen == 0 || dflen + 2 > sizeof(path))
		LOG_TEST_RET(card->ctx, SC_ERROR_NOT_SUPPORTED, "no current DF path to list");
	memcpy(df, priv->cur_df, dflen);
	for (fid = priv->gen->probe_fids; *fid; fid++) {
		memcpy(path, df, dflen);
		path[dflen] = (u8)(*fid >> 8);
		path[dflen + 1] = (u8)(*fid & 0xFF);
		r = starcos_select_path(card, path, dflen + 2, NULL);
		if (r == SC_ERROR_FILE_NOT_FOUND)
			continue;
		LOG_TEST_RET(card->ctx, r, "probing a FID failed");
		if (buflen - n < 2)
			LOG_FUNC_RETURN(card->ctx, SC_ERROR_BUFFER_TOO_SMALL);
		buf[n++] = path[dflen];
		buf[n++] = path[dflen + 1];
	}
	r = starcos_select_path(card, df, dflen, NULL);
	LOG_TEST_RET(card->ctx, r, "cannot return to the listed DF");
	LOG_FUNC_RETURN(card->ctx, (int)n);
}

/* ---- serial number ----------------------------------------------------- */

/* SPK 2.x GET CARD DATA 80 F6 00 00 00: the whole answer is the serial */
static int
starcos2_read_serial(struct sc_card *card)
{
	struct sc_apdu apdu;
	u8 resp[SC_MAX_APDU_RESP_SIZE];
	int r;

	sc_format_apdu_ex(&apdu, 0x80, 0xF6, 0x00, 0x00, NULL, 0, resp, sizeof(resp));
	r = pk_transmit(card, &apdu);
	LOG_TEST_RET(card->ctx, r, "GET CARD DATA failed");
	return pk_set_serial(card, apdu.resp, apdu.resplen);
}

/* 3.x: EF.GDO 3F00/2F02, tag 5A (ICCSN) */
static int
starcos3_read_serial(struct sc_card *card)
{
	struct sc_path path;
	struct sc_file *file = NULL;
	u8 buf[256];
	const u8 *sn;
	size_t sn_len, len;
	int r;

	struct starcos_sel sv;

	starcos_sel_save(card, &sv);
	sc_format_path("3F002F02", &path);
	r = starcos_select_file(card, &path, &file);
	if (r == 0) {
		len = file->size && file->size < sizeof(buf) ? file->size : sizeof(buf);
		sc_file_free(file);
		r = starcos_read_binary(card, 0, buf, len, PK_NO_RB_FLAGS);
	}
	starcos_sel_restore(card, &sv);
	LOG_TEST_RET(card->ctx, r, "cannot read EF.GDO");
	r = starcos_parse_gdo_serial(buf, (size_t)r, &sn, &sn_len);
	LOG_TEST_RET(card->ctx, r, "EF.GDO has no ICCSN");
	return pk_set_serial(card, sn, sn_len);
}

/* ---- SPK 2.x personalisation (starcos-card.md §2.2) ------------------------- */

static int
starcos2_cmd(struct sc_card *card, u8 cla, u8 ins, u8 p1, u8 p2, const struct pk_buf *b,
		const char *what)
{
	struct sc_apdu apdu;
	int r;

	LOG_TEST_RET(card->ctx, pk_buf_result(b), what);
	pk_apdu(&apdu, cla, ins, p1, p2, b, NULL, 0);
	r = pk_transmit(card, &apdu);
	LOG_TEST_RET(card->ctx, r, what);
	return 0;
}

/* CREATE MF 80 E0 00 00 13: value(8) size ISF-size 4 ACs 3 SM bytes */
static int
starcos2_create_mf(struct sc_card *card, const struct pk_starcos_mf *mf)
{
	static const u8 value[8] = {1, 2, 3, 4, 5, 6, 7, 8}; /* meaning undocumented (§2.2) */
	struct pk_buf b;
	u8 data[19];

	pk_buf_init(&b, data, sizeof(data));
	pk_buf_bytes(&b, value, sizeof(value));
	pk_buf_u16(&b, mf->size);
	pk_buf_u16(&b, mf->isf_size);
	pk_buf_bytes(&b, (const u8[]){mf->ac_create_ef, mf->ac_create_key, mf->ac_create_df,
			mf->ac_register_df, 0x00, 0x00, 0x00}, 7);
	starcos_forget(card);
	return starcos2_cmd(card, 0x80, 0xE0, 0x00, 0x00, &b, "CREATE MF failed");
}

/* REGISTER DF 80 52 size FID AID-len AID, then CREATE DF 80 E0 01 00 19 */
static int
starcos2_create_df(struct sc_card *card, const struct pk_starcos_df *df)
{
	struct pk_buf b;
	u8 data[25], aid[16] = {0};
	u8 fid[2] = {(u8)(df->fid >> 8), (u8)df->fid};
	size_t alen = df->aid_len ? df->aid_len : 2;
	int r;

	if (alen > sizeof(aid))
		return SC_ERROR_INVALID_ARGUMENTS;
	memcpy(aid, df->aid_len ? df->aid : fid, alen);
	pk_buf_init(&b, data, sizeof(data));
	pk_buf_bytes(&b, fid, 2);
	pk_buf_u8(&b, (unsigned int)alen);
	pk_buf_bytes(&b, aid, alen);
	r = starcos2_cmd(card, 0x80, 0x52, (u8)(df->size >> 8), (u8)df->size, &b, "REGISTER DF failed");
	LOG_TEST_RET(card->ctx, r, "REGISTER DF failed");
	pk_buf_init(&b, data, sizeof(data));
	pk_buf_bytes(&b, fid, 2);
	pk_buf_u8(&b, (unsigned int)alen);
	pk_buf_bytes(&b, aid, sizeof(aid));
	pk_buf_u16(&b, df->isf_size);
	pk_buf_bytes(&b, (const u8[]){df->ac_create_ef, df->ac_create_key, 0x00, 0x00}, 4);
	return starcos2_cmd(card, 0x80, 0xE0, 0x01, 0x00, &b, "CREATE DF failed");
}

/* CREATE EF 80 E0 03 00 10: FID, 7 ACs, 2 RFU, SM, SID, type size */
static int
starcos2_create_ef(struct sc_card *card, const struct pk_starcos_ef *ef)
{
	const u8 never = PK_STARCOS_AC_NEVER;
	struct pk_buf b;
	u8 data[16];

	pk_buf_init(&b, data, sizeof(data));
	pk_buf_u16(&b, ef->fid);
	pk_buf_bytes(&b, (const u8[]){ef->ac_read, ef->ac_write, ef->ac_erase, never, never, never,
			never, never, never, 0x00, 0x00}, 11);
	pk_buf_u8(&b, ef->type);
	pk_buf_u16(&b, ef->size);
	return starcos2_cmd(card, 0x80, 0xE0, 0x03, 0x00, &b, "CREATE EF failed");
}

/* CREATE END 80 E0 02 00 02 FID: the ACs of that MF/DF apply from now on */
static int
starcos2_create_end(struct sc_card *card, unsigned int fid)
{
	struct pk_buf b;
	u8 data[2];

	pk_buf_init(&b, data, sizeof(data));
	pk_buf_u16(&b, fid);
	return starcos2_cmd(card, 0x80, 0xE0, 0x02, 0x00, &b, "CREATE END failed");
}

/* ERASE CARD 80 E4 00 00 02 3F00; 69 85 = no MF, nothing to erase */
static int
starcos2_erase_card(struct sc_card *card)
{
	struct pk_buf b;
	u8 data[2];
	int r;

	pk_buf_init(&b, data, sizeof(data));
	pk_buf_u16(&b, 0x3F00);
	r = starcos2_cmd(card, 0x80, 0xE4, 0x00, 0x00, &b, "ERASE CARD failed");
	starcos_forget(card);
	return r == SC_ERROR_NOT_ALLOWED ? 0 : r;
}

/* WRITE KEY 80 F4: C1 0C header; then C2 L KID off(2) data in 124-byte chunks */
static int
starcos2_write_key(struct sc_card *card, const struct pk_starcos_wkey *wk)
{
	struct pk_buf b;
	u8 data[130];
	size_t off = 0;
	int r = 0;

	if (wk->header) {
		pk_buf_init(&b, data, sizeof(data));
		pk_buf_tlv(&b, 0xC1, wk->header, 12);
		r = starcos2_cmd(card, 0x80, 0xF4, 0x00, 0x00, &b, "WRITE KEY (header) failed");
	}
	while (r == 0 && off < wk->len) {
		size_t n = wk->len - off > 124 ? 124 : wk->len - off;

		pk_buf_init(&b, data, sizeof(data));
		pk_buf_tag_len(&b, 0xC2, n + 3);
		pk_buf_u8(&b, wk->kid);
		pk_buf_u16(&b, (unsigned int)off);
		pk_buf_bytes(&b, wk->data + off, n);
		r = starcos2_cmd(card, 0x80, 0xF4, wk->update ? 0x01 : 0x00, 0x00, &b,
				"WRITE KEY (data) failed");
		off += n;
	}
	sc_mem_clear(data, sizeof(data));
	return r;
}

/* The IPF entry / READ PUBLIC KEY answer as big-endian components */
static int
starcos2_pubkey_from(struct sc_card *card, const u8 *buf, size_t len, struct pk_rsa_pubkey *pub)
{
	struct starcos2_pubkey k;
	size_t i;

	if (starcos2_parse_pubkey(buf, len, &k) < 0 || k.n_len > sizeof(pub->modulus) ||
			k.e_len > sizeof(pub->exponent))
		LOG_TEST_RET(card->ctx, SC_ERROR_INVALID_DATA, "malformed public key from the card");
	for (i = 0; i < k.n_len; i++)
		pub->modulus[i] = k.n_le[k.n_len - 1 - i];
	pub->modulus_len = k.n_len;
	while (k.e_len > 1 && k.e_le[k.e_len - 1] == 0)
		k.e_len--;
	for (i = 0; i < k.e_len; i++)
		pub->exponent[i] = k.e_le[k.e_len - 1 - i];
	pub->exponent_len = k.e_len;
	return 0;
}

/* READ PUBLIC KEY 80 F0 9C 00 01 KID, Le 00 */
static int
starcos2_read_public_key(struct sc_card *card, struct pk_rsa_pubkey *pub)
{
	struct sc_apdu apdu;
	u8 kid = (u8)pub->fid, resp[SC_MAX_APDU_RESP_SIZE];
	struct pk_buf b;
	int r;

	pk_buf_init(&b, &kid, 1);
	b.len = 1;
	pk_apdu(&apdu, 0x80, 0xF0, 0x9C, 0x00, &b, resp, sizeof(resp));
	r = pk_transmit(card, &apdu);
	LOG_TEST_RET(card->ctx, r, "READ PUBLIC KEY failed");
	return starcos2_pubkey_from(card, apdu.resp, apdu.resplen, pub);
}

/* GENERATE KEY 00 46 00 KID 02 bits, then READ PUBLIC KEY */
static int
starcos2_generate_key(struct sc_card *card, struct pk_starcos_keygen *kg)
{
	struct pk_buf b;
	u8 data[2];
	int r;

	if (!sc_card_find_rsa_alg(card, kg->bits))
		LOG_TEST_RET(card->ctx, SC_ERROR_NOT_SUPPORTED,
				"StarCOS SPK 2.x generates RSA keys of 512, 768 and 1024 bits only");
	pk_buf_init(&b, data, sizeof(data));
	pk_buf_u16(&b, kg->bits);
	r = starcos2_cmd(card, 0x00, 0x46, 0x00, kg->kid, &b, "GENERATE KEY failed");
	LOG_TEST_RET(card->ctx, r, "GENERATE KEY failed");
	memset(&kg->pub, 0, sizeof(kg->pub));
	kg->pub.fid = kg->kid;
	return starcos2_read_public_key(card, &kg->pub);
}

static int
starcos2_admin_ctl(struct sc_card *card, unsigned long cmd, void *ptr)
{
	switch (cmd) {
	case PK_CARDCTL_STARCOS_CREATE_MF:
		return starcos2_create_mf(card, ptr);
	case PK_CARDCTL_STARCOS_CREATE_DF:
		return starcos2_create_df(card, ptr);
	case PK_CARDCTL_STARCOS_CREATE_EF:
		return starcos2_create_ef(card, ptr);
	case PK_CARDCTL_STARCOS_CREATE_END:
		return starcos2_create_end(card, *(const unsigned int *)ptr);
	case PK_CARDCTL_STARCOS_ERASE_CARD:
		return starcos2_erase_card(card);
	case PK_CARDCTL_STARCOS_WRITE_KEY:
		return starcos2_write_key(card, ptr);
	case PK_CARDCTL_STARCOS_GENERATE_KEY:
		return starcos2_generate_key(card, ptr);
	case PK_CARDCTL_STARCOS_READ_PUBLIC_KEY:
		return starcos2_read_public_key(card, ptr);
	default:
		return SC_ERROR_NOT_SUPPORTED;
	}
}

/* An OpenSC ACL entry as a 2.x AC byte (starcos-card.md §3.1.2); no entry = always */
static u8
starcos2_ac_of(const struct sc_file *file, unsigned int op)
{
	const struct sc_acl_entry *e = sc_file_get_acl_entry(file, op);

	if (!e || e->method == SC_AC_NONE)
		return PK_STARCOS_AC_ALWAYS;
	if (e->method == SC_AC_CHV && e->key_ref != SC_AC_KEY_REF_NONE)
		return starcos2_ac_for_pin(e->key_ref);
	return PK_STARCOS_AC_NEVER;
}

/* create_file: transparent EFs in the current DF (MF and DFs are created
 * with the card_ctls, which need sizes and ACs OpenSC's sc_file lacks) */
static int
starcos_create_file(struct sc_card *card, struct sc_file *file)
{
	const struct starcos_gen *gen = DRVDATA(card)->gen;
	struct pk_starcos_ef ef;
	int r;

	LOG_FUNC_CALLED(card->ctx);
	if (gen->no_admin)
		LOG_TEST_RET(card->ctx, SC_ERROR_NOT_SUPPORTED, gen->no_admin);
	r = starcos_sync(card, 0); /* created in the DF OpenSC selected */
	LOG_TEST_RET(card->ctx, r, "cannot select the DF");
	pk_fcache_clear(&DRVDATA(card)->fc);
	if (file->type == SC_FILE_TYPE_DF || file->ef_structure != SC_FILE_EF_TRANSPARENT ||
			file->id <= 0 || file->id > 0xFFFF || file->size > 0xFFFF)
		LOG_TEST_RET(card->ctx, SC_ERROR_NOT_SUPPORTED,
				"StarCOS 2.x: only transparent EFs are created this way");
	memset(&ef, 0, sizeof(ef));
	ef.fid = (unsigned int)file->id;
	ef.ac_read = starcos2_ac_of(file, SC_AC_OP_READ);
	ef.ac_write = starcos2_ac_of(file, SC_AC_OP_UPDATE);
	ef.ac_erase = starcos2_ac_of(file, SC_AC_OP_ERASE);
	ef.type = PK_STARCOS_EF_TRANSPARENT;
	ef.size = (unsigned int)file->size;
	LOG_FUNC_RETURN(card->ctx, starcos2_create_ef(card, &ef));
}

static int
starcos_is_admin_ctl(unsigned long cmd)
{
	return cmd >= PK_CARDCTL_STARCOS_CREATE_MF && cmd <= PK_CARDCTL_STARCOS_READ_PUBLIC_KEY;
}

static int
starcos_card_ctl(struct sc_card *card, unsigned long cmd, void *ptr)
{
	const struct starcos_gen *gen = DRVDATA(card)->gen;
	int r;

	if (starcos_is_admin_ctl(cmd)) {
		if (gen->no_admin)
			LOG_TEST_RET(card->ctx, SC_ERROR_NOT_SUPPORTED, gen->no_admin);
		if (!ptr && cmd != PK_CARDCTL_STARCOS_ERASE_CARD)
			return SC_ERROR_INVALID_ARGUMENTS;
		/* they act in the DF OpenSC selected; ERASE CARD and CREATE MF
		 * on the whole card, whose files may be gone or half made (an
		 * interrupted personalisation erased and made again) */
		if (cmd != PK_CARDCTL_STARCOS_ERASE_CARD && cmd != PK_CARDCTL_STARCOS_CREATE_MF) {
			r = starcos_sync(card, 0);
			LOG_TEST_RET(card->ctx, r, "cannot select the DF");
		}
		/* files, keys and their public parts change: nothing known of
		 * the card holds any longer */
		if (cmd != PK_CARDCTL_STARCOS_READ_PUBLIC_KEY)
			pk_fcache_clear(&DRVDATA(card)->fc);
		if (cmd == PK_CARDCTL_STARCOS_ERASE_CARD || cmd == PK_CARDCTL_STARCOS_CREATE_MF)
			DRVDATA(card)->sel_len = 0; /* what OpenSC selected is gone */
		LOG_FUNC_RETURN(card->ctx, starcos2_admin_ctl(card, cmd, ptr));
	}
	switch (cmd) {
	case SC_CARDCTL_GET_SERIALNR:
		if (!ptr)
			return SC_ERROR_INVALID_ARGUMENTS;
		if (card->serialnr.len == 0) {
			r = gen->read_serial(card);
			LOG_TEST_RET(card->ctx, r, "GET SERIALNR failed");
		}
		return pk_get_serial(card, ptr);
	case PK_CARDCTL_LOST:
		return pk_guard_lost(card);
	default:
		return SC_ERROR_NOT_SUPPORTED;
	}
}

/* ---- PINs ---------------------------------------------------------------- */

/* 3.x: the PIN's transmission format from EF.PWDD / EF.KEYD (starcos.md
 * §1.3), looked up per PIN and cached; 2.x takes it from the PKCS#15 PIN
 * object (ASCII, 00-padded to 8). */
static int
starcos3_pin_format(struct sc_card *card, unsigned int ref, unsigned int *fmt)
{
	struct starcos_priv *priv = DRVDATA(card);
	const struct starcos_gen *gen = priv->gen;
	struct sc_path path;
	u8 rec[256];
	unsigned int nr;
	int r;

	if (priv->pin_fmt_ref[ref & 0xFF]) {
		*fmt = priv->pin_fmt_ref[ref & 0xFF];
		return 0;
	}
	sc_format_path(gen->pin_desc_path, &path);
	r = starcos_select_file(card, &path, NULL);
	LOG_TEST_RET(card->ctx, r, "cannot select the PIN descriptions");
	for (nr = 1; nr < 32; nr++) {
		r = pk_read_record(card, nr, rec, sizeof(rec), SC_RECORD_BY_REC_NR);
		if (r == SC_ERROR_RECORD_NOT_FOUND)
			break;
		LOG_TEST_RET(card->ctx, r, "cannot read a PIN description");
		r = starcos3_parse_pin_format(rec, (size_t)r, gen->pin_ref_tag, ref, fmt);
		if (r == 1) {
			priv->pin_fmt_ref[ref & 0xFF] = (u8)*fmt;
			return 0;
		}
	}
	sc_log(card->ctx, "no description of PIN %02X: assuming a format-2 PIN block", ref);
	*fmt = 0x12;
	return 0;
}

static int
starcos_encoding_of(unsigned int fmt)
{
	switch (fmt) {
	case 0x11:
	case 0x12:
		return SC_PIN_ENCODING_GLP;
	case 0x13:
		return SC_PIN_ENCODING_BCD;
	default:
		return SC_PIN_ENCODING_ASCII;
	}
}

static void
starcos_set_encoding(struct sc_pin_cmd_pin *pin, int encoding)
{
	pin->encoding = (unsigned int)encoding;
	if (encoding == SC_PIN_ENCODING_GLP) {
		pin->pad_length = 8;
		pin->pad_char = 0xFF;
	}
}

/* 3.x: EF.ATR and the PIN descriptions live in the MF, and a DF-local PIN
 * is only found in its DF: after reading them (once per card), go back to
 * the DF the caller selected for the PIN (starcos-card.md §3.2). */
static int
starcos3_pin_prepare(struct sc_card *card, unsigned int ref, unsigned int *fmt)
{
	struct starcos_sel sv;
	int r;

	starcos_sel_save(card, &sv);
	starcos_check_ext_apdu(card);
	r = starcos3_pin_format(card, ref, fmt);
	starcos_sel_restore(card, &sv); /* the PIN command syncs to the caller's DF */
	LOG_TEST_RET(card->ctx, r, "cannot find the PIN format");
	return 0;
}

/* VERIFY answered 69 84: a PIN not usable yet, mostly an issuer card's PIN
 * still in its transport state (bnotk's 86 until its holder sets it).
 * OpenSC says only "Reference data not usable" (PKCS#11: CKR_GENERAL_ERROR,
 * OpenSC maps nothing to CKR_PIN_EXPIRED); what to do goes to stderr. */
static void
starcos_explain_transport_pin(int ref)
{
	fprintf(stderr, "pkicards: the card's PIN with reference %d (0x%02X) is not usable yet (69 84: "
			"still in its transport state); change it first: pkcs15-tool --change-pin --auth-id "
			"ID (the ID pkcs15-tool -D lists with that reference; the old PIN is the transport "
			"PIN from the issuer's letter)\n", ref, (unsigned int)ref & 0xFF);
}

static int
starcos_pin_run(struct sc_card *card, struct sc_pin_cmd_data *data, int *tries_left)
{
	const struct starcos_gen *gen = DRVDATA(card)->gen;
	unsigned int fmt;
	int r;

	LOG_FUNC_CALLED(card->ctx);
	if (data->pin_type != SC_AC_CHV)
		LOG_FUNC_RETURN(card->ctx, SC_ERROR_NOT_SUPPORTED);
	if (data->cmd == SC_PIN_CMD_GET_INFO && !gen->pin_status)
		LOG_TEST_RET(card->ctx, SC_ERROR_NOT_SUPPORTED, "this StarCOS has no PIN status command");
	if (gen->pin_desc_path) {
		/* EF.ATR lives in the MF: read it now, before a DF-local PIN is
		 * verified, since leaving the DF later would lose that state */
		r = starcos3_pin_prepare(card, (unsigned int)data->pin_reference, &fmt);
		LOG_TEST_RET(card->ctx, r, "cannot prepare the PIN command");
		starcos_set_encoding(&data->pin1, starcos_encoding_of(fmt));
		starcos_set_encoding(&data->pin2, starcos_encoding_of(fmt));
		if (starcos_encoding_of(fmt) == SC_PIN_ENCODING_GLP)
			data->flags |= SC_PIN_CMD_NEED_PADDING;
	}
	/* a DF-local PIN is found in the DF OpenSC selected; on 3.x a global
	 * one (no 80 bit) in the MF from anywhere (starcos-card.md §3.2) */
	if (!gen->pin_desc_path || (data->pin_reference & 0x80)) {
		r = starcos_sync(card, 0);
		LOG_TEST_RET(card->ctx, r, "cannot select the PIN's DF");
	}
	r = iso_ops->pin_cmd(card, data, tries_left);
	if (r == SC_ERROR_REF_DATA_NOT_USABLE && data->cmd == SC_PIN_CMD_VERIFY)
		starcos_explain_transport_pin(data->pin_reference);
	/* The maximum is not readable; issuers use 3 (starcos-card.md §3.2) */
	if (r == 0 && data->cmd == SC_PIN_CMD_GET_INFO && data->pin1.tries_left >= 0)
		data->pin1.max_tries = data->pin1.tries_left > 3 ? data->pin1.tries_left : 3;
	LOG_FUNC_RETURN(card->ctx, r);
}

/* The PIN format lookup and the PIN command in one card transaction */
static int
starcos_pin_cmd(struct sc_card *card, struct sc_pin_cmd_data *data, int *tries_left)
{
	int r = pk_card_check_new_pin(card, data);

	LOG_TEST_RET(card->ctx, r, "new PIN");
	r = sc_lock(card);
	LOG_TEST_RET(card->ctx, r, "cannot lock the card");
	r = starcos_pin_run(card, data, tries_left);
	sc_unlock(card);
	return r;
}

/* 2.x: selecting the MF ends the security state (starcos-card.md §2.1) */
static int
starcos2_logout(struct sc_card *card)
{
	struct sc_apdu apdu;
	u8 mf[2] = {0x3F, 0x00};
	int r;

	r = starcos_select_apdu(card, &apdu, 0x00, 0x0C, mf, 2, NULL, 0);
	starcos_forget(card);
	DRVDATA(card)->sel_len = 0;
	return r == SC_ERROR_NOT_ALLOWED ? 0 : r; /* 69 85: no MF, nothing to end */
}

static int
starcos_logout(struct sc_card *card)
{
	const struct starcos_gen *gen = DRVDATA(card)->gen;

	return gen->logout ? gen->logout(card) : SC_ERROR_NOT_SUPPORTED;
}

/* ---- security operations ------------------------------------------------- */

static int
starcos_mse(struct sc_card *card, u8 p1, u8 crt, const struct pk_buf *b)
{
	struct sc_apdu apdu;
	int r;

	pk_apdu(&apdu, 0x00, 0x22, p1, crt, b, NULL, 0);
	r = pk_transmit(card, &apdu);
	LOG_TEST_RET(card->ctx, r, "MANAGE SECURITY ENVIRONMENT failed");
	return 0;
}

/* 2.x: 84 01 KID 80 01 alg (starcos-card.md §2.3) */
static int
starcos2_mse(struct sc_card *card, u8 p1, u8 crt, u8 kid, u8 alg)
{
	struct pk_buf b;
	u8 data[8];

	pk_buf_init(&b, data, sizeof(data));
	pk_buf_tlv(&b, 0x84, &kid, 1);
	pk_buf_tlv(&b, 0x80, &alg, 1);
	LOG_TEST_RET(card->ctx, pk_buf_result(&b), "MSE data");
	return starcos_mse(card, p1, crt, &b);
}

/* 3.x: 84 01 ref 89 L algorithm-id (starcos-card.md §2.4) */
static int
starcos3_mse(struct sc_card *card, u8 crt, u8 ref, const u8 *alg, size_t alg_len)
{
	struct pk_buf b;
	u8 data[12];

	pk_buf_init(&b, data, sizeof(data));
	pk_buf_tlv(&b, 0x84, &ref, 1);
	pk_buf_tlv(&b, 0x89, alg, alg_len);
	LOG_TEST_RET(card->ctx, pk_buf_result(&b), "MSE data");
	return starcos_mse(card, 0x41, crt, &b);
}

static int
starcos_set_security_env(struct sc_card *card, const struct sc_security_env *env, int se_num)
{
	struct starcos_priv *priv = DRVDATA(card);

	LOG_FUNC_CALLED(card->ctx);
	priv->env_op = 0;
	if (!(env->flags & SC_SEC_ENV_KEY_REF_PRESENT) || env->key_ref_len != 1)
		LOG_TEST_RET(card->ctx, SC_ERROR_INVALID_ARGUMENTS, "StarCOS keys are addressed by reference");
	if (env->operation != SC_SEC_OPERATION_SIGN && env->operation != SC_SEC_OPERATION_DECIPHER)
		LOG_TEST_RET(card->ctx, SC_ERROR_NOT_SUPPORTED, "only signing and deciphering");
	/* The MSE goes out with the operation: it depends on the data (hash) */
	priv->env_op = env->operation;
	priv->env_key = env->key_ref[0];
	priv->env_flags = env->algorithm_flags;
	LOG_FUNC_RETURN(card->ctx, SC_SUCCESS);
}

/* PSO / INTERNAL AUTHENTICATE returning exactly what fits @p out */
static int
starcos_crypto_apdu(struct sc_card *card, u8 ins, u8 p1, u8 p2, const u8 *in, size_t inlen,
		u8 *out, size_t outlen)
{
	struct sc_apdu apdu;
	u8 rbuf[PK_RSA_MAX_BYTES];
	int r;

	sc_format_apdu_ex(&apdu, 0x00, ins, p1, p2, in, inlen, out ? rbuf : NULL, out ? sizeof(rbuf) : 0);
	if (apdu.le > 256 && !(card->caps & SC_CARD_CAP_APDU_EXT))
		apdu.le = 256;
	r = pk_transmit(card, &apdu);
	if (r == 0 && apdu.resplen > outlen)
		r = SC_ERROR_BUFFER_TOO_SMALL;
	if (r == 0 && apdu.resplen)
		memcpy(out, rbuf, apdu.resplen);
	sc_mem_clear(rbuf, sizeof(rbuf)); /* deciphered data, also on errors */
	LOG_TEST_RET(card->ctx, r, "security operation failed");
	return (int)apdu.resplen;
}

/* 2.x: SHA-1 through PSO HASH + COMPUTE SIGNATURE (card adds DigestInfo
 * and padding); other DigestInfos through INTERNAL AUTHENTICATE. */
static int
starcos2_sign(struct sc_card *card, const u8 *data, size_t len, u8 *out, size_t outlen)
{
	struct starcos_priv *priv = DRVDATA(card);
	const u8 *hash;
	size_t hash_len;
	int r;

	if (pk_digest_info_split(data, len, &hash, &hash_len) == PK_HASH_SHA1) {
		r = starcos2_mse(card, 0x41, 0xB6, priv->env_key, 0x12);
		LOG_TEST_RET(card->ctx, r, "MSE for signing failed");
		r = starcos_crypto_apdu(card, 0x2A, 0x90, 0x81, hash, hash_len, NULL, 0);
		LOG_TEST_RET(card->ctx, r, "PSO HASH failed");
		return starcos_crypto_apdu(card, 0x2A, 0x9E, 0x9A, NULL, 0, out, outlen);
	}
	r = starcos2_mse(card, 0x41, 0xA4, priv->env_key, 0x01);
	LOG_TEST_RET(card->ctx, r, "MSE for internal authenticate failed");
	return starcos_crypto_apdu(card, 0x88, 0x10, 0x00, data, len, out, outlen);
}

/* PSS hash identifiers of MSE 89 13 33 hh (starcos-card.md §2.4) */
static const u8 starcos3_pss_hh[] = {
	[PK_HASH_SHA1] = 0x10,
	[PK_HASH_SHA224] = 0x60,
	[PK_HASH_SHA256] = 0x30,
	[PK_HASH_SHA384] = 0x40,
	[PK_HASH_SHA512] = 0x50,
};

/* the hash OpenSC asked MGF1 to use; SHA-256 when it names none */
static enum pk_hash
starcos3_mgf1_hash(unsigned long flags)
{
	if (flags & SC_ALGORITHM_MGF1_SHA1)
		return PK_HASH_SHA1;
	if (flags & SC_ALGORITHM_MGF1_SHA224)
		return PK_HASH_SHA224;
	if (flags & SC_ALGORITHM_MGF1_SHA384)
		return PK_HASH_SHA384;
	if (flags & SC_ALGORITHM_MGF1_SHA512)
		return PK_HASH_SHA512;
	return PK_HASH_SHA256;
}

/* 3.x: MSE DST 89 13 23 (input DigestInfo) or 89 13 33 hh (PSS, input
 * the bare hash; the card's MGF1 uses the same hash), then PSO CDS.
 * For PSS OpenSC hands over the hash with its DigestInfo (its PKCS#1
 * encoder adds one, as the card claims no hash of its own): the DigestInfo
 * names the hash and is taken off. */
static int
starcos3_sign(struct sc_card *card, const u8 *data, size_t len, u8 *out, size_t outlen)
{
	struct starcos_priv *priv = DRVDATA(card);
	u8 pkcs1[2] = {0x13, 0x23}, pss[3] = {0x13, 0x33, 0};
	enum pk_hash h, mgf1;
	const u8 *hash;
	size_t hash_len;
	int r;

	if (priv->env_flags & SC_ALGORITHM_RSA_PAD_PSS) {
		mgf1 = starcos3_mgf1_hash(priv->env_flags);
		h = pk_digest_info_split(data, len, &hash, &hash_len);
		if (h != PK_HASH_NONE) {
			if (h != mgf1)
				LOG_TEST_RET(card->ctx, SC_ERROR_NOT_SUPPORTED,
						"the card's PSS uses one hash for the message and MGF1");
			data = hash;
			len = hash_len;
		}
		pss[2] = starcos3_pss_hh[mgf1];
		r = starcos3_mse(card, 0xB6, priv->env_key, pss, sizeof(pss));
	} else {
		r = starcos3_mse(card, 0xB6, priv->env_key, pkcs1, sizeof(pkcs1));
	}
	LOG_TEST_RET(card->ctx, r, "MSE for signing failed");
	return starcos_crypto_apdu(card, 0x2A, 0x9E, 0x9A, data, len, out, outlen);
}

static int
starcos_compute_signature(struct sc_card *card, const u8 *data, size_t len, u8 *out, size_t outlen)
{
	struct starcos_priv *priv = DRVDATA(card);
	int r;

	LOG_FUNC_CALLED(card->ctx);
	if (priv->env_op != SC_SEC_OPERATION_SIGN)
		LOG_TEST_RET(card->ctx, SC_ERROR_NOT_ALLOWED, "no signing environment set");
	r = starcos_sync(card, 0); /* the key is in the ISF of the DF OpenSC selected */
	LOG_TEST_RET(card->ctx, r, "cannot select the key's DF");
	LOG_FUNC_RETURN(card->ctx, priv->gen->sign(card, data, len, out, outlen));
}

/* Extended APDUs only where EF.ATR 3F00/2F01 says the card takes them */
static int
starcos_check_ext_apdu(struct sc_card *card)
{
	struct sc_path path;
	struct starcos_sel sv;
	u8 buf[64];
	size_t max_cmd = 0, max_resp = 0;
	int r;

	if (card->caps & SC_CARD_CAP_APDU_EXT)
		return 0;
	if (!DRVDATA(card)->gen->pin_desc_path || DRVDATA(card)->ext_probed)
		return SC_ERROR_NOT_SUPPORTED; /* 2.x has no EF.ATR; read once */
	DRVDATA(card)->ext_probed = 1;
	starcos_sel_save(card, &sv);
	sc_format_path("3F002F01", &path);
	r = starcos_select_file(card, &path, NULL);
	if (r == 0)
		r = starcos_read_binary(card, 0, buf, sizeof(buf), PK_NO_RB_FLAGS);
	starcos_sel_restore(card, &sv);
	if (r >= 0)
		r = starcos_parse_ef_atr(buf, (size_t)r, &max_cmd, &max_resp);
	if (r < 0 || max_cmd <= 261)
		return SC_ERROR_NOT_SUPPORTED;
	DRVDATA(card)->ext_resp = max_resp;
	card->caps |= SC_CARD_CAP_APDU_EXT;
	card->max_send_size = max_cmd - 7 < 65535 ? max_cmd - 7 : 65535;
	return 0;
}

/* PSO DECIPHER 00 2A 80 86: padding indicator ‖ cryptogram in one APDU (no
 * chaining on any generation); a full-length answer is an unpadded block. */
static int
starcos_decipher(struct sc_card *card, const u8 *in, size_t len, u8 *out, size_t outlen)
{
	struct starcos_priv *priv = DRVDATA(card);
	const struct starcos_gen *gen = priv->gen;
	u8 sbuf[PK_RSA_MAX_BYTES + 1], block[PK_RSA_MAX_BYTES];
	size_t mlen = outlen;
	int r;

	LOG_FUNC_CALLED(card->ctx);
	if (priv->env_op != SC_SEC_OPERATION_DECIPHER)
		LOG_TEST_RET(card->ctx, SC_ERROR_NOT_ALLOWED, "no decipher environment set");
	if (len + 1 > sizeof(sbuf))
		LOG_FUNC_RETURN(card->ctx, SC_ERROR_WRONG_LENGTH);
	if (len + 1 > 255 && starcos_check_ext_apdu(card) < 0)
		LOG_TEST_RET(card->ctx, SC_ERROR_NOT_SUPPORTED,
				"this card takes no extended APDUs (EF.ATR): cannot decipher with keys over 2032 bits");
	r = starcos_sync(card, 0); /* the key is in the ISF of the DF OpenSC selected */
	LOG_TEST_RET(card->ctx, r, "cannot select the key's DF");
	r = gen->decipher_mse(card, priv->env_key);
	LOG_TEST_RET(card->ctx, r, "MSE for deciphering failed");
	sbuf[0] = gen->dec_pad_indicator;
	memcpy(sbuf + 1, in, len);
	r = starcos_crypto_apdu(card, 0x2A, 0x80, 0x86, sbuf, len + 1, block, sizeof(block));
	if (r >= 0 && (size_t)r == len && (priv->env_flags & SC_ALGORITHM_RSA_PAD_PKCS1)) {
		r = pk_pkcs1_strip_02(block, len, out, &mlen);
		r = r < 0 ? r : (int)mlen;
	} else if (r >= 0) {
		r = (size_t)r > outlen ? SC_ERROR_BUFFER_TOO_SMALL : r;
		if (r > 0)
			memcpy(out, block, (size_t)r);
	}
	sc_mem_clear(block, sizeof(block));
	LOG_FUNC_RETURN(card->ctx, r);
}

static int
starcos2_decipher_mse(struct sc_card *card, u8 key)
{
	return starcos2_mse(card, 0x81, 0xB8, key, 0x02);
}

static int
starcos34_decipher_mse(struct sc_card *card, u8 key)
{
	static const u8 alg[] = {0x11, 0x30};

	return starcos3_mse(card, 0xB8, key, alg, sizeof(alg));
}

static int
starcos35_decipher_mse(struct sc_card *card, u8 key)
{
	static const u8 alg[] = {0x11, 0x31};

	return starcos3_mse(card, 0xB8, key, alg, sizeof(alg));
}

/* 2.x takes at most 128 data bytes per command (starcos-card.md §1.3); the
 * card-wide limit is higher only for PSO DECIPHER's 129 bytes. */
static int
starcos2_update_binary(struct sc_card *card, unsigned int idx, const u8 *buf, size_t count,
		unsigned long flags)
{
	size_t done = 0;
	int r;

	while (done < count) {
		size_t n = count - done > 128 ? 128 : count - done;

		r = iso_ops->update_binary(card, idx + (unsigned int)done, buf + done, n, flags);
		LOG_TEST_RET(card->ctx, r, "UPDATE BINARY failed");
		done += (size_t)r;
	}
	return (int)done;
}

static int
starcos_update_binary(struct sc_card *card, unsigned int idx, const u8 *buf, size_t count,
		unsigned long flags)
{
	struct pk_fcache_entry *e;
	int r;

	r = starcos_sync(card, 1);
	LOG_TEST_RET(card->ctx, r, "cannot select the file");
	e = starcos_sel_entry(card);
	if (DRVDATA(card)->gen->max_recv < 255) /* 2.x: 128 bytes of data per I/O command */
		r = starcos2_update_binary(card, idx, buf, count, flags);
	else
		r = iso_ops->update_binary(card, idx, buf, count, flags);
	if (e && r == (int)count)
		pk_fcache_written(e, idx, buf, count);
	else if (e)
		pk_fcache_drop_data(&DRVDATA(card)->fc, e->path, e->pathlen);
	return r;
}

/* Commands on the selected EF that the file cache does not follow: the
 * card is moved there first and the EF's known content is dropped */
static int
starcos_touch_ef(struct sc_card *card)
{
	struct pk_fcache_entry *e;
	int r;

	r = starcos_sync(card, 1);
	LOG_TEST_RET(card->ctx, r, "cannot select the file");
	e = starcos_sel_entry(card);
	if (e)
		pk_fcache_drop_data(&DRVDATA(card)->fc, e->path, e->pathlen);
	return 0;
}

static int
starcos_write_binary(struct sc_card *card, unsigned int idx, const u8 *buf, size_t count,
		unsigned long flags)
{
	int r = starcos_touch_ef(card);

	return r < 0 ? r : iso_ops->write_binary(card, idx, buf, count, flags);
}

static int
starcos_erase_binary(struct sc_card *card, unsigned int idx, size_t count, unsigned long flags)
{
	int r = starcos_touch_ef(card);

	return r < 0 ? r : iso_ops->erase_binary(card, idx, count, flags);
}

static int
starcos_update_record(struct sc_card *card, unsigned int rec, PK_REC_IDX_PARAM const u8 *buf,
		size_t count, unsigned long flags)
{
	int r = starcos_touch_ef(card);

	return r < 0 ? r : iso_ops->update_record(card, rec, PK_REC_IDX_ARG buf, count, flags);
}

static int
starcos_append_record(struct sc_card *card, const u8 *buf, size_t count, unsigned long flags)
{
	int r = starcos_touch_ef(card);

	return r < 0 ? r : iso_ops->append_record(card, buf, count, flags);
}

/* DELETE FILE of a child of the DF OpenSC selected: forget what is known */
static int
starcos_delete_file(struct sc_card *card, const struct sc_path *path)
{
	int r = starcos_sync(card, 0);

	LOG_TEST_RET(card->ctx, r, "cannot select the DF");
	pk_fcache_clear(&DRVDATA(card)->fc);
	DRVDATA(card)->sel_len = 0;
	starcos_forget(card);
	return iso_ops->delete_file(card, path);
}

struct sc_card_driver *
pk_get_starcos_driver(void)
{
	iso_ops = sc_get_iso7816_driver()->ops;
	starcos_ops = *iso_ops;
	starcos_ops.match_card = starcos_match_card;
	starcos_ops.init = starcos_init;
	starcos_ops.finish = starcos_finish;
	starcos_ops.check_sw = starcos_check_sw;
	starcos_ops.select_file = starcos_select_file;
	starcos_ops.list_files = starcos_list_files;
	starcos_ops.card_ctl = starcos_card_ctl;
	starcos_ops.create_file = starcos_create_file;
	starcos_ops.get_challenge = pk_get_challenge;
	starcos_ops.update_binary = starcos_update_binary;
	starcos_ops.read_binary = starcos_read_binary;
	starcos_ops.read_record = starcos_read_record;
	starcos_ops.write_binary = starcos_write_binary;
	starcos_ops.erase_binary = starcos_erase_binary;
	starcos_ops.update_record = starcos_update_record;
	starcos_ops.append_record = starcos_append_record;
	starcos_ops.delete_file = starcos_delete_file;
	starcos_ops.pin_cmd = starcos_pin_cmd;
	starcos_ops.logout = starcos_logout;
	starcos_ops.card_reader_lock_obtained = starcos_reader_lock_obtained;
	starcos_ops.set_security_env = starcos_set_security_env;
	starcos_ops.compute_signature = starcos_compute_signature;
	starcos_ops.decipher = starcos_decipher;
	return &starcos_drv;
}
