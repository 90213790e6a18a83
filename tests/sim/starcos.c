/*
 * cardsim - G+D StarCOS personalities (starcos-card.md): SPK 2.3, SPK 2.4
 * (FCI, 62 84 on DFs, 128-byte I/O, GET CARD DATA, proprietary
 * creation) and 3.4, 3.5 (FCP, P1=01/02 selection, EF.ATR, EF.GDO,
 * EF.PWDD / EF.KEYD). All T=1.
 */
#include <stdlib.h>
#include <string.h>

#include "starcos.h"

int
sc_is_v3(const struct sim_card *c)
{
	return c->pers->family == FAM_STARCOS3;
}

static int
is_v3(const struct sim_card *c)
{
	return sc_is_v3(c);
}

/* ---- FCI / FCP ------------------------------------------------------- */

static void
put_fid(struct sim_buf *b, uint16_t fid)
{
	buf_put_tlv(b, 0x83, (uint8_t[]){ (uint8_t)(fid >> 8), (uint8_t)fid }, 2);
}

/* 2.x EF FCI: 82 type, 83 FID, 80 size (starcos-card.md §3.1.1) */
static void
fci_v2(const struct sim_file *f, struct sim_buf *b)
{
	size_t size = fs_is_record(f) ? (size_t)f->mrl * f->nor : f->size;

	if (fs_is_record(f))
		buf_put_tlv(b, 0x82, (uint8_t[]){ f->fdb, 0x21, f->mrl }, 3);
	else
		buf_put_tlv(b, 0x82, &f->fdb, 1);
	put_fid(b, f->fid);
	buf_put_tlv(b, 0x80, (uint8_t[]){ (uint8_t)(size >> 8), (uint8_t)size }, 2);
	buf_wrap(b, 0, 0x6F);
}

/* 3.x: FCP 62 for P2=04, FCI 6F for P2=00 (starcos-card.md §3.2) */
static void
fcp_v3(const struct sim_file *f, uint8_t outer, struct sim_buf *b)
{
	if (f->type == FT_DF) {
		buf_put_tlv(b, 0x82, (uint8_t[]){ 0x38 }, 1);
		put_fid(b, f->fid);
		if (f->name_len)
			buf_put_tlv(b, 0x84, f->name, f->name_len);
	} else if (fs_is_record(f)) {
		buf_put_tlv(b, 0x82, (uint8_t[]){ f->fdb, 0x41, 0x00, f->mrl, f->nor }, 5);
		put_fid(b, f->fid);
	} else {
		buf_put_tlv(b, 0x80, (uint8_t[]){ (uint8_t)(f->size >> 8), (uint8_t)f->size }, 2);
		buf_put_tlv(b, 0x82, &f->fdb, 1);
		put_fid(b, f->fid);
	}
	buf_put_tlv(b, 0x8A, &f->lcsi, 1);
	buf_wrap(b, 0, outer);
}

/* ---- SELECT ---------------------------------------------------------- */

static void
make_current(struct sim_card *c, struct sim_file *f)
{
	if (f->type == FT_DF) {
		card_set_df(c, f);
	} else {
		card_set_df(c, f->parent);
		c->cur_ef = f;
	}
}

static uint16_t
select_reply(struct sim_card *c, const struct sim_apdu *a, struct sim_file *f,
	     struct sim_buf *resp)
{
	uint8_t mem[256];
	struct sim_buf b;

	make_current(c, f);
	if (a->p2 == 0x0C)
		return SW_OK;
	buf_init(&b, mem, sizeof(mem));
	if (!is_v3(c)) {
		if (f->type == FT_DF)
			return SW_NO_FCI;	/* 62 84: DF, no FCI */
		fci_v2(f, &b);
	} else {
		fcp_v3(f, a->p2 == 0x04 ? 0x62 : 0x6F, &b);
	}
	if (b.failed)
		return SW_NO_DIAGNOSIS;
	return card_reply(c, a, b.p, b.len, resp);
}

