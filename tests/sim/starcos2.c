/*
 * cardsim - StarCOS SPK 2.x security (starcos-card.md §2.2, 2.3, 3.1): the ISF
 * key records written by WRITE KEY, state-based access conditions, PIN
 * commands, GENERATE KEY / READ PUBLIC KEY with the IPF, MSE, PSO and
 * INTERNAL AUTHENTICATE. Also the private-key blob used by 3.x images.
 */
#include <stdlib.h>
#include <string.h>

#include "starcos.h"

/* ---- ISF records ------------------------------------------------------ */

struct sim_isf *
isf_find(struct sim_card *c, const struct sim_file *df, uint8_t kid)
{
	struct sim_isf *k;

	for (k = c->isf; k; k = k->next)
		if (k->df == df && k->kid == kid)
			return k;
	return NULL;
}

struct sim_isf *
isf_key(struct sim_card *c, uint8_t kid)
{
	return isf_find(c, (kid & 0x80) ? c->cur_df : c->mf, kid);
}

static size_t
hdr_len(const struct sim_isf *k)
{
	return (size_t)k->hdr[KH_LEN] << 8 | k->hdr[KH_LEN + 1];
}

/* ---- private-key blob (starcos-card.md §3.1.4), components LSB first ----------
 * CRT:     0C 91 |p| 92 |q| 94 |dp|+16 95 |dq|+16 97 |p| 00 npad,
 *          then q, p, 16 x 00 dq, 16 x 00 dp, qinv, npad x 00
 * non-CRT: 06 90 |n| 93 |d|+16 00 npad, then n, 16 x 00 d
 */
#define BLOB_GAP	16

int
sc_blob_size(size_t nlen)
{
	return (int)(13 + 5 * (nlen / 2) + 2 * BLOB_GAP);
}

static void
put_le(uint8_t *dst, const uint8_t *be, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		dst[i] = be[n - 1 - i];
}

static int
get_le(const uint8_t *src, size_t n, uint8_t *be, size_t width)
{
	size_t i;

	if (n > width)
		return -1;
	memset(be, 0, width);
	for (i = 0; i < n; i++)
		be[width - 1 - i] = src[i];
	return 0;
}

int
sc_key_store(struct sim_isf *k, const struct sim_rsa_key *rk, size_t cap)
{
	size_t h = rk->nlen / 2, size = (size_t)sc_blob_size(rk->nlen), npad = 0;
	uint8_t *d = k->data, *p;

	if (!rk->crt || h + BLOB_GAP > 255 || size > sizeof(k->data))
		return -1;
	if (cap > size)
		npad = cap - size > 255 ? 255 : cap - size;
	if (size + npad > sizeof(k->data))
		return -1;
	memset(d, 0, size + npad);
	d[0] = 0x0C;
	d[1] = 0x91, d[2] = (uint8_t)h;
	d[3] = 0x92, d[4] = (uint8_t)h;
	d[5] = 0x94, d[6] = (uint8_t)(h + BLOB_GAP);
	d[7] = 0x95, d[8] = (uint8_t)(h + BLOB_GAP);
	d[9] = 0x97, d[10] = (uint8_t)h;
	d[11] = 0x00, d[12] = (uint8_t)npad;
	p = d + 13;
	put_le(p, rk->q, h), p += h;
	put_le(p, rk->p, h), p += h;
	p += BLOB_GAP, put_le(p, rk->dq, h), p += h;
	p += BLOB_GAP, put_le(p, rk->dp, h), p += h;
	put_le(p, rk->qinv, h);
	k->len = size + npad;
	return 0;
}

static int
load_crt(const uint8_t *d, size_t len, struct sim_rsa_key *rk)
{
	size_t lp = d[2], lq = d[4], ldp = d[6], ldq = d[8], lqi = d[10], h;
	const uint8_t *p = d + 13;

	if (d[1] != 0x91 || d[3] != 0x92 || d[5] != 0x94 || d[7] != 0x95 || d[9] != 0x97
	    || ldp < BLOB_GAP || ldq < BLOB_GAP || lp != lq || !lp)
		return -1;
	if (13 + lp + lq + ldp + ldq + lqi > len || 2 * lp > SIM_RSA_MAX)
		return -1;
	h = lp;
	rk->nlen = 2 * h;
	if (get_le(p, lq, rk->q, h) || get_le(p + lq, lp, rk->p, h))
		return -1;
	p += lp + lq;
	if (get_le(p + BLOB_GAP, ldq - BLOB_GAP, rk->dq, h))
		return -1;
	p += ldq;
	if (get_le(p + BLOB_GAP, ldp - BLOB_GAP, rk->dp, h))
		return -1;
	p += ldp;
	if (get_le(p, lqi, rk->qinv, h))
		return -1;
	rk->crt = 1;
	rk->has_d = 1;
	return rsa_complete(rk);
}

