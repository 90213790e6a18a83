/*
 * wpcsc: Winelib bridge from the 64-bit Windows PC/SC API to pcsc-lite.
 *
 * Wine 8's winscard.dll is stubs, so Windows programs under wine see no
 * reader. This builtin DLL (an ELF module built with winegcc) exports the
 * winscard.dll functions that OpenSC and a Base-CSP-like test harness use
 * and forwards each call to libpcsclite.so.1, the client library of the
 * Linux pcscd. Windows code calls it through the ms_abi with LLP64 types
 * (DWORD and LONG 32 bits, SCARD_READERSTATE with a 36-byte ATR, an 8-byte
 * SCARD_IO_REQUEST); pcsc-lite on Linux uses LP64 types (DWORD and LONG 64
 * bits, a 33-byte ATR, a 16-byte SCARD_IO_REQUEST). Every argument that
 * differs is converted here, and so are the values whose encodings differ:
 * SCARD_PROTOCOL_RAW, the card state of SCardStatus (an enumeration on
 * Windows, bit flags in pcsc-lite) and SCardControl codes (SCARD_CTL_CODE).
 * SCardGetAttrib answers the reader name attributes itself (OpenSC's
 * minidriver asks for SCARD_ATTR_DEVICE_SYSTEM_NAME_A; pcscd's vpcd driver
 * does not know it).
 *
 * tests/windows/winscard.def makes a native winscard.dll that forwards to
 * this one; doc/windows.md says how the two are set up in the wine prefix.
 */
#include <windows.h>
#include <winscard.h>
#include <dlfcn.h>
#include <string.h>

/* --- pcsc-lite's types on 64-bit Linux (pcsclite.h, wintypes.h) ------- */
typedef long pl_long;
typedef unsigned long pl_dword;
#define PL_MAX_ATR 33
typedef struct {
	const char *szReader;
	void *pvUserData;
	pl_dword dwCurrentState;
	pl_dword dwEventState;
	pl_dword cbAtr;
	unsigned char rgbAtr[PL_MAX_ATR];
} pl_readerstate;
typedef struct {
	pl_dword dwProtocol;
	pl_dword cbPciLength;
} pl_io_request;

/* values that differ between the two APIs */
#define PL_PROTOCOL_RAW 0x4UL
#define WIN_PROTOCOL_RAW 0x10000UL
#define WIN_PROTOCOL_DEFAULT 0x80000000UL
#define WIN_CTL_BASE 0x00310000UL /* FILE_DEVICE_SMARTCARD << 16 */
#define PL_CTL_BASE 0x42000000UL
#define ATTR_FRIENDLY_NAME_A 0x7FFF0003UL
#define ATTR_SYSTEM_NAME_A 0x7FFF0004UL
#define ATTR_FRIENDLY_NAME_W 0x7FFF0005UL
#define ATTR_SYSTEM_NAME_W 0x7FFF0006UL
#define BR_E_INVALID_PARAMETER ((LONG)0x80100004)
#define BR_E_INSUFFICIENT_BUFFER ((LONG)0x80100008)
#define BR_E_NO_MEMORY ((LONG)0x80100006)
#define BR_E_NO_SERVICE ((LONG)0x8010001D)
#define BR_E_UNSUPPORTED_FEATURE ((LONG)0x80100022)
#define BR_MAX_NAMES 65536

/* --- libpcsclite, loaded on first use ---------------------------------- */
static struct {
	pl_long (*establish)(pl_dword, const void *, const void *, pl_long *);
	pl_long (*release)(pl_long);
	pl_long (*is_valid)(pl_long);
	pl_long (*list_readers)(pl_long, const char *, char *, pl_dword *);
	pl_long (*list_groups)(pl_long, char *, pl_dword *);
	pl_long (*connect)(pl_long, const char *, pl_dword, pl_dword, pl_long *, pl_dword *);
	pl_long (*reconnect)(pl_long, pl_dword, pl_dword, pl_dword, pl_dword *);
	pl_long (*disconnect)(pl_long, pl_dword);
	pl_long (*begin)(pl_long);
	pl_long (*end)(pl_long, pl_dword);
	pl_long (*status)(pl_long, char *, pl_dword *, pl_dword *, pl_dword *, unsigned char *, pl_dword *);
	pl_long (*get_status_change)(pl_long, pl_dword, pl_readerstate *, pl_dword);
	pl_long (*cancel)(pl_long);
	pl_long (*control)(pl_long, pl_dword, const void *, pl_dword, void *, pl_dword, pl_dword *);
	pl_long (*transmit)(pl_long, const pl_io_request *, const unsigned char *, pl_dword, pl_io_request *, unsigned char *, pl_dword *);
	pl_long (*get_attrib)(pl_long, pl_dword, unsigned char *, pl_dword *);
	pl_long (*set_attrib)(pl_long, pl_dword, const unsigned char *, pl_dword);
} pl;
static BOOL pl_ok;
static INIT_ONCE pl_once = INIT_ONCE_STATIC_INIT;

