/*
 * pkicards-issue: the issuing station (doc/issuing.md). Personalises every
 * blank card in every reader from one batch file, one thread per reader.
 *
 * All OpenSC contexts are created and all cards connected before the first
 * card is worked on: an OpenSC context talks to every reader when it is
 * created, and pcscd holds that up while another context has a card
 * transaction open (a key generation takes seconds), so contexts created
 * later would wait for the other cards.
 *
 * Copyright (C) 2026 pkicards contributors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include "libopensc/cardctl.h"
#include "libopensc/opensc.h"
#include "libopensc/pkcs15.h"
#include "pkcs15init/pkcs15-init.h"
#include "pkcs15init/profile.h"
#include "pk-card.h"
#include "pk-compat.h"
#include "pk-text.h"

#define ISSUE_MAX_CARDS 16
#define ISSUE_PIN_DIGITS 8
#define ISSUE_MIN_PIN 4 /* PIN, PUK, SO PIN and SO PUK lengths of our profiles */
#define ISSUE_MAX_PIN 8
#define ISSUE_MAX_LABEL 32 /* what PKCS#11 shows of a token label; our profiles refuse more */

struct holder {
	char *label, *pin, *letter, *out;
	size_t line; /* in the batch file */
};

struct worker {
	int slot;
	const struct holder *h;
	struct sc_context *ctx;
	struct sc_card *card;
	unsigned int reader;
	FILE *log;
	int letter_fd; /* the PIN letter, created before any card is touched */
	char pin[16], puk[16];
	char serial[2 * SC_MAX_SERIALNR + 1];
	const char *failed; /* step that failed, NULL: issued */
	char why[200];      /* what the summary says of it, when known */
};

static const char *so_pin, *so_puk;
static unsigned int key_bits = 2048;
static const char *key_id = "45";
static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;
/* the worker of this thread, for pkcs15init's PIN callback */
static _Thread_local struct worker *this_worker;

