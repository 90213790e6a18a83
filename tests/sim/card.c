/*
 * cardsim - ISO 7816-4 core: APDU parsing, dispatch, T=0 GET RESPONSE,
 * commands shared by all personalities.
 */
#include <stdlib.h>
#include <string.h>

#include "sim.h"

/*
 * Strict ISO 7816-3/-4 short and extended APDU parsing.
 * Returns 0, or -1 when the length fields do not match the APDU size.
 */
int
apdu_parse(const uint8_t *in, size_t n, int ext_ok, struct sim_apdu *a)
{
	size_t rest;

	memset(a, 0, sizeof(*a));
	if (n < 4)
		return -1;
	a->cla = in[0];
	a->ins = in[1];
	a->p1 = in[2];
	a->p2 = in[3];
	rest = n - 4;
	if (rest == 0) {
		a->cse = 1;
		return 0;
	}
	if (rest == 1) {
		a->cse = 2;
		a->has_le = 1;
		a->le = in[4] ? in[4] : 256;
		return 0;
	}
	if (in[4] != 0 || !ext_ok) {
		if (in[4] == 0)
			return -1;	/* extended form on a short-only card */
		a->lc = in[4];
		a->data = in + 5;
		if (rest == 1 + a->lc) {
			a->cse = 3;
			return 0;
		}
		if (rest == 2 + a->lc) {
			a->cse = 4;
			a->has_le = 1;
			a->le = in[5 + a->lc] ? in[5 + a->lc] : 256;
			return 0;
		}
		return -1;
	}
	/* extended: 00 hi lo ... */
	a->ext = 1;
	if (rest < 3)
		return -1;
	if (rest == 3) {
		a->cse = 2;
		a->has_le = 1;
		a->le = ((size_t)in[5] << 8) | in[6];
		if (a->le == 0)
			a->le = 65536;
		return 0;
	}
	a->lc = ((size_t)in[5] << 8) | in[6];
	if (a->lc == 0)
		return -1;
	a->data = in + 7;
	if (rest == 3 + a->lc) {
		a->cse = 3;
		return 0;
	}
	if (rest == 5 + a->lc) {
		a->cse = 4;
		a->has_le = 1;
		a->le = ((size_t)in[7 + a->lc] << 8) | in[8 + a->lc];
		if (a->le == 0)
			a->le = 65536;
		return 0;
	}
	return -1;
}

void
card_init(struct sim_card *c, const struct sim_personality *p)
{
	memset(c, 0, sizeof(*c));
	c->pers = p;
	memcpy(c->serial, p->serial, p->serial_len);
	c->serial_len = p->serial_len;
}

static void
pins_free(struct sim_card *c)
{
	struct sim_pin *p, *n;

	for (p = c->pins; p; p = n) {
		n = p->next;
		memset(p, 0, sizeof(*p));
		free(p);
	}
	c->pins = NULL;
}

static void
isf_free(struct sim_card *c)
{
	struct sim_isf *k, *n;

	for (k = c->isf; k; k = n) {
		n = k->next;
		memset(k, 0, sizeof(*k));
		free(k);
	}
	c->isf = NULL;
}

void
isf_append(struct sim_card *c, struct sim_isf *k)
{
	struct sim_isf **pp = &c->isf;

	while (*pp)
		pp = &(*pp)->next;
	k->next = NULL;
	*pp = k;
}

void
card_clear(struct sim_card *c)
{
	fs_free(c->mf);
	c->mf = NULL;
	pins_free(c);
	isf_free(c);
	card_reset(c);
}

void
card_reset(struct sim_card *c)
{
	c->cur_df = c->mf;
	c->cur_ef = NULL;
	memset(c->pin_ok, 0, sizeof(c->pin_ok));
	memset(c->key_ok, 0, sizeof(c->key_ok));
	memset(&c->mse, 0, sizeof(c->mse));
	memset(&c->scm, 0, sizeof(c->scm));
	c->sc_gstate = 0;
	c->sc_lstate = 0;
	c->chain_len = 0;
	c->chain_fn = NULL;
	c->local_df = NULL;
	c->pending_len = 0;
	c->pending_off = 0;
}

void
card_factory(struct sim_card *c)
{
	card_clear(c);
	if (c->pers->factory)
		c->pers->factory(c);
	card_reset(c);
}