static int
load_plain(const uint8_t *d, size_t len, struct sim_rsa_key *rk)
{
	size_t ln = d[2], ld = d[4];

	if (d[1] != 0x90 || d[3] != 0x93 || ld < BLOB_GAP || !ln || ln > SIM_RSA_MAX)
		return -1;
	if (7 + ln + ld > len)
		return -1;
	rk->nlen = ln;
	if (get_le(d + 7, ln, rk->n, ln) || get_le(d + 7 + ln + BLOB_GAP, ld - BLOB_GAP, rk->d, ln))
		return -1;
	rk->e[13] = 0x01, rk->e[15] = 0x01;	/* not in the blob: 65537 */
	rk->has_d = 1;
	return 0;
}

int
sc_key_load(const struct sim_isf *k, struct sim_rsa_key *rk)
{
	int rv = -1;

	memset(rk, 0, sizeof(*rk));
	if (k->len >= 13 && k->data[0] == 0x0C)
		rv = load_crt(k->data, k->len, rk);
	else if (k->len >= 7 && k->data[0] == 0x06)
		rv = load_plain(k->data, k->len, rk);
	if (rv < 0)
		rsa_key_wipe(rk);
	return rv;
}

/* ---- padding ------------------------------------------------------------ */

int
pkcs1_pad1(const uint8_t *in, size_t n, uint8_t *em, size_t nlen)
{
	if (n + 11 > nlen)
		return -1;
	em[0] = 0x00;
	em[1] = 0x01;
	memset(em + 2, 0xFF, nlen - n - 3);
	em[nlen - n - 1] = 0x00;
	memcpy(em + nlen - n, in, n);
	return 0;
}

int
pkcs1_unpad2(const uint8_t *em, size_t nlen, size_t *off)
{
	size_t i;

	if (nlen < 11 || em[0] != 0x00 || em[1] != 0x02)
		return -1;
	for (i = 2; i < nlen && em[i]; i++)
		;
	if (i >= nlen || i < 10)
		return -1;
	*off = i + 1;
	return 0;
}

/* The private-key operation on em (nlen bytes): an SW. */
uint16_t
sc_private_op(const struct sim_isf *k, const uint8_t *em, uint8_t *out, size_t *nlen)
{
	struct sim_rsa_key rk;
	int rv;

	if (sc_key_load(k, &rk) < 0)
		return SW_COND_NOT_SAT;	/* no usable key in the record */
	if (*nlen != rk.nlen) {
		rsa_key_wipe(&rk);
		return SW_WRONG_LENGTH;
	}
	rv = rsa_private(&rk, em, out);
	rsa_key_wipe(&rk);
	if (rv == -2)
		return SW_WRONG_DATA;
	return rv < 0 ? SW_NO_DIAGNOSIS : SW_OK;
}

static size_t
key_nlen(const struct sim_isf *k)
{
	struct sim_rsa_key rk;
	size_t n = 0;

	if (sc_key_load(k, &rk) == 0)
		n = rk.nlen;
	rsa_key_wipe(&rk);
	return n;
}

/* ---- access conditions (starcos-card.md §3.1.2) ---------------------------------
 * 9F always, 5F never; otherwise bits 7-5 = comparison (only 000 "equal" is
 * known, starcos-card.md §3.1.2; others are never satisfied), bit 4 = DF-local state,
 * bits 3-0 = the state value. Not enforced while the MF/DF owning the object
 * is in creation state (before CREATE END).
 */
/* A global PIN's data-less entry in @p df's ISF lets the DF refer to the
 * MF's PIN (starcos-card.md §3.1.4): while that PIN's state holds, it counts as
 * @p df's local state too, also after the DF was left and selected again
 * [L: the source says no more than that]. */
