/*
 * apdu-run - plays the vpcd side for cardsim tests (no pcscd needed).
 *
 * usage: apdu-run [--port N] [--timeout SEC] [--rm FILE]... [--pid-file FILE]
 *                 SCRIPT [-- COMMAND ARGS...]
 *
 * Listens on 127.0.0.1:PORT (0 = any free port), optionally spawns
 * COMMAND ARGS --port PORT, powers the card on and runs SCRIPT. Script
 * syntax: see doc/simulator.md ("apdu-run scripts").
 */
#define _POSIX_C_SOURCE 200809L

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#define MAX_MSG		65535
#define MAX_TOK		(2 * MAX_MSG)

enum { TOK_BYTE, TOK_ANY, TOK_STAR };

struct tok {
	int kind;
	unsigned char v;
};

struct ctx {
	int lfd, fd, port, timeout_ms;
	pid_t child;
	char **cmd;
	int ncmd;
	const char *pidfile;
	const char *script;
	unsigned long line;
};

static void
die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static struct ctx *g_ctx;

static void
stop_child(struct ctx *c, int sig)
{
	if (c->child > 0) {
		kill(c->child, sig);
		waitpid(c->child, NULL, 0);
		c->child = 0;
	}
}

#include <stdarg.h>

static void
die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "apdu-run: ");
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	if (g_ctx)
		stop_child(g_ctx, SIGKILL);
	exit(1);
}

/* ---- hex and patterns ---------------------------------------------------- */

static int
hexv(int ch)
{
	if (isdigit(ch))
		return ch - '0';
	ch = tolower(ch);
	return (ch >= 'a' && ch <= 'f') ? ch - 'a' + 10 : -1;
}

/* Parses "6F .. 83 02 * 90 00"; returns token count or -1. */
static long
parse_pattern(const char *s, struct tok *t, size_t cap, int allow_wild)
{
	size_t n = 0;

	while (*s) {
		if (isspace((unsigned char)*s) || *s == ':') {
			s++;
			continue;
		}
		if (n >= cap)
			return -1;
		if (allow_wild && *s == '*') {
			t[n++].kind = TOK_STAR;
			s++;
		} else if (allow_wild && s[0] == '.' && s[1] == '.') {
			t[n++].kind = TOK_ANY;
			s += 2;
		} else if (hexv((unsigned char)s[0]) >= 0 && hexv((unsigned char)s[1]) >= 0) {
			t[n].kind = TOK_BYTE;
			t[n++].v = (unsigned char)(hexv((unsigned char)s[0]) << 4
						   | hexv((unsigned char)s[1]));
			s += 2;
		} else {
			return -1;
		}
	}
	return (long)n;
}

static int
match(const struct tok *t, size_t nt, const unsigned char *p, size_t n)
{
	size_t k;

	if (nt == 0)
		return n == 0;
	if (t->kind == TOK_STAR) {
		for (k = 0; k <= n; k++)
			if (match(t + 1, nt - 1, p + k, n - k))
				return 1;
		return 0;
	}
	if (n == 0)
		return 0;
	if (t->kind == TOK_BYTE && t->v != p[0])
		return 0;
	return match(t + 1, nt - 1, p + 1, n - 1);
}

static void
print_hex(const char *label, const unsigned char *p, size_t n)
{
	size_t i;

	fprintf(stderr, "  %-9s", label);
	for (i = 0; i < n; i++)
		fprintf(stderr, " %02X", p[i]);
	fputc('\n', stderr);
}

/* ---- transport --------------------------------------------------------- */

