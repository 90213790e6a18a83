/*
 * cardsim - ACS ACOS5 personalities (acos5-card.md): original ACOS5 (v1),
 * ACOS5-64 V2.00 and V3.00. All T=0, short APDUs only.
 */
#include <stdlib.h>
#include <string.h>

#include "acos5.h"

int
acos_gen(const struct sim_card *c)
{
	return c->pers->gen;
}

uint8_t
op_mode(const struct sim_card *c)
{
	return c->eeprom[EE_OPMODE];
}

/* ---- security attributes ---------------------------------------------- */

static uint8_t
sac_scb(const struct sim_file *f, int bit)
{
	uint8_t am;
	size_t idx = 1;
	int b;

	if (f->sac_len == 0)
		return 0x00;
	am = f->sac[0];
	if (!(am & (1u << bit)))
		return 0x00;
	for (b = 6; b > bit; b--)
		if (am & (1u << b))
			idx++;
	return idx < f->sac_len ? f->sac[idx] : 0x00;
}

static int
ref_ok(const struct sim_card *c, uint8_t ref, uint8_t uqb, const struct sim_file *df)
{
	const uint8_t *flags = (uqb & 0x80) && !(uqb & 0x08) ? c->key_ok : c->pin_ok;

	if (!flags[ref])
		return 0;
	return !(ref & 0x80) || c->local_df == df;
}

/* Evaluates the A4 templates of one SE record; OR unless 'all'. */
static int
se_record_ok(const struct sim_card *c, const uint8_t *rec, size_t n, int all,
	     const struct sim_file *df)
{
	struct tlv_reader r, r2;
	struct tlv t, t2;
	int seen = 0, any = 0, every = 1;

	tlv_begin(&r, rec, n);
	while (tlv_next(&r, &t) == 1) {
		uint8_t refs[8], uqb = 0x08;
		size_t nref = 0, i;

		if (t.tag != 0xA4)
			continue;
		tlv_begin(&r2, t.val, t.len);
		while (tlv_next(&r2, &t2) == 1) {
			if (t2.tag == 0x83 && t2.len == 1 && nref < 8)
				refs[nref++] = t2.val[0];
			else if (t2.tag == 0x95 && t2.len == 1)
				uqb = t2.val[0];
		}
		for (i = 0; i < nref; i++) {
			int ok = ref_ok(c, refs[i], uqb, df);

			seen = 1;
			any |= ok;
			every &= ok;
		}
	}
	if (!seen)
		return 0;
	return all ? every : any;
}

uint16_t
acos_check(const struct sim_card *c, const struct sim_file *f, int bit)
{
	const struct sim_file *df, *se;
	uint8_t scb;
	unsigned int i;

	if (f->lcsi == 0x01)
		return SW_OK;	/* created, not activated: ACs not enforced */
	if (f->lcsi == 0x04 && bit != AM_ACTIVATE && bit != AM_DELETE)
		return SW_COND_NOT_SAT;	/* deactivated (doc: [L]) */
	scb = sac_scb(f, bit);
	if (scb == 0x00)
		return SW_OK;
	if (scb == 0xFF || (scb & 0x40))
		return SW_SEC_STATUS;	/* never, or SM (not simulated) */
	df = f->type == FT_DF ? f : f->parent;
	se = df ? fs_child(df, df->se_fid) : NULL;
	if (!se || !fs_is_record(se))
		return SW_SEC_STATUS;
	for (i = 0; i < se->nrec; i++) {
		const uint8_t *r = se->rec[i];

		if (r && se->reclen[i] >= 3 && r[0] == 0x80 && r[1] == 0x01
		    && r[2] == (scb & 0x0F))
			return se_record_ok(c, r, se->reclen[i], scb & 0x80, df) ?
				SW_OK : SW_SEC_STATUS;
	}
	return SW_SEC_STATUS;
}

/* ---- FCI ------------------------------------------------------------- */

static int
has_size(const struct sim_file *f)
{
	return f->type == FT_EF && !fs_is_record(f);
}

static void
build_fci(const struct sim_file *f, struct sim_buf *b)
{
	uint8_t t[6];

	buf_put_tlv(b, 0x83, (uint8_t[]){ (uint8_t)(f->fid >> 8), (uint8_t)f->fid }, 2);
	buf_put_tlv(b, 0x88, &f->sfi, 1);
	buf_put_tlv(b, 0x8A, &f->lcsi, 1);
	t[0] = f->fdb;
	t[1] = f->dcb;
	if (fs_is_record(f)) {
		t[2] = 0;
		t[3] = f->mrl;
		t[4] = 0;
		t[5] = f->nor;
		buf_put_tlv(b, 0x82, t, 6);
	} else {
		buf_put_tlv(b, 0x82, t, 2);
	}
	if (has_size(f))
		buf_put_tlv(b, 0x80, (uint8_t[]){ (uint8_t)(f->size >> 8), (uint8_t)f->size }, 2);
	if (f->type == FT_DF) {
		buf_put_tlv(b, 0x8D, (uint8_t[]){ (uint8_t)(f->se_fid >> 8), (uint8_t)f->se_fid }, 2);
		buf_put_tlv(b, 0x84, f->name, f->name_len);
	}
	buf_put_tlv(b, 0x8C, f->sac, f->sac_len);
	buf_put_tlv(b, 0xAB, f->sae, f->sae_len);
	buf_wrap(b, 0, 0x6F);
}

