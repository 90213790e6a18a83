/*
 * card-acos5.c: ACS ACOS5 (original 32K v1, ACOS5-64 V2 and V3)
 *
 * Overrides the ISO 7816 operations only where the card differs. Source of
 * the card behaviour: doc/acos5-card.md (section numbers below).
 *
 * Copyright (C) 2026 pkicards contributors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "libopensc/cardctl.h"
#include "libopensc/internal.h"
#include "libopensc/log.h"
#include "libopensc/pkcs15.h"
#include "acos5-parse.h"
#include "pk-card.h"
#include "pk-compat.h"
#include "pk-cardctl.h"
#include "pk-fcache.h"
#include "pk-rsa.h"
#include "pk-tlv.h"

/* Per-generation data (acos5-card.md §1, §2.2, §2.6) */
struct acos5_gen {
	int type;
	const char *name;
	unsigned int os_major;        /* expected OS version major, 0: no such command */
	unsigned int has_op_mode : 1; /* 80 14 09 00 answers the mode in SW2 */
	unsigned int has_free_space : 1; /* 80 14 04 00: free EEPROM, changed by every CREATE/DELETE FILE */
	size_t serial_len;            /* 64K (or only) mode */
	size_t serial_len_fips;
	unsigned int rsa_min, rsa_max, rsa_step;
	unsigned int little_endian : 1; /* v1: RSA data and key files LSB first (§3.8) */
	size_t pub_exp_len;           /* exponent field of the public key file */
	const u8 *zeroize;            /* APDU that returns the card to virgin */
	size_t zeroize_len;
	u8 import_type;               /* key type byte PUT KEY writes, 0: no PUT KEY (§2.1) */
	unsigned int puk_is_next_pin : 1; /* v1: no PUK in the PIN record; PIN ID + 1 is it (§3.6, §6) */
};

static const u8 acos5_zeroize_v1[] = {0x80, 0xCA, 0xFF, 0x00};
static const u8 acos5_zeroize_64[] = {0x80, 0x30, 0x00, 0x00};

static const struct acos5_gen acos5_gens[] = {
	{
		.type = PK_CARD_TYPE_ACOS5_V1,
		.name = "ACOS5 (32K, v1)",
		.serial_len = 6,
		.serial_len_fips = 6,
		.rsa_min = 512, .rsa_max = 2048, .rsa_step = 512,
		.little_endian = 1,
		.pub_exp_len = 8,
		.zeroize = acos5_zeroize_v1, .zeroize_len = sizeof(acos5_zeroize_v1),
		.import_type = 0x07,
		.puk_is_next_pin = 1,
	},
	{
		.type = PK_CARD_TYPE_ACOS5_64_V2,
		.name = "ACOS5-64 V2",
		.os_major = 2,
		.has_free_space = 1,
		.serial_len = 6,
		.serial_len_fips = 6,
		.rsa_min = 512, .rsa_max = 4096, .rsa_step = 256,
		.pub_exp_len = 16,
		.zeroize = acos5_zeroize_64, .zeroize_len = sizeof(acos5_zeroize_64),
	},
	{
		.type = PK_CARD_TYPE_ACOS5_64_V3,
		.name = "ACOS5-64 V3",
		.os_major = 3,
		.has_op_mode = 1,
		.has_free_space = 1,
		.serial_len = 6,
		.serial_len_fips = 8,
		.rsa_min = 512, .rsa_max = 4096, .rsa_step = 256,
		.pub_exp_len = 16,
		.zeroize = acos5_zeroize_64, .zeroize_len = sizeof(acos5_zeroize_64),
	},
};

/* V2/V3 mask TA1 (EEPROM C183 may change it); v1 accepts any version byte
 * of the "41 05 xx" pattern, so it comes after the exact 64K entries. */
#define ACOS5_MASK_TA1 "ff:ff:00:ff:ff:ff:ff:ff:ff:ff:ff:ff:ff:ff:ff:ff:ff:ff:ff"
#define ACOS5_MASK_VER "ff:ff:ff:ff:ff:ff:ff:00:ff:ff:ff:ff:ff:ff:ff:ff:ff:ff:ff"
static const struct sc_atr_table acos5_atrs[] = {
	{"3b:be:96:00:00:41:05:20:00:00:00:00:00:00:00:00:00:90:00", ACOS5_MASK_TA1,
			"ACOS5-64 V2", PK_CARD_TYPE_ACOS5_64_V2, 0, NULL},
	{"3b:be:96:00:00:41:05:30:00:00:00:00:00:00:00:00:00:90:00", ACOS5_MASK_TA1,
			"ACOS5-64 V3", PK_CARD_TYPE_ACOS5_64_V3, 0, NULL},
	{"3b:be:96:00:00:41:05:00:4e:46:00:00:00:00:00:00:00:90:00", ACOS5_MASK_TA1,
			"ACOS5-64 V3", PK_CARD_TYPE_ACOS5_64_V3, 0, NULL},
	{"3b:be:18:00:00:41:05:10:00:00:00:00:00:00:00:00:00:90:00", ACOS5_MASK_VER,
			"ACOS5", PK_CARD_TYPE_ACOS5_V1, 0, NULL},
	{NULL, NULL, NULL, 0, 0, NULL}};

/* Status words the card documents beyond ISO 7816 (acos5-card.md §8) */
static const struct sc_card_error acos5_errors[] = {
	{0x6282, SC_ERROR_FILE_END_REACHED, "End of file reached"},
	{0x6283, SC_ERROR_CARD_CMD_FAILED, "Selected file is deactivated"},
	{0x6700, SC_ERROR_WRONG_LENGTH, "Wrong length"},
	{0x6982, SC_ERROR_SECURITY_STATUS_NOT_SATISFIED, "Security status not satisfied"},
	{0x6983, SC_ERROR_AUTH_METHOD_BLOCKED, "Authentication method blocked"},
	{0x6985, SC_ERROR_NOT_ALLOWED, "Conditions of use not satisfied"},
	{0x6986, SC_ERROR_NOT_ALLOWED, "Command not allowed (no current EF, or no MF)"},
	{0x6A80, SC_ERROR_INCORRECT_PARAMETERS, "Incorrect data (key type does not allow this)"},
	{0x6A82, SC_ERROR_FILE_NOT_FOUND, "File not found"},
	{0x6A83, SC_ERROR_RECORD_NOT_FOUND, "Record not found"},
	{0x6A84, SC_ERROR_NOT_ENOUGH_MEMORY, "Not enough memory in the card"},
	{0x6A86, SC_ERROR_INCORRECT_PARAMETERS, "Incorrect P1 or P2"},
	{0x6A87, SC_ERROR_INCORRECT_PARAMETERS, "Lc inconsistent with P1/P2"},
	{0x6A88, SC_ERROR_DATA_OBJECT_NOT_FOUND, "Referenced data not found"},
	{0x6A89, SC_ERROR_FILE_ALREADY_EXISTS, "File already exists"},
	{0x6B00, SC_ERROR_INCORRECT_PARAMETERS, "Wrong P1/P2 (offset outside the file)"},
	{0x6D00, SC_ERROR_INS_NOT_SUPPORTED, "Instruction not supported"},
	{0x6E00, SC_ERROR_CLASS_NOT_SUPPORTED, "Class not supported"},
	{0x6F00, SC_ERROR_CARD_CMD_FAILED, "No precise diagnosis"},
	{0x9540, SC_SUCCESS, "Identify Self: ACOS5-64"},
	{0, 0, NULL}};

/* Status words that are a command's answer, not an error (acos5-card.md
 * §2.2, §2.3, §8); every APDU goes through pk_transmit_sw */
#define ACOS5_SW_NO_MF 0x6986         /* SELECT of the MF on a blank card */
#define ACOS5_SW_MORE_DATA 0x6100     /* 61 XX: XX bytes for GET RESPONSE */
#define ACOS5_SW_VALUE 0x9000         /* 90 NN: GET CARD INFO's answer in SW2 */
#define ACOS5_SW_VALUE_95 0x9500      /* 95 NN: the same, as the manual gives it */
#define ACOS5_SW_TRIES 0x63C0         /* 63 CX: X tries left */
#define ACOS5_SW_BLOCKED 0x6983       /* authentication method blocked */
static const struct pk_sw_class acos5_sw_in_sw2[] = {{ACOS5_SW_VALUE, 0xFF00},
		{ACOS5_SW_VALUE_95, 0xFF00}, PK_SW_END};
static const struct pk_sw_class acos5_sw_more_data[] = {{ACOS5_SW_MORE_DATA, 0xFF00}, PK_SW_END};
static const struct pk_sw_class acos5_sw_select[] = {{ACOS5_SW_MORE_DATA, 0xFF00},
		{ACOS5_SW_NO_MF, 0xFFFF}, PK_SW_END};
static const struct pk_sw_class acos5_sw_pin_status[] = {{ACOS5_SW_TRIES, 0xFFF0},
		{ACOS5_SW_BLOCKED, 0xFFFF}, PK_SW_END};

#define ACOS5_OP_MODE_FIPS 0x00
#define ACOS5_OP_MODE_32K 0x01
#define ACOS5_OP_MODE_64K 0x02
#define ACOS5_OP_MODE_NSH1 0x10

/* The security environment last set (MSE state lives in the card's RAM
 * and is lost when another file is selected, acos5-card.md §2.4) */
struct acos5_env {
	int operation;       /* SC_SEC_OPERATION_*, 0: none */
	u8 fid[2];           /* private key file */
	unsigned long flags; /* algorithm flags OpenSC asked for */
};

/* Where the driver's last path walk left the card (acos5-card.md §2.1): its
 * absolute path and what its last component is. Walks start from there
 * only while @p fresh, i.e. within the card transaction that recorded it. */
enum acos5_last { ACOS5_LAST_UNKNOWN, ACOS5_LAST_DF, ACOS5_LAST_EF };

struct acos5_cur {
	u8 path[SC_MAX_PATH_SIZE]; /* from 3F00 */
	size_t len;                /* 0: unknown */
	enum acos5_last last;      /* UNKNOWN: selected without its FCI */
	unsigned int fresh : 1;    /* recorded in the current card transaction */
};

/* What OpenSC selected last by absolute path: the card is moved there only
 * when a command needs it (acos5_sync), so that a path whose FCI and
 * content are known costs no APDU at all */
enum acos5_wkind { ACOS5_KIND_UNKNOWN, ACOS5_KIND_DF, ACOS5_KIND_EF };

struct acos5_want {
	u8 path[SC_MAX_PATH_SIZE];
	size_t len;          /* 0: nothing pending; commands act where the card is */
	enum acos5_wkind kind;
};

/* Records of one SE file, as read in this process: pkcs15init asks which
 * PIN an access condition means before every protected operation, and
 * each READ RECORD costs two APDUs (T=0: 6C XX, then the right Le) */
#define ACOS5_SE_RECORDS 15
#define ACOS5_SE_RECORD_MAX 64

struct acos5_se_cache {
	unsigned int df_fid, se_fid; /* 0: empty */
	u8 rec[ACOS5_SE_RECORDS][ACOS5_SE_RECORD_MAX];
	size_t len[ACOS5_SE_RECORDS];
	unsigned int known;     /* bit n-1: record n known */
	unsigned int count;     /* records the file has, once a READ RECORD found the end; 0 unknown */
};

struct acos5_priv {
	const struct acos5_gen *gen;
	struct acos5_os_version os;
	unsigned int op_mode;
	unsigned int op_mode_known : 1; /* op_mode read from the card (V3) */
	char name[64];
	struct acos5_env env;
	uint64_t verified;      /* bit n: PIN reference n verified (n 1..31 global, 33..63 local) */
	unsigned int df_fid;    /* current DF as last selected (0: unknown) */
	unsigned int df_se_fid; /* its SE file (tag 8D), 0: none */
	unsigned int df_se_known : 1; /* df_se_fid is from the DF's FCI */
	unsigned int stamped : 1; /* lastUpdate rewritten in this card transaction (acos5_stamp) */
	struct acos5_cur cur;
	struct acos5_want want;
	struct pk_fcache fc;
	struct acos5_se_cache se; /* SE records read in this process */
	u8 fci[SC_MAX_APDU_RESP_SIZE]; /* the FCI the last SELECT gave */
	size_t fcilen;
};

#define DRVDATA(card) ((struct acos5_priv *)((card)->drv_data))

static struct sc_card_operations acos5_ops;
static const struct sc_card_operations *iso_ops;
static struct sc_card_driver acos5_drv = {
	"ACS ACOS5 (pkicards)", PK_ACOS5_SHORT_NAME, &acos5_ops, NULL, 0, NULL};

static const struct acos5_gen *
acos5_gen_of(int type)
{
	size_t i;

	for (i = 0; i < sizeof(acos5_gens) / sizeof(acos5_gens[0]); i++) {
		if (acos5_gens[i].type == type)
			return &acos5_gens[i];
	}
	return NULL;
}

static void acos5_forget(struct sc_card *card);

/* A command that failed may have left the card anywhere: walks start from
 * the MF again */
static int
acos5_check_sw(struct sc_card *card, unsigned int sw1, unsigned int sw2)
{
	int r = pk_check_sw_table(card, acos5_errors, sw1, sw2);

	if (r < 0 && card->drv_data)
		acos5_forget(card);
	return r;
}

static int
acos5_match_card(struct sc_card *card)
{
	int type = 0;

	if (_sc_match_atr(card, acos5_atrs, &type) < 0 || !acos5_gen_of(type))
		return 0;
	card->type = type;
	return 1;
}

/* GET CARD INFO whose answer is in SW2 (count files, op mode): 90 NN */
static int
acos5_card_info_sw2(struct sc_card *card, u8 p1, u8 p2, unsigned int *value)
{
	struct sc_apdu apdu;
	unsigned int sw;
	int r;

	pk_apdu(&apdu, 0x80, 0x14, p1, p2, NULL, NULL, 0);
	r = pk_transmit_sw(card, &apdu, acos5_sw_in_sw2, &sw);
	if (r < 0)
		return r;
	*value = PK_SW2(sw);
	return 0;
}

/* GET CARD INFO returning data: exactly @p len bytes expected */
static int
acos5_card_info_data(struct sc_card *card, u8 p1, u8 p2, u8 *out, size_t len)
{
	struct sc_apdu apdu;
	int r;

	pk_apdu(&apdu, 0x80, 0x14, p1, p2, NULL, out, len);
	r = pk_transmit(card, &apdu);
	LOG_TEST_RET(card->ctx, r, "GET CARD INFO failed");
	if (apdu.resplen != len) {
		sc_log(card->ctx, "GET CARD INFO %02X: %" SC_FORMAT_LEN_SIZE_T "u bytes, expected %" SC_FORMAT_LEN_SIZE_T "u",
				p1, apdu.resplen, len);
		return SC_ERROR_INVALID_DATA;
	}
	return 0;
}

/* The OS version (80 14 06 00, acos5-card.md §1): "ACOS" 05, the major
 * version of the generation the ATR claims. Identify Self (80 14 05 00:
 * SW 95 40 on V2 and V3, 95 C0 on EVO) tells nothing more: the OS version
 * names the generation (EVO: major 4), so it is not asked. */
static int
acos5_identify(struct sc_card *card, struct acos5_priv *priv)
{
	u8 ver[8];
	int r;

	r = acos5_card_info_data(card, 0x06, 0x00, ver, sizeof(ver));
	if (r == SC_ERROR_CARD_REMOVED || r == SC_ERROR_CARD_RESET)
		return r; /* lost in the middle (pk-guard.c), not another card */
	if (r == 0)
		r = acos5_parse_os_version(ver, sizeof(ver), &priv->os);
	if (r < 0 || priv->os.major != priv->gen->os_major) {
		sc_log(card->ctx, "OS version does not match %s", priv->gen->name);
		return SC_ERROR_INVALID_CARD;
	}
	return 0;
}

static const char *
acos5_mode_name(unsigned int mode)
{
	switch (mode) {
	case ACOS5_OP_MODE_FIPS:
		return "FIPS mode";
	case ACOS5_OP_MODE_32K:
		return "emulated 32K mode";
	case ACOS5_OP_MODE_64K:
		return "64K mode";
	case ACOS5_OP_MODE_NSH1:
		return "NSH-1 mode";
	default:
		return "unknown mode";
	}
}

