/*
 * md-harness: plays the Windows Base CSP's part towards a smart card
 * minidriver, so that OpenSC's minidriver (and through it our card
 * drivers) can be driven under wine, which has no Base CSP.
 *
 *   md-harness.exe [-r READER] STEP [ARG...] [-- STEP [ARG...]]...
 *
 * Like the Base CSP it finds the minidriver of the card in the reader by
 * ATR and ATRMask under HKLM\SOFTWARE\Microsoft\Cryptography\Calais\
 * SmartCards (our installer writes those keys), loads the DLL named by
 * the value 80000001, fills CARD_DATA (version 7) and calls
 * CardAcquireContext; then runs the steps, in order, in that one context,
 * and ends with CardDeleteContext. Steps (doc/windows.md, "The minidriver
 * harness"):
 *
 *   read FILE [OUT]        CardReadFile (cardid, cardcf, mscp/cmapfile, ...)
 *   caps                   CardQueryCapabilities
 *   prop NAME [N]          CardGetProperty: pin-info N, keysizes N (key spec),
 *                          free-space, serial, read-only, guid, x509-enrol,
 *                          list-pins, key-import, cache-mode
 *   keysizes SPEC          CardQueryKeySizes (1 = AT_KEYEXCHANGE, 2 = AT_SIGNATURE)
 *   free-space             CardQueryFreeSpace
 *   container IDX [OUT]    CardGetContainerInfo; OUT: the public key as a
 *                          DER RSAPublicKey (openssl rsa -RSAPublicKey_in)
 *   login PIN [ROLE]       CardAuthenticateEx (ROLE 1 = user, 2 = admin)
 *   sign IDX PAD HASH OUT  CardSignData; PAD pkcs1 or pss (CNG padding
 *                          information) or capi (version 1, aiHashAlg);
 *                          HASH the digest in hex (its length picks
 *                          SHA-1/256/384/512); OUT the signature, big endian
 *   decrypt IDX IN OUT     CardRSADecrypt, PKCS#1 v1.5 (IN big endian)
 *   enrol BITS [OUT]       a new container as the CSP makes one: a record in
 *                          mscp/cmapfile, then CardCreateContainerEx with
 *                          on-card key generation (AT_KEYEXCHANGE, user PIN)
 *   cert IDX FILE          the container's certificate: CardCreateFile and
 *                          CardWriteFile of mscp/kxcNN
 *   delete-container IDX   CardDeleteContainer (the key pair of container IDX)
 *   change-pin OLD NEW     CardChangeAuthenticatorEx, user PIN
 *   unblock PUK NEW        CardChangeAuthenticatorEx, unblock the user PIN
 *                          with the admin role's secret (the PUK)
 *   logout                 CardDeauthenticateEx (user PIN)
 *   logout-v4              CardDeauthenticate ("user")
 *   sleep MS               wait (a later call, as after a user's pause)
 *
 * Each step prints one line "STEP: rc=0x........ NAME ..." (and details).
 * The memory the minidriver gets through pfnCspAlloc/ReAlloc/Free is
 * counted: every buffer it returns must be a live allocation of ours (the
 * harness frees it, as the CSP does), and after CardDeleteContext nothing
 * may be left. PINs are never printed.
 *
 * Exit status: 0 all steps returned success and the memory balanced;
 * 1 a step or CardAcquireContext returned an error (see its line);
 * 2 usage, reader, registry or DLL error (nothing called);
 * 3 memory accounting failed (leak, foreign buffer, bad free).
 */
#include <windows.h>
#include <winscard.h>
#include <wincrypt.h>
#include <bcrypt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cardmod.h"

#define SMARTCARDS_KEY L"SOFTWARE\\Microsoft\\Cryptography\\Calais\\SmartCards"
#define MAX_STEPS 64

/* ---- output ------------------------------------------------------------ */

/* clang-format off */
#define RC(x) { (DWORD)(x), #x }
static const struct {
	DWORD code;
	const char *name;
} rc_names[] = {
	RC(SCARD_S_SUCCESS),
	RC(SCARD_F_INTERNAL_ERROR),
	RC(SCARD_E_INVALID_PARAMETER),
	RC(SCARD_E_INVALID_HANDLE),
	RC(SCARD_E_NO_MEMORY),
	RC(SCARD_E_INSUFFICIENT_BUFFER),
	RC(SCARD_E_NO_SMARTCARD),
	RC(SCARD_E_UNKNOWN_CARD),
	RC(SCARD_E_PROTO_MISMATCH),
	RC(SCARD_E_INVALID_VALUE),
	RC(SCARD_F_UNKNOWN_ERROR),
	RC(SCARD_E_NOT_TRANSACTED),
	RC(SCARD_E_READER_UNAVAILABLE),
	RC(SCARD_E_SHARING_VIOLATION),
	RC(SCARD_E_NO_READERS_AVAILABLE),
	RC(SCARD_E_SERVICE_STOPPED),
	RC(SCARD_E_UNSUPPORTED_FEATURE),
	RC(SCARD_E_NO_DIR),
	RC(SCARD_E_NO_FILE),
	RC(SCARD_E_NO_ACCESS),
	RC(SCARD_E_WRITE_TOO_MANY),
	RC(SCARD_E_BAD_SEEK),
	RC(SCARD_E_INVALID_CHV),
	RC(SCARD_E_NO_SUCH_CERTIFICATE),
	RC(SCARD_E_COMM_DATA_LOST),
	RC(SCARD_E_NO_KEY_CONTAINER),
	RC(SCARD_E_FILE_NOT_FOUND),
	RC(SCARD_E_DIR_NOT_FOUND),
	RC(SCARD_W_UNSUPPORTED_CARD),
	RC(SCARD_W_UNRESPONSIVE_CARD),
	RC(SCARD_W_UNPOWERED_CARD),
	RC(SCARD_W_RESET_CARD),
	RC(SCARD_W_REMOVED_CARD),
	RC(SCARD_W_SECURITY_VIOLATION),
	RC(SCARD_W_WRONG_CHV),
	RC(SCARD_W_CHV_BLOCKED),
	RC(SCARD_W_CANCELLED_BY_USER),
	RC(SCARD_W_CARD_NOT_AUTHENTICATED),
	RC(NTE_BUFFER_TOO_SMALL),
	RC(ERROR_INSUFFICIENT_BUFFER),
	RC(ERROR_INVALID_PARAMETER),
	RC(ERROR_INTERNAL_ERROR),
	RC(ERROR_CALL_NOT_IMPLEMENTED),
	RC(ERROR_REVISION_MISMATCH),
	RC(ERROR_TIMEOUT),
};
/* clang-format on */

