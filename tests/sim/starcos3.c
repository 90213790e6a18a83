/*
 * cardsim - StarCOS 3.4 / 3.5 security (starcos-card.md §2.1, 2.4, 3.2): PIN
 * status and transport PINs, MSE with 84 key references and 89 algorithm
 * identifiers, PSO COMPUTE DIGITAL SIGNATURE (PKCS#1 v1.5 and PSS), PSO
 * DECIPHER (padding indicator 81), INTERNAL AUTHENTICATE, and the answers
 * of an issuer card to creation and key generation.
 */
#include <string.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "starcos.h"

static int
gen35(const struct sim_card *c)
{
	return c->pers->gen >= 35;
}

/* ---- PINs ---------------------------------------------------------------- */

/*
 * VERIFY: with data as usual; without data the PIN status: 3.4 90 00 when
 * verified, otherwise (and always on 3.5) 63 CX; 69 83 blocked; 69 84 for a
 * transport PIN that must be changed first.
 */
uint16_t
sim_starcos3_verify(struct sim_card *c, const struct sim_apdu *a, struct sim_buf *resp)
{
	struct sim_pin *pin;

	(void)resp;
	if (!apdu_no_data(a) && a->cse != 3)
		return SW_WRONG_LENGTH;
	if (a->p1 != 0x00)
		return SW_WRONG_P1P2;
	if (!(pin = pin_find(c, a->p2)))
		return SW_REF_NOT_FOUND;
	if (pin->transport)
		return SW_REF_UNUSABLE;
	if (apdu_no_data(a)) {
		if (pin->tries == 0)
			return SW_AUTH_BLOCKED;
		if (c->pin_ok[pin->ref] && !gen35(c))
			return SW_OK;
		return SW_TRIES_LEFT(pin->tries);
	}
	return pin_verify_obj(c, pin, a);
}

/* CHANGE REFERENCE DATA; a transport PIN leaves the transport state. */
uint16_t
sim_starcos3_change_reference_data(struct sim_card *c, const struct sim_apdu *a,
		struct sim_buf *resp)
{
	struct sim_pin *pin = pin_find(c, a->p2);

	if (!pin || !pin->transport || a->p1 != 0x00 || a->cse != 3)
		return sim_iso_change_reference_data(c, a, resp);
	if (pin->tries == 0)
		return SW_AUTH_BLOCKED;
	if (a->lc <= pin->len || a->lc - pin->len > sizeof(pin->value))
		return SW_WRONG_LENGTH;
	c->dirty = 1;
	if (memcmp(a->data, pin->value, pin->len) != 0) {
		pin->tries--;
		return SW_TRIES_LEFT(pin->tries);
	}
	pin->len = a->lc - pin->len;
	memcpy(pin->value, a->data + a->lc - pin->len, pin->len);
	pin->tries = pin->max;
	pin->transport = 0;
	return SW_OK;
}

/* ---- MSE 00 22 41 B6/B8/A4/AA (starcos-card.md §2.4) -------------------------- */

struct sc3_alg {
	uint8_t tmpl;		/* P2 */
	uint8_t id[2];
	int with_hash;		/* third byte: hash id */
	int optional_hash;
	int gens;		/* bit 0: 3.4, bit 1: 3.5 */
};

static const struct sc3_alg sc3_algs[] = {
	{ 0xB6, { 0x13, 0x23 }, 0, 1, 3 },	/* PKCS#1 v1.5, input DigestInfo */
	{ 0xB6, { 0x13, 0x33 }, 1, 0, 3 },	/* PSS, input hash */
	{ 0xB8, { 0x11, 0x30 }, 0, 0, 1 },	/* decipher PKCS#1, 3.4 */
	{ 0xB8, { 0x11, 0x31 }, 0, 0, 2 },	/* decipher PKCS#1, 3.5 */
	{ 0xA4, { 0x23, 0x13 }, 0, 0, 3 },	/* client/server auth, PKCS#1 */
	{ 0xAA, { 0x14, 0x00 }, 0, 0, 3 },	/* hash (first byte only) */
};

