#!/bin/sh
# The plug-in exports exactly the two loader entry points, and every symbol
# it needs from outside glibc is exported by the selected OpenSC's libopensc
# (libopensc.exports of its source tree; doc/opensc-plugin.md §1.4).
# usage: check-exports.sh libpkicards.so libopensc.exports
set -eu
module=$1
exports=$2
fail=0
checked=0

[ -r "$module" ] || { echo "no module at $module"; exit 1; }
[ -r "$exports" ] || { echo "no export list at $exports"; exit 1; }

defined=$(nm -D --defined-only "$module" | awk '{print $3}' | sort)
want=$(printf 'sc_driver_version\nsc_module_init\n')
if [ "$defined" != "$want" ]; then
	echo "FAIL: $module defines other dynamic symbols than sc_module_init, sc_driver_version:"
	echo "$defined" | sed 's/^/  /'
	fail=1
fi

# In a sanitizer build (-Db_sanitize=...) libc calls bind, unversioned, to
# the interceptors of libasan/libubsan: accept what those runtimes define.
san_libs=$(ldd "$module" 2>/dev/null | awk '$1 ~ /^lib(a|ub|l|t)san\./ {print $3}')
san_syms=$(for l in $san_libs; do nm -D --defined-only "$l" | awk '{print $3}' | sed 's/@.*//'; done | sort -u)

undefined=$(nm -D --undefined-only "$module" | awk '{print $2}' | grep -v '@GLIBC' | sed 's/@.*//' | sort -u)
for sym in $undefined; do
	case $sym in
	# weak references the toolchain adds to every shared object
	__gmon_start__|_ITM_*|__cxa_finalize) continue ;;
	esac
	if [ -n "$san_syms" ] && echo "$san_syms" | grep -qx "$sym"; then
		continue
	fi
	checked=$((checked + 1))
	if ! grep -qx "$sym" "$exports"; then
		echo "FAIL: $module needs '$sym', which libopensc does not export ($exports)"
		fail=1
	fi
done

[ "$fail" = 0 ] && echo "ok: exports sc_module_init, sc_driver_version; $checked imports all in $(basename "$exports")"
exit "$fail"