static const char *
rc_name(DWORD rc)
{
	size_t i;

	for (i = 0; i < sizeof(rc_names) / sizeof(rc_names[0]); i++)
		if (rc_names[i].code == rc)
			return rc_names[i].name;
	return "?";
}

/* "STEP: rc=0x........ NAME" and the rest of the line */
static void
report(const char *step, DWORD rc, const char *fmt, ...)
{
	va_list ap;

	printf("%s: rc=0x%08lX %s", step, (unsigned long)rc, rc_name(rc));
	if (fmt) {
		putchar(' ');
		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
	}
	putchar('\n');
	fflush(stdout);
}

static void
print_hex(const BYTE *p, DWORD n)
{
	DWORD i;

	for (i = 0; i < n; i++)
		printf("%02X", p[i]);
}

static int
fail(const char *fmt, ...)
{
	va_list ap;

	fputs("md-harness: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 2;
}

/* ---- the CSP's memory, counted ------------------------------------------ */

struct block {
	void *p;
	SIZE_T size;
};

static struct {
	struct block *live;
	size_t n, cap;
	unsigned long allocs, frees, reallocs, foreign, failed;
} mem;

static int
mem_find(const void *p)
{
	size_t i;

	for (i = 0; i < mem.n; i++)
		if (mem.live[i].p == p)
			return (int)i;
	return -1;
}

static int
mem_add(void *p, SIZE_T size)
{
	if (mem.n == mem.cap) {
		size_t cap = mem.cap ? 2 * mem.cap : 64;
		struct block *b = realloc(mem.live, cap * sizeof(*b));

		if (!b)
			return -1;
		mem.live = b;
		mem.cap = cap;
	}
	mem.live[mem.n].p = p;
	mem.live[mem.n].size = size;
	mem.n++;
	return 0;
}

static void
mem_drop(int i)
{
	mem.live[i] = mem.live[mem.n - 1];
	mem.n--;
}

static LPVOID WINAPI
csp_alloc(SIZE_T size)
{
	void *p = calloc(1, size ? size : 1);

	if (!p || mem_add(p, size) < 0) {
		free(p);
		mem.failed++;
		return NULL;
	}
	mem.allocs++;
	return p;
}

static LPVOID WINAPI
csp_realloc(LPVOID addr, SIZE_T size)
{
	void *p;
	int i;

	if (!addr)
		return csp_alloc(size);
	i = mem_find(addr);
	if (i < 0) {
		fprintf(stderr, "md-harness: pfnCspReAlloc of %p, which pfnCspAlloc did not return\n", addr);
		mem.foreign++;
		return NULL;
	}
	p = realloc(addr, size ? size : 1);
	if (!p) {
		mem.failed++;
		return NULL;
	}
	mem.live[i].p = p;
	mem.live[i].size = size;
	mem.reallocs++;
	return p;
}

static void WINAPI
csp_free(LPVOID addr)
{
	int i;

	if (!addr)
		return;
	i = mem_find(addr);
	if (i < 0) {
		fprintf(stderr, "md-harness: pfnCspFree of %p, which pfnCspAlloc did not return\n", addr);
		mem.foreign++;
		return;
	}
	SecureZeroMemory(addr, mem.live[i].size);
	free(addr);
	mem_drop(i);
	mem.frees++;
}

/* A buffer the minidriver hands over: it must be one of ours; the CSP then
 * owns it and frees it with pfnCspFree. */
static int
take_buffer(const char *what, void *p)
{
	if (!p)
		return 0;
	if (mem_find(p) < 0) {
		fprintf(stderr, "md-harness: %s: buffer %p was not allocated with pfnCspAlloc\n", what, p);
		mem.foreign++;
		return -1;
	}
	return 0;
}

static void
give_back(const char *what, void *p)
{
	if (p && take_buffer(what, p) == 0)
		csp_free(p);
}

/* The Base CSP's file cache; OpenSC's minidriver does not use it. This CSP
 * caches nothing: lookups miss, stores are accepted. */
static DWORD WINAPI
cache_add(PVOID ctx, LPWSTR tag, DWORD flags, PBYTE data, DWORD len)
{
	(void)ctx, (void)tag, (void)flags, (void)data, (void)len;
	return SCARD_S_SUCCESS;
}

static DWORD WINAPI
cache_lookup(PVOID ctx, LPWSTR tag, DWORD flags, PBYTE *data, PDWORD len)
{
	(void)ctx, (void)tag, (void)flags;
	if (data)
		*data = NULL;
	if (len)
		*len = 0;
	return SCARD_E_FILE_NOT_FOUND;
}

static DWORD WINAPI
cache_delete(PVOID ctx, LPWSTR tag, DWORD flags)
{
	(void)ctx, (void)tag, (void)flags;
	return SCARD_S_SUCCESS;
}

/* Padding services: the Base CSP pads for minidrivers that sign raw;
 * OpenSC's minidriver pads itself, so a call here is a finding. */
static DWORD WINAPI
pad_data(PCARD_SIGNING_INFO info, DWORD width, DWORD *len, PBYTE *buf)
{
	(void)info, (void)width, (void)len, (void)buf;
	fprintf(stderr, "md-harness: the minidriver asked the CSP to pad (pfnCspPadData)\n");
	return SCARD_E_UNSUPPORTED_FEATURE;
}

static DWORD WINAPI
unpad_data(PCARD_RSA_DECRYPT_INFO info, DWORD *len, PBYTE *buf)
{
	(void)info, (void)len, (void)buf;
	fprintf(stderr, "md-harness: the minidriver asked the CSP to unpad (pfnCspUnpadData)\n");
	return SCARD_E_UNSUPPORTED_FEATURE;
}

/* ---- files ------------------------------------------------------------- */

static int
read_whole(const char *path, BYTE **out, DWORD *len)
{
	FILE *f = fopen(path, "rb");
	long n;
	BYTE *b;

	if (!f)
		return -1;
	if (fseek(f, 0, SEEK_END) < 0 || (n = ftell(f)) < 0 || n > 1 << 20 || fseek(f, 0, SEEK_SET) < 0) {
		fclose(f);
		return -1;
	}
	b = malloc(n ? (size_t)n : 1);
	if (!b || fread(b, 1, (size_t)n, f) != (size_t)n) {
		free(b);
		fclose(f);
		return -1;
	}
	fclose(f);
	*out = b;
	*len = (DWORD)n;
	return 0;
}

static int
write_whole(const char *path, const BYTE *p, DWORD n)
{
	FILE *f = fopen(path, "wb");
	int ok;

	if (!f)
		return -1;
	ok = fwrite(p, 1, n, f) == n;
	return fclose(f) == 0 && ok ? 0 : -1;
}

static long
hex_decode(const char *s, BYTE *out, size_t cap)
{
	size_t n = 0;

	while (s[0] && s[1]) {
		unsigned v;

		if (n == cap || sscanf(s, "%2x", &v) != 1)
			return -1;
		out[n++] = (BYTE)v;
		s += 2;
	}
	return s[0] ? -1 : (long)n;
}

static void
reverse(BYTE *p, DWORD n)
{
	DWORD i;

	for (i = 0; i < n / 2; i++) {
		BYTE t = p[i];

		p[i] = p[n - 1 - i];
		p[n - 1 - i] = t;
	}
}

/* DER length + content of a positive INTEGER from a big-endian number */
static size_t
der_int(BYTE *out, const BYTE *be, DWORD n)
{
	size_t k = 0, len;

	while (n > 1 && be[0] == 0)
		be++, n--;
	len = n + (be[0] & 0x80 ? 1 : 0);
	out[k++] = 0x02;
	if (len < 0x80) {
		out[k++] = (BYTE)len;
	} else if (len < 0x100) {
		out[k++] = 0x81;
		out[k++] = (BYTE)len;
	} else {
		out[k++] = 0x82;
		out[k++] = (BYTE)(len >> 8);
		out[k++] = (BYTE)len;
	}
	if (be[0] & 0x80)
		out[k++] = 0;
	memcpy(out + k, be, n);
	return k + n;
}

/* A PUBLICKEYBLOB (BLOBHEADER, RSAPUBKEY, modulus little endian) as a DER
 * RSAPublicKey; returns the modulus bits, 0 on a malformed blob. */
static DWORD
blob_to_der(const BYTE *blob, DWORD len, BYTE *der, size_t cap, size_t *der_len)
{
	const PUBLICKEYSTRUC *h = (const PUBLICKEYSTRUC *)blob;
	const RSAPUBKEY *k = (const RSAPUBKEY *)(blob + sizeof(*h));
	BYTE mod[1024], exp[4], body[1100];
	DWORD mlen, i;
	size_t b = 0, d = 0;

	if (len < sizeof(*h) + sizeof(*k) || h->bType != PUBLICKEYBLOB || k->magic != 0x31415352)
		return 0;
	mlen = k->bitlen / 8;
	if (!mlen || mlen > sizeof(mod) || len < sizeof(*h) + sizeof(*k) + mlen)
		return 0;
	memcpy(mod, blob + sizeof(*h) + sizeof(*k), mlen);
	reverse(mod, mlen);
	for (i = 0; i < 4; i++)
		exp[i] = (BYTE)(k->pubexp >> (24 - 8 * i));
	b += der_int(body + b, mod, mlen);
	b += der_int(body + b, exp, 4);
	if (cap < b + 4)
		return 0;
	der[d++] = 0x30;
	der[d++] = 0x82;
	der[d++] = (BYTE)(b >> 8);
	der[d++] = (BYTE)b;
	memcpy(der + d, body, b);
	*der_len = d + b;
	return k->bitlen;
}

/* ---- the card and its minidriver ----------------------------------------- */

static struct {
	SCARDCONTEXT ctx;
	SCARDHANDLE card;
	char reader[256];
	BYTE atr[36];
	DWORD atr_len;
	WCHAR name[256];
	WCHAR dll[MAX_PATH];
	HMODULE module;
	CARD_DATA cd;
	int acquired;
} h;

static int
connect_card(const char *want)
{
	char *list = NULL, *r;
	DWORD len = 0, proto, state, rlen;
	LONG rv;

	rv = SCardEstablishContext(SCARD_SCOPE_USER, NULL, NULL, &h.ctx);
	if (rv != SCARD_S_SUCCESS)
		return fail("SCardEstablishContext: 0x%08lX %s", (unsigned long)rv, rc_name((DWORD)rv));
	rv = SCardListReadersA(h.ctx, NULL, NULL, &len);
	if (rv != SCARD_S_SUCCESS || !len || !(list = malloc(len)))
		return fail("no readers (SCardListReaders: 0x%08lX %s)", (unsigned long)rv, rc_name((DWORD)rv));
	rv = SCardListReadersA(h.ctx, NULL, list, &len);
	for (r = list; rv == SCARD_S_SUCCESS && *r; r += strlen(r) + 1) {
		if (want && !strstr(r, want))
			continue;
		rv = SCardConnectA(h.ctx, r, SCARD_SHARE_SHARED,
				SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1, &h.card, &proto);
		if (rv == SCARD_S_SUCCESS) {
			snprintf(h.reader, sizeof(h.reader), "%s", r);
			break;
		}
		if (want)
			break;
		rv = SCARD_S_SUCCESS; /* no card there: try the next reader */
	}
	free(list);
	if (!h.reader[0])
		return fail("no card in %s (0x%08lX %s)", want ? want : "any reader",
				(unsigned long)rv, rc_name((DWORD)rv));
	rlen = 0;
	h.atr_len = sizeof(h.atr);
	rv = SCardStatusA(h.card, NULL, &rlen, &state, &proto, h.atr, &h.atr_len);
	if (rv != SCARD_S_SUCCESS)
		return fail("SCardStatus: 0x%08lX %s", (unsigned long)rv, rc_name((DWORD)rv));
	return 0;
}

/* The Base CSP's lookup: the card types whose ATR, masked with their
 * ATRMask, equals the card's ATR masked the same way (same length). */
static int
find_minidriver(void)
{
	HKEY root, k;
	WCHAR sub[256];
	DWORD i, n, matches = 0;
	LONG rv;

	rv = RegOpenKeyExW(HKEY_LOCAL_MACHINE, SMARTCARDS_KEY, 0,
			KEY_READ | KEY_WOW64_64KEY, &root);
	if (rv != ERROR_SUCCESS)
		return fail("no HKLM\\%ls (is the installer run?)", SMARTCARDS_KEY);
	for (i = 0;; i++) {
		BYTE atr[36], mask[36];
		DWORD alen = sizeof(atr), mlen = sizeof(mask), type, j, dlen;
		int same = 1;

		n = sizeof(sub) / sizeof(sub[0]);
		if (RegEnumKeyExW(root, i, sub, &n, NULL, NULL, NULL, NULL) != ERROR_SUCCESS)
			break;
		if (RegOpenKeyExW(root, sub, 0, KEY_READ | KEY_WOW64_64KEY, &k) != ERROR_SUCCESS)
			continue;
		if (RegQueryValueExW(k, L"ATR", NULL, &type, atr, &alen) != ERROR_SUCCESS ||
				type != REG_BINARY || alen != h.atr_len) {
			RegCloseKey(k);
			continue;
		}
		if (RegQueryValueExW(k, L"ATRMask", NULL, &type, mask, &mlen) != ERROR_SUCCESS) {
			memset(mask, 0xFF, sizeof(mask));
			mlen = alen;
		}
		if (mlen != alen) {
			RegCloseKey(k);
			continue;
		}
		for (j = 0; j < alen; j++)
			if ((atr[j] & mask[j]) != (h.atr[j] & mask[j]))
				same = 0;
		if (same) {
			WCHAR dll[MAX_PATH];

			dlen = sizeof(dll) - sizeof(WCHAR);
			memset(dll, 0, sizeof(dll));
			if (RegQueryValueExW(k, L"80000001", NULL, &type, (BYTE *)dll, &dlen) == ERROR_SUCCESS &&
					(type == REG_SZ || type == REG_EXPAND_SZ)) {
				matches++;
				printf("match: card=%ls minidriver=%ls\n", sub, dll);
				if (matches == 1) {
					wcsncpy(h.name, sub, sizeof(h.name) / sizeof(h.name[0]) - 1);
					ExpandEnvironmentStringsW(dll, h.dll, MAX_PATH);
				}
			}
		}
		RegCloseKey(k);
	}
	RegCloseKey(root);
	printf("find: reader=%s atr=", h.reader);
	print_hex(h.atr, h.atr_len);
	printf(" matches=%lu\n", (unsigned long)matches);
	if (matches != 1)
		return fail("%lu card types match the ATR; the Base CSP needs exactly one",
				(unsigned long)matches);
	return 0;
}

static DWORD
acquire(void)
{
	PFN_CARD_ACQUIRE_CONTEXT fn;
	DWORD rc;

	h.module = LoadLibraryW(h.dll);
	if (!h.module) {
		fail("cannot load %ls (error %lu)", h.dll, (unsigned long)GetLastError());
		return (DWORD)-1;
	}
	fn = (PFN_CARD_ACQUIRE_CONTEXT)(void *)GetProcAddress(h.module, "CardAcquireContext");
	if (!fn) {
		fail("%ls exports no CardAcquireContext", h.dll);
		return (DWORD)-1;
	}
	memset(&h.cd, 0, sizeof(h.cd));
	h.cd.dwVersion = CARD_DATA_CURRENT_VERSION;
	h.cd.pbAtr = h.atr;
	h.cd.cbAtr = h.atr_len;
	h.cd.pwszCardName = h.name;
	h.cd.pfnCspAlloc = csp_alloc;
	h.cd.pfnCspReAlloc = csp_realloc;
	h.cd.pfnCspFree = csp_free;
	h.cd.pfnCspCacheAddFile = cache_add;
	h.cd.pfnCspCacheLookupFile = cache_lookup;
	h.cd.pfnCspCacheDeleteFile = cache_delete;
	h.cd.pvCacheContext = NULL;
	h.cd.pfnCspPadData = pad_data;
	h.cd.pfnCspUnpadData = unpad_data;
	h.cd.hSCardCtx = h.ctx;
	h.cd.hScard = h.card;
	rc = fn(&h.cd, 0);
	report("acquire", rc, "version=%lu card=%ls", (unsigned long)h.cd.dwVersion, h.name);
	if (rc == SCARD_S_SUCCESS)
		h.acquired = 1;
	return rc;
}

/* ---- steps --------------------------------------------------------------- */

static void
print_cmap(const BYTE *p, DWORD n)
{
	DWORD i;

	for (i = 0; i + sizeof(CONTAINER_MAP_RECORD) <= n; i += sizeof(CONTAINER_MAP_RECORD)) {
		const CONTAINER_MAP_RECORD *r = (const CONTAINER_MAP_RECORD *)(p + i);

		if (!r->bFlags && !r->wszGuid[0])
			continue; /* an unused slot */
		printf("cmap[%lu]: flags=0x%02X sig=%u kx=%u guid=%.*ls\n",
				(unsigned long)(i / sizeof(CONTAINER_MAP_RECORD)), r->bFlags,
				r->wSigKeySizeBits, r->wKeyExchangeKeySizeBits,
				MAX_CONTAINER_NAME_LEN + 1, r->wszGuid);
	}
}

static DWORD
step_read(char **a, int n)
{
	char dir[16] = "", *file = a[0], *slash = strchr(a[0], '/');
	PBYTE data = NULL;
	DWORD len = 0, rc;

	if (slash) {
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - a[0]), a[0]);
		file = slash + 1;
	}
	rc = h.cd.pfnCardReadFile(&h.cd, dir[0] ? dir : NULL, file, 0, &data, &len);
	take_buffer("CardReadFile", data);
	report("read", rc, "file=%s size=%lu", a[0], (unsigned long)(rc ? 0 : len));
	if (rc == SCARD_S_SUCCESS && data) {
		if (!strcmp(file, "cmapfile"))
			print_cmap(data, len);
		else if (!strcmp(file, "cardcf") && len >= sizeof(CARD_CACHE_FILE_FORMAT)) {
			const CARD_CACHE_FILE_FORMAT *c = (const CARD_CACHE_FILE_FORMAT *)data;

			printf("cardcf: version=%u pins=%u containers=%u files=%u\n", c->bVersion,
					c->bPinsFreshness, c->wContainersFreshness, c->wFilesFreshness);
		} else if (len <= 64) {
			printf("data: ");
			print_hex(data, len);
			putchar('\n');
		}
		if (n > 1 && write_whole(a[1], data, len) < 0)
			fprintf(stderr, "md-harness: cannot write %s\n", a[1]);
	}
	give_back("CardReadFile", data);
	return rc;
}

