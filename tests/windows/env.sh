# tests/windows/env.sh: the wine environment of the Windows tests (sourced by
# setup-prefix, run and the tests). doc/windows.md, "Under wine", explains it.
#
# Inputs (environment, all optional):
#   WITH_CARD_BUILD      native build directory (default: top/build)
#   PKICARDS_WINEPREFIX  the test prefix (default: BUILD/tests/windows/prefix)
#   PKICARDS_WIN_OPENSC  OpenSC versions for the installer, the first one
#                        tested (default: the native build's version)
#   OPENSC_WIN_DIR       a Windows OpenSC build as scripts/build-opensc makes
#                        it (src/, dist/) of the tested version; default:
#                        scripts/build-opensc --host win64 VERSION
# Never the default wine prefix: WINEPREFIX is always set here.
win_top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
win_build=${WITH_CARD_BUILD:-$win_top/build}
case $win_build in /*) ;; *) win_build=$PWD/$win_build ;; esac
win_out=$win_build/tests/windows

export WINEPREFIX=${PKICARDS_WINEPREFIX:-$win_out/prefix}
export WINEDEBUG=${PKICARDS_WINEDEBUG:--all}
# wpcsc.dll.so (the Winelib bridge) is a builtin found through WINEDLLPATH;
# winscard.dll (native, forwarding to it) replaces wine's stub builtin.
export WINEDLLPATH=$win_out
export WINEDLLOVERRIDES="winscard=n,b;mscoree,mshtml="
# No window system: console programs only.
unset DISPLAY WAYLAND_DISPLAY

# Where OpenSC's MSI installs (win32/OpenSC.wxs.in: ProgramFiles64Folder\
# OpenSC Project\OpenSC), as wine paths and as Unix paths in the prefix
win_opensc='C:\Program Files\OpenSC Project\OpenSC'
win_opensc_unix="$WINEPREFIX/drive_c/Program Files/OpenSC Project/OpenSC"

# win_die MESSAGE: stop with a message on stderr
win_die() {
	echo "tests/windows: $*" >&2
	exit 2
}

# win_opensc_versions: the OpenSC versions the installer gets DLLs for, the
# first being the one installed in the prefix and tested: the list
# PKICARDS_WIN_OPENSC (e.g. "0.23.0 0.26.1"), else the native build's
win_opensc_versions() {
	if [ -n "${PKICARDS_WIN_OPENSC:-}" ]; then
		echo "${PKICARDS_WIN_OPENSC//,/ }"
	elif [ -f "$win_build/meson-logs/meson-log.txt" ]; then
		sed -n 's/^Message: building for OpenSC \([^ ]*\) with headers.*/\1/p' \
			"$win_build/meson-logs/meson-log.txt" | tail -n 1
	fi
}
win_opensc_version() {
	local v
	v=$(win_opensc_versions)
	echo "${v%% *}"
}

# win_opensc_dir [VERSION]: the Windows OpenSC build of VERSION (default:
# the tested one; D/src: its configured source, D/dist: its files in the
# layout of the MSI), built when missing (scripts/build-opensc keeps it by
# version outside the clone). OPENSC_WIN_DIR replaces the tested one.
win_opensc_dir() {
	local v=${1:-} d
	if [ -n "${OPENSC_WIN_DIR:-}" ] && { [ -z "$v" ] || [ "$v" = "$(win_opensc_version)" ]; }; then
		echo "$OPENSC_WIN_DIR"
		return
	fi
	[ -n "$v" ] || v=$(win_opensc_version)
	[ -n "$v" ] || win_die "no OpenSC version: build first (meson setup build) or set PKICARDS_WIN_OPENSC"
	[ -x "$win_top/scripts/build-opensc" ] || win_die "scripts/build-opensc is missing: set OPENSC_WIN_DIR to a Windows OpenSC build (src/, dist/)"
	d=$("$win_top/scripts/build-opensc" --host win64 "$v" | tail -n 1) || win_die "scripts/build-opensc --host win64 $v failed"
	[ -f "$d/dist/tools/opensc.dll" ] || win_die "$d/dist is not a Windows OpenSC in the MSI layout (no tools/opensc.dll)"
	echo "$d"
}

# the installer the tests install
win_installer() {
	local v
	v=$(sed -n "s/^[[:space:]]*version: '\([^']*\)'.*/\1/p" "$win_top/meson.build" | head -n 1)
	echo "$win_out/pkicards-$v-win64-setup.exe"
}

# win_path UNIXPATH: the wine (Windows) path of a Unix path (Z: drive)
win_path() {
	local p
	case $1 in /*) p=$1 ;; *) p=$PWD/$1 ;; esac
	echo "Z:${p//\//\\}"
}

# win_skip_unless_buildable: exit 77 (meson: skipped) when no Windows OpenSC
# can be had (scripts/build-opensc absent and OPENSC_WIN_DIR unset)
win_skip_unless_buildable() {
	if [ -z "${OPENSC_WIN_DIR:-}" ] && [ ! -x "$win_top/scripts/build-opensc" ]; then
		echo "no scripts/build-opensc and no OPENSC_WIN_DIR: no Windows OpenSC to test with; skipped"
		exit 77
	fi
}
