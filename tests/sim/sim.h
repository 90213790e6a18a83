/*
 * cardsim - APDU-level simulator of ACS ACOS5 and G+D StarCOS cards.
 *
 * Written from the card documentation in doc/acos5-card.md and
 * doc/starcos-card.md, never from the driver. Shape follows vsmartcard's vicc:
 * a table INS -> handler, each handler returns a status word and fills
 * a bounded response buffer.
 */
#ifndef CARDSIM_SIM_H
#define CARDSIM_SIM_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* ---- status words ---------------------------------------------------- */
#define SW_OK			0x9000
#define SW_EOF_READ		0x6282
#define SW_DEACTIVATED		0x6283
#define SW_NO_FCI		0x6284
#define SW_WRONG_LENGTH		0x6700
#define SW_INCOMPATIBLE		0x6981
#define SW_SEC_STATUS		0x6982
#define SW_AUTH_BLOCKED		0x6983
#define SW_COND_NOT_SAT		0x6985
#define SW_NO_CURRENT_EF	0x6986
#define SW_WRONG_DATA		0x6A80
#define SW_FUNC_NOT_SUPP	0x6A81
#define SW_FILE_NOT_FOUND	0x6A82
#define SW_RECORD_NOT_FOUND	0x6A83
#define SW_NO_SPACE		0x6A84
#define SW_WRONG_P1P2		0x6A86
#define SW_REF_NOT_FOUND	0x6A88
#define SW_FILE_EXISTS		0x6A89
#define SW_WRONG_P1P2_ISO	0x6B00
#define SW_INS_UNKNOWN		0x6D00
#define SW_CLA_UNKNOWN		0x6E00
#define SW_NOT_AUTHENTICATED	0x6F00	/* ACOS5 V3 GET CARD INFO 0B/0C */
#define SW_NO_DIAGNOSIS		0x6F00	/* the simulator itself failed */
#define SW_REF_UNUSABLE		0x6984	/* StarCOS 3.x: PIN in transport state */
#define SW_ALREADY_FINISHED	0x69F0	/* StarCOS 2.x: CREATE END done before */
#define SW_SC2_PUBKEY_INCOMPLETE 0x6F01	/* StarCOS 2.x proprietary (starcos-card.md §2.6) */
#define SW_SC2_DATA_OVERFLOW	0x6F02
#define SW_SC2_KEY_FORMAT	0x6F0A	/* key format does not fit the key length */
#define SW_IDENTIFY_SELF	0x9540	/* ACOS5-64 Identify Self: success */
/* status words that carry a number */
#define SW_MORE_DATA(n)		((uint16_t)(0x6100 | ((n) >= 256 ? 0 : (n))))	/* 61 XX */
#define SW_WRONG_LE(n)		((uint16_t)(0x6C00 | ((n) & 0xFF)))	/* 6C XX: exact Le */
#define SW_TRIES_LEFT(n)	((uint16_t)(0x63C0 | ((n) & 0x0F)))	/* 63 CX */
#define SW_OK_SW2(n)		((uint16_t)(0x9000 | ((n) & 0xFF)))	/* 90 NN: ACOS5 answers in SW2 */
/* SW1 classes whose answers may carry data */
#define SW1(sw)			((unsigned int)(sw) >> 8)
#define SW1_MORE_DATA		0x61
#define SW1_WARNING		0x62
#define SW1_WARNING_CHANGED	0x63

#define SIM_RESP_MAX		4096	/* one command's response data */
#define SIM_MAX_DATA		65536	/* largest file body */
#define SIM_SERIAL_MAX		16

/* ---- bounded byte buffer (response builder) -------------------------- */
struct sim_buf {
	uint8_t *p;
	size_t len;
	size_t cap;
	int failed;		/* sticky: set when a put would overflow */
};