/* ---- SELECT ---------------------------------------------------------- */

static uint16_t
sim_acos5_select_file(struct sim_card *c, const struct sim_apdu *a, struct sim_buf *resp)
{
	uint8_t mem[256];
	struct sim_buf fci;
	struct sim_file *f;

	if (a->p2 != 0x00 || (a->p1 != 0x00 && a->p1 != 0x04))
		return SW_WRONG_P1P2;
	if (a->lc == 0 || (a->p1 == 0x00 && a->lc != 2) || a->lc > 16)
		return SW_WRONG_LENGTH;
	if (!c->mf)
		return SW_NO_CURRENT_EF;	/* 69 86: no MF on a virgin card */
	if (a->p1 == 0x00)
		f = select_search(c, (uint16_t)(a->data[0] << 8 | a->data[1]));
	else
		f = fs_find_name(c->mf, a->data, a->lc);
	if (!f)
		return SW_FILE_NOT_FOUND;
	memset(&c->mse, 0, sizeof(c->mse));	/* doc: SELECT clears MSE state */
	if (f->type == FT_DF) {
		card_set_df(c, f);
	} else {
		card_set_df(c, f->parent);
		c->cur_ef = f;
	}
	if (f->lcsi == 0x04)
		return SW_DEACTIVATED;
	buf_init(&fci, mem, sizeof(mem));
	build_fci(f, &fci);
	if (fci.failed)
		return SW_NO_DIAGNOSIS;
	return card_reply(c, a, fci.p, fci.len, resp);
}

/* ---- binary ---------------------------------------------------------- */

static int
is_config_addr(const struct sim_card *c, const struct sim_apdu *a)
{
	return acos_gen(c) >= 2 && a->p1 == 0xC1
	       && (a->p2 == EE_TA1 || a->p2 == EE_LIFE || a->p2 == EE_OPMODE
		   || a->p2 == EE_ZEROIZE);
}

static uint16_t
binary_target(struct sim_card *c, int bit, struct sim_file **out)
{
	struct sim_file *f = c->cur_ef;

	if (!f)
		return SW_NO_CURRENT_EF;
	if (f->fdb == FDB_RSA && !(bit == AM_READ && acos_gen(c) == 1
				   && !acos_key_is_private(f)))
		return SW_SEC_STATUS;	/* key files: GET KEY only (trace 01) */
	if (fs_is_record(f) || (f->fdb != FDB_EF && f->fdb != FDB_RSA))
		return SW_INCOMPATIBLE;
	*out = f;
	return acos_check(c, f, bit);
}

static uint16_t
sim_acos5_read_binary(struct sim_card *c, const struct sim_apdu *a, struct sim_buf *resp)
{
	struct sim_file *f = NULL;
	size_t off = (size_t)a->p1 << 8 | a->p2;
	uint16_t sw;

	if (a->cse != 2)
		return SW_WRONG_LENGTH;
	if (!c->mf && is_config_addr(c, a)) {
		if (a->le != 1)
			return SW_WRONG_LE(1);
		buf_put_u8(resp, c->eeprom[a->p2]);
		return SW_OK;
	}
	sw = binary_target(c, AM_READ, &f);
	if (sw != SW_OK)
		return sw;
	if (off >= f->size)
		return SW_WRONG_P1P2_ISO;
	if (a->le > f->size - off)
		return SW_WRONG_LE(f->size - off);
	buf_put(resp, f->data + off, a->le);
	return SW_OK;
}

static uint16_t
sim_acos5_update_binary(struct sim_card *c, const struct sim_apdu *a, struct sim_buf *resp)
{
	struct sim_file *f = NULL;
	size_t off = (size_t)a->p1 << 8 | a->p2, n;
	uint16_t sw;

	(void)resp;
	if (a->cse != 3)
		return SW_WRONG_LENGTH;
	if (!c->mf && is_config_addr(c, a)) {
		if (a->lc != 1 || a->p2 == EE_LIFE)
			return a->lc != 1 ? SW_WRONG_LENGTH : SW_SEC_STATUS;
		c->eeprom[a->p2] = a->data[0];
		c->dirty = 1;
		return SW_OK;
	}
	sw = binary_target(c, AM_UPDATE, &f);
	if (sw != SW_OK)
		return sw;
	if (off > f->size)
		return SW_WRONG_P1P2_ISO;
	n = a->lc;	/* off == size: nothing fits, 62 82 (trace 06) */
	if (n > f->size - off)
		n = f->size - off;	/* write what fits, warn (trace 06) */
	memcpy(f->data + off, a->data, n);
	c->dirty = 1;
	return n == a->lc ? SW_OK : SW_EOF_READ;
}

static uint16_t
sim_acos5_erase_binary(struct sim_card *c, const struct sim_apdu *a, struct sim_buf *resp)
{
	struct sim_file *f = NULL;
	size_t off = (size_t)a->p1 << 8 | a->p2, end;
	uint16_t sw;

	(void)resp;
	if (!apdu_no_data(a) && !(a->cse == 3 && a->lc == 2))
		return SW_WRONG_LENGTH;
	sw = binary_target(c, AM_UPDATE, &f);
	if (sw != SW_OK)
		return sw;
	end = a->cse == 3 ? ((size_t)a->data[0] << 8 | a->data[1]) : f->size;
	if (off > f->size || end > f->size || end < off)
		return SW_WRONG_P1P2_ISO;
	memset(f->data + off, 0, end - off);
	c->dirty = 1;
	return SW_OK;
}