static BOOL CALLBACK
pl_load(INIT_ONCE *once, void *param, void **ctx)
{
	void *h = dlopen("libpcsclite.so.1", RTLD_NOW | RTLD_LOCAL);
	if (h == NULL)
		return TRUE;
#define PL_SYM(field, name) \
	if ((*(void **)&pl.field = dlsym(h, name)) == NULL) \
		return TRUE;
	PL_SYM(establish, "SCardEstablishContext")
	PL_SYM(release, "SCardReleaseContext")
	PL_SYM(is_valid, "SCardIsValidContext")
	PL_SYM(list_readers, "SCardListReaders")
	PL_SYM(list_groups, "SCardListReaderGroups")
	PL_SYM(connect, "SCardConnect")
	PL_SYM(reconnect, "SCardReconnect")
	PL_SYM(disconnect, "SCardDisconnect")
	PL_SYM(begin, "SCardBeginTransaction")
	PL_SYM(end, "SCardEndTransaction")
	PL_SYM(status, "SCardStatus")
	PL_SYM(get_status_change, "SCardGetStatusChange")
	PL_SYM(cancel, "SCardCancel")
	PL_SYM(control, "SCardControl")
	PL_SYM(transmit, "SCardTransmit")
	PL_SYM(get_attrib, "SCardGetAttrib")
	PL_SYM(set_attrib, "SCardSetAttrib")
#undef PL_SYM
	pl_ok = TRUE;
	return TRUE;
}

/* pcsc-lite available? (else every call answers SCARD_E_NO_SERVICE) */
static BOOL
pl_ready(void)
{
	InitOnceExecuteOnce(&pl_once, pl_load, NULL, NULL);
	return pl_ok;
}
#define PL_READY() \
	do { \
		if (!pl_ready()) \
			return BR_E_NO_SERVICE; \
	} while (0)

/* --- value conversions -------------------------------------------------- */
static pl_dword
proto_to_pl(DWORD p)
{
	pl_dword r = p & 0xFFFFUL & ~PL_PROTOCOL_RAW;
	if (p & WIN_PROTOCOL_RAW)
		r |= PL_PROTOCOL_RAW;
	if (p & WIN_PROTOCOL_DEFAULT)
		r |= 0x3; /* T=0 | T=1: pcscd picks as Windows' default would */
	return r;
}

static DWORD
proto_to_win(pl_dword p)
{
	DWORD r = (DWORD)(p & 0xFFFFUL & ~PL_PROTOCOL_RAW);
	if (p & PL_PROTOCOL_RAW)
		r |= WIN_PROTOCOL_RAW;
	return r;
}

/* pcsc-lite's state bits (UNKNOWN 1, ABSENT 2, ... SPECIFIC 0x40) to
 * Windows' SCardStatus enumeration (UNKNOWN 0, ABSENT 1, ... SPECIFIC 6):
 * the highest bit set names the state */
static DWORD
state_to_win(pl_dword s)
{
	DWORD r = 0;
	int bit;
	for (bit = 1; bit <= 6; bit++)
		if (s & (1UL << bit))
			r = (DWORD)bit;
	return r;
}

static pl_dword
ctl_to_pl(DWORD code)
{
	if ((code & 0xFFFF0000UL) == WIN_CTL_BASE && (code & 3) == 0)
		return PL_CTL_BASE + ((code & 0xFFFFUL) >> 2);
	return code; /* already a pcsc-lite code (from a feature TLV) */
}

