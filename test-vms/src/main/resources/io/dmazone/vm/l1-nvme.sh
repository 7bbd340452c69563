# L1 companion of an NVMe run (after ktap.sh and l1-lib.sh; PIN_BUDGET=1
# for a pin budget set before them): with a budget, holds L2's QEMU to its
# zone plan's RLIMIT_MEMLOCK (pin_budget); counts the VFIO MAP_DMA/UNMAP_DMA
# calls L2's QEMU makes from the start of L2's command (which loads the
# driver and does the I/O, l2-nvme.sh and l2-nvme-io.sh) to the end of that
# I/O (NVME-IO-END; an exhaustion part may follow, which reloads the zone),
# and the DMA faults L1's IOMMU reports while L2 runs. L2 has no NIC to sync
# on: the companion follows L2's console, and takes the QEMU's threads when
# the command starts (the histogram keeps a thread's count after it is gone;
# L2's QEMU may be gone when the command's end is seen).
# shellcheck shell=bash disable=SC2154 # failed is set by ktap.sh, before this file
vfio_count_start
check vfio_call_count $? "hist trigger on syscalls/sys_enter_ioctl for cmd $MAP_DMA, $UNMAP_DMA"
if [ "${PIN_BUDGET:-}" = 1 ]; then
	pin_budget
fi
faults=$(l1_iommu_faults)

# console_has TEXT: L2's console shows TEXT, waiting while L2's QEMU runs
console_has() {
	while ! grep -q "$1" "$L2_CONSOLE" 2>/dev/null; do
		kill -0 "$L2_PID" 2>/dev/null || { grep -q "$1" "$L2_CONSOLE"; return; }
		sleep 0.5
	done
}

console_has L2-CMD-START
check l2_command_started $? "L2-CMD-START on L2's console"
tids=$(qemu_tids)
read -r maps0 unmaps0 <<<"$(vfio_counts "$tids")"
value boot_map_dma_calls "$maps0"
value boot_unmap_dma_calls "$unmaps0"
console_has NVME-IO-END
check l2_io_ended $? "NVME-IO-END on L2's console"
read -r maps1 unmaps1 <<<"$(vfio_counts "$tids")"
value command_map_dma_calls $((maps1 - maps0))
value command_unmap_dma_calls $((unmaps1 - unmaps0))
console_has L2-EXIT
check l2_command_ended $? "L2-EXIT on L2's console"
now=$(l1_iommu_faults)
[ "$now" = "$faults" ]
check no_l1_iommu_faults $? "DMA faults in L1 while L2 ran: $((now - faults))"
ktap_end
exit "$failed"