/* ---- records --------------------------------------------------------- */

static uint16_t
sim_acos5_read_record(struct sim_card *c, const struct sim_apdu *a, struct sim_buf *resp)
{
	struct sim_file *f = c->cur_ef;
	uint16_t sw;

	if (f && (f->fdb == FDB_CHV || f->fdb == FDB_SYM))
		return SW_SEC_STATUS;	/* never readable */
	if (f && fs_is_record(f) && (sw = acos_check(c, f, AM_READ)) != SW_OK)
		return sw;
	return sim_iso_read_record(c, a, resp);
}

static uint16_t
record_target(struct sim_card *c, const struct sim_apdu *a, struct sim_file **out)
{
	struct sim_file *f = c->cur_ef;

	if (a->cse != 3)
		return SW_WRONG_LENGTH;
	if (!f)
		return SW_NO_CURRENT_EF;
	if (!fs_is_record(f))
		return SW_INCOMPATIBLE;
	if (f->fdb == FDB_CHV || f->fdb == FDB_SYM)
		c->secret_cmd = 1;	/* PIN / key material in the data */
	if (a->lc > f->mrl)
		return SW_WRONG_LENGTH;
	*out = f;
	return acos_check(c, f, AM_UPDATE);
}

static uint16_t
sim_acos5_update_record(struct sim_card *c, const struct sim_apdu *a, struct sim_buf *resp)
{
	struct sim_file *f = NULL;
	uint16_t sw;

	(void)resp;
	if (a->p2 != 0x04 || a->p1 == 0)
		return SW_WRONG_P1P2;
	if ((sw = record_target(c, a, &f)) != SW_OK)
		return sw;
	if (a->p1 > f->nor)
		return SW_RECORD_NOT_FOUND;
	if (fs_set_record(f, a->p1 - 1u, a->data, a->lc) < 0)
		return SW_NO_DIAGNOSIS;
	c->dirty = 1;
	return SW_OK;
}

static uint16_t
sim_acos5_append_record(struct sim_card *c, const struct sim_apdu *a, struct sim_buf *resp)
{
	struct sim_file *f = NULL;
	uint16_t sw;

	(void)resp;
	if (a->p1 || a->p2)
		return SW_WRONG_P1P2;
	if ((sw = record_target(c, a, &f)) != SW_OK)
		return sw;
	if (f->nrec >= f->nor)
		return SW_NO_SPACE;
	if (fs_set_record(f, f->nrec, a->data, a->lc) < 0)
		return SW_NO_DIAGNOSIS;
	c->dirty = 1;
	return SW_OK;
}

/* ---- CREATE / DELETE / ACTIVATE -------------------------------------- */

static int
fdb_is_record(uint8_t fdb)
{
	return fdb == 0x02 || fdb == 0x04 || fdb == 0x06 || fdb == FDB_CHV
	       || fdb == FDB_SYM || fdb == FDB_SE;
}

static int
fdb_known(uint8_t fdb)
{
	return fdb == FDB_MF || fdb == FDB_DF || fdb == FDB_EF || fdb == FDB_RSA
	       || fdb == 0x0E || fdb_is_record(fdb);
}

/* Parses the 62 FCP of CREATE FILE into f. Returns an SW. */
static uint16_t
parse_fcp(const uint8_t *p, size_t n, struct sim_file *f)
{
	struct tlv_reader r;
	struct tlv t;
	int rv, have_fid = 0, have_fdb = 0;

	tlv_begin(&r, p, n);
	while ((rv = tlv_next(&r, &t)) == 1) {
		switch (t.tag) {
		case 0x83:
			if (t.len != 2)
				return SW_WRONG_DATA;
			f->fid = (uint16_t)(t.val[0] << 8 | t.val[1]);
			have_fid = 1;
			break;
		case 0x82:
			if (t.len != 1 && t.len != 2 && t.len != 5 && t.len != 6)
				return SW_WRONG_DATA;
			f->fdb = t.val[0];
			f->dcb = t.len > 1 ? t.val[1] : 0;
			if (t.len >= 5) {
				f->mrl = t.val[3];
				f->nor = t.val[t.len - 1];
			}
			have_fdb = 1;
			break;
		case 0x80:
			if (t.len != 2)
				return SW_WRONG_DATA;
			f->size = (size_t)t.val[0] << 8 | t.val[1];
			break;
		case 0x88:
		case 0x8A:
			if (t.len != 1)
				return SW_WRONG_DATA;
			if (t.tag == 0x88)
				f->sfi = t.val[0];
			else
				f->lcsi = t.val[0];
			break;
		case 0x8C:
			if (t.len > sizeof(f->sac))
				return SW_WRONG_DATA;
			memcpy(f->sac, t.val, t.len);
			f->sac_len = t.len;
			break;
		case 0x8D:
			if (t.len != 2)
				return SW_WRONG_DATA;
			f->se_fid = (uint16_t)(t.val[0] << 8 | t.val[1]);
			break;
		case 0x84:
			if (t.len > sizeof(f->name))
				return SW_WRONG_DATA;
			memcpy(f->name, t.val, t.len);
			f->name_len = t.len;
			break;
		case 0xAB:
			if (t.len > sizeof(f->sae))
				return SW_WRONG_DATA;
			memcpy(f->sae, t.val, t.len);
			f->sae_len = t.len;
			break;
		default:
			return SW_WRONG_DATA;
		}
	}
	if (rv < 0 || !have_fid || !have_fdb || !fdb_known(f->fdb))
		return SW_WRONG_DATA;
	if (fdb_is_record(f->fdb) && (f->mrl == 0 || f->nor == 0))
		return SW_WRONG_DATA;
	if (!fdb_is_record(f->fdb)) {
		f->mrl = 0;
		f->nor = 0;
	}
	return SW_OK;
}