void
card_atr(const struct sim_card *c, uint8_t *atr, size_t *len)
{
	memcpy(atr, c->pers->atr, c->pers->atr_len);
	*len = c->pers->atr_len;
	/* ACOS5-64: TA1 comes from EEPROM C183 when it has been written */
	if (c->pers->family == FAM_ACOS5 && c->pers->gen >= 2 && c->eeprom[0x83])
		atr[2] = c->eeprom[0x83];
}

/* Changing the current DF drops DF-local security state. */
void
card_set_df(struct sim_card *c, struct sim_file *df)
{
	if (!c->pers->keep_local_on_select && df != c->cur_df) {
		memset(c->pin_ok + 0x80, 0, 0x80);
		memset(c->key_ok + 0x80, 0, 0x80);
		c->local_df = NULL;
		c->sc_lstate = 0;
	}
	c->cur_df = df;
	c->cur_ef = NULL;
}

/*
 * Deliver data produced by a command. T=0: 61xx and GET RESPONSE for a
 * command without Le; with Le (case 2) the data must fit exactly (6Cxx).
 * T=1: data returned directly, Le is an upper bound.
 */
uint16_t
card_reply(struct sim_card *c, const struct sim_apdu *a, const uint8_t *data,
	   size_t n, struct sim_buf *resp)
{
	if (n > SIM_RESP_MAX)
		return SW_NO_DIAGNOSIS;
	if (n == 0)
		return SW_OK;
	if (c->pers->t0) {
		if (a->cse == 2) {
			if (a->le != n && !(a->le == 256 && n > 256))
				return SW_WRONG_LE(n);
			buf_put(resp, data, n > 256 ? 256 : n);
			return SW_OK;
		}
		memcpy(c->pending, data, n);
		c->pending_len = n;
		c->pending_off = 0;
		return SW_MORE_DATA(n);
	}
	if (!a->has_le)
		return SW_OK;	/* ISO: no Le, no response data */
	if (a->le < n)
		return SW_WRONG_LE(n);
	buf_put(resp, data, n);
	return SW_OK;
}

uint16_t
sim_iso_get_response(struct sim_card *c, const struct sim_apdu *a,
		 struct sim_buf *resp)
{
	size_t rem, n;

	if (a->p1 || a->p2)
		return SW_WRONG_P1P2_ISO;
	if (c->pending_len == 0)
		return SW_REF_NOT_FOUND;	/* 6A 88: no data available */
	rem = c->pending_len - c->pending_off;
	n = a->has_le ? a->le : 256;
	if (n > rem)
		return SW_WRONG_LE(rem >= 256 ? 0 : rem);
	buf_put(resp, c->pending + c->pending_off, n);
	c->pending_off += n;
	rem -= n;
	if (rem == 0) {
		c->pending_len = 0;
		c->pending_off = 0;
		return SW_OK;
	}
	return SW_MORE_DATA(rem);
}

static void
fill_random(uint8_t *p, size_t n)
{
	FILE *f = fopen("/dev/urandom", "rb");
	size_t got = 0;

	if (f) {
		got = fread(p, 1, n, f);
		fclose(f);
	}
	for (; got < n; got++)
		p[got] = (uint8_t)rand();
}

/* GET CHALLENGE: always 8 bytes on every simulated card. */
uint16_t
sim_iso_get_challenge(struct sim_card *c, const struct sim_apdu *a,
		  struct sim_buf *resp)
{
	uint8_t rnd[8];

	if (a->p1 || a->p2)
		return SW_WRONG_P1P2;
	if (a->cse != 2)
		return SW_WRONG_LENGTH;
	if (a->le != 8)
		return SW_WRONG_LE(8);
	fill_random(rnd, sizeof(rnd));
	return card_reply(c, a, rnd, sizeof(rnd), resp);
}

/* READ RECORD, P2 = 04 (record number in P1). */
uint16_t
sim_iso_read_record(struct sim_card *c, const struct sim_apdu *a,
		struct sim_buf *resp)
{
	struct sim_file *f = c->cur_ef;
	unsigned int idx;

	if (a->cse != 2 && a->cse != 1)
		return SW_WRONG_LENGTH;
	if (a->p2 != 0x04 || a->p1 == 0)
		return SW_WRONG_P1P2;
	if (!f)
		return SW_NO_CURRENT_EF;
	if (!fs_is_record(f))
		return SW_INCOMPATIBLE;
	idx = a->p1 - 1u;
	if (idx >= f->nrec || !f->rec[idx])
		return SW_RECORD_NOT_FOUND;
	return card_reply(c, a, f->rec[idx], f->reclen[idx], resp);
}

