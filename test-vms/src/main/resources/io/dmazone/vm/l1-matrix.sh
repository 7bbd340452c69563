# L1 companion of one matrix mode, one lane of a side-by-side run (after
# ktap.sh and l1-lib.sh; MATRIX_SECONDS, MATRIX_ROUNDS and the lane's
# addresses set before it, and PIN_BUDGET=1 for a pin budget: the zone plan's
# RLIMIT_MEMLOCK, PLAN_MEMLOCK_BYTES from l1-nested.sh). From L2 QEMU's start
# it counts the VFIO MAP_DMA/UNMAP_DMA calls and, with a budget, holds L2's
# QEMU to it through the Java API; when the plan adds L2's devices later
# (L2_QMP), it adds them once L2's IOMMU is on (and removes them before L2
# shuts down); once L2 serves iperf3 it writes OUT/ready
# (0, or 1 when L2 does not serve) and runs MATRIX_ROUNDS rounds of iperf3 TCP
# both ways, MATRIX_SECONDS each, round R only once l1-side-by-side.sh has
# written R to OUT/turn, and R to OUT/turn-done after it. It reports per run
# (l2rx_ROUND, l2tx_ROUND) the throughput (JSON), L2 QEMU's highest VmLck,
# its CPU time and its map calls; it lets L2 finish once OUT/turn says end.
# shellcheck shell=bash
value clk_tck "$(getconf CLK_TCK)"
vfio_count_start
check vfio_call_count $? "hist trigger on syscalls/sys_enter_ioctl for cmd $MAP_DMA, $UNMAP_DMA"
if [ "${PIN_BUDGET:-}" = 1 ]; then
	pin_budget
fi
iface=$(l1_nic_up)
check l1_nic_up $? "virtio-net ${iface:-none} as $L1_IP"
[ -n "${L2_QMP:-}" ] && hot_add
wait_sync ready 900
check l2_ready $? "L2 serves iperf3 on $L2_IP"
read -r maps unmaps <<<"$(vfio_counts)"
value boot_map_dma_calls "$maps"
value boot_unmap_dma_calls "$unmaps"
# the first reply, within a minute: with six other L2s beside it, three
# pings of 3 s each once went unanswered by an L2 that answered L1's
# release later in the same run
ping -c 1 -w 60 "$L2_IP" >/dev/null
check l2_reachable $? "ping $L2_IP, one reply within 60 s"
# shellcheck disable=SC2154 # failed is set by ktap.sh, before this file
ready=$failed
echo "$ready" >"$OUT/ready"

# await_turn ROUND: until l1-side-by-side.sh gives this L2 that round; fails
# when L2's QEMU is gone first, or the rounds ended without it. It forks
# nothing while it waits (builtins, read -t as sleep): under TCG a fork and
# exec costs L1 tens of milliseconds, and the other lanes' L2s boot and run
# beside this loop.
exec 5<> <(:)
await_turn() {
	local turn
	while kill -0 "$L2_PID" 2>/dev/null; do
		turn=""
		read -r turn <"$OUT/turn" 2>/dev/null
		[ "$turn" = "$1" ] && return 0
		# the rounds ended without this lane (its boot outlived the launcher's wait)
		[ "$turn" = end ] && return 1
		read -r -t 1 -u 5 _
	done
	return 1
}

faults=$(l1_iommu_faults)
value matrix_rounds "$MATRIX_ROUNDS"
for round in $(seq "$MATRIX_ROUNDS"); do
	[ "$ready" = 0 ] || break
	await_turn "$round" || break
	traffic "l2rx_$round" "$MATRIX_SECONDS"
	check "l2rx_${round}_iperf3" $? "round $round: L1 -> L2 ${MATRIX_SECONDS}s"
	traffic "l2tx_$round" "$MATRIX_SECONDS" -R
	check "l2tx_${round}_iperf3" $? "round $round: L2 -> L1 ${MATRIX_SECONDS}s"
	echo "$round" >"$OUT/turn-done"
done

# the L2s leave together, once every round of every L2 is done: none shuts down beside another's run
await_turn end
now=$(l1_iommu_faults)
[ "$now" = "$faults" ]
check no_l1_iommu_faults $? "DMA faults in L1 during the traffic: $((now - faults))"
release_sync ready
check l2_released $? "L2 let go"
[ -n "${L2_QMP:-}" ] && hot_remove
ktap_end