static struct sim_file *
select_target(struct sim_card *c, const struct sim_apdu *a, uint16_t *sw)
{
	struct sim_file *f = NULL;
	uint16_t fid = a->lc == 2 ? (uint16_t)(a->data[0] << 8 | a->data[1]) : 0;

	*sw = SW_FILE_NOT_FOUND;
	switch (a->p1) {
	case 0x00:
		if (a->lc == 0 && is_v3(c))
			return c->mf;
		if (a->lc != 2) {
			*sw = SW_WRONG_LENGTH;
			return NULL;
		}
		return select_search(c, fid);
	case 0x01:
	case 0x02:
		if (a->lc != 2) {
			*sw = SW_WRONG_LENGTH;
			return NULL;
		}
		f = fs_child(c->cur_df, fid);
		if (f && (f->type == FT_DF) != (a->p1 == 0x01))
			f = NULL;
		return f;
	case 0x04:
		if (a->lc == 0 || a->lc > 16) {
			*sw = SW_WRONG_LENGTH;
			return NULL;
		}
		return fs_find_name(c->mf, a->data, a->lc);
	}
	return NULL;
}

static uint16_t
sim_starcos_select_file(struct sim_card *c, const struct sim_apdu *a, struct sim_buf *resp)
{
	struct sim_file *f;
	uint16_t sw;
	int p1_ok = a->p1 == 0x00 || a->p1 == 0x04
		    || (is_v3(c) && (a->p1 == 0x01 || a->p1 == 0x02));
	int p2_ok = a->p2 == 0x00 || a->p2 == 0x0C || (is_v3(c) && a->p2 == 0x04);

	if (!p1_ok || !p2_ok)
		return SW_WRONG_P1P2;
	if (a->cse == 2)
		return SW_WRONG_LENGTH;
	if (!c->mf)
		return SW_COND_NOT_SAT;	/* 69 85: no MF (starcos-card.md §2.1 LOGOUT) */
	f = select_target(c, a, &sw);
	if (!f)
		return sw;
	/* Leaving a DF drops its local state (card_set_df); the global state
	 * survives SELECT MF (starcos-card.md §3.2 "security status scope", 7: only
	 * the local state is cleared when the current DF changes). OpenSC's
	 * 2.x logout (SELECT MF) therefore logs out the DF-local PINs only. */
	return select_reply(c, a, f, resp);
}

/* ---- binary / records ------------------------------------------------- */

static uint16_t
binary_ef(struct sim_card *c, const struct sim_apdu *a, struct sim_file **out,
	  size_t *off)
{
	struct sim_file *f = c->cur_ef;

	*off = (size_t)a->p1 << 8 | a->p2;
	if (a->p1 & 0x80) {	/* short EF identifier */
		if (!is_v3(c) || (a->p1 & 0x60))
			return SW_WRONG_P1P2;
		for (f = c->cur_df ? c->cur_df->child : NULL; f; f = f->next)
			if (f->type == FT_EF && f->sfi == (a->p1 & 0x1F))
				break;
		if (!f)
			return SW_FILE_NOT_FOUND;
		c->cur_ef = f;
		*off = a->p2;
	}
	if (!f)
		return SW_NO_CURRENT_EF;
	if (fs_is_record(f))
		return SW_INCOMPATIBLE;
	*out = f;
	return SW_OK;
}

static uint16_t
sim_starcos_read_binary(struct sim_card *c, const struct sim_apdu *a, struct sim_buf *resp)
{
	struct sim_file *f = NULL;
	size_t off, n;
	uint16_t sw;

	if (a->cse != 2)
		return SW_WRONG_LENGTH;
	if ((sw = binary_ef(c, a, &f, &off)) != SW_OK)
		return sw;
	if (!is_v3(c) && (sw = sc2_ef_ac(c, f, AC_READ)) != SW_OK)
		return sw;
	if (a->le > c->pers->max_io)
		return SW_WRONG_LENGTH;
	if (off >= f->size)
		return SW_WRONG_P1P2_ISO;
	n = f->size - off < a->le ? f->size - off : a->le;
	buf_put(resp, f->data + off, n);
	/* Le = 00 means "up to 256": no warning when the file ends first */
	return (n == a->le || a->le == 256) ? SW_OK : SW_EOF_READ;
}

static uint16_t
sim_starcos_update_binary(struct sim_card *c, const struct sim_apdu *a, struct sim_buf *resp)
{
	struct sim_file *f = NULL;
	size_t off;
	uint16_t sw;

	(void)resp;
	if (a->cse != 3)
		return SW_WRONG_LENGTH;
	if ((sw = binary_ef(c, a, &f, &off)) != SW_OK)
		return sw;
	if (!is_v3(c) && (sw = sc2_ef_ac(c, f, AC_WRITE)) != SW_OK)
		return sw;
	if (a->lc > c->pers->max_io)
		return SW_WRONG_LENGTH;
	if (off >= f->size)
		return SW_WRONG_P1P2_ISO;
	if (a->lc > f->size - off)
		return SW_WRONG_LENGTH;
	memcpy(f->data + off, a->data, a->lc);
	c->dirty = 1;
	return SW_OK;
}

