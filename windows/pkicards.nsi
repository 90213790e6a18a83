; pkicards-VERSION-win64-setup.exe: the pkicards drivers for an installed
; 64-bit OpenSC on Windows (doc/windows.md, "Install").
;
; Built by windows/build-installer, which defines:
;   VERSION       pkicards version
;   OUTFILE       the installer's file name
;   PAYLOAD       payload.nsh: the OpenSC versions and their DLLs
;   CARDS         cards.nsh: the card types (scripts/gen-minidriver-reg.py --nsis)
;   PROFILES      directory of acos5_ext.profile and starcos_ext.profile
;   CONFEDIT      pkicards-confedit.exe (windows/confedit.c, mingw build)
;
; What it does, in order (each refusal leaves the machine unchanged):
;   1. finds OpenSC through the registry values its MSI writes
;      (HKLM\Software\OpenSC Project\OpenSC: ConfigFile, ProfileDir, SmDir;
;      OpenSC's win32/OpenSC.wxs.in) and reads the version of its opensc.dll;
;      refuses when OpenSC is missing or no DLL set is for its version;
;   2. copies our three DLLs next to opensc.dll (the SmDir "tools" folder:
;      they import opensc.dll, and Windows looks for a DLL's imports in its
;      own folder first) and our profiles into ProfileDir;
;   3. registers our card types for OpenSC's minidriver (64-bit view),
;      after removing every card type an earlier pkicards registered
;      (value InstalledBy), so that an upgrade leaves none of the old list;
;   4. adds our lines to opensc.conf (pkicards-confedit: marked, idempotent,
;      removable byte for byte);
;   5. records what it did under HKLM\Software\pkicards and writes the
;      uninstaller (C:\Program Files\pkicards\uninstall.exe).
; Exit codes: 0 done, 3 OpenSC missing, 4 OpenSC version not supported,
; 5 opensc.conf not editable, 6 not 64-bit Windows. A refusal's message is
; shown (interactive) and appended to %TEMP%\pkicards-setup.log (always).

Unicode true
Target amd64-unicode
SetCompressor /SOLID lzma
RequestExecutionLevel admin
ManifestSupportedOS all

!include "LogicLib.nsh"
!include "x64.nsh"
!include "FileFunc.nsh"
!include "TextFunc.nsh"
!include "${PAYLOAD}"
!include "${CARDS}"

!define REGKEY "Software\pkicards"
!define UNINSTKEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\pkicards"
!define OPENSCKEY "Software\OpenSC Project\OpenSC"

Name "pkicards ${VERSION}"
OutFile "${OUTFILE}"
InstallDir "$PROGRAMFILES64\pkicards"
ShowInstDetails show
ShowUninstDetails show
VIProductVersion "${VERSION}.0"
VIAddVersionKey "ProductName" "pkicards"
VIAddVersionKey "FileDescription" "ACOS5 and StarCOS card drivers for OpenSC"
VIAddVersionKey "ProductVersion" "${VERSION}"
VIAddVersionKey "FileVersion" "${VERSION}"
VIAddVersionKey "LegalCopyright" "pkicards contributors, LGPL-2.1-or-later"

Page instfiles
UninstPage instfiles

Var ConfFile
Var ProfDir
Var ToolsDir
Var OpenSCDir
Var OpenSCVer
Var Minidriver

; log LINE: append to %TEMP%\pkicards-setup.log and the details window
!macro Log LINE
	Push "${LINE}"
	Call LogLine
!macroend
Function LogLine
	Exch $0
	Push $1
	DetailPrint "$0"
	ClearErrors
	FileOpen $1 "$TEMP\pkicards-setup.log" a
	${IfNot} ${Errors}
		FileSeek $1 0 END
		FileWrite $1 "pkicards ${VERSION}: $0$\r$\n"
		FileClose $1
	${EndIf}
	Pop $1
	Pop $0
FunctionEnd

; refuse CODE MESSAGE: say why, exit with CODE, change nothing
!macro Refuse CODE MESSAGE
	!insertmacro Log "${MESSAGE}"
	MessageBox MB_OK|MB_ICONSTOP "${MESSAGE}" /SD IDOK
	SetErrorLevel ${CODE}
	Quit
!macroend

Function .onInit
	${IfNot} ${RunningX64}
		!insertmacro Refuse 6 "pkicards needs 64-bit Windows and the 64-bit OpenSC."
	${EndIf}
	SetRegView 64
	ReadRegStr $ConfFile HKLM "${OPENSCKEY}" "ConfigFile"
	ReadRegStr $ProfDir HKLM "${OPENSCKEY}" "ProfileDir"
	ReadRegStr $ToolsDir HKLM "${OPENSCKEY}" "SmDir"
	${If} $ConfFile == ""
	${OrIf} $ToolsDir == ""
	${OrIf} $ProfDir == ""
	${OrIfNot} ${FileExists} "$ToolsDir\opensc.dll"
		!insertmacro Refuse 3 "OpenSC is not installed (no HKLM\${OPENSCKEY} values ConfigFile, ProfileDir and SmDir with $\"opensc.dll$\" in SmDir). Install the 64-bit OpenSC ${PKICARDS_OPENSC_VERSIONS} with its tools first (OpenSC-${PKICARDS_OPENSC_FIRST}_win64.msi), then run this installer again."
	${EndIf}
	; OpenSC's version: the file version of opensc.dll (win32/versioninfo.rc)
	GetDLLVersion "$ToolsDir\opensc.dll" $R0 $R1
	${If} ${Errors}
		!insertmacro Refuse 3 "Cannot read the version of $ToolsDir\opensc.dll. Repair or reinstall OpenSC ${PKICARDS_OPENSC_VERSIONS}, then run this installer again."
	${EndIf}
	IntOp $R2 $R0 >> 16
	IntOp $R3 $R0 & 0xFFFF
	IntOp $R4 $R1 >> 16
	StrCpy $OpenSCVer "$R2.$R3.$R4"
	!insertmacro PKICARDS_CHECK_VERSION $OpenSCVer $R5
	${If} $R5 != 1
		!insertmacro Refuse 4 "OpenSC $OpenSCVer is installed, but this pkicards installer has drivers for OpenSC ${PKICARDS_OPENSC_VERSIONS} only: OpenSC loads a card driver only when it was built for its own version. Install OpenSC ${PKICARDS_OPENSC_VERSIONS}, or use the pkicards installer built for OpenSC $OpenSCVer."
	${EndIf}
	; OpenSC's folder: the one of opensc.conf (INSTALLDIR of its MSI)
	${GetParent} "$ConfFile" $OpenSCDir
	StrCpy $Minidriver "$OpenSCDir\minidriver\opensc-minidriver.dll"
FunctionEnd

; write-lines: the opensc.conf lines (pkicards-confedit's two input files)
Function WriteConfLines
	Push $0
	FileOpen $0 "$PLUGINSDIR\top.txt" w
	FileWrite $0 "card_drivers = acos5_ext, starcos_ext, internal;$\n"
	FileWrite $0 "card_driver acos5_ext {$\n$\tmodule = $\"$ToolsDir\pkicards.dll$\";$\n}$\n"
	FileWrite $0 "card_driver starcos_ext {$\n$\tmodule = $\"$ToolsDir\pkicards.dll$\";$\n}$\n"
	; issuer-personalised cards: read_only = true for their ATRs (CARDS.nsh)
	!insertmacro PKICARDS_READ_ONLY_ATRS
	FileClose $0
	FileOpen $0 "$PLUGINSDIR\p15.txt" w
	FileWrite $0 "pkcs15init acos5_ext {$\n$\tmodule = $\"$ToolsDir\pkicards-p15init.dll$\";$\n}$\n"
	FileWrite $0 "pkcs15init starcos_ext {$\n$\tmodule = $\"$ToolsDir\pkicards-p15init.dll$\";$\n}$\n"
	FileWrite $0 "emulate pkicards {$\n$\tmodule = $\"$ToolsDir\pkicards-emu.dll$\";$\n}$\n"
	FileClose $0
	Pop $0
FunctionEnd

; The uninstaller gets the file time of pkicards-confedit.exe (which File
; set from the build), so that a second install leaves it as it was.
Function StampUninstaller
	System::Call 'kernel32::CreateFileW(w "$INSTDIR\pkicards-confedit.exe", i 0x80000000, i 7, p 0, i 3, i 0x80, p 0) p.r1'
	System::Call 'kernel32::CreateFileW(w "$INSTDIR\uninstall.exe", i 0x100, i 7, p 0, i 3, i 0x80, p 0) p.r2'
	System::Call '*(l 0) p.r3'
	System::Call 'kernel32::GetFileTime(p r1, p 0, p 0, p r3) i.r4'
	${If} $4 != 0
		System::Call 'kernel32::SetFileTime(p r2, p 0, p 0, p r3) i.r4'
	${EndIf}
	System::Call 'kernel32::CloseHandle(p r1)'
	System::Call 'kernel32::CloseHandle(p r2)'
	System::Free $3
FunctionEnd

; RemoveOurCardTypes: delete every card type whose InstalledBy is ours,
; whichever version registered it; OpenSC's own (InstalledBy "OpenSC") and
; other vendors' stay. For the upgrade and the uninstaller.
!macro PKICARDS_REMOVE_OURS UN
Function ${UN}RemoveOurCardTypes
	Push $0
	Push $1
	Push $2
	StrCpy $0 0
	${Do}
		ClearErrors
		EnumRegKey $1 HKLM "${PKICARDS_SMARTCARDS}" $0
		${If} ${Errors}
		${OrIf} $1 == ""
			${Break}
		${EndIf}
		ReadRegStr $2 HKLM "${PKICARDS_SMARTCARDS}\$1" "InstalledBy"
		${If} $2 == "${PKICARDS_INSTALLED_BY}"
			DeleteRegKey HKLM "${PKICARDS_SMARTCARDS}\$1"
		${Else}
			IntOp $0 $0 + 1
		${EndIf}
	${Loop}
	Pop $2
	Pop $1
	Pop $0
FunctionEnd
!macroend
!insertmacro PKICARDS_REMOVE_OURS ""
!insertmacro PKICARDS_REMOVE_OURS "un."

Section "pkicards"
	SetRegView 64
	InitPluginsDir
	; opensc.conf first: the only step that can fail on the admin's file
	SetOutPath "$PLUGINSDIR"
	File "/oname=pkicards-confedit.exe" "${CONFEDIT}"
	Call WriteConfLines
	nsExec::ExecToStack '"$PLUGINSDIR\pkicards-confedit.exe" add "$ConfFile" "$PLUGINSDIR\top.txt" "$PLUGINSDIR\p15.txt"'
	Pop $0
	Pop $1
	${TrimNewLines} "$1" $1
	${If} $0 != 0
		!insertmacro Refuse 5 "Could not add the pkicards lines to $ConfFile: $1"
	${EndIf}
	!insertmacro Log "$1"

	SetOutPath "$ToolsDir"
	!insertmacro PKICARDS_INSTALL_DLLS $OpenSCVer
	!insertmacro Log "OpenSC $OpenSCVer: drivers installed in $ToolsDir"
	SetOutPath "$ProfDir"
	File "${PROFILES}\acos5_ext.profile"
	File "${PROFILES}\starcos_ext.profile"
	!insertmacro Log "profiles installed in $ProfDir"

	Call RemoveOurCardTypes
	${If} ${FileExists} "$Minidriver"
		!insertmacro PKICARDS_REGISTER_CARDS "$Minidriver"
		!insertmacro Log "${PKICARDS_CARD_TYPES} card types registered for $Minidriver"
	${Else}
		!insertmacro Log "no card types registered: OpenSC's minidriver ($Minidriver) is not installed"
	${EndIf}

	SetOutPath "$INSTDIR"
	File "/oname=pkicards-confedit.exe" "${CONFEDIT}"
	WriteUninstaller "$INSTDIR\uninstall.exe"
	Call StampUninstaller
	WriteRegStr HKLM "${REGKEY}" "Version" "${VERSION}"
	WriteRegStr HKLM "${REGKEY}" "OpenSCVersion" "$OpenSCVer"
	WriteRegStr HKLM "${REGKEY}" "ConfigFile" "$ConfFile"
	WriteRegStr HKLM "${REGKEY}" "ProfileDir" "$ProfDir"
	WriteRegStr HKLM "${REGKEY}" "DriverDir" "$ToolsDir"
	WriteRegStr HKLM "${UNINSTKEY}" "DisplayName" "pkicards ${VERSION} (ACOS5 and StarCOS drivers for OpenSC $OpenSCVer)"
	WriteRegStr HKLM "${UNINSTKEY}" "DisplayVersion" "${VERSION}"
	WriteRegStr HKLM "${UNINSTKEY}" "Publisher" "pkicards contributors"
	WriteRegStr HKLM "${UNINSTKEY}" "InstallLocation" "$INSTDIR"
	WriteRegStr HKLM "${UNINSTKEY}" "UninstallString" "$\"$INSTDIR\uninstall.exe$\""
	WriteRegStr HKLM "${UNINSTKEY}" "QuietUninstallString" "$\"$INSTDIR\uninstall.exe$\" /S"
	WriteRegDWORD HKLM "${UNINSTKEY}" "NoModify" 1
	WriteRegDWORD HKLM "${UNINSTKEY}" "NoRepair" 1
SectionEnd

Function un.onInit
	SetRegView 64
	ReadRegStr $ConfFile HKLM "${REGKEY}" "ConfigFile"
	ReadRegStr $ProfDir HKLM "${REGKEY}" "ProfileDir"
	ReadRegStr $ToolsDir HKLM "${REGKEY}" "DriverDir"
FunctionEnd

Section "Uninstall"
	SetRegView 64
	${If} $ConfFile != ""
		nsExec::ExecToStack '"$INSTDIR\pkicards-confedit.exe" remove "$ConfFile"'
		Pop $0
		Pop $1
		${TrimNewLines} "$1" $1
		DetailPrint "$1"
		${If} $0 != 0
			MessageBox MB_OK|MB_ICONEXCLAMATION "Could not take the pkicards lines out of $ConfFile: $1" /SD IDOK
		${EndIf}
	${EndIf}
	${If} $ToolsDir != ""
		Delete /REBOOTOK "$ToolsDir\pkicards.dll"
		Delete /REBOOTOK "$ToolsDir\pkicards-p15init.dll"
		Delete /REBOOTOK "$ToolsDir\pkicards-emu.dll"
	${EndIf}
	${If} $ProfDir != ""
		Delete "$ProfDir\acos5_ext.profile"
		Delete "$ProfDir\starcos_ext.profile"
	${EndIf}
	!insertmacro PKICARDS_UNREGISTER_CARDS
	Call un.RemoveOurCardTypes
	DeleteRegKey HKLM "${REGKEY}"
	DeleteRegKey HKLM "${UNINSTKEY}"
	Delete "$INSTDIR\pkicards-confedit.exe"
	Delete "$INSTDIR\uninstall.exe"
	RMDir "$INSTDIR"
SectionEnd