static void
io_full(struct ctx *c, unsigned char *p, size_t n, int wr)
{
	while (n) {
		struct pollfd pfd = { c->fd, wr ? POLLOUT : POLLIN, 0 };
		ssize_t r;

		if (poll(&pfd, 1, c->timeout_ms) <= 0)
			die("%s:%lu: timeout talking to the card", c->script, c->line);
		r = wr ? write(c->fd, p, n) : read(c->fd, p, n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			die("%s:%lu: card closed the connection", c->script, c->line);
		p += r;
		n -= (size_t)r;
	}
}

static void
send_msg(struct ctx *c, const unsigned char *p, size_t n)
{
	unsigned char hdr[2] = { (unsigned char)(n >> 8), (unsigned char)n };

	io_full(c, hdr, 2, 1);
	io_full(c, (unsigned char *)p, n, 1);
}

static size_t
recv_msg(struct ctx *c, unsigned char *p)
{
	unsigned char hdr[2];
	size_t n;

	io_full(c, hdr, 2, 0);
	n = (size_t)hdr[0] << 8 | hdr[1];
	io_full(c, p, n, 0);
	return n;
}

static void
control(struct ctx *c, unsigned char code)
{
	send_msg(c, &code, 1);
}

static void
listen_port(struct ctx *c)
{
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);
	int one = 1;

	c->lfd = socket(AF_INET, SOCK_STREAM, 0);
	if (c->lfd < 0)
		die("socket: %s", strerror(errno));
	setsockopt(c->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((unsigned short)c->port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(c->lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(c->lfd, 1) < 0)
		die("cannot listen on 127.0.0.1:%d: %s", c->port, strerror(errno));
	getsockname(c->lfd, (struct sockaddr *)&sa, &sl);
	c->port = ntohs(sa.sin_port);
	fprintf(stderr, "apdu-run: listening on 127.0.0.1:%d\n", c->port);
}

static void
spawn(struct ctx *c)
{
	char portbuf[16];
	char **argv;
	int i;

	if (!c->ncmd)
		return;
	argv = calloc((size_t)c->ncmd + 3, sizeof(*argv));
	if (!argv)
		die("out of memory");
	for (i = 0; i < c->ncmd; i++)
		argv[i] = c->cmd[i];
	snprintf(portbuf, sizeof(portbuf), "%d", c->port);
	argv[i++] = "--port";
	argv[i++] = portbuf;
	c->child = fork();
	if (c->child < 0)
		die("fork: %s", strerror(errno));
	if (c->child == 0) {
		close(c->lfd);
		execv(argv[0], argv);
		fprintf(stderr, "apdu-run: exec %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	free(argv);
	if (c->pidfile) {
		FILE *f = fopen(c->pidfile, "w");

		if (!f)
			die("%s: %s", c->pidfile, strerror(errno));
		fprintf(f, "%ld\n", (long)c->child);
		fclose(f);
	}
}

/* Waits for the card to connect; fails if the child exits first. */
static void
accept_card(struct ctx *c)
{
	int waited = 0, st;

	for (;;) {
		struct pollfd pfd = { c->lfd, POLLIN, 0 };

		if (poll(&pfd, 1, 100) > 0)
			break;
		if (c->child > 0 && waitpid(c->child, &st, WNOHANG) == c->child) {
			c->child = 0;
			die("%s:%lu: card exited (status %d) before connecting", c->script,
			    c->line, WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
		}
		waited += 100;
		if (waited >= c->timeout_ms)
			die("no card connected within %d ms", c->timeout_ms);
	}
	c->fd = accept(c->lfd, NULL, NULL);
	if (c->fd < 0)
		die("accept: %s", strerror(errno));
	control(c, 0x01);
}

/* SIGTERM the child and require a clean exit 0. */
static void
end_child(struct ctx *c, int sig)
{
	int st;

	if (c->child <= 0)
		return;
	kill(c->child, sig);
	if (waitpid(c->child, &st, 0) != c->child)
		die("waitpid: %s", strerror(errno));
	c->child = 0;
	if (sig == SIGTERM && (!WIFEXITED(st) || WEXITSTATUS(st) != 0))
		die("%s:%lu: card did not exit cleanly on SIGTERM (status %d)", c->script,
		    c->line, WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
}

static void
restart(struct ctx *c, int sig)
{
	if (!c->ncmd)
		die("%s:%lu: restart needs a spawned card", c->script, c->line);
	close(c->fd);
	end_child(c, sig);
	spawn(c);
	accept_card(c);
}

/* ---- script -------------------------------------------------------------- */

static struct tok exp_tok[MAX_TOK];
static unsigned char capdu[MAX_MSG], rapdu[MAX_MSG];
static size_t rapdu_len;

/* ---- variables (save/append) and RSA checks ----------------------------- */

#define MAX_VARS	16
#define VAR_MAX		4096

struct var {
	char name[32];
	unsigned char v[VAR_MAX];
	size_t len;
};

static struct var vars[MAX_VARS];

static struct var *
var_get(struct ctx *c, const char *name, int create)
{
	size_t i;

	for (i = 0; i < MAX_VARS; i++)
		if (!strcmp(vars[i].name, name))
			return &vars[i];
	if (!create)
		die("%s:%lu: unknown variable '%s'", c->script, c->line, name);
	for (i = 0; i < MAX_VARS; i++)
		if (!vars[i].name[0]) {
			if (strlen(name) >= sizeof(vars[i].name))
				break;
			strcpy(vars[i].name, name);
			return &vars[i];
		}
	die("%s:%lu: too many variables or name too long", c->script, c->line);
}

/* save NAME / append NAME: the data of the last response (SW dropped). */
static void
var_store(struct ctx *c, const char *name, int append)
{
	struct var *v = var_get(c, name, 1);
	size_t n = rapdu_len >= 2 ? rapdu_len - 2 : 0;

	if (!append)
		v->len = 0;
	if (v->len + n > VAR_MAX)
		die("%s:%lu: variable '%s' too long", c->script, c->line, name);
	memcpy(v->v + v->len, rapdu, n);
	v->len += n;
}

/* A variable name or a hex string. */
static size_t
var_or_hex(struct ctx *c, const char *s, unsigned char *out, size_t cap)
{
	long n, i;

	for (i = 0; i < MAX_VARS; i++)
		if (vars[i].name[0] && !strcmp(vars[i].name, s)) {
			memcpy(out, vars[i].v, vars[i].len);
			return vars[i].len;
		}
	n = parse_pattern(s, exp_tok, MAX_TOK, 0);
	if (n < 0 || (size_t)n > cap)
		die("%s:%lu: '%s' is neither a variable nor hex", c->script, c->line, s);
	for (i = 0; i < n; i++)
		out[i] = exp_tok[i].v;
	return (size_t)n;
}

static void
rev(unsigned char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n / 2; i++) {
		unsigned char t = p[i];

		p[i] = p[n - 1 - i];
		p[n - 1 - i] = t;
	}
}

/*
 * ACOS5 public key file -> n, e (big-endian). acos5-64: 00 lenCode FID FID
 * flags e[16] n[N]; acos5-v1: e[8] and n little-endian.
 */
static void
acos_pub(struct ctx *c, const char *fmt, const struct var *v, BIGNUM **n, BIGNUM **e)
{
	unsigned char buf[VAR_MAX];
	int v1 = !strcmp(fmt, "acos5-v1");
	size_t el = v1 ? 8 : 16, nlen;

	if (v->len < 5)
		die("%s:%lu: short key file", c->script, c->line);
	nlen = (size_t)v->v[1] * 16;
	if (v->len < 5 + el + nlen || v->v[0] != 0)
		die("%s:%lu: not a public key file of %zu bytes", c->script, c->line, nlen);
	memcpy(buf, v->v + 5, el + nlen);
	if (v1) {
		rev(buf, el);
		rev(buf + el, nlen);
	}
	*e = BN_bin2bn(buf, (int)el, NULL);
	*n = BN_bin2bn(buf + el, (int)nlen, NULL);
}

/*
 * StarCOS 2.x READ PUBLIC KEY response / IPF entry (doc/simulator.md):
 * byte 14 = modulus length, 16 = exponent length + 1, modulus at 18 and
 * the exponent after it, both LSB first.
 */
static void
starcos2_pub(struct ctx *c, const struct var *v, BIGNUM **n, BIGNUM **e)
{
	unsigned char buf[VAR_MAX];
	size_t nlen, el;

	if (v->len < 18)
		die("%s:%lu: short StarCOS public key", c->script, c->line);
	nlen = v->v[14];
	el = v->v[16] ? v->v[16] - 1u : 0;
	if (v->v[13] != 0x10 || v->v[15] != 0x13 || !el || 18 + nlen + el > v->len)
		die("%s:%lu: not a StarCOS public key entry", c->script, c->line);
	memcpy(buf, v->v + 18, nlen + el);
	rev(buf, nlen);
	rev(buf + nlen, el);
	*n = BN_bin2bn(buf, (int)nlen, NULL);
	*e = BN_bin2bn(buf + nlen, (int)el, NULL);
}

/* X.509 certificate (DER) -> n, e */
static void
cert_pub(struct ctx *c, const struct var *v, BIGNUM **n, BIGNUM **e)
{
	const unsigned char *p = v->v;
	X509 *x = d2i_X509(NULL, &p, (long)v->len);
	EVP_PKEY *pk = x ? X509_get0_pubkey(x) : NULL;

	if (!pk || !EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_RSA_N, n)
	    || !EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_RSA_E, e))
		die("%s:%lu: not an RSA certificate", c->script, c->line);
	X509_free(x);
}

static void
key_from(struct ctx *c, const char *fmt, const struct var *v, BIGNUM **n, BIGNUM **e)
{
	if (!strcmp(fmt, "acos5-64") || !strcmp(fmt, "acos5-v1"))
		acos_pub(c, fmt, v, n, e);
	else if (!strcmp(fmt, "starcos2"))
		starcos2_pub(c, v, n, e);
	else if (!strcmp(fmt, "cert"))
		cert_pub(c, v, n, e);
	else
		die("%s:%lu: unknown key format '%s'", c->script, c->line, fmt);
}

static EVP_PKEY *
pkey_from(BIGNUM *n, BIGNUM *e)
{
	OSSL_PARAM_BLD *b = OSSL_PARAM_BLD_new();
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
	OSSL_PARAM *params = NULL;
	EVP_PKEY *pk = NULL;

	if (b && ctx && OSSL_PARAM_BLD_push_BN(b, OSSL_PKEY_PARAM_RSA_N, n)
	    && OSSL_PARAM_BLD_push_BN(b, OSSL_PKEY_PARAM_RSA_E, e)
	    && (params = OSSL_PARAM_BLD_to_param(b)) && EVP_PKEY_fromdata_init(ctx) > 0)
		EVP_PKEY_fromdata(ctx, &pk, EVP_PKEY_PUBLIC_KEY, params);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(b);
	EVP_PKEY_CTX_free(ctx);
	return pk;
}

static const EVP_MD *
md_for(struct ctx *c, const char *name, size_t hl)
{
	const EVP_MD *md;

	if (!name)
		md = hl == 20 ? EVP_sha1() : hl == 32 ? EVP_sha256() : NULL;
	else
		md = EVP_get_digestbyname(name);
	if (!md || (size_t)EVP_MD_get_size(md) != hl)
		die("%s:%lu: no digest for a %zu-byte hash", c->script, c->line, hl);
	return md;
}

/*
 * verify-rsa FMT PUB SIG HASH [MD]: PKCS#1 v1.5 (SHA-1/SHA-256 by hash
 * length, or the digest MD); verify-rsa-pss FMT PUB SIG HASH MD: PSS with
 * MGF1(MD) and a salt as long as the hash.
 */
static void
verify_rsa(struct ctx *c, char **arg, const char *mdname, int pss)
{
	unsigned char sig[VAR_MAX], hash[64];
	size_t sl, hl;
	BIGNUM *n = NULL, *e = NULL;
	EVP_PKEY *pk;
	EVP_PKEY_CTX *ctx = NULL;
	const EVP_MD *md;
	int ok = 0;

	key_from(c, arg[0], var_get(c, arg[1], 0), &n, &e);
	sl = var_or_hex(c, arg[2], sig, sizeof(sig));
	hl = var_or_hex(c, arg[3], hash, sizeof(hash));
	md = md_for(c, mdname, hl);
	if (!strcmp(arg[0], "acos5-v1"))
		rev(sig, sl);
	pk = n && e ? pkey_from(n, e) : NULL;
	if (pk && (ctx = EVP_PKEY_CTX_new(pk, NULL)) && EVP_PKEY_verify_init(ctx) > 0
	    && EVP_PKEY_CTX_set_rsa_padding(ctx, pss ? RSA_PKCS1_PSS_PADDING : RSA_PKCS1_PADDING) > 0
	    && EVP_PKEY_CTX_set_signature_md(ctx, md) > 0
	    && (!pss || (EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx, (int)hl) > 0
			 && EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, md) > 0)))
		ok = EVP_PKEY_verify(ctx, sig, sl, hash, hl) == 1;
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(pk);
	BN_free(n);
	BN_free(e);
	if (!ok)
		die("%s:%lu: RSA signature does not verify", c->script, c->line);
}

/* encrypt-rsa FMT PUB MSG NAME: PKCS#1 v1.5 encryption of MSG into NAME */
static void
encrypt_rsa(struct ctx *c, char **arg)
{
	unsigned char msg[VAR_MAX];
	struct var *out;
	size_t ml, ol = VAR_MAX;
	BIGNUM *n = NULL, *e = NULL;
	EVP_PKEY *pk;
	EVP_PKEY_CTX *ctx = NULL;
	int ok = 0;

	key_from(c, arg[0], var_get(c, arg[1], 0), &n, &e);
	ml = var_or_hex(c, arg[2], msg, sizeof(msg));
	out = var_get(c, arg[3], 1);
	pk = n && e ? pkey_from(n, e) : NULL;
	if (pk && (ctx = EVP_PKEY_CTX_new(pk, NULL)) && EVP_PKEY_encrypt_init(ctx) > 0
	    && EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) > 0)
		ok = EVP_PKEY_encrypt(ctx, out->v, &ol, msg, ml) == 1;
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(pk);
	BN_free(n);
	BN_free(e);
	if (!ok)
		die("%s:%lu: RSA encryption failed", c->script, c->line);
	out->len = ol;
}