static uint16_t
sim_starcos_update_record(struct sim_card *c, const struct sim_apdu *a, struct sim_buf *resp)
{
	struct sim_file *f = c->cur_ef;

	(void)resp;
	if (a->cse != 3)
		return SW_WRONG_LENGTH;
	if (a->p2 != 0x04 || a->p1 == 0)
		return SW_WRONG_P1P2;
	if (!f)
		return SW_NO_CURRENT_EF;
	if (!fs_is_record(f))
		return SW_INCOMPATIBLE;
	if (!is_v3(c) && sc2_ef_ac(c, f, AC_WRITE) != SW_OK)
		return SW_SEC_STATUS;
	if (a->lc > f->mrl)
		return SW_WRONG_LENGTH;
	if (a->p1 > f->nor)
		return SW_RECORD_NOT_FOUND;
	if (fs_set_record(f, a->p1 - 1u, a->data, a->lc) < 0)
		return SW_NO_DIAGNOSIS;
	c->dirty = 1;
	return SW_OK;
}

static uint16_t
sim_starcos2_read_record(struct sim_card *c, const struct sim_apdu *a, struct sim_buf *resp)
{
	if (c->cur_ef && sc2_ef_ac(c, c->cur_ef, AC_READ) != SW_OK)
		return SW_SEC_STATUS;
	return sim_iso_read_record(c, a, resp);
}

/* ---- identification ---------------------------------------------------- */

/* 2.x GET CARD DATA 80 F6 00 00 00: the whole response is the serial. */
static uint16_t
sim_starcos2_get_card_data(struct sim_card *c, const struct sim_apdu *a, struct sim_buf *resp)
{
	if (a->p1 || a->p2)
		return SW_WRONG_P1P2;
	if (a->cse != 2)
		return SW_WRONG_LENGTH;
	return card_reply(c, a, c->serial, c->serial_len, resp);
}

/* 3.x GET DATA A0 CA 9F 6C: chip serial number (starcos-card.md §1.3) */
static uint16_t
sim_starcos3_get_data(struct sim_card *c, const struct sim_apdu *a, struct sim_buf *resp)
{
	if (a->cse != 2)
		return SW_WRONG_LENGTH;
	if (a->p1 != 0x9F || a->p2 != 0x6C)
		return SW_REF_NOT_FOUND;
	return card_reply(c, a, c->serial, c->serial_len, resp);
}

/* ---- 2.x proprietary creation (starcos-card.md §2.2) ------------------------- */

static uint16_t
sc2_create_mf(struct sim_card *c, const struct sim_apdu *a)
{
	struct sim_file *mf;

	if (a->lc != 19)
		return SW_WRONG_LENGTH;
	if (c->mf)
		return SW_FILE_EXISTS;
	mf = fs_new(FT_DF, 0x3F00);
	if (!mf)
		return SW_NO_DIAGNOSIS;
	mf->fdb = 0x38;
	mf->lcsi = 0x01;	/* creation state until CREATE END */
	memcpy(mf->ac, a->data + 12, 4);
	mf->ac_len = 4;
	c->mf = mf;
	card_set_df(c, mf);
	c->dirty = 1;
	return SW_OK;
}

static uint16_t
sc2_create_df(struct sim_card *c, const struct sim_apdu *a)
{
	struct sim_file *df;
	uint16_t fid;
	size_t alen;

	if (a->lc != 25)
		return SW_WRONG_LENGTH;
	if (!c->mf)
		return SW_COND_NOT_SAT;
	if (sc2_df_ac(c, c->mf, AC_CREATE_DF) != SW_OK)
		return SW_SEC_STATUS;
	fid = (uint16_t)(a->data[0] << 8 | a->data[1]);
	alen = a->data[2];
	if (alen > 16)
		return SW_WRONG_DATA;
	if (fs_child(c->mf, fid) || fid == 0x3F00)
		return SW_FILE_EXISTS;
	df = fs_new(FT_DF, fid);
	if (!df)
		return SW_NO_DIAGNOSIS;
	df->fdb = 0x38;
	df->lcsi = 0x01;
	if (alen) {
		memcpy(df->name, a->data + 3, alen);
		df->name_len = alen;
	} else {
		memcpy(df->name, a->data, 2);
		df->name_len = 2;
	}
	memcpy(df->ac, a->data + 21, 4);
	df->ac_len = 4;
	fs_add_child(c->mf, df);	/* one DF level only */
	card_set_df(c, df);
	c->dirty = 1;
	return SW_OK;
}