static int
acos5_probe(struct sc_card *card, struct acos5_priv *priv)
{
	int r;

	if (!priv->op_mode_known)
		priv->op_mode = ACOS5_OP_MODE_64K;
	if (priv->gen->os_major) {
		r = acos5_identify(card, priv);
		LOG_TEST_RET(card->ctx, r, "card is not the ACOS5 its ATR claims");
	}
	if (priv->gen->has_op_mode) {
		/* read already when the file cache was looked for */
		r = priv->op_mode_known ? 0 : acos5_card_info_sw2(card, 0x09, 0x00, &priv->op_mode);
		LOG_TEST_RET(card->ctx, r, "cannot read the operation mode");
		snprintf(priv->name, sizeof(priv->name), "%s (%s)", priv->gen->name,
				acos5_mode_name(priv->op_mode));
	} else {
		snprintf(priv->name, sizeof(priv->name), "%s", priv->gen->name);
	}
	return 0;
}

static int acos5_key_size_ok(const struct acos5_priv *priv, unsigned int bits);
static int acos5_logout(struct sc_card *card);
static int acos5_select_path(struct sc_card *card, const u8 *path, size_t len, struct sc_file **file_out);
static int acos5_free_space(struct sc_card *card, unsigned int *bytes);
static int acos5_read_serial(struct sc_card *card);
static int acos5_cache_open(struct sc_card *card, struct acos5_priv *priv);
static void acos5_cache_start(struct sc_card *card, struct acos5_priv *priv);

static void
acos5_add_algorithms(struct sc_card *card, const struct acos5_priv *priv)
{
	/* The card signs SHA-1 and SHA-256 hashes itself (hash-only PSO); the
	 * driver pads other hashes and uses raw RSA (decrypt-capable keys). */
	const unsigned long flags = SC_ALGORITHM_RSA_RAW | SC_ALGORITHM_RSA_PAD_PKCS1 |
			SC_ALGORITHM_RSA_HASH_NONE | SC_ALGORITHM_RSA_HASH_SHA1 |
			SC_ALGORITHM_RSA_HASH_SHA224 | SC_ALGORITHM_RSA_HASH_SHA256 |
			SC_ALGORITHM_RSA_HASH_SHA384 | SC_ALGORITHM_RSA_HASH_SHA512 |
			SC_ALGORITHM_ONBOARD_KEY_GEN;
	unsigned int bits;

	for (bits = priv->gen->rsa_min; bits <= priv->gen->rsa_max; bits += priv->gen->rsa_step) {
		if (acos5_key_size_ok(priv, bits))
			_sc_card_add_rsa_alg(card, bits, flags, 0x10001);
	}
}

static int
acos5_init(struct sc_card *card)
{
	struct acos5_priv *priv;
	int r;

	LOG_FUNC_CALLED(card->ctx);
	priv = calloc(1, sizeof(*priv));
	if (!priv)
		LOG_FUNC_RETURN(card->ctx, SC_ERROR_OUT_OF_MEMORY);
	priv->gen = acos5_gen_of(card->type);
	if (!priv->gen) {
		free(priv);
		LOG_FUNC_RETURN(card->ctx, SC_ERROR_INVALID_CARD);
	}
	card->drv_data = priv;
	card->cla = 0x00;
	card->max_send_size = 255;
	card->max_recv_size = 256;
	card->caps |= SC_CARD_CAP_RNG;
	pk_guard_attach(card);
	r = acos5_cache_open(card, priv) == 0 ? 0 : acos5_probe(card, priv);
	if (r < 0) {
		pk_guard_detach(card);
		pk_fcache_free(&priv->fc);
		free(priv);
		card->drv_data = NULL;
		LOG_FUNC_RETURN(card->ctx, r);
	}
	acos5_cache_start(card, priv);
	card->name = priv->name;
	acos5_add_algorithms(card, priv);
	pk_card_explain_keygen(card);
	LOG_FUNC_RETURN(card->ctx, SC_SUCCESS);
}

/* ---- the persisted file cache (pk-fcache.h, doc/acos5.md "File cache") ------ */

#define ACOS5_FP_LEN 6

/* The card state a persisted cache belongs to: generation, OS version,
 * operation mode and the free EEPROM counter, which every CREATE and DELETE
 * FILE changes (the original ACOS5 has no such counter: FF FF) */
static int
acos5_fingerprint(struct sc_card *card, u8 fp[ACOS5_FP_LEN])
{
	struct acos5_priv *priv = DRVDATA(card);
	unsigned int space = 0xFFFF;
	int r;

	if (priv->gen->has_free_space) {
		r = acos5_free_space(card, &space);
		LOG_TEST_RET(card->ctx, r, "cannot read the free space");
	}
	fp[0] = (u8)(card->type & 0xFF);
	fp[1] = (u8)priv->os.major;
	fp[2] = (u8)priv->os.minor;
	fp[3] = (u8)priv->op_mode;
	fp[4] = (u8)(space >> 8);
	fp[5] = (u8)space;
	return 0;
}

/* Every validator file (EF(TokenInfo)) still holds what the cache says */
static int
acos5_validators_hold(struct sc_card *card)
{
	struct acos5_priv *priv = DRVDATA(card);
	const struct pk_fcache_entry *e;
	u8 buf[256];
	size_t off, n;
	int r, seen = 0;

	for (e = priv->fc.head; e; e = e->next) {
		if (!e->validator || !e->complete || !e->datalen)
			continue;
		r = acos5_select_path(card, e->path, e->pathlen, NULL);
		for (off = 0; r == 0 && off < e->datalen; off += n) {
			n = e->datalen - off > sizeof(buf) ? sizeof(buf) : e->datalen - off;
			r = iso_ops->read_binary(card, (unsigned int)off, buf, n, PK_NO_RB_FLAGS);
			if (r >= 0)
				r = (size_t)r == n && memcmp(buf, e->data + off, n) == 0 ? 0 : 1;
		}
		if (r != 0)
			return 1;
		seen = 1;
	}
	return seen ? 0 : 1;
}

/* The persisted cache of this card, if it still shows the card as it is.
 * Its fingerprint also names the card's OS version and mode, so a valid
 * cache spares the OS version query. @return 0 the card is
 * identified from the cache, 1 not (probe it) */
static int
acos5_cache_open(struct sc_card *card, struct acos5_priv *priv)
{
	scconf_block *blk = sc_get_conf_block(card->ctx, "card_driver", PK_ACOS5_SHORT_NAME, 1);
	u8 fp[ACOS5_FP_LEN];
	int r, loaded = 0, ok = 0;

	priv->fc.enabled = blk ? scconf_get_bool(blk, "file_caching", 0) : 0;
	/* Without the free EEPROM counter nothing shows a file created or
	 * deleted elsewhere (a certificate stored from another machine leaves
	 * EF(TokenInfo) as it is in our layout): the original ACOS5 keeps what
	 * it read for this process only, and no cache is written or read */
	if (!priv->fc.enabled || !priv->gen->has_free_space)
		return 1;
	if (sc_lock(card) < 0)
		return 1;
	priv->op_mode = ACOS5_OP_MODE_64K;
	r = priv->gen->has_op_mode ? acos5_card_info_sw2(card, 0x09, 0x00, &priv->op_mode) : 0;
	priv->op_mode_known = r == 0 && priv->gen->has_op_mode;
	if (r == 0)
		r = acos5_read_serial(card);
	if (r == 0)
		r = pk_fcache_name(card->ctx, &priv->fc, PK_ACOS5_SHORT_NAME, card->serialnr.value,
				card->serialnr.len);
	if (r == 0)
		loaded = pk_fcache_load(card->ctx, &priv->fc) == 0;
	if (loaded && priv->fc.fplen == ACOS5_FP_LEN && priv->fc.fp[0] == (u8)(card->type & 0xFF) &&
			priv->fc.fp[3] == (u8)priv->op_mode) {
		priv->os.major = priv->fc.fp[1];
		priv->os.minor = priv->fc.fp[2];
		ok = acos5_fingerprint(card, fp) == 0 && memcmp(fp, priv->fc.fp, ACOS5_FP_LEN) == 0 &&
		     acos5_validators_hold(card) == 0;
	}
	if (loaded && !ok) {
		sc_log(card->ctx, "the card changed since its file cache was written: cache discarded");
		pk_fcache_clear(&priv->fc);
		remove(priv->fc.file);
	}
	acos5_forget(card);
	sc_unlock(card);
	if (!ok)
		return 1;
	if (priv->gen->has_op_mode)
		snprintf(priv->name, sizeof(priv->name), "%s (%s)", priv->gen->name,
				acos5_mode_name(priv->op_mode));
	else
		snprintf(priv->name, sizeof(priv->name), "%s", priv->gen->name);
	sc_log(card->ctx, "%s identified by its file cache %s", priv->name, priv->fc.file);
	return 0;
}

/* The state this process starts from, for the cache it may write */
static void
acos5_cache_start(struct sc_card *card, struct acos5_priv *priv)
{
	if (!priv->fc.enabled || priv->fc.fplen || !priv->gen->has_free_space)
		return; /* no cache file: pk_fcache_save writes none */
	if (acos5_read_serial(card) < 0 || acos5_fingerprint(card, priv->fc.fp) < 0 ||
			pk_fcache_name(card->ctx, &priv->fc, PK_ACOS5_SHORT_NAME, card->serialnr.value,
					card->serialnr.len) < 0) {
		priv->fc.enabled = 0;
		return;
	}
	priv->fc.fplen = ACOS5_FP_LEN;
}

static int
acos5_finish(struct sc_card *card)
{
	struct acos5_priv *priv = DRVDATA(card);

	pk_guard_detach(card);
	/* A PIN this process verified would stay verified on the card for the
	 * next program that uses it: OpenSC leaves the card as it is when it
	 * disconnects, and pkcs15-init and pkcs15-tool never log out (after
	 * pkcs15-init --so-pin, anyone could delete files). Errors are not
	 * reported: a card that is gone or was reset has forgotten them. */
	if (priv && priv->verified && sc_lock(card) == 0) {
		if (acos5_logout(card) < 0)
			sc_log(card->ctx, "LOGOUT at the end failed: the card was removed or reset");
		sc_unlock(card);
	}
	if (priv) {
		pk_fcache_save(card->ctx, &priv->fc);
		pk_fcache_free(&priv->fc);
	}
	free(card->drv_data);
	card->drv_data = NULL;
	return 0;
}

/* ---- files ------------------------------------------------------------- */

/* SCB → OpenSC access condition. 00 always, FF never; otherwise the low
 * nibble names a record of the DF's SE file (acos5-card.md §3.3). */
static void
acos5_add_acl(struct sc_file *file, unsigned int op, u8 scb)
{
	if (scb == 0x00)
		sc_file_add_acl_entry(file, op, SC_AC_NONE, SC_AC_KEY_REF_NONE);
	else if (scb == 0xFF)
		sc_file_add_acl_entry(file, op, SC_AC_NEVER, SC_AC_KEY_REF_NONE);
	else
		sc_file_add_acl_entry(file, op, (scb & 0x40) ? SC_AC_PRO : SC_AC_SEN, scb & 0x0F);
}

/* Which OpenSC operations each AM bit governs, per file kind */
struct acos5_acl_map {
	int bit;
	unsigned int op;
};

/* The first row of an AM bit is also the operation construct_fci takes the
 * SCB from (pkcs15init asks for CREATE on the parent DF). */
static const struct acos5_acl_map acos5_df_acl[] = {
	{0, SC_AC_OP_DELETE}, {1, SC_AC_OP_CREATE}, {1, SC_AC_OP_CREATE_EF},
	{2, SC_AC_OP_CREATE_DF}, {3, SC_AC_OP_DEACTIVATE}, {3, SC_AC_OP_INVALIDATE},
	{4, SC_AC_OP_ACTIVATE}, {4, SC_AC_OP_REHABILITATE}, {5, SC_AC_OP_LOCK},
	{6, SC_AC_OP_DELETE_SELF}, {-1, 0}};
static const struct acos5_acl_map acos5_ef_acl[] = {
	{0, SC_AC_OP_READ}, {1, SC_AC_OP_UPDATE}, {1, SC_AC_OP_WRITE},
	{1, SC_AC_OP_ERASE}, {3, SC_AC_OP_DEACTIVATE}, {3, SC_AC_OP_INVALIDATE},
	{4, SC_AC_OP_ACTIVATE}, {4, SC_AC_OP_REHABILITATE}, {5, SC_AC_OP_LOCK},
	{6, SC_AC_OP_DELETE_SELF}, {-1, 0}};
static const struct acos5_acl_map acos5_key_acl[] = {
	{0, SC_AC_OP_READ}, {1, SC_AC_OP_UPDATE}, {1, SC_AC_OP_WRITE},
	{2, SC_AC_OP_CRYPTO}, {2, SC_AC_OP_GENERATE}, {2, SC_AC_OP_PSO_COMPUTE_SIGNATURE},
	{2, SC_AC_OP_PSO_DECRYPT}, {3, SC_AC_OP_DEACTIVATE}, {4, SC_AC_OP_ACTIVATE},
	{5, SC_AC_OP_LOCK}, {6, SC_AC_OP_DELETE_SELF}, {-1, 0}};

struct acos5_kind {
	unsigned int fdb;
	int type;
	int structure;
	const struct acos5_acl_map *acl;
};

static const struct acos5_kind acos5_kinds[] = {
	{ACOS5_FDB_MF, SC_FILE_TYPE_DF, 0, acos5_df_acl},
	{ACOS5_FDB_DF, SC_FILE_TYPE_DF, 0, acos5_df_acl},
	{ACOS5_FDB_TRANSPARENT, SC_FILE_TYPE_WORKING_EF, SC_FILE_EF_TRANSPARENT, acos5_ef_acl},
	{ACOS5_FDB_LINEAR_FIXED, SC_FILE_TYPE_WORKING_EF, SC_FILE_EF_LINEAR_FIXED, acos5_ef_acl},
	{ACOS5_FDB_LINEAR_VARIABLE, SC_FILE_TYPE_WORKING_EF, SC_FILE_EF_LINEAR_VARIABLE, acos5_ef_acl},
	{ACOS5_FDB_CYCLIC, SC_FILE_TYPE_WORKING_EF, SC_FILE_EF_CYCLIC, acos5_ef_acl},
	{ACOS5_FDB_RSA_KEY, SC_FILE_TYPE_INTERNAL_EF, SC_FILE_EF_TRANSPARENT, acos5_key_acl},
	{ACOS5_FDB_CHV, SC_FILE_TYPE_INTERNAL_EF, SC_FILE_EF_LINEAR_FIXED, acos5_ef_acl},
	{ACOS5_FDB_SYM_KEY, SC_FILE_TYPE_INTERNAL_EF, SC_FILE_EF_LINEAR_VARIABLE, acos5_key_acl},
	{ACOS5_FDB_PURSE, SC_FILE_TYPE_INTERNAL_EF, SC_FILE_EF_CYCLIC, acos5_ef_acl},
	{ACOS5_FDB_SE, SC_FILE_TYPE_INTERNAL_EF, SC_FILE_EF_LINEAR_VARIABLE, acos5_ef_acl},
};

static const struct acos5_kind *
acos5_kind_of(unsigned int fdb)
{
	size_t i;

	for (i = 0; i < sizeof(acos5_kinds) / sizeof(acos5_kinds[0]); i++) {
		if (acos5_kinds[i].fdb == fdb)
			return &acos5_kinds[i];
	}
	return NULL;
}

static int
acos5_file_status(unsigned int lcsi)
{
	switch (lcsi) {
	case 0x01:
		return SC_FILE_STATUS_CREATION;
	case 0x04:
	case 0x06:
		return SC_FILE_STATUS_INVALIDATED;
	case 0x05:
	case 0x07:
		return SC_FILE_STATUS_ACTIVATED;
	default:
		return SC_FILE_STATUS_UNKNOWN;
	}
}

