/*
 * card-acos5.c: ACS ACOS5 (original 32K v1, ACOS5-64 V2 and V3)
 *
 * Overrides the ISO 7816 operations only where the card differs. Source of
 * the card behaviour: shared/research/acos5.md (section numbers below).
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
#include "acos5-parse.h"
#include "pk-card.h"
#include "pk-tlv.h"

/* Per-generation data (acos5.md §1, §2.2, §2.6) */
struct acos5_gen {
	int type;
	const char *name;
	unsigned int os_major;        /* expected OS version major, 0: no such command */
	unsigned int has_op_mode : 1; /* 80 14 09 00 answers the mode in SW2 */
	size_t serial_len;            /* 64K (or only) mode */
	size_t serial_len_fips;
	unsigned int rsa_min, rsa_max, rsa_step;
};

static const struct acos5_gen acos5_gens[] = {
	{PK_CARD_TYPE_ACOS5_V1, "ACOS5 (32K, v1)", 0, 0, 6, 6, 512, 2048, 512},
	{PK_CARD_TYPE_ACOS5_64_V2, "ACOS5-64 V2", 2, 0, 6, 6, 512, 4096, 256},
	{PK_CARD_TYPE_ACOS5_64_V3, "ACOS5-64 V3", 3, 1, 6, 8, 512, 4096, 256},
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

/* Status words the card documents beyond ISO 7816 (acos5.md §8) */
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

#define ACOS5_OP_MODE_FIPS 0x00
#define ACOS5_OP_MODE_32K 0x01
#define ACOS5_OP_MODE_64K 0x02
#define ACOS5_OP_MODE_NSH1 0x10

struct acos5_priv {
	const struct acos5_gen *gen;
	struct acos5_os_version os;
	unsigned int op_mode;
	char name[64];
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

static int
acos5_check_sw(struct sc_card *card, unsigned int sw1, unsigned int sw2)
{
	return pk_check_sw_table(card, acos5_errors, sw1, sw2);
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
	int r;

	pk_apdu(&apdu, 0x80, 0x14, p1, p2, NULL, NULL, 0);
	r = sc_transmit_apdu(card, &apdu);
	LOG_TEST_RET(card->ctx, r, "APDU transmit failed");
	if (apdu.sw1 != 0x90 && apdu.sw1 != 0x95)
		return sc_check_sw(card, apdu.sw1, apdu.sw2);
	*value = apdu.sw2;
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

/* Identify Self (80 14 05 00: SW 95 40) and OS version (acos5.md §1) */
static int
acos5_identify(struct sc_card *card, struct acos5_priv *priv)
{
	struct sc_apdu apdu;
	u8 ver[8];
	int r;

	pk_apdu(&apdu, 0x80, 0x14, 0x05, 0x00, NULL, NULL, 0);
	r = sc_transmit_apdu(card, &apdu);
	LOG_TEST_RET(card->ctx, r, "APDU transmit failed");
	if (apdu.sw1 != 0x95 || apdu.sw2 != 0x40) {
		sc_log(card->ctx, "Identify Self answered %02X %02X, not 95 40: not an ACOS5-64",
				apdu.sw1, apdu.sw2);
		return SC_ERROR_INVALID_CARD;
	}
	r = acos5_card_info_data(card, 0x06, 0x00, ver, sizeof(ver));
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

	priv->op_mode = ACOS5_OP_MODE_64K;
	if (priv->gen->os_major) {
		r = acos5_identify(card, priv);
		LOG_TEST_RET(card->ctx, r, "card is not the ACOS5 its ATR claims");
	}
	if (priv->gen->has_op_mode) {
		r = acos5_card_info_sw2(card, 0x09, 0x00, &priv->op_mode);
		LOG_TEST_RET(card->ctx, r, "cannot read the operation mode");
		snprintf(priv->name, sizeof(priv->name), "%s (%s)", priv->gen->name,
				acos5_mode_name(priv->op_mode));
	} else {
		snprintf(priv->name, sizeof(priv->name), "%s", priv->gen->name);
	}
	return 0;
}

static void
acos5_add_algorithms(struct sc_card *card, const struct acos5_gen *gen)
{
	const unsigned long flags = SC_ALGORITHM_RSA_RAW | SC_ALGORITHM_RSA_PAD_PKCS1 |
			SC_ALGORITHM_RSA_HASH_NONE | SC_ALGORITHM_ONBOARD_KEY_GEN;
	unsigned int bits;

	for (bits = gen->rsa_min; bits <= gen->rsa_max; bits += gen->rsa_step)
		_sc_card_add_rsa_alg(card, bits, flags, 0x10001);
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
	r = acos5_probe(card, priv);
	if (r < 0) {
		free(priv);
		card->drv_data = NULL;
		LOG_FUNC_RETURN(card->ctx, r);
	}
	card->name = priv->name;
	acos5_add_algorithms(card, priv->gen);
	LOG_FUNC_RETURN(card->ctx, SC_SUCCESS);
}

static int
acos5_finish(struct sc_card *card)
{
	free(card->drv_data);
	card->drv_data = NULL;
	return 0;
}

/* ---- files ------------------------------------------------------------- */

/* SCB → OpenSC access condition. 00 always, FF never; otherwise the low
 * nibble names a record of the DF's SE file (acos5.md §3.3). */
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

static const struct acos5_acl_map acos5_df_acl[] = {
	{0, SC_AC_OP_DELETE}, {1, SC_AC_OP_CREATE_EF}, {1, SC_AC_OP_CREATE},
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

/* SELECT (00 A4 P1 00): by FID (P1=00) or DF name (P1=04); P2 must be 00 */
static int
acos5_select(struct sc_card *card, u8 p1, const u8 *id, size_t idlen,
		struct sc_file **file_out)
{
	struct sc_apdu apdu;
	u8 resp[SC_MAX_APDU_RESP_SIZE];
	struct sc_file *file;
	int r;

	sc_format_apdu_ex(&apdu, 0x00, 0xA4, p1, 0x00, id, idlen, resp, sizeof(resp));
	r = sc_transmit_apdu(card, &apdu);
	LOG_TEST_RET(card->ctx, r, "APDU transmit failed");
	if (apdu.sw1 == 0x69 && apdu.sw2 == 0x86 && idlen == 2 && id[0] == 0x3F && id[1] == 0x00) {
		sc_log(card->ctx, "The card has no MF: it is blank. Initialise it with "
				  "'pkcs15-init --create-pkcs15'");
		return SC_ERROR_FILE_NOT_FOUND;
	}
	r = sc_check_sw(card, apdu.sw1, apdu.sw2);
	LOG_TEST_RET(card->ctx, r, "SELECT failed");
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

/* The card selects one FID at a time (no path select, acos5.md §2.1) */
static int
acos5_select_path(struct sc_card *card, const u8 *path, size_t len,
		struct sc_file **file_out)
{
	size_t i;
	int r;

	if (len == 0 || len % 2)
		return SC_ERROR_INVALID_ARGUMENTS;
	for (i = 0; i < len; i += 2) {
		int last = i + 2 == len;

		r = acos5_select(card, 0x00, path + i, 2, last ? file_out : NULL);
		LOG_TEST_RET(card->ctx, r, "SELECT of a path component failed");
	}
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
		r = acos5_select(card, 0x00, path->value, 2, file_out);
		break;
	case SC_PATH_TYPE_DF_NAME:
		r = acos5_select(card, 0x04, path->value, path->len, file_out);
		break;
	case SC_PATH_TYPE_PATH:
		r = acos5_select_path(card, path->value, path->len, file_out);
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
	return &acos5_drv;
}