static uint16_t
sc2_create_ef(struct sim_card *c, const struct sim_apdu *a)
{
	const uint8_t *d = a->data;
	struct sim_file *ef;
	uint16_t fid;

	if (a->lc != 16)
		return SW_WRONG_LENGTH;
	if (!c->mf)
		return SW_COND_NOT_SAT;
	if (sc2_df_ac(c, c->cur_df, AC_CREATE_EF) != SW_OK)
		return SW_SEC_STATUS;
	fid = (uint16_t)(d[0] << 8 | d[1]);
	if (fs_child(c->cur_df, fid))
		return SW_FILE_EXISTS;
	ef = fs_new(FT_EF, fid);
	if (!ef)
		return SW_NO_DIAGNOSIS;
	memcpy(ef->ac, d + 2, 7);
	ef->ac_len = 7;
	ef->sfi = d[12] ? d[12] : (uint8_t)(fid & 0x1F);
	if (d[13] == 0x81 || d[13] == 0xA1) {
		ef->fdb = d[13] == 0x81 ? 0x01 : 0x11;
		if (fs_set_size(ef, (size_t)d[14] << 8 | d[15]) < 0) {
			fs_free(ef);
			return SW_NO_SPACE;
		}
	} else if (d[13] == 0x82 || d[13] == 0x84) {
		ef->fdb = d[13] == 0x82 ? 0x02 : 0x07;
		ef->nor = d[14];
		ef->mrl = d[15];
		if (!ef->nor || !ef->mrl) {
			fs_free(ef);
			return SW_WRONG_DATA;
		}
	} else {
		fs_free(ef);
		return SW_WRONG_DATA;
	}
	fs_add_child(c->cur_df, ef);
	c->cur_ef = ef;
	c->dirty = 1;
	return SW_OK;
}

static uint16_t
sc2_create_end(struct sim_card *c, const struct sim_apdu *a)
{
	struct sim_file *f;

	if (a->lc != 2)
		return SW_WRONG_LENGTH;
	f = select_search(c, (uint16_t)(a->data[0] << 8 | a->data[1]));
	if (!f || f->type != FT_DF)
		return SW_FILE_NOT_FOUND;
	if (f->lcsi != 0x01)
		return SW_ALREADY_FINISHED;
	f->lcsi = 0x05;
	c->dirty = 1;
	return SW_OK;
}

static uint16_t
sim_starcos2_create(struct sim_card *c, const struct sim_apdu *a, struct sim_buf *resp)
{
	(void)resp;
	if (a->cse != 3)
		return SW_WRONG_LENGTH;
	if (a->p2 != 0x00)
		return SW_WRONG_P1P2;
	switch (a->p1) {
	case 0x00:
		return sc2_create_mf(c, a);
	case 0x01:
		return sc2_create_df(c, a);
	case 0x02:
		return sc2_create_end(c, a);
	case 0x03:
		return sc2_create_ef(c, a);
	}
	return SW_WRONG_P1P2;
}

static uint16_t
sim_starcos2_register_df(struct sim_card *c, const struct sim_apdu *a, struct sim_buf *resp)
{
	(void)resp;
	if (a->cse != 3 || a->lc < 4 || a->data[2] > a->lc - 3)
		return SW_WRONG_LENGTH;
	if (!c->mf)
		return SW_COND_NOT_SAT;
	return sc2_df_ac(c, c->mf, AC_REGISTER_DF);
}

static uint16_t
sim_starcos2_erase_card(struct sim_card *c, const struct sim_apdu *a, struct sim_buf *resp)
{
	(void)resp;
	if (a->p1 || a->p2)
		return SW_WRONG_P1P2;
	if (a->cse != 3 || a->lc != 2 || a->data[0] != 0x3F || a->data[1] != 0x00)
		return SW_WRONG_LENGTH;
	if (!c->mf)
		return SW_COND_NOT_SAT;	/* 69 85: nothing to erase */
	card_clear(c);
	c->dirty = 1;
	return SW_OK;
}