static int
acos5_fci_to_file(const struct acos5_fci *fci, struct sc_file *file)
{
	const struct acos5_kind *kind = acos5_kind_of(fci->fdb);
	const struct acos5_acl_map *m;

	if (!kind)
		return SC_ERROR_INVALID_DATA;
	file->id = (int)fci->fid;
	file->type = kind->type;
	file->ef_structure = kind->structure;
	file->shareable = 0;
	file->status = (fci->flags & ACOS5_FCI_HAS_LCSI) ? acos5_file_status(fci->lcsi)
							  : SC_FILE_STATUS_UNKNOWN;
	/* LCSI 01 (created, not activated): the card ignores the SCBs */
	file->acl_inactive = file->status == SC_FILE_STATUS_CREATION;
	if (fci->flags & ACOS5_FCI_HAS_SIZE)
		file->size = fci->size;
	else if (fci->mrl && fci->nor)
		file->size = (size_t)fci->mrl * fci->nor;
	file->record_length = fci->mrl;
	file->record_count = fci->nor;
	if (fci->name_len) {
		memcpy(file->name, fci->name, fci->name_len);
		file->namelen = fci->name_len;
	}
	for (m = kind->acl; m->bit >= 0; m++)
		acos5_add_acl(file, m->op, fci->scb[m->bit]);
	return 0;
}

/* Remember the current DF and its SE file from a SELECT answer */
static void
acos5_track_df(struct sc_card *card, const u8 *buf, size_t len)
{
	struct acos5_priv *priv = DRVDATA(card);
	struct acos5_fci fci;

	if (acos5_parse_fci(buf, len, &fci) < 0 || !acos5_fdb_is_df(fci.fdb))
		return;
	priv->df_fid = fci.fid;
	priv->df_se_fid = (fci.flags & ACOS5_FCI_HAS_SE) ? fci.se_fid : 0;
	priv->df_se_known = 1;
}

static int
acos5_process_fci(struct sc_card *card, struct sc_file *file, const u8 *buf, size_t len)
{
	struct acos5_fci fci;
	int r;

	r = acos5_parse_fci(buf, len, &fci);
	LOG_TEST_RET(card->ctx, r, "malformed FCI");
	r = acos5_fci_to_file(&fci, file);
	LOG_TEST_RET(card->ctx, r, "FCI names an unknown file type");
	return 0;
}

/* ---- file creation (acos5-card.md §3.1-§3.3) ---------------------------------- */

/* OpenSC access condition → SCB: NONE 00, NEVER FF, SEN n → SE record n */
static int
acos5_scb_of(struct sc_card *card, const struct sc_file *file, unsigned int op, u8 *scb)
{
	const struct sc_acl_entry *e = sc_file_get_acl_entry(file, op);

	if (!e) {
		sc_log(card->ctx, "file %04X: no access condition for operation %u", file->id, op);
		return SC_ERROR_INVALID_ARGUMENTS;
	}
	if (e->method == SC_AC_NONE || e->method == SC_AC_NEVER) {
		*scb = e->method == SC_AC_NONE ? 0x00 : 0xFF;
		return 0;
	}
	if (e->method == SC_AC_SEN && e->key_ref >= 1 && e->key_ref <= 14 && !e->next) {
		*scb = (u8)e->key_ref;
		return 0;
	}
	sc_log(card->ctx, "file %04X, operation %u: ACOS5 access conditions are SE records "
			  "(SEN1..SEN14 in the profile), NONE or NEVER; method %u ref %u is not",
			file->id, op, e->method, e->key_ref);
	return SC_ERROR_NOT_SUPPORTED;
}

/* One SCB per AM bit, from the first operation of that bit in the map */
static int
acos5_scbs_of(struct sc_card *card, const struct sc_file *file,
		const struct acos5_acl_map *map, u8 scb[ACOS5_SCB_COUNT])
{
	int bit, r;

	for (bit = 0; bit < ACOS5_SCB_COUNT; bit++) {
		const struct acos5_acl_map *m = map;

		while (m->bit >= 0 && m->bit != bit)
			m++;
		scb[bit] = 0xFF;
		if (m->bit >= 0 && (r = acos5_scb_of(card, file, m->op, &scb[bit])) < 0)
			return r;
	}
	return 0;
}

/* FDB: DFs by type, working EFs by structure, internal EFs from prop-attr */
static int
acos5_fdb_of(struct sc_card *card, const struct sc_file *file, unsigned int *fdb)
{
	static const struct {
		unsigned int structure;
		unsigned int fdb;
	} ef[] = {{SC_FILE_EF_TRANSPARENT, ACOS5_FDB_TRANSPARENT},
			{SC_FILE_EF_LINEAR_FIXED, ACOS5_FDB_LINEAR_FIXED},
			{SC_FILE_EF_LINEAR_VARIABLE, ACOS5_FDB_LINEAR_VARIABLE},
			{SC_FILE_EF_CYCLIC, ACOS5_FDB_CYCLIC}};
	size_t i;

	if (file->type == SC_FILE_TYPE_DF) {
		*fdb = file->id == 0x3F00 ? ACOS5_FDB_MF : ACOS5_FDB_DF;
		return 0;
	}
	if (file->type == SC_FILE_TYPE_INTERNAL_EF && file->prop_attr_len >= 1 &&
			acos5_kind_of(file->prop_attr[0])) {
		*fdb = file->prop_attr[0];
		return 0;
	}
	for (i = 0; file->type == SC_FILE_TYPE_WORKING_EF && i < sizeof(ef) / sizeof(ef[0]); i++) {
		if (ef[i].structure == file->ef_structure) {
			*fdb = ef[i].fdb;
			return 0;
		}
	}
	sc_log(card->ctx, "file %04X: cannot tell its ACOS5 file type; internal EFs need "
			  "'prop-attr' with the FDB (09 RSA key, 0A PIN, 0C sym key, 1C SE)", file->id);
	return SC_ERROR_NOT_SUPPORTED;
}

/* Size, record layout, SE file and name of @p file into @p fci */
static int
acos5_layout_of(struct sc_card *card, const struct sc_file *file, struct acos5_fci *fci)
{
	if (acos5_fdb_is_df(fci->fdb)) {
		fci->flags |= ACOS5_FCI_HAS_SE;
		fci->se_fid = fci->fdb == ACOS5_FDB_MF ? 0x0003 : fci->fid + 3;
		if (file->namelen > sizeof(fci->name))
			return SC_ERROR_INVALID_ARGUMENTS;
		memcpy(fci->name, file->name, file->namelen);
		fci->name_len = file->namelen;
		return 0;
	}
	if (!acos5_fdb_is_record(fci->fdb)) {
		fci->flags |= ACOS5_FCI_HAS_SIZE;
		fci->size = file->size;
		return 0;
	}
	fci->mrl = (unsigned int)file->record_length;
	fci->nor = file->record_count ? (unsigned int)file->record_count
				       : (fci->mrl ? (unsigned int)(file->size / fci->mrl) : 0);
	if (fci->mrl == 0 || fci->nor == 0) {
		sc_log(card->ctx, "file %04X: record files need record-length and size", file->id);
		return SC_ERROR_INVALID_ARGUMENTS;
	}
	return 0;
}

static int
acos5_construct_fci(struct sc_card *card, const struct sc_file *file, u8 *out, size_t *outlen)
{
	struct acos5_fci fci;
	const struct acos5_kind *kind;
	struct pk_buf b;
	int r;

	LOG_FUNC_CALLED(card->ctx);
	memset(&fci, 0, sizeof(fci));
	fci.fid = (unsigned int)file->id;
	r = acos5_fdb_of(card, file, &fci.fdb);
	LOG_TEST_RET(card->ctx, r, "file type");
	kind = acos5_kind_of(fci.fdb);
	r = acos5_layout_of(card, file, &fci);
	LOG_TEST_RET(card->ctx, r, "file layout");
	r = acos5_scbs_of(card, file, kind->acl, fci.scb);
	LOG_TEST_RET(card->ctx, r, "access conditions");
	pk_buf_init(&b, out, *outlen);
	r = acos5_build_fcp(&fci, &b);
	LOG_TEST_RET(card->ctx, r, "cannot encode the FCP");
	*outlen = b.len;
	LOG_FUNC_RETURN(card->ctx, SC_SUCCESS);
}

/* ---- SELECT (acos5-card.md §2.1) --------------------------------------------- */

/* SELECT answered 69 86 (acos5_sw_select): for the MF, a blank card */
static int
acos5_select_refused(struct sc_card *card, unsigned int sw, const u8 *id, size_t idlen)
{
	if (sw == ACOS5_SW_NO_MF && idlen == 2 && id[0] == 0x3F && id[1] == 0x00) {
		sc_log(card->ctx, "The card has no MF: it is blank. Initialise it with "
				  "'pkcs15-init --create-pkcs15'");
		return SC_ERROR_FILE_NOT_FOUND;
	}
	return pk_sw_error(card, sw);
}

/* SELECT (00 A4 P1 00): by FID (P1=00) or DF name (P1=04); P2 must be 00.
 * The FCI (61 XX, GET RESPONSE) tells the current DF and fills @p file_out. */
static int
acos5_select(struct sc_card *card, u8 p1, const u8 *id, size_t idlen,
		struct sc_file **file_out)
{
	struct sc_apdu apdu;
	u8 resp[SC_MAX_APDU_RESP_SIZE];
	struct sc_file *file;
	unsigned int sw;
	int r;

	sc_format_apdu_ex(&apdu, 0x00, 0xA4, p1, 0x00, id, idlen, resp, sizeof(resp));
	r = pk_transmit_sw(card, &apdu, acos5_sw_select, &sw);
	if (r == 0 && sw == ACOS5_SW_NO_MF)
		r = acos5_select_refused(card, sw, id, idlen);
	LOG_TEST_RET(card->ctx, r, "SELECT failed");
	acos5_track_df(card, apdu.resp, apdu.resplen);
	DRVDATA(card)->fcilen = 0;
	if (apdu.resplen <= sizeof(DRVDATA(card)->fci)) {
		memcpy(DRVDATA(card)->fci, apdu.resp, apdu.resplen);
		DRVDATA(card)->fcilen = apdu.resplen;
	}
	if (!file_out)
		return 0;
	file = sc_file_new();
	if (!file)
		return SC_ERROR_OUT_OF_MEMORY;
	r = acos5_process_fci(card, file, apdu.resp, apdu.resplen);
	if (r < 0) {
		sc_file_free(file);
		return r;
	}
	if (idlen == 2 && file->id != (id[0] << 8 | id[1])) {
		sc_file_free(file);
		LOG_TEST_RET(card->ctx, SC_ERROR_INVALID_DATA, "FCI names another file");
	}
	*file_out = file;
	return 0;
}

/* SELECT by FID without its FCI: the card announces it (61 XX) and drops
 * it with the next command (T=0, acos5-card.md §2); P2=0C is refused (6A 86) */
static int
acos5_select_quiet(struct sc_card *card, const u8 fid[2])
{
	struct sc_apdu apdu;
	unsigned int sw;
	int r;

	sc_format_apdu_ex(&apdu, 0x00, 0xA4, 0x00, 0x00, fid, 2, NULL, 0);
	apdu.flags |= SC_APDU_FLAGS_NO_GET_RESP;
	r = pk_transmit_sw(card, &apdu, acos5_sw_select, &sw);
	if (r == 0 && sw == ACOS5_SW_NO_MF)
		r = acos5_select_refused(card, sw, fid, 2);
	LOG_TEST_RET(card->ctx, r, "SELECT failed");
	return 0;
}

static void acos5_want(struct sc_card *card, const u8 *path, size_t len, enum acos5_wkind kind);

/* The remembered walk no longer says where the card is */
static void
acos5_forget(struct sc_card *card)
{
	DRVDATA(card)->cur.len = 0;
	DRVDATA(card)->cur.fresh = 0;
}

/* A new card transaction (sc_lock from 0) or a reset: another process may
 * have selected other files since, so walks start from the MF again */
static int
acos5_reader_lock_obtained(struct sc_card *card, int was_reset)
{
	struct acos5_priv *priv = DRVDATA(card);

	if (!priv)
		return 0;
	priv->cur.fresh = 0;
	priv->stamped = 0;
	if (was_reset) { /* the card lost its security state too */
		acos5_forget(card);
		priv->df_fid = 0;
		priv->df_se_known = 0;
		priv->verified = 0;
	}
	return 0;
}

/* The remembered walk may shorten this one: recorded in this transaction,
 * which is still held (readers without transactions never qualify) */
static int
acos5_cur_usable(struct sc_card *card)
{
	const struct acos5_cur *cur = &DRVDATA(card)->cur;

	return cur->len && cur->fresh && card->lock_count > 0 && card->cache.valid &&
	       card->reader && card->reader->ops && card->reader->ops->lock;
}

/* Note that the walk reached @p path (@p len bytes) and the current DF */
static void
acos5_note_walk(struct sc_card *card, const u8 *path, size_t len, enum acos5_last last)
{
	struct acos5_priv *priv = DRVDATA(card);
	size_t df = last == ACOS5_LAST_EF ? len - 2 : len;
	unsigned int fid = df >= 2 ? (unsigned int)path[df - 2] << 8 | path[df - 1] : 0;

	memmove(priv->cur.path, path, len);
	priv->cur.len = len;
	priv->cur.last = last;
	priv->cur.fresh = 1;
	if (last == ACOS5_LAST_UNKNOWN) {
		priv->df_fid = 0; /* the component or its parent: acos5_resolve_df */
		priv->df_se_known = 0;
	} else if (fid && priv->df_fid != fid) {
		priv->df_fid = fid;
		priv->df_se_known = 0;
	}
}

/* Where a walk to the absolute @p path may start (bytes of @p path already
 * selected): after the current DF when @p path leads through it. Selecting
 * a child of the current DF finds that child first (search order, acos5-card.md
 * §2.1); a sibling or the parent could be shadowed by a child of the same
 * FID, so those walks start at the MF. A last component selected without
 * its FCI may be an EF: walking on from it is what a walk from the MF does. */
static size_t
acos5_walk_from(struct sc_card *card, const u8 *path, size_t len)
{
	const struct acos5_cur *cur = &DRVDATA(card)->cur;
	size_t df;

	if (!acos5_cur_usable(card))
		return 0;
	df = cur->last == ACOS5_LAST_EF ? cur->len - 2 : cur->len;
	if (df > len || memcmp(cur->path, path, df) != 0)
		return 0;
	return df;
}

/* The FCI the last SELECT gave is that of @p path: into the file cache.
 * Content is kept only for EFs anyone may read (READ/GET KEY condition
 * "always"): transparent EFs and RSA public key files. */
static void
acos5_learn_fci(struct sc_card *card, const u8 *path, size_t len)
{
	struct acos5_priv *priv = DRVDATA(card);
	struct pk_fcache_entry *e;
	struct acos5_fci f;
	int pub;

	if (!priv->fcilen || acos5_parse_fci(priv->fci, priv->fcilen, &f) < 0)
		return;
	e = pk_fcache_add(&priv->fc, path, len);
	if (!e)
		return;
	pub = (f.fdb == ACOS5_FDB_TRANSPARENT || f.fdb == ACOS5_FDB_RSA_KEY) && f.scb[0] == 0x00 &&
	      (f.flags & ACOS5_FCI_HAS_SIZE);
	pk_fcache_set_fci(&priv->fc, e, priv->fci, priv->fcilen,
			(f.flags & ACOS5_FCI_HAS_SIZE) ? f.size : 0, pub);
	/* EF(TokenInfo) of a PKCS#15 application: every PKCS#15 writer
	 * changes its lastUpdate, so it tells whether the cache still holds */
	if (len >= 4 && path[len - 2] == 0x50 && path[len - 1] == 0x32 && f.fdb == ACOS5_FDB_TRANSPARENT)
		e->validator = 1;
}

/* 1 if the FCI of the MF's DF on @p path is not in the file cache (and
 * the cache is in use) */
static int
acos5_df_unknown(struct sc_card *card, const u8 *path)
{
	const struct pk_fcache_entry *e = pk_fcache_get(&DRVDATA(card)->fc, path, 4);

	return DRVDATA(card)->fc.enabled && (!e || !e->fcilen);
}

