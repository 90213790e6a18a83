/*
 * cardsim - ACOS5 RSA: key files (FDB 09), MSE, PSO (sign, decipher,
 * encipher), key generation, GET KEY, v1 PUT KEY (acos5-card.md §2.4-2.6, 3.8).
 *
 * Key file layout (doc/simulator.md "RSA key files"):
 *   byte 0    00 = public, 1..6 = private key type (V2/V3), 07 = v1 CRT
 *   byte 1    modulus bytes / 16 (= bits / 128)
 *   byte 2-3  partner key file FID
 *   byte 4    flags, 03 = complete
 *   public:   exponent (V2/V3: 16 bytes big-endian; v1: 8 bytes little-endian),
 *             modulus (v1 little-endian)
 *   private:  CRT: p q dP dQ qInv (N/2 each), standard: d (N); v1 little-endian
 */
#include <string.h>

#include "acos5.h"

#define KEY_HDR		5
#define KEY_COMPLETE	0x03
#define KT_PUBLIC	0x00
#define KT_V1_CRT	0x07

static const uint8_t di_sha1[] = {
	0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2B, 0x0E, 0x03, 0x02, 0x1A, 0x05, 0x00,
	0x04, 0x14
};
static const uint8_t di_sha256[] = {
	0x30, 0x31, 0x30, 0x0D, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04,
	0x02, 0x01, 0x05, 0x00, 0x04, 0x20
};

/* ---- key file formats ------------------------------------------------ */

static int
little_endian(const struct sim_card *c)
{
	return acos_gen(c) == 1;
}

static size_t
exp_len(const struct sim_card *c)
{
	return little_endian(c) ? 8 : 16;
}

static int
type_crt(uint8_t t)
{
	return t >= 4 && t <= KT_V1_CRT;
}

static int
type_signs(uint8_t t)
{
	return t == 1 || t == 3 || t == 4 || t == 6 || t == KT_V1_CRT;
}

static int
type_deciphers(uint8_t t)
{
	return t == 2 || t == 3 || t == 5 || t == 6 || t == KT_V1_CRT;
}

static size_t
pub_size(const struct sim_card *c, size_t nlen)
{
	return KEY_HDR + exp_len(c) + nlen;
}

static size_t
priv_size(uint8_t type, size_t nlen)
{
	return KEY_HDR + (type_crt(type) ? 5 * nlen / 2 : nlen);
}

/* Copies n bytes, reversed when 'rev' (v1 stores numbers little-endian). */
static void
copy_num(uint8_t *dst, const uint8_t *src, size_t n, int rev)
{
	size_t i;

	for (i = 0; i < n; i++)
		dst[i] = rev ? src[n - 1 - i] : src[i];
}

static void
reverse(uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n / 2; i++) {
		uint8_t t = p[i];

		p[i] = p[n - 1 - i];
		p[n - 1 - i] = t;
	}
}

int
acos_key_is_private(const struct sim_file *f)
{
	return f->size == 0 || f->data[0] != KT_PUBLIC;
}

static void
put_header(uint8_t *d, uint8_t type, size_t nlen, uint16_t partner)
{
	d[0] = type;
	d[1] = (uint8_t)(nlen / 16);
	d[2] = (uint8_t)(partner >> 8);
	d[3] = (uint8_t)partner;
	d[4] = KEY_COMPLETE;
}

static void
write_public(const struct sim_card *c, struct sim_file *f, const struct sim_rsa_key *k,
	     uint16_t partner)
{
	size_t el = exp_len(c);
	int rev = little_endian(c);

	memset(f->data, 0, f->size);
	put_header(f->data, KT_PUBLIC, k->nlen, partner);
	copy_num(f->data + KEY_HDR, k->e + 16 - el, el, rev);
	copy_num(f->data + KEY_HDR + el, k->n, k->nlen, rev);
}

