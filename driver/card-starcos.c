/*
 * card-starcos.c: Giesecke+Devrient StarCOS SPK 2.3/2.4 and 3.4/3.5
 *
 * Overrides the ISO 7816 operations only where the card differs. The
 * generations differ as data (struct starcos_gen), never as scattered
 * version checks. Source of the card behaviour: shared/research/starcos.md.
 *
 * Copyright (C) 2026 pkicards contributors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "libopensc/cardctl.h"
#include "libopensc/internal.h"
#include "libopensc/log.h"
#include "pk-card.h"
#include "starcos-parse.h"

struct starcos_gen;
typedef int (*starcos_select_fn)(struct sc_card *card, const u8 *fid, int last,
		struct sc_file **file_out);
typedef int (*starcos_serial_fn)(struct sc_card *card);

/* Per-generation data (starcos.md §1.3, §2.1, §2.5, §4.3) */
struct starcos_gen {
	int type;
	const char *name;
	size_t max_send, max_recv;
	unsigned int rsa_max;
	starcos_select_fn select_fid;
	starcos_serial_fn read_serial;
	const unsigned short *probe_fids; /* documented FIDs probed by list_files */
};

static int starcos2_select_fid(struct sc_card *card, const u8 *fid, int last,
		struct sc_file **file_out);
static int starcos3_select_fid(struct sc_card *card, const u8 *fid, int last,
		struct sc_file **file_out);
static int starcos2_read_serial(struct sc_card *card);
static int starcos3_read_serial(struct sc_card *card);

/* StarCOS has no list-files command: list_files probes the FIDs that the
 * documented layouts use (starcos.md §3, §4.1). */
static const unsigned short starcos2_fids[] = {0x0010, 0x2F00, 0x5015, 0x5031, 0x5032,
		0x5033, 0x4401, 0x4402, 0x4403, 0x4404, 0x4405, 0xDF01, 0xFE13, 0xC000,
		0xC008, 0xC200, 0xC500, 0};
static const unsigned short starcos3_fids[] = {0x2F00, 0x2F01, 0x2F02, 0x0013, 0x0015,
		0x0016, 0x0101, 0x0102, 0x0604, 0x0608, 0x5015, 0x5031, 0x5032, 0x4300,
		0x4301, 0x43F0, 0x43F1, 0xC000, 0xC001, 0xC002, 0xC003, 0xC100, 0xC101,
		0xC102, 0xC103, 0xC104, 0xC105, 0xC200, 0xC500, 0};

static const struct starcos_gen starcos_gens[] = {
	{PK_CARD_TYPE_STARCOS_SPK23, "StarCOS SPK 2.3", 128, 128, 1024,
			starcos2_select_fid, starcos2_read_serial, starcos2_fids},
	{PK_CARD_TYPE_STARCOS_SPK24, "StarCOS SPK 2.4", 128, 128, 1024,
			starcos2_select_fid, starcos2_read_serial, starcos2_fids},
	{PK_CARD_TYPE_STARCOS_3_4, "StarCOS 3.4", 255, 256, 2048,
			starcos3_select_fid, starcos3_read_serial, starcos3_fids},
	{PK_CARD_TYPE_STARCOS_3_5, "StarCOS 3.5", 255, 256, 3072,
			starcos3_select_fid, starcos3_read_serial, starcos3_fids},
};

/* Every StarCOS ATR of the research notes (starcos.md §1.2) by generation */
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

/* Status words (starcos.md §2.6) */
static const struct sc_card_error starcos_errors[] = {
	{0x6284, SC_SUCCESS, "DF selected, no FCI"},
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
};

#define DRVDATA(card) ((struct starcos_priv *)((card)->drv_data))

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
	const unsigned long flags = SC_ALGORITHM_RSA_RAW | SC_ALGORITHM_RSA_PAD_PKCS1 |
			SC_ALGORITHM_RSA_HASH_NONE;
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
	for (bits = 512; bits <= priv->gen->rsa_max; bits += 256)
		_sc_card_add_rsa_alg(card, bits, flags, 0x10001);
	LOG_FUNC_RETURN(card->ctx, SC_SUCCESS);
}

