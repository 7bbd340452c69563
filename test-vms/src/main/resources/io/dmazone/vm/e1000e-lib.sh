# Helpers of the patched e1000e's tests, after ktap.sh: the one-VM tests
# (guest-driver/tests/guest/e1000e-zone-tests.sh, bash) source it, the
# nested zone correctness run has it pasted into its L1 companion (bash)
# and its L2 command (busybox sh) by L1Companions and L2Commands.
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

# outside_zone ADDR: the zone is loaded and ADDR in none of its physical
# ranges
outside_zone() {
	local lo hi
	[ -r /sys/kernel/dmazone/ranges ] || return 1
	while IFS=- read -r lo hi; do
		[ $(($1 >= lo && $1 <= hi)) = 1 ] && return 1
	done </sys/kernel/dmazone/ranges
	return 0
}

# rx_fault_inject BDF TRAFFIC...: points one RX descriptor of the patched
# e1000e at BDF outside the zone (its debugfs inject_rx_fault) and runs
# TRAFFIC, a command whose traffic takes the NIC round its RX ring to that
# slot (the descriptor is posted at the next refill). The NIC's write must
# be blocked by the IOMMU, and the driver must see it, leave the memory
# unchanged, repost the slot and log it. Checks fault_armed,
# fault_descriptor_completed_and_reposted, fault_target_outside_zone,
# fault_memory_unchanged, fault_driver_recovered_log; prints the driver's
# report as "# inject_rx_fault: ..." (l1-zone-correctness.sh reads its addr
# on L2's console); sets FAULT_ADDR, the descriptor's target, and
# FAULT_LOG, the kernel log from the injection to the report.
rx_fault_inject() {
	local f="/sys/kernel/debug/e1000e_dmazone/$1/inject_rx_fault" mark report line
	shift
	mark=$(dmesg | wc -l)
	echo 1 >"$f"
	# shellcheck disable=SC2320 # echo's status is the write's, which is wanted
	check fault_armed $? "$(tr '\n' ' ' <"$f")"
	"$@"
	sleep 1
	report=$(cat "$f")
	note "inject_rx_fault: $report"
	FAULT_ADDR=$(echo "$report" | awk '$1 == "addr" { print $2 }')
	echo "$report" | grep -qx 'state recovered'
	check fault_descriptor_completed_and_reposted $? "$(echo "$report" | grep -E '^(state|slot|addr)' | tr '\n' ' ')"
	[ -n "$FAULT_ADDR" ] && outside_zone "$FAULT_ADDR"
	check fault_target_outside_zone $? "addr=${FAULT_ADDR:-?} zone ranges: $(tr '\n' ' ' </sys/kernel/dmazone/ranges)"
	echo "$report" | grep -qx 'intact_at_completion 1' && echo "$report" | grep -qx 'intact_now 1'
	check fault_memory_unchanged $? "$(echo "$report" | grep intact | tr '\n' ' ')"
	FAULT_LOG=$(dmesg | tail -n +$((mark + 1)))
	line=$(echo "$FAULT_LOG" | grep "pointed outside the zone" | head -1 | sed 's/^\[[^]]*\] //')
	[ -n "$line" ]
	check fault_driver_recovered_log $? "${line:-no line 'pointed outside the zone' in the kernel log}"
}