static const struct {
	uint8_t id;
	const char *name;
	size_t len;
} sc3_hashes[] = {
	{ 0x10, "SHA1", 20 }, { 0x60, "SHA224", 28 }, { 0x30, "SHA256", 32 },
	{ 0x40, "SHA384", 48 }, { 0x50, "SHA512", 64 },
};

static int
hash_idx(uint8_t id)
{
	size_t i;

	for (i = 0; i < sizeof(sc3_hashes) / sizeof(sc3_hashes[0]); i++)
		if (sc3_hashes[i].id == id)
			return (int)i;
	return -1;
}

static int
alg_ok(const struct sim_card *c, uint8_t tmpl, const uint8_t *v, size_t n)
{
	size_t i;

	for (i = 0; i < sizeof(sc3_algs) / sizeof(sc3_algs[0]); i++) {
		const struct sc3_alg *g = &sc3_algs[i];

		if (g->tmpl != tmpl || !(g->gens & (gen35(c) ? 2 : 1)))
			continue;
		if (tmpl == 0xAA)
			return n == 2 && v[0] == 0x14 && hash_idx(v[1]) >= 0;
		if (n < 2 || memcmp(v, g->id, 2) != 0)
			continue;
		if (n == 2)
			return !g->with_hash;
		return n == 3 && (g->with_hash || g->optional_hash) && hash_idx(v[2]) >= 0;
	}
	return 0;
}

static int
tmpl_slot(uint8_t p2, uint8_t *use)
{
	switch (p2) {
	case 0xB6: *use = SC3_USE_SIGN; return SCM_DST;
	case 0xB8: *use = SC3_USE_DECIPHER; return SCM_CT;
	case 0xA4: *use = SC3_USE_AUTH; return SCM_AT;
	case 0xAA: *use = 0; return SCM_HT;
	}
	return -1;
}

static const uint8_t sc3_dflt[][2] = {	/* per slot, when 89 is absent */
	[SCM_DST] = { 0x13, 0x23 }, [SCM_CT] = { 0x11, 0x30 },
	[SCM_AT] = { 0x23, 0x13 }, [SCM_HT] = { 0x14, 0x30 },
};

uint16_t
sim_starcos3_manage_security_env(struct sim_card *c, const struct sim_apdu *a, struct sim_buf *resp)
{
	struct tlv_reader r;
	struct tlv t, alg = { 0x89, sc3_dflt[0], 2 };
	struct sim_isf *k = NULL;
	uint8_t use = 0;
	int slot = tmpl_slot(a->p2, &use), rv;

	(void)resp;
	if (a->p1 != 0x41 || slot < 0)
		return SW_WRONG_P1P2;
	if (a->cse != 3)
		return SW_WRONG_LENGTH;
	alg.val = sc3_dflt[slot];
	if (slot == SCM_CT && gen35(c))
		alg.val = (const uint8_t *)"\x11\x31";
	tlv_begin(&r, a->data, a->lc);
	while ((rv = tlv_next(&r, &t)) == 1) {
		if (t.tag == 0x84 && t.len == 1 && slot != SCM_HT) {
			if (!(k = isf_key(c, t.val[0])) || k->hdr[KH_ATTR] != KA_PRIVATE)
				return SW_REF_NOT_FOUND;
			if (!(k->hdr[KH_USAGE] & use))
				return SW_FUNC_NOT_SUPP;	/* key not for this use */
		} else if (t.tag == 0x89 && t.len <= 3) {
			alg = t;
		} else {
			return SW_WRONG_DATA;
		}
	}
	if (rv < 0 || (!k && slot != SCM_HT) || !alg_ok(c, a->p2, alg.val, alg.len))
		return SW_WRONG_DATA;
	c->scm.set[slot] = 1;
	c->scm.kid[slot] = k ? k->kid : 0;
	c->scm.df[slot] = k ? k->df : NULL;
	memcpy(c->scm.alg[slot], alg.val, alg.len);
	c->scm.alg_len[slot] = alg.len;
	return SW_OK;
}