static void
write_private(const struct sim_card *c, struct sim_file *f, const struct sim_rsa_key *k,
	      uint8_t type, uint16_t partner)
{
	const uint8_t *parts[5] = { k->p, k->q, k->dp, k->dq, k->qinv };
	size_t h = k->nlen / 2, i;
	int rev = little_endian(c);

	memset(f->data, 0, f->size);
	put_header(f->data, type, k->nlen, partner);
	if (!type_crt(type)) {
		copy_num(f->data + KEY_HDR, k->d, k->nlen, rev);
		return;
	}
	for (i = 0; i < 5; i++)
		copy_num(f->data + KEY_HDR + i * h, parts[i], h, rev);
}

/* Header checks shared by both key kinds; fills nlen. */
static uint16_t
key_header(const struct sim_file *f, size_t *nlen)
{
	if (f->fdb != FDB_RSA)
		return SW_WRONG_DATA;
	if (f->size < KEY_HDR || f->data[4] != KEY_COMPLETE)
		return SW_COND_NOT_SAT;		/* no key loaded */
	*nlen = (size_t)f->data[1] * 16;
	if (*nlen < 64 || *nlen > SIM_RSA_MAX)
		return SW_COND_NOT_SAT;
	return SW_OK;
}

static uint16_t
load_public(const struct sim_card *c, const struct sim_file *f, struct sim_rsa_key *k)
{
	size_t el = exp_len(c);
	int rev = little_endian(c);
	uint16_t sw;

	memset(k, 0, sizeof(*k));
	if ((sw = key_header(f, &k->nlen)) != SW_OK)
		return sw;
	if (f->data[0] != KT_PUBLIC)
		return SW_WRONG_DATA;
	if (f->size < pub_size(c, k->nlen))
		return SW_COND_NOT_SAT;
	copy_num(k->e + 16 - el, f->data + KEY_HDR, el, rev);
	copy_num(k->n, f->data + KEY_HDR + el, k->nlen, rev);
	return SW_OK;
}

/* Standard (non-CRT) keys take the modulus from the partner public key. */
static uint16_t
load_partner_n(const struct sim_card *c, const struct sim_file *f, struct sim_rsa_key *k)
{
	uint16_t fid = (uint16_t)(f->data[2] << 8 | f->data[3]);
	const struct sim_file *pub = f->parent ? fs_child(f->parent, fid) : NULL;
	struct sim_rsa_key pk;
	uint16_t sw;

	if (!pub)
		return SW_COND_NOT_SAT;
	sw = load_public(c, pub, &pk);
	if (sw == SW_OK && pk.nlen != k->nlen)
		sw = SW_COND_NOT_SAT;
	if (sw == SW_OK)
		memcpy(k->n, pk.n, k->nlen);
	return sw == SW_OK ? SW_OK : SW_COND_NOT_SAT;
}

static uint16_t
load_private(const struct sim_card *c, const struct sim_file *f, struct sim_rsa_key *k)
{
	uint8_t *parts[5] = { k->p, k->q, k->dp, k->dq, k->qinv };
	size_t h, i;
	uint8_t type;
	uint16_t sw;

	memset(k, 0, sizeof(*k));
	if ((sw = key_header(f, &k->nlen)) != SW_OK)
		return sw;
	type = f->data[0];
	if (type == KT_PUBLIC || type > KT_V1_CRT)
		return SW_WRONG_DATA;
	if (f->size < priv_size(type, k->nlen))
		return SW_COND_NOT_SAT;
	h = k->nlen / 2;
	k->crt = type_crt(type);
	k->has_d = 1;
	if (k->crt) {
		for (i = 0; i < 5; i++)
			copy_num(parts[i], f->data + KEY_HDR + i * h, h, little_endian(c));
		return SW_OK;
	}
	copy_num(k->d, f->data + KEY_HDR, k->nlen, little_endian(c));
	return load_partner_n(c, f, k);
}

/* ---- MSE 00 22 01 B6|B8 ------------------------------------------------ */

struct mse_req {
	int has_fid, has_alg, sym;
	uint16_t fid;
	uint8_t alg, uqb;
};

