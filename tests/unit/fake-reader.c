/*
 * fake-reader.c: in-process scripted reader, see fake-reader.h
 *
 * Copyright (C) 2026 pkicards contributors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "unit.h"

#include <stdio.h>

#include "fake-reader.h"

/* ---- C-APDU encoding: the rules of apdu.c sc_apdu2bytes ---------------- */

struct fr_out {
	u8 *p;
	size_t len, cap;
	int err;
};

static void
fr_put(struct fr_out *o, const u8 *p, size_t n)
{
	if (n > o->cap - o->len) {
		o->err = 1;
		return;
	}
	if (n)
		memcpy(o->p + o->len, p, n);
	o->len += n;
}

static void
fr_put1(struct fr_out *o, size_t v)
{
	u8 b = (u8)(v & 0xFF);

	fr_put(o, &b, 1);
}

/* extended length field: 3 bytes (00 hi lo) or, after Lc, 2 bytes */
static void
fr_put2(struct fr_out *o, size_t v)
{
	fr_put1(o, v >> 8);
	fr_put1(o, v);
}

int
fr_encode_apdu(const sc_apdu_t *a, unsigned int proto, u8 *out, size_t outlen)
{
	struct fr_out o = {out, 0, outlen, 0};
	u8 hdr[4] = {a->cla, a->ins, a->p1, a->p2};
	int t0 = proto == SC_PROTO_T0;

	fr_put(&o, hdr, 4);
	switch (a->cse) {
	case SC_APDU_CASE_1:
		if (t0) /* T=0 always sends P3 */
			fr_put1(&o, 0);
		break;
	case SC_APDU_CASE_2_SHORT:
		fr_put1(&o, a->le); /* 256 is sent as 00 */
		break;
	case SC_APDU_CASE_2_EXT:
		if (!t0)
			fr_put1(&o, 0), fr_put2(&o, a->le);
		else
			fr_put1(&o, a->le);
		break;
	case SC_APDU_CASE_3_SHORT:
		fr_put1(&o, a->lc), fr_put(&o, a->data, a->lc);
		break;
	case SC_APDU_CASE_3_EXT:
		if (t0 && a->lc > 255)
			return SC_ERROR_INVALID_ARGUMENTS;
		if (!t0)
			fr_put1(&o, 0), fr_put2(&o, a->lc);
		else
			fr_put1(&o, a->lc);
		fr_put(&o, a->data, a->lc);
		break;
	case SC_APDU_CASE_4_SHORT:
		fr_put1(&o, a->lc), fr_put(&o, a->data, a->lc);
		if (!t0) /* T=0 drops Le: the card answers 61xx */
			fr_put1(&o, a->le);
		break;
	case SC_APDU_CASE_4_EXT:
		if (t0) {
			fr_put1(&o, a->lc), fr_put(&o, a->data, a->lc);
		} else {
			fr_put1(&o, 0), fr_put2(&o, a->lc), fr_put(&o, a->data, a->lc);
			fr_put2(&o, a->le);
		}
		break;
	default:
		return SC_ERROR_INVALID_ARGUMENTS;
	}
	return o.err ? SC_ERROR_BUFFER_TOO_SMALL : (int)o.len;
}

/* ---- reader operations ---------------------------------------------------- */

static struct fr *
fr_of(sc_reader_t *reader)
{
	return reader->drv_data;
}

static int
fr_connect_op(sc_reader_t *reader)
{
	struct fr *f = fr_of(reader);

	memcpy(reader->atr.value, f->atr, f->atr_len);
	reader->atr.len = f->atr_len;
	reader->active_protocol = f->proto;
	reader->flags |= SC_READER_CARD_PRESENT;
	return SC_SUCCESS;
}

static int
fr_noop(sc_reader_t *reader)
{
	return SC_SUCCESS;
}

/* the response as reader-pcsc.c / sc_apdu_set_resp store it */
static void
fr_set_resp(sc_apdu_t *apdu, const u8 *r, size_t n)
{
	apdu->sw1 = r[n - 2];
	apdu->sw2 = r[n - 1];
	n -= 2;
	if (n <= apdu->resplen)
		apdu->resplen = n;
	if (apdu->resplen)
		memcpy(apdu->resp, r, apdu->resplen);
}