/* ---- factory states ------------------------------------------------------ */

static struct sim_file *
add_ef(struct sim_file *df, uint16_t fid, const uint8_t *data, size_t n)
{
	struct sim_file *f = fs_new(FT_EF, fid);

	if (!f)
		return NULL;
	f->fdb = 0x01;
	if (fs_set_size(f, n) < 0) {
		fs_free(f);
		return NULL;
	}
	memcpy(f->data, data, n);
	fs_add_child(df, f);
	return f;
}

static struct sim_file *
add_rec_ef(struct sim_file *df, uint16_t fid, uint8_t fdb, uint8_t mrl, uint8_t nor)
{
	struct sim_file *f = fs_new(FT_EF, fid);

	if (!f)
		return NULL;
	f->fdb = fdb;
	f->mrl = mrl;
	f->nor = nor;
	fs_add_child(df, f);
	return f;
}

static void
v3_apply_serial(struct sim_card *c)
{
	struct sim_file *gdo = fs_child(c->mf, 0x2F02);
	uint8_t buf[2 + SIM_SERIAL_MAX];

	if (!c->mf)
		return;
	buf[0] = 0x5A;
	buf[1] = (uint8_t)c->serial_len;
	memcpy(buf + 2, c->serial, c->serial_len);
	if (!gdo) {
		add_ef(c->mf, 0x2F02, buf, 2 + c->serial_len);
		return;
	}
	if (fs_set_size(gdo, 2 + c->serial_len) == 0)
		memcpy(gdo->data, buf, 2 + c->serial_len);
}

static void
factory_pin(struct sim_card *c, uint8_t ref, const uint8_t *v, size_t n)
{
	struct sim_pin *p = calloc(1, sizeof(*p));

	if (!p)
		return;
	p->df = c->mf;
	p->ref = ref;
	memcpy(p->value, v, n);
	p->len = n;
	p->tries = p->max = 3;
	pin_append(c, p);
}

/*
 * 3.x factory state (starcos-card.md §3.2): MF with EF.DIR 2F00, EF.ATR 2F01,
 * EF.GDO 2F02 and EF.PWDD 0015 (3.4) / EF.KEYD 0013 (3.5). The global
 * PIN 01 (3.4) / 06 (3.5) holds "123456" as a format-2 PIN block.
 */
static void
v3_factory(struct sim_card *c)
{
	/*
	 * 47 card capabilities (ISO 7816-4): selection by DF name, FID, SFI,
	 * record number; 1-byte data units; "extended length information in
	 * EF.ATR" (20) and, with extended APDUs, "extended Lc/Le" (40). Only
	 * with that bit does 7F66 count (ISO 7816-4; OpenSC's EF.ATR parser).
	 * 7F66 extended length information: max C-APDU / R-APDU data.
	 */
	uint8_t ef_atr[] = { 0x47, 0x03, 0x96, 0x01, 0x20,
			     0x7F, 0x66, 0x08, 0x02, 0x02, 0x01, 0x00, 0x02, 0x02, 0x01, 0x00 };
	static const uint8_t pin_block[] = { 0x26, 0x12, 0x34, 0x56, 0xFF, 0xFF, 0xFF, 0xFF };
	uint8_t pinref = c->pers->gen == 34 ? 0x01 : 0x06;
	uint8_t pwd[] = { 0x83, 0x01, pinref, 0x7B, 0x05, 0xA4, 0x03, 0x89, 0x01, 0x12 };
	uint8_t keyd_pin[] = { 0x88, 0x01, pinref, 0x7B, 0x05, 0xA4, 0x03, 0x89, 0x01, 0x12 };
	static const uint8_t keyd_key[] = { 0x84, 0x01, 0x82, 0x8A, 0x01, 0x05 };
	struct sim_file *mf = fs_new(FT_DF, 0x3F00), *f;

	if (!mf)
		return;
	mf->fdb = 0x38;
	c->mf = mf;
	add_rec_ef(mf, 0x2F00, 0x04, 0x40, 0x08);	/* EF.DIR, empty */
	if (c->pers->ext_apdu) {
		ef_atr[4] |= 0x40;
		ef_atr[10] = ef_atr[14] = 0x04;	/* 1024 / 1024 */
	}
	add_ef(mf, 0x2F01, ef_atr, sizeof(ef_atr));
	v3_apply_serial(c);
	if (c->pers->gen == 34) {
		f = add_rec_ef(mf, 0x0015, 0x04, 0x40, 0x04);
		if (f)
			fs_set_record(f, 0, pwd, sizeof(pwd));
	} else {
		f = add_rec_ef(mf, 0x0013, 0x04, 0x40, 0x08);
		if (f) {
			fs_set_record(f, 0, keyd_key, sizeof(keyd_key));
			fs_set_record(f, 1, keyd_pin, sizeof(keyd_pin));
		}
	}
	factory_pin(c, pinref, pin_block, sizeof(pin_block));
}