static uint16_t
mse_parse(const struct sim_apdu *a, struct mse_req *m)
{
	struct tlv_reader r;
	struct tlv t;
	int rv;

	memset(m, 0, sizeof(*m));
	m->uqb = 0x40;
	tlv_begin(&r, a->data, a->lc);
	while ((rv = tlv_next(&r, &t)) == 1) {
		if (t.tag == 0x80 && t.len == 1) {
			m->alg = t.val[0];
			m->has_alg = 1;
		} else if (t.tag == 0x81 && t.len == 2) {
			m->fid = (uint16_t)(t.val[0] << 8 | t.val[1]);
			m->has_fid = 1;
		} else if (t.tag == 0x95 && t.len == 1) {
			m->uqb = t.val[0];
		} else if (t.tag == 0x83 || t.tag == 0x84) {
			m->sym = 1;	/* symmetric key reference / session key */
		} else if (t.tag != 0x87) {
			return SW_WRONG_DATA;
		}
	}
	return rv < 0 ? SW_WRONG_DATA : SW_OK;
}

static int
alg_ok(uint8_t crt, uint8_t alg)
{
	if (crt == 0xB6)
		return alg == 0x10;		/* RSA PKCS#1 v1.5 sign / keygen */
	return alg == 0x12 || alg == 0x13;	/* RSA encipher / decipher */
}

uint16_t
sim_acos5_manage_security_env(struct sim_card *c, const struct sim_apdu *a, struct sim_buf *resp)
{
	struct mse_req m;
	struct sim_file *f;
	int slot;
	uint16_t sw;

	(void)resp;
	if (a->p1 != 0x01)
		return SW_WRONG_P1P2;	/* 41/81 (ISO) and F3 (restore): not simulated */
	if (a->cse != 3)
		return SW_WRONG_LENGTH;
	if (a->p2 != 0xB6 && a->p2 != 0xB8 && a->p2 != 0xA4 && a->p2 != 0xB4
	    && a->p2 != 0xAA)
		return SW_WRONG_P1P2;
	if (!c->mf)
		return SW_NO_CURRENT_EF;
	if ((sw = mse_parse(a, &m)) != SW_OK)
		return sw;
	if (a->p2 != 0xB6 && a->p2 != 0xB8)
		return SW_OK;		/* AT/CCT/HT accepted, not used */
	if (a->p2 == 0xB8 && m.sym && !m.has_fid) {
		c->mse.ct_sym = 1;	/* replaces an RSA CT */
		c->mse.set[MSE_CT_PRIV] = c->mse.set[MSE_CT_PUB] = 0;
		return SW_OK;
	}
	if (!m.has_fid || !m.has_alg || !alg_ok(a->p2, m.alg))
		return SW_WRONG_DATA;
	f = fs_child(c->cur_df, m.fid);
	if (!f)
		return SW_REF_NOT_FOUND;
	if (f->fdb != FDB_RSA)
		return SW_WRONG_DATA;
	if ((sw = acos_check(c, f, AM_USE)) != SW_OK)
		return sw;
	slot = (a->p2 == 0xB6 ? MSE_DST_PRIV : MSE_CT_PRIV) + (m.uqb == 0x80 ? 1 : 0);
	c->mse.set[slot] = 1;
	c->mse.fid[slot] = m.fid;
	c->mse.alg[slot] = m.alg;
	if (a->p2 == 0xB8)
		c->mse.ct_sym = 0;
	return SW_OK;
}

/* The key file an MSE slot names, with its use SCB checked. */
static uint16_t
mse_key(struct sim_card *c, int slot, struct sim_file **out)
{
	if (!c->mse.set[slot])
		return SW_COND_NOT_SAT;
	*out = fs_child(c->cur_df, c->mse.fid[slot]);
	if (!*out)
		return SW_REF_NOT_FOUND;
	return acos_check(c, *out, AM_USE);
}

/* ---- PSO 00 2A ------------------------------------------------------- */

static uint16_t
reply_rsa(struct sim_card *c, const struct sim_apdu *a, uint8_t *out, size_t n,
	  struct sim_buf *resp)
{
	if (little_endian(c))
		reverse(out, n);
	return card_reply(c, a, out, n, resp);
}