/* A DF of the MF whose FCI (so its DF name) is known is selected by name
 * in one SELECT instead of the MF and then the DF: names are unique, so no
 * file of the same FID can shadow it. @return 1 done, 0 not possible */
static int
acos5_select_named_df(struct sc_card *card, const u8 *path)
{
	struct pk_fcache_entry *e = pk_fcache_get(&DRVDATA(card)->fc, path, 4);
	struct sc_apdu apdu;
	struct acos5_fci f;
	unsigned int sw = 0;
	int r;

	if (!e || !e->fcilen || acos5_parse_fci(e->fci, e->fcilen, &f) < 0 || !acos5_fdb_is_df(f.fdb) ||
			f.name_len == 0)
		return 0;
	sc_format_apdu_ex(&apdu, 0x00, 0xA4, 0x04, 0x00, f.name, f.name_len, NULL, 0);
	apdu.flags |= SC_APDU_FLAGS_NO_GET_RESP;
	r = pk_transmit_sw(card, &apdu, acos5_sw_more_data, &sw);
	if (r < 0 || (sw & 0xFF00) != ACOS5_SW_MORE_DATA) {
		acos5_forget(card);
		return 0;
	}
	acos5_note_walk(card, path, 4, ACOS5_LAST_DF);
	return 1;
}

/* A DF of the MF whose FCI is not known yet but which EF.DIR, read in this
 * process (OpenSC's card->app), names by path and AID: selected by that AID
 * with its FCI, one SELECT and its GET RESPONSE instead of the MF, the DF
 * and its GET RESPONSE. The FCI must name the DF of the path's FID by that
 * very name (a name is unique on the card, acos5-card.md §2.1); anything
 * else leaves the position unknown and the walk starts at the MF.
 * @return 1 done, 0 not possible */
static int
acos5_select_app_df(struct sc_card *card, const u8 *path)
{
	struct acos5_priv *priv = DRVDATA(card);
	const struct sc_app_info *app = NULL;
	struct acos5_fci f;
	int i;

	for (i = 0; i < card->app_count && i < SC_MAX_CARD_APPS; i++) {
		const struct sc_app_info *a = card->app[i];

		if (a && a->path.type == SC_PATH_TYPE_PATH && a->path.len == 4 &&
				!memcmp(a->path.value, path, 4) && a->aid.len > 0 &&
				a->aid.len <= sizeof(f.name)) {
			app = a;
			break;
		}
	}
	if (!app)
		return 0;
	acos5_forget(card);
	if (acos5_select(card, 0x04, app->aid.value, app->aid.len, NULL) < 0)
		return 0;
	if (acos5_parse_fci(priv->fci, priv->fcilen, &f) < 0 || !acos5_fdb_is_df(f.fdb) ||
			f.fid != (unsigned int)(path[2] << 8 | path[3]) || f.name_len != app->aid.len ||
			memcmp(f.name, app->aid.value, f.name_len) != 0) {
		sc_log(card->ctx, "the DF named by EF.DIR's AID is not %02X%02X: walk from the MF",
				path[2], path[3]);
		return 0;
	}
	acos5_learn_fci(card, path, 4);
	acos5_note_walk(card, path, 4, ACOS5_LAST_DF);
	return 1;
}

/* The walk's last component: with its FCI only when the caller wants it
 * (paths relative to the current DF: always, as before) */
static int
acos5_select_last(struct sc_card *card, const u8 *path, size_t len, struct sc_file **file_out)
{
	int absolute = path[0] == 0x3F && path[1] == 0x00;
	enum acos5_last last = ACOS5_LAST_UNKNOWN;
	int r;

	if (!file_out && absolute && len == 4 && acos5_df_unknown(card, path)) {
		/* the first time, a DF of the MF with its FCI: later walks
		 * select it by name (acos5_select_named_df) */
		r = acos5_select(card, 0x00, path + 2, 2, NULL);
		if (r == 0 && DRVDATA(card)->df_fid == (unsigned int)(path[2] << 8 | path[3])) {
			acos5_learn_fci(card, path, len);
			last = ACOS5_LAST_DF;
		}
	} else if (!file_out && absolute) {
		r = acos5_select_quiet(card, path + len - 2);
	} else {
		r = acos5_select(card, 0x00, path + len - 2, 2, file_out);
	}
	if (r < 0)
		return r;
	if (!absolute)
		return 0; /* acos5_track_df saw the FCI; the walk is forgotten */
	if (file_out) {
		last = (*file_out)->type == SC_FILE_TYPE_DF ? ACOS5_LAST_DF : ACOS5_LAST_EF;
		acos5_learn_fci(card, path, len);
	}
	if (len == 2)
		last = ACOS5_LAST_DF;
	acos5_note_walk(card, path, len, last);
	return 0;
}

/* The card selects one FID at a time (no path select, acos5-card.md §2.1).
 * DFs on the way are selected without their FCI; a walk that ends where
 * the last one did sends nothing unless the FCI is wanted. Any failure
 * forgets the remembered walk. */
static int
acos5_select_path(struct sc_card *card, const u8 *path, size_t len,
		struct sc_file **file_out)
{
	const struct acos5_cur *cur = &DRVDATA(card)->cur;
	int absolute, r = 0;
	size_t i;

	if (len == 0 || len % 2)
		return SC_ERROR_INVALID_ARGUMENTS;
	absolute = path[0] == 0x3F && path[1] == 0x00;
	if (!absolute)
		acos5_forget(card); /* relative to a DF the walk may not know */
	i = acos5_walk_from(card, path, len);
	if (i == 0 && absolute && len >= 4 && !(len == 4 && file_out) &&
			(acos5_select_named_df(card, path) ||
					(acos5_df_unknown(card, path) && acos5_select_app_df(card, path))))
		i = 4;
	if (!file_out && i > 0 && (i == len || (cur->len == len && !memcmp(cur->path, path, len)))) {
		if (cur->len != len) /* the DF of the EF selected last */
			acos5_note_walk(card, path, len, ACOS5_LAST_DF);
		acos5_want(card, path, len, cur->last == ACOS5_LAST_DF ? ACOS5_KIND_DF
				: cur->last == ACOS5_LAST_EF ? ACOS5_KIND_EF : ACOS5_KIND_UNKNOWN);
		return 0;
	}
	if (i == len)
		i -= 2; /* the last component again, for its FCI */
	for (; r == 0 && i + 2 < len; i += 2) {
		if (absolute && i == 2 && acos5_df_unknown(card, path)) {
			/* a DF of the MF: its FCI once, so that later walks
			 * select it by name (acos5_select_named_df) */
			r = acos5_select(card, 0x00, path + i, 2, NULL);
			if (r == 0)
				acos5_learn_fci(card, path, 4);
		} else {
			r = absolute ? acos5_select_quiet(card, path + i)
				     : acos5_select(card, 0x00, path + i, 2, NULL);
		}
		if (r == 0 && absolute)
			acos5_note_walk(card, path, i + 2, ACOS5_LAST_DF);
	}
	if (r == 0)
		r = acos5_select_last(card, path, len, file_out);
	if (r < 0 || !absolute)
		acos5_forget(card);
	LOG_TEST_RET(card->ctx, r, "SELECT of a path component failed");
	if (absolute) /* what commands act on follows the card */
		acos5_want(card, path, len, cur->last == ACOS5_LAST_DF ? ACOS5_KIND_DF
				: cur->last == ACOS5_LAST_EF ? ACOS5_KIND_EF : ACOS5_KIND_UNKNOWN);
	else
		DRVDATA(card)->want.len = 0;
	return 0;
}

/* OpenSC selected @p path (of @p kind): where commands that need the
 * current DF or EF are to act */
static void
acos5_want(struct sc_card *card, const u8 *path, size_t len, enum acos5_wkind kind)
{
	struct acos5_want *w = &DRVDATA(card)->want;

	w->len = 0;
	if (len == 0 || len > sizeof(w->path))
		return;
	memmove(w->path, path, len);
	w->len = len;
	w->kind = len == 2 ? ACOS5_KIND_DF : kind;
}

/* Move the card to what OpenSC selected last, if it is not there: the file
 * itself (@p ef) or only its DF (a file of unknown kind: the path itself,
 * which leaves its DF current either way) */
static int
acos5_sync(struct sc_card *card, int ef)
{
	struct acos5_want w = DRVDATA(card)->want;
	size_t len;
	int r;

	if (!w.len)
		return 0;
	len = ef || w.kind != ACOS5_KIND_EF ? w.len : w.len - 2;
	r = acos5_select_path(card, w.path, len, NULL);
	DRVDATA(card)->want = w; /* still what OpenSC selected */
	if (r == 0 && len == w.len && w.kind == ACOS5_KIND_EF)
		acos5_note_walk(card, w.path, w.len, ACOS5_LAST_EF);
	else if (r == 0 && len == w.len && w.kind == ACOS5_KIND_DF)
		acos5_note_walk(card, w.path, w.len, ACOS5_LAST_DF);
	return r;
}

/* EF.DIR: OpenSC (sc_enum_apps) selects it and reads it in two card
 * transactions, so reading it later costs the walk again; it is read now,
 * while the card is there, when anyone may read it. */
static void
acos5_prefetch(struct sc_card *card, const u8 *path, size_t len)
{
	static const u8 ef_dir[4] = {0x3F, 0x00, 0x2F, 0x00};
	struct pk_fcache_entry *e = pk_fcache_get(&DRVDATA(card)->fc, path, len);
	u8 buf[256];
	size_t n;
	int r;

	if (!DRVDATA(card)->fc.enabled || len != sizeof(ef_dir) || memcmp(path, ef_dir, len) != 0 || !e ||
			!e->pub || e->datalen ||
			!e->size)
		return;
	n = e->size < sizeof(buf) ? e->size : sizeof(buf);
	r = iso_ops->read_binary(card, 0, buf, n, PK_NO_RB_FLAGS);
	if (r > 0)
		pk_fcache_learn(&DRVDATA(card)->fc, e, 0, buf, (size_t)r);
}

/* A path whose FCI is in the file cache is "selected" without an APDU: the
 * card follows when a command needs it (acos5_sync). @return 0 done, 1 not
 * known */
static int
acos5_select_known(struct sc_card *card, const u8 *path, size_t len, struct sc_file **file_out)
{
	struct pk_fcache_entry *e = pk_fcache_get(&DRVDATA(card)->fc, path, len);
	struct acos5_fci f;
	struct sc_file *file;
	int r;

	if (len >= 4 && path[0] == 0x3F && path[1] == 0x00 && e && !e->fcilen && e->ef_exists &&
			!e->missing && !file_out) {
		/* a key file an MSE found (acos5_note_key): MSE names it
		 * by FID and needs only its DF */
		acos5_want(card, path, len, ACOS5_KIND_EF);
		return 0;
	}
	if (len < 2 || path[0] != 0x3F || path[1] != 0x00 || !e || !e->fcilen ||
			acos5_parse_fci(e->fci, e->fcilen, &f) < 0 || f.fid != (unsigned int)(path[len - 2] << 8 | path[len - 1]))
		return 1;
	if (file_out) {
		file = sc_file_new();
		if (!file)
			return SC_ERROR_OUT_OF_MEMORY;
		r = acos5_process_fci(card, file, e->fci, e->fcilen);
		if (r < 0) {
			sc_file_free(file);
			return 1;
		}
		file->path.len = 0;
		*file_out = file;
	}
	acos5_want(card, path, len, acos5_fdb_is_df(f.fdb) ? ACOS5_KIND_DF : ACOS5_KIND_EF);
	return 0;
}

/* SELECT by FID alone: the search order (acos5-card.md §2.1) may find it outside
 * the current DF, so the remembered walk is dropped (the MF is a walk) */
static int
acos5_select_fid(struct sc_card *card, const u8 fid[2], struct sc_file **file_out)
{
	int r;

	if (fid[0] == 0x3F && fid[1] == 0x00) {
		r = acos5_select_path(card, fid, 2, file_out);
		acos5_want(card, fid, 2, ACOS5_KIND_DF);
		return r;
	}
	r = acos5_sync(card, 0); /* the FID is looked for from the DF OpenSC selected */
	if (r < 0)
		return r;
	DRVDATA(card)->want.len = 0;
	acos5_forget(card);
	r = acos5_select(card, 0x00, fid, 2, file_out);
	if (r < 0)
		acos5_forget(card);
	return r;
}

/* The current DF when the last walk ended without the FCI of its last
 * component: that component again, with its FCI (found first by the search
 * order whether it is the current DF or a child of it) */
static int
acos5_resolve_df(struct sc_card *card)
{
	struct acos5_priv *priv = DRVDATA(card);
	struct sc_file *file = NULL;
	int r;

	if (priv->cur.len == 0 || priv->cur.last != ACOS5_LAST_UNKNOWN)
		return 0;
	r = acos5_select(card, 0x00, priv->cur.path + priv->cur.len - 2, 2, &file);
	if (r < 0) {
		acos5_forget(card);
		LOG_TEST_RET(card->ctx, r, "cannot select the last file again");
	}
	acos5_note_walk(card, priv->cur.path, priv->cur.len,
			file->type == SC_FILE_TYPE_DF ? ACOS5_LAST_DF : ACOS5_LAST_EF);
	sc_file_free(file);
	return 0;
}

static int
acos5_select_file(struct sc_card *card, const struct sc_path *path,
		struct sc_file **file_out)
{
	int r;

	LOG_FUNC_CALLED(card->ctx);
	if (file_out)
		*file_out = NULL;
	if (path->aid.len) {
		acos5_forget(card);
		r = acos5_select(card, 0x04, path->aid.value, path->aid.len,
				path->len ? NULL : file_out);
		LOG_TEST_RET(card->ctx, r, "SELECT of the application failed");
		if (path->len == 0)
			LOG_FUNC_RETURN(card->ctx, r);
	}
	switch (path->type) {
	case SC_PATH_TYPE_FILE_ID:
		if (path->len != 2)
			LOG_FUNC_RETURN(card->ctx, SC_ERROR_INVALID_ARGUMENTS);
		r = acos5_select_fid(card, path->value, file_out);
		break;
	case SC_PATH_TYPE_DF_NAME:
		DRVDATA(card)->want.len = 0;
		acos5_forget(card);
		r = acos5_select(card, 0x04, path->value, path->len, file_out);
		break;
	case SC_PATH_TYPE_PATH:
		if (path->aid.len) {
			DRVDATA(card)->want.len = 0;
			acos5_forget(card);
			r = acos5_select_path(card, path->value, path->len, file_out);
			break;
		}
		r = acos5_select_known(card, path->value, path->len, file_out);
		if (r <= 0)
			break;
		r = acos5_select_path(card, path->value, path->len, file_out);
		if (r == 0 && file_out) {
			acos5_want(card, path->value, path->len,
					(*file_out)->type == SC_FILE_TYPE_DF ? ACOS5_KIND_DF : ACOS5_KIND_EF);
			acos5_prefetch(card, path->value, path->len);
		}
		else if (r == 0)
			acos5_want(card, path->value, path->len,
					DRVDATA(card)->cur.last == ACOS5_LAST_DF ? ACOS5_KIND_DF : ACOS5_KIND_UNKNOWN);
		else
			DRVDATA(card)->want.len = 0;
		break;
	default:
		r = SC_ERROR_NOT_SUPPORTED;
	}
	LOG_FUNC_RETURN(card->ctx, r);
}

/* Children of the current DF: count (80 14 01 00, SW 90 NN), then one
 * file-info record each (80 14 02 idx 08). */