static int
df_refs_global_state(const struct sim_card *c, const struct sim_file *df, uint8_t v)
{
	const struct sim_isf *k;

	if (c->sc_gstate != v)
		return 0;
	for (k = c->isf; k; k = k->next)
		if (k->df == df && !(k->kid & 0x80) && (k->hdr[KH_NEW_STATE] & 0x0F) == v)
			return 1;
	return 0;
}

int
sc2_ac_ok(const struct sim_card *c, const struct sim_file *df, uint8_t ac)
{
	uint8_t v = ac & 0x0F;

	if (!df || df->lcsi == 0x01 || ac == 0x9F)
		return 1;
	if (ac == 0x5F || (ac & 0xE0))
		return 0;
	if (!(ac & 0x10))
		return c->sc_gstate == v;
	return c->sc_lstate == v || df_refs_global_state(c, df, v);
}

uint16_t
sc2_ef_ac(const struct sim_card *c, const struct sim_file *ef, int op)
{
	if (ef->ac_len <= (size_t)op)
		return SW_OK;
	return sc2_ac_ok(c, ef->parent, ef->ac[op]) ? SW_OK : SW_SEC_STATUS;
}

uint16_t
sc2_df_ac(const struct sim_card *c, const struct sim_file *df, int op)
{
	if (df->ac_len <= (size_t)op)
		return SW_OK;
	return sc2_ac_ok(c, df, df->ac[op]) ? SW_OK : SW_SEC_STATUS;
}

/* State change after a successful VERIFY or a key use. */
static void
set_state(struct sim_card *c, int local, uint8_t v)
{
	if (local)
		c->sc_lstate = v & 0x0F;
	else
		c->sc_gstate = v & 0x0F;
}

static void
after_use(struct sim_card *c, const struct sim_isf *k)
{
	if (!(k->hdr[KH_NEW_STATE] & 0x80))
		set_state(c, k->hdr[KH_AC_USE] & 0x10, k->hdr[KH_NEW_STATE]);
}

static uint16_t
key_ac(const struct sim_card *c, const struct sim_isf *k, int byte)
{
	return sc2_ac_ok(c, k->df, k->hdr[byte]) ? SW_OK : SW_SEC_STATUS;
}

/* ---- WRITE KEY 80 F4 ---------------------------------------------------- */

static uint16_t
wk_header(struct sim_card *c, const uint8_t *h)
{
	struct sim_isf *k;
	uint16_t sw;

	if ((sw = sc2_df_ac(c, c->cur_df, AC_CREATE_KEY)) != SW_OK)
		return sw;
	if (isf_find(c, c->cur_df, h[KH_KID]))
		return SW_FILE_EXISTS;
	if (((size_t)h[KH_LEN] << 8 | h[KH_LEN + 1]) > SIM_ISF_DATA_MAX)
		return SW_NO_SPACE;
	if (!(k = calloc(1, sizeof(*k))))
		return SW_NO_DIAGNOSIS;
	k->df = c->cur_df;
	k->kid = h[KH_KID];
	memcpy(k->hdr, h, 12);
	isf_append(c, k);
	c->dirty = 1;
	return SW_OK;
}

static uint16_t
wk_data(struct sim_card *c, uint8_t mode, const uint8_t *d, size_t n)
{
	struct sim_isf *k;
	size_t off;
	uint16_t sw;

	if (n < 3)
		return SW_WRONG_LENGTH;
	if (!(k = isf_find(c, c->cur_df, d[0])))
		return SW_REF_NOT_FOUND;
	sw = mode == 0x00 ? sc2_df_ac(c, c->cur_df, AC_CREATE_KEY)
			  : key_ac(c, k, KH_AC_CHANGE);
	if (sw != SW_OK)
		return sw;
	off = (size_t)d[1] << 8 | d[2];
	n -= 3;
	if (off > hdr_len(k) || n > hdr_len(k) - off)
		return SW_SC2_DATA_OVERFLOW;
	memcpy(k->data + off, d + 3, n);
	if (off + n > k->len)
		k->len = off + n;
	c->dirty = 1;
	return SW_OK;
}