static uint16_t
create_into(struct sim_card *c, struct sim_file *nf)
{
	size_t used = fs_usage(c->mf), need = fs_usage(nf);
	struct sim_file *df = c->cur_df;
	uint16_t sw;

	if (nf->fdb == FDB_MF) {
		if (c->mf || nf->fid != 0x3F00)
			return SW_FILE_EXISTS;
		c->mf = nf;
		card_set_df(c, nf);
		return SW_OK;
	}
	if (!c->mf)
		return SW_NO_CURRENT_EF;
	if (nf->fid == 0x3F00 || nf->fid == df->fid || fs_child(df, nf->fid))
		return SW_FILE_EXISTS;
	sw = acos_check(c, df, nf->type == FT_DF ? AM_CREATE_DF : AM_CREATE_EF);
	if (sw != SW_OK)
		return sw;
	if (used + need > c->pers->eeprom_capacity)
		return SW_NO_SPACE;
	fs_add_child(df, nf);
	if (nf->type == FT_DF) {
		card_set_df(c, nf);
	} else {
		c->cur_ef = nf;
	}
	return SW_OK;
}

static uint16_t
sim_acos5_create_file(struct sim_card *c, const struct sim_apdu *a, struct sim_buf *resp)
{
	struct sim_file *nf;
	struct tlv t;
	uint16_t sw;

	(void)resp;
	if (a->p1 || a->p2)
		return SW_WRONG_P1P2;
	if (a->cse != 3)
		return SW_WRONG_LENGTH;
	if (tlv_find(a->data, a->lc, 0x62, &t) != 1 || t.len + 2 > a->lc)
		return SW_WRONG_DATA;
	nf = fs_new(FT_EF, 0);
	if (!nf)
		return SW_NO_DIAGNOSIS;
	nf->lcsi = 0x01;
	nf->sfi = 0xFF;
	sw = parse_fcp(t.val, t.len, nf);
	if (sw == SW_OK) {
		nf->type = (nf->fdb == FDB_MF || nf->fdb == FDB_DF) ? FT_DF : FT_EF;
		if (nf->sfi == 0xFF)
			nf->sfi = (uint8_t)(nf->fid & 0x1F);
		if (has_size(nf) && fs_set_size(nf, nf->size) < 0)
			sw = SW_NO_SPACE;
	}
	if (sw == SW_OK)
		sw = create_into(c, nf);
	if (sw != SW_OK) {
		fs_free(nf);
		return sw;
	}
	c->dirty = 1;
	return SW_OK;
}

/* Target of DELETE/ACTIVATE/DEACTIVATE: FID in data, else the current file. */
static uint16_t
mgmt_target(struct sim_card *c, const struct sim_apdu *a, struct sim_file **out)
{
	if (a->p1 || a->p2)
		return SW_WRONG_P1P2;
	if (!apdu_no_data(a) && !(a->cse == 3 && a->lc == 2))
		return SW_WRONG_LENGTH;
	if (!c->mf)
		return SW_NO_CURRENT_EF;
	if (a->cse == 3)
		*out = select_search(c, (uint16_t)(a->data[0] << 8 | a->data[1]));
	else
		*out = c->cur_ef ? c->cur_ef : c->cur_df;
	return *out ? SW_OK : SW_FILE_NOT_FOUND;
}

static uint16_t
sim_acos5_delete_file(struct sim_card *c, const struct sim_apdu *a, struct sim_buf *resp)
{
	struct sim_file *f = NULL, *parent;
	uint16_t sw;

	(void)resp;
	if ((sw = mgmt_target(c, a, &f)) != SW_OK)
		return sw;
	if (f == c->mf)
		return SW_COND_NOT_SAT;	/* the MF goes only with ZEROIZE */
	if ((sw = acos_check(c, f, AM_DELETE)) != SW_OK)
		return sw;
	parent = f->parent;
	if (f->type == FT_DF) {
		memset(c->pin_ok + 0x80, 0, 0x80);
		memset(c->key_ok + 0x80, 0, 0x80);
		c->local_df = NULL;
	}
	fs_unlink(f);
	fs_free(f);
	card_set_df(c, parent);
	c->dirty = 1;
	return SW_OK;
}

