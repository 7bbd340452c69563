# L2 command of the nested zone correctness run (after ktap.sh, l2-lib.sh,
# l2-zone-check.sh and e1000e-lib.sh; ZONE_PARAMS and CYCLES set before
# it). At each sync L1 does its part (l1-zone-correctness.sh): traffic,
# VmLck, the kill. After l2-dma-ops-select.sh (DMA_OPS_BDF set) the NIC's
# driver is the stock e1000e on dmazone's DMA ops: no fault injection (the
# knob is the patched driver's), and each cycle unbinds and rebinds the
# driver as well.
# shellcheck shell=sh
DZ_KO=/lib/modules/dmazone.ko
DRIVER=/lib/modules/e1000e.ko
SYS=/sys/kernel/dmazone
mount -t debugfs none /sys/kernel/debug

nic_up
check zone_nic_up $? "${IFACE:-no interface} $L2_IP"
iperf3 -s -D
problems=$(log_problems)
l1_sync traffic
now=$(log_problems)
check traffic_l2_kernel_log_clean "$([ "$now" = "$problems" ]; echo $?)" "problem lines in L2's kernel log during ping flood and iperf3: $((now - problems))"

if [ -n "${DMA_OPS_BDF:-}" ]; then
	ops=/sys/kernel/dmazone/dev/$DMA_OPS_BDF
	dma_ops_counters "$DMA_OPS_BDF"
	[ "$OPS_MAPS" -gt 0 ] && [ "$OPS_FAILED" = 0 ]
	check traffic_through_dma_ops $? "$OPS_MAPS maps, $OPS_BOUNCED bytes bounced, $OPS_FAILED failed"
else
	# One RX descriptor pointed outside the zone, reached with L1's traffic:
	# the NIC's write must be blocked by the IOMMU and the driver must go on.
	rx_fault_inject "$(e1000e_bdf)" l1_sync fault
	page=$(printf '0x%x' $((${FAULT_ADDR:-0} & ~0xfff)))
	line=$(echo "$FAULT_LOG" | grep 'DMAR: \[DMA Write' | grep "fault addr $page" | head -1 | sed 's/^\[[^]]*\] //')
	# The NIC's write was translated by L1's IOMMU, which L1 checks; L2's
	# vIOMMU never sees it.
	value l2_viommu_fault_line "${line:-none}"
	l1_sync resumed
fi

# detached: no device attached and the zone empty
detached() {
	[ "$(cat "$SYS/attached")" = 0 ] && [ "$(cat "$SYS/bytes_used")" = 0 ]
}
# Unload and reload dmazone and the driver; L1 reads VmLck at each
# reattached zone. With the DMA ops the driver is first unbound and bound
# again, and dmazone comes back selecting the NIC before the driver probes.
# bad STEP: the cycle failed at STEP (the numbers in the check's detail)
bad() {
	steps="$steps,$1"
}
rc_all=0
detail=""
for i in $(seq "$CYCLES"); do
	steps=""
	if [ -n "${DMA_OPS_BDF:-}" ]; then
		echo "$DMA_OPS_BDF" >/sys/bus/pci/drivers/e1000e/unbind || bad 11
		detached || bad 12
		echo "$DMA_OPS_BDF" >/sys/bus/pci/drivers/e1000e/bind || bad 13
		{ nic_up && [ "$(cat "$ops/mode")" = transparent ]; } || bad 14
	fi
	rmmod e1000e || bad 1
	detached || bad 2
	rmmod dmazone || bad 3
	# shellcheck disable=SC2086 # the parameters are separate words
	insmod "$DZ_KO" $ZONE_PARAMS ${DMA_OPS_BDF:+transparent=$DMA_OPS_BDF} || bad 4
	insmod "$DRIVER" || bad 5
	nic_up || bad 6
	[ "$(cat "$SYS/attached")" = 1 ] || bad 7
	if [ -n "${DMA_OPS_BDF:-}" ]; then
		[ "$(cat "$ops/mode")" = transparent ] || bad 8
	fi
	if [ -n "$steps" ]; then
		detail="$detail $i:failed-${steps#,}"
		rc_all=1
	else
		detail="$detail $i:ok"
	fi
	l1_sync "cycle-$i"
done
check reload_cycles "$rc_all" "cycles=$CYCLES$detail (failed steps: 11-14 unbind and bind, 1-8 unload and reload)"
# The plan before the kill: the stream is whole when L1 kills L2's QEMU.
ktap_end
l1_sync kill
# L1 kills L2's QEMU at the sync above; reaching this line is a failure,
# and a result after the plan.
check killed_by_l1 1 "L1 did not kill L2's QEMU"
exit 1