static void
die(const char *fmt, ...)
{
	va_list ap;

	fputs("pkicards-issue: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

static void
progress(const struct worker *w, const char *what)
{
	pthread_mutex_lock(&out_lock);
	printf("reader %u: %s: %s\n", w->reader, w->h->label, what);
	fflush(stdout);
	pthread_mutex_unlock(&out_lock);
	fprintf(w->log, "== %s\n", what);
	fflush(w->log);
}

/* N random decimal digits (rejection sampling: no bias) */
static int
random_digits(char *out, size_t n)
{
	unsigned char b;
	size_t i = 0;

	while (i < n) {
		if (RAND_bytes(&b, 1) != 1)
			return -1;
		if (b < 250)
			out[i++] = (char)('0' + b % 10);
	}
	out[n] = '\0';
	return 0;
}

/* pkcs15init asks for the PINs it needs through this callback: the SO PIN
 * and PUK of the batch, the holder's PIN and PUK; never written anywhere
 * but the PIN buffer */
static int
issue_get_pin(struct sc_profile *profile, int id, const struct sc_pkcs15_auth_info *info,
		const char *label, unsigned char *buf, size_t *len)
{
	const struct worker *w = this_worker;
	const char *s = NULL;

	if (!w || info->auth_type != SC_PKCS15_PIN_AUTH_TYPE_PIN)
		return SC_ERROR_NOT_SUPPORTED;
	if (info->auth_method == SC_AC_SYMBOLIC) { /* one of the profile's PINs, by role */
		if (id == SC_PKCS15INIT_SO_PIN)
			s = so_pin;
		else if (id == SC_PKCS15INIT_SO_PUK)
			s = so_puk;
		else if (id == SC_PKCS15INIT_USER_PIN)
			s = w->pin;
		else if (id == SC_PKCS15INIT_USER_PUK)
			s = w->puk;
	} else if (info->auth_method == SC_AC_CHV) { /* a PIN on the card, by its flags */
		int so = (info->attrs.pin.flags & SC_PKCS15_PIN_FLAG_SO_PIN) != 0;
		int unblock = (info->attrs.pin.flags & SC_PKCS15_PIN_FLAG_UNBLOCKING_PIN) != 0;

		s = so ? (unblock ? so_puk : so_pin) : (unblock ? w->puk : w->pin);
	}
	if (!s || strlen(s) > *len)
		return SC_ERROR_NOT_SUPPORTED;
	memcpy(buf, s, strlen(s));
	*len = strlen(s);
	return 0;
}

static struct sc_pkcs15init_callbacks issue_callbacks = {issue_get_pin, NULL};

static int
issue_is_csr(const char *out)
{
	size_t n = strlen(out);

	return n > 4 && strcmp(out + n - 4, ".csr") == 0;
}

/* The public key as PEM, or a request signed on the card when @p out ends
 * in .csr (subject CN = label, SHA-256 with RSA) */
static int
write_output(struct worker *w, struct sc_pkcs15_card *p15, const char *out)
{
	struct sc_pkcs15_id id;
	struct sc_pkcs15_object *pub_obj = NULL, *prk_obj = NULL, *pin_obj = NULL;
	struct sc_pkcs15_pubkey *pub = NULL;
	u8 *spki = NULL, *tbs = NULL, sig[512], hash[32];
	size_t spki_len = 0;
	const unsigned char *p;
	EVP_PKEY *pkey = NULL;
	X509_REQ *req = NULL;
	X509_ALGOR *alg = NULL;
	ASN1_BIT_STRING *bits = NULL;
	FILE *f = NULL;
	int r, len, csr = issue_is_csr(out);

	sc_pkcs15_format_id(key_id, &id);
	r = sc_pkcs15_find_pubkey_by_id(p15, &id, &pub_obj);
	if (r == 0)
		r = sc_pkcs15_read_pubkey(p15, pub_obj, &pub);
	if (r == 0)
		r = sc_pkcs15_encode_pubkey_as_spki(w->ctx, pub, &spki, &spki_len);
	if (r < 0) {
		fprintf(w->log, "cannot read the public key: %s\n", sc_strerror(r));
		goto out;
	}
	p = spki;
	pkey = d2i_PUBKEY(NULL, &p, (long)spki_len);
	r = SC_ERROR_INTERNAL;
	if (!pkey)
		goto out;
	f = fopen(out, "w");
	if (!f) {
		fprintf(w->log, "cannot write %s: %s\n", out, strerror(errno));
		goto out;
	}
	if (!csr) {
		r = PEM_write_PUBKEY(f, pkey) ? 0 : SC_ERROR_INTERNAL;
		goto out;
	}
	req = X509_REQ_new();
	if (!req || !X509_REQ_set_version(req, 0) || !X509_REQ_set_pubkey(req, pkey) ||
			!X509_NAME_add_entry_by_txt(X509_REQ_get_subject_name(req), "CN", MBSTRING_UTF8,
					(const unsigned char *)w->h->label, -1, -1, 0))
		goto out;
	alg = X509_ALGOR_new();
	bits = ASN1_BIT_STRING_new();
	if (!alg || !bits ||
			!X509_ALGOR_set0(alg, OBJ_nid2obj(NID_sha256WithRSAEncryption), V_ASN1_NULL, NULL) ||
			!X509_REQ_set1_signature_algo(req, alg))
		goto out;
	len = i2d_re_X509_REQ_tbs(req, &tbs);
	if (len <= 0 || !EVP_Digest(tbs, (size_t)len, hash, NULL, EVP_sha256(), NULL))
		goto out;
	r = sc_pkcs15_find_prkey_by_id(p15, &id, &prk_obj);
	if (r == 0)
		r = sc_pkcs15_find_pin_by_auth_id(p15, &prk_obj->auth_id, &pin_obj);
	if (r == 0)
		r = sc_pkcs15_verify_pin(p15, pin_obj, (const u8 *)w->pin, strlen(w->pin));
	if (r == 0)
		r = sc_pkcs15_compute_signature(p15, prk_obj, PK_PAD_PKCS1_SIGN | SC_ALGORITHM_RSA_HASH_SHA256,
				hash, sizeof(hash), sig, sizeof(sig), NULL);
	if (r < 0) {
		fprintf(w->log, "cannot sign the request on the card: %s\n", sc_strerror(r));
		goto out;
	}
	if (!ASN1_BIT_STRING_set(bits, sig, r)) {
		r = SC_ERROR_INTERNAL;
		goto out;
	}
	bits->flags &= ~(ASN1_STRING_FLAG_BITS_LEFT | 0x07); /* a whole number of bytes */
	bits->flags |= ASN1_STRING_FLAG_BITS_LEFT;
	X509_REQ_set0_signature(req, bits);
	bits = NULL;
	r = PEM_write_X509_REQ(f, req) ? 0 : SC_ERROR_INTERNAL;
out:
	if (f && fclose(f) != 0)
		r = SC_ERROR_INTERNAL;
	OPENSSL_free(tbs);
	ASN1_BIT_STRING_free(bits);
	X509_ALGOR_free(alg);
	X509_REQ_free(req);
	EVP_PKEY_free(pkey);
	free(spki);
	sc_pkcs15_free_pubkey(pub);
	OPENSSL_cleanse(hash, sizeof(hash));
	return r;
}

/* The PIN letter goes to disk before the card gets the PIN: a card whose
 * PIN nobody can read is lost to its holder */
static int
write_letter(struct worker *w)
{
	FILE *f = fdopen(w->letter_fd, "w");
	int bad;

	if (!f) {
		close(w->letter_fd);
		w->letter_fd = -1;
		return -1;
	}
	w->letter_fd = -1;
	fprintf(f, "PIN letter\n\nCard holder:   %s\nCard serial:   %s\nUser PIN:      %s\nPUK:           %s\n",
			w->h->label, w->serial[0] ? w->serial : "unknown", w->pin, w->puk);
	bad = fflush(f) != 0 || ferror(f) || fsync(fileno(f)) != 0;
	return fclose(f) != 0 || bad ? -1 : 0;
}

#define STEP(name, call)                                                                     \
	do {                                                                                 \
		r = (call);                                                                  \
		if (r < 0) {                                                                 \
			fprintf(w->log, "%s failed: %s\n", name, sc_strerror(r));            \
			w->failed = name;                                                    \
			goto out;                                                            \
		}                                                                            \
	} while (0)

static int
locked_add_app(struct sc_card *card, struct sc_profile *profile, struct sc_pkcs15init_initargs *a)
{
	int r = sc_lock(card);

	if (r == 0) {
		r = sc_pkcs15init_add_app(card, profile, a);
		sc_unlock(card);
	}
	return r;
}

/* The card generates RSA keys of @p bits on board (OpenSC's algorithm list,
 * which our drivers fill per generation and mode); else the sizes it does
 * generate go to @p text */
static int
issue_keygen_ok(const struct sc_card *card, unsigned int bits, char *text, size_t len)
{
	size_t n = 0;
	int i;

	text[0] = '\0';
	for (i = 0; i < card->algorithm_count; i++) {
		const struct sc_algorithm_info *a = &card->algorithms[i];

		if (a->algorithm != SC_ALGORITHM_RSA || !(a->flags & SC_ALGORITHM_ONBOARD_KEY_GEN))
			continue;
		if (PK_ALG_BITS(a) == bits)
			return 1;
		if (n < len)
			n += (size_t)snprintf(text + n, len - n, "%s%u", n ? ", " : "", PK_ALG_BITS(a));
	}
	return 0;
}

/* the card is driven by one of our drivers (and so gets our profiles) */
static int
issue_ours(const struct sc_card *card)
{
	const char *name = card->driver ? card->driver->short_name : NULL;

	return name && (!strcmp(name, PK_ACOS5_SHORT_NAME) || !strcmp(name, PK_STARCOS_SHORT_NAME));
}

static void *
issue_card(void *arg)
{
	struct worker *w = arg;
	struct sc_profile *profile = NULL;
	struct sc_pkcs15_card *p15 = NULL;
	struct sc_pkcs15init_initargs init;
	struct sc_pkcs15init_pinargs pin;
	struct sc_pkcs15init_keygen_args kg;
	struct sc_serial_number sn;
	char sizes[120];
	size_t i;
	int r;

	this_worker = w;
	memset(&init, 0, sizeof(init));
	memset(&pin, 0, sizeof(pin));
	memset(&kg, 0, sizeof(kg));
	if (sc_card_ctl(w->card, SC_CARDCTL_GET_SERIALNR, &sn) == 0) {
		for (i = 0; i < sn.len && i < SC_MAX_SERIALNR; i++)
			snprintf(w->serial + 2 * i, 3, "%02X", sn.value[i]);
	}
	/* before anything is written: a card of another kind (someone's own
	 * token left in a reader) would be personalised with OpenSC's profile
	 * for it, not ours; a card that cannot generate the key would be left
	 * personalised, with a PIN, without a key */
	if (!issue_ours(w->card)) {
		snprintf(w->why, sizeof(w->why), "this card (%s, OpenSC's driver '%s') is not an ACOS5 or StarCOS "
				"card of pkicards: nothing was written; take it out of the reader",
				w->card->name ? w->card->name : "?",
				w->card->driver && w->card->driver->short_name ? w->card->driver->short_name : "?");
		fprintf(w->log, "check failed: %s\n", w->why);
		w->failed = "check";
		goto out;
	}
	if (!issue_keygen_ok(w->card, key_bits, sizes, sizeof(sizes))) {
		const char *name = w->card->name ? w->card->name : "?";

		if (sizes[0])
			snprintf(w->why, sizeof(w->why), "this card (%s) generates RSA keys of %s bits, not %u: "
					"nothing was written; issue it with --key rsa/N", name, sizes, key_bits);
		else
			snprintf(w->why, sizeof(w->why), "this card (%s) generates no keys (personalised by its "
					"issuer): nothing was written", name);
		fprintf(w->log, "check failed: %s\n", w->why);
		w->failed = "check";
		goto out;
	}
	STEP("pin-letter", write_letter(w) == 0 ? 0 : SC_ERROR_INTERNAL);
	progress(w, "personalise");
	STEP("personalise", sc_pkcs15init_bind(w->card, "pkcs15", NULL, NULL, &profile));
	init.so_pin = (const u8 *)so_pin;
	init.so_pin_len = strlen(so_pin);
	init.so_puk = (const u8 *)so_puk;
	init.so_puk_len = strlen(so_puk);
	init.label = w->h->label;
	STEP("personalise", locked_add_app(w->card, profile, &init));
	STEP("personalise", sc_pkcs15_bind(w->card, NULL, &p15));
	sc_pkcs15init_set_p15card(profile, p15);
	sc_pkcs15_format_id("01", &pin.auth_id);
	pin.label = "User PIN";
	pin.pin = (const u8 *)w->pin;
	pin.pin_len = strlen(w->pin);
	pin.puk = (const u8 *)w->puk;
	pin.puk_len = strlen(w->puk);
	progress(w, "store-pin");
	STEP("store-pin", sc_pkcs15init_store_pin(p15, profile, &pin));
	sc_pkcs15_format_id(key_id, &kg.prkey_args.id);
	sc_pkcs15_format_id("01", &kg.prkey_args.auth_id);
	kg.prkey_args.label = w->h->label;
	kg.prkey_args.key.algorithm = SC_ALGORITHM_RSA;
	/* pkcs15-init's "--key-usage sign,decrypt" */
	kg.prkey_args.x509_usage = SC_PKCS15INIT_X509_DIGITAL_SIGNATURE | SC_PKCS15INIT_X509_KEY_CERT_SIGN |
				   SC_PKCS15INIT_X509_CRL_SIGN | SC_PKCS15INIT_X509_KEY_ENCIPHERMENT |
				   SC_PKCS15INIT_X509_DATA_ENCIPHERMENT;
	kg.prkey_args.access_flags = SC_PKCS15_PRKEY_ACCESS_SENSITIVE | SC_PKCS15_PRKEY_ACCESS_ALWAYSSENSITIVE |
				     SC_PKCS15_PRKEY_ACCESS_NEVEREXTRACTABLE | SC_PKCS15_PRKEY_ACCESS_LOCAL;
	kg.pubkey_label = w->h->label;
	r = sc_lock(w->card);
	if (r == 0) {
		progress(w, "generate-key");
		r = sc_pkcs15init_generate_key(p15, profile, &kg, key_bits, NULL);
		sc_unlock(w->card);
	}
	if (r < 0) {
		fprintf(w->log, "generate-key failed: %s\n", sc_strerror(r));
		w->failed = "generate-key";
		goto out;
	}
	progress(w, issue_is_csr(w->h->out) ? "request" : "public-key");
	STEP(issue_is_csr(w->h->out) ? "request" : "public-key", write_output(w, p15, w->h->out));
	progress(w, "done");
out:
	if (profile) { /* writes lastUpdate through the profile's own p15card */
		struct sc_pkcs15_card *own = profile->p15_data;

		sc_pkcs15init_unbind(profile);
		if (own && own != p15)
			sc_pkcs15_unbind(own);
	}
	if (p15)
		sc_pkcs15_unbind(p15);
	/* before store-pin the card has no PIN of the letter's */
	if (w->failed && (!strcmp(w->failed, "check") || !strcmp(w->failed, "pin-letter") ||
			!strcmp(w->failed, "personalise")))
		unlink(w->h->letter);
	OPENSSL_cleanse(w->pin, sizeof(w->pin));
	OPENSSL_cleanse(w->puk, sizeof(w->puk));
	return NULL;
}

/* the directory @p path would be created in exists and can be written */
static int
issue_dir_writable(const char *path)
{
	char dir[4096];
	char *slash;

	if (snprintf(dir, sizeof(dir), "%s", path) >= (int)sizeof(dir))
		return 0;
	slash = strrchr(dir, '/');
	if (!slash)
		return access(".", W_OK | X_OK) == 0;
	slash[slash == dir] = '\0'; /* "/x" lives in "/" */
	return access(dir, W_OK | X_OK) == 0;
}

/* no two holders write to one file, and each can be written */
static void
check_paths(const char *batch, const struct holder *hs, size_t n)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		if (!issue_dir_writable(hs[i].letter))
			die("%s line %zu: cannot create the PIN letter %s (no such directory, or not writable)",
					batch, hs[i].line, hs[i].letter);
		if (!issue_dir_writable(hs[i].out))
			die("%s line %zu: cannot create %s (no such directory, or not writable)", batch, hs[i].line,
					hs[i].out);
		if (!strcmp(hs[i].letter, hs[i].out))
			die("%s line %zu: the PIN letter and the output are the same file", batch, hs[i].line);
		for (j = 0; j < i; j++) {
			if (!strcmp(hs[i].letter, hs[j].letter) || !strcmp(hs[i].letter, hs[j].out) ||
					!strcmp(hs[i].out, hs[j].letter) || !strcmp(hs[i].out, hs[j].out))
				die("%s lines %zu and %zu: both write to the same file", batch, hs[j].line, hs[i].line);
		}
	}
}