/* 'C1 0C header' installs a record, 'C2 L KID off(2) data' writes its data. */
uint16_t
sim_starcos2_write_key(struct sim_card *c, const struct sim_apdu *a, struct sim_buf *resp)
{
	struct tlv t;

	(void)resp;
	if (a->cse != 3)
		return SW_WRONG_LENGTH;
	if (a->p1 > 1 || a->p2)
		return SW_WRONG_P1P2;
	if (!c->mf)
		return SW_COND_NOT_SAT;
	if (tlv_find(a->data, a->lc, 0xC1, &t) == 1) {
		if (t.len != 12 || a->p1 != 0)
			return SW_WRONG_DATA;
		return wk_header(c, t.val);
	}
	if (tlv_find(a->data, a->lc, 0xC2, &t) == 1)
		return wk_data(c, a->p1, t.val, t.len);
	return SW_WRONG_DATA;
}

/* ---- PINs --------------------------------------------------------------- */

static struct sim_isf *
pin_rec(struct sim_card *c, uint8_t kid, uint8_t attr)
{
	struct sim_isf *k = isf_key(c, kid);

	if (k && k->hdr[KH_ATTR] != attr)
		return NULL;
	if (k && k->len == 0 && k->df != c->mf && !(kid & 0x80))
		k = isf_find(c, c->mf, kid);	/* DF entry naming a global PIN */
	return k;
}

static uint8_t
tries_left(const struct sim_isf *k)
{
	return k->hdr[KH_TRIES] & 0x0F;
}

/* Compares v with the record's value; counts failures. An SW. */
static uint16_t
try_value(struct sim_card *c, struct sim_isf *k, const uint8_t *v, size_t n)
{
	uint8_t *t = &k->hdr[KH_TRIES];

	if (tries_left(k) == 0)
		return SW_AUTH_BLOCKED;
	if (n != k->len)
		return SW_WRONG_LENGTH;
	c->dirty = 1;
	if (memcmp(v, k->data, n) != 0) {
		*t = (uint8_t)((*t & 0xF0) | (tries_left(k) - 1));
		return SW_TRIES_LEFT(tries_left(k));
	}
	*t = (uint8_t)((*t & 0xF0) | (*t >> 4));
	return SW_OK;
}

static void
pin_verified(struct sim_card *c, const struct sim_isf *k)
{
	uint8_t v = k->hdr[KH_NEW_STATE];

	if (k->kid & 0x80) {
		set_state(c, 1, v);
		return;
	}
	set_state(c, 0, v);	/* DFs that list it see it through df_refs_global_state */
}

static int
pin_active(const struct sim_card *c, const struct sim_isf *k)
{
	uint8_t v = k->hdr[KH_NEW_STATE] & 0x0F;

	return v && ((k->kid & 0x80) ? c->sc_lstate : c->sc_gstate) == v;
}

uint16_t
sim_starcos2_verify(struct sim_card *c, const struct sim_apdu *a, struct sim_buf *resp)
{
	struct sim_isf *k;
	uint16_t sw;

	(void)resp;
	if (!apdu_no_data(a) && a->cse != 3)
		return SW_WRONG_LENGTH;
	if (a->p1 != 0x00)
		return SW_WRONG_P1P2;
	if (!c->mf)
		return SW_COND_NOT_SAT;
	if (!(k = pin_rec(c, a->p2, KA_PIN)))
		return SW_REF_NOT_FOUND;
	if (apdu_no_data(a)) {
		if (tries_left(k) == 0)
			return SW_AUTH_BLOCKED;
		return pin_active(c, k) ? SW_OK : SW_TRIES_LEFT(tries_left(k));
	}
	if ((sw = key_ac(c, k, KH_AC_USE)) != SW_OK)
		return sw;
	if ((sw = try_value(c, k, a->data, a->lc)) == SW_OK)
		pin_verified(c, k);
	return sw;
}

static uint16_t
set_value(struct sim_card *c, struct sim_isf *k, const uint8_t *v, size_t n)
{
	if (n != k->len)
		return SW_WRONG_LENGTH;
	memcpy(k->data, v, n);
	c->dirty = 1;
	return SW_OK;
}

/* CHANGE REFERENCE DATA 00 24 00 KID old||new (same length) */
uint16_t
sim_starcos2_change_reference_data(struct sim_card *c, const struct sim_apdu *a,
		struct sim_buf *resp)
{
	struct sim_isf *k;
	uint16_t sw;