static DWORD
step_caps(char **a, int n)
{
	CARD_CAPABILITIES c;
	DWORD rc;

	(void)a, (void)n;
	memset(&c, 0, sizeof(c));
	c.dwVersion = CARD_CAPABILITIES_CURRENT_VERSION;
	rc = h.cd.pfnCardQueryCapabilities(&h.cd, &c);
	report("caps", rc, "keygen=%d compression=%d", c.fKeyGen, c.fCertificateCompression);
	return rc;
}

static DWORD
step_keysizes(char **a, int n)
{
	CARD_KEY_SIZES k;
	DWORD rc;

	(void)n;
	memset(&k, 0, sizeof(k));
	k.dwVersion = CARD_KEY_SIZES_CURRENT_VERSION;
	rc = h.cd.pfnCardQueryKeySizes(&h.cd, (DWORD)atoi(a[0]), 0, &k);
	report("keysizes", rc, "min=%lu default=%lu max=%lu step=%lu", (unsigned long)k.dwMinimumBitlen,
			(unsigned long)k.dwDefaultBitlen, (unsigned long)k.dwMaximumBitlen,
			(unsigned long)k.dwIncrementalBitlen);
	return rc;
}

static DWORD
step_free_space(char **a, int n)
{
	CARD_FREE_SPACE_INFO f;
	DWORD rc;

	(void)a, (void)n;
	memset(&f, 0, sizeof(f));
	f.dwVersion = CARD_FREE_SPACE_INFO_CURRENT_VERSION;
	rc = h.cd.pfnCardQueryFreeSpace(&h.cd, 0, &f);
	report("free-space", rc, "bytes=%ld containers=%ld max=%lu", (long)f.dwBytesAvailable,
			(long)f.dwKeyContainersAvailable, (unsigned long)f.dwMaxKeyContainers);
	return rc;
}