static int
starcos_finish(struct sc_card *card)
{
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

static int
starcos_file_from_resp(struct sc_card *card, const u8 *fid, const struct sc_apdu *apdu,
		int (*parse)(const u8 *, size_t, struct starcos_fci *), struct sc_file **file_out)
{
	struct starcos_fci fci;
	int id = fid[0] << 8 | fid[1];
	int r;

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
	int r;

	sc_format_apdu_ex(apdu, 0x00, 0xA4, p1, p2, id, idlen, resp, resplen);
	r = sc_transmit_apdu(card, apdu);
	LOG_TEST_RET(card->ctx, r, "APDU transmit failed");
	return sc_check_sw(card, apdu->sw1, apdu->sw2);
}

static int
starcos_blank_card(struct sc_card *card, const u8 *fid, int r)
{
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
	int r;

	r = starcos_select_apdu(card, &apdu, 0x00, 0x00, fid, 2, resp, sizeof(resp));
	LOG_TEST_RET(card->ctx, starcos_blank_card(card, fid, r), "SELECT failed");
	if (apdu.sw1 == 0x62 && apdu.sw2 == 0x84)
		apdu.resplen = 0;
	return starcos_file_from_resp(card, fid, &apdu, starcos2_parse_fci,
			last ? file_out : NULL);
}

/* 3.x: MF with 00 A4 00 0C; DFs on the way 00 A4 01 00; the last
 * component 00 A4 02 04 (EF, FCP), retried as a DF on 6A 82. */
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
	if (last) {
		r = starcos_select_apdu(card, &apdu, 0x02, 0x04, fid, 2, resp, sizeof(resp));
		if (r != SC_ERROR_FILE_NOT_FOUND) {
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
}

/* Walk an absolute path from the MF one FID at a time */
static int
starcos_select_path(struct sc_card *card, const u8 *path, size_t len,
		struct sc_file **file_out)
{
	const struct starcos_gen *gen = DRVDATA(card)->gen;
	struct sc_file *file = NULL;
	size_t i;
	int r;

	if (len == 0 || len % 2 || len > SC_MAX_PATH_SIZE)
		return SC_ERROR_INVALID_ARGUMENTS;
	for (i = 0; i < len; i += 2) {
		int last = i + 2 == len;

		r = gen->select_fid(card, path + i, last, last ? &file : NULL);
		LOG_TEST_RET(card->ctx, r, "SELECT of a path component failed");
	}
	if (path[0] == 0x3F && path[1] == 0x00)
		starcos_note_df(card, path, len, file);
	if (file_out)
		*file_out = file;
	else
		sc_file_free(file);
	return 0;
}

static int
starcos_select_aid(struct sc_card *card, const u8 *aid, size_t len, struct sc_file **file_out)
{
	struct sc_apdu apdu;
	int r;

	r = starcos_select_apdu(card, &apdu, 0x04, 0x0C, aid, len, NULL, 0);
	LOG_TEST_RET(card->ctx, r, "SELECT by AID failed");
	DRVDATA(card)->cur_df_len = 0;
	if (file_out) {
		*file_out = starcos_new_file(0, NULL);
		if (!*file_out)
			return SC_ERROR_OUT_OF_MEMORY;
		memcpy((*file_out)->name, aid, len);
		(*file_out)->namelen = len;
	}
	return 0;
}

static int
starcos_select_file(struct sc_card *card, const struct sc_path *path,
		struct sc_file **file_out)
{
	int r;

	LOG_FUNC_CALLED(card->ctx);
	if (file_out)
		*file_out = NULL;
	if (path->aid.len) {
		r = starcos_select_aid(card, path->aid.value, path->aid.len,
				path->len ? NULL : file_out);
		if (r < 0 || path->len == 0)
			LOG_FUNC_RETURN(card->ctx, r);
	}
	switch (path->type) {
	case SC_PATH_TYPE_FILE_ID:
		r = path->len == 2 ? DRVDATA(card)->gen->select_fid(card, path->value, 1, file_out)
				   : SC_ERROR_INVALID_ARGUMENTS;
		break;
	case SC_PATH_TYPE_DF_NAME:
		r = starcos_select_aid(card, path->value, path->len, file_out);
		break;
	case SC_PATH_TYPE_PATH:
		r = starcos_select_path(card, path->value, path->len, file_out);
		break;
	default:
		r = SC_ERROR_NOT_SUPPORTED;
	}
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
	r = sc_transmit_apdu(card, &apdu);
	LOG_TEST_RET(card->ctx, r, "APDU transmit failed");
	r = sc_check_sw(card, apdu.sw1, apdu.sw2);
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

	sc_format_path("3F002F02", &path);
	r = starcos_select_file(card, &path, &file);
	LOG_TEST_RET(card->ctx, r, "cannot select EF.GDO");
	len = file->size && file->size < sizeof(buf) ? file->size : sizeof(buf);
	sc_file_free(file);
	r = iso_ops->read_binary(card, 0, buf, len, 0);
	LOG_TEST_RET(card->ctx, r, "cannot read EF.GDO");
	r = starcos_parse_gdo_serial(buf, (size_t)r, &sn, &sn_len);
	LOG_TEST_RET(card->ctx, r, "EF.GDO has no ICCSN");
	return pk_set_serial(card, sn, sn_len);
}

static int
starcos_card_ctl(struct sc_card *card, unsigned long cmd, void *ptr)
{
	int r;

	switch (cmd) {
	case SC_CARDCTL_GET_SERIALNR:
		if (!ptr)
			return SC_ERROR_INVALID_ARGUMENTS;
		if (card->serialnr.len == 0) {
			r = DRVDATA(card)->gen->read_serial(card);
			LOG_TEST_RET(card->ctx, r, "GET SERIALNR failed");
		}
		return pk_get_serial(card, ptr);
	default:
		return SC_ERROR_NOT_SUPPORTED;
	}
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
	starcos_ops.get_challenge = pk_get_challenge;
	return &starcos_drv;
}