/* verify-rsa-raw FMT PUB OUT IN: OUT^e mod n == IN (raw decipher result) */
static void
verify_rsa_raw(struct ctx *c, char **arg)
{
	unsigned char out[VAR_MAX], in[VAR_MAX];
	size_t ol, il;
	BIGNUM *n = NULL, *e = NULL, *x, *y;
	BN_CTX *bc = BN_CTX_new();
	int ok = 0;

	key_from(c, arg[0], var_get(c, arg[1], 0), &n, &e);
	ol = var_or_hex(c, arg[2], out, sizeof(out));
	il = var_or_hex(c, arg[3], in, sizeof(in));
	if (!strcmp(arg[0], "acos5-v1")) {
		rev(out, ol);
		rev(in, il);
	}
	x = BN_bin2bn(out, (int)ol, NULL);
	y = BN_bin2bn(in, (int)il, NULL);
	if (bc && n && e && x && y && (size_t)BN_num_bytes(n) == ol
	    && BN_mod_exp(x, x, e, n, bc))
		ok = BN_cmp(x, y) == 0;
	BN_free(x);
	BN_free(y);
	BN_free(n);
	BN_free(e);
	BN_CTX_free(bc);
	if (!ok)
		die("%s:%lu: raw RSA result does not match", c->script, c->line);
}