/* --- result buffers ------------------------------------------------------ */
static void *
br_alloc(size_t n)
{
	return HeapAlloc(GetProcessHeap(), 0, n ? n : 1);
}

/* Copy n bytes of src into the caller's buffer with Windows semantics:
 * out NULL asks for the length; *pcb == SCARD_AUTOALLOCATE makes out an
 * LPBYTE * that gets a buffer for SCardFreeMemory */
static LONG
ret_bytes(const void *src, size_t n, void *out, LPDWORD pcb)
{
	if (pcb == NULL)
		return BR_E_INVALID_PARAMETER;
	if (out != NULL && *pcb == SCARD_AUTOALLOCATE) {
		void *buf = br_alloc(n);
		if (buf == NULL)
			return BR_E_NO_MEMORY;
		memcpy(buf, src, n);
		*(void **)out = buf;
	} else if (out != NULL) {
		if (*pcb < n) {
			*pcb = (DWORD)n;
			return BR_E_INSUFFICIENT_BUFFER;
		}
		memcpy(out, src, n);
	}
	*pcb = (DWORD)n;
	return SCARD_S_SUCCESS;
}

/* length of a multi-string (all its NULs included) */
static size_t
multi_len(const char *s, size_t max)
{
	size_t n = 0;
	while (n + 1 < max && (s[n] != '\0' || s[n + 1] != '\0'))
		n++;
	return n + 2 <= max ? n + 2 : max;
}

/* a (multi-)string of n chars, NULs included, as UTF-16 with ret_bytes
 * semantics counted in WCHARs */
static LONG
ret_wide(const char *src, size_t n, void *out, LPDWORD pcch)
{
	int wn;
	WCHAR *w;
	LONG rv;
	DWORD cb;
	if (pcch == NULL)
		return BR_E_INVALID_PARAMETER;
	wn = MultiByteToWideChar(CP_UTF8, 0, src, (int)n, NULL, 0);
	if (wn <= 0)
		return BR_E_INVALID_PARAMETER;
	w = br_alloc((size_t)wn * sizeof(WCHAR));
	if (w == NULL)
		return BR_E_NO_MEMORY;
	MultiByteToWideChar(CP_UTF8, 0, src, (int)n, w, wn);
	cb = *pcch == SCARD_AUTOALLOCATE ? SCARD_AUTOALLOCATE : *pcch * sizeof(WCHAR);
	rv = ret_bytes(w, (size_t)wn * sizeof(WCHAR), out, &cb);
	*pcch = (DWORD)wn;
	HeapFree(GetProcessHeap(), 0, w);
	return rv;
}

/* a wide string as UTF-8, in a buffer the caller frees with HeapFree */
static char *
to_utf8(LPCWSTR w)
{
	int n;
	char *s;
	if (w == NULL)
		return NULL;
	n = WideCharToMultiByte(CP_UTF8, 0, w, -1, NULL, 0, NULL, NULL);
	if (n <= 0 || (s = br_alloc((size_t)n)) == NULL)
		return NULL;
	WideCharToMultiByte(CP_UTF8, 0, w, -1, s, n, NULL, NULL);
	return s;
}

/* --- context ------------------------------------------------------------- */
LONG WINAPI
bridge_SCardEstablishContext(DWORD scope, LPCVOID r1, LPCVOID r2, LPSCARDCONTEXT ctx)
{
	pl_long c = 0;
	LONG rv;
	PL_READY();
	if (ctx == NULL)
		return BR_E_INVALID_PARAMETER;
	rv = (LONG)pl.establish(scope, NULL, NULL, &c);
	*ctx = (SCARDCONTEXT)c;
	return rv;
}

LONG WINAPI
bridge_SCardReleaseContext(SCARDCONTEXT ctx)
{
	PL_READY();
	return (LONG)pl.release((pl_long)ctx);
}

LONG WINAPI
bridge_SCardIsValidContext(SCARDCONTEXT ctx)
{
	PL_READY();
	return (LONG)pl.is_valid((pl_long)ctx);
}

LONG WINAPI
bridge_SCardFreeMemory(SCARDCONTEXT ctx, LPCVOID mem)
{
	if (mem != NULL)
		HeapFree(GetProcessHeap(), 0, (void *)mem);
	return SCARD_S_SUCCESS;
}