/* EM = 00 01 FF.. 00 DigestInfo hash (PKCS#1 v1.5 type 1) */
static int
pkcs1_type1(const uint8_t *hash, size_t hlen, uint8_t *em, size_t nlen)
{
	const uint8_t *di = hlen == 20 ? di_sha1 : di_sha256;
	size_t dlen = hlen == 20 ? sizeof(di_sha1) : sizeof(di_sha256);

	if (nlen < dlen + hlen + 11)
		return -1;
	em[0] = 0x00;
	em[1] = 0x01;
	memset(em + 2, 0xFF, nlen - dlen - hlen - 3);
	em[nlen - dlen - hlen - 1] = 0x00;
	memcpy(em + nlen - dlen - hlen, di, dlen);
	memcpy(em + nlen - hlen, hash, hlen);
	return 0;
}

static uint16_t
pso_sign(struct sim_card *c, const struct sim_apdu *a, uint8_t *in, size_t n,
	 struct sim_buf *resp)
{
	static struct sim_rsa_key k;
	uint8_t em[SIM_RSA_MAX], out[SIM_RSA_MAX];
	struct sim_file *f = NULL;
	uint16_t sw;
	int rv;

	if ((sw = mse_key(c, MSE_DST_PRIV, &f)) != SW_OK)
		return sw;
	if ((sw = load_private(c, f, &k)) != SW_OK)
		return sw;
	sw = SW_WRONG_DATA;
	if (little_endian(c))
		reverse(in, n);
	if (type_signs(f->data[0]) && (n == 20 || n == 32)
	    && pkcs1_type1(in, n, em, k.nlen) == 0) {
		rv = rsa_private(&k, em, out);
		sw = rv == 0 ? reply_rsa(c, a, out, k.nlen, resp) : SW_NO_DIAGNOSIS;
	}
	rsa_key_wipe(&k);
	return sw;
}

static uint16_t
pso_decipher(struct sim_card *c, const struct sim_apdu *a, uint8_t *in, size_t n,
	     struct sim_buf *resp)
{
	static struct sim_rsa_key k;
	uint8_t out[SIM_RSA_MAX];
	struct sim_file *f = NULL;
	uint16_t sw;
	int rv;

	if (c->mse.ct_sym)
		return SW_FUNC_NOT_SUPP;	/* symmetric crypto: not simulated */
	if ((sw = mse_key(c, MSE_CT_PRIV, &f)) != SW_OK)
		return sw;
	if ((sw = load_private(c, f, &k)) != SW_OK)
		return sw;
	if (!type_deciphers(f->data[0]))
		sw = SW_WRONG_DATA;
	else if (n != k.nlen)
		sw = SW_WRONG_LENGTH;
	if (sw == SW_OK) {
		if (little_endian(c))
			reverse(in, n);
		rv = rsa_private(&k, in, out);
		sw = rv == 0 ? reply_rsa(c, a, out, n, resp) : rv == -2 ? SW_WRONG_DATA : SW_NO_DIAGNOSIS;
	}
	rsa_key_wipe(&k);
	return sw;
}

static uint16_t
pso_encipher(struct sim_card *c, const struct sim_apdu *a, uint8_t *in, size_t n,
	     struct sim_buf *resp)
{
	static struct sim_rsa_key k;
	uint8_t out[SIM_RSA_MAX];
	struct sim_file *f = NULL;
	uint16_t sw;
	int rv;

	if ((sw = mse_key(c, MSE_CT_PUB, &f)) != SW_OK)
		return sw;
	if ((sw = load_public(c, f, &k)) != SW_OK)
		return sw;
	if (n != k.nlen)
		return SW_WRONG_LENGTH;
	if (little_endian(c))
		reverse(in, n);
	rv = rsa_public(&k, in, out);
	return rv == 0 ? reply_rsa(c, a, out, n, resp) : rv == -2 ? SW_WRONG_DATA : SW_NO_DIAGNOSIS;
}