static void
v2_factory(struct sim_card *c)
{
	(void)c;	/* virgin: no MF until CREATE MF */
}

/* ---- tables ------------------------------------------------------------ */

static const uint8_t sc2_clas[] = { 0x00, 0x80 };
static const uint8_t sc3_clas[] = { 0x00, 0x80, 0xA0 };

static const struct sim_cmd sc2_cmds[] = {
	{ 0x00, 0xA4, sim_starcos_select_file, 0, 0 },
	{ 0x00, 0xB0, sim_starcos_read_binary, 0, 0 },
	{ 0x00, 0xD6, sim_starcos_update_binary, 0, 0 },
	{ 0x00, 0xB2, sim_starcos2_read_record, 0, 0 },
	{ 0x00, 0xDC, sim_starcos_update_record, 0, 0 },
	{ 0x00, 0x84, sim_iso_get_challenge, 0, 0 },
	{ 0x00, 0x20, sim_starcos2_verify, 1, 0 },
	{ 0x00, 0x24, sim_starcos2_change_reference_data, 1, 0 },
	{ 0x00, 0x2C, sim_starcos2_reset_retry_counter, 1, 0 },
	{ 0x80, 0xF6, sim_starcos2_get_card_data, 0, 0 },
	{ 0x80, 0xE0, sim_starcos2_create, 0, 0 },
	{ 0x80, 0x52, sim_starcos2_register_df, 0, 0 },
	{ 0x80, 0xE4, sim_starcos2_erase_card, 0, 0 },
	/* 'C2 L KID off(2)' + a 124-byte chunk = 129 bytes (starcos-card.md §2.2) */
	{ 0x80, 0xF4, sim_starcos2_write_key, 1, 129 },
	{ 0x00, 0x46, sim_starcos2_generate_key, 0, 0 },
	{ 0x80, 0xF0, sim_starcos2_read_public_key, 0, 0 },
	{ 0x00, 0x22, sim_starcos2_manage_security_env, 0, 0 },
	/* PSO DEC: 00 || 128-byte cryptogram, the one 129-byte exception (2.3) */
	{ 0x00, 0x2A, sim_starcos2_perform_security_op, 0, 129 },
	{ 0x00, 0x88, sim_starcos2_internal_authenticate, 0, 0 },
};

static const struct sim_cmd sc3_cmds[] = {
	{ 0x00, 0xA4, sim_starcos_select_file, 0, 0 },
	{ 0x00, 0xB0, sim_starcos_read_binary, 0, 0 },
	{ 0x00, 0xD6, sim_starcos_update_binary, 0, 0 },
	{ 0x00, 0xB2, sim_iso_read_record, 0, 0 },
	{ 0x00, 0xDC, sim_starcos_update_record, 0, 0 },
	{ 0x00, 0x84, sim_iso_get_challenge, 0, 0 },
	{ 0x00, 0x20, sim_starcos3_verify, 1, 0 },
	{ 0x00, 0x24, sim_starcos3_change_reference_data, 1, 0 },
	{ 0x00, 0x2C, sim_iso_reset_retry_counter, 1, 0 },
	{ 0xA0, 0xCA, sim_starcos3_get_data, 0, 0 },
	{ 0x00, 0x22, sim_starcos3_manage_security_env, 0, 0 },
	{ 0x00, 0x2A, sim_starcos3_perform_security_op, 0, 0 },
	{ 0x00, 0x88, sim_starcos3_internal_authenticate, 0, 0 },
	/* issuer cards: creation and key generation refused (doc/simulator.md) */
	{ 0x00, 0xE0, sim_starcos3_refuse_personalisation, 0, 0 },
	{ 0x00, 0xE4, sim_starcos3_refuse_personalisation, 0, 0 },
	{ 0x00, 0x44, sim_starcos3_refuse_personalisation, 0, 0 },
	{ 0x00, 0x04, sim_starcos3_refuse_personalisation, 0, 0 },
	{ 0x00, 0x46, sim_starcos3_refuse_personalisation, 0, 0 },
	{ 0x00, 0x47, sim_starcos3_refuse_personalisation, 0, 0 },
};