/*
 * read-binary NAME [LE]: READ BINARY of the current EF from offset 0 in
 * LE-byte steps (default 00 = 256) until a short answer, 62 82 or 6B 00.
 */
static void
read_binary(struct ctx *c, const char *name, const char *le)
{
	struct var *v = var_get(c, name, 1);
	unsigned char cmd[5] = { 0x00, 0xB0, 0, 0, 0 };
	size_t chunk = 256, n, off = 0;
	unsigned int sw;

	if (le) {
		unsigned long x = strtoul(le, NULL, 16);

		if (x > 0xFF)
			die("%s:%lu: bad LE '%s'", c->script, c->line, le);
		cmd[4] = (unsigned char)x;
		chunk = x ? x : 256;
	}
	v->len = 0;
	for (;;) {
		cmd[2] = (unsigned char)(off >> 8);
		cmd[3] = (unsigned char)off;
		send_msg(c, cmd, sizeof(cmd));
		n = recv_msg(c, rapdu);
		if (n < 2)
			die("%s:%lu: short response", c->script, c->line);
		sw = (unsigned int)rapdu[n - 2] << 8 | rapdu[n - 1];
		n -= 2;
		if (sw == 0x6B00 && off > 0)
			break;
		if ((sw != 0x9000 && sw != 0x6282) || v->len + n > VAR_MAX || off + n > 0xFFFF)
			die("%s:%lu: READ BINARY at %zu answered %04X", c->script, c->line, off, sw);
		memcpy(v->v + v->len, rapdu, n);
		v->len += n;
		off += n;
		if (n < chunk || sw == 0x6282)
			break;
	}
	rapdu_len = 0;
}