void buf_init(struct sim_buf *b, uint8_t *mem, size_t cap);
void buf_put_u8(struct sim_buf *b, uint8_t v);
void buf_put_u16(struct sim_buf *b, uint16_t v);
void buf_put(struct sim_buf *b, const uint8_t *src, size_t n);
void buf_put_tlv(struct sim_buf *b, uint8_t tag, const uint8_t *val, size_t n);
/* Wrap what was written since 'start' into 'tag len ...' (short/81/82 length). */
void buf_wrap(struct sim_buf *b, size_t start, uint8_t tag);

/* ---- bounded TLV reader ------------------------------------------------ */
struct tlv {
	unsigned int tag;	/* one or two bytes (1F xx / 5F xx / 7F xx / 9F xx) */
	const uint8_t *val;
	size_t len;
};

struct tlv_reader {
	const uint8_t *p;
	size_t left;
};

void tlv_begin(struct tlv_reader *r, const uint8_t *p, size_t n);
/* Returns 1 and fills t, 0 at the end, -1 on malformed input. */
int tlv_next(struct tlv_reader *r, struct tlv *t);
/* Finds tag at top level of p/n; 1 found, 0 not found, -1 malformed. */
int tlv_find(const uint8_t *p, size_t n, unsigned int tag, struct tlv *out);

/* ---- hex helpers ------------------------------------------------------- */
/* Parses hex digits (spaces and ':' ignored); -1 on error, else byte count. */
long hex_decode(const char *s, uint8_t *out, size_t cap);
void hex_encode(const uint8_t *p, size_t n, char *out);	/* out: 2n+1 */

/* ---- file system ----------------------------------------------------- */
enum sim_ftype { FT_DF, FT_EF };

#define SIM_MAX_RECORDS	255

struct sim_file {
	enum sim_ftype type;
	uint16_t fid;
	uint8_t fdb;		/* ACOS FDB or StarCOS/ISO file descriptor byte */
	uint8_t dcb;
	uint8_t sfi;
	uint8_t lcsi;
	uint16_t se_fid;	/* ACOS 8D */
	uint8_t name[16];
	size_t name_len;
	uint8_t sac[8];		/* ACOS 8C */
	size_t sac_len;
	uint8_t sae[32];	/* ACOS AB */
	size_t sae_len;
	uint8_t ac[8];		/* StarCOS 2.x access conditions (opaque) */
	size_t ac_len;
	/* transparent / key files */
	size_t size;
	uint8_t *data;
	/* record files */
	uint8_t mrl;
	uint8_t nor;		/* max number of records */
	uint8_t nrec;		/* records present */
	uint8_t *rec[SIM_MAX_RECORDS];
	uint8_t reclen[SIM_MAX_RECORDS];

	struct sim_file *parent;
	struct sim_file *child;
	struct sim_file *next;
};

struct sim_file *fs_new(enum sim_ftype type, uint16_t fid);
void fs_free(struct sim_file *f);
void fs_add_child(struct sim_file *df, struct sim_file *f);
void fs_unlink(struct sim_file *f);
struct sim_file *fs_child(const struct sim_file *df, uint16_t fid);
struct sim_file *fs_find_name(struct sim_file *root, const uint8_t *name, size_t n);
int fs_is_record(const struct sim_file *f);
size_t fs_count_children(const struct sim_file *df);
struct sim_file *fs_nth_child(const struct sim_file *df, size_t idx);
size_t fs_usage(const struct sim_file *root);
int fs_set_size(struct sim_file *f, size_t size);
int fs_set_record(struct sim_file *f, unsigned int idx, const uint8_t *p, size_t n);
/* Path of f from MF as "3F00/4100/4101" */
void fs_path(const struct sim_file *f, char *out, size_t cap);

/* ---- APDU -------------------------------------------------------------- */
struct sim_apdu {
	uint8_t cla, ins, p1, p2;
	int cse;		/* ISO case 1..4 */
	int ext;		/* extended length form */
	size_t lc;
	const uint8_t *data;
	int has_le;
	size_t le;		/* 1..65536 when has_le (00 => 256 / 65536) */
	int t0_p3_zero;		/* T=0: 5-byte APDU with P3 = 00 (case 1 or 2) */
};