static uint16_t
set_lcsi(struct sim_card *c, const struct sim_apdu *a, uint8_t lcsi, int bit)
{
	struct sim_file *f = NULL;
	uint16_t sw;

	if ((sw = mgmt_target(c, a, &f)) != SW_OK)
		return sw;
	if ((sw = acos_check(c, f, bit)) != SW_OK)
		return sw;
	f->lcsi = lcsi;
	c->dirty = 1;
	return SW_OK;
}

static uint16_t
sim_acos5_activate_file(struct sim_card *c, const struct sim_apdu *a, struct sim_buf *resp)
{
	(void)resp;
	return set_lcsi(c, a, 0x05, AM_ACTIVATE);
}

static uint16_t
sim_acos5_deactivate_file(struct sim_card *c, const struct sim_apdu *a, struct sim_buf *resp)
{
	(void)resp;
	return set_lcsi(c, a, 0x04, AM_DEACTIVATE);
}

static uint16_t
sim_acos5_zeroize(struct sim_card *c, const struct sim_apdu *a, struct sim_buf *resp)
{
	(void)resp;
	if (a->p1 != 0x00 || (a->p2 != 0x00 && a->p2 != 0xFF))
		return SW_WRONG_P1P2;
	if (!apdu_no_data(a))
		return SW_WRONG_LENGTH;
	if (a->p2 == 0xFF || !c->mf)
		return SW_OK;
	if (acos_gen(c) >= 2 && c->eeprom[EE_ZEROIZE] != 0x00)
		return SW_COND_NOT_SAT;
	return acos_wipe(c);
}

static struct sim_file *chv_file(const struct sim_file *df);

/* The SO PIN (global 01) must be verified when the MF has a PIN file. */
uint16_t
acos_wipe(struct sim_card *c)
{
	if (!c->mf)
		return SW_OK;
	if (chv_file(c->mf) && !c->pin_ok[0x01])
		return SW_SEC_STATUS;
	fs_free(c->mf);
	c->mf = NULL;
	card_reset(c);
	c->dirty = 1;
	return SW_OK;
}

/* ---- PINs: records of the CHV file (acos5-card.md §3.6) --------------------- */

struct chv {
	struct sim_file *file;
	uint8_t *rec;
	size_t len;
	size_t pin_off, pin_len, puk_off, puk_len;	/* puk_len 0: no PUK */
	size_t tries_off, puk_tries_off;
};

static struct sim_file *
chv_file(const struct sim_file *df)
{
	struct sim_file *f;

	for (f = df ? df->child : NULL; f; f = f->next)
		if (f->type == FT_EF && f->fdb == FDB_CHV)
			return f;
	return NULL;
}

/* V2/V3: id tries len PIN[len] tries len PUK[len]; v1: id tries PIN (pad FF) */
static int
chv_layout(const struct sim_card *c, struct chv *h)
{
	size_t n = h->len;

	h->tries_off = 1;
	if (acos_gen(c) == 1) {
		if (n < 3)
			return -1;
		h->pin_off = 2;
		h->pin_len = n - 2 > 8 ? 8 : n - 2;
		h->puk_len = 0;
		return 0;
	}
	if (n < 3 || h->rec[2] > n - 3)
		return -1;
	h->pin_off = 3;
	h->pin_len = h->rec[2];
	h->puk_len = 0;
	if (n >= 3 + h->pin_len + 2) {
		size_t o = 3 + h->pin_len;

		if (h->rec[o + 1] <= n - o - 2) {
			h->puk_tries_off = o;
			h->puk_off = o + 2;
			h->puk_len = h->rec[o + 1];
		}
	}
	return 0;
}

static uint16_t
chv_find(struct sim_card *c, uint8_t ref, struct chv *h)
{
	const struct sim_file *df;
	unsigned int id = ref & 0x1F;

	if (id == 0 || (ref & 0x60))
		return SW_WRONG_P1P2;
	if (!c->mf)
		return SW_COND_NOT_SAT;
	df = (ref & 0x80) ? c->cur_df : c->mf;
	memset(h, 0, sizeof(*h));
	h->file = chv_file(df);
	if (!h->file || id > h->file->nrec || !h->file->rec[id - 1])
		return SW_REF_NOT_FOUND;
	h->rec = h->file->rec[id - 1];
	h->len = h->file->reclen[id - 1];
	if ((h->rec[0] & 0x1F) != id || chv_layout(c, h) < 0)
		return SW_REF_NOT_FOUND;
	return SW_OK;
}

static int
chv_match(const struct sim_card *c, const struct chv *h, size_t off, size_t len,
	  const uint8_t *v, size_t n)
{
	size_t i;

	if (acos_gen(c) == 1) {
		if (n > len || memcmp(h->rec + off, v, n) != 0)
			return 0;
		for (i = n; i < len; i++)
			if (h->rec[off + i] != 0xFF && h->rec[off + i] != 0x00)
				return 0;
		return 1;
	}
	return n == len && memcmp(h->rec + off, v, n) == 0;
}

/* Checks a secret against the counter at tries_off; updates the counter. */
static uint16_t
chv_try(struct sim_card *c, struct chv *h, size_t tries_off, size_t off,
	size_t len, const uint8_t *v, size_t n)
{
	uint8_t *t = &h->rec[tries_off];

	if ((*t & 0x0F) == 0)
		return SW_AUTH_BLOCKED;
	c->dirty = 1;
	if (!chv_match(c, h, off, len, v, n)) {
		*t = (uint8_t)((*t & 0xF0) | ((*t & 0x0F) - 1));
		return SW_TRIES_LEFT(*t);
	}
	*t = (uint8_t)((*t & 0xF0) | (*t >> 4));
	return SW_OK;
}