/* The key of a slot and its PIN condition: an SW. */
static uint16_t
slot_key(struct sim_card *c, int slot, struct sim_isf **out)
{
	struct sim_isf *k;
	uint8_t ref;

	if (!c->scm.set[slot] || !(k = isf_find(c, c->scm.df[slot], c->scm.kid[slot])))
		return SW_COND_NOT_SAT;
	ref = k->hdr[KH_AC_USE];
	if (ref && !c->pin_ok[ref])
		return SW_SEC_STATUS;
	*out = k;
	return SW_OK;
}

/* ---- EMSA-PSS (RFC 8017 9.1.1), MGF1 with the same hash, salt = hash length */

static int
mgf1_xor(const EVP_MD *md, const uint8_t *seed, size_t slen, uint8_t *out, size_t n)
{
	uint8_t cnt[4], h[EVP_MAX_MD_SIZE];
	size_t done = 0, hl = (size_t)EVP_MD_get_size(md), i;
	uint32_t k;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ok = ctx != NULL;

	for (k = 0; ok && done < n; k++) {
		cnt[0] = (uint8_t)(k >> 24), cnt[1] = (uint8_t)(k >> 16);
		cnt[2] = (uint8_t)(k >> 8), cnt[3] = (uint8_t)k;
		ok = EVP_DigestInit_ex(ctx, md, NULL) && EVP_DigestUpdate(ctx, seed, slen)
		     && EVP_DigestUpdate(ctx, cnt, 4) && EVP_DigestFinal_ex(ctx, h, NULL);
		for (i = 0; ok && i < hl && done < n; i++)
			out[done++] ^= h[i];
	}
	EVP_MD_CTX_free(ctx);
	return ok ? 0 : -1;
}

static int
pss_encode(const EVP_MD *md, const uint8_t *mhash, size_t hl, uint8_t *em, size_t nlen)
{
	uint8_t mp[8 + 2 * EVP_MAX_MD_SIZE], *h = em + nlen - hl - 1;
	size_t dblen = nlen - hl - 1;

	if (nlen < 2 * hl + 2)
		return -1;
	memset(mp, 0, 8);
	memcpy(mp + 8, mhash, hl);
	if (RAND_bytes(mp + 8 + hl, (int)hl) != 1
	    || !EVP_Digest(mp, 8 + 2 * hl, h, NULL, md, NULL))
		return -1;
	memset(em, 0, dblen);
	em[dblen - hl - 1] = 0x01;
	memcpy(em + dblen - hl, mp + 8 + hl, hl);
	if (mgf1_xor(md, h, hl, em, dblen) < 0)
		return -1;
	em[0] &= 0x7F;		/* emBits = modBits - 1, modBits = 8 * nlen */
	em[nlen - 1] = 0xBC;
	return 0;
}

/* ---- PSO / INTERNAL AUTHENTICATE ------------------------------------------- */

static size_t
key_bytes(const struct sim_isf *k)
{
	struct sim_rsa_key rk;
	size_t n = 0;

	if (sc_key_load(k, &rk) == 0)
		n = rk.nlen;
	rsa_key_wipe(&rk);
	return n;
}

static uint16_t
run_key(struct sim_card *c, const struct sim_apdu *a, const struct sim_isf *k,
	const uint8_t *em, size_t nlen, struct sim_buf *resp)
{
	uint8_t out[SIM_RSA_MAX];
	uint16_t sw = sc_private_op(k, em, out, &nlen);

	if (sw != SW_OK)
		return sw;
	return card_reply(c, a, out, nlen, resp);
}