	(void)resp;
	if (a->cse != 3)
		return SW_WRONG_LENGTH;
	if (a->p1 != 0x00)
		return SW_WRONG_P1P2;
	if (!c->mf || !(k = pin_rec(c, a->p2, KA_PIN)))
		return SW_REF_NOT_FOUND;
	if (a->lc != 2 * k->len)
		return SW_WRONG_LENGTH;
	if ((sw = key_ac(c, k, KH_AC_CHANGE)) != SW_OK)
		return sw;
	if ((sw = try_value(c, k, a->data, k->len)) != SW_OK)
		return sw;
	return set_value(c, k, a->data + k->len, k->len);
}

/* The PUK of PIN kid: attribute 02, header byte 4 = ((kid & 1F) << 3) | 05. */
static struct sim_isf *
puk_of(struct sim_card *c, const struct sim_isf *pin)
{
	uint8_t link = (uint8_t)(((pin->kid & 0x1F) << 3) | 0x05);
	struct sim_isf *k;

	for (k = c->isf; k; k = k->next)
		if (k->df == pin->df && k->hdr[KH_ATTR] == KA_PUK && k->hdr[KH_NEW_STATE] == link)
			return k;
	return NULL;
}

/* RESET RETRY COUNTER 00 2C 00 KID PUK||new, 00 2C 01 KID PUK */
uint16_t
sim_starcos2_reset_retry_counter(struct sim_card *c, const struct sim_apdu *a, struct sim_buf *resp)
{
	struct sim_isf *pin, *puk;
	uint16_t sw;

	(void)resp;
	if (a->cse != 3)
		return SW_WRONG_LENGTH;
	if (a->p1 > 1)
		return SW_WRONG_P1P2;
	if (!c->mf || !(pin = pin_rec(c, a->p2, KA_PIN)) || !(puk = puk_of(c, pin)))
		return SW_REF_NOT_FOUND;
	if (a->lc != puk->len + (a->p1 == 0 ? pin->len : 0))
		return SW_WRONG_LENGTH;
	if ((sw = try_value(c, puk, a->data, puk->len)) != SW_OK)
		return sw;
	pin->hdr[KH_TRIES] = (uint8_t)((pin->hdr[KH_TRIES] & 0xF0) | (pin->hdr[KH_TRIES] >> 4));
	c->dirty = 1;
	if (a->p1 == 1)
		return SW_OK;
	return set_value(c, pin, a->data + puk->len, pin->len);
}

/* ---- IPF and READ PUBLIC KEY (starcos-card.md §2.2, 3.1.1) ---------------------
 * entry: KID tlen(2) 9F 0F 00 09 4A (tlen|8000)(2)
 *        06 01 01 10 |n| 13 |e|+1 KID n(LSB first) e(LSB first) 00  04 KID
 * The modulus therefore starts at offset 18, where OpenSC reads it. Both
 * length fields hold the template length tlen (starcos-card.md §3.1.1 writes the
 * same "len" twice); an entry takes 12 + tlen bytes, the step OpenSC's
 * pkcs15init uses to walk the IPF.
 */
static size_t
ipf_entry(const struct sim_rsa_key *rk, uint8_t kid, uint8_t *out, size_t cap)
{
	size_t el = 16, tlen, len, i = 0;

	while (el > 1 && rk->e[16 - el] == 0)
		el--;
	tlen = 8 + rk->nlen + el + 1;
	len = 12 + tlen;
	if (rk->nlen > 255 || len > cap)
		return 0;
	out[i++] = kid;
	out[i++] = (uint8_t)(tlen >> 8), out[i++] = (uint8_t)tlen;
	memcpy(out + i, "\x9F\x0F\x00\x09\x4A", 5), i += 5;
	out[i++] = (uint8_t)((tlen | 0x8000) >> 8), out[i++] = (uint8_t)tlen;
	memcpy(out + i, "\x06\x01\x01\x10", 4), i += 4;
	out[i++] = (uint8_t)rk->nlen;
	out[i++] = 0x13, out[i++] = (uint8_t)(el + 1), out[i++] = kid;
	put_le(out + i, rk->n, rk->nlen), i += rk->nlen;
	put_le(out + i, rk->e + 16 - el, el), i += el;
	out[i++] = 0x00;
	out[i++] = 0x04, out[i++] = kid;
	return i;
}