static void
chv_verified(struct sim_card *c, uint8_t ref)
{
	c->pin_ok[ref] = 1;
	if (ref & 0x80)
		c->local_df = c->cur_df;
}

static uint16_t
sim_acos5_verify(struct sim_card *c, const struct sim_apdu *a, struct sim_buf *resp)
{
	struct chv h;
	uint16_t sw;

	(void)resp;
	if (a->p1 != 0x00)
		return SW_WRONG_P1P2;
	if (!apdu_no_data(a) && a->cse != 3)
		return SW_WRONG_LENGTH;
	if ((sw = chv_find(c, a->p2, &h)) != SW_OK)
		return sw;
	if (apdu_no_data(a)) {	/* status: 63 CX even when verified (doc) */
		if ((h.rec[1] & 0x0F) == 0)
			return SW_AUTH_BLOCKED;
		return SW_TRIES_LEFT(h.rec[1]);
	}
	c->pin_ok[a->p2] = 0;
	sw = chv_try(c, &h, h.tries_off, h.pin_off, h.pin_len, a->data, a->lc);
	if (sw == SW_OK)
		chv_verified(c, a->p2);
	return sw;
}

static uint16_t
chv_set_pin(struct sim_card *c, struct chv *h, const uint8_t *v, size_t n)
{
	if (n != h->pin_len)
		return SW_WRONG_LENGTH;
	memcpy(h->rec + h->pin_off, v, n);
	c->dirty = 1;
	return SW_OK;
}

static uint16_t
sim_acos5_change_reference_data(struct sim_card *c, const struct sim_apdu *a, struct sim_buf *resp)
{
	struct chv h;
	uint16_t sw;

	(void)resp;
	if (a->p1 > 1)
		return SW_WRONG_P1P2;
	if (a->cse != 3)
		return SW_WRONG_LENGTH;
	if ((sw = chv_find(c, a->p2, &h)) != SW_OK)
		return sw;
	if (a->p1 == 1) {
		if (!c->pin_ok[a->p2])
			return SW_SEC_STATUS;
		return chv_set_pin(c, &h, a->data, a->lc);
	}
	if (a->lc != 2 * h.pin_len)
		return SW_WRONG_LENGTH;
	sw = chv_try(c, &h, h.tries_off, h.pin_off, h.pin_len, a->data, h.pin_len);
	if (sw != SW_OK)
		return sw;
	return chv_set_pin(c, &h, a->data + h.pin_len, h.pin_len);
}

static uint16_t
sim_acos5_reset_retry_counter(struct sim_card *c, const struct sim_apdu *a, struct sim_buf *resp)
{
	struct chv h;
	uint16_t sw;

	(void)resp;
	if (a->p1 > 1)
		return SW_WRONG_P1P2;
	if (a->cse != 3)
		return SW_WRONG_LENGTH;
	if ((sw = chv_find(c, a->p2, &h)) != SW_OK)
		return sw;
	if (h.puk_len == 0)
		return SW_REF_NOT_FOUND;
	if (a->lc != h.puk_len + (a->p1 == 0 ? h.pin_len : 0))
		return SW_WRONG_LENGTH;
	sw = chv_try(c, &h, h.puk_tries_off, h.puk_off, h.puk_len, a->data, h.puk_len);
	if (sw != SW_OK)
		return sw;
	h.rec[h.tries_off] = (uint8_t)((h.rec[h.tries_off] & 0xF0) | (h.rec[h.tries_off] >> 4));
	if (a->p1 == 1)
		return SW_OK;
	return chv_set_pin(c, &h, a->data + h.puk_len, h.pin_len);
}

static uint16_t
sim_acos5_logout(struct sim_card *c, const struct sim_apdu *a, struct sim_buf *resp)
{
	(void)resp;
	if (a->p1 != 0 || !apdu_no_data(a))
		return a->p1 ? SW_WRONG_P1P2 : SW_WRONG_LENGTH;
	(a->ins == 0x2E ? c->pin_ok : c->key_ok)[a->p2] = 0;
	return SW_OK;
}

/* ---- GET CARD INFO 80 14 (acos5-card.md §2.2) ------------------------------- */

typedef uint16_t (*info_fn)(struct sim_card *c, const struct sim_apdu *a,
			    struct sim_buf *resp);

static size_t
serial_len(const struct sim_card *c)
{
	if (acos_gen(c) == 3 && op_mode(c) == 0x00)
		return 8;	/* V3 FIPS mode */
	return 6;
}

static uint16_t
info_serial(struct sim_card *c, const struct sim_apdu *a, struct sim_buf *resp)
{
	size_t n = serial_len(c);

	return card_reply(c, a, c->serial, n > c->serial_len ? c->serial_len : n, resp);
}

static uint16_t
info_count(struct sim_card *c, const struct sim_apdu *a, struct sim_buf *resp)
{
	(void)a;
	(void)resp;
	return SW_OK_SW2(fs_count_children(c->cur_df));
}