LONG WINAPI
bridge_SCardCancel(SCARDCONTEXT ctx)
{
	PL_READY();
	return (LONG)pl.cancel((pl_long)ctx);
}

/* the reader list (or group list), in a heap buffer */
static LONG
list_names(SCARDCONTEXT ctx, BOOL groups, char **names, size_t *len)
{
	pl_dword n = 0;
	pl_long rv;
	char *buf;
	rv = groups ? pl.list_groups((pl_long)ctx, NULL, &n) : pl.list_readers((pl_long)ctx, NULL, NULL, &n);
	if (rv != 0)
		return (LONG)rv;
	if (n == 0 || n > BR_MAX_NAMES)
		return BR_E_INSUFFICIENT_BUFFER;
	if ((buf = br_alloc(n + 1)) == NULL)
		return BR_E_NO_MEMORY;
	rv = groups ? pl.list_groups((pl_long)ctx, buf, &n) : pl.list_readers((pl_long)ctx, NULL, buf, &n);
	if (rv != 0) {
		HeapFree(GetProcessHeap(), 0, buf);
		return (LONG)rv;
	}
	buf[n] = '\0';
	*names = buf;
	*len = multi_len(buf, n + 1);
	return SCARD_S_SUCCESS;
}

static LONG
list_a(SCARDCONTEXT ctx, BOOL groups, LPSTR out, LPDWORD pcch)
{
	char *names;
	size_t len;
	LONG rv;
	PL_READY();
	if (pcch == NULL)
		return BR_E_INVALID_PARAMETER;
	if ((rv = list_names(ctx, groups, &names, &len)) != SCARD_S_SUCCESS)
		return rv;
	rv = ret_bytes(names, len, out, pcch);
	HeapFree(GetProcessHeap(), 0, names);
	return rv;
}

static LONG
list_w(SCARDCONTEXT ctx, BOOL groups, LPWSTR out, LPDWORD pcch)
{
	char *names;
	size_t len;
	LONG rv;
	PL_READY();
	if (pcch == NULL)
		return BR_E_INVALID_PARAMETER;
	if ((rv = list_names(ctx, groups, &names, &len)) != SCARD_S_SUCCESS)
		return rv;
	rv = ret_wide(names, len, out, pcch);
	HeapFree(GetProcessHeap(), 0, names);
	return rv;
}

LONG WINAPI
bridge_SCardListReadersA(SCARDCONTEXT ctx, LPCSTR groups, LPSTR readers, LPDWORD pcch)
{
	return list_a(ctx, FALSE, readers, pcch);
}

LONG WINAPI
bridge_SCardListReadersW(SCARDCONTEXT ctx, LPCWSTR groups, LPWSTR readers, LPDWORD pcch)
{
	return list_w(ctx, FALSE, readers, pcch);
}

LONG WINAPI
bridge_SCardListReaderGroupsA(SCARDCONTEXT ctx, LPSTR groups, LPDWORD pcch)
{
	return list_a(ctx, TRUE, groups, pcch);
}

LONG WINAPI
bridge_SCardListReaderGroupsW(SCARDCONTEXT ctx, LPWSTR groups, LPDWORD pcch)
{
	return list_w(ctx, TRUE, groups, pcch);
}

/* --- card connection ------------------------------------------------------ */
LONG WINAPI
bridge_SCardConnectA(SCARDCONTEXT ctx, LPCSTR reader, DWORD share, DWORD protocols,
		LPSCARDHANDLE card, LPDWORD active)
{
	pl_long h = 0;
	pl_dword proto = 0;
	LONG rv;
	PL_READY();
	if (reader == NULL || card == NULL)
		return BR_E_INVALID_PARAMETER;
	rv = (LONG)pl.connect((pl_long)ctx, reader, share, proto_to_pl(protocols), &h, &proto);
	*card = (SCARDHANDLE)h;
	if (active != NULL)
		*active = proto_to_win(proto);
	return rv;
}

LONG WINAPI
bridge_SCardConnectW(SCARDCONTEXT ctx, LPCWSTR reader, DWORD share, DWORD protocols,
		LPSCARDHANDLE card, LPDWORD active)
{
	char *r;
	LONG rv;
	if (reader == NULL)
		return BR_E_INVALID_PARAMETER;
	if ((r = to_utf8(reader)) == NULL)
		return BR_E_NO_MEMORY;
	rv = bridge_SCardConnectA(ctx, r, share, protocols, card, active);
	HeapFree(GetProcessHeap(), 0, r);
	return rv;
}