/*
 * Over T=0 a case-1 command travels as a 5-byte header with P3 = 00, which
 * the parser reads as case 2 with Le = 256. Commands that never return data
 * use this to accept both forms as "no data".
 */
static inline int
apdu_no_data(const struct sim_apdu *a)
{
	return a->cse == 1 || (a->cse == 2 && a->t0_p3_zero);
}

struct sim_card;

typedef uint16_t (*sim_handler)(struct sim_card *c, const struct sim_apdu *a,
				struct sim_buf *resp);

struct sim_cmd {
	uint8_t cla;
	uint8_t ins;
	sim_handler fn;
	int secret;		/* mask command data in the APDU log */
	size_t lc_max;		/* 0: the personality's max_lc */
};

/* ---- personality ------------------------------------------------------- */
enum sim_family { FAM_ACOS5, FAM_STARCOS2, FAM_STARCOS3 };

struct sim_personality {
	const char *name;
	const char *desc;
	enum sim_family family;
	int gen;		/* ACOS5: 1,2,3; StarCOS: 23,24,34,35 */
	uint8_t atr[33];
	size_t atr_len;
	int t0;			/* T=0: 61xx / GET RESPONSE / 6Cxx */
	int ext_apdu;		/* accepts extended-length APDUs */
	size_t max_io;		/* max data in READ/UPDATE BINARY */
	size_t max_lc;		/* max command data (0: no limit beyond parsing) */
	const uint8_t *clas;	/* accepted CLA bytes */
	size_t ncla;
	const struct sim_cmd *cmds;
	size_t ncmds;
	uint8_t serial[SIM_SERIAL_MAX];
	size_t serial_len;
	size_t eeprom_capacity;	/* for free-space reporting */
	int keep_local_on_select; /* DF-local PIN state survives DF changes */
	void (*factory)(struct sim_card *c);
	/* hook applied after loading an image/state (may be NULL) */
	void (*apply_serial)(struct sim_card *c);
};

/* ---- PIN objects (StarCOS; ACOS5 keeps PINs in CHV file records) ------ */
struct sim_pin {
	struct sim_file *df;	/* owning MF/DF */
	uint8_t ref;
	uint8_t value[32];
	size_t len;
	uint8_t tries, max;
	uint8_t puk[32];
	size_t puk_len;
	uint8_t puk_tries, puk_max;
	uint8_t transport;	/* StarCOS 3.x: transport PIN, must be changed */
	struct sim_pin *next;
};

/*
 * StarCOS key records (starcos-card.md §3.1.1, 3.1.4): the ISF of an MF/DF holds
 * PINs, PUKs and private keys addressed by KID, each a 12-byte header and
 * its data. 3.x keys use the same record (header fields: see starcos.h).
 */
#define SIM_ISF_DATA_MAX	1024

struct sim_isf {
	struct sim_file *df;
	uint8_t kid;
	uint8_t hdr[12];
	uint8_t data[SIM_ISF_DATA_MAX];
	size_t len;
	struct sim_isf *next;
};

/* StarCOS security environment (volatile): DST, CT, AT, HT */
enum { SCM_DST, SCM_CT, SCM_AT, SCM_HT, SCM_SLOTS };

struct sc_mse {
	uint8_t set[SCM_SLOTS];
	uint8_t kid[SCM_SLOTS];
	const struct sim_file *df[SCM_SLOTS];
	uint8_t alg[SCM_SLOTS][3];
	size_t alg_len[SCM_SLOTS];
	uint8_t hash[64];		/* 2.x PSO HASH input */
	size_t hash_len;
};

/* ---- RSA (rsa.c): big-endian byte arrays of fixed width ---------------- */
#define SIM_RSA_MAX_BITS	4096
#define SIM_RSA_MAX		(SIM_RSA_MAX_BITS / 8)