static uint16_t
info_file(struct sim_card *c, const struct sim_apdu *a, struct sim_buf *resp)
{
	const struct sim_file *f = fs_nth_child(c->cur_df, a->p2);
	uint8_t d[8];

	if (!f)
		return SW_FILE_NOT_FOUND;
	d[0] = f->fdb;
	d[1] = f->dcb;
	d[2] = (uint8_t)(f->fid >> 8);
	d[3] = (uint8_t)f->fid;
	if (f->type == FT_DF) {
		d[4] = (uint8_t)(f->se_fid >> 8);
		d[5] = (uint8_t)f->se_fid;
	} else if (fs_is_record(f)) {
		d[4] = f->mrl;
		d[5] = f->nor;
	} else {
		d[4] = (uint8_t)(f->size >> 8);
		d[5] = (uint8_t)f->size;
	}
	d[6] = f->sfi;
	d[7] = f->lcsi;
	return card_reply(c, a, d, sizeof(d), resp);
}

static uint16_t
info_free(struct sim_card *c, const struct sim_apdu *a, struct sim_buf *resp)
{
	size_t used = fs_usage(c->mf), cap = c->pers->eeprom_capacity;
	size_t fr = used < cap ? cap - used : 0;
	uint8_t d[2];

	if (fr > 0xFFFF)
		fr = 0xFFFF;
	d[0] = (uint8_t)(fr >> 8);
	d[1] = (uint8_t)fr;
	return card_reply(c, a, d, 2, resp);
}

static uint16_t
info_identify(struct sim_card *c, const struct sim_apdu *a, struct sim_buf *resp)
{
	(void)c;
	(void)a;
	(void)resp;
	return SW_IDENTIFY_SELF;
}

static uint16_t
info_version(struct sim_card *c, const struct sim_apdu *a, struct sim_buf *resp)
{
	uint8_t v[8] = { 0x41, 0x43, 0x4F, 0x53, 0x05, 0x02, 0x00, 0x40 };

	v[5] = (uint8_t)acos_gen(c);
	if (acos_gen(c) == 3)
		v[6] = op_mode(c) == 0x00 ? 0x00 : 0x01;
	return card_reply(c, a, v, sizeof(v), resp);
}

static uint16_t
info_rom_date(struct sim_card *c, const struct sim_apdu *a, struct sim_buf *resp)
{
	static const uint8_t d[4] = { 0x20, 0x13, 0x06, 0x28 };	/* invented */

	return card_reply(c, a, d, sizeof(d), resp);
}

static uint16_t
info_rom_sha1(struct sim_card *c, const struct sim_apdu *a, struct sim_buf *resp)
{
	static const uint8_t d[20] = {	/* invented, fixed */
		0x5A, 0x1C, 0x05, 0x30, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55,
		0x66, 0x77, 0x88, 0x99, 0xAA, 0xBB, 0xCC, 0xDD, 0xEE, 0xFF
	};

	return card_reply(c, a, d, sizeof(d), resp);
}

static uint16_t
info_op_mode(struct sim_card *c, const struct sim_apdu *a, struct sim_buf *resp)
{
	(void)a;
	(void)resp;
	return SW_OK_SW2(op_mode(c));
}

static uint16_t
info_fips(struct sim_card *c, const struct sim_apdu *a, struct sim_buf *resp)
{
	(void)a;
	(void)resp;
	return op_mode(c) == 0x00 && c->mf ? SW_OK : SW_COND_NOT_SAT;
}

static uint16_t
info_auth_state(struct sim_card *c, const struct sim_apdu *a, struct sim_buf *resp)
{
	const uint8_t *flags = a->p1 == 0x0B ? c->pin_ok : c->key_ok;

	(void)resp;
	if (flags[a->p2] && (!(a->p2 & 0x80) || c->local_df == c->cur_df))
		return SW_OK;
	return SW_NOT_AUTHENTICATED;
}

struct info_op {
	uint8_t p1;
	unsigned int gens;
	int any_p2;		/* P2 is an argument */
	info_fn fn;
};

static const struct info_op info_ops[] = {
	{ 0x00, GENS_ALL, 0, info_serial },
	{ 0x01, GENS_ALL, 0, info_count },
	{ 0x02, GENS_ALL, 1, info_file },
	{ 0x04, GENS_64, 0, info_free },
	{ 0x05, GENS_64, 0, info_identify },
	{ 0x06, GENS_64, 0, info_version },
	{ 0x07, GENS_V3, 0, info_rom_date },
	{ 0x08, GENS_V3, 0, info_rom_sha1 },
	{ 0x09, GENS_V3, 0, info_op_mode },
	{ 0x0A, GENS_V3, 0, info_fips },
	{ 0x0B, GENS_V3, 1, info_auth_state },
	{ 0x0C, GENS_V3, 1, info_auth_state },
};

static uint16_t
sim_acos5_get_card_info(struct sim_card *c, const struct sim_apdu *a, struct sim_buf *resp)
{
	size_t i;

	if (a->cse == 3 || a->cse == 4)
		return SW_WRONG_LENGTH;
	for (i = 0; i < sizeof(info_ops) / sizeof(info_ops[0]); i++) {
		const struct info_op *op = &info_ops[i];

		if (op->p1 != a->p1 || !(op->gens & GEN_BIT(acos_gen(c))))
			continue;
		if (!op->any_p2 && a->p2 != 0)
			return SW_WRONG_P1P2;
		return op->fn(c, a, resp);
	}
	return SW_WRONG_P1P2;	/* also v1 for 04..0C (see doc/simulator.md) */
}