LONG WINAPI
bridge_SCardReconnect(SCARDHANDLE card, DWORD share, DWORD protocols, DWORD init, LPDWORD active)
{
	pl_dword proto = 0;
	LONG rv;
	PL_READY();
	rv = (LONG)pl.reconnect((pl_long)card, share, proto_to_pl(protocols), init, &proto);
	if (active != NULL)
		*active = proto_to_win(proto);
	return rv;
}

LONG WINAPI
bridge_SCardDisconnect(SCARDHANDLE card, DWORD disposition)
{
	PL_READY();
	return (LONG)pl.disconnect((pl_long)card, disposition);
}

LONG WINAPI
bridge_SCardBeginTransaction(SCARDHANDLE card)
{
	PL_READY();
	return (LONG)pl.begin((pl_long)card);
}

LONG WINAPI
bridge_SCardEndTransaction(SCARDHANDLE card, DWORD disposition)
{
	PL_READY();
	return (LONG)pl.end((pl_long)card, disposition);
}

/* SCardStatus into local buffers: reader name (multi-string), state,
 * protocol and ATR in Windows encoding */
static LONG
status_raw(SCARDHANDLE card, char *name, size_t *name_len, DWORD *state, DWORD *proto,
		unsigned char *atr, size_t *atr_len)
{
	pl_dword nlen = 1024, st = 0, pr = 0, alen = PL_MAX_ATR;
	pl_long rv;
	rv = pl.status((pl_long)card, name, &nlen, &st, &pr, atr, &alen);
	if (rv != 0)
		return (LONG)rv;
	if (nlen > 1024 || alen > PL_MAX_ATR)
		return BR_E_INSUFFICIENT_BUFFER;
	name[1022] = name[1023] = '\0';
	*name_len = multi_len(name, nlen < 2 ? 2 : nlen);
	if (nlen < 2)
		name[1] = '\0';
	*state = state_to_win(st);
	/* pcsc-lite keeps NEGOTIABLE after the protocol was set; Windows
	 * says SPECIFIC then */
	if (*state == 5 && pr != 0)
		*state = 6;
	*proto = proto_to_win(pr);
	*atr_len = alen;
	return SCARD_S_SUCCESS;
}

static LONG
status_common(SCARDHANDLE card, BOOL wide, void *names, LPDWORD pcch, LPDWORD state,
		LPDWORD proto, LPBYTE atr, LPDWORD pcb_atr)
{
	char name[1024] = "";
	unsigned char a[PL_MAX_ATR];
	size_t nlen, alen;
	DWORD st, pr;
	LONG rv, rv2 = SCARD_S_SUCCESS;
	PL_READY();
	if ((rv = status_raw(card, name, &nlen, &st, &pr, a, &alen)) != SCARD_S_SUCCESS)
		return rv;
	if (state != NULL)
		*state = st;
	if (proto != NULL)
		*proto = pr;
	if (pcch != NULL)
		rv = wide ? ret_wide(name, nlen, names, pcch) : ret_bytes(name, nlen, names, pcch);
	if (pcb_atr != NULL)
		rv2 = ret_bytes(a, alen, atr, pcb_atr);
	return rv != SCARD_S_SUCCESS ? rv : rv2;
}

LONG WINAPI
bridge_SCardStatusA(SCARDHANDLE card, LPSTR names, LPDWORD pcch, LPDWORD state,
		LPDWORD proto, LPBYTE atr, LPDWORD pcb_atr)
{
	return status_common(card, FALSE, names, pcch, state, proto, atr, pcb_atr);
}

LONG WINAPI
bridge_SCardStatusW(SCARDHANDLE card, LPWSTR names, LPDWORD pcch, LPDWORD state,
		LPDWORD proto, LPBYTE atr, LPDWORD pcb_atr)
{
	return status_common(card, TRUE, names, pcch, state, proto, atr, pcb_atr);
}

/* --- reader state ---------------------------------------------------------- */
/* Both A and W: names[i] is the UTF-8/ANSI name of reader i, ws the
 * caller's states (A layout or W layout, which differ only in szReader) */
