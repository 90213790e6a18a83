/*
 * cardmod-layout.c: compile-time checks of cross/include/cardmod.h for
 * 64-bit Windows (meson test cardmod-layout, suite windows: compiled with
 * x86_64-w64-mingw32-gcc -fsyntax-only; a wrong size, offset or value stops
 * the compilation).
 *
 * The numbers follow from the member types the Smart Card Minidriver
 * Specification gives each structure and the x64 (LLP64) rules: DWORD,
 * BOOL, ALG_ID and enums 4 bytes, WORD 2, pointers, SIZE_T, ULONG_PTR and
 * SCARDCONTEXT/SCARDHANDLE 8, each member aligned to its size. They agree
 * with the sizes and offsets in Microsoft's Win32 API metadata for x64.
 * The constant values are the specification's; mingw-w64's old header has
 * other CARD_PADDING_* values and no dwDefaultBitlen, hence the checks.
 */
#include <stddef.h>
#include "cardmod.h"

#ifndef PKICARDS_CARDMOD_H
#error "cardmod.h is not cross/include/cardmod.h: put cross/include first on the include path"
#endif

#define AT(type, member, offset) \
	_Static_assert(offsetof(type, member) == (offset), #type "." #member " at " #offset)
#define SIZE(type, size) \
	_Static_assert(sizeof(type) == (size), "sizeof(" #type ") == " #size)
#define VALUE(name, value) \
	_Static_assert((name) == (value), #name " == " #value)

/* CARD_DATA: every member, in the specification's order */
SIZE(CARD_DATA, 504);
AT(CARD_DATA, dwVersion, 0);
AT(CARD_DATA, pbAtr, 8);
AT(CARD_DATA, cbAtr, 16);
AT(CARD_DATA, pwszCardName, 24);
AT(CARD_DATA, pfnCspAlloc, 32);
AT(CARD_DATA, pfnCspReAlloc, 40);
AT(CARD_DATA, pfnCspFree, 48);
AT(CARD_DATA, pfnCspCacheAddFile, 56);
AT(CARD_DATA, pfnCspCacheLookupFile, 64);
AT(CARD_DATA, pfnCspCacheDeleteFile, 72);
AT(CARD_DATA, pvCacheContext, 80);
AT(CARD_DATA, pfnCspPadData, 88);
AT(CARD_DATA, hSCardCtx, 96);
AT(CARD_DATA, hScard, 104);
AT(CARD_DATA, pvVendorSpecific, 112);
AT(CARD_DATA, pfnCardDeleteContext, 120);
AT(CARD_DATA, pfnCardQueryCapabilities, 128);
AT(CARD_DATA, pfnCardDeleteContainer, 136);
AT(CARD_DATA, pfnCardCreateContainer, 144);
AT(CARD_DATA, pfnCardGetContainerInfo, 152);
AT(CARD_DATA, pfnCardAuthenticatePin, 160);
AT(CARD_DATA, pfnCardGetChallenge, 168);
AT(CARD_DATA, pfnCardAuthenticateChallenge, 176);
AT(CARD_DATA, pfnCardUnblockPin, 184);
AT(CARD_DATA, pfnCardChangeAuthenticator, 192);
AT(CARD_DATA, pfnCardDeauthenticate, 200);
AT(CARD_DATA, pfnCardCreateDirectory, 208);
AT(CARD_DATA, pfnCardDeleteDirectory, 216);
AT(CARD_DATA, pvUnused3, 224);
AT(CARD_DATA, pvUnused4, 232);
AT(CARD_DATA, pfnCardCreateFile, 240);
AT(CARD_DATA, pfnCardReadFile, 248);
AT(CARD_DATA, pfnCardWriteFile, 256);
AT(CARD_DATA, pfnCardDeleteFile, 264);
AT(CARD_DATA, pfnCardEnumFiles, 272);
AT(CARD_DATA, pfnCardGetFileInfo, 280);
AT(CARD_DATA, pfnCardQueryFreeSpace, 288);
AT(CARD_DATA, pfnCardQueryKeySizes, 296);
AT(CARD_DATA, pfnCardSignData, 304);
AT(CARD_DATA, pfnCardRSADecrypt, 312);
AT(CARD_DATA, pfnCardConstructDHAgreement, 320);
AT(CARD_DATA, pfnCardDeriveKey, 328);
AT(CARD_DATA, pfnCardDestroyDHAgreement, 336);
AT(CARD_DATA, pfnCspGetDHAgreement, 344);
AT(CARD_DATA, pfnCardGetChallengeEx, 352);
AT(CARD_DATA, pfnCardAuthenticateEx, 360);
AT(CARD_DATA, pfnCardChangeAuthenticatorEx, 368);
AT(CARD_DATA, pfnCardDeauthenticateEx, 376);
AT(CARD_DATA, pfnCardGetContainerProperty, 384);
AT(CARD_DATA, pfnCardSetContainerProperty, 392);
AT(CARD_DATA, pfnCardGetProperty, 400);
AT(CARD_DATA, pfnCardSetProperty, 408);
AT(CARD_DATA, pfnCspUnpadData, 416);
AT(CARD_DATA, pfnMDImportSessionKey, 424);
AT(CARD_DATA, pfnMDEncryptData, 432);
AT(CARD_DATA, pfnCardImportSessionKey, 440);
AT(CARD_DATA, pfnCardGetSharedKeyHandle, 448);
AT(CARD_DATA, pfnCardGetAlgorithmProperty, 456);
AT(CARD_DATA, pfnCardGetKeyProperty, 464);
AT(CARD_DATA, pfnCardSetKeyProperty, 472);
AT(CARD_DATA, pfnCardDestroyKey, 480);
AT(CARD_DATA, pfnCardProcessEncryptedData, 488);
AT(CARD_DATA, pfnCardCreateContainerEx, 496);

/* what the CSP and the minidriver exchange */
SIZE(CARD_CAPABILITIES, 12);
AT(CARD_CAPABILITIES, fKeyGen, 8);

SIZE(CONTAINER_INFO, 40);
AT(CONTAINER_INFO, cbSigPublicKey, 8);
AT(CONTAINER_INFO, pbSigPublicKey, 16);
AT(CONTAINER_INFO, cbKeyExPublicKey, 24);
AT(CONTAINER_INFO, pbKeyExPublicKey, 32);

SIZE(CARD_KEY_SIZES, 20);
AT(CARD_KEY_SIZES, dwMinimumBitlen, 4);
AT(CARD_KEY_SIZES, dwDefaultBitlen, 8);
AT(CARD_KEY_SIZES, dwMaximumBitlen, 12);
AT(CARD_KEY_SIZES, dwIncrementalBitlen, 16);

SIZE(CARD_FREE_SPACE_INFO, 16);
AT(CARD_FREE_SPACE_INFO, dwMaxKeyContainers, 12);

SIZE(CARD_FILE_INFO, 12);
AT(CARD_FILE_INFO, AccessCondition, 8);

SIZE(PIN_CACHE_POLICY, 12);
SIZE(PIN_INFO, 36);
AT(PIN_INFO, PinType, 4);
AT(PIN_INFO, PinPurpose, 8);
AT(PIN_INFO, dwChangePermission, 12);
AT(PIN_INFO, dwUnblockPermission, 16);
AT(PIN_INFO, PinCachePolicy, 20);
AT(PIN_INFO, dwFlags, 32);

SIZE(CARD_SIGNING_INFO, 72);
AT(CARD_SIGNING_INFO, bContainerIndex, 4);
AT(CARD_SIGNING_INFO, dwKeySpec, 8);
AT(CARD_SIGNING_INFO, dwSigningFlags, 12);
AT(CARD_SIGNING_INFO, aiHashAlg, 16);
AT(CARD_SIGNING_INFO, pbData, 24);
AT(CARD_SIGNING_INFO, cbData, 32);
AT(CARD_SIGNING_INFO, pbSignedData, 40);
AT(CARD_SIGNING_INFO, cbSignedData, 48);
AT(CARD_SIGNING_INFO, pPaddingInfo, 56);
AT(CARD_SIGNING_INFO, dwPaddingType, 64);

SIZE(CARD_RSA_DECRYPT_INFO, 48);
AT(CARD_RSA_DECRYPT_INFO, bContainerIndex, 4);
AT(CARD_RSA_DECRYPT_INFO, dwKeySpec, 8);
AT(CARD_RSA_DECRYPT_INFO, pbData, 16);
AT(CARD_RSA_DECRYPT_INFO, cbData, 24);
AT(CARD_RSA_DECRYPT_INFO, pPaddingInfo, 32);
AT(CARD_RSA_DECRYPT_INFO, dwPaddingType, 40);

SIZE(CARD_DH_AGREEMENT_INFO, 40);
AT(CARD_DH_AGREEMENT_INFO, pbPublicKey, 16);
AT(CARD_DH_AGREEMENT_INFO, bSecretAgreementIndex, 36);

SIZE(CARD_DERIVE_KEY, 72);
AT(CARD_DERIVE_KEY, pwszKDF, 8);
AT(CARD_DERIVE_KEY, bSecretAgreementIndex, 16);
AT(CARD_DERIVE_KEY, pParameterList, 24);
AT(CARD_DERIVE_KEY, pbDerivedKey, 32);
AT(CARD_DERIVE_KEY, cbDerivedKey, 40);
AT(CARD_DERIVE_KEY, pwszAlgId, 48);
AT(CARD_DERIVE_KEY, dwKeyLen, 56);
AT(CARD_DERIVE_KEY, hKey, 64);

SIZE(CARD_ENCRYPTED_DATA, 16);

/* variable data right after the fixed part */
AT(CARD_AUTHENTICATE, pbPinData, 16);
AT(CARD_AUTHENTICATE_RESPONSE, pbSessionPin, 12);
AT(CARD_CHANGE_AUTHENTICATOR, pbData, 28);
AT(CARD_IMPORT_KEYPAIR, pbInput, 24);
SIZE(CARD_CHANGE_AUTHENTICATOR_RESPONSE, 8);

/* on-card files: byte layouts the CSP and other minidrivers read too */
SIZE(CARD_CACHE_FILE_FORMAT, 6);
AT(CARD_CACHE_FILE_FORMAT, wContainersFreshness, 2);
AT(CARD_CACHE_FILE_FORMAT, wFilesFreshness, 4);
SIZE(CONTAINER_MAP_RECORD, 86);
AT(CONTAINER_MAP_RECORD, bFlags, 80);
AT(CONTAINER_MAP_RECORD, wSigKeySizeBits, 82);
AT(CONTAINER_MAP_RECORD, wKeyExchangeKeySizeBits, 84);

/* handles and PIN types */
SIZE(CARD_KEY_HANDLE, 8);
SIZE(PIN_ID, 4);
SIZE(PIN_SET, 4);

/* values */
VALUE(CARD_DATA_CURRENT_VERSION, 7);
VALUE(CARD_PADDING_NONE, 1);
VALUE(CARD_PADDING_PKCS1, 2);
VALUE(CARD_PADDING_PSS, 4);
VALUE(CARD_PADDING_OAEP, 8);
VALUE(CARD_BUFFER_SIZE_ONLY, 0x20000000);
VALUE(CARD_PADDING_INFO_PRESENT, 0x40000000);
VALUE(CARD_RSA_KEY_DECRYPT_INFO_CURRENT_VERSION, 2);
VALUE(CARD_SIGNING_INFO_CURRENT_VERSION, 2);
VALUE(CARD_CREATE_CONTAINER_KEY_GEN, 1);
VALUE(CARD_CREATE_CONTAINER_KEY_IMPORT, 2);
VALUE(ROLE_EVERYONE, 0);
VALUE(ROLE_USER, 1);
VALUE(ROLE_ADMIN, 2);
VALUE(ROLE_PUK, 4);
VALUE(MAX_PINS, 8);
VALUE(PIN_CHANGE_FLAG_UNBLOCK, 1);
VALUE(PIN_CHANGE_FLAG_CHANGEPIN, 2);
VALUE(CREATE_PIN_SET(ROLE_ADMIN), 0x04);
VALUE(PIN_INFO_CURRENT_VERSION, 6);
VALUE(CARD_DATA_VALUE_UNKNOWN, 0xFFFFFFFF);
VALUE(MAX_CONTAINER_NAME_LEN, 39);
VALUE(CONTAINER_MAP_DEFAULT_CONTAINER, 2);
VALUE(UserReadWriteAc, 5);
VALUE(AdministratorPin, 4);
VALUE(UnblockOnlyPin, 6);
VALUE(PinCacheAlwaysPrompt, 3);
VALUE(CP_CACHE_MODE_NO_CACHE, 3);
VALUE(CARD_AUTHENTICATE_SESSION_PIN, 0x20000000);

/* a property name is a wide string literal */
_Static_assert(sizeof(CP_CARD_PIN_INFO) == sizeof(L"PIN Information"), "CP_CARD_PIN_INFO");
_Static_assert(sizeof(CP_CARD_KEYSIZES) == sizeof(L"Key Sizes"), "CP_CARD_KEYSIZES");

/* the calls have the types of their CARD_DATA members */
static PFN_CARD_ACQUIRE_CONTEXT acquire __attribute__((unused)) = CardAcquireContext;
static PFN_CARD_AUTHENTICATE_EX auth __attribute__((unused)) = CardAuthenticateEx;
static PFN_CARD_SIGN_DATA sign __attribute__((unused)) = CardSignData;
static PFN_CARD_CREATE_CONTAINER_EX create __attribute__((unused)) = CardCreateContainerEx;