/* ---- PIN objects (StarCOS) ------------------------------------------- */

void
pin_append(struct sim_card *c, struct sim_pin *p)
{
	struct sim_pin **pp = &c->pins;

	while (*pp)
		pp = &(*pp)->next;
	p->next = NULL;
	*pp = p;
}

struct sim_pin *
pin_find(struct sim_card *c, uint8_t ref)
{
	const struct sim_file *df = (ref & 0x80) ? c->cur_df : c->mf;
	struct sim_pin *p;

	for (p = c->pins; p; p = p->next)
		if (p->df == df && p->ref == ref)
			return p;
	return NULL;
}

static void
mark_verified(struct sim_card *c, uint8_t ref)
{
	c->pin_ok[ref] = 1;
	if (ref & 0x80)
		c->local_df = c->cur_df;
}

uint16_t
pin_verify_obj(struct sim_card *c, struct sim_pin *pin, const struct sim_apdu *a)
{
	if (a->lc == 0) {
		if (c->pin_ok[pin->ref])
			return SW_OK;
		if (pin->tries == 0)
			return SW_AUTH_BLOCKED;
		return SW_TRIES_LEFT(pin->tries);
	}
	if (pin->tries == 0)
		return SW_AUTH_BLOCKED;
	if (a->lc != pin->len || memcmp(a->data, pin->value, pin->len) != 0) {
		pin->tries--;
		c->pin_ok[pin->ref] = 0;
		c->dirty = 1;
		return SW_TRIES_LEFT(pin->tries);
	}
	if (pin->tries != pin->max)
		c->dirty = 1;
	pin->tries = pin->max;
	mark_verified(c, pin->ref);
	return SW_OK;
}

uint16_t
sim_iso_verify(struct sim_card *c, const struct sim_apdu *a, struct sim_buf *resp)
{
	struct sim_pin *pin;

	(void)resp;
	if (!apdu_no_data(a) && a->cse != 3)
		return SW_WRONG_LENGTH;
	if (a->p1 != 0x00)
		return SW_WRONG_P1P2;
	if (!c->mf)
		return SW_COND_NOT_SAT;
	pin = pin_find(c, a->p2);
	if (!pin)
		return SW_REF_NOT_FOUND;
	return pin_verify_obj(c, pin, a);
}

static uint16_t
pin_set_value(struct sim_card *c, struct sim_pin *pin, const uint8_t *v, size_t n)
{
	if (n == 0 || n > sizeof(pin->value))
		return SW_WRONG_LENGTH;
	memcpy(pin->value, v, n);
	pin->len = n;
	pin->tries = pin->max;
	c->dirty = 1;
	return SW_OK;
}

/* CHANGE REFERENCE DATA: P1 00 old||new (same length), P1 01 new after VERIFY. */
uint16_t
sim_iso_change_reference_data(struct sim_card *c, const struct sim_apdu *a, struct sim_buf *resp)
{
	struct sim_pin *pin;
	struct sim_apdu old;
	uint16_t sw;

	(void)resp;
	if (a->cse != 3)
		return SW_WRONG_LENGTH;
	if (a->p1 > 1)
		return SW_WRONG_P1P2;
	pin = c->mf ? pin_find(c, a->p2) : NULL;
	if (!pin)
		return SW_REF_NOT_FOUND;
	if (a->p1 == 1) {
		if (!c->pin_ok[pin->ref])
			return SW_SEC_STATUS;
		return pin_set_value(c, pin, a->data, a->lc);
	}
	if (a->lc <= pin->len)
		return SW_WRONG_LENGTH;
	old = *a;
	old.lc = pin->len;
	sw = pin_verify_obj(c, pin, &old);
	if (sw != SW_OK)
		return sw;
	return pin_set_value(c, pin, a->data + pin->len, a->lc - pin->len);
}

/* RESET RETRY COUNTER: P1 00 PUK||new, P1 01 PUK only. */
uint16_t
sim_iso_reset_retry_counter(struct sim_card *c, const struct sim_apdu *a, struct sim_buf *resp)
{
	struct sim_pin *pin;

	(void)resp;
	if (a->cse != 3)
		return SW_WRONG_LENGTH;
	if (a->p1 > 1)
		return SW_WRONG_P1P2;
	pin = c->mf ? pin_find(c, a->p2) : NULL;
	if (!pin || pin->puk_len == 0)
		return SW_REF_NOT_FOUND;
	if (pin->puk_tries == 0)
		return SW_AUTH_BLOCKED;
	if (a->lc < pin->puk_len || (a->p1 == 1 && a->lc != pin->puk_len))
		return SW_WRONG_LENGTH;
	if (memcmp(a->data, pin->puk, pin->puk_len) != 0) {
		pin->puk_tries--;
		c->dirty = 1;
		return SW_TRIES_LEFT(pin->puk_tries);
	}
	pin->puk_tries = pin->puk_max;
	c->dirty = 1;
	if (a->p1 == 1) {
		pin->tries = pin->max;
		return SW_OK;
	}
	return pin_set_value(c, pin, a->data + pin->puk_len, a->lc - pin->puk_len);
}