static LONG
status_change(SCARDCONTEXT ctx, DWORD timeout, const char **names, SCARD_READERSTATEA *ra,
		SCARD_READERSTATEW *rw, DWORD n)
{
	pl_readerstate *ps;
	DWORD i;
	LONG rv;
	if (n == 0 || n > 256)
		return BR_E_INVALID_PARAMETER;
	if ((ps = br_alloc(n * sizeof(*ps))) == NULL)
		return BR_E_NO_MEMORY;
	memset(ps, 0, n * sizeof(*ps));
	for (i = 0; i < n; i++) {
		ps[i].szReader = names[i];
		ps[i].pvUserData = ra ? ra[i].pvUserData : rw[i].pvUserData;
		ps[i].dwCurrentState = ra ? ra[i].dwCurrentState : rw[i].dwCurrentState;
		ps[i].dwEventState = ra ? ra[i].dwEventState : rw[i].dwEventState;
	}
	rv = (LONG)pl.get_status_change((pl_long)ctx, timeout, ps, n);
	for (i = 0; i < n; i++) {
		DWORD cb = ps[i].cbAtr <= 36 ? (DWORD)ps[i].cbAtr : 36;
		if (ra) {
			ra[i].dwEventState = (DWORD)ps[i].dwEventState;
			ra[i].cbAtr = cb;
			memcpy(ra[i].rgbAtr, ps[i].rgbAtr, cb > PL_MAX_ATR ? PL_MAX_ATR : cb);
		} else {
			rw[i].dwEventState = (DWORD)ps[i].dwEventState;
			rw[i].cbAtr = cb;
			memcpy(rw[i].rgbAtr, ps[i].rgbAtr, cb > PL_MAX_ATR ? PL_MAX_ATR : cb);
		}
	}
	HeapFree(GetProcessHeap(), 0, ps);
	return rv;
}

LONG WINAPI
bridge_SCardGetStatusChangeA(SCARDCONTEXT ctx, DWORD timeout, LPSCARD_READERSTATEA rs, DWORD n)
{
	const char **names;
	DWORD i;
	LONG rv;
	PL_READY();
	if (rs == NULL || n == 0 || n > 256)
		return BR_E_INVALID_PARAMETER;
	if ((names = br_alloc(n * sizeof(*names))) == NULL)
		return BR_E_NO_MEMORY;
	for (i = 0; i < n; i++)
		names[i] = rs[i].szReader;
	rv = status_change(ctx, timeout, names, rs, NULL, n);
	HeapFree(GetProcessHeap(), 0, names);
	return rv;
}

LONG WINAPI
bridge_SCardGetStatusChangeW(SCARDCONTEXT ctx, DWORD timeout, LPSCARD_READERSTATEW rs, DWORD n)
{
	char **names;
	DWORD i;
	LONG rv = SCARD_S_SUCCESS;
	PL_READY();
	if (rs == NULL || n == 0 || n > 256)
		return BR_E_INVALID_PARAMETER;
	if ((names = br_alloc(n * sizeof(*names))) == NULL)
		return BR_E_NO_MEMORY;
	memset(names, 0, n * sizeof(*names));
	for (i = 0; i < n && rv == SCARD_S_SUCCESS; i++)
		if ((names[i] = to_utf8(rs[i].szReader)) == NULL)
			rv = BR_E_NO_MEMORY;
	if (rv == SCARD_S_SUCCESS)
		rv = status_change(ctx, timeout, (const char **)names, NULL, rs, n);
	for (i = 0; i < n; i++)
		if (names[i] != NULL)
			HeapFree(GetProcessHeap(), 0, names[i]);
	HeapFree(GetProcessHeap(), 0, names);
	return rv;
}

/* --- I/O ------------------------------------------------------------------- */
LONG WINAPI
bridge_SCardTransmit(SCARDHANDLE card, LPCSCARD_IO_REQUEST send_pci, LPCBYTE in, DWORD in_len,
		LPSCARD_IO_REQUEST recv_pci, LPBYTE out, LPDWORD out_len)
{
	pl_io_request s, r;
	pl_dword n;
	LONG rv;
	PL_READY();
	if (send_pci == NULL || in == NULL || out == NULL || out_len == NULL)
		return BR_E_INVALID_PARAMETER;
	s.dwProtocol = proto_to_pl(send_pci->dwProtocol);
	s.cbPciLength = sizeof(s);
	r = s;
	n = *out_len;
	rv = (LONG)pl.transmit((pl_long)card, &s, in, in_len, recv_pci ? &r : NULL, out, &n);
	*out_len = (DWORD)n;
	if (recv_pci != NULL && rv == SCARD_S_SUCCESS)
		recv_pci->dwProtocol = proto_to_win(r.dwProtocol);
	return rv;
}