static int
fr_transmit(sc_reader_t *reader, sc_apdu_t *apdu)
{
	static u8 got[FR_MAX_APDU], want[FR_MAX_APDU];
	static char hgot[2 * 300 + 1], hwant[2 * 300 + 1];
	struct fr *f = fr_of(reader);
	const struct fr_step *s;
	int n;
	size_t wn;

	n = fr_encode_apdu(apdu, reader->active_protocol, got, sizeof(got));
	if (n < 0)
		fail_msg("APDU #%zu: cannot encode (case %u, lc %zu, le %zu): %s", f->pos + 1,
				apdu->cse, apdu->lc, apdu->le, sc_strerror(n));
	unit_tohex(got, (size_t)n, hgot, sizeof(hgot));
	if (f->pos == f->nsteps)
		fail_msg("APDU #%zu: unexpected C-APDU %s (script has %zu steps)",
				f->pos + 1, hgot, f->nsteps);
	s = f->steps[f->pos];
	wn = unit_hex(s->capdu, want, sizeof(want));
	unit_tohex(want, wn, hwant, sizeof(hwant));
	if (wn != (size_t)n || memcmp(want, got, wn) != 0)
		fail_msg("APDU #%zu mismatch\n  expected %s\n  actual   %s", f->pos + 1, hwant, hgot);
	f->pos++;
	wn = unit_hex(s->rapdu, want, sizeof(want));
	if (wn == 0 && !s->rapdu[0])
		return SC_ERROR_UNKNOWN_DATA_RECEIVED; /* no answer (reader-pcsc.c) */
	if (wn < 2)
		fail_msg("APDU #%zu: the scripted R-APDU has no SW", f->pos);
	fr_set_resp(apdu, want, wn);
	return SC_SUCCESS;
}

static int
fr_detect_card_presence(sc_reader_t *reader)
{
	return fr_of(reader)->card_gone ? 0 : SC_READER_CARD_PRESENT;
}

static struct sc_reader_operations fr_ops = {
	.connect = fr_connect_op,
	.disconnect = fr_noop,
	.transmit = fr_transmit,
	.detect_card_presence = fr_detect_card_presence,
	.lock = fr_noop,
	.unlock = fr_noop,
};

/* ---- life cycle ------------------------------------------------------------ */

void
fr_open(struct fr *f, struct sc_card_driver *drv, const char *atr_hex, unsigned int proto)
{
	fr_open_conf(f, drv, atr_hex, proto, "/dev/null");
}

void
fr_open_conf(struct fr *f, struct sc_card_driver *drv, const char *atr_hex, unsigned int proto,
		const char *conf)
{
	sc_context_param_t param;
	int r;

	memset(f, 0, sizeof(*f));
	f->proto = proto;
	f->atr_len = unit_hex(atr_hex, f->atr, sizeof(f->atr));
	setenv("OPENSC_CONF", conf, 1);
	memset(&param, 0, sizeof(param));
	param.app_name = "pkicards-unit";
	r = sc_context_create(&f->ctx, &param);
	assert_int_equal(r, SC_SUCCESS);
	f->ctx->forced_driver = drv;
	f->reader = calloc(1, sizeof(*f->reader));
	assert_non_null(f->reader);
	f->reader->ctx = f->ctx;
	f->reader->ops = &fr_ops;
	f->reader->name = "pkicards fake reader";
	f->reader->drv_data = f;
	f->reader->supported_protocols = proto;
}

void
fr_expect(struct fr *f, const struct fr_step *steps)
{
	for (; steps->capdu; steps++) {
		if (f->nsteps == FR_MAX_STEPS)
			fail_msg("script longer than %d steps", FR_MAX_STEPS);
		f->steps[f->nsteps++] = steps;
	}
}

int
fr_connect(struct fr *f)
{
	return sc_connect_card(f->reader, &f->card);
}

void
fr_assert_done(struct fr *f)
{
	if (f->pos != f->nsteps)
		fail_msg("script not consumed: %zu of %zu steps done, next expected %s",
				f->pos, f->nsteps, f->steps[f->pos]->capdu);
}

void
fr_close(struct fr *f)
{
	size_t pos = f->pos, n = f->nsteps;

	if (f->card)
		sc_disconnect_card(f->card);
	f->card = NULL;
	free(f->reader);
	f->reader = NULL;
	if (f->ctx)
		sc_release_context(f->ctx);
	f->ctx = NULL;
	if (pos != n)
		fail_msg("script not consumed: %zu of %zu steps done, next expected %s",
				pos, n, f->steps[pos]->capdu);
}

int
fr_fx_setup(void **state)
{
	struct fr_fx *x = calloc(1, sizeof(*x));

	if (!x)
		return -1;
	x->row = *state;
	*state = x;
	return 0;
}

/* fails the test if the script was not used up */
int
fr_fx_teardown(void **state)
{
	struct fr_fx *x = *state;

	*state = NULL;
	fr_close(&x->f);
	free(x);
	return 0;
}