static DWORD
step_prop(char **a, int n)
{
	union {
		BYTE b[512];
		PIN_INFO pin;
		CARD_KEY_SIZES ks;
		CARD_FREE_SPACE_INFO fs;
		DWORD dw;
		BOOL yes;
	} u;
	const char *what = a[0];
	DWORD flags = n > 1 ? (DWORD)strtoul(a[1], NULL, 0) : 0, len = 0, rc;
	LPCWSTR name;

	memset(&u, 0, sizeof(u));
	if (!strcmp(what, "pin-info")) {
		name = CP_CARD_PIN_INFO;
		u.pin.dwVersion = PIN_INFO_CURRENT_VERSION;
	} else if (!strcmp(what, "keysizes")) {
		name = CP_CARD_KEYSIZES;
		u.ks.dwVersion = CARD_KEY_SIZES_CURRENT_VERSION;
	} else if (!strcmp(what, "free-space")) {
		name = CP_CARD_FREE_SPACE;
		u.fs.dwVersion = CARD_FREE_SPACE_INFO_CURRENT_VERSION;
	} else if (!strcmp(what, "serial")) {
		name = CP_CARD_SERIAL_NO;
	} else if (!strcmp(what, "read-only")) {
		name = CP_CARD_READ_ONLY;
	} else if (!strcmp(what, "guid")) {
		name = CP_CARD_GUID;
	} else if (!strcmp(what, "x509-enrol")) {
		name = CP_SUPPORTS_WIN_X509_ENROLLMENT;
	} else if (!strcmp(what, "list-pins")) {
		name = CP_CARD_LIST_PINS;
	} else if (!strcmp(what, "key-import")) {
		name = CP_KEY_IMPORT_SUPPORT;
	} else if (!strcmp(what, "cache-mode")) {
		name = CP_CARD_CACHE_MODE;
	} else {
		report("prop", SCARD_E_INVALID_PARAMETER, "unknown property '%s'", what);
		return SCARD_E_INVALID_PARAMETER;
	}
	rc = h.cd.pfnCardGetProperty(&h.cd, name, u.b, sizeof(u.b), &len, flags);
	if (rc != SCARD_S_SUCCESS) {
		report("prop", rc, "name=%s", what);
		return rc;
	}
	if (!strcmp(what, "pin-info"))
		report("prop", rc, "name=%s role=%lu type=%d purpose=%d change=0x%02lX unblock=0x%02lX cache=%d",
				what, (unsigned long)flags, u.pin.PinType, u.pin.PinPurpose,
				(unsigned long)u.pin.dwChangePermission,
				(unsigned long)u.pin.dwUnblockPermission,
				u.pin.PinCachePolicy.PinCachePolicyType);
	else if (!strcmp(what, "keysizes"))
		report("prop", rc, "name=%s spec=%lu min=%lu default=%lu max=%lu step=%lu", what,
				(unsigned long)flags, (unsigned long)u.ks.dwMinimumBitlen,
				(unsigned long)u.ks.dwDefaultBitlen, (unsigned long)u.ks.dwMaximumBitlen,
				(unsigned long)u.ks.dwIncrementalBitlen);
	else if (!strcmp(what, "free-space"))
		report("prop", rc, "name=%s bytes=%ld containers=%ld max=%lu", what,
				(long)u.fs.dwBytesAvailable, (long)u.fs.dwKeyContainersAvailable,
				(unsigned long)u.fs.dwMaxKeyContainers);
	else if (!strcmp(what, "serial") || !strcmp(what, "guid")) {
		printf("%s: rc=0x%08lX %s name=%s value=", "prop", (unsigned long)rc, rc_name(rc), what);
		print_hex(u.b, len < sizeof(u.b) ? len : sizeof(u.b));
		putchar('\n');
	} else
		report("prop", rc, "name=%s value=%lu", what, (unsigned long)u.dw);
	return rc;
}