static struct sim_file *
ipf_of(const struct sim_file *df)
{
	struct sim_file *f;

	for (f = df ? df->child : NULL; f; f = f->next)
		if (f->type == FT_EF && f->fdb == 0x11)
			return f;
	return NULL;
}

/* Replaces the entry of kid (same size) or appends one; an entry is
 * 12 + its length field bytes long. An SW. */
static uint16_t
ipf_store(struct sim_file *ipf, const uint8_t *e, size_t n)
{
	size_t pos = 1, cnt, i, l;

	if (!ipf->size)
		return SW_NO_SPACE;
	cnt = ipf->data[0] == 0xFF ? 0 : ipf->data[0];
	for (i = 0; i < cnt; i++) {
		if (pos + 3 > ipf->size)
			return SW_WRONG_DATA;
		l = 12 + ((size_t)ipf->data[pos + 1] << 8 | ipf->data[pos + 2]);
		if (ipf->data[pos] == e[0]) {
			if (l != n)
				return SW_NO_SPACE;
			memcpy(ipf->data + pos, e, n);
			return SW_OK;
		}
		pos += l;
	}
	if (pos > ipf->size || n > ipf->size - pos || cnt >= 0xFE)
		return SW_NO_SPACE;
	memcpy(ipf->data + pos, e, n);
	ipf->data[0] = (uint8_t)(cnt + 1);
	return SW_OK;
}

static uint16_t
gen_bits(const struct sim_apdu *a, unsigned int *bits)
{
	if (a->cse != 3 || a->lc != 2)
		return SW_WRONG_LENGTH;
	*bits = (unsigned int)a->data[0] << 8 | a->data[1];
	/* SPK 2.3 and 2.4: 512, 768, 1024 (doc/simulator.md) */
	return (*bits == 512 || *bits == 768 || *bits == 1024) ? SW_OK : SW_WRONG_DATA;
}

/* GENERATE KEY 00 46 00 KID 02 bits: private key into the ISF record, public into the IPF. */
uint16_t
sim_starcos2_generate_key(struct sim_card *c, const struct sim_apdu *a, struct sim_buf *resp)
{
	static const uint8_t e65537[16] = { [13] = 0x01, [15] = 0x01 };
	struct sim_rsa_key rk;
	struct sim_isf *k;
	struct sim_file *ipf;
	uint8_t entry[300];
	unsigned int bits;
	size_t n;
	uint16_t sw;

	(void)resp;
	if (a->p1 != 0x00)
		return SW_WRONG_P1P2;
	if ((sw = gen_bits(a, &bits)) != SW_OK)
		return sw;
	if (!c->mf || !(k = isf_key(c, a->p2)) || k->hdr[KH_ATTR] != KA_PRIVATE)
		return SW_REF_NOT_FOUND;
	if ((sw = key_ac(c, k, KH_AC_CHANGE)) != SW_OK)
		return sw;
	if ((size_t)sc_blob_size(bits / 8) > hdr_len(k))
		return SW_SC2_KEY_FORMAT;
	if (rsa_generate(bits, e65537, &rk) < 0)
		return SW_NO_DIAGNOSIS;
	n = ipf_entry(&rk, k->kid, entry, sizeof(entry));
	sw = sc_key_store(k, &rk, hdr_len(k)) == 0 ? SW_OK : SW_NO_DIAGNOSIS;
	rsa_key_wipe(&rk);
	if (sw != SW_OK)
		return sw;
	c->dirty = 1;
	if ((ipf = ipf_of(k->df)) != NULL)
		sw = ipf_store(ipf, entry, n);
	return sw;
}

/* READ PUBLIC KEY 80 F0 9C 00 01 KID, Le 00 */
uint16_t
sim_starcos2_read_public_key(struct sim_card *c, const struct sim_apdu *a, struct sim_buf *resp)
{
	struct sim_rsa_key rk;
	struct sim_isf *k;
	uint8_t entry[300];
	size_t n;

	if (a->p1 != 0x9C || a->p2 != 0x00)
		return SW_WRONG_P1P2;
	if (a->cse != 4 || a->lc != 1)
		return SW_WRONG_LENGTH;
	if (!c->mf || !(k = isf_key(c, a->data[0])) || k->hdr[KH_ATTR] != KA_PRIVATE)
		return SW_REF_NOT_FOUND;
	if (sc_key_load(k, &rk) < 0)
		return SW_SC2_PUBKEY_INCOMPLETE;
	n = ipf_entry(&rk, k->kid, entry, sizeof(entry));
	rsa_key_wipe(&rk);
	if (!n)
		return SW_NO_DIAGNOSIS;
	return card_reply(c, a, entry, n, resp);
}