struct sim_rsa_key {
	size_t nlen;			/* modulus bytes */
	uint8_t n[SIM_RSA_MAX];
	uint8_t e[16];			/* right-aligned */
	uint8_t d[SIM_RSA_MAX];
	uint8_t p[SIM_RSA_MAX / 2], q[SIM_RSA_MAX / 2];
	uint8_t dp[SIM_RSA_MAX / 2], dq[SIM_RSA_MAX / 2], qinv[SIM_RSA_MAX / 2];
	int crt;			/* p..qinv valid (else n, d) */
	int has_d;
};

int rsa_generate(unsigned int bits, const uint8_t e[16], struct sim_rsa_key *k);
/* in/out: nlen bytes; 0 ok, -1 internal error, -2 input >= modulus */
int rsa_private(const struct sim_rsa_key *k, const uint8_t *in, uint8_t *out);
int rsa_public(const struct sim_rsa_key *k, const uint8_t *in, uint8_t *out);
/* CRT key: n = p*q, e = dP^-1 mod (p-1) (exact when e < p-1); 0 or -1 */
int rsa_complete(struct sim_rsa_key *k);
void rsa_key_wipe(struct sim_rsa_key *k);

/* ---- security environment (volatile, set by MSE) ----------------------- */
enum { MSE_DST_PRIV, MSE_DST_PUB, MSE_CT_PRIV, MSE_CT_PUB, MSE_SLOTS };

struct sim_mse {
	uint8_t set[MSE_SLOTS];
	uint16_t fid[MSE_SLOTS];
	uint8_t alg[MSE_SLOTS];
	int ct_sym;			/* CT names a symmetric key (83/84) */
};

#define SIM_CHAIN_MAX		1024

/* ---- the card ---------------------------------------------------------- */
struct sim_card {
	const struct sim_personality *pers;
	/* persistent */
	struct sim_file *mf;		/* NULL: virgin card */
	uint8_t serial[SIM_SERIAL_MAX];
	size_t serial_len;
	uint8_t eeprom[256];		/* ACOS5 config area C100..C1FF */
	struct sim_pin *pins;
	struct sim_isf *isf;		/* StarCOS key records */
	/* volatile */
	struct sim_file *cur_df;
	struct sim_file *cur_ef;
	uint8_t pin_ok[256];		/* verified flags per reference */
	uint8_t key_ok[256];
	const struct sim_file *local_df; /* DF the local (0x8x) flags belong to */
	uint8_t pending[SIM_RESP_MAX];
	size_t pending_len;
	size_t pending_off;
	struct sim_mse mse;
	struct sc_mse scm;		/* StarCOS */
	uint8_t sc_gstate, sc_lstate;	/* StarCOS 2.x global / DF-local state */
	uint8_t chain[SIM_CHAIN_MAX];	/* command chaining (CLA bit 10) */
	size_t chain_len;
	sim_handler chain_fn;		/* handler the chain belongs to */
	int secret_cmd;			/* set by dispatch for the APDU log */
	int dirty;			/* persistent memory changed */
};

extern const struct sim_personality *const sim_personalities[];
const struct sim_personality *sim_find_personality(const char *name);

void card_init(struct sim_card *c, const struct sim_personality *p);
void card_clear(struct sim_card *c);
void card_reset(struct sim_card *c);	/* power off / reset: volatile state */
void card_factory(struct sim_card *c);
/* Process one C-APDU; writes R-APDU (data + SW) into out; returns length. */
size_t card_process(struct sim_card *c, const uint8_t *in, size_t n,
		    uint8_t *out, size_t cap);
void card_atr(const struct sim_card *c, uint8_t *atr, size_t *len);

/* shared helpers for personalities */
int apdu_parse(const uint8_t *in, size_t n, int ext_ok, struct sim_apdu *a);
void card_set_df(struct sim_card *c, struct sim_file *df);
uint16_t card_reply(struct sim_card *c, const struct sim_apdu *a,
		    const uint8_t *data, size_t n, struct sim_buf *resp);
