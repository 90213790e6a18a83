/*
 * cardsim - StarCOS internals shared by starcos.c (files, SELECT, I/O,
 * factory states), starcos2.c (SPK 2.x ISF, access conditions, PINs, RSA)
 * and starcos3.c (3.x PINs, MSE, PSO).
 */
#ifndef CARDSIM_STARCOS_H
#define CARDSIM_STARCOS_H

#include "sim.h"

/* key header bytes (starcos-card.md §3.1.4) */
#define KH_KID		0
#define KH_LEN		1	/* 2 bytes */
#define KH_AC_USE	3	/* 3.x: PIN reference needed (00 none) */
#define KH_NEW_STATE	4	/* PIN: state after VERIFY; key: after use */
#define KH_AC_CHANGE	5
#define KH_TRIES	6	/* (max << 4) | left */
#define KH_USAGE	9	/* 3.x: SC3_USE_* bits */
#define KH_ATTR		11

#define KA_PIN		0x81
#define KA_PUK		0x02
#define KA_PRIVATE	0xA0

#define SC3_USE_SIGN	0x01
#define SC3_USE_DECIPHER 0x02
#define SC3_USE_AUTH	0x04

/* 2.x EF access-condition bytes (CREATE EF data bytes 2..8) */
enum { AC_READ, AC_WRITE, AC_ERASE };
/* 2.x MF/DF access-condition bytes (CREATE MF data 12..15, CREATE DF 21..22) */
enum { AC_CREATE_EF, AC_CREATE_KEY, AC_CREATE_DF, AC_REGISTER_DF };

int sc_is_v3(const struct sim_card *c);

/* ISF records */
struct sim_isf *isf_find(struct sim_card *c, const struct sim_file *df, uint8_t kid);
struct sim_isf *isf_key(struct sim_card *c, uint8_t kid);	/* 0x8x: current DF, else MF */
int sc_key_load(const struct sim_isf *k, struct sim_rsa_key *rk);
int sc_key_store(struct sim_isf *k, const struct sim_rsa_key *rk, size_t cap);
int sc_blob_size(size_t nlen);

/* padding (starcos2.c) */
int pkcs1_pad1(const uint8_t *in, size_t n, uint8_t *em, size_t nlen);
int pkcs1_unpad2(const uint8_t *em, size_t nlen, size_t *off);
uint16_t sc_private_op(const struct sim_isf *k, const uint8_t *em, uint8_t *out, size_t *nlen);

/* 2.x access conditions: 1 satisfied */
int sc2_ac_ok(const struct sim_card *c, const struct sim_file *df, uint8_t ac);
uint16_t sc2_ef_ac(const struct sim_card *c, const struct sim_file *ef, int op);
uint16_t sc2_df_ac(const struct sim_card *c, const struct sim_file *df, int op);

/* 2.x handlers (starcos2.c) */
uint16_t sim_starcos2_write_key(struct sim_card *c, const struct sim_apdu *a, struct sim_buf *resp);
uint16_t sim_starcos2_verify(struct sim_card *c, const struct sim_apdu *a, struct sim_buf *resp);
uint16_t sim_starcos2_change_reference_data(struct sim_card *c, const struct sim_apdu *a,
		struct sim_buf *resp);
uint16_t sim_starcos2_reset_retry_counter(struct sim_card *c, const struct sim_apdu *a,
		struct sim_buf *resp);
uint16_t sim_starcos2_generate_key(struct sim_card *c, const struct sim_apdu *a,
		struct sim_buf *resp);
uint16_t sim_starcos2_read_public_key(struct sim_card *c, const struct sim_apdu *a,
		struct sim_buf *resp);
uint16_t sim_starcos2_manage_security_env(struct sim_card *c, const struct sim_apdu *a,
		struct sim_buf *resp);
uint16_t sim_starcos2_perform_security_op(struct sim_card *c, const struct sim_apdu *a,
		struct sim_buf *resp);
uint16_t sim_starcos2_internal_authenticate(struct sim_card *c, const struct sim_apdu *a,
		struct sim_buf *resp);

/* 3.x handlers (starcos3.c) */
uint16_t sim_starcos3_verify(struct sim_card *c, const struct sim_apdu *a, struct sim_buf *resp);
uint16_t sim_starcos3_change_reference_data(struct sim_card *c, const struct sim_apdu *a,
		struct sim_buf *resp);
uint16_t sim_starcos3_manage_security_env(struct sim_card *c, const struct sim_apdu *a,
		struct sim_buf *resp);
uint16_t sim_starcos3_perform_security_op(struct sim_card *c, const struct sim_apdu *a,
		struct sim_buf *resp);
uint16_t sim_starcos3_internal_authenticate(struct sim_card *c, const struct sim_apdu *a,
		struct sim_buf *resp);
uint16_t sim_starcos3_refuse_personalisation(struct sim_card *c, const struct sim_apdu *a,
		struct sim_buf *resp);

#endif
