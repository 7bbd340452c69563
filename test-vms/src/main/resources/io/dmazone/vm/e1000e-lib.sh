# Helpers of the patched e1000e's tests, after ktap.sh: the one-VM tests
# (guest-driver/tests/guest/e1000e-zone-tests.sh, bash) source it, the
# nested zone correctness run has it pasted into its L1 companion (bash) by
# L1Companions.
# shellcheck shell=sh disable=SC3043 # busybox sh and bash both have local

# flood PEER COUNT [DEADLINE_S]: ping -f, COUNT echo requests, for at most
# DEADLINE_S (100) seconds; sets FLOOD_RX (replies) and FLOOD_DETAIL
flood() {
	local out
	out=$(timeout $((${3:-100} + 20)) ping -f -c "$2" -w "${3:-100}" "$1" 2>&1)
	FLOOD_RX=$(echo "$out" | sed -n 's/.* \([0-9]*\) received.*/\1/p')
	FLOOD_RX=${FLOOD_RX:-0}
	# shellcheck disable=SC2034 # for the script that comes after this file
	FLOOD_DETAIL=$(echo "$out" | grep -E 'received|rtt' | tr '\n' ' ')
}