/* Splits s into at most max words; returns the count. */
static int
split_words(char *s, char **w, int max)
{
	int n = 0;

	while (*s && n < max) {
		while (isspace((unsigned char)*s))
			s++;
		if (!*s)
			break;
		w[n++] = s;
		while (*s && !isspace((unsigned char)*s))
			s++;
		if (*s)
			*s++ = '\0';
	}
	return n;
}

static void
run_word_cmd(struct ctx *c, char *s)
{
	char *w[6];
	int n = split_words(s, w, 6);

	if (n == 2 && !strcmp(w[0], "save"))
		var_store(c, w[1], 0);
	else if (n == 2 && !strcmp(w[0], "append"))
		var_store(c, w[1], 1);
	else if ((n == 5 || n == 6) && !strcmp(w[0], "verify-rsa"))
		verify_rsa(c, w + 1, n == 6 ? w[5] : NULL, 0);
	else if (n == 6 && !strcmp(w[0], "verify-rsa-pss"))
		verify_rsa(c, w + 1, w[5], 1);
	else if ((n == 2 || n == 3) && !strcmp(w[0], "read-binary"))
		read_binary(c, w[1], n == 3 ? w[2] : NULL);
	else if (n == 5 && !strcmp(w[0], "encrypt-rsa"))
		encrypt_rsa(c, w + 1);
	else if (n == 5 && !strcmp(w[0], "verify-rsa-raw"))
		verify_rsa_raw(c, w + 1);
	else
		die("%s:%lu: unknown script line", c->script, c->line);
}

