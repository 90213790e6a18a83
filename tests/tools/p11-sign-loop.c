/*
 * p11-sign-loop: one PKCS#11 login, then N signatures with one key, as a
 * long-lived client (a browser, an agent) makes them. Used by
 * tests/integration/concurrency.sh, several of these at once on one card.
 *
 *   p11-sign-loop MODULE PIN KEY-ID-HEX N OUT [LABEL-PART]
 *
 * The token is the first one, or the first whose label contains LABEL-PART
 * (a card with several PINs has one slot per PIN).
 *
 * With P11_SIGN_LOOP_STEP=1 in the environment it prints "signed I" after
 * each signature and waits for a line on stdin before the next one, so a
 * test can act on the card (reset it, use it from another process) while
 * this client stays logged in.
 *
 * Signs "OUT.I.msg" (written here, different per process and I) with
 * CKM_SHA256_RSA_PKCS into "OUT.I.sig", I = 1..N; the caller verifies the
 * signatures with OpenSSL. Prints one line per failure ("sign I: C_Sign
 * rv=0x..."), never the PIN. Exit status: 0 if all N signatures were made,
 * 1 if any failed, 2 on setup errors (module, slot, login, key).
 *
 * Copyright (C) 2026 pkicards contributors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pkcs11/pkcs11.h"

static CK_FUNCTION_LIST_PTR p11;

static int
hex_id(const char *s, CK_BYTE *out, size_t cap, size_t *n)
{
	size_t len = strlen(s), i;

	if (len == 0 || len % 2 || len / 2 > cap)
		return -1;
	for (i = 0; i < len / 2; i++) {
		unsigned int v;

		if (sscanf(s + 2 * i, "%2x", &v) != 1)
			return -1;
		out[i] = (CK_BYTE)v;
	}
	*n = len / 2;
	return 0;
}

static int
write_file(const char *path, const void *p, size_t n)
{
	FILE *f = fopen(path, "wb");
	int ok = f && fwrite(p, 1, n, f) == n;

	if (f && fclose(f) != 0)
		ok = 0;
	return ok ? 0 : -1;
}

static CK_OBJECT_HANDLE
find_key(CK_SESSION_HANDLE s, const CK_BYTE *id, size_t idlen)
{
	CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
	CK_ATTRIBUTE tmpl[] = {
		{CKA_CLASS, &cls, sizeof(cls)},
		{CKA_ID, (void *)id, idlen},
	};
	CK_OBJECT_HANDLE h = CK_INVALID_HANDLE;
	CK_ULONG n = 0;

	if (p11->C_FindObjectsInit(s, tmpl, 2) != CKR_OK)
		return CK_INVALID_HANDLE;
	if (p11->C_FindObjects(s, &h, 1, &n) != CKR_OK || n != 1)
		h = CK_INVALID_HANDLE;
	p11->C_FindObjectsFinal(s);
	return h;
}

int
main(int argc, char **argv)
{
	CK_C_GetFunctionList get_list;
	CK_SLOT_ID slots[16];
	CK_ULONG nslots = 16;
	CK_SESSION_HANDLE s;
	CK_OBJECT_HANDLE key;
	CK_MECHANISM mech = {CKM_SHA256_RSA_PKCS, NULL, 0};
	CK_BYTE id[64], sig[1024];
	size_t idlen;
	char path[4096], msg[128];
	void *lib;
	long n, i, made = 0;
	CK_RV rv;

	CK_ULONG slot = 0;
	const char *step = getenv("P11_SIGN_LOOP_STEP");
	char line[64];

	if ((argc != 6 && argc != 7) || hex_id(argv[3], id, sizeof(id), &idlen) < 0 || (n = atol(argv[4])) < 1) {
		fprintf(stderr, "usage: p11-sign-loop MODULE PIN KEY-ID-HEX N OUT [LABEL-PART]\n");
		return 2;
	}
	lib = dlopen(argv[1], RTLD_NOW);
	if (!lib || !(get_list = (CK_C_GetFunctionList)dlsym(lib, "C_GetFunctionList")) ||
			get_list(&p11) != CKR_OK) {
		fprintf(stderr, "p11-sign-loop: cannot load %s\n", argv[1]);
		return 2;
	}
	if ((rv = p11->C_Initialize(NULL)) != CKR_OK) {
		fprintf(stderr, "C_Initialize rv=0x%lx\n", (unsigned long)rv);
		return 2;
	}
	if ((rv = p11->C_GetSlotList(CK_TRUE, slots, &nslots)) != CKR_OK || nslots == 0) {
		fprintf(stderr, "no slot with a token (rv=0x%lx)\n", (unsigned long)rv);
		return 2;
	}
	for (slot = 0; argc == 7 && slot < nslots; slot++) {
		CK_TOKEN_INFO ti;
		char label[sizeof(ti.label) + 1];

		if (p11->C_GetTokenInfo(slots[slot], &ti) != CKR_OK)
			continue;
		memcpy(label, ti.label, sizeof(ti.label));
		label[sizeof(ti.label)] = '\0';
		if (strstr(label, argv[6]))
			break;
	}
	if (slot == nslots) {
		fprintf(stderr, "no token whose label contains '%s'\n", argv[6]);
		return 2;
	}
	if ((rv = p11->C_OpenSession(slots[slot], CKF_SERIAL_SESSION, NULL, NULL, &s)) != CKR_OK) {
		fprintf(stderr, "C_OpenSession rv=0x%lx\n", (unsigned long)rv);
		return 2;
	}
	rv = p11->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR)argv[2], strlen(argv[2]));
	if (rv != CKR_OK) {
		fprintf(stderr, "C_Login rv=0x%lx\n", (unsigned long)rv);
		return 2;
	}
	key = find_key(s, id, idlen);
	if (key == CK_INVALID_HANDLE) {
		fprintf(stderr, "no private key with ID %s\n", argv[3]);
		return 2;
	}
	for (i = 1; i <= n; i++) {
		CK_ULONG siglen = sizeof(sig);
		int len;

		if (step && *step == '1' && i > 1) {
			printf("signed %ld\n", i - 1);
			fflush(stdout);
			if (!fgets(line, sizeof(line), stdin))
				break;
		}
		len = snprintf(msg, sizeof(msg), "process %ld signature %ld", (long)getpid(), i);

		snprintf(path, sizeof(path), "%s.%ld.msg", argv[5], i);
		if (write_file(path, msg, (size_t)len) < 0) {
			fprintf(stderr, "cannot write %s\n", path);
			return 2;
		}
		rv = p11->C_SignInit(s, &mech, key);
		if (rv != CKR_OK) {
			printf("sign %ld: C_SignInit rv=0x%lx\n", i, (unsigned long)rv);
			continue;
		}
		rv = p11->C_Sign(s, (CK_BYTE_PTR)msg, (CK_ULONG)len, sig, &siglen);
		if (rv != CKR_OK) {
			printf("sign %ld: C_Sign rv=0x%lx\n", i, (unsigned long)rv);
			continue;
		}
		snprintf(path, sizeof(path), "%s.%ld.sig", argv[5], i);
		if (write_file(path, sig, siglen) < 0) {
			fprintf(stderr, "cannot write %s\n", path);
			return 2;
		}
		made++;
	}
	p11->C_Logout(s);
	p11->C_CloseSession(s);
	p11->C_Finalize(NULL);
	printf("%ld of %ld signatures made\n", made, n);
	return made == n ? 0 : 1;
}