static uint16_t
pso_cds(struct sim_card *c, const struct sim_apdu *a, struct sim_buf *resp)
{
	struct sim_isf *k = NULL;
	uint8_t em[SIM_RSA_MAX];
	size_t nlen;
	int hi;
	uint16_t sw;

	if (a->cse != 4)
		return SW_WRONG_LENGTH;	/* case 4 only (starcos-card.md §2.4) */
	if ((sw = slot_key(c, SCM_DST, &k)) != SW_OK)
		return sw;
	if (!(nlen = key_bytes(k)))
		return SW_COND_NOT_SAT;
	if (c->scm.alg[SCM_DST][1] == 0x23)
		return pkcs1_pad1(a->data, a->lc, em, nlen) < 0 ? SW_WRONG_LENGTH
			: run_key(c, a, k, em, nlen, resp);
	hi = hash_idx(c->scm.alg[SCM_DST][2]);
	if (hi < 0 || a->lc != sc3_hashes[hi].len)
		return SW_WRONG_DATA;
	if (pss_encode(EVP_get_digestbyname(sc3_hashes[hi].name), a->data, a->lc, em, nlen) < 0)
		return SW_NO_DIAGNOSIS;
	return run_key(c, a, k, em, nlen, resp);
}

/* PSO DECIPHER 00 2A 80 86 Lc 81||cryptogram; the card removes PKCS#1 padding. */
static uint16_t
pso_decipher(struct sim_card *c, const struct sim_apdu *a, struct sim_buf *resp)
{
	struct sim_isf *k = NULL;
	uint8_t out[SIM_RSA_MAX];
	size_t nlen, off;
	uint16_t sw;

	if (a->cse != 3 && a->cse != 4)
		return SW_WRONG_LENGTH;
	if ((sw = slot_key(c, SCM_CT, &k)) != SW_OK)
		return sw;
	if (a->data[0] != 0x81)
		return SW_WRONG_DATA;
	nlen = a->lc - 1;
	if ((sw = sc_private_op(k, a->data + 1, out, &nlen)) != SW_OK)
		return sw;
	if (pkcs1_unpad2(out, nlen, &off) < 0)
		return SW_WRONG_DATA;
	return card_reply(c, a, out + off, nlen - off, resp);
}

uint16_t
sim_starcos3_perform_security_op(struct sim_card *c, const struct sim_apdu *a, struct sim_buf *resp)
{
	uint16_t p1p2 = (uint16_t)(a->p1 << 8 | a->p2);

	if (p1p2 == 0x9E9A)
		return pso_cds(c, a, resp);
	if (p1p2 == 0x8086)
		return pso_decipher(c, a, resp);
	if (p1p2 == 0x90A0)
		return SW_FUNC_NOT_SUPP;	/* on-card hashing: not simulated */
	return SW_WRONG_P1P2;
}

/* INTERNAL AUTHENTICATE 00 88 00 00 Lc data Le after MSE AT 23 13 */
uint16_t
sim_starcos3_internal_authenticate(struct sim_card *c, const struct sim_apdu *a,
		struct sim_buf *resp)
{
	struct sim_isf *k = NULL;
	uint8_t em[SIM_RSA_MAX];
	size_t nlen;
	uint16_t sw;

	if (a->p1 != 0x00 || a->p2 != 0x00)
		return SW_WRONG_P1P2;
	if (a->cse != 4)
		return SW_WRONG_LENGTH;
	if ((sw = slot_key(c, SCM_AT, &k)) != SW_OK)
		return sw;
	if (!(nlen = key_bytes(k)))
		return SW_COND_NOT_SAT;
	if (pkcs1_pad1(a->data, a->lc, em, nlen) < 0)
		return SW_WRONG_LENGTH;
	return run_key(c, a, k, em, nlen, resp);
}

/*
 * CREATE FILE, DELETE FILE, ACTIVATE, DEACTIVATE, GENERATE ASYMMETRIC KEY
 * PAIR: the OS has them (3.0 manual TOC), an issued card's access rules
 * forbid them: 69 82 (doc/simulator.md).
 */
uint16_t
sim_starcos3_refuse_personalisation(struct sim_card *c, const struct sim_apdu *a,
		struct sim_buf *resp)
{
	(void)c;
	(void)a;
	(void)resp;
	return SW_SEC_STATUS;
}