/* The key spec of a container: key exchange if it has such a key. */
static DWORD
container_spec(BYTE idx, DWORD *bits)
{
	CONTAINER_INFO ci;
	DWORD rc, spec = AT_SIGNATURE;

	memset(&ci, 0, sizeof(ci));
	ci.dwVersion = CONTAINER_INFO_CURRENT_VERSION;
	rc = h.cd.pfnCardGetContainerInfo(&h.cd, idx, 0, &ci);
	take_buffer("CardGetContainerInfo", ci.pbSigPublicKey);
	take_buffer("CardGetContainerInfo", ci.pbKeyExPublicKey);
	if (rc == SCARD_S_SUCCESS && ci.pbKeyExPublicKey)
		spec = AT_KEYEXCHANGE;
	if (bits && rc == SCARD_S_SUCCESS) {
		const BYTE *b = ci.pbKeyExPublicKey ? ci.pbKeyExPublicKey : ci.pbSigPublicKey;

		*bits = b ? ((const RSAPUBKEY *)(b + sizeof(PUBLICKEYSTRUC)))->bitlen : 0;
	}
	give_back("CardGetContainerInfo", ci.pbSigPublicKey);
	give_back("CardGetContainerInfo", ci.pbKeyExPublicKey);
	return spec;
}

static DWORD
step_container(char **a, int n)
{
	CONTAINER_INFO ci;
	BYTE der[1100];
	size_t der_len = 0;
	DWORD rc, sig_bits = 0, kx_bits = 0;
	BYTE idx = (BYTE)atoi(a[0]);

	memset(&ci, 0, sizeof(ci));
	ci.dwVersion = CONTAINER_INFO_CURRENT_VERSION;
	rc = h.cd.pfnCardGetContainerInfo(&h.cd, idx, 0, &ci);
	take_buffer("CardGetContainerInfo", ci.pbSigPublicKey);
	take_buffer("CardGetContainerInfo", ci.pbKeyExPublicKey);
	if (rc == SCARD_S_SUCCESS) {
		if (ci.pbSigPublicKey)
			sig_bits = blob_to_der(ci.pbSigPublicKey, ci.cbSigPublicKey, der, sizeof(der), &der_len);
		if (ci.pbKeyExPublicKey)
			kx_bits = blob_to_der(ci.pbKeyExPublicKey, ci.cbKeyExPublicKey, der, sizeof(der), &der_len);
	}
	report("container", rc, "index=%u sig=%lu kx=%lu", idx, (unsigned long)sig_bits, (unsigned long)kx_bits);
	if (n > 1 && der_len && write_whole(a[1], der, (DWORD)der_len) < 0)
		fprintf(stderr, "md-harness: cannot write %s\n", a[1]);
	give_back("CardGetContainerInfo", ci.pbSigPublicKey);
	give_back("CardGetContainerInfo", ci.pbKeyExPublicKey);
	return rc;
}

