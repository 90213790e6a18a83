/*
 * cardsim - what each exchange would cost on the real card (time model).
 *
 * One cost profile per card generation, each figure taken from the
 * real-card logs (tests/traces, summarised with their sources in
 * doc/simulator.md "Time model"). Where the logs have no figure for a
 * generation, the profile borrows the nearest measured one; the table says
 * which. The model: every exchange costs a round trip plus a time per byte
 * sent and received; some commands add their own cost (EEPROM writes, PIN
 * verification, key generation, the RSA private-key operation).
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <string.h>
#include <time.h>

#include "sim.h"

struct sim_cost_hint sim_cost_hint;

struct cost_profile {
	double rt_ms;		/* round trip of any exchange */
	double byte_ms;		/* per byte of command and response (incl. SW) */
	double select_ms;	/* SELECT on top of the round trip */
	double verify_ms;	/* VERIFY / CHANGE / RESET RETRY COUNTER with data */
	double mse_ms;		/* MANAGE SECURITY ENVIRONMENT */
	double create_ms;	/* CREATE FILE */
	double write_ms;	/* any other EEPROM-writing command, per command */
	double write_byte_ms;	/* ... and per byte written */
	double keygen512_ms;	/* RSA key generation at 512 bits, x (bits/512)^2 */
	double rsa2048_ms;	/* RSA private-key operation at 2048 bits, x (bits/2048)^3 */
};

/*
 * Figures (ms) from tests/sim/trace-timing.py over the real-card logs;
 * doc/simulator.md "Time model" says how each is derived:
 *  v1  traces 03-07 (original ACOS5, 441 exchanges): round trip 1.2 +
 *      0.146/byte, SELECT +6.5, MSE +17.8, CREATE FILE +306, UPDATE BINARY
 *      +44.2 +0.608/byte of data, GENERATE 512 bits 3090.
 *  V2  trace 01 (CryptoMate64, 185 exchanges): round trip 4.0 + 0.088/byte,
 *      SELECT +0.2, VERIFY +67.7.
 * Borrowed: v1 VERIFY from V2; V2/V3 EEPROM writes, MSE and key generation
 * from v1; V3 and StarCOS round trips from V2. No log shows an RSA private-
 * key operation: 250 ms at 2048 bits is an assumption.
 */
static const struct cost_profile cost_acos5_v1 = {
	.rt_ms = 1.2, .byte_ms = 0.146, .select_ms = 6.5, .verify_ms = 67.7, .mse_ms = 17.8,
	.create_ms = 306.0, .write_ms = 44.2, .write_byte_ms = 0.608, .keygen512_ms = 3090.0,
	.rsa2048_ms = 250.0,
};

static const struct cost_profile cost_acos5_64 = {
	.rt_ms = 4.0, .byte_ms = 0.088, .select_ms = 0.2, .verify_ms = 67.7, .mse_ms = 17.8,
	.create_ms = 306.0, .write_ms = 44.2, .write_byte_ms = 0.608, .keygen512_ms = 3090.0,
	.rsa2048_ms = 250.0,
};

static const struct cost_profile *
cost_profile_of(const struct sim_personality *p)
{
	if (p->family == FAM_ACOS5 && p->gen == 1)
		return &cost_acos5_v1;
	return &cost_acos5_64;
}

/* Bytes of command data (Lc) of a short or extended APDU; 0 if none */
static size_t
cost_lc(const uint8_t *cmd, size_t cn)
{
	if (cn <= 5)
		return 0;
	if (cmd[4] != 0)
		return cmd[4];
	if (cn >= 7)
		return (size_t)cmd[5] << 8 | cmd[6];
	return 0;
}

void
cost_of(const struct sim_card *c, const uint8_t *cmd, size_t cn, const uint8_t *rsp, size_t rn,
	struct sim_cost *out)
{
	const struct cost_profile *p = cost_profile_of(c->pers);
	uint8_t ins = cn >= 2 ? cmd[1] : 0;
	size_t lc = cost_lc(cmd, cn);
	int ok = rn >= 2 && (rsp[rn - 2] == 0x90 || rsp[rn - 2] == 0x61 || rsp[rn - 2] == 0x62);
	double r = 1.0;

	memset(out, 0, sizeof(*out));
	out->bytes = cn + rn;
	out->ms = p->rt_ms + p->byte_ms * (double)(cn + rn);
	if (sim_cost_hint.keygen_bits) {
		r = sim_cost_hint.keygen_bits / 512.0;
		out->ms += p->keygen512_ms * r * r;
		out->ee_writes = 1;
		return;
	}
	if (sim_cost_hint.rsa_bits) {
		r = sim_cost_hint.rsa_bits / 2048.0;
		out->ms += p->rsa2048_ms * r * r * r;
	}
	switch (ins) {
	case 0xA4:
		out->ms += p->select_ms;
		return;
	case 0x22:
		out->ms += p->mse_ms;
		return;
	case 0x20:
	case 0x24:
	case 0x2C:
		if (lc)
			out->ms += p->verify_ms;
		out->ee_writes = c->dirty ? 1 : 0; /* the retry counter */
		return;
	case 0xE0:
		if (ok) {
			out->ms += p->create_ms;
			out->ee_writes = 1;
			out->ee_bytes = lc;
		}
		return;
	default:
		break;
	}
	if (c->dirty && ok) { /* persistent memory written */
		out->ms += p->write_ms + p->write_byte_ms * (double)lc;
		out->ee_writes = 1;
		out->ee_bytes = lc;
	}
}

static double
mono_s(const struct timespec *t)
{
	return (double)t->tv_sec + (double)t->tv_nsec / 1e9;
}

/* --timing real: hold the answer until scale x the predicted time has
 * passed since the command arrived; then one line per exchange in the cost
 * log: "start end ms ee_writes ee_bytes bytes INS" (CLOCK_MONOTONIC
 * seconds, so logs of several simulators line up) */
void
cost_account(const struct sim_cost *cost, const uint8_t *cmd, size_t cn,
	     const struct timespec *start, double scale, FILE *log)
{
	struct timespec now, until;
	double end;

	if (scale > 0) {
		end = mono_s(start) + scale * cost->ms / 1000.0;
		until.tv_sec = (time_t)end;
		until.tv_nsec = (long)((end - (double)until.tv_sec) * 1e9);
		if (until.tv_nsec >= 1000000000L)
			until.tv_nsec = 999999999L;
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, NULL) == EINTR)
			;
	}
	if (!log)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	fprintf(log, "%.6f %.6f %.3f %u %zu %zu %02X\n", mono_s(start), mono_s(&now), cost->ms,
		cost->ee_writes, cost->ee_bytes, cost->bytes, cn >= 2 ? cmd[1] : 0);
	fflush(log);
}
