/*
 * cardsim - ACOS5 internals shared by acos5.c (files, PINs, card info)
 * and acos5-key.c (MSE, PSO, key generation, key files).
 */
#ifndef CARDSIM_ACOS5_H
#define CARDSIM_ACOS5_H

#include "sim.h"

#define GEN_BIT(g)	(1u << ((g) - 1))
#define GENS_ALL	(GEN_BIT(1) | GEN_BIT(2) | GEN_BIT(3))
#define GENS_64		(GEN_BIT(2) | GEN_BIT(3))
#define GENS_V3		GEN_BIT(3)

/* SAC bit numbers (acos5-card.md §3.3) */
#define AM_READ		0
#define AM_UPDATE	1
#define AM_CREATE_EF	1
#define AM_CREATE_DF	2
#define AM_USE		2	/* key files: MSE / PSO / GENERATE */
#define AM_DEACTIVATE	3
#define AM_ACTIVATE	4
#define AM_DELETE	6

#define FDB_MF		0x3F
#define FDB_DF		0x38
#define FDB_EF		0x01
#define FDB_RSA		0x09
#define FDB_CHV		0x0A
#define FDB_SYM		0x0C
#define FDB_SE		0x1C

#define EE_TA1		0x83
#define EE_LIFE		0x84
#define EE_OPMODE	0x91
#define EE_ZEROIZE	0x92

int acos_gen(const struct sim_card *c);
uint8_t op_mode(const struct sim_card *c);
/* SCB of bit 'bit' of f evaluated against the SE file of its DF: an SW. */
uint16_t acos_check(const struct sim_card *c, const struct sim_file *f, int bit);
/* Erases the card back to virgin (ZEROIZE, v1 CLEAR CARD): an SW. */
uint16_t acos_wipe(struct sim_card *c);

/* acos5-key.c */
int acos_key_is_private(const struct sim_file *f);
uint16_t sim_acos5_manage_security_env(struct sim_card *c, const struct sim_apdu *a,
		struct sim_buf *resp);
uint16_t sim_acos5_perform_security_op(struct sim_card *c, const struct sim_apdu *a,
		struct sim_buf *resp);
uint16_t sim_acos5_generate_key_pair(struct sim_card *c, const struct sim_apdu *a,
		struct sim_buf *resp);
uint16_t sim_acos5_get_key(struct sim_card *c, const struct sim_apdu *a, struct sim_buf *resp);
uint16_t sim_acos5_put_key(struct sim_card *c, const struct sim_apdu *a, struct sim_buf *resp);

#endif