static int
acos5_list_files(struct sc_card *card, u8 *buf, size_t buflen)
{
	struct acos5_file_info fi;
	unsigned int count, i;
	u8 rec[8];
	size_t n = 0;
	int r;

	LOG_FUNC_CALLED(card->ctx);
	r = acos5_sync(card, 0);
	LOG_TEST_RET(card->ctx, r, "cannot select the DF");
	r = acos5_card_info_sw2(card, 0x01, 0x00, &count);
	LOG_TEST_RET(card->ctx, r, "cannot count the files of the current DF");
	for (i = 0; i < count; i++) {
		if (buflen - n < 2)
			LOG_FUNC_RETURN(card->ctx, SC_ERROR_BUFFER_TOO_SMALL);
		r = acos5_card_info_data(card, 0x02, (u8)i, rec, sizeof(rec));
		LOG_TEST_RET(card->ctx, r, "cannot read file information");
		r = acos5_parse_file_info(rec, sizeof(rec), &fi);
		LOG_TEST_RET(card->ctx, r, "malformed file information");
		buf[n++] = (u8)(fi.fid >> 8);
		buf[n++] = (u8)(fi.fid & 0xFF);
	}
	LOG_FUNC_RETURN(card->ctx, (int)n);
}

/* This process is about to change the card: the persisted cache goes
 * (pk-fcache.h). @p fid >= 0: a file of the current DF is created, deleted
 * or rewritten as a whole: what is known of it is forgotten (all of the
 * cache when the DF is not known). */
static void
acos5_will_write(struct sc_card *card, int fid)
{
	struct acos5_priv *priv = DRVDATA(card);
	const struct acos5_want *w = &priv->want;
	u8 path[SC_MAX_PATH_SIZE];
	size_t len;

	pk_fcache_will_write(card->ctx, &priv->fc);
	if (fid < 0)
		return;
	memset(&priv->se, 0, sizeof(priv->se)); /* a file created or deleted: maybe an SE file */
	len = w->kind == ACOS5_KIND_DF ? w->len : w->kind == ACOS5_KIND_EF ? w->len - 2 : 0;
	if (!w->len || !len || len + 2 > sizeof(path)) {
		pk_fcache_clear(&priv->fc);
		return;
	}
	memcpy(path, w->path, len);
	path[len] = (u8)(fid >> 8);
	path[len + 1] = (u8)fid;
	pk_fcache_drop(&priv->fc, path, len + 2);
}

/* Before the first change in a card transaction: the lastUpdate time of
 * EF(TokenInfo) (the file cache's validator) becomes the current time. A
 * file cache written by any process, here or on another machine, shows the
 * card only while its EF(TokenInfo) is unchanged (acos5_validators_hold),
 * and the free EEPROM counter does not see a file rewritten in place or
 * deleted and created again at the same size (a certificate renewed by
 * the same CA). Once in every transaction that changes the card, before
 * the change: another process can look at the card only between
 * transactions, so whatever it cached before the change no longer holds.
 * The 15 characters are rewritten in place: the file keeps its length, so
 * a write torn by a card pulled out leaves a TokenInfo that parses (and
 * differs). A card without the counter keeps no cache across processes
 * and is not stamped; a TokenInfo this process has not read, or without a
 * lastUpdate of that form, is not either; one that the card does not let
 * this process write yet (no PIN verified) is tried again at the next
 * change. @p ef: the change is to the EF
 * OpenSC selected (1) or in its DF (0), where the card goes back to. */
static int
acos5_stamp(struct sc_card *card, int ef)
{
	struct acos5_priv *priv = DRVDATA(card);
	struct acos5_want want = priv->want;
	struct pk_fcache_entry *e;
	u8 now[PK_FCACHE_STAMP_LEN];
	size_t off = 0;
	int r;

	if (priv->stamped || !priv->gen->has_free_space)
		return 0;
	for (e = priv->fc.head; e; e = e->next) {
		if (e->validator && e->complete && pk_fcache_last_update(e->data, e->end, &off) == 1)
			break;
	}
	if (!e)
		return 0;
	pk_fcache_stamp(e->data + off, time(NULL), now);
	r = acos5_select_path(card, e->path, e->pathlen, NULL);
	if (r == 0)
		r = iso_ops->update_binary(card, (unsigned int)off, now, sizeof(now), 0);
	priv->want = want; /* still what OpenSC selected */
	if (r == (int)sizeof(now)) {
		pk_fcache_written(e, off, now, sizeof(now));
		priv->stamped = 1;
	} else if (r == SC_ERROR_SECURITY_STATUS_NOT_SATISFIED || r == SC_ERROR_NOT_ALLOWED) {
		/* no PIN verified yet (a file in creation state needs none), or a
		 * layout whose TokenInfo this PIN may not write (not ours): tried
		 * again at the next change */
		sc_log(card->ctx, "EF(TokenInfo) not stamped (%s): file caches elsewhere may not see this change",
				sc_strerror(r));
	} else {
		pk_fcache_drop_data(&priv->fc, e->path, e->pathlen);
		LOG_TEST_RET(card->ctx, r < 0 ? r : SC_ERROR_CARD_CMD_FAILED, "cannot stamp EF(TokenInfo)");
	}
	return acos5_sync(card, ef);
}

/* CREATE FILE selects the new file, DELETE FILE the parent of the deleted
 * one (acos5-card.md §2.1): the remembered walk is dropped */
static int
acos5_create_file(struct sc_card *card, struct sc_file *file)
{
	int r;

	r = acos5_sync(card, 0);
	if (r == 0)
		r = acos5_stamp(card, 0);
	if (r < 0)
		return r;
	acos5_will_write(card, file->id);
	DRVDATA(card)->want.len = 0;
	acos5_forget(card);
	return iso_ops->create_file(card, file);
}

static int
acos5_delete_file(struct sc_card *card, const struct sc_path *path)
{
	int r;

	r = acos5_sync(card, 0);
	if (r == 0)
		r = acos5_stamp(card, 0);
	if (r < 0)
		return r;
	acos5_will_write(card, path->len >= 2 ? (int)(path->value[path->len - 2] << 8 | path->value[path->len - 1]) : -1);
	DRVDATA(card)->want.len = 0;
	acos5_forget(card);
	return iso_ops->delete_file(card, path);
}

/* ---- reads and writes through the file cache -------------------------------- */

/* The cache entry of the EF OpenSC selected by path, or NULL */
static struct pk_fcache_entry *
acos5_want_entry(struct sc_card *card)
{
	struct acos5_priv *priv = DRVDATA(card);

	if (!priv->want.len || priv->want.kind != ACOS5_KIND_EF)
		return NULL;
	return pk_fcache_get(&priv->fc, priv->want.path, priv->want.len);
}

/* The EF at @p path (absolute) with its FCI and, when anyone may read it,
 * the rest of its content into the file cache */