/* ---- tables ------------------------------------------------------------ */

static const uint8_t acos_clas[] = { 0x00, 0x10, 0x80, 0x90 };

static const struct sim_cmd acos_cmds[] = {
	{ 0x00, 0xA4, sim_acos5_select_file, 0, 0 },
	{ 0x00, 0xC0, sim_iso_get_response, 0, 0 },
	{ 0x00, 0xB0, sim_acos5_read_binary, 0, 0 },
	{ 0x00, 0xD6, sim_acos5_update_binary, 0, 0 },
	{ 0x00, 0x0E, sim_acos5_erase_binary, 0, 0 },
	{ 0x00, 0xB2, sim_acos5_read_record, 0, 0 },
	{ 0x00, 0xDC, sim_acos5_update_record, 0, 0 },
	{ 0x00, 0xE2, sim_acos5_append_record, 0, 0 },
	{ 0x00, 0xE0, sim_acos5_create_file, 0, 0 },
	{ 0x00, 0xE4, sim_acos5_delete_file, 0, 0 },
	{ 0x00, 0x44, sim_acos5_activate_file, 0, 0 },
	{ 0x00, 0x04, sim_acos5_deactivate_file, 0, 0 },
	{ 0x00, 0x20, sim_acos5_verify, 1, 0 },
	{ 0x00, 0x24, sim_acos5_change_reference_data, 1, 0 },
	{ 0x00, 0x2C, sim_acos5_reset_retry_counter, 1, 0 },
	{ 0x00, 0x84, sim_iso_get_challenge, 0, 0 },
	{ 0x80, 0x14, sim_acos5_get_card_info, 0, 0 },
	{ 0x80, 0x2E, sim_acos5_logout, 0, 0 },
	{ 0x80, 0x8A, sim_acos5_logout, 0, 0 },
	{ 0x80, 0x30, sim_acos5_zeroize, 0, 0 },
	{ 0x80, 0xCA, sim_acos5_get_key, 0, 0 },
	{ 0x00, 0x22, sim_acos5_manage_security_env, 0, 0 },
	{ 0x00, 0x2A, sim_acos5_perform_security_op, 0, 0 },
	{ 0x10, 0x2A, sim_acos5_perform_security_op, 0, 0 },
	{ 0x00, 0x46, sim_acos5_generate_key_pair, 0, 0 },
	{ 0x80, 0xDA, sim_acos5_put_key, 1, 0 },
	{ 0x90, 0xDA, sim_acos5_put_key, 1, 0 },
};

#define ACOS_ATR(ta1, ver) { 0x3B, 0xBE, ta1, 0x00, 0x00, 0x41, 0x05, ver, \
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x90, 0x00 }

static void
acos_factory(struct sim_card *c)
{
	/* virgin: no MF (acos5-card.md §2.1); EEPROM config at defaults */
	memset(c->eeprom, 0, sizeof(c->eeprom));
	if (acos_gen(c) >= 2)
		c->eeprom[EE_TA1] = c->pers->atr[2];
	c->eeprom[EE_OPMODE] = 0x00;	/* V2: 64K mode; V3: FIPS (factory) */
}

#define ACOS_COMMON \
	.family = FAM_ACOS5, .t0 = 1, .ext_apdu = 0, .max_io = 256, \
	.atr_len = 19, .clas = acos_clas, .ncla = sizeof(acos_clas), \
	.cmds = acos_cmds, .ncmds = sizeof(acos_cmds) / sizeof(acos_cmds[0]), \
	.factory = acos_factory, .keep_local_on_select = 1

const struct sim_personality pers_acos5 = {
	.name = "acos5",
	.desc = "ACS ACOS5 (original 32K, v1), T=0, virgin",
	.gen = 1,
	.atr = ACOS_ATR(0x18, 0x10),
	.serial = { 0xA5, 0x01, 0x00, 0x00, 0x00, 0x01 },
	.serial_len = 6,
	.eeprom_capacity = 0x7A00 + 0,
	ACOS_COMMON,
};

const struct sim_personality pers_acos5_64v2 = {
	.name = "acos5-64v2",
	.desc = "ACS ACOS5-64 V2.00 (CryptoMate64), T=0, virgin",
	.gen = 2,
	.atr = ACOS_ATR(0x96, 0x20),
	.serial = { 0xA5, 0x02, 0x00, 0x00, 0x00, 0x02 },
	.serial_len = 6,
	.eeprom_capacity = 0xF615,
	ACOS_COMMON,
};

const struct sim_personality pers_acos5_64v3 = {
	.name = "acos5-64v3",
	.desc = "ACS ACOS5-64 V3.00 (CryptoMate Nano), T=0, virgin, FIPS mode",
	.gen = 3,
	.atr = ACOS_ATR(0x96, 0x30),
	.serial = { 0xA5, 0x03, 0x00, 0x00, 0x00, 0x03, 0x00, 0x03 },
	.serial_len = 8,
	.eeprom_capacity = 0xF615,
	ACOS_COMMON,
};
