/*
 * cardsim - RSA arithmetic for the simulated cards (OpenSSL 3 BIGNUM and
 * EVP key generation). Keys are plain byte arrays, big-endian, fixed
 * widths: n and d are nlen bytes, p q dP dQ qInv nlen/2 bytes each.
 * Nothing here logs or prints key material.
 */
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include "sim.h"

void
rsa_key_wipe(struct sim_rsa_key *k)
{
	OPENSSL_cleanse(k, sizeof(*k));
}

/* Writes bn right-aligned into out[len]; -1 if it does not fit. */
static int
bn_out(const BIGNUM *bn, uint8_t *out, size_t len)
{
	return BN_bn2binpad(bn, out, (int)len) < 0 ? -1 : 0;
}

static int
get_param(EVP_PKEY *pk, const char *name, uint8_t *out, size_t len)
{
	BIGNUM *bn = NULL;
	int rv;

	if (!EVP_PKEY_get_bn_param(pk, name, &bn))
		return -1;
	rv = bn_out(bn, out, len);
	BN_clear_free(bn);
	return rv;
}

static EVP_PKEY *
keygen(unsigned int bits, const uint8_t e[16])
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
	BIGNUM *be = BN_bin2bn(e, 16, NULL);
	EVP_PKEY *pk = NULL;

	if (ctx && be && EVP_PKEY_keygen_init(ctx) > 0
	    && EVP_PKEY_CTX_set_rsa_keygen_bits(ctx, (int)bits) > 0
	    && EVP_PKEY_CTX_set1_rsa_keygen_pubexp(ctx, be) > 0)
		EVP_PKEY_generate(ctx, &pk);
	BN_free(be);
	EVP_PKEY_CTX_free(ctx);
	return pk;
}

/* bits: multiple of 16, at most SIM_RSA_MAX_BITS; e: 16 bytes big-endian. */
int
rsa_generate(unsigned int bits, const uint8_t e[16], struct sim_rsa_key *k)
{
	EVP_PKEY *pk;
	size_t h;
	int rv = 0;

	if (bits % 16 || bits < 512 || bits > SIM_RSA_MAX_BITS)
		return -1;
	sim_cost_hint.keygen_bits = bits;
	memset(k, 0, sizeof(*k));
	pk = keygen(bits, e);
	if (!pk)
		return -1;
	k->nlen = bits / 8;
	h = k->nlen / 2;
	memcpy(k->e, e, 16);
	rv |= get_param(pk, OSSL_PKEY_PARAM_RSA_N, k->n, k->nlen);
	rv |= get_param(pk, OSSL_PKEY_PARAM_RSA_D, k->d, k->nlen);
	rv |= get_param(pk, OSSL_PKEY_PARAM_RSA_FACTOR1, k->p, h);
	rv |= get_param(pk, OSSL_PKEY_PARAM_RSA_FACTOR2, k->q, h);
	rv |= get_param(pk, OSSL_PKEY_PARAM_RSA_EXPONENT1, k->dp, h);
	rv |= get_param(pk, OSSL_PKEY_PARAM_RSA_EXPONENT2, k->dq, h);
	rv |= get_param(pk, OSSL_PKEY_PARAM_RSA_COEFFICIENT1, k->qinv, h);
	EVP_PKEY_free(pk);
	k->crt = 1;
	k->has_d = 1;
	if (rv) {
		rsa_key_wipe(k);
		return -1;
	}
	return 0;
}

struct crt_bn {
	BIGNUM *p, *q, *dp, *dq, *qinv;
};

static void
crt_free(struct crt_bn *c)
{
	BN_clear_free(c->p);
	BN_clear_free(c->q);
	BN_clear_free(c->dp);
	BN_clear_free(c->dq);
	BN_clear_free(c->qinv);
}

static int
crt_load(const struct sim_rsa_key *k, struct crt_bn *c)
{
	int h = (int)(k->nlen / 2);

	c->p = BN_bin2bn(k->p, h, NULL);
	c->q = BN_bin2bn(k->q, h, NULL);
	c->dp = BN_bin2bn(k->dp, h, NULL);
	c->dq = BN_bin2bn(k->dq, h, NULL);
	c->qinv = BN_bin2bn(k->qinv, h, NULL);
	return c->p && c->q && c->dp && c->dq && c->qinv ? 0 : -1;
}