/* ---- MSE 00 22 (starcos-card.md §2.3) ------------------------------------------- */

struct sc2_mse_kind {
	uint8_t p1, p2;
	int slot;
	uint8_t dflt;
	const char *algs;
};

static const struct sc2_mse_kind sc2_mse_kinds[] = {
	{ 0x41, 0xB6, SCM_DST, 0x12, "\x12\x22\x32\x11\x21" },
	{ 0x41, 0xA4, SCM_AT, 0x01, "\x01" },
	{ 0x81, 0xB8, SCM_CT, 0x02, "\x02" },
};

uint16_t
sim_starcos2_manage_security_env(struct sim_card *c, const struct sim_apdu *a, struct sim_buf *resp)
{
	const struct sc2_mse_kind *m = NULL;
	struct tlv_reader r;
	struct tlv t;
	struct sim_isf *k = NULL;
	uint8_t alg;
	size_t i;
	int rv;

	(void)resp;
	for (i = 0; i < sizeof(sc2_mse_kinds) / sizeof(sc2_mse_kinds[0]); i++)
		if (sc2_mse_kinds[i].p1 == a->p1 && sc2_mse_kinds[i].p2 == a->p2)
			m = &sc2_mse_kinds[i];
	if (!m)
		return SW_WRONG_P1P2;
	if (a->cse != 3)
		return SW_WRONG_LENGTH;
	alg = m->dflt;
	tlv_begin(&r, a->data, a->lc);
	while ((rv = tlv_next(&r, &t)) == 1) {
		if (t.tag == 0x84 && t.len == 1)
			k = isf_key(c, t.val[0]);
		else if (t.tag == 0x80 && t.len == 1 && strchr(m->algs, t.val[0]))
			alg = t.val[0];
		else
			return SW_WRONG_DATA;
		if (t.tag == 0x84 && (!k || k->hdr[KH_ATTR] != KA_PRIVATE))
			return SW_REF_NOT_FOUND;
	}
	if (rv < 0 || !k)
		return SW_WRONG_DATA;
	c->scm.set[m->slot] = 1;
	c->scm.kid[m->slot] = k->kid;
	c->scm.df[m->slot] = k->df;
	c->scm.alg[m->slot][0] = alg;
	c->scm.alg_len[m->slot] = 1;
	return SW_OK;
}

static struct sim_isf *
mse_key(struct sim_card *c, int slot)
{
	if (!c->scm.set[slot])
		return NULL;
	return isf_find(c, c->scm.df[slot], c->scm.kid[slot]);
}

/* ---- PSO / INTERNAL AUTHENTICATE -------------------------------------------- */

/* DigestInfo prefixes for the 2.x algorithm references 12 / 22 / 32 */
static const struct {
	uint8_t alg;
	size_t hlen;
	uint8_t prefix[20];
	size_t plen;
} sc2_digests[] = {
	{ 0x12, 20, { 0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2B, 0x0E, 0x03, 0x02, 0x1A,
		      0x05, 0x00, 0x04, 0x14 }, 15 },
	{ 0x22, 20, { 0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2B, 0x24, 0x03, 0x02, 0x01,
		      0x05, 0x00, 0x04, 0x14 }, 15 },
	{ 0x32, 16, { 0x30, 0x20, 0x30, 0x0C, 0x06, 0x08, 0x2A, 0x86, 0x48, 0x86, 0xF7,
		      0x0D, 0x02, 0x05, 0x05, 0x00, 0x04, 0x10 }, 18 },
};

/* Pads 'in', runs the key of 'slot', replies. */
static uint16_t
sign_padded(struct sim_card *c, const struct sim_apdu *a, struct sim_isf *k,
	    const uint8_t *in, size_t n, struct sim_buf *resp)
{
	uint8_t em[SIM_RSA_MAX], out[SIM_RSA_MAX];
	size_t nlen = key_nlen(k);
	uint16_t sw;

	if (!nlen)
		return SW_COND_NOT_SAT;
	if (pkcs1_pad1(in, n, em, nlen) < 0)
		return SW_WRONG_LENGTH;
	if ((sw = sc_private_op(k, em, out, &nlen)) != SW_OK)
		return sw;
	after_use(c, k);
	return card_reply(c, a, out, nlen, resp);
}

