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