static DWORD
step_login(char **a, int n)
{
	DWORD tries = (DWORD)-2, rc;
	PIN_ID role = n > 1 ? (PIN_ID)atoi(a[1]) : ROLE_USER;

	rc = h.cd.pfnCardAuthenticateEx(&h.cd, role, 0, (PBYTE)a[0], (DWORD)strlen(a[0]),
			NULL, NULL, &tries);
	report("login", rc, "role=%lu tries=%ld", (unsigned long)role, (long)tries);
	return rc;
}

static DWORD
step_sign(char **a, int n)
{
	BYTE hash[64];
	long hlen = hex_decode(a[2], hash, sizeof(hash));
	BCRYPT_PKCS1_PADDING_INFO p1;
	BCRYPT_PSS_PADDING_INFO pss;
	CARD_SIGNING_INFO si;
	LPCWSTR alg;
	ALG_ID calg;
	DWORD rc, out_len = 0;
	BYTE idx = (BYTE)atoi(a[0]);

	(void)n;
	switch (hlen) {
	case 20:
		alg = BCRYPT_SHA1_ALGORITHM;
		calg = CALG_SHA1;
		break;
	case 32:
		alg = BCRYPT_SHA256_ALGORITHM;
		calg = CALG_SHA_256;
		break;
	case 48:
		alg = BCRYPT_SHA384_ALGORITHM;
		calg = CALG_SHA_384;
		break;
	case 64:
		alg = BCRYPT_SHA512_ALGORITHM;
		calg = CALG_SHA_512;
		break;
	default:
		report("sign", SCARD_E_INVALID_PARAMETER, "the digest is not SHA-1/256/384/512 hex");
		return SCARD_E_INVALID_PARAMETER;
	}
	memset(&si, 0, sizeof(si));
	si.bContainerIndex = idx;
	si.dwKeySpec = container_spec(idx, NULL);
	si.pbData = hash;
	si.cbData = (DWORD)hlen;
	si.aiHashAlg = calg;
	if (!strcmp(a[1], "capi")) {
		si.dwVersion = CARD_SIGNING_INFO_BASIC_VERSION;
	} else if (!strcmp(a[1], "pkcs1")) {
		si.dwVersion = CARD_SIGNING_INFO_CURRENT_VERSION;
		si.dwSigningFlags = CARD_PADDING_INFO_PRESENT;
		si.dwPaddingType = CARD_PADDING_PKCS1;
		p1.pszAlgId = alg;
		si.pPaddingInfo = &p1;
	} else if (!strcmp(a[1], "pss")) {
		si.dwVersion = CARD_SIGNING_INFO_CURRENT_VERSION;
		si.dwSigningFlags = CARD_PADDING_INFO_PRESENT;
		si.dwPaddingType = CARD_PADDING_PSS;
		pss.pszAlgId = alg;
		pss.cbSalt = (ULONG)hlen;
		si.pPaddingInfo = &pss;
	} else {
		report("sign", SCARD_E_INVALID_PARAMETER, "padding '%s' is not pkcs1, pss or capi", a[1]);
		return SCARD_E_INVALID_PARAMETER;
	}
	rc = h.cd.pfnCardSignData(&h.cd, &si);
	if (take_buffer("CardSignData", si.pbSignedData) < 0)
		si.pbSignedData = NULL;
	if (rc == SCARD_S_SUCCESS && si.pbSignedData) {
		out_len = si.cbSignedData;
		reverse(si.pbSignedData, out_len); /* CryptoAPI order to big endian */
		if (write_whole(a[3], si.pbSignedData, out_len) < 0)
			fprintf(stderr, "md-harness: cannot write %s\n", a[3]);
	} else if (si.pbSignedData) {
		/* OpenSC's CardSignData keeps pbSignedData allocated when the
		 * card fails; the CSP gives it back (doc/windows.md) */
		printf("note: CardSignData failed and left pbSignedData allocated; the harness frees it\n");
	}
	report("sign", rc, "index=%u padding=%s spec=%lu bytes=%lu", idx, a[1],
			(unsigned long)si.dwKeySpec, (unsigned long)out_len);
	give_back("CardSignData", si.pbSignedData);
	return rc;
}