/* m = m2 + q * (qInv * (m1 - m2) mod p), m1 = c^dP mod p, m2 = c^dQ mod q */
static int
crt_exp(const struct crt_bn *k, const BIGNUM *in, BIGNUM *out, BN_CTX *ctx)
{
	BIGNUM *m1 = BN_CTX_get(ctx), *m2 = BN_CTX_get(ctx), *h = BN_CTX_get(ctx);

	if (!h || BN_is_zero(k->p) || BN_is_zero(k->q))
		return -1;
	if (!BN_mod_exp(m1, in, k->dp, k->p, ctx) || !BN_mod_exp(m2, in, k->dq, k->q, ctx)
	    || !BN_mod_sub(h, m1, m2, k->p, ctx) || !BN_mod_mul(h, h, k->qinv, k->p, ctx)
	    || !BN_mul(h, h, k->q, ctx) || !BN_add(out, h, m2))
		return -1;
	return 0;
}

/*
 * in/out: nlen bytes. Returns 0, -1 on an internal error, -2 when the
 * input is not smaller than the modulus.
 */
int
rsa_private(const struct sim_rsa_key *k, const uint8_t *in, uint8_t *out)
{
	BN_CTX *ctx = BN_CTX_new();
	struct crt_bn c = { 0 };
	BIGNUM *x, *n, *y, *d = NULL;
	int rv = -1;

	if (!ctx)
		return -1;
	sim_cost_hint.rsa_bits = (unsigned int)k->nlen * 8;
	BN_CTX_start(ctx);
	x = BN_CTX_get(ctx);
	n = BN_CTX_get(ctx);
	y = BN_CTX_get(ctx);
	if (!y || !BN_bin2bn(in, (int)k->nlen, x))
		goto out;
	if (k->crt) {
		if (crt_load(k, &c) < 0 || !BN_mul(n, c.p, c.q, ctx))
			goto out;
	} else if (!BN_bin2bn(k->n, (int)k->nlen, n)) {
		goto out;
	}
	if (BN_cmp(x, n) >= 0 || BN_is_zero(n)) {
		rv = -2;
		goto out;
	}
	if (k->crt)
		rv = crt_exp(&c, x, y, ctx);
	else if ((d = BN_bin2bn(k->d, (int)k->nlen, NULL)) && BN_mod_exp(y, x, d, n, ctx))
		rv = 0;
	if (rv == 0)
		rv = bn_out(y, out, k->nlen);
out:
	BN_clear_free(d);
	crt_free(&c);
	BN_CTX_end(ctx);
	BN_CTX_free(ctx);
	return rv;
}

/* out = in^e mod n; same return values as rsa_private. */
int
rsa_public(const struct sim_rsa_key *k, const uint8_t *in, uint8_t *out)
{
	BN_CTX *ctx = BN_CTX_new();
	BIGNUM *x, *n, *e, *y;
	int rv = -1;

	if (!ctx)
		return -1;
	BN_CTX_start(ctx);
	x = BN_CTX_get(ctx);
	n = BN_CTX_get(ctx);
	e = BN_CTX_get(ctx);
	y = BN_CTX_get(ctx);
	if (y && BN_bin2bn(in, (int)k->nlen, x) && BN_bin2bn(k->n, (int)k->nlen, n)
	    && BN_bin2bn(k->e, 16, e)) {
		if (BN_cmp(x, n) >= 0 || BN_is_zero(n))
			rv = -2;
		else if (BN_mod_exp(y, x, e, n, ctx))
			rv = bn_out(y, out, k->nlen);
	}
	BN_CTX_end(ctx);
	BN_CTX_free(ctx);
	return rv;
}

/* CRT key: n = p*q and e = dP^-1 mod (p-1), exact while e < p-1. */
int
rsa_complete(struct sim_rsa_key *k)
{
	BN_CTX *ctx = BN_CTX_new();
	struct crt_bn c = { 0 };
	BIGNUM *n, *e, *pm1;
	int rv = -1;

	if (!ctx)
		return -1;
	BN_CTX_start(ctx);
	n = BN_CTX_get(ctx);
	e = BN_CTX_get(ctx);
	pm1 = BN_CTX_get(ctx);
	if (pm1 && k->crt && crt_load(k, &c) == 0 && BN_mul(n, c.p, c.q, ctx)
	    && BN_sub(pm1, c.p, BN_value_one())
	    && BN_mod_inverse(e, c.dp, pm1, ctx) && BN_num_bytes(e) <= 16
	    && bn_out(n, k->n, k->nlen) == 0 && bn_out(e, k->e, 16) == 0)
		rv = 0;
	crt_free(&c);
	BN_CTX_end(ctx);
	BN_CTX_free(ctx);
	return rv;
}