static void
expect(struct ctx *c, const char *what, const char *pat, const unsigned char *got,
       size_t n, const unsigned char *sent, size_t sn)
{
	long nt = parse_pattern(pat, exp_tok, MAX_TOK, 1);

	if (nt < 0)
		die("%s:%lu: bad expected %s '%s'", c->script, c->line, what, pat);
	if (match(exp_tok, (size_t)nt, got, n))
		return;
	fprintf(stderr, "%s:%lu: %s mismatch\n", c->script, c->line, what);
	if (sent)
		print_hex("sent:", sent, sn);
	fprintf(stderr, "  expected:  %s\n", pat);
	print_hex("got:", got, n);
	stop_child(c, SIGKILL);
	exit(1);
}

static char *
trim(char *s)
{
	size_t n;

	while (isspace((unsigned char)*s))
		s++;
	n = strlen(s);
	while (n && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	return s;
}

static int
next_line(FILE *f, struct ctx *c, char **buf, size_t *cap, char **out)
{
	while (getline(buf, cap, f) >= 0) {
		char *s;

		c->line++;
		s = trim(*buf);
		if (*s == '\0' || *s == '#')
			continue;
		*out = s;
		return 1;
	}
	return 0;
}

/* C-APDU words: hex bytes, or $NAME = the bytes of a variable. */
static size_t
build_capdu(struct ctx *c, const char *hex)
{
	static char buf[8 * MAX_MSG], *w[2 * MAX_MSG];
	size_t n = 0;
	int nw, i;
	long nt, k;

	if (strlen(hex) >= sizeof(buf))
		die("%s:%lu: C-APDU line too long", c->script, c->line);
	strcpy(buf, hex);
	nw = split_words(buf, w, (int)(sizeof(w) / sizeof(w[0])));
	for (i = 0; i < nw; i++) {
		if (w[i][0] == '$') {
			const struct var *v = var_get(c, w[i] + 1, 0);

			if (v->len > MAX_MSG - n)
				die("%s:%lu: C-APDU too long", c->script, c->line);
			memcpy(capdu + n, v->v, v->len);
			n += v->len;
			continue;
		}
		nt = parse_pattern(w[i], exp_tok, MAX_TOK, 0);
		if (nt < 0 || (size_t)nt > MAX_MSG - n)
			die("%s:%lu: bad C-APDU '%s'", c->script, c->line, hex);
		for (k = 0; k < nt; k++)
			capdu[n++] = exp_tok[k].v;
	}
	return n;
}

static void
run_apdu(struct ctx *c, FILE *f, char **buf, size_t *cap, const char *hex)
{
	unsigned long cmd_line = c->line;
	size_t n = build_capdu(c, hex), rn;
	char *s;

	if (n < 1)
		die("%s:%lu: bad C-APDU '%s'", c->script, c->line, hex);
	if (n == 1)
		die("%s:%lu: a 1-byte C-APDU would be a vpcd control code", c->script, c->line);
	send_msg(c, capdu, n);
	rn = recv_msg(c, rapdu);
	rapdu_len = rn;
	if (!next_line(f, c, buf, cap, &s) || s[0] != '<')
		die("%s:%lu: '> APDU' must be followed by '< RESPONSE'", c->script, cmd_line);
	expect(c, "response", trim(s + 1), rapdu, rn, capdu, n);
}

static void
run_script(struct ctx *c, FILE *f)
{
	char *buf = NULL, *s;
	size_t cap = 0;

	while (next_line(f, c, &buf, &cap, &s)) {
		if (s[0] == '>') {
			run_apdu(c, f, &buf, &cap, trim(s + 1));
		} else if (!strncmp(s, "atr ", 4)) {
			size_t n;

			control(c, 0x04);
			n = recv_msg(c, rapdu);
			expect(c, "ATR", trim(s + 4), rapdu, n, NULL, 0);
		} else if (!strcmp(s, "reset")) {
			control(c, 0x02);
		} else if (!strcmp(s, "power off")) {
			control(c, 0x00);
		} else if (!strcmp(s, "power on")) {
			control(c, 0x01);
		} else if (!strcmp(s, "restart")) {
			restart(c, SIGTERM);
		} else if (!strcmp(s, "restart -9")) {
			restart(c, SIGKILL);
		} else {
			run_word_cmd(c, s);
		}
	}
	free(buf);
}

int
main(int argc, char **argv)
{
	struct ctx c;
	FILE *f;
	int i;

	memset(&c, 0, sizeof(c));
	c.timeout_ms = 10000;
	g_ctx = &c;
	signal(SIGPIPE, SIG_IGN);
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--")) {
			c.cmd = argv + i + 1;
			c.ncmd = argc - i - 1;
			break;
		} else if (!strcmp(argv[i], "--port") && i + 1 < argc) {
			c.port = atoi(argv[++i]);
		} else if (!strcmp(argv[i], "--timeout") && i + 1 < argc) {
			c.timeout_ms = atoi(argv[++i]) * 1000;
		} else if (!strcmp(argv[i], "--rm") && i + 1 < argc) {
			unlink(argv[++i]);
		} else if (!strcmp(argv[i], "--pid-file") && i + 1 < argc) {
			c.pidfile = argv[++i];
		} else if (!c.script && argv[i][0] != '-') {
			c.script = argv[i];
		} else {
			die("usage: apdu-run [--port N] [--timeout SEC] [--rm FILE] "
			    "[--pid-file FILE] SCRIPT [-- COMMAND ARGS...]");
		}
	}
	if (!c.script)
		die("no script given");
	f = fopen(c.script, "r");
	if (!f)
		die("%s: %s", c.script, strerror(errno));
	listen_port(&c);
	spawn(&c);
	accept_card(&c);
	run_script(&c, f);
	fclose(f);
	control(&c, 0x00);
	close(c.fd);
	end_child(&c, SIGTERM);
	close(c.lfd);
	return 0;
}