static DWORD
step_decrypt(char **a, int n)
{
	CARD_RSA_DECRYPT_INFO di;
	BYTE *in = NULL;
	DWORD len = 0, rc;
	BYTE idx = (BYTE)atoi(a[0]);

	(void)n;
	if (read_whole(a[1], &in, &len) < 0) {
		report("decrypt", SCARD_E_INVALID_PARAMETER, "cannot read %s", a[1]);
		return SCARD_E_INVALID_PARAMETER;
	}
	reverse(in, len); /* CryptoAPI order */
	memset(&di, 0, sizeof(di));
	di.dwVersion = CARD_RSA_KEY_DECRYPT_INFO_VERSION_TWO;
	di.bContainerIndex = idx;
	di.dwKeySpec = AT_KEYEXCHANGE;
	di.pbData = in;
	di.cbData = len;
	di.dwPaddingType = CARD_PADDING_PKCS1;
	rc = h.cd.pfnCardRSADecrypt(&h.cd, &di);
	if (rc == SCARD_S_SUCCESS) {
		reverse(in, di.cbData);
		if (write_whole(a[2], in, di.cbData) < 0)
			fprintf(stderr, "md-harness: cannot write %s\n", a[2]);
	}
	report("decrypt", rc, "index=%u bytes=%lu", idx, (unsigned long)(rc ? 0 : di.cbData));
	SecureZeroMemory(in, len);
	free(in);
	return rc;
}

/* A new container, as the Base CSP makes one for an enrolment: read the
 * container map, take the first free slot, write the map with the new
 * container's record (its name, a GUID, and the key size), then ask the
 * minidriver to generate the key in that slot. */
static DWORD
step_enrol(char **a, int n)
{
	PBYTE map = NULL, next = NULL;
	DWORD len = 0, rc, bits = (DWORD)atoi(a[0]), idx, count, kbits = 0;
	CONTAINER_MAP_RECORD *r;
	GUID g;
	WCHAR guid[MAX_CONTAINER_NAME_LEN + 1];

	rc = h.cd.pfnCardReadFile(&h.cd, szBASE_CSP_DIR, szCONTAINER_MAP_FILE, 0, &map, &len);
	take_buffer("CardReadFile", map);
	if (rc == (DWORD)SCARD_E_FILE_NOT_FOUND)
		len = 0;
	else if (rc != SCARD_S_SUCCESS) {
		report("enrol", rc, "reading the container map");
		give_back("CardReadFile", map);
		return rc;
	}
	count = len / sizeof(CONTAINER_MAP_RECORD);
	for (idx = 0; idx < count; idx++)
		if (!(((CONTAINER_MAP_RECORD *)map)[idx].bFlags & CONTAINER_MAP_VALID_CONTAINER))
			break;
	next = malloc((idx < count ? count : idx + 1) * sizeof(CONTAINER_MAP_RECORD));
	if (!next) {
		give_back("CardReadFile", map);
		return SCARD_E_NO_MEMORY;
	}
	if (len)
		memcpy(next, map, len);
	give_back("CardReadFile", map);
	if (idx == count)
		count++;
	r = (CONTAINER_MAP_RECORD *)next + idx;
	memset(r, 0, sizeof(*r));
	CoCreateGuid(&g);
	swprintf(guid, MAX_CONTAINER_NAME_LEN + 1,
			L"{%08lX-%04X-%04X-%02X%02X-%02X%02X%02X%02X%02X%02X}",
			(unsigned long)g.Data1, g.Data2, g.Data3, g.Data4[0], g.Data4[1], g.Data4[2],
			g.Data4[3], g.Data4[4], g.Data4[5], g.Data4[6], g.Data4[7]);
	wcsncpy(r->wszGuid, guid, MAX_CONTAINER_NAME_LEN);
	r->bFlags = CONTAINER_MAP_VALID_CONTAINER;
	if (idx == 0)
		r->bFlags |= CONTAINER_MAP_DEFAULT_CONTAINER;
	r->wKeyExchangeKeySizeBits = (WORD)bits;
	rc = h.cd.pfnCardWriteFile(&h.cd, szBASE_CSP_DIR, szCONTAINER_MAP_FILE, 0, next,
			count * sizeof(CONTAINER_MAP_RECORD));
	free(next);
	if (rc != SCARD_S_SUCCESS) {
		report("enrol", rc, "writing the container map");
		return rc;
	}
	rc = h.cd.pfnCardCreateContainerEx(&h.cd, (BYTE)idx, CARD_CREATE_CONTAINER_KEY_GEN,
			AT_KEYEXCHANGE, bits, NULL, ROLE_USER);
	if (rc == SCARD_S_SUCCESS)
		container_spec((BYTE)idx, &kbits);
	report("enrol", rc, "index=%lu bits=%lu guid=%ls public=%lu", (unsigned long)idx,
			(unsigned long)bits, guid, (unsigned long)kbits);
	if (rc == SCARD_S_SUCCESS && n > 1) {
		char sidx[8], *args[2] = {sidx, a[1]};

		snprintf(sidx, sizeof(sidx), "%lu", (unsigned long)idx);
		step_container(args, 2);
	}
	return rc;
}

static DWORD
step_cert(char **a, int n)
{
	char name[16];
	CARD_FILE_INFO fi;
	BYTE *cert = NULL;
	DWORD len = 0, rc;

	(void)n;
	if (read_whole(a[1], &cert, &len) < 0) {
		report("cert", SCARD_E_INVALID_PARAMETER, "cannot read %s", a[1]);
		return SCARD_E_INVALID_PARAMETER;
	}
	/* as the CSP: create the file unless it exists, then write it */
	snprintf(name, sizeof(name), "%s%02x", szUSER_KEYEXCHANGE_CERT_PREFIX, atoi(a[0]));
	memset(&fi, 0, sizeof(fi));
	fi.dwVersion = CARD_FILE_INFO_CURRENT_VERSION;
	rc = h.cd.pfnCardGetFileInfo(&h.cd, szBASE_CSP_DIR, name, &fi);
	if (rc == (DWORD)SCARD_E_FILE_NOT_FOUND)
		rc = h.cd.pfnCardCreateFile(&h.cd, szBASE_CSP_DIR, name, 0, EveryoneReadUserWriteAc);
	if (rc == SCARD_S_SUCCESS)
		rc = h.cd.pfnCardWriteFile(&h.cd, szBASE_CSP_DIR, name, 0, cert, len);
	report("cert", rc, "file=mscp/%s bytes=%lu", name, (unsigned long)len);
	free(cert);
	return rc;
}