/* "LABEL;PIN|random;LETTER;OUTPUT" lines; every line checked first */
static size_t
read_batch(const char *path, struct holder *hs, size_t max)
{
	FILE *f = fopen(path, "r");
	char line[4096];
	size_t n = 0, no = 0;

	if (!f)
		die("cannot read the batch file '%s'", path);
	while (fgets(line, sizeof(line), f)) {
		char *fld[5] = {0}, *p = line, *nl = strchr(line, '\n');
		size_t k = 0, len, text;

		no++;
		if (!nl && !feof(f))
			die("%s line %zu: too long", path, no);
		if (nl)
			*nl = '\0';
		/* a file saved on Windows: a UTF-8 byte order mark, CR LF line ends */
		if (no == 1 && !strncmp(p, "\xEF\xBB\xBF", 3))
			p += 3;
		len = strlen(p);
		if (len && p[len - 1] == '\r')
			p[--len] = '\0';
		text = pk_text_valid_len((const unsigned char *)p, len);
		if (text != len)
			die("%s line %zu: byte %zu is %s: save the batch file as UTF-8 text, one holder a line", path, no,
					text + 1, (unsigned char)p[text] < 0x80 ? "a control character" : "not UTF-8");
		if (p[0] == '\0' || p[0] == '#')
			continue;
		while (k < 5 && p) {
			fld[k++] = p;
			p = strchr(p, ';');
			if (p)
				*p++ = '\0';
		}
		if (k != 4 || p || !*fld[0] || !*fld[1] || !*fld[2] || !*fld[3])
			die("%s line %zu: want LABEL;PIN|random;PIN-LETTER-PATH;OUTPUT-PATH", path, no);
		if (strlen(fld[0]) > ISSUE_MAX_LABEL)
			die("%s line %zu: the label has at most %d bytes (PKCS#11 shows no more)", path, no,
					ISSUE_MAX_LABEL);
		if (strcmp(fld[1], "random") != 0 &&
				(strlen(fld[1]) < ISSUE_MIN_PIN || strlen(fld[1]) > ISSUE_MAX_PIN ||
						strspn(fld[1], "0123456789") != strlen(fld[1])))
			die("%s line %zu: the PIN must be %d to %d digits or 'random'", path, no, ISSUE_MIN_PIN,
					ISSUE_MAX_PIN);
		if (access(fld[2], F_OK) == 0)
			die("%s line %zu: %s exists already (a PIN letter is never overwritten)", path, no, fld[2]);
		if (n == max)
			die("%s: more than %zu holders", path, max);
		hs[n].label = strdup(fld[0]);
		hs[n].pin = strdup(fld[1]);
		hs[n].letter = strdup(fld[2]);
		hs[n].out = strdup(fld[3]);
		hs[n].line = no;
		if (!hs[n].label || !hs[n].pin || !hs[n].letter || !hs[n].out)
			die("out of memory");
		n++;
	}
	fclose(f);
	if (n == 0)
		die("%s names no card holder", path);
	check_paths(path, hs, n);
	return n;
}

