/*
 * pcsc-probe.exe: a Windows program that uses winscard.dll the way OpenSC
 * and a Base CSP do, to test the bridge (tests/windows/bridge.sh). For every
 * reader it prints one line per call with the values that crossed the
 * bridge, in both the ANSI and the wide API:
 *
 *   reader NAME
 *   state NAME present=0|1 atr=HEX          (SCardGetStatusChangeA)
 *   statew NAME present=0|1 atr=HEX         (SCardGetStatusChangeW)
 *   connect protocol=T0|T1
 *   status name=NAME state=N protocol=T0|T1 atr=HEX   (SCardStatusA)
 *   statusw name=NAME atr=HEX               (SCardStatusW, auto-allocated)
 *   attr system-name=NAME                   (SCardGetAttrib, DEVICE_SYSTEM_NAME_A)
 *   transmit APDU -> RESPONSE               (argument APDUs, hex)
 *
 * usage: pcsc-probe.exe [APDU-HEX...]; exit 0, or 1 with "error CALL 0xCODE".
 */
#include <windows.h>
#include <winscard.h>
#include <stdio.h>
#include <string.h>

#define ATTR_SYSTEM_NAME_A 0x7FFF0004UL

static int
fail(const char *call, LONG rv)
{
	printf("error %s 0x%08lX\n", call, (unsigned long)(DWORD)rv);
	return 1;
}

static void
hex(const BYTE *p, DWORD n)
{
	DWORD i;
	for (i = 0; i < n; i++)
		printf("%02X", p[i]);
}

static const char *
proto(DWORD p)
{
	return p == SCARD_PROTOCOL_T0 ? "T0" : p == SCARD_PROTOCOL_T1 ? "T1" : "other";
}

static DWORD
unhex(const char *s, BYTE *out, DWORD max)
{
	DWORD n = 0;
	unsigned v;
	while (n < max && sscanf(s, "%2x", &v) == 1) {
		out[n++] = (BYTE)v;
		s += 2;
	}
	return n;
}

int
main(int argc, char **argv)
{
	SCARDCONTEXT ctx;
	char *readers = NULL;
	WCHAR *wreaders = NULL;
	DWORD n = SCARD_AUTOALLOCATE, wn = SCARD_AUTOALLOCATE;
	LONG rv;
	const char *r;
	const WCHAR *wr;

	if ((rv = SCardEstablishContext(SCARD_SCOPE_USER, NULL, NULL, &ctx)) != SCARD_S_SUCCESS)
		return fail("SCardEstablishContext", rv);
	if ((rv = SCardIsValidContext(ctx)) != SCARD_S_SUCCESS)
		return fail("SCardIsValidContext", rv);
	if ((rv = SCardListReadersA(ctx, NULL, (LPSTR)&readers, &n)) != SCARD_S_SUCCESS)
		return fail("SCardListReadersA", rv);
	if ((rv = SCardListReadersW(ctx, NULL, (LPWSTR)&wreaders, &wn)) != SCARD_S_SUCCESS)
		return fail("SCardListReadersW", rv);
	for (r = readers, wr = wreaders; *r; r += strlen(r) + 1, wr += wcslen(wr) + 1) {
		SCARD_READERSTATEA st;
		SCARD_READERSTATEW stw;
		SCARDHANDLE card;
		DWORD active, len, state, prot, atrlen, i;
		char name[256];
		BYTE atr[36], buf[300];
		WCHAR *wname = NULL;
		BYTE *watr = NULL;
		DWORD wlen = SCARD_AUTOALLOCATE, watrlen = SCARD_AUTOALLOCATE;

		printf("reader %s\n", r);
		memset(&st, 0, sizeof(st));
		st.szReader = r;
		st.dwCurrentState = SCARD_STATE_UNAWARE;
		if ((rv = SCardGetStatusChangeA(ctx, 0, &st, 1)) != SCARD_S_SUCCESS)
			return fail("SCardGetStatusChangeA", rv);
		printf("state %s present=%d atr=", r, (st.dwEventState & SCARD_STATE_PRESENT) ? 1 : 0);
		hex(st.rgbAtr, st.cbAtr);
		printf("\n");
		memset(&stw, 0, sizeof(stw));
		stw.szReader = wr;
		stw.dwCurrentState = SCARD_STATE_UNAWARE;
		if ((rv = SCardGetStatusChangeW(ctx, 0, &stw, 1)) != SCARD_S_SUCCESS)
			return fail("SCardGetStatusChangeW", rv);
		printf("statew %ls present=%d atr=", wr, (stw.dwEventState & SCARD_STATE_PRESENT) ? 1 : 0);
		hex(stw.rgbAtr, stw.cbAtr);
		printf("\n");
		if (!(st.dwEventState & SCARD_STATE_PRESENT))
			continue;

		rv = SCardConnectA(ctx, r, SCARD_SHARE_SHARED, SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1, &card, &active);
		if (rv != SCARD_S_SUCCESS)
			return fail("SCardConnectA", rv);
		printf("connect protocol=%s\n", proto(active));
		len = sizeof(name);
		atrlen = sizeof(atr);
		if ((rv = SCardStatusA(card, name, &len, &state, &prot, atr, &atrlen)) != SCARD_S_SUCCESS)
			return fail("SCardStatusA", rv);
		printf("status name=%s state=%lu protocol=%s atr=", name, (unsigned long)state, proto(prot));
		hex(atr, atrlen);
		printf("\n");
		if ((rv = SCardStatusW(card, (LPWSTR)&wname, &wlen, NULL, NULL, (LPBYTE)&watr, &watrlen)) != SCARD_S_SUCCESS)
			return fail("SCardStatusW", rv);
		printf("statusw name=%ls atr=", wname);
		hex(watr, watrlen);
		printf("\n");
		SCardFreeMemory(ctx, wname);
		SCardFreeMemory(ctx, watr);
		len = sizeof(name);
		if ((rv = SCardGetAttrib(card, ATTR_SYSTEM_NAME_A, (LPBYTE)name, &len)) != SCARD_S_SUCCESS)
			return fail("SCardGetAttrib", rv);
		printf("attr system-name=%s\n", name);
		if ((rv = SCardBeginTransaction(card)) != SCARD_S_SUCCESS)
			return fail("SCardBeginTransaction", rv);
		for (i = 1; i < (DWORD)argc; i++) {
			BYTE apdu[300];
			DWORD alen = unhex(argv[i], apdu, sizeof(apdu));
			const SCARD_IO_REQUEST *pci = active == SCARD_PROTOCOL_T0 ? SCARD_PCI_T0 : SCARD_PCI_T1;
			len = sizeof(buf);
			if ((rv = SCardTransmit(card, pci, apdu, alen, NULL, buf, &len)) != SCARD_S_SUCCESS)
				return fail("SCardTransmit", rv);
			printf("transmit %s -> ", argv[i]);
			hex(buf, len);
			printf("\n");
		}
		if ((rv = SCardEndTransaction(card, SCARD_LEAVE_CARD)) != SCARD_S_SUCCESS)
			return fail("SCardEndTransaction", rv);
		if ((rv = SCardDisconnect(card, SCARD_LEAVE_CARD)) != SCARD_S_SUCCESS)
			return fail("SCardDisconnect", rv);
	}
	SCardFreeMemory(ctx, readers);
	SCardFreeMemory(ctx, wreaders);
	if ((rv = SCardReleaseContext(ctx)) != SCARD_S_SUCCESS)
		return fail("SCardReleaseContext", rv);
	return 0;
}