#define SC2_COMMON \
	.family = FAM_STARCOS2, .t0 = 0, .ext_apdu = 0, .max_io = 128, .max_lc = 128, \
	.clas = sc2_clas, .ncla = sizeof(sc2_clas), .cmds = sc2_cmds, \
	.ncmds = sizeof(sc2_cmds) / sizeof(sc2_cmds[0]), \
	.factory = v2_factory, .serial_len = 8, .eeprom_capacity = 0x8000

#define SC3_COMMON \
	.family = FAM_STARCOS3, .t0 = 0, \
	.clas = sc3_clas, .ncla = sizeof(sc3_clas), .cmds = sc3_cmds, \
	.ncmds = sizeof(sc3_cmds) / sizeof(sc3_cmds[0]), \
	.factory = v3_factory, .apply_serial = v3_apply_serial, \
	.serial_len = 10, .eeprom_capacity = 0x10000

const struct sim_personality pers_spk23 = {
	.name = "starcos-spk23",
	.desc = "G+D STARCOS SPK 2.3, T=1, virgin",
	.gen = 23,
	.atr = { 0x3B, 0xB7, 0x94, 0x00, 0x81, 0x31, 0xFE, 0x65, 0x53, 0x50,
		 0x4B, 0x32, 0x33, 0x90, 0x00, 0xD1 },
	.atr_len = 16,
	.serial = { 0x53, 0x50, 0x4B, 0x23, 0x00, 0x00, 0x00, 0x01 },
	SC2_COMMON,
};

const struct sim_personality pers_spk24 = {
	.name = "starcos-spk24",
	.desc = "G+D STARCOS SPK 2.4, T=1, virgin",
	.gen = 24,
	.atr = { 0x3B, 0xB7, 0x18, 0x00, 0xC0, 0x3E, 0x31, 0xFE, 0x65, 0x53,
		 0x50, 0x4B, 0x32, 0x34, 0x90, 0x00, 0x25 },
	.atr_len = 17,
	.serial = { 0x53, 0x50, 0x4B, 0x24, 0x00, 0x00, 0x00, 0x02 },
	SC2_COMMON,
};

const struct sim_personality pers_sc34 = {
	.name = "starcos-3.4",
	.desc = "G+D STARCOS 3.4, T=1, factory MF with EF.ATR/GDO/PWDD",
	.gen = 34,
	.ext_apdu = 1, .max_io = 1024,	/* extended APDUs, EF.ATR 47 + 7F66 1024/1024 */
	.atr = { 0x3B, 0xD8, 0x18, 0xFF, 0x81, 0xB1, 0xFE, 0x45, 0x1F, 0x03,
		 0x80, 0x64, 0x04, 0x1A, 0xB4, 0x03, 0x81, 0x05, 0x61 },
	.atr_len = 19,
	.serial = { 0x80, 0x27, 0x60, 0x00, 0x34, 0x00, 0x00, 0x00, 0x00, 0x01 },
	SC3_COMMON,
};

const struct sim_personality pers_sc35 = {
	.name = "starcos-3.5",
	.desc = "G+D STARCOS 3.5, T=1, factory MF with EF.ATR/GDO/KEYD",
	.gen = 35,
	.ext_apdu = 1, .max_io = 1024,	/* extended APDUs, EF.ATR 47 + 7F66 1024/1024 */
	.atr = { 0x3B, 0x9B, 0x96, 0xC0, 0x0A, 0x31, 0xFE, 0x45, 0x80, 0x67,
		 0x04, 0x1E, 0xB5, 0x01, 0x00, 0x89, 0x4C, 0x81, 0x05, 0x45 },
	.atr_len = 20,
	.serial = { 0x80, 0x27, 0x60, 0x00, 0x35, 0x00, 0x00, 0x00, 0x00, 0x01 },
	SC3_COMMON,
};