/* The SO PIN or PUK of the new cards from environment variable @p var, as
 * our profiles take it; else every card would fail at personalise */
static const char *
issue_so_secret(const char *var, const char *what)
{
	const char *v = getenv(var);
	size_t n = v ? strlen(v) : 0;

	if (!n)
		die("set the %s of the new cards in %s", what, var);
	if (n < ISSUE_MIN_PIN || n > ISSUE_MAX_PIN || pk_text_pin_len((const unsigned char *)v, n) != n)
		die("%s must have %d to %d characters of ASCII, not %zu bytes%s", var, ISSUE_MIN_PIN, ISSUE_MAX_PIN,
				n, pk_text_pin_len((const unsigned char *)v, n) != n ? " with a letter outside ASCII" : "");
	return v;
}

int
main(int argc, char **argv)
{
	static struct holder hs[64];
	static struct worker ws[ISSUE_MAX_CARDS];
	pthread_t th[ISSUE_MAX_CARDS];
	unsigned int readers[ISSUE_MAX_CARDS];
	sc_context_param_t cp;
	struct sc_context *ctx = NULL;
	const char *logs = NULL, *batch = NULL;
	char tmpl[] = "/tmp/pkicards-issue.XXXXXX", logpath[4096];
	size_t nh, nr = 0, ns, i;
	int a, failed = 0;

	for (a = 1; a < argc; a++) {
		if (!strcmp(argv[a], "--key") && a + 1 < argc) {
			const char *k = argv[++a];
			char *end = NULL;
			unsigned long bits = strncmp(k, "rsa/", 4) ? 0 : strtoul(k + 4, &end, 10);

			if (bits < 512 || bits > 16384 || *end)
				die("--key takes rsa/BITS, not '%s'", k);
			key_bits = (unsigned int)bits;
		} else if (!strcmp(argv[a], "--logs") && a + 1 < argc) {
			logs = argv[++a];
		} else if (!strcmp(argv[a], "--id") && a + 1 < argc) {
			key_id = argv[++a];
			if (strlen(key_id) < 2 || strlen(key_id) % 2 || strspn(key_id, "0123456789abcdefABCDEF") != strlen(key_id))
				die("--id takes a hex key ID, not '%s'", key_id);
		} else if (argv[a][0] == '-' || batch) {
			die("usage: pkicards-issue [--key rsa/BITS] [--logs DIR] [--id HEX] BATCH-FILE (see doc/issuing.md)");
		} else {
			batch = argv[a];
		}
	}
	if (!batch)
		die("usage: pkicards-issue [--key rsa/BITS] [--logs DIR] [--id HEX] BATCH-FILE (see doc/issuing.md)");
	so_pin = issue_so_secret("PKICARDS_SO_PIN", "SO PIN");
	so_puk = issue_so_secret("PKICARDS_SO_PUK", "SO PUK");
	nh = read_batch(batch, hs, sizeof(hs) / sizeof(hs[0]));
	if (!logs && !(logs = mkdtemp(tmpl)))
		die("cannot create a log directory");
	if (mkdir(logs, 0700) < 0 && errno != EEXIST)
		die("cannot create the log directory '%s'", logs);

	/* the readers with a card, in OpenSC's order */
	memset(&cp, 0, sizeof(cp));
	cp.app_name = "pkicards-issue";
	if (sc_context_create(&ctx, &cp) != SC_SUCCESS)
		die("cannot create an OpenSC context");
	for (i = 0; i < sc_ctx_get_reader_count(ctx) && nr < ISSUE_MAX_CARDS; i++) {
		if (sc_detect_card_presence(sc_ctx_get_reader(ctx, (unsigned int)i)) > 0)
			readers[nr++] = (unsigned int)i;
	}
	sc_release_context(ctx);
	if (nr == 0)
		die("no reader with a card");
	ns = nr < nh ? nr : nh;
	printf("pkicards-issue: %zu holder(s), %zu card(s): issuing %zu; logs in %s\n", nh, nr, ns, logs);

	/* every context and card first, then the work */
	sc_pkcs15init_set_callbacks(&issue_callbacks);
	for (i = 0; i < ns; i++) {
		struct worker *w = &ws[i];

		w->slot = (int)i;
		w->h = &hs[i];
		w->letter_fd = -1;
		w->reader = readers[i];
		snprintf(logpath, sizeof(logpath), "%s/reader-%u.log", logs, w->reader);
		w->log = fopen(logpath, "w");
		if (!w->log)
			die("cannot write %s", logpath);
		if (strcmp(w->h->pin, "random") == 0 ? random_digits(w->pin, ISSUE_PIN_DIGITS) < 0
						      : (snprintf(w->pin, sizeof(w->pin), "%s", w->h->pin), 0))
			die("no random numbers");
		if (random_digits(w->puk, ISSUE_PIN_DIGITS) < 0)
			die("no random numbers");
		if (sc_context_create(&w->ctx, &cp) != SC_SUCCESS ||
				sc_connect_card(sc_ctx_get_reader(w->ctx, w->reader), &w->card) != SC_SUCCESS) {
			fprintf(w->log, "cannot connect to the card\n");
			w->failed = "connect";
		}
	}
	/* the PIN letters last, so that nothing above leaves one behind; no
	 * card has been written to yet */
	for (i = 0; i < ns; i++) {
		if (ws[i].failed)
			continue;
		ws[i].letter_fd = open(ws[i].h->letter, O_WRONLY | O_CREAT | O_EXCL, 0600);
		if (ws[i].letter_fd < 0) {
			const char *path = ws[i].h->letter;
			int e = errno;

			while (i-- > 0) {
				if (ws[i].letter_fd >= 0)
					unlink(ws[i].h->letter);
			}
			die("cannot create the PIN letter %s: %s; no card was touched", path, strerror(e));
		}
	}
	for (i = 0; i < ns; i++) {
		if (!ws[i].failed && pthread_create(&th[i], NULL, issue_card, &ws[i]) != 0) {
			ws[i].failed = "start";
			close(ws[i].letter_fd);
			unlink(ws[i].h->letter);
		}
	}
	for (i = 0; i < ns; i++) {
		if (ws[i].card && !(ws[i].failed && !strcmp(ws[i].failed, "start")) &&
				!(ws[i].failed && !strcmp(ws[i].failed, "connect")))
			pthread_join(th[i], NULL);
	}

	printf("\nSummary:\n");
	for (i = 0; i < ns; i++) {
		struct worker *w = &ws[i];

		if (w->failed) {
			printf("  reader %u: %s: FAILED %s%s%s%s -- see %s/reader-%u.log\n", w->reader, w->h->label,
					w->failed, w->why[0] ? " (" : "", w->why, w->why[0] ? ")" : "", logs, w->reader);
			if (access(w->h->letter, F_OK) == 0) /* failed after store-pin */
				printf("  reader %u: %s: the card may hold the PIN of %s: keep that letter\n",
						w->reader, w->h->label, w->h->letter);
			failed = 1;
		} else {
			printf("  reader %u: %s: issued (card %s)\n", w->reader, w->h->label, w->serial);
		}
		if (w->card)
			sc_disconnect_card(w->card);
		if (w->ctx)
			sc_release_context(w->ctx);
		fclose(w->log);
	}
	for (i = ns; i < nh; i++)
		printf("  %s: no card left for this holder\n", hs[i].label);
	fflush(stdout);
	if (failed) {
		fprintf(stderr, "pkicards-issue: some cards failed: see above\n");
		return 1;
	}
	return nh > ns ? 3 : 0;
}
