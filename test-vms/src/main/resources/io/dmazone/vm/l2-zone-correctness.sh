# L2 command of the nested zone correctness run (after ktap.sh, l2-lib.sh,
# l2-zone-check.sh and e1000e-lib.sh; ZONE_PARAMS and CYCLES set before
# it). At each sync L1 does its part (l1-zone-correctness.sh): traffic,
# VmLck, the kill.
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

# One RX descriptor pointed outside the zone, reached with L1's traffic: the
# NIC's write must be blocked by the IOMMU and the driver must go on.
rx_fault_inject "$(e1000e_bdf)" l1_sync fault
page=$(printf '0x%x' $((${FAULT_ADDR:-0} & ~0xfff)))
line=$(echo "$FAULT_LOG" | grep 'DMAR: \[DMA Write' | grep "fault addr $page" | head -1 | sed 's/^\[[^]]*\] //')
# The NIC's write was translated by L1's IOMMU, which L1 checks; L2's
# vIOMMU never sees it.
value l2_viommu_fault_line "${line:-none}"
l1_sync resumed

# Unload and reload dmazone and the patched driver; L1 reads VmLck at each
# reattached zone.
rc_all=0
detail=""
for i in $(seq "$CYCLES"); do
	rc=0
	rmmod e1000e || rc=1
	[ "$(cat "$SYS/attached")" = 0 ] && [ "$(cat "$SYS/bytes_used")" = 0 ] || rc=2
	rmmod dmazone || rc=3
	# shellcheck disable=SC2086 # the parameters are separate words
	insmod "$DZ_KO" $ZONE_PARAMS || rc=4
	insmod "$DRIVER" || rc=5
	nic_up || rc=6
	[ "$(cat "$SYS/attached")" = 1 ] || rc=7
	detail="$detail $i:rc=$rc"
	[ $rc = 0 ] || rc_all=1
	l1_sync "cycle-$i"
done
check reload_cycles "$rc_all" "cycles=$CYCLES$detail"
# The plan before the kill: the stream is whole when L1 kills L2's QEMU.
ktap_end
l1_sync kill
# L1 kills L2's QEMU at the sync above; reaching this line is a failure,
# and a result after the plan.
check killed_by_l1 1 "L1 did not kill L2's QEMU"
exit 1