/*
 * FID search order (acos5-card.md §2.1, also used for StarCOS P1=00): current
 * DF itself, its children, its parent, the parent's children, MF, MF's
 * children.
 */
struct sim_file *
select_search(struct sim_card *c, uint16_t fid)
{
	struct sim_file *df = c->cur_df ? c->cur_df : c->mf;
	struct sim_file *f;

	if (!c->mf)
		return NULL;
	if (fid == c->mf->fid)
		return c->mf;
	if (df->fid == fid)
		return df;
	if ((f = fs_child(df, fid)))
		return f;
	if (df->parent) {
		if (df->parent->fid == fid)
			return df->parent;
		if ((f = fs_child(df->parent, fid)))
			return f;
	}
	return fs_child(c->mf, fid);
}

/* ---- dispatch ---------------------------------------------------------- */

static const struct sim_cmd *
find_cmd(const struct sim_personality *p, const struct sim_apdu *a, uint16_t *sw)
{
	size_t i;
	int ins_known = 0, cla_known = 0;

	for (i = 0; i < p->ncla; i++)
		if (p->clas[i] == a->cla)
			cla_known = 1;
	if (!cla_known) {
		*sw = SW_CLA_UNKNOWN;
		return NULL;
	}
	for (i = 0; i < p->ncmds; i++) {
		if (p->cmds[i].ins != a->ins)
			continue;
		if (p->cmds[i].cla == a->cla)
			return &p->cmds[i];
		ins_known = 1;
	}
	*sw = ins_known ? SW_CLA_UNKNOWN : SW_INS_UNKNOWN;
	return NULL;
}

static int
is_secret_ins(uint8_t ins)
{
	return ins == 0x20 || ins == 0x24 || ins == 0x2C;
}

size_t
card_process(struct sim_card *c, const uint8_t *in, size_t n, uint8_t *out,
	     size_t cap)
{
	struct sim_apdu a;
	struct sim_buf resp;
	const struct sim_cmd *cmd = NULL;
	uint16_t sw;

	buf_init(&resp, out, cap >= 2 ? cap - 2 : 0);
	c->secret_cmd = n >= 2 && is_secret_ins(in[1]);
	if (apdu_parse(in, n, c->pers->ext_apdu, &a) < 0) {
		sw = SW_WRONG_LENGTH;
		c->pending_len = 0;
		goto done;
	}
	a.t0_p3_zero = c->pers->t0 && n == 5 && in[4] == 0x00;
	cmd = find_cmd(c->pers, &a, &sw);
	if (cmd && cmd->secret)
		c->secret_cmd = 1;
	/* pending GET RESPONSE data survives only until the next command */
	if (!cmd || cmd->fn != sim_iso_get_response) {
		c->pending_len = 0;
		c->pending_off = 0;
	}
	/* a chain is aborted by any command of another kind */
	if (!cmd || cmd->fn != c->chain_fn) {
		c->chain_len = 0;
		c->chain_fn = NULL;
	}
	if (cmd && a.lc > (cmd->lc_max ? cmd->lc_max : c->pers->max_lc)
	    && (cmd->lc_max || c->pers->max_lc))
		sw = SW_WRONG_LENGTH;	/* data longer than the card takes */
	else if (cmd)
		sw = cmd->fn(c, &a, &resp);
	if (resp.failed) {
		resp.len = 0;
		sw = SW_NO_DIAGNOSIS;
	}
	if (sw != SW_OK && SW1(sw) != SW1_MORE_DATA && SW1(sw) != SW1_WARNING
	    && SW1(sw) != SW1_WARNING_CHANGED && sw != SW_IDENTIFY_SELF)
		resp.len = 0;	/* errors carry no data */
done:
	out[resp.len] = (uint8_t)(sw >> 8);
	out[resp.len + 1] = (uint8_t)sw;
	return resp.len + 2;
}
