# L1 companion of the uncooperative-guest runs (after ktap.sh and
# l1-lib.sh; BUDGET_BYTES set before it): checks that L2's QEMU runs under
# the budget, finds in L1's kernel log the faults of the writes L2 aimed at
# memory the host refused to pin and, in transparent mode, outside the zone
# (l2-uncooperative.sh prints their addresses), and once L2's QEMU is
# gone, that it left nothing pinned. l1-nested.sh samples VmLck through the
# whole run.
# shellcheck shell=bash
CAP_IPC_LOCK=14
caps=$(awk '$1 == "CapEff:" { print $2 }' "/proc/$L2_PID/status")
[ $((0x${caps:-4000} >> CAP_IPC_LOCK & 1)) = 0 ]
check l2_qemu_without_ipc_lock $? "CapEff ${caps:-?}: without CAP_IPC_LOCK RLIMIT_MEMLOCK binds VFIO's pins"
limit=$(awk '/^Max locked memory/ { print $4 " " $5 }' "/proc/$L2_PID/limits")
[ "$limit" = "$BUDGET_BYTES $BUDGET_BYTES" ]
check budget_in_force $? "RLIMIT_MEMLOCK of L2's QEMU (soft hard): ${limit:-?}; budget $BUDGET_BYTES"

# write_fault_in_l1 CHECK ACTION: once L2 reports the edu write ACTION
# (extra-write, outside-write) with its address, the DMAR write fault at
# that page in L1's kernel log. Nothing when L2's QEMU ends first: the
# check is then missing, which fails the test.
write_fault_in_l1() {
	local re="^# edu $2 [0-9]*: $2 [A-Z]* addr=\\(0x[0-9a-f]*\\) .*" addr="" line=""
	while kill -0 "$L2_PID" 2>/dev/null; do
		addr=$(sed -n "s/$re/\\1/p" "$L2_CONSOLE" | tail -1)
		[ -n "$addr" ] && break
		sleep 0.5
	done
	[ -n "$addr" ] || return 0
	for _ in $(seq 40); do
		line=$(dmar_write_fault "$addr")
		[ -n "$line" ] && break
		sleep 0.5
	done
	[ -n "$line" ]
	check "$1" $? "${line:-no DMAR write fault at the page of $addr in L1}"
}

# L2's write beyond the zone, then its write outside the DMA-API buffers
# in transparent mode
write_fault_in_l1 extra_write_fault_in_l1 extra-write
write_fault_in_l1 transparent_outside_write_fault_in_l1 outside-write

while kill -0 "$L2_PID" 2>/dev/null; do
	sleep 0.5
done
after=$(pins_outstanding)
for _ in $(seq 60); do
	[ "$after" -le "$PINS_BEFORE_L2" ] && break
	sleep 0.5
	after=$(pins_outstanding)
done
[ "$after" -le "$PINS_BEFORE_L2" ]
check nothing_left_pinned $? "L1 pinned pages (FOLL_PIN outstanding) before L2 $PINS_BEFORE_L2, after its QEMU exited $after"
ktap_end