static uint16_t
pso_hash(struct sim_card *c, const struct sim_apdu *a)
{
	if (a->cse != 3)
		return SW_WRONG_LENGTH;
	if (a->lc != 16 && a->lc != 20)
		return SW_WRONG_DATA;
	memcpy(c->scm.hash, a->data, a->lc);
	c->scm.hash_len = a->lc;
	return SW_OK;
}

static uint16_t
pso_cds(struct sim_card *c, const struct sim_apdu *a, struct sim_buf *resp)
{
	struct sim_isf *k = mse_key(c, SCM_DST);
	uint8_t di[64];
	size_t i, hl = c->scm.hash_len;
	uint16_t sw;

	if (a->cse != 2)
		return SW_WRONG_LENGTH;
	if (!k || !hl)
		return SW_COND_NOT_SAT;
	if ((sw = key_ac(c, k, KH_AC_USE)) != SW_OK)
		return sw;
	for (i = 0; i < sizeof(sc2_digests) / sizeof(sc2_digests[0]); i++) {
		if (sc2_digests[i].alg != c->scm.alg[SCM_DST][0])
			continue;
		if (sc2_digests[i].hlen != hl)
			return SW_COND_NOT_SAT;
		memcpy(di, sc2_digests[i].prefix, sc2_digests[i].plen);
		memcpy(di + sc2_digests[i].plen, c->scm.hash, hl);
		c->scm.hash_len = 0;
		return sign_padded(c, a, k, di, sc2_digests[i].plen + hl, resp);
	}
	return SW_FUNC_NOT_SUPP;	/* ISO 9796-2 (11, 21): not simulated */
}

static uint16_t
pso_decipher(struct sim_card *c, const struct sim_apdu *a, struct sim_buf *resp)
{
	struct sim_isf *k = mse_key(c, SCM_CT);
	uint8_t out[SIM_RSA_MAX];
	size_t nlen, off;
	uint16_t sw;

	if (a->cse != 3 && a->cse != 4)
		return SW_WRONG_LENGTH;
	if (!k)
		return SW_COND_NOT_SAT;
	if ((sw = key_ac(c, k, KH_AC_USE)) != SW_OK)
		return sw;
	if (a->data[0] != 0x00)
		return SW_WRONG_DATA;
	nlen = a->lc - 1;
	if ((sw = sc_private_op(k, a->data + 1, out, &nlen)) != SW_OK)
		return sw;
	if (pkcs1_unpad2(out, nlen, &off) < 0)
		return SW_WRONG_DATA;
	after_use(c, k);
	return card_reply(c, a, out + off, nlen - off, resp);
}

uint16_t
sim_starcos2_perform_security_op(struct sim_card *c, const struct sim_apdu *a, struct sim_buf *resp)
{
	uint16_t p1p2 = (uint16_t)(a->p1 << 8 | a->p2);

	if (p1p2 == 0x9081)
		return pso_hash(c, a);
	if (p1p2 == 0x9E9A)
		return pso_cds(c, a, resp);
	if (p1p2 == 0x8086)
		return a->lc > 129 ? SW_WRONG_LENGTH : pso_decipher(c, a, resp);
	return SW_WRONG_P1P2;
}

/* INTERNAL AUTHENTICATE 00 88 10 00 Lc DigestInfo Le (card pads, type 1) */
uint16_t
sim_starcos2_internal_authenticate(struct sim_card *c, const struct sim_apdu *a,
		struct sim_buf *resp)
{
	struct sim_isf *k = mse_key(c, SCM_AT);
	uint16_t sw;

	if (a->p1 != 0x10 || a->p2 != 0x00)
		return SW_WRONG_P1P2;
	if (a->cse != 4)
		return SW_WRONG_LENGTH;
	if (!k)
		return SW_COND_NOT_SAT;
	if ((sw = key_ac(c, k, KH_AC_USE)) != SW_OK)
		return sw;
	return sign_padded(c, a, k, a->data, a->lc, resp);
}