/* CLA 10: collect the chunk, answer 90 00; the last chunk has CLA 00. */
static uint16_t
chain_add(struct sim_card *c, const struct sim_apdu *a, sim_handler fn)
{
	if (c->chain_len + a->lc > sizeof(c->chain)) {
		c->chain_len = 0;
		return SW_WRONG_LENGTH;
	}
	memcpy(c->chain + c->chain_len, a->data, a->lc);
	c->chain_len += a->lc;
	c->chain_fn = fn;
	return SW_OK;
}

uint16_t
sim_acos5_perform_security_op(struct sim_card *c, const struct sim_apdu *a, struct sim_buf *resp)
{
	uint8_t in[SIM_CHAIN_MAX];
	unsigned int op = (unsigned int)a->p1 << 8 | a->p2;
	size_t n;

	if (op != 0x9E9A && op != 0x8084 && op != 0x8480)
		return SW_WRONG_P1P2;
	if (a->cse != 3 && a->cse != 4)
		return SW_WRONG_LENGTH;
	if (a->cla & 0x10)
		return op == 0x9E9A ? SW_WRONG_LENGTH :
					chain_add(c, a, sim_acos5_perform_security_op);
	if (c->chain_len + a->lc > sizeof(in))
		return SW_WRONG_LENGTH;
	memcpy(in, c->chain, c->chain_len);
	memcpy(in + c->chain_len, a->data, a->lc);
	n = c->chain_len + a->lc;
	c->chain_len = 0;
	c->chain_fn = NULL;
	if (op == 0x9E9A)
		return pso_sign(c, a, in, n, resp);
	if (op == 0x8084)
		return pso_decipher(c, a, in, n, resp);
	return pso_encipher(c, a, in, n, resp);
}

/* ---- GENERATE KEY PAIR 00 46 ----------------------------------------- */

struct gen_req {
	size_t nlen;
	uint8_t type;
	uint8_t e[16];
};

/* V2/V3: lenCode type [e16]; v1 (P1 80): lenCode [e8 little-endian] */
static uint16_t
gen_parse(const struct sim_card *c, const struct sim_apdu *a, struct gen_req *g)
{
	static const uint8_t f4[3] = { 0x01, 0x00, 0x01 };
	int v1 = acos_gen(c) == 1;
	size_t i, zero = 1;

	if (a->p1 != (v1 ? 0x80 : 0x00) || a->p2 != 0x00)
		return SW_WRONG_P1P2;
	if (a->cse != 3 || (v1 ? (a->lc != 9 && a->lc != 1) : (a->lc != 2 && a->lc != 18)))
		return SW_WRONG_LENGTH;
	memset(g, 0, sizeof(*g));
	g->nlen = (size_t)a->data[0] * 16;
	g->type = v1 ? KT_V1_CRT : a->data[1];
	if (a->lc == 9)
		copy_num(g->e + 8, a->data + 1, 8, 1);
	else if (a->lc == 18)
		memcpy(g->e, a->data + 2, 16);
	for (i = 0; i < 16; i++)
		zero &= g->e[i] == 0;
	if (zero)
		memcpy(g->e + 13, f4, 3);	/* default exponent 65537 */
	return SW_OK;
}

/* The public exponent must be odd and greater than 1. */
static int
e_valid(const uint8_t e[16])
{
	size_t i;

	if (!(e[15] & 1))
		return 0;
	for (i = 0; i < 15; i++)
		if (e[i])
			return 1;
	return e[15] > 1;
}

/* Key sizes: v1 512..2048, ACOS5-64 512..4096, step 256; V3 FIPS 2048/3072 CRT. */
static int
gen_allowed(const struct sim_card *c, const struct gen_req *g)
{
	size_t bits = g->nlen * 8;
	int fips = acos_gen(c) == 3 && op_mode(c) == 0x00;

	if (bits < 512 || bits % 256 || bits > (acos_gen(c) == 1 ? 2048u : 4096u))
		return 0;
	if (acos_gen(c) >= 2 && (g->type < 1 || g->type > 6))
		return 0;
	if (fips && ((bits != 2048 && bits != 3072) || !type_crt(g->type)))
		return 0;
	return e_valid(g->e);
}