uint16_t sim_iso_get_response(struct sim_card *c, const struct sim_apdu *a,
			  struct sim_buf *resp);
uint16_t sim_iso_get_challenge(struct sim_card *c, const struct sim_apdu *a,
			   struct sim_buf *resp);
uint16_t sim_iso_read_record(struct sim_card *c, const struct sim_apdu *a,
			 struct sim_buf *resp);
uint16_t pin_verify_obj(struct sim_card *c, struct sim_pin *pin,
			const struct sim_apdu *a);
struct sim_pin *pin_find(struct sim_card *c, uint8_t ref);
void isf_append(struct sim_card *c, struct sim_isf *k);
void pin_append(struct sim_card *c, struct sim_pin *p);
uint16_t sim_iso_verify(struct sim_card *c, const struct sim_apdu *a,
			struct sim_buf *resp);
uint16_t sim_iso_change_reference_data(struct sim_card *c, const struct sim_apdu *a,
			struct sim_buf *resp);
uint16_t sim_iso_reset_retry_counter(struct sim_card *c, const struct sim_apdu *a,
		       struct sim_buf *resp);
struct sim_file *select_search(struct sim_card *c, uint16_t fid);

/* ---- time model (cost.c, doc/simulator.md "Time model") ---------------- */
/* What the last command did that costs more than its bytes; set by rsa.c */
struct sim_cost_hint {
	unsigned int keygen_bits;	/* RSA key generated */
	unsigned int rsa_bits;		/* RSA private-key operation */
};
extern struct sim_cost_hint sim_cost_hint;

struct sim_cost {
	double ms;		/* predicted time on the real card */
	size_t bytes;		/* command + response bytes */
	unsigned int ee_writes;	/* EEPROM-writing commands (0 or 1) */
	size_t ee_bytes;	/* bytes they wrote (command data) */
};

/* Cost of one exchange; call before c->dirty is cleared */
void cost_of(const struct sim_card *c, const uint8_t *cmd, size_t cn, const uint8_t *rsp,
	     size_t rn, struct sim_cost *out);
struct timespec;
/* Sleep until scale x cost after start (scale 0: no sleep), then log it */
void cost_account(const struct sim_cost *cost, const uint8_t *cmd, size_t cn,
		  const struct timespec *start, double scale, FILE *log);
/* ---- fault injection (fault.c) ----------------------------------------- */
enum { FAULT_NONE, FAULT_REMOVE, FAULT_RESET, FAULT_MUTE };
enum { FAULT_BEFORE, FAULT_HALF, FAULT_AFTER };

struct sim_fault {
	int kind;		/* FAULT_NONE: no fault */
	int when;		/* FAULT_BEFORE / HALF / AFTER */
	unsigned long at;	/* the Nth C-APDU since the start (1-based) */
};

/* "KIND@N[:WHEN]" (remove, reset, mute; before, half, after); 0 or -1 */
int fault_parse(const char *spec, struct sim_fault *f);
/* t1 (the card after a command) as left by a tear halfway through its
 * writes; t0 is the card before the command */
void fault_half(struct sim_card *t1, const struct sim_card *t0);

/* ---- image / state files ---------------------------------------------- */
/* 0 ok; -1 error (message written to err). need_sum: refuse a file without
 * its checksum line (state files); a wrong checksum is refused always. */
int image_load(struct sim_card *c, const char *path, int need_sum, char *err, size_t errcap);
int image_save(const struct sim_card *c, const char *path, char *err, size_t errcap);
int image_seal(const char *path, char *err, size_t errcap);
/* the persistent state as image text (malloc'd) and back */
char *image_to_mem(const struct sim_card *c, size_t *len);
int image_from_mem(struct sim_card *c, const char *text, size_t len);
int image_write(const struct sim_card *c, FILE *f);

#endif