LONG WINAPI
bridge_SCardControl(SCARDHANDLE card, DWORD code, LPCVOID in, DWORD in_len, LPVOID out,
		DWORD out_size, LPDWORD returned)
{
	pl_dword n = 0;
	LONG rv;
	PL_READY();
	rv = (LONG)pl.control((pl_long)card, ctl_to_pl(code), in, in_len, out, out_size, &n);
	if (returned != NULL)
		*returned = (DWORD)n;
	return rv;
}

LONG WINAPI
bridge_SCardGetAttrib(SCARDHANDLE card, DWORD attr, LPBYTE out, LPDWORD pcb)
{
	PL_READY();
	if (pcb == NULL)
		return BR_E_INVALID_PARAMETER;
	if (attr == ATTR_SYSTEM_NAME_A || attr == ATTR_FRIENDLY_NAME_A ||
			attr == ATTR_SYSTEM_NAME_W || attr == ATTR_FRIENDLY_NAME_W) {
		/* pcscd names a reader by one name: both attributes give it */
		char name[1024] = "";
		unsigned char a[PL_MAX_ATR];
		size_t nlen, alen;
		DWORD st, pr, cch;
		LONG rv = status_raw(card, name, &nlen, &st, &pr, a, &alen);
		if (rv != SCARD_S_SUCCESS)
			return rv;
		nlen = strlen(name) + 1; /* one string, not a multi-string */
		if (attr == ATTR_SYSTEM_NAME_A || attr == ATTR_FRIENDLY_NAME_A)
			return ret_bytes(name, nlen, out, pcb);
		cch = *pcb == SCARD_AUTOALLOCATE ? SCARD_AUTOALLOCATE : *pcb / sizeof(WCHAR);
		rv = ret_wide(name, nlen, out, &cch);
		*pcb = cch * sizeof(WCHAR);
		return rv;
	}
	if (*pcb == SCARD_AUTOALLOCATE || out == NULL) {
		unsigned char buf[1024];
		pl_dword n = sizeof(buf);
		LONG rv = (LONG)pl.get_attrib((pl_long)card, attr, buf, &n);
		if (rv != SCARD_S_SUCCESS)
			return rv;
		return ret_bytes(buf, n > sizeof(buf) ? sizeof(buf) : n, out, pcb);
	} else {
		pl_dword n = *pcb;
		LONG rv = (LONG)pl.get_attrib((pl_long)card, attr, out, &n);
		*pcb = (DWORD)n;
		return rv;
	}
}

LONG WINAPI
bridge_SCardSetAttrib(SCARDHANDLE card, DWORD attr, LPCBYTE in, DWORD in_len)
{
	PL_READY();
	return (LONG)pl.set_attrib((pl_long)card, attr, in, in_len);
}

/* --- resource manager event -------------------------------------------- */
HANDLE WINAPI
bridge_SCardAccessStartedEvent(void)
{
	static HANDLE ev;
	if (ev == NULL) {
		HANDLE e = CreateEventW(NULL, TRUE, TRUE, NULL);
		if (InterlockedCompareExchangePointer(&ev, e, NULL) != NULL)
			CloseHandle(e);
	}
	return ev;
}

void WINAPI
bridge_SCardReleaseStartedEvent(void)
{
}

/* the protocol control information structures of winscard.dll */
const SCARD_IO_REQUEST bridge_t0_pci = {SCARD_PROTOCOL_T0, sizeof(SCARD_IO_REQUEST)};
const SCARD_IO_REQUEST bridge_t1_pci = {SCARD_PROTOCOL_T1, sizeof(SCARD_IO_REQUEST)};
const SCARD_IO_REQUEST bridge_raw_pci = {SCARD_PROTOCOL_RAW, sizeof(SCARD_IO_REQUEST)};