static DWORD
step_delete_container(char **a, int n)
{
	DWORD rc;
	BYTE idx = (BYTE)atoi(a[0]);

	(void)n;
	rc = h.cd.pfnCardDeleteContainer(&h.cd, idx, 0);
	report("delete-container", rc, "index=%u", idx);
	return rc;
}

static DWORD
step_change_pin(char **a, int n)
{
	DWORD tries = (DWORD)-2, rc;

	(void)n;
	rc = h.cd.pfnCardChangeAuthenticatorEx(&h.cd, PIN_CHANGE_FLAG_CHANGEPIN,
			ROLE_USER, (PBYTE)a[0], (DWORD)strlen(a[0]),
			ROLE_USER, (PBYTE)a[1], (DWORD)strlen(a[1]), 0, &tries);
	report("change-pin", rc, "tries=%ld", (long)tries);
	return rc;
}

static DWORD
step_unblock(char **a, int n)
{
	DWORD tries = (DWORD)-2, rc;

	(void)n;
	rc = h.cd.pfnCardChangeAuthenticatorEx(&h.cd, PIN_CHANGE_FLAG_UNBLOCK,
			ROLE_ADMIN, (PBYTE)a[0], (DWORD)strlen(a[0]),
			ROLE_USER, (PBYTE)a[1], (DWORD)strlen(a[1]), 0, &tries);
	report("unblock", rc, "tries=%ld", (long)tries);
	return rc;
}

static DWORD
step_logout(char **a, int n)
{
	DWORD rc;

	(void)a, (void)n;
	rc = h.cd.pfnCardDeauthenticateEx(&h.cd, CREATE_PIN_SET(ROLE_USER), 0);
	report("logout", rc, NULL);
	return rc;
}

static DWORD
step_logout_v4(char **a, int n)
{
	DWORD rc;

	(void)a, (void)n;
	rc = h.cd.pfnCardDeauthenticate(&h.cd, wszCARD_USER_USER, 0);
	report("logout-v4", rc, NULL);
	return rc;
}

static DWORD
step_sleep(char **a, int n)
{
	(void)n;
	Sleep((DWORD)atoi(a[0]));
	report("sleep", SCARD_S_SUCCESS, "ms=%d", atoi(a[0]));
	return SCARD_S_SUCCESS;
}

static const struct step {
	const char *name;
	int min, max;
	DWORD (*run)
	(char **args, int n);
} steps[] = {
		{"read", 1, 2, step_read},
		{"caps", 0, 0, step_caps},
		{"prop", 1, 2, step_prop},
		{"keysizes", 1, 1, step_keysizes},
		{"free-space", 0, 0, step_free_space},
		{"container", 1, 2, step_container},
		{"login", 1, 2, step_login},
		{"sign", 4, 4, step_sign},
		{"decrypt", 3, 3, step_decrypt},
		{"enrol", 1, 2, step_enrol},
		{"cert", 2, 2, step_cert},
		{"delete-container", 1, 1, step_delete_container},
		{"change-pin", 2, 2, step_change_pin},
		{"unblock", 2, 2, step_unblock},
		{"logout", 0, 0, step_logout},
		{"logout-v4", 0, 0, step_logout_v4},
		{"sleep", 1, 1, step_sleep},
};

static const struct step *
find_step(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++)
		if (!strcmp(steps[i].name, name))
			return &steps[i];
	return NULL;
}

static int
usage(void)
{
	fprintf(stderr, "usage: md-harness [-r READER] STEP [ARG...] [-- STEP [ARG...]]...\n"
			"steps: read caps prop keysizes free-space container login sign decrypt\n"
			"       enrol cert change-pin unblock logout logout-v4 sleep (see the source's header)\n");
	return 2;
}

int
main(int argc, char **argv)
{
	struct {
		const struct step *s;
		char **args;
		int n;
	} plan[MAX_STEPS];
	const char *reader = NULL;
	int i = 1, nplan = 0, k, status = 0;
	DWORD rc;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (i + 1 < argc && !strcmp(argv[i], "-r")) {
		reader = argv[i + 1];
		i += 2;
	}
	/* parse everything before touching the card */
	while (i < argc) {
		int start = i + 1, end;

		if (nplan == MAX_STEPS)
			return usage();
		plan[nplan].s = find_step(argv[i]);
		if (!plan[nplan].s) {
			fprintf(stderr, "md-harness: unknown step '%s'\n", argv[i]);
			return usage();
		}
		for (end = start; end < argc && strcmp(argv[end], "--"); end++)
			;
		plan[nplan].args = argv + start;
		plan[nplan].n = end - start;
		if (plan[nplan].n < plan[nplan].s->min || plan[nplan].n > plan[nplan].s->max) {
			fprintf(stderr, "md-harness: step '%s' takes %d to %d arguments\n",
					argv[i], plan[nplan].s->min, plan[nplan].s->max);
			return usage();
		}
		nplan++;
		i = end < argc ? end + 1 : end;
	}

	if (connect_card(reader) || find_minidriver())
		return 2;
	rc = acquire();
	if (rc == (DWORD)-1)
		return 2;
	if (rc != SCARD_S_SUCCESS) {
		status = 1;
	} else {
		for (k = 0; k < nplan; k++)
			if (plan[k].s->run(plan[k].args, plan[k].n) != SCARD_S_SUCCESS)
				status = 1;
		rc = h.cd.pfnCardDeleteContext(&h.cd);
		report("delete", rc, NULL);
		if (rc != SCARD_S_SUCCESS)
			status = 1;
	}
	SCardDisconnect(h.card, SCARD_LEAVE_CARD);
	SCardReleaseContext(h.ctx);

	printf("memory: allocs=%lu reallocs=%lu frees=%lu live=%lu foreign=%lu failed=%lu\n",
			mem.allocs, mem.reallocs, mem.frees, (unsigned long)mem.n, mem.foreign, mem.failed);
	for (k = 0; k < (int)mem.n; k++)
		printf("leak: %lu bytes at %p\n", (unsigned long)mem.live[k].size, mem.live[k].p);
	if (mem.n || mem.foreign)
		return 3;
	return status;
}
