# Shared helpers of the client scripts (sourced). They run inside
# tests/with-card (or with a real reader): P11LIB names the PKCS#11 module.
set -u
: "${P11LIB:?P11LIB must name the PKCS#11 module (tests/with-card sets it)}"

die() { echo "$(basename "$0"): $*" >&2; exit 2; }

# p11_slot [READER]: decimal PKCS#11 slot ID of the first slot that has a
# token (and whose reader name contains READER, if given).
p11_slot() {
	local hex
	hex=$(pkcs11-tool --module "$P11LIB" -L 2>/dev/null | awk -v want="${1:-}" '
		/^Slot [0-9]+ \(0x[0-9a-fA-F]+\):/ {
			id = $3; gsub(/[():]|0x/, "", id); reader = $0; sub(/^[^:]*: /, "", reader)
			next
		}
		/token label/ && id != "" && (want == "" || index(reader, want)) { print id; exit }')
	[ -n "$hex" ] && echo $((16#$hex))
}

# p11_token_label SLOT: the token label as PKCS#11 reports it.
p11_token_label() {
	pkcs11-tool --module "$P11LIB" -L 2>/dev/null | awk -v slot="$(printf %x "$1")" '
		/^Slot [0-9]+ \(0x[0-9a-fA-F]+\):/ { id = $3; gsub(/[():]|0x/, "", id); next }
		/token label/ && id == slot { sub(/^[^:]*: /, ""); print; exit }' |
		sed 's/ *$//'
}

# p11_object_label SLOT TYPE ID: CKA_LABEL of the object of TYPE (cert,
# pubkey) with CKA_ID = ID (hex), listed without login.
p11_object_label() {
	pkcs11-tool --module "$P11LIB" --slot "$1" -O --type "$2" 2>/dev/null |
		awk -v want="$(echo "$3" | tr A-F a-f)" '
			/^[A-Za-z].*Object/ { label = "" }
			/^  label:/ { label = $0; sub(/^  label: */, "", label) }
			/^  ID:/ && tolower($2) == want { print label; exit }'
}

# pct_id HEX: the ID in PKCS#11-URI form (%06%AB)
pct_id() { echo "$1" | sed 's/\(..\)/%\1/g'; }

# reader_index [READER]: OpenSC's reader number (opensc-tool -l, the -r /
# --reader of pkcs15-init and pkcs15-tool) of the first reader with a card
# whose name contains READER (any reader with a card if not given).
reader_index() {
	opensc-tool -l 2>/dev/null | awk -v want="${1:-}" '
		/^[0-9]+ +Yes/ && (want == "" || index($0, want)) { print $1; exit }'
}

# engine_conf FILE: an OpenSSL configuration that loads the PKCS#11 engine
# (libp11, Debian's libengine-pkcs11-openssl) on $P11LIB instead of its
# default p11-kit-proxy. Use with OPENSSL_CONF=FILE ... -engine pkcs11.
engine_conf() {
	local engine
	engine=$(ls /usr/lib/*/engines-3/pkcs11.so 2>/dev/null | head -n 1)
	[ -n "$engine" ] || die "no OpenSSL pkcs11 engine (Debian package libengine-pkcs11-openssl)"
	cat >"$1" <<CNF
openssl_conf = openssl_init
[openssl_init]
engines = engine_section
[engine_section]
pkcs11 = pkcs11_section
[pkcs11_section]
engine_id = pkcs11
dynamic_path = $engine
MODULE_PATH = $P11LIB
init = 0
[req]
distinguished_name = dn
[dn]
CNF
}

# p11_serial SLOT: the token serial number as PKCS#11 reports it.
p11_serial() {
	pkcs11-tool --module "$P11LIB" -L 2>/dev/null | awk -v slot="$(printf %x "$1")" '
		/^Slot [0-9]+ \(0x[0-9a-fA-F]+\):/ { id = $3; gsub(/[():]|0x/, "", id); next }
		/serial num/ && id == slot { sub(/^[^:]*: */, ""); print; exit }' |
		sed 's/ *$//'
}

# pct STRING: STRING percent-encoded byte by byte (RFC 7512 attribute value)
pct() { printf '%s' "$1" | od -An -tx1 -v | tr -d ' \n' | sed 's/\(..\)/%\1/g'; }

# key_uri SLOT KEYID: RFC 7512 URI of the private key KEYID on the token in
# SLOT, by token label and serial number (unique with several cards).
key_uri() {
	echo "pkcs11:token=$(pct "$(p11_token_label "$1")");serial=$(pct "$(p11_serial "$1")");id=$(pct_id "$2");type=private"
}
