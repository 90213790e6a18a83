/*
 * Commctrl.h: OpenSC's minidriver.c includes <Commctrl.h>, as the Windows
 * SDK spells it; mingw-w64 ships the header as commctrl.h, and Linux file
 * names are case-sensitive. cross/include is first on the include path of
 * the Windows OpenSC build (scripts/build-opensc).
 */
#include <commctrl.h>