static void
acos5_fetch(struct sc_card *card, const u8 *path, size_t len)
{
	struct pk_fcache_entry *e;
	struct sc_file *file = NULL;
	u8 buf[256];
	size_t n;
	int r;

	if (acos5_select_path(card, path, len, &file) < 0)
		return;
	sc_file_free(file);
	e = pk_fcache_get(&DRVDATA(card)->fc, path, len);
	while (e && e->pub && e->size && !e->complete && e->datalen < e->size) {
		n = e->size - e->datalen < sizeof(buf) ? e->size - e->datalen : sizeof(buf);
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
acos5_prefetch_dfs(struct sc_card *card, const struct pk_fcache_entry *odf)
{
	struct acos5_priv *priv = DRVDATA(card);
	u8 paths[8][SC_MAX_PATH_SIZE];
	size_t lens[8], dflen = odf->pathlen - 2;
	struct acos5_want want = priv->want;
	struct pk_fcache_entry *e;
	int i, count;

	if (odf->pathlen < 4 || odf->path[dflen] != 0x50 || odf->path[dflen + 1] != 0x31 ||
			card->lock_count == 0)
		return;
	count = pk_fcache_odf_paths(odf->data, odf->end, odf->path, odf->pathlen, paths, lens, 8);
	for (i = 0; i < count; i++) {
		e = pk_fcache_get(&priv->fc, paths[i], lens[i]);
		if (e && e->complete)
			continue;
		acos5_fetch(card, paths[i], lens[i]);
	}
	priv->want = want; /* still what OpenSC selected */
}

/* A public key file has been read from the card: the certificates the
 * certificate directories name in its DF are read now, in this card
 * transaction, while the card is in that DF. OpenSC's PKCS#11 module reads
 * every public key and then every certificate when it creates the token,
 * each in a card transaction of its own, which costs the DF's SELECT again
 * every time. Certificates only anyone may read; `pkcs15-tool -D` reads no
 * public key, so it reads no certificate either. */
static void
acos5_prefetch_certs(struct sc_card *card)
{
	struct acos5_priv *priv = DRVDATA(card);
	struct acos5_want want = priv->want;
	u8 paths[16][SC_MAX_PATH_SIZE];
	size_t lens[16], count, i;
	struct pk_fcache_entry *e;

	if (card->lock_count == 0 || want.len < 6 || want.kind != ACOS5_KIND_EF || want.path[0] != 0x3F ||
			want.path[1] != 0x00)
		return;
	count = pk_fcache_cert_paths(&priv->fc, paths, lens, 16);
	for (i = 0; i < count; i++) {
		if (lens[i] != want.len || memcmp(paths[i], want.path, want.len - 2) != 0)
			continue; /* another DF */
		e = pk_fcache_get(&priv->fc, paths[i], lens[i]);
		if (e && (e->complete || e->missing || (e->fcilen && !e->pub)))
			continue;
		acos5_fetch(card, paths[i], lens[i]);
	}
	priv->want = want; /* still what OpenSC selected */
}

static int
acos5_read_binary(struct sc_card *card, unsigned int idx, u8 *buf, size_t count, pk_rb_flags_t flags)
{
	struct pk_fcache_entry *e = acos5_want_entry(card);
	int r;

	if (e && (r = pk_fcache_read(e, idx, buf, count)) >= 0)
		return r;
	r = acos5_sync(card, 1);
	LOG_TEST_RET(card->ctx, r, "cannot select the file");
	r = iso_ops->read_binary(card, idx, buf, count, flags);
	if (r > 0 && e && e->pub) {
		pk_fcache_learn(&DRVDATA(card)->fc, e, idx, buf, (size_t)r);
		if (e->complete)
			acos5_prefetch_dfs(card, e);
	}
	return r;
}

/* Bytes of an EF that anyone may read, at [@p idx, @p end): known from the
 * file cache, or read now (a READ BINARY costs a tenth of an EEPROM write).
 * @return 1 known, 0 not (the caller writes everything) */
static int
acos5_know(struct sc_card *card, struct pk_fcache_entry *e, size_t end)
{
	u8 buf[256];
	size_t n;
	int r;

	if (!e->pub || !e->size || end > e->size || end > PK_FCACHE_FILE_MAX)
		return 0;
	while (e->datalen < end) {
		n = e->size - e->datalen < sizeof(buf) ? e->size - e->datalen : sizeof(buf);
		r = iso_ops->read_binary(card, (unsigned int)e->datalen, buf, n, PK_NO_RB_FLAGS);
		if (r <= 0)
			return 0;
		pk_fcache_learn(&DRVDATA(card)->fc, e, e->datalen, buf, (size_t)r);
	}
	return 1;
}

/* UPDATE BINARY of what differs from the card's content only: OpenSC
 * rewrites a whole PKCS#15 directory file, padding included, for every
 * object it adds, and rewrites unchanged files (EEPROM writes cost
 * 50-150 ms each, doc/simulator.md "Time model"). Differences closer than
 * ACOS5_WRITE_GAP bytes go in one command. */
#define ACOS5_WRITE_GAP 48

static int
acos5_update_binary(struct sc_card *card, unsigned int idx, const u8 *buf, size_t count,
		unsigned long flags)
{
	struct pk_fcache_entry *e;
	size_t i = 0, a, b;
	int r;

	r = acos5_sync(card, 1);
	LOG_TEST_RET(card->ctx, r, "cannot select the file");
	e = acos5_want_entry(card);
	if (!e || !acos5_know(card, e, idx + count)) {
		r = acos5_stamp(card, 1);
		LOG_TEST_RET(card->ctx, r, "cannot stamp EF(TokenInfo)");
		acos5_will_write(card, -1);
		r = iso_ops->update_binary(card, idx, buf, count, flags);
		if (e && r > 0)
			pk_fcache_written(e, idx, buf, (size_t)r);
		else if (e)
			pk_fcache_drop_data(&DRVDATA(card)->fc, e->path, e->pathlen);
		return r;
	}
	while (i < count) {
		for (a = i; a < count && buf[a] == e->data[idx + a]; a++)
			;
		if (a == count)
			break;
		/* a run of differences, joined to the next one across a short gap */
		for (b = a + 1; b < count; b++) {
			size_t g = b;

			while (g < count && g - b < ACOS5_WRITE_GAP && buf[g] == e->data[idx + g])
				g++;
			if (g == count || g - b == ACOS5_WRITE_GAP)
				break;
			b = g;
		}
		r = acos5_stamp(card, 1);
		LOG_TEST_RET(card->ctx, r, "cannot stamp EF(TokenInfo)");
		acos5_will_write(card, -1);
		r = iso_ops->update_binary(card, (unsigned int)(idx + a), buf + a, b - a, flags);
		if (r < 0) {
			pk_fcache_drop_data(&DRVDATA(card)->fc, e->path, e->pathlen);
			return r;
		}
		pk_fcache_written(e, idx + a, buf + a, b - a);
		i = b;
	}
	return (int)count;
}

static int
acos5_write_binary(struct sc_card *card, unsigned int idx, const u8 *buf, size_t count,
		unsigned long flags)
{
	struct pk_fcache_entry *e;
	int r;

	r = acos5_sync(card, 1);
	LOG_TEST_RET(card->ctx, r, "cannot select the file");
	r = acos5_stamp(card, 1);
	LOG_TEST_RET(card->ctx, r, "cannot stamp EF(TokenInfo)");
	acos5_will_write(card, -1);
	r = iso_ops->write_binary(card, idx, buf, count, flags);
	if ((e = acos5_want_entry(card)) != NULL)
		pk_fcache_drop_data(&DRVDATA(card)->fc, e->path, e->pathlen);
	return r;
}

static int
acos5_erase_binary(struct sc_card *card, unsigned int idx, size_t count, unsigned long flags)
{
	struct pk_fcache_entry *e;
	int r;

	r = acos5_sync(card, 1);
	LOG_TEST_RET(card->ctx, r, "cannot select the file");
	r = acos5_stamp(card, 1);
	LOG_TEST_RET(card->ctx, r, "cannot stamp EF(TokenInfo)");
	acos5_will_write(card, -1);
	r = iso_ops->erase_binary(card, idx, count, flags);
	if ((e = acos5_want_entry(card)) != NULL)
		pk_fcache_drop_data(&DRVDATA(card)->fc, e->path, e->pathlen);
	return r;
}

static int
acos5_read_record(struct sc_card *card, unsigned int rec, PK_REC_IDX_PARAM u8 *buf, size_t count,
		unsigned long flags)
{
	int r;

	if (PK_REC_IDX > 0)
		return 0;
	r = acos5_sync(card, 1);
	LOG_TEST_RET(card->ctx, r, "cannot select the file");
	return iso_ops->read_record(card, rec, PK_REC_IDX_ARG buf, count, flags);
}

static int
acos5_update_record(struct sc_card *card, unsigned int rec, PK_REC_IDX_PARAM const u8 *buf,
		size_t count, unsigned long flags)
{
	int r = acos5_sync(card, 1);

	LOG_TEST_RET(card->ctx, r, "cannot select the file");
	acos5_will_write(card, -1);
	memset(&DRVDATA(card)->se, 0, sizeof(DRVDATA(card)->se));
	return iso_ops->update_record(card, rec, PK_REC_IDX_ARG buf, count, flags);
}

static int
acos5_write_record(struct sc_card *card, unsigned int rec, const u8 *buf, size_t count,
		unsigned long flags)
{
	int r = acos5_sync(card, 1);

	LOG_TEST_RET(card->ctx, r, "cannot select the file");
	acos5_will_write(card, -1);
	memset(&DRVDATA(card)->se, 0, sizeof(DRVDATA(card)->se));
	return iso_ops->write_record(card, rec, buf, count, flags);
}

static int
acos5_append_record(struct sc_card *card, const u8 *buf, size_t count, unsigned long flags)
{
	int r = acos5_sync(card, 1);

	LOG_TEST_RET(card->ctx, r, "cannot select the file");
	acos5_will_write(card, -1);
	memset(&DRVDATA(card)->se, 0, sizeof(DRVDATA(card)->se));
	return iso_ops->append_record(card, buf, count, flags);
}

/* ---- misc -------------------------------------------------------------- */

static int
acos5_read_serial(struct sc_card *card)
{
	struct acos5_priv *priv = DRVDATA(card);
	size_t len = priv->gen->serial_len;
	u8 sn[8];
	int r;

	if (card->serialnr.len)
		return 0;
	if (priv->gen->has_op_mode && priv->op_mode == ACOS5_OP_MODE_FIPS)
		len = priv->gen->serial_len_fips;
	if (len > sizeof(sn))
		return SC_ERROR_INTERNAL;
	r = acos5_card_info_data(card, 0x00, 0x00, sn, len);
	LOG_TEST_RET(card->ctx, r, "cannot read the serial number");
	return pk_set_serial(card, sn, len);
}

/* ---- PINs (acos5-card.md §2.3) ---------------------------------------------- */

static unsigned long
acos5_pin_bit(int ref)
{
	int n = (ref & 0x1F) + ((ref & 0x80) ? 32 : 0);

	return (ref & 0x1F) ? (uint64_t)1 << n : 0;
}

static void
acos5_note_pin(struct sc_card *card, int ref, int verified)
{
	struct acos5_priv *priv = DRVDATA(card);

	if (verified)
		priv->verified |= acos5_pin_bit(ref);
	else
		priv->verified &= ~acos5_pin_bit(ref);
}

/* VERIFY without data answers 63 CX (tries left) or 69 83 (blocked). The
 * logged-in state is what this driver verified, on every generation: its
 * readers (PKCS#11's session state, pkcs15init's "verified already?") ask
 * about this process's login. V3's GET CARD INFO 0B would also report a
 * PIN another process verified, at one APDU per PIN status query. */
static int
acos5_pin_get_info(struct sc_card *card, struct sc_pin_cmd_data *data, int *tries_left)
{
	struct sc_apdu apdu;
	unsigned int sw;
	int r;

	pk_apdu(&apdu, 0x00, 0x20, 0x00, (u8)data->pin_reference, NULL, NULL, 0);
	r = pk_transmit_sw(card, &apdu, acos5_sw_pin_status, &sw);
	if (r < 0)
		return r;
	if ((sw & 0xFFF0) == ACOS5_SW_TRIES)
		data->pin1.tries_left = (int)(sw & 0x0F);
	else if (sw == ACOS5_SW_BLOCKED)
		data->pin1.tries_left = 0;
	/* The PIN record's maximum is not readable; every documented layout
	 * uses 8 (acos5-card.md §4.1), so PKCS#11 can flag a low counter. */
	data->pin1.max_tries = data->pin1.tries_left > 8 ? data->pin1.tries_left : 8;
	if (tries_left)
		*tries_left = data->pin1.tries_left;
	data->pin1.logged_in = (DRVDATA(card)->verified & acos5_pin_bit(data->pin_reference))
			? SC_PIN_STATE_LOGGED_IN : SC_PIN_STATE_LOGGED_OUT;
	return 0;
}

/* Select the PIN file that holds reference @p ref (acos5-card.md §2.3, §3.9):
 * global PINs in the MF's 0001, local ones in the current DF's, whose FID
 * is the DF's + 1 */
static int
acos5_select_pin_file(struct sc_card *card, int ref)
{
	static const u8 mf_pins[4] = {0x3F, 0x00, 0x00, 0x01};
	unsigned int df;
	u8 fid[2];
	int r;

	if (!(ref & 0x80))
		return acos5_select_path(card, mf_pins, sizeof(mf_pins), NULL);
	r = acos5_resolve_df(card);
	LOG_TEST_RET(card->ctx, r, "cannot tell the current DF");
	df = DRVDATA(card)->df_fid;
	if (df == 0 || df == 0x3F00)
		LOG_TEST_RET(card->ctx, SC_ERROR_INTERNAL, "the local PIN's DF is not known: select it first");
	fid[0] = (u8)((df + 1) >> 8);
	fid[1] = (u8)(df + 1);
	return acos5_select_fid(card, fid, NULL);
}

/* Original ACOS5 (acos5-card.md §3.6, §6): its PIN record holds no PUK. The PUK
 * is the next PIN record of the same file (PIN ID + 1); unblocking is
 * VERIFY of the PUK, then UPDATE RECORD of the PIN record with the new PIN
 * and a full counter (the PIN file's update condition accepts the PUK),
 * then LOGOUT of the PUK. The secrets are never logged. */
#define ACOS5_V1_TRIES 8

static int
acos5_unblock_rewrite(struct sc_card *card, struct sc_pin_cmd_data *data, int *tries_left)
{
	struct sc_pin_cmd_data puk;
	struct acos5_pin_record rec;
	struct sc_apdu apdu;
	struct pk_buf b;
	unsigned int id = (unsigned int)data->pin_reference & 0x1F;
	u8 mem[16];
	int r, rl;

	if (id == 0 || id >= 0x1F || (data->pin_reference & 0x60))
		LOG_TEST_RET(card->ctx, SC_ERROR_INVALID_ARGUMENTS, "PIN reference without a PUK record");
	if (!data->pin2.data || data->pin2.len == 0)
		LOG_TEST_RET(card->ctx, SC_ERROR_NOT_SUPPORTED,
				"the original ACOS5 unblocks a PIN by writing a new one: give the new PIN too");
	memset(&rec, 0, sizeof(rec));
	rec.ref = (unsigned int)data->pin_reference;
	rec.tries = ACOS5_V1_TRIES;
	rec.pin = data->pin2.data;
	rec.pin_len = data->pin2.len;
	rec.pad = (data->flags & SC_PIN_CMD_NEED_PADDING) ? (u8)data->pin2.pad_char : 0x00;
	pk_buf_init(&b, mem, sizeof(mem));
	r = acos5_build_pin_record(&rec, 1, &b);
	if (r < 0) {
		sc_log(card->ctx, "the new PIN does not fit the PIN record (1-8 characters)");
		goto err;
	}
	if (data->pin_reference & 0x80) { /* the DF before the PUK is verified in it */
		r = acos5_resolve_df(card);
		if (r < 0) {
			sc_log(card->ctx, "cannot tell the current DF");
			goto err;
		}
	}
	puk = *data;
	puk.cmd = SC_PIN_CMD_VERIFY;
	puk.pin_reference = data->pin_reference + 1;
	memset(&puk.pin2, 0, sizeof(puk.pin2));
	r = iso_ops->pin_cmd(card, &puk, tries_left);
	if (r < 0) {
		sc_log(card->ctx, "the PUK was not accepted");
		goto err;
	}
	r = acos5_select_pin_file(card, data->pin_reference);
	if (r == 0)
		r = pk_update_record(card, id, mem, b.len, SC_RECORD_BY_REC_NR);
	pk_apdu(&apdu, 0x80, 0x2E, 0x00, (u8)puk.pin_reference, NULL, NULL, 0);
	rl = pk_transmit(card, &apdu);
	if (rl < 0)
		sc_log(card->ctx, "LOGOUT of the PUK failed: %s", sc_strerror(rl));
	if (r < 0) {
		sc_log(card->ctx, "cannot rewrite the PIN record");
		goto err;
	}
	acos5_note_pin(card, data->pin_reference, 0);
	r = 0; /* not the bytes written */
err:
	sc_mem_clear(mem, sizeof(mem));
	LOG_FUNC_RETURN(card->ctx, r);
}

static int
acos5_pin_cmd(struct sc_card *card, struct sc_pin_cmd_data *data, int *tries_left)
{
	int r;

	LOG_FUNC_CALLED(card->ctx);
	if (data->pin_type != SC_AC_CHV)
		LOG_FUNC_RETURN(card->ctx, SC_ERROR_NOT_SUPPORTED);
	r = pk_card_check_new_pin(card, data);
	LOG_TEST_RET(card->ctx, r, "new PIN");
	if (data->pin_reference & 0x80) { /* local PIN: of the DF OpenSC selected */
		r = acos5_sync(card, 0);
		LOG_TEST_RET(card->ctx, r, "cannot select the PIN's DF");
	}
	if (data->cmd == SC_PIN_CMD_GET_INFO)
		LOG_FUNC_RETURN(card->ctx, acos5_pin_get_info(card, data, tries_left));
	if (data->cmd == SC_PIN_CMD_UNBLOCK && DRVDATA(card)->gen->puk_is_next_pin)
		LOG_FUNC_RETURN(card->ctx, acos5_unblock_rewrite(card, data, tries_left));
	r = iso_ops->pin_cmd(card, data, tries_left);
	if (data->cmd == SC_PIN_CMD_VERIFY || data->cmd == SC_PIN_CMD_CHANGE)
		acos5_note_pin(card, data->pin_reference, r == 0);
	LOG_FUNC_RETURN(card->ctx, r);
}

/* LOGOUT 80 2E 00 ref for every PIN this driver verified */
static int
acos5_logout(struct sc_card *card)
{
	struct acos5_priv *priv = DRVDATA(card);
	struct sc_apdu apdu;
	int n, r, rv = 0;

	for (n = 1; n < 64; n++) {
		int ref = n < 32 ? n : (0x80 | (n - 32));

		if (!(priv->verified & ((uint64_t)1 << n)))
			continue;
		pk_apdu(&apdu, 0x80, 0x2E, 0x00, (u8)ref, NULL, NULL, 0);
		r = pk_transmit(card, &apdu);
		if (r < 0)
			rv = r;
		priv->verified &= ~((uint64_t)1 << n);
	}
	return rv;
}

/* ---- security operations (acos5-card.md §2.4, §2.5) --------------------------- */

static int
acos5_mse(struct sc_card *card, u8 crt, u8 alg, const u8 fid[2], u8 uqb)
{
	struct sc_apdu apdu;
	struct pk_buf b;
	u8 data[16];
	int r;

	pk_buf_init(&b, data, sizeof(data));
	pk_buf_tlv(&b, 0x80, &alg, 1);
	pk_buf_tlv(&b, 0x81, fid, 2);
	pk_buf_tlv(&b, 0x95, &uqb, 1);
	LOG_TEST_RET(card->ctx, pk_buf_result(&b), "MSE data");
	pk_apdu(&apdu, 0x00, 0x22, 0x01, crt, &b, NULL, 0);
	r = pk_transmit(card, &apdu);
	LOG_TEST_RET(card->ctx, r, "MANAGE SECURITY ENVIRONMENT failed");
	return 0;
}

#define ACOS5_CRT_DST 0xB6
#define ACOS5_CRT_CT 0xB8
#define ACOS5_ALG_RSA_SIGN 0x10
#define ACOS5_ALG_RSA_CT 0x12
#define ACOS5_UQB_PRIVATE 0x40
#define ACOS5_UQB_PUBLIC 0x80

/* Modulus bytes of the private key file @p fid (current DF) from its size:
 * CRT 5 + 5N/2, else standard 5 + N (acos5-card.md §3.8); 0 if unknown. A size
 * that fits both (1024-bit CRT = 2560-bit standard) is taken as CRT, the
 * form key generation and FIPS mode use. */
static size_t
acos5_key_modlen(struct sc_card *card, const u8 fid[2])
{
	struct sc_file *file = NULL;
	size_t size, n = 0;

	if (acos5_select_fid(card, fid, &file) < 0)
		return 0;
	size = file->size;
	sc_file_free(file);
	if (size > 5 && (size - 5) * 2 % 5 == 0 && (size - 5) * 2 / 5 % 16 == 0)
		n = (size - 5) * 2 / 5;
	else if (size > 5 && (size - 5) % 16 == 0)
		n = size - 5;
	return n <= PK_RSA_MAX_BYTES ? n : 0;
}

/* MSE took (@p ok) or refused the key file @p fid of the DF OpenSC selected it
 * in (by its absolute path, what select_key_file does): the card has an RSA
 * key EF there. The last component of that path is that EF: were it a DF,
 * a child of the same FID would be shadowed by the DF itself (search order,
 * acos5-card.md §2.1). So a later SELECT of the path without FCI, as OpenSC
 * sends before MSE, costs no APDU (acos5_select_known), in this process and,
 * through the file cache, in later ones; a refusal forgets it. */
static void
acos5_note_key(struct sc_card *card, const u8 fid[2], int ok)
{
	struct acos5_priv *priv = DRVDATA(card);
	const struct acos5_want *w = &priv->want;
	struct pk_fcache_entry *e;

	if (w->len < 4 || w->kind == ACOS5_KIND_DF || w->path[0] != 0x3F || w->path[1] != 0x00 ||
			memcmp(w->path + w->len - 2, fid, 2) != 0)
		return;
	e = pk_fcache_get(&priv->fc, w->path, w->len);
	if (ok && (!e || !e->fcilen))
		pk_fcache_ef_exists(&priv->fc, w->path, w->len);
	else if (!ok && e && !e->fcilen)
		pk_fcache_drop(&priv->fc, w->path, w->len);
}

/* 1 if OpenSC's SELECT of the key file @p fid sent nothing: the file is
 * known to exist only from a note (acos5_note_key, acos5_note_partner) */
static int
acos5_key_noted(struct sc_card *card, const u8 fid[2])
{
	struct acos5_priv *priv = DRVDATA(card);
	const struct acos5_want *w = &priv->want;
	const struct pk_fcache_entry *e;

	if (w->len < 4 || w->kind != ACOS5_KIND_EF || memcmp(w->path + w->len - 2, fid, 2) != 0)
		return 0;
	e = pk_fcache_get(&priv->fc, w->path, w->len);
	return e && !e->fcilen && e->ef_exists && !e->missing;
}

static int
acos5_set_security_env(struct sc_card *card, const struct sc_security_env *env, int se_num)
{
	struct acos5_priv *priv = DRVDATA(card);
	const struct sc_path *ref = &env->file_ref;
	int noted, r;

	LOG_FUNC_CALLED(card->ctx);
	priv->env.operation = 0;
	if (!(env->flags & SC_SEC_ENV_FILE_REF_PRESENT) || ref->len < 2)
		LOG_TEST_RET(card->ctx, SC_ERROR_INVALID_ARGUMENTS, "ACOS5 keys are addressed by key file");
	memcpy(priv->env.fid, ref->value + ref->len - 2, 2);
	priv->env.flags = env->algorithm_flags;
	noted = acos5_key_noted(card, priv->env.fid);
	r = acos5_sync(card, 0); /* the key file is a child of the current DF */
	LOG_TEST_RET(card->ctx, r, "cannot select the key's DF");
	switch (env->operation) {
	case SC_SEC_OPERATION_SIGN:
		r = acos5_mse(card, ACOS5_CRT_DST, ACOS5_ALG_RSA_SIGN, priv->env.fid, ACOS5_UQB_PRIVATE);
		break;
	case SC_SEC_OPERATION_DECIPHER:
		r = acos5_mse(card, ACOS5_CRT_CT, ACOS5_ALG_RSA_CT, priv->env.fid, ACOS5_UQB_PRIVATE);
		break;
	default:
		LOG_TEST_RET(card->ctx, SC_ERROR_NOT_SUPPORTED, "only signing and deciphering");
	}
	if ((r == SC_ERROR_DATA_OBJECT_NOT_FOUND || r == SC_ERROR_FILE_NOT_FOUND) && noted)
		r = SC_ERROR_FILE_NOT_FOUND; /* what the SELECT it spared would have said */
	acos5_note_key(card, priv->env.fid, r == 0);
	LOG_TEST_RET(card->ctx, r, "cannot set the security environment");
	priv->env.operation = env->operation;
	LOG_FUNC_RETURN(card->ctx, SC_SUCCESS);
}

static void
acos5_reverse(u8 *p, size_t n)
{
	size_t i;

	for (i = 0; i < n / 2; i++) {
		u8 t = p[i];

		p[i] = p[n - 1 - i];
		p[n - 1 - i] = t;
	}
}

/* PSO with command chaining for data over 255 bytes; the answer (61 XX,
 * several GET RESPONSEs past 256 bytes) must fit @p out exactly or it is
 * an error. The original ACOS5 takes and gives RSA data LSB first. */
static int
acos5_pso(struct sc_card *card, u8 p1, u8 p2, const u8 *in, size_t inlen, u8 *out, size_t outlen)
{
	struct sc_apdu apdu;
	u8 sbuf[PK_RSA_MAX_BYTES], rbuf[PK_RSA_MAX_BYTES];
	size_t want = outlen < sizeof(rbuf) ? outlen : sizeof(rbuf);
	int r;

	if (inlen > sizeof(sbuf))
		return SC_ERROR_WRONG_LENGTH;
	memcpy(sbuf, in, inlen);
	if (DRVDATA(card)->gen->little_endian)
		acos5_reverse(sbuf, inlen);
	sc_format_apdu_ex(&apdu, 0x00, 0x2A, p1, p2, sbuf, inlen, rbuf, want);
	apdu.flags |= SC_APDU_FLAGS_CHAINING;
	if (apdu.le > 256)
		apdu.le = 256;
	r = pk_transmit(card, &apdu);
	sc_mem_clear(sbuf, sizeof(sbuf));
	if (r == 0 && apdu.resplen > outlen)
		r = SC_ERROR_BUFFER_TOO_SMALL;
	if (r == 0) {
		if (DRVDATA(card)->gen->little_endian)
			acos5_reverse(rbuf, apdu.resplen);
		memcpy(out, rbuf, apdu.resplen);
	}
	sc_mem_clear(rbuf, sizeof(rbuf)); /* plaintext or partial output, also on errors */
	LOG_TEST_RET(card->ctx, r, "PERFORM SECURITY OPERATION failed");
	return (int)apdu.resplen;
}

/* Raw RSA with the private key: MSE CT, then DECIPHER 00 2A 80 84 */
static int
acos5_raw_rsa(struct sc_card *card, const u8 *in, size_t n, u8 *out, size_t outlen)
{
	int r;

	r = acos5_mse(card, ACOS5_CRT_CT, ACOS5_ALG_RSA_CT, DRVDATA(card)->env.fid, ACOS5_UQB_PRIVATE);
	LOG_TEST_RET(card->ctx, r, "cannot set the decipher environment");
	r = acos5_pso(card, 0x80, 0x84, in, n, out, outlen);
	if (r == SC_ERROR_INCORRECT_PARAMETERS)
		sc_log(card->ctx, "The key does not allow raw RSA (sign-only key): this card signs "
				  "only SHA-1 and SHA-256 hashes with it");
	return r;
}

/* The hash OpenSC hands over: a bare hash when it asked for a hash flag
 * the card declared, else (HASH_NONE) a DigestInfo or opaque data. */
static enum pk_hash
acos5_env_hash(unsigned long flags)
{
	static const struct {
		unsigned long flag;
		enum pk_hash hash;
	} map[] = {{SC_ALGORITHM_RSA_HASH_SHA1, PK_HASH_SHA1},
			{SC_ALGORITHM_RSA_HASH_SHA224, PK_HASH_SHA224},
			{SC_ALGORITHM_RSA_HASH_SHA256, PK_HASH_SHA256},
			{SC_ALGORITHM_RSA_HASH_SHA384, PK_HASH_SHA384},
			{SC_ALGORITHM_RSA_HASH_SHA512, PK_HASH_SHA512}};
	size_t i;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		if (flags & map[i].flag)
			return map[i].hash;
	}
	return PK_HASH_NONE;
}

/* PKCS#1 v1.5 type 1 block of @p n bytes around @p t, then raw RSA */
static int
acos5_pad_and_sign(struct sc_card *card, const u8 *t, size_t tlen, size_t n, u8 *out, size_t outlen)
{
	u8 block[PK_RSA_MAX_BYTES];
	int r;

	if (n > sizeof(block))
		n = sizeof(block);
	r = pk_pkcs1_pad_01(t, tlen, block, n);
	LOG_TEST_RET(card->ctx, r, "cannot pad the data for this key");
	r = acos5_raw_rsa(card, block, n, out, outlen);
	sc_mem_clear(block, sizeof(block));
	return r;
}

/* PKCS#1 v1.5 type 1 on the host around @p t (DigestInfo ‖ hash), then raw
 * RSA. OpenSC does not tell the modulus length: the output buffer is tried
 * first; if the card rejects that length, the key file's size says it. */
static int
acos5_sign_padded(struct sc_card *card, const u8 *t, size_t tlen, u8 *out, size_t outlen)
{
	size_t n;
	int r;

	r = acos5_pad_and_sign(card, t, tlen, outlen, out, outlen);
	if (r != SC_ERROR_WRONG_LENGTH)
		return r;
	n = acos5_key_modlen(card, DRVDATA(card)->env.fid);
	if (n == 0 || n >= outlen)
		return r;
	sc_log(card->ctx, "retrying with the key's modulus length %" SC_FORMAT_LEN_SIZE_T "u", n);
	return acos5_pad_and_sign(card, t, tlen, n, out, outlen);
}

/* Hash-only signature (00 2A 9E 9A): the card adds DigestInfo and padding
 * for SHA-1 and SHA-256 itself. Other hashes are padded here and go through
 * raw RSA, which needs a key that may decipher. */
static int
acos5_compute_signature(struct sc_card *card, const u8 *data, size_t len, u8 *out, size_t outlen)
{
	struct acos5_priv *priv = DRVDATA(card);
	enum pk_hash alg = acos5_env_hash(priv->env.flags);
	const u8 *hash = data;
	size_t hash_len = len;
	struct pk_buf di;
	u8 dibuf[96];
	int r;

	LOG_FUNC_CALLED(card->ctx);
	if (priv->env.operation != SC_SEC_OPERATION_SIGN)
		LOG_TEST_RET(card->ctx, SC_ERROR_NOT_ALLOWED, "no signing environment set");
	if (!(priv->env.flags & SC_ALGORITHM_RSA_PAD_PKCS1))
		LOG_FUNC_RETURN(card->ctx, acos5_raw_rsa(card, data, len, out, outlen));
	if (alg == PK_HASH_NONE)
		alg = pk_digest_info_split(data, len, &hash, &hash_len);
	if (alg == PK_HASH_SHA1 || alg == PK_HASH_SHA256)
		LOG_FUNC_RETURN(card->ctx, acos5_pso(card, 0x9E, 0x9A, hash, hash_len, out, outlen));
	if (acos5_env_hash(priv->env.flags) == PK_HASH_NONE)
		LOG_FUNC_RETURN(card->ctx, acos5_sign_padded(card, data, len, out, outlen));
	pk_buf_init(&di, dibuf, sizeof(dibuf));
	r = pk_digest_info_build(alg, data, len, &di);
	LOG_TEST_RET(card->ctx, r, "hash does not match the algorithm");
	LOG_FUNC_RETURN(card->ctx, acos5_sign_padded(card, di.data, di.len, out, outlen));
}

static int
acos5_decipher(struct sc_card *card, const u8 *in, size_t len, u8 *out, size_t outlen)
{
	struct acos5_priv *priv = DRVDATA(card);
	u8 block[PK_RSA_MAX_BYTES];
	size_t mlen = outlen;
	int r;

	LOG_FUNC_CALLED(card->ctx);
	if (priv->env.operation != SC_SEC_OPERATION_DECIPHER)
		LOG_TEST_RET(card->ctx, SC_ERROR_NOT_ALLOWED, "no decipher environment set");
	if (len > sizeof(block))
		LOG_FUNC_RETURN(card->ctx, SC_ERROR_WRONG_LENGTH);
	r = acos5_pso(card, 0x80, 0x84, in, len, block, sizeof(block));
	if (r >= 0 && (priv->env.flags & SC_ALGORITHM_RSA_PAD_PKCS1)) {
		r = pk_pkcs1_strip_02(block, (size_t)r, out, &mlen);
		r = r < 0 ? r : (int)mlen;
	} else if (r >= 0) {
		r = (size_t)r > outlen ? SC_ERROR_BUFFER_TOO_SMALL : r;
		if (r >= 0)
			memcpy(out, block, (size_t)r);
	}
	sc_mem_clear(block, sizeof(block));
	LOG_FUNC_RETURN(card->ctx, r);
}

/* ---- keys (acos5-card.md §2.6, §3.8) ------------------------------------------ */

/* GET KEY 80 CA: the raw public key file, at most 255 bytes per command.
 * The original ACOS5 has no GET KEY (its 80 CA FF 00 is CLEAR CARD): there
 * the public key file is read with READ BINARY (acos5-card.md §3.8). */
static int
acos5_get_key(struct sc_card *card, size_t size, u8 *out)
{
	struct sc_apdu apdu;
	size_t off = 0;
	int r;

	while (off < size) {
		size_t n = size - off > 255 ? 255 : size - off;

		if (DRVDATA(card)->gen->little_endian)
			pk_apdu(&apdu, 0x00, 0xB0, (u8)(off >> 8), (u8)(off & 0xFF), NULL, out + off, n);
		else
			pk_apdu(&apdu, 0x80, 0xCA, (u8)(off >> 8), (u8)(off & 0xFF), NULL, out + off, n);
		r = pk_transmit(card, &apdu);
		LOG_TEST_RET(card->ctx, r, "GET KEY failed");
		if (apdu.resplen != n)
			LOG_TEST_RET(card->ctx, SC_ERROR_INVALID_DATA, "GET KEY: short answer");
		off += n;
	}
	return 0;
}

/* A public key file names its private key file (the partner FID in its
 * header, acos5-card.md §3.8), taken as a file of the same DF: OpenSC selects
 * that file (without FCI) before MSE, which names it by FID and needs only its
 * DF. Noted like a key file an MSE took (acos5_note_key), the SELECT sends
 * nothing also the first time; an MSE that refuses it answers as the SELECT
 * would have (acos5_set_security_env) and forgets the note. */
static void
acos5_note_partner(struct sc_card *card, const u8 *buf, size_t size)
{
	struct acos5_priv *priv = DRVDATA(card);
	const struct acos5_want *w = &priv->want;
	const struct pk_fcache_entry *e;
	u8 path[SC_MAX_PATH_SIZE];
	unsigned int fid;

	if (acos5_public_key_partner(buf, size, &fid) < 0 || w->len < 4 || w->len > sizeof(path) ||
			w->kind != ACOS5_KIND_EF || w->path[0] != 0x3F || w->path[1] != 0x00 || fid == 0 ||
			fid == 0x3F00 || fid == 0xFFFF ||
			fid == (unsigned int)(w->path[w->len - 2] << 8 | w->path[w->len - 1]))
		return;
	memcpy(path, w->path, w->len);
	path[w->len - 2] = (u8)(fid >> 8);
	path[w->len - 1] = (u8)fid;
	e = pk_fcache_get(&priv->fc, path, w->len);
	if (!e || (!e->fcilen && !e->missing))
		pk_fcache_ef_exists(&priv->fc, path, w->len);
}

/* The public key file selected last (@p file: its FCI) into @p pub */
static int
acos5_read_public_key_file(struct sc_card *card, struct sc_file *file, struct pk_rsa_pubkey *pub)
{
	const struct acos5_gen *gen = DRVDATA(card)->gen;
	struct pk_fcache_entry *e = acos5_want_entry(card);
	u8 buf[21 + PK_RSA_MAX_BYTES];
	size_t size = file->size;
	int r;

	sc_file_free(file);
	if (size > sizeof(buf))
		LOG_TEST_RET(card->ctx, SC_ERROR_INVALID_DATA, "public key file too large");
	if (e && e->complete && e->end == size && size) {
		memcpy(buf, e->data, size); /* read before in this process or a previous one */
	} else {
		r = acos5_sync(card, 1);
		LOG_TEST_RET(card->ctx, r, "cannot select the public key file");
		r = acos5_get_key(card, size, buf);
		LOG_TEST_RET(card->ctx, r, "cannot read the public key");
		if (e && e->pub)
			pk_fcache_learn(&DRVDATA(card)->fc, e, 0, buf, size);
		acos5_prefetch_certs(card);
	}
	r = acos5_parse_public_key(buf, size, gen->pub_exp_len, gen->little_endian,
			pub->modulus, &pub->modulus_len, pub->exponent, &pub->exponent_len);
	LOG_TEST_RET(card->ctx, r, "malformed public key file");
	acos5_note_partner(card, buf, size);
	return 0;
}

/* The public key file pub->fid of the current DF */
static int
acos5_read_public_key(struct sc_card *card, struct pk_rsa_pubkey *pub)
{
	struct sc_file *file = NULL;
	u8 fid[2] = {(u8)(pub->fid >> 8), (u8)(pub->fid & 0xFF)};
	int r;

	r = acos5_select_fid(card, fid, &file);
	LOG_TEST_RET(card->ctx, r, "cannot select the public key file");
	return acos5_read_public_key_file(card, file, pub);
}

static int
acos5_key_size_ok(const struct acos5_priv *priv, unsigned int bits)
{
	const struct acos5_gen *gen = priv->gen;

	if (gen->has_op_mode && priv->op_mode == ACOS5_OP_MODE_FIPS)
		return bits == 2048 || bits == 3072;
	return bits >= gen->rsa_min && bits <= gen->rsa_max && (bits - gen->rsa_min) % gen->rsa_step == 0;
}

/* MSE DST private (95 01 40) and public (95 01 80), then GENERATE */
static int
acos5_generate_key(struct sc_card *card, struct pk_acos5_keygen *kg)
{
	const struct acos5_gen *gen = DRVDATA(card)->gen;
	u8 priv_fid[2] = {(u8)(kg->priv_fid >> 8), (u8)kg->priv_fid};
	u8 pub_fid[2] = {(u8)(kg->pub_fid >> 8), (u8)kg->pub_fid};
	u8 v1data[9] = {0, 0x03, 0, 0, 0, 0, 0, 0, 0}, data64[2];
	struct sc_apdu apdu;
	int r;

	if (!acos5_key_size_ok(DRVDATA(card), kg->bits)) {
		sc_log(card->ctx, "%u-bit keys are not supported by %s", kg->bits, card->name);
		return SC_ERROR_NOT_SUPPORTED;
	}
	r = acos5_mse(card, ACOS5_CRT_DST, ACOS5_ALG_RSA_SIGN, priv_fid, ACOS5_UQB_PRIVATE);
	if (r == 0)
		r = acos5_mse(card, ACOS5_CRT_DST, ACOS5_ALG_RSA_SIGN, pub_fid, ACOS5_UQB_PUBLIC);
	LOG_TEST_RET(card->ctx, r, "cannot select the key files for generation");
	v1data[0] = data64[0] = (u8)(kg->bits / 128);
	data64[1] = (u8)kg->type;
	if (gen->little_endian)
		sc_format_apdu_ex(&apdu, 0x00, 0x46, 0x80, 0x00, v1data, sizeof(v1data), NULL, 0);
	else
		sc_format_apdu_ex(&apdu, 0x00, 0x46, 0x00, 0x00, data64, sizeof(data64), NULL, 0);
	r = pk_transmit(card, &apdu);
	LOG_TEST_RET(card->ctx, r, "key generation failed");
	kg->pub.fid = kg->pub_fid;
	return acos5_read_public_key(card, &kg->pub);
}

/* PUT KEY 80 DA off (original ACOS5, acos5-card.md §2.1): the file image into
 * key file @p fid of the current DF, 255 bytes per command; every chunk
 * but the last with CLA 90 (chained). Each chunk names its own offset, so
 * a card that appends chained data and one that writes at P1P2 end up
 * with the same file. */
static int
acos5_put_key_file(struct sc_card *card, unsigned int fid, const u8 *img, size_t len)
{
	struct sc_file *file = NULL;
	struct sc_apdu apdu;
	u8 id[2] = {(u8)(fid >> 8), (u8)fid};
	size_t off, n, size;
	int r;

	r = acos5_select_fid(card, id, &file);
	LOG_TEST_RET(card->ctx, r, "cannot select the key file");
	size = file->size;
	sc_file_free(file);
	if (size < len)
		LOG_TEST_RET(card->ctx, SC_ERROR_FILE_TOO_SMALL, "key file too small for the key");
	for (off = 0; off < len; off += n) {
		n = len - off > 255 ? 255 : len - off;
		sc_format_apdu_ex(&apdu, off + n < len ? 0x90 : 0x80, 0xDA, (u8)(off >> 8),
				(u8)(off & 0xFF), img + off, n, NULL, 0);
		r = pk_transmit(card, &apdu);
		LOG_TEST_RET(card->ctx, r, "PUT KEY failed");
	}
	return 0;
}

/* Import: private then public key file, twice (the card checks that the
 * two halves match when the private key is written a second time,
 * acos5-card.md §3.8) */
static int
acos5_put_key(struct sc_card *card, const struct pk_acos5_import *k)
{
	const struct acos5_gen *gen = DRVDATA(card)->gen;
	u8 *priv = NULL, pub[13 + 16 + PK_RSA_MAX_BYTES];
	size_t priv_cap = 5 + 5 * PK_RSA_MAX_BYTES / 2;
	struct pk_buf bp, bq;
	int pass, r;

	LOG_FUNC_CALLED(card->ctx);
	if (!gen->import_type)
		LOG_TEST_RET(card->ctx, SC_ERROR_NOT_SUPPORTED,
				"this ACOS5 has no PUT KEY: its key files are written only by key generation");
	if (!acos5_key_size_ok(DRVDATA(card), k->bits)) {
		sc_log(card->ctx, "%u-bit keys are not supported by %s", k->bits, card->name);
		LOG_FUNC_RETURN(card->ctx, SC_ERROR_NOT_SUPPORTED);
	}
	priv = malloc(priv_cap);
	if (!priv)
		LOG_FUNC_RETURN(card->ctx, SC_ERROR_OUT_OF_MEMORY);
	pk_buf_init(&bp, priv, priv_cap);
	pk_buf_init(&bq, pub, sizeof(pub));
	r = acos5_build_private_key(k, gen->import_type, gen->little_endian, &bp);
	if (r == 0)
		r = acos5_build_public_key(k, gen->pub_exp_len, gen->little_endian, &bq);
	if (r < 0)
		sc_log(card->ctx, "the key's numbers do not fit a %u-bit key file", k->bits);
	for (pass = 0; r == 0 && pass < 2; pass++) {
		r = acos5_put_key_file(card, k->priv_fid, bp.data, bp.len);
		if (r == 0)
			r = acos5_put_key_file(card, k->pub_fid, bq.data, bq.len);
	}
	sc_mem_clear(priv, priv_cap);
	free(priv);
	LOG_FUNC_RETURN(card->ctx, r);
}

/* ZEROIZE (80 30 00 00; v1: 80 CA FF 00): the card back to virgin. The
 * card demands the SO PIN first when an MF exists. */
static int
acos5_zeroize(struct sc_card *card)
{
	const struct acos5_gen *gen = DRVDATA(card)->gen;
	struct sc_apdu apdu;
	int r;

	r = sc_bytes2apdu(card->ctx, gen->zeroize, gen->zeroize_len, &apdu);
	LOG_TEST_RET(card->ctx, r, "zeroize APDU");
	r = pk_transmit(card, &apdu);
	LOG_TEST_RET(card->ctx, r, "the card refused to erase itself (SO PIN verified?)");
	DRVDATA(card)->verified = 0;
	DRVDATA(card)->df_fid = 0;
	acos5_forget(card);
	card->serialnr.len = 0;
	return 0;
}

/* ACTIVATE FILE 00 44 00 00 02 FID: LCSI 01 → 05, access conditions apply */
static int
acos5_activate(struct sc_card *card, const unsigned int *fid)
{
	struct sc_apdu apdu;
	struct pk_buf b;
	u8 data[2];
	int r;

	pk_buf_init(&b, data, sizeof(data));
	pk_buf_u16(&b, *fid);
	LOG_TEST_RET(card->ctx, pk_buf_result(&b), "not a file ID");
	pk_apdu(&apdu, 0x00, 0x44, 0x00, 0x00, &b, NULL, 0);
	r = pk_transmit(card, &apdu);
	LOG_TEST_RET(card->ctx, r, "ACTIVATE FILE failed");
	return 0;
}

/* The PIN an SE record of the current DF asks for: read the DF's SE file
 * (records "80 01 id" + AT), else fall back to the documented convention. */
static int
acos5_read_se_chv(struct sc_card *card, unsigned int se_fid, unsigned int se_id,
		struct acos5_se_chv *chv)
{
	struct acos5_se_cache *se = &DRVDATA(card)->se;
	u8 fid[2] = {(u8)(se_fid >> 8), (u8)se_fid}, rec[256];
	unsigned int n;
	int r, selected = 0;

	if (se->df_fid != DRVDATA(card)->df_fid || se->se_fid != se_fid) {
		memset(se, 0, sizeof(*se));
		se->df_fid = DRVDATA(card)->df_fid;
		se->se_fid = se_fid;
	}
	for (n = 1; n <= ACOS5_SE_RECORDS; n++) {
		if (se->count && n > se->count)
			return 0;
		if (se->known & (1u << (n - 1))) {
			r = acos5_se_record_chv(se->rec[n - 1], se->len[n - 1], se_id, chv);
			if (r != 0)
				return r;
			continue;
		}
		if (!selected) {
			r = acos5_select_fid(card, fid, NULL);
			LOG_TEST_RET(card->ctx, r, "cannot select the SE file");
			selected = 1;
		}
		r = pk_read_record(card, n, rec, sizeof(rec), SC_RECORD_BY_REC_NR);
		if (r == SC_ERROR_RECORD_NOT_FOUND || r == SC_ERROR_INCORRECT_PARAMETERS) {
			se->count = n - 1;
			return 0;
		}
		LOG_TEST_RET(card->ctx, r, "cannot read the SE file");
		if ((size_t)r <= ACOS5_SE_RECORD_MAX) {
			memcpy(se->rec[n - 1], rec, (size_t)r);
			se->len[n - 1] = (size_t)r;
			se->known |= 1u << (n - 1);
		}
		r = acos5_se_record_chv(rec, (size_t)r, se_id, chv);
		if (r != 0)
			return r;
	}
	return 0;
}

/* Of the PINs an SE record accepts (OR), one already verified, else the first */
static unsigned int
acos5_pick_chv(struct sc_card *card, const struct acos5_se_chv *chv)
{
	size_t i;

	for (i = 0; i < chv->count; i++) {
		if (DRVDATA(card)->verified & acos5_pin_bit((int)chv->refs[i]))
			return chv->refs[i];
	}
	return chv->refs[0];
}

/* The current DF's SE file, from its FCI, when a walk passed it without
 * (selecting the current DF's FID finds the DF itself first, acos5-card.md §2.1) */
static void
acos5_df_se(struct sc_card *card)
{
	struct acos5_priv *priv = DRVDATA(card);
	u8 fid[2] = {(u8)(priv->df_fid >> 8), (u8)priv->df_fid};
	struct sc_file *file = NULL;

	if (priv->df_fid == 0 || priv->df_se_known)
		return;
	/* with its FCI: a DF selected on a walk (the MF always) was not asked
	 * for it, so its SE file (tag 8D) is not known yet */
	if (acos5_select_fid(card, fid, &file) < 0)
		sc_log(card->ctx, "cannot read the FCI of DF %04X", priv->df_fid);
	sc_file_free(file);
}

/* SC_CARDCTL_GET_CHV_REFERENCE_IN_SE: the PIN a SEN access condition of
 * the current DF means: from the DF's SE file, else the documented
 * convention (acos5-card.md §3.4). */
static int
acos5_chv_in_se(struct sc_card *card, int *se_num)
{
	struct acos5_priv *priv = DRVDATA(card);
	struct acos5_se_chv chv;
	unsigned int ref;
	int r = SC_ERROR_FILE_NOT_FOUND;

	if (*se_num < 1 || *se_num > 14)
		return SC_ERROR_INVALID_ARGUMENTS;
	r = acos5_sync(card, 0);
	if (r < 0)
		return r;
	r = SC_ERROR_FILE_NOT_FOUND;
	if (acos5_resolve_df(card) == 0)
		acos5_df_se(card);
	if (priv->df_fid && priv->df_se_known && priv->df_se_fid)
		r = acos5_read_se_chv(card, priv->df_se_fid, (unsigned int)*se_num, &chv);
	if (r == 1)
		return (int)acos5_pick_chv(card, &chv);
	if (r == SC_ERROR_CARD_REMOVED || r == SC_ERROR_CARD_RESET)
		return r; /* no guessing on a card that is gone (pk-guard.c) */
	ref = acos5_se_convention(priv->df_fid == 0x3F00, (unsigned int)*se_num);
	sc_log(card->ctx, "SE record %d of DF %04X not readable (%d): by convention PIN %02X",
			*se_num, priv->df_fid, r, ref);
	return ref ? (int)ref : SC_ERROR_REF_DATA_NOT_USABLE;
}

/* Public key file as DER RSAPublicKey (sc_pkcs15_read_pubkey) */
static int
acos5_read_pubkey_op(struct sc_card *card, unsigned int algorithm, struct sc_path *path,
		unsigned int key_ref, unsigned int bits, u8 **out, size_t *outlen)
{
	struct pk_rsa_pubkey pub;
	struct sc_pkcs15_pubkey_rsa rsa;
	struct sc_file *file = NULL;
	int r;

	LOG_FUNC_CALLED(card->ctx);
	if (algorithm != SC_ALGORITHM_RSA || !path || path->len < 2)
		LOG_FUNC_RETURN(card->ctx, SC_ERROR_NOT_SUPPORTED);
	r = sc_lock(card);
	LOG_TEST_RET(card->ctx, r, "cannot lock the card");
	r = sc_select_file(card, path, &file);
	memset(&pub, 0, sizeof(pub));
	if (r == 0)
		r = acos5_read_public_key_file(card, file, &pub);
	sc_unlock(card);
	LOG_TEST_RET(card->ctx, r, "cannot read the public key file");
	rsa.modulus.data = pub.modulus;
	rsa.modulus.len = pub.modulus_len;
	rsa.exponent.data = pub.exponent;
	rsa.exponent.len = pub.exponent_len;
	r = sc_pkcs15_encode_pubkey_rsa(card->ctx, &rsa, out, outlen);
	LOG_FUNC_RETURN(card->ctx, r);
}

static int
acos5_info(struct sc_card *card, struct pk_acos5_info *info)
{
	const struct acos5_priv *priv = DRVDATA(card);

	info->type = card->type;
	info->os_major = priv->os.major;
	info->os_minor = priv->os.minor;
	info->op_mode = priv->op_mode;
	info->rsa_min = priv->gen->rsa_min;
	info->rsa_max = priv->gen->rsa_max;
	info->rsa_step = priv->gen->rsa_step;
	return 0;
}

static int
acos5_free_space(struct sc_card *card, unsigned int *bytes)
{
	u8 buf[2];
	int r;

	r = acos5_card_info_data(card, 0x04, 0x00, buf, sizeof(buf));
	LOG_TEST_RET(card->ctx, r, "cannot read the free space");
	*bytes = (unsigned int)buf[0] << 8 | buf[1];
	return 0;
}

static int
acos5_card_ctl(struct sc_card *card, unsigned long cmd, void *ptr)
{
	int r;

	switch (cmd) {
	case SC_CARDCTL_GET_SERIALNR:
		if (!ptr)
			return SC_ERROR_INVALID_ARGUMENTS;
		r = acos5_read_serial(card);
		LOG_TEST_RET(card->ctx, r, "GET SERIALNR failed");
		return pk_get_serial(card, ptr);
	case PK_CARDCTL_ACOS5_INFO:
		return ptr ? acos5_info(card, ptr) : SC_ERROR_INVALID_ARGUMENTS;
	case PK_CARDCTL_ACOS5_FREE_SPACE:
		return ptr ? acos5_free_space(card, ptr) : SC_ERROR_INVALID_ARGUMENTS;
	case PK_CARDCTL_ACOS5_GENERATE_KEY:
		if (!ptr)
			return SC_ERROR_INVALID_ARGUMENTS;
		r = acos5_sync(card, 0); /* the key files are children of the current DF */
		if (r == 0)
			r = acos5_stamp(card, 0);
		LOG_TEST_RET(card->ctx, r, "cannot select the key files' DF");
		acos5_will_write(card, (int)((struct pk_acos5_keygen *)ptr)->priv_fid);
		acos5_will_write(card, (int)((struct pk_acos5_keygen *)ptr)->pub_fid);
		return acos5_generate_key(card, ptr);
	case PK_CARDCTL_ACOS5_READ_PUBLIC_KEY:
		return ptr ? acos5_read_public_key(card, ptr) : SC_ERROR_INVALID_ARGUMENTS;
	case PK_CARDCTL_ACOS5_ZEROIZE:
		acos5_will_write(card, -1);
		pk_fcache_clear(&DRVDATA(card)->fc);
		memset(&DRVDATA(card)->se, 0, sizeof(DRVDATA(card)->se));
		DRVDATA(card)->want.len = 0;
		return acos5_zeroize(card);
	case PK_CARDCTL_ACOS5_ACTIVATE:
		if (!ptr)
			return SC_ERROR_INVALID_ARGUMENTS;
		r = acos5_sync(card, 0); /* ACTIVATE names a file of the current DF */
		if (r == 0)
			r = acos5_stamp(card, 0);
		LOG_TEST_RET(card->ctx, r, "cannot select the file's DF");
		acos5_will_write(card, (int)*(const unsigned int *)ptr);
		return acos5_activate(card, ptr);
	case PK_CARDCTL_ACOS5_PUT_KEY:
		if (!ptr)
			return SC_ERROR_INVALID_ARGUMENTS;
		r = acos5_sync(card, 0);
		if (r == 0)
			r = acos5_stamp(card, 0);
		LOG_TEST_RET(card->ctx, r, "cannot select the key files' DF");
		acos5_will_write(card, (int)((struct pk_acos5_import *)ptr)->priv_fid);
		acos5_will_write(card, (int)((struct pk_acos5_import *)ptr)->pub_fid);
		return acos5_put_key(card, ptr);
	case SC_CARDCTL_GET_CHV_REFERENCE_IN_SE:
		return ptr ? acos5_chv_in_se(card, ptr) : SC_ERROR_INVALID_ARGUMENTS;
	case PK_CARDCTL_LOST:
		return pk_guard_lost(card);
	default:
		return SC_ERROR_NOT_SUPPORTED;
	}
}

struct sc_card_driver *
pk_get_acos5_driver(void)
{
	iso_ops = sc_get_iso7816_driver()->ops;
	acos5_ops = *iso_ops;
	acos5_ops.match_card = acos5_match_card;
	acos5_ops.init = acos5_init;
	acos5_ops.finish = acos5_finish;
	acos5_ops.check_sw = acos5_check_sw;
	acos5_ops.select_file = acos5_select_file;
	acos5_ops.process_fci = acos5_process_fci;
	acos5_ops.list_files = acos5_list_files;
	acos5_ops.card_ctl = acos5_card_ctl;
	acos5_ops.get_challenge = pk_get_challenge;
	acos5_ops.pin_cmd = acos5_pin_cmd;
	acos5_ops.logout = acos5_logout;
	acos5_ops.set_security_env = acos5_set_security_env;
	acos5_ops.compute_signature = acos5_compute_signature;
	acos5_ops.decipher = acos5_decipher;
	acos5_ops.construct_fci = acos5_construct_fci;
	acos5_ops.read_public_key = acos5_read_pubkey_op;
	acos5_ops.create_file = acos5_create_file;
	acos5_ops.delete_file = acos5_delete_file;
	acos5_ops.read_binary = acos5_read_binary;
	acos5_ops.update_binary = acos5_update_binary;
	acos5_ops.write_binary = acos5_write_binary;
	acos5_ops.erase_binary = acos5_erase_binary;
	acos5_ops.read_record = acos5_read_record;
	acos5_ops.update_record = acos5_update_record;
	acos5_ops.write_record = acos5_write_record;
	acos5_ops.append_record = acos5_append_record;
	acos5_ops.card_reader_lock_obtained = acos5_reader_lock_obtained;
	return &acos5_drv;
}