static uint16_t
gen_files(struct sim_card *c, const struct gen_req *g, struct sim_file **priv,
	  struct sim_file **pub)
{
	uint16_t sw;

	if (!c->mse.set[MSE_DST_PRIV] || !c->mse.set[MSE_DST_PUB])
		return SW_COND_NOT_SAT;
	if ((sw = mse_key(c, MSE_DST_PRIV, priv)) != SW_OK
	    || (sw = mse_key(c, MSE_DST_PUB, pub)) != SW_OK)
		return sw;
	if ((*priv)->fdb != FDB_RSA || (*pub)->fdb != FDB_RSA || *priv == *pub)
		return SW_WRONG_DATA;
	if ((*priv)->size < priv_size(g->type, g->nlen) || (*pub)->size < pub_size(c, g->nlen))
		return SW_WRONG_DATA;	/* key files too small (trace 04) */
	return SW_OK;
}

uint16_t
sim_acos5_generate_key_pair(struct sim_card *c, const struct sim_apdu *a, struct sim_buf *resp)
{
	static struct sim_rsa_key k;
	struct sim_file *priv = NULL, *pub = NULL;
	struct gen_req g;
	uint16_t sw;

	(void)resp;
	if ((sw = gen_parse(c, a, &g)) != SW_OK)
		return sw;
	if (!gen_allowed(c, &g))
		return SW_WRONG_DATA;
	if ((sw = gen_files(c, &g, &priv, &pub)) != SW_OK)
		return sw;
	if (rsa_generate((unsigned int)g.nlen * 8, g.e, &k) < 0)
		return SW_NO_DIAGNOSIS;
	write_private(c, priv, &k, g.type, pub->fid);
	write_public(c, pub, &k, priv->fid);
	rsa_key_wipe(&k);
	c->dirty = 1;
	return SW_OK;
}

/* ---- GET KEY 80 CA (V2/V3); v1 80 CA FF 00 = CLEAR CARD --------------- */

uint16_t
sim_acos5_get_key(struct sim_card *c, const struct sim_apdu *a, struct sim_buf *resp)
{
	struct sim_file *f = c->cur_ef;
	size_t off = (size_t)a->p1 << 8 | a->p2;
	uint16_t sw;

	if (acos_gen(c) == 1) {
		if (a->p1 != 0xFF || a->p2 != 0x00)
			return SW_WRONG_P1P2;
		return apdu_no_data(a) ? acos_wipe(c) : SW_WRONG_LENGTH;
	}
	if (a->cse != 2)
		return SW_WRONG_LENGTH;
	if (!f)
		return SW_NO_CURRENT_EF;
	if (f->fdb != FDB_RSA)
		return SW_INCOMPATIBLE;
	if (acos_key_is_private(f))
		return SW_SEC_STATUS;	/* private keys never leave the card */
	if ((sw = acos_check(c, f, AM_READ)) != SW_OK)
		return sw;
	if (off >= f->size)
		return SW_WRONG_P1P2_ISO;
	if (a->le > f->size - off)
		return SW_WRONG_LE(f->size - off);
	buf_put(resp, f->data + off, a->le);
	return SW_OK;
}

/* ---- PUT KEY 80 DA (v1 only): raw key-file bytes at offset P1P2 -------- */

uint16_t
sim_acos5_put_key(struct sim_card *c, const struct sim_apdu *a, struct sim_buf *resp)
{
	struct sim_file *f = c->cur_ef;
	size_t off = (size_t)a->p1 << 8 | a->p2;
	uint16_t sw;

	(void)resp;
	if (acos_gen(c) != 1)
		return SW_INS_UNKNOWN;
	if (a->cse != 3)
		return SW_WRONG_LENGTH;
	if (!f)
		return SW_NO_CURRENT_EF;
	if (f->fdb != FDB_RSA)
		return SW_INCOMPATIBLE;
	if ((sw = acos_check(c, f, AM_UPDATE)) != SW_OK)
		return sw;
	if (off > f->size || a->lc > f->size - off)
		return SW_NO_SPACE;
	memcpy(f->data + off, a->data, a->lc);
	c->dirty = 1;
	return SW_OK;
}
